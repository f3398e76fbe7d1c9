"""The treatment plan: a series of sessions at a clinic, and what may be done to it."""

from __future__ import annotations

import datetime as dt
from operator import attrgetter
from typing import TYPE_CHECKING, cast

import attrs
import pendulum

from ._assess import Assessment, RulesRef
from ._clinic import Clinic
from ._errors import ClientError, SchedulingError
from ._guards import wrong_type
from ._invariants import check_operation, check_plan, day_word, earliest_day, same_time_start
from ._model import Area, flag
from ._protocol import SeriesProtocol
from ._rules import RuleSet
from ._session import (
    MaintenanceWindow,
    Override,
    Session,
    SessionStatus,
    id_problem,
    missed_end,
    session_id,
    session_index,
)
from ._slots import start_after
from ._time import aware, elapsed_after, parse_date, shift_date, within_calendar
from ._vocabulary import chosen_rules

if TYPE_CHECKING:
    from ._diary import Diary

__all__ = ["TreatmentPlan", "plan_rules"]

_INDEX, _REPLACES = attrgetter("index"), attrgetter("replaces")


def _plan_id(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    if problem := id_problem(value, attribute.name):
        raise ClientError(problem)


def _revision(_: object, __: object, value: object) -> None:
    if type(value) is not int or value < 1:
        msg = f"revision: expected a whole number from 1 (1 for a new plan), got {value!r}"
        raise ClientError(msg)


def _review_acknowledged(value: object) -> bool:
    return flag(value, "review_acknowledged")


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
        # `shift_date` is pendulum's `add(months=...)` in the C date arithmetic.
        return (
            MaintenanceWindow(
                shift_date(last, self.protocol.min_maintenance_months, 0),
                shift_date(last, self.protocol.max_maintenance_months, 0),
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
        self,
        index: int,
        new_start: pendulum.DateTime,
        *,
        override: Override | None = None,
        diary: Diary | None = None,
    ) -> TreatmentPlan:
        """Move a planned session; later planned sessions follow where their gap must.

        With *override*, a session that cannot keep the longest interval (the one moved,
        or one that follows it) is placed beyond it and records the override; without,
        the plan is refused. No override lets a gap fall below the shortest interval.

        With *diary*, every session the result moves or adds must fit the diary as
        `plan_series` with a diary requires; the plan's own claims do not block it (it is
        checked against ``diary.release(plan)``). A session keeps its practitioner and
        room while they stay free, else takes other qualified, free ones; a later session
        that cannot fit moves within its bounds. The diary is not changed: move the
        claims with ``diary.update(plan, new_plan)``.

        Raises:
            SchedulingError: the session is not planned, the new time is closed, or no
                plan keeps the protocol's bounds; with *diary*, the diary cannot hold the
                result (the message names the session and what blocked it).
            InvalidTimeError: *new_start* is naive.
            ClientError: *override* is no `Override`, or names the plan's client; *diary*
                is no `Diary`, or one of another clinic.
        """
        self._check_override(override)
        self._check_diary(diary)
        session = self._planned(index)
        start = aware(new_start, field="new_start").in_timezone(self.timezone)
        moved = attrs.evolve(session, start=start, end=self._end(start), fixed=True)
        if not self.clinic.fits(start, self.protocol.session_minutes):
            msg = f"session {index}: the clinic is not open for a whole session at {start}"
            raise SchedulingError(msg)
        new = self._reflow(self._replace(moved), pinned=index, override=override, revise=True)
        return self._in_diary(new, diary, pinned=index)

    @within_calendar
    def complete(self, index: int, at: pendulum.DateTime | None = None) -> TreatmentPlan:
        """Mark a session completed, at its planned time or at *at*.

        Sessions are completed in order; a completed session never moves again.

        Raises:
            SchedulingError: the session is not planned, an earlier one is still
                planned, or *at* would break the protocol's bounds.
        """
        session = self._planned(index)
        # The planned ones of `active_sessions`, without asking every session if it is active.
        earlier = [
            s
            for s in self.sessions
            if s.status is SessionStatus.PLANNED and s.start < session.start
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
    def cancel(
        self, index: int, *, override: Override | None = None, diary: Diary | None = None
    ) -> TreatmentPlan:
        """Cancel a planned session; a replacement keeps the series at its count.

        With *override*, a session that can no longer keep the longest interval is placed
        beyond it and records the override (see `reschedule`). With *diary*, the
        replacement and every session that moves must fit it (see `reschedule`).

        Raises:
            SchedulingError: the session is not planned, or no plan keeps the bounds;
                with *diary*, the diary cannot hold the result.
            ClientError: *override* is no `Override`, or names the plan's client; *diary*
                is no `Diary`, or one of another clinic.
        """
        self._check_override(override)
        self._check_diary(diary)
        new = self._drop(index, SessionStatus.CANCELLED, override)
        return self._in_diary(new, diary, pinned=None)

    @within_calendar
    def no_show(
        self, index: int, *, override: Override | None = None, diary: Diary | None = None
    ) -> TreatmentPlan:
        """Record that the client missed a planned session; a replacement is booked.

        *override*, *diary* and the errors are those of `cancel`.
        """
        self._check_override(override)
        self._check_diary(diary)
        new = self._drop(index, SessionStatus.NO_SHOW, override)
        return self._in_diary(new, diary, pinned=None)

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
        sessions[1].start: 1 day after session 1, expected 14 to 28
        (interval_days; invariant 3: every gap lies within the interval bounds)
        """
        return check_plan(self, rules)

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

    def _check_diary(self, diary: object) -> None:
        if diary is not None:
            from ._diary_search import check_diary  # noqa: PLC0415 - loaded with a diary

            check_diary(self, diary)

    def _in_diary(
        self, new: TreatmentPlan, diary: Diary | None, *, pinned: int | None
    ) -> TreatmentPlan:
        """*new*, this plan's operation, with every session it moves or adds in *diary*."""
        if diary is None:
            return new
        from ._diary_search import book_operation  # noqa: PLC0415 - loaded with a diary

        return book_operation(self, new, diary, pinned=pinned)

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
        it starts before it ended (`missed_end`), in this operation or any later one. With
        *override*, a session that cannot keep the longest interval stands beyond it and
        records the override; with *check*, the result is checked against invariants 1
        to 6 (`check_plan`) before it is returned. With *revise*, the result is the next
        revision of this plan. Every session keeps its id; a session booked to keep the
        count names the first inactive session (in booking order) that nothing replaced
        yet, if any.
        """
        # One pass over every session ever booked; what follows works on the active ones.
        active: list[Session] = []
        inactive: list[Session] = []
        for s in sessions:
            live = s.status is SessionStatus.PLANNED or s.status is SessionStatus.COMPLETED
            (active if live else inactive).append(s)
        # The missed sessions, found once: each session placed asks which ended before it.
        missed = tuple(s for s in inactive if s.status is SessionStatus.NO_SHOW)
        # Index order is time order: a session moved past the next ones pushes them after it.
        active.sort(key=_INDEX)
        placed: list[Session] = []
        for session in active:
            movable = session.status is SessionStatus.PLANNED and session.index != pinned
            low = missed_end(missed, session.index)
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
        earliest = earliest_day(self.assessment) if placed else None
        if earliest is not None and placed[0].start.date() < earliest:
            msg = (
                f"session {placed[0].index}: starts before the assessment's earliest start "
                f"{earliest}"
            )
            raise SchedulingError(msg)
        next_index = max(map(_INDEX, sessions)) + 1
        unreplaced: list[str] = []
        if len(placed) < self.protocol.sessions:  # only a replacement names what it replaces
            replaced = set(map(_REPLACES, sessions))
            unreplaced = [s.id for s in sorted(inactive, key=_INDEX) if s.id not in replaced]
        while len(placed) < self.protocol.sessions:
            floor = missed_end(missed, next_index)
            ids = (session_id(self.id, next_index), unreplaced.pop(0) if unreplaced else None)
            placed.append(self._place_after(placed[-1], next_index, floor, override, ids=ids))
            next_index += 1
        ordered = tuple(sorted([*placed, *inactive], key=_INDEX))
        revision = self.revision + 1 if revise else self.revision
        plan = attrs.evolve(self, sessions=ordered, revision=revision)
        # Only what the operation changed is checked when this plan is known sound.
        if check and (problems := check_operation(self, plan, (placed, list(missed)))):
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
        # Where the clinic allows it, a session keeps the local time of the one before.
        return session.fixed or same_time_start(self, before, session) is None

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
        search = (self.clinic, self.protocol, before, index, not_before)
        try:
            start, overridden = start_after(*search), None
        except SchedulingError:
            if override is None:
                raise
            start, overridden = start_after(*search, beyond=True), override
        return Session(
            id=ident,
            index=index,
            start=start,
            end=self._end(start),
            areas=self.areas,
            override=overridden,
            replaces=replaces,
        )


def _gap_message(before: Session, session: Session, protocol: SeriesProtocol) -> str:
    gap = (session.start.date() - before.start.date()).days
    return (
        f"session {session.index}: {gap} {day_word(gap)} after session {before.index}, expected "
        f"{protocol.min_interval_days} to {protocol.max_interval_days} (interval_days)"
    )


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
