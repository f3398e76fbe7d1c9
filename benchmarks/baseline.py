"""The same pipeline as the library's, in the standard library alone, as tight as it goes.

No validation, no objects beyond tuples, no explanation: `datetime` and `zoneinfo` only.
It keeps the caches the library keeps, so that the benchmark compares like with like:
each day's slot minutes worked out once and remembered (the clinic's per-day memo), and
every duration, interval offset and care-window length worked out once per setup (what
the library precomputes per protocol and rule). It places the sessions the way
`plan_series` does (the local time of the session before kept first, the nearest day
within the bounds, on a tie the later day; opening hours, holidays, 15-minute slots, DST
gaps and repeated hours skipped), then the maintenance window, the pre-care and
aftercare windows and the timeline. `run.py` checks that both give the same instants on
hundreds of clients before it times them.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

UTC = dt.UTC
_ONE_DAY = dt.timedelta(days=1)

Walls = range | tuple[int, ...] | None


@dataclass(frozen=True)
class Setup:
    """The numbers of one clinic and one protocol, read once from the library's rules."""

    zone: ZoneInfo
    hours: tuple[tuple[tuple[int, int], ...], ...]  # per weekday, Monday first: minute pairs
    closed: frozenset[dt.date]
    step: int
    minutes: int
    interval: int
    low: int
    high: int
    count: int
    maintenance: tuple[int, int]  # months
    adult_years: int
    precare: tuple[tuple[int, int, int], ...]  # days, hours, minutes before the start
    aftercare: tuple[int, ...]  # seconds after the end
    effects: tuple[int, ...]  # seconds after the end
    # Each result's start and end: the session it counts from (None: the last), months, days.
    results: tuple[tuple[tuple[int | None, int, int], tuple[int | None, int, int]], ...]
    # Worked out once, as the library does: the durations, and each day's slot minutes.
    length: dt.timedelta = field(init=False, compare=False)
    offsets: tuple[int, ...] = field(init=False, compare=False)
    precare_deltas: tuple[dt.timedelta, ...] = field(init=False, compare=False)
    aftercare_deltas: tuple[dt.timedelta, ...] = field(init=False, compare=False)
    effect_deltas: tuple[dt.timedelta, ...] = field(init=False, compare=False)
    memo: dict[dt.date, Walls] = field(init=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        """Work out the durations and the order of the days tried, once."""
        derived = {
            "length": dt.timedelta(minutes=self.minutes),
            "offsets": tuple(
                sorted(
                    range(self.low - self.interval, self.high - self.interval + 1),
                    key=lambda d: (abs(d), -d),
                )
            ),
            "precare_deltas": tuple(
                dt.timedelta(days=d, hours=h, minutes=m) for d, h, m in self.precare
            ),
            "aftercare_deltas": tuple(dt.timedelta(seconds=s) for s in self.aftercare),
            "effect_deltas": tuple(dt.timedelta(seconds=s) for s in self.effects),
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)


def _steady(zone: ZoneInfo, day: dt.date, begin: int, end: int) -> bool:
    start = dt.datetime(day.year, day.month, day.day, tzinfo=zone) + dt.timedelta(minutes=begin)
    stop = start + dt.timedelta(minutes=end - begin)
    offsets = {start.utcoffset(), start.replace(fold=1).utcoffset(), stop.utcoffset()}
    return len(offsets) == 1 and stop.replace(fold=1).utcoffset() in offsets


def _work_out(setup: Setup, day: dt.date) -> Walls:
    if day in setup.closed:
        return ()
    found: list[range] = []
    step = setup.step
    for begin, end in setup.hours[day.weekday()]:
        if not _steady(setup.zone, day, begin, end):
            return None
        found.append(range(-(-begin // step) * step, end - setup.minutes + 1, step))
    if len(found) == 1:
        return found[0]
    return tuple(wall for walls in found for wall in walls)


def walls(setup: Setup, day: dt.date) -> Walls:
    """The wall minutes of *day*'s slots on a steady day; None when the clocks change."""
    try:
        return setup.memo[day]
    except KeyError:
        found = setup.memo[day] = _work_out(setup, day)
        return found


def _local(zone: ZoneInfo, day: dt.date, wall: int) -> dt.datetime | None:
    first = dt.datetime(day.year, day.month, day.day, wall // 60, wall % 60, tzinfo=zone)
    if first.utcoffset() != first.replace(fold=1).utcoffset():
        return None  # in a gap or in the repeated hour
    return first


def _fits_exactly(setup: Setup, start: dt.datetime, end_wall: int) -> bool:
    for minute in range(setup.minutes):
        moment = (start.astimezone(UTC) + dt.timedelta(minutes=minute)).astimezone(setup.zone)
        if moment.date() != start.date() or moment.hour * 60 + moment.minute >= end_wall:
            return False
    return True


def _exact_slots(setup: Setup, day: dt.date) -> list[dt.datetime]:
    """Every start on a day when the clocks change, found minute by minute."""
    found: list[dt.datetime] = []
    if day in setup.closed:
        return found
    for begin, end in setup.hours[day.weekday()]:
        for wall in range(-(-begin // setup.step) * setup.step, end, setup.step):
            start = _local(setup.zone, day, wall)
            if start is not None and _fits_exactly(setup, start, end):
                found.append(start)
    return found


def slots(setup: Setup, day: dt.date) -> list[dt.datetime]:
    """Every start on *day* where a session fits."""
    steady = walls(setup, day)
    if steady is None:
        return _exact_slots(setup, day)
    zone = setup.zone
    y, m, d = day.year, day.month, day.day
    return [dt.datetime(y, m, d, w // 60, w % 60, tzinfo=zone) for w in steady]


def _at(setup: Setup, day: dt.date, wall: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, wall // 60, wall % 60, tzinfo=setup.zone)


def _same_time(
    setup: Setup, day: dt.date, wanted: int, not_before: dt.datetime
) -> dt.datetime | None:
    steady = walls(setup, day)
    if steady is None:
        best = _nearest(setup, day, wanted, not_before)
        return best if best is not None and best.hour * 60 + best.minute == wanted else None
    if wanted in steady:
        start = _at(setup, day, wanted)
        if start >= not_before:
            return start
    return None


def _nearest(
    setup: Setup, day: dt.date, wanted: int, not_before: dt.datetime
) -> dt.datetime | None:
    steady = walls(setup, day)
    if steady is None:
        free = [s for s in _exact_slots(setup, day) if s >= not_before]
        return min(free, key=lambda s: (abs(s.hour * 60 + s.minute - wanted), s), default=None)
    for wall in sorted(steady, key=lambda w: (abs(w - wanted), w)):
        start = _at(setup, day, wall)
        if start >= not_before:
            return start
    return None


def _first(setup: Setup, day: dt.date, moment: dt.datetime) -> dt.datetime | None:
    steady = walls(setup, day)
    if steady is None:
        return next((s for s in _exact_slots(setup, day) if s >= moment), None)
    lowest = 0
    if moment.date() == day:
        lowest = moment.hour * 60 + moment.minute + bool(moment.second or moment.microsecond)
    for wall in steady:
        if wall >= lowest:
            start = _at(setup, day, wall)
            if start >= moment:
                return start
    return None


def _after(setup: Setup, before: dt.datetime, not_before: dt.datetime) -> dt.datetime:
    target = before.date() + dt.timedelta(days=setup.interval)
    days = [target + dt.timedelta(days=offset) for offset in setup.offsets]
    wanted = before.hour * 60 + before.minute
    for day in days:
        best = _same_time(setup, day, wanted, not_before)
        if best is not None:
            return best
    for day in days:
        best = _nearest(setup, day, wanted, not_before)
        if best is not None:
            return best
    raise ValueError(before)


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def plan(setup: Setup, birth: dt.date, on: dt.date, start: dt.datetime) -> list[dt.datetime]:
    """The session starts for one client, or none when the client is under age."""
    if _add_months(birth, 12 * setup.adult_years) > on:
        return []
    zone = setup.zone
    moment = start.astimezone(zone)
    day = max(moment.date(), on)
    first = None
    while first is None:
        first = _first(setup, day, moment)
        day += _ONE_DAY
    sessions = [first]
    length = setup.length
    while len(sessions) < setup.count:
        end = (sessions[-1].astimezone(UTC) + length).astimezone(zone)
        sessions.append(_after(setup, sessions[-1], end))
    return sessions


def pipeline(
    setup: Setup, birth: dt.date, on: dt.date, start: dt.datetime
) -> tuple[list[Any], ...]:
    """The plan, its maintenance, its care windows and its timeline, as plain tuples."""
    sessions = plan(setup, birth, on, start)
    zone, length = setup.zone, setup.length
    utc_ends = [s.astimezone(UTC) + length for s in sessions]
    ends = [end.astimezone(zone) for end in utc_ends]
    last = ends[-1].date()
    low, high = setup.maintenance
    maintenance = [(_add_months(last, low), _add_months(last, high))]
    care: list[tuple[dt.datetime, dt.datetime]] = []
    after, effect = setup.aftercare_deltas, setup.effect_deltas
    for start_, end, utc in zip(sessions, ends, utc_ends, strict=True):
        # Calendar time before the start (aware arithmetic keeps the wall clock), elapsed
        # time after the end.
        care.extend((start_ - delta, start_) for delta in setup.precare_deltas)
        care.extend((end, (utc + delta).astimezone(zone)) for delta in after)
    results = [(_anchor(ends, *start_), _anchor(ends, *end_)) for start_, end_ in setup.results]
    effects = [
        (end, (utc + delta).astimezone(zone))
        for end, utc in zip(ends, utc_ends, strict=True)
        for delta in effect
    ]
    return sessions, maintenance, care, results, effects


def _anchor(
    ends: Sequence[dt.datetime], number: int | None, months: int, days: int
) -> dt.date | None:
    if number is not None and number > len(ends):
        return None
    session = ends[-1] if number is None else ends[number - 1]
    return _add_months(session.date(), months) + dt.timedelta(days=days)
