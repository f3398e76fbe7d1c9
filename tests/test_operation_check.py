"""An operation checks only what it changed (`check_operation`): always what `check_plan` finds.

A plan an operation returned is remembered as sound; the next operation on it checks the
sessions it replaced or added, the gaps of the active sessions and the identities that
involve a change, not every session ever booked. The machine below runs reschedule,
complete, cancel and no-show in random order, each on the plan and on a copy of it that
is not known sound (which the operation checks whole, as `check_plan`), and finds the
same plan or the same refusal; and it edits plans by hand (a session moved, its end, its
status, its id or what it replaces changed, a session dropped or repeated) to find that
`check_operation` gives exactly `check_plan`'s messages for any plan, sound or not.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import attrs
import pendulum
import pytest
from hypothesis import assume, event, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test

import mesotherapy as meso
from mesotherapy import (
    InvalidTimeError,
    SchedulingError,
    Session,
    SessionStatus,
    TreatmentPlan,
)
from mesotherapy import _invariants as invariants
from mesotherapy._invariants import check_operation, check_plan
from tests.conftest import examples
from tests.plan_strategies import PlanRequest, plan_requests

Outcome = tuple[str, object]


def _outcome(operation: Callable[[TreatmentPlan], TreatmentPlan], plan: TreatmentPlan) -> Outcome:
    try:
        return ("done", operation(plan))
    except (SchedulingError, InvalidTimeError) as error:
        return (type(error).__name__, str(error))


def _edited(plan: TreatmentPlan, data: st.DataObject) -> TreatmentPlan:
    """*plan* with one of its sessions changed by hand, in a way an operation may not."""
    sessions = list(plan.sessions)
    # Most often one an operation leaves alone: an inactive session, or a replacement.
    alone = [n for n, s in enumerate(sessions) if not s.status.is_active or s.replaces]
    anywhere = st.integers(0, len(sessions) - 1)
    n = data.draw(st.sampled_from(alone) | anywhere if alone else anywhere, label="session")
    session = sessions[n]
    other = data.draw(st.sampled_from(sessions), label="other session")
    how = data.draw(
        st.sampled_from(
            ("move", "move start", "status", "id", "replaces", "index", "drop", "repeat", "swap")
        ),
        label="edit",
    )
    note(f"edit {how} of sessions[{n}] (other: {other.index})")
    days = data.draw(st.integers(-20, 20), label="days")
    minutes = data.draw(st.sampled_from((0, 0, 30, -60, 90)), label="minutes")
    if how == "move":
        sessions[n] = attrs.evolve(
            session,
            start=session.start.add(days=days, minutes=minutes),
            end=session.end.add(days=days, minutes=minutes),
        )
    elif how == "move start":
        sessions[n] = attrs.evolve(session, start=session.start.add(days=days, minutes=minutes))
    elif how == "status":
        status = data.draw(st.sampled_from(SessionStatus), label="status")
        sessions[n] = attrs.evolve(session, status=status)
    elif how == "id":
        sessions[n] = attrs.evolve(session, id=other.id)
    elif how == "replaces":
        replaces = data.draw(st.sampled_from((None, other.id, "nobody.9")), label="replaces")
        sessions[n] = attrs.evolve(session, replaces=replaces)
    elif how == "index":
        sessions[n] = attrs.evolve(session, index=other.index)
    elif how == "drop":
        del sessions[n]
    elif how == "repeat":
        sessions.append(session)
    else:
        sessions[n], sessions[sessions.index(other)] = other, session
    return attrs.evolve(plan, sessions=tuple(sessions))


class CheckedOperations(RuleBasedStateMachine):
    """A plan, operated on and edited; the incremental check always agrees with the whole one."""

    def __init__(self) -> None:
        super().__init__()
        self.plan: TreatmentPlan | None = None

    @property
    def current(self) -> TreatmentPlan:
        assert self.plan is not None
        return self.plan

    @initialize(request=plan_requests())
    def build(self, request: PlanRequest) -> None:
        try:
            self.plan = request.plan()
        except SchedulingError:
            event("infeasible request")
        assume(self.plan is not None)

    def _index(self, data: st.DataObject) -> int:
        planned = [s.index for s in self.current.sessions if s.status is SessionStatus.PLANNED]
        known = [s.index for s in self.current.sessions]
        mostly = st.sampled_from(planned or known)
        return data.draw(st.one_of(mostly, mostly, mostly, st.sampled_from(known)), label="index")

    def _operate(self, what: str, operation: Callable[[TreatmentPlan], TreatmentPlan]) -> None:
        old = self.current
        # The same plan, not known sound: the operation checks its result whole.
        whole = copy.copy(old)
        assert whole == old
        assert whole is not old
        known = invariants._CHECKED.get(id(old)) is old
        note(f"{what} on a plan {'known' if known else 'not known'} sound")
        got, want = _outcome(operation, old), _outcome(operation, whole)
        assert got == want, f"{what}: {got!r} checked in part, {want!r} checked whole"
        event(f"{'done' if got[0] == 'done' else 'refused'}, {'in part' if known else 'whole'}")
        if got[0] == "done":
            new = got[1]
            assert isinstance(new, TreatmentPlan)
            assert check_plan(new, None) == []
            self.plan = new

    @rule(data=st.data(), days=st.integers(-3, 3) | st.integers(-25, 30), slot=st.booleans())
    def reschedule(self, data: st.DataObject, days: int, slot: bool) -> None:
        plan = self.current
        index = self._index(data)
        base = next(s for s in plan.sessions if s.index == index)
        day = base.start.in_timezone(plan.timezone).date().add(days=days)
        slots = list(plan.clinic.slots(day, plan.protocol.session_minutes))
        if slot and slots:
            new_start = data.draw(st.sampled_from(slots), label="slot")
        else:
            new_start = pendulum.datetime(day.year, day.month, day.day, 10, tz=plan.timezone)
        self._operate(f"reschedule({index}, {new_start})", lambda p: p.reschedule(index, new_start))

    @rule(data=st.data(), days=st.one_of(st.none(), st.integers(-3, 3)))
    def complete(self, data: st.DataObject, days: int | None) -> None:
        index = self._index(data)
        base = next(s for s in self.current.sessions if s.index == index)
        at = None if days is None else base.start.add(days=days)
        self._operate(f"complete({index}, at={at})", lambda p: p.complete(index, at))

    @rule(data=st.data(), missed=st.booleans())
    def drop(self, data: st.DataObject, missed: bool) -> None:
        index = self._index(data)
        if missed:
            self._operate(f"no_show({index})", lambda p: p.no_show(index))
        else:
            self._operate(f"cancel({index})", lambda p: p.cancel(index))

    @rule(data=st.data(), adopt=st.booleans())
    def edit(self, data: st.DataObject, adopt: bool) -> None:
        old = self.current
        edited = _edited(old, data)
        whole = check_plan(edited, None)
        assert check_operation(old, edited) == whole
        event(f"edited: {'sound' if not whole else 'refused'}")
        if adopt:  # operate on it next, sound or not
            self.plan = edited


def test_an_operation_checked_in_part_gives_what_the_whole_check_gives() -> None:
    run_state_machine_as_test(
        CheckedOperations,
        settings=settings(max_examples=examples(60), stateful_step_count=20),
    )


def _plan() -> TreatmentPlan:
    start = pendulum.datetime(2026, 10, 20, 9, tz="America/Toronto")
    assessment = meso.assess(meso.Client(birth_date="1985-03-02"), ["face"], on=start.date())
    return meso.plan_series(assessment, ["face"], clinic=meso.example_clinic(), start=start)


def test_an_operation_on_a_plan_an_operation_returned_checks_only_its_change(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    once = _plan().cancel(2)  # a plan from plan_series is checked whole, once
    monkeypatch.setattr(invariants, "check_plan", _refuse_whole_check)
    cancelled = once.cancel(3)
    last = cancelled.sessions[-1]
    twice = cancelled.reschedule(last.index, last.start.add(days=1))
    assert twice.sessions[-1].start == last.start.add(days=1)
    assert [s.status for s in twice.sessions[:3]] == [
        SessionStatus.PLANNED,
        SessionStatus.CANCELLED,
        SessionStatus.CANCELLED,
    ]
    with pytest.raises(AssertionError, match="checked whole"):
        _plan().cancel(2)


def _refuse_whole_check(plan: TreatmentPlan, rules: object = None) -> list[str]:
    msg = f"plan {plan.id} checked whole (rules {rules})"
    raise AssertionError(msg)


def test_a_plan_edited_by_hand_is_checked_whole_by_the_next_operation() -> None:
    plan = _plan().cancel(2)
    second = plan.session(3)
    broken = attrs.evolve(second, end=second.end.add(minutes=5))
    edited = attrs.evolve(plan, sessions=tuple(broken if s is second else s for s in plan.sessions))
    # The edited session is not the one the operation changes: a check in part misses it.
    with pytest.raises(SchedulingError, match=r"sessions\[2\].end: expected 45 minutes"):
        edited.reschedule(4, plan.session(4).start.add(days=1))


def test_a_sound_plan_edited_by_hand_and_operated_on_is_not_remembered() -> None:
    plan = _plan().cancel(2)
    sessions: tuple[Session, ...] = plan.sessions
    edited = attrs.evolve(plan, sessions=sessions[::-1])  # the same sessions, reordered
    assert invariants._CHECKED.get(id(edited)) is None
    assert check_operation(plan, edited) == check_plan(edited, None) == []


EDITS = (
    {"start": {"minutes": 30}},
    {"start": {"minutes": 30}, "end": {"minutes": 30}},
    {"start": {"days": 1}, "end": {"days": 1}},
    {"start": {"days": -1}, "end": {"days": -1}},
    {"start": {"days": -7}, "end": {"days": -7}},
    {"start": {"days": -13}, "end": {"days": -13}},
    {"end": {"minutes": -5}},
)


def _by_hand(plan: TreatmentPlan) -> list[tuple[str, TreatmentPlan]]:
    """*plan* edited by hand every way `EDITS` and the identities give, one session each."""
    found: list[tuple[str, TreatmentPlan]] = []
    sessions = plan.sessions

    def with_session(n: int, session: Session | None) -> TreatmentPlan:
        rest = sessions[:n] + sessions[n + 1 :]
        changed = (*sessions[:n], session, *sessions[n + 1 :]) if session else rest
        return attrs.evolve(plan, sessions=changed)

    for n, session in enumerate(sessions):
        for edit in EDITS:
            shifted = {name: getattr(session, name).add(**by) for name, by in edit.items()}
            found.append((f"{n} {edit}", with_session(n, attrs.evolve(session, **shifted))))
        found += [
            (f"{n} {status}", with_session(n, attrs.evolve(session, status=status)))
            for status in SessionStatus
        ]
        for other in sessions:
            found.append(
                (f"{n} id {other.id}", with_session(n, attrs.evolve(session, id=other.id)))
            )
            replaces = attrs.evolve(session, replaces=other.id)
            found.append((f"{n} replaces {other.id}", with_session(n, replaces)))
            index = attrs.evolve(session, index=other.index)
            found.append((f"{n} index {other.index}", with_session(n, index)))
        later = attrs.evolve(session, index=max(s.index for s in sessions) + 1)
        found.append((f"{n} index after the last", with_session(n, later)))
        found.append(
            (f"{n} replaces nothing", with_session(n, attrs.evolve(session, replaces=None)))
        )
        found.append((f"{n} dropped", with_session(n, None)))
        found.append((f"{n} repeated", attrs.evolve(plan, sessions=(*sessions, session))))
    return found


def test_every_plan_edited_by_hand_is_checked_in_part_as_it_is_whole() -> None:
    plan = _plan()
    plans = [plan.cancel(2)]
    plans.append(plans[-1].no_show(3))
    plans.append(plans[-1].complete(1))
    last = plans[-1].sessions[-1]
    plans.append(plans[-1].reschedule(last.index, last.start.add(days=1)))
    plans.append(plans[-1].cancel(plans[-1].sessions[-1].index))
    seen = {"sound": 0, "refused": 0}
    # Then each sound plan so edited, which the check remembers, edited again.
    for depth in range(2):
        sound: list[TreatmentPlan] = []
        for known in plans:
            assert invariants._CHECKED.get(id(known)) is known
            for what, edited in _by_hand(known):
                whole = check_plan(edited, None)
                assert check_operation(known, edited) == whole, f"{depth}: {what}"
                seen["refused" if whole else "sound"] += 1
                if not whole:
                    sound.append(edited)
        plans = sound
    assert seen["sound"] > 100, seen
    assert seen["refused"] > 5000, seen
