"""The same date arithmetic as the pipeline, in the standard library alone.

No validation, no objects beyond tuples, no explanation: `datetime` and `zoneinfo` only.
It places the sessions the way `plan_series` does (the local time of the session before
kept first, the nearest day within the bounds, on a tie the later day; opening hours,
holidays, 15-minute slots, DST gaps and repeated hours skipped), then the maintenance
window, the pre-care and aftercare windows and the timeline, so that the benchmark can
compare like with like. `run.py` checks that both give the same instants.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

UTC = dt.UTC


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


def _local(zone: ZoneInfo, day: dt.date, wall: int) -> dt.datetime | None:
    first = dt.datetime(day.year, day.month, day.day, wall // 60, wall % 60, tzinfo=zone)
    if first.utcoffset() != first.replace(fold=1).utcoffset():
        return None  # in a gap or in the repeated hour
    return first


def _steady(zone: ZoneInfo, day: dt.date, begin: int, end: int) -> bool:
    start = dt.datetime(day.year, day.month, day.day, tzinfo=zone) + dt.timedelta(minutes=begin)
    stop = start + dt.timedelta(minutes=end - begin)
    offsets = {start.utcoffset(), start.replace(fold=1).utcoffset(), stop.utcoffset()}
    return len(offsets) == 1 and stop.replace(fold=1).utcoffset() in offsets


def _fits_exactly(setup: Setup, start: dt.datetime, end_wall: int) -> bool:
    for minute in range(setup.minutes):
        moment = (start.astimezone(UTC) + dt.timedelta(minutes=minute)).astimezone(setup.zone)
        if moment.date() != start.date() or moment.hour * 60 + moment.minute >= end_wall:
            return False
    return True


def walls(setup: Setup, day: dt.date) -> list[int] | None:
    """The wall minutes of *day*'s slots on a steady day; None when the clocks change."""
    if day in setup.closed:
        return []
    found: list[int] = []
    for begin, end in setup.hours[day.weekday()]:
        if not _steady(setup.zone, day, begin, end):
            return None
        found += range(-(-begin // setup.step) * setup.step, end - setup.minutes + 1, setup.step)
    return found


def slots(setup: Setup, day: dt.date) -> list[dt.datetime]:
    """Every start on *day* where a session fits."""
    steady = walls(setup, day)
    if steady is not None:
        return [_local(setup.zone, day, wall) for wall in steady]  # type: ignore[misc]
    found = []
    for begin, end in setup.hours[day.weekday()]:
        for wall in range(-(-begin // setup.step) * setup.step, end, setup.step):
            start = _local(setup.zone, day, wall)
            if start is not None and _fits_exactly(setup, start, end):
                found.append(start)
    return found


def _nearest(
    setup: Setup, day: dt.date, wanted: int, not_before: dt.datetime
) -> dt.datetime | None:
    steady = walls(setup, day)
    if steady is not None and wanted in steady:
        start = _local(setup.zone, day, wanted)
        if start is not None and start >= not_before:
            return start
    free = [s for s in slots(setup, day) if s >= not_before]
    return min(free, key=lambda s: (abs(s.hour * 60 + s.minute - wanted), s), default=None)


def _after(setup: Setup, before: dt.datetime, not_before: dt.datetime) -> dt.datetime:
    target = before.date() + dt.timedelta(days=setup.interval)
    offsets = sorted(
        range(setup.low - setup.interval, setup.high - setup.interval + 1),
        key=lambda d: (abs(d), -d),
    )
    wanted = before.hour * 60 + before.minute
    for same_time in (True, False):
        for offset in offsets:
            best = _nearest(setup, target + dt.timedelta(days=offset), wanted, not_before)
            if best is not None and (not same_time or best.hour * 60 + best.minute == wanted):
                return best
    raise ValueError(before)


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _elapsed(moment: dt.datetime, seconds: int, zone: ZoneInfo) -> dt.datetime:
    return (moment.astimezone(UTC) + dt.timedelta(seconds=seconds)).astimezone(zone)


def plan(setup: Setup, birth: dt.date, on: dt.date, start: dt.datetime) -> list[dt.datetime]:
    """The session starts for one client, or none when the client is under age."""
    if _add_months(birth, 12 * setup.adult_years) > on:
        return []
    moment = start.astimezone(setup.zone)
    day = max(moment.date(), on)
    first = None
    while first is None:
        first = next((s for s in slots(setup, day) if s >= moment), None)
        day += dt.timedelta(days=1)
    sessions = [first]
    while len(sessions) < setup.count:
        end = _elapsed(sessions[-1], setup.minutes * 60, setup.zone)
        sessions.append(_after(setup, sessions[-1], end))
    return sessions


def pipeline(
    setup: Setup, birth: dt.date, on: dt.date, start: dt.datetime
) -> tuple[list[Any], ...]:
    """The plan, its maintenance, its care windows and its timeline, as plain tuples."""
    sessions = plan(setup, birth, on, start)
    zone = setup.zone
    ends = [_elapsed(s, setup.minutes * 60, zone) for s in sessions]
    last = ends[-1].date()
    maintenance = [
        (_add_months(last, setup.maintenance[0]), _add_months(last, setup.maintenance[1]))
    ]
    care = []
    for start_, end in zip(sessions, ends, strict=True):
        for days, hours, minutes in setup.precare:
            wall = start_.replace(tzinfo=None) - dt.timedelta(
                days=days, hours=hours, minutes=minutes
            )
            care.append((wall.replace(tzinfo=zone), start_))
        care.extend((end, _elapsed(end, seconds, zone)) for seconds in setup.aftercare)
    results = [(_anchor(ends, *start_), _anchor(ends, *end_)) for start_, end_ in setup.results]
    effects = [(end, _elapsed(end, seconds, zone)) for end in ends for seconds in setup.effects]
    return sessions, maintenance, care, results, effects


def _anchor(
    ends: Sequence[dt.datetime], number: int | None, months: int, days: int
) -> dt.date | None:
    if number is not None and number > len(ends):
        return None
    session = ends[-1] if number is None else ends[number - 1]
    return _add_months(session.date(), months) + dt.timedelta(days=days)
