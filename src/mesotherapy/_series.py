"""A new plan: the series planned for an assessed client at a clinic."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, cast

import attrs
import pendulum

from ._assess import Assessment, Candidacy, RulesRef, candidacy, parsed_areas
from ._clinic import Clinic
from ._errors import ClientError, SchedulingError
from ._guards import wrong_type
from ._invariants import earliest_day, needs_review
from ._model import Area, flag
from ._plan import TreatmentPlan
from ._protocol import SeriesProtocol, series_protocol
from ._rules import RuleSet
from ._session import derived_plan_id, id_problem, session_id
from ._slots import first_start, series_sessions
from ._time import aware, in_zone, within_calendar
from ._vocabulary import chosen_rules

if TYPE_CHECKING:
    from ._diary import Diary

__all__ = ["plan_series"]


@within_calendar
def plan_series(  # noqa: PLR0913 - the design's signature
    assessment: Assessment,
    areas: Iterable[Area | str],
    *,
    start: pendulum.DateTime,
    clinic: Clinic | None = None,
    rules: RuleSet | None = None,
    sessions: int | None = None,
    interval: int | None = None,
    acknowledge_review: bool = False,
    plan_id: str | None = None,
    diary: Diary | None = None,
    practitioner: str | None = None,
) -> TreatmentPlan:
    """Plan a series for an assessed client at *clinic*, from *start* on.

    The first session is at *start*, or the first feasible time after it (and never
    before the assessment's earliest start); each later one aims at the same local time
    one interval later, and where the clinic is closed then, takes the nearest feasible
    time within the interval's bounds.

    With *diary*, each session also needs a practitioner qualified for the areas who
    works then and is free, and a room that serves them and is free, the diary's buffer
    included; each session of the plan names them (``practitioner``, ``room``). *clinic*
    may then be left out (it is the diary's). The search keeps one practitioner for the
    whole series where it can (*practitioner*, or else each qualified one in the diary's
    order, before it mixes them), then the client's local time, then the nearest day; when
    a session finds no free time in its window it moves the sessions before it within
    their bounds before it refuses. A session that the diary moves off the local time of
    the one before it is ``fixed`` there. The diary itself is not changed: book the plan
    with `Diary.book`.

    >>> import pendulum, mesotherapy as meso
    >>> clinic = meso.example_clinic()
    >>> diary = meso.Diary(clinic=clinic, rooms=[meso.Room(id="room-1")], practitioners=[
    ...     meso.Practitioner(id="dr-a", areas=["scalp"]),
    ...     meso.Practitioner(id="dr-h", areas=["face"])])
    >>> assessment = meso.assess(meso.Client(birth_date="1985-03-02"), ["face"], on="2026-10-01")
    >>> plan = meso.plan_series(assessment, ["face"], diary=diary,
    ...     start=pendulum.datetime(2026, 10, 20, 9, tz="America/Toronto"))
    >>> [(s.start.format("MM-DD HH:mm"), s.practitioner, s.room) for s in plan.sessions][:2]
    [('10-20 09:00', 'dr-h', 'room-1'), ('11-10 09:00', 'dr-h', 'room-1')]
    >>> len(diary.book(plan).bookings)
    4

    The plan's id is *plan_id* (1 to 200 characters: letters, digits, ``. _ : -``), or
    without it `derived_plan_id` of the client's id, the first session's start and the
    areas; the session booked *n*-th is ``f"{plan.id}.{n}"``. The plan is revision 1.

    Raises:
        SchedulingError: the client is not a candidate, needs a review that was not
            acknowledged, or no plan keeps the bounds (the message names the session and
            the constraint); with *diary*, no series fits it (the message names the
            session, its window's first and last day and what blocked it: closed,
            practitioner busy, no room, not qualified), or *practitioner* is none of the
            diary's or not qualified for the areas.
        InvalidTimeError: *start* is naive, or the plan would run past the calendar's end.
        ClientError: *assessment* or *clinic* is not the library's object, or
            *acknowledge_review* is no `bool` (``"false"`` is text, not a no), or
            *plan_id* is no id, or *diary* is no `Diary`, or one of another clinic than
            *clinic*.
        RuleSetError: *rules* is no `RuleSet`.
    """
    rules = chosen_rules(rules)
    clinic = _diary_clinic(diary, clinic)
    _check_types(assessment, clinic)
    if plan_id is not None and (problem := id_problem(plan_id, "plan_id")):
        raise ClientError(problem)
    acknowledge_review = flag(acknowledge_review, "acknowledge_review")
    chosen = parsed_areas(areas)
    _check_candidate(assessment, chosen, acknowledge_review=acknowledge_review)
    protocol = series_protocol(rules, chosen, sessions=sessions, interval_days=interval)
    moment = in_zone(aware(start, field="start"), clinic.zone)
    if diary is not None:
        return _in_diary(
            diary,
            assessment,
            chosen,
            protocol,
            moment,
            rules=rules,
            plan_id=plan_id,
            practitioner=practitioner,
        )
    if practitioner is not None:
        msg = "practitioner: names a practitioner of a diary, expected diary= with it"
        raise ClientError(msg)
    first = first_start(clinic, protocol, moment, earliest_day(assessment))
    if plan_id is None:
        plan_id = derived_plan_id(assessment.client_id, first[0], chosen)
    # Each session built once, with its final id: what `TreatmentPlan._reflow` would book
    # after the first one (the tests compare the two on hundreds of clients). A new plan is
    # checked by its construction and by the property tests; checking it again here would
    # cost a batch a third of its throughput. Every operation checks its result.
    return TreatmentPlan(
        id=plan_id,
        assessment=assessment,
        areas=chosen,
        clinic=clinic,
        protocol=protocol,
        sessions=series_sessions(clinic, protocol, first, plan_id, chosen),
        rules=RulesRef(rules.name, rules.version),
        review_acknowledged=needs_review(assessment),
        client_id=assessment.client_id,
    )


def _diary_clinic(diary: object, clinic: object) -> Clinic:
    """The plan's clinic: *clinic*, or the diary's, which it must then be."""
    if diary is None:
        return cast("Clinic", clinic)  # _check_types refuses what is no Clinic
    from ._diary import Diary  # noqa: PLC0415 - the diary loads when a caller gives one

    if problem := wrong_type(diary, Diary, "diary", "load_diary"):
        raise ClientError(problem)
    ours = cast("Diary", diary).clinic
    if clinic is not None and clinic != ours:
        name = getattr(clinic, "name", clinic)
        msg = f"clinic: {name!r} is not the diary's clinic ({ours.name!r}), expected it or none"
        raise ClientError(msg)
    return ours


def _in_diary(  # noqa: PLR0913 - the plan's facts, each once
    diary: Diary,
    assessment: Assessment,
    areas: tuple[Area, ...],
    protocol: SeriesProtocol,
    moment: pendulum.DateTime,
    *,
    rules: RuleSet,
    plan_id: str | None,
    practitioner: str | None,
) -> TreatmentPlan:
    """The plan of `plan_series` with a diary: the search of `_diary_search`."""
    from ._diary_search import (  # noqa: PLC0415 - loaded with the diary
        Opening,
        Step,
        mark_moved,
        practitioner_modes,
        search_series,
    )

    if practitioner is not None and not isinstance(cast("object", practitioner), str):
        msg = f"practitioner: expected a practitioner's id, got {practitioner!r}"
        raise ClientError(msg)
    modes = practitioner_modes(diary, areas, practitioner)
    # The session ids name the plan, whose derived id names the first start: search with
    # stand-in ids, then name them.
    ident = plan_id or "plan"
    steps = [Step(index=n, id=session_id(ident, n)) for n in range(1, protocol.sessions + 1)]
    opening = Opening(moment=moment, earliest=earliest_day(assessment))
    found = search_series(diary, protocol, areas, steps, modes=modes, opening=opening)
    if plan_id is None:
        plan_id = derived_plan_id(assessment.client_id, found[0].start, areas)
    sessions = tuple(attrs.evolve(s, id=session_id(plan_id, s.index)) for s in found)
    plan = TreatmentPlan(
        id=plan_id,
        assessment=assessment,
        areas=areas,
        clinic=diary.clinic,
        protocol=protocol,
        sessions=sessions,
        rules=RulesRef(rules.name, rules.version),
        review_acknowledged=needs_review(assessment),
        client_id=assessment.client_id,
    )
    return mark_moved(plan)


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
