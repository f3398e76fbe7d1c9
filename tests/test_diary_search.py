"""The series search with a diary: examples of each preference, backtracking and refusal."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pendulum
import pytest

from mesotherapy import (
    Busy,
    Client,
    ClientError,
    Clinic,
    Closure,
    Diary,
    PlanRequest,
    Practitioner,
    Room,
    SchedulingError,
    TreatmentPlan,
    assess,
    example_clinic,
    plan_batch,
    plan_series,
)
from tests.builders import toronto

CLINIC = example_clinic(holidays=None)
START = toronto(2026, 10, 20, 9)  # a Tuesday
AREAS = ("face",)
ASSESSMENT = assess(Client(birth_date="1985-03-02"), AREAS, on="2026-10-01")


def diary(**changes: Any) -> Diary:
    base = Diary(
        clinic=CLINIC,
        practitioners=[Practitioner(id="dr-h", name="Dr. H.", areas=["face", "neck"])],
        rooms=[Room(id="room-1")],
        buffer_minutes=10,
    )
    return attrs.evolve(base, **changes)


def plan(in_diary: Diary, **options: Any) -> TreatmentPlan:
    return plan_series(ASSESSMENT, AREAS, start=START, diary=in_diary, **options)


def days(first: str, last: str, resource: str = "dr-h") -> Busy:
    """*resource* busy all day from *first* to *last*, both included."""
    start, end = pendulum.parse(first, tz=CLINIC.timezone), pendulum.parse(last, tz=CLINIC.timezone)
    assert isinstance(start, pendulum.DateTime)
    assert isinstance(end, pendulum.DateTime)
    return Busy(start=start, end=end.add(days=1), resource=resource)


def dates(p: TreatmentPlan) -> list[str]:
    return [s.start.format("YYYY-MM-DD HH:mm") for s in p.sessions]


def test_an_empty_diary_gives_the_plan_without_a_diary() -> None:
    with_diary = plan(diary())
    without = plan_series(ASSESSMENT, AREAS, start=START, clinic=CLINIC)
    assert [(s.id, s.start, s.end) for s in with_diary.sessions] == [
        (s.id, s.start, s.end) for s in without.sessions
    ]
    assert with_diary.id == without.id
    assert {(s.practitioner, s.room) for s in with_diary.sessions} == {("dr-h", "room-1")}
    assert not any(s.fixed for s in with_diary.sessions)
    assert with_diary.problems() == []


def test_the_plan_is_not_booked_and_the_diary_can_book_it() -> None:
    empty = diary()
    made = plan(empty)
    assert empty.bookings == ()
    booked = empty.book(made)
    assert len(booked.bookings) == 4
    assert booked.release(made) == empty


def test_a_busy_hour_moves_the_session_to_the_next_day_at_the_same_time() -> None:
    # Session 2 aims at 2026-11-10 09:00; the practitioner is busy then.
    busy = Busy(start=toronto(2026, 11, 10, 8, 30), end=toronto(2026, 11, 10, 10), resource="dr-h")
    made = plan(diary(busy=[busy]))
    assert dates(made)[:2] == ["2026-10-20 09:00", "2026-11-11 09:00"]
    # The next session keeps its local time from the one before, and nothing is fixed.
    assert dates(made)[2] == "2026-12-02 09:00"
    assert made.problems() == []


def test_a_session_moved_off_the_local_time_is_fixed_and_the_plan_stays_valid() -> None:
    # 09:00 is taken on every day of session 2's window: it moves to the nearest time.
    busy = [
        Busy(start=toronto(2026, 11, d, 9), end=toronto(2026, 11, d, 9, 45), resource="dr-h")
        for d in range(3, 18)
    ]
    made = plan(diary(busy=busy))
    second = made.sessions[1]
    assert second.start == toronto(2026, 11, 10, 10)  # 15-minute slots, the buffer after
    assert second.fixed
    assert made.problems() == []
    assert diary(busy=busy).book(made).bookings


def test_the_buffer_separates_a_session_from_busy_time() -> None:
    busy = Busy(start=toronto(2026, 10, 20, 8), end=toronto(2026, 10, 20, 9, 5), resource="room-1")
    made = plan(diary(busy=[busy]))
    assert made.sessions[0].start == toronto(2026, 10, 20, 9, 15)


def test_backtracking_moves_session_2_when_session_3_has_no_free_day() -> None:
    # Greedy: session 2 on 11-10, whose window for session 3 (11-24 to 12-08) is all busy.
    made = plan(diary(busy=[days("2026-11-24", "2026-12-08")]))
    assert dates(made)[:3] == ["2026-10-20 09:00", "2026-11-11 09:00", "2026-12-09 09:00"]
    assert made.problems() == []


def test_backtracking_moves_session_1_when_no_session_2_leaves_room_for_session_3() -> None:
    # From 10-20, session 2 falls before 11-17 and session 3 then by 12-14: all busy. Only a
    # session 1 after the busy weeks leaves room; the search finds it instead of refusing.
    made = plan(diary(busy=[days("2026-11-17", "2026-12-15")]))
    assert made.sessions[0].start == toronto(2026, 12, 16, 9)
    assert made.problems() == []
    assert diary(busy=[days("2026-11-17", "2026-12-15")]).book(made).bookings


TWO = [
    Practitioner(id="dr-a", areas=["face"]),
    Practitioner(id="dr-b", areas=["face"]),
]


def test_one_practitioner_for_the_whole_series_before_the_nearest_time() -> None:
    # dr-a is busy at session 3's time; dr-b is free then, but dr-a keeps the series.
    busy = Busy(start=toronto(2026, 12, 1, 9), end=toronto(2026, 12, 1, 10), resource="dr-a")
    made = plan(diary(practitioners=TWO, busy=[busy]))
    assert {s.practitioner for s in made.sessions} == {"dr-a"}
    assert dates(made)[2] == "2026-12-02 09:00"


def test_the_practitioner_asked_for_takes_every_session() -> None:
    made = plan(diary(practitioners=TWO), practitioner="dr-b")
    assert {s.practitioner for s in made.sessions} == {"dr-b"}
    assert dates(made) == dates(plan(diary(practitioners=TWO)))


def test_a_later_series_with_one_practitioner_comes_before_a_mix() -> None:
    # dr-a is away from 11-20; dr-b is free from then on and takes the whole series.
    busy = [days("2026-11-20", "2027-12-31", "dr-a"), days("2026-10-01", "2026-11-19", "dr-b")]
    made = plan(diary(practitioners=TWO, busy=busy))
    assert {s.practitioner for s in made.sessions} == {"dr-b"}
    assert made.sessions[0].start == toronto(2026, 11, 20, 9)


def test_practitioners_mix_only_when_no_one_can_take_the_whole_series() -> None:
    busy = [
        days("2026-11-20", "2027-12-31", "dr-a"),
        days("2026-10-01", "2026-11-19", "dr-b"),
        days("2027-01-01", "2027-12-31", "dr-b"),
    ]
    made = plan(diary(practitioners=TWO, busy=busy))
    assert [s.practitioner for s in made.sessions] == ["dr-a", "dr-a", "dr-b", "dr-b"]
    assert made.problems() == []
    assert diary(practitioners=TWO, busy=busy).book(made).bookings


def test_a_practitioner_works_only_their_own_hours() -> None:
    part_time = Practitioner(id="dr-p", areas=["face"], hours={"wednesday": [("13:00", "18:00")]})
    made = plan(diary(practitioners=[part_time]))
    first = made.sessions[0]
    # Tuesday follows the clinic; on Wednesdays only the afternoon.
    assert first.start == START
    wednesday = [s for s in made.sessions if s.start.day_of_week == pendulum.WEDNESDAY]
    assert all(s.start.hour >= 13 for s in wednesday)


def test_a_room_that_does_not_serve_the_areas_is_not_used() -> None:
    rooms = [Room(id="scalp-room", areas=["scalp"]), Room(id="room-2")]
    made = plan(diary(rooms=rooms))
    assert {s.room for s in made.sessions} == {"room-2"}


YEAR = ("2026-10-01", "2028-01-31")


@pytest.mark.parametrize(
    ("changes", "options", "message"),
    [
        pytest.param(
            {"clinic": attrs.evolve(CLINIC, closures=[Closure(start=YEAR[0], end=YEAR[1])])},
            {},
            r"^session 1: no free time in the diary from 2026-10-20 to 2027-10-20: closed",
            id="closed",
        ),
        pytest.param(
            {"busy": [days(*YEAR)]},
            {},
            r"^session 1: no free time in the diary from 2026-10-20 to 2027-10-20: "
            r"blocked at every one of \d+ openings: practitioner busy \(dr-h\) at \d+$",
            id="practitioner busy",
        ),
        pytest.param(
            {"busy": [days(*YEAR, resource="room-1")]},
            {},
            r"^session 1: .* from 2026-10-20 to 2027-10-20: .*no room free at \d+$",
            id="no room free",
        ),
        pytest.param(
            {"busy": [days("2026-11-17", YEAR[1])]},
            {},
            r"^session 3: no free time in the diary from 2026-11-24 to 2026-12-08: "
            r".*practitioner busy",
            id="session 3 busy",
        ),
        pytest.param(
            {"rooms": [Room(id="scalp-room", areas=["scalp"])]},
            {},
            r"^session 1: no room of the diary serves face \(no room\)$",
            id="no room serves",
        ),
        pytest.param(
            {"practitioners": [Practitioner(id="dr-s", areas=["scalp"])]},
            {},
            r"^session 1: nobody in the diary is qualified for face \(not qualified\)$",
            id="nobody qualified",
        ),
        pytest.param(
            {"practitioners": [*TWO, Practitioner(id="dr-s", areas=["scalp"])]},
            {"practitioner": "dr-s"},
            r"^practitioner: 'dr-s' is not qualified for face \(not qualified\)$",
            id="asked not qualified",
        ),
        pytest.param(
            {},
            {"practitioner": "dr-x"},
            r"'dr-x' is no practitioner or room of the diary",
            id="asked unknown",
        ),
        pytest.param(
            {},
            {"practitioner": "room-1"},
            r"'room-1' is a room of the diary, expected a practitioner",
            id="asked a room",
        ),
    ],
)
def test_each_refusal_names_the_session_its_window_and_the_reason(
    changes: dict[str, Any], options: dict[str, Any], message: str
) -> None:
    with pytest.raises(SchedulingError, match=message):
        plan(diary(**changes), **options)


def test_a_practitioner_who_never_works_then_is_named_in_the_refusal() -> None:
    # dr-p works Mondays 09:00-09:30 only: no 45-minute session fits their hours.
    week: dict[str, list[tuple[str, str]]] = {
        day: [] for day in ("tuesday", "wednesday", "thursday", "friday", "saturday")
    }
    only = Practitioner(id="dr-p", areas=["face"], hours={**week, "monday": [("09:00", "09:30")]})
    with pytest.raises(SchedulingError, match=r"dr-p does not work then at \d+"):
        plan(diary(practitioners=[only]))


def test_the_diary_gives_the_clinic_and_another_clinic_is_refused() -> None:
    made = plan_series(ASSESSMENT, AREAS, start=START, clinic=CLINIC, diary=diary())
    assert made.clinic == CLINIC
    other = Clinic(name="Other", timezone="America/Toronto", hours={"monday": [("09:00", "17:00")]})
    with pytest.raises(ClientError, match=r"clinic: 'Other' is not the diary's clinic"):
        plan_series(ASSESSMENT, AREAS, start=START, clinic=other, diary=diary())
    with pytest.raises(ClientError, match=r"diary: expected a Diary"):
        plan_series(ASSESSMENT, AREAS, start=START, diary={})  # type: ignore[arg-type]
    with pytest.raises(ClientError, match=r"practitioner: .*expected diary= with it"):
        plan_series(ASSESSMENT, AREAS, start=START, clinic=CLINIC, practitioner="dr-h")


def test_the_search_is_deterministic() -> None:
    busy = [days("2026-11-24", "2026-12-08")]
    assert plan(diary(busy=busy)) == plan(diary(busy=busy))


def test_a_day_that_is_closed_for_the_clinic_is_never_used() -> None:
    closed = attrs.evolve(CLINIC, closures=[Closure(start="2026-11-10", end="2026-11-10")])
    made = plan(diary(clinic=closed))
    assert all(s.start.date() != dt.date(2026, 11, 10) for s in made.sessions)


# -- operations with a diary ---------------------------------------------------------------


def booked(in_diary: Diary, **options: Any) -> tuple[TreatmentPlan, Diary]:
    made = plan(in_diary, **options)
    return made, in_diary.book(made)


def test_reschedule_into_busy_time_is_refused_naming_the_session_and_changes_nothing() -> None:
    busy = Busy(start=toronto(2026, 11, 12, 9), end=toronto(2026, 11, 12, 12), resource="dr-h")
    made, book = booked(diary(busy=[busy]))
    before = made
    with pytest.raises(SchedulingError, match=r"^session 2: no free time in the diary at "):
        made.reschedule(2, toronto(2026, 11, 12, 10), diary=book)
    assert made == before
    # Without the diary the same move is fine: the clinic is open.
    assert made.reschedule(2, toronto(2026, 11, 12, 10)).sessions[1].practitioner == "dr-h"


def test_reschedule_against_its_own_old_claim_is_allowed_and_the_diary_updates() -> None:
    made, book = booked(diary())
    second = made.sessions[1]
    moved = made.reschedule(2, second.start.add(minutes=15), diary=book)
    assert moved.sessions[1].start == second.start.add(minutes=15)
    assert (moved.sessions[1].practitioner, moved.sessions[1].room) == ("dr-h", "room-1")
    updated = book.update(made, moved)
    assert len(updated.bookings) == 4
    assert moved.revision == made.revision + 1


def test_a_rescheduled_session_takes_another_practitioner_when_its_own_is_busy() -> None:
    made, book = booked(diary(practitioners=TWO))
    assert made.sessions[1].practitioner == "dr-a"
    at = toronto(2026, 11, 12, 14)
    busy = attrs.evolve(book, busy=[Busy(start=at, end=at.add(hours=1), resource="dr-a")])
    moved = made.reschedule(2, at, diary=busy)
    assert moved.sessions[1].practitioner == "dr-b"
    assert busy.update(made, moved).bookings


def test_later_sessions_that_must_move_go_where_the_diary_is_free() -> None:
    made, book = booked(diary())
    # Cancelling session 2 moves session 3 to 11-10 09:00 (21 days after session 1), which
    # is busy: the diary's search takes the next day at the same time; session 4 keeps the
    # place the operation gave it, which is free and within its bounds.
    busy = Busy(start=toronto(2026, 11, 10, 8), end=toronto(2026, 11, 10, 18), resource="dr-h")
    blocked = attrs.evolve(book, busy=[busy])
    clinic_only = made.cancel(2)
    assert clinic_only.session(3).start == toronto(2026, 11, 10, 9)
    cancelled = made.cancel(2, diary=blocked)
    assert cancelled.session(3).start == toronto(2026, 11, 11, 9)
    assert cancelled.session(4).start == clinic_only.session(4).start == toronto(2026, 12, 1, 9)
    assert cancelled.problems() == []
    assert blocked.update(made, cancelled).bookings


def test_cancel_books_the_replacement_where_the_diary_is_free() -> None:
    made, book = booked(diary())
    clinic_only = made.cancel(2)
    replacement = clinic_only.sessions[-1]
    busy = Busy(start=replacement.start, end=replacement.end, resource="room-1")
    two_rooms = attrs.evolve(book, rooms=[Room(id="room-1"), Room(id="room-2")], busy=[busy])
    cancelled = made.cancel(2, diary=two_rooms)
    new = cancelled.sessions[-1]
    assert (new.start, new.replaces) == (replacement.start, made.sessions[1].id)
    assert (new.practitioner, new.room) == ("dr-h", "room-2")
    updated = two_rooms.update(made, cancelled)
    assert len(updated.bookings) == 4
    assert made.sessions[1].id not in {b.session for b in updated.bookings}


def test_no_show_with_a_full_diary_is_refused_and_the_plan_is_unchanged() -> None:
    made, book = booked(diary())
    full = attrs.evolve(book, busy=[days("2026-11-11", "2028-01-31")])
    with pytest.raises(SchedulingError, match=r"^session \d: no free time in the diary"):
        made.no_show(2, diary=full)
    with pytest.raises(ClientError, match=r"diary: expected a Diary"):
        made.cancel(2, diary="diary.toml")  # type: ignore[arg-type]
    missed = made.no_show(2, diary=book)
    assert missed.sessions[-1].practitioner == "dr-h"
    assert book.update(made, missed).bookings


# -- a batch booked into a diary -----------------------------------------------------------


def requests(count: int) -> list[PlanRequest]:
    return [
        PlanRequest(client=Client(id=f"c-{n}", birth_date="1985-03-02"), areas=AREAS, start=START)
        for n in range(count)
    ]


def test_a_batch_books_each_request_seeing_those_before_it() -> None:
    empty = diary()
    outcomes = list(plan_batch(requests(3), diary=empty))
    assert all(o.ok for o in outcomes)
    firsts = [o.plan.sessions[0].start for o in outcomes if o.plan]
    assert firsts == [START, START.add(minutes=45 + 15), START.add(minutes=120)]
    assert [len(o.diary.bookings) for o in outcomes if o.diary] == [4, 8, 12]
    final = outcomes[-1].diary
    assert final is not None
    for outcome in outcomes:
        assert outcome.plan is not None
        assert final.bookings_of(outcome.plan.id)
    assert empty.bookings == ()
    # Without a diary, the same requests all get the same first slot.
    alone = [o.plan.sessions[0].start for o in plan_batch(requests(3), clinic=CLINIC) if o.plan]
    assert alone == [START] * 3


def test_a_refused_request_leaves_the_diary_as_the_one_before_left_it() -> None:
    pregnant = PlanRequest(
        client=Client(birth_date="1990-01-01", pregnant=True), areas=AREAS, start=START
    )
    named = attrs.evolve(requests(1)[0], plan_id="p-1")
    outcomes = list(plan_batch([named, pregnant, named], diary=diary()))
    assert [o.ok for o in outcomes] == [True, False, False]
    assert outcomes[1].diary == outcomes[2].diary == outcomes[0].diary
    # The same plan id again: the diary holds it already, and the outcome says so.
    assert outcomes[2].problem is not None
    assert "booked already" in outcomes[2].problem


def test_a_batch_refuses_a_clinic_that_is_not_the_diary_s() -> None:
    other = example_clinic(holidays="CA-ON")
    with pytest.raises(ClientError, match=r"is not the diary's clinic"):
        list(plan_batch(requests(1), clinic=other, diary=diary()))
    with pytest.raises(ClientError, match=r"diary: expected a Diary"):
        list(plan_batch(requests(1), diary="diary.toml"))  # type: ignore[arg-type]
