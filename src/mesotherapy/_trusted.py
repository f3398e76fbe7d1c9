"""Building the library's own documents (the shipped rules) without cattrs.

A document the library ships is checked by its tests (every key known, every scalar of
its exact type, the cross-table checks) through the full reader, `rules_from_dict`; read
again at run time it needs no second check, only its objects. This builds them from the
parsed tables, field by field, by the classes' own annotations: the classes' own
converters and validators still run, and the result equals the full reader's (a test
compares them on the shipped file). cattrs, which compiles a structuring function per
class the first time, is then imported only for a document that is not the library's own.

>>> from mesotherapy._rules import Bounds
>>> structure({"min": 1, "max": 4, "default": 2, "source": "s"}, Bounds)
Bounds(min=1, max=4, default=2, source='s')
"""

from __future__ import annotations

import enum
import functools
import types
import typing
from collections.abc import Mapping
from typing import Any

import attrs
import pendulum

from ._model import _Code
from ._time import Span, parse_date

__all__ = ["structure"]


@functools.cache
def _fields(cls: type) -> tuple[tuple[str, str, Any], ...]:
    """Each field of the attrs class *cls* as (key in the document, keyword, its type)."""
    hints = typing.get_type_hints(cls)
    return tuple((field.name, field.alias, hints[field.name]) for field in attrs.fields(cls))


def structure(value: Any, kind: Any) -> Any:  # noqa: PLR0911 - one return a kind of type
    """*value*, a parsed table or scalar of a trusted document, as the type *kind*.

    Structured as the library's cattrs converter does for a valid document: a missing key
    takes the field's default; spans and dates are read from their ISO 8601 text; a code
    is read by its vocabulary's parser.
    """
    origin = typing.get_origin(kind)
    if origin is types.UnionType or origin is typing.Union:
        if value is None:
            return None
        (inner,) = (arg for arg in typing.get_args(kind) if arg is not type(None))
        return structure(value, inner)
    if origin is not None:
        args = typing.get_args(kind)
        if origin is Mapping or origin is dict:
            key, item = args
            return {structure(k, key): structure(v, item) for k, v in value.items()}
        if origin is frozenset:
            return frozenset(structure(v, args[0]) for v in value)
        if origin is tuple and args[-1] is Ellipsis:
            return tuple(structure(v, args[0]) for v in value)
        msg = f"no trusted structuring for {kind!r}"  # pragma: no cover - a new field's type
        raise TypeError(msg)  # pragma: no cover
    if kind is Span:  # an attrs class, written as text
        return Span.parse(value)
    if attrs.has(kind):
        return kind(
            **{
                alias: structure(value[name], hint)
                for name, alias, hint in _fields(kind)
                if name in value
            }
        )
    if kind is pendulum.Date:
        return parse_date(value, field="value")
    if isinstance(kind, type) and issubclass(kind, _Code):
        return kind.parse(value, field="value")
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind(value)
    return value
