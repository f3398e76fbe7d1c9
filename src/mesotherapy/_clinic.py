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

- `ClinicError` (a `RuleSetError`): the shape of the clinic is wrong (an unknown or
  missing key, a value of the wrong type, an interval that ends before it starts or
  overlaps another, a closure that ends before it starts, a slot length that is no whole
  number above 0);
- `InvalidTimeError`: a time, date or time zone that cannot be read (``"25:00"``,
  ``"2026-02-30"``, ``"Mars/Olympus"``), or a local time in a DST gap or repeated hour;
- `UnknownCodeError`: an unknown weekday, holidays country, subdivision or category.

A file with problems of more than one kind raises a `ClinicError` that lists them all.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import functools
import types
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final

import attrs
import pendulum

from ._clinic_checks import (
    _check_holidays,
    _clock,
    _minutes,
    _Problems,
    _read_any_time,
    _read_categories,
    _read_holidays,
    _read_slot_minutes,
    _read_text,
    _read_zone,
    _wall_minute,
    _zone,
    holiday_entity,
    holiday_table,
)
from ._clinic_values import (
    WEEKDAYS,
    Closure,
    Interval,
    IntervalLike,
    OpeningHours,
    _as_date,
    _ClosureIndex,
    _read_closures,
    _read_hours,
    _to_categories,
    _to_closures,
    _to_hours,
)
from ._errors import InvalidTimeError
from ._time import (
    Fold,
    Gap,
    Unambiguous,
    aware,
    elapsed_after,
    in_zone,
    local_instant,
    within_calendar,
)

__all__ = [
    "WEEKDAYS",
    "Clinic",
    "Closure",
    "Interval",
    "IntervalLike",
    "OpeningHours",
    "example_clinic",
]


def _valid(_: Clinic, attribute: attrs.Attribute[Any], value: object) -> None:
    """The validator of each field of a clinic: its reader, under the field's name."""
    problems = _Problems()
    _READERS[attribute.name](value, attribute.name, problems)
    problems.raise_any()


def _known_holidays(instance: Clinic, _: object, categories: tuple[str, ...]) -> None:
    """The cross-field rule of a clinic: its holidays code knows its holiday categories."""
    if instance.holidays is not None:
        problems = _Problems()
        _check_holidays(instance.holidays, categories, problems)
        problems.raise_any()


@functools.lru_cache(maxsize=256)
def _holiday_names(
    country: str, subdiv: str | None, categories: tuple[str, ...], year: int
) -> Mapping[dt.date, str]:
    """The holidays of one year, by date; several on one day are joined with ``"; "``."""
    entity = holiday_entity(country)
    if entity is None:  # pragma: no cover - a clinic's code is checked when it is made
        import holidays  # noqa: PLC0415 - let holidays say what it does not know

        table = holidays.country_holidays(country, subdiv=subdiv, years=year, categories=categories)
    else:
        table = holiday_table(entity, subdiv=subdiv, years=year, categories=categories)
    return types.MappingProxyType(dict(table.items()))


# --- The calendar ---------------------------------------------------------------------------


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
        ClinicError: a value of the wrong type or shape (see the module's notes).
    """

    name: str = attrs.field(validator=_valid)
    timezone: str = attrs.field(validator=_valid)
    hours: OpeningHours = attrs.field(converter=_to_hours, validator=_valid)
    closures: tuple[Closure, ...] = attrs.field(
        default=(), converter=_to_closures, validator=_valid
    )
    holidays: str | None = attrs.field(default=None, validator=_valid)
    holiday_categories: tuple[str, ...] = attrs.field(
        default=("public",), converter=_to_categories, validator=[_valid, _known_holidays]
    )
    slot_minutes: int = attrs.field(default=15, validator=_valid)
    # Each day's slot minutes, worked out once: planning asks about the same days again and
    # again. Not part of the value: equality, hashing, repr and pickles leave it out.
    _walls_memo: collections.OrderedDict[tuple[dt.date, int], range | tuple[int, ...] | None] = (
        attrs.field(init=False, factory=collections.OrderedDict, eq=False, repr=False)
    )
    # The closures ready for bisection, made on the first question about a day (not here:
    # the closures may still be unread input that their validator is about to refuse).
    _closure_index: _ClosureIndex | None = attrs.field(
        init=False, default=None, eq=False, repr=False
    )

    def __getstate__(self) -> dict[str, Any]:
        """The clinic's fields, for pickle (without the memo of worked-out days)."""
        return {f.name: getattr(self, f.name) for f in _VALUE_FIELDS}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "_walls_memo", collections.OrderedDict())
        object.__setattr__(self, "_closure_index", None)

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
        return self._closed_reason(_as_date(day, field="day"))

    def _closed_reason(self, day: dt.date) -> str | None:
        if self.closures:
            index = self._closure_index
            if index is None:  # two threads may both build it: they build the same
                index = _ClosureIndex(self.closures)
                object.__setattr__(self, "_closure_index", index)
            closure = index.first_covering(day)
            if closure is not None:
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
        return self._holiday(_as_date(day, field="day"))

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
        day = _as_date(day, field="day")
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
        memo = self._walls_memo
        try:
            walls = memo[key]
        except KeyError:
            pass
        else:
            # Another thread may just have forgotten the day: the answer stands all the same.
            with contextlib.suppress(KeyError):
                memo.move_to_end(key)  # the least recently used day is forgotten first
            return walls
        walls = memo[key] = self._work_out_walls(day, minutes)
        # A long-lived clinic keeps a bounded memo, forgetting one day at a time: the days a
        # batch is planning stay, however many years its clients' starts are spread over.
        while len(memo) > _MEMO_DAYS:
            try:
                memo.popitem(last=False)
            except KeyError:  # emptied by another thread meanwhile
                break
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
        return self._slots(_as_date(day, field="day"), _minutes(minutes))

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
        day, minutes = _as_date(day, field="day"), _minutes(minutes)
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
        day, minutes = _as_date(day, field="day"), _minutes(minutes)
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
        day, minutes = _as_date(day, field="day"), _minutes(minutes)
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
        day = _as_date(day, field="day")
        problems = _Problems()
        time = problems.settle(
            _read_any_time(local_time, "local_time", problems), kind=InvalidTimeError
        )
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
_READERS: Final[Mapping[str, Callable[[object, str, _Problems], Any]]] = {
    "name": _read_text,
    "timezone": _read_zone,
    "hours": _read_hours,
    "closures": _read_closures,
    "holidays": _read_holidays,
    "holiday_categories": _read_categories,
    "slot_minutes": _read_slot_minutes,
}
"""The reader of each key of a clinic, in a file, a mapping or code: its value fields."""
_MEMO_DAYS = 4096
"""How many (day, length) answers a clinic remembers; the least recently used goes first."""


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


# --- The example clinic -------------------------------------------------------------------


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
            **dict.fromkeys(WEEKDAYS[:5], weekday), saturday=(Interval(start="10:00", end="16:00"),)
        ),
        holidays=holidays,
    )
