"""JSON round trips for every public object, the plan's schema upgrade, malformed documents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pendulum
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mesotherapy as meso
from mesotherapy import DocumentError, TreatmentPlan
from tests.builders import RULES, example_plan
from tests.plan_strategies import plans_in_any_state
from tests.strategies import assessment_dates, clients, rule_sets

DOCUMENTS = Path(__file__).parent / "documents"


@given(clients(RULES))
def test_clients_round_trip(client: meso.Client) -> None:
    assert meso.from_json(meso.to_json(client), meso.Client) == client


@settings(max_examples=30)
@given(rule_sets())
def test_rule_sets_round_trip(rules: meso.RuleSet) -> None:
    assert meso.from_json(meso.to_json(rules), meso.RuleSet) == rules


@given(clients(RULES), st.sets(st.sampled_from(list(meso.Area)), min_size=1), assessment_dates())
def test_assessments_round_trip(client: meso.Client, areas: set[meso.Area], on: Any) -> None:
    on = max(on, client.birth_date)
    result = meso.assess(client, areas, on=on)
    assert meso.from_json(meso.to_json(result), meso.Assessment) == result


@settings(
    max_examples=60, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(plans_in_any_state())
def test_plans_round_trip_in_every_state(plan: TreatmentPlan) -> None:
    text = meso.to_json(plan)
    back = meso.from_json(text, TreatmentPlan)
    assert back == plan
    assert [s.start.utcoffset() for s in back.sessions] == [
        s.start.utcoffset() for s in plan.sessions
    ]
    assert meso.to_json(back) == text


def test_a_session_in_the_repeated_autumn_hour_keeps_its_instant() -> None:
    result = meso.assess(meso.Client(birth_date="1985-03-02"), ["face"], on="2026-10-01")
    plan = meso.plan_series(
        result,
        ["face"],
        clinic=meso.example_clinic(),
        start=pendulum.datetime(2026, 10, 30, 9, tz="America/Toronto"),
    )
    # Completed at the second 01:30 of 1 November: a time that only its offset tells apart.
    late = pendulum.datetime(2026, 11, 1, 6, 30, tz="UTC").in_timezone("America/Toronto")
    assert (late.hour, late.minute, late.utcoffset()) == (1, 30, pendulum.duration(hours=-5))
    plan = plan.complete(1, at=late)
    back = meso.from_json(meso.to_json(plan), TreatmentPlan)
    assert back.session(1).start == late
    assert back.session(1).start.utcoffset() == pendulum.duration(hours=-5)
    assert back == plan


def test_the_plan_document_keeps_the_contract_keys() -> None:
    document = json.loads(meso.to_json(example_plan()))
    assert document["schema"] == 3
    assert {"schema", "id", "revision", "client_id", "areas", "timezone", "rules", "assessment",
            "sessions", "maintenance", "aftercare", "timeline"} <= set(document)  # fmt: skip
    assert document["aftercare"]
    assert document["timeline"]


def test_a_schema_1_document_is_upgraded() -> None:
    text = (DOCUMENTS / "plan-schema-1.json").read_text("utf-8")
    plan = meso.from_json(text, TreatmentPlan)
    assert plan == example_plan()
    assert json.loads(text)["schema"] == 1


def test_a_schema_1_document_with_other_rules_needs_them() -> None:
    document = json.loads((DOCUMENTS / "plan-schema-1.json").read_text("utf-8"))
    document["rules"] = {"name": "Clinic rules", "version": "9"}
    with pytest.raises(DocumentError, match="pass those rules"):
        meso.from_json(json.dumps(document), TreatmentPlan)


def _break(path: str, value: Any) -> str:
    document = json.loads(meso.to_json(example_plan()))
    target: Any = document
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[int(key)] if isinstance(target, list) else target[key]
    last = keys[-1]
    if value is KeyError:
        del target[last]
    elif isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return json.dumps(document)


@pytest.mark.parametrize(
    ("path", "value", "needle"),
    [
        ("schema", 7, "schema: expected a version from 1 to 3, got 7"),
        ("schema", "2", "schema: expected a version"),
        ("sessions.1.start", "2026-11-10T09:00", "sessions[1].start: expected an ISO 8601"),
        ("sessions.1.start", 5, "sessions[1].start"),
        ("sessions.0.status", "done", "sessions[0].status: expected one of planned"),
        ("sessions.0.areas", ["elbow"], "unknown area 'elbow'"),
        ("sessions", {}, "sessions: expected a list"),
        ("assessment.status", "maybe", "assessment.status"),
        ("assessment.findings", [{"code": 1}], "assessment.findings[0]"),
        ("timezone", "Europe/Paris", "timezone: expected the clinic's zone"),
        ("clinic", KeyError, "clinic: missing"),
        ("clinic.timezone", "Mars/Olympus", "Mars/Olympus"),
        ("protocol.sessions", "four", "protocol.sessions: expected a whole number"),
        ("review_acknowledged", "yes", "review_acknowledged: expected true or false"),
        ("rules", None, "rules"),
    ],
)
def test_malformed_plan_documents_name_the_path(path: str, value: Any, needle: str) -> None:
    with pytest.raises(DocumentError) as error:
        meso.from_json(_break(path, value), TreatmentPlan)
    assert needle in str(error.value)


@pytest.mark.parametrize(
    ("text", "cls", "error"),
    [
        ("{not json", TreatmentPlan, DocumentError),
        ("[1, 2]", TreatmentPlan, DocumentError),
        ("[1, 2]", meso.Assessment, DocumentError),
        ('{"birth_date": 1985}', meso.Client, meso.InvalidTimeError),
        ('{"birth_date": "1985-01-01", "pregnant": "no"}', meso.Client, meso.ClientError),
        ('{"name": "x"}', meso.RuleSet, meso.RuleSetError),
    ],
)
def test_malformed_documents_give_the_library_errors(
    text: str, cls: type[Any], error: type[Exception]
) -> None:
    with pytest.raises(error):
        meso.from_json(text, cls)
