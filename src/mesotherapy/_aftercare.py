"""Aftercare and pre-care: the windows around each session, and the questions they answer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, cast

import attrs
import pendulum

from ._deferred import Deferred, deferred_fields
from ._errors import ClientError, InvalidTimeError, UnknownCodeError
from ._guards import wrong_type
from ._model import Area
from ._pickling import exact_pickling
from ._plan import TreatmentPlan, plan_rules
from ._rules import AftercareKind, AftercareRule, PrecareRule, RuleSet
from ._session import Session, session_index
from ._time import (
    Span,
    as_pendulum,
    aware,
    plain_utc,
    stdlib_instant,
    wall_before,
    within_calendar,
)

__all__ = [
    "Aftercare",
    "Answer",
    "CareWindow",
    "ClientEvent",
    "Conflict",
    "aftercare",
    "precare_rows",
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


@deferred_fields("windows")
@attrs.frozen(kw_only=True)
class Aftercare:
    """Every pre-care and aftercare window of a plan, in time order.

    `aftercare` works out every window's instants when it makes one, and builds the
    `CareWindow` values on the first read of ``windows`` (a derived view, made once).
    """

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
    # What depends only on the rules and the areas is worked out once per rule set: the
    # windows are most of a pipeline's work, and each rule would otherwise be read again
    # for every session of every plan.
    prepared = _prepared(rules)
    found: list[_Entry] = []
    for session in plan.active_sessions:
        _session_windows(session, prepared, found)
    # Time order; at the same start, the order of the rule file (restrictions first). The
    # session's number and the rule's position settle every tie: no two entries share
    # both, so the entries sort as tuples, on those three fields alone, without a key. A
    # session's aftercare windows all open at its end and come in the rules' order: they
    # sort as one entry (no other window opens then with that session's number).
    found.sort()
    rows = [row for entry in found for row in entry[3]]
    windows = cast("tuple[CareWindow, ...]", Deferred(lambda: _built(rows), rows))
    return Aftercare(windows=windows, activities=prepared.activities)


def precare_rows(plan: TreatmentPlan, rules: RuleSet) -> list[CareRow]:
    """The rows of the pre-care windows of `aftercare` (*rules* checked), in their order.

    What `mesotherapy.ical.to_ics` writes into each session's description, without the
    aftercare windows it does not (a sixth of a first export).
    """
    prepared = _prepared(rules)
    found: list[_Entry] = []
    for session in plan.active_sessions:
        _session_precare(session, prepared, found)
    found.sort()  # as `aftercare` sorts them: the pre-care rows keep their order
    return [row for entry in found for row in entry[3]]


CareRow = tuple[int, str, str, str, str, dt.datetime, dt.datetime]
"""A window worked out: its session, activity, kind, description, source, start and end.

Its instants may still be standard-library ones (the same instant, zone and fold).
"""

# Windows worked out, to sort: their start (standard library, for the order), session and
# first rule's position, then the windows' rows.
_Entry = tuple[dt.datetime, int, int, "tuple[CareRow, ...] | list[CareRow]"]


def _built(rows: list[CareRow]) -> tuple[CareWindow, ...]:
    return tuple(
        CareWindow(
            session=index,
            activity=code,
            kind=kind,
            description=description,
            start=_pendulum_of(start),
            end=_pendulum_of(end),
            source=source,
        )
        for index, code, kind, description, source, start, end in rows
    )


def _pendulum_of(moment: dt.datetime) -> pendulum.DateTime:
    return moment if type(moment) is pendulum.DateTime else as_pendulum(moment)


# The aftercare of a session of some areas, as tables: its distinct lengths, and each
# window's position, code, kind, description, source and the index of its length.
_AfterTable = tuple[tuple[dt.timedelta, ...], tuple[tuple[int, str, str, str, str, int], ...]]


@attrs.frozen
class _Prepared:
    """What the windows of one rule set take from it, read once."""

    # (position, code, rule, whether `wall_before` may be done on the wall clock)
    precare: tuple[tuple[int, str, PrecareRule, dt.timedelta | None], ...]
    after: tuple[tuple[int, str, AftercareRule, str, dt.timedelta], ...]
    activities: frozenset[str]
    # The pre-care as tables: the distinct whole-day lengths, and each window's position,
    # code, description, source, rule and the index of its length (``None``: no whole
    # days, `wall_before` decides).
    pre_days: tuple[dt.timedelta, ...]
    pre_rows: tuple[tuple[int, str, str, str, PrecareRule, int | None], ...]
    # The aftercare rules that follow a session of these areas, worked out on first use.
    chosen: dict[tuple[Area, ...], tuple[tuple[int, str, AftercareRule, str, dt.timedelta], ...]]
    tables: dict[tuple[Area, ...], _AfterTable]

    def after_for(
        self, areas: tuple[Area, ...]
    ) -> tuple[tuple[int, str, AftercareRule, str, dt.timedelta], ...]:
        try:
            return self.chosen[areas]
        except KeyError:
            # Each aftercare rule follows the sessions of the areas it names: no makeup
            # rule after a scalp session, no hair washing after a face one.
            wanted = set(areas)
            found = self.chosen[areas] = tuple(i for i in self.after if i[2].areas & wanted)
            return found

    def table_for(self, areas: tuple[Area, ...]) -> _AfterTable:
        """`after_for` *areas* as a table: the distinct lengths, and each window's fields.

        Its windows come in the rules' order, by their positions: `aftercare` sorts them
        as one entry.
        """
        try:
            return self.tables[areas]
        except KeyError:
            chosen = self.after_for(areas)
            lengths = tuple(dict.fromkeys(delta for *_, delta in chosen))
            rows = tuple(
                (position, code, kind, rule.description, rule.source, lengths.index(delta))
                for position, code, rule, kind, delta in chosen
            )
            table = self.tables[areas] = (lengths, rows)
            return table


_PREPARED: dict[int, tuple[RuleSet, _Prepared]] = {}
_PREPARED_MOST = 16
"""How many rule sets' prepared windows are kept (a process uses one or two)."""


def _prepared(rules: RuleSet) -> _Prepared:
    entry = _PREPARED.get(id(rules))
    if entry is not None and entry[0] is rules:
        return entry[1]
    position = {code: n for n, code in enumerate([*rules.precare, *rules.aftercare])}
    precare = tuple(
        (position[code], code, rule, _wall_days(rule.before))
        for code, rule in rules.precare.items()
    )
    pre_days = tuple(dict.fromkeys(days for *_, days in precare if days is not None))
    prepared = _Prepared(
        precare=precare,
        after=tuple(
            (position[code], code, rule, rule.kind.value, rule.duration.elapsed())
            for code, rule in rules.aftercare.items()
        ),
        activities=frozenset(position),
        pre_days=pre_days,
        pre_rows=tuple(
            (
                position,
                code,
                rule.description,
                rule.source,
                rule,
                None if days is None else pre_days.index(days),
            )
            for position, code, rule, days in precare
        ),
        chosen={},
        tables={},
    )
    if len(_PREPARED) >= _PREPARED_MOST:
        _PREPARED.clear()
    # The rule set is kept with its entry, so that its id names it while the entry lives.
    _PREPARED[id(rules)] = (rules, prepared)
    return prepared


def _wall_days(span: Span) -> dt.timedelta | None:
    """*span* as whole days on the wall clock, or ``None`` when `wall_before` must decide."""
    if span.has_calendar_units or not span.is_calendar_only:
        return None
    return dt.timedelta(weeks=span.weeks, days=span.days)


def _session_windows(session: Session, prepared: _Prepared, found: list[_Entry]) -> None:
    """Append *session*'s windows to *found*, worked out in the standard library."""
    _session_precare(session, prepared, found)
    _session_after(session, prepared, found)


def _session_precare(session: Session, prepared: _Prepared, found: list[_Entry]) -> None:
    """Append *session*'s pre-care windows to *found*, one entry each."""
    # A session's instants are in the clinic's zone, and so are the windows built on them.
    index, start = session.index, session.start
    local = stdlib_instant(start)
    # Calendar time: "2 days before" keeps the local time across a DST change. Aware
    # arithmetic in the standard library is wall-clock arithmetic (fold 0), as
    # `local_instant` probes it; a wall time in a gap or a repeated hour (``None`` here)
    # goes to `wall_before`, whose rule for those is pendulum's. Several rules open the
    # same number of days before: each such start worked out once.
    opened: list[dt.datetime | None] = []
    for days in prepared.pre_days:
        wall = local - days
        opened.append(wall if wall.utcoffset() == wall.replace(fold=1).utcoffset() else None)
    for position, code, description, source, rule, days_at in prepared.pre_rows:
        begin = None if days_at is None else opened[days_at]
        opens: dt.datetime
        if begin is not None:
            opens = begin
        else:
            opens = wall_before(start, rule.before)
            begin = stdlib_instant(opens)
        found.append(
            (begin, index, position, ((index, code, PRECARE, description, source, opens, start),))
        )


def _session_after(session: Session, prepared: _Prepared, found: list[_Entry]) -> None:
    """Append *session*'s aftercare windows to *found*, as one entry."""
    index = session.index
    lengths, rows = prepared.table_for(session.areas)
    if not rows:
        return
    end = session.end
    plain_end = stdlib_instant(end)
    zone, utc = plain_end.tzinfo, plain_end.astimezone(dt.UTC)
    # Elapsed time: 24 h is 24 real hours, whatever the clocks do meanwhile. Several rules
    # last as long: each such end worked out once.
    closed = [(utc + delta).astimezone(zone) for delta in lengths]
    block: list[CareRow] = [
        (index, code, kind, description, source, end, closed[at])
        for _, code, kind, description, source, at in rows
    ]
    found.append((plain_end, index, rows[0][0], block))
