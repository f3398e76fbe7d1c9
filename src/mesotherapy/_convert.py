"""The cattrs converter shared by the loaders and the JSON of the library's objects."""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Iterator
from typing import Any

import cattrs
import pendulum
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
)

from ._errors import MesotherapyError, key_path
from ._model import _Code
from ._time import Span, parse_date

__all__ = ["converter", "problems"]


class _InvalidValueError(ValueError):
    """A scalar of the wrong type or form, with the value and what was expected."""


def _strict(kind: type, expected: str) -> Callable[[Any, type], Any]:
    def structure(value: Any, _: type) -> Any:
        # TOML and JSON give exact types; a bool is not a number and a number is not text.
        if type(value) is not kind:
            # Text fields hold identifiers: a wrong value is named by its type, never shown.
            shown = f"a {type(value).__name__}" if kind is str else repr(value)
            raise _InvalidValueError(f"expected {expected}, got {shown}")
        return value

    return structure


def _enum(value: Any, cls: type[enum.Enum]) -> Any:
    if isinstance(value, cls):
        return value
    if issubclass(cls, _Code):
        return cls.parse(value, field="value")
    try:
        return cls(value)
    except ValueError:
        choices = ", ".join(str(member.value) for member in cls)
        raise _InvalidValueError(f"expected one of {choices}, got {value!r}") from None


def _span(value: Any, _: type) -> Span:
    return Span.parse(value)


def _date(value: Any, _: type) -> pendulum.Date:
    return parse_date(value, field="value")


@functools.cache
def converter() -> cattrs.Converter:
    """The converter: strict scalars, every key known, spans and dates as ISO 8601 text."""
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    conv.register_structure_hook(int, _strict(int, "a whole number"))
    conv.register_structure_hook(str, _strict(str, "text"))
    conv.register_structure_hook(bool, _strict(bool, "true or false"))
    # Class hooks dispatch by the MRO, where `str` comes before `Enum` in a StrEnum's:
    # StrEnum itself must be named, or the text hook would catch every StrEnum.
    conv.register_structure_hook(enum.StrEnum, _enum)
    conv.register_structure_hook(enum.Enum, _enum)
    conv.register_structure_hook(Span, _span)
    conv.register_unstructure_hook(Span, str)
    conv.register_structure_hook(pendulum.Date, _date)
    conv.register_unstructure_hook(pendulum.Date, lambda d: d.isoformat())
    # Sets become sorted lists: TOML and JSON have no sets, and sorting makes output stable.
    conv.register_unstructure_hook_func(
        lambda t: t is frozenset or getattr(t, "__origin__", None) is frozenset,
        lambda s: sorted(conv.unstructure(v) for v in s),
    )
    return conv


def problems(error: BaseException, path: str = "") -> Iterator[str]:
    """Each problem inside a cattrs error as ``"key.path: what is wrong"``."""
    if isinstance(error, IterableValidationError | ClassValidationError):
        with_notes, without = error.group_exceptions()
        for inner, note in with_notes:
            name = note.name if isinstance(note, AttributeValidationNote) else note.index
            yield from problems(inner, key_path(path, name))
        for inner in without:
            yield from problems(inner, path)
    elif isinstance(error, ForbiddenExtraKeysError):
        known = ", ".join(sorted(_field_names(error.cl)))
        for key in sorted(error.extra_fields):
            yield f"{key_path(path, key)}: unknown key, expected one of {known}"
    elif isinstance(error, KeyError):
        yield f"{path or 'the document'}: missing, expected a value"
    elif isinstance(error, AttributeError | TypeError) and not isinstance(error, MesotherapyError):
        yield f"{path or 'the document'}: expected a table (a mapping), got another type"
    else:
        where: str | None = getattr(error, "key", None)
        yield f"{key_path(path, where) if where else path or 'the document'}: {error}"


def _field_names(cls: type) -> list[str]:
    import attrs  # noqa: PLC0415 - only on the error path

    return [field.name for field in attrs.fields(cls)] if attrs.has(cls) else []
