"""The fast paths of a new plan and its aftercare give what the checked construction gave.

`plan_series` builds each session once with its final id (`series_sessions`,
`planned_session`: no id checks, ends on steady days from the wall clock) and the plan
once. Before, it built the first session with the checked `Session` constructor, the plan
around it, and booked the others with `TreatmentPlan._reflow`, each session through
`Session(...)`. `validated_plan` below is that construction, from public pieces
(`Clinic.first_slot`, `Session`, `TreatmentPlan`, the id spelled out as a UUID); every new
plan must be equal to it: ``==``, ``repr``, `to_json`, each instant's offset and fold, the
sessions' hash and pickle. And `aftercare` works out each start and end once per distinct
length and sorts its rows as tuples: its windows must be those worked out per rule and
sorted by a key, as before (`_windows_before`).
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import pickle
import uuid
import zoneinfo
from typing import Any

import attrs
import pendulum
import pytest
from hypothesis import given

from mesotherapy import (
    Area,
    Assessment,
    CareWindow,
    Client,
    Clinic,
    MilestoneKind,
    RuleSet,
    SchedulingError,
    Session,
    TreatmentPlan,
    aftercare,
    assess,
    default_rules,
    example_clinic,
    expected_timeline,
    plan_series,
    to_json,
)
from mesotherapy._aftercare import PRECARE, _built, _prepared
from mesotherapy._assess import RulesRef
from mesotherapy._clinic_values import OpeningHours
from mesotherapy._invariants import earliest_day, needs_review
from mesotherapy._protocol import series_protocol
from mesotherapy._session import PLAN_ID_NAMESPACE, planned_session
from mesotherapy._time import (
    as_pendulum,
    elapsed_after,
    plain_utc,
    shift_date,
    stdlib_instant,
    wall_before,
)
from mesotherapy._vocabulary import parse_areas

from .plan_strategies import PlanRequest, plan_requests

RULES = default_rules()


def validated_plan(
    assessment: Assessment,
    areas: tuple[Area, ...],
    *,
    start: pendulum.DateTime,
    clinic: Clinic,
    rules: RuleSet = RULES,
    sessions: int | None = None,
    interval: int | None = None,
) -> TreatmentPlan:
    """The plan of `plan_series` as it was built before the fast path: every value checked."""
    chosen = parse_areas(areas)
    protocol = series_protocol(rules, chosen, sessions=sessions, interval_days=interval)
    moment = start.in_timezone(clinic.timezone)
    day, first = max(moment.date(), earliest_day(assessment)), None
    for _ in range(366):
        first = clinic.first_slot(day, protocol.session_minutes, not_before=moment)
        if first is not None:
            break
        day = day.add(days=1)
    if first is None:
        raise SchedulingError("session 1: no opening")
    who = assessment.client_id or ""
    instant = first.in_timezone("UTC").isoformat()
    name = f"{len(who)}:{who}|{instant}|{','.join(a.value for a in chosen)}"
    plan_id = str(uuid.uuid5(uuid.UUID(PLAN_ID_NAMESPACE), name))
    end = elapsed_after(first, dt.timedelta(minutes=protocol.session_minutes))
    plan = TreatmentPlan(
        id=plan_id,
        assessment=assessment,
        areas=chosen,
        clinic=clinic,
        protocol=protocol,
        sessions=(Session(id=f"{plan_id}.1", index=1, start=first, end=end, areas=chosen),),
        rules=RulesRef(rules.name, rules.version),
        review_acknowledged=needs_review(assessment),
        client_id=assessment.client_id,
    )
    return plan._reflow(plan.sessions, pinned=1, check=False)


def _instants(plan: TreatmentPlan) -> list[tuple[str, str, int, int, type, type]]:
    return [
        (
            s.start.isoformat(),
            s.end.isoformat(),
            s.start.fold,
            s.end.fold,
            type(s.start),
            type(s.end),
        )
        for s in plan.sessions
    ]


def assert_same(fast: TreatmentPlan, slow: TreatmentPlan) -> None:
    assert fast == slow
    assert repr(fast) == repr(slow)
    assert _instants(fast) == _instants(slow)
    assert to_json(fast) == to_json(slow)
    for made, checked in zip(fast.sessions, slow.sessions, strict=True):
        rebuilt = Session(**attrs.asdict(made, recurse=False))
        assert made == checked == rebuilt
        assert hash(made) == hash(checked) == hash(rebuilt)
        assert pickle.dumps(made) == pickle.dumps(checked)
        assert all(made.start.tzinfo is s.start.tzinfo for s in (checked, rebuilt))


def _both(request: PlanRequest) -> tuple[TreatmentPlan | str, TreatmentPlan | str]:
    assessment = request.assessment()
    answers: list[TreatmentPlan | str] = []
    ours = functools.partial(plan_series, acknowledge_review=request.acknowledge_review)
    for make in (ours, validated_plan):
        try:
            answers.append(
                make(
                    assessment,
                    request.areas,
                    start=request.start,
                    clinic=request.clinic,
                    sessions=request.sessions,
                    interval=request.interval,
                )
            )
        except SchedulingError as error:
            answers.append(str(error))
    return answers[0], answers[1]


@given(plan_requests())
def test_a_new_plan_is_the_plan_of_the_checked_construction(request: PlanRequest) -> None:
    fast, slow = _both(request)
    if isinstance(slow, str):
        assert isinstance(fast, str)
        if not slow.startswith("session 1:"):
            assert fast == slow  # a later session's refusal: the same message
        return
    assert isinstance(fast, TreatmentPlan), fast
    assert_same(fast, slow)


def _client(n: int) -> Client:
    return Client(id=f"c-{n}", birth_date=dt.date(1950 + n % 50, 1 + n % 12, 1 + n % 28))


# Starts every 37 hours and 7 minutes over two years: every weekday, every slot of the day,
# off the slot grid too, across both clock changes of each year, in zones where they fall
# within the opening hours and at midnight.
_STARTS = [(n, dt.timedelta(hours=37 * n, minutes=7 * n)) for n in range(480)]


@pytest.mark.parametrize("zone", ["America/Toronto", "America/Havana", "Australia/Lord_Howe"])
def test_hundreds_of_clients_get_the_plan_of_the_checked_construction(zone: str) -> None:
    clinic = attrs.evolve(example_clinic(), timezone=zone)
    origin = pendulum.datetime(2026, 1, 3, 6, tz=zone)
    planned = 0
    for n, shift in _STARTS:
        start = origin + shift
        client = _client(n)
        assessment = assess(client, ["face"], on=start.date())
        request = PlanRequest(
            client=client, areas=(Area.FACE,), on=start.date(), clinic=clinic, start=start
        )
        fast, slow = _both(request)
        if isinstance(slow, str):
            assert fast == slow or slow.startswith("session 1:"), (n, fast, slow)
            continue
        assert isinstance(fast, TreatmentPlan), (n, fast)
        assert assessment.client_id == fast.client_id
        assert_same(fast, slow)
        planned += 1
    assert planned > 400


def test_a_planned_session_is_the_checked_session() -> None:
    start = pendulum.datetime(2026, 11, 1, 1, 30, tz="America/Toronto", fold=1)
    end = elapsed_after(start, dt.timedelta(minutes=45))
    made = planned_session("p-1.2", 2, start, end, (Area.FACE, Area.NECK))
    checked = Session(id="p-1.2", index=2, start=start, end=end, areas=(Area.FACE, Area.NECK))
    assert made == checked
    assert repr(made) == repr(checked)
    assert hash(made) == hash(checked)
    assert pickle.loads(pickle.dumps(made)).start.fold == 1  # noqa: S301 - our own bytes
    assert pickle.dumps(made) == pickle.dumps(checked)
    assert attrs.asdict(made) == attrs.asdict(checked)


def _plain_utc_before(moment: dt.datetime) -> dt.datetime:
    """`plain_utc` as it was: the conversion (pendulum's own, for its values), then rebuilt."""
    utc = moment.astimezone(dt.UTC)
    fields = (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second, utc.microsecond)
    return dt.datetime(*fields, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "zone",
    [
        zoneinfo.ZoneInfo("America/Toronto"),
        pendulum.timezone("Australia/Lord_Howe"),
        pendulum.timezone("UTC"),
        dt.UTC,
        dt.timezone(dt.timedelta(hours=-3, minutes=-30)),
    ],
)
def test_plain_utc_gives_what_it_gave(zone: dt.tzinfo) -> None:
    origin = dt.datetime(2026, 1, 1, tzinfo=zone)
    for n in range(800):
        local = origin + dt.timedelta(minutes=661 * n, microseconds=n % 3 * 250_001)
        for moment in (local, local.replace(fold=1), pendulum.instance(local)):
            got, expected = plain_utc(moment), _plain_utc_before(moment)
            assert type(got) is dt.datetime
            assert got.tzinfo is dt.UTC
            assert (got, got.fold, got.isoformat()) == (expected, 0, expected.isoformat())


# --- Aftercare: each window's start and end worked out once per distinct length ------------


def _windows_before(plan: TreatmentPlan, rules: RuleSet = RULES) -> tuple[CareWindow, ...]:
    """`aftercare(plan).windows` as they were worked out before: per rule, sorted by a key."""
    prepared = _prepared(rules)
    rows: list[tuple[Any, ...]] = []
    for session in plan.active_sessions:
        start, local = session.start, stdlib_instant(session.start)
        for position, code, rule, days in prepared.precare:
            begin = None if days is None else local - days
            if begin is not None and begin.utcoffset() == begin.replace(fold=1).utcoffset():
                opens: dt.datetime = begin
            else:
                opens = wall_before(start, rule.before)
                begin = stdlib_instant(opens)
            row = (begin, session.index, position, code, PRECARE, rule.description, rule.source)
            rows.append((*row, opens, start))
        end = session.end
        plain = stdlib_instant(end)
        utc = plain.astimezone(dt.UTC)
        for position, code, after, kind, delta in prepared.after_for(session.areas):
            closes = (utc + delta).astimezone(plain.tzinfo)
            row = (plain, session.index, position, code, kind, after.description, after.source)
            rows.append((*row, end, closes))
    rows.sort(key=lambda row: (row[0], row[1], row[2]))
    return _built([(row[1], *row[3:]) for row in rows])


def _shown(windows: tuple[CareWindow, ...]) -> list[tuple[object, ...]]:
    return [
        (repr(w), w.start.isoformat(), w.end.isoformat(), w.start.fold, w.end.fold, type(w.end))
        for w in windows
    ]


@pytest.mark.parametrize("zone", ["America/Toronto", "Australia/Lord_Howe", "Europe/Dublin"])
def test_the_care_windows_of_hundreds_of_plans_are_what_they_were(zone: str) -> None:
    clinic = attrs.evolve(example_clinic(), timezone=zone)
    origin = pendulum.datetime(2026, 1, 3, 6, tz=zone)
    compared = 0
    for n, shift in _STARTS[::2]:
        start = origin + shift
        for areas in ([Area.FACE], [Area.SCALP, Area.NECK]):
            try:
                plan = plan_series(
                    assess(_client(n), areas, on=start.date()), areas, start=start, clinic=clinic
                )
            except SchedulingError:
                continue
            if n % 5 == 0:  # a cancelled session: its windows go, and the series is topped up
                plan = plan.cancel(2)
            assert _shown(aftercare(plan).windows) == _shown(_windows_before(plan))
            compared += 1
    assert compared > 300


# --- Dates by months, and the side effects of a timeline ------------------------------------


def _shift_before(day: dt.date, months: int, days: int, *, forward: bool = False) -> dt.date:
    """`shift_date` as it was: the month's length from `calendar.monthrange`."""
    if months:
        year, month = divmod(day.month - 1 + months, 12)
        year, month = day.year + year, month + 1
        last = calendar.monthrange(year, month)[1]
        if forward and day.day > last:
            day = dt.date.__add__(day.replace(year=year, month=month, day=last), dt.timedelta(1))
        else:
            day = day.replace(year=year, month=month, day=min(day.day, last))
    return dt.date.__add__(day, dt.timedelta(days=days)) if days else day


def _outcome(func: Any, *args: Any, **kwargs: Any) -> object:
    try:
        result = func(*args, **kwargs)
    except (ValueError, OverflowError) as error:
        return type(error), str(error)
    return type(result), result


def test_shift_date_gives_what_it_gave() -> None:
    days = [
        pendulum.date(y, m, d)
        for y in (1, 1900, 2000, 2024, 2026, 9999)
        for m in (1, 2, 12)
        for d in (1, 28, 29, 31)
        if d <= calendar.monthrange(y, m)[1]
    ]
    for day in days:
        for months in (-13, -12, -1, 0, 1, 2, 11, 12, 13, 24, 48, 120):
            for shift in (0, 1, 28, -3):
                for forward in (False, True):
                    args = (day, months, shift)
                    assert _outcome(shift_date, *args, forward=forward) == _outcome(
                        _shift_before, *args, forward=forward
                    ), (args, forward)


def _fold(moment: dt.date) -> int:
    return moment.fold if isinstance(moment, dt.datetime) else -1


def test_the_side_effects_of_hundreds_of_plans_are_what_they_were() -> None:
    clinic = attrs.evolve(example_clinic(), timezone="Australia/Lord_Howe")
    origin = pendulum.datetime(2026, 1, 3, 6, tz=clinic.timezone)
    compared = 0
    for n, shift in _STARTS:
        start = origin + shift
        try:
            plan = plan_series(
                assess(_client(n), ["face"], on=start.date()), ["face"], start=start, clinic=clinic
            )
        except SchedulingError:
            continue
        shown = [
            (m.session, m.code, m.start.isoformat(), m.end.isoformat(), _fold(m.end), type(m.end))
            for m in expected_timeline(plan).of_kind(MilestoneKind.SIDE_EFFECT)
        ]
        before = []
        for session in plan.active_sessions:
            utc = stdlib_instant(session.end).astimezone(dt.UTC)
            for code, effect in RULES.side_effects.items():
                if effect.areas & set(session.areas):
                    closes = as_pendulum(
                        (utc + effect.resolves_within.elapsed()).astimezone(clinic.zone)
                    )
                    row = (session.index, code, session.end.isoformat(), closes.isoformat())
                    before.append((*row, closes.fold, pendulum.DateTime))
        assert shown == before
        compared += 1
    assert compared > 400


# --- An assessment built without its constructor's check -----------------------------------


def assert_checked_assessment(found: Assessment) -> None:
    rebuilt = Assessment(**{f.name: getattr(found, f.name) for f in attrs.fields(Assessment)})
    assert found == rebuilt
    assert repr(found) == repr(rebuilt)
    assert hash(found) == hash(rebuilt)
    assert pickle.dumps(found) == pickle.dumps(rebuilt)
    assert type(found.area_status) is type(rebuilt.area_status)
    assert found.disagreement() is None


@given(plan_requests(plannable=False))
def test_an_assessment_is_the_checked_one(request: PlanRequest) -> None:
    assert_checked_assessment(request.assessment())


def test_hundreds_of_assessments_are_the_checked_ones() -> None:
    for n in range(400):
        day = pendulum.date(2026, 1, 5).add(days=n)
        assert_checked_assessment(assess(_client(n), ["face", "neck"][: 1 + n % 2], on=day))


# --- Windows and milestones at the clock changes themselves ---------------------------------


def _night_clinic(zone: str) -> Clinic:
    day = [(dt.time(0), dt.time(23, 59))]
    hours = OpeningHours(**{name.lower(): day for name in calendar.day_name})
    return attrs.evolve(example_clinic(), timezone=zone, hours=hours)


def _clock_change_starts(zone: str) -> list[pendulum.DateTime]:
    """Starts whose window ends or pre-care starts fall in a gap or a repeated hour."""
    tz = zoneinfo.ZoneInfo(zone)
    changes = []
    day = dt.datetime(2026, 1, 1, 12, tzinfo=tz)
    while day.year == 2026:  # each day whose offset differs from the next one's
        after = day + dt.timedelta(days=1)
        if day.utcoffset() != after.utcoffset():
            changes.append(after.date())
        day = after
    assert changes
    starts = []
    for change in changes:
        # 2 days and 4 weeks before (the pre-care's lengths), 1 and 2 days after the session
        # ends (the aftercare's and side effects' lengths), at every quarter hour of the night.
        for shift in (2, 28, -1, -2, -7, -14):
            base = change + dt.timedelta(days=shift)
            for minutes in range(0, 4 * 60, 15):
                moment = pendulum.datetime(base.year, base.month, base.day, tz=zone)
                starts.append(moment.add(minutes=minutes))
    return starts


@pytest.mark.parametrize("zone", ["America/Toronto", "Europe/Dublin", "Australia/Lord_Howe"])
def test_windows_and_side_effects_at_the_clock_changes_are_what_they_were(zone: str) -> None:
    clinic = _night_clinic(zone)
    compared = 0
    for n, start in enumerate(_clock_change_starts(zone)):
        areas = [Area.FACE] if n % 2 else [Area.SCALP, Area.NECK]
        try:
            plan = plan_series(
                assess(_client(n), areas, on=start.date()), areas, start=start, clinic=clinic
            )
        except SchedulingError:
            continue
        assert _shown(aftercare(plan).windows) == _shown(_windows_before(plan))
        timeline = expected_timeline(plan)
        maintenance = [(m.start, m.end) for m in timeline.of_kind(MilestoneKind.MAINTENANCE)]
        assert maintenance == [(w.opens, w.closes) for w in plan.maintenance]
        effects = [
            (m.session, m.code, m.end.isoformat(), _fold(m.end), type(m.end))
            for m in timeline.of_kind(MilestoneKind.SIDE_EFFECT)
        ]
        assert effects == [
            (s.index, code, ends.isoformat(), ends.fold, pendulum.DateTime)
            for s in plan.active_sessions
            for code, effect in RULES.side_effects.items()
            if effect.areas & set(s.areas)
            for ends in [elapsed_after(s.end, effect.resolves_within.elapsed())]
        ]
        compared += 1
    assert compared > 150
