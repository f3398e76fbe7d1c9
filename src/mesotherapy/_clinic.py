"""The clinic calendar: a time zone, opening hours per weekday, closures and holidays.

A `Clinic` answers three questions in its own IANA zone: is a day open (`closed_reason`),
does a session fit at an instant (`fits`), and where may one start on a day (`slots`).
A local time that does not exist (the spring-forward gap) or that happens twice (the
repeated autumn hour) is never a slot, and `at` refuses it rather than shift it.

>>> clinic = example_clinic(holidays=None)
>>> [slot.format("HH:mm") for slot in clinic.slots(pendulum.date(2026, 11, 7), 60)][-2:]
['14:45', '15:00']
>>> clinic.closed_reason(pendulum.date(2026, 11, 8))
'closed on sundays'

Errors, the same whether a clinic is built in code or read from a file:

- `RuleSetError`: the shape of the clinic is wrong (an unknown or missing key, a value of
  the wrong type, an interval that ends before it starts or overlaps another, a closure
  that ends before it starts, a slot length that is no whole number above 0);
- `InvalidTimeError`: a time, date or time zone that cannot be read (``"25:00"``,
  ``"2026-02-30"``, ``"Mars/Olympus"``), or a local time in a DST gap or repeated hour;
- `UnknownCodeError`: an unknown weekday, holidays country, subdivision or category.

A file with problems of more than one kind raises a `RuleSetError` that lists them all.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import os
import re
import types
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Final, TypeGuard, TypeVar

import attrs
import pendulum

from ._errors import InvalidTimeError, MesotherapyError, RuleSetError, UnknownCodeError
from ._time import (
    Fold,
    Gap,
    Unambiguous,
    aware,
    elapsed_after,
    in_zone,
    local_instant,
    parse_date,
    within_calendar,
    zone_key,
)
from ._toml import read_toml

__all__ = [
    "WEEKDAYS",
    "Clinic",
    "Closure",
    "Interval",
    "IntervalLike",
    "OpeningHours",
    "clinic_from_dict",
    "clinic_to_dict",
    "example_clinic",
    "load_clinic",
]

_T = TypeVar("_T")

WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
"""The weekdays, in the order of `datetime.date.weekday` (Monday is 0)."""

_KEYS: Final = (
    "name",
    "timezone",
    "holidays",
    "holiday_categories",
    "slot_minutes",
    "hours",
    "closures",
)
_CLOSURE_KEYS: Final = ("start", "end", "reason")
_CLOCK = re.compile(r"(\d{2}):(\d{2})(?::(\d{2}))?")
_HOLIDAYS_CODE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]+)?")
_MINUTES_A_DAY: Final = 24 * 60


# --- Problems, gathered with the error type each belongs to --------------------------------


class _Problems:
    """The problems found while reading a clinic, each ``"key.path: message"``."""

    __slots__ = ("found",)

    def __init__(self) -> None:
        self.found: list[tuple[type[MesotherapyError], str]] = []

    def add(self, kind: type[MesotherapyError], path: str, message: str) -> None:
        self.found.append((kind, f"{path}: {message}" if path else message))

    def raise_any(
        self, *, source: str | None = None, kind: type[MesotherapyError] | None = None
    ) -> None:
        """Raise the problems found, if any: as *kind*, else as the one kind they share.

        Problems of several kinds are raised together as a `RuleSetError`.
        """
        if not self.found:
            return
        messages = [message for _, message in self.found]
        kinds = {found for found, _ in self.found}
        if kind is None:
            kind = kinds.pop() if len(kinds) == 1 else RuleSetError
        if kind is RuleSetError:
            raise RuleSetError(messages, source=source)
        where = f"{source}: " if source else ""
        more = f" (and {len(messages) - 1} more)" if len(messages) > 1 else ""
        error = kind(f"{where}{messages[0]}{more}")
        error.problems = tuple(messages)  # `clinic check` prints every one
        raise error

    def settle(self, value: _T | None, *, kind: type[MesotherapyError] | None = None) -> _T:
        """*value*, once the problems found (if any) are raised."""
        self.raise_any(kind=kind)
        if value is None:  # pragma: no cover - a reader gives None only with a problem
            msg = "a reader gave no value and no problem"
            raise AssertionError(msg)
        return value


def _at(path: str, key: object) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def _clock(time: dt.time) -> str:
    """``HH:MM``, or ``HH:MM:SS`` when there are seconds."""
    return time.strftime("%H:%M:%S" if time.second or time.microsecond else "%H:%M")


def _shown(value: object) -> str:
    if isinstance(value, dt.time | dt.date):
        return repr(value.isoformat())
    return repr(value)


def _is_mapping(value: object) -> bool:
    return isinstance(value, Mapping)


def _is_list(value: object) -> TypeGuard[Iterable[Any]]:
    return isinstance(value, Iterable) and not isinstance(value, str | bytes | Mapping)


# --- Readers: each checks one value, records its problems, and gives the value or None ------


def _read_text(value: object, path: str, problems: _Problems) -> str | None:
    if not isinstance(value, str) or not value.strip():
        problems.add(RuleSetError, path, f"expected non-empty text, got {value!r}")
        return None
    return value


def _read_time(
    value: object, path: str, problems: _Problems, *, whole_minutes: bool = True
) -> pendulum.Time | None:
    expected = "a time of day as HH:MM, from 00:00 to 23:59"
    if isinstance(value, dt.datetime):
        problems.add(InvalidTimeError, path, f"expected {expected}, got a date and time")
        return None
    if isinstance(value, dt.time):
        if value.tzinfo is not None:
            message = f"expected a local time of day without a zone, got {_shown(value)}"
            problems.add(InvalidTimeError, path, message)
            return None
        time = pendulum.time(value.hour, value.minute, value.second, value.microsecond)
    elif isinstance(value, str):
        match = _CLOCK.fullmatch(value)
        hour, minute, second = (int(part or 0) for part in match.groups()) if match else (24, 0, 0)
        if hour > 23 or minute > 59 or second > 59:  # 24:00 too: the day ends at 23:59
            problems.add(InvalidTimeError, path, f"expected {expected}, got {value!r}")
            return None
        time = pendulum.time(hour, minute, second)
    else:
        problems.add(RuleSetError, path, f"expected {expected}, got {value!r}")
        return None
    if whole_minutes and (time.second or time.microsecond):
        message = f"expected a whole minute (HH:MM), got {_shown(value)}"
        problems.add(InvalidTimeError, path, message)
        return None
    return time


def _read_any_time(value: object, path: str, problems: _Problems) -> pendulum.Time | None:
    return _read_time(value, path, problems, whole_minutes=False)


def _read_date(value: object, path: str, problems: _Problems) -> pendulum.Date | None:
    if not isinstance(value, str | dt.date):
        problems.add(RuleSetError, path, f"expected a date as YYYY-MM-DD, got {value!r}")
        return None
    try:
        return parse_date(value, field=path)
    except InvalidTimeError as error:
        problems.add(InvalidTimeError, "", str(error))
        return None


def _interval_problem(start: dt.time, end: dt.time) -> str | None:
    if end <= start:
        return f"expected the end after the start, got {_clock(start)}-{_clock(end)}"
    return None


def _order_problem(before: Interval, after: Interval) -> str | None:
    if after.start < before.end and after.end > before.start:
        return f"{after} overlaps {before}, expected a start after {_clock(before.end)}"
    if after.end <= before.start:
        return f"{after} comes before {before}, expected the intervals of a day in order"
    if after.start == before.end:
        joined = f"{_clock(before.start)}-{_clock(after.end)}"
        return f"{after} starts when {before} ends, expected them joined as {joined}"
    return None


def _read_interval(value: object, path: str, problems: _Problems) -> Interval | None:
    if isinstance(value, Interval):
        return value
    if not isinstance(value, Sequence) or isinstance(value, str | bytes) or len(value) != 2:
        message = f"expected a [start, end] pair of times such as ['09:00', '12:00'], got {value!r}"
        problems.add(RuleSetError, path, message)
        return None
    start = _read_time(value[0], _at(path, "start"), problems)
    end = _read_time(value[1], _at(path, "end"), problems)
    if start is None or end is None:
        return None
    problem = _interval_problem(start, end)
    if problem:
        problems.add(RuleSetError, path, problem)
        return None
    return Interval(start=start, end=end)


def _read_intervals(value: object, path: str, problems: _Problems) -> tuple[Interval, ...]:
    if not _is_list(value):
        message = (
            f"expected a list of [start, end] pairs such as [['09:00', '12:00']], got {value!r}"
        )
        problems.add(RuleSetError, path, message)
        return ()
    read = [
        (index, _read_interval(item, _at(path, index), problems))
        for index, item in enumerate(value)
    ]
    valid = [(index, interval) for index, interval in read if interval is not None]
    for (_, before), (index, after) in itertools.pairwise(valid):
        problem = _order_problem(before, after)
        if problem:
            problems.add(RuleSetError, _at(path, index), problem)
    return tuple(interval for _, interval in valid)


def _read_hours(value: object, path: str, problems: _Problems) -> OpeningHours | None:
    if isinstance(value, OpeningHours):
        return value
    if not isinstance(value, Mapping):
        message = f"expected a table of weekdays (monday to sunday), got {value!r}"
        problems.add(RuleSetError, path, message)
        return None
    days: dict[str, tuple[Interval, ...]] = {}
    found = len(problems.found)
    for key, intervals in value.items():
        name = key.strip().lower() if isinstance(key, str) else key
        if name not in WEEKDAYS:
            message = f"unknown weekday {key!r}, expected one of {', '.join(WEEKDAYS)}"
            problems.add(UnknownCodeError, _at(path, key), message)
        elif name in days:
            problems.add(RuleSetError, _at(path, key), f"{name} is given twice")
        else:
            days[name] = _read_intervals(intervals, _at(path, name), problems)
    return OpeningHours(**days) if len(problems.found) == found else None


def _read_closure(value: object, path: str, problems: _Problems) -> Closure | None:
    if isinstance(value, Closure):
        return value
    if not isinstance(value, Mapping):
        message = f"expected a table with a start, an optional end and reason, got {value!r}"
        problems.add(RuleSetError, path, message)
        return None
    for key in value:
        if key not in _CLOSURE_KEYS:
            message = f"unknown key, expected one of {', '.join(sorted(_CLOSURE_KEYS))}"
            problems.add(RuleSetError, _at(path, key), message)
    if "start" not in value:
        problems.add(RuleSetError, _at(path, "start"), "missing, expected a date as YYYY-MM-DD")
        return None
    start = _read_date(value["start"], _at(path, "start"), problems)
    end = _read_date(value["end"], _at(path, "end"), problems) if "end" in value else start
    reason = value.get("reason")
    if reason is not None:
        reason = _read_text(reason, _at(path, "reason"), problems)
    if start is None or end is None:
        return None
    if end < start:
        problems.add(RuleSetError, _at(path, "end"), _closure_problem(start, end))
        return None
    return Closure(start=start, end=end, reason=reason)


def _closure_problem(start: dt.date, end: dt.date) -> str:
    return f"expected a date on or after the start {start.isoformat()}, got {end.isoformat()}"


def _read_closures(value: object, path: str, problems: _Problems) -> tuple[Closure, ...]:
    if not _is_list(value):
        message = f"expected a list of closures ([[closures]] tables), got {value!r}"
        problems.add(RuleSetError, path, message)
        return ()
    read = [_read_closure(item, _at(path, index), problems) for index, item in enumerate(value)]
    return tuple(
        sorted(
            (closure for closure in read if closure is not None),
            key=lambda closure: (closure.start, closure.end, closure.reason or ""),
        )
    )


def _read_zone(value: object, path: str, problems: _Problems) -> str | None:
    if not isinstance(value, str):
        message = f"expected an IANA time zone name such as 'America/Toronto', got {value!r}"
        problems.add(RuleSetError, path, message)
        return None
    try:
        _zone(value)
    except InvalidTimeError as error:
        problems.add(InvalidTimeError, path, str(error))
        return None
    return value


@functools.lru_cache(maxsize=64)
def _zone(name: str) -> pendulum.Timezone:
    zone_key(name, field=None)  # an IANA key, never a name meaning another zone elsewhere
    try:
        return pendulum.timezone(name)
    except (ValueError, OSError):  # pendulum's InvalidTimezone is a ValueError
        msg = f"unknown IANA time zone {name!r}, expected a name such as 'America/Toronto'"
        raise InvalidTimeError(msg) from None


def _read_holidays(value: object, path: str, problems: _Problems) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        message = f"expected a country code such as 'CA' or 'CA-ON', got {value!r}"
        problems.add(RuleSetError, path, message)
        return None
    if not _HOLIDAYS_CODE.fullmatch(value):
        message = (
            f"unknown holidays code {value!r}, expected a country code with an optional "
            "subdivision, such as 'CA' or 'CA-ON'"
        )
        problems.add(UnknownCodeError, path, message)
        return None
    return value


def _read_categories(value: object, path: str, problems: _Problems) -> tuple[str, ...] | None:
    if not _is_list(value):
        message = f"expected a list of holiday categories such as ['public'], got {value!r}"
        problems.add(RuleSetError, path, message)
        return None
    read = [_read_text(item, _at(path, index), problems) for index, item in enumerate(value)]
    categories = {category for category in read if category is not None}
    if not read:
        problems.add(RuleSetError, path, "expected at least one category such as 'public'")
    return tuple(sorted(categories)) if categories else None


def _read_slot_minutes(value: object, path: str, problems: _Problems) -> int | None:
    if type(value) is not int or not 0 < value <= _MINUTES_A_DAY:
        message = f"expected a whole number of minutes from 1 to 1440 (such as 15), got {value!r}"
        problems.add(RuleSetError, path, message)
        return None
    return value


def _check_holidays(code: str, categories: tuple[str, ...], problems: _Problems) -> None:
    for kind_path, message in _holiday_problems(code, categories):
        problems.add(UnknownCodeError, kind_path, message)


@functools.lru_cache(maxsize=64)
def _holiday_problems(code: str, categories: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """What is wrong with a holidays code and its categories, as ``(key, message)`` pairs."""
    import holidays  # noqa: PLC0415 - costs ~85 ms: only for a clinic that asks for holidays

    country, _, subdiv = code.partition("-")
    try:
        table = holidays.country_holidays(country, years=())
    except NotImplementedError:
        message = (
            f"unknown country {country!r} in {code!r}, expected a country code that the "
            "holidays package knows, with an optional subdivision, such as 'CA' or 'CA-ON'"
        )
        return (("holidays", message),)
    if subdiv:
        try:
            table = holidays.country_holidays(country, subdiv=subdiv, years=())
        except NotImplementedError:
            choices = ", ".join(table.subdivisions) or "none"
            message = (
                f"unknown subdivision {subdiv!r} of {country} in {code!r}, "
                f"expected one of {choices}"
            )
            return (("holidays", message),)
    supported = sorted(table.supported_categories)
    return tuple(
        (
            "holiday_categories",
            f"unknown category {category!r} for {code}, expected one of {', '.join(supported)}",
        )
        for category in categories
        if category not in supported
    )


@functools.lru_cache(maxsize=256)
def _holiday_names(
    country: str, subdiv: str | None, categories: tuple[str, ...], year: int
) -> Mapping[dt.date, str]:
    """The holidays of one year, by date; several on one day are joined with ``"; "``."""
    import holidays  # noqa: PLC0415 - costs ~85 ms: only for a clinic that asks for holidays

    table = holidays.country_holidays(country, subdiv=subdiv, years=year, categories=categories)
    return types.MappingProxyType(dict(table.items()))


# --- Converters: named functions, one a field, so that each error names its field ---------


def _one(
    reader: Callable[[object, str, _Problems], _T | None],
    value: object,
    path: str,
    *,
    kind: type[MesotherapyError] | None = None,
) -> _T:
    problems = _Problems()
    return problems.settle(reader(value, path, problems), kind=kind)


def _interval_start(value: dt.time | str) -> pendulum.Time:
    return _one(_read_time, value, "start")


def _interval_end(value: dt.time | str) -> pendulum.Time:
    return _one(_read_time, value, "end")


def _intervals(value: object, field: str) -> tuple[Interval, ...]:
    problems = _Problems()
    intervals = _read_intervals(value, field, problems)
    problems.raise_any()
    return intervals


def _monday(value: Iterable[IntervalLike]) -> tuple[Interval, ...]:
    return _intervals(value, "monday")


def _tuesday(value: Iterable[IntervalLike]) -> tuple[Interval, ...]:
    return _intervals(value, "tuesday")


def _wednesday(value: Iterable[IntervalLike]) -> tuple[Interval, ...]:
    return _intervals(value, "wednesday")


def _thursday(value: Iterable[IntervalLike]) -> tuple[Interval, ...]:
    return _intervals(value, "thursday")


def _friday(value: Iterable[IntervalLike]) -> tuple[Interval, ...]:
    return _intervals(value, "friday")


def _saturday(value: Iterable[IntervalLike]) -> tuple[Interval, ...]:
    return _intervals(value, "saturday")


def _sunday(value: Iterable[IntervalLike]) -> tuple[Interval, ...]:
    return _intervals(value, "sunday")


def _closure_start(value: dt.date | str) -> pendulum.Date:
    return _one(_read_date, value, "start")


def _closure_end(value: dt.date | str) -> pendulum.Date:
    return _one(_read_date, value, "end")


def _closure_reason(value: str | None) -> str | None:
    return None if value is None else _one(_read_text, value, "reason")


def _clinic_name(value: str) -> str:
    return _one(_read_text, value, "name")


def _clinic_timezone(value: str) -> str:
    return _one(_read_zone, value, "timezone")


def _clinic_hours(value: OpeningHours | Mapping[str, Iterable[IntervalLike]]) -> OpeningHours:
    return _one(_read_hours, value, "hours")


def _clinic_closures(value: Iterable[Closure | Mapping[str, Any]]) -> tuple[Closure, ...]:
    problems = _Problems()
    closures = _read_closures(value, "closures", problems)
    problems.raise_any()
    return closures


def _clinic_holidays(value: str | None) -> str | None:
    problems = _Problems()
    code = _read_holidays(value, "holidays", problems)
    problems.raise_any()
    return code


def _clinic_categories(value: Iterable[str]) -> tuple[str, ...]:
    return _one(_read_categories, value, "holiday_categories")


def _clinic_slot_minutes(value: int) -> int:
    return _one(_read_slot_minutes, value, "slot_minutes")


# --- The calendar ---------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Interval:
    """A span of local wall-clock time in a day, ``start`` included and ``end`` excluded.

    Both are whole minutes; ``end`` comes after ``start`` on the same day (``23:59`` at
    the latest). An interval unpacks as a ``(start, end)`` pair.

    >>> morning = Interval(start="09:00", end="12:00")
    >>> str(morning), morning.minutes
    ('09:00-12:00', 180)
    >>> start, end = morning
    >>> end
    Time(12, 0, 0)

    Raises:
        InvalidTimeError: a time that is no ``HH:MM`` time of day on a whole minute.
        RuleSetError: ``end`` is not after ``start``.
    """

    start: pendulum.Time = attrs.field(converter=_interval_start)
    end: pendulum.Time = attrs.field(converter=_interval_end)

    def __attrs_post_init__(self) -> None:
        problem = _interval_problem(self.start, self.end)
        if problem:
            raise RuleSetError([f"end: {problem}"])

    @property
    def start_minute(self) -> int:
        """The start as minutes after midnight."""
        return self.start.hour * 60 + self.start.minute

    @property
    def end_minute(self) -> int:
        """The end as minutes after midnight."""
        return self.end.hour * 60 + self.end.minute

    @property
    def minutes(self) -> int:
        """The length of the interval on the wall clock, in minutes."""
        return self.end_minute - self.start_minute

    def __iter__(self) -> Iterator[pendulum.Time]:
        return iter((self.start, self.end))

    def __str__(self) -> str:
        return f"{_clock(self.start)}-{_clock(self.end)}"


IntervalLike = Interval | Sequence[dt.time | str]
"""What a day's list of opening intervals accepts: intervals or ``(start, end)`` pairs."""


@attrs.frozen(kw_only=True)
class OpeningHours:
    """The weekly opening hours: for each weekday, its intervals in order (none: closed).

    Intervals of a day are ordered and apart: a lunch break is two intervals. Two that
    touch (``09:00-12:00`` and ``12:00-18:00``) are refused, to be written as one.

    >>> hours = OpeningHours(monday=[("09:00", "12:00"), ("13:00", "18:00")])
    >>> [str(interval) for interval in hours.monday], hours.sunday
    (['09:00-12:00', '13:00-18:00'], ())
    >>> OpeningHours(monday=[("09:00", "12:00"), ("11:00", "18:00")])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mesotherapy._errors.RuleSetError: monday[1]: 11:00-18:00 overlaps 09:00-12:00, expected ...

    Raises:
        RuleSetError: a day's list is no list of pairs, or its intervals are out of order,
            overlap or touch; the message names the weekday and the index.
        InvalidTimeError: a time that is no ``HH:MM`` time of day.
    """

    monday: tuple[Interval, ...] = attrs.field(default=(), converter=_monday)
    tuesday: tuple[Interval, ...] = attrs.field(default=(), converter=_tuesday)
    wednesday: tuple[Interval, ...] = attrs.field(default=(), converter=_wednesday)
    thursday: tuple[Interval, ...] = attrs.field(default=(), converter=_thursday)
    friday: tuple[Interval, ...] = attrs.field(default=(), converter=_friday)
    saturday: tuple[Interval, ...] = attrs.field(default=(), converter=_saturday)
    sunday: tuple[Interval, ...] = attrs.field(default=(), converter=_sunday)

    def weekday(self, name: str) -> tuple[Interval, ...]:
        """The intervals of the weekday *name* (``"monday"`` ... ``"sunday"``).

        Raises:
            UnknownCodeError: *name* is no weekday.
        """
        if name not in WEEKDAYS:
            msg = f"weekday: unknown weekday {name!r}, expected one of {', '.join(WEEKDAYS)}"
            raise UnknownCodeError(msg)
        intervals: tuple[Interval, ...] = getattr(self, name)
        return intervals

    def on(self, day: dt.date | str) -> tuple[Interval, ...]:
        """The intervals of *day*'s weekday (closures and holidays aside).

        Raises:
            InvalidTimeError: *day* is no date (``YYYY-MM-DD`` text is one).
        """
        return self.weekday(WEEKDAYS[_day(day, field="day").weekday()])

    def items(self) -> Iterator[tuple[str, tuple[Interval, ...]]]:
        """Each weekday's name and intervals, from Monday to Sunday."""
        return ((name, self.weekday(name)) for name in WEEKDAYS)


@attrs.frozen(kw_only=True)
class Closure:
    """Days the clinic is closed: one date, or a range with both ends included.

    >>> winter = Closure(start="2026-12-24", end="2027-01-02", reason="Winter break")
    >>> winter.covers(pendulum.date(2027, 1, 2)), str(winter)
    (True, '2026-12-24 to 2027-01-02 (Winter break)')
    >>> Closure(start="2026-10-16").end
    Date(2026, 10, 16)

    Raises:
        InvalidTimeError: a date that is no ``YYYY-MM-DD`` date.
        RuleSetError: ``end`` is before ``start``, or ``reason`` is blank.
    """

    start: pendulum.Date = attrs.field(converter=_closure_start)
    end: pendulum.Date = attrs.field(converter=_closure_end)
    reason: str | None = attrs.field(default=None, converter=_closure_reason)

    @end.default
    def _end_default(self) -> pendulum.Date:
        return self.start

    def __attrs_post_init__(self) -> None:
        if self.end < self.start:
            raise RuleSetError([f"end: {_closure_problem(self.start, self.end)}"])

    def covers(self, day: dt.date) -> bool:
        """Whether *day* lies within the closure."""
        return self.start <= _day(day, field="day") <= self.end

    def __str__(self) -> str:
        days = self.start.isoformat()
        if self.end != self.start:
            days += f" to {self.end.isoformat()}"
        return f"{days} ({self.reason})" if self.reason else days


@attrs.frozen(kw_only=True)
class Clinic:
    """Where sessions happen: a time zone, weekly hours, closures and public holidays.

    Every local date and wall-clock time is in ``timezone``, an IANA name. ``holidays`` is
    a country code with an optional subdivision for the `holidays` package (``"CA-ON"``),
    whose days of ``holiday_categories`` are closed (observed days included); ``None``
    closes on no holiday. Sessions start on local wall-clock minutes divisible by
    ``slot_minutes``.

    >>> clinic = Clinic(
    ...     name="Lakeside",
    ...     timezone="America/Toronto",
    ...     hours={"monday": [("09:00", "12:00"), ("13:00", "18:00")]},
    ...     closures=[Closure(start="2026-12-21", end="2026-12-31", reason="Winter break")],
    ...     slot_minutes=30,
    ... )
    >>> monday = pendulum.date(2026, 11, 2)
    >>> clinic.fits(clinic.at(monday, "11:30"), 30), clinic.fits(clinic.at(monday, "11:30"), 45)
    (True, False)
    >>> clinic.closed_reason(pendulum.date(2026, 12, 28))
    'closure: Winter break'

    Raises:
        InvalidTimeError: an unknown time zone, or a time or date that cannot be read.
        UnknownCodeError: an unknown weekday, holidays country or subdivision, or holiday
            category; the message names the field and the value.
        RuleSetError: a value of the wrong type or shape (see the module's notes).
    """

    name: str = attrs.field(converter=_clinic_name)
    timezone: str = attrs.field(converter=_clinic_timezone)
    hours: OpeningHours = attrs.field(converter=_clinic_hours)
    closures: tuple[Closure, ...] = attrs.field(default=(), converter=_clinic_closures)
    holidays: str | None = attrs.field(default=None, converter=_clinic_holidays)
    holiday_categories: tuple[str, ...] = attrs.field(
        default=("public",), converter=_clinic_categories
    )
    slot_minutes: int = attrs.field(default=15, converter=_clinic_slot_minutes)
    # Each day's slot minutes, worked out once: planning asks about the same days again and
    # again. Not part of the value: equality, hashing, repr and pickles leave it out.
    _walls_memo: dict[tuple[dt.date, int], range | tuple[int, ...] | None] = attrs.field(
        init=False, factory=dict, eq=False, repr=False
    )

    def __getstate__(self) -> dict[str, Any]:
        """The clinic's fields, for pickle (without the memo of worked-out days)."""
        return {f.name: getattr(self, f.name) for f in _VALUE_FIELDS}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "_walls_memo", {})

    def __attrs_post_init__(self) -> None:
        if self.holidays is not None:
            problems = _Problems()
            _check_holidays(self.holidays, self.holiday_categories, problems)
            problems.raise_any()

    @property
    def zone(self) -> pendulum.Timezone:
        """The clinic's time zone."""
        return _zone(self.timezone)

    def closed_reason(self, day: dt.date) -> str | None:
        """Why the clinic is closed on the local date *day*, or ``None`` when it opens.

        A closure comes first (``"closure: Winter break"``), then a holiday
        (``"holiday: Christmas Day"``), then the weekly hours (``"closed on sundays"``).

        >>> example_clinic().closed_reason(pendulum.date(2026, 12, 25))
        'holiday: Christmas Day'

        Raises:
            InvalidTimeError: *day* is no date (a date and time is refused too).
        """
        return self._closed_reason(_day(day, field="day"))

    def _closed_reason(self, day: dt.date) -> str | None:
        for closure in self.closures:
            if closure.start <= day <= closure.end:
                return f"closure: {closure.reason}" if closure.reason else "closure"
        holiday = self._holiday(day)
        if holiday is not None:
            return f"holiday: {holiday}"
        weekday = WEEKDAYS[day.weekday()]
        if not self.hours.weekday(weekday):
            return f"closed on {weekday}s"
        return None

    def holiday(self, day: dt.date) -> str | None:
        """The name of the holiday on *day* among the clinic's categories, if any.

        >>> example_clinic().holiday(pendulum.date(2027, 7, 1))
        'Canada Day'

        Raises:
            InvalidTimeError: *day* is no date.
        """
        return self._holiday(_day(day, field="day"))

    def _holiday(self, day: dt.date) -> str | None:
        if self.holidays is None:
            return None
        country, _, subdiv = self.holidays.partition("-")
        names = _holiday_names(country, subdiv or None, self.holiday_categories, day.year)
        return names.get(dt.date(day.year, day.month, day.day))

    def hours_on(self, day: dt.date) -> tuple[Interval, ...]:
        """The opening intervals of the local date *day*; none when it is closed.

        Raises:
            InvalidTimeError: *day* is no date.
        """
        day = _day(day, field="day")
        return () if self._closed_reason(day) is not None else self.hours.on(day)

    @within_calendar
    def fits(self, start: dt.datetime, minutes: int) -> bool:
        """Whether a session of *minutes* may start at *start*.

        It does when, in the clinic's zone, the day is open, the local start is a whole
        minute divisible by ``slot_minutes`` that happens once that day (not in the
        repeated hour of a DST change), and the whole session, ``[start, start +
        minutes)`` in real minutes, lies inside one opening interval of that day.
        ``fits(s, m)`` is true exactly when ``s`` is one of ``slots(day of s, m)``.

        >>> clinic = example_clinic(holidays=None)
        >>> friday = pendulum.date(2026, 11, 6)
        >>> clinic.fits(clinic.at(friday, "17:15"), 45), clinic.fits(clinic.at(friday, "17:30"), 45)
        (True, False)

        Raises:
            InvalidTimeError: *start* is naive, no date and time, or a local time that does
                not exist in its own zone; *minutes* is no whole number above 0.
        """
        minutes = _minutes(minutes)
        return self._fits(in_zone(aware(start, field="start"), self.zone), minutes)

    def _fits(self, local: pendulum.DateTime, minutes: int) -> bool:
        """`fits` for an instant already in the clinic's zone and a valid length."""
        day = local.date()
        wall = local.hour * 60 + local.minute
        if local.second or local.microsecond or wall % self.slot_minutes:
            return False
        walls = self._walls(day, minutes)
        if walls is not None:
            return wall in walls
        if not isinstance(local_instant(day, local.time(), self.zone), Unambiguous):
            return False  # the wall-clock time happens twice that day
        for interval in self.hours_on(day):
            if interval.start_minute <= wall < interval.end_minute:
                return _inside(local, day, interval, minutes)
        return False

    def _walls(self, day: dt.date, minutes: int) -> range | tuple[int, ...] | None:
        """The local minutes of the day at which a session may start, on a steady day.

        On most days no clock change touches an opening interval, and the slots are plain
        arithmetic on the wall clock. ``None`` when one does: the slots must then be
        found minute by minute (`_exact_slots`).
        """
        key = (day, minutes)
        try:
            return self._walls_memo[key]
        except KeyError:
            pass
        if len(self._walls_memo) > _MEMO_DAYS:
            self._walls_memo.clear()  # a long-lived clinic keeps a bounded memo
        walls = self._walls_memo[key] = self._work_out_walls(day, minutes)
        return walls

    def _work_out_walls(self, day: dt.date, minutes: int) -> range | tuple[int, ...] | None:
        if self._closed_reason(day) is not None:
            return ()
        zone, step = self.zone, self.slot_minutes
        found: list[range] = []
        for interval in self.hours.on(day):
            if not _steady(day, interval, zone):
                return None
            first = -(-interval.start_minute // step) * step
            found.append(range(first, interval.end_minute - minutes + 1, step))
        if len(found) == 1:
            return found[0]
        return tuple(wall for walls in found for wall in walls)

    def _instant(self, day: dt.date, wall: int) -> pendulum.DateTime:
        """The instant of a wall minute of a steady day (one that `_walls` listed)."""
        return pendulum.DateTime(
            day.year, day.month, day.day, wall // 60, wall % 60, tzinfo=self.zone
        )

    def slots(self, day: dt.date, minutes: int) -> Iterator[pendulum.DateTime]:
        """Every start on the local date *day* where a session of *minutes* fits, in order.

        Each is an aware `pendulum.DateTime` in the clinic's zone. Local times that do not
        exist (the spring-forward gap) or that happen twice (the repeated autumn hour)
        are skipped.

        >>> clinic = example_clinic()
        >>> slots = list(clinic.slots(pendulum.date(2026, 11, 7), 45))
        >>> slots[0].isoformat(), slots[-1].isoformat(), len(slots)
        ('2026-11-07T10:00:00-05:00', '2026-11-07T15:15:00-05:00', 22)

        Raises:
            InvalidTimeError: *day* is no date, or *minutes* no whole number above 0; both
                are checked when `slots` is called, before the first slot is asked for.
        """
        return self._slots(_day(day, field="day"), _minutes(minutes))

    def _slots(self, day: dt.date, minutes: int) -> Iterator[pendulum.DateTime]:
        walls = self._walls(day, minutes)
        if walls is None:
            return self._exact_slots(day, minutes)
        return (self._instant(day, wall) for wall in walls)

    def nearest_slot(
        self, day: dt.date | str, minutes: int, wanted: int, *, not_before: dt.datetime
    ) -> pendulum.DateTime | None:
        """The slot of *day* nearest the local minute *wanted*, at or after *not_before*.

        Of two equally near, the earlier. ``None`` when the day has no such slot.

        >>> clinic = example_clinic()
        >>> after = clinic.at(pendulum.date(2026, 11, 6), "08:00")
        >>> clinic.nearest_slot("2026-11-07", 45, 9 * 60, not_before=after).isoformat()
        '2026-11-07T10:00:00-05:00'

        Raises:
            InvalidTimeError: *day* is no date (``YYYY-MM-DD`` text is one), *minutes* no
                whole number above 0, *wanted* no minute of the day (0 to 1439), or
                *not_before* no aware date and time that exists in its zone.
        """
        day, minutes = _day(day, field="day"), _minutes(minutes)
        wanted = _wall_minute(wanted, field="wanted")
        return self._nearest_slot(day, minutes, wanted, aware(not_before, field="not_before"))

    def _nearest_slot(
        self, day: dt.date, minutes: int, wanted: int, not_before: dt.datetime
    ) -> pendulum.DateTime | None:
        walls = self._walls(day, minutes)
        if walls is None:
            starts = [s for s in self._exact_slots(day, minutes) if s >= not_before]
            return min(
                starts, key=lambda s: (abs(s.hour * 60 + s.minute - wanted), s), default=None
            )
        if wanted in walls:  # the usual case: the very time asked for
            start = self._instant(day, wanted)
            if start >= not_before:
                return start
        for wall in sorted(walls, key=lambda w: (abs(w - wanted), w)):
            start = self._instant(day, wall)
            if start >= not_before:
                return start
        return None

    def slot_at(
        self, day: dt.date | str, minutes: int, wall: int, *, not_before: dt.datetime
    ) -> pendulum.DateTime | None:
        """The slot of *day* at the local minute *wall*, if there is one at or after *not_before*.

        What `nearest_slot` answers when the slot asked for exists, without looking at the
        others: the first thing a plan asks of each day is whether the client's usual time
        is free.

        Raises:
            InvalidTimeError: *day* is no date (``YYYY-MM-DD`` text is one), *minutes* no
                whole number above 0, *wall* no minute of the day (0 to 1439), or
                *not_before* no aware date and time that exists in its zone.
        """
        day, minutes = _day(day, field="day"), _minutes(minutes)
        wall = _wall_minute(wall, field="wall")
        not_before = aware(not_before, field="not_before")
        walls = self._walls(day, minutes)
        if walls is None:
            start = self._nearest_slot(day, minutes, wall, not_before)
            return start if start is not None and start.hour * 60 + start.minute == wall else None
        if wall not in walls:
            return None
        start = self._instant(day, wall)
        return start if start >= not_before else None

    def first_slot(
        self, day: dt.date | str, minutes: int, *, not_before: dt.datetime
    ) -> pendulum.DateTime | None:
        """The first slot of *day* at or after *not_before*, or ``None``.

        >>> clinic = example_clinic()
        >>> after = clinic.at(pendulum.date(2026, 11, 6), "12:05")
        >>> clinic.first_slot("2026-11-06", 45, not_before=after).isoformat()
        '2026-11-06T12:15:00-05:00'

        Raises:
            InvalidTimeError: *day* is no date (``YYYY-MM-DD`` text is one), *minutes* no
                whole number above 0, or *not_before* no aware date and time that exists
                in its zone.
        """
        day, minutes = _day(day, field="day"), _minutes(minutes)
        not_before = aware(not_before, field="not_before")
        walls = self._walls(day, minutes)
        if walls is None:
            return next((s for s in self._exact_slots(day, minutes) if s >= not_before), None)
        local = in_zone(not_before, self.zone)
        lowest = 0
        if local.date() == day:
            # On a steady day a later wall minute is a later instant: skip the earlier ones.
            lowest = local.hour * 60 + local.minute + bool(local.second or local.microsecond)
        for wall in walls:
            if wall >= lowest:
                start = self._instant(day, wall)
                if start >= not_before:
                    return start
        return None

    def _exact_slots(self, day: dt.date, minutes: int) -> Iterator[pendulum.DateTime]:
        zone = self.zone
        step = self.slot_minutes
        for interval in self.hours_on(day):
            first = -(-interval.start_minute // step) * step
            for wall in range(first, interval.end_minute, step):
                match local_instant(day, pendulum.time(wall // 60, wall % 60), zone):
                    case Unambiguous(local) if _inside(local, day, interval, minutes):
                        yield local

    @within_calendar
    def at(self, day: dt.date | str, local_time: dt.time | str) -> pendulum.DateTime:
        """The aware instant of *local_time* on the local date *day* in the clinic's zone.

        Opening hours are not consulted: this only builds the instant, refusing a local
        time that does not exist or that happens twice rather than shifting it.

        >>> clinic = example_clinic()
        >>> clinic.at(pendulum.date(2026, 11, 2), "09:30").isoformat()
        '2026-11-02T09:30:00-05:00'
        >>> clinic.at(pendulum.date(2026, 3, 8), "02:30")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        mesotherapy._errors.InvalidTimeError: local_time: 2026-03-08 02:30 does not exist ...

        Raises:
            InvalidTimeError: *day* or *local_time* cannot be read, or the local time falls
                in a DST gap or in the repeated hour when the clocks go back.
        """
        day = _day(day, field="day")
        time = _one(_read_any_time, local_time, "local_time", kind=InvalidTimeError)
        when = f"{day.isoformat()} {_clock(time)}"
        match local_instant(day, time, self.zone):
            case Unambiguous(local):
                return local
            case Gap():
                msg = (
                    f"local_time: {when} does not exist in {self.timezone}: the clocks jump "
                    "forward over it (a DST gap), expected a time outside the gap"
                )
            case Fold():
                msg = (
                    f"local_time: {when} happens twice in {self.timezone}: it falls in the "
                    "repeated hour when the clocks go back, expected a time outside that hour"
                )
        raise InvalidTimeError(msg)


_VALUE_FIELDS = tuple(f for f in attrs.fields(Clinic) if f.init)
_MEMO_DAYS = 4096
"""How many (day, length) answers a clinic remembers before it starts afresh."""


def _day(value: object, *, field: str) -> pendulum.Date:
    if type(value) is pendulum.Date:
        return value  # already read: the plan asks for many days
    return parse_date(value, field=field)


def _minutes(value: object) -> int:
    if type(value) is not int or value < 1:
        msg = f"minutes: expected a whole number of minutes above 0, got {value!r}"
        raise InvalidTimeError(msg)
    return value


def _wall_minute(value: object, *, field: str) -> int:
    if type(value) is not int or not 0 <= value < _DAY_MINUTES:
        msg = f"{field}: expected a minute of the day, a whole number from 0 to 1439, got {value!r}"
        raise InvalidTimeError(msg)
    return value


_DAY_MINUTES: Final = 24 * 60


def _steady(day: dt.date, interval: Interval, zone: dt.tzinfo) -> bool:
    """Whether no clock change happens from the start of *interval* on *day* to its end."""
    start = dt.datetime(day.year, day.month, day.day, tzinfo=zone) + dt.timedelta(
        minutes=interval.start_minute
    )
    end = start + dt.timedelta(minutes=interval.end_minute - interval.start_minute)
    # Wall-clock arithmetic (fold 0): equal offsets at both ends, each read once, mean that
    # no change lies between, as no zone changes its clocks twice within opening hours.
    offsets = {start.utcoffset(), start.replace(fold=1).utcoffset(), end.utcoffset()}
    return len(offsets) == 1 and end.replace(fold=1).utcoffset() in offsets


def _inside(local: pendulum.DateTime, day: dt.date, interval: Interval, minutes: int) -> bool:
    """Whether *minutes* real minutes from *local* stay inside *interval* on *day*.

    *local* is in the clinic's zone, on *day*, and at or after the interval's start.
    """
    last = elapsed_after(local, dt.timedelta(minutes=minutes - 1))
    if last.utcoffset() == local.utcoffset():
        # No change of offset: the wall clock runs with real time.
        return local.hour * 60 + local.minute + minutes <= interval.end_minute
    # The clocks change during the session: follow the wall clock minute by minute.
    for elapsed in range(minutes):
        moment = elapsed_after(local, dt.timedelta(minutes=elapsed))
        wall = moment.hour * 60 + moment.minute
        if moment.date() != day or not interval.start_minute <= wall < interval.end_minute:
            return False
    return True


# --- The example clinic and clinic files -----------------------------------------------------


def example_clinic(holidays: str | None = "CA-ON", timezone: str = "America/Toronto") -> Clinic:
    """The example clinic: Monday to Friday 09:00-18:00, Saturday 10:00-16:00, 15-minute slots.

    It is closed on Sundays and on the public holidays of *holidays* (``None``: none).

    >>> clinic = example_clinic()
    >>> [str(interval) for interval in clinic.hours.saturday], clinic.slot_minutes
    (['10:00-16:00'], 15)
    """
    weekday = (Interval(start="09:00", end="18:00"),)
    return Clinic(
        name="Example Clinic",
        timezone=timezone,
        hours=OpeningHours(
            monday=weekday,
            tuesday=weekday,
            wednesday=weekday,
            thursday=weekday,
            friday=weekday,
            saturday=(Interval(start="10:00", end="16:00"),),
        ),
        holidays=holidays,
    )


def load_clinic(path: str | os.PathLike[str]) -> Clinic:
    r"""Load a clinic file (TOML), validating every key.

    The file is shaped like ``docs/examples/clinic.toml``: ``name``, ``timezone``,
    optional ``holidays``, ``holiday_categories`` and ``slot_minutes``, an ``[hours]``
    table of weekdays, each a list of ``["HH:MM", "HH:MM"]`` pairs (a weekday left out is
    closed), and ``[[closures]]`` with a ``start``, an optional ``end`` and ``reason``.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "clinic.toml"
    >>> _ = path.write_text('name = "Lakeside"\ntimezone = "America/Toronto"\n'
    ...                     '[hours]\nmonday = [["09:00", "12:00"], ["13:00", "18:00"]]\n')
    >>> [str(interval) for interval in load_clinic(path).hours.monday]
    ['09:00-12:00', '13:00-18:00']

    Raises:
        RuleSetError: the file cannot be read or is not TOML, or its shape is wrong (an
            unknown or missing key, a wrong type, an interval that ends before it starts
            or overlaps another...); it lists every problem, each naming its key path
            (``hours.monday[1]``), the value, and what was expected.
        InvalidTimeError: the only problems are times, dates or a time zone that cannot
            be read (``"25:00"``, ``"Mars/Olympus"``).
        UnknownCodeError: the only problems are unknown weekdays or holidays codes.
    """
    where, data = read_toml(path, kind="clinic file")
    return clinic_from_dict(data, source=where)


def clinic_from_dict(data: Mapping[str, Any], *, source: str | None = None) -> Clinic:
    """A clinic from a mapping shaped as the clinic file, validated as `load_clinic` does.

    >>> clinic_from_dict({"name": "Lakeside", "timezone": "Mars/Olympus", "hours": {}})
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mesotherapy._errors.InvalidTimeError: timezone: unknown IANA time zone 'Mars/Olympus', ...

    Raises:
        RuleSetError, InvalidTimeError, UnknownCodeError: as `load_clinic`; *source*, when
            given, starts each message.
    """
    problems = _Problems()
    if not _is_mapping(data):
        problems.add(RuleSetError, "the document", f"expected a table (a mapping), got {data!r}")
        problems.raise_any(source=source)
    for key in data:
        if key not in _KEYS:
            message = f"unknown key, expected one of {', '.join(sorted(_KEYS))}"
            problems.add(RuleSetError, str(key), message)
    for key in ("name", "timezone", "hours"):
        if key not in data:
            problems.add(RuleSetError, key, "missing, expected a value")
    fields: dict[str, Any] = {
        "name": _read_text(data["name"], "name", problems) if "name" in data else None,
        "timezone": _read_zone(data["timezone"], "timezone", problems)
        if "timezone" in data
        else None,
        "hours": _read_hours(data["hours"], "hours", problems) if "hours" in data else None,
        "closures": _read_closures(data.get("closures", ()), "closures", problems),
        "holidays": _read_holidays(data.get("holidays"), "holidays", problems),
        "holiday_categories": _read_categories(
            data.get("holiday_categories", ("public",)), "holiday_categories", problems
        ),
        "slot_minutes": _read_slot_minutes(data.get("slot_minutes", 15), "slot_minutes", problems),
    }
    if fields["holidays"] is not None and fields["holiday_categories"] is not None:
        _check_holidays(fields["holidays"], fields["holiday_categories"], problems)
    problems.raise_any(source=source)
    return Clinic(**fields)


def clinic_to_dict(clinic: Clinic) -> dict[str, Any]:
    """The clinic as plain data shaped as the clinic file; `clinic_from_dict` reads it back.

    >>> clinic = example_clinic()
    >>> clinic_to_dict(clinic)["hours"]["saturday"]
    [['10:00', '16:00']]
    >>> clinic_from_dict(clinic_to_dict(clinic)) == clinic
    True
    """
    data: dict[str, Any] = {"name": clinic.name, "timezone": clinic.timezone}
    if clinic.holidays is not None:
        data["holidays"] = clinic.holidays
    data["holiday_categories"] = list(clinic.holiday_categories)
    data["slot_minutes"] = clinic.slot_minutes
    data["hours"] = {
        name: [[_clock(interval.start), _clock(interval.end)] for interval in intervals]
        for name, intervals in clinic.hours.items()
        if intervals
    }
    if clinic.closures:
        data["closures"] = [
            {"start": closure.start.isoformat(), "end": closure.end.isoformat()}
            | ({"reason": closure.reason} if closure.reason else {})
            for closure in clinic.closures
        ]
    return data
