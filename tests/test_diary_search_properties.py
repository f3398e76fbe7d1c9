"""Properties of the series search with a diary.

- With an empty diary (one practitioner qualified for everything who works the clinic's
  hours, one room, no busy time) the search gives exactly the plan made without a diary.
- Against a generated small diary (short windows, few slots), the search finds a series
  whenever a brute force over the same slots finds one, and every plan it makes keeps
  invariants 1-11 (an independent sweep over every claim of every resource for 10-11)
  and books whole (12); so does every cancellation and no-show with the diary.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from hypothesis import event, given, note, reject, settings
from hypothesis import strategies as st

from mesotherapy import (
    Area,
    Busy,
    Clinic,
    Diary,
    Practitioner,
    Room,
    SchedulingError,
    TreatmentPlan,
    assess,
    from_json,
    plan_series,
    to_json,
)
from tests.builders import ADULT, RULES, toronto, with_changes
from tests.conftest import examples
from tests.plan_strategies import PlanRequest, plan_requests


def _empty(request: PlanRequest, buffer: int = 0) -> Diary:
    return Diary(
        clinic=request.clinic,
        practitioners=[Practitioner(id="dr-all", areas=list(Area))],
        rooms=[Room(id="room-1")],
        buffer_minutes=buffer,
    )


def _in(diary: Diary, request: PlanRequest) -> TreatmentPlan:
    return plan_series(
        request.assessment(),
        request.areas,
        start=request.start,
        diary=diary,
        sessions=request.sessions,
        interval=request.interval,
        acknowledge_review=request.acknowledge_review,
    )


def _times(plan: TreatmentPlan) -> list[tuple[object, ...]]:
    return [(s.id, s.index, s.start, s.end, s.status, s.fixed) for s in plan.sessions]


@settings(max_examples=examples(50))
@given(plan_requests())
def test_an_empty_diary_gives_exactly_the_plan_without_a_diary(request: PlanRequest) -> None:
    try:
        without = request.plan()
    except SchedulingError:
        # Without a diary the planner does not backtrack: the search may find a series
        # where it finds none, and that series must then be a plan.
        try:
            found = _in(_empty(request), request)
        except SchedulingError:
            return
        assert found.problems() == []
        return
    with_diary = _in(_empty(request), request)
    assert with_diary.id == without.id
    assert _times(with_diary) == _times(without)
    assert {(s.practitioner, s.room) for s in with_diary.sessions} == {("dr-all", "room-1")}
    assert _empty(request).book(with_diary).release(with_diary) == _empty(request)


# -- small generated diaries, and a brute force over the same slots ------------------------

SMALL_CLINIC = Clinic(
    name="Small",
    timezone="America/Toronto",
    hours={day: [("09:00", "11:00")] for day in ("monday", "tuesday", "wednesday", "thursday")},
    slot_minutes=30,
)
SMALL_RULES = with_changes(
    RULES,
    version="small-windows",
    protocols={
        "face": {
            "sessions": {"min": 3, "max": 3, "default": 3, "source": "article"},
            "interval_days": {"min": 7, "max": 9, "default": 8, "source": "article"},
        }
    },
)
SMALL_START = toronto(2026, 10, 5, 9)  # a Monday
SMALL_ASSESSMENT = assess(ADULT, ["face"], on="2026-10-01", rules=SMALL_RULES)
FIRST_DAYS = 10  # the brute force tries session 1 on the first ten days only
IDS = ("p1", "p2", "p3", "r1", "r2")


@st.composite
def small_diaries(draw: st.DrawFn) -> Diary:
    """1 to 3 practitioners, 1 or 2 rooms, busy time over the first weeks, a buffer."""
    area_sets: st.SearchStrategy[list[Area | str]] = st.sampled_from(
        [["face"], ["face", "neck"], ["scalp"], list(Area)]
    )
    hours = st.sampled_from(
        [{}, {"tuesday": [("09:00", "10:00")]}, {"monday": [("10:00", "11:00")]}]
    )
    practitioners = [
        Practitioner(id=f"p{n}", areas=draw(area_sets), hours=draw(hours))
        for n in range(1, draw(st.integers(1, 3)) + 1)
    ]
    room_areas: st.SearchStrategy[list[Area | str] | None] = st.sampled_from(
        [None, ["face"], ["scalp"]]
    )
    rooms = [
        Room(id=f"r{n}", areas=draw(room_areas)) for n in range(1, draw(st.integers(1, 2)) + 1)
    ]
    ids = [p.id for p in practitioners] + [r.id for r in rooms]
    busy = []
    for _ in range(draw(st.integers(0, 30))):
        day = SMALL_START.add(days=draw(st.integers(0, 35)))
        start = day.add(minutes=30 * draw(st.integers(0, 3)))
        end = start.add(minutes=30 * draw(st.integers(1, 3)))
        busy.append(Busy(start=start, end=end, resource=draw(st.sampled_from(ids))))
    return Diary(
        clinic=SMALL_CLINIC,
        practitioners=practitioners,
        rooms=rooms,
        busy=busy,
        buffer_minutes=draw(st.sampled_from([0, 15, 30])),
    )


def _free_pairs(
    diary: Diary, start: pendulum.DateTime, end: pendulum.DateTime
) -> list[tuple[str, str]]:
    wanted = {Area.FACE}
    people = [
        p.id
        for p in diary.practitioners
        if wanted <= p.areas and p.works(start, end) and diary.is_free(p.id, start, end)
    ]
    rooms = [
        r.id
        for r in diary.rooms
        if (r.areas is None or wanted <= r.areas) and diary.is_free(r.id, start, end)
    ]
    return [(p, r) for p in people for r in rooms]


def _brute_force(diary: Diary) -> bool:
    """Whether three sessions 7 to 9 days apart fit, session 1 in the first ten days."""
    minutes = 45

    def slots(
        day: dt.date, after: dt.datetime
    ) -> list[tuple[pendulum.DateTime, pendulum.DateTime]]:
        found = []
        for start in SMALL_CLINIC.slots(day, minutes):
            end = start.add(minutes=minutes)
            if start >= after and _free_pairs(diary, start, end):
                found.append((start, end))
        return found

    def rest(before: tuple[pendulum.DateTime, pendulum.DateTime], left: int) -> bool:
        if not left:
            return True
        day = before[0].date()
        return any(
            rest(s, left - 1)
            for gap in range(7, 10)
            for s in slots(day + dt.timedelta(days=gap), before[1])
        )

    return any(
        rest(s, 2)
        for n in range(FIRST_DAYS)
        for s in slots(SMALL_START.date() + dt.timedelta(days=n), SMALL_START)
    )


def _small_plan(diary: Diary) -> TreatmentPlan:
    return plan_series(
        SMALL_ASSESSMENT, ["face"], start=SMALL_START, diary=diary, rules=SMALL_RULES
    )


def _sweep(diary: Diary, plan: TreatmentPlan) -> list[str]:
    """Invariants 10 and 11, by a sweep of every claim of every resource (not the lanes)."""
    problems = []
    buffer = dt.timedelta(minutes=diary.buffer_minutes)
    people = {p.id: p for p in diary.practitioners}
    rooms = {r.id: r for r in diary.rooms}
    booked = diary.book(plan)
    for resource in IDS:
        claims = [(b.start, b.end, "busy") for b in booked.busy if b.resource == resource]
        claims += [
            (b.start, b.end, b.session)
            for b in booked.bookings
            if resource in (b.practitioner, b.room)
        ]
        claims.sort()
        for n, (start, end, what) in enumerate(claims):
            for other_start, other_end, other in claims[n + 1 :]:
                if "busy" in (what, other) and what == other:
                    continue  # busy time may overlap busy time
                if other_start < end + buffer and start < other_end + buffer:
                    problems.append(f"{resource}: {what} meets {other}")
    for session in plan.active_sessions:
        who, where = people[str(session.practitioner)], rooms[str(session.room)]
        if not who.may_treat(session.areas) or not who.works(session.start, session.end):
            problems.append(f"session {session.index}: {who.id} may not treat it then")
        if not where.serves(session.areas):
            problems.append(f"session {session.index}: {where.id} does not serve it")
    return problems


@given(small_diaries())
def test_the_search_finds_a_series_whenever_a_brute_force_does(diary: Diary) -> None:
    exists = _brute_force(diary)
    event("the brute force finds a series" if exists else "the brute force finds none")
    try:
        plan = _small_plan(diary)
    except SchedulingError as error:
        refusal: str | None = str(error)
    else:
        refusal = None
    if refusal is not None:
        assert not exists, f"the brute force found a series, the search refused: {refusal}"
        assert refusal.startswith("session ")
        event(f"refused: {refusal.split(': ')[-1].split(' at ')[0]}")
        return
    note(plan.explain())
    # Invariants 1-6 (the plan's own check), 9 (the same inputs, the same plan; JSON),
    # 10-11 (an independent sweep) and 12 (booked whole, released to the diary).
    assert plan.problems(SMALL_RULES) == []
    assert _small_plan(diary) == plan
    assert from_json(to_json(plan, rules=SMALL_RULES), TreatmentPlan, rules=SMALL_RULES) == plan
    assert _sweep(diary, plan) == []
    assert diary.book(plan).release(plan) == diary
    assert diary.bookings == ()


@settings(max_examples=examples(50))
@given(small_diaries(), st.integers(0, 2), st.sampled_from(["cancel", "no_show"]))
def test_an_operation_with_a_diary_returns_a_plan_the_diary_can_hold(
    diary: Diary, pick: int, name: str
) -> None:
    try:
        plan = _small_plan(diary)
    except SchedulingError:
        reject()
    booked = diary.book(plan)
    index = plan.sessions[pick].index
    try:
        after = getattr(plan, name)(index, diary=booked)
    except SchedulingError as error:
        refusal: str | None = str(error)
    else:
        refusal = None
    if refusal is not None:
        assert refusal.startswith("session "), refusal
        assert plan == _small_plan(diary)  # the plan it was called on is unchanged
        return
    assert after.problems(SMALL_RULES) == []
    updated = booked.update(plan, after)
    assert _sweep(booked.release(plan), after) == []
    assert len(updated.bookings) == len(after.active_sessions)
