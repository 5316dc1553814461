"""The OpenAPI document of the management API."""


def openapi_document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Crier management API", "version": "1"},
        "paths": {},
    }
