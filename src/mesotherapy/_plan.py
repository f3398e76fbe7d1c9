"""The treatment plan: a series of sessions at a clinic, and what may be done to it."""

from __future__ import annotations

import datetime as dt
import enum
import functools
import itertools
import re
import uuid
from collections.abc import Iterable, Iterator
from typing import Any, cast

import attrs
import pendulum

from ._assess import Assessment, Candidacy, RulesRef, candidacy
from ._clinic import Clinic
from ._clinic_file import clinic_to_dict
from ._errors import ClientError, InvalidTimeError, SchedulingError
from ._guards import wrong_type
from ._model import Area, flag
from ._pickling import exact_pickling
from ._protocol import SeriesProtocol, series_protocol
from ._rules import RuleSet
from ._time import aware, elapsed_after, in_zone, parse_date, within_calendar
from ._vocabulary import chosen_rules, parse_areas

__all__ = [
    "MaintenanceWindow",
    "Override",
    "Session",
    "SessionStatus",
    "TreatmentPlan",
    "check_plan",
    "derived_plan_id",
    "plan_series",
]

SCHEMA = 3
"""The version of the plan's JSON document (see `mesotherapy.from_json` for older ones)."""

PLAN_ID_NAMESPACE = uuid.UUID("6f0e8b1c-3d52-4a7e-9c1b-5e2f4d8a7c30")
"""The namespace of the plan ids the library derives (`derived_plan_id`), a fixed UUID."""

MAX_PLAN_ID = 200
"""The longest plan id a caller may give, in characters."""

_MAX_SESSION_ID = MAX_PLAN_ID + 40
"""The longest session id: a plan id, a dot and a booking number, with room to spare."""

_ID = re.compile(r"[A-Za-z0-9._:-]+")
_ID_CHARACTERS = "letters A-Z and a-z, digits and . _ : -"

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


def _text(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        shown = repr(value) if not isinstance(value, str) else "blank text"
        msg = f"override.{attribute.name}: expected non-empty text, got {shown}"
        raise ClientError(msg)


def id_problem(value: object, field: str, *, longest: int = MAX_PLAN_ID) -> str | None:
    """Why *value* is no id for *field*, or ``None`` when it is one.

    An id is 1 to *longest* characters, each a letter A-Z or a-z, a digit or one of
    ``. _ : -``: it goes unchanged into an iCalendar ``UID``, a FHIR id and a file name.
    The message never repeats the value, which a caller may have made of a client's
    identifying text; it says how long it is, or which character is not allowed where.

    >>> id_problem("clinic-7:plan.12", "plan_id") is None
    True
    >>> id_problem("plan 12", "plan_id")
    "plan_id: expected letters A-Z and a-z, digits and . _ : -, got ' ' at position 5"
    >>> id_problem("x" * 201, "plan_id")
    'plan_id: expected 1 to 200 characters, got 201'
    """
    if not isinstance(value, str):
        return f"{field}: expected an id (text such as 'clinic-7.plan-12'), got {value!r}"
    if not 1 <= len(value) <= longest:
        return f"{field}: expected 1 to {longest} characters, got {len(value)}"
    if _ID.fullmatch(value) is None:
        at, bad = next((n, c) for n, c in enumerate(value, 1) if _ID.fullmatch(c) is None)
        return f"{field}: expected {_ID_CHARACTERS}, got {bad!r} at position {at}"
    return None


def _plan_id(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    if problem := id_problem(value, attribute.name):
        raise ClientError(problem)


def _session_id(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None and attribute.name == "replaces":
        return
    if problem := id_problem(value, f"session.{attribute.name}", longest=_MAX_SESSION_ID):
        raise ClientError(problem)


def _revision(_: object, __: object, value: object) -> None:
    if type(value) is not int or value < 1:
        msg = f"revision: expected a whole number from 1 (1 for a new plan), got {value!r}"
        raise ClientError(msg)


def derived_plan_id(
    client_id: str | None, first_start: pendulum.DateTime, areas: Iterable[Area]
) -> str:
    """The id of a plan whose caller gave none: a UUID, version 5, of what makes it.

    Derived from the client's id, the first session's start (as an instant) and the
    areas, under `PLAN_ID_NAMESPACE`; a hash, so the client's id never shows in it. The
    same plan gets the same id each time it is made.

    >>> import pendulum
    >>> from mesotherapy import Area
    >>> start = pendulum.datetime(2026, 10, 20, 9, tz="America/Toronto")
    >>> plan_id = derived_plan_id("c-1", start, [Area.FACE])
    >>> plan_id == derived_plan_id("c-1", start.in_timezone("UTC"), [Area.FACE])
    True
    >>> "c-1" in plan_id, len(plan_id)
    (False, 36)
    """
    instant = first_start.in_timezone("UTC").isoformat()
    names = ",".join(area.value for area in areas)
    who = "" if client_id is None else client_id
    # Lengths first, so that no two different inputs join into the same name.
    name = f"{len(who)}:{who}|{instant}|{names}"
    return str(uuid.uuid5(PLAN_ID_NAMESPACE, name))


def session_id(plan_id: str, index: int) -> str:
    """The id of the session booked *index*-th in the plan *plan_id*.

    >>> session_id("p-1", 3)
    'p-1.3'
    """
    return f"{plan_id}.{index}"


@attrs.frozen(kw_only=True)
class Override:
    """A clinician's decision to book a session beyond the protocol's longest interval.

    ``by`` names the clinician who decided (never the client), ``reason`` says why. An
    operation given one places a session that cannot keep the interval bounds at the
    nearest feasible time after the longest interval, and records the override on that
    session, where every export shows it. It never goes below the shortest interval:
    that is the skin's recovery minimum, a safety wait that no one may shorten.

    >>> Override(by="Dr. A. Chen", reason="client abroad for three weeks")
    Override(by='Dr. A. Chen', reason='client abroad for three weeks')
    >>> Override(by="Dr. A. Chen", reason=" ")
    Traceback (most recent call last):
    ...
    mesotherapy._errors.ClientError: override.reason: expected non-empty text, got blank text
    """

    by: str = attrs.field(validator=_text)
    reason: str = attrs.field(validator=_text)

    def to_dict(self) -> dict[str, str]:
        """The override's JSON object."""
        return {"by": self.by, "reason": self.reason}

    def __str__(self) -> str:
        return f"override by {self.by}: {self.reason}"


def _fixed(value: object) -> bool:
    return flag(value, "fixed")


def _review_acknowledged(value: object) -> bool:
    return flag(value, "review_acknowledged")


@exact_pickling
@attrs.frozen(kw_only=True)
class Session:
    """One session of a series: when, what, and where it stands.

    ``id`` names the session for good: no operation changes it, and every export (the
    iCalendar ``UID``, the FHIR ids) takes it from here. ``index`` numbers sessions in
    the order they were booked, from 1; a session that replaces a cancelled or missed
    one takes the next number, a new ``id``, and names the one it replaces in
    ``replaces``. ``fixed`` marks a session placed by
    hand (`TreatmentPlan.reschedule`): it keeps its time while its gaps allow, instead of
    following the local time of the session before it. ``override`` is the clinician's
    decision that lets it stand further from the session before it than the protocol's
    longest interval (see `Override`).
    """

    id: str = attrs.field(validator=_session_id)
    index: int
    start: pendulum.DateTime
    end: pendulum.DateTime
    areas: tuple[Area, ...]
    status: SessionStatus = SessionStatus.PLANNED
    fixed: bool = attrs.field(default=False, converter=_fixed)
    override: Override | None = None
    replaces: str | None = attrs.field(default=None, validator=_session_id)

    def to_dict(self) -> dict[str, Any]:
        """The session's JSON object (``override`` only on an overridden session)."""
        document: dict[str, Any] = {
            "id": self.id,
            "replaces": self.replaces,
            "index": self.index,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "areas": [area.value for area in self.areas],
            "status": self.status.value,
            "fixed": self.fixed,
        }
        if self.override is not None:
            document["override"] = self.override.to_dict()
        return document


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

    Immutable: every operation returns a new plan and leaves this one as it was. ``id``
    names the plan (given to `plan_series`, or derived: `derived_plan_id`), and
    ``revision`` counts its versions: 1 for a new plan, one more after each operation.
    """

    id: str = attrs.field(validator=_plan_id)
    revision: int = attrs.field(default=1, validator=_revision)
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
            SchedulingError: *index* is no whole number (``True`` and ``1.0`` are not), or
                there is no such session.
        """
        index = session_index(index)
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
    def reschedule(
        self, index: int, new_start: pendulum.DateTime, *, override: Override | None = None
    ) -> TreatmentPlan:
        """Move a planned session; later planned sessions follow where their gap must.

        With *override*, a session that cannot keep the longest interval (the one moved,
        or one that follows it) is placed beyond it and records the override; without,
        the plan is refused. No override lets a gap fall below the shortest interval.

        Raises:
            SchedulingError: the session is not planned, the new time is closed, or no
                plan keeps the protocol's bounds.
            InvalidTimeError: *new_start* is naive.
            ClientError: *override* is no `Override`, or names the plan's client.
        """
        self._check_override(override)
        session = self._planned(index)
        start = aware(new_start, field="new_start").in_timezone(self.timezone)
        moved = attrs.evolve(session, start=start, end=self._end(start), fixed=True)
        if not self.clinic.fits(start, self.protocol.session_minutes):
            msg = f"session {index}: the clinic is not open for a whole session at {start}"
            raise SchedulingError(msg)
        return self._reflow(self._replace(moved), pinned=index, override=override, revise=True)

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
        return self._reflow(self._replace(done), pinned=index, revise=True)

    @within_calendar
    def cancel(self, index: int, *, override: Override | None = None) -> TreatmentPlan:
        """Cancel a planned session; a replacement keeps the series at its count.

        With *override*, a session that can no longer keep the longest interval is placed
        beyond it and records the override (see `reschedule`).

        Raises:
            SchedulingError: the session is not planned, or no plan keeps the bounds.
            ClientError: *override* is no `Override`, or names the plan's client.
        """
        self._check_override(override)
        return self._drop(index, SessionStatus.CANCELLED, override)

    @within_calendar
    def no_show(self, index: int, *, override: Override | None = None) -> TreatmentPlan:
        """Record that the client missed a planned session; a replacement is booked.

        With *override*, a session that can no longer keep the longest interval is placed
        beyond it and records the override (see `reschedule`).

        Raises:
            SchedulingError: the session is not planned, or no plan keeps the bounds.
            ClientError: *override* is no `Override`, or names the plan's client.
        """
        self._check_override(override)
        return self._drop(index, SessionStatus.NO_SHOW, override)

    def problems(self, rules: RuleSet | None = None) -> list[str]:
        """Every way the plan breaks invariants 1 to 6 of DESIGN.md, or its identities.

        Empty when none (see `check_plan`).

        Each message names the field, the value, what was expected and the invariant.
        With *rules* (those the plan was made with), the protocol's bounds are checked
        to be those the rules give for the plan's areas. `mesotherapy.from_json` refuses
        a plan with a problem; every operation checks the plan it returns.

        >>> import attrs, pendulum, mesotherapy as meso
        >>> assessment = meso.assess(meso.Client(birth_date="1985-03-02"), ["face"],
        ...                          on="2026-10-01")
        >>> plan = meso.plan_series(assessment, ["face"], clinic=meso.example_clinic(),
        ...     start=pendulum.datetime(2026, 10, 20, 9, tz="America/Toronto"))
        >>> plan.problems(meso.default_rules())
        []
        >>> second = attrs.evolve(plan.sessions[1], start=plan.sessions[0].start.add(days=1),
        ...                       end=plan.sessions[0].end.add(days=1))
        >>> edited = attrs.evolve(plan, sessions=(plan.sessions[0], second, *plan.sessions[2:]))
        >>> print(edited.problems()[0])  # doctest: +NORMALIZE_WHITESPACE
        sessions[1].start: 1 days after session 1, expected 14 to 28
        (interval_days; invariant 3: every gap lies within the interval bounds)
        """
        return check_plan(self, rules)

    def to_dict(self) -> dict[str, Any]:
        """The plan's JSON object, as DESIGN's contract gives it."""
        return {
            "schema": SCHEMA,
            "id": self.id,
            "revision": self.revision,
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
        from ._html import plan_html  # noqa: PLC0415 - a view of the plan, loaded when shown

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
            + ("" if s.override is None else f"  ({s.override})")
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

    def _check_override(self, override: object) -> None:
        if override is None:
            return
        if problem := wrong_type(override, Override, "override", "Override"):
            raise ClientError(problem)
        if self.client_id is not None and cast("Override", override).by == self.client_id:
            msg = "override.by: names the plan's client, expected the clinician who decided"
            raise ClientError(msg)

    def _drop(self, index: int, status: SessionStatus, override: Override | None) -> TreatmentPlan:
        session = self._planned(index)
        changed = self._replace(attrs.evolve(session, status=status))
        return self._reflow(changed, pinned=None, override=override, revise=True)

    def _reflow(
        self,
        sessions: tuple[Session, ...],
        *,
        pinned: int | None,
        override: Override | None = None,
        check: bool = True,
        revise: bool = False,
    ) -> TreatmentPlan:
        """Re-place later planned sessions whose gap breaks the bounds; top up the count.

        A missed session is recorded once its time has passed, so no session booked after
        it starts before it ended (`_floor`), in this operation or any later one. With
        *override*, a session that cannot keep the longest interval stands beyond it and
        records the override; with *check*, the result is checked against invariants 1
        to 6 (`check_plan`) before it is returned. With *revise*, the result is the next
        revision of this plan. Every session keeps its id; a session booked to keep the
        count names the first inactive session (in booking order) that nothing replaced
        yet, if any.
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
                    session = self._overridden(placed[-1], session, override)  # noqa: PLW2901
                else:
                    session = self._place_after(  # noqa: PLW2901
                        placed[-1], session.index, low, override, ids=session
                    )
            placed.append(session)
        if placed and placed[0].start.date() < _earliest(self.assessment):
            msg = (
                f"session {placed[0].index}: starts before the assessment's earliest start "
                f"{_earliest(self.assessment)}"
            )
            raise SchedulingError(msg)
        next_index = max(s.index for s in sessions) + 1
        replaced = {s.replaces for s in sessions}
        unreplaced = [s.id for s in sorted(inactive, key=lambda s: s.index) if s.id not in replaced]
        while len(placed) < self.protocol.sessions:
            floor = _floor(sessions, next_index)
            ids = (session_id(self.id, next_index), unreplaced.pop(0) if unreplaced else None)
            placed.append(self._place_after(placed[-1], next_index, floor, override, ids=ids))
            next_index += 1
        ordered = tuple(sorted([*placed, *inactive], key=lambda s: s.index))
        revision = self.revision + 1 if revise else self.revision
        plan = attrs.evolve(self, sessions=ordered, revision=revision)
        if check and (problems := check_plan(plan, None)):
            raise SchedulingError(problems[0])
        return plan

    def _overridden(self, before: Session, session: Session, override: Override | None) -> Session:
        """*session*, which may not move, standing beyond the longest interval by *override*."""
        gap = (session.start.date() - before.start.date()).days
        beyond = gap > self.protocol.max_interval_days and session.start >= before.end
        if override is None or not beyond or session.status is not SessionStatus.PLANNED:
            raise SchedulingError(_gap_message(before, session, self.protocol))
        return attrs.evolve(session, override=override)

    def _keeps(self, before: Session, session: Session, *, pinned: int | None) -> bool:
        """Whether *session* may stay where it is after *before*."""
        gap = (session.start.date() - before.start.date()).days
        # An overridden session stands beyond the longest interval; never below the shortest.
        longest = self.protocol.max_interval_days if session.override is None else gap
        within = self.protocol.min_interval_days <= gap <= longest
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
        self,
        before: Session,
        index: int,
        floor: pendulum.DateTime | None = None,
        override: Override | None = None,
        *,
        ids: Session | tuple[str, str | None],
    ) -> Session:
        """Session *index* placed anew after *before*, with the id and ``replaces`` of *ids*.

        *ids* is the session being moved, or the id and ``replaces`` of a new one.
        """
        ident, replaces = (ids.id, ids.replaces) if isinstance(ids, Session) else ids
        not_before = before.end if floor is None else max(before.end, floor)
        try:
            start = _next_start(self.clinic, self.protocol, before, index, not_before)
        except SchedulingError:
            if override is None:
                raise
            start = _beyond_bounds(self.clinic, self.protocol, before, index, not_before)
            return Session(
                id=ident,
                index=index,
                start=start,
                end=self._end(start),
                areas=self.areas,
                override=override,
                replaces=replaces,
            )
        return Session(
            id=ident,
            index=index,
            start=start,
            end=self._end(start),
            areas=self.areas,
            replaces=replaces,
        )


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


def _beyond_bounds(
    clinic: Clinic,
    protocol: SeriesProtocol,
    before: Session,
    index: int,
    not_before: pendulum.DateTime,
) -> pendulum.DateTime:
    """The first feasible start after the longest interval from *before* (an override's).

    The client's local time comes first on each day, as in `_next_start`.
    """
    day = dt.date.__add__(before.start.date(), dt.timedelta(days=protocol.max_interval_days + 1))
    wanted = before.start.hour * 60 + before.start.minute
    minutes = protocol.session_minutes
    whole = not before.start.second and not before.start.microsecond
    for _ in range(_SEARCH_DAYS):
        start = clinic.slot_at(day, minutes, wanted, not_before=not_before) if whole else None
        if start is None:
            start = clinic.nearest_slot(day, minutes, wanted, not_before=not_before)
        if start is not None:
            return start
        day = dt.date.__add__(day, _ONE_DAY)
    msg = (
        f"session {index}: the clinic has no opening for {protocol.session_minutes} minutes "
        f"within {_SEARCH_DAYS} days after the longest interval "
        f"(interval_days {protocol.max_interval_days} after session {before.index})"
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
    plan_id: str | None = None,
) -> TreatmentPlan:
    """Plan a series for an assessed client at *clinic*, from *start* on.

    The first session is at *start*, or the first feasible time after it (and never
    before the assessment's earliest start); each later one aims at the same local time
    one interval later, and where the clinic is closed then, takes the nearest feasible
    time within the interval's bounds.

    The plan's id is *plan_id* (1 to 200 characters: letters, digits, ``. _ : -``), or
    without it `derived_plan_id` of the client's id, the first session's start and the
    areas; the session booked *n*-th is ``f"{plan.id}.{n}"``. The plan is revision 1.

    Raises:
        SchedulingError: the client is not a candidate, needs a review that was not
            acknowledged, or no plan keeps the bounds (the message names the session and
            the constraint).
        InvalidTimeError: *start* is naive, or the plan would run past the calendar's end.
        ClientError: *assessment* or *clinic* is not the library's object, or
            *acknowledge_review* is no `bool` (``"false"`` is text, not a no), or
            *plan_id* is no id.
        RuleSetError: *rules* is no `RuleSet`.
    """
    rules = chosen_rules(rules)
    _check_types(assessment, clinic)
    if plan_id is not None and (problem := id_problem(plan_id, "plan_id")):
        raise ClientError(problem)
    acknowledge_review = flag(acknowledge_review, "acknowledge_review")
    chosen = parse_areas(areas)
    _check_candidate(assessment, chosen, acknowledge_review=acknowledge_review)
    protocol = series_protocol(rules, chosen, sessions=sessions, interval_days=interval)
    moment = in_zone(aware(start, field="start"), clinic.zone)
    first = _first_start(clinic, protocol, moment, _earliest(assessment))
    end = elapsed_after(first, dt.timedelta(minutes=protocol.session_minutes))
    if plan_id is None:
        plan_id = derived_plan_id(assessment.client_id, first, chosen)
    plan = TreatmentPlan(
        id=plan_id,
        assessment=assessment,
        areas=chosen,
        clinic=clinic,
        protocol=protocol,
        sessions=(Session(id=session_id(plan_id, 1), index=1, start=first, end=end, areas=chosen),),
        rules=RulesRef(rules.name, rules.version),
        review_acknowledged=_needs_review(assessment),
        client_id=assessment.client_id,
    )
    # A new plan is checked by its construction and by the property tests; checking it again
    # here would cost a batch a third of its throughput. Every operation checks its result.
    return plan._reflow(plan.sessions, pinned=1, check=False)  # noqa: SLF001 - its own machinery


def session_index(value: object) -> int:
    """*value*, checked to be a session's number: an `int`, and not a `bool`.

    ``True == 1`` and ``1.0 == 1`` in Python; a session is never picked by either.

    >>> session_index(True)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mesotherapy._errors.SchedulingError: index: expected a session number (...), got True

    Raises:
        SchedulingError: naming ``index``, when *value* is no such number.
    """
    if type(value) is not int:
        msg = f"index: expected a session number (a whole number such as 1), got {value!r}"
        raise SchedulingError(msg)
    return value


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


def check_plan(plan: TreatmentPlan, rules: RuleSet | None = None) -> list[str]:
    """Every way *plan* breaks invariants 1 to 6 of a plan, one message each; empty if none.

    Each message names the field (``sessions[2].start``), what it holds, what was expected
    and the invariant (DESIGN.md, "Invariants of a plan"). With *rules* (those the plan
    was made with), the protocol's bounds are also checked to be those the rules give for
    the plan's areas. Invariant 7 (the maintenance window) is derived from the sessions,
    never stored, and so always holds; the operations (invariant 8) check their result
    with this function, and `mesotherapy.from_json` checks every plan it reads. The
    sessions' identities are checked too: their ids are distinct, and each ``replaces``
    names a cancelled or missed session of the plan booked before it, which no other
    session replaces.

    >>> import pendulum, mesotherapy as meso
    >>> assessment = meso.assess(meso.Client(birth_date="1985-03-02"), ["face"], on="2026-10-01")
    >>> plan = meso.plan_series(assessment, ["face"], clinic=meso.example_clinic(),
    ...     start=pendulum.datetime(2026, 10, 20, 9, tz="America/Toronto"))
    >>> check_plan(plan, meso.default_rules())
    []
    >>> import attrs
    >>> check_plan(attrs.evolve(plan, sessions=plan.sessions[:1]))
    ['sessions: 1 active sessions, expected 4 (invariant 2: the count lies within the protocol)']
    """
    problems = _protocol_problems(plan, rules)
    problems += _session_problems(plan)
    problems += _identity_problems(plan)
    problems += _candidate_problems(plan)
    return problems


_INVARIANT = {
    1: "invariant 1: active sessions never overlap",
    2: "invariant 2: the count lies within the protocol",
    3: "invariant 3: every gap lies within the interval bounds",
    4: "invariant 4: a planned session lies inside opening hours",
    5: "invariant 5: a session keeps the local time of the one before",
    6: "invariant 6: only a candidate is planned, never before the earliest start",
}


def _protocol_problems(plan: TreatmentPlan, rules: RuleSet | None) -> list[str]:
    p = plan.protocol
    found: list[str] = []
    where = "invariants 2-3: the protocol's bounds are the rule set's"
    if p.areas != plan.areas:
        names = [a.value for a in p.areas]
        found.append(f"protocol.areas: expected the plan's areas, got {names} ({where})")
    if rules is not None:
        try:
            expected = series_protocol(rules, plan.areas)
        except SchedulingError as error:
            return [*found, f"protocol: {error} ({where})"]
        for name in (
            "min_sessions",
            "max_sessions",
            "min_interval_days",
            "max_interval_days",
            "session_minutes",
            "min_maintenance_months",
            "max_maintenance_months",
        ):
            want, got = getattr(expected, name), getattr(p, name)
            if want != got:
                found.append(f"protocol.{name}: the rules give {want}, got {got!r} ({where})")
    if not p.min_sessions <= p.sessions <= p.max_sessions:
        found.append(
            f"protocol.sessions: expected {p.min_sessions} to {p.max_sessions}, "
            f"got {p.sessions!r} ({_INVARIANT[2]})"
        )
    if not p.min_interval_days <= p.interval_days <= p.max_interval_days:
        found.append(
            f"protocol.interval_days: expected {p.min_interval_days} to "
            f"{p.max_interval_days}, got {p.interval_days!r} ({_INVARIANT[3]})"
        )
    return found


def _session_problems(plan: TreatmentPlan) -> list[str]:
    p, clinic = plan.protocol, plan.clinic
    found: list[str] = []
    seen: set[int] = set()
    for n, session in enumerate(plan.sessions):
        if session.index in seen:
            found.append(f"sessions[{n}].index: {session.index} repeats ({_INVARIANT[1]})")
        seen.add(session.index)
        if session.areas != plan.areas:
            found.append(f"sessions[{n}].areas: expected the plan's areas ({_INVARIANT[1]})")
        if session.end != elapsed_after(session.start, dt.timedelta(minutes=p.session_minutes)):
            found.append(
                f"sessions[{n}].end: expected {p.session_minutes} minutes after its start "
                f"({_INVARIANT[1]})"
            )
        if session.status is SessionStatus.PLANNED and not clinic.fits(
            session.start, p.session_minutes
        ):
            found.append(
                f"sessions[{n}].start: the clinic is not open for a whole session at "
                f"{session.start} ({_INVARIANT[4]})"
            )
    return found + _gap_problems(plan)


_IDENTITY = "identities: a session id names one session; a replacement names what it replaces"


def _identity_problems(plan: TreatmentPlan) -> list[str]:
    """Session ids unique; each ``replaces`` names an earlier inactive session, once."""
    found: list[str] = []
    by_id: dict[str, Session] = {}
    for n, session in enumerate(plan.sessions):
        if session.id in by_id:
            found.append(
                f"sessions[{n}].id: repeats the id of session {by_id[session.id].index} "
                f"({_IDENTITY})"
            )
        else:
            by_id[session.id] = session
    replaced: dict[str, int] = {}
    for n, session in enumerate(plan.sessions):
        if session.replaces is None:
            continue
        old = by_id.get(session.replaces)
        where = f"sessions[{n}].replaces"
        if old is None:
            found.append(f"{where}: names no session of the plan ({_IDENTITY})")
        elif old.status.is_active:
            found.append(
                f"{where}: names session {old.index}, which is {old.status.value}, expected "
                f"a cancelled or missed one ({_IDENTITY})"
            )
        elif old.index >= session.index:
            found.append(
                f"{where}: names session {old.index}, expected one booked before session "
                f"{session.index} ({_IDENTITY})"
            )
        elif session.replaces in replaced:
            found.append(
                f"{where}: session {old.index} is already replaced by session "
                f"{replaced[session.replaces]} ({_IDENTITY})"
            )
        else:
            replaced[session.replaces] = session.index
    return found


def _gap_problems(plan: TreatmentPlan) -> list[str]:
    p = plan.protocol
    found: list[str] = []
    position = {id(s): n for n, s in enumerate(plan.sessions)}
    # Index order is time order: the operations rely on it.
    active = sorted(plan.active_sessions, key=lambda s: s.index)
    count = len(active)
    if count != p.sessions or not p.min_sessions <= count <= p.max_sessions:
        found.append(f"sessions: {count} active sessions, expected {p.sessions} ({_INVARIANT[2]})")
    for before, after in itertools.pairwise(active):
        n = position[id(after)]
        if after.start < before.end:
            found.append(f"sessions[{n}].start: overlaps session {before.index} ({_INVARIANT[1]})")
            continue
        gap = dt.date.__sub__(after.start.date(), before.start.date()).days
        beyond = gap > p.max_interval_days and after.override is not None
        if not p.min_interval_days <= gap <= p.max_interval_days and not beyond:
            found.append(
                f"sessions[{n}].start: {gap} days after session {before.index}, expected "
                f"{p.min_interval_days} to {p.max_interval_days} (interval_days; "
                f"{_INVARIANT[3]}{'' if gap < p.min_interval_days else ', or an override'})"
            )
        elif problem := _same_time_problem(plan, before, after):
            found.append(f"sessions[{n}].start: {problem} ({_INVARIANT[5]})")
    return found


def _same_time_problem(plan: TreatmentPlan, before: Session, session: Session) -> str | None:
    if session.status is not SessionStatus.PLANNED or session.fixed:
        return None
    wanted = before.start.time()
    if session.start.time() == wanted:
        return None
    try:
        same = plan.clinic.at(session.start.date(), wanted)
    except InvalidTimeError:
        return None  # that local time does not exist once on this day
    floor = _floor(plan.sessions, session.index)
    if floor is not None and same < floor:
        return None  # that time had passed when the session was booked
    if same >= before.end and plan.clinic.fits(same, plan.protocol.session_minutes):
        return f"at {session.start.time()}, expected {wanted} as session {before.index}"
    return None


def _candidate_problems(plan: TreatmentPlan) -> list[str]:
    a = plan.assessment
    status, earliest, _ = candidacy(a.findings, on=a.on, areas=a.areas)
    found: list[str] = []
    missing = [area.value for area in plan.areas if area not in a.areas]
    if missing:
        found.append(f"areas: {missing[0]!r} was not assessed ({_INVARIANT[6]})")
    if status is Candidacy.INELIGIBLE:
        found.append(f"assessment.status: the client is not a candidate ({_INVARIANT[6]})")
    elif status is Candidacy.DEFERRED and earliest is None:
        found.append(f"assessment.status: deferred with no date ({_INVARIANT[6]})")
    if _needs_review(a) and not plan.review_acknowledged:
        found.append(
            f"review_acknowledged: a finding needs a clinician's review, got false "
            f"({_INVARIANT[6]})"
        )
    first = min((s.start for s in plan.active_sessions), default=None)
    if first is not None and earliest is not None and first.date() < earliest:
        n = next(n for n, s in enumerate(plan.sessions) if s.start == first and s.status.is_active)
        found.append(
            f"sessions[{n}].start: before the assessment's earliest start "
            f"{earliest.isoformat()} ({_INVARIANT[6]})"
        )
    return found
