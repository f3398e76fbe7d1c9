"""What a diary's fields must be, and its practitioners' hours within the clinic's."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Final

from ._clinic import Clinic
from ._clinic_values import Interval
from ._resources import Booking, Busy, Practitioner, Room, _expected

if TYPE_CHECKING:
    from ._diary import Diary

__all__ = ["MAX_BUFFER", "hours_problems", "shape_problems", "within"]

MAX_BUFFER: Final = 24 * 60
"""The longest buffer between two claims of one resource, in minutes: a day."""


def within(inner: Interval, outer: Interval) -> bool:
    """Whether *inner* lies wholly within *outer*, the minutes of one day.

    >>> within(Interval(start="10:00", end="12:00"), Interval(start="09:00", end="17:00"))
    True
    >>> within(Interval(start="08:30", end="10:00"), Interval(start="09:00", end="17:00"))
    False
    """
    return outer.start_minute <= inner.start_minute and inner.end_minute <= outer.end_minute


def shape_problems(diary: Diary) -> Iterator[str]:
    """Each field of *diary* that is not of its type, named with what was expected."""
    clinic: object = diary.clinic  # callers without a type checker pass anything
    if not isinstance(clinic, Clinic):
        yield _expected("clinic", clinic, "a Clinic")
    buffer: object = diary.buffer_minutes
    if isinstance(buffer, bool) or not isinstance(buffer, int) or not 0 <= buffer <= MAX_BUFFER:
        yield _expected(
            "buffer_minutes", buffer, f"a whole number of minutes from 0 to {MAX_BUFFER}"
        )
    fields: tuple[tuple[str, type, object], ...] = (
        ("practitioners", Practitioner, diary.practitioners),
        ("rooms", Room, diary.rooms),
        ("busy", Busy, diary.busy),
        ("bookings", Booking, diary.bookings),
    )
    for kind, cls, values in fields:
        if not isinstance(values, tuple):
            yield _expected(kind, values, f"a list of {cls.__name__}")
            continue
        for n, value in enumerate(values):
            if not isinstance(value, cls):
                yield _expected(f"{kind}[{n}]", value, f"a {cls.__name__}")


def hours_problems(clinic: Clinic, practitioner: Practitioner) -> Iterator[str]:
    """Each of *practitioner*'s own hours that lies outside *clinic*'s hours of that day."""
    for day, intervals in practitioner.hours:
        opening = clinic.hours.weekday(day)
        for n, own in enumerate(intervals):
            if not any(within(own, hours) for hours in opening):
                open_ = ", ".join(str(c) for c in opening) or "closed"
                yield (
                    f"practitioners.{practitioner.id}.hours.{day}[{n}]: {own} lies outside "
                    f"the clinic's hours ({open_}), expected within them"
                )
