"""A clinician's override for an interval an operation cannot keep: recorded, never silent.

Without an `Override`, a plan that cannot keep the interval bounds is refused (as before);
with one, the session that breaks the longest interval is placed at the nearest feasible
time after it and records who decided and why, in every export. No override goes below
the shortest interval, the skin's recovery minimum.
"""

from __future__ import annotations

import itertools
import json
from typing import Any, Final

import attrs
import pendulum
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import mesotherapy as meso
from mesotherapy import ClientError, DocumentError, Override, SchedulingError, TreatmentPlan
from tests.builders import RULES, TORONTO
from tests.plan_strategies import PlanRequest, plan_requests

BY: Final = "Dr. A. Chen"
REASON: Final = "client away; agreed to resume the series late"
OVERRIDE: Final = Override(by=BY, reason=REASON)


def _instant(text: str) -> pendulum.DateTime:
    moment = pendulum.parse(text)
    assert isinstance(moment, pendulum.DateTime)
    return moment


def _at(day: int, month: int, hour: int, minute: int = 0, year: int = 2026) -> pendulum.DateTime:
    return pendulum.datetime(year, month, day, hour, minute, tz=TORONTO)


def _plan() -> TreatmentPlan:
    """Face at the longest interval (28 days), session 2 moved to the day's last slot."""
    assessment = meso.assess(
        meso.Client(id="c-1", birth_date="1985-03-02"), ["face"], on="2026-10-01"
    )
    plan = meso.plan_series(
        assessment, ["face"], start=_at(20, 10, 9), clinic=meso.example_clinic(), interval=28
    )
    return plan.complete(1).reschedule(2, _at(17, 11, 17, 15))


STUCK: Final = _plan()
"""Session 2 is on the last day and the last slot the interval allows after session 1."""


def _closed() -> TreatmentPlan:
    """Session 2 on the last day of the interval; the clinic then closes for that fortnight."""
    plan = _plan().reschedule(2, _at(17, 11, 9))
    closure = meso.Closure(start="2026-11-03", end="2026-11-17", reason="Flood")
    clinic = attrs.evolve(plan.clinic, closures=(*plan.clinic.closures, closure))
    return attrs.evolve(plan, clinic=clinic)


CLOSED: Final = _closed()
"""A cancelled session 2 has no replacement within the interval: the clinic is closed."""
CASES: Final = [(STUCK, "no_show"), (CLOSED, "cancel")]


def _gap(plan: TreatmentPlan, index: int) -> int:
    active = sorted(plan.active_sessions, key=lambda s: s.index)
    at = next(n for n, s in enumerate(active) if s.index == index)
    return (active[at].start.date() - active[at - 1].start.date()).days


# --- The override itself -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("by", "reason", "field"),
    [
        ("", REASON, "by"),
        ("   ", REASON, "by"),
        (None, REASON, "by"),
        (5, REASON, "by"),
        (BY, "", "reason"),
        (BY, "\n", "reason"),
        (BY, ["late"], "reason"),
    ],
)
def test_an_override_needs_who_and_why(by: Any, reason: Any, field: str) -> None:
    with pytest.raises(ClientError, match=rf"^override\.{field}: expected non-empty text"):
        Override(by=by, reason=reason)


def test_an_override_is_public_frozen_and_documented() -> None:
    assert "Override" in meso.__all__
    assert meso.Override is Override
    assert Override.__doc__
    assert ">>>" in Override.__doc__
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        OVERRIDE.by = "someone"  # type: ignore[misc]


@pytest.mark.parametrize("operation", ["no_show", "cancel"])
def test_the_override_names_a_clinician_not_the_client(operation: str) -> None:
    with pytest.raises(ClientError, match=r"^override\.by: names the plan's client"):
        getattr(STUCK, operation)(2, override=Override(by="c-1", reason=REASON))


@pytest.mark.parametrize("value", [{"by": BY, "reason": REASON}, "Dr. A. Chen", True])
def test_an_override_is_an_override(value: Any) -> None:
    with pytest.raises(ClientError, match=r"^override: expected a Override|^override: "):
        STUCK.no_show(2, override=value)


# --- Operations ----------------------------------------------------------------------------


@pytest.mark.parametrize(("stuck", "operation"), CASES)
def test_without_an_override_the_plan_is_refused(stuck: TreatmentPlan, operation: str) -> None:
    with pytest.raises(SchedulingError, match=r"^session 3: .*interval_days 14-28"):
        getattr(stuck, operation)(2)


@pytest.mark.parametrize(("stuck", "operation"), CASES)
def test_with_an_override_the_session_is_placed_after_the_bound_and_records_it(
    stuck: TreatmentPlan, operation: str
) -> None:
    before = attrs.evolve(stuck)
    plan = getattr(stuck, operation)(2, override=OVERRIDE)
    assert stuck == before  # the plan it was called on is unchanged
    replacement = plan.session(3)
    assert replacement.override == OVERRIDE
    assert _gap(plan, 3) == 29  # the nearest feasible day after the 28-day bound
    assert replacement.start == _at(18, 11, 9)  # at session 1's local time
    # Only the session that breaks the bounds carries it; the rest follow it as usual.
    assert [s.override for s in plan.sessions if s.index != 3] == [None] * (len(plan.sessions) - 1)
    assert _gap(plan, 4) == 28
    assert plan.problems(RULES) == []
    assert f"override by {BY}: {REASON}" in plan.explain()


def test_reschedule_beyond_the_longest_interval_needs_an_override() -> None:
    plan = STUCK.reschedule(2, _at(16, 11, 9))
    with pytest.raises(
        SchedulingError, match=r"^session 2: 31 days after session 1.*interval_days"
    ):
        plan.reschedule(2, _at(20, 11, 9))
    moved = plan.reschedule(2, _at(20, 11, 9), override=OVERRIDE)
    assert moved.session(2).override == OVERRIDE
    assert moved.session(2).start == _at(20, 11, 9)
    assert moved.problems(RULES) == []


@pytest.mark.parametrize("day", [21, 27, 2])
def test_no_override_goes_below_the_shortest_interval(day: int) -> None:
    month = 11 if day < 10 else 10
    with pytest.raises(SchedulingError, match=r"^session 2: \d+ days? after session 1"):
        STUCK.reschedule(2, _at(day, month, 9), override=OVERRIDE)


def test_an_unneeded_override_is_not_recorded() -> None:
    plan = STUCK.reschedule(2, _at(10, 11, 9), override=OVERRIDE)
    assert all(s.override is None for s in plan.sessions)


def test_later_operations_keep_the_overridden_session() -> None:
    plan = STUCK.no_show(2, override=OVERRIDE)
    done = plan.complete(3)
    assert done.session(3).override == OVERRIDE
    assert done.session(3).start == plan.session(3).start
    moved = plan.reschedule(4, plan.session(4).start.add(days=-7))
    assert moved.session(3).override == OVERRIDE


# --- Every export shows it -----------------------------------------------------------------

OVERRIDDEN: Final = STUCK.no_show(2, override=OVERRIDE)


def test_the_json_document_records_the_override_and_reads_it_back() -> None:
    text = meso.to_json(OVERRIDDEN)
    document = json.loads(text)
    assert document["sessions"][2]["override"] == {"by": BY, "reason": REASON}
    assert "override" not in document["sessions"][0]
    assert meso.from_json(text, TreatmentPlan) == OVERRIDDEN


def test_a_document_without_its_override_is_refused() -> None:
    document = json.loads(meso.to_json(OVERRIDDEN))
    del document["sessions"][2]["override"]
    with pytest.raises(DocumentError, match=r"^sessions\[2\]\.start: 29 days .*invariant 3"):
        meso.from_json(json.dumps(document), TreatmentPlan)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"by": "", "reason": REASON}, r"override\.by"),
        ({"by": BY}, r"reason"),
        ("yes", r"override"),
    ],
)
def test_a_malformed_override_is_refused(value: Any, message: str) -> None:
    document = json.loads(meso.to_json(OVERRIDDEN))
    document["sessions"][2]["override"] = value
    with pytest.raises(DocumentError, match=message):
        meso.from_json(json.dumps(document), TreatmentPlan)


def test_an_override_does_not_stand_below_the_shortest_interval_in_a_document() -> None:
    document = json.loads(meso.to_json(OVERRIDDEN))
    session = document["sessions"][3]
    session["override"] = {"by": BY, "reason": REASON}
    for key in ("start", "end"):
        moment = _instant(session[key])
        session[key] = moment.add(days=-20).isoformat()
    with pytest.raises(DocumentError, match=r"^sessions\[3\]\.start: 8 days after session 3"):
        meso.from_json(json.dumps(document), TreatmentPlan)


def test_the_calendar_shows_the_override() -> None:
    icalendar = pytest.importorskip("icalendar")
    calendar = icalendar.Calendar.from_ical(meso.to_ics(OVERRIDDEN))
    events = [e for e in calendar.walk("VEVENT") if "session" in str(e.get("summary", ""))]
    marked = [e for e in events if e.get("comment")]
    assert len(marked) == 1
    assert BY in str(marked[0]["comment"])
    assert REASON in str(marked[0]["comment"])
    assert REASON in str(marked[0]["description"])
    assert marked[0]["dtstart"].dt == OVERRIDDEN.session(3).start


def test_fhir_shows_the_override() -> None:
    pytest.importorskip("fhir.resources")
    bundle = meso.to_fhir(OVERRIDDEN)
    appointments = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Appointment"
    ]
    notes = [a["note"] for a in appointments if "note" in a]
    assert len(notes) == 1
    assert notes[0][0]["authorString"] == BY
    assert REASON in notes[0][0]["text"]


def test_the_frame_and_the_html_show_the_override() -> None:
    pytest.importorskip("pandas")
    frame = meso.to_frame(OVERRIDDEN, what="sessions")
    described = frame[frame["session"] == 3]["description"].iloc[0]
    assert BY in described
    assert REASON in described
    page = OVERRIDDEN._repr_html_()
    assert BY in page
    assert REASON in page


# --- A property: an override only ever lengthens a gap, and is always recorded ----------------


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(request=plan_requests(), data=st.data())
def test_an_operation_with_an_override_keeps_every_other_invariant(
    request: PlanRequest, data: st.DataObject
) -> None:
    try:
        plan = request.plan()
    except SchedulingError:
        return
    planned = [s.index for s in plan.sessions if s.status is meso.SessionStatus.PLANNED]
    index = data.draw(st.sampled_from(planned))
    operation = data.draw(st.sampled_from(["no_show", "cancel", "reschedule"]))
    try:
        if operation == "reschedule":
            # A later day, perhaps beyond the longest interval: the override's case.
            later = data.draw(st.integers(min_value=1, max_value=45))
            session = plan.session(index)
            day = session.start.date().add(days=later)
            minutes = plan.protocol.session_minutes
            moment = plan.clinic.first_slot(day, minutes, not_before=session.start)
            if moment is None:
                return
            changed = plan.reschedule(index, moment, override=OVERRIDE)
        else:
            changed = getattr(plan, operation)(index, override=OVERRIDE)
    except SchedulingError:
        return
    assert changed.problems(RULES) == []
    p = changed.protocol
    active = sorted(changed.active_sessions, key=lambda s: s.index)
    for before, after in itertools.pairwise(active):
        gap = (after.start.date() - before.start.date()).days
        assert gap >= p.min_interval_days, f"session {after.index}: {gap} days"
        if gap > p.max_interval_days:
            assert after.override == OVERRIDE, f"session {after.index}: a silent break"
            event("overridden")
    assert meso.from_json(meso.to_json(changed), TreatmentPlan) == changed
