"""The search for a session's time: the clinic's opening nearest to where the series wants it."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Iterator

import pendulum

from ._clinic import Clinic
from ._errors import SchedulingError
from ._protocol import SeriesProtocol
from ._session import Session

__all__ = ["first_start", "start_after"]

_ONE_DAY = dt.timedelta(days=1)
_SEARCH_DAYS = 366
"""How far ahead a session is looked for before the plan is called infeasible."""


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
) -> pendulum.DateTime:
    """The first opening for a session at *moment* or after, never before *earliest*.

    Raises:
        SchedulingError: the clinic has no such opening within a year.
    """
    minutes = protocol.session_minutes
    day = max(moment.date(), earliest)
    start = _found(_days_from(day), lambda d: clinic.first_slot(d, minutes, not_before=moment))
    if start is not None:
        return start
    msg = (
        f"session 1: the clinic has no opening for {minutes} minutes "
        f"within {_SEARCH_DAYS} days of {moment}"
    )
    raise SchedulingError(msg)


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
    wanted = before.start.hour * 60 + before.start.minute
    minutes = protocol.session_minutes
    whole = not before.start.second and not before.start.microsecond
    # The arguments are the plan's own (*not_before* the end of a session it built): ask the
    # clinic's day memo directly rather than through `Clinic.slot_at`, which checks them
    # again for every day tried.
    floor = not_before

    def same_time(day: pendulum.Date) -> pendulum.DateTime | None:
        # At a start with seconds, the same local time is no slot of the clinic's.
        return _slot_at(clinic, day, minutes, wanted, floor) if whole else None

    def nearest(day: pendulum.Date) -> pendulum.DateTime | None:
        return clinic._nearest_slot(day, minutes, wanted, floor)  # noqa: SLF001 - see above

    after = f"after session {before.index}"
    if beyond:
        day = before.start.date()
        days = _days_from(dt.date.__add__(day, dt.timedelta(days=protocol.max_interval_days + 1)))
        start = _found(days, lambda d: same_time(d) or nearest(d))
    else:
        target = dt.date.__add__(before.start.date(), dt.timedelta(days=protocol.interval_days))
        low = protocol.min_interval_days - protocol.interval_days
        high = protocol.max_interval_days - protocol.interval_days
        start = _found(_nearest_days(target, low, high), same_time) if whole else None
        if start is None:
            start = _found(_nearest_days(target, low, high), nearest)
    if start is not None:
        return start
    # The message only when it is needed: its dates cost more than the search that succeeds.
    if beyond:
        where = (
            f"within {_SEARCH_DAYS} days after the longest interval "
            f"(interval_days {protocol.max_interval_days} {after})"
        )
    else:
        where = (
            f"from {target.add(days=low)} to {target.add(days=high)} (interval_days "
            f"{protocol.min_interval_days}-{protocol.max_interval_days} {after})"
        )
    msg = f"session {index}: the clinic has no opening for {minutes} minutes {where}"
    raise SchedulingError(msg)
