"""Every document the library writes validates against its shipped JSON Schema (draft 2020-12).

The schemas are for other languages: a document the library writes must validate, and one
that breaks what the library promises (an instant without its offset, an unknown status,
a key the reader refuses) must not.
"""

from __future__ import annotations

import copy
import datetime as dt
import importlib
import importlib.util
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mesotherapy as meso
from mesotherapy import TreatmentPlan, UnknownCodeError, _clinic, _json_reader
from mesotherapy._assess import Candidacy
from mesotherapy._cli import main
from mesotherapy._rules import AftercareKind, Severity
from mesotherapy._schema import SCHEMA_NAMES
from mesotherapy._timeline import MilestoneKind
from tests.builders import RULES, example_plan
from tests.conftest import examples
from tests.plan_strategies import plans_in_any_state
from tests.strategies import clients, scenarios

# jsonschema is in the tests dependency group, so CI always has it; a local environment
# without it skips this file, but CI must never skip it silently.
if os.environ.get("CI"):
    jsonschema: Any = importlib.import_module("jsonschema")
else:
    jsonschema = pytest.importorskip("jsonschema")

EXAMPLES: Final = Path(__file__).parent.parent / "docs" / "examples"

# RFC 3339's date-time (what `format: date-time` means in 2020-12): the offset is required.
_RFC3339: Final = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", re.ASCII
)
_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True  # a format constrains strings only; `type` says the rest
    if not _RFC3339.fullmatch(value):
        return False
    dt.datetime.fromisoformat(value.upper())  # a real day and time, or a ValueError
    return True


def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATE.fullmatch(value):
        return False
    dt.date.fromisoformat(value)
    return True


def _format_checker() -> Any:
    """A checker of ``date-time`` and ``date`` that needs no optional package.

    jsonschema's own checker skips ``date-time`` silently without ``rfc3339-validator``:
    this one always checks both, and the tests below prove it does.
    """
    checker = jsonschema.FormatChecker(formats=())
    checker.checks("date-time", raises=ValueError)(_is_date_time)
    checker.checks("date", raises=ValueError)(_is_date)
    return checker


FORMATS: Final = _format_checker()


def validator(name: str) -> Any:
    return jsonschema.Draft202012Validator(meso.json_schema(name), format_checker=FORMATS)


VALIDATORS: Final = {name: validator(name) for name in SCHEMA_NAMES}


def errors(name: str, document: Any) -> list[str]:
    """Every error of *document* against the schema *name*, each ``path: message``."""
    return [
        f"{'/'.join(str(p) for p in error.absolute_path)}: {error.message}"
        for error in VALIDATORS[name].iter_errors(document)
    ]


def assert_valid(name: str, document: Any) -> None:
    found = errors(name, document)
    assert not found, f"not a valid {name} document: {found[:5]}"


# --- The schemas themselves ----------------------------------------------------------------


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_each_schema_is_valid_against_the_2020_12_metaschema(name: str) -> None:
    schema = meso.json_schema(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    meta = jsonschema.Draft202012Validator(jsonschema.Draft202012Validator.META_SCHEMA)
    assert not list(meta.iter_errors(schema))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"urn:mesotherapy:schema:{name}"
    assert schema["additionalProperties"] is False


def _enum(schema: dict[str, Any], *path: str) -> list[str]:
    node: Any = schema
    for key in path:
        node = node[key]
    values: list[str] = node["enum"]
    return values


@pytest.mark.parametrize(
    ("name", "path", "codes"),
    [
        ("client", ("$defs", "area"), list(meso.Area)),
        ("client", ("properties", "concerns", "items"), list(meso.Concern)),
        ("assessment", ("$defs", "area"), list(meso.Area)),
        ("assessment", ("$defs", "candidacy"), list(Candidacy)),
        ("assessment", ("$defs", "severity"), list(Severity)),
        ("plan", ("$defs", "area"), list(meso.Area)),
        ("plan", ("$defs", "candidacy"), list(Candidacy)),
        ("plan", ("$defs", "severity"), list(Severity)),
        ("plan", ("$defs", "session", "properties", "status"), list(meso.SessionStatus)),
        ("plan", ("$defs", "milestone", "properties", "kind"), list(MilestoneKind)),
        ("plan", ("$defs", "care_window", "properties", "kind"), list(AftercareKind)),
    ],
)
def test_the_schemas_enums_are_the_librarys_codes(
    name: str, path: tuple[str, ...], codes: list[Any]
) -> None:
    assert _enum(meso.json_schema(name), *path) == [code.value for code in codes]


def test_the_plans_assessment_is_the_assessment_schemas_complete_form() -> None:
    plan, assessment = meso.json_schema("plan"), meso.json_schema("assessment")
    inner = plan["properties"]["assessment"]
    assert inner["properties"] == {
        k: v for k, v in assessment["properties"].items() if k != "client_id"
    }
    for key in ("finding", "rules_ref", "area", "candidacy", "severity", "date", "code"):
        assert plan["$defs"][key] == assessment["$defs"][key], key


def test_the_plan_schema_pins_the_documents_version() -> None:
    assert meso.json_schema("plan")["properties"]["schema"] == {
        "description": "The version of the plan document.",
        "const": json.loads(meso.to_json(example_plan()))["schema"],
    }


def _fields(cls: type) -> set[str]:
    return {field.name for field in attrs.fields(cls)}


@pytest.mark.parametrize(
    ("name", "path", "keys"),
    [
        ("client", (), _fields(meso.Client)),
        ("client", ("properties", "medications", "items"), _fields(meso.Medication)),
        ("client", ("properties", "treatments", "items"), _fields(meso.PriorTreatment)),
        ("assessment", (), _fields(_json_reader._AssessmentDoc)),
        ("assessment", ("$defs", "finding"), _fields(meso.Finding)),
        ("plan", (), {*meso.plan_document(example_plan())}),
        ("plan", ("$defs", "session"), _fields(_json_reader._SessionDoc)),
        ("plan", ("$defs", "session", "properties", "override"), _fields(meso.Override)),
        ("plan", ("$defs", "protocol"), _fields(meso.SeriesProtocol)),
        ("plan", ("$defs", "clinic"), set(_clinic._READERS)),
        ("plan", ("$defs", "clinic", "properties", "hours"), set(_clinic.WEEKDAYS)),
    ],
)
def test_the_schemas_name_every_key_the_library_knows(
    name: str, path: tuple[str, ...], keys: set[str]
) -> None:
    # A key added to a document or a reader must be added to its schema too, which is
    # closed: without it, every document holding the key would be refused.
    node: Any = meso.json_schema(name)
    for key in path:
        node = node[key]
    assert set(node["properties"]) == keys


@pytest.mark.parametrize(
    ("fmt", "value", "valid"),
    [
        ("date-time", "2026-10-20T09:00:00-04:00", True),
        ("date-time", "2026-10-20T13:00:00Z", True),
        ("date-time", "2026-10-20T09:00:00.250000+05:45", True),
        ("date-time", "2026-10-20T09:00:00", False),  # no offset: which instant?
        ("date-time", "2026-10-20 09:00:00-04:00", False),
        ("date-time", "2026-02-30T09:00:00-05:00", False),  # the pattern fits, the day is none
        ("date-time", "2026-10-20", False),
        ("date", "2026-10-20", True),
        ("date", "2026-02-30", False),
        ("date", "2026-10-20T09:00:00-04:00", False),
        ("date", "20261020", False),
    ],
)
def test_the_format_checker_checks_instants_and_dates(fmt: str, value: str, valid: bool) -> None:
    assert FORMATS.conforms(value, fmt) is valid


# --- json_schema and the command line -------------------------------------------------------


def test_json_schema_returns_a_new_dict_each_call() -> None:
    first = meso.json_schema("plan")
    first["$defs"].clear()
    assert meso.json_schema("plan")["$defs"]
    assert "json_schema" in meso.__all__


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "clinic",
            "name: unknown schema 'clinic', expected one of assessment, client, plan",
        ),
        (
            "plans",
            (
                "name: unknown schema 'plans', expected one of assessment, client, plan; "
                "nearest: 'plan'"
            ),
        ),
        ("Plan", "name: unknown schema 'Plan', expected one of assessment, client, plan"),
        ("../rules/default", "name: unknown schema '../rules/default', expected one of"),
        (None, "name: unknown schema None, expected one of assessment, client, plan"),
    ],
)
def test_json_schema_refuses_an_unknown_name_naming_the_choices(name: Any, message: str) -> None:
    with pytest.raises(UnknownCodeError) as raised:
        meso.json_schema(name)
    assert str(raised.value).startswith(message)


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_the_schema_command_prints_the_schema(
    capsys: pytest.CaptureFixture[str], name: str
) -> None:
    assert main(["schema", name]) == 0
    out, err = capsys.readouterr()
    assert (json.loads(out), err) == (meso.json_schema(name), "")


def test_the_schema_command_refuses_an_unknown_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "clinic"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "mesotherapy: error: name: unknown schema 'clinic', "
        "expected one of assessment, client, plan; nearest: 'client'\n"
    )


# --- Every generated document validates ---------------------------------------------------


@given(clients(RULES))
def test_every_client_document_validates(client: meso.Client) -> None:
    assert_valid("client", json.loads(meso.to_json(client)))


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.name)
def test_the_example_client_files_validate(path: Path) -> None:
    assert_valid("client", json.loads(path.read_text("utf-8")))


@settings(max_examples=examples(40), suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_every_assessment_validates_in_both_forms(scenario: Any) -> None:
    result = meso.assess(scenario.client, scenario.areas, on=scenario.on, rules=scenario.rules)
    short = json.loads(json.dumps(meso.to_dict(result)))
    assert set(short) == {"status", "earliest_start", "findings", "rules"}
    assert_valid("assessment", short)
    assert_valid("assessment", json.loads(meso.to_json(result)))


@settings(
    max_examples=examples(30),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(plans_in_any_state())
def test_every_plan_validates_in_every_state(plan: TreatmentPlan) -> None:
    document = json.loads(meso.to_json(plan))
    assert document["timeline"], "the default rules give a timeline"
    assert_valid("plan", document)
    # Without its rules, a plan's derived lists are empty: still a plan document.
    assert_valid("plan", json.loads(json.dumps(meso.to_dict(plan))))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans_in_any_state(), st.integers(0, 2))
def test_the_timeline_types_its_windows_by_kind(plan: TreatmentPlan, pick: int) -> None:
    timeline = json.loads(meso.to_json(plan))["timeline"]
    kinds = {m["kind"] for m in timeline}
    kind = sorted(kinds)[pick % len(kinds)]
    for milestone in (m for m in timeline if m["kind"] == kind):
        instants = kind == MilestoneKind.SIDE_EFFECT.value
        assert (milestone["from"] is not None) is instants
        assert (milestone["from_date"] is not None) is not instants


@pytest.mark.parametrize(
    ("client", "areas", "start", "exit_code"),
    [
        ("eligible.json", "face,neck", "2026-10-20T09:00", 0),
        ("anticoagulant.json", "face", "2026-11-25T10:00", 0),
        ("pregnant.json", "face", "2026-11-25T10:00", 1),
        ("isotretinoin.json", "face,neck", "2026-11-25T10:00", 1),
        ("herpes-face.json", "face", "2026-11-25T10:00", 1),
    ],
)
def test_the_command_lines_documents_validate(
    capsys: pytest.CaptureFixture[str], client: str, areas: str, start: str, exit_code: int
) -> None:
    path = str(EXAMPLES / client)
    review = ["--acknowledge-review"] if client == "anticoagulant.json" else []
    argv = ["plan", path, "--areas", areas, "--start", start, *review, "--format", "json"]
    assert main(argv) == exit_code
    document = json.loads(capsys.readouterr().out)
    # A plan that cannot be made prints the assessment's document instead.
    assert_valid("plan" if exit_code == 0 else "assessment", document)
    main(["assess", path, "--areas", areas, "--on", start[:10], "--format", "json"])
    assert_valid("assessment", json.loads(capsys.readouterr().out))


# --- Documents that break the promise do not validate --------------------------------------


def _edit(*path: str | int, value: Any = None, delete: bool = False) -> Callable[[Any], Any]:
    def edit(document: Any) -> Any:
        edited = copy.deepcopy(document)
        node = edited
        for key in path[:-1]:
            node = node[key]
        if delete:
            del node[path[-1]]
        else:
            node[path[-1]] = value
        return edited

    return edit


def _first_of_kind(kind: str, key: str, value: Any) -> Callable[[Any], Any]:
    def edit(document: Any) -> Any:
        edited = copy.deepcopy(document)
        next(m for m in edited["timeline"] if m["kind"] == kind)[key] = value
        return edited

    return edit


def _plan_document() -> Any:
    return json.loads(meso.to_json(example_plan().complete(1).cancel(2)))


def _client_document() -> Any:
    return json.loads((EXAMPLES / "isotretinoin.json").read_text("utf-8"))


def _assessment_document() -> Any:
    client = meso.client_from_dict(_client_document())
    return json.loads(meso.to_json(meso.assess(client, ["face"], on="2026-10-20")))


_DOCUMENTS: Final = {
    "plan": _plan_document,
    "client": _client_document,
    "assessment": _assessment_document,
}

NAIVE: Final = "2026-10-20T09:00:00"


@pytest.mark.parametrize(
    ("name", "edit", "where"),
    [
        ("plan", _edit("sessions", 0, "start", value=NAIVE), "sessions/0/start"),
        ("plan", _edit("sessions", 1, "end", value="2026-11-10 09:45:00-05:00"), "sessions/1/end"),
        ("plan", _edit("aftercare", 0, "until", value=NAIVE), "aftercare/0/until"),
        ("plan", _first_of_kind("side_effect", "from", NAIVE), "timeline/"),
        ("plan", _first_of_kind("side_effect", "from", "2026-10-20"), "timeline/"),
        ("plan", _first_of_kind("result", "from_date", "2026-10-20T09:00:00-04:00"), "timeline/"),
        ("plan", _first_of_kind("result", "from", "2026-10-20T09:00:00-04:00"), "timeline/"),
        ("plan", _first_of_kind("maintenance", "until_date", None), "timeline/"),
        ("plan", _edit("sessions", 0, "status", value="rescheduled"), "sessions/0/status"),
        ("plan", _edit("sessions", 0, "areas", value=["elbow"]), "sessions/0/areas/0"),
        ("plan", _edit("assessment", "status", value="maybe"), "assessment/status"),
        ("plan", _edit("timeline", 0, "kind", value="warning"), "timeline/0/kind"),
        ("plan", _edit("aftercare", 0, "phase", value="during"), "aftercare/0/phase"),
        ("plan", _edit("notes", value="x"), ""),
        ("plan", _edit("sessions", 0, "chair", value="2"), "sessions/0"),
        ("plan", _edit("sessions", 0, "practitioner", value=""), "sessions/0/practitioner"),
        ("plan", _edit("sessions", 0, "room", value=2), "sessions/0/room"),
        ("plan", _edit("assessment", "client_id", value="c-001"), "assessment"),
        ("plan", _edit("clinic", "email", value="a@b.c"), "clinic"),
        ("plan", _edit("protocol", "sessions", delete=True), "protocol"),
        ("plan", _edit("schema", value=1), "schema"),
        ("plan", _edit("maintenance", 0, "opens", value="2027-02-30"), "maintenance/0/opens"),
        ("plan", _edit("clinic", "hours", "funday", value=[]), "clinic/hours"),
        ("plan", _edit("sessions", 0, "fixed", value="false"), "sessions/0/fixed"),
        ("plan", _edit("id", value="plan of c-001"), "id"),
        ("plan", _edit("id", value=""), "id"),
        ("plan", _edit("id", value="p" * 201), "id"),
        ("plan", _edit("id", delete=True), ""),
        ("plan", _edit("revision", value=0), "revision"),
        ("plan", _edit("revision", value="2"), "revision"),
        ("plan", _edit("sessions", 0, "id", delete=True), "sessions/0"),
        ("plan", _edit("sessions", 0, "id", value="a/b"), "sessions/0/id"),
        ("plan", _edit("sessions", 2, "replaces", value=2), "sessions/2/replaces"),
        ("plan", _edit("sessions", 0, "replaces", delete=True), "sessions/0"),
        ("client", _edit("eyes", value="blue"), ""),
        ("client", _edit("birth_date", value="1985-03-02T00:00:00+00:00"), "birth_date"),
        ("client", _edit("birth_date", delete=True), ""),
        ("client", _edit("concerns", value=["wrinkles"]), "concerns/0"),
        ("client", _edit("medications", 0, "dose", value="20mg"), "medications/0"),
        ("client", _edit("skin_findings", value={"elbow": ["scar"]}), "skin_findings"),
        ("client", _edit("pregnant", value="no"), "pregnant"),
        ("client", _edit("id", value=" "), "id"),
        ("assessment", _edit("status", value="unknown"), "status"),
        ("assessment", _edit("findings", 0, "severity", value="grave"), "findings/0/severity"),
        ("assessment", _edit("findings", 0, "until", value=NAIVE), "findings/0/until"),
        ("assessment", _edit("findings", 0, "extra", value=1), "findings/0"),
        ("assessment", _edit("score", value=1), ""),
        ("assessment", _edit("on", delete=True), ""),  # complete without its date
        ("assessment", _edit("earliest_start", value="soon"), "earliest_start"),
    ],
)
def test_a_document_that_breaks_the_contract_is_invalid(
    name: str, edit: Callable[[Any], Any], where: str
) -> None:
    original = _DOCUMENTS[name]()
    assert_valid(name, original)
    found = errors(name, edit(original))
    assert found, "the edited document should be invalid"
    assert any(error.startswith(where) for error in found), found


# --- The documents written for the other languages' check ----------------------------------


def test_make_documents_writes_documents_that_jsonschema_agrees_on(tmp_path: Path) -> None:
    module = importlib.import_module("tests.clients.make_documents")
    assert module.main([str(tmp_path), "--examples", "3"]) == 0
    for name in SCHEMA_NAMES:
        shipped = json.loads((tmp_path / "schemas" / f"{name}.schema.json").read_text("utf-8"))
        assert shipped == meso.json_schema(name)
        valid = sorted((tmp_path / "valid" / name).glob("*.json"))
        invalid = sorted((tmp_path / "invalid" / name).glob("*.json"))
        assert len(valid) >= 3
        assert len(invalid) >= 5
        for path in valid:
            assert not errors(name, json.loads(path.read_text("utf-8"))), path.name
        for path in invalid:
            assert errors(name, json.loads(path.read_text("utf-8"))), path.name
