"""The iCalendar export: what a calendar reads back is the plan, to the second and the zone.

Every check parses the text with ``icalendar.Calendar.from_ical`` and compares with the
plan: instants in UTC, the ``TZID`` and the VTIMEZONE that the file carries (read through
the file's own VTIMEZONE, not the system's zone database), the statuses, the UIDs, the
reminders and the maintenance window.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import sys
import uuid
import zoneinfo
from pathlib import Path
from typing import Any, Final

import attrs
import icalendar
import pendulum
import pytest
from hypothesis import given, settings

from mesotherapy import (
    Client,
    ClientError,
    InvalidTimeError,
    MissingExtraError,
    RuleSetError,
    TreatmentPlan,
    assess,
    example_clinic,
    plan_series,
    to_dict,
)
from mesotherapy.ical import (
    _UID_NAMESPACE,
    PRODID,
    ical_calendar,
    maintenance_uid,
    session_uid,
    to_ics,
)
from tests.builders import RULES, TORONTO, example_plan, utc
from tests.conftest import examples
from tests.plan_strategies import operated_plans, plans_in_any_state

GOLDEN: Final = Path(__file__).parents[1] / "golden" / "example-plan.ics"
"""The example plan's calendar. To write it again after a deliberate change, run
``to_ics(example_plan(concerns=()))`` and save the text as it is (CRLF line ends), then read
the diff.
"""


def prop(component: icalendar.Component, name: str) -> Any:
    """A property of *component* (its value classes differ; the tests know which it is)."""
    return component[name]


def parse(text: str) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(text)


def session_events(calendar: icalendar.Component) -> list[icalendar.Component]:
    """The VEVENTs of sessions (they carry the plan's status), in the file's order."""
    return [e for e in calendar.walk("VEVENT") if "X-MESOTHERAPY-STATUS" in e]


def maintenance_events(calendar: icalendar.Component) -> list[icalendar.Component]:
    return [e for e in calendar.walk("VEVENT") if "X-MESOTHERAPY-STATUS" not in e]


def vtimezones(calendar: icalendar.Component) -> dict[str, dt.tzinfo]:
    """Each VTIMEZONE of the file as a tzinfo built from the file alone."""
    zones: dict[str, dt.tzinfo] = {}
    for component in calendar.walk("VTIMEZONE"):
        assert isinstance(component, icalendar.Timezone)
        zones[str(component["TZID"])] = component.to_tz(lookup_tzid=False)
    return zones


def read_instant(prop: Any, zones: dict[str, dt.tzinfo]) -> tuple[dt.datetime, str | None]:
    """The instant of a DTSTART/DTEND read through the file's own VTIMEZONE, and its TZID.

    A value with a TZID is read as the local time it is, in the zone the file defines.
    """
    value = prop.dt
    assert isinstance(value, dt.datetime)
    tzid = prop.params.get("TZID")
    if tzid is None:
        assert value.utcoffset() == dt.timedelta(0), value  # UTC, written with a Z
        return utc(value), None
    wall = value.replace(tzinfo=None)
    return utc(wall.replace(tzinfo=zones[tzid])), str(tzid)


def exact_transitions(zone: str, first: dt.datetime, last: dt.datetime) -> list[dt.datetime]:
    """The UTC instants, to the minute, where *zone* changes offset between two instants."""
    tz = zoneinfo.ZoneInfo(zone)
    found = []
    moment = first
    while moment < last:
        following = moment + dt.timedelta(minutes=1)
        if moment.astimezone(tz).utcoffset() != following.astimezone(tz).utcoffset():
            found.append(following)
        moment = following
    return found


# --- The example plan -------------------------------------------------------------------------


def test_the_example_plan_matches_its_golden_file() -> None:
    text = to_ics(example_plan(concerns=()))
    # RFC 5545 lines end with CRLF; the comparison itself ignores how git stored the file.
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert text.replace("\r\n", "\n") == GOLDEN.read_text(encoding="utf-8").replace("\r\n", "\n")


def test_the_calendar_says_who_made_it_and_how_to_read_it() -> None:
    calendar = parse(to_ics(example_plan(concerns=())))
    assert str(calendar["PRODID"]) == PRODID == "-//mesotherapy//mesotherapy//EN"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    # METHOD:PUBLISH needs an ORGANIZER (RFC 5546), and the clinic has no e-mail to name.
    assert "METHOD" not in calendar
    assert "ORGANIZER" not in to_ics(example_plan(concerns=()))


def test_every_session_comes_back_at_its_instant_in_the_clinic_zone() -> None:
    plan = example_plan(concerns=())
    calendar = parse(to_ics(plan))
    zones = vtimezones(calendar)
    events = session_events(calendar)
    assert len(events) == len(plan.sessions) == 4
    for session, event in zip(plan.sessions, events, strict=True):
        assert prop(event, "DTSTART").params["TZID"] == TORONTO
        assert prop(event, "DTEND").params["TZID"] == TORONTO
        # Through the system's zone database (icalendar knows the IANA name)...
        assert utc(prop(event, "DTSTART").dt) == utc(session.start)
        assert utc(prop(event, "DTEND").dt) == utc(session.end)
        # ...and through the VTIMEZONE the file carries.
        assert read_instant(event["DTSTART"], zones) == (utc(session.start), TORONTO)
        assert read_instant(event["DTEND"], zones) == (utc(session.end), TORONTO)


def test_the_vtimezone_covers_the_november_change_in_toronto() -> None:
    plan = example_plan(concerns=())
    text = to_ics(plan)
    calendar = parse(text)
    [timezone] = calendar.walk("VTIMEZONE")
    assert str(timezone["TZID"]) == TORONTO
    assert {str(prop(c, "TZOFFSETTO").to_ical()) for c in timezone.walk("DAYLIGHT")} == {"-0400"}
    assert {str(prop(c, "TZOFFSETTO").to_ical()) for c in timezone.walk("STANDARD")} == {"-0500"}
    # Session 1 is before the change (EDT), session 2 after it (EST), at 09:00 both.
    assert "DTSTART;TZID=America/Toronto:20261020T090000" in text
    assert "DTSTART;TZID=America/Toronto:20261110T090000" in text
    zone = vtimezones(calendar)[TORONTO]
    first, second = (
        prop(e, "DTSTART").dt.replace(tzinfo=zone) for e in session_events(calendar)[:2]
    )
    assert first.utcoffset() == dt.timedelta(hours=-4)
    assert second.utcoffset() == dt.timedelta(hours=-5)
    assert utc(first) == dt.datetime(2026, 10, 20, 13, tzinfo=dt.UTC)
    assert utc(second) == dt.datetime(2026, 11, 10, 14, tzinfo=dt.UTC)
    # The changes the VTIMEZONE defines are the zone database's, to the minute.
    assert isinstance(timezone, icalendar.Timezone)
    starts, _ = timezone.get_transitions()
    begin, end = dt.datetime(2026, 1, 1, 5, tzinfo=dt.UTC), dt.datetime(2028, 1, 1, tzinfo=dt.UTC)
    changes = [t.replace(tzinfo=dt.UTC) for t in starts[1:]]
    changes = [t for t in changes if begin <= t < end]
    assert changes == exact_transitions(TORONTO, begin, end)
    assert changes[:2] == [
        dt.datetime(2026, 3, 8, 7, tzinfo=dt.UTC),  # 02:00 EST becomes 03:00 EDT
        dt.datetime(2026, 11, 1, 6, tzinfo=dt.UTC),  # 02:00 EDT becomes 01:00 EST
    ]


def test_the_vtimezone_keeps_moroccos_ramadan_break() -> None:
    # Africa/Casablanca leaves +01:00 for +00:00 for about five weeks around Ramadan
    # (2027-02-07 to 2027-03-14): icalendar's own add_missing_timezones() misses it.
    zone = "Africa/Casablanca"
    client = Client(id="c-002", birth_date="1985-03-02")
    plan = plan_series(
        assess(client, ["face"], on="2027-01-20"),
        ["face"],
        start=pendulum.datetime(2027, 2, 1, 9, tz=zone),
        clinic=example_clinic(holidays=None, timezone=zone),
    )
    offsets = {s.start.utcoffset() for s in plan.sessions}
    assert offsets == {dt.timedelta(hours=1), dt.timedelta(0)}
    calendar = parse(to_ics(plan))
    zones = vtimezones(calendar)
    for session, event in zip(plan.sessions, session_events(calendar), strict=True):
        assert read_instant(event["DTSTART"], zones) == (utc(session.start), zone)
        assert read_instant(event["DTEND"], zones) == (utc(session.end), zone)
    [timezone] = calendar.walk("VTIMEZONE")
    assert isinstance(timezone, icalendar.Timezone)
    starts, _ = timezone.get_transitions()
    begin, end = (
        dt.datetime(2026, 12, 31, 23, tzinfo=dt.UTC),
        dt.datetime(2028, 1, 1, tzinfo=dt.UTC),
    )
    changes = [t.replace(tzinfo=dt.UTC) for t in starts[1:]]
    assert [t for t in changes if begin <= t < end] == exact_transitions(zone, begin, end)


def test_a_time_in_the_second_pass_of_the_repeated_hour_is_written_in_utc() -> None:
    # 01:30 happens twice in Toronto on 2026-11-01; a TZID value would name the first.
    second_pass = pendulum.datetime(2026, 11, 1, 6, 30, tz="UTC").in_timezone(TORONTO)
    assert second_pass.utcoffset() == dt.timedelta(hours=-5)
    plan = example_plan(concerns=()).complete(1, at=second_pass)
    text = to_ics(plan)
    assert "DTSTART:20261101T063000Z" in text
    assert "DTEND;TZID=America/Toronto:20261101T021500" in text  # 02:15 happens once
    calendar = parse(text)
    zones = vtimezones(calendar)
    for session, event in zip(plan.sessions, session_events(calendar), strict=True):
        assert read_instant(event["DTSTART"], zones)[0] == utc(session.start)
        assert read_instant(event["DTEND"], zones)[0] == utc(session.end)


def test_summaries_count_the_sessions_and_name_the_areas() -> None:
    calendar = parse(to_ics(example_plan(concerns=())))
    assert [str(e["SUMMARY"]) for e in session_events(calendar)] == [
        f"Mesotherapy session {n} of 4 (face, neck)" for n in (1, 2, 3, 4)
    ]
    assert all(str(e["LOCATION"]) == "Example Clinic" for e in calendar.walk("VEVENT"))


def test_the_description_names_the_areas_and_the_pre_care() -> None:
    plan = example_plan(concerns=())
    calendar = parse(to_ics(plan))
    for session, event in zip(plan.sessions, session_events(calendar), strict=True):
        text = str(event["DESCRIPTION"])
        assert "Areas: face, neck" in text
        for code, rule in RULES.precare.items():
            assert rule.description in text, code
        aha = session.start.subtract(weeks=4).format("YYYY-MM-DD HH:mm")
        assert f"- from {aha}: No AHA (alpha hydroxy acid) products" in text


def test_a_day_before_reminder_on_each_planned_session() -> None:
    plan = example_plan(concerns=())
    text = to_ics(plan)
    calendar = parse(text)
    for event in session_events(calendar):
        [alarm] = event.walk("VALARM")
        assert str(alarm["ACTION"]) == "DISPLAY"
        assert prop(alarm, "TRIGGER").dt == dt.timedelta(days=-1)
        assert str(alarm["DESCRIPTION"]).startswith("Tomorrow at 09:00: Mesotherapy session")
    assert text.count("TRIGGER:-P1D") == 4
    # A nominal day, never 24 hours written as a duration.
    assert "DURATION" not in text
    assert "PT24H" not in text


def test_cancelled_and_missed_sessions_stay_as_cancelled_events() -> None:
    plan = example_plan(concerns=()).complete(1).cancel(2).no_show(3)
    calendar = parse(to_ics(plan))
    events = session_events(calendar)
    assert len(events) == len(plan.sessions) == 6
    statuses = [(str(e["STATUS"]), str(e["X-MESOTHERAPY-STATUS"])) for e in events]
    assert statuses == [
        ("CONFIRMED", "completed"),
        ("CANCELLED", "cancelled"),
        ("CANCELLED", "no_show"),
        ("CONFIRMED", "planned"),
        ("CONFIRMED", "planned"),
        ("CONFIRMED", "planned"),
    ]
    summaries = [str(e["SUMMARY"]) for e in events]
    assert summaries[1] == "Mesotherapy session 2 of 4 (face, neck) - cancelled"
    assert summaries[2] == "Mesotherapy session 2 of 4 (face, neck) - missed (no-show)"
    assert summaries[3:] == [f"Mesotherapy session {n} of 4 (face, neck)" for n in (2, 3, 4)]
    # Reminders only for what is still to come; no pre-care for what will not happen.
    assert [len(e.walk("VALARM")) for e in events] == [0, 0, 0, 1, 1, 1]
    assert "Before this session" not in str(events[1]["DESCRIPTION"])
    zones = vtimezones(calendar)
    for session, event in zip(plan.sessions, events, strict=True):
        assert read_instant(event["DTSTART"], zones) == (utc(session.start), TORONTO)


def test_the_maintenance_window_is_one_day_when_it_opens_with_a_reminder() -> None:
    plan = example_plan(concerns=())
    text = to_ics(plan)
    [event] = maintenance_events(parse(text))
    [window] = plan.maintenance
    assert str(event["STATUS"]) == "TENTATIVE"
    assert str(event["TRANSP"]) == "TRANSPARENT"
    # One day, the day it opens (DTEND is exclusive), not the 93 days of the window.
    assert prop(event, "DTSTART").dt == dt.date(2027, 3, 22) == window.opens
    assert prop(event, "DTEND").dt == dt.date(2027, 3, 23)
    assert "DTSTART;VALUE=DATE:20270322" in text
    assert "DTEND;VALUE=DATE:20270323" in text
    summary = "Mesotherapy maintenance due from 2027-03-22 to 2027-06-22 (face, neck)"
    assert str(event["SUMMARY"]) == summary
    assert "2027-03-22 to 2027-06-22" in str(event["DESCRIPTION"])
    # A reminder at 09:00 of that day, wherever the client is.
    [alarm] = event.walk("VALARM")
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert prop(alarm, "TRIGGER").dt == dt.timedelta(hours=9)
    assert str(alarm["DESCRIPTION"]) == f"Time to book: {summary}"
    assert "VTODO" not in text


# --- UIDs and DTSTAMP -------------------------------------------------------------------------


def uids(text: str) -> list[str]:
    return [str(e["UID"]) for e in parse(text).walk("VEVENT")]


def test_uids_are_unique_and_the_same_at_every_export() -> None:
    plan = example_plan(concerns=())
    first, second = to_ics(plan), to_ics(example_plan(concerns=()))
    assert first == second
    assert uids(first) == uids(second)
    assert len(set(uids(first))) == len(uids(first)) == 5


def uid_of_id(plan: TreatmentPlan, text: str) -> dict[str, str]:
    """Each session id of *plan* and the UID of its event in *text* (in the same order)."""
    events = session_events(parse(text))
    return {s.id: str(e["UID"]) for s, e in zip(plan.sessions, events, strict=True)}


def test_uids_follow_the_session_ids_through_the_operations() -> None:
    # Identity follows the session's id, never its position: every session keeps its UID
    # wherever the operation moves it, and the replacement has a UID of its own.
    plan = example_plan(concerns=())
    before = uid_of_id(plan, to_ics(plan))
    later = plan.cancel(2)
    after = uid_of_id(later, to_ics(later))
    assert {k: after[k] for k in before} == before
    [replacement] = [s for s in later.sessions if s.replaces is not None]
    assert after[replacement.id] not in before.values()
    assert len(set(after.values())) == len(after)
    for session in later.sessions:
        assert after[session.id] == session_uid(session)
    # The maintenance window is the same item, moved.
    assert maintenance_events(parse(to_ics(later)))[0]["UID"] == maintenance_uid(plan, 1)


def test_a_uid_is_a_uuid5_of_the_session_id_alone() -> None:
    plan = example_plan(concerns=())
    [first, *_] = plan.sessions
    expected = uuid.uuid5(_UID_NAMESPACE, f"session/{first.id}")
    assert session_uid(first) == str(expected)
    assert uuid.UUID(session_uid(first)).version == 5
    # Nothing else goes in: another session with that id has that UID.
    assert session_uid(attrs.evolve(first, index=9, start=first.start.add(days=1))) == str(expected)
    # A given plan id never shows in the calendar.
    given = plan_series(
        assess(Client(id="c-001", birth_date="1985-03-02"), ["face"], on="2026-10-20"),
        ["face"],
        start=pendulum.datetime(2026, 10, 20, 9, tz=TORONTO),
        clinic=example_clinic(),
        plan_id="Jane-Doe-1985",
    )
    assert "Jane" not in to_ics(given)


def test_uids_differ_between_clients_and_series() -> None:
    ours = set(uids(to_ics(example_plan(concerns=()))))
    assert ours.isdisjoint(uids(to_ics(example_plan("c-002", concerns=()))))
    assert ours.isdisjoint(uids(to_ics(example_plan(None, concerns=()))))
    assert ours.isdisjoint(uids(to_ics(example_plan(areas=("face",), concerns=()))))


def test_dtstamp_is_the_stamp_given_in_utc_else_the_first_start() -> None:
    plan = example_plan(concerns=())
    default = parse(to_ics(plan))
    assert {prop(e, "DTSTAMP").dt for e in default.walk("VEVENT")} == {
        dt.datetime(2026, 10, 20, 13, tzinfo=dt.UTC)
    }
    stamp = dt.datetime(2026, 9, 1, 12, tzinfo=zoneinfo.ZoneInfo(TORONTO))
    stamped = to_ics(plan, stamp=stamp)
    assert stamped.count("DTSTAMP:20260901T160000Z") == 5
    with pytest.raises(InvalidTimeError, match="stamp"):
        to_ics(plan, stamp=dt.datetime(2026, 9, 1, 12))  # noqa: DTZ001 - naive on purpose


# --- Refusals ---------------------------------------------------------------------------------


def test_without_icalendar_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    plan = example_plan(concerns=())
    monkeypatch.setitem(sys.modules, "icalendar", None)
    with pytest.raises(MissingExtraError, match=r"mesotherapy\[ical\]"):
        to_ics(plan)
    with pytest.raises(ImportError):  # MissingExtraError is an ImportError too
        ical_calendar(plan)


def test_wrong_arguments_raise_the_library_errors() -> None:
    plan = example_plan(concerns=())
    with pytest.raises(ClientError, match="plan: expected a TreatmentPlan"):
        to_ics(to_dict(plan))  # type: ignore[arg-type]
    with pytest.raises(RuleSetError, match="rules: expected a RuleSet"):
        to_ics(plan, rules={})  # type: ignore[arg-type]
    with pytest.raises(ClientError, match="the plan was made with"):
        to_ics(plan, rules=attrs.evolve(RULES, version="2099.1"))
    with pytest.raises(ClientError, match="at least one session"):
        to_ics(attrs.evolve(plan, sessions=()))


# --- Properties over generated plans ----------------------------------------------------------


@settings(max_examples=examples(40))
@given(plans_in_any_state(max_operations=1))
def test_a_round_trip_keeps_every_session_and_instant(plan: TreatmentPlan) -> None:
    text = to_ics(plan)
    assert to_ics(plan) == text
    calendar = parse(text)
    zones = vtimezones(calendar)
    events = session_events(calendar)
    assert len(events) == len(plan.sessions)
    assert len({str(e["UID"]) for e in calendar.walk("VEVENT")}) == len(calendar.walk("VEVENT"))
    zone = zoneinfo.ZoneInfo(plan.timezone)
    for session, event in zip(plan.sessions, events, strict=True):
        assert str(event["X-MESOTHERAPY-STATUS"]) == session.status.value
        for name, moment in (("DTSTART", session.start), ("DTEND", session.end)):
            instant, tzid = read_instant(event[name], zones)
            assert instant == utc(moment), name
            assert utc(prop(event, name).dt) == utc(moment), name
            if tzid is None:  # UTC: a zone at +00:00 then, or the second pass of an hour
                local = utc(moment).astimezone(zone)
                assert local.utcoffset() == dt.timedelta(0) or local.fold == 1, name
            else:
                assert tzid == plan.timezone
    windows = maintenance_events(calendar)
    assert [(prop(e, "DTSTART").dt, prop(e, "DTEND").dt) for e in windows] == [
        (w.opens, w.opens + dt.timedelta(days=1)) for w in plan.maintenance
    ]
    assert all(str(e["STATUS"]) == "TENTATIVE" for e in windows)


# --- The VTIMEZONE, as every reader reads it --------------------------------------------------


def zone_plan(zone: str, start: dt.date = dt.date(2026, 10, 20)) -> TreatmentPlan:
    """A one-area plan at the example clinic moved to *zone*, from the Monday after *start*."""
    start += dt.timedelta(days=-start.weekday() % 7)
    day = pendulum.date(start.year, start.month, start.day)
    clinic = example_clinic(holidays=None, timezone=zone)
    client = Client(id="c-zone", birth_date="1985-03-02")
    return plan_series(
        assess(client, ["face"], on=day), ["face"], start=clinic.at(day, "09:00"), clinic=clinic
    )


def observances(timezone: icalendar.Component) -> list[icalendar.Component]:
    return [c for c in timezone.subcomponents if c.name in {"STANDARD", "DAYLIGHT"}]


ZONES: Final = (
    TORONTO,
    "Europe/Dublin",  # negative DST: winter is the zone database's summer time
    "Australia/Lord_Howe",  # a half-hour change
    "Asia/Kathmandu",  # +05:45, one change in 1986
    "Pacific/Chatham",  # +12:45 and +13:45
    "Africa/Casablanca",  # Ramadan breaks
    "America/Sao_Paulo",  # DST abolished in 2019
    "Asia/Tehran",  # DST abolished in 2022
    "Asia/Kolkata",  # no change since 1945
)


@pytest.mark.parametrize("zone", ZONES)
def test_the_vtimezone_is_the_zone_from_1970_to_years_past_the_file(zone: str) -> None:
    # Readers that cache zones by TZID (vobject) read every later file through this one.
    plan = zone_plan(zone)
    [timezone] = parse(to_ics(plan)).walk("VTIMEZONE")
    assert isinstance(timezone, icalendar.Timezone)
    blocks = observances(timezone)
    assert prop(blocks[0], "DTSTART").to_ical() == b"19700101T000000"
    starts, infos = timezone.get_transitions()
    begin = dt.datetime(1970, 1, 1, 12, tzinfo=dt.UTC)
    end = dt.datetime(2038, 1, 1, tzinfo=dt.UTC)  # the maintenance closes in 2027: 2033 < 2038
    tz = zoneinfo.ZoneInfo(zone)

    def offset(moment: dt.datetime) -> dt.timedelta:
        """The offset the VTIMEZONE gives at *moment* (UTC)."""
        position = bisect.bisect_right(starts, moment.replace(tzinfo=None)) - 1
        result: dt.timedelta = infos[position][0]
        return result

    # At every change, and every six hours between: the zone database's offset.
    moments = [t.replace(tzinfo=dt.UTC) for t in starts[1:]]
    moments += [m - dt.timedelta(seconds=1) for m in moments]
    moment = begin
    while moment < end:
        moments.append(moment)
        moment += dt.timedelta(hours=6)
    wrong = [m for m in moments if offset(m) != m.astimezone(tz).utcoffset()]
    assert wrong == [], wrong[:5]
    assert [t for t in starts[1:] if t >= end.replace(tzinfo=None)] == []


@pytest.mark.parametrize("zone", ZONES)
def test_one_block_per_change_with_its_dtstart_and_no_rdate_or_rrule(zone: str) -> None:
    # ical.js drops the DTSTART of a block that has RDATEs, and with it a clock change.
    [timezone] = parse(to_ics(zone_plan(zone))).walk("VTIMEZONE")
    blocks = observances(timezone)
    assert blocks
    assert all("RDATE" not in b and "RRULE" not in b for b in blocks)
    onsets = [prop(b, "DTSTART").dt for b in blocks]
    assert onsets == sorted(onsets)
    assert len(set(onsets)) == len(onsets)
    # Each block leaves the offset the one before it went to.
    for before, after in itertools.pairwise(blocks):
        assert prop(after, "TZOFFSETFROM").td == prop(before, "TZOFFSETTO").td


def test_the_vtimezone_reaches_six_years_past_the_calendars_last_date() -> None:
    plan = zone_plan(TORONTO, dt.date(2037, 9, 20))
    [window] = plan.maintenance
    assert window.closes.year == 2038
    text = to_ics(plan)
    assert "from 1970-01-01 to 2044-01-01" in text.replace("\r\n ", "")
    [timezone] = parse(text).walk("VTIMEZONE")
    last = prop(observances(timezone)[-1], "DTSTART").dt
    # The last change before 2044: EDT to EST, at 02:00 local (a floating time).
    assert last == dt.datetime(2043, 11, 1, 2)  # noqa: DTZ001


def test_irish_summer_time_is_daylight_and_its_winter_standard() -> None:
    # The zone database says Irish winter is summer time with a negative saving.
    [timezone] = parse(to_ics(zone_plan("Europe/Dublin"))).walk("VTIMEZONE")
    recent = [b for b in observances(timezone) if prop(b, "DTSTART").dt.year == 2026]
    assert [(b.name, str(b["TZNAME"])) for b in recent] == [
        ("DAYLIGHT", "IST"),
        ("STANDARD", "GMT"),
    ]


def test_a_time_in_the_first_pass_of_the_repeated_hour_is_written_in_utc_too() -> None:
    # ical.js reads a TZID time in the repeated hour as the second pass, RFC 5545 as the
    # first: only UTC names one instant for both.
    first_pass = pendulum.datetime(2026, 11, 1, 5, 30, tz="UTC").in_timezone(TORONTO)
    assert first_pass.utcoffset() == dt.timedelta(hours=-4)
    plan = example_plan(concerns=()).complete(1, at=first_pass)
    text = to_ics(plan)
    assert "DTSTART:20261101T053000Z" in text
    assert "DTEND:20261101T061500Z" in text  # 01:15 EST, the second pass
    zones = vtimezones(parse(text))
    [event, *_] = session_events(parse(text))
    assert read_instant(event["DTSTART"], zones) == (utc(plan.sessions[0].start), None)
    assert read_instant(event["DTEND"], zones) == (utc(plan.sessions[0].end), None)


# --- Update semantics ---------------------------------------------------------------------------


def test_a_new_plans_events_have_sequence_0_and_no_last_modified_without_a_stamp() -> None:
    calendar = parse(to_ics(example_plan(concerns=())))
    events = calendar.walk("VEVENT")
    assert [prop(e, "SEQUENCE") for e in events] == [0] * 5
    assert all("LAST-MODIFIED" not in e for e in events)


def test_the_stamp_is_dtstamp_and_last_modified() -> None:
    stamp = pendulum.datetime(2026, 12, 1, 9, 30, tz=TORONTO)
    text = to_ics(example_plan(concerns=()), stamp=stamp)
    events = parse(text).walk("VEVENT")
    moment = dt.datetime(2026, 12, 1, 14, 30, tzinfo=dt.UTC)
    assert [prop(e, "DTSTAMP").dt for e in events] == [moment] * 5
    assert [prop(e, "LAST-MODIFIED").dt for e in events] == [moment] * 5
    assert text == to_ics(example_plan(concerns=()), stamp=stamp)  # the same bytes


# --- Identity over any sequence of operations ---------------------------------------------------


@settings(max_examples=examples(30))
@given(operated_plans())
def test_property_a_session_id_keeps_its_uid_and_sequence_rises_with_the_revision(
    versions: list[TreatmentPlan],
) -> None:
    named: dict[str, str] = {}  # UID -> the session id it named, over every export
    uid_of: dict[str, str] = {}
    sequences = []
    for plan in versions:
        text = to_ics(plan)
        events = parse(text).walk("VEVENT")
        sequences.append({prop(e, "SEQUENCE") for e in events})
        for session_id, uid in uid_of_id(plan, text).items():
            assert uid_of.setdefault(session_id, uid) == uid  # the same UID in every export
            assert named.setdefault(uid, session_id) == session_id  # no UID names two
        assert len({str(e["UID"]) for e in events}) == len(events)
    assert sequences == [{plan.revision - 1} for plan in versions]
    revisions = [plan.revision for plan in versions]
    assert revisions == sorted(set(revisions))  # every operation raised it
