"""A new plan: the series planned for an assessed client at a clinic."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pendulum

from ._assess import Assessment, Candidacy, RulesRef, candidacy
from ._clinic import Clinic
from ._errors import ClientError, SchedulingError
from ._guards import wrong_type
from ._invariants import earliest_day, needs_review
from ._model import Area, flag
from ._plan import TreatmentPlan
from ._protocol import series_protocol
from ._rules import RuleSet
from ._session import Session, derived_plan_id, id_problem, session_id
from ._slots import first_start
from ._time import aware, elapsed_after, in_zone, within_calendar
from ._vocabulary import chosen_rules, parse_areas

__all__ = ["plan_series"]


@within_calendar
def plan_series(  # noqa: PLR0913 - the design's signature
    assessment: Assessment,
    areas: Iterable[Area | str],
    *,
    start: pendulum.DateTime,
    clinic: Clinic,
    rules: RuleSet | None = None,
    sessions: int | None = None,
    interval: int | None = None,
    acknowledge_review: bool = False,
    plan_id: str | None = None,
) -> TreatmentPlan:
    """Plan a series for an assessed client at *clinic*, from *start* on.

    The first session is at *start*, or the first feasible time after it (and never
    before the assessment's earliest start); each later one aims at the same local time
    one interval later, and where the clinic is closed then, takes the nearest feasible
    time within the interval's bounds.

    The plan's id is *plan_id* (1 to 200 characters: letters, digits, ``. _ : -``), or
    without it `derived_plan_id` of the client's id, the first session's start and the
    areas; the session booked *n*-th is ``f"{plan.id}.{n}"``. The plan is revision 1.

    Raises:
        SchedulingError: the client is not a candidate, needs a review that was not
            acknowledged, or no plan keeps the bounds (the message names the session and
            the constraint).
        InvalidTimeError: *start* is naive, or the plan would run past the calendar's end.
        ClientError: *assessment* or *clinic* is not the library's object, or
            *acknowledge_review* is no `bool` (``"false"`` is text, not a no), or
            *plan_id* is no id.
        RuleSetError: *rules* is no `RuleSet`.
    """
    rules = chosen_rules(rules)
    _check_types(assessment, clinic)
    if plan_id is not None and (problem := id_problem(plan_id, "plan_id")):
        raise ClientError(problem)
    acknowledge_review = flag(acknowledge_review, "acknowledge_review")
    chosen = parse_areas(areas)
    _check_candidate(assessment, chosen, acknowledge_review=acknowledge_review)
    protocol = series_protocol(rules, chosen, sessions=sessions, interval_days=interval)
    moment = in_zone(aware(start, field="start"), clinic.zone)
    first = first_start(clinic, protocol, moment, earliest_day(assessment))
    end = elapsed_after(first, dt.timedelta(minutes=protocol.session_minutes))
    if plan_id is None:
        plan_id = derived_plan_id(assessment.client_id, first, chosen)
    plan = TreatmentPlan(
        id=plan_id,
        assessment=assessment,
        areas=chosen,
        clinic=clinic,
        protocol=protocol,
        sessions=(Session(id=session_id(plan_id, 1), index=1, start=first, end=end, areas=chosen),),
        rules=RulesRef(rules.name, rules.version),
        review_acknowledged=needs_review(assessment),
        client_id=assessment.client_id,
    )
    # A new plan is checked by its construction and by the property tests; checking it again
    # here would cost a batch a third of its throughput. Every operation checks its result.
    return plan._reflow(plan.sessions, pinned=1, check=False)  # noqa: SLF001 - its own machinery


def _check_types(assessment: object, clinic: object) -> None:
    # Callers without a type checker pass dicts and names; refuse them with our errors.
    for value, kind, field, hint in (
        (assessment, Assessment, "assessment", "assess"),
        (clinic, Clinic, "clinic", "load_clinic"),
    ):
        if problem := wrong_type(value, kind, field, hint):
            raise ClientError(problem)


def _check_candidate(
    assessment: Assessment, areas: tuple[Area, ...], *, acknowledge_review: bool
) -> None:
    missing = [a.value for a in areas if a not in assessment.areas]
    if missing:
        msg = f"areas: {missing[0]!r} was not assessed, expected areas among the assessment's"
        raise SchedulingError(msg)
    # From the findings, never from the stored status, which a caller may have edited.
    status, earliest, _ = candidacy(assessment.findings, on=assessment.on, areas=assessment.areas)
    if status is Candidacy.INELIGIBLE:
        msg = "assessment: the client is not a candidate (status ineligible)"
        raise SchedulingError(msg)
    if status is Candidacy.DEFERRED and earliest is None:
        msg = "assessment: deferred with no date (a site must heal; a clinician confirms it)"
        raise SchedulingError(msg)
    # A review finding needs its acknowledgement even when a deferral makes the status worse.
    if needs_review(assessment) and not acknowledge_review:
        msg = "assessment: a clinician must review first; pass acknowledge_review=True once done"
        raise SchedulingError(msg)
