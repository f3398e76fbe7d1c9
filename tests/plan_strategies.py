"""Hypothesis strategies for plans: clinics, starts, clients and plan requests.

Clinics live in zones drawn from the whole IANA database (a few zones with odd DST rules
always among them), open on random weekdays with random hours, closures and optional
public holidays. A plan request may legitimately be infeasible: `PlanRequest.plan` then
raises `SchedulingError`, which the tests count.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Final

import attrs
import pendulum
from hypothesis import note, reject
from hypothesis import strategies as st
from pendulum.tz.exceptions import AmbiguousTime, NonExistingTime

from mesotherapy import (
    Area,
    Assessment,
    Client,
    Clinic,
    Closure,
    Interval,
    InvalidTimeError,
    Medication,
    OpeningHours,
    PriorTreatment,
    SchedulingError,
    SessionStatus,
    SkinFinding,
    TreatmentPlan,
    assess,
    default_rules,
    plan_series,
)
from mesotherapy import PlanRequest as BatchRequest
from mesotherapy._clinic import WEEKDAYS
from mesotherapy._protocol import series_protocol

__all__ = [
    "ALL_ZONES",
    "HOLIDAYS",
    "OPERATIONS",
    "PINNED_ZONES",
    "SLOT_MINUTES",
    "Operation",
    "PlanRequest",
    "area_sets",
    "clients_for_plans",
    "clinics",
    "opening_hours",
    "operated",
    "operated_plans",
    "operations",
    "plan_requests",
    "plans_in_any_state",
    "starts",
    "timezones",
]

PINNED_ZONES: Final = (
    "America/Toronto",
    "Europe/London",
    "Australia/Lord_Howe",  # a 30-minute DST shift
    "Asia/Kathmandu",  # a +05:45 offset
    "Australia/Sydney",  # DST in the southern summer
    "America/St_Johns",  # a -03:30 offset with DST
    "Pacific/Chatham",  # +12:45 / +13:45
)
"""Zones that are always among the candidates, for their odd offsets or DST rules."""

ALL_ZONES: Final = tuple(
    sorted(zoneinfo.available_timezones() - {"localtime", "posixrules", "Factory"})
)
"""Every zone of the IANA database, sorted so that draws replay; without the names that
mean another zone on each machine, which a clinic refuses (`test_boundary_time.py`)."""

HOLIDAYS: Final = ("CA-ON", "GB", "AU-NSW", "FR", "US-NY")
SLOT_MINUTES: Final = (5, 10, 15, 30)

# Naive UTC instants, made aware below; a day inside 2025-2030 so that every zone's local
# date lies within those years.
FIRST_START: Final = dt.datetime(2025, 1, 2)  # noqa: DTZ001
LAST_START: Final = dt.datetime(2030, 12, 30, 23, 59)  # noqa: DTZ001

_DAY_END: Final = 23 * 60 + 59
"""The last minute an opening interval may end on (``23:59``)."""

_RULES: Final = default_rules()
_REVIEW_CONDITIONS: Final = tuple(
    sorted(
        code
        for code, rule in _RULES.contraindications.conditions.items()
        if rule.severity.value == "relative"
    )
)
_ABSOLUTE_CONDITIONS: Final = tuple(
    sorted(
        code
        for code, rule in _RULES.contraindications.conditions.items()
        if rule.severity.value == "absolute"
    )
)
_REVIEW_MEDICATIONS: Final = tuple(
    sorted(
        code
        for code, rule in _RULES.contraindications.medications.items()
        if rule.severity.value == "relative"
    )
)
_TREATMENTS: Final = tuple(sorted(_RULES.contraindications.treatments))
_SKIN_FINDINGS: Final = tuple(sorted(_RULES.contraindications.skin_findings))


def timezones() -> st.SearchStrategy[str]:
    """An IANA zone name: one of the pinned zones half of the time, else any zone."""
    return st.one_of(st.sampled_from(PINNED_ZONES), st.sampled_from(ALL_ZONES))


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@st.composite
def day_hours(draw: st.DrawFn) -> tuple[Interval, ...]:
    """One day's opening: one interval, or two around a break (lunch), in whole minutes.

    Mostly business hours; sometimes any time of day, midnight and the small hours
    included (where DST changes happen in many zones).
    """
    business = draw(st.booleans())
    if business:
        opens = draw(st.integers(min_value=6 * 12, max_value=11 * 12)) * 5
    else:
        opens = draw(st.integers(min_value=0, max_value=21 * 12)) * 5
    first_length = draw(st.integers(min_value=90, max_value=10 * 60))
    first_end = min(opens + first_length, _DAY_END)
    intervals = [Interval(start=_clock(opens), end=_clock(first_end))]
    if draw(st.booleans()):  # a break, then a second interval
        resumes = first_end + draw(st.integers(min_value=5, max_value=120))
        closes = resumes + draw(st.integers(min_value=30, max_value=6 * 60))
        if closes <= _DAY_END:
            intervals.append(Interval(start=_clock(resumes), end=_clock(closes)))
    return tuple(intervals)


@st.composite
def opening_hours(draw: st.DrawFn) -> OpeningHours:
    """Weekly hours: 1 to 6 open days, the same hours every open day or each its own."""
    days = draw(st.sets(st.sampled_from(WEEKDAYS), min_size=1, max_size=6))
    if draw(st.booleans()):
        same = draw(day_hours())
        hours = dict.fromkeys(days, same)
    else:
        hours = {day: draw(day_hours()) for day in days}
    return OpeningHours(**hours)


@st.composite
def closures(draw: st.DrawFn, around: dt.date) -> tuple[Closure, ...]:
    """Up to four closures near *around*: single days and ranges of up to three weeks."""
    found: list[Closure] = []
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        first = around + dt.timedelta(days=draw(st.integers(min_value=-30, max_value=240)))
        length = draw(st.sampled_from((0, 0, 1, 2, 6, 13, 20)))
        reason = draw(st.sampled_from((None, "Summer break", "Renovation", "Training")))
        found.append(
            Closure(start=first, end=first + dt.timedelta(days=length), reason=reason),
        )
    return tuple(found)


@st.composite
def clinics(draw: st.DrawFn, timezone: str | None = None, around: dt.date | None = None) -> Clinic:
    """A clinic in *timezone* (drawn when ``None``) with closures near *around*.

    Holidays are set on a quarter of the clinics only: their tables are slow to build.
    """
    zone = draw(timezones()) if timezone is None else timezone
    centre = dt.date(2027, 6, 1) if around is None else around
    with_holidays = draw(st.integers(min_value=0, max_value=3)) == 0
    return Clinic(
        name=draw(st.sampled_from(("Lakeside", "Clinique du Parc", "Harbour Skin"))),
        timezone=zone,
        hours=draw(opening_hours()),
        closures=draw(closures(centre)),
        holidays=draw(st.sampled_from(HOLIDAYS)) if with_holidays else None,
        slot_minutes=draw(st.sampled_from(SLOT_MINUTES)),
    )


@st.composite
def starts(draw: st.DrawFn, timezone: str) -> pendulum.DateTime:
    """An aware start in *timezone* from 2025 to 2030.

    Half of them are any instant (seconds included), the rest a local time on a
    five-minute mark (where one exists once that day).
    """
    instant = draw(st.datetimes(min_value=FIRST_START, max_value=LAST_START))
    moment = pendulum.instance(instant.replace(tzinfo=dt.UTC)).in_timezone(timezone)
    if draw(st.booleans()):
        return moment
    minute = draw(st.integers(min_value=0, max_value=24 * 12 - 1)) * 5
    try:
        return pendulum.datetime(
            moment.year,
            moment.month,
            moment.day,
            minute // 60,
            minute % 60,
            tz=timezone,
            raise_on_unknown_times=True,
        )
    except (NonExistingTime, AmbiguousTime):
        return moment


def area_sets() -> st.SearchStrategy[tuple[Area, ...]]:
    """A non-empty set of areas, in the order of `Area`."""
    order = list(Area)
    return st.frozensets(st.sampled_from(Area), min_size=1).map(
        lambda chosen: tuple(sorted(chosen, key=order.index))
    )


def _before(day: dt.date, *, max_days: int) -> st.SearchStrategy[dt.date]:
    return st.integers(min_value=0, max_value=max_days).map(
        lambda back: day - dt.timedelta(days=back)
    )


@st.composite
def clients_for_plans(
    draw: st.DrawFn, on: dt.date, areas: tuple[Area, ...], *, plannable: bool = False
) -> Client:
    """A client assessed on *on* for *areas*, drawn for the outcomes of planning.

    Not `tests.strategies.clients`, which draws any client whose codes a rule set defines;
    this one draws the facts that move a plan's start or stop it.

    Some facts defer the start to a date (isotretinoin in the last months, another
    procedure in a requested area), some ask for a clinician's review (a relative
    condition or medication). Unless *plannable*, some make the client no candidate
    (pregnancy, an absolute condition, an allergy, being a minor) or defer with no date (a
    skin finding in a requested area, isotretinoin still taken).
    """
    adult = plannable or draw(
        st.sampled_from((True, True, True, True, False)),
    )
    if adult:
        years = draw(st.integers(min_value=18, max_value=85))
        days = draw(st.integers(min_value=1, max_value=360))
    else:  # from a newborn to a few days short of 18
        years = draw(st.integers(min_value=0, max_value=17))
        days = draw(st.integers(min_value=0, max_value=360))
    birth = pendulum.date(on.year, on.month, on.day).subtract(years=years, days=days)
    medications: list[Medication] = []
    if draw(st.booleans()):
        medications.append(Medication("isotretinoin", last_taken=draw(_before(on, max_days=270))))
    if draw(st.integers(min_value=0, max_value=5)) == 0:
        medications.append(Medication(draw(st.sampled_from(_REVIEW_MEDICATIONS))))
    treatments = [
        PriorTreatment(
            draw(st.sampled_from(_TREATMENTS)),
            draw(st.sampled_from(areas) | st.sampled_from(Area)),
            draw(_before(on, max_days=60)),
        )
        for _ in range(draw(st.integers(min_value=0, max_value=2)))
    ]
    conditions: set[str] = set()
    if draw(st.integers(min_value=0, max_value=4)) == 0:
        conditions.add(draw(st.sampled_from(_REVIEW_CONDITIONS)))
    pregnant = breastfeeding = False
    allergies: list[str] = []
    skin: list[SkinFinding] = []
    if not plannable:
        kind = draw(st.sampled_from(("none", "none", "none", "absolute", "site", "still taking")))
        if kind == "absolute":
            which = draw(st.sampled_from(("pregnant", "breastfeeding", "condition", "allergy")))
            pregnant = which == "pregnant"
            breastfeeding = which == "breastfeeding"
            if which == "condition":
                conditions.add(draw(st.sampled_from(_ABSOLUTE_CONDITIONS)))
            if which == "allergy":
                allergies.append(draw(st.sampled_from(sorted(_RULES.formula.allergens()))))
        elif kind == "site":
            where = draw(st.sampled_from(areas) | st.sampled_from(Area))
            skin.append(SkinFinding(where, draw(st.sampled_from(_SKIN_FINDINGS))))
        elif kind == "still taking":  # a time-bound medication with no last dose: no date
            medications.append(Medication("isotretinoin"))
    return Client(
        birth_date=birth,
        pregnant=pregnant,
        breastfeeding=breastfeeding,
        conditions=conditions,
        allergies=allergies,
        medications=medications,
        skin_findings=skin,
        treatments=treatments,
    )


@attrs.frozen(kw_only=True)
class PlanRequest:
    """Everything `plan_series` is given, and the client assessed for it."""

    client: Client
    areas: tuple[Area, ...]
    on: pendulum.Date
    clinic: Clinic
    start: pendulum.DateTime
    sessions: int | None = None
    interval: int | None = None
    acknowledge_review: bool = False

    def assessment(self) -> Assessment:
        """The client's assessment for the requested areas on the assessment date."""
        return assess(self.client, self.areas, on=self.on)

    def plan(self) -> TreatmentPlan:
        """The plan for the request (`SchedulingError` when there is none)."""
        return plan_series(
            self.assessment(),
            self.areas,
            start=self.start,
            clinic=self.clinic,
            sessions=self.sessions,
            interval=self.interval,
            acknowledge_review=self.acknowledge_review,
        )

    def batch_request(self, plan_id: str | None = None) -> BatchRequest:
        """The same request as the library's `PlanRequest` of a batch (the clinic apart)."""
        return BatchRequest(
            client=self.client,
            areas=self.areas,
            start=self.start,
            on=self.on,
            sessions=self.sessions,
            interval=self.interval,
            acknowledge_review=self.acknowledge_review,
            plan_id=plan_id,
        )


@st.composite
def plan_requests(draw: st.DrawFn, *, plannable: bool = True) -> PlanRequest:
    """A request for a plan at a generated clinic from a generated start.

    With *plannable*, the client is a candidate (perhaps deferred to a date, perhaps in
    need of a review that is acknowledged); otherwise any client, and the review is
    acknowledged or not. ``sessions`` and ``interval`` are left to the protocol or drawn
    within its bounds for the areas.
    """
    zone = draw(timezones())
    start = draw(starts(zone))
    local_day = start.date()
    clinic = draw(clinics(zone, around=local_day))
    areas = draw(area_sets())
    shift = draw(st.integers(min_value=-90, max_value=30))
    on = local_day.add(days=shift) if shift > 0 else local_day.subtract(days=-shift)
    client = draw(clients_for_plans(on, areas, plannable=plannable))
    protocol = series_protocol(_RULES, areas)
    sessions = draw(
        st.none() | st.integers(min_value=protocol.min_sessions, max_value=protocol.max_sessions)
    )
    interval = draw(
        st.none()
        | st.integers(min_value=protocol.min_interval_days, max_value=protocol.max_interval_days)
    )
    return PlanRequest(
        client=client,
        areas=areas,
        on=on,
        clinic=clinic,
        start=start,
        sessions=sessions,
        interval=interval,
        acknowledge_review=plannable or draw(st.booleans()),
    )


OPERATIONS: Final = ("reschedule", "complete", "cancel", "no_show")
"""The operations a plan has, by their method's name."""


@attrs.frozen(kw_only=True)
class Operation:
    """One operation on whatever plan it meets: which, on which session, to when.

    ``pick`` chooses among the plan's planned sessions in time order (among all its
    sessions with ``any_session``, so that refusals are tried too); ``days`` and ``slot``
    choose the new time of a reschedule (the ``slot``-th opening of the day ``days``
    after the session, or that day at noon UTC when it has none) or of a completion
    elsewhere than planned (``days`` after it, when ``elsewhere``).
    """

    name: str
    pick: int
    any_session: bool = False
    days: int = 0
    slot: int = 0
    elsewhere: bool = False

    def index(self, plan: TreatmentPlan) -> int:
        """The number of the session this operation is applied to in *plan*."""
        planned = sorted(
            (s for s in plan.sessions if s.status is SessionStatus.PLANNED), key=lambda s: s.start
        )
        chosen = plan.sessions if self.any_session or not planned else planned
        return chosen[self.pick % len(chosen)].index

    def apply(self, plan: TreatmentPlan) -> TreatmentPlan:
        """The operation's result on *plan*; its `SchedulingError` when it is refused."""
        index = self.index(plan)
        session = plan.session(index)
        if self.name == "reschedule":
            day = session.start.date().add(days=self.days)
            slots = list(plan.clinic.slots(day, plan.protocol.session_minutes))
            if slots:
                start = slots[self.slot % len(slots)]
            else:
                start = pendulum.datetime(day.year, day.month, day.day, 12, tz="UTC")
            return plan.reschedule(index, start)
        if self.name == "complete":
            at = session.start.add(days=self.days) if self.elsewhere else None
            return plan.complete(index, at)
        if self.name == "cancel":
            return plan.cancel(index)
        return plan.no_show(index)


def operations() -> st.SearchStrategy[Operation]:
    """An `Operation`: mostly on a planned session, to a day near it."""
    return st.builds(
        Operation,
        name=st.sampled_from(OPERATIONS),
        pick=st.integers(min_value=0, max_value=12),
        any_session=st.integers(0, 5).map(lambda n: n == 0),
        days=st.integers(min_value=-7, max_value=28),
        slot=st.integers(min_value=0, max_value=40),
        elsewhere=st.booleans(),
    )


@st.composite
def operated_plans(draw: st.DrawFn, max_operations: int = 5) -> list[TreatmentPlan]:
    """A generated plan and the plans that up to *max_operations* operations return, in turn.

    The operations are drawn by `operations`; one that is refused is skipped.
    """
    try:
        plan = draw(plan_requests()).plan()
    except SchedulingError:
        reject()
    return draw(operated(plan, max_operations))


@st.composite
def operated(draw: st.DrawFn, plan: TreatmentPlan, max_operations: int = 5) -> list[TreatmentPlan]:
    """*plan* and the plans that up to *max_operations* drawn `operations` return, in turn.

    For a plan made elsewhere (with other rules, say); one that is refused is skipped.
    """
    versions = [plan]
    for operation in draw(st.lists(operations(), max_size=max_operations)):
        try:
            plan = operation.apply(plan)
        except (SchedulingError, InvalidTimeError):
            continue
        versions.append(plan)
    note([version.explain() for version in versions])
    return versions


def plans_in_any_state(max_operations: int = 4) -> st.SearchStrategy[TreatmentPlan]:
    """A generated plan after up to *max_operations* operations (`operated_plans`)."""
    return operated_plans(max_operations=max_operations).map(lambda versions: versions[-1])
