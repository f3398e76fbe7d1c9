"""Example tests of plan_series and the plan's operations and queries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pendulum
import pytest

import mesotherapy as meso
from mesotherapy import Area, SchedulingError, SessionStatus
from tests.builders import TORONTO, toronto


@pytest.fixture
def eligible() -> meso.Assessment:
    client = meso.Client(id="c-1", birth_date="1985-03-02", concerns=["dullness"])
    return meso.assess(client, ["face", "neck"], on="2026-10-01")


@pytest.fixture
def clinic() -> meso.Clinic:
    return meso.example_clinic()


@pytest.fixture
def plan(eligible: meso.Assessment, clinic: meso.Clinic) -> meso.TreatmentPlan:
    return meso.plan_series(
        eligible, ["face", "neck"], start=toronto(2026, 10, 20, 9), clinic=clinic
    )


def local(session: meso.Session) -> str:
    return session.start.format("YYYY-MM-DD HH:mm Z")


def test_default_series_follows_the_protocol(plan: meso.TreatmentPlan) -> None:
    assert [local(s) for s in plan.sessions] == [
        "2026-10-20 09:00 -04:00",
        "2026-11-10 09:00 -05:00",
        "2026-12-01 09:00 -05:00",
        "2026-12-22 09:00 -05:00",
    ]
    assert all(s.end == s.start.add(minutes=45) for s in plan.sessions)
    assert all(s.areas == (Area.FACE, Area.NECK) for s in plan.sessions)
    assert plan.timezone == TORONTO
    assert plan.client_id == "c-1"
    assert "c-1" not in repr(plan)


def test_series_across_both_dst_changes_keeps_local_time(
    eligible: meso.Assessment, clinic: meso.Clinic
) -> None:
    plan = meso.plan_series(
        eligible, ["face"], start=toronto(2026, 10, 27, 9), clinic=clinic, sessions=6, interval=28
    )
    starts = [s.start for s in plan.sessions]
    assert {(s.hour, s.minute) for s in starts} == {(9, 0)}
    offsets = {s.utcoffset() for s in starts}
    assert offsets == {dt.timedelta(hours=-4), dt.timedelta(hours=-5)}
    assert starts[-1].date() > pendulum.date(2027, 3, 14)  # past the March change


def test_session_on_christmas_moves_within_bounds(
    eligible: meso.Assessment, clinic: meso.Clinic
) -> None:
    plan = meso.plan_series(
        eligible, ["face"], start=toronto(2026, 12, 4, 9), clinic=clinic, interval=21
    )
    second = plan.sessions[1]
    assert second.start.date() == pendulum.date(2026, 12, 24)  # 25th and 26th are holidays
    assert (second.start.hour, second.start.minute) == (9, 0)


def test_three_week_summer_closure_makes_a_28_day_series_infeasible(
    eligible: meso.Assessment,
) -> None:
    clinic = meso.Clinic(
        name="Summer",
        timezone=TORONTO,
        hours=meso.example_clinic().hours,
        closures=[{"start": "2027-07-05", "end": "2027-08-08", "reason": "Summer break"}],
    )
    with pytest.raises(SchedulingError, match=r"session 2: .*interval_days 14-28"):
        meso.plan_series(eligible, ["face"], start=toronto(2027, 7, 2, 9), clinic=clinic)


def test_month_end_maintenance_window(eligible: meso.Assessment, clinic: meso.Clinic) -> None:
    plan = meso.plan_series(
        eligible, ["face"], start=toronto(2027, 7, 13, 9), clinic=clinic, sessions=3, interval=24
    )
    assert plan.active_sessions[-1].start.date() == pendulum.date(2027, 8, 30)
    window = plan.maintenance[0]
    assert (window.opens, window.closes) == (
        pendulum.date(2027, 11, 30),
        pendulum.date(2028, 2, 29),
    )


def test_explicit_sessions_and_interval(eligible: meso.Assessment, clinic: meso.Clinic) -> None:
    plan = meso.plan_series(
        eligible, ["face"], start=toronto(2026, 10, 20, 9), clinic=clinic, sessions=3, interval=14
    )
    assert [s.start.date() for s in plan.sessions] == [
        pendulum.date(2026, 10, 20),
        pendulum.date(2026, 11, 3),
        pendulum.date(2026, 11, 17),
    ]


def test_first_session_waits_for_the_earliest_start(clinic: meso.Clinic) -> None:
    client = meso.Client(
        birth_date="1985-03-02",
        treatments=[{"kind": "botulinum_toxin", "area": "face", "on": "2026-11-10"}],
    )
    result = meso.assess(client, ["face"], on="2026-11-12")
    plan = meso.plan_series(result, ["face"], start=toronto(2026, 11, 12, 9), clinic=clinic)
    assert plan.sessions[0].start == toronto(2026, 11, 24, 9)


def test_first_session_is_the_next_opening_after_start(
    eligible: meso.Assessment, clinic: meso.Clinic
) -> None:
    plan = meso.plan_series(eligible, ["face"], start=toronto(2026, 10, 24, 15, 40), clinic=clinic)
    assert local(plan.sessions[0]) == "2026-10-26 09:00 -04:00"  # Saturday closes at 16:00


@pytest.mark.parametrize(
    ("kwargs", "error", "needle"),
    [
        ({"start": dt.datetime(2026, 10, 20, 9)}, meso.InvalidTimeError, "start"),  # noqa: DTZ001
        ({"start": "2026-10-20T09:00"}, meso.InvalidTimeError, "start"),
        ({"sessions": 9}, SchedulingError, "sessions: expected 3 to 6"),
        ({"sessions": 2}, SchedulingError, "sessions"),
        ({"interval": 0}, SchedulingError, "interval_days: expected 14 to 28"),
        ({"interval": -7}, SchedulingError, "interval_days"),
        ({"interval": 29}, SchedulingError, "interval_days"),
    ],
)
def test_bad_requests(
    eligible: meso.Assessment,
    clinic: meso.Clinic,
    kwargs: dict[str, object],
    error: type[Exception],
    needle: str,
) -> None:
    arguments: dict[str, object] = {"start": toronto(2026, 10, 20, 9), "clinic": clinic, **kwargs}
    with pytest.raises(error, match=needle):
        meso.plan_series(eligible, ["face"], **arguments)  # type: ignore[arg-type]


def test_unknown_zone_is_refused() -> None:
    with pytest.raises(meso.InvalidTimeError, match="Mars/Olympus"):
        meso.example_clinic(timezone="Mars/Olympus")


def test_areas_that_share_no_protocol_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(
        'extends = "default"\nname = "narrow"\nversion = "1"\n'
        "[protocols.scalp.interval_days]\nmin = 7\nmax = 10\ndefault = 7\n",
        encoding="utf-8",
    )
    narrow = meso.load_rules(path)
    result = meso.assess(
        meso.Client(birth_date="1985-03-02"), ["face", "scalp"], on="2026-10-01", rules=narrow
    )
    with pytest.raises(SchedulingError, match=r"interval_days: no value satisfies every area"):
        meso.plan_series(
            result,
            ["face", "scalp"],
            start=toronto(2026, 10, 20, 9),
            clinic=meso.example_clinic(),
            rules=narrow,
        )


@pytest.mark.parametrize(
    ("client", "needle"),
    [
        ({"birth_date": "1990-01-01", "pregnant": True}, "not a candidate"),
        (
            {"birth_date": "1990-01-01", "skin_findings": {"face": ["sunburn"]}},
            "deferred with no date",
        ),
        ({"birth_date": "1990-01-01", "conditions": ["heart_disease"]}, "review"),
    ],
)
def test_non_candidates_are_refused(
    clinic: meso.Clinic, client: dict[str, object], needle: str
) -> None:
    result = meso.assess(meso.client_from_dict(client), ["face"], on="2026-10-01")
    with pytest.raises(SchedulingError, match=needle):
        meso.plan_series(result, ["face"], start=toronto(2026, 10, 20, 9), clinic=clinic)


def test_review_is_planned_with_acknowledgement(clinic: meso.Clinic) -> None:
    client = meso.Client(birth_date="1990-01-01", conditions=["heart_disease"])
    result = meso.assess(client, ["face"], on="2026-10-01")
    plan = meso.plan_series(
        result, ["face"], start=toronto(2026, 10, 20, 9), clinic=clinic, acknowledge_review=True
    )
    assert plan.review_acknowledged
    assert "Clinician review acknowledged" in plan.explain()


def test_unassessed_area_is_refused(eligible: meso.Assessment, clinic: meso.Clinic) -> None:
    with pytest.raises(SchedulingError, match="'scalp' was not assessed"):
        meso.plan_series(eligible, ["scalp"], start=toronto(2026, 10, 20, 9), clinic=clinic)


def test_reschedule_moves_later_sessions_to_follow(plan: meso.TreatmentPlan) -> None:
    moved = plan.reschedule(2, toronto(2026, 11, 12, 14))
    assert [local(s) for s in moved.sessions] == [
        "2026-10-20 09:00 -04:00",
        "2026-11-12 14:00 -05:00",
        "2026-12-03 14:00 -05:00",
        "2026-12-24 14:00 -05:00",
    ]
    assert moved.session(2).fixed
    assert [local(s) for s in plan.sessions][1] == "2026-11-10 09:00 -05:00"  # unchanged


@pytest.mark.parametrize(
    ("index", "when", "needle"),
    [
        (2, (2026, 11, 8, 9), "not open"),  # a Sunday
        (2, (2026, 11, 2, 9), "13 days after session 1"),
        (2, (2026, 11, 18, 9), "29 days after session 1"),
        (9, (2026, 11, 10, 10), "no session 9"),
    ],
)
def test_refused_reschedules_leave_the_plan(
    plan: meso.TreatmentPlan, index: int, when: tuple[int, int, int, int], needle: str
) -> None:
    before = plan
    with pytest.raises(SchedulingError, match=needle):
        plan.reschedule(index, toronto(*when))
    assert plan == before


def test_cancel_replaces_the_session_and_reflows(plan: meso.TreatmentPlan) -> None:
    after = plan.cancel(2)
    statuses = [(s.index, s.status) for s in after.sessions]
    assert statuses == [
        (1, SessionStatus.PLANNED),
        (2, SessionStatus.CANCELLED),
        (3, SessionStatus.PLANNED),
        (4, SessionStatus.PLANNED),
        (5, SessionStatus.PLANNED),
    ]
    assert len(after.active_sessions) == 4
    assert after.session(3).start.date() == pendulum.date(2026, 11, 10)


def test_no_show_is_recorded_and_replaced(plan: meso.TreatmentPlan) -> None:
    after = plan.complete(1).no_show(2)
    assert after.session(2).status is SessionStatus.NO_SHOW
    assert after.session(1).status is SessionStatus.COMPLETED
    assert len(after.active_sessions) == 4


def test_complete_in_order_only(plan: meso.TreatmentPlan) -> None:
    with pytest.raises(SchedulingError, match="session 1 before it is still planned"):
        plan.complete(2)
    done = plan.complete(1, at=toronto(2026, 10, 20, 9, 30))
    assert done.session(1).status is SessionStatus.COMPLETED
    assert done.session(1).start == toronto(2026, 10, 20, 9, 30)
    with pytest.raises(SchedulingError, match="expected a planned session"):
        done.complete(1)
    with pytest.raises(SchedulingError, match="expected a planned session"):
        done.cancel(1)


def test_maintenance_and_queries(plan: meso.TreatmentPlan) -> None:
    done = plan.complete(1).complete(2).complete(3).complete(4)
    assert done.is_complete
    window = done.maintenance[0]
    assert (window.opens, window.closes) == (pendulum.date(2027, 3, 22), pendulum.date(2027, 6, 22))
    assert done.maintenance_status(pendulum.date(2027, 3, 21)) == "not_due"
    assert done.maintenance_status(pendulum.date(2027, 3, 22)) == "due"
    assert done.maintenance_status(pendulum.date(2027, 6, 23)) == "overdue"
    assert plan.maintenance_status(pendulum.date(2027, 6, 23)) == "not_due"  # series not done
    nxt = plan.next_session(toronto(2026, 10, 21, 0))
    assert nxt is not None
    assert nxt.index == 2
    assert done.next_session(toronto(2026, 10, 21, 0)) is None
    between = plan.sessions_between(pendulum.date(2026, 11, 1), pendulum.date(2026, 12, 1))
    assert [s.index for s in between] == [2, 3]
    with pytest.raises(meso.InvalidTimeError):
        plan.next_session(dt.datetime(2026, 10, 21))  # type: ignore[arg-type]  # noqa: DTZ001


def test_plan_json_has_the_contract_keys(plan: meso.TreatmentPlan) -> None:
    document = meso.to_dict(plan)
    assert {
        "schema", "id", "revision", "client_id", "areas", "timezone", "rules", "assessment",
        "sessions", "maintenance", "aftercare", "timeline",
    } <= set(document)  # fmt: skip
    assert document["schema"] == 3
    assert (document["id"], document["revision"]) == (plan.id, 1)
    assert document["sessions"][1] == {
        "id": f"{plan.id}.2",
        "replaces": None,
        "index": 2,
        "start": "2026-11-10T09:00:00-05:00",
        "end": "2026-11-10T09:45:00-05:00",
        "areas": ["face", "neck"],
        "status": "planned",
        "fixed": False,
    }
    assert document["maintenance"] == [{"opens": "2027-03-22", "closes": "2027-06-22"}]


def test_date_queries_read_dates_as_text_and_refuse_what_is_none(
    plan: meso.TreatmentPlan,
) -> None:
    assert plan.sessions_between("2026-10-01", "2026-11-30") == plan.sessions_between(
        pendulum.date(2026, 10, 1), pendulum.date(2026, 11, 30)
    )
    assert plan.maintenance_status("2027-01-01") == "not_due"
    with pytest.raises(meso.InvalidTimeError, match=r"^start: expected a date"):
        plan.sessions_between("soon", "2026-11-30")
    with pytest.raises(meso.InvalidTimeError, match=r"^on: expected a date"):
        plan.maintenance_status(None)  # type: ignore[arg-type]
