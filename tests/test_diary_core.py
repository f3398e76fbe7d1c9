"""The diary's core: resources, busy time, and booking a plan whose sessions name them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import attrs
import pendulum
import pytest

from mesotherapy import (
    Booking,
    Busy,
    ClinicError,
    Diary,
    InvalidTimeError,
    Practitioner,
    Room,
    SchedulingError,
    SessionStatus,
    TreatmentPlan,
    example_clinic,
)
from tests.builders import example_plan, toronto
from tests.diary_strategies import assigned as assign

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
    plan: TreatmentPlan,
    practitioner: str = "dr-h",
    room: str = "room-1",
    *,
    only_missing: bool = False,
) -> TreatmentPlan:
    return assign(plan, practitioner, room, only_missing=only_missing)


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
        (
            {"resource": " dr-h"},
            "resource: expected a non-empty id of letters A-Z .* got ' ' at position 1",
        ),
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


# -- hardening: every bad input named, exact instants, all or nothing ----------------------

NOV_2: Final = toronto(2026, 11, 2, 9)


def _busy(start: pendulum.DateTime, minutes: int = 60, resource: str = "dr-h") -> Busy:
    return Busy(start=start, end=start.add(minutes=minutes), resource=resource)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"practitioners": None}, "practitioners: expected a list of Practitioner, got None"),
        ({"rooms": "room-1"}, "rooms: expected a list of Room, got 'room-1'"),
        ({"busy": [1]}, r"busy\[0\]: expected a Busy, got 1"),
        ({"bookings": [None]}, r"bookings\[0\]: expected a Booking, got None"),
        ({"clinic": "Lakeside"}, "clinic: expected a Clinic, got 'Lakeside'"),
        ({"buffer_minutes": 1441}, "buffer_minutes: expected a whole number of minutes from 0 to"),
        (
            {
                "bookings": [
                    Booking(
                        start=NOV_2,
                        end=NOV_2.add(minutes=45),
                        plan="p",
                        session="p.1",
                        practitioner="room-1",
                        room="room-1",
                    )
                ]
            },
            r"bookings\[0\].practitioner: 'room-1' is no practitioner of the diary",
        ),
        (
            {
                "bookings": [
                    Booking(
                        start=NOV_2,
                        end=NOV_2.add(minutes=45),
                        plan="p",
                        session="p.1",
                        practitioner="dr-h",
                        room="room-1",
                    )
                ]
                * 2
            },
            r"bookings\[1\].session: a session booked twice",
        ),
    ],
)
def test_a_diary_of_the_wrong_shape_is_refused_by_a_clinic_error(
    changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(ClinicError, match=message):
        diary(**changes)


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (
            lambda: Practitioner(id="dr-h", areas=["elbow"]),
            ClinicError,
            "areas: unknown area 'elbow'",
        ),
        (
            lambda: Practitioner(id="dr-h", areas=[]),
            ClinicError,
            "areas: expected one or more areas",
        ),
        (
            lambda: Practitioner(id="dr h", areas=["face"]),
            ClinicError,
            "id: expected a non-empty id of letters",
        ),
        (
            lambda: Practitioner(id="dr-h", areas=["face"], name=3),  # type: ignore[arg-type]
            ClinicError,
            "name: expected text, got 3",
        ),
        (
            lambda: Practitioner(id="dr-h", areas=["face"], hours={"monday": [("12:00", "09:00")]}),
            ClinicError,
            r"hours.monday\[0\]: expected the end after the start",
        ),
        (
            lambda: Room(id="room-1", areas=[]),
            ClinicError,
            "areas: expected one or more areas, or None",
        ),
        (
            lambda: Busy(start=NOV_2, end=NOV_2.naive(), resource="dr-h"),
            InvalidTimeError,
            "end: expected",
        ),
        (
            lambda: Busy(start=NOV_2, end=NOV_2.add(hours=1), resource="dr-h", label=7),  # type: ignore[arg-type]
            ClinicError,
            "label",
        ),
        (
            lambda: Booking(
                start=NOV_2, end=NOV_2, plan="p", session="p.1", practitioner="dr-h", room="r"
            ),
            ClinicError,
            "end: expected a time after the start",
        ),
        (
            lambda: Booking(
                start=NOV_2,
                end=NOV_2.add(hours=1),
                plan="p 1",
                session="p.1",
                practitioner="dr-h",
                room="r",
            ),
            ClinicError,
            "plan: expected letters",
        ),
    ],
)
def test_a_resource_or_claim_of_the_wrong_shape_is_refused(
    make: Callable[[], object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        make()


@pytest.mark.parametrize(
    ("ask", "error", "message"),
    [
        (
            lambda d: d.is_free("dr-x", NOV_2, NOV_2.add(hours=1)),
            SchedulingError,
            "resource: 'dr-x' is no practitioner or room of the diary, expected one of dr-h, room",
        ),
        (
            lambda d: d.is_free("dr-h", NOV_2, NOV_2),
            ClinicError,
            "end: expected a time after the start",
        ),
        (
            lambda d: d.is_free("dr-h", NOV_2.naive(), NOV_2.add(hours=1)),
            InvalidTimeError,
            "start: expected a time-zone-aware",
        ),
        (lambda d: d.resource("room-9"), SchedulingError, "resource: 'room-9' is no practitioner"),
        (
            lambda d: d.why_busy("dr-x", NOV_2, NOV_2.add(hours=1)),
            SchedulingError,
            "resource: 'dr-x' is no",
        ),
        (lambda d: d.claims("dr-x"), SchedulingError, "resource: 'dr-x' is no"),
        (lambda d: d.qualified(["elbow"]), ClinicError, "areas: unknown area 'elbow'"),
        (lambda d: d.book("plan-1"), SchedulingError, "plan: expected a TreatmentPlan, got 'str'"),
        (
            lambda d: d.release(None),
            SchedulingError,
            "plan: expected a TreatmentPlan, got 'NoneType'",
        ),
    ],
)
def test_a_question_with_bad_input_gets_the_library_s_error(
    ask: Callable[[Diary], object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        ask(diary())


def test_a_practitioner_with_hours_evolves_and_reprs_as_itself() -> None:
    own = Practitioner(
        id="dr-h", name="Dr. H.", areas=["face"], hours={"monday": [("09:00", "13:00")]}
    )
    assert attrs.evolve(own, name="Dr. Hale").hours == own.hours
    assert eval(repr(own), {"Practitioner": Practitioner}) == own  # noqa: S307 - our own repr


def test_claims_a_microsecond_apart_do_not_meet_and_a_microsecond_over_does() -> None:
    end = NOV_2.add(minutes=30, microseconds=500_000)
    busy = diary(busy=[Busy(start=NOV_2, end=end, resource="dr-h")], buffer_minutes=0)
    assert busy.is_free("dr-h", end, end.add(minutes=45))
    assert not busy.is_free("dr-h", end.subtract(microseconds=1), end.add(minutes=45))


def test_own_hours_are_read_on_the_clinic_s_clock_whatever_the_session_s_zone() -> None:
    plan = assigned(example_plan())
    weekday = plan.sessions[0].start.format("dddd").lower()
    mornings = diary(
        practitioners=[
            Practitioner(id="dr-h", areas=["face", "neck"], hours={weekday: [("09:00", "12:00")]})
        ]
    )
    in_utc = tuple(
        attrs.evolve(s, start=s.start.in_timezone("UTC"), end=s.end.in_timezone("UTC"))
        for s in plan.sessions
    )
    # 09:00 in Toronto is 14:00 in UTC: read on the wrong clock, it would be refused.
    assert len(mornings.book(attrs.evolve(plan, sessions=in_utc)).bookings) == 4


def test_only_active_sessions_claim_and_a_completed_one_does() -> None:
    plan = assigned(example_plan()).complete(1).cancel(2)
    plan = assigned(plan, only_missing=True)
    booked = diary().book(plan)
    claimed = {b.session for b in booked.bookings}
    assert claimed == {s.id for s in plan.active_sessions}
    assert plan.session(1).id in claimed
    assert plan.session(2).id not in claimed
    assert len(booked.bookings) == len(plan.active_sessions) == 4


def test_a_plan_without_active_sessions_claims_nothing() -> None:
    plan = assigned(example_plan())
    gone = attrs.evolve(
        plan, sessions=tuple(attrs.evolve(s, status=SessionStatus.CANCELLED) for s in plan.sessions)
    )
    empty = diary()
    assert empty.book(gone) is empty


def test_release_of_a_plan_the_diary_does_not_hold_gives_it_back_unchanged() -> None:
    plan = assigned(example_plan())
    other = assigned(example_plan(plan_id="another-plan"))
    booked = diary().book(plan)
    assert booked.release(other) is booked
    assert booked.release(plan).release(plan) == diary()


def test_an_update_that_cannot_be_booked_changes_nothing() -> None:
    plan = assigned(example_plan())
    third = plan.sessions[2]
    wall = Busy(start=third.start.add(days=7), end=third.end.add(days=7), resource="room-1")
    booked = diary(busy=[wall]).book(plan)
    moved = plan.reschedule(3, third.start.add(days=7))
    before = booked.bookings
    with pytest.raises(SchedulingError, match=r"session 3 .*'room-1' is taken by busy"):
        booked.update(plan, assigned(moved, only_missing=True))
    assert booked.bookings == before
    assert not booked.is_free("room-1", third.start, third.end)


def test_an_update_may_move_a_session_into_the_time_the_plan_held() -> None:
    plan = assigned(example_plan())
    first = plan.sessions[0]
    later = plan.reschedule(1, first.start.add(minutes=15))
    moved = diary().book(plan).update(plan, assigned(later, only_missing=True))
    assert moved.bookings_of(plan.id)[0].start == first.start.add(minutes=15)


def test_a_refusal_names_the_colliding_interval_but_no_other_plan_s_id() -> None:
    held = assigned(example_plan(plan_id="client-jane-doe"))
    clash = assigned(example_plan(plan_id="another"))
    with pytest.raises(SchedulingError) as refused:
        diary().book(held).book(clash)
    message = str(refused.value)
    assert "session 1 (2026-10-20T09:00:00-04:00 to 2026-10-20T09:45:00-04:00)" in message
    assert "'dr-h' is taken by a booked session 2026-10-20T09:00:00-04:00" in message
    assert "jane" not in message


def test_why_busy_claims_and_problems_name_what_takes_a_resource() -> None:
    meeting = Busy(start=NOV_2, end=NOV_2.add(hours=1), resource="dr-h", label="staff meeting")
    cleaning = Busy(start=NOV_2.add(hours=3), end=NOV_2.add(hours=4), resource="room-1")
    busy = diary(busy=[meeting, cleaning])
    assert busy.why_busy("dr-h", NOV_2.add(minutes=65), NOV_2.add(minutes=110)) == (meeting,)
    assert busy.why_busy("dr-h", NOV_2.add(minutes=70), NOV_2.add(minutes=115)) == ()
    assert busy.claims("room-1") == (cleaning,)
    assert busy.claims("room-1", NOV_2, NOV_2.add(hours=3)) == ()
    clash = Booking(
        start=NOV_2.add(minutes=30),
        end=NOV_2.add(minutes=75),
        plan="p",
        session="p.1",
        practitioner="dr-h",
        room="room-1",
    )
    assert busy.problems() == []
    (problem,) = attrs.evolve(busy, bookings=[clash]).problems()
    assert problem.startswith("dr-h: a booked session 2026-11-02T09:30:00-05:00")
    assert (
        "meets busy 2026-11-02T09:00:00-05:00 to 2026-11-02T10:00:00-05:00 (staff meeting)"
        in problem
    )


def test_a_big_diary_reprs_in_one_line_and_as_an_html_table() -> None:
    blocks = [_busy(NOV_2.add(days=n, hours=4)) for n in range(500)]
    big = diary(busy=blocks).book(assigned(example_plan(plan_id="client-jane-doe")))
    assert repr(big) == (
        "<Diary of Example Clinic: practitioners dr-h; rooms room-1; 500 busy intervals; "
        "4 booked sessions of 1 plan; buffer 10 minutes>"
    )
    page = big._repr_html_()
    assert page.startswith("<table")
    assert "<td" in page
    assert "jane" not in page
    assert ">500<" in page
    assert ">4<" in page


def test_a_busy_block_in_the_repeated_hour_ends_after_it_starts() -> None:
    # 01:00 EDT, then 01:00 EST an hour later: the same wall clock, two instants.
    start = toronto(2026, 11, 1, 0).add(hours=1)
    end = start.add(hours=1)
    assert start.isoformat() == "2026-11-01T01:00:00-04:00"
    assert end.isoformat() == "2026-11-01T01:00:00-05:00"
    busy = Busy(start=start, end=end, resource="dr-h")
    assert busy.end.isoformat() == "2026-11-01T01:00:00-05:00"
    with pytest.raises(ClinicError, match="end: expected a time after the start"):
        Busy(start=end, end=start, resource="dr-h")
