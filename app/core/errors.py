"""The error every domain raises for input a person can fix."""


class ServiceError(Exception):
    """Bad input a person can fix; the message says how. Nothing was written."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
