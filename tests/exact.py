"""Exact comparison of library values, down to the fold of every date and time inside.

Two pendulum `DateTime` values in the same zone compare equal on their wall-clock fields
alone: 01:30 of the repeated autumn hour is ``==`` to 01:30 an hour earlier. A round trip
that loses ``fold`` (pickling does) is caught only by comparing the instants themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

__all__ = ["assert_exactly_equal", "datetimes_in"]


def assert_exactly_equal(got: Any, expected: Any, path: str = "value") -> None:
    """*got* equals *expected*, of the same type all the way down, each instant the same.

    Every date and time inside is compared on its type, zone, ``fold``, UTC offset and
    instant; attrs objects field by field (the fields of their value: those that take
    part in ``==``), sequences item by item, mappings key by key,
    exceptions on their type, arguments and attributes.
    """
    assert type(got) is type(expected), f"{path}: {type(got)} is not {type(expected)}"
    if isinstance(expected, dt.datetime):
        _same_instant(got, expected, path)
    elif attrs.has(type(expected)):
        for field in attrs.fields(type(expected)):
            if not field.eq:
                continue  # not part of the value (a memo, say)
            name = field.name
            assert_exactly_equal(getattr(got, name), getattr(expected, name), f"{path}.{name}")
    elif isinstance(expected, tuple | list):
        assert len(got) == len(expected), f"{path}: {len(got)} items, expected {len(expected)}"
        for index, (one, other) in enumerate(zip(got, expected, strict=True)):
            assert_exactly_equal(one, other, f"{path}[{index}]")
    elif isinstance(expected, Mapping):
        assert list(got) == list(expected), f"{path}: keys {list(got)}, expected {list(expected)}"
        for key, value in expected.items():
            assert_exactly_equal(got[key], value, f"{path}[{key!r}]")
    elif isinstance(expected, BaseException):
        assert got.args == expected.args, f"{path}: args {got.args}, expected {expected.args}"
        assert str(got) == str(expected), f"{path}: {got}, expected {expected}"
        assert_exactly_equal(vars(got), vars(expected), f"{path}.__dict__")
    else:
        assert got == expected, f"{path}: {got!r}, expected {expected!r}"
    if not isinstance(expected, BaseException):
        assert got == expected, f"{path}: {got!r} != {expected!r}"


def _same_instant(got: dt.datetime, expected: dt.datetime, path: str) -> None:
    assert got.tzinfo == expected.tzinfo, (
        f"{path}: zone {got.tzinfo!r}, expected {expected.tzinfo!r}"
    )
    assert got.fold == expected.fold, (
        f"{path}: fold {got.fold}, expected {expected.fold} ({got} for {expected})"
    )
    assert got.utcoffset() == expected.utcoffset(), (
        f"{path}: offset {got.utcoffset()}, expected {expected.utcoffset()}"
    )
    assert got.timestamp() == expected.timestamp(), (
        f"{path}: {got.isoformat()} is not the instant {expected.isoformat()}"
    )
    assert got.isoformat() == expected.isoformat(), f"{path}: {got.isoformat()}"


def datetimes_in(value: Any) -> Iterator[dt.datetime]:
    """Every date and time inside *value*, through attrs fields, sequences and mappings."""
    if isinstance(value, dt.datetime):
        yield value
    elif attrs.has(type(value)):
        for field in attrs.fields(type(value)):
            if field.eq:
                yield from datetimes_in(getattr(value, field.name))
    elif isinstance(value, tuple | list | frozenset | set):
        for item in value:
            yield from datetimes_in(item)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from datetimes_in(item)
