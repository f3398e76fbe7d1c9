"""The maintenance worklist (`recalls`) and the booking of its session (`plan_maintenance`).

The windows expected here are computed in the tests from the calendar (months added with
the day clamped to the month's end, as DESIGN.md says), never by the library under test.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import attrs
import pendulum
import pytest
from hypothesis import given, note, reject, settings
from hypothesis import strategies as st

import mesotherapy as meso
from mesotherapy import (
    Busy,
    ClientError,
    Diary,
    InvalidTimeError,
    MaintenanceBooking,
    Practitioner,
    Recall,
    RecallStatus,
    Room,
    SchedulingError,
    SessionStatus,
    TreatmentPlan,
    example_clinic,
    plan_maintenance,
    recalls,
)
from mesotherapy._recalls import DEFAULT_WITHIN_DAYS
from mesotherapy.notebook import RECALL_COLUMNS, recalls_frame
from tests.builders import toronto
from tests.conftest import examples
from tests.plan_strategies import plan_requests, plans_in_any_state

CLINIC = example_clinic()


def _add_months(day: dt.date, months: int) -> dt.date:
    """*day* plus *months* calendar months, the day clamped to the last of a shorter month."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def completed(
    last_day: str, *, plan_id: str = "p-1", areas: tuple[str, ...] = ("face",)
) -> TreatmentPlan:
    """Four sessions three weeks apart at 09:00, all completed, the last on *last_day*."""
    last = dt.date.fromisoformat(last_day)
    first = last - dt.timedelta(weeks=9)
    start = toronto(first.year, first.month, first.day, 9)
    result = meso.assess(meso.Client(id="c-1", birth_date="1985-03-02"), areas, on=start.date())
    plan = meso.plan_series(result, areas, start=start, clinic=CLINIC, plan_id=plan_id)
    for session in plan.sessions:
        plan = plan.complete(session.index)
    assert plan.active_sessions[-1].start.date() == last, plan.explain()
    return plan


def one(plan: TreatmentPlan, on: str, **options: Any) -> Recall | None:
    found = recalls([plan], on=on, **options)
    assert len(found) <= 1
    return found[0] if found else None


# --- The window's edges --------------------------------------------------------------------

# The last session on Tuesday 2026-12-22: face maintenance 3 to 6 months after it.
LAST = "2026-12-22"


@pytest.mark.parametrize(
    ("on", "within_days", "expected"),
    [
        ("2027-02-19", DEFAULT_WITHIN_DAYS, None),  # opens in 31 days: beyond the look-ahead
        ("2027-02-20", DEFAULT_WITHIN_DAYS, (RecallStatus.DUE_SOON, 0, 30)),
        ("2027-03-21", DEFAULT_WITHIN_DAYS, (RecallStatus.DUE_SOON, 0, 1)),
        ("2027-03-22", DEFAULT_WITHIN_DAYS, (RecallStatus.DUE, 0, 0)),  # the day it opens
        ("2027-05-01", DEFAULT_WITHIN_DAYS, (RecallStatus.DUE, 0, 0)),
        ("2027-06-22", DEFAULT_WITHIN_DAYS, (RecallStatus.DUE, 0, 0)),  # the day it closes
        ("2027-06-23", DEFAULT_WITHIN_DAYS, (RecallStatus.OVERDUE, 1, 0)),  # one after
        ("2028-06-22", DEFAULT_WITHIN_DAYS, (RecallStatus.OVERDUE, 366, 0)),
        ("2027-03-21", 0, None),
        ("2027-03-22", 0, (RecallStatus.DUE, 0, 0)),
        ("2027-03-21", 1, (RecallStatus.DUE_SOON, 0, 1)),
        ("2027-01-01", 365, (RecallStatus.DUE_SOON, 0, 80)),
        ("2026-12-01", 365, (RecallStatus.DUE_SOON, 0, 111)),  # a day before the series ended
    ],
)
def test_the_status_around_the_window_s_edges(
    on: str, within_days: int, expected: tuple[RecallStatus, int, int] | None
) -> None:
    plan = completed(LAST)
    recall = one(plan, on, within_days=within_days)
    if expected is None:
        assert recall is None
        return
    assert recall is not None
    assert (recall.status, recall.days_overdue, recall.days_until_due) == expected
    assert (recall.opens, recall.closes) == (dt.date(2027, 3, 22), dt.date(2027, 6, 22))
    want = {"due_soon": "not_due"}.get(recall.status.value, recall.status.value)
    assert plan.maintenance_status(on) == want


@pytest.mark.parametrize(
    ("last", "opens", "closes"),
    [
        # November has 30 days, February 28: the 30th of November is the 28th of February.
        ("2026-11-30", "2027-02-28", "2027-05-30"),
        # August has 31 days, November 30; February of a leap year 29.
        ("2027-08-31", "2027-11-30", "2028-02-29"),
        # January has 31 days, April 30.
        ("2028-01-31", "2028-04-30", "2028-07-31"),
        # March 31st: June 30th, September 30th.
        ("2026-03-31", "2026-06-30", "2026-09-30"),
    ],
)
def test_months_of_different_lengths_clamp_to_the_month_s_end(
    last: str, opens: str, closes: str
) -> None:
    plan = completed(last)
    day = dt.date.fromisoformat(last)
    assert (_add_months(day, 3).isoformat(), _add_months(day, 6).isoformat()) == (opens, closes)
    the_day_before = (dt.date.fromisoformat(opens) - dt.timedelta(days=1)).isoformat()
    the_day_after = (dt.date.fromisoformat(closes) + dt.timedelta(days=1)).isoformat()
    statuses = [
        (r.status, r.opens.isoformat(), r.closes.isoformat()) if (r := one(plan, on)) else None
        for on in (the_day_before, opens, closes, the_day_after)
    ]
    assert statuses == [
        (RecallStatus.DUE_SOON, opens, closes),
        (RecallStatus.DUE, opens, closes),
        (RecallStatus.DUE, opens, closes),
        (RecallStatus.OVERDUE, opens, closes),
    ]


def test_a_cancelled_last_session_counts_no_more_than_a_session_never_booked() -> None:
    # Sessions on 2026-10-20, 11-10, 12-01; the fourth (12-22) is cancelled, and its
    # replacement completed on 12-15: the series ended on 12-15, before the cancelled one.
    plan = completed(LAST)
    plan = meso.plan_series(
        plan.assessment, ["face"], start=toronto(2026, 10, 20, 9), clinic=CLINIC, plan_id="p-1"
    )
    for index in (1, 2, 3):
        plan = plan.complete(index)
    plan = plan.cancel(4)
    replacement = next(s for s in plan.sessions if s.replaces == "p-1.4")
    plan = plan.complete(replacement.index, toronto(2026, 12, 15, 9))
    assert plan.sessions[-1].status is SessionStatus.COMPLETED
    latest = max(plan.sessions, key=lambda s: s.start)
    assert (latest.index, latest.status) == (4, SessionStatus.CANCELLED)
    recall = one(plan, "2027-03-15")
    assert recall is not None
    assert (recall.status, recall.opens, recall.closes) == (
        RecallStatus.DUE,
        dt.date(2027, 3, 15),
        dt.date(2027, 6, 15),
    )
    assert recall.last_session == replacement.id
    assert recall.last_session_end == toronto(2026, 12, 15, 9, 45)
    assert one(plan, "2027-06-16") is not None
    assert one(plan, "2027-06-16").status is RecallStatus.OVERDUE  # type: ignore[union-attr]


def test_a_series_still_running_is_not_on_the_list() -> None:
    plan = meso.plan_series(
        completed(LAST).assessment,
        ["face"],
        start=toronto(2026, 10, 20, 9),
        clinic=CLINIC,
        plan_id="p-1",
    )
    for index in (1, 2, 3):
        plan = plan.complete(index)
    # Its window would be open on that day, were the series complete.
    assert plan.maintenance[0].opens <= dt.date(2027, 4, 1) <= plan.maintenance[0].closes
    assert recalls([plan], on="2027-04-01") == ()
    assert recalls([plan.complete(4)], on="2027-04-01")[0].status is RecallStatus.DUE


def test_a_recall_holds_the_plan_the_client_and_the_last_session() -> None:
    plan = completed(LAST, plan_id="clinic-7.p-12", areas=("face", "neck"))
    recall = one(plan, "2027-04-01")
    assert recall == Recall(
        plan_id="clinic-7.p-12",
        client_id="c-1",
        status=RecallStatus.DUE,
        areas=(meso.Area.FACE, meso.Area.NECK),
        opens=pendulum.date(2027, 3, 22),
        closes=pendulum.date(2027, 6, 22),
        last_session="clinic-7.p-12.4",
        last_session_end=toronto(2026, 12, 22, 9, 45),
        practitioner=None,
        days_overdue=0,
        days_until_due=0,
    )
    assert "c-1" not in repr(recall)


def test_the_worklist_is_most_urgent_first() -> None:
    plans = [
        completed("2026-12-22", plan_id="soon-late"),  # opens 2027-03-22
        completed("2026-12-15", plan_id="soon-early"),  # opens 2027-03-15
        completed("2026-09-29", plan_id="due-late"),  # window 2026-12-29 to 2027-03-29
        completed("2026-09-15", plan_id="due-early"),  # window 2026-12-15 to 2027-03-15
        completed("2026-06-16", plan_id="overdue-less"),  # closed 2026-12-16
        completed("2026-06-02", plan_id="overdue-most"),  # closed 2026-12-02
        completed("2026-06-16", plan_id="overdue-less-b"),  # as overdue-less: the id decides
        completed("2027-06-15", plan_id="later"),  # opens in September: left out
    ]
    found = recalls(reversed(plans), on="2027-03-01")
    assert [(r.plan_id, r.status.value, r.days_overdue, r.days_until_due) for r in found] == [
        ("overdue-most", "overdue", 89, 0),
        ("overdue-less", "overdue", 75, 0),
        ("overdue-less-b", "overdue", 75, 0),
        ("due-early", "due", 0, 0),
        ("due-late", "due", 0, 0),
        ("soon-early", "due_soon", 0, 14),
        ("soon-late", "due_soon", 0, 21),
    ]
    assert recalls(plans, on="2027-03-01") == found  # the order given does not matter


def test_the_worklist_reads_plans_from_any_iterable() -> None:
    plan = completed(LAST)
    assert recalls((p for p in [plan]), on=dt.date(2027, 4, 1)) == recalls([plan], on="2027-04-01")
    assert recalls([], on="2027-04-01") == ()


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"on": "2027-04-01T09:00"}, InvalidTimeError, "on: expected a date as YYYY-MM-DD"),
        ({"on": "2027-02-30"}, InvalidTimeError, "on: expected a date as YYYY-MM-DD"),
        ({"on": toronto(2027, 4, 1)}, InvalidTimeError, "on: expected a date (YYYY-MM-DD), got a"),
        ({"on": None}, InvalidTimeError, "on: expected a date as YYYY-MM-DD, got None"),
        ({"within_days": -1}, ClientError, "within_days: expected a whole number of days from 0"),
        ({"within_days": True}, ClientError, "within_days: expected a whole number of days from 0"),
        ({"within_days": 7.0}, ClientError, "within_days: expected a whole number of days from 0"),
        ({"within_days": "7"}, ClientError, "within_days: expected a whole number of days from 0"),
    ],
)
def test_bad_arguments_are_refused_naming_them(
    options: dict[str, Any], error: type[Exception], message: str
) -> None:
    arguments = {"on": "2027-04-01", **options}
    with pytest.raises(error) as raised:
        recalls([completed(LAST)], **arguments)
    assert str(raised.value).startswith(message)


@pytest.mark.parametrize(
    ("plans", "message"),
    [
        (
            "plan",
            "plans: expected an iterable of TreatmentPlan (a list of plans), got a TreatmentPlan",
        ),
        ("text", "plans: expected an iterable of TreatmentPlan (a list of plans), got a str"),
        ("dict", "plans: expected an iterable of TreatmentPlan (a list of plans), got a dict"),
        ("none", "plans: expected an iterable of TreatmentPlan (a list of plans), got a NoneType"),
        ("items", "plans[1]: expected a TreatmentPlan (see plan_series), got a dict"),
        ("twice", "plans[1].id: the same id as plans[0], expected one id a plan"),
    ],
)
def test_plans_that_are_no_plans_are_refused(plans: str, message: str) -> None:
    plan = completed(LAST)
    given_plans = {
        "plan": plan,
        "text": "p-1",
        "dict": {"id": "p-1"},
        "none": None,
        "items": [plan, {"id": "p-2"}],
        "twice": [plan, plan],
    }[plans]
    with pytest.raises(ClientError) as raised:
        recalls(given_plans, on="2027-04-01")  # type: ignore[arg-type]
    assert str(raised.value) == message
    assert "c-1" not in str(raised.value)


# --- The property: every completed plan once, agreeing with maintenance_status --------------


@st.composite
def completed_plans(draw: st.DrawFn, n: int) -> TreatmentPlan:
    """A generated plan, numbered *n*, with every session of its series completed in turn."""
    request = draw(plan_requests())
    try:
        plan = attrs.evolve(request.plan(), id=f"gen-{n}")
        while planned := [s for s in plan.active_sessions if s.status is SessionStatus.PLANNED]:
            plan = plan.complete(planned[0].index)
    except SchedulingError:
        reject()
    return plan


@st.composite
def worklists(draw: st.DrawFn) -> tuple[list[TreatmentPlan], dt.date, int]:
    done = [draw(completed_plans(n)) for n in range(draw(st.integers(1, 3)))]
    running = [
        attrs.evolve(p, id=f"run-{n}")
        for n, p in enumerate(draw(st.lists(plans_in_any_state(2), max_size=2)))
    ]
    plans = draw(st.permutations([*done, *running]))
    window = done[draw(st.integers(0, len(done) - 1))].maintenance[0]
    # A day near one window's edges, where the statuses change.
    edge = draw(st.sampled_from([window.opens, window.closes]))
    on = edge + dt.timedelta(days=draw(st.integers(-45, 45)))
    return plans, on, draw(st.integers(0, 60))


@settings(max_examples=examples(50))
@given(worklists())
def test_every_completed_plan_appears_once_with_the_status_of_maintenance_status(
    worklist: tuple[list[TreatmentPlan], dt.date, int],
) -> None:
    plans, on, within_days = worklist
    note(f"on {on}, within {within_days} days")
    found = recalls(plans, on=on, within_days=within_days)
    by_plan = {r.plan_id: r for r in found}
    assert len(by_plan) == len(found)
    for plan in plans:
        status = plan.maintenance_status(on)
        recall = by_plan.pop(plan.id, None)
        if not plan.is_complete:
            assert recall is None
            assert status == "not_due"
            continue
        window = plan.maintenance[0]
        until = window.opens.toordinal() - on.toordinal()
        if status == "not_due" and until > within_days:
            assert recall is None
            continue
        assert recall is not None
        assert {"due_soon": "not_due"}.get(recall.status.value, recall.status.value) == status
        assert (recall.opens, recall.closes) == (window.opens, window.closes)
        assert recall.last_session_end == plan.active_sessions[-1].end
        assert recall.days_overdue == max(0, on.toordinal() - window.closes.toordinal())
        assert recall.days_until_due == (until if recall.status is RecallStatus.DUE_SOON else 0)
    assert not by_plan
    ranks = [list(RecallStatus).index(r.status) for r in found]
    assert ranks == sorted(ranks)


# --- plan_maintenance ------------------------------------------------------------------------


def _diary(**changes: Any) -> Diary:
    base = Diary(
        clinic=CLINIC,
        practitioners=[
            Practitioner(id="dr-a", name="Dr. A.", areas=["face", "neck"]),
            Practitioner(id="dr-h", name="Dr. H.", areas=["face"]),
        ],
        rooms=[Room(id="room-1")],
        buffer_minutes=10,
    )
    return attrs.evolve(base, **changes)


def _treated_by(plan: TreatmentPlan, practitioner: str) -> TreatmentPlan:
    sessions = tuple(
        attrs.evolve(s, practitioner=practitioner, room="room-1") for s in plan.sessions
    )
    return attrs.evolve(plan, sessions=sessions)


def _busy(resource: str, day: str, start: str, end: str) -> Busy:
    return Busy(start=CLINIC.at(day, start), end=CLINIC.at(day, end), resource=resource)


# The window of `completed(LAST)`: 2027-03-22 (a Monday) to 2027-06-22.
OPENS = "2027-03-22"


def test_the_maintenance_session_is_never_before_the_window_opens() -> None:
    plan = completed(LAST)
    booking = plan_maintenance(plan, start=toronto(2027, 1, 4, 9), diary=_diary())
    assert booking.session.start == CLINIC.at(OPENS, "09:00")
    assert booking.session.end == CLINIC.at(OPENS, "09:45")
    assert booking.window == plan.maintenance[0]
    assert booking.session.id == "p-1.maintenance"
    assert booking.session.index == 5
    assert booking.session.areas == plan.areas
    assert booking.session.status is SessionStatus.PLANNED
    assert (booking.session.practitioner, booking.session.room) == ("dr-a", "room-1")


def test_the_practitioner_of_the_last_session_comes_first() -> None:
    plan = _treated_by(completed(LAST), "dr-h")
    booking = plan_maintenance(plan, start=toronto(2027, 1, 4, 9), diary=_diary())
    assert booking.session.practitioner == "dr-h"
    # Busy then, another practitioner takes the first slot rather than a later one.
    busy = _diary(busy=[_busy("dr-h", OPENS, "09:00", "12:00")])
    booking = plan_maintenance(plan, start=toronto(2027, 1, 4, 9), diary=busy)
    assert (booking.session.start, booking.session.practitioner) == (
        CLINIC.at(OPENS, "09:00"),
        "dr-a",
    )


def test_a_practitioner_asked_for_is_the_only_one_tried() -> None:
    plan = completed(LAST)
    diary = _diary(busy=[_busy("dr-h", OPENS, "09:00", "12:00")])
    booking = plan_maintenance(plan, start=toronto(2027, 1, 4, 9), diary=diary, practitioner="dr-h")
    # 12:00 plus the 10 minutes' buffer: the first slot of 15 minutes from 12:10 is 12:15.
    assert (booking.session.start, booking.session.practitioner) == (
        CLINIC.at(OPENS, "12:15"),
        "dr-h",
    )


def test_busy_rooms_and_practitioners_and_a_later_start_move_the_session() -> None:
    plan = completed(LAST)
    diary = _diary(
        busy=[
            _busy("room-1", OPENS, "09:00", "18:00"),
            _busy("dr-a", "2027-03-23", "09:00", "18:00"),
            _busy("dr-h", "2027-03-23", "09:00", "13:00"),
        ]
    )
    booking = plan_maintenance(plan, start=toronto(2027, 3, 22, 10), diary=diary)
    assert (booking.session.start, booking.session.practitioner) == (
        CLINIC.at("2027-03-23", "13:15"),
        "dr-h",
    )
    later = plan_maintenance(plan, start=toronto(2027, 5, 3, 14, 5), diary=_diary())
    assert later.session.start == CLINIC.at("2027-05-03", "14:15")


def test_a_practitioner_s_own_hours_are_kept() -> None:
    plan = completed(LAST)
    diary = _diary(
        practitioners=[
            Practitioner(id="dr-h", areas=["face"], hours={"monday": [("14:00", "18:00")]})
        ]
    )
    booking = plan_maintenance(plan, start=toronto(2027, 1, 4, 9), diary=diary)
    assert booking.session.start == CLINIC.at(OPENS, "14:00")


def test_the_booking_is_claimed_into_the_diary_and_released_with_the_plan() -> None:
    plan = completed(LAST)
    diary = _diary()
    booking = plan_maintenance(plan, start=toronto(2027, 1, 4, 9), diary=diary)
    claimed = booking.claim(diary)
    assert diary.bookings == ()
    assert claimed.bookings == (booking.booking,)
    assert booking.booking.plan == "p-1"
    assert booking.booking.session == "p-1.maintenance"
    assert not claimed.is_free("dr-a", booking.session.start, booking.session.end)
    assert claimed.release(plan) == diary
    with pytest.raises(SchedulingError, match="is booked already"):
        booking.claim(claimed)
    # The next search sees the claim: the one room is free again after it and the buffer.
    again = plan_maintenance(plan, start=toronto(2027, 1, 4, 9), diary=claimed)
    assert (again.session.start, again.session.practitioner) == (
        CLINIC.at(OPENS, "10:00"),
        "dr-a",
    )
    assert again.claim(diary).bookings == (again.booking,)
    # One maintenance session a plan: a second one is refused, whatever its time.
    with pytest.raises(SchedulingError, match="is booked already"):
        again.claim(claimed)
    with pytest.raises(SchedulingError, match=r"'room-1' is taken then"):
        booking.claim(_diary(busy=[_busy("room-1", OPENS, "08:00", "08:55")]))


def test_a_claim_is_checked_against_the_diary_it_is_claimed_in() -> None:
    plan = completed(LAST)
    booking = plan_maintenance(plan, start=toronto(2027, 1, 4, 9), diary=_diary())
    busy = _diary(busy=[_busy("dr-a", OPENS, "09:30", "10:00")])
    with pytest.raises(SchedulingError) as raised:
        booking.claim(busy)
    assert str(raised.value) == (
        "maintenance session p-1.maintenance (2027-03-22T09:00:00-04:00 to "
        "2027-03-22T09:45:00-04:00): 'dr-a' is taken then"
    )
    with pytest.raises(ClientError, match="diary: expected a Diary"):
        booking.claim("diary")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("case", "message"),
    [
        (
            "closed",
            (
                "maintenance window 2027-03-22 to 2027-06-22: no free slot from "
                "2027-01-04T09:00:00-05:00: the clinic has no opening for the session then (closed)"
            ),
        ),
        (
            "busy",
            (
                "maintenance window 2027-03-22 to 2027-06-22: no free slot from "
                "2027-01-04T09:00:00-05:00 among the clinic's "
            ),
        ),
        (
            "no room",
            (
                "maintenance window 2027-03-22 to 2027-06-22: no free slot from "
                "2027-01-04T09:00:00-05:00 among the clinic's "
            ),
        ),
        (
            "unqualified",
            (
                "maintenance window 2027-03-22 to 2027-06-22: no practitioner of the diary is "
                "qualified for face, neck"
            ),
        ),
        (
            "not qualified",
            (
                "maintenance window 2027-03-22 to 2027-06-22: practitioner 'dr-h' is not "
                "qualified for face, neck"
            ),
        ),
        (
            "no such",
            "practitioner: 'dr-x' is no practitioner of the diary, expected one of dr-a, dr-h",
        ),
        (
            "no room serves",
            "maintenance window 2027-03-22 to 2027-06-22: no room of the diary serves face, neck",
        ),
        (
            "after",
            (
                "start: 2027-06-23T09:00:00-04:00 is after the maintenance window 2027-03-22 to "
                "2027-06-22 closes, expected a time within it"
            ),
        ),
        (
            "running",
            (
                "plan: 3 of 4 sessions of the series completed, expected a completed series "
                "before its maintenance"
            ),
        ),
    ],
)
def test_a_refusal_names_the_window_and_what_blocked_it(case: str, message: str) -> None:
    plan = completed(LAST, areas=("face", "neck"))
    diary = _diary()
    start = toronto(2027, 1, 4, 9)
    practitioner = None
    whole_window = [
        Busy(start=toronto(2027, 3, 1), end=toronto(2027, 7, 1), resource=resource)
        for resource in ("dr-a", "dr-h")
    ]
    if case == "closed":
        diary = _diary(
            clinic=attrs.evolve(
                CLINIC, closures=[meso.Closure(start="2027-03-01", end="2027-07-01")]
            )
        )
    elif case == "busy":
        diary = _diary(busy=whole_window)
    elif case == "no room":
        diary = _diary(
            busy=[Busy(start=toronto(2027, 3, 1), end=toronto(2027, 7, 1), resource="room-1")]
        )
    elif case == "unqualified":
        diary = _diary(practitioners=[Practitioner(id="dr-h", areas=["face"])])
    elif case == "not qualified":
        practitioner = "dr-h"
    elif case == "no such":
        practitioner = "dr-x"
    elif case == "no room serves":
        diary = _diary(rooms=[Room(id="room-1", areas=["scalp"])])
    elif case == "after":
        start = toronto(2027, 6, 23, 9)
    elif case == "running":
        plan = meso.plan_series(
            plan.assessment, ["face", "neck"], start=toronto(2026, 10, 20, 9), clinic=CLINIC
        )
        for index in (1, 2, 3):
            plan = plan.complete(index)
    with pytest.raises(SchedulingError) as raised:
        plan_maintenance(plan, start=start, diary=diary, practitioner=practitioner)
    assert str(raised.value).startswith(message)
    if case == "busy":
        assert str(raised.value).endswith(" 2496 open slots: practitioner busy at 2496")
    if case == "no room":
        assert str(raised.value).endswith(" 2496 open slots: no room free at 2496")


def test_slots_outside_a_practitioner_s_hours_are_counted_as_such() -> None:
    plan = completed(LAST)
    # Working Monday mornings only, and busy every one of them in the window.
    hours: dict[str, list[tuple[str, str]]] = {
        day: [] for day in ("tuesday", "wednesday", "thursday", "friday", "saturday")
    }
    mondays = [
        pendulum.date(2027, 3, 22).add(weeks=n).isoformat() for n in range(14)
    ]  # the last, 2027-06-21
    diary = _diary(
        practitioners=[
            Practitioner(id="dr-h", areas=["face"], hours={"monday": [("09:00", "10:00")], **hours})
        ],
        busy=[_busy("dr-h", day, "09:00", "10:00") for day in mondays],
    )
    with pytest.raises(SchedulingError) as raised:
        plan_maintenance(plan, start=toronto(2027, 1, 4, 9), diary=diary)
    # Of the window's 2496 open slots, the practitioner works at 2 a Monday (09:00 and
    # 09:15 fit 45 minutes in the hour), on 13 Mondays: Victoria Day, 2027-05-24, is closed.
    message = str(raised.value)
    assert message.startswith(
        "maintenance window 2027-03-22 to 2027-06-22: no free slot from "
        "2027-01-04T09:00:00-05:00 among the clinic's "
    )
    assert message.endswith(
        " 2496 open slots: practitioner not working at 2470, practitioner busy at 26"
    )
    free = attrs.evolve(diary, busy=diary.busy[1:])  # the first Monday is free
    booking = plan_maintenance(plan, start=toronto(2027, 1, 4, 9), diary=free)
    assert booking.session.start == CLINIC.at(OPENS, "09:00")


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        (
            {"plan": "p-1"},
            ClientError,
            "plan: expected a TreatmentPlan (see plan_series), got a str",
        ),
        ({"diary": None}, ClientError, "diary: expected a Diary (see load_diary), got a NoneType"),
        (
            {"start": dt.datetime(2027, 1, 4, 9)},  # noqa: DTZ001 - naive on purpose
            InvalidTimeError,
            "start: expected a time-zone-aware",
        ),
        ({"start": "2027-01-04T09:00"}, InvalidTimeError, "start: expected a time-zone-aware"),
        ({"practitioner": 7}, ClientError, "practitioner: expected the id of a practitioner"),
        (
            {"diary": _diary(clinic=example_clinic(timezone="Europe/Paris"))},
            ClientError,
            "diary.clinic.timezone: 'Europe/Paris', expected the plan's zone 'America/Toronto'",
        ),
    ],
)
def test_plan_maintenance_refuses_bad_arguments(
    arguments: dict[str, Any], error: type[Exception], message: str
) -> None:
    given_arguments = {
        "plan": completed(LAST),
        "start": toronto(2027, 1, 4, 9),
        "diary": _diary(),
        **arguments,
    }
    with pytest.raises(error) as raised:
        plan_maintenance(**given_arguments)
    assert str(raised.value).startswith(message)


def test_the_booking_s_document() -> None:
    plan = _treated_by(completed(LAST), "dr-h")
    booking = plan_maintenance(plan, start=toronto(2027, 1, 4, 9), diary=_diary())
    assert isinstance(booking, MaintenanceBooking)
    assert meso.to_dict(booking) == {
        "plan_id": "p-1",
        "window": {"opens": "2027-03-22", "closes": "2027-06-22"},
        "session": {
            "id": "p-1.maintenance",
            "replaces": None,
            "index": 5,
            "start": "2027-03-22T09:00:00-04:00",
            "end": "2027-03-22T09:45:00-04:00",
            "areas": ["face"],
            "status": "planned",
            "fixed": False,
            "practitioner": "dr-h",
            "room": "room-1",
        },
    }


def test_a_recall_s_document_and_frame() -> None:
    recall = one(_treated_by(completed(LAST), "dr-h"), "2027-07-01")
    assert recall is not None
    document = {
        "plan_id": "p-1",
        "client_id": "c-1",
        "status": "overdue",
        "areas": ["face"],
        "opens": "2027-03-22",
        "closes": "2027-06-22",
        "last_session": "p-1.4",
        "last_session_end": "2026-12-22T09:45:00-05:00",
        "practitioner": "dr-h",
        "days_overdue": 9,
        "days_until_due": 0,
    }
    assert meso.to_dict(recall) == document
    assert json.loads(meso.to_json(recall)) == document
    pandas = pytest.importorskip("pandas")
    frame = recalls_frame([recall])
    assert tuple(frame.columns) == RECALL_COLUMNS
    row = frame.iloc[0].to_dict()
    assert row["last_session_end"] == pandas.Timestamp("2026-12-22T09:45:00-05:00")
    assert str(frame["last_session_end"].dt.tz) == "America/Toronto"
    assert {k: v for k, v in row.items() if k != "last_session_end"} == {
        "plan": "p-1",
        "status": "overdue",
        "areas": "face",
        "opens": dt.date(2027, 3, 22),
        "closes": dt.date(2027, 6, 22),
        "last_session": "p-1.4",
        "practitioner": "dr-h",
        "days_overdue": 9,
        "days_until_due": 0,
    }
    assert "c-1" not in frame.to_string()
    assert recalls_frame([]).shape == (0, len(RECALL_COLUMNS))
    with pytest.raises(ClientError, match=r"recalls\[0\]: expected a Recall"):
        recalls_frame([{"plan": "p-1"}])  # type: ignore[list-item]
