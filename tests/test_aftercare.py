"""Aftercare and pre-care: the windows around each session, and the questions they answer.

The properties compare the library with computations written here from the design's
words ("24 h is 24 real hours", "pre-care ends at the session's start", a window restricts
from its start included to its end excluded), over generated plans in zones with DST and
over rule sets whose durations a clinic changed.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import zoneinfo
from collections import Counter
from typing import Any, Final

import attrs
import pendulum
import pytest
from hypothesis import given, note, reject, settings
from hypothesis import strategies as st

from mesotherapy import (
    Aftercare,
    Area,
    CareWindow,
    ClientEvent,
    Clinic,
    Conflict,
    InvalidTimeError,
    MesotherapyError,
    RuleSet,
    RuleSetError,
    SchedulingError,
    Span,
    TreatmentPlan,
    UnknownCodeError,
    aftercare,
    assess,
    expected_timeline,
    plan_document,
    plan_series,
)
from mesotherapy._rules_io import rules_from_dict, rules_to_dict
from tests.builders import ADULT, RULES, TORONTO, plan_for
from tests.plan_strategies import area_sets, day_hours, plan_requests

WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DST_ZONES: Final = (
    "America/Toronto",
    "Australia/Lord_Howe",  # the clocks move by 30 minutes
    "Europe/London",
    "America/St_Johns",
    "Australia/Sydney",
    "Pacific/Chatham",
)
RESTRICTING: Final = frozenset({"avoid", "precare"})
"""The kinds of window that forbid their activity (``do`` windows recommend it)."""


# --- Time, computed here with the standard library -------------------------------------------


def utc(moment: dt.datetime) -> dt.datetime:
    """*moment* as a plain stdlib datetime in UTC, so that subtraction is real time."""
    u = moment.astimezone(dt.UTC)
    return dt.datetime(
        u.year, u.month, u.day, u.hour, u.minute, u.second, u.microsecond, tzinfo=dt.UTC
    )


def elapsed(start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """The real time from *start* to *end*, whatever the clocks did in between."""
    return utc(end) - utc(start)


def span_elapsed(span: Span) -> dt.timedelta:
    """A span of weeks, days, hours and minutes as real time (7 x 24 h a week, 24 h a day)."""
    assert not span.years
    assert not span.months
    return dt.timedelta(weeks=span.weeks, days=span.days, hours=span.hours, minutes=span.minutes)


def local(moment: dt.datetime, zone: str) -> dt.datetime:
    """*moment* on the wall clock of *zone*."""
    return utc(moment).astimezone(zoneinfo.ZoneInfo(zone))


def wall_once(day: dt.date, time: dt.time, zone: str) -> bool:
    """Whether the local *time* on *day* happens exactly once in *zone* (no gap, no repeat)."""
    first = dt.datetime.combine(day, time, tzinfo=zoneinfo.ZoneInfo(zone))
    return first.utcoffset() == first.replace(fold=1).utcoffset()


def months_before(day: dt.date, months: int) -> dt.date:
    """*day* minus calendar *months*, the month end clamped."""
    years, month0 = divmod(day.month - 1 - months, 12)
    year, month = day.year + years, month0 + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def calendar_before(day: dt.date, span: Span) -> dt.date:
    """The local date *span* before *day*: years and months first, then weeks and days."""
    moved = months_before(day, span.years * 12 + span.months)
    return moved - dt.timedelta(weeks=span.weeks, days=span.days)


def toronto(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> pendulum.DateTime:
    return pendulum.datetime(year, month, day, hour, minute, tz=TORONTO)


# --- Plans and rule sets ----------------------------------------------------------------------


def saturday_clinic(zone: str) -> Clinic:
    """A clinic open on weekdays and on Saturdays until 18:00, closed on no holiday."""
    weekday = [("09:00", "18:00")]
    hours = dict.fromkeys(WEEKDAYS[:5], weekday)
    return Clinic(name="Late Saturdays", timezone=zone, hours={**hours, "saturday": weekday})


def with_changes(
    rules: RuleSet, *, version: str | None = None, **tables: dict[str, dict[str, Any]]
) -> RuleSet:
    """*rules* with some keys of some rules replaced; a changed duration drops ``published``."""
    data = rules_to_dict(rules)
    if version is not None:
        data["version"] = version
    for table, changes in tables.items():
        for code, values in changes.items():
            rule = data[table].setdefault(code, {})
            rule.update(values)
            if "duration" in values:
                rule.pop("published", None)
    return rules_from_dict(data)


def elapsed_spans() -> st.SearchStrategy[Span]:
    """A non-zero span of weeks, days, hours and minutes (what an aftercare rule may hold)."""
    return st.builds(
        Span,
        weeks=st.integers(0, 2),
        days=st.integers(0, 6),
        hours=st.integers(0, 47),
        minutes=st.sampled_from((0, 0, 1, 15, 30, 59)),
    ).filter(lambda s: s != Span())


def before_spans() -> st.SearchStrategy[Span]:
    """A non-zero calendar span (what a pre-care rule mostly holds), sometimes months."""
    return st.builds(
        Span,
        months=st.sampled_from((0, 0, 0, 1, 2)),
        weeks=st.integers(0, 5),
        days=st.integers(0, 6),
    ).filter(lambda s: s != Span())


@st.composite
def rule_sets(draw: st.DrawFn) -> RuleSet:
    """The default rules, or a clinic's version of them with other durations.

    Some aftercare durations and pre-care spans change (their ``published`` range
    dropped), and sometimes a rule for some areas only is added.
    """
    if draw(st.booleans()):
        return RULES
    data = rules_to_dict(RULES)
    data["version"] = "clinic-1"
    for rule in data["aftercare"].values():
        if draw(st.booleans()):
            rule["duration"] = str(draw(elapsed_spans()))
            rule.pop("published", None)
    for rule in data["precare"].values():
        if draw(st.booleans()):
            rule["before"] = str(draw(before_spans()))
    if draw(st.booleans()):
        data["aftercare"]["swimming"] = {
            "kind": draw(st.sampled_from(("avoid", "do"))),
            "description": "No swimming pool",
            "duration": str(draw(elapsed_spans())),
            "areas": sorted(a.value for a in draw(area_sets())),
            "source": "clinic_sheets",
        }
    return rules_from_dict(data)


@functools.cache
def transition_days(zone: str) -> tuple[dt.date, ...]:
    """Local dates, 2025 to 2030, around which *zone* changes its offset."""
    tz = zoneinfo.ZoneInfo(zone)
    days: list[dt.date] = []
    previous = None
    day = dt.datetime(2025, 1, 1, 12, tzinfo=dt.UTC)
    while day.year < 2031:
        offset = day.astimezone(tz).utcoffset()
        if previous is not None and offset != previous:
            days.append(day.astimezone(tz).date())
        previous = offset
        day += dt.timedelta(days=1)
    return tuple(days)


def _operated(draw: st.DrawFn, plan: TreatmentPlan) -> TreatmentPlan:
    """*plan*, or *plan* after an operation that leaves a session inactive or completed."""
    operation = draw(st.sampled_from(("none", "none", "cancel", "no_show", "complete")))
    if operation == "none":
        return plan
    planned = [s.index for s in plan.sessions if s.status.value == "planned"]
    try:
        if operation == "complete":
            return plan.complete(planned[0])
        index = draw(st.sampled_from(planned))
        return plan.cancel(index) if operation == "cancel" else plan.no_show(index)
    except SchedulingError:
        return plan


@st.composite
def plans(draw: st.DrawFn) -> tuple[TreatmentPlan, RuleSet]:
    """A plan made with a drawn rule set, and that rule set.

    Half of the plans are generated requests in any zone (odd offsets and DST included);
    the others start a few days before a DST change of a DST zone, at a clinic open every
    day, so that windows of a day or more cross the change.
    """
    rules = draw(rule_sets())
    if draw(st.booleans()):
        request = draw(plan_requests())
        areas, clinic, start, on = request.areas, request.clinic, request.start, request.on
        client, sessions, interval = request.client, request.sessions, request.interval
    else:
        zone = draw(st.sampled_from(DST_ZONES))
        change = draw(st.sampled_from(transition_days(zone)))
        first = change - dt.timedelta(days=draw(st.integers(0, 3)))
        hours = draw(day_hours())
        clinic = Clinic(
            name="Every day", timezone=zone, hours=dict.fromkeys(WEEKDAYS, hours), slot_minutes=5
        )
        start = pendulum.datetime(first.year, first.month, first.day, tz=zone)
        areas, client, sessions, interval = draw(area_sets()), ADULT, None, None
        on = pendulum.date(first.year, first.month, first.day)
    try:
        plan = plan_series(
            assess(client, areas, on=on, rules=rules),
            areas,
            start=start,
            clinic=clinic,
            rules=rules,
            sessions=sessions,
            interval=interval,
            acknowledge_review=True,
        )
    except SchedulingError:
        reject()
    plan = _operated(draw, plan)
    note(plan.explain())
    return plan, rules


def instants_near(care: Aftercare) -> st.SearchStrategy[pendulum.DateTime]:
    """Instants at and around the windows' bounds (a minute either side included)."""
    bounds = sorted({w.start for w in care.windows} | {w.end for w in care.windows})
    offsets = st.sampled_from((0, 0, -1, 1)) | st.integers(-3 * 24 * 60, 3 * 24 * 60)
    return st.builds(lambda at, m: at.add(minutes=m), st.sampled_from(bounds), offsets)


def as_given(moment: pendulum.DateTime, form: str) -> dt.datetime:
    """*moment* as a caller may hold it: pendulum, a stdlib UTC time, or stdlib zoneinfo."""
    if form == "utc":
        return utc(moment)
    if form == "zoneinfo":
        return utc(moment).astimezone(zoneinfo.ZoneInfo("Europe/Paris"))
    return moment


# --- Brute force ------------------------------------------------------------------------------


def restricting(care: Aftercare, activity: str | None = None) -> list[CareWindow]:
    return [
        w
        for w in care.windows
        if w.kind in RESTRICTING and (activity is None or w.activity == activity)
    ]


def inside(window: CareWindow, moment: dt.datetime) -> bool:
    return utc(window.start) <= utc(moment) < utc(window.end)


def free_from(windows: list[CareWindow], moment: dt.datetime) -> dt.datetime:
    """The first instant at or after *moment* that none of *windows* covers."""
    at = utc(moment)
    while True:
        covering = [w for w in windows if inside(w, at)]
        if not covering:
            return at
        at = max(utc(w.end) for w in covering)


def overlaps(window: CareWindow, event: ClientEvent) -> bool:
    """Whether some instant lies both in the window and in the event (both half-open)."""
    return max(utc(window.start), utc(event.start)) < min(utc(window.end), utc(event.end))


# --- Properties -------------------------------------------------------------------------------


@given(plans())
def test_windows_follow_each_session_and_rule(drawn: tuple[TreatmentPlan, RuleSet]) -> None:
    plan, rules = drawn
    care = aftercare(plan, rules=rules)
    expected: Counter[tuple[int, str]] = Counter()
    for session in plan.active_sessions:
        expected.update((session.index, code) for code in rules.precare)
        expected.update(
            (session.index, code)
            for code, rule in rules.aftercare.items()
            if set(rule.areas) & set(session.areas)
        )
    assert Counter((w.session, w.activity) for w in care.windows) == expected
    assert care.activities == set(rules.precare) | set(rules.aftercare)
    starts = [utc(w.start) for w in care.windows]
    assert starts == sorted(starts), "the windows are not in time order"
    for window in care.windows:
        session = plan.session(window.session)
        assert window.start.timezone_name == plan.timezone
        assert window.end.timezone_name == plan.timezone
        if window.kind == "precare":
            before = rules.precare[window.activity]
            assert window.end == session.start
            assert (window.description, window.source) == (before.description, before.source)
            start = local(session.start, plan.timezone)
            day = calendar_before(start.date(), before.before)
            if wall_once(day, start.time(), plan.timezone):
                shown = local(window.start, plan.timezone)
                assert (shown.date(), shown.time()) == (day, start.time())
        else:
            rule = rules.aftercare[window.activity]
            assert window.kind == rule.kind.value
            assert (window.description, window.source) == (rule.description, rule.source)
            assert window.start == session.end
            assert elapsed(window.start, window.end) == span_elapsed(rule.duration)
            assert elapsed(window.start, window.end) == rule.duration.elapsed()


@given(plans(), st.data())
def test_may_i_says_no_exactly_inside_a_restricting_window(
    drawn: tuple[TreatmentPlan, RuleSet], data: st.DataObject
) -> None:
    plan, rules = drawn
    care = aftercare(plan, rules=rules)
    activity = data.draw(st.sampled_from(sorted(care.activities)), label="activity")
    moment = data.draw(instants_near(care), label="at")
    form = data.draw(st.sampled_from(("pendulum", "utc", "zoneinfo")), label="form")
    answer = care.may_i(activity, as_given(moment, form))
    windows = restricting(care, activity)
    covering = [w for w in windows if inside(w, moment)]
    assert answer.activity == activity
    assert utc(answer.at) == utc(moment)
    assert answer.allowed is (not covering)
    assert bool(answer) is answer.allowed
    if not covering:
        assert (answer.allowed_from, answer.reason, answer.source) == (None, None, None)
        return
    assert answer.allowed_from is not None
    assert utc(answer.allowed_from) == free_from(windows, moment)
    assert utc(answer.allowed_from) > utc(moment)
    assert care.may_i(activity, answer.allowed_from).allowed
    assert answer.reason is not None
    assert any(w.description in answer.reason for w in covering)
    assert answer.source in {w.source for w in covering}


@given(plans(), st.data())
def test_restricted_at_is_exactly_the_covering_restrictions(
    drawn: tuple[TreatmentPlan, RuleSet], data: st.DataObject
) -> None:
    plan, rules = drawn
    care = aftercare(plan, rules=rules)
    moment = data.draw(instants_near(care), label="at")
    form = data.draw(st.sampled_from(("pendulum", "utc", "zoneinfo")), label="form")
    found = care.restricted_at(as_given(moment, form))
    assert list(found) == [w for w in restricting(care) if inside(w, moment)]
    for window in found:
        assert not care.may_i(window.activity, moment).allowed


@st.composite
def events_near(draw: st.DrawFn, care: Aftercare) -> list[ClientEvent]:
    activities = sorted(care.activities)
    found = []
    for number in range(draw(st.integers(0, 4))):
        start = draw(instants_near(care))
        minutes = draw(st.sampled_from((1, 60)) | st.integers(1, 5 * 24 * 60))
        found.append(
            ClientEvent(
                name=f"event {number}",
                start=start,
                end=start.add(minutes=minutes),
                activities=draw(st.lists(st.sampled_from(activities), min_size=1, max_size=3)),
            )
        )
    return found


@given(plans(), st.data())
def test_conflicts_are_exactly_the_overlaps(
    drawn: tuple[TreatmentPlan, RuleSet], data: st.DataObject
) -> None:
    plan, rules = drawn
    care = aftercare(plan, rules=rules)
    events = data.draw(events_near(care), label="events")
    expected = Counter(
        (event.name, window)
        for event in events
        for window in restricting(care)
        if window.activity in event.activities and overlaps(window, event)
    )
    found = care.conflicts(events)
    assert Counter((c.event.name, c.window) for c in found) == expected
    keys = [(utc(c.event.start), utc(c.window.start)) for c in found]
    assert keys == sorted(keys)
    for conflict in found:
        assert conflict.event.name in str(conflict)


@given(plans(), st.data())
def test_changing_one_duration_changes_only_that_rules_windows(
    drawn: tuple[TreatmentPlan, RuleSet], data: st.DataObject
) -> None:
    plan, rules = drawn
    code = data.draw(st.sampled_from(sorted(rules.aftercare)), label="rule")
    old = rules.aftercare[code].duration
    new = data.draw(elapsed_spans().filter(lambda s: s != old), label="duration")
    changed = with_changes(rules, aftercare={code: {"duration": str(new)}})
    assert (changed.name, changed.version) == (rules.name, rules.version)
    before, after = aftercare(plan, rules=rules), aftercare(plan, rules=changed)
    assert [w for w in before.windows if w.activity != code] == [
        w for w in after.windows if w.activity != code
    ]
    mine_before = sorted((w for w in before.windows if w.activity == code), key=lambda w: w.session)
    mine_after = sorted((w for w in after.windows if w.activity == code), key=lambda w: w.session)
    assert len(mine_before) == len(mine_after)
    for old_window, new_window in zip(mine_before, mine_after, strict=True):
        assert attrs.evolve(old_window, end=new_window.end) == new_window
        assert elapsed(old_window.end, new_window.end) == span_elapsed(new) - span_elapsed(old)
    assert expected_timeline(plan, rules=rules) == expected_timeline(plan, rules=changed)


# --- DST, explicitly --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "saturday", "ends"),
    [
        # Toronto falls back at 02:00 on Sunday 1 November 2026: 24 h after 17:00 is 16:00.
        (TORONTO, dt.date(2026, 10, 31), "2026-11-01T16:00:00-05:00"),
        # ... and springs forward on Sunday 8 March 2026: 24 h after 17:00 is 18:00.
        (TORONTO, dt.date(2026, 3, 7), "2026-03-08T18:00:00-04:00"),
        # London falls back on Sunday 25 October 2026 and springs forward on 29 March.
        ("Europe/London", dt.date(2026, 10, 24), "2026-10-25T16:00:00+00:00"),
        ("Europe/London", dt.date(2026, 3, 28), "2026-03-29T18:00:00+01:00"),
        # Lord Howe moves its clocks by half an hour: back on 5 April, forward on 4 October.
        ("Australia/Lord_Howe", dt.date(2026, 4, 4), "2026-04-05T16:30:00+10:30"),
        ("Australia/Lord_Howe", dt.date(2026, 10, 3), "2026-10-04T17:30:00+11:00"),
    ],
)
def test_24_hour_windows_are_24_real_hours_across_dst(
    zone: str, saturday: dt.date, ends: str
) -> None:
    assert saturday.weekday() == 5
    start = pendulum.datetime(saturday.year, saturday.month, saturday.day, 16, 15, tz=zone)
    plan = plan_for(start, clinic=saturday_clinic(zone))
    first = plan.session(1)
    assert first.end == pendulum.datetime(saturday.year, saturday.month, saturday.day, 17, tz=zone)
    windows = {w.activity: w for w in aftercare(plan).for_session(1)}
    for code in ("makeup", "exercise", "sauna_steam", "sun"):
        assert windows[code].start == first.end
        assert windows[code].end.isoformat() == ends
        assert elapsed(windows[code].start, windows[code].end) == dt.timedelta(hours=24)
    week = windows["other_procedures"]
    assert elapsed(week.start, week.end) == dt.timedelta(days=7)
    assert local(week.end, zone).date() == saturday + dt.timedelta(days=7)


def test_session_ending_at_17_on_31_october_in_toronto() -> None:
    plan = plan_for(toronto(2026, 10, 31, 16, 15), clinic=saturday_clinic(TORONTO))
    session = plan.session(1)
    assert session.start.isoformat() == "2026-10-31T16:15:00-04:00"
    assert session.end.isoformat() == "2026-10-31T17:00:00-04:00"
    care = aftercare(plan)
    avoid = [w for w in care.for_session(1) if w.kind == "avoid"]
    day_long = [w for w in avoid if w.activity in {"makeup", "exercise", "sauna_steam", "sun"}]
    assert len(day_long) == 4
    assert {w.end.isoformat() for w in day_long} == {"2026-11-01T16:00:00-05:00"}
    # On the wall clock that is 23 hours; in real time it is 24.
    assert elapsed(session.end, day_long[0].end) == dt.timedelta(hours=24)
    still = care.may_i("makeup", toronto(2026, 11, 1, 15, 59))
    assert not still.allowed
    assert still.allowed_from is not None
    assert still.allowed_from.isoformat() == "2026-11-01T16:00:00-05:00"
    assert still.reason == "Avoid makeup (session 1, avoid)"
    assert still.source == "article"
    assert care.may_i("makeup", toronto(2026, 11, 1, 16)).allowed
    # 20:30 UTC is 15:30 EST (16:30 on the day's earlier EDT clock): still inside.
    assert not care.may_i("sun", pendulum.datetime(2026, 11, 1, 20, 30, tz="UTC")).allowed
    assert care.may_i("sun", pendulum.datetime(2026, 11, 1, 21, tz="UTC")).allowed
    at_three = {w.activity for w in care.restricted_at(toronto(2026, 11, 1, 15))}
    # ... and no AHA products: session 2's four weeks of pre-care began on 24 October.
    assert at_three == {"makeup", "exercise", "sauna_steam", "sun", "other_procedures", "aha"}
    at_four = {w.activity for w in care.restricted_at(toronto(2026, 11, 1, 16))}
    assert at_four == {"other_procedures", "aha"}


def test_precare_is_calendar_time_before_the_start_across_dst() -> None:
    # Session 2 on 21 November: four weeks before is 24 October, still on EDT; the wall
    # time stays 16:15 while the real time is 4 weeks and 1 hour.
    plan = plan_for(toronto(2026, 10, 31, 16, 15), clinic=saturday_clinic(TORONTO))
    second = plan.session(2)
    assert second.start.isoformat() == "2026-11-21T16:15:00-05:00"
    aha = next(w for w in aftercare(plan).for_session(2) if w.activity == "aha")
    assert aha.kind == "precare"
    assert aha.start.isoformat() == "2026-10-24T16:15:00-04:00"
    assert aha.end == second.start
    assert elapsed(aha.start, aha.end) == dt.timedelta(weeks=4, hours=1)


# --- Which rules apply where ------------------------------------------------------------------


def test_scalp_sessions_carry_the_hair_washing_rule_and_face_sessions_do_not() -> None:
    start = toronto(2026, 10, 20, 9)
    face = aftercare(plan_for(start))
    scalp = aftercare(plan_for(start, areas=("scalp",)))
    both = aftercare(plan_for(start, areas=("face", "scalp")))
    assert not [w for w in face.windows if w.activity == "hair_washing"]
    assert "hair_washing" in face.activities  # known, so may_i answers rather than refuses
    assert face.may_i("hair_washing", start.add(hours=2)).allowed
    for care in (scalp, both):
        washing = [w for w in care.for_session(1) if w.activity == "hair_washing"]
        assert len(washing) == 1
        assert washing[0].kind == "avoid"
        assert elapsed(washing[0].start, washing[0].end) == dt.timedelta(days=2)
        assert not care.may_i("hair_washing", start.add(days=1)).allowed
    scalp_plan = plan_for(start, areas=("scalp",))
    assert len([w for w in scalp.windows if w.activity == "hair_washing"]) == len(
        scalp_plan.active_sessions
    )


def test_a_clinic_rule_for_some_areas_applies_to_sessions_on_those_areas_only() -> None:
    rules = with_changes(
        RULES,
        version="hands-1",
        aftercare={
            "hand_cream": {
                "kind": "do",
                "description": "Moisturise your hands",
                "duration": "P3D",
                "areas": ["hands"],
                "source": "clinic_sheets",
            }
        },
    )
    start = toronto(2026, 10, 20, 9)
    hands = aftercare(plan_for(start, areas=("hands",), rules=rules), rules=rules)
    face = aftercare(plan_for(start, rules=rules), rules=rules)
    assert [w.activity for w in hands.for_session(1)].count("hand_cream") == 1
    assert "hand_cream" not in [w.activity for w in face.windows]


def test_only_active_sessions_have_windows_and_completed_ones_follow_their_real_time() -> None:
    plan = plan_for(toronto(2026, 10, 20, 9))
    moved = plan.complete(1, at=toronto(2026, 10, 20, 9, 30)).cancel(2)
    care = aftercare(moved)
    assert care.for_session(2) == ()
    assert {w.session for w in care.windows} == {s.index for s in moved.active_sessions}
    makeup = next(w for w in care.for_session(1) if w.activity == "makeup")
    assert makeup.start.isoformat() == "2026-10-20T10:15:00-04:00"
    assert makeup.end.isoformat() == "2026-10-21T10:15:00-04:00"
    missed = aftercare(plan.no_show(3))
    assert missed.for_session(3) == ()


def test_every_window_of_the_default_rules_for_one_face_session() -> None:
    plan = plan_for(toronto(2026, 10, 20, 9))
    got = {
        w.activity: (w.kind, w.start.isoformat(), w.end.isoformat())
        for w in aftercare(plan).for_session(1)
    }
    after = "2026-10-20T09:45:00-04:00"
    day = "2026-10-21T09:45:00-04:00"
    two_days = "2026-10-22T09:45:00-04:00"
    before = "2026-10-20T09:00:00-04:00"
    assert got == {
        "nsaids": ("precare", "2026-10-18T09:00:00-04:00", before),
        "alcohol": ("precare", "2026-10-18T09:00:00-04:00", before),
        "retinoids": ("precare", "2026-10-18T09:00:00-04:00", before),
        "aha": ("precare", "2026-09-22T09:00:00-04:00", before),
        "makeup": ("avoid", after, day),
        "exercise": ("avoid", after, day),
        "sauna_steam": ("avoid", after, day),
        "sun": ("avoid", after, day),
        "other_procedures": ("avoid", after, "2026-10-27T09:45:00-04:00"),
        "hydrating_serum": ("do", after, two_days),
        "water": ("do", after, two_days),
        # 14 x 24 real hours, across the change of 1 November: 08:45 on the wall clock.
        "sunscreen": ("do", after, "2026-11-03T08:45:00-05:00"),
    }


def test_do_windows_restrict_nothing() -> None:
    care = aftercare(plan_for(toronto(2026, 10, 20, 9)))
    at = toronto(2026, 10, 20, 12)
    assert care.may_i("sunscreen", at).allowed
    assert care.may_i("hydrating_serum", at).allowed
    assert all(w.kind != "do" for w in care.restricted_at(at))
    assert {w.restricts for w in care.windows if w.kind == "do"} == {False}
    assert {w.restricts for w in care.windows if w.kind != "do"} == {True}


# --- The client's events ----------------------------------------------------------------------


def test_a_wedding_the_day_after_conflicts_and_a_beach_holiday_a_week_later_does_not() -> None:
    care = aftercare(plan_for(toronto(2026, 10, 20, 9)))  # ends 09:45 on Tuesday
    wedding = ClientEvent(
        name="Wedding",
        start=toronto(2026, 10, 21, 8),
        end=toronto(2026, 10, 21, 23),
        activities=["makeup"],
    )
    beach = ClientEvent(
        name="Beach holiday",
        start=toronto(2026, 10, 27, 12),
        end=toronto(2026, 11, 3, 12),
        activities=["sun"],
    )
    found = care.conflicts([beach, wedding])
    assert len(found) == 1
    assert found[0].event == wedding
    assert (found[0].window.activity, found[0].window.session) == ("makeup", 1)
    assert str(found[0]) == "Wedding: avoid makeup until 2026-10-21 09:45 after session 1"
    assert care.conflicts([beach]) == ()
    # The window ends at 09:45, excluded: a wedding from 09:45 on is fine.
    later = attrs.evolve(wedding, start=toronto(2026, 10, 21, 9, 45))
    assert care.conflicts([later]) == ()
    earlier = attrs.evolve(wedding, start=toronto(2026, 10, 21, 9, 44))
    assert len(care.conflicts([earlier])) == 1


def test_an_event_with_several_activities_conflicts_with_each_window() -> None:
    care = aftercare(plan_for(toronto(2026, 10, 20, 9)))
    race = ClientEvent(
        name="Sunny half-marathon",
        start=toronto(2026, 10, 20, 18),
        end=toronto(2026, 10, 20, 21),
        activities=("exercise", "sun", "sunscreen"),
    )
    found = care.conflicts([race])
    assert sorted(c.window.activity for c in found) == ["exercise", "sun"]
    assert all(isinstance(c, Conflict) for c in found)


def test_an_event_accepts_one_activity_as_text() -> None:
    event = ClientEvent(
        name="Spa",
        start=toronto(2026, 10, 20, 12),
        end=toronto(2026, 10, 20, 14),
        activities="sauna_steam",
    )
    assert event.activities == ("sauna_steam",)


# --- Refusals ---------------------------------------------------------------------------------


def test_an_unknown_activity_is_refused() -> None:
    care = aftercare(plan_for(toronto(2026, 10, 20, 9)))
    with pytest.raises(UnknownCodeError, match="makup") as raised:
        care.may_i("makup", toronto(2026, 10, 20, 12))
    assert isinstance(raised.value, LookupError)
    assert "makeup" in str(raised.value)  # the message lists what was expected


def test_an_event_with_an_unknown_activity_is_refused_rather_than_never_conflicting() -> None:
    # BUG: may_i refuses "makup", but conflicts() ignores it, and reports a wedding with
    # makeup misspelt as free of conflicts.
    care = aftercare(plan_for(toronto(2026, 10, 20, 9)))
    wedding = ClientEvent(
        name="Wedding",
        start=toronto(2026, 10, 21, 8),
        end=toronto(2026, 10, 21, 23),
        activities=["makup"],
    )
    with pytest.raises(UnknownCodeError, match="makup"):
        care.conflicts([wedding])


NAIVE: Final = dt.datetime(2026, 10, 21, 9)  # noqa: DTZ001 - naive on purpose


def test_naive_times_are_refused() -> None:
    care = aftercare(plan_for(toronto(2026, 10, 20, 9)))
    aware = toronto(2026, 10, 21, 12)
    with pytest.raises(InvalidTimeError, match=r"^at: "):
        care.may_i("makeup", NAIVE)
    with pytest.raises(InvalidTimeError, match=r"^at: "):
        care.restricted_at(NAIVE)
    with pytest.raises(InvalidTimeError, match=r"events\.start"):
        ClientEvent(name="Wedding", start=NAIVE, end=aware, activities=["makeup"])
    with pytest.raises(InvalidTimeError, match=r"events\.end"):
        ClientEvent(name="Wedding", start=aware, end=NAIVE, activities=["makeup"])
    with pytest.raises(InvalidTimeError):
        care.may_i("makeup", "2026-10-21T09:00")  # type: ignore[arg-type]


def test_a_window_refuses_a_naive_time_with_the_librarys_error() -> None:
    # BUG: CareWindow.covers lets a TypeError from the comparison escape.
    window = aftercare(plan_for(toronto(2026, 10, 20, 9))).windows[0]
    with pytest.raises(InvalidTimeError):
        window.covers(NAIVE)


def test_an_event_that_ends_before_it_starts_is_refused() -> None:
    start = toronto(2026, 10, 21, 12)
    with pytest.raises(InvalidTimeError, match=r"events\.end"):
        ClientEvent(name="Gala", start=start, end=start.subtract(hours=1), activities=["makeup"])
    with pytest.raises(InvalidTimeError, match=r"events\.end"):
        ClientEvent(name="Gala", start=start, end=start, activities=["makeup"])


def test_a_zero_length_window_restricts_nothing_and_conflicts_with_nothing() -> None:
    # BUG: a rule of PT0H (a clinic that drops a restriction) makes a window that may_i
    # never reports, yet conflicts() reports an event around the session's end.
    rules = with_changes(
        RULES, version="no-makeup-rule", aftercare={"makeup": {"duration": "PT0H"}}
    )
    care = aftercare(plan_for(toronto(2026, 10, 20, 9), rules=rules), rules=rules)
    end = toronto(2026, 10, 20, 9, 45)
    assert care.may_i("makeup", end).allowed
    party = ClientEvent(
        name="Party", start=end.subtract(minutes=5), end=end.add(minutes=5), activities="makeup"
    )
    assert care.conflicts([party]) == ()


@pytest.mark.parametrize(
    ("name", "version"), [("mesotherapy-default", "2099.1"), ("Lakeside rules", "2026.1")]
)
def test_rules_other_than_the_plans_are_refused(name: str, version: str) -> None:
    plan = plan_for(toronto(2026, 10, 20, 9))
    other = with_changes(RULES, version=version)
    other = attrs.evolve(other, name=name)
    with pytest.raises(MesotherapyError, match=re.escape(version)) as raised:
        aftercare(plan, rules=other)
    assert isinstance(raised.value, ValueError)
    with pytest.raises(MesotherapyError):
        plan_document(plan, rules=other)


def test_an_aftercare_duration_in_months_is_refused_when_the_rules_load() -> None:
    data = rules_to_dict(RULES)
    data["version"] = "months"
    data["aftercare"]["sun"]["duration"] = "P1M"
    data["aftercare"]["sun"].pop("published")
    with pytest.raises(RuleSetError, match=r"aftercare\.sun"):
        rules_from_dict(data)


# --- The article's aftercare, every fact ------------------------------------------------------

ARTICLE_AFTERCARE: Final = """\
After treatment, it's important to give your skin time to rest and absorb the nutrients. \
Here are a few aftercare tips:
Avoid makeup for 24 hours.
Skip the gym and sauna for at least a day.
Apply a gentle, hydrating serum or mask.
Use sunscreen daily to protect your results.
Drink plenty of water to maintain hydration from within.
You can return to normal activities immediately, though it's best to avoid makeup and sun \
exposure for 24 hours.
"""
"""The article's aftercare section, and the aftercare sentence of its side-effects section."""

# (phrase of the article, rule key, kind, the least the window must last, the most)
AFTERCARE_FACTS: Final = [
    ("Avoid makeup for 24 hours", "makeup", "avoid", "PT24H", "PT24H"),
    ("Skip the gym and sauna for at least a day", "exercise", "avoid", "PT24H", "P14D"),
    ("Skip the gym and sauna for at least a day", "sauna_steam", "avoid", "PT24H", "P14D"),
    ("Apply a gentle, hydrating serum or mask", "hydrating_serum", "do", "PT1H", "P14D"),
    ("Use sunscreen daily to protect your results", "sunscreen", "do", "P7D", "P30D"),
    ("Drink plenty of water to maintain hydration from within", "water", "do", "PT1H", "P14D"),
    ("avoid makeup and sun exposure for 24 hours", "makeup", "avoid", "PT24H", "PT24H"),
    ("avoid makeup and sun exposure for 24 hours", "sun", "avoid", "PT24H", "PT24H"),
]


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"[.:\n]", text) if s.strip()]


def test_every_aftercare_sentence_of_the_article_maps_to_a_rule() -> None:
    covered = {phrase for phrase, *_ in AFTERCARE_FACTS}
    for sentence in _sentences(ARTICLE_AFTERCARE)[2:]:  # the first two are the preamble
        assert any(phrase in sentence for phrase in covered), f"no rule for {sentence!r}"
    for phrase in covered:
        assert phrase in ARTICLE_AFTERCARE


@pytest.mark.parametrize(("phrase", "code", "kind", "least", "most"), AFTERCARE_FACTS)
def test_each_aftercare_fact_of_the_article_is_a_rule_and_a_window(
    phrase: str, code: str, kind: str, least: str, most: str
) -> None:
    rule = RULES.aftercare[code]
    assert rule.kind.value == kind, phrase
    assert rule.source == "article", phrase
    length = span_elapsed(rule.duration)
    assert span_elapsed(Span.parse(least)) <= length <= span_elapsed(Span.parse(most)), phrase
    # Reachable: every session of a plan has the window, of the rule's length.
    plan = plan_for(toronto(2026, 10, 20, 9))
    windows = [w for w in aftercare(plan).windows if w.activity == code]
    assert [w.session for w in windows] == [s.index for s in plan.active_sessions]
    assert {elapsed(w.start, w.end) for w in windows} == {length}
    assert {w.kind for w in windows} == {kind}


def test_the_article_words_are_the_rules_words() -> None:
    words = {code: RULES.aftercare[code].description for code in RULES.aftercare}
    assert words["makeup"] == "Avoid makeup"
    assert words["hydrating_serum"] == "Apply a gentle, hydrating serum or mask"
    assert words["sunscreen"] == "Use sunscreen daily to protect your results"
    assert words["water"] == "Drink plenty of water to maintain hydration from within"
    assert "gym" in words["exercise"]
    assert "sauna" in words["sauna_steam"]
    assert "sun" in words["sun"]


# --- The plan's document ----------------------------------------------------------------------


ISO_INSTANT: Final = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}")


def _instant(text: str, zone: str) -> dt.datetime:
    assert ISO_INSTANT.fullmatch(text), f"{text!r} is no ISO 8601 instant with an offset"
    parsed = dt.datetime.fromisoformat(text)
    assert parsed.tzinfo is not None, f"{text!r} has no UTC offset"
    assert parsed.utcoffset() == local(parsed, zone).utcoffset(), f"{text!r} is not in {zone}"
    return parsed


@given(plans())
@settings(max_examples=max(10, settings().max_examples // 3))
def test_the_documents_aftercare_lists_every_window_with_offsets(
    drawn: tuple[TreatmentPlan, RuleSet],
) -> None:
    plan, rules = drawn
    document = json.loads(json.dumps(plan_document(plan, rules=rules)))
    care = aftercare(plan, rules=rules)
    listed = document["aftercare"]
    assert len(listed) == len(care.windows)
    for entry, window in zip(listed, care.windows, strict=True):
        assert {"session", "activity", "kind", "from", "until", "source"} <= set(entry)
        before = window.kind == "precare"
        assert (entry["session"], entry["activity"], entry["source"]) == (
            window.session,
            window.activity,
            window.source,
        )
        assert entry["kind"] == ("avoid" if before else window.kind)
        assert entry["kind"] in {"avoid", "do"}
        assert entry["phase"] == ("before" if before else "after")
        assert utc(_instant(entry["from"], plan.timezone)) == utc(window.start)
        assert utc(_instant(entry["until"], plan.timezone)) == utc(window.end)


def test_the_documents_aftercare_for_a_toronto_session() -> None:
    plan = plan_for(toronto(2026, 10, 31, 16, 15), clinic=saturday_clinic(TORONTO))
    document = plan_document(plan)
    makeup = next(
        e for e in document["aftercare"] if e["activity"] == "makeup" and e["session"] == 1
    )
    assert makeup == {
        "session": 1,
        "activity": "makeup",
        "kind": "avoid",
        "phase": "after",
        "description": "Avoid makeup",
        "from": "2026-10-31T17:00:00-04:00",
        "until": "2026-11-01T16:00:00-05:00",
        "source": "article",
    }
    assert document["timezone"] == TORONTO
    assert document["rules"] == {"name": RULES.name, "version": RULES.version}


def test_area_values_are_the_aftercare_rules_areas() -> None:
    # The default hair-washing rule names the scalp, as an Area.
    assert RULES.aftercare["hair_washing"].areas == frozenset({Area.SCALP})
    # Every other rule names its areas too (a rule file must), each an Area.
    assert all(
        rule.areas and all(type(area) is Area for area in rule.areas)
        for rule in RULES.aftercare.values()
    )
