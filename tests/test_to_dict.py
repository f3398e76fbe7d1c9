"""`mesotherapy.to_dict`: one function writes the JSON object of each kind of object.

Each object's dict is the part of the plan's document (`to_json`) that it stands for, and
the domain classes keep no `to_dict` method of their own.
"""

from __future__ import annotations

import json
from typing import Any, Final

import pytest

import mesotherapy as meso
from mesotherapy import Override
from tests.builders import example_plan

OVERRIDE: Final = Override(by="Dr. A. Chen", reason="client abroad for three weeks")
_PLAN: Final = example_plan().complete(1)
# Monday 2026-11-30 09:00, 41 days after session 1: beyond the longest interval.
PLAN: Final = _PLAN.reschedule(2, _PLAN.session(1).start.add(days=41), override=OVERRIDE)
DOCUMENT: Final = json.loads(meso.to_json(PLAN))
SHORT: Final = ("status", "earliest_start", "findings", "rules")


@pytest.mark.parametrize(
    ("value", "complete", "expected"),
    [
        pytest.param(PLAN, False, {**DOCUMENT, "aftercare": [], "timeline": []}, id="plan"),
        pytest.param(PLAN.session(2), False, DOCUMENT["sessions"][1], id="overridden session"),
        pytest.param(PLAN.session(1), False, DOCUMENT["sessions"][0], id="session"),
        pytest.param(OVERRIDE, False, DOCUMENT["sessions"][1]["override"], id="override"),
        pytest.param(PLAN.assessment, True, DOCUMENT["assessment"], id="assessment, complete"),
        pytest.param(
            PLAN.assessment,
            False,
            {key: DOCUMENT["assessment"][key] for key in SHORT},
            id="assessment",
        ),
        pytest.param(
            meso.aftercare(PLAN).windows[0], False, DOCUMENT["aftercare"][0], id="care window"
        ),
        pytest.param(
            meso.expected_timeline(PLAN).milestones[-1],
            False,
            DOCUMENT["timeline"][-1],
            id="milestone",
        ),
    ],
)
def test_each_object_is_written_as_its_part_of_the_plan_document(
    value: object, *, complete: bool, expected: dict[str, Any]
) -> None:
    written = meso.to_dict(value, complete=complete)
    assert json.loads(json.dumps(written)) == expected


def test_the_overridden_session_records_its_override() -> None:
    assert DOCUMENT["sessions"][1]["override"] == {
        "by": "Dr. A. Chen",
        "reason": "client abroad for three weeks",
    }
    assert "override" not in DOCUMENT["sessions"][0]


def test_the_plan_document_is_to_dict_with_its_aftercare_and_timeline() -> None:
    document = meso.plan_document(PLAN)
    assert document["aftercare"] == [meso.to_dict(w) for w in meso.aftercare(PLAN).windows]
    assert document["timeline"] == [meso.to_dict(m) for m in meso.expected_timeline(PLAN)]


@pytest.mark.parametrize(
    "cls",
    [
        meso.TreatmentPlan,
        meso.Session,
        meso.Override,
        meso.Assessment,
        meso.CareWindow,
        meso.Milestone,
    ],
)
def test_a_domain_class_keeps_no_serialisation(cls: type) -> None:
    assert not hasattr(cls, "to_dict")


@pytest.mark.parametrize(
    ("value", "options", "error", "needle"),
    [
        (meso.Client(birth_date="1985-03-02"), {}, meso.DocumentError, "value: expected a "),
        ({"id": "p-1"}, {}, meso.DocumentError, "got a dict"),
        (PLAN.assessment, {"complete": "false"}, meso.ClientError, "complete: "),
        (PLAN, {"complete": 1}, meso.ClientError, "complete: "),
    ],
)
def test_what_to_dict_cannot_write_is_refused_naming_it(
    value: object, options: dict[str, Any], error: type[Exception], needle: str
) -> None:
    with pytest.raises(error, match=needle):
        meso.to_dict(value, **options)
