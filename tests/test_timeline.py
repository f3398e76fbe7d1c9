"""What to expect and when: results, side effects and maintenance, dated on the plan.

The properties date every milestone here, from the rules' anchors and offsets in the
clinic's calendar and from side effects' durations in real time, and compare.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zoneinfo
from typing import Final

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mesotherapy import (
    InvalidTimeError,
    MesotherapyError,
    Milestone,
    MilestoneKind,
    RuleSet,
    RuleSetError,
    SchedulingError,
    Span,
    Timeline,
    TreatmentPlan,
    UnknownCodeError,
    assess,
    expected_timeline,
    plan_document,
    plan_series,
)
from mesotherapy._rules_io import rules_from_dict, rules_to_dict
from tests.builders import RULES, elapsed, plan_for, span_elapsed, toronto, utc
from tests.plan_strategies import PlanRequest, operated, plan_requests

ISO_INSTANT: Final = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}")
ARTICLE_ORDER: Final = ("refreshed", "smoother", "series_complete", "lasting", "maintenance_due")


# --- Time, computed here ----------------------------------------------------------------------


def local_day(moment: dt.datetime, zone: str) -> dt.date:
    return utc(moment).astimezone(zoneinfo.ZoneInfo(zone)).date()


def add_months(day: dt.date, months: int) -> dt.date:
    """*day* plus calendar *months*, the month end clamped."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def span_after(span: Span, day: dt.date) -> dt.date:
    """The calendar date *span* after *day*: years and months first, then weeks and days."""
    moved = add_months(day, span.years * 12 + span.months)
    return moved + dt.timedelta(weeks=span.weeks, days=span.days)


def moments(milestone: Milestone) -> tuple[pendulum.DateTime, pendulum.DateTime]:
    """The start and end of a side effect, which are instants rather than dates."""
    assert isinstance(milestone.start, pendulum.DateTime)
    assert isinstance(milestone.end, pendulum.DateTime)
    return milestone.start, milestone.end


def dates(milestone: Milestone) -> tuple[str, str, str]:
    return (milestone.code, str(milestone.start), str(milestone.end))


# --- The timeline, dated here -----------------------------------------------------------------


def anchor_day(anchor: str, plan: TreatmentPlan) -> dt.date | None:
    """The local date of the end of the session an anchor names, if the plan has it."""
    active = plan.active_sessions
    if not active:
        return None
    if anchor == "series_end":
        return local_day(active[-1].end, plan.timezone)
    number = int(anchor.removeprefix("session:"))
    if number > len(active):
        return None
    return local_day(active[number - 1].end, plan.timezone)


def expected_results(
    plan: TreatmentPlan, rules: RuleSet
) -> list[tuple[str, int, dt.date, dt.date]]:
    """The result milestones, dated from the rules, in the order the rules give."""
    found = []
    for code, rule in rules.results.items():
        if not set(rule.areas) & set(plan.areas):
            continue
        first, last = anchor_day(rule.starts_after, plan), anchor_day(rule.ends_after, plan)
        if first is None or last is None:
            continue
        start = span_after(rule.starts_offset, first)
        found.append((code, rule.order, start, max(start, span_after(rule.ends_offset, last))))
    return sorted(found, key=lambda m: (m[1], m[2]))


def calendar_spans() -> st.SearchStrategy[Span]:
    return st.builds(
        Span,
        months=st.sampled_from((0, 0, 1, 3, 6)),
        weeks=st.integers(0, 4),
        days=st.integers(0, 10),
    )


def elapsed_spans() -> st.SearchStrategy[Span]:
    return st.builds(
        Span,
        weeks=st.integers(0, 1),
        days=st.integers(0, 6),
        hours=st.integers(0, 47),
        minutes=st.sampled_from((0, 0, 30)),
    ).filter(lambda s: s != Span())


@st.composite
def timeline_rules(draw: st.DrawFn) -> RuleSet:
    """The default rules, or a clinic's: other orders, anchors and offsets of the results,
    other times for side effects to resolve."""
    if draw(st.booleans()):
        return RULES
    data = rules_to_dict(RULES)
    data["version"] = "clinic-timeline"
    anchors = st.sampled_from(("session:1", "session:2", "session:3", "session:5", "series_end"))
    for rule in data["results"].values():
        if draw(st.booleans()):
            rule["order"] = draw(st.integers(0, 6))
        if draw(st.booleans()):
            rule["starts_after"], rule["ends_after"] = draw(anchors), draw(anchors)
            rule["starts_offset"] = str(draw(calendar_spans()))
            rule["ends_offset"] = str(draw(calendar_spans()))
    for effect in data["side_effects"].values():
        if draw(st.booleans()):
            effect["resolves_within"] = str(draw(elapsed_spans()))
    return rules_from_dict(data)


@st.composite
def plans(draw: st.DrawFn) -> tuple[TreatmentPlan, RuleSet]:
    """A generated plan (any zone, DST and odd offsets included), made with drawn rules,
    perhaps after one operation (`operated`: a reschedule, completion, cancellation or no-show)."""
    rules = draw(timeline_rules())
    request = draw(plan_requests())
    try:
        plan = plan_series(
            assess(request.client, request.areas, on=request.on, rules=rules),
            request.areas,
            start=request.start,
            clinic=request.clinic,
            rules=rules,
            sessions=request.sessions,
            interval=request.interval,
            acknowledge_review=True,
        )
    except SchedulingError:
        plan = plan_for(toronto(2026, 10, 20, 9), areas=request.areas, rules=rules)
    return draw(operated(plan, max_operations=1))[-1], rules


# --- Properties -------------------------------------------------------------------------------


@given(plans())
def test_the_timeline_is_the_rules_dated_on_the_plan(drawn: tuple[TreatmentPlan, RuleSet]) -> None:
    plan, rules = drawn
    timeline = expected_timeline(plan, rules=rules)
    kinds = [m.kind for m in timeline]
    # Results, then the maintenance window, then the side effects.
    sequence = [MilestoneKind.RESULT, MilestoneKind.MAINTENANCE, MilestoneKind.SIDE_EFFECT]
    assert kinds == sorted(kinds, key=sequence.index)
    assert len(timeline) == len(timeline.milestones)
    results = timeline.of_kind(MilestoneKind.RESULT)
    assert [(m.code, m.order, m.start, m.end) for m in results] == expected_results(plan, rules)
    orders = [m.order for m in results]
    assert orders == sorted(orders)
    assert all(m.order == rules.results[m.code].order for m in results)
    assert all(m.description == rules.results[m.code].description for m in results)

    maintenance = timeline.of_kind(MilestoneKind.MAINTENANCE)
    assert [(m.start, m.end) for m in maintenance] == [
        (w.opens, w.closes) for w in plan.maintenance
    ]
    assert {m.code for m in maintenance} <= {"maintenance_due"}
    assert all(m.order > o for m in maintenance for o in orders)

    effects = timeline.of_kind(MilestoneKind.SIDE_EFFECT)
    assert [(m.session, m.code) for m in effects] == [
        (s.index, code) for s in plan.active_sessions for code in rules.side_effects
    ]
    for effect in effects:
        assert effect.session is not None
        rule = rules.side_effects[effect.code]
        session = plan.session(effect.session)
        start, end = moments(effect)
        assert start == session.end
        assert elapsed(start, end) == span_elapsed(rule.resolves_within)
        assert end.timezone_name == plan.timezone
        assert (effect.description, effect.advice, effect.source) == (
            rule.description,
            rule.if_longer,
            rule.source,
        )


@given(plan_requests())
def test_with_the_default_rules_results_come_in_the_articles_order(request: PlanRequest) -> None:
    try:
        plan = request.plan()
    except SchedulingError:
        return
    codes = [m.code for m in expected_timeline(plan) if m.kind is not MilestoneKind.SIDE_EFFECT]
    # The article's results are the skin's; the scalp has its own (a scalp-only plan
    # expects no "fine lines soften").
    skin = any(area.value != "scalp" for area in plan.areas)
    scalp = "scalp" in plan.areas
    expected = [
        *(["refreshed", "smoother"] if skin else []),
        *(["scalp_first", "scalp_growth"] if scalp else []),
        *(["series_complete", "lasting"] if skin else []),
        "maintenance_due",
    ]
    assert codes == expected
    maintenance = expected_timeline(plan).of_kind(MilestoneKind.MAINTENANCE)
    assert [(m.start, m.end) for m in maintenance] == [
        (w.opens, w.closes) for w in plan.maintenance
    ]


# --- Explicit cases ---------------------------------------------------------------------------


def test_a_face_series_from_20_october() -> None:
    plan = plan_for(toronto(2026, 10, 20, 9))
    timeline = expected_timeline(plan)
    assert [dates(m) for m in timeline if m.kind is not MilestoneKind.SIDE_EFFECT] == [
        ("refreshed", "2026-10-20", "2026-10-23"),
        ("smoother", "2026-11-10", "2026-12-08"),
        ("series_complete", "2026-12-22", "2027-01-19"),
        ("lasting", "2027-03-22", "2027-06-22"),
        ("maintenance_due", "2027-03-22", "2027-06-22"),
    ]
    assert [m.order for m in timeline.of_kind(MilestoneKind.RESULT)] == [1, 2, 3, 4]
    assert {m.source for m in timeline.of_kind(MilestoneKind.RESULT)} == {"article"}


def test_the_maintenance_milestone_is_the_plans_maintenance_window() -> None:
    plan = plan_for(toronto(2026, 10, 20, 9))
    done = plan.complete(1).complete(2).complete(3).complete(4)
    fortnightly = plan_for(toronto(2026, 10, 20, 9), interval=14)
    missed = fortnightly.no_show(2)
    assert missed.maintenance != fortnightly.maintenance  # the replacement comes later
    for each in (plan, done, plan.no_show(4), fortnightly, missed):
        (due,) = expected_timeline(each).of_kind(MilestoneKind.MAINTENANCE)
        (window,) = each.maintenance
        assert (due.code, due.start, due.end) == ("maintenance_due", window.opens, window.closes)
        assert due.source == RULES.protocols[each.areas[0]].maintenance_months.source


def test_a_missed_session_moves_the_milestones_that_count_on_it() -> None:
    # 14 days apart: when session 2 is missed, session 3 (28 days after session 1) stays,
    # becomes the second session, and the results after "two or three sessions" wait for it.
    plan = plan_for(toronto(2026, 10, 20, 9), interval=14)
    before = {m.code: m for m in expected_timeline(plan).of_kind(MilestoneKind.RESULT)}
    missed = plan.no_show(2)
    after = {m.code: m for m in expected_timeline(missed).of_kind(MilestoneKind.RESULT)}
    assert dates(before["smoother"]) == ("smoother", "2026-11-03", "2026-11-24")
    assert dates(after["smoother"]) == ("smoother", "2026-11-17", "2026-12-08")
    assert after["smoother"].start > before["smoother"].start
    assert after["smoother"].start == missed.active_sessions[1].end.date()
    assert after["series_complete"].start > before["series_complete"].start
    assert after["series_complete"].start == missed.active_sessions[-1].end.date()
    assert after["refreshed"] == before["refreshed"]  # session 1 was kept
    side = expected_timeline(missed).of_kind(MilestoneKind.SIDE_EFFECT)
    assert 2 not in {m.session for m in side}


def test_a_scalp_series_adds_its_first_results_after_the_third_session() -> None:
    plan = plan_for(toronto(2026, 10, 20, 9), areas=("scalp",))
    results = expected_timeline(plan).of_kind(MilestoneKind.RESULT)
    # The scalp's own results only: the skin's ("fine lines soften") are not a scalp's.
    assert [m.code for m in results] == ["scalp_first", "scalp_growth"]
    first = next(m for m in results if m.code == "scalp_first")
    third = plan.active_sessions[2].end.date()
    assert (first.start, first.end) == (third, third.add(weeks=4))
    face = expected_timeline(plan_for(toronto(2026, 10, 20, 9)))
    assert "scalp_first" not in {m.code for m in face}


def test_side_effects_resolve_at_the_articles_times_with_advice() -> None:
    plan = plan_for(toronto(2026, 10, 31, 10))  # a Saturday: the clocks go back overnight
    session = plan.session(1)
    effects = {
        m.code: m
        for m in expected_timeline(plan).of_kind(MilestoneKind.SIDE_EFFECT)
        if m.session == 1
    }
    assert set(effects) == {"redness", "swelling", "bruising", "tenderness"}
    hours = {"redness": 24, "swelling": 48, "bruising": 48, "tenderness": 48}
    for code, effect in effects.items():
        start, end = moments(effect)
        assert start == session.end
        assert elapsed(start, end) == dt.timedelta(hours=hours[code])
        assert effect.advice is not None
        assert "contact the clinic" in effect.advice
        assert code in effect.advice
        assert effect.source == "article"
    assert moments(effects["redness"])[1].isoformat() == "2026-11-01T09:45:00-05:00"
    assert moments(effects["swelling"])[1].isoformat() == "2026-11-02T09:45:00-05:00"
    assert "a day" in (effects["redness"].advice or "")
    assert "two days" in (effects["bruising"].advice or "")


def test_timeline_queries() -> None:
    plan = plan_for(toronto(2026, 10, 20, 9))
    timeline = expected_timeline(plan)
    assert isinstance(timeline, Timeline)
    assert list(timeline) == list(timeline.milestones)
    on_21 = timeline.on(dt.date(2026, 10, 21))
    assert [(m.code, m.session) for m in on_21] == [
        ("refreshed", None),
        ("redness", 1),
        ("swelling", 1),
        ("bruising", 1),
        ("tenderness", 1),
    ]
    assert [m.code for m in timeline.on(dt.date(2027, 4, 1))] == ["lasting", "maintenance_due"]
    assert timeline.on(dt.date(2026, 10, 19)) == ()
    assert len(timeline) == 5 + 4 * len(plan.active_sessions)


def test_a_day_asked_as_a_date_and_time_is_its_day_or_refused() -> None:
    # BUG: Timeline.on(datetime) lets a TypeError escape ("can't compare DateTime to Date").
    timeline = expected_timeline(plan_for(toronto(2026, 10, 20, 9)))
    moment = toronto(2026, 10, 21, 12)
    try:
        found = timeline.on(moment)
    except MesotherapyError:
        return
    assert found == timeline.on(moment.date())


@pytest.mark.parametrize(
    ("name", "version"), [("mesotherapy-default", "2099.1"), ("Lakeside rules", "2026.1")]
)
def test_rules_other_than_the_plans_are_refused(name: str, version: str) -> None:
    plan = plan_for(toronto(2026, 10, 20, 9))
    data = rules_to_dict(RULES)
    data["name"], data["version"] = name, version
    with pytest.raises(MesotherapyError, match=re.escape(f"{name} {version}")):
        expected_timeline(plan, rules=rules_from_dict(data))


def test_a_side_effect_in_months_is_refused_at_load_or_dated() -> None:
    # BUG: `resolves_within = "P1M"` loads (an aftercare duration in months is refused),
    # then every timeline of a plan made with those rules raises InvalidTimeError.
    data = {
        "extends": "default",
        "name": "Lakeside",
        "version": "1",
        "side_effects": {"redness": {"resolves_within": "P1M"}},
    }
    try:
        rules = rules_from_dict(data)
    except RuleSetError as error:
        refused: str | None = str(error)
    else:
        refused = None
    if refused is not None:
        assert "side_effects.redness.resolves_within" in refused
        return
    plan = plan_for(toronto(2026, 10, 20, 9), rules=rules)
    try:
        timeline = expected_timeline(plan, rules=rules)
    except InvalidTimeError as error:
        pytest.fail(f"rules that loaded cannot date their own side effect: {error}")
    assert timeline.of_kind(MilestoneKind.SIDE_EFFECT)


def test_reordering_results_in_the_rules_reorders_the_timeline() -> None:
    data = rules_to_dict(RULES)
    data["version"] = "reversed"
    for code, order in {"refreshed": 4, "smoother": 3, "series_complete": 2, "lasting": 1}.items():
        data["results"][code]["order"] = order
    rules = rules_from_dict(data)
    plan = plan_for(toronto(2026, 10, 20, 9), rules=rules)
    codes = [m.code for m in expected_timeline(plan, rules=rules)][:5]
    assert codes == ["lasting", "series_complete", "smoother", "refreshed", "maintenance_due"]


# --- The article's side effects and results, every fact ---------------------------------------

ARTICLE_SIDE_EFFECTS: Final = """\
Possible side effects include:
Mild redness or swelling
Temporary bruising
Slight tenderness at injection sites
These effects usually resolve within a day or two.
while you might notice slight redness afterward, it typically subsides within 24 hours.
"""
"""The article's side effects (its safety section, and the sentence about redness after a
session)."""

# (phrase of the article, side effect, the time within which it resolves)
SIDE_EFFECT_FACTS: Final = [
    ("Mild redness or swelling", "redness", "PT24H"),
    ("Mild redness or swelling", "swelling", "P2D"),
    ("Temporary bruising", "bruising", "P2D"),
    ("Slight tenderness at injection sites", "tenderness", "P2D"),
    ("it typically subsides within 24 hours", "redness", "PT24H"),
    ("These effects usually resolve within a day or two", "redness", "PT24H"),
    ("These effects usually resolve within a day or two", "swelling", "P2D"),
    ("These effects usually resolve within a day or two", "bruising", "P2D"),
    ("These effects usually resolve within a day or two", "tenderness", "P2D"),
]

ARTICLE_RESULTS: Final = """\
After one session: Skin feels more hydrated and refreshed.
After 2\u20133 sessions: Fine lines soften, and your complexion looks noticeably smoother.
After completing the series: Your skin appears brighter, firmer, and deeply nourished.
Results typically last 3\u20136 months and can be extended with regular treatments and proper \
skincare.
You may notice a glow within a few days, with full hydration results after two to three \
sessions.
Results typically last three to six months, depending on age, skin type, and lifestyle.
"""
"""The article's results section, and its answers to "how soon" and "how long"."""

# (phrase, milestone, starts after, offset, ends after, offset)
RESULT_FACTS: Final = [
    ("After one session", "refreshed", "session:1", "P0D", "session:1", "P3D"),
    ("more hydrated and refreshed", "refreshed", "session:1", "P0D", "session:1", "P3D"),
    ("a glow within a few days", "refreshed", "session:1", "P0D", "session:1", "P3D"),
    ("After 2\u20133 sessions", "smoother", "session:2", "P0D", "session:3", "P7D"),
    ("Fine lines soften", "smoother", "session:2", "P0D", "session:3", "P7D"),
    ("noticeably smoother", "smoother", "session:2", "P0D", "session:3", "P7D"),
    (
        "full hydration results after two to three sessions",
        "smoother",
        "session:2",
        "P0D",
        "session:3",
        "P7D",
    ),
    ("After completing the series", "series_complete", "series_end", "P0D", "series_end", "P4W"),
    (
        "brighter, firmer, and deeply nourished",
        "series_complete",
        "series_end",
        "P0D",
        "series_end",
        "P4W",
    ),
    ("Results typically last 3\u20136 months", "lasting", "series_end", "P3M", "series_end", "P6M"),
    ("last three to six months", "lasting", "series_end", "P3M", "series_end", "P6M"),
    (
        "depending on age, skin type, and lifestyle",
        "lasting",
        "series_end",
        "P3M",
        "series_end",
        "P6M",
    ),
    (
        "can be extended with regular treatments",
        "maintenance_due",
        "series_end",
        "P3M",
        "series_end",
        "P6M",
    ),
]


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"[.\n]", text) if s.strip()]


@pytest.mark.parametrize(
    ("excerpt", "phrases", "preamble"),
    [
        (ARTICLE_SIDE_EFFECTS, [f[0] for f in SIDE_EFFECT_FACTS], 1),
        (ARTICLE_RESULTS, [f[0] for f in RESULT_FACTS], 0),
    ],
    ids=["side_effects", "results"],
)
def test_every_sentence_of_the_article_maps_to_a_rule(
    excerpt: str, phrases: list[str], preamble: int
) -> None:
    for phrase in phrases:
        assert phrase in excerpt
    for sentence in _sentences(excerpt)[preamble:]:
        assert any(phrase in sentence for phrase in phrases), f"no rule for {sentence!r}"


@pytest.mark.parametrize(("phrase", "code", "within"), SIDE_EFFECT_FACTS)
def test_each_side_effect_of_the_article_is_a_rule_and_a_milestone(
    phrase: str, code: str, within: str
) -> None:
    effect = RULES.side_effects[code]
    assert effect.resolves_within == Span.parse(within), phrase
    assert effect.source == "article"
    assert code in effect.description.lower()
    assert "contact the clinic" in effect.if_longer
    plan = plan_for(toronto(2026, 10, 20, 9))
    found = [m for m in expected_timeline(plan) if m.code == code]
    assert [m.session for m in found] == [s.index for s in plan.active_sessions]
    assert {elapsed(*moments(m)) for m in found} == {span_elapsed(Span.parse(within))}
    assert {m.advice for m in found} == {effect.if_longer}


@pytest.mark.parametrize(
    ("phrase", "code", "starts_after", "starts", "ends_after", "ends"), RESULT_FACTS
)
def test_each_result_of_the_article_is_a_rule_and_a_milestone(  # noqa: PLR0917
    phrase: str, code: str, starts_after: str, starts: str, ends_after: str, ends: str
) -> None:
    plan = plan_for(toronto(2026, 10, 20, 9))
    if code == "maintenance_due":
        bounds = RULES.protocols[plan.areas[0]].maintenance_months
        assert (bounds.min, bounds.max) == (3, 6), phrase
    else:
        rule = RULES.results[code]
        assert (rule.starts_after, rule.ends_after) == (starts_after, ends_after), phrase
        assert rule.starts_offset == Span.parse(starts), phrase
        assert rule.ends_offset == Span.parse(ends), phrase
        assert rule.source == "article"
    (milestone,) = [m for m in expected_timeline(plan) if m.code == code]
    first = anchor_day(starts_after, plan)
    last = anchor_day(ends_after, plan)
    assert first is not None
    assert last is not None
    assert milestone.start == span_after(Span.parse(starts), first)
    assert milestone.end == span_after(Span.parse(ends), last)


# --- The plan's document ----------------------------------------------------------------------


def _check_entry(entry: dict[str, object], milestone: Milestone, zone: str) -> None:
    # An instant is written under from/until, a date under from_date/until_date, never
    # one under the other's key: the key alone says which.
    assert {"code", "description", "from", "until", "from_date", "until_date"} <= set(entry)
    assert (entry["code"], entry["description"]) == (milestone.code, milestone.description)
    for key, value in (("from", milestone.start), ("until", milestone.end)):
        if isinstance(value, dt.datetime):
            text = entry[key]
            assert entry[f"{key}_date"] is None
            assert isinstance(text, str)
            assert ISO_INSTANT.fullmatch(text), f"{text!r} is no ISO 8601 instant with an offset"
            parsed = dt.datetime.fromisoformat(text)
            assert parsed.utcoffset() is not None, f"{text!r} carries no offset"
            shown = utc(parsed).astimezone(zoneinfo.ZoneInfo(zone))
            assert parsed.utcoffset() == shown.utcoffset(), f"{text!r} is not in {zone}"
            assert utc(parsed) == utc(value)
        else:
            text = entry[f"{key}_date"]
            assert entry[key] is None
            assert isinstance(text, str)
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", text), f"{text!r} is no ISO 8601 date"
            assert dt.date.fromisoformat(text) == value


@given(plans())
@settings(max_examples=max(10, settings().max_examples // 3))
def test_the_documents_timeline_lists_every_milestone(drawn: tuple[TreatmentPlan, RuleSet]) -> None:
    plan, rules = drawn
    document = json.loads(json.dumps(plan_document(plan, rules=rules)))
    timeline = expected_timeline(plan, rules=rules)
    assert len(document["timeline"]) == len(timeline)
    for entry, milestone in zip(document["timeline"], timeline, strict=True):
        _check_entry(entry, milestone, plan.timezone)


def test_the_documents_timeline_for_a_toronto_plan() -> None:
    plan = plan_for(toronto(2026, 10, 31, 10))
    entries = plan_document(plan)["timeline"]
    assert entries[0]["code"] == "refreshed"
    assert (entries[0]["from_date"], entries[0]["until_date"]) == ("2026-10-31", "2026-11-03")
    assert (entries[0]["from"], entries[0]["until"]) == (None, None)
    redness = next(e for e in entries if e["code"] == "redness" and e["session"] == 1)
    assert redness["from"] == "2026-10-31T10:45:00-04:00"
    assert redness["until"] == "2026-11-01T09:45:00-05:00"
    assert (redness["from_date"], redness["until_date"]) == (None, None)
    assert "contact the clinic" in redness["advice"]
    due = next(e for e in entries if e["code"] == "maintenance_due")
    window = plan.maintenance[0]
    assert (due["from_date"], due["until_date"]) == (
        window.opens.isoformat(),
        window.closes.isoformat(),
    )
    assert (due["from"], due["until"]) == (None, None)


def test_of_kind_reads_a_kind_by_its_name_and_refuses_a_typo() -> None:
    timeline = expected_timeline(plan_for(toronto(2026, 10, 20, 9)))
    by_name = timeline.of_kind("side_effect")
    assert by_name == timeline.of_kind(MilestoneKind.SIDE_EFFECT)
    assert len(by_name) == 4 * len(RULES.side_effects)
    with pytest.raises(UnknownCodeError, match=r"^kind: unknown kind of milestone 'sideeffect'"):
        timeline.of_kind("sideeffect")
