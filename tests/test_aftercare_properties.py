"""Aftercare and pre-care, by property: the windows over generated plans and rule sets.

The properties compare the library with computations written here from the design's
words ("24 h is 24 real hours", "pre-care ends at the session's start", a window restricts
from its start included to its end excluded), over generated plans in zones with DST and
over rule sets whose durations a clinic changed. The examples are in `test_aftercare`.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import zoneinfo
from collections import Counter
from typing import Final

import attrs
import pendulum
from hypothesis import given, reject, settings
from hypothesis import strategies as st

from mesotherapy import (
    Aftercare,
    CareWindow,
    ClientEvent,
    Clinic,
    RuleSet,
    SchedulingError,
    Span,
    TreatmentPlan,
    aftercare,
    assess,
    expected_timeline,
    plan_document,
    plan_series,
)
from mesotherapy._aftercare import precare_rows
from mesotherapy._clinic import WEEKDAYS
from mesotherapy._rules_io import rules_from_dict, rules_to_dict
from tests.builders import (
    ADULT,
    RULES,
    elapsed,
    local,
    span_elapsed,
    utc,
    with_changes,
)
from tests.conftest import examples
from tests.plan_strategies import area_sets, day_hours, operated, plan_requests

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


# --- Plans and rule sets ----------------------------------------------------------------------


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
    return draw(operated(plan, max_operations=1))[-1], rules


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


@settings(max_examples=examples(50))
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


@settings(max_examples=examples(50))
@given(plans())
def test_the_precare_rows_are_the_precare_windows_in_order(
    drawn: tuple[TreatmentPlan, RuleSet],
) -> None:
    # What `to_ics` writes in each description, worked out without the aftercare windows.
    plan, rules = drawn
    windows = [w for w in aftercare(plan, rules=rules).windows if w.kind == "precare"]
    rows = precare_rows(plan, rules)
    assert [(r[0], r[1], r[3], r[4]) for r in rows] == [
        (w.session, w.activity, w.description, w.source) for w in windows
    ]
    for row, window in zip(rows, windows, strict=True):
        # The same instants, zones and folds (the rows may hold the standard library's type).
        for moment, built in ((row[5], window.start), (row[6], window.end)):
            assert (moment.isoformat(), str(moment.tzinfo)) == (built.isoformat(), plan.timezone)


@settings(max_examples=examples(50))
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


@settings(max_examples=examples(50))
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


@settings(max_examples=examples(50))
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


@settings(max_examples=examples(50))
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
