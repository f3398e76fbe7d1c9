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
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import pendulum

from ._model import _Code
from ._time import Span, parse_date

__all__ = ["structure"]


def structure(value: Any, kind: Any) -> Any:
    """*value*, a parsed table or scalar of a trusted document, as the type *kind*.

    Structured as the library's cattrs converter does for a valid document: a missing key
    takes the field's default; spans and dates are read from their ISO 8601 text; a code
    is read by its vocabulary's parser.
    """
    return _structurer(kind)(value)


@functools.cache
def _structurer(kind: Any) -> Callable[[Any], Any]:  # noqa: PLR0911 - one return a kind
    """The function that structures a value as *kind*, made once for each type."""
    origin = typing.get_origin(kind)
    if origin is types.UnionType or origin is typing.Union:
        (inner,) = (_structurer(arg) for arg in typing.get_args(kind) if arg is not type(None))
        return lambda value: None if value is None else inner(value)
    if origin is not None:
        return _generic(origin, typing.get_args(kind))
    if kind is Span:  # an attrs class, written as text
        return Span.parse
    if attrs.has(kind):
        return _attrs_class(kind)
    if kind is pendulum.Date:
        return functools.partial(parse_date, field="value")
    if isinstance(kind, type) and issubclass(kind, _Code):
        return functools.partial(kind.parse, field="value")
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind
    return _same


def _same(value: Any) -> Any:
    return value


def _generic(origin: Any, args: tuple[Any, ...]) -> Callable[[Any], Any]:
    if origin is Mapping or origin is dict:
        key, item = _structurer(args[0]), _structurer(args[1])
        return lambda value: {key(k): item(v) for k, v in value.items()}
    if origin is frozenset:
        member = _structurer(args[0])
        return lambda value: frozenset(map(member, value))
    if origin is tuple and args[-1] is Ellipsis:
        member = _structurer(args[0])
        return lambda value: tuple(map(member, value))
    msg = f"no trusted structuring for {origin!r}{list(args)!r}"  # pragma: no cover - new type
    raise TypeError(msg)  # pragma: no cover


def _attrs_class(cls: type) -> Callable[[Any], Any]:
    hints = typing.get_type_hints(cls)
    fields = [
        (field.name, field.alias, _structurer(hints[field.name])) for field in attrs.fields(cls)
    ]

    def build(value: Any) -> Any:
        return cls(**{alias: make(value[name]) for name, alias, make in fields if name in value})

    return build
