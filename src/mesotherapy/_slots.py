"""The search for a session's time: the clinic's opening nearest to where the series wants it."""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from collections.abc import Callable, Iterable, Iterator
from typing import NoReturn

import pendulum

from ._clinic import Clinic
from ._errors import SchedulingError
from ._model import Area
from ._protocol import SeriesProtocol
from ._session import Session, planned_session, session_id
from ._time import elapsed_after

__all__ = ["first_start", "series_sessions", "start_after"]

_ONE_DAY = dt.timedelta(days=1)
_SEARCH_DAYS = 366
"""How far ahead a session is looked for before the plan is called infeasible."""
_DAY_MINUTES = 24 * 60


def _found(
    days: Iterable[pendulum.Date], find: Callable[[pendulum.Date], pendulum.DateTime | None]
) -> pendulum.DateTime | None:
    """The first slot *find* gives on one of *days*, in their order, or ``None``."""
    return next((start for day in days if (start := find(day)) is not None), None)


def _days_from(day: pendulum.Date) -> Iterator[pendulum.Date]:
    """*day* and the days after it, as far ahead as a session is looked for."""
    for _ in range(_SEARCH_DAYS):
        yield day
        day = dt.date.__add__(day, _ONE_DAY)


def _nearest_days(target: pendulum.Date, low: int, high: int) -> Iterator[pendulum.Date]:
    """The days *low* to *high* days from *target*, nearest first, of two the later first."""
    for offset in _nearest_first(low, high):
        # Day arithmetic in C keeps the Date type, at a fifth of the cost of `add(days=...)`.
        yield dt.date.__add__(target, dt.timedelta(days=offset))


@functools.lru_cache(maxsize=256)
def _nearest_first(low: int, high: int) -> tuple[int, ...]:
    return tuple(sorted(range(low, high + 1), key=lambda d: (abs(d), -d)))


def _slot_at(
    clinic: Clinic, day: dt.date, minutes: int, wall: int, not_before: pendulum.DateTime
) -> pendulum.DateTime | None:
    """`Clinic.slot_at` for arguments the plan has checked already."""
    walls = clinic._walls(day, minutes)  # noqa: SLF001 - the day memo, see `start_after`
    if walls is None:
        start = clinic._nearest_slot(day, minutes, wall, not_before)  # noqa: SLF001
        return start if start is not None and start.hour * 60 + start.minute == wall else None
    if wall not in walls:
        return None
    start = clinic._instant(day, wall)  # noqa: SLF001
    return start if start >= not_before else None


def first_start(
    clinic: Clinic, protocol: SeriesProtocol, moment: pendulum.DateTime, earliest: pendulum.Date
) -> tuple[pendulum.DateTime, pendulum.DateTime]:
    """The first opening for a session at *moment* or after, never before *earliest*.

    With the end of a session there. *moment* is an instant in the clinic's zone
    (`plan_series` has checked it).

    Raises:
        SchedulingError: the clinic has no such opening within a year.
    """
    minutes = protocol.session_minutes
    day = max(moment.date(), earliest)
    for _ in range(_SEARCH_DAYS):
        found = _first_slot(clinic, day, minutes, moment)
        if found is not None:
            return found
        day = dt.date.__add__(day, _ONE_DAY)
    msg = (
        f"session 1: the clinic has no opening for {minutes} minutes "
        f"within {_SEARCH_DAYS} days of {moment}"
    )
    raise SchedulingError(msg)


def _first_slot(
    clinic: Clinic, day: dt.date, minutes: int, moment: pendulum.DateTime
) -> tuple[pendulum.DateTime, pendulum.DateTime] | None:
    """`Clinic.first_slot` for a valid length and an instant in the clinic's zone; the end."""
    walls = clinic._walls(day, minutes)  # noqa: SLF001 - the day memo, see `start_after`
    if walls is None:
        exact = clinic._exact_slots(day, minutes)  # noqa: SLF001
        start = next((s for s in exact if s >= moment), None)
        return None if start is None else (start, _end(start, minutes))
    lowest = 0
    if moment.year == day.year and moment.month == day.month and moment.day == day.day:
        # On a steady day a later wall minute is a later instant: skip the earlier ones.
        lowest = moment.hour * 60 + moment.minute + bool(moment.second or moment.microsecond)
    # The walls rise (a range, or the ranges of the day's intervals in order): skip those
    # before *lowest* at once.
    for wall in walls[bisect.bisect_left(walls, lowest) :]:
        start = clinic._instant(day, wall)  # noqa: SLF001
        if start >= moment:
            return start, _steady_end(clinic, day, wall, minutes, start)
    return None


def _end(start: pendulum.DateTime, minutes: int) -> pendulum.DateTime:
    return elapsed_after(start, dt.timedelta(minutes=minutes))


def _steady_end(
    clinic: Clinic, day: dt.date, wall: int, minutes: int, start: pendulum.DateTime
) -> pendulum.DateTime:
    """The end of a session at the slot *wall* of a steady *day* (`Clinic._walls`).

    On a steady day the clocks run with real time through the opening interval, so the
    session ends at its wall time *minutes* later, at the same offset: built from the
    fields, as `elapsed_after` would give it, at a third of the cost.
    """
    ending = wall + minutes
    if ending < _DAY_MINUTES:
        return clinic._instant(day, ending)  # noqa: SLF001
    return _end(start, minutes)  # at midnight: the next day's date


def series_sessions(
    clinic: Clinic,
    protocol: SeriesProtocol,
    first: tuple[pendulum.DateTime, pendulum.DateTime],
    plan_id: str,
    areas: tuple[Area, ...],
) -> tuple[Session, ...]:
    """The sessions of a new plan whose first is *first* (start, end), each built once.

    What `TreatmentPlan._reflow` books after a plan's first session when none is
    cancelled, missed or overridden: each next session at `start_after` the one before,
    not before it ends. *plan_id* is checked already: each session has its final id
    (`session_id`) from the start.

    Raises:
        SchedulingError: the clinic has no opening for a session within its bounds.
    """
    minutes = protocol.session_minutes
    length = dt.timedelta(minutes=minutes)
    interval = dt.timedelta(days=protocol.interval_days)
    low = protocol.min_interval_days - protocol.interval_days
    high = protocol.max_interval_days - protocol.interval_days
    deltas = _nearest_deltas(low, high)
    start, end = first
    sessions = [planned_session(session_id(plan_id, 1), 1, start, end, areas)]
    for index in range(2, protocol.sessions + 1):
        target = dt.date.__add__(start.date(), interval)
        found = _same_time(clinic, minutes, start, end, target=target, deltas=deltas)
        if found is None:
            # No day keeps the local time: the whole search, its first half again included.
            nearest = _within_bounds(clinic, protocol, start, end)
            if nearest is None:
                _no_opening(protocol, sessions[-1], index, beyond=False)
            start, end = nearest, elapsed_after(nearest, length)
        else:
            start, end = found
        sessions.append(planned_session(session_id(plan_id, index), index, start, end, areas))
    return tuple(sessions)


def _same_time(  # noqa: PLR0913 - each argument is one fact of the search
    clinic: Clinic,
    minutes: int,
    before: pendulum.DateTime,
    floor: pendulum.DateTime,
    *,
    target: pendulum.Date,
    deltas: tuple[dt.timedelta, ...],
) -> tuple[pendulum.DateTime, pendulum.DateTime] | None:
    """The first half of `_within_bounds` (the local time of *before* kept), with the end."""
    if before.second or before.microsecond:
        return None  # at a start with seconds, the same local time is no slot of the clinic's
    wanted = before.hour * 60 + before.minute
    for delta in deltas:
        day = dt.date.__add__(target, delta)
        walls = clinic._walls(day, minutes)  # noqa: SLF001 - the day memo, see `start_after`
        if walls is None:
            start = clinic._nearest_slot(day, minutes, wanted, floor)  # noqa: SLF001
            if start is not None and start.hour * 60 + start.minute == wanted:
                return start, _end(start, minutes)
        elif wanted in walls:
            start = clinic._instant(day, wanted)  # noqa: SLF001
            if start >= floor:
                return start, _steady_end(clinic, day, wanted, minutes, start)
    return None


@functools.lru_cache(maxsize=256)
def _nearest_deltas(low: int, high: int) -> tuple[dt.timedelta, ...]:
    return tuple(dt.timedelta(days=offset) for offset in _nearest_first(low, high))


def start_after(  # noqa: PLR0913 - each argument is one fact of the search
    clinic: Clinic,
    protocol: SeriesProtocol,
    before: Session,
    index: int,
    not_before: pendulum.DateTime,
    *,
    beyond: bool = False,
) -> pendulum.DateTime:
    """The start of session *index* after *before*: within the bounds, or *beyond* them.

    Within the bounds, the feasible start nearest one interval after *before*. The
    client's local time comes first: the nearest day within the bounds on which the
    session fits at the same local time as *before*; only when no such day exists, the
    nearest day with any opening, at the opening nearest to that time. Of two equally
    near days, the later is tried first: the lower bound is a minimum for the skin's
    recovery, and a tie should never shorten the gap that was asked for.

    *beyond* (an override's), the first feasible start after the longest interval from
    *before*, the client's local time first on each day.

    Raises:
        SchedulingError: the clinic has no such opening.
    """
    if beyond:
        start = _beyond_bounds(clinic, protocol, before.start, not_before)
    else:
        start = _within_bounds(clinic, protocol, before.start, not_before)
    if start is None:
        _no_opening(protocol, before, index, beyond=beyond)
    return start


def _within_bounds(
    clinic: Clinic, protocol: SeriesProtocol, before: pendulum.DateTime, floor: pendulum.DateTime
) -> pendulum.DateTime | None:
    """`start_after` within the bounds after a session at *before*, not before *floor*."""
    # The arguments are the plan's own (*floor* the end of a session it built): ask the
    # clinic's day memo directly rather than through `Clinic.slot_at`, which checks them
    # again for every day tried.
    wanted = before.hour * 60 + before.minute
    minutes = protocol.session_minutes
    target = dt.date.__add__(before.date(), dt.timedelta(days=protocol.interval_days))
    low = protocol.min_interval_days - protocol.interval_days
    high = protocol.max_interval_days - protocol.interval_days
    # At a start with seconds, the same local time is no slot of the clinic's.
    if not before.second and not before.microsecond:
        for day in _nearest_days(target, low, high):
            if (start := _slot_at(clinic, day, minutes, wanted, floor)) is not None:
                return start
    for day in _nearest_days(target, low, high):
        if (start := clinic._nearest_slot(day, minutes, wanted, floor)) is not None:  # noqa: SLF001
            return start
    return None


def _beyond_bounds(
    clinic: Clinic, protocol: SeriesProtocol, before: pendulum.DateTime, floor: pendulum.DateTime
) -> pendulum.DateTime | None:
    """`start_after` beyond the bounds after a session at *before*, not before *floor*."""
    wanted = before.hour * 60 + before.minute
    minutes = protocol.session_minutes
    whole = not before.second and not before.microsecond

    def same_time(day: pendulum.Date) -> pendulum.DateTime | None:
        # At a start with seconds, the same local time is no slot of the clinic's.
        return _slot_at(clinic, day, minutes, wanted, floor) if whole else None

    def nearest(day: pendulum.Date) -> pendulum.DateTime | None:
        return clinic._nearest_slot(day, minutes, wanted, floor)  # noqa: SLF001 - see above

    first = dt.date.__add__(before.date(), dt.timedelta(days=protocol.max_interval_days + 1))
    return _found(_days_from(first), lambda d: same_time(d) or nearest(d))


def _no_opening(protocol: SeriesProtocol, before: Session, index: int, *, beyond: bool) -> NoReturn:
    """Refuse session *index*, for which the clinic has no opening after *before*."""
    # The message only when it is needed: its dates cost more than the search that succeeds.
    after = f"after session {before.index}"
    if beyond:
        where = (
            f"within {_SEARCH_DAYS} days after the longest interval "
            f"(interval_days {protocol.max_interval_days} {after})"
        )
    else:
        target = before.start.date().add(days=protocol.interval_days)
        low = protocol.min_interval_days - protocol.interval_days
        high = protocol.max_interval_days - protocol.interval_days
        where = (
            f"from {target.add(days=low)} to {target.add(days=high)} (interval_days "
            f"{protocol.min_interval_days}-{protocol.max_interval_days} {after})"
        )
    msg = (
        f"session {index}: the clinic has no opening for {protocol.session_minutes} minutes {where}"
    )
    raise SchedulingError(msg)
