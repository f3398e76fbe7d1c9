"""Time at the boundary (issue 10): one gate for instants, IANA keys, waits that never end early.

DESIGN.md "Time, decided once": a wall time that does not exist in its own zone is refused
at every entry point, whatever its type and fold; a zone is an IANA key, never a name that
means another zone on each machine; a safety wait or an age limit lifts on the first day
on which its whole period has passed. And "Trust at the boundary": a wrong argument is
refused with the library's error naming it, never a plain Python error.
"""

from __future__ import annotations

import calendar
import datetime as dt
import subprocess
import sys
import zoneinfo
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, NamedTuple

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mesotherapy as meso
from mesotherapy import Span
from mesotherapy._clinic_file import clinic_from_dict
from mesotherapy._model import Client
from mesotherapy._rules import RuleSet
from tests.builders import ADULT
from tests.conftest import examples
from tests.strategies import Scenario, rule_sets, scenarios

# --- One gate for instants: the DST gap, at every public entry point ---------------------------


class Zone(NamedTuple):
    key: str
    gap: tuple[int, int, int, int, int]  # a wall time the clocks skip
    repeated: tuple[int, int, int, int, int]  # a wall time the clocks pass twice
    repeated_utc: tuple[dt.datetime, dt.datetime]  # its instants for fold 0 and fold 1
    plan_day: str  # a day to plan from, some weeks before the gap


ZONES: Final = (
    Zone(
        "America/Toronto",
        (2026, 3, 8, 2, 30),
        (2026, 11, 1, 1, 30),
        (
            dt.datetime(2026, 11, 1, 5, 30, tzinfo=dt.UTC),
            dt.datetime(2026, 11, 1, 6, 30, tzinfo=dt.UTC),
        ),
        "2026-02-02",
    ),
    Zone(
        "Australia/Sydney",  # the southern hemisphere: forward in October, back in April
        (2026, 10, 4, 2, 30),
        (2026, 4, 5, 2, 30),
        (
            dt.datetime(2026, 4, 4, 15, 30, tzinfo=dt.UTC),
            dt.datetime(2026, 4, 4, 16, 30, tzinfo=dt.UTC),
        ),
        "2026-09-07",
    ),
)


def _forms(zone: Zone, fields: tuple[int, int, int, int, int]) -> dict[str, dt.datetime]:
    """*fields* as every kind of aware value a caller may hold: stdlib, pendulum, both folds."""
    stdlib, own = zoneinfo.ZoneInfo(zone.key), pendulum.timezone(zone.key)
    return {
        "stdlib-fold0": dt.datetime(*fields, tzinfo=stdlib),
        "stdlib-fold1": dt.datetime(*fields, tzinfo=stdlib, fold=1),
        "pendulum-fold0": pendulum.DateTime(*fields, tzinfo=own),
        "pendulum-fold1": pendulum.DateTime(*fields, tzinfo=own, fold=1),
        "pendulum-zoneinfo": pendulum.DateTime(*fields, tzinfo=stdlib, fold=1),
    }


class World(NamedTuple):
    clinic: meso.Clinic
    plan: meso.TreatmentPlan
    care: meso.Aftercare


def _world(zone: Zone) -> World:
    clinic = meso.example_clinic(holidays=None, timezone=zone.key)
    result = meso.assess(ADULT, ["face"], on=zone.plan_day)
    plan = meso.plan_series(
        result, ["face"], start=clinic.at(zone.plan_day, "10:00"), clinic=clinic
    )
    return World(clinic, plan, meso.aftercare(plan))


WORLDS: Final = {zone.key: _world(zone) for zone in ZONES}


def _ics(plan: meso.TreatmentPlan, stamp: dt.datetime) -> object:
    pytest.importorskip("icalendar")  # an optional extra
    return meso.to_ics(plan, stamp=stamp)


LATER: Final = dt.timedelta(hours=5)
# Each entry point that takes an instant: its name, the field it names, and the call.
ENTRY_POINTS: Final[tuple[tuple[str, str, Callable[[World, Any], object]], ...]] = (
    (
        "plan_series",
        "start",
        lambda w, v: meso.plan_series(w.plan.assessment, ["face"], start=v, clinic=w.clinic),
    ),
    ("TreatmentPlan.reschedule", "new_start", lambda w, v: w.plan.reschedule(2, v)),
    ("TreatmentPlan.complete", "at", lambda w, v: w.plan.complete(1, at=v)),
    ("TreatmentPlan.next_session", "after", lambda w, v: w.plan.next_session(v)),
    (
        "PlanRequest",
        "start",
        lambda _, v: meso.PlanRequest(client=ADULT, areas=["face"], start=v),
    ),
    (
        "ClientEvent.start",
        "events.start",
        lambda _, v: meso.ClientEvent(
            name="Gala", start=v, end=dt.datetime(2027, 1, 1, tzinfo=dt.UTC), activities="sun"
        ),
    ),
    (
        "ClientEvent.end",
        "events.end",
        lambda _, v: meso.ClientEvent(
            name="Gala", start=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), end=v, activities="sun"
        ),
    ),
    ("Aftercare.may_i", "at", lambda w, v: w.care.may_i("sun", v)),
    ("Aftercare.restricted_at", "at", lambda w, v: w.care.restricted_at(v)),
    ("CareWindow.covers", "instant", lambda w, v: w.care.windows[0].covers(v)),
    (
        "CareWindow.overlaps",
        "start",
        lambda w, v: w.care.windows[0].overlaps(v, dt.datetime(2027, 1, 1, tzinfo=dt.UTC)),
    ),
    ("Clinic.fits", "start", lambda w, v: w.clinic.fits(v, 45)),
    (
        "Clinic.first_slot",
        "not_before",
        lambda w, v: w.clinic.first_slot(v.date(), 45, not_before=v),
    ),
    (
        "Clinic.nearest_slot",
        "not_before",
        lambda w, v: w.clinic.nearest_slot(v.date(), 45, 600, not_before=v),
    ),
    (
        "Clinic.slot_at",
        "not_before",
        lambda w, v: w.clinic.slot_at(v.date(), 45, 600, not_before=v),
    ),
    ("to_ics", "stamp", lambda w, v: _ics(w.plan, v)),
)


@pytest.mark.parametrize("form", list(_forms(ZONES[0], ZONES[0].gap)))
@pytest.mark.parametrize("zone", ZONES, ids=[z.key for z in ZONES])
@pytest.mark.parametrize(
    ("entry", "field", "call"), ENTRY_POINTS, ids=[name for name, _, _ in ENTRY_POINTS]
)
def test_a_wall_time_in_a_dst_gap_is_refused_at_every_entry_point(
    entry: str, field: str, call: Callable[[World, Any], object], zone: Zone, form: str
) -> None:
    value = _forms(zone, zone.gap)[form]
    with pytest.raises(meso.InvalidTimeError) as info:
        call(WORLDS[zone.key], value)
    year, month, day, hour, minute = zone.gap
    wall = f"{year}-{month:02}-{day:02}T{hour:02}:{minute:02}:00"
    assert str(info.value) == (
        f"{field}: {wall} does not exist in {zone.key}: the clocks jump forward over it "
        "(a DST gap), expected a time outside the gap"
    ), entry


@pytest.mark.parametrize("zone", ZONES, ids=[z.key for z in ZONES])
@pytest.mark.parametrize("fold", [0, 1])
@pytest.mark.parametrize("kind", ["stdlib", "pendulum"])
def test_the_repeated_hour_is_accepted_and_its_fold_decides_the_instant(
    zone: Zone, fold: int, kind: str
) -> None:
    value = _forms(zone, zone.repeated)[f"{kind}-fold{fold}"]
    expected = zone.repeated_utc[fold]
    event = meso.ClientEvent(name="Gala", start=value, end=expected + LATER, activities="sun")
    request = meso.PlanRequest(client=ADULT, areas=["face"], start=value)
    for moment in (event.start, request.start):
        assert isinstance(moment, pendulum.DateTime)
        assert moment.astimezone(dt.UTC) == expected
        assert moment.in_timezone(zone.key).fold == fold
        assert moment.timezone_name == zone.key


def test_a_naive_instant_is_still_refused_with_the_same_message() -> None:
    clinic = WORLDS["America/Toronto"].clinic
    with pytest.raises(meso.InvalidTimeError, match=r"^start: expected a time-zone-aware"):
        clinic.fits(dt.datetime(2026, 11, 2, 9), 45)  # noqa: DTZ001 - naive on purpose


def test_plan_series_no_longer_moves_a_stdlib_gap_time_an_hour_early() -> None:
    # Before: fold=1 in the gap became 01:30 EST, an hour *before* the time asked for.
    world = WORLDS["America/Toronto"]
    start: Any = dt.datetime(2026, 3, 8, 2, 30, tzinfo=zoneinfo.ZoneInfo("America/Toronto"), fold=1)
    with pytest.raises(meso.InvalidTimeError, match="does not exist in America/Toronto"):
        meso.plan_series(world.plan.assessment, ["face"], start=start, clinic=world.clinic)


# --- IANA keys only -------------------------------------------------------------------------


MACHINE_ZONES: Final = [
    ("localtime", "is the zone of the machine it runs on"),
    ("posixrules", "is the template of POSIX rules"),
    ("Factory", "is the placeholder of a machine whose zone is not set"),
    ("posix/America/Toronto", "is a copy of a zone that only some machines have"),
    ("right/UTC", "is a copy of a zone that only some machines have"),
]


def _clinic_file(tmp_path: Path, zone: str) -> Path:
    path = tmp_path / "clinic.toml"
    path.write_text(
        f'name = "Lakeside"\ntimezone = "{zone}"\n[hours]\nmonday = [["09:00", "17:00"]]\n'
    )
    return path


ZONE_READERS: Final[tuple[tuple[str, Callable[[str, Path], object]], ...]] = (
    ("example_clinic", lambda zone, _: meso.example_clinic(timezone=zone)),
    ("Clinic", lambda zone, _: meso.Clinic(name="Lakeside", timezone=zone, hours={})),
    (
        "clinic_from_dict",
        lambda zone, _: clinic_from_dict({"name": "L", "timezone": zone, "hours": {}}),
    ),
    ("load_clinic", lambda zone, tmp: meso.load_clinic(_clinic_file(tmp, zone))),
)


@pytest.mark.parametrize(("zone", "why"), MACHINE_ZONES, ids=[z for z, _ in MACHINE_ZONES])
@pytest.mark.parametrize(("reader", "read"), ZONE_READERS, ids=[r for r, _ in ZONE_READERS])
def test_a_machine_dependent_zone_name_is_refused_saying_why(
    reader: str, read: Callable[[str, Path], object], zone: str, why: str, tmp_path: Path
) -> None:
    with pytest.raises(meso.InvalidTimeError) as info:
        read(zone, tmp_path)
    message = str(info.value)
    assert f"timezone: {zone!r} {why}" in message, reader
    assert "another instant on another server" in message
    assert "IANA key" in message


@pytest.mark.parametrize("zone", ["America/Toronto", "Australia/Sydney", "UTC", "Asia/Kathmandu"])
@pytest.mark.parametrize(("reader", "read"), ZONE_READERS, ids=[r for r, _ in ZONE_READERS])
def test_an_iana_key_is_accepted(
    reader: str, read: Callable[[str, Path], object], zone: str, tmp_path: Path
) -> None:
    clinic = read(zone, tmp_path)
    assert isinstance(clinic, meso.Clinic), reader
    assert clinic.timezone == zone


def test_an_unknown_zone_keeps_its_message() -> None:
    with pytest.raises(meso.InvalidTimeError, match=r"^timezone: unknown IANA time zone 'Mars/X'"):
        meso.example_clinic(timezone="Mars/X")


def test_checking_a_zone_never_lists_the_whole_database() -> None:
    # available_timezones() walks and opens every file of the database on disk: checking
    # the clinic's one zone looks at that zone alone, at import time and after.
    code = (
        "import zoneinfo\n"
        "def listed():\n"
        "    raise AssertionError('the whole database listed')\n"
        "zoneinfo.available_timezones = listed\n"
        "import mesotherapy as meso\n"
        "meso.Span.parse('P6M')\n"
        "print(meso.example_clinic().timezone)\n"
    )
    src = str(Path(__file__).parents[1] / "src")
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": src},
    )
    assert done.stdout.split() == ["America/Toronto"]


def test_a_zone_key_is_exactly_one_of_the_available_zones() -> None:
    from mesotherapy._zone_keys import _is_zone_key  # noqa: PLC0415 - the one private check

    available = zoneinfo.available_timezones()
    assert all(_is_zone_key(key) for key in available)
    others = [
        "America",
        "America/",
        "America//Toronto",
        "/etc/passwd",
        "../UTC",
        "Mars/X",
        "zone.tab",
        "tzdata.zi",
        "iso3166.tab",
        "America/toronto_",
        "",
    ]
    assert [key for key in others if _is_zone_key(key)] == [k for k in others if k in available]


# --- Safety waits never end early -----------------------------------------------------------


LIFTS: Final = [
    ("P6M", "2026-08-31", "2027-03-01", "2027-02-28"),  # isotretinoin, the case
    ("P6M", "2026-09-01", "2027-03-01", "2027-03-01"),
    ("P6M", "2026-08-30", "2027-03-01", "2027-02-28"),  # no 30 February either
    ("P6M", "2026-08-28", "2027-02-28", "2027-02-28"),
    ("P1M", "2027-01-31", "2027-03-01", "2027-02-28"),
    ("P1M", "2028-01-31", "2028-03-01", "2028-02-29"),  # a leap year: no 31 February either
    ("P1M", "2028-01-29", "2028-02-29", "2028-02-29"),
    ("P1M", "2026-03-31", "2026-05-01", "2026-04-30"),
    ("P18Y", "2008-02-29", "2026-03-01", "2026-02-28"),  # an 18th birthday in a common year
    ("P4Y", "2008-02-29", "2012-02-29", "2012-02-29"),
    ("P1Y", "2027-12-31", "2028-12-31", "2028-12-31"),
    ("P1M2D", "2027-01-31", "2027-03-03", "2027-03-02"),  # months first, then the days
    ("P2W", "2026-08-31", "2026-09-14", "2026-09-14"),
    ("P30D", "2026-01-31", "2026-03-02", "2026-03-02"),
]


@pytest.mark.parametrize(("span", "since", "lifts", "clamped"), LIFTS)
def test_a_span_lifts_on_the_first_day_its_whole_period_has_passed(
    span: str, since: str, lifts: str, clamped: str
) -> None:
    day = pendulum.parse(since).date()  # type: ignore[union-attr]
    assert str(Span.parse(span).lifts_after(day)) == lifts
    assert str(Span.parse(span).lifts_after(since)) == lifts
    assert str(Span.parse(span).after(day)) == clamped  # advice stays clamped, as pendulum
    assert str(Span.parse(span).after(since)) == clamped


@pytest.mark.parametrize(
    ("on", "status", "until"),
    [
        ("2027-02-28", meso.Candidacy.DEFERRED, "2027-03-01"),
        ("2027-03-01", meso.Candidacy.ELIGIBLE, None),
    ],
)
def test_isotretinoin_last_taken_on_31_august_lifts_on_1_march(
    on: str, status: meso.Candidacy, until: str | None
) -> None:
    taking = meso.Client(
        birth_date="1985-03-02", medications=[{"code": "isotretinoin", "last_taken": "2026-08-31"}]
    )
    result = meso.assess(taking, ["face"], on=on)
    assert result.status is status
    found = [f for f in result.findings if f.code == "isotretinoin"]
    assert [str(f.until) for f in found] == ([until] if until else [])


@pytest.mark.parametrize(
    ("born", "on", "age", "status"),
    [
        ("2008-02-29", "2026-02-28", 17, meso.Candidacy.INELIGIBLE),
        ("2008-02-29", "2026-03-01", 18, meso.Candidacy.ELIGIBLE),
        ("2008-02-29", "2027-02-28", 18, meso.Candidacy.ELIGIBLE),
        ("2004-02-29", "2022-02-28", 17, meso.Candidacy.INELIGIBLE),
        ("2004-02-29", "2022-03-01", 18, meso.Candidacy.ELIGIBLE),
        ("2010-02-28", "2028-02-27", 17, meso.Candidacy.INELIGIBLE),
        ("2010-02-28", "2028-02-28", 18, meso.Candidacy.ELIGIBLE),
        ("2010-03-01", "2028-02-29", 17, meso.Candidacy.INELIGIBLE),
    ],
)
def test_an_age_limit_lifts_when_the_whole_age_is_reached(
    born: str, on: str, age: int, status: meso.Candidacy
) -> None:
    client = meso.Client(birth_date=born)
    assert client.age_on(on) == age
    assert client.age_on(pendulum.parse(on).date()) == age  # type: ignore[union-attr]
    result = meso.assess(client, ["face"], on=on)
    assert result.status is status
    # The age and the minor rule agree: ineligible exactly while under 18.
    assert (result.status is meso.Candidacy.INELIGIBLE) is (age < 18)


def _first_whole(span: Span, since: dt.date) -> dt.date:
    """The first day on which *span* has wholly passed since *since*, stated independently.

    Months and years: the first date whose (year, month, day) is not before the same day
    of the month N months on, a day that may not exist (31 September); then the days.
    """
    months = since.month - 1 + span.years * 12 + span.months
    year, month = since.year + months // 12, months % 12 + 1
    wanted = (year, month, since.day)
    day = dt.date(year, month, 1)
    while (day.year, day.month, day.day) < wanted:
        day += dt.timedelta(days=1)
    return day + dt.timedelta(weeks=span.weeks, days=span.days)


def _dated_facts(client: Client, rules: RuleSet) -> dict[str, list[tuple[Span, dt.date]]]:
    """For each code, the (period, date) pairs of the client's facts that a wait follows."""
    table = rules.contraindications
    facts: dict[str, list[tuple[Span, dt.date]]] = {}
    minor = table.client.get("minor")
    if minor is not None and minor.duration is not None:
        facts.setdefault("minor", []).append((minor.duration, client.birth_date))
    for medication in client.medications:
        rule = table.medications[medication.code]
        if rule.duration is not None and medication.last_taken is not None:
            facts.setdefault(medication.code, []).append((rule.duration, medication.last_taken))
    for treatment in client.treatments:
        rule = table.treatments[treatment.kind]
        if rule.duration is not None:
            facts.setdefault(treatment.kind, []).append((rule.duration, treatment.on))
    return facts


def _check_waits(rules: RuleSet, client: Client, areas: frozenset[meso.Area], on: dt.date) -> None:
    result = meso.assess(client, sorted(areas), on=on.isoformat(), rules=rules)
    facts = _dated_facts(client, rules)
    for finding in result.findings:
        if finding.until is None:
            continue
        followed = facts[finding.code]
        # The wait is the first day its whole period has passed since one of its facts:
        # never before (it would end early), never after (it would defer for nothing).
        assert finding.until in {_first_whole(span, since) for span, since in followed}
        for span, since in followed:
            if finding.until == _first_whole(span, since):
                waited = dt.date.__sub__(finding.until, since)
                assert waited.days >= span.weeks * 7 + span.days
                assert finding.until >= span.after(
                    pendulum.date(since.year, since.month, since.day)
                )
        assert finding.until > on  # a wait that has passed is no finding


@settings(max_examples=examples(50))
@given(scenarios())
def test_every_wait_is_at_least_its_period_and_no_longer(scenario: Scenario) -> None:
    _check_waits(scenario.rules, scenario.client, scenario.areas, scenario.on)


def _month_ends(first: int, last: int) -> st.SearchStrategy[dt.date]:
    """The days a clamp would move (the last three of a month, 29 February among them)."""
    return st.builds(
        lambda year, month, back: dt.date(year, month, calendar.monthrange(year, month)[1] - back),
        st.integers(min_value=first, max_value=last),
        st.integers(min_value=1, max_value=12),
        st.integers(min_value=0, max_value=2),
    )


@settings(max_examples=examples(50))
@given(
    rules=st.just(meso.default_rules()) | rule_sets(),
    born=_month_ends(1996, 2012),
    taken=_month_ends(2018, 2030),
    on=st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2031, 12, 31)),
)
def test_every_wait_from_a_month_end_is_at_least_its_period(
    rules: RuleSet, born: dt.date, taken: dt.date, on: dt.date
) -> None:
    table = rules.contraindications
    dated = [code for code, rule in sorted(table.medications.items()) if rule.duration is not None]
    medications = [{"code": code, "last_taken": taken} for code in dated[:2]]
    treatments = [
        {"kind": kind, "area": "face", "on": taken}
        for kind, rule in sorted(table.treatments.items())
        if rule.duration is not None
    ][:2]
    client = meso.Client(birth_date=born, medications=medications, treatments=treatments)
    _check_waits(rules, client, frozenset({meso.Area.FACE}), max(on, taken))


# --- Plain Python errors escape no more --------------------------------------------------------


def _plan() -> meso.TreatmentPlan:
    return WORLDS["America/Toronto"].plan


# What callers without a type checker pass.
NOTHING: Final[Any] = None
FIVE: Final[Any] = 5
EMPTY: Final[Any] = {}

REFUSALS: Final[tuple[tuple[str, Callable[[], object], type[Exception], str], ...]] = (
    ("load_clinic(None)", lambda: meso.load_clinic(NOTHING), meso.RuleSetError, "path: "),
    (
        "load_clinic(5)",
        lambda: meso.load_clinic(FIVE),
        meso.RuleSetError,
        "path: expected the path",
    ),
    ("plan_document(None)", lambda: meso.plan_document(NOTHING), meso.ClientError, "plan: "),
    ("plan_document({})", lambda: meso.plan_document(EMPTY), meso.ClientError, "plan: "),
    ("Span.after(None)", lambda: Span(months=6).after(NOTHING), meso.InvalidTimeError, "date: "),
    (
        "Span.after('31/08')",
        lambda: Span(months=6).after("31/08/2026"),
        meso.InvalidTimeError,
        "date: ",
    ),
    ("Span.before(None)", lambda: Span(months=6).before(NOTHING), meso.InvalidTimeError, "date: "),
    (
        "Span.lifts_after(datetime)",
        lambda: Span(months=6).lifts_after(pendulum.datetime(2026, 8, 31)),
        meso.InvalidTimeError,
        "date: expected a date (YYYY-MM-DD), got a date and time",
    ),
    ("Client.age_on(None)", lambda: ADULT.age_on(NOTHING), meso.InvalidTimeError, "day: "),
    ("Client.age_on('x')", lambda: ADULT.age_on("2026-13-01"), meso.InvalidTimeError, "day: "),
    (
        "Clinic.first_slot(None)",
        lambda: WORLDS["America/Toronto"].clinic.first_slot(
            NOTHING, 45, not_before=_plan().sessions[0].start
        ),
        meso.InvalidTimeError,
        "day: ",
    ),
    (
        "Clinic.first_slot(not_before=None)",
        lambda: WORLDS["America/Toronto"].clinic.first_slot("2026-11-06", 45, not_before=NOTHING),
        meso.InvalidTimeError,
        "not_before: expected a time-zone-aware date and time",
    ),
    (
        "Clinic.nearest_slot(not_before=None)",
        lambda: WORLDS["America/Toronto"].clinic.nearest_slot(
            "2026-11-06", 45, 600, not_before=NOTHING
        ),
        meso.InvalidTimeError,
        "not_before: expected a time-zone-aware date and time",
    ),
    (
        "Clinic.slot_at(not_before=None)",
        lambda: WORLDS["America/Toronto"].clinic.slot_at("2026-11-06", 45, 600, not_before=NOTHING),
        meso.InvalidTimeError,
        "not_before: expected a time-zone-aware date and time",
    ),
    (
        "Clinic.slot_at(minutes=0)",
        lambda: WORLDS["America/Toronto"].clinic.slot_at(
            "2026-11-06", 0, 600, not_before=_plan().sessions[0].start
        ),
        meso.InvalidTimeError,
        "minutes: ",
    ),
    (
        "Clinic.nearest_slot(wanted=True)",
        lambda: WORLDS["America/Toronto"].clinic.nearest_slot(
            "2026-11-06", 45, wanted=True, not_before=_plan().sessions[0].start
        ),
        meso.InvalidTimeError,
        "wanted: expected a minute of the day",
    ),
    (
        "Clinic.slot_at(wall=1440)",
        lambda: WORLDS["America/Toronto"].clinic.slot_at(
            "2026-11-06", 45, 1440, not_before=_plan().sessions[0].start
        ),
        meso.InvalidTimeError,
        "wall: expected a minute of the day",
    ),
    (
        "OpeningHours.on(None)",
        lambda: WORLDS["America/Toronto"].clinic.hours.on(NOTHING),
        meso.InvalidTimeError,
        "day: ",
    ),
    (
        "CareWindow.overlaps(None)",
        lambda: WORLDS["America/Toronto"].care.windows[0].overlaps(NOTHING, NOTHING),
        meso.InvalidTimeError,
        "start: ",
    ),
)


@pytest.mark.parametrize(
    ("name", "call", "error", "message"), REFUSALS, ids=[r[0] for r in REFUSALS]
)
def test_a_wrong_argument_is_the_librarys_error_naming_it(
    name: str, call: Callable[[], object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value), name


def test_text_days_are_read_like_dates_everywhere() -> None:
    world = WORLDS["America/Toronto"]
    clinic, after = world.clinic, world.clinic.at("2026-11-06", "12:05")
    day = pendulum.date(2026, 11, 6)
    assert clinic.first_slot("2026-11-06", 45, not_before=after) == clinic.first_slot(
        day, 45, not_before=after
    )
    assert clinic.nearest_slot("2026-11-06", 45, 600, not_before=after) == clinic.nearest_slot(
        day, 45, 600, not_before=after
    )
    assert clinic.hours.on("2026-11-06") == clinic.hours.on(day) == clinic.hours.friday
    assert clinic.slot_at("2026-11-09", 45, 600, not_before=after) == clinic.at(
        "2026-11-09", "10:00"
    )


SESSION_CALLS: Final[tuple[tuple[str, Callable[[meso.TreatmentPlan, Any], object]], ...]] = (
    ("session", lambda plan, i: plan.session(i)),
    ("reschedule", lambda plan, i: plan.reschedule(i, plan.sessions[0].start)),
    ("complete", lambda plan, i: plan.complete(i)),
    ("cancel", lambda plan, i: plan.cancel(i)),
    ("no_show", lambda plan, i: plan.no_show(i)),
    ("Aftercare.for_session", lambda plan, i: meso.aftercare(plan).for_session(i)),
)


@pytest.mark.parametrize("index", [True, False, 1.0, "1", None, 1 + 0j], ids=repr)
@pytest.mark.parametrize(("name", "call"), SESSION_CALLS, ids=[n for n, _ in SESSION_CALLS])
def test_a_session_index_is_an_int_and_not_a_bool(
    name: str, call: Callable[[meso.TreatmentPlan, Any], object], index: object
) -> None:
    with pytest.raises(meso.SchedulingError) as info:
        call(_plan(), index)
    assert str(info.value) == (
        f"index: expected a session number (a whole number such as 1), got {index!r}"
    ), name


@pytest.mark.parametrize(("name", "call"), SESSION_CALLS, ids=[n for n, _ in SESSION_CALLS])
def test_a_session_index_that_is_an_int_still_works(
    name: str, call: Callable[[meso.TreatmentPlan, Any], object]
) -> None:
    assert call(_plan(), 1) is not None, name
