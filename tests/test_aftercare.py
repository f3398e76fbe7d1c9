"""Aftercare and pre-care, by example: the windows around a session, the questions they answer.

DST days written out, which rules apply where, a client's events, refusals, the article's
aftercare fact by fact, and the plan's document. The properties over generated plans are
in `test_aftercare_properties`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Final

import attrs
import pendulum
import pytest

from mesotherapy import (
    Aftercare,
    Area,
    ClientEvent,
    Conflict,
    InvalidTimeError,
    MesotherapyError,
    RuleSetError,
    Span,
    UnknownCodeError,
    aftercare,
    plan_document,
)
from mesotherapy._rules_io import rules_from_dict, rules_to_dict
from tests.builders import (
    RULES,
    TORONTO,
    elapsed,
    local,
    plan_for,
    saturday_clinic,
    span_elapsed,
    toronto,
    with_changes,
)

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


AWARE: Final = pendulum.datetime(2026, 10, 21, 12, tz=TORONTO)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda care: care.may_i("makeup", NAIVE), r"^at: "),
        (lambda care: care.restricted_at(NAIVE), r"^at: "),
        (
            lambda _: ClientEvent(name="Wedding", start=NAIVE, end=AWARE, activities=["makeup"]),
            r"events\.start",
        ),
        (
            lambda _: ClientEvent(name="Wedding", start=AWARE, end=NAIVE, activities=["makeup"]),
            r"events\.end",
        ),
        (lambda care: care.may_i("makeup", "2026-10-21T09:00"), r"^at: "),
    ],
    ids=["may_i", "restricted_at", "event start", "event end", "text"],
)
def test_naive_times_are_refused(call: Callable[[Aftercare], object], match: str) -> None:
    care = aftercare(plan_for(toronto(2026, 10, 20, 9)))
    with pytest.raises(InvalidTimeError, match=match):
        call(care)


def test_a_window_refuses_a_naive_time_with_the_librarys_error() -> None:
    # BUG: CareWindow.covers lets a TypeError from the comparison escape.
    window = aftercare(plan_for(toronto(2026, 10, 20, 9))).windows[0]
    with pytest.raises(InvalidTimeError):
        window.covers(NAIVE)


@pytest.mark.parametrize("hours", [1, 0], ids=["before", "at the start"])
def test_an_event_that_ends_before_it_starts_is_refused(hours: int) -> None:
    start = toronto(2026, 10, 21, 12)
    end = start.subtract(hours=hours)
    with pytest.raises(InvalidTimeError, match=r"events\.end"):
        ClientEvent(name="Gala", start=start, end=end, activities=["makeup"])


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


def test_a_client_event_in_the_repeated_hour_ends_after_it_starts() -> None:
    # 01:00 EDT, then 01:00 EST an hour later: the same wall clock, two instants.
    start = toronto(2026, 11, 1, 0).add(hours=1)
    end = start.add(hours=1)
    assert (start.isoformat(), end.isoformat()) == (
        "2026-11-01T01:00:00-04:00",
        "2026-11-01T01:00:00-05:00",
    )
    event = ClientEvent(name="night shift", start=start, end=end, activities=["sun"])
    assert event.end.isoformat() == "2026-11-01T01:00:00-05:00"
    with pytest.raises(InvalidTimeError, match=r"events\.end: expected a time after the start"):
        ClientEvent(name="night shift", start=end, end=start, activities=["sun"])
