"""Example tests of `assess`: candidacy, every finding, the dates deferrals lift."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pendulum
import pytest

from mesotherapy import (
    Area,
    Assessment,
    Candidacy,
    Client,
    Finding,
    RuleSet,
    Severity,
    assess,
    default_rules,
    load_rules,
    to_dict,
)

BIRTH = "1985-03-02"
ON = "2026-11-25"


def client(**facts: Any) -> Client:
    return Client(birth_date=facts.pop("birth_date", BIRTH), **facts)


def codes(assessment: Assessment) -> list[str]:
    return [finding.code for finding in assessment.findings]


def only(assessment: Assessment, code: str) -> Finding:
    found = [finding for finding in assessment.findings if finding.code == code]
    assert len(found) == 1, assessment.findings
    return found[0]


def test_eligible_client() -> None:
    result = assess(client(concerns=["dullness", "dryness"]), ["face"], on=ON)
    assert result.status is Candidacy.ELIGIBLE
    assert result.findings == ()
    assert result.earliest_start == pendulum.date(2026, 11, 25)
    assert result.on == pendulum.date(2026, 11, 25)
    assert result.areas == (Area.FACE,)
    assert dict(result.area_status) == {Area.FACE: Candidacy.ELIGIBLE}
    assert result.is_candidate


def test_on_accepts_a_date_object() -> None:
    result = assess(client(), ["face"], on=pendulum.date(2026, 11, 25))
    assert result.on == pendulum.date(2026, 11, 25)
    assert result.status is Candidacy.ELIGIBLE


def test_areas_are_parsed_and_ordered() -> None:
    result = assess(client(), ["neck", "Face", "face"], on=ON)
    assert result.areas == (Area.FACE, Area.NECK)
    assert set(result.area_status) == {Area.FACE, Area.NECK}


@pytest.mark.parametrize(
    ("facts", "code", "source"),
    [
        ({"pregnant": True}, "pregnant", "isme_2011"),
        ({"breastfeeding": True}, "breastfeeding", "isme_2011"),
        ({"allergies": ["lidocaine"]}, "allergy", "isme_2011"),
        ({"allergies": ["hyaluronic_acid"]}, "allergy", "isme_2011"),
        ({"conditions": ["active_cancer_treatment"]}, "active_cancer_treatment", "isme_2011"),
    ],
)
def test_absolute_contraindication_is_ineligible(
    facts: dict[str, Any], code: str, source: str
) -> None:
    result = assess(client(**facts), ["face", "neck"], on=ON)
    assert result.status is Candidacy.INELIGIBLE
    assert not result.is_candidate
    assert result.earliest_start is None
    assert codes(result) == [code]
    finding = only(result, code)
    assert finding.severity is Severity.ABSOLUTE
    assert finding.area is None
    assert finding.source == source
    assert finding.until is None
    assert dict(result.area_status) == {
        Area.FACE: Candidacy.INELIGIBLE,
        Area.NECK: Candidacy.INELIGIBLE,
    }


def test_allergy_finding_names_the_allergen() -> None:
    result = assess(client(allergies=["lidocaine"]), ["face"], on=ON)
    assert "lidocaine" in only(result, "allergy").reason


def test_allergy_not_in_the_formula_is_reviewed() -> None:
    # Once ignored; an allergy the vocabulary does not know now reaches a clinician.
    result = assess(client(allergies=["penicillin", "latex"]), ["face"], on=ON)
    assert result.status is Candidacy.REVIEW
    assert [f.code for f in result.findings] == ["unlisted_allergy", "unlisted_allergy"]


@pytest.mark.parametrize(
    ("on", "status", "minor_until"),
    [
        ("2026-11-24", Candidacy.INELIGIBLE, pendulum.date(2026, 11, 25)),  # the day before
        ("2026-11-25", Candidacy.ELIGIBLE, None),  # the 18th birthday
        ("2026-11-26", Candidacy.ELIGIBLE, None),
        ("2025-11-25", Candidacy.INELIGIBLE, pendulum.date(2026, 11, 25)),  # the 17th
    ],
)
def test_minor_on_the_day_of_assessment(
    on: str, status: Candidacy, minor_until: pendulum.Date | None
) -> None:
    teen = client(birth_date="2008-11-25")
    result = assess(teen, ["face"], on=on)
    assert result.status is status
    if minor_until is None:
        assert result.findings == ()
        assert result.earliest_start == dt.date.fromisoformat(on)
    else:
        finding = only(result, "minor")
        assert finding.severity is Severity.ABSOLUTE
        assert finding.until == minor_until
        assert result.earliest_start is None


def test_client_age_on_the_eve_of_the_birthday() -> None:
    teen = client(birth_date="2008-11-25")
    assert teen.age_on(pendulum.date(2026, 11, 24)) == 17
    assert teen.age_on(pendulum.date(2026, 11, 25)) == 18


@pytest.mark.parametrize(
    ("on", "status"),
    [
        ("2026-02-27", Candidacy.INELIGIBLE),
        ("2026-02-28", Candidacy.INELIGIBLE),
        ("2026-03-01", Candidacy.ELIGIBLE),
    ],
)
def test_leap_day_birthday_turns_18_on_the_first_of_march(on: str, status: Candidacy) -> None:
    # DESIGN.md "Time, decided once": an age limit lifts on the first day on which the whole
    # period has passed; an 18th birthday on 29 February counts from 1 March in a common year.
    result = assess(client(birth_date="2008-02-29"), ["face"], on=on)
    assert result.status is status


def test_isotretinoin_within_six_months_is_deferred() -> None:
    taking = client(medications=[{"code": "isotretinoin", "last_taken": "2026-09-01"}])
    result = assess(taking, ["face"], on="2026-11-25")
    assert result.status is Candidacy.DEFERRED
    assert not result.is_candidate
    finding = only(result, "isotretinoin")
    assert finding.severity is Severity.TIME_BOUND
    assert finding.until == pendulum.date(2027, 3, 1)
    assert finding.area is None
    assert result.earliest_start == pendulum.date(2027, 3, 1)


@pytest.mark.parametrize(
    ("on", "status"),
    [
        ("2027-02-28", Candidacy.DEFERRED),
        ("2027-03-01", Candidacy.ELIGIBLE),
        ("2027-03-02", Candidacy.ELIGIBLE),
    ],
)
def test_isotretinoin_rule_lifts_on_its_date(on: str, status: Candidacy) -> None:
    taking = client(medications=[{"code": "isotretinoin", "last_taken": "2026-09-01"}])
    result = assess(taking, ["face"], on=on)
    assert result.status is status
    assert ("isotretinoin" in codes(result)) is (status is Candidacy.DEFERRED)


def test_ongoing_isotretinoin_is_deferred_without_a_date() -> None:
    taking = client(medications=[{"code": "isotretinoin"}])
    result = assess(taking, ["face"], on=ON)
    assert result.status is Candidacy.DEFERRED
    assert only(result, "isotretinoin").until is None
    assert result.earliest_start is None


def test_botulinum_toxin_in_the_face_defers_the_face() -> None:
    treated = client(treatments=[{"kind": "botulinum_toxin", "area": "face", "on": "2026-11-10"}])
    result = assess(treated, ["face", "neck"], on="2026-11-20")
    assert result.status is Candidacy.DEFERRED
    finding = only(result, "botulinum_toxin")
    assert finding.area is Area.FACE
    assert finding.until == pendulum.date(2026, 11, 24)
    assert result.earliest_start == pendulum.date(2026, 11, 24)
    assert dict(result.area_status) == {
        Area.FACE: Candidacy.DEFERRED,
        Area.NECK: Candidacy.ELIGIBLE,
    }


def test_botulinum_toxin_in_the_face_does_not_concern_the_neck() -> None:
    treated = client(treatments=[{"kind": "botulinum_toxin", "area": "face", "on": "2026-11-10"}])
    result = assess(treated, ["neck"], on="2026-11-20")
    assert result.status is Candidacy.ELIGIBLE
    assert result.findings == ()
    assert result.earliest_start == pendulum.date(2026, 11, 20)


def test_botulinum_toxin_rule_lifts_after_two_weeks() -> None:
    treated = client(treatments=[{"kind": "botulinum_toxin", "area": "face", "on": "2026-11-10"}])
    assert assess(treated, ["face"], on="2026-11-23").status is Candidacy.DEFERRED
    assert assess(treated, ["face"], on="2026-11-24").status is Candidacy.ELIGIBLE


def test_active_herpes_on_the_face_defers_only_the_face() -> None:
    herpes = client(skin_findings={"face": ["active_herpes"]})
    result = assess(herpes, ["face", "neck"], on=ON)
    assert result.status is Candidacy.DEFERRED
    finding = only(result, "active_herpes")
    assert (finding.severity, finding.area, finding.until) == (Severity.SITE, Area.FACE, None)
    assert result.area_status[Area.FACE] is Candidacy.DEFERRED
    assert result.area_status[Area.NECK] is Candidacy.ELIGIBLE
    assert result.earliest_start is None  # healing is confirmed by a clinician, not a date


def test_active_herpes_on_the_face_is_no_finding_for_the_neck() -> None:
    herpes = client(skin_findings={"face": ["active_herpes"]})
    result = assess(herpes, ["neck"], on=ON)
    assert result.status is Candidacy.ELIGIBLE
    assert result.findings == ()


@pytest.mark.parametrize(
    ("facts", "code"),
    [
        ({"medications": [{"code": "anticoagulant"}]}, "anticoagulant"),
        ({"medications": [{"code": "antiplatelet"}]}, "antiplatelet"),
        ({"medications": [{"code": "systemic_steroid"}]}, "systemic_steroid"),
        ({"conditions": ["bleeding_disorder"]}, "bleeding_disorder"),
        ({"conditions": ["autoimmune_disease"]}, "autoimmune_disease"),
    ],
)
def test_relative_contraindication_needs_review(facts: dict[str, Any], code: str) -> None:
    result = assess(client(**facts), ["face", "neck"], on=ON)
    assert result.status is Candidacy.REVIEW
    assert result.is_candidate
    assert result.earliest_start == pendulum.date(2026, 11, 25)
    finding = only(result, code)
    assert (finding.severity, finding.area, finding.until) == (Severity.RELATIVE, None, None)
    assert set(result.area_status.values()) == {Candidacy.REVIEW}


def test_every_finding_is_reported() -> None:
    many = client(
        birth_date="2010-03-02",
        pregnant=True,
        breastfeeding=True,
        conditions=["autoimmune_disease", "active_cancer_treatment"],
        allergies=["lidocaine", "hyaluronic_acid"],
        medications=[
            {"code": "anticoagulant"},
            {"code": "isotretinoin", "last_taken": "2026-09-01"},
        ],
        skin_findings={"face": ["active_herpes", "sunburn"]},
        treatments=[{"kind": "laser", "area": "neck", "on": "2026-11-10"}],
        concerns=["thinning_hair", "dullness"],
    )
    result = assess(many, ["face", "neck"], on="2026-11-20")
    assert result.status is Candidacy.INELIGIBLE
    assert sorted(codes(result)) == sorted(
        [
            "pregnant",
            "breastfeeding",
            "minor",
            "allergy",
            "allergy",
            "active_cancer_treatment",
            "autoimmune_disease",
            "anticoagulant",
            "isotretinoin",
            "active_herpes",
            "sunburn",
            "laser",
            "concern_not_addressed",
        ]
    )
    assert only(result, "laser").until == pendulum.date(2026, 12, 8)
    assert only(result, "laser").area is Area.NECK
    assert only(result, "minor").until == pendulum.date(2028, 3, 2)
    # Worst first.
    ranks = [finding.outcome.rank for finding in result.findings]
    assert ranks == sorted(ranks, reverse=True)


def test_deferrals_and_review_together() -> None:
    mixed = client(
        medications=[
            {"code": "anticoagulant"},
            {"code": "isotretinoin", "last_taken": "2026-09-01"},
        ],
        treatments=[{"kind": "dermal_filler", "area": "neck", "on": "2026-11-20"}],
    )
    result = assess(mixed, ["face", "neck"], on=ON)
    assert result.status is Candidacy.DEFERRED
    assert set(codes(result)) == {"anticoagulant", "isotretinoin", "dermal_filler"}
    # The last deferral to lift sets the earliest start.
    assert only(result, "dermal_filler").until == pendulum.date(2026, 12, 18)
    assert result.earliest_start == pendulum.date(2027, 3, 1)


def test_findings_do_not_depend_on_the_order_of_facts() -> None:
    one = client(
        conditions=["heart_disease", "keloid_tendency"],
        skin_findings={"face": ["sunburn", "broken_skin"]},
    )
    other = client(
        conditions=["keloid_tendency", "heart_disease"],
        skin_findings={"face": ["broken_skin", "sunburn"]},
    )
    assert assess(one, ["face"], on=ON) == assess(other, ["face"], on=ON)


def test_unaddressed_concern_is_reported() -> None:
    wants = client(concerns=["dullness", "thinning_hair"])
    result = assess(wants, ["face"], on=ON)
    assert result.status is Candidacy.ELIGIBLE  # a note does not change candidacy
    finding = only(result, "concern_not_addressed")
    assert finding.severity is Severity.NOTE
    assert "thinning_hair" in finding.reason
    assert "scalp" in finding.reason  # where it would be addressed
    assert "dullness" not in finding.reason


def test_addressed_concern_is_not_reported() -> None:
    wants = client(concerns=["dullness", "dryness", "thinning_hair"])
    result = assess(wants, ["face", "scalp"], on=ON)
    assert "concern_not_addressed" not in codes(result)
    assert result.findings == ()


def test_each_unaddressed_concern_is_reported() -> None:
    wants = client(concerns=["crepey_skin", "thinning_hair", "laxity"])
    result = assess(wants, ["face"], on=ON)
    notes = [f for f in result.findings if f.code == "concern_not_addressed"]
    assert len(notes) == 3
    for concern in ("crepey_skin", "thinning_hair", "laxity"):
        assert sum(concern in note.reason for note in notes) == 1


def test_assessment_names_the_default_rules() -> None:
    result = assess(client(), ["face"], on=ON)
    assert (result.rules.name, result.rules.version) == ("mesotherapy-default", "2026.1")
    explicit = assess(client(), ["face"], on=ON, rules=default_rules())
    assert explicit == result


def test_assessment_names_the_rules_it_used(tmp_path: Path) -> None:
    path = tmp_path / "clinic.toml"
    path.write_text(
        'extends = "default"\nname = "Clinic"\nversion = "7"\n'
        "[contraindications.medications.isotretinoin]\n"
        'duration = "P12M"\n',
        encoding="utf-8",
    )
    rules: RuleSet = load_rules(path)
    taking = client(medications=[{"code": "isotretinoin", "last_taken": "2026-09-01"}])
    result = assess(taking, ["face"], on="2027-03-01", rules=rules)
    assert (result.rules.name, result.rules.version) == ("Clinic", "7")
    assert to_dict(result)["rules"] == {"name": "Clinic", "version": "7"}
    assert only(result, "isotretinoin").until == pendulum.date(2027, 9, 1)
    assert result.status is Candidacy.DEFERRED


def test_to_dict_has_the_keys_of_the_design() -> None:
    wants = client(
        medications=[{"code": "isotretinoin", "last_taken": "2026-09-01"}],
        skin_findings={"face": ["sunburn"]},
    )
    data = to_dict(assess(wants, ["face", "neck"], on=ON))
    assert set(data) == {"status", "earliest_start", "findings", "rules"}
    assert set(data["rules"]) == {"name", "version"}
    assert data["findings"]
    for finding in data["findings"]:
        assert set(finding) == {"code", "severity", "area", "reason", "source", "until"}
    assert data["status"] == "deferred"
    assert data["earliest_start"] is None
    by_code = {f["code"]: f for f in data["findings"]}
    assert by_code["isotretinoin"]["until"] == "2027-03-01"
    assert by_code["isotretinoin"]["area"] is None
    assert by_code["isotretinoin"]["severity"] == "time_bound"
    assert by_code["sunburn"]["area"] == "face"
    assert by_code["sunburn"]["until"] is None
    assert json.loads(json.dumps(data)) == data


def test_to_dict_of_an_eligible_client() -> None:
    data = to_dict(assess(client(), ["face"], on=ON))
    assert data == {
        "status": "eligible",
        "earliest_start": "2026-11-25",
        "findings": [],
        "rules": {"name": "mesotherapy-default", "version": "2026.1"},
    }


def test_explain_mentions_each_finding() -> None:
    many = client(
        conditions=["heart_disease"],
        allergies=["lidocaine"],
        medications=[{"code": "isotretinoin", "last_taken": "2026-09-01"}],
        skin_findings={"face": ["active_herpes"]},
        treatments=[{"kind": "chemical_peel", "area": "neck", "on": "2026-11-20"}],
        concerns=["thinning_hair"],
    )
    result = assess(many, ["face", "neck"], on=ON)
    text = result.explain()
    assert len(result.findings) == 6
    for finding in result.findings:
        assert finding.code in text
        assert finding.reason in text
        assert finding.source in text
    assert "2027-03-01" in text
    assert "2026-12-04" in text
    assert "mesotherapy-default 2026.1" in text
    assert text.splitlines()[0].startswith("Status: ineligible")
    assert sum(line.startswith("- ") for line in text.splitlines()) == 6


def test_assessment_keeps_no_client_id_in_its_views() -> None:
    known = client(id="secret-id-123", pregnant=True)
    result = assess(known, ["face"], on=ON)
    assert result.client_id == "secret-id-123"
    for text in (repr(result), result.explain(), json.dumps(to_dict(result))):
        assert "secret-id-123" not in text
