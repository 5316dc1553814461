"""The console backend: prints each message, for running Crier on a laptop."""

import sys

from app.email.message import Batch, SendResult


class ConsoleBackend:
    """Writes every copy to stdout instead of sending it."""

    batch_size = 100

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, batch: Batch) -> SendResult:
        """Print each rendered copy."""
        for recipient in batch.recipients:
            msg = batch.render(recipient)
            self.stream.write(f"{'-' * 72}\n{msg.as_string()}\n")
        self.stream.flush()
        return SendResult(accepted=len(batch.recipients))
