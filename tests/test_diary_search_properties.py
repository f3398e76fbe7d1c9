"""Properties of the series search with a diary.

- With an empty diary (one practitioner qualified for everything who works the clinic's
  hours, one room, no busy time) the search gives exactly the plan made without a diary.
"""

from __future__ import annotations

from hypothesis import given

from mesotherapy import Area, Diary, Practitioner, Room, SchedulingError, TreatmentPlan, plan_series
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
