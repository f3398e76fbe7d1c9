"""The FHIR R5 export: a Bundle that the package's own models validate, and what it says.

The models of ``fhir.resources`` check structure and types but not the codes of required
bindings, nor the narrative's XHTML: the tests check those against the value sets of R5.
Without the ``fhir`` extra, only the test of its absence runs.
"""

from __future__ import annotations

import datetime as dt
import importlib
import itertools
import json
import os
import re
import sys
import uuid
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pendulum
import pytest
from hypothesis import given, settings

import mesotherapy as meso
from mesotherapy import (
    Area,
    ClientError,
    MissingExtraError,
    RuleSetError,
    Session,
    SessionStatus,
    TreatmentPlan,
)
from mesotherapy._fhir_plan import fhir_instant
from mesotherapy._rules_io import rules_from_dict, rules_to_dict
from mesotherapy.fhir import DEFAULT_BASE, fhir_bundle, rules_fhir, to_fhir
from tests.builders import RULES, TORONTO, example_plan
from tests.conftest import examples
from tests.plan_strategies import operated_plans

if TYPE_CHECKING:
    from fhir.resources.bundle import Bundle


def _have_fhir() -> bool:
    try:
        importlib.import_module("fhir.resources.bundle")
    except ImportError:
        return False
    return True


needs_fhir = pytest.mark.skipif(not _have_fhir(), reason="the fhir extra is not installed")

GOLDEN: Final = Path(__file__).parents[1] / "golden" / "example-plan.fhir.json"
UPDATE_GOLDEN: Final = os.environ.get("MESOTHERAPY_UPDATE_GOLDEN") == "1"

APPOINTMENT_STATUS: Final = {
    SessionStatus.PLANNED: "booked",
    SessionStatus.COMPLETED: "fulfilled",
    SessionStatus.CANCELLED: "cancelled",
    SessionStatus.NO_SHOW: "noshow",
}
# The codes of R5's required bindings for the elements the export fills.
REQUIRED_CODES: Final = {
    ("CarePlan", "status"): {
        "draft",
        "active",
        "on-hold",
        "revoked",
        "completed",
        "entered-in-error",
        "unknown",
    },
    ("CarePlan", "intent"): {"proposal", "plan", "order", "option", "directive"},
    ("ServiceRequest", "status"): {
        "draft",
        "active",
        "on-hold",
        "revoked",
        "completed",
        "entered-in-error",
        "unknown",
    },
    ("ServiceRequest", "intent"): {
        "proposal",
        "plan",
        "directive",
        "order",
        "original-order",
        "reflex-order",
        "filler-order",
        "instance-order",
        "option",
    },
    ("Appointment", "status"): {
        "proposed",
        "pending",
        "booked",
        "arrived",
        "fulfilled",
        "cancelled",
        "noshow",
        "entered-in-error",
        "checked-in",
        "waitlist",
    },
    ("ClinicalUseDefinition", "type"): {
        "indication",
        "contraindication",
        "interaction",
        "undesirable-effect",
        "warning",
    },
}
XHTML: Final = "{http://www.w3.org/1999/xhtml}"


# --- Helpers ------------------------------------------------------------------------------------


def parse(data: dict[str, Any]) -> Bundle:
    """The Bundle model that ``fhir.resources`` reads from *data*."""
    bundle: Bundle = importlib.import_module("fhir.resources.bundle").Bundle.model_validate(data)
    return bundle


def resources(data: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == kind]


def urls(data: dict[str, Any], kind: str) -> list[str]:
    return [e["fullUrl"] for e in data["entry"] if e["resource"]["resourceType"] == kind]


def one(data: dict[str, Any], kind: str) -> dict[str, Any]:
    (found,) = resources(data, kind)
    return found


def references(value: Any) -> Iterator[str]:
    """Every ``reference`` string anywhere in *value*."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "reference" and isinstance(item, str):
                yield item
            else:
                yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


def utc(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    assert moment.utcoffset() is not None, text
    return moment.astimezone(dt.UTC)


def check_bundle(data: dict[str, Any], plan: TreatmentPlan) -> None:
    """What every export states, whatever the plan."""
    assert parse(data).model_dump(mode="json") == data
    assert json.loads(json.dumps(data)) == data
    assert data["type"] == "collection"
    full_urls = [entry["fullUrl"] for entry in data["entry"]]
    assert len(set(full_urls)) == len(full_urls)
    for url in full_urls:
        assert url.startswith("urn:uuid:")
        assert uuid.UUID(url.removeprefix("urn:uuid:")).version == 5
    assert set(references(data)) <= set(full_urls)
    check_rule_references(data)
    for entry in data["entry"]:
        resource = entry["resource"]
        assert resource["id"] == entry["fullUrl"].removeprefix("urn:uuid:")
        check_narrative(resource, plan.client_id)
        for (kind, field), codes in REQUIRED_CODES.items():
            if resource["resourceType"] == kind:
                assert resource[field] in codes, (kind, field, resource[field])
    appointments = resources(data, "Appointment")
    assert len(appointments) == len(plan.sessions)
    for session, appointment in zip(plan.sessions, appointments, strict=True):
        check_appointment(appointment, session)
    care_plan = one(data, "CarePlan")
    assert [a["plannedActivityReference"]["reference"] for a in care_plan["activity"]] == urls(
        data, "Appointment"
    )


def check_narrative(resource: dict[str, Any], client_id: str | None) -> None:
    """A generated XHTML narrative of paragraphs (dom-6, txt-1, txt-2), never the client id."""
    assert resource["text"]["status"] == "generated"
    root = ET.fromstring(resource["text"]["div"])  # noqa: S314 - the library's own output
    assert root.tag == f"{XHTML}div"
    assert root.attrib == {}
    assert list(root)
    assert all(child.tag == f"{XHTML}p" and not list(child) for child in root)
    assert "".join(root.itertext()).strip()
    if client_id is not None:
        assert client_id not in resource["text"]["div"]


def check_rule_references(data: dict[str, Any]) -> None:
    """Every canonical reference names a definition by ``url|version``; held ones resolve."""
    held = {
        f"{e['resource']['url']}|{e['resource']['version']}"
        for e in data["entry"]
        if "url" in e["resource"]
    }
    canonicals = [
        url
        for e in data["entry"]
        for url in e["resource"].get("instantiatesCanonical", [])
        + [a["definitionCanonical"] for a in e["resource"].get("action", [])]
    ]
    for url in canonicals:
        assert url.count("|") == 1, url
    if any(e["resource"]["resourceType"] == "ActivityDefinition" for e in data["entry"]):
        assert set(canonicals) <= held


def check_appointment(appointment: dict[str, Any], session: Session) -> None:
    assert appointment["status"] == APPOINTMENT_STATUS[session.status]
    assert utc(appointment["start"]) == session.start.in_timezone("UTC")
    assert utc(appointment["end"]) == session.end.in_timezone("UTC")
    # The clinic's offset at that instant, not UTC.
    assert dt.datetime.fromisoformat(appointment["start"]).utcoffset() == session.start.utcoffset()
    assert f"session {session.index}:" in appointment["description"]


# --- The Bundle and its resources -----------------------------------------------------------------


@needs_fhir
def test_the_bundle_and_each_resource_validate() -> None:
    plan = example_plan()
    data = to_fhir(plan)
    check_bundle(data, plan)
    bundle = fhir_bundle(plan)
    assert type(bundle).__name__ == "Bundle"
    assert bundle.model_dump(mode="json") == data
    kinds = Counter(e["resource"]["resourceType"] for e in data["entry"])
    assert kinds == {
        "CarePlan": 1,
        "ServiceRequest": 1,
        "Appointment": len(plan.sessions),
        "ActivityDefinition": 1,
        "PlanDefinition": len(plan.areas),  # one an area of the plan
        "ClinicalUseDefinition": 28,  # one a contraindication rule, unlisted_allergy included
    }
    for entry in data["entry"]:
        resource = entry["resource"]
        name = resource["resourceType"]
        model = getattr(importlib.import_module(f"fhir.resources.{name.lower()}"), name)
        assert model.model_validate(resource).model_dump(mode="json") == resource


@needs_fhir
def test_each_narrative_is_xhtml() -> None:
    data = to_fhir(example_plan())
    narratives = [e["resource"]["text"]["div"] for e in data["entry"] if "text" in e["resource"]]
    assert len(narratives) == len(data["entry"]) == 2 + 4 + 1 + 2 + 28
    for div in narratives:
        root = ET.fromstring(div)  # noqa: S314 - the library's own output, not untrusted input
        assert root.tag == f"{XHTML}div"
        assert all(child.tag == f"{XHTML}p" for child in root)


@needs_fhir
def test_one_appointment_a_session_after_every_operation() -> None:
    plan = example_plan().complete(1).cancel(2)
    after_cancel = [s.index for s in plan.sessions if s.status is SessionStatus.PLANNED]
    plan = plan.no_show(after_cancel[0])
    statuses = Counter(s.status for s in plan.sessions)
    assert statuses == {
        SessionStatus.COMPLETED: 1,
        SessionStatus.CANCELLED: 1,
        SessionStatus.NO_SHOW: 1,
        SessionStatus.PLANNED: 3,
    }
    data = to_fhir(plan)
    check_bundle(data, plan)
    assert Counter(a["status"] for a in resources(data, "Appointment")) == {
        "fulfilled": 1,
        "cancelled": 1,
        "noshow": 1,
        "booked": 3,
    }
    care_plan = one(data, "CarePlan")
    active = plan.active_sessions
    assert care_plan["status"] == "active"
    assert utc(care_plan["period"]["start"]) == active[0].start.in_timezone("UTC")
    assert utc(care_plan["period"]["end"]) == active[-1].end.in_timezone("UTC")


@needs_fhir
def test_a_completed_series_completes_the_care_plan_and_the_request() -> None:
    plan = example_plan()
    for session in plan.sessions:
        plan = plan.complete(session.index)
    assert plan.is_complete
    data = to_fhir(plan)
    check_bundle(data, plan)
    assert one(data, "CarePlan")["status"] == "completed"
    assert one(data, "ServiceRequest")["status"] == "completed"
    assert {a["status"] for a in resources(data, "Appointment")} == {"fulfilled"}


@needs_fhir
def test_the_resources_reference_each_other() -> None:
    data = to_fhir(example_plan())
    (care_plan,) = urls(data, "CarePlan")
    (request,) = urls(data, "ServiceRequest")
    assert one(data, "ServiceRequest")["basedOn"] == [{"reference": care_plan, "type": "CarePlan"}]
    for appointment in resources(data, "Appointment"):
        assert appointment["basedOn"] == [{"reference": request, "type": "ServiceRequest"}]
        assert appointment["serviceType"] == [{"concept": {"text": "Mesotherapy"}}]
        assert appointment["minutesDuration"] == 45
    activities = one(data, "CarePlan")["activity"]
    assert [a["plannedActivityReference"]["type"] for a in activities] == ["Appointment"] * 4


@needs_fhir
def test_the_service_request_orders_the_series() -> None:
    plan = example_plan()
    request = one(to_fhir(plan), "ServiceRequest")
    assert (request["status"], request["intent"]) == ("active", "plan")
    assert request["code"] == {"concept": {"text": "Mesotherapy series"}}
    repeat = request["occurrenceTiming"]["repeat"]
    p = plan.protocol
    assert repeat["count"] == p.sessions == 4
    assert (repeat["period"], repeat["periodMax"], repeat["periodUnit"]) == (
        p.min_interval_days,
        p.max_interval_days,
        "d",
    )
    assert (repeat["duration"], repeat["durationUnit"]) == (p.session_minutes, "min")


SITES: Final = {
    Area.FACE: ("89545001", "Face"),
    Area.NECK: ("45048000", "Neck"),
    Area.DECOLLETAGE: (None, "Décolletage (upper anterior chest)"),
    Area.HANDS: ("85562004", "Hands"),
    Area.SCALP: ("41695006", "Scalp"),
}


@needs_fhir
@pytest.mark.parametrize("area", list(Area))
def test_one_body_site_an_area(area: Area) -> None:
    client = meso.Client(id="c-002", birth_date="1985-03-02")
    result = meso.assess(client, [area], on="2026-10-20")
    plan = meso.plan_series(
        result,
        [area],
        clinic=meso.example_clinic(),
        start=pendulum.datetime(2026, 10, 20, 9, tz=TORONTO),
    )
    data = to_fhir(plan)
    check_bundle(data, plan)
    (site,) = one(data, "ServiceRequest")["bodySite"]
    code, text = SITES[area]
    assert site["text"] == text
    if code is None:
        assert "coding" not in site
    else:
        assert [(c["system"], c["code"]) for c in site["coding"]] == [
            ("http://snomed.info/sct", code)
        ]


@needs_fhir
def test_body_sites_follow_the_plan_areas_in_order() -> None:
    sites = one(to_fhir(example_plan()), "ServiceRequest")["bodySite"]
    assert [s["coding"][0]["code"] for s in sites] == ["89545001", "45048000"]


@needs_fhir
def test_one_clinical_use_definition_a_contraindication_rule() -> None:
    data = to_fhir(example_plan())
    definitions = resources(data, "ClinicalUseDefinition")
    expected = {
        f"{table}.{code}": rule
        for table, rules in RULES.contraindications.tables()
        for code, rule in rules.items()
    }
    keys = [d["identifier"][0]["value"] for d in definitions]
    assert sorted(keys) == sorted(expected)
    assert len(keys) == len(definitions) == 28
    for key, definition in zip(keys, definitions, strict=True):
        rule = expected[key]
        code = key.split(".", 1)[1]
        assert definition["type"] == "contraindication"
        assert definition["category"] == [{"text": rule.severity.value}]
        contraindication = definition["contraindication"]
        assert contraindication["diseaseSymptomProcedure"] == {"concept": {"text": code}}
        assert contraindication["diseaseStatus"]["concept"]["text"]
        div = definition["text"]["div"]
        assert rule.reason.split(":")[0] in div
        assert RULES.sources[rule.source].title.replace("&", "&amp;") in div
        assert f"({rule.source})" in div
    isotretinoin = definitions[keys.index("medications.isotretinoin")]
    assert isotretinoin["contraindication"]["diseaseStatus"] == {
        "concept": {"text": "for P6M after the last dose"}
    }


@needs_fhir
def test_the_client_is_an_opaque_identifier_only() -> None:
    data = to_fhir(example_plan())
    system = f"{DEFAULT_BASE}:client"
    reference = {"type": "Patient", "identifier": {"system": system, "value": "c-001"}}
    assert one(data, "CarePlan")["subject"] == reference
    assert one(data, "ServiceRequest")["subject"] == reference
    for appointment in resources(data, "Appointment"):
        assert appointment["subject"] == reference
        assert appointment["participant"] == [{"actor": reference, "status": "accepted"}]
    assert "1985-03-02" not in json.dumps(data)  # the birth date stays out


@needs_fhir
def test_a_client_without_an_id_is_referenced_by_a_display() -> None:
    result = meso.assess(meso.Client(birth_date="1985-03-02"), ["face"], on="2026-10-20")
    plan = meso.plan_series(
        result,
        ["face"],
        clinic=meso.example_clinic(),
        start=pendulum.datetime(2026, 10, 20, 9, tz=TORONTO),
    )
    data = to_fhir(plan)
    check_bundle(data, plan)
    subject = one(data, "CarePlan")["subject"]
    assert "identifier" not in subject
    assert subject["type"] == "Patient"
    assert subject["display"]


@needs_fhir
def test_a_review_acknowledged_is_noted_on_the_request() -> None:
    client = meso.Client(id="c-003", birth_date="1985-03-02", conditions=["autoimmune_disease"])
    result = meso.assess(client, ["face"], on="2026-10-20")
    plan = meso.plan_series(
        result,
        ["face"],
        clinic=meso.example_clinic(),
        start=pendulum.datetime(2026, 10, 20, 9, tz=TORONTO),
        acknowledge_review=True,
    )
    request = one(to_fhir(plan), "ServiceRequest")
    assert request["note"] == [{"text": "A clinician reviewed the assessment before planning."}]


# --- Determinism and identity -----------------------------------------------------------------


@needs_fhir
def test_the_export_is_deterministic() -> None:
    first, second = to_fhir(example_plan()), to_fhir(example_plan())
    assert first == second
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)


@needs_fhir
def test_an_operation_keeps_the_ids_and_changes_the_bundle_identifier() -> None:
    plan = example_plan()
    before, after = to_fhir(plan), to_fhir(plan.complete(1))
    for kind in (
        "CarePlan",
        "ServiceRequest",
        "Appointment",
        "ActivityDefinition",
        "PlanDefinition",
        "ClinicalUseDefinition",
    ):
        assert urls(before, kind) == urls(after, kind)
    assert before["identifier"] != after["identifier"]
    assert resources(after, "Appointment")[0]["status"] == "fulfilled"


@needs_fhir
def test_another_series_gets_other_ids() -> None:
    other = meso.Client(id="c-009", birth_date="1985-03-02", concerns=["dullness"])
    result = meso.assess(other, ["face", "neck"], on="2026-10-20")
    plan = meso.plan_series(
        result,
        ["face", "neck"],
        clinic=meso.example_clinic(),
        start=pendulum.datetime(2026, 10, 20, 9, tz=TORONTO),
    )
    mine, theirs = to_fhir(example_plan()), to_fhir(plan)
    assert not set(urls(mine, "Appointment")) & set(urls(theirs, "Appointment"))
    assert urls(mine, "CarePlan") != urls(theirs, "CarePlan")
    # A rule's definition is the same resource whichever plan it ships with.
    for kind in ("ClinicalUseDefinition", "ActivityDefinition", "PlanDefinition"):
        assert urls(mine, kind) == urls(theirs, kind)


@needs_fhir
def test_the_golden_example() -> None:
    data = to_fhir(example_plan())
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if UPDATE_GOLDEN:
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert GOLDEN.read_text(encoding="utf-8") == text
    assert json.loads(GOLDEN.read_text(encoding="utf-8")) == data


# --- Generated plans --------------------------------------------------------------------------


@needs_fhir
@settings(max_examples=examples(30))
@given(operated_plans(max_operations=3).map(lambda versions: versions[-1]))
def test_property_every_plan_exports_a_valid_bundle(plan: TreatmentPlan) -> None:
    data = to_fhir(plan)
    check_bundle(data, plan)
    request = one(data, "ServiceRequest")
    assert request["occurrenceTiming"]["repeat"]["count"] == plan.protocol.sessions
    assert [s["text"] for s in request["bodySite"]] == [SITES[a][1] for a in plan.areas]
    care_plan = one(data, "CarePlan")
    assert care_plan["status"] == ("completed" if plan.is_complete else "active")
    assert utc(care_plan["period"]["start"]) == plan.active_sessions[0].start.in_timezone("UTC")
    assert to_fhir(plan) == data
    lean = to_fhir(plan, include_rules=False)
    check_bundle(lean, plan)
    assert lean["entry"] == data["entry"][: 2 + len(plan.sessions)]
    assert care_plan["instantiatesCanonical"] == [
        f"{d['url']}|{d['version']}" for d in resources(data, "PlanDefinition")
    ]


# --- Refusals -------------------------------------------------------------------------------------


def test_without_the_fhir_extra_the_error_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "fhir.resources", None)
    plan = example_plan()
    with pytest.raises(MissingExtraError, match=r"mesotherapy\[fhir\]"):
        to_fhir(plan)
    with pytest.raises(MissingExtraError, match=r"mesotherapy\[fhir\]") as caught:
        fhir_bundle(plan)
    assert isinstance(caught.value, ImportError)


def test_another_rule_set_is_refused() -> None:
    data = rules_to_dict(RULES)
    data["version"] = "2099.1"
    with pytest.raises(ClientError, match=r"rules: the plan was made with mesotherapy-default"):
        to_fhir(example_plan(), rules=rules_from_dict(data))


def test_what_is_no_plan_or_no_rule_set_is_refused() -> None:
    wrong: Any = {"sessions": []}
    with pytest.raises(ClientError, match=r"plan: expected a TreatmentPlan"):
        to_fhir(wrong)
    with pytest.raises(RuleSetError, match=r"rules: expected a RuleSet"):
        fhir_bundle(example_plan(), rules=wrong)


def test_an_offset_with_seconds_is_written_in_utc() -> None:
    odd = pendulum.datetime(2026, 1, 1, 12, tz=pendulum.FixedTimezone(3600 + 30))
    assert fhir_instant(odd) == "2026-01-01T10:59:30+00:00"
    assert fhir_instant(pendulum.datetime(2026, 1, 1, 12, tz="Asia/Kathmandu")) == (
        "2026-01-01T12:00:00+05:45"
    )


# --- Rule resources, exported once or with each plan ------------------------------------------


def plan_of(areas: list[str], client_id: str | None = "c-001") -> TreatmentPlan:
    client = meso.Client(id=client_id, birth_date="1985-03-02")
    result = meso.assess(client, areas, on="2026-10-20")
    return meso.plan_series(
        result,
        areas,
        clinic=meso.example_clinic(),
        start=pendulum.datetime(2026, 10, 20, 9, tz=TORONTO),
    )


RULE_KINDS: Final = ("ActivityDefinition", "PlanDefinition", "ClinicalUseDefinition")


@needs_fhir
def test_each_clinical_use_definition_has_the_session_as_subject() -> None:
    data = to_fhir(example_plan())
    (activity,) = urls(data, "ActivityDefinition")
    definitions = resources(data, "ClinicalUseDefinition")
    assert definitions
    for definition in definitions:
        assert definition["subject"] == [{"reference": activity, "type": "ActivityDefinition"}]
    session = one(data, "ActivityDefinition")
    assert (session["kind"], session["status"], session["version"]) == (
        "ServiceRequest",
        "active",
        RULES.version,
    )
    assert session["url"] == f"{DEFAULT_BASE}:ActivityDefinition:{RULES.name}-session"


@needs_fhir
def test_the_rules_bundle_holds_every_rule_resource_once() -> None:
    data = rules_fhir(RULES)
    assert parse(data).model_dump(mode="json") == data
    assert data["type"] == "collection"
    kinds = Counter(e["resource"]["resourceType"] for e in data["entry"])
    assert kinds == {
        "ActivityDefinition": 1,
        "PlanDefinition": len(Area),
        "ClinicalUseDefinition": 28,
    }
    assert set(references(data)) <= {e["fullUrl"] for e in data["entry"]}
    check_rule_references(data)
    for entry in data["entry"]:
        assert entry["resource"]["id"] == entry["fullUrl"].removeprefix("urn:uuid:")
        check_narrative(entry["resource"], None)
    assert rules_fhir() == data  # the default rules
    # The same resources, under the same fullUrls, as in a plan's bundle.
    with_plan = {e["fullUrl"]: e["resource"] for e in to_fhir(example_plan())["entry"]}
    mine = {e["fullUrl"]: e["resource"] for e in data["entry"]}
    shared = [url for url in with_plan if with_plan[url]["resourceType"] in RULE_KINDS]
    assert len(shared) == 1 + 2 + 28
    for url in shared:
        assert mine[url] == with_plan[url]


@needs_fhir
@pytest.mark.parametrize("areas", [["face"], ["face", "neck"], ["scalp"], ["face", "scalp"]])
def test_without_the_rules_a_plan_names_them_by_canonical_url(areas: list[str]) -> None:
    plan = plan_of(areas)
    full, lean = to_fhir(plan), to_fhir(plan, include_rules=False)
    check_bundle(lean, plan)
    assert Counter(e["resource"]["resourceType"] for e in lean["entry"]) == {
        "CarePlan": 1,
        "ServiceRequest": 1,
        "Appointment": len(plan.sessions),
    }
    assert lean["entry"] == full["entry"][: len(lean["entry"])]
    assert lean["identifier"] != full["identifier"]
    published = {
        f"{e['resource']['url']}|{e['resource']['version']}": e["resource"]
        for e in rules_fhir(RULES)["entry"]
        if "url" in e["resource"]
    }
    instantiated = one(lean, "CarePlan")["instantiatesCanonical"]
    assert [published[url]["resourceType"] for url in instantiated] == ["PlanDefinition"] * len(
        areas
    )
    assert [published[url]["url"].rsplit("-", 1)[1] for url in instantiated] == areas
    (activity,) = one(lean, "ServiceRequest")["instantiatesCanonical"]
    assert published[activity]["resourceType"] == "ActivityDefinition"


@needs_fhir
@pytest.mark.parametrize("value", ["false", 0, 1, None, [True]])
def test_include_rules_is_a_flag(value: Any) -> None:
    with pytest.raises(
        ClientError, match=rf"include_rules: expected true or false, got {re.escape(repr(value))}"
    ):
        to_fhir(example_plan(), include_rules=value)


# --- The protocol as a PlanDefinition ---------------------------------------------------------


def edited_rules() -> meso.RuleSet:
    """The default rules with the face protocol at 2-5 sessions, 10-30 days apart."""
    data = rules_to_dict(RULES)
    data["version"] = "2099.1"
    data["protocols"]["face"]["sessions"] |= {"min": 2, "max": 5, "default": 3}
    data["protocols"]["face"]["interval_days"] |= {"min": 10, "max": 30, "default": 20}
    return rules_from_dict(data)


@needs_fhir
@pytest.mark.parametrize(
    ("rules", "area"),
    [(RULES, area) for area in Area] + [(edited_rules(), Area.FACE)],
    ids=lambda value: value.value if isinstance(value, Area) else value.version,
)
def test_an_area_protocol_is_a_plan_definition_with_offset_ranges(
    rules: meso.RuleSet, area: Area
) -> None:
    protocol = rules.protocols[area]
    data = rules_fhir(rules)
    (plan_definition,) = [
        e["resource"]
        for e in data["entry"]
        if e["resource"].get("url", "").endswith(f"PlanDefinition:{rules.name}-{area.value}")
    ]
    assert plan_definition["status"] == "active"
    assert plan_definition["version"] == rules.version
    assert plan_definition["type"]["coding"][0]["code"] == "clinical-protocol"
    actions = plan_definition["action"]
    assert len(actions) == protocol.sessions.max
    assert [a["requiredBehavior"] for a in actions] == ["must"] * protocol.sessions.min + [
        "could"
    ] * (protocol.sessions.max - protocol.sessions.min)
    (activity,) = resources(data, "ActivityDefinition")
    assert {a["definitionCanonical"] for a in actions} == {f"{activity['url']}|{rules.version}"}
    assert "relatedAction" not in actions[0]
    days = {"unit": "days", "system": "http://unitsofmeasure.org", "code": "d"}
    for before, action in itertools.pairwise(actions):
        assert action["relatedAction"] == [
            {
                "targetId": before["id"],
                "relationship": "after-start",
                "offsetRange": {
                    "low": {"value": protocol.interval_days.min, **days},
                    "high": {"value": protocol.interval_days.max, **days},
                },
            }
        ]
    text = plan_definition["text"]["div"]
    assert f"{protocol.sessions.min} to {protocol.sessions.max} sessions" in text


@needs_fhir
def test_a_plan_bundle_holds_the_plan_definitions_of_its_areas() -> None:
    plan = plan_of(["face", "scalp"])
    data = to_fhir(plan)
    definitions = resources(data, "PlanDefinition")
    assert [d["url"].rsplit("-", 1)[1] for d in definitions] == ["face", "scalp"]
    assert one(data, "CarePlan")["instantiatesCanonical"] == [
        f"{d['url']}|{d['version']}" for d in definitions
    ]
    # The series the plan follows lies within each area's protocol.
    for definition, area in zip(definitions, plan.areas, strict=True):
        protocol = RULES.protocols[area]
        assert protocol.sessions.min <= plan.protocol.sessions <= len(definition["action"])


# --- Identifier systems ---------------------------------------------------------------------------


@needs_fhir
@pytest.mark.parametrize(
    ("base", "patients", "expected"),
    [
        (None, None, {"client": "urn:mesotherapy:client", "plan": "urn:mesotherapy:plan"}),
        (
            "https://clinic.example/fhir",
            None,
            {
                "client": "https://clinic.example/fhir/client",
                "plan": "https://clinic.example/fhir/plan",
            },
        ),
        (
            "urn:oid:1.2.3.4",
            "https://clinic.example/mrn",
            {"client": "https://clinic.example/mrn", "plan": "urn:oid:1.2.3.4:plan"},
        ),
        (
            None,
            "urn:oid:2.16.840.1.113883.3.1",
            {"client": "urn:oid:2.16.840.1.113883.3.1", "plan": "urn:mesotherapy:plan"},
        ),
    ],
)
def test_identifier_systems_follow_the_clinic(
    base: str | None, patients: str | None, expected: dict[str, str]
) -> None:
    plan = example_plan()
    data = to_fhir(plan, base_uri=base, patient_system=patients)
    check_bundle(data, plan)
    root = base or DEFAULT_BASE
    sep = ":" if root.startswith("urn:") else "/"
    for kind in ("CarePlan", "ServiceRequest"):
        assert one(data, kind)["subject"]["identifier"]["system"] == expected["client"]
    assert one(data, "CarePlan")["identifier"][0]["system"] == expected["plan"]
    for appointment in resources(data, "Appointment"):
        assert appointment["subject"]["identifier"]["system"] == expected["client"]
        assert appointment["identifier"][0]["system"] == f"{root}{sep}session"
    for definition in resources(data, "ClinicalUseDefinition"):
        assert definition["identifier"][0]["system"] == f"{root}{sep}rules{sep}{RULES.name}"
    assert one(data, "ActivityDefinition")["url"].startswith(f"{root}{sep}ActivityDefinition{sep}")


@needs_fhir
def test_another_base_names_other_rule_resources() -> None:
    mine = rules_fhir(RULES, base_uri="https://clinic.example/fhir")
    assert not {e["fullUrl"] for e in mine["entry"]} & {
        e["fullUrl"] for e in rules_fhir(RULES)["entry"]
    }
    assert rules_fhir(RULES, base_uri="https://clinic.example/fhir") == mine


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("base_uri", "clinic.example"),  # no scheme
        ("base_uri", "https://clinic.example/my fhir"),  # a space
        ("base_uri", "https://clinic.example/fhir/"),  # a trailing slash
        ("base_uri", "urn:clinic:"),  # a trailing colon
        ("base_uri", "https://clinic.example/fhir#x"),  # a fragment
        ("base_uri", ""),
        ("base_uri", 42),
        ("patient_system", "mrn numbers"),
        ("patient_system", "https://a|b"),
        ("patient_system", b"https://clinic.example"),
    ],
)
def test_what_is_no_absolute_uri_is_refused(field: str, value: Any) -> None:
    with pytest.raises(ClientError, match=rf"^{field}: expected .*, got {re.escape(repr(value))}$"):
        to_fhir(example_plan(), **{field: value})
    if field == "base_uri":
        with pytest.raises(ClientError, match=rf"^{field}: "):
            rules_fhir(RULES, base_uri=value)


# --- Narratives -------------------------------------------------------------------------------


@needs_fhir
@pytest.mark.parametrize("client_id", ["c-001", "client-4711", "ZQ-77-ID"])
def test_every_resource_has_a_narrative_without_the_client_id(client_id: str) -> None:
    plan = plan_of(["face", "neck"], client_id).complete(1).cancel(2)
    for data in (to_fhir(plan), to_fhir(plan, include_rules=False)):
        check_bundle(data, plan)  # check_narrative: every resource, never the id
        assert client_id in json.dumps(data)  # the id is in the references, as it must be
    care_plan = one(to_fhir(plan), "CarePlan")["text"]["div"]
    assert "Session 1 (face, neck): 2026-10-20 09:00 -04:00" in care_plan
    assert "completed" in care_plan
    assert "cancelled" in care_plan


# --- Identities: fullUrls, identifiers and replacements follow the plan's ids -----------------


def appointment_of(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each Appointment entry by the session id its identifier carries."""
    return {
        e["resource"]["identifier"][0]["value"]: e
        for e in data["entry"]
        if e["resource"]["resourceType"] == "Appointment"
    }


@needs_fhir
@pytest.mark.parametrize(
    "operate",
    [
        pytest.param(lambda p: p, id="new"),
        pytest.param(lambda p: p.complete(1), id="complete"),
        pytest.param(lambda p: p.cancel(2), id="cancel"),
        pytest.param(lambda p: p.no_show(2), id="no-show"),
        pytest.param(lambda p: p.cancel(2).no_show(3), id="cancel-no-show"),
        pytest.param(lambda p: p.reschedule(3, p.session(3).start.add(days=2)), id="reschedule"),
    ],
)
def test_appointments_carry_the_session_ids_and_name_what_they_replace(
    operate: Callable[[TreatmentPlan], TreatmentPlan],
) -> None:
    plan = operate(example_plan())
    data = to_fhir(plan)
    check_bundle(data, plan)
    by_id = appointment_of(data)
    assert list(by_id) == [s.id for s in plan.sessions]
    for session in plan.sessions:
        appointment = by_id[session.id]["resource"]
        assert appointment["identifier"] == [
            {"system": f"{DEFAULT_BASE}:session", "value": session.id}
        ]
        if session.replaces is None:
            assert "replaces" not in appointment
        else:
            assert appointment["replaces"] == [
                {"reference": by_id[session.replaces]["fullUrl"], "type": "Appointment"}
            ]
    assert sum("replaces" in e["resource"] for e in by_id.values()) == sum(
        s.replaces is not None for s in plan.sessions
    )
    care_plan = one(data, "CarePlan")
    assert care_plan["identifier"] == [{"system": f"{DEFAULT_BASE}:plan", "value": plan.id}]
    assert care_plan["meta"] == {"versionId": str(plan.revision)}


@needs_fhir
def test_a_cancelled_session_keeps_its_full_url_and_its_replacement_gets_a_new_one() -> None:
    plan = example_plan()
    before = appointment_of(to_fhir(plan))
    cancelled = plan.cancel(2)
    after = appointment_of(to_fhir(cancelled))
    for session_id, entry in before.items():
        assert after[session_id]["fullUrl"] == entry["fullUrl"]  # never moved onto another
    (new,) = set(after) - set(before)
    assert (
        after[new]["resource"]["replaces"][0]["reference"] == before[plan.session(2).id]["fullUrl"]
    )
    assert after[plan.session(2).id]["resource"]["status"] == "cancelled"
    assert after[new]["fullUrl"] not in {e["fullUrl"] for e in before.values()}


@needs_fhir
def test_the_full_urls_follow_the_given_plan_id_not_the_schedule() -> None:
    result = meso.assess(
        meso.Client(id="c-001", birth_date="1985-03-02"), ["face"], on="2026-10-20"
    )
    clinic = meso.example_clinic()

    def exported(start: pendulum.DateTime, plan_id: str) -> dict[str, Any]:
        return to_fhir(
            meso.plan_series(result, ["face"], clinic=clinic, start=start, plan_id=plan_id)
        )

    one_day = exported(pendulum.datetime(2026, 10, 20, 9, tz=TORONTO), "p-42")
    another = exported(pendulum.datetime(2026, 11, 3, 11, tz=TORONTO), "p-42")
    other_plan = exported(pendulum.datetime(2026, 10, 20, 9, tz=TORONTO), "p-43")
    for kind in ("CarePlan", "ServiceRequest", "Appointment"):
        assert urls(one_day, kind) == urls(another, kind)
        assert not set(urls(one_day, kind)) & set(urls(other_plan, kind))


@needs_fhir
@settings(max_examples=examples(30))
@given(operated_plans())
def test_property_a_session_id_keeps_its_full_url_and_no_full_url_names_two(
    plans: list[TreatmentPlan],
) -> None:
    named: dict[str, str] = {}  # fullUrl -> the session id it names
    of_session: dict[str, str] = {}  # session id -> its fullUrl
    care_plans = set()
    for plan in plans:
        data = to_fhir(plan, include_rules=False)
        check_bundle(data, plan)
        care_plans |= set(urls(data, "CarePlan"))
        assert one(data, "CarePlan")["meta"]["versionId"] == str(plan.revision)
        for session_id, entry in appointment_of(data).items():
            url = entry["fullUrl"]
            assert of_session.setdefault(session_id, url) == url
            assert named.setdefault(url, session_id) == session_id
    assert len(care_plans) == 1
    revisions = [plan.revision for plan in plans]
    assert revisions == sorted(revisions)


# --- The bundles the independent validators check ---------------------------------------------


@needs_fhir
def test_the_bundles_for_the_independent_validators() -> None:
    make_bundles = importlib.import_module("tests.clients.make_bundles")
    plans = make_bundles.plans()
    zones = {plan.timezone for _, plan in plans}
    assert len(zones) == len(make_bundles.ZONES) >= 30
    assert {plan.sessions[0].start.year for _, plan in plans} == set(range(2026, 2038))
    assert {len(plan.areas) for _, plan in plans} == {1, 2, 3}
    assert any(s.replaces for _, plan in plans for s in plan.sessions)
    written = make_bundles.bundles()
    assert len(written) > len(plans)
    for name, plan in plans:
        data = written[f"plan-{name}.json"]
        check_bundle(data, plan)
