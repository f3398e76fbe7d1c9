"""The fast exports give the very bytes of the slow ones they stand for (issue 14).

`to_fhir` builds its JSON without validating the Bundle each time, `to_ics` writes each
VTIMEZONE once per zone and span, `to_json` writes its indented text in one pass: each is
compared here, byte for byte, with the export it replaces, on plans of every zone and state.
"""

from __future__ import annotations

import json
from typing import Any

import attrs
import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mesotherapy as meso
from mesotherapy._json import _document, indented_json
from mesotherapy._rules_io import rules_from_dict, rules_to_dict
from tests.builders import example_plan
from tests.conftest import examples
from tests.integrations.extras import needs_fhir, needs_ical
from tests.plan_strategies import plans_in_any_state

_OPTIONS: tuple[dict[str, Any], ...] = (
    {},
    {"include_rules": False},
    {"base_uri": "https://clinic.example/fhir", "patient_system": "https://clinic.example/ids"},
)


def _fhir_reference(plan: meso.TreatmentPlan, **options: Any) -> str:
    """What `to_fhir` gave before: `fhir_bundle` validated, then dumped."""
    from mesotherapy.fhir import fhir_bundle  # noqa: PLC0415 - the extra

    return json.dumps(fhir_bundle(plan, **options).model_dump(mode="json"))


@needs_fhir
@settings(max_examples=examples(40), deadline=None)
@given(plans_in_any_state(max_operations=3), st.sampled_from(_OPTIONS))
def test_to_fhir_is_the_dump_of_the_validated_bundle(
    plan: meso.TreatmentPlan, options: dict[str, Any]
) -> None:
    from mesotherapy.fhir import to_fhir  # noqa: PLC0415 - the extra

    reference = _fhir_reference(plan, **options)
    # The first export of a shape learns its order from a dump; the next one uses it.
    assert json.dumps(to_fhir(plan, **options)) == reference
    assert json.dumps(to_fhir(plan, **options)) == reference


@needs_fhir
def test_to_fhir_writes_utc_instants_as_the_dump_does_after_learning_another_zone() -> None:
    from mesotherapy.fhir import to_fhir  # noqa: PLC0415 - the extra

    to_fhir(example_plan(areas=("face",)))  # the shape learnt from Toronto's offsets
    clinic = attrs.evolve(meso.example_clinic(holidays=None), timezone="UTC")
    assessment = meso.assess(
        meso.Client(id="c-9", birth_date="1985-03-02"), ["face"], on="2026-10-20"
    )
    plan = meso.plan_series(
        assessment, ["face"], clinic=clinic, start=pendulum.datetime(2026, 10, 20, 9, tz="UTC")
    )
    bundle = to_fhir(plan)
    assert json.dumps(bundle) == _fhir_reference(plan)
    assert bundle["entry"][2]["resource"]["start"] == "2026-10-20T09:00:00Z"


@needs_fhir
def test_to_fhir_returns_a_bundle_of_its_own_each_time() -> None:
    from mesotherapy.fhir import to_fhir  # noqa: PLC0415 - the extra

    plan = example_plan()
    first = to_fhir(plan)
    expected = json.dumps(first)
    first["entry"][-1]["resource"]["status"] = "changed by the caller"
    first["entry"][0]["resource"]["title"] = "changed by the caller"
    assert json.dumps(to_fhir(plan)) == expected


@needs_fhir
def test_fhir_bundle_returns_rule_resources_of_its_own_each_time() -> None:
    from mesotherapy.fhir import fhir_bundle  # noqa: PLC0415 - the extra

    plan = example_plan()
    first = fhir_bundle(plan)
    expected = json.dumps(first.model_dump(mode="json"))
    definition: Any = first.entry[-1].resource if first.entry else None  # a ClinicalUseDefinition
    definition.status.coding[0].code = "retired"
    assert json.dumps(fhir_bundle(plan).model_dump(mode="json")) == expected


@needs_fhir
def test_to_fhir_of_another_rule_set_of_the_same_name_is_its_own() -> None:
    from mesotherapy.fhir import to_fhir  # noqa: PLC0415 - the extra

    plan = example_plan()
    default = to_fhir(plan)  # the default rules' resources, kept
    document = rules_to_dict(meso.default_rules())
    document["contraindications"]["conditions"]["bleeding_disorder"]["reason"] = "Edited."
    edited = rules_from_dict(document)  # the same name and version, other rules
    bundle = to_fhir(plan, rules=edited)
    assert json.dumps(bundle) == _fhir_reference(plan, rules=edited)
    assert bundle != default


@needs_ical
@settings(max_examples=examples(40), deadline=None)
@given(plans_in_any_state(max_operations=3))
def test_to_ics_is_the_calendar_written_out(plan: meso.TreatmentPlan) -> None:
    from mesotherapy.ical import ical_calendar, to_ics  # noqa: PLC0415 - the extra

    stamp = pendulum.datetime(2026, 1, 2, 3, 4, 5, tz="UTC")
    for options in ({}, {"stamp": stamp, "organizer": "mailto:desk@clinic.example"}):
        reference = ical_calendar(plan, **options).to_ical().decode("utf-8")  # type: ignore[arg-type]
        assert to_ics(plan, **options) == reference  # type: ignore[arg-type]


@settings(max_examples=examples(40), deadline=None)
@given(plans_in_any_state(max_operations=3))
def test_to_json_is_the_indented_dump(plan: meso.TreatmentPlan) -> None:
    reference = json.dumps(_document(plan, None), ensure_ascii=False, indent=2)
    assert meso.to_json(plan) == reference


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=5), inner, max_size=4)
        | st.dictionaries(st.integers() | st.booleans() | st.none(), inner, max_size=2)
    ),
    max_leaves=20,
)


@given(_JSON)
def test_indented_json_is_json_dumps(value: object) -> None:
    assert indented_json(value) == json.dumps(value, ensure_ascii=False, indent=2)


@needs_ical
@given(
    st.text(
        alphabet=st.sampled_from("ab \\^,;:é€😀") | st.characters(exclude_categories=["Cs"]),
        max_size=400,
    )
)
def test_lines_are_folded_as_icalendar_folds_them(text: str) -> None:
    from icalendar.parser import Contentline  # noqa: PLC0415 - the extra

    from mesotherapy._ical_text import folded  # noqa: PLC0415 - with the extra

    line = Contentline(text.replace("\n", " ").replace("\r", " "))  # type: ignore[no-untyped-call, unused-ignore]
    assert folded(str(line)).encode("utf-8") == line.to_ical()  # type: ignore[no-untyped-call, unused-ignore]


@needs_fhir
def test_to_fhir_refuses_what_fhir_bundle_takes_no_keyword_for() -> None:
    from mesotherapy.fhir import to_fhir  # noqa: PLC0415 - the extra

    options: Any = {"include_rule": False}
    with pytest.raises(TypeError, match="include_rule"):
        to_fhir(example_plan(), **options)
