"""Properties of candidacy, of rule files and of spans, stated for generated inputs."""

from __future__ import annotations

import tempfile
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import attrs
import pendulum
from hypothesis import given, settings
from hypothesis import strategies as st

from mesotherapy import (
    Area,
    Assessment,
    Candidacy,
    Client,
    Finding,
    RuleSet,
    Severity,
    Span,
    assess,
    client_from_dict,
    dump_rules,
    load_rules,
    to_dict,
)
from mesotherapy._rules_io import rules_from_dict
from tests.conftest import examples
from tests.strategies import Scenario, rule_sets, scenarios, spans, with_added_fact

# The outcome of each severity, as the design states it, independent of the library's table.
OUTCOME = {
    Severity.NOTE: Candidacy.ELIGIBLE,
    Severity.RELATIVE: Candidacy.REVIEW,
    Severity.SITE: Candidacy.DEFERRED,
    Severity.TIME_BOUND: Candidacy.DEFERRED,
    Severity.ABSOLUTE: Candidacy.INELIGIBLE,
}
RANKS = {
    Candidacy.ELIGIBLE: 0,
    Candidacy.REVIEW: 1,
    Candidacy.DEFERRED: 2,
    Candidacy.INELIGIBLE: 3,
}


def _assess(scenario: Scenario, client: Client | None = None) -> Assessment:
    return assess(
        scenario.client if client is None else client,
        sorted(scenario.areas),
        on=scenario.on,
        rules=scenario.rules,
    )


def _worst(findings: list[Finding]) -> Candidacy:
    return max(
        (OUTCOME[f.severity] for f in findings), key=RANKS.__getitem__, default=Candidacy.ELIGIBLE
    )


def test_ranks_order_candidacy_from_best_to_worst() -> None:
    assert {c: c.rank for c in Candidacy} == RANKS


@settings(max_examples=examples(50))
@given(scenario=scenarios(), data=st.data())
def test_adding_a_contraindicated_fact_never_improves_the_assessment(
    scenario: Scenario, data: st.DataObject
) -> None:
    before = _assess(scenario)
    client = data.draw(with_added_fact(scenario), label="client with one more fact")
    after = _assess(scenario, client)

    assert after.status.rank >= before.status.rank
    for area in scenario.areas:
        assert after.area_status[area].rank >= before.area_status[area].rank
    assert {f.code for f in before.findings} <= {f.code for f in after.findings}
    # Every finding is still there, as often as before: facts only add findings.
    assert not Counter(before.findings) - Counter(after.findings)
    # The earliest start never comes sooner; once there is none, there stays none.
    if after.earliest_start is not None:
        assert before.earliest_start is not None
        assert after.earliest_start >= before.earliest_start


@settings(max_examples=examples(50))
@given(scenarios())
def test_status_is_the_worst_outcome_of_the_findings(scenario: Scenario) -> None:
    result = _assess(scenario)

    for finding in result.findings:
        assert finding.outcome is OUTCOME[finding.severity]
    assert result.status is _worst(list(result.findings))
    assert set(result.area_status) == scenario.areas
    for area in scenario.areas:
        concerning = [f for f in result.findings if f.area in (None, area)]
        assert result.area_status[area] is _worst(concerning)
    assert result.is_candidate is (result.status in (Candidacy.ELIGIBLE, Candidacy.REVIEW))


@settings(max_examples=examples(50))
@given(scenarios())
def test_earliest_start_is_when_the_last_deferral_lifts(scenario: Scenario) -> None:
    result = _assess(scenario)
    deferrals = [f for f in result.findings if OUTCOME[f.severity] is Candidacy.DEFERRED]

    expected: pendulum.Date | None
    if result.status is Candidacy.INELIGIBLE or any(f.until is None for f in deferrals):
        expected = None
    else:
        expected = max((f.until for f in deferrals if f.until is not None), default=scenario.on)
    assert result.earliest_start == expected
    if result.earliest_start is not None:
        assert result.earliest_start >= scenario.on
    # A finding that has lifted by the assessment date is not reported.
    for finding in result.findings:
        assert finding.until is None or finding.until > scenario.on


def _as_shuffled_data(client: Client, data: st.DataObject) -> dict[str, Any]:
    """The client as a client file would hold it, every list in a drawn order."""

    def shuffled(values: list[Any]) -> list[Any]:
        return list(data.draw(st.permutations(sorted(values, key=repr))))

    by_area: dict[str, list[str]] = {}
    for area in shuffled([f.area.value for f in client.skin_findings]):
        by_area.setdefault(area, [])
    for finding in shuffled(list(client.skin_findings)):
        by_area[finding.area.value].append(finding.code)
    medications = [
        {"code": m.code, "last_taken": None if m.last_taken is None else m.last_taken.isoformat()}
        for m in client.medications
    ]
    treatments = [
        {"kind": t.kind, "area": t.area.value, "on": t.on.isoformat()} for t in client.treatments
    ]
    return {
        "id": client.id,
        "birth_date": client.birth_date.isoformat(),
        "pregnant": client.pregnant,
        "breastfeeding": client.breastfeeding,
        "conditions": shuffled(list(client.conditions)),
        "allergies": shuffled(list(client.allergies)),
        "medications": shuffled(medications),
        "skin_findings": by_area,
        "treatments": shuffled(treatments),
        "concerns": shuffled([c.value for c in client.concerns]),
    }


@settings(max_examples=examples(50))
@given(scenario=scenarios(), data=st.data())
def test_assessment_does_not_depend_on_the_order_of_the_inputs(
    scenario: Scenario, data: st.DataObject
) -> None:
    expected = _assess(scenario)
    client = client_from_dict(_as_shuffled_data(scenario.client, data))
    names = sorted(area.value for area in scenario.areas)
    repeats = data.draw(st.lists(st.sampled_from(names), max_size=3), label="repeated areas")
    areas = data.draw(st.permutations(names + repeats), label="areas")

    assert client == scenario.client
    result = assess(client, areas, on=scenario.on, rules=scenario.rules)
    assert result == expected
    assert list(result.area_status) == list(expected.area_status)
    assert to_dict(result) == to_dict(expected)


@settings(max_examples=examples(50))
@given(scenarios())
def test_findings_stay_in_the_requested_areas(scenario: Scenario) -> None:
    result = _assess(scenario)
    client, table = scenario.client, scenario.rules.contraindications

    for finding in result.findings:
        assert finding.area is None or finding.area in scenario.areas
    # A site finding in a requested area is reported there, whatever else applies.
    for seen in client.skin_findings:
        if seen.area in scenario.areas and table.skin_findings[seen.code].applies_to(seen.area):
            assert any(f.code == seen.code and f.area is seen.area for f in result.findings)
    # What was seen on, or done to, an area that was not requested changes nothing.
    elsewhere = attrs.evolve(
        client,
        skin_findings={f for f in client.skin_findings if f.area in scenario.areas},
        treatments={t for t in client.treatments if t.area in scenario.areas},
    )
    assert _assess(scenario, elsewhere) == result


@settings(max_examples=examples(50))
@given(rule_sets())
def test_dumped_rules_load_back_equal(rules: RuleSet) -> None:
    text = dump_rules(rules)

    assert rules_from_dict(tomllib.loads(text)) == rules
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rules.toml"
        path.write_text(text, encoding="utf-8")
        loaded = load_rules(path)
    assert loaded == rules
    assert dump_rules(loaded) == text


@given(spans())
def test_span_text_parses_back_equal(span: Span) -> None:
    text = str(span)

    assert Span.parse(text) == span
    assert str(Span.parse(text)) == text


@given(st.sampled_from(Area))
def test_unrequested_site_finding_alone_leaves_a_client_eligible(area: Area) -> None:
    client = Client(birth_date="1980-01-01", skin_findings={area.value: ["active_herpes"]})
    others = [a for a in Area if a is not area]

    result = assess(client, others, on="2026-01-01")
    assert result.status is Candidacy.ELIGIBLE
    assert result.findings == ()
    assert assess(client, [area], on="2026-01-01").status is Candidacy.DEFERRED
