"""Properties of the diary's core: invariants 10 to 12 for generated diaries and plans.

Each property books generated plans into a generated diary (`tests.diary_strategies`)
and checks the result by an independent sweep over every claim of every resource, and
`is_free` and `book` against brute-force scans of the diary's public fields.
"""

from __future__ import annotations

import datetime as dt
import pickle
from collections.abc import Sequence

import attrs
from hypothesis import event, given, note, settings
from hypothesis import strategies as st

from mesotherapy import Diary, Practitioner, Room, SchedulingError, SessionStatus, TreatmentPlan
from tests.conftest import examples
from tests.diary_strategies import (
    World,
    brute_free,
    brute_refusal,
    plans_in,
    probes,
    session_problems,
    sweep,
    worlds,
)


@st.composite
def booked_worlds(draw: st.DrawFn, max_plans: int = 6) -> tuple[World, list[TreatmentPlan]]:
    """A world whose diary holds up to *max_plans* generated plans (refused ones left out).

    Every plan is checked on the way: `book` refuses it exactly when `brute_refusal` does.
    """
    world = draw(worlds())
    diary, held = world.diary, []
    for n in range(draw(st.integers(min_value=0, max_value=max_plans))):
        plan = draw(plans_in(world, f"plan-{n}"))
        diary, booked = _book_checked(diary, plan)
        if booked:
            held.append(plan)
    return attrs.evolve(world, diary=diary), held


def _book_checked(diary: Diary, plan: TreatmentPlan) -> tuple[Diary, bool]:
    expected = brute_refusal(diary, plan)
    note(f"{plan.id}: brute force says {expected or 'bookable'}")
    try:
        booked = diary.book(plan)
    except SchedulingError as error:
        refusal = str(error)
    else:
        assert expected is None, f"booked, but the scan finds {expected}"
        event("booked")
        return booked, True
    assert expected is not None, f"refused, but the scan finds no reason: {refusal}"
    event("refused: " + expected.split(": ")[-1])
    return diary, False


def _answers(diary: Diary, asked: Sequence[tuple[str, dt.datetime, dt.datetime]]) -> list[bool]:
    return [diary.is_free(r, s, e) for r, s, e in asked]


@settings(max_examples=examples(50))
@given(booked_worlds())
def test_no_two_claims_of_a_resource_are_closer_than_the_buffer(
    booked: tuple[World, list[TreatmentPlan]],
) -> None:
    world, plans = booked
    diary = world.diary
    assert sweep(diary) == []
    assert diary.problems() == []
    # Invariant 11: every booked session's practitioner may treat its areas and works then,
    # its room serves them; and the bookings are exactly the plans' active sessions.
    sessions = {s.id: s for plan in plans for s in plan.active_sessions}
    assert sorted(b.session for b in diary.bookings) == sorted(sessions)
    for booking in diary.bookings:
        session = sessions[booking.session]
        assert (booking.practitioner, booking.room) == (session.practitioner, session.room)
        assert (booking.start, booking.end) == (session.start, session.end)
        assert session_problems(diary, session) == []


@settings(max_examples=examples(50))
@given(booked_worlds(), st.data())
def test_is_free_agrees_with_a_scan_over_every_claim(
    booked: tuple[World, list[TreatmentPlan]], data: st.DataObject
) -> None:
    world, _ = booked
    diary = world.diary
    edges = [(b.start, b.end) for b in diary.busy] + [(b.start, b.end) for b in diary.bookings]
    for _ in range(20):
        resource = data.draw(st.sampled_from([r.id for r in diary.resources]))
        start, end = data.draw(probes(world, edges))
        free = diary.is_free(resource, start, end)
        assert free == brute_free(diary, resource, start, end), (resource, start, end)
        why = diary.why_busy(resource, start, end)
        assert (why == ()) == free
        for claim in why:
            mine = getattr(claim, "resource", None) == resource or resource in (
                getattr(claim, "practitioner", None),
                getattr(claim, "room", None),
            )
            assert mine
        shown = diary.claims(resource, start, end)
        assert all(c.start < end and start < c.end for c in shown)
        assert set(shown) <= set(diary.claims(resource))


@settings(max_examples=examples(50))
@given(booked_worlds(max_plans=3), st.data())
def test_book_is_all_or_nothing_and_release_gives_the_diary_back(
    booked: tuple[World, list[TreatmentPlan]], data: st.DataObject
) -> None:
    world, _ = booked
    diary = world.diary
    asked = [
        (data.draw(st.sampled_from([r.id for r in diary.resources])), *data.draw(probes(world)))
        for _ in range(10)
    ]
    before = _answers(diary, asked)
    bookings = diary.bookings
    plan = data.draw(plans_in(world, "the-plan"))
    try:
        after = diary.book(plan)
    except SchedulingError:
        # Refused: the diary is as it was, and answers as it did.
        assert diary.bookings == bookings
        assert diary == attrs.evolve(diary)
        assert _answers(diary, asked) == before
        return
    assert len(after.bookings) == len(bookings) + len(plan.active_sessions)
    released = after.release(plan)
    assert released == diary
    assert released.bookings == bookings
    assert _answers(released, asked) == before
    assert released.release(plan) is released  # a plan it does not hold: unchanged
    # Built again from its fields, the diary is the same and answers the same.
    rebuilt = attrs.evolve(after)
    assert rebuilt == after
    assert _answers(rebuilt, asked) == _answers(after, asked)
    clone = pickle.loads(pickle.dumps(after))  # noqa: S301 - our own bytes
    assert clone == after
    assert _answers(clone, asked) == _answers(after, asked)


@settings(max_examples=examples(50))
@given(booked_worlds(max_plans=4), st.data())
def test_update_moves_a_plan_or_changes_nothing(
    booked: tuple[World, list[TreatmentPlan]], data: st.DataObject
) -> None:
    world, plans = booked
    if not plans:
        return
    diary = world.diary
    old = data.draw(st.sampled_from(plans))
    planned = [s for s in old.sessions if s.status is SessionStatus.PLANNED]
    session = data.draw(st.sampled_from(planned))
    how = data.draw(st.sampled_from(("reschedule", "cancel", "no_show", "complete")))
    try:
        if how == "reschedule":
            day = session.start.date().add(days=data.draw(st.integers(-3, 3)))
            slots = list(old.clinic.slots(day, old.protocol.session_minutes))
            if not slots:
                return
            new = old.reschedule(session.index, data.draw(st.sampled_from(slots)))
        elif how == "complete":
            new = old.complete(min(s.index for s in planned))
        else:
            new = getattr(old, how)(session.index)
    except SchedulingError:
        return
    # A replacement session has no resources yet: it takes those of the session it replaces.
    sessions = tuple(
        s
        if s.practitioner
        else attrs.evolve(s, practitioner=session.practitioner, room=session.room)
        for s in new.sessions
    )
    new = attrs.evolve(new, sessions=sessions)
    expected = brute_refusal(diary.release(old), new)
    try:
        moved = diary.update(old, new)
    except SchedulingError:
        assert expected is not None
        assert {b.session for b in diary.bookings_of(old.id)} == {s.id for s in old.active_sessions}
        assert sweep(diary) == []
        return
    assert expected is None
    assert sweep(moved) == []
    assert {b.session for b in moved.bookings_of(new.id)} == {s.id for s in new.active_sessions}
    assert moved.release(new) == diary.release(old)


@given(worlds(max_busy=5))
def test_resources_repr_as_themselves(world: World) -> None:
    for resource in world.diary.resources:
        assert eval(repr(resource), {"Practitioner": Practitioner, "Room": Room}) == resource  # noqa: S307
        assert attrs.evolve(resource) == resource
