"""Spans of time as the rules write them, and the parsing of dates at the boundary."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import attrs
import pendulum

from ._errors import InvalidTimeError

__all__ = ["Span", "aware", "parse_date"]

_SPAN = re.compile(
    r"^P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?)?$"
)
_UNITS = ("years", "months", "weeks", "days", "hours", "minutes")
# A fixed reference instant, so that spans of mixed units compare the same way every time.
_REFERENCE = pendulum.datetime(2001, 1, 1, tz="UTC")


def _non_negative(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if type(value) is not int or value < 0:
        msg = f"{attribute.name}: expected a whole number of 0 or more, got {value!r}"
        raise ValueError(msg)


@attrs.frozen(order=False)
class Span:
    """A length of time in the units a clinic speaks of, as an ISO 8601 duration.

    A span is applied in one of two ways, chosen by the rule that uses it: *calendar*
    (``P6M`` after 31 August is 28 February, the month end clamped) or *elapsed*
    (``PT24H`` is 24 real hours, whatever the clocks do).

    >>> Span.parse("P6M").after(pendulum.date(2026, 9, 1))
    Date(2027, 3, 1)
    >>> str(Span(hours=24)), Span.parse("P2W") == Span(weeks=2)
    ('PT24H', True)
    """

    years: int = attrs.field(default=0, validator=_non_negative, kw_only=True)
    months: int = attrs.field(default=0, validator=_non_negative, kw_only=True)
    weeks: int = attrs.field(default=0, validator=_non_negative, kw_only=True)
    days: int = attrs.field(default=0, validator=_non_negative, kw_only=True)
    hours: int = attrs.field(default=0, validator=_non_negative, kw_only=True)
    minutes: int = attrs.field(default=0, validator=_non_negative, kw_only=True)

    @classmethod
    def parse(cls, text: Any) -> Span:
        """Read an ISO 8601 duration such as ``PT24H``, ``P2W`` or ``P6M``.

        Raises:
            InvalidTimeError: *text* is not such a duration.
        """
        match = _SPAN.match(text) if isinstance(text, str) else None
        if match is None:
            msg = f"expected an ISO 8601 duration such as 'PT24H', 'P2W' or 'P6M', got {text!r}"
            raise InvalidTimeError(msg)
        return cls(**{unit: int(value) for unit, value in match.groupdict().items() if value})

    def __str__(self) -> str:
        date = "".join(
            f"{value}{letter}"
            for value, letter in zip(
                (self.years, self.months, self.weeks, self.days), "YMWD", strict=True
            )
            if value
        )
        time = "".join(
            f"{value}{letter}"
            for value, letter in ((self.hours, "H"), (self.minutes, "M"))
            if value
        )
        text = "P" + date + ("T" + time if time else "")
        return text if text != "P" else "PT0H"

    @property
    def is_calendar_only(self) -> bool:
        """Whether the span has no hours or minutes, so that it applies to dates."""
        return not (self.hours or self.minutes)

    @property
    def has_calendar_units(self) -> bool:
        """Whether the span has years or months, whose length depends on where it starts."""
        return bool(self.years or self.months)

    def after(self, date: pendulum.Date) -> pendulum.Date:
        """The calendar date this span after *date* (month ends clamped)."""
        return date.add(years=self.years, months=self.months, weeks=self.weeks, days=self.days)

    def before(self, date: pendulum.Date) -> pendulum.Date:
        """The calendar date this span before *date* (month ends clamped)."""
        return date.subtract(years=self.years, months=self.months, weeks=self.weeks, days=self.days)

    def elapsed(self) -> dt.timedelta:
        """The span as elapsed time; weeks and days count as 7 x 24 and 24 real hours.

        Raises:
            InvalidTimeError: the span has years or months, which have no fixed length.
        """
        if self.has_calendar_units:
            msg = f"a span of years or months has no fixed elapsed length, got {self}"
            raise InvalidTimeError(msg)
        return dt.timedelta(
            weeks=self.weeks, days=self.days, hours=self.hours, minutes=self.minutes
        )

    def sort_key(self) -> pendulum.DateTime:
        """A key that orders spans by their length from a fixed reference instant."""
        return _REFERENCE.add(**{unit: getattr(self, unit) for unit in _UNITS})

    def __lt__(self, other: Span) -> bool:
        return self.sort_key() < other.sort_key()

    def __le__(self, other: Span) -> bool:
        return self.sort_key() <= other.sort_key()


def parse_date(value: Any, *, field: str) -> pendulum.Date:
    """Read a calendar date from ``YYYY-MM-DD`` text or a date object.

    >>> parse_date("2026-09-01", field="last_taken")
    Date(2026, 9, 1)

    Raises:
        InvalidTimeError: naming *field*, when *value* is not a date.
    """
    if isinstance(value, dt.datetime):
        msg = f"{field}: expected a date (YYYY-MM-DD), got a date and time {value.isoformat()!r}"
        raise InvalidTimeError(msg)
    if isinstance(value, dt.date):
        return pendulum.date(value.year, value.month, value.day)
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            parsed = dt.date.fromisoformat(value)
        except ValueError:
            pass
        else:
            return pendulum.date(parsed.year, parsed.month, parsed.day)
    msg = f"{field}: expected a date as YYYY-MM-DD, got {value!r}"
    raise InvalidTimeError(msg)


def aware(value: Any, *, field: str) -> pendulum.DateTime:
    """*value* as a pendulum instant, refusing anything but an aware datetime.

    Raises:
        InvalidTimeError: naming *field*, when *value* is naive or no datetime.
    """
    if not isinstance(value, dt.datetime):
        msg = f"{field}: expected a time-zone-aware date and time, got {value!r}"
        raise InvalidTimeError(msg)
    if value.tzinfo is None or value.utcoffset() is None:
        msg = f"{field}: expected a time-zone-aware date and time, got {value.isoformat()}"
        raise InvalidTimeError(msg)
    if isinstance(value, pendulum.DateTime):
        return value
    # pendulum.instance() misplaces a stdlib time in a DST gap: go through UTC, where the
    # stdlib's own arithmetic (fold included) is exact, and back into the named zone.
    instant = pendulum.instance(value.astimezone(dt.UTC))
    key = getattr(value.tzinfo, "key", None)
    return instant.in_timezone(key) if isinstance(key, str) else pendulum.instance(value)
