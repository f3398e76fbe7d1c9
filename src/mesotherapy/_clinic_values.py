"""The values a clinic is made of: intervals, opening hours, closures.

Each value is checked where it is built, in code or from a file, by the readers of
`._clinic_checks`: a converter only converts, and a validator names its field from the
attribute attrs gives it. The clinic's own fields are in `._clinic`; the clinic file and
mappings are read in `._clinic_file`.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Final, TypeVar, cast

import attrs
import pendulum

from ._clinic_checks import (
    _checks,
    _clock,
    _closure_problem,
    _interval_problem,
    _is_list,
    _is_table,
    _Problems,
    _read_categories,
    _read_date,
    _read_text,
    _read_time,
)
from ._errors import ClinicError, UnknownCodeError, key_path
from ._time import parse_date

__all__ = ["WEEKDAYS", "Closure", "Interval", "IntervalLike", "OpeningHours"]

_T = TypeVar("_T")

WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
"""The weekdays, in the order of `datetime.date.weekday` (Monday is 0)."""

_CLOSURE_KEYS: Final = ("start", "end", "reason")


# --- Readers of the values: each checks one, records its problems, and gives it or None ---


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
        problems.add(ClinicError, path, message)
        return None
    start = _read_time(value[0], key_path(path, "start"), problems)
    end = _read_time(value[1], key_path(path, "end"), problems)
    if start is None or end is None:
        return None
    problem = _interval_problem(start, end)
    if problem:
        problems.add(ClinicError, path, problem)
        return None
    return Interval(start=start, end=end)


def _read_intervals(value: object, path: str, problems: _Problems) -> tuple[Interval, ...]:
    if not _is_list(value):
        message = (
            f"expected a list of [start, end] pairs such as [['09:00', '12:00']], got {value!r}"
        )
        problems.add(ClinicError, path, message)
        return ()
    read = [
        (index, _read_interval(item, key_path(path, index), problems))
        for index, item in enumerate(value)
    ]
    valid = [(index, interval) for index, interval in read if interval is not None]
    for (_, before), (index, after) in itertools.pairwise(valid):
        problem = _order_problem(before, after)
        if problem:
            problems.add(ClinicError, key_path(path, index), problem)
    return tuple(interval for _, interval in valid)


def _read_hours(value: object, path: str, problems: _Problems) -> OpeningHours | None:
    if isinstance(value, OpeningHours):
        return value
    if not _is_table(value, path, problems, "a table of weekdays (monday to sunday)"):
        return None
    days: dict[str, tuple[Interval, ...]] = {}
    found = len(problems.found)
    for key, intervals in value.items():
        name = key.strip().lower() if isinstance(key, str) else key
        if name not in WEEKDAYS:
            message = f"unknown weekday {key!r}, expected one of {', '.join(WEEKDAYS)}"
            problems.add(UnknownCodeError, key_path(path, key), message)
        elif name in days:
            problems.add(ClinicError, key_path(path, key), f"{name} is given twice")
        else:
            days[name] = _read_intervals(intervals, key_path(path, name), problems)
    return OpeningHours(**days) if len(problems.found) == found else None


def _read_closure(value: object, path: str, problems: _Problems) -> Closure | None:
    if isinstance(value, Closure):
        return value
    if not _is_table(value, path, problems, "a table with a start, an optional end and reason"):
        return None
    for key in value:
        if key not in _CLOSURE_KEYS:
            message = f"unknown key, expected one of {', '.join(sorted(_CLOSURE_KEYS))}"
            problems.add(ClinicError, key_path(path, key), message)
    if "start" not in value:
        problems.add(ClinicError, key_path(path, "start"), "missing, expected a date as YYYY-MM-DD")
        return None
    start = _read_date(value["start"], key_path(path, "start"), problems)
    end = _read_date(value["end"], key_path(path, "end"), problems) if "end" in value else start
    reason = value.get("reason")
    if reason is not None:
        reason = _read_text(reason, key_path(path, "reason"), problems)
    if start is None or end is None:
        return None
    if end < start:
        problems.add(ClinicError, key_path(path, "end"), _closure_problem(start, end))
        return None
    return Closure(start=start, end=end, reason=reason)


def _read_closures(value: object, path: str, problems: _Problems) -> tuple[Closure, ...]:
    if not _is_list(value):
        message = f"expected a list of closures ([[closures]] tables), got {value!r}"
        problems.add(ClinicError, path, message)
        return ()
    read = [
        _read_closure(item, key_path(path, index), problems) for index, item in enumerate(value)
    ]
    return tuple(
        sorted(
            (closure for closure in read if closure is not None),
            key=lambda closure: (closure.start, closure.end, closure.reason or ""),
        )
    )


# --- Converters and validators, in the manner of attrs ------------------------------------
# A converter only converts: it gives the value a reader makes of its input, or the input
# unchanged when the reader finds a problem. The validator then reads the value again under
# the name attrs gives it (`attribute.name`), and raises what the reader found.


def _converted(reader: Callable[[object, str, _Problems], _T | None], value: object) -> _T:
    if isinstance(value, Iterator):  # read once here, and again by the validator
        value = tuple(value)
    problems = _Problems()
    read = reader(value, "", problems)
    # What cannot be converted is given back unchanged, for the validator to refuse.
    return cast("_T", value) if problems.found or read is None else read


# Named functions, one a type, so that the type checker sees each converter's input.
def _to_time(value: dt.time | str) -> pendulum.Time:
    return _converted(_read_time, value)


def _to_date(value: dt.date | str) -> pendulum.Date:
    return _converted(_read_date, value)


def _to_day(value: Iterable[IntervalLike]) -> tuple[Interval, ...]:
    return _converted(_read_intervals, value)


def _to_hours(value: OpeningHours | Mapping[str, Iterable[IntervalLike]]) -> OpeningHours:
    return _converted(_read_hours, value)


def _to_closures(value: Iterable[Closure | Mapping[str, Any]]) -> tuple[Closure, ...]:
    return _converted(_read_closures, value)


def _to_categories(value: Iterable[str]) -> tuple[str, ...]:
    return _converted(_read_categories, value)


def _after_start(instance: Interval | Closure, attribute: attrs.Attribute[Any], end: Any) -> None:
    """The cross-field rule of an interval and a closure: the end does not come first."""
    if isinstance(instance, Interval):
        problem = _interval_problem(instance.start, end)
    else:
        problem = _closure_problem(instance.start, end) if end < instance.start else None
    if problem:
        raise ClinicError([f"{attribute.name}: {problem}"])


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
        ClinicError: ``end`` is not after ``start``.
    """

    start: pendulum.Time = attrs.field(converter=_to_time, validator=_checks(_read_time))
    end: pendulum.Time = attrs.field(
        converter=_to_time, validator=[_checks(_read_time), _after_start]
    )

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


_DAY: Final = _checks(_read_intervals)


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
    mesotherapy._errors.ClinicError: monday[1]: 11:00-18:00 overlaps 09:00-12:00, expected ...

    Raises:
        ClinicError: a day's list is no list of pairs, or its intervals are out of order,
            overlap or touch; the message names the weekday and the index.
        InvalidTimeError: a time that is no ``HH:MM`` time of day.
    """

    monday: tuple[Interval, ...] = attrs.field(default=(), converter=_to_day, validator=_DAY)
    tuesday: tuple[Interval, ...] = attrs.field(default=(), converter=_to_day, validator=_DAY)
    wednesday: tuple[Interval, ...] = attrs.field(default=(), converter=_to_day, validator=_DAY)
    thursday: tuple[Interval, ...] = attrs.field(default=(), converter=_to_day, validator=_DAY)
    friday: tuple[Interval, ...] = attrs.field(default=(), converter=_to_day, validator=_DAY)
    saturday: tuple[Interval, ...] = attrs.field(default=(), converter=_to_day, validator=_DAY)
    sunday: tuple[Interval, ...] = attrs.field(default=(), converter=_to_day, validator=_DAY)

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
        return self.weekday(WEEKDAYS[_as_date(day, field="day").weekday()])

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
        ClinicError: ``end`` is before ``start``, or ``reason`` is blank.
    """

    start: pendulum.Date = attrs.field(converter=_to_date, validator=_checks(_read_date))
    end: pendulum.Date = attrs.field(
        converter=_to_date, validator=[_checks(_read_date), _after_start]
    )
    reason: str | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(_checks(_read_text)),
    )

    @end.default
    def _end_default(self) -> pendulum.Date:
        return self.start

    def covers(self, day: dt.date) -> bool:
        """Whether *day* lies within the closure."""
        return self.start <= _as_date(day, field="day") <= self.end

    def __str__(self) -> str:
        days = self.start.isoformat()
        if self.end != self.start:
            days += f" to {self.end.isoformat()}"
        return f"{days} ({self.reason})" if self.reason else days


class _ClosureIndex:
    """A clinic's closures, ready to find the one that covers a day by bisection.

    The clinic keeps its closures sorted by start (then end and reason), and names the
    first of them that covers a day: of those that do, the one that starts first. With
    ``reach[i]`` the latest end among the first ``i + 1`` closures, that is closure ``j``,
    the first whose reach is on or after the day, when it starts on or before the day:
    every closure before ``j`` ends before the day, and none after it starts sooner.

    >>> index = _ClosureIndex((Closure(start="2026-12-20", end="2027-01-03", reason="winter"),
    ...                        Closure(start="2026-12-24", reason="eve")))
    >>> index.first_covering(pendulum.date(2026, 12, 24)).reason
    'winter'
    >>> index.first_covering(pendulum.date(2027, 1, 4)) is None
    True
    """

    __slots__ = ("_closures", "_reach", "_starts")

    def __init__(self, closures: Sequence[Closure]) -> None:
        self._closures = tuple(closures)
        self._starts = [closure.start.toordinal() for closure in self._closures]
        ends = (closure.end.toordinal() for closure in self._closures)
        self._reach = list(itertools.accumulate(ends, max))

    def first_covering(self, day: dt.date) -> Closure | None:
        """The first closure (in the clinic's order) that covers *day*, or ``None``."""
        ordinal = day.toordinal()
        at = bisect.bisect_left(self._reach, ordinal)
        if at < len(self._starts) and self._starts[at] <= ordinal:
            return self._closures[at]
        return None


def _as_date(value: object, *, field: str) -> pendulum.Date:
    if type(value) is pendulum.Date:
        return value  # already read: the plan asks for many days
    return parse_date(value, field=field)
