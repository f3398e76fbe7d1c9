"""The treatment plan: a series of sessions at a clinic, and what may be done to it."""

from __future__ import annotations

import datetime as dt
import enum
import functools
from collections.abc import Iterable, Iterator
from typing import Any, cast

import attrs
import pendulum

from ._assess import Assessment, Candidacy, RulesRef, candidacy
from ._clinic import Clinic, clinic_to_dict
from ._errors import ClientError, InvalidTimeError, SchedulingError
from ._model import Area
from ._model import _flag as flag
from ._pickling import exact_pickling
from ._protocol import SeriesProtocol, series_protocol
from ._rules import RuleSet
from ._time import aware, elapsed_after, in_zone, parse_date, within_calendar
from ._vocabulary import chosen_rules, parse_areas, wrong_type

__all__ = ["MaintenanceWindow", "Session", "SessionStatus", "TreatmentPlan", "plan_series"]

SCHEMA = 2
"""The version of the plan's JSON document (see `mesotherapy.from_json` for older ones)."""

_ONE_DAY = dt.timedelta(days=1)
_SEARCH_DAYS = 366
"""How far ahead the first session is looked for before the plan is called infeasible."""


class SessionStatus(enum.StrEnum):
    """Where a session stands."""

    PLANNED = "planned"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"

    @property
    def is_active(self) -> bool:
        """Whether the session counts towards the series (planned or completed)."""
        return self in (SessionStatus.PLANNED, SessionStatus.COMPLETED)


def _fixed(value: object) -> bool:
    return flag(value, "fixed")


def _review_acknowledged(value: object) -> bool:
    return flag(value, "review_acknowledged")


@exact_pickling
@attrs.frozen(kw_only=True)
class Session:
    """One session of a series: when, what, and where it stands.

    ``index`` numbers sessions in the order they were booked, from 1; a session that
    replaces a cancelled one takes the next number. ``fixed`` marks a session placed by
    hand (`TreatmentPlan.reschedule`): it keeps its time while its gaps allow, instead of
    following the local time of the session before it.
    """

    index: int
    start: pendulum.DateTime
    end: pendulum.DateTime
    areas: tuple[Area, ...]
    status: SessionStatus = SessionStatus.PLANNED
    fixed: bool = attrs.field(default=False, converter=_fixed)

    def to_dict(self) -> dict[str, Any]:
        """The session's JSON object."""
        return {
            "index": self.index,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "areas": [area.value for area in self.areas],
            "status": self.status.value,
            "fixed": self.fixed,
        }


@attrs.frozen
class MaintenanceWindow:
    """When the next maintenance session falls due: from ``opens`` to ``closes``."""

    opens: pendulum.Date
    closes: pendulum.Date


def _some_areas(_: object, __: object, value: tuple[Area, ...]) -> None:
    if not value:
        msg = "areas: expected at least one area, got none"
        raise ClientError(msg)


@attrs.frozen(kw_only=True)
class TreatmentPlan:
    """A series of sessions for a client at a clinic, and the maintenance after it.

    Immutable: every operation returns a new plan and leaves this one as it was.
    """

    assessment: Assessment
    areas: tuple[Area, ...] = attrs.field(validator=_some_areas)
    clinic: Clinic
    protocol: SeriesProtocol
    sessions: tuple[Session, ...]
    rules: RulesRef
    review_acknowledged: bool = attrs.field(default=False, converter=_review_acknowledged)
    client_id: str | None = attrs.field(default=None, repr=False)

    @property
    def timezone(self) -> str:
        """The clinic's IANA zone, in which every instant of the plan is given."""
        return self.clinic.timezone

    @property
    def active_sessions(self) -> tuple[Session, ...]:
        """The planned and completed sessions, in time order."""
        return tuple(s for s in self.sessions if s.status.is_active)

    @property
    def is_complete(self) -> bool:
        """Whether every session of the series has been completed."""
        done = [s for s in self.active_sessions if s.status is SessionStatus.COMPLETED]
        return len(done) >= self.protocol.sessions

    @property
    @within_calendar
    def maintenance(self) -> tuple[MaintenanceWindow, ...]:
        """The window of the next maintenance session, after the series' last session."""
        active = self.active_sessions
        if not active:
            return ()
        last = active[-1].end.date()
        return (
            MaintenanceWindow(
                last.add(months=self.protocol.min_maintenance_months),
                last.add(months=self.protocol.max_maintenance_months),
            ),
        )

    def rules_for(self, rules: RuleSet | None) -> RuleSet:
        """*rules*, or the default rules, checked to be the rules this plan was made with.

        Raises:
            ClientError: they are another rule set (by name or version).
            RuleSetError: *rules* is no `RuleSet`.
        """
        chosen = chosen_rules(rules)
        if (chosen.name, chosen.version) != (self.rules.name, self.rules.version):
            msg = (
                f"rules: the plan was made with {self.rules.name} {self.rules.version}, "
                f"got {chosen.name} {chosen.version}"
            )
            raise ClientError(msg)
        return chosen

    def session(self, index: int) -> Session:
        """The session numbered *index*.

        Raises:
            SchedulingError: there is no such session.
        """
        for session in self.sessions:
            if session.index == index:
                return session
        known = ", ".join(str(s.index) for s in self.sessions)
        msg = f"session: no session {index!r} in the plan, expected one of {known}"
        raise SchedulingError(msg)

    def next_session(self, after: pendulum.DateTime) -> Session | None:
        """The first planned session that starts at or after *after*."""
        moment = aware(after, field="after")
        return next(
            (
                s
                for s in self.active_sessions
                if s.status is SessionStatus.PLANNED and s.start >= moment
            ),
            None,
        )

    def sessions_between(self, start: dt.date | str, end: dt.date | str) -> tuple[Session, ...]:
        """The sessions whose local date lies from *start* to *end*, both included.

        Raises:
            InvalidTimeError: *start* or *end* is no date (``YYYY-MM-DD`` text is one).
        """
        first, last = parse_date(start, field="start"), parse_date(end, field="end")
        return tuple(s for s in self.sessions if first <= s.start.date() <= last)

    def maintenance_status(self, on: dt.date | str) -> str:
        """``"not_due"``, ``"due"`` or ``"overdue"`` on the date *on*.

        Before the series is complete, maintenance is ``"not_due"``.

        Raises:
            InvalidTimeError: *on* is no date (``YYYY-MM-DD`` text is one).
        """
        on = parse_date(on, field="on")
        if not self.is_complete or not self.maintenance:
            return "not_due"
        window = self.maintenance[0]
        if on < window.opens:
            return "not_due"
        return "due" if on <= window.closes else "overdue"

    @within_calendar
    def reschedule(self, index: int, new_start: pendulum.DateTime) -> TreatmentPlan:
        """Move a planned session; later planned sessions follow where their gap must.

        Raises:
            SchedulingError: the session is not planned, the new time is closed, or no
                plan keeps the protocol's bounds.
            InvalidTimeError: *new_start* is naive.
        """
        session = self._planned(index)
        start = aware(new_start, field="new_start").in_timezone(self.timezone)
        moved = attrs.evolve(session, start=start, end=self._end(start), fixed=True)
        if not self.clinic.fits(start, self.protocol.session_minutes):
            msg = f"session {index}: the clinic is not open for a whole session at {start}"
            raise SchedulingError(msg)
        return self._reflow(self._replace(moved), pinned=index)

    @within_calendar
    def complete(self, index: int, at: pendulum.DateTime | None = None) -> TreatmentPlan:
        """Mark a session completed, at its planned time or at *at*.

        Sessions are completed in order; a completed session never moves again.

        Raises:
            SchedulingError: the session is not planned, an earlier one is still
                planned, or *at* would break the protocol's bounds.
        """
        session = self._planned(index)
        earlier = [
            s
            for s in self.active_sessions
            if s.start < session.start and s.status is SessionStatus.PLANNED
        ]
        if earlier:
            msg = f"session {index}: session {earlier[0].index} before it is still planned"
            raise SchedulingError(msg)
        start = session.start if at is None else aware(at, field="at").in_timezone(self.timezone)
        done = attrs.evolve(
            session, start=start, end=self._end(start), status=SessionStatus.COMPLETED
        )
        return self._reflow(self._replace(done), pinned=index)

    @within_calendar
    def cancel(self, index: int) -> TreatmentPlan:
        """Cancel a planned session; a replacement keeps the series at its count."""
        return self._drop(index, SessionStatus.CANCELLED)

    @within_calendar
    def no_show(self, index: int) -> TreatmentPlan:
        """Record that the client missed a planned session; a replacement is booked."""
        return self._drop(index, SessionStatus.NO_SHOW)

    def to_dict(self) -> dict[str, Any]:
        """The plan's JSON object, as DESIGN's contract gives it."""
        return {
            "schema": SCHEMA,
            "client_id": self.client_id,
            "areas": [area.value for area in self.areas],
            "timezone": self.timezone,
            "rules": {"name": self.rules.name, "version": self.rules.version},
            "assessment": self.assessment.to_dict(complete=True),
            "sessions": [s.to_dict() for s in self.sessions],
            "maintenance": [
                {"opens": w.opens.isoformat(), "closes": w.closes.isoformat()}
                for w in self.maintenance
            ],
            "aftercare": [],
            "timeline": [],
            "clinic": clinic_to_dict(self.clinic),
            "protocol": {
                **attrs.asdict(self.protocol, value_serializer=_plain),
                "areas": [area.value for area in self.protocol.areas],
            },
            "review_acknowledged": self.review_acknowledged,
        }

    def _repr_html_(self) -> str:
        """The plan as an HTML table, for Jupyter."""
        from ._notebook import plan_html  # noqa: PLC0415 - a view of the plan, loaded when shown

        return plan_html(self)

    def explain(self) -> str:
        """The plan as lines a person reads at a glance."""
        p = self.protocol
        areas = ", ".join(a.value for a in self.areas)
        lines = [
            f"Plan for {areas} at {self.clinic.name} ({self.timezone})",
            f"Rules: {self.rules.name} {self.rules.version}",
            (
                f"Series: {p.sessions} sessions, {p.interval_days} days apart "
                f"(allowed {p.min_interval_days}-{p.max_interval_days}), "
                f"{p.session_minutes} minutes each"
            ),
        ]
        if self.review_acknowledged:
            lines.append("Clinician review acknowledged before planning.")
        lines += [
            f"  {s.index}. {s.start.format('ddd YYYY-MM-DD HH:mm')}"
            f"-{s.end.format('HH:mm Z')}  {s.status.value}"
            for s in self.sessions
        ]
        lines += [f"Maintenance due from {w.opens} to {w.closes}" for w in self.maintenance]
        return "\n".join(lines)

    # -- the machinery of the operations -------------------------------------------------

    def _end(self, start: pendulum.DateTime) -> pendulum.DateTime:
        return elapsed_after(start, dt.timedelta(minutes=self.protocol.session_minutes))

    def _planned(self, index: int) -> Session:
        session = self.session(index)
        if session.status is not SessionStatus.PLANNED:
            msg = f"session {index}: expected a planned session, got a {session.status.value} one"
            raise SchedulingError(msg)
        return session

    def _replace(self, changed: Session) -> tuple[Session, ...]:
        return tuple(changed if s.index == changed.index else s for s in self.sessions)

    def _drop(self, index: int, status: SessionStatus) -> TreatmentPlan:
        session = self._planned(index)
        changed = self._replace(attrs.evolve(session, status=status))
        return self._reflow(changed, pinned=None)

    def _reflow(self, sessions: tuple[Session, ...], *, pinned: int | None) -> TreatmentPlan:
        """Re-place later planned sessions whose gap breaks the bounds; top up the count.

        A missed session is recorded once its time has passed, so no session booked after
        it starts before it ended (`_floor`), in this operation or any later one.
        """
        inactive = [s for s in sessions if not s.status.is_active]
        # Index order is time order: a session moved past the next ones pushes them after it.
        active = sorted((s for s in sessions if s.status.is_active), key=lambda s: s.index)
        placed: list[Session] = []
        for session in active:
            movable = session.status is SessionStatus.PLANNED and session.index != pinned
            low = _floor(sessions, session.index)
            early = (
                low is not None and session.status is SessionStatus.PLANNED and session.start < low
            )
            if early and not movable:
                msg = f"session {session.index}: starts before a missed session ended, at {low}"
                raise SchedulingError(msg)
            if placed and (early or not self._keeps(placed[-1], session, pinned=pinned)):
                if not movable:
                    raise SchedulingError(_gap_message(placed[-1], session, self.protocol))
                session = self._place_after(placed[-1], session.index, low)  # noqa: PLW2901
            placed.append(session)
        if placed and placed[0].start.date() < _earliest(self.assessment):
            msg = (
                f"session {placed[0].index}: starts before the assessment's earliest start "
                f"{_earliest(self.assessment)}"
            )
            raise SchedulingError(msg)
        next_index = max(s.index for s in sessions) + 1
        while len(placed) < self.protocol.sessions:
            placed.append(self._place_after(placed[-1], next_index, _floor(sessions, next_index)))
            next_index += 1
        ordered = tuple(sorted([*placed, *inactive], key=lambda s: s.index))
        return attrs.evolve(self, sessions=ordered)

    def _keeps(self, before: Session, session: Session, *, pinned: int | None) -> bool:
        """Whether *session* may stay where it is after *before*."""
        gap = (session.start.date() - before.start.date()).days
        within = self.protocol.min_interval_days <= gap <= self.protocol.max_interval_days
        ordered = within and session.start >= before.end
        if session.status is SessionStatus.COMPLETED or session.index == pinned:
            return ordered
        if not (ordered and self.clinic.fits(session.start, self.protocol.session_minutes)):
            return False
        return session.fixed or self._follows(before, session)

    def _follows(self, before: Session, session: Session) -> bool:
        """Whether *session* keeps the local time of *before*, where the clinic allows it."""
        wanted = before.start.time()
        if session.start.time() == wanted:
            return True
        try:
            same = self.clinic.at(session.start.date(), wanted)
        except InvalidTimeError:
            return True  # that local time does not exist once on this day
        return not (same >= before.end and self.clinic.fits(same, self.protocol.session_minutes))

    def _place_after(
        self, before: Session, index: int, floor: pendulum.DateTime | None = None
    ) -> Session:
        not_before = before.end if floor is None else max(before.end, floor)
        start = _next_start(self.clinic, self.protocol, before, index, not_before)
        return Session(index=index, start=start, end=self._end(start), areas=self.areas)


def _plain(_: object, __: object, value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _floor(sessions: tuple[Session, ...], index: int) -> pendulum.DateTime | None:
    """The end of the latest missed session booked before session *index*, if any."""
    missed = [s.end for s in sessions if s.status is SessionStatus.NO_SHOW and s.index < index]
    return max(missed, default=None)


def _gap_message(before: Session, session: Session, protocol: SeriesProtocol) -> str:
    gap = (session.start.date() - before.start.date()).days
    return (
        f"session {session.index}: {gap} days after session {before.index}, expected "
        f"{protocol.min_interval_days} to {protocol.max_interval_days} (interval_days)"
    )


def _earliest(assessment: Assessment) -> pendulum.Date:
    _, earliest, _ = candidacy(assessment.findings, on=assessment.on, areas=assessment.areas)
    return earliest or assessment.on


def _nearest_days(target: pendulum.Date, low: int, high: int) -> Iterator[pendulum.Date]:
    """The days *low* to *high* days from *target*, nearest first, of two the later first."""
    for offset in _nearest_first(low, high):
        # Day arithmetic in C keeps the Date type, at a fifth of the cost of `add(days=...)`.
        yield dt.date.__add__(target, dt.timedelta(days=offset))


@functools.lru_cache(maxsize=256)
def _nearest_first(low: int, high: int) -> tuple[int, ...]:
    return tuple(sorted(range(low, high + 1), key=lambda d: (abs(d), -d)))


def _next_start(
    clinic: Clinic,
    protocol: SeriesProtocol,
    before: Session,
    index: int,
    not_before: pendulum.DateTime,
) -> pendulum.DateTime:
    """The feasible start nearest one interval after *before*, within the bounds.

    The client's local time comes first: the nearest day within the bounds on which the
    session fits at the same local time as *before*; only when no such day exists, the
    nearest day with any opening, at the opening nearest to that time. Of two equally
    near days, the later is tried first: the lower bound is a minimum for the skin's
    recovery, and a tie should never shorten the gap that was asked for.
    """
    target_day = dt.date.__add__(before.start.date(), dt.timedelta(days=protocol.interval_days))
    low = protocol.min_interval_days - protocol.interval_days
    high = protocol.max_interval_days - protocol.interval_days
    wanted = before.start.hour * 60 + before.start.minute
    minutes = protocol.session_minutes
    if not before.start.second and not before.start.microsecond:
        for day in _nearest_days(target_day, low, high):
            start = clinic.slot_at(day, minutes, wanted, not_before=not_before)
            if start is not None:
                return start
    for day in _nearest_days(target_day, low, high):
        start = clinic.nearest_slot(day, minutes, wanted, not_before=not_before)
        if start is not None:
            return start
    first = target_day.add(days=low)
    last = target_day.add(days=high)
    msg = (
        f"session {index}: the clinic has no opening for {protocol.session_minutes} minutes "
        f"from {first} to {last} (interval_days {protocol.min_interval_days}-"
        f"{protocol.max_interval_days} after session {before.index})"
    )
    raise SchedulingError(msg)


@within_calendar
def plan_series(  # noqa: PLR0913 - the design's signature
    assessment: Assessment,
    areas: Iterable[Area | str],
    *,
    start: pendulum.DateTime,
    clinic: Clinic,
    rules: RuleSet | None = None,
    sessions: int | None = None,
    interval: int | None = None,
    acknowledge_review: bool = False,
) -> TreatmentPlan:
    """Plan a series for an assessed client at *clinic*, from *start* on.

    The first session is at *start*, or the first feasible time after it (and never
    before the assessment's earliest start); each later one aims at the same local time
    one interval later, and where the clinic is closed then, takes the nearest feasible
    time within the interval's bounds.

    Raises:
        SchedulingError: the client is not a candidate, needs a review that was not
            acknowledged, or no plan keeps the bounds (the message names the session and
            the constraint).
        InvalidTimeError: *start* is naive, or the plan would run past the calendar's end.
        ClientError: *assessment* or *clinic* is not the library's object, or
            *acknowledge_review* is no `bool` (``"false"`` is text, not a no).
        RuleSetError: *rules* is no `RuleSet`.
    """
    rules = chosen_rules(rules)
    _check_types(assessment, clinic)
    acknowledge_review = flag(acknowledge_review, "acknowledge_review")
    chosen = parse_areas(areas)
    _check_candidate(assessment, chosen, acknowledge_review=acknowledge_review)
    protocol = series_protocol(rules, chosen, sessions=sessions, interval_days=interval)
    moment = in_zone(aware(start, field="start"), clinic.zone)
    first = _first_start(clinic, protocol, moment, _earliest(assessment))
    end = elapsed_after(first, dt.timedelta(minutes=protocol.session_minutes))
    plan = TreatmentPlan(
        assessment=assessment,
        areas=chosen,
        clinic=clinic,
        protocol=protocol,
        sessions=(Session(index=1, start=first, end=end, areas=chosen),),
        rules=RulesRef(rules.name, rules.version),
        review_acknowledged=_needs_review(assessment),
        client_id=assessment.client_id,
    )
    return plan._reflow(plan.sessions, pinned=1)  # noqa: SLF001 - the plan's own machinery


def plan_rules(plan: object, rules: RuleSet | None) -> RuleSet:
    """The rules to read *plan* with: `TreatmentPlan.rules_for`, once *plan* is checked.

    Raises:
        ClientError: *plan* is no `TreatmentPlan` (a dict, say), or *rules* are another
            rule set than the plan's.
        RuleSetError: *rules* is no `RuleSet`.
    """
    # Callers without a type checker pass dicts and names; refuse them with our errors.
    if problem := wrong_type(plan, TreatmentPlan, "plan", "plan_series"):
        raise ClientError(problem)
    return cast("TreatmentPlan", plan).rules_for(rules)


def _check_types(assessment: object, clinic: object) -> None:
    # Callers without a type checker pass dicts and names; refuse them with our errors.
    for value, kind, field, hint in (
        (assessment, Assessment, "assessment", "assess"),
        (clinic, Clinic, "clinic", "load_clinic"),
    ):
        if problem := wrong_type(value, kind, field, hint):
            raise ClientError(problem)


def _check_candidate(
    assessment: Assessment, areas: tuple[Area, ...], *, acknowledge_review: bool
) -> None:
    missing = [a.value for a in areas if a not in assessment.areas]
    if missing:
        msg = f"areas: {missing[0]!r} was not assessed, expected areas among the assessment's"
        raise SchedulingError(msg)
    # From the findings, never from the stored status, which a caller may have edited.
    status, earliest, _ = candidacy(assessment.findings, on=assessment.on, areas=assessment.areas)
    if status is Candidacy.INELIGIBLE:
        msg = "assessment: the client is not a candidate (status ineligible)"
        raise SchedulingError(msg)
    if status is Candidacy.DEFERRED and earliest is None:
        msg = "assessment: deferred with no date (a site must heal; a clinician confirms it)"
        raise SchedulingError(msg)
    # A review finding needs its acknowledgement even when a deferral makes the status worse.
    if _needs_review(assessment) and not acknowledge_review:
        msg = "assessment: a clinician must review first; pass acknowledge_review=True once done"
        raise SchedulingError(msg)


def _needs_review(assessment: Assessment) -> bool:
    return any(f.outcome is Candidacy.REVIEW for f in assessment.findings)


def _first_start(
    clinic: Clinic, protocol: SeriesProtocol, moment: pendulum.DateTime, earliest: pendulum.Date
) -> pendulum.DateTime:
    day = max(moment.date(), earliest)
    for _ in range(_SEARCH_DAYS):
        slot = clinic.first_slot(day, protocol.session_minutes, not_before=moment)
        if slot is not None:
            return slot
        day = dt.date.__add__(day, _ONE_DAY)
    msg = (
        f"session 1: the clinic has no opening for {protocol.session_minutes} minutes "
        f"within {_SEARCH_DAYS} days of {moment}"
    )
    raise SchedulingError(msg)
