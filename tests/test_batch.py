"""`plan_batch`: each outcome is what assessing and planning its request alone gives, lazily."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mesotherapy as meso
from tests.builders import TORONTO
from tests.conftest import examples
from tests.exact import assert_exactly_equal
from tests.plan_strategies import PlanRequest as Drawn
from tests.plan_strategies import plan_requests

CLINIC: Final = meso.example_clinic()
START: Final = pendulum.datetime(2026, 11, 24, 9, tz=TORONTO)


def _request(client: meso.Client, **more: Any) -> meso.PlanRequest:
    return meso.PlanRequest(client=client, areas=more.pop("areas", ["face"]), start=START, **more)


def _alone(request: meso.PlanRequest, clinic: meso.Clinic) -> tuple[Any, Any, str | None]:
    """The assessment, plan and problem of *request* made by hand, as the design says."""
    on = request.on or request.start.in_timezone(clinic.timezone).date()
    assessment = None
    try:
        assessment = meso.assess(request.client, request.areas, on=on)
        plan = meso.plan_series(
            assessment,
            request.areas,
            start=request.start,
            clinic=clinic,
            sessions=request.sessions,
            interval=request.interval,
            acknowledge_review=request.acknowledge_review,
        )
    except meso.MesotherapyError as error:
        return assessment, None, str(error)
    return assessment, plan, None


@settings(max_examples=examples(50))
@given(st.lists(plan_requests(plannable=False), min_size=1, max_size=4))
def test_each_outcome_is_its_request_planned_alone(drawn: list[Drawn]) -> None:
    clinic = drawn[0].clinic
    requests = [d.batch_request() for d in drawn]
    outcomes = list(meso.plan_batch(requests, clinic=clinic))
    assert [o.request for o in outcomes] == requests
    for outcome, request in zip(outcomes, requests, strict=True):
        assessment, plan, problem = _alone(request, clinic)
        assert_exactly_equal((outcome.assessment, outcome.plan), (assessment, plan))
        assert outcome.problem == problem
        assert outcome.ok is (plan is not None)


def test_a_refused_request_says_why_and_the_batch_goes_on() -> None:
    requests = [
        _request(meso.Client(birth_date="1990-01-01", pregnant=True)),
        _request(meso.Client(birth_date="1985-03-02", conditions=["heart_disease"])),
        _request(meso.Client(birth_date="1985-03-02")),
    ]
    pregnant, review, fine = meso.plan_batch(requests, clinic=CLINIC)
    assert pregnant.problem == "assessment: the client is not a candidate (status ineligible)"
    assert pregnant.assessment is not None
    assert pregnant.assessment.status is meso.Candidacy.INELIGIBLE
    assert review.plan is None
    assert review.problem is not None
    assert "review" in review.problem
    assert fine.ok
    assert fine.problem is None
    assert fine.plan is not None
    assert len(fine.plan.sessions) == fine.plan.protocol.sessions


def test_the_batch_is_lazy_and_holds_one_request_at_a_time() -> None:
    pulled: list[int] = []

    def requests() -> Iterator[meso.PlanRequest]:
        for n in range(1_000_000):
            pulled.append(n)
            yield _request(meso.Client(id=f"c-{n}", birth_date="1985-03-02"))

    batch = meso.plan_batch(requests(), clinic=CLINIC)
    assert pulled == []
    first = next(batch)
    second = next(batch)
    assert pulled == [0, 1]
    assert first.ok
    assert second.ok


def test_the_assessment_day_is_the_local_date_of_the_start_at_the_clinic() -> None:
    # 02:00 UTC on 25 November is still the 24th in Toronto.
    start = pendulum.datetime(2026, 11, 25, 2, tz="UTC")
    request = meso.PlanRequest(
        client=meso.Client(birth_date="1985-03-02"), areas="face", start=start
    )
    (outcome,) = meso.plan_batch([request], clinic=CLINIC)
    assert outcome.assessment is not None
    assert outcome.assessment.on == pendulum.date(2026, 11, 24)


def test_rules_given_to_the_batch_are_the_ones_it_plans_with() -> None:
    rules = meso.load_rules(
        Path(__file__).parent.parent / "docs" / "examples" / "clinic-rules.toml",
        base=meso.default_rules(),
    )
    (outcome,) = meso.plan_batch(
        [_request(meso.Client(birth_date="1985-03-02"))], clinic=CLINIC, rules=rules
    )
    assert outcome.plan is not None
    assert (outcome.plan.rules.name, outcome.plan.rules.version) == (rules.name, rules.version)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"rules": "default"}, meso.RuleSetError, r"rules: expected a RuleSet"),
        ({"clinic": {"name": "Lakeside"}}, meso.ClientError, r"^clinic: expected a Clinic"),
    ],
)
def test_the_batch_refuses_a_clinic_or_rules_that_are_not_the_librarys(
    kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    batch = meso.plan_batch([], **{"clinic": CLINIC, **kwargs})
    with pytest.raises(error, match=message):
        next(batch)


def test_a_request_that_is_no_plan_request_stops_the_batch_where_it_stands() -> None:
    good = _request(meso.Client(birth_date="1985-03-02"))
    batch = meso.plan_batch([good, {"client": "c-1"}], clinic=CLINIC)  # type: ignore[list-item]
    assert next(batch).ok
    with pytest.raises(meso.ClientError, match=r"^requests: expected a PlanRequest .*got a dict"):
        next(batch)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"client": {"birth_date": "1985-03-02"}}, meso.ClientError, r"^client: expected a Client"),
        ({"areas": ["elbow"]}, meso.UnknownCodeError, r"elbow"),
        ({"areas": []}, meso.ClientError, r"areas"),
        ({"start": pendulum.naive(2026, 11, 24, 9)}, meso.InvalidTimeError, r"^start: "),
        ({"on": "soon"}, meso.InvalidTimeError, r"^on: "),
    ],
)
def test_a_bad_request_is_refused_when_it_is_made(
    kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    fields: dict[str, Any] = {
        "client": meso.Client(birth_date="1985-03-02"),
        "areas": ["face"],
        "start": START,
    }
    with pytest.raises(error, match=message):
        meso.PlanRequest(**{**fields, **kwargs})
