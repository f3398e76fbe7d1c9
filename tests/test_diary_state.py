"""A stateful test of the diary: many plans booked, released and moved in one diary at random.

The machine keeps the plans it booked beside the diary. After every step an independent
sweep over every claim of every resource (`tests.diary_strategies.sweep`) finds no two
claims closer than the buffer, the diary's bookings are exactly the held plans' active
sessions, and every refusal is one that a brute-force scan also finds.
"""

from __future__ import annotations

import attrs
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from mesotherapy import Diary, InvalidTimeError, SchedulingError, TreatmentPlan
from tests.conftest import examples
from tests.diary_strategies import World, assigned, brute_refusal, plans_in, sweep, worlds
from tests.plan_strategies import Operation, operations


class DiaryMachine(RuleBasedStateMachine):
    """One diary; plans booked into it, released, and changed by their operations."""

    def __init__(self) -> None:
        super().__init__()
        self.world: World | None = None
        self.diary: Diary | None = None
        self.plans: dict[str, TreatmentPlan] = {}
        self.made = 0

    @property
    def _diary(self) -> Diary:
        assert self.diary is not None
        return self.diary

    @initialize(world=worlds(max_busy=15))
    def open_the_diary(self, world: World) -> None:
        self.world, self.diary = world, world.diary

    @rule(data=st.data())
    def book(self, data: st.DataObject) -> None:
        assert self.world is not None
        self.made += 1
        plan = data.draw(plans_in(self.world, f"plan-{self.made}"))
        expected = brute_refusal(self._diary, plan)
        try:
            self.diary = self._diary.book(plan)
        except SchedulingError:
            assert expected is not None
            event("book: refused")
            return
        assert expected is None, expected
        event("book: booked")
        self.plans[plan.id] = plan

    @precondition(lambda self: bool(self.plans))
    @rule(data=st.data())
    def release(self, data: st.DataObject) -> None:
        plan = self.plans.pop(data.draw(st.sampled_from(sorted(self.plans))))
        self.diary = self._diary.release(plan)
        assert self._diary.bookings_of(plan.id) == ()
        assert self._diary.release(plan) is self.diary

    @precondition(lambda self: bool(self.plans))
    @rule(data=st.data(), operation=operations())
    def operate(self, data: st.DataObject, operation: Operation) -> None:
        old = self.plans[data.draw(st.sampled_from(sorted(self.plans)))]
        try:
            new = operation.apply(old)
        except (SchedulingError, InvalidTimeError):
            return
        # A replacement session names no resources yet: it takes those of the first one.
        first = old.sessions[0]
        new = assigned(new, first.practitioner or "", first.room or "", only_missing=True)
        expected = brute_refusal(self._diary.release(old), new)
        before = self._diary.bookings
        try:
            moved = self._diary.update(old, new)
        except SchedulingError:
            assert expected is not None
            assert self._diary.bookings == before  # all or nothing
            event(f"{operation.name}: refused by the diary")
            return
        assert expected is None, expected
        event(f"{operation.name}: updated")
        self.diary = moved
        self.plans[new.id] = new

    @invariant()
    def never_a_double_booking(self) -> None:
        if self.diary is None:
            return
        assert sweep(self.diary) == []
        assert self.diary.problems() == []
        held = sorted(s.id for plan in self.plans.values() for s in plan.active_sessions)
        assert sorted(b.session for b in self.diary.bookings) == held
        assert attrs.evolve(self.diary) == self.diary


DiaryMachine.TestCase.settings = settings(max_examples=examples(50), stateful_step_count=25)
TestDiary = DiaryMachine.TestCase
