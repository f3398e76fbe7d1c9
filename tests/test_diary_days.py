"""The answers a diary's searches keep for the diaries after it (`_diary_days`).

What a search learns of a day holds until a booking or a release changes that day's claims
(or, for whether the rest of a series fits, those of the days after it). The property: in a
diary derived by any sequence of bookings and releases, with everything the searches before
learnt, a search finds exactly what it finds in the same diary built afresh, knowing
nothing; refusals included, message for message.
"""

from __future__ import annotations

import datetime as dt
import gc

import pendulum
from hypothesis import given
from hypothesis import strategies as st

from mesotherapy import Busy, Diary, Practitioner, Room, SchedulingError, TreatmentPlan, plan_series
from mesotherapy._diary_days import _BY_DIARY, DayAnswers, answers_of, claim_days
from tests.builders import toronto
from tests.test_diary_search_properties import (
    SMALL_ASSESSMENT,
    SMALL_CLINIC,
    SMALL_RULES,
    SMALL_START,
    small_diaries,
)

_Outcome = tuple[tuple[object, ...], ...] | str


def _afresh(diary: Diary) -> Diary:
    """The same diary, built from its fields: a new object that knows no answers."""
    return Diary(
        clinic=diary.clinic,
        practitioners=diary.practitioners,
        rooms=diary.rooms,
        busy=diary.busy,
        bookings=diary.bookings,
        buffer_minutes=diary.buffer_minutes,
    )


def _search(diary: Diary, day: int, n: int) -> tuple[_Outcome, TreatmentPlan | None]:
    try:
        plan = plan_series(
            SMALL_ASSESSMENT,
            ["face"],
            start=SMALL_START.add(days=day),
            diary=diary,
            rules=SMALL_RULES,
            plan_id=f"client-{n}",
        )
    except SchedulingError as error:
        return str(error), None
    return tuple((s.start, s.end, s.practitioner, s.room) for s in plan.sessions), plan


_steps = st.lists(
    st.one_of(
        st.tuples(st.just("book"), st.integers(0, 12)),
        st.tuples(st.just("release"), st.integers(0, 9)),
    ),
    min_size=1,
    max_size=10,
)


@given(small_diaries(), _steps)
def test_a_search_with_kept_answers_finds_what_a_fresh_diary_finds(
    diary: Diary, steps: list[tuple[str, int]]
) -> None:
    booked: list[TreatmentPlan] = []
    for n, (what, value) in enumerate(steps):
        if what == "release":
            if booked:
                diary = diary.release(booked.pop(value % len(booked)))
            continue
        kept, plan = _search(diary, value, n)
        fresh, _ = _search(_afresh(diary), value, n)
        assert kept == fresh
        if plan is not None:
            diary = diary.book(plan)
            booked.append(plan)


@given(small_diaries())
def test_a_booking_drops_the_answers_of_its_days_and_keeps_the_rest(diary: Diary) -> None:
    _, plan = _search(diary, 0, 0)
    if plan is None:
        return  # no series fits the drawn diary: nothing booked, nothing to check
    answers = answers_of(diary)
    touched = plan.sessions[0].start.date()
    far = plan.sessions[-1].start.date() + dt.timedelta(days=100)
    answers.of(touched)["asked"] = "before"
    answers.of(far)["asked"] = "before"
    answers.ahead_of(touched - dt.timedelta(days=20), 25)["asked"] = "looks at the day"
    answers.ahead_of(touched - dt.timedelta(days=60), 25)["asked"] = "stops before it"
    after = diary.book(plan)
    kept = answers_of(after)
    assert kept.of(far) is answers.of(far)
    assert "asked" not in kept.of(touched)
    assert answers.of(touched)["asked"] == "before"  # the diary before keeps its own
    assert "asked" not in kept.ahead_of(touched - dt.timedelta(days=20), 0)
    assert kept.ahead_of(touched - dt.timedelta(days=60), 0)["asked"] == "stops before it"


@given(small_diaries())
def test_the_answers_are_forgotten_with_their_diary(diary: Diary) -> None:
    diary = _afresh(diary)
    answers_of(diary).of(SMALL_START.date())["asked"] = True
    key = id(diary)
    assert key in _BY_DIARY
    del diary
    # A diary out of every cycle goes at once; a full collection (100 ms on the test
    # session's heap) only for one that is not.
    if key in _BY_DIARY:
        gc.collect()
    assert key not in _BY_DIARY


def test_a_claim_touches_its_local_days_and_the_margin_around_them() -> None:
    # 23:30 to 00:30 in Toronto is 04:30 to 05:30 UTC: the local days are the 2nd and 3rd.
    start = toronto(2026, 11, 2, 23, 30)
    zone = pendulum.timezone("America/Toronto")
    days = claim_days(start.in_tz("UTC"), start.add(hours=1).in_tz("UTC"), zone, 1)
    assert days == [dt.date(2026, 11, 1) + dt.timedelta(days=n) for n in range(4)]


def test_answers_start_again_past_the_days_they_keep() -> None:
    answers = DayAnswers()
    for n in range(5000):
        answers.of(dt.date(2020, 1, 1) + dt.timedelta(days=n))[n] = n
    assert 0 < len(answers.days) <= 4096


def test_a_release_makes_a_series_fit_again_where_a_search_before_found_none() -> None:
    # One practitioner and one room at the small clinic (Monday to Thursday, 9 to 11).
    # Busy: Thursday 8 October, Monday 12 and Wednesday 14 October all day, Tuesday 13
    # October but 9:00-9:45, which plan P then takes. A client from Thursday 1 October
    # meets a dead end there (the 8th is full), learns that no series starts on Monday
    # 5 October (the 12th to the 14th are full) and starts on Tuesday the 6th. Once P is
    # released, the Monday fits again: what the diary remembered of it must not say no.
    diary = Diary(
        clinic=SMALL_CLINIC,
        practitioners=[Practitioner(id="p1", areas=["face"])],
        rooms=[Room(id="r1")],
        busy=[
            Busy(start=toronto(2026, 10, day, 9), end=toronto(2026, 10, day, 11), resource="p1")
            for day in (8, 12, 14)
        ]
        + [Busy(start=toronto(2026, 10, 13, 9, 45), end=toronto(2026, 10, 13, 11), resource="p1")],
    )
    taken = plan_series(
        SMALL_ASSESSMENT, ["face"], start=toronto(2026, 10, 13, 9), diary=diary, rules=SMALL_RULES
    )
    assert taken.sessions[0].start == toronto(2026, 10, 13, 9)
    diary = diary.book(taken)

    def first(diary: Diary) -> dt.date:
        plan = plan_series(
            SMALL_ASSESSMENT,
            ["face"],
            start=toronto(2026, 10, 1, 9),
            diary=diary,
            rules=SMALL_RULES,
        )
        return plan.sessions[0].start.date()

    assert first(diary) == dt.date(2026, 10, 6)
    released = diary.release(taken)
    assert first(released) == first(_afresh(released)) == dt.date(2026, 10, 5)
