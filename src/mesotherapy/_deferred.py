"""Derived views built on first read: a tuple worked out already, made into objects later."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

__all__ = ["Deferred", "deferred_fields", "unbuilt_rows"]

_T = TypeVar("_T")
_C = TypeVar("_C", bound=type)


class Deferred(Generic[_T]):
    """A tuple of values worked out already, built as objects only when first read.

    A derived view's field holds one (`Aftercare.windows`, `Timeline.milestones`; see
    `deferred_fields`): every instant is computed, and every error raised, when the view
    is made; the pendulum values and frozen objects that carry them are made on first
    read, once. It pickles as the built tuple.

    *rows*, when given, are what *build* makes the values of (plain tuples, worked out
    already): an export that only writes the values out reads them instead, through
    `unbuilt_rows`, while the field is unread.
    """

    __slots__ = ("_build", "_built", "rows")

    def __init__(self, build: Callable[[], tuple[_T, ...]], rows: object = None) -> None:
        """Hold *build*, which makes the tuple, until it is first read; and its *rows*."""
        self._build: Callable[[], tuple[_T, ...]] | None = build
        self._built: tuple[_T, ...] = ()
        self.rows = rows

    def get(self) -> tuple[_T, ...]:
        """The tuple, built on the first call."""
        build = self._build
        if build is not None:
            self._built = build()
            self._build = None
            self.rows = None  # built: the values are read from now on
        return self._built

    def __reduce__(self) -> tuple[type[tuple[_T, ...]], tuple[tuple[_T, ...]]]:
        return tuple, (self.get(),)


def deferred_fields(*names: str) -> Callable[[_C], _C]:
    """A slotted attrs class whose fields *names* may hold a `Deferred` tuple.

    Each such field reads as its tuple, built on the first read and kept: for equality,
    hashing, repr, pickling, `attrs.asdict` and every caller the field holds the tuple,
    as if it had been given built.
    """

    def wrap(cls: _C) -> _C:
        for name in names:
            slot = cls.__dict__[name]  # the member descriptor of the slot

            def read(self: object, slot: Any = slot) -> Any:
                value = slot.__get__(self)
                if type(value) is Deferred:
                    value = value.get()
                    slot.__set__(self, value)  # the same value, built once
                return value

            def write(self: object, value: object, slot: Any = slot) -> None:
                slot.__set__(self, value)  # attrs' __init__ and unpickling set it

            setattr(cls, name, property(read, write, doc=slot.__doc__))
            _SLOTS[cls, name] = slot
        return cls

    return wrap


_SLOTS: dict[tuple[type, str], Any] = {}
"""The member descriptor of each deferred field, by its class and name."""


def unbuilt_rows(obj: object, name: str) -> object:
    """The rows *obj*'s deferred field *name* would build its values of, or ``None``.

    ``None`` once the field was read (its values are built then: read them), or when it
    was given built, or holds no rows. Reading the rows builds nothing.
    """
    slot = _SLOTS.get((type(obj), name))
    if slot is None:
        return None
    value = slot.__get__(obj)
    if type(value) is not Deferred or value._build is None:  # noqa: SLF001 - its own module
        return None
    return value.rows
