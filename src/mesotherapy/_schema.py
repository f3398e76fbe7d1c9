"""The JSON Schemas (draft 2020-12) of the documents, shipped with the package."""

from __future__ import annotations

import functools
import importlib.resources
import json
from typing import Any, Final

from ._errors import UnknownCodeError

__all__ = ["SCHEMA_NAMES", "json_schema", "schema_text"]

SCHEMA_NAMES: Final = ("assessment", "client", "plan")
"""The documents that have a schema, as `json_schema` and ``mesotherapy schema`` name them."""


def json_schema(name: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the document *name*.

    *name* is ``client``, ``assessment`` or ``plan``. Other programs and languages validate the library's documents with them, or generate
    their types from them. Every instant is typed as an ISO 8601 date and time with its UTC
    offset (``format: date-time`` and a ``pattern`` that requires the offset), every date
    as ``format: date``; the codes the library fixes (areas, statuses, severities, kinds)
    are enums. Each call returns a new dict, which the caller may change.

    >>> import mesotherapy as meso
    >>> schema = meso.json_schema("plan")
    >>> schema["$id"], schema["$schema"]
    ('urn:mesotherapy:schema:plan', 'https://json-schema.org/draft/2020-12/schema')
    >>> schema["$defs"]["session"]["properties"]["status"]["enum"]
    ['planned', 'completed', 'cancelled', 'no_show']
    >>> meso.json_schema("assesment")
    Traceback (most recent call last):
    ...
    mesotherapy._errors.UnknownCodeError: name: unknown schema 'assesment', expected one of assessment, client, plan; nearest: 'assessment'

    Raises:
        UnknownCodeError: *name* is none of the schemas; the message names the choices.
    """  # noqa: E501
    loaded: dict[str, Any] = json.loads(schema_text(name))
    return loaded


def schema_text(name: object) -> str:
    """The text of the schema *name*, as shipped (what ``mesotherapy schema NAME`` prints).

    Raises:
        UnknownCodeError: *name* is none of the schemas.
    """
    if not isinstance(name, str) or name not in SCHEMA_NAMES:
        from ._model import nearest_code  # noqa: PLC0415 - only on the error path

        near = nearest_code(name, SCHEMA_NAMES) if isinstance(name, str) else ""
        msg = f"name: unknown schema {name!r}, expected one of {', '.join(SCHEMA_NAMES)}{near}"
        raise UnknownCodeError(msg)
    return _read(name)


@functools.cache
def _read(name: str) -> str:
    resource = importlib.resources.files("mesotherapy").joinpath("schemas", f"{name}.schema.json")
    return resource.read_text("utf-8")
