"""Request bodies checked against the OpenAPI document the API publishes: the request body of
that name in ``components.requestBodies``, JSON Schema 2020-12 with its formats asserted. A
body that does not match is a 400 naming the field (``incident.status: 'frobbed' is not one
of [...]``); values the schema cannot judge (an id naming nothing) are the verbs' 422s."""

import functools
import json
import re
from datetime import UTC, date, datetime

from flask import abort, request
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import best_match
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from app.api.v1.schema import openapi_document
from app.api.v1.schema_bodies import BODIES, MAX_YEAR, MIN_YEAR

_DOCUMENT = "urn:crier:api:v1"
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
FORMATS = FormatChecker(formats=())


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.upper().replace("Z", "+00:00"))


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value) -> bool:
    """RFC 3339: a date, a time and its offset (a real day and time of day)."""
    if not isinstance(value, str):
        return True
    return bool(_DATE_TIME.fullmatch(value)) and _parse_time(value) is not None


@FORMATS.checks("date", raises=ValueError)
def _is_date(value) -> bool:
    if not isinstance(value, str):
        return True
    return bool(_DATE.fullmatch(value)) and date.fromisoformat(value) is not None


def json_body():
    """The parsed JSON body, None if it is not JSON; 400 if nested past Python's stack."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        abort(400, description="The JSON is nested too deeply.")


@functools.cache
def _validator(name: str) -> Draft202012Validator:
    registry = Registry().with_resource(_DOCUMENT, DRAFT202012.create_resource(openapi_document()))
    pointer = f"#/components/requestBodies/{name}/content/application~1json/schema"
    return Draft202012Validator(
        {"$ref": _DOCUMENT + pointer}, registry=registry, format_checker=FORMATS
    )


def _inner_schema(wrapper: str) -> dict:
    body = openapi_document()["components"]["requestBodies"][wrapper]
    return body["content"]["application/json"]["schema"]["properties"][wrapper]


def checked(name: str):
    """The request's JSON body, checked against the document's request body ``name``."""
    data = json_body()
    if data is None:
        abort(400, description=f"Send {_shape(name)}.")
    error = best_match(_validator(name).iter_errors(data))
    if error is not None:
        abort(400, description=_message(error, name))
    return data


def validated(wrapper: str):
    """The request's ``{wrapper: …}`` body checked against the document's request body of
    that name; its inner value, with its date-times as aware UTC datetimes."""
    return _converted(checked(wrapper)[wrapper], _inner_schema(wrapper), wrapper)


def _shape(name: str) -> str:
    if BODIES[name][2]:
        return f'a JSON object like {{"{name}": {{…}}}}'
    return f"a JSON object: {BODIES[name][0]}"


def _converted(value, schema: dict, where: str):
    """The one conversion after validation: each date-time field to an aware UTC datetime."""
    if not isinstance(value, dict):
        return value
    for key, field in schema.get("properties", {}).items():
        if field.get("format") == "date-time" and isinstance(value.get(key), str):
            when = _parse_time(value[key]).astimezone(UTC)
            if not MIN_YEAR <= when.year <= MAX_YEAR:  # the pattern checked the local year
                said = f"{_short(value[key])} is not {field['description']}"
                abort(400, description=f"{where}.{key}: {said}.")
            value[key] = when
    return value


def _short(value) -> str:
    said = json.dumps(value, ensure_ascii=True)
    return said if len(said) <= 60 else said[:57] + "…"


def _message(error, name: str) -> str:
    """What to fix, starting with the field's path (``incident.components.<id>``)."""
    where = ".".join(str(part) for part in error.absolute_path)
    if not where:
        return f"Send {_shape(name)}: {error.message}."
    return f"{where}: {_said(error)}."


def _said(error) -> str:
    limit, value = error.validator_value, error.instance
    described = error.schema.get("description") if isinstance(error.schema, dict) else None
    match error.validator:
        case "maxLength" | "maxItems" | "maxProperties":
            unit = {"maxLength": "characters", "maxItems": "items"}.get(error.validator, "entries")
            return f"{len(value)} {unit}, more than the {limit} allowed"
        case "minLength":
            return "an empty text, where one is needed"
        case "minItems":
            return "an empty list, where one is needed"
        case "pattern" | "format":
            return f"{_short(value)} is not {described or f'a valid {limit}'}"
    return error.message if len(error.message) <= 300 else error.message[:299] + "…"
