"""What the diary search places and the clinic's openings it works from.

A `Step` is one session for the search to place and an `Opening` where the first one is
looked for; a `_Window` is the days a session is looked for on, a `_DeadEnd` what blocked
it; `_clinic_days` keeps each clinic's openings by day (`_Day`) for every search of the
process. The search itself is `_diary_backtrack`; its entry points are `_diary_search`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import attrs
import pendulum

from ._clinic import Clinic
from ._session import Override, Session, SessionStatus


@attrs.frozen(kw_only=True)
class Opening:
    """Where the first session is looked for: at *moment* or after, never before *earliest*."""

    moment: pendulum.DateTime
    earliest: pendulum.Date


@attrs.frozen(kw_only=True)
class Step:
    """One session for the search to place: its identity, and how far it may move.

    ``current`` is where the session stands now (an operation's): it is tried first, with
    its practitioner and room, and with ``only_current`` it is the only time allowed (a
    completed session, or one the caller moved by hand). ``beyond`` looks for it after the
    longest interval (an override's); ``floor`` is the end of a missed session it may not
    start before.
    """

    index: int
    id: str
    replaces: str | None = None
    override: Override | None = None
    fixed: bool = False
    status: SessionStatus = SessionStatus.PLANNED
    floor: pendulum.DateTime | None = None
    current: Session | None = None
    only_current: bool = False
    beyond: bool = False


@attrs.frozen
class _Window:
    """The days a session is looked for on, and in which order its times come."""

    first: pendulum.Date
    last: pendulum.Date
    not_before: pendulum.DateTime
    wanted: int = 0  # the local minute of the session before
    whole: bool = False  # whether that minute is a slot (a start without seconds)


@attrs.frozen
class _DeadEnd:
    """A session that found no free time in its window, and how to say what blocked it.

    ``explain`` counts the openings and their blocks: it runs only if the whole search
    refuses, since most dead ends are left behind by a series found another way.
    """

    index: int
    window: _Window
    explain: Callable[[], str] = attrs.field(eq=False)


@attrs.frozen
class _Day:
    """A day's openings for one session length: starts, ends and both as instants."""

    starts: tuple[pendulum.DateTime, ...]
    ends: tuple[pendulum.DateTime, ...]
    spans: tuple[tuple[int, int], ...]
    index: dict[pendulum.DateTime, int]


_Openings = dict[dt.date, _Day]
_CLINICS: dict[tuple[int, int], tuple[Clinic, _Openings]] = {}
_CLINICS_KEPT = 16  # clinics whose openings are remembered (a process has one or a few)


def _clinic_days(clinic: Clinic, minutes: int) -> _Openings:
    """The openings of *clinic* for *minutes*, by day, shared by every search of the process.

    A clinic never changes (it is frozen), and each client's search asks for the same days
    again: remembering them keeps a search's cost from being mostly the clinic's hours.
    """
    key = (id(clinic), minutes)
    kept = _CLINICS.get(key)
    if kept is not None and kept[0] is clinic:  # the same object, not one at a reused id
        return kept[1]
    if len(_CLINICS) >= _CLINICS_KEPT:
        _CLINICS.pop(next(iter(_CLINICS)))
    days: _Openings = {}
    _CLINICS[key] = (clinic, days)
    return days


def _overlaps(session: Session, start: dt.datetime, end: dt.datetime, buffer: dt.timedelta) -> bool:
    return session.start < end + buffer and start < session.end + buffer
