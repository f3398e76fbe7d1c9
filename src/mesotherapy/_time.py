"""Spans of time as the rules write them, and the parsing of dates at the boundary."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable
from typing import Any, Final, ParamSpec, TypeAlias, TypeVar

import attrs
import pendulum

from ._errors import InvalidTimeError, MesotherapyError, named

__all__ = [
    "Fold",
    "Gap",
    "LocalTime",
    "Span",
    "Unambiguous",
    "as_pendulum",
    "aware",
    "elapsed_after",
    "elapsed_after_each",
    "in_zone",
    "local_instant",
    "off_calendar",
    "parse_date",
    "plain_utc",
    "shift_date",
    "stdlib_instant",
    "wall_before",
    "within_calendar",
]

_P = ParamSpec("_P")
_R = TypeVar("_R")

_SPAN = re.compile(
    r"^P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?)?$"
)
_UNITS = ("years", "months", "weeks", "days", "hours", "minutes")
# A fixed reference instant, so that spans of mixed units compare the same way every time.
_REFERENCE = pendulum.datetime(2001, 1, 1, tz="UTC")


# The longest span of each unit: a thousand years. No clinic speaks of longer, and it keeps
# every span's sort key, taken from 2001, within the calendar's last year (9999).
_MOST: Final = {
    "years": 1000,
    "months": 12_000,
    "weeks": 52_200,
    "days": 365_250,
    "hours": 8_766_000,
    "minutes": 525_960_000,
}


def _non_negative(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    most = _MOST[attribute.name]
    if type(value) is not int or not 0 <= value <= most:
        msg = f"{attribute.name}: expected a whole number from 0 to {most:,}, got {value!r}"
        raise InvalidTimeError(msg)


@attrs.frozen(order=False)
class Span:
    """A length of time in the units a clinic speaks of, as an ISO 8601 duration.

    A span is applied in one of three ways, chosen by the rule that uses it: *calendar*
    (`after`: ``P6M`` after 31 August is 28 February, the month end clamped, as pendulum
    clamps it; for advice such as a maintenance window), *not before* (`lifts_after`:
    the first day on which the whole span has passed, 1 March; for a safety wait, which
    never ends early) or *elapsed* (``PT24H`` is 24 real hours, whatever the clocks do).

    >>> Span.parse("P6M").after(pendulum.date(2026, 9, 1))
    Date(2027, 3, 1)
    >>> Span.parse("P6M").after("2026-08-31"), Span.parse("P6M").lifts_after("2026-08-31")
    (Date(2027, 2, 28), Date(2027, 3, 1))
    >>> str(Span(hours=24)), Span.parse("P2W") == Span(weeks=2)
    ('PT24H', True)

    Each unit holds a whole number from 0 up to a thousand years' worth (``years`` to
    1,000, ``days`` to 365,250); a larger one is refused with `InvalidTimeError`.
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

    def after(self, date: dt.date | str) -> pendulum.Date:
        """The calendar date this span after *date* (month ends clamped backwards).

        *date* is a date or ``YYYY-MM-DD`` text. ``P1M`` after 31 January is 28 (or 29)
        February, as pendulum's ``add(months=1)`` gives it: right for advice, such as a
        maintenance window, and never for a safety wait (see `lifts_after`).

        Raises:
            InvalidTimeError: *date* is no date, or the result falls after the
                calendar's last day (9999-12-31).
        """
        date = _date_arg(date)
        try:
            return shift_date(date, self.years * 12 + self.months, self.weeks * 7 + self.days)
        except (OverflowError, ValueError) as error:
            raise off_calendar(f"{self} after {date}") from error

    def lifts_after(self, date: dt.date | str) -> pendulum.Date:
        """The first date on which this whole span has passed since *date*.

        The reading of a safety wait, which never ends early: months and years move to
        the same day of the month, and where that day does not exist (31 September,
        29 February in a common year), to the first of the next month; weeks and days
        are then added. It is never before `after`, and later only by the days a month
        end lacks.

        >>> Span(months=6).lifts_after(pendulum.date(2026, 8, 31))
        Date(2027, 3, 1)
        >>> Span(years=18).lifts_after("2008-02-29")  # an 18th birthday in a common year
        Date(2026, 3, 1)

        Raises:
            InvalidTimeError: *date* is no date (``YYYY-MM-DD`` text is one), or the
                result falls after the calendar's last day (9999-12-31).
        """
        date = _date_arg(date)
        try:
            return shift_date(
                date, self.years * 12 + self.months, self.weeks * 7 + self.days, forward=True
            )
        except (OverflowError, ValueError) as error:
            raise off_calendar(f"{self} after {date}") from error

    def before(self, date: dt.date | str) -> pendulum.Date:
        """The calendar date this span before *date* (month ends clamped).

        Raises:
            InvalidTimeError: *date* is no date (``YYYY-MM-DD`` text is one), or the
                result falls before the calendar's first day (0001-01-01).
        """
        date = _date_arg(date)
        try:
            return shift_date(date, -(self.years * 12 + self.months), -(self.weeks * 7 + self.days))
        except (OverflowError, ValueError) as error:
            raise off_calendar(f"{self} before {date}") from error

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


def _date_arg(value: object) -> pendulum.Date:
    """*value*, a date argument of a span, as a pendulum date (`parse_date` reads others)."""
    if type(value) is pendulum.Date:
        return value
    return parse_date(value, field="date")


def shift_date(
    date: pendulum.Date, months: int, days: int, *, forward: bool = False
) -> pendulum.Date:
    """*date* moved by *months* (the day clamped to the month's end), then by *days*.

    What pendulum's `Date.add` and `subtract` do, in the C date arithmetic, at a fifth of
    the cost; the result keeps the type of *date*. With *forward*, a day beyond the
    month's end moves to the first of the next month instead (`Span.lifts_after`).
    """
    if months:
        year, month = divmod(date.month - 1 + months, 12)
        year, month = date.year + year, month + 1
        # The month's length, as `calendar.monthrange` gives it, without its weekday.
        last = 29 if month == 2 and calendar.isleap(year) else _MONTH_DAYS[month]
        if forward and date.day > last:
            moved = date.replace(year=year, month=month, day=last)
            date = dt.date.__add__(moved, _ONE_DAY)
        else:
            date = date.replace(year=year, month=month, day=min(date.day, last))
    return dt.date.__add__(date, dt.timedelta(days=days)) if days else date


_ONE_DAY: Final = dt.timedelta(days=1)
_MONTH_DAYS: Final = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def off_calendar(what: str) -> InvalidTimeError:
    """The refusal of a date that *what* puts beyond the calendar's ends (years 1 to 9999)."""
    return InvalidTimeError(
        f"{what}: falls outside the calendar, expected dates from 0001-01-01 to 9999-12-31"
    )


def within_calendar(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """*func*, with a date it computes beyond the calendar's ends refused as the library's.

    The standard library counts years from 1 to 9999 and raises `OverflowError` or
    `ValueError` past them: a plan started in December 9999 has no second session. The
    public functions that compute dates wear this, and refuse such input with an
    `InvalidTimeError` naming the function.

    >>> @within_calendar
    ... def next_year(day):
    ...     return day.replace(year=day.year + 1)
    >>> next_year(dt.date(9999, 1, 1))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mesotherapy._errors.InvalidTimeError: next_year: falls outside the calendar, ...
    """
    name = func.__qualname__

    @functools.wraps(func)
    def checked(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return func(*args, **kwargs)
        except OverflowError as error:
            raise off_calendar(name) from error
        except ValueError as error:
            if isinstance(error, MesotherapyError) or not _YEAR_OUT.match(str(error)):
                raise
            raise off_calendar(name) from error

    return checked


# What the standard library says of a year beyond 1 to 9999 (`date.replace`, `date()`).
_YEAR_OUT: Final = re.compile(r"^year -?\d+ is out of range")


def parse_date(value: Any, *, field: str) -> pendulum.Date:
    """Read a calendar date from ``YYYY-MM-DD`` text or a date object.

    >>> parse_date("2026-09-01", field="last_taken")
    Date(2026, 9, 1)

    Raises:
        InvalidTimeError: naming *field*, when *value* is not a date.
    """
    where = named(field)
    if isinstance(value, dt.datetime):
        msg = f"{where}expected a date (YYYY-MM-DD), got a date and time {value.isoformat()!r}"
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
    msg = f"{where}expected a date as YYYY-MM-DD, got {value!r}"
    raise InvalidTimeError(msg)


def aware(value: Any, *, field: str) -> pendulum.DateTime:
    """*value* as a pendulum instant, refusing anything but an aware datetime that exists.

    The one gate for instants at every entry point. A stdlib `datetime` or a pendulum
    `DateTime` (however it was built) whose wall time the clocks skip in its own zone (a
    DST gap) is refused, whatever its ``fold``, rather than moved to some instant near it.
    A wall time of the repeated autumn hour is an instant: its ``fold`` says which.

    >>> import zoneinfo
    >>> toronto = zoneinfo.ZoneInfo("America/Toronto")
    >>> aware(dt.datetime(2026, 11, 1, 1, 30, tzinfo=toronto, fold=1), field="at").isoformat()
    '2026-11-01T01:30:00-05:00'
    >>> aware(dt.datetime(2026, 3, 8, 2, 30, tzinfo=toronto), field="at")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mesotherapy._errors.InvalidTimeError: at: 2026-03-08T02:30:00 does not exist in America/...

    Raises:
        InvalidTimeError: naming *field*, when *value* is naive, no datetime, or a wall
            time that does not exist in its zone (the message names the value and zone).
    """
    if not isinstance(value, dt.datetime):
        msg = f"{field}: expected a time-zone-aware date and time, got {value!r}"
        raise InvalidTimeError(msg)
    zone = value.tzinfo
    offset = None if zone is None else zone.utcoffset(value)
    if zone is None or offset is None:
        msg = f"{field}: expected a time-zone-aware date and time, got {value.isoformat()}"
        raise InvalidTimeError(msg)
    # The usual case, cheaply: both folds read the same offset, so the wall time happens
    # once (PEP 495 zones give a gap and a repeated hour two offsets).
    other = _stdlib(value, fold=1 - value.fold)
    once = offset == zone.utcoffset(other)
    if once and isinstance(value, pendulum.DateTime):
        return value
    plain = other.replace(fold=value.fold)
    # The round trip through UTC in the stdlib's C arithmetic, which honours fold, gives
    # the wall time back exactly when it exists once or twice, and another one in a gap.
    try:
        utc = plain.astimezone(_UTC)
        back = utc.astimezone(zone)
    except (OverflowError, ValueError) as error:  # within hours of year 1 or 9999
        raise off_calendar(f"{field}: {value.isoformat()}") from error
    if not once and back.replace(tzinfo=None) != plain.replace(tzinfo=None):
        wall = plain.replace(tzinfo=None, fold=0).isoformat()
        msg = (
            f"{field}: {wall} does not exist in {_zone_name(zone, value)}: the clocks jump "
            "forward over it (a DST gap), expected a time outside the gap"
        )
        raise InvalidTimeError(msg)
    if isinstance(value, pendulum.DateTime):
        return value  # its fold decides which pass of a repeated hour it is
    key = getattr(zone, "key", None)
    try:
        if isinstance(key, str):
            return _pendulum(utc.astimezone(pendulum.timezone(key)))
        return pendulum.instance(value)
    except (OverflowError, ValueError) as error:  # within hours of year 1 or 9999
        raise off_calendar(f"{field}: {value.isoformat()}") from error


def _zone_name(zone: dt.tzinfo, value: dt.datetime) -> str:
    key = getattr(zone, "key", None)
    return key if isinstance(key, str) else str(zone.tzname(value) or zone)


# --- Fast exact arithmetic ----------------------------------------------------------------
# pendulum's `add` and `datetime()` cost 7 to 11 us each, in Python; the same instants come
# from the standard library's C arithmetic on zoneinfo (which pendulum's Timezone is) in
# about 2 us. These helpers give exactly what pendulum gives, and the public API still
# hands out pendulum values: `_pendulum` builds one straight from the fields and fold.

_UTC = dt.UTC


def _stdlib(moment: dt.datetime, *, fold: int | None = None) -> dt.datetime:
    """*moment* as a standard-library datetime, whose arithmetic runs in C (or *fold*)."""
    return dt.datetime(
        moment.year,
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second,
        moment.microsecond,
        tzinfo=moment.tzinfo,
        fold=moment.fold if fold is None else fold,
    )


def plain_utc(moment: dt.datetime) -> dt.datetime:
    """*moment* (aware) as a standard-library datetime in UTC, to the microsecond.

    What the exports and DataFrames hold: no pendulum subclass, and `datetime.UTC` itself.

    >>> import pendulum
    >>> plain_utc(pendulum.datetime(2026, 10, 20, 9, tz="America/Toronto")).isoformat()
    '2026-10-20T13:00:00+00:00'
    """
    # The standard library's C conversion, never pendulum's (in Python): a plain datetime
    # converts to a plain datetime in `datetime.UTC` itself.
    utc = (moment if type(moment) is dt.datetime else _stdlib(moment)).astimezone(_UTC)
    return utc.replace(fold=0) if utc.fold else utc


def _pendulum(local: dt.datetime) -> pendulum.DateTime:
    return pendulum.DateTime(
        local.year,
        local.month,
        local.day,
        local.hour,
        local.minute,
        local.second,
        local.microsecond,
        tzinfo=local.tzinfo,
        fold=local.fold,
    )


def stdlib_instant(moment: dt.datetime) -> dt.datetime:
    """*moment* as a standard-library datetime: the same fields, zone and fold.

    Its arithmetic runs in C; `as_pendulum` turns the result back.
    """
    return _stdlib(moment)


def as_pendulum(local: dt.datetime) -> pendulum.DateTime:
    """*local* (aware) as a pendulum `DateTime` of the same fields, zone and fold."""
    return _pendulum(local)


def elapsed_after(moment: pendulum.DateTime, delta: dt.timedelta) -> pendulum.DateTime:
    """The instant *delta* of real time after *moment*, in *moment*'s zone.

    >>> end = pendulum.datetime(2026, 10, 31, 17, tz="America/Toronto")
    >>> elapsed_after(end, dt.timedelta(hours=24)).isoformat()  # the clocks went back
    '2026-11-01T16:00:00-05:00'
    """
    return _pendulum((_stdlib(moment).astimezone(_UTC) + delta).astimezone(moment.tzinfo))


def in_zone(moment: pendulum.DateTime, zone: dt.tzinfo) -> pendulum.DateTime:
    """*moment* as the same instant in *zone* (itself when it is there already)."""
    if moment.tzinfo is zone:
        return moment
    return _pendulum(_stdlib(moment).astimezone(zone))


def elapsed_after_each(
    moment: pendulum.DateTime, deltas: Iterable[dt.timedelta]
) -> list[pendulum.DateTime]:
    """`elapsed_after` for several *deltas* from one *moment*, in order."""
    utc, zone = _stdlib(moment).astimezone(_UTC), moment.tzinfo
    return [_pendulum((utc + delta).astimezone(zone)) for delta in deltas]


@attrs.frozen
class Unambiguous:
    """A local wall time that happens once: its one instant."""

    instant: pendulum.DateTime


@attrs.frozen
class Gap:
    """A local wall time that never happens: the clocks jump forward over it."""


@attrs.frozen
class Fold:
    """A local wall time that happens twice, as the clocks go back: both instants."""

    earlier: pendulum.DateTime
    later: pendulum.DateTime


LocalTime: TypeAlias = Unambiguous | Gap | Fold
"""What a local wall time is in a zone, matched with ``match`` (see `local_instant`)."""


def local_instant(day: dt.date, wall: dt.time, zone: dt.tzinfo) -> LocalTime:
    """What the local *wall* time on *day* is in *zone*: one instant, none or two.

    >>> zone = pendulum.timezone("America/Toronto")
    >>> local_instant(dt.date(2026, 3, 8), dt.time(2, 30), zone)
    Gap()
    >>> match local_instant(dt.date(2026, 11, 1), dt.time(1, 30), zone):
    ...     case Fold(earlier, later):
    ...         earlier.isoformat(), later.isoformat()
    ('2026-11-01T01:30:00-04:00', '2026-11-01T01:30:00-05:00')
    """
    probe = dt.datetime.combine(day, wall, tzinfo=zone)
    first, second = probe.utcoffset(), probe.replace(fold=1).utcoffset()
    if first == second:
        return Unambiguous(_pendulum(probe))
    # PEP 495: in a gap, fold=0 reads the offset from before the change, the smaller one.
    if first is not None and second is not None and first < second:
        return Gap()
    return Fold(_pendulum(probe), _pendulum(probe.replace(fold=1)))


def wall_before(moment: pendulum.DateTime, span: Span) -> pendulum.DateTime:
    """The calendar instant *span* before *moment*, the local time kept, as pendulum does.

    >>> start = pendulum.datetime(2026, 11, 2, 9, tz="America/Toronto")
    >>> wall_before(start, Span(days=2)).isoformat()  # across the change: still 09:00
    '2026-10-31T09:00:00-04:00'
    """
    if span.has_calendar_units or not span.is_calendar_only:
        return moment.subtract(**{unit: getattr(span, unit) for unit in _UNITS})
    day = dt.date(moment.year, moment.month, moment.day) - dt.timedelta(
        weeks=span.weeks, days=span.days
    )
    wall = dt.time(moment.hour, moment.minute, moment.second, moment.microsecond)
    match local_instant(day, wall, moment.tzinfo):  # type: ignore[arg-type]  # aware
        case Unambiguous(instant):
            return instant
        case Gap() | Fold():
            # A gap or a repeated hour: pendulum's own rule decides which instant it is.
            return moment.subtract(weeks=span.weeks, days=span.days)
