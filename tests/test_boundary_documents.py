"""Trust at the boundary: candidacy from the findings, documents re-checked, flags bool only.

DESIGN.md, "Trust at the boundary": `plan_series` decides from the findings, never from a
``status`` field; `from_json` re-derives an assessment and checks a plan's invariants 1-8;
a flag is a `bool` and nothing else.
"""

from __future__ import annotations

import copy
import json
from typing import Any, Final

import attrs
import pendulum
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import mesotherapy as meso
from mesotherapy import (
    Area,
    Assessment,
    Candidacy,
    ClientError,
    DocumentError,
    SchedulingError,
    TreatmentPlan,
)
from tests.builders import RULES, TORONTO
from tests.conftest import examples
from tests.plan_strategies import PlanRequest, plan_requests
from tests.strategies import assessment_dates, clients
from tests.test_plan_properties import check_invariants

START: Final = pendulum.datetime(2026, 10, 20, 9, tz=TORONTO)
ON: Final = "2026-10-01"


def _instant(text: str) -> pendulum.DateTime:
    moment = pendulum.parse(text)
    assert isinstance(moment, pendulum.DateTime)
    return moment


def _assessment(**facts: Any) -> Assessment:
    return meso.assess(meso.Client(birth_date="1985-03-02", **facts), ["face"], on=ON)


def _plan(**facts: Any) -> TreatmentPlan:
    assessment = _assessment(**facts)
    review = any(f.outcome is Candidacy.REVIEW for f in assessment.findings)
    return meso.plan_series(
        assessment, ["face"], start=START, clinic=meso.example_clinic(), acknowledge_review=review
    )


PREGNANT: Final = _assessment(pregnant=True)
DEFERRED: Final = _assessment(medications=[{"code": "isotretinoin", "last_taken": "2026-09-01"}])
REVIEW: Final = _assessment(conditions=["autoimmune_disease"])
ELIGIBLE: Final = _assessment()


# --- 1. Candidacy is a function of the findings ---------------------------------------------


@pytest.mark.parametrize(
    ("assessment", "change", "field"),
    [
        (PREGNANT, {"status": Candidacy.ELIGIBLE}, "status"),
        (PREGNANT, {"status": Candidacy.REVIEW}, "status"),
        (DEFERRED, {"status": Candidacy.ELIGIBLE}, "status"),
        (REVIEW, {"status": Candidacy.ELIGIBLE}, "status"),
        (PREGNANT, {"earliest_start": pendulum.Date(2026, 10, 1)}, "earliest_start"),
        (DEFERRED, {"earliest_start": pendulum.Date(2026, 10, 1)}, "earliest_start"),
        (ELIGIBLE, {"earliest_start": None}, "earliest_start"),
        (PREGNANT, {"area_status": {Area.FACE: Candidacy.ELIGIBLE}}, "area_status"),
        (ELIGIBLE, {"area_status": {}}, "area_status"),
        (PREGNANT, {"findings": ()}, "status"),
    ],
)
def test_an_assessment_refuses_what_its_findings_do_not_give(
    assessment: Assessment, change: dict[str, Any], field: str
) -> None:
    with pytest.raises(ClientError, match=rf"^{field}: the findings give "):
        attrs.evolve(assessment, **change)


def test_candidacy_is_what_assess_answers() -> None:
    for assessment in (PREGNANT, DEFERRED, REVIEW, ELIGIBLE):
        derived = meso._assess.candidacy(
            assessment.findings, on=assessment.on, areas=assessment.areas
        )
        assert derived == (
            assessment.status,
            assessment.earliest_start,
            dict(assessment.area_status),
        )


@pytest.mark.parametrize(
    ("assessment", "status", "message"),
    [
        (PREGNANT, Candidacy.ELIGIBLE, "not a candidate"),
        (PREGNANT, Candidacy.REVIEW, "not a candidate"),
        (REVIEW, Candidacy.ELIGIBLE, "a clinician must review"),
    ],
)
def test_plan_series_decides_from_the_findings_not_the_status(
    assessment: Assessment, status: Candidacy, message: str
) -> None:
    # A status forced past the validator (as an old pickle or a careless subclass might).
    forced = copy.copy(assessment)
    object.__setattr__(forced, "status", status)
    with pytest.raises(SchedulingError, match=message):
        meso.plan_series(forced, ["face"], start=START, clinic=meso.example_clinic())


# --- 2. An assessment document is re-derived on load ----------------------------------------


def _edited(assessment: Assessment, edit: Any) -> str:
    document = json.loads(meso.to_json(assessment))
    edit(document)
    return json.dumps(document)


def _set(path: tuple[Any, ...], value: Any) -> Any:
    def edit(document: Any) -> None:
        target = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return edit


@pytest.mark.parametrize(
    ("assessment", "edit", "message"),
    [
        (PREGNANT, _set(("status",), "eligible"), "status: the findings give ineligible"),
        (DEFERRED, _set(("status",), "eligible"), "status: the findings give deferred"),
        (
            DEFERRED,
            _set(("earliest_start",), "2026-10-01"),
            "earliest_start: the findings give 2027-03-01, got 2026-10-01",
        ),
        (
            PREGNANT,
            _set(("area_status", "face"), "eligible"),
            "area_status: the findings give {'face': 'ineligible'}",
        ),
        (ELIGIBLE, _set(("on",), "2026-10-02"), "earliest_start: the findings give 2026-10-02"),
        (
            # Severity and status edited together: the status agrees, the rules do not.
            PREGNANT,
            lambda d: (
                _set(("findings", 0, "severity"), "note")(d),
                d.update(status="eligible", earliest_start=ON, area_status={"face": "eligible"}),
            ),
            "findings[0].severity: the rules give absolute for pregnant, got note",
        ),
        (
            PREGNANT,
            _set(("findings", 0, "source"), "clinic_sheets"),
            "findings[0].source: the rules give 'isme_2011' for pregnant",
        ),
        (PREGNANT, _set(("findings", 0, "code"), "no_such_rule"), "findings[0].code"),
        (
            PREGNANT,
            lambda d: (d["areas"].append("neck"), d["area_status"].update(neck="ineligible")),
            None,
        ),
        (PREGNANT, _set(("findings", 0, "area"), "face"), "findings[0].area"),
        (PREGNANT, _set(("findings", 0, "until"), "2027-01-01"), "findings[0].until"),
        (
            DEFERRED,
            lambda d: (
                _set(("findings", 0, "until"), "2026-09-30")(d),
                d.update(status="eligible", earliest_start=ON, area_status={"face": "eligible"}),
            ),
            "status",
        ),
    ],
)
def test_an_edited_assessment_document_is_refused(
    assessment: Assessment, edit: Any, message: str | None
) -> None:
    text = _edited(assessment, edit)
    if message is None:  # an edit that changes nothing about candidacy may stand
        assert meso.from_json(text, Assessment).status is assessment.status
        return
    with pytest.raises(DocumentError, match=message.replace("(", r"\(").replace("[", r"\[")):
        meso.from_json(text, Assessment)


def test_findings_are_checked_against_the_rules_passed() -> None:
    document = json.loads(meso.to_json(PREGNANT))
    document["findings"][0]["severity"] = "relative"
    document.update(status="review", area_status={"face": "review"}, earliest_start=ON)
    other = attrs.evolve(RULES, version="test")
    text = json.dumps(document)
    with pytest.raises(DocumentError, match=r"findings\[0\]\.severity"):
        meso.from_json(text, Assessment)
    with pytest.raises(DocumentError, match=r"findings\[0\]\.severity"):
        meso.from_json(text, Assessment, rules=RULES)
    # Rules the document does not name cannot judge its findings: it is not read with them.
    with pytest.raises(DocumentError, match=r"^rules: the document was made with "):
        meso.from_json(text, Assessment, rules=other)


_FIELDS: Final = ("status", "earliest_start", "on", "area_status")
_FINDING_FIELDS: Final = ("severity", "code", "area", "until", "source")
_STATUSES: Final = [c.value for c in Candidacy]
_SEVERITIES: Final = [s.value for s in meso.Severity]
_DAYS: Final = ["2020-01-01", "2026-10-01", "2026-10-02", "2027-03-01", "2099-12-31", None]
_CODES: Final = ["pregnant", "isotretinoin", "minor", "allergy", "concern_not_addressed"]


@st.composite
def _one_edit(draw: st.DrawFn, document: dict[str, Any]) -> tuple[str, Any]:
    """One field of *document* and the value it is edited to."""
    fields = list(_FIELDS)
    if document["findings"]:
        fields += [f"findings.{name}" for name in _FINDING_FIELDS]
    field = draw(st.sampled_from(fields))
    if field == "status":
        return field, draw(st.sampled_from(_STATUSES))
    if field in ("earliest_start", "on"):
        return field, draw(st.sampled_from(_DAYS))
    if field == "area_status":
        area = draw(st.sampled_from(document["areas"]))
        return f"area_status.{area}", draw(st.sampled_from(_STATUSES))
    name = field.split(".")[1]
    n = draw(st.integers(min_value=0, max_value=len(document["findings"]) - 1))
    value = {
        "severity": st.sampled_from(_SEVERITIES),
        "code": st.sampled_from(_CODES),
        "area": st.sampled_from([None, *(a.value for a in Area)]),
        "until": st.sampled_from(_DAYS),
        "source": st.sampled_from(sorted(RULES.sources)),
    }[name]
    return f"findings.{n}.{name}", draw(value)


@settings(max_examples=examples(50), suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), client=clients(RULES), on=assessment_dates())
def test_an_assessment_edited_in_one_field_is_refused_or_keeps_its_status(
    data: st.DataObject, client: meso.Client, on: pendulum.Date
) -> None:
    on = max(on, client.birth_date)
    areas = data.draw(st.sets(st.sampled_from(list(Area)), min_size=1))
    fresh = meso.assess(client, areas, on=on)
    document = json.loads(meso.to_json(fresh))
    field, value = data.draw(_one_edit(document))
    target: Any = document
    *path, last = field.split(".")
    for key in path:
        target = target[int(key) if key.isdigit() else key]
    target[last] = value
    try:
        loaded = meso.from_json(json.dumps(document), Assessment)
    except DocumentError:
        return
    assert loaded.status is fresh.status, f"{field} = {value!r} gave {loaded.status}"


# --- 3. A plan document is re-checked on load -----------------------------------------------


def _plan_text(plan: TreatmentPlan, edit: Any) -> str:
    document = json.loads(meso.to_json(plan))
    edit(document)
    return json.dumps(document)


def _pregnant_assessment(document: dict[str, Any]) -> None:
    document["assessment"] = {
        k: v for k, v in json.loads(meso.to_json(PREGNANT)).items() if k != "client_id"
    }


def _overlap(document: dict[str, Any]) -> None:
    first = document["sessions"][0]
    document["sessions"][1].update(start=first["start"], end=first["end"])


def _one_day_protocol(document: dict[str, Any]) -> None:
    document["protocol"].update(min_interval_days=1, interval_days=1)


def _move(n: int, days: int) -> Any:
    def edit(document: dict[str, Any]) -> None:
        session = document["sessions"][n]
        for key in ("start", "end"):
            moment = _instant(session[key])
            session[key] = moment.add(days=days).isoformat()

    return edit


def _at(n: int, hour: int) -> Any:
    def edit(document: dict[str, Any]) -> None:
        session = document["sessions"][n]
        start = _instant(session["start"]).set(hour=hour)
        session.update(start=start.isoformat(), end=start.add(minutes=45).isoformat())

    return edit


PLAN: Final = _plan()
PLAN_REVIEW: Final = _plan(conditions=["autoimmune_disease"])
PLAN_DEFERRED: Final = meso.plan_series(
    DEFERRED,
    ["face"],
    start=pendulum.datetime(2027, 3, 2, 9, tz=TORONTO),
    clinic=meso.example_clinic(),
)


@pytest.mark.parametrize(
    ("plan", "edit", "message"),
    [
        (PLAN, _pregnant_assessment, r"assessment.status: .*\(invariant 6"),
        (PLAN, _overlap, r"sessions\[1\]\.start: overlaps session 1 \(invariant 1"),
        (PLAN, lambda d: d.update(sessions=d["sessions"][:1]), r"1 active sessions.*invariant 2"),
        (PLAN, lambda d: d["sessions"].pop(), r"3 active sessions.*invariant 2"),
        (PLAN, lambda d: d["protocol"].update(sessions=9), r"protocol.max_sessions|invariant 2"),
        (PLAN, _one_day_protocol, r"protocol.min_interval_days: the rules give 14, got 1"),
        (PLAN, lambda d: d["protocol"].update(max_interval_days=60), r"max_interval_days"),
        (PLAN, lambda d: d["protocol"].update(session_minutes=5), r"session_minutes"),
        (PLAN, _move(1, 10), r"sessions\[1\]\.start: 31 days after session 1.*invariant 3"),
        (PLAN, _move(1, -8), r"sessions\[1\]\.start: 13 days after session 1"),
        (PLAN, _at(2, 22), r"sessions\[2\]\.start: the clinic is not open.*invariant 4"),
        (PLAN, _at(2, 11), r"sessions\[2\]\.start: at 11:00:00, expected 09:00:00.*invariant 5"),
        (PLAN_REVIEW, lambda d: d.update(review_acknowledged=False), r"invariant 6"),
        (PLAN_DEFERRED, _move(0, -7), r"sessions\[0\]\.start: before the assessment's earliest"),
        (PLAN, lambda d: d["sessions"][1].update(index=1), r"sessions\[1\]\.index: 1 repeats"),
        (PLAN, lambda d: d["sessions"][1].update(areas=["neck"]), r"sessions\[1\]\.areas"),
    ],
)
def test_an_edited_plan_document_is_refused_naming_the_invariant(
    plan: TreatmentPlan, edit: Any, message: str
) -> None:
    with pytest.raises(DocumentError, match=message):
        meso.from_json(_plan_text(plan, edit), TreatmentPlan)


def test_a_refused_plan_would_have_misled_later_operations() -> None:
    """The 1-day protocol of the issue: later operations followed it."""
    text = _plan_text(PLAN, lambda d: d["protocol"].update(min_interval_days=1))
    with pytest.raises(DocumentError, match="min_interval_days"):
        meso.from_json(text, TreatmentPlan)


def test_unchanged_plans_still_load() -> None:
    for plan in (PLAN, PLAN_REVIEW, PLAN_DEFERRED, PLAN.complete(1).no_show(2).cancel(3)):
        assert meso.from_json(meso.to_json(plan), TreatmentPlan) == plan
        assert plan.problems(RULES) == []


def _session_edits(document: dict[str, Any]) -> st.SearchStrategy[tuple[str, int, int]]:
    n = len(document["sessions"])
    return st.tuples(
        st.sampled_from(["move", "drop", "duplicate"]),
        st.integers(min_value=0, max_value=n - 1),
        st.integers(min_value=-40 * 24 * 4, max_value=40 * 24 * 4),  # quarter hours
    )


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(request=plan_requests(), data=st.data())
def test_a_plan_with_one_session_moved_dropped_or_duplicated_is_refused_or_keeps_the_invariants(
    request: PlanRequest, data: st.DataObject
) -> None:
    try:
        plan = request.plan()
    except SchedulingError:
        return
    document = json.loads(meso.to_json(plan))
    kind, n, quarters = data.draw(_session_edits(document))
    sessions = document["sessions"]
    if kind == "drop":
        del sessions[n]
    elif kind == "duplicate":
        sessions.insert(n, dict(sessions[n]))
    else:
        for key in ("start", "end"):
            moment = _instant(sessions[n][key])
            sessions[n][key] = moment.add(minutes=15 * quarters).isoformat()
    try:
        loaded = meso.from_json(json.dumps(document), TreatmentPlan)
    except DocumentError:
        event(f"{kind}: refused")
        return
    event(f"{kind}: read back")
    check_invariants(loaded)


# --- 4. A flag is a bool and nothing else ---------------------------------------------------

NOT_BOOLS: Final = ["false", "no", "", [0], 1, 0, None, 1.0]


@pytest.mark.parametrize("value", NOT_BOOLS)
def test_acknowledge_review_is_a_bool(value: Any) -> None:
    with pytest.raises(ClientError, match=r"^acknowledge_review: expected true or false"):
        meso.plan_series(
            REVIEW, ["face"], start=START, clinic=meso.example_clinic(), acknowledge_review=value
        )
    with pytest.raises(ClientError, match=r"^acknowledge_review: expected true or false"):
        meso.PlanRequest(
            client=meso.Client(birth_date="1985-03-02"),
            areas=["face"],
            start=START,
            acknowledge_review=value,
        )


@pytest.mark.parametrize("value", NOT_BOOLS)
@pytest.mark.parametrize(
    ("field", "make"),
    [
        ("fixed", lambda v: attrs.evolve(PLAN.sessions[0], fixed=v)),
        ("review_acknowledged", lambda v: attrs.evolve(PLAN, review_acknowledged=v)),
        ("complete", lambda v: meso.to_dict(ELIGIBLE, complete=v)),
    ],
)
def test_every_flag_is_a_bool(field: str, make: Any, value: Any) -> None:
    with pytest.raises(ClientError, match=rf"^{field}: expected true or false"):
        make(value)


def test_plot_side_effects_is_a_bool() -> None:
    pytest.importorskip("matplotlib")
    value: Any = "no"
    with pytest.raises(ClientError, match=r"^side_effects: expected true or false"):
        meso.plot(PLAN, side_effects=value)


def test_a_true_flag_still_acknowledges() -> None:
    plan = meso.plan_series(
        REVIEW, ["face"], start=START, clinic=meso.example_clinic(), acknowledge_review=True
    )
    assert plan.review_acknowledged is True
