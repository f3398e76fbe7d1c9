"""Aftercare and pre-care: the windows around each session, and the questions they answer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import attrs
import pendulum

from ._errors import ClientError, InvalidTimeError, UnknownCodeError
from ._guards import wrong_type
from ._pickling import exact_pickling
from ._plan import TreatmentPlan, plan_rules
from ._rules import AftercareKind, AftercareRule, PrecareRule, RuleSet
from ._session import Session, session_index
from ._time import aware, elapsed_after_each, plain_utc, wall_before, within_calendar

__all__ = [
    "Aftercare",
    "Answer",
    "CareWindow",
    "ClientEvent",
    "Conflict",
    "aftercare",
]

PRECARE = "precare"
"""The ``kind`` of a window before a session (the rule set's ``precare`` table)."""


@exact_pickling
@attrs.frozen(kw_only=True)
class CareWindow:
    """What to avoid or to do, from ``start`` until ``end`` (excluded), around one session.

    ``kind`` is ``"avoid"`` or ``"do"`` after the session, ``"precare"`` before it.
    Aftercare windows are elapsed time from the session's end; pre-care windows are
    calendar time before its start. Both are given in the clinic's zone.
    """

    session: int
    activity: str
    kind: str
    description: str
    start: pendulum.DateTime
    end: pendulum.DateTime
    source: str

    @property
    def restricts(self) -> bool:
        """Whether the window forbids its activity (an ``avoid`` or a pre-care window)."""
        return self.kind != AftercareKind.DO.value

    def covers(self, instant: dt.datetime) -> bool:
        """Whether *instant* lies inside the window (an empty window covers nothing)."""
        return self.start <= aware(instant, field="instant") < self.end

    def overlaps(self, start: dt.datetime, end: dt.datetime) -> bool:
        """Whether the window shares some time with [*start*, *end*)."""
        start, end = aware(start, field="start"), aware(end, field="end")
        return max(self.start, start) < min(self.end, end)


@exact_pickling
@attrs.frozen(kw_only=True)
class Answer:
    """The answer to "may I do this then?", with the reason and when it becomes allowed."""

    activity: str
    at: pendulum.DateTime
    allowed: bool
    reason: str | None = None
    allowed_from: pendulum.DateTime | None = None
    source: str | None = None

    def __bool__(self) -> bool:
        return self.allowed


def _aware_field(value: Any) -> pendulum.DateTime:
    return aware(value, field="events.start")


def _aware_end(value: Any) -> pendulum.DateTime:
    return aware(value, field="events.end")


def _activities(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    names = tuple(value) if isinstance(value, Iterable) else None
    if names is None or not all(isinstance(name, str) for name in names):
        msg = f"events.activities: expected activity names such as 'makeup', got {value!r}"
        raise ClientError(msg)
    return names


@exact_pickling
@attrs.frozen(kw_only=True)
class ClientEvent:
    """An event in the client's own calendar (a wedding, a beach holiday, a marathon).

    ``activities`` are the aftercare activities it involves: ``makeup``, ``sun``,
    ``exercise``, ``sauna_steam``...
    """

    name: str
    start: pendulum.DateTime = attrs.field(converter=_aware_field)
    end: pendulum.DateTime = attrs.field(converter=_aware_end)
    activities: tuple[str, ...] = attrs.field(converter=_activities)

    def __attrs_post_init__(self) -> None:
        # In UTC: two times of one zone compare by their wall clocks, fold aside.
        if plain_utc(self.end) <= plain_utc(self.start):
            msg = f"events.end: expected a time after the start {self.start}, got {self.end}"
            raise InvalidTimeError(msg)


@attrs.frozen(kw_only=True)
class Conflict:
    """An event that overlaps a window restricting one of its activities."""

    event: ClientEvent
    window: CareWindow

    def __str__(self) -> str:
        return (
            f"{self.event.name}: {self.window.description.lower()} until "
            f"{self.window.end.format('YYYY-MM-DD HH:mm')} after session {self.window.session}"
        )


@attrs.frozen(kw_only=True)
class Aftercare:
    """Every pre-care and aftercare window of a plan, in time order."""

    windows: tuple[CareWindow, ...]
    activities: frozenset[str]

    def for_session(self, index: int) -> tuple[CareWindow, ...]:
        """The windows of the session numbered *index*.

        Raises:
            SchedulingError: *index* is no whole number (``True`` and ``1.0`` are not).
        """
        index = session_index(index)
        return tuple(w for w in self.windows if w.session == index)

    @within_calendar
    def restricted_at(self, instant: dt.datetime) -> tuple[CareWindow, ...]:
        """The windows that restrict something at *instant*."""
        moment = aware(instant, field="at")
        return tuple(w for w in self.windows if w.restricts and w.covers(moment))

    @within_calendar
    def may_i(self, activity: str, at: dt.datetime) -> Answer:
        """Whether *activity* is allowed at *at*; if not, why, and from when.

        Raises:
            UnknownCodeError: *activity* is not an activity of the rules.
            InvalidTimeError: *at* is naive.
        """
        moment = aware(at, field="at")
        if not _is_text(activity) or activity not in self.activities:
            known = ", ".join(sorted(self.activities))
            msg = f"activity: unknown activity {activity!r}, expected one of {known}"
            raise UnknownCodeError(msg)
        blocking = [w for w in self.windows if w.activity == activity and w.restricts]
        covering = [w for w in blocking if w.covers(moment)]
        if not covering:
            return Answer(activity=activity, at=moment, allowed=True)
        until = max(w.end for w in covering)
        # Windows that chain (one starts before the other ends) restrict as one.
        for window in sorted(blocking, key=lambda w: w.start):
            if window.start <= until < window.end:
                until = window.end
        first = min(covering, key=lambda w: w.start)
        return Answer(
            activity=activity,
            at=moment,
            allowed=False,
            reason=f"{first.description} (session {first.session}, {first.kind})",
            allowed_from=until,
            source=first.source,
        )

    @within_calendar
    def conflicts(self, events: Iterable[ClientEvent]) -> tuple[Conflict, ...]:
        """Every event that overlaps a window restricting one of its activities.

        Raises:
            UnknownCodeError: an event names an activity the rules do not know (a typo
                would otherwise read as "no conflict").
            ClientError: *events* is no sequence of `ClientEvent`.
        """
        chosen = _events(events)
        for event in chosen:
            unknown = sorted(set(event.activities) - self.activities)
            if unknown:
                known = ", ".join(sorted(self.activities))
                msg = f"events.activities: unknown activity {unknown[0]!r}, expected one of {known}"
                raise UnknownCodeError(msg)
        found = [
            Conflict(event=event, window=window)
            for event in chosen
            for window in self.windows
            if window.restricts
            and window.activity in event.activities
            and window.overlaps(event.start, event.end)
        ]
        return tuple(sorted(found, key=lambda c: (c.event.start, c.window.start)))


def _is_text(value: object) -> bool:
    return isinstance(value, str)


def _events(events: object) -> tuple[ClientEvent, ...]:
    """*events* as a tuple, refused when it is no sequence of events (text is none here)."""
    if not isinstance(events, Iterable) or isinstance(events, str | bytes):
        msg = f"events: expected a sequence of ClientEvent, got a {type(events).__name__}"
        raise ClientError(msg)
    chosen = tuple(events)
    for event in chosen:
        if problem := wrong_type(event, ClientEvent, "events", "ClientEvent"):
            raise ClientError(problem)
    return chosen


@within_calendar
def aftercare(plan: TreatmentPlan, *, rules: RuleSet | None = None) -> Aftercare:
    """The pre-care and aftercare windows around every active session of *plan*.

    >>> import mesotherapy as meso
    >>> client = meso.Client(birth_date="1985-03-02")
    >>> result = meso.assess(client, ["face"], on="2026-10-01")
    >>> plan = meso.plan_series(result, ["face"], clinic=meso.example_clinic(),
    ...     start=pendulum.datetime(2026, 10, 30, 16, 15, tz="America/Toronto"))
    >>> care = aftercare(plan)
    >>> makeup = [w for w in care.for_session(1) if w.activity == "makeup"][0]
    >>> makeup.end.isoformat()
    '2026-10-31T17:00:00-04:00'
    >>> care.may_i("makeup", pendulum.datetime(2026, 10, 31, 12, tz="America/Toronto")).allowed
    False
    """
    rules = plan_rules(plan, rules)
    # Each rule read once, not once a session: the windows are most of a pipeline's work.
    precare = tuple(rules.precare.items())
    after = tuple(
        (code, rule, rule.kind.value, rule.duration.elapsed())
        for code, rule in rules.aftercare.items()
    )
    windows = [w for s in plan.active_sessions for w in _session_windows(s, precare, after)]
    # Time order; at the same start, the order of the rule file (restrictions first).
    position = {code: n for n, code in enumerate([*rules.precare, *rules.aftercare])}
    return Aftercare(
        windows=tuple(sorted(windows, key=lambda w: (w.start, w.session, position[w.activity]))),
        activities=frozenset(position),
    )


def _session_windows(
    session: Session,
    precare: tuple[tuple[str, PrecareRule], ...],
    after: tuple[tuple[str, AftercareRule, str, dt.timedelta], ...],
) -> list[CareWindow]:
    # A session's instants are in the clinic's zone, and so are the windows built on them.
    windows = [
        CareWindow(
            session=session.index,
            activity=code,
            kind=PRECARE,
            description=rule.description,
            # Calendar time: "2 days before" keeps the local time across a DST change.
            start=wall_before(session.start, rule.before),
            end=session.start,
            source=rule.source,
        )
        for code, rule in precare
    ]
    # Each aftercare rule follows the sessions of the areas it names: no makeup rule after
    # a scalp session, no hair washing after a face one.
    areas = set(session.areas)
    chosen = [item for item in after if item[1].areas & areas]
    # Elapsed time: 24 h is 24 real hours, whatever the clocks do meanwhile.
    ends = elapsed_after_each(session.end, [delta for *_, delta in chosen])
    windows += [
        CareWindow(
            session=session.index,
            activity=code,
            kind=kind,
            description=rule.description,
            start=session.end,
            end=end,
            source=rule.source,
        )
        for (code, rule, kind, _), end in zip(chosen, ends, strict=True)
    ]
    return windows
