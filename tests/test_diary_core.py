"""The diary's core: resources, busy time, and booking a plan whose sessions name them."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from mesotherapy import (
    Busy,
    ClinicError,
    Diary,
    Practitioner,
    Room,
    SchedulingError,
    TreatmentPlan,
    example_clinic,
)
from tests.builders import example_plan, toronto

CLINIC = example_clinic()


def diary(**changes: Any) -> Diary:
    base = Diary(
        clinic=CLINIC,
        practitioners=[Practitioner(id="dr-h", name="Dr. H.", areas=["face", "neck"])],
        rooms=[Room(id="room-1")],
        buffer_minutes=10,
    )
    return attrs.evolve(base, **changes)


def assigned(
    plan: TreatmentPlan, practitioner: str = "dr-h", room: str = "room-1"
) -> TreatmentPlan:
    sessions = tuple(attrs.evolve(s, practitioner=practitioner, room=room) for s in plan.sessions)
    return attrs.evolve(plan, sessions=sessions)


def test_booking_claims_every_session_and_release_gives_the_diary_back() -> None:
    plan = assigned(example_plan())
    empty = diary()
    booked = empty.book(plan)
    assert len(booked.bookings) == len(plan.active_sessions) == 4
    for session in plan.active_sessions:
        assert not booked.is_free("dr-h", session.start, session.end)
        assert not booked.is_free("room-1", session.start, session.end)
        assert empty.is_free("dr-h", session.start, session.end)
    assert booked.release(plan) == empty
    assert booked.release(plan).is_free("dr-h", plan.sessions[0].start, plan.sessions[0].end)


def test_the_buffer_separates_two_claims_of_one_resource() -> None:
    plan = assigned(example_plan())
    first = plan.sessions[0]
    booked = diary().book(plan)
    after = first.end.add(minutes=9)
    assert not booked.is_free("dr-h", after, after.add(minutes=45))
    after = first.end.add(minutes=10)
    assert booked.is_free("dr-h", after, after.add(minutes=45))


def test_a_booking_that_meets_busy_time_claims_nothing_and_names_the_session() -> None:
    plan = assigned(example_plan())
    second = plan.sessions[1]
    blocked = diary(
        busy=[Busy(start=second.start, end=second.end, resource="room-1", label="cleaning")]
    )
    with pytest.raises(SchedulingError, match=r"session 2 .*'room-1' is taken by busy .*cleaning"):
        blocked.book(plan)
    assert blocked.bookings == ()


@pytest.mark.parametrize(
    ("plan_changes", "message"),
    [
        ({"practitioner": None}, "has no practitioner or no room"),
        ({"practitioner": "dr-x"}, "'dr-x' is no practitioner"),
        ({"room": "room-9"}, "'room-9' is no room"),
    ],
)
def test_a_session_without_known_resources_is_refused(
    plan_changes: dict[str, Any], message: str
) -> None:
    plan = example_plan()
    sessions = (
        attrs.evolve(
            plan.sessions[0], **{"practitioner": "dr-h", "room": "room-1", **plan_changes}
        ),
    )
    with pytest.raises(SchedulingError, match=message):
        diary().book(attrs.evolve(plan, sessions=sessions))


def test_a_practitioner_treats_only_their_areas() -> None:
    scalp_only = diary(practitioners=[Practitioner(id="dr-h", areas=["scalp"])])
    with pytest.raises(SchedulingError, match="not qualified for face, neck"):
        scalp_only.book(assigned(example_plan()))


def test_a_room_serves_only_its_areas() -> None:
    hands_room = diary(rooms=[Room(id="room-1", areas=["hands"])])
    with pytest.raises(SchedulingError, match="does not serve face, neck"):
        hands_room.book(assigned(example_plan()))


def test_a_practitioner_works_only_in_their_own_hours() -> None:
    plan = assigned(example_plan())
    weekday = plan.sessions[0].start.format("dddd").lower()
    mornings_off = diary(
        practitioners=[
            Practitioner(id="dr-h", areas=["face", "neck"], hours={weekday: [("13:00", "18:00")]})
        ]
    )
    with pytest.raises(SchedulingError, match=r"session 1 .*does not work then"):
        mornings_off.book(plan)


def test_a_plan_is_booked_once() -> None:
    plan = assigned(example_plan())
    with pytest.raises(SchedulingError, match="booked already"):
        diary().book(plan).book(plan)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"rooms": [Room(id="dr-h")]}, "'dr-h' names two resources"),
        (
            {
                "practitioners": [
                    Practitioner(id="dr-h", areas=["face"], hours={"sunday": [("09:00", "10:00")]})
                ]
            },
            (
                r"practitioners.dr-h.hours.sunday\[0\]: 09:00-10:00 lies outside the clinic's "
                r"hours \(closed\)"
            ),
        ),
        (
            {
                "busy": [
                    Busy(
                        start=toronto(2026, 11, 2, 9), end=toronto(2026, 11, 2, 10), resource="dr-x"
                    )
                ]
            },
            r"busy\[0\].resource: 'dr-x' is no practitioner or room",
        ),
        ({"buffer_minutes": -5}, "buffer_minutes: expected a whole number"),
        ({"buffer_minutes": True}, "buffer_minutes: expected a whole number"),
    ],
)
def test_a_diary_of_the_wrong_shape_is_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ClinicError, match=message):
        diary(**changes)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"start": toronto(2026, 11, 2, 10), "end": toronto(2026, 11, 2, 9)},
            "end: expected a time after",
        ),
        ({"resource": " dr-h"}, "resource: expected letters A-Z .* got ' ' at position 1"),
    ],
)
def test_a_busy_interval_of_the_wrong_shape_is_refused(
    kwargs: dict[str, object], message: str
) -> None:
    fields = {"start": toronto(2026, 11, 2, 9), "end": toronto(2026, 11, 2, 10), "resource": "dr-h"}
    with pytest.raises(ClinicError, match=message):
        Busy(**{**fields, **kwargs})  # type: ignore[arg-type]


def test_overlapping_busy_blocks_of_a_calendar_are_checked_by_their_latest_end() -> None:
    long = Busy(start=toronto(2026, 11, 2, 9), end=toronto(2026, 11, 2, 17), resource="dr-h")
    short = Busy(start=toronto(2026, 11, 2, 10), end=toronto(2026, 11, 2, 11), resource="dr-h")
    busy = diary(busy=[long, short], buffer_minutes=0)
    assert not busy.is_free("dr-h", toronto(2026, 11, 2, 15), toronto(2026, 11, 2, 16))
    assert busy.is_free("dr-h", toronto(2026, 11, 2, 17), toronto(2026, 11, 2, 18))
