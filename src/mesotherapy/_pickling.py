"""Pickling that keeps every instant exact, the repeated hour of a DST change included.

pendulum pickles a `DateTime` as its wall-clock fields and zone, without ``fold``: the
second 01:30 of a night when the clocks go back comes back as the first one, an hour
earlier (a stdlib ``datetime`` loses ``fold`` too under pickle protocols 2 and 3). And
two times in one zone compare equal on their wall clock alone, so ``==`` does not see it.

`exact_pickling` decorates the attrs classes that hold dates and times: the state that
attrs hands to `pickle` and `copy` carries each of them as its type, fields, zone and
fold, from which the same instant is rebuilt. Nothing else about the class changes: its
``__init__``, ``__eq__`` and ``__hash__`` are attrs' own, so building an object costs
what it did.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

import attrs

__all__ = ["exact_pickling"]

_C = TypeVar("_C", bound=type)

_State = dict[str, Any]
_Fields = tuple[int, int, int, int, int, int, int]
"""Year, month, day, hour, minute, second, microsecond."""


class _Instant:
    """A date and time on its way through `pickle` or `copy`: rebuilt with its fold."""

    __slots__ = ("value",)

    def __init__(self, value: dt.datetime) -> None:
        self.value = value

    def __reduce__(self) -> tuple[Any, ...]:
        v = self.value
        fields: _Fields = (v.year, v.month, v.day, v.hour, v.minute, v.second, v.microsecond)
        return (_rebuild, (type(v), fields, v.tzinfo, v.fold))


def _rebuild(cls: type, fields: _Fields, tzinfo: dt.tzinfo | None, fold: int) -> Any:
    """The date and time of `_Instant.__reduce__`, of its own class (pendulum's, mostly)."""
    if not issubclass(cls, dt.datetime):
        msg = f"expected a datetime class, got {cls!r}"
        raise TypeError(msg)
    return cls(*fields, tzinfo=tzinfo, fold=fold)


def _wrap(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return _Instant(value)
    if type(value) is tuple and any(isinstance(item, dt.datetime | tuple) for item in value):
        return tuple(_wrap(item) for item in value)
    return value


def _unwrap(value: Any) -> Any:
    """A value of the state as it was: `copy.copy` hands the state back unpickled."""
    if isinstance(value, _Instant):
        return value.value
    if type(value) is tuple and any(isinstance(item, _Instant | tuple) for item in value):
        return tuple(_unwrap(item) for item in value)
    return value


def exact_pickling(cls: _C) -> _C:
    """Make *cls* (a slotted attrs class) pickle and copy its dates and times exactly.

    Put it above the attrs decorator, so that it wraps the ``__getstate__`` and
    ``__setstate__`` that attrs generated.

    >>> import pickle, pendulum, mesotherapy as meso
    >>> second = pendulum.datetime(2026, 11, 1, 1, 30, tz="America/Toronto", fold=1)
    >>> event = meso.ClientEvent(name="Gala", start=second, end=second.add(hours=2),
    ...                          activities=["makeup"])
    >>> pickle.loads(pickle.dumps(event)).start.isoformat()  # the second 01:30
    '2026-11-01T01:30:00-05:00'
    >>> pickle.loads(pickle.dumps(second)).isoformat()  # pendulum alone: the first one
    '2026-11-01T01:30:00-04:00'

    Raises:
        TypeError: *cls* is no attrs class with the state methods of slotted classes.
    """
    getstate: Callable[[Any], _State] | None = cls.__dict__.get("__getstate__")
    setstate: Callable[[Any, Any], None] | None = cls.__dict__.get("__setstate__")
    slotted = attrs.has(cls)
    if not slotted or getstate is None or setstate is None:
        msg = f"exact_pickling: expected a slotted attrs class, got {cls.__qualname__}"
        raise TypeError(msg)

    def __getstate__(self: Any) -> _State:  # noqa: N807 - the pickle protocol's name
        return {name: _wrap(value) for name, value in getstate(self).items()}

    def __setstate__(self: Any, state: Any) -> None:  # noqa: N807 - the pickle protocol's name
        if isinstance(state, dict):  # attrs' own state; older attrs pickled a tuple
            state = {name: _unwrap(value) for name, value in state.items()}
        setstate(self, state)

    for method in (__getstate__, __setstate__):
        method.__qualname__ = f"{cls.__qualname__}.{method.__name__}"
        method.__module__ = cls.__module__
        setattr(cls, method.__name__, method)
    return cls
