"""The iCalendar export: what a calendar reads back is the plan, to the second and the zone.

Every check parses the text with ``icalendar.Calendar.from_ical`` and compares with the
plan: instants in UTC, the ``TZID`` and the VTIMEZONE that the file carries (read through
the file's own VTIMEZONE, not the system's zone database), the statuses, the UIDs, the
reminders and the maintenance window.
"""

from __future__ import annotations

import datetime as dt
import sys
import zoneinfo
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import attrs
import icalendar
import pendulum
import pytest
from hypothesis import given, note, reject
from hypothesis import strategies as st

from mesotherapy import (
    Client,
    ClientError,
    InvalidTimeError,
    MissingExtraError,
    RuleSetError,
    SchedulingError,
    TreatmentPlan,
    assess,
    default_rules,
    example_clinic,
    plan_series,
)
from mesotherapy._ical import PRODID, ical_calendar, to_ics

# pytest's importlib mode puts no test directory on sys.path, while mypy reads the files of
# tests/ as top-level modules: importing `plan_strategies` as such works for both.
sys.path.insert(0, str(Path(__file__).parent))
from plan_strategies import plan_requests

TORONTO: Final = "America/Toronto"
RULES: Final = default_rules()
GOLDEN: Final = Path(__file__).parent / "golden" / "example-plan.ics"
"""The example plan's calendar. To write it again after a deliberate change, run
``to_ics(example_plan())`` and save the text as it is (CRLF line ends), then read the diff.
"""


def example_plan(
    client_id: str | None = "c-001", areas: tuple[str, ...] = ("face", "neck")
) -> TreatmentPlan:
    """Face and neck from 2026-10-20 09:00 in Toronto at the example clinic: across November."""
    client = Client(id=client_id, birth_date="1985-03-02")
    result = assess(client, areas, on="2026-10-20")
    return plan_series(
        result,
        areas,
        start=pendulum.datetime(2026, 10, 20, 9, tz=TORONTO),
        clinic=example_clinic(),
    )


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


def utc(moment: dt.datetime) -> dt.datetime:
    """*moment* as a plain stdlib datetime in UTC."""
    u = moment.astimezone(dt.UTC)
    return dt.datetime(
        u.year, u.month, u.day, u.hour, u.minute, u.second, u.microsecond, tzinfo=dt.UTC
    )


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
    text = to_ics(example_plan())
    # RFC 5545 lines end with CRLF; the comparison itself ignores how git stored the file.
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert text.replace("\r\n", "\n") == GOLDEN.read_text(encoding="utf-8").replace("\r\n", "\n")


def test_the_calendar_says_who_made_it_and_how_to_read_it() -> None:
    calendar = parse(to_ics(example_plan()))
    assert str(calendar["PRODID"]) == PRODID == "-//mesotherapy//mesotherapy//EN"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["METHOD"]) == "PUBLISH"


def test_every_session_comes_back_at_its_instant_in_the_clinic_zone() -> None:
    plan = example_plan()
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
    plan = example_plan()
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
    changes = [t.replace(tzinfo=dt.UTC) for t in starts[1:]]
    begin, end = dt.datetime(2026, 1, 1, 5, tzinfo=dt.UTC), dt.datetime(2028, 1, 1, tzinfo=dt.UTC)
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
    assert [t.replace(tzinfo=dt.UTC) for t in starts[1:]] == exact_transitions(zone, begin, end)


def test_a_time_in_the_second_pass_of_the_repeated_hour_is_written_in_utc() -> None:
    # 01:30 happens twice in Toronto on 2026-11-01; a TZID value would name the first.
    second_pass = pendulum.datetime(2026, 11, 1, 6, 30, tz="UTC").in_timezone(TORONTO)
    assert second_pass.utcoffset() == dt.timedelta(hours=-5)
    plan = example_plan().complete(1, at=second_pass)
    text = to_ics(plan)
    assert "DTSTART:20261101T063000Z" in text
    assert "DTEND;TZID=America/Toronto:20261101T021500" in text  # 02:15 happens once
    calendar = parse(text)
    zones = vtimezones(calendar)
    for session, event in zip(plan.sessions, session_events(calendar), strict=True):
        assert read_instant(event["DTSTART"], zones)[0] == utc(session.start)
        assert read_instant(event["DTEND"], zones)[0] == utc(session.end)


def test_summaries_count_the_sessions_and_name_the_areas() -> None:
    calendar = parse(to_ics(example_plan()))
    assert [str(e["SUMMARY"]) for e in session_events(calendar)] == [
        f"Mesotherapy session {n} of 4 (face, neck)" for n in (1, 2, 3, 4)
    ]
    assert all(str(e["LOCATION"]) == "Example Clinic" for e in calendar.walk("VEVENT"))


def test_the_description_names_the_areas_and_the_pre_care() -> None:
    plan = example_plan()
    calendar = parse(to_ics(plan))
    for session, event in zip(plan.sessions, session_events(calendar), strict=True):
        text = str(event["DESCRIPTION"])
        assert "Areas: face, neck" in text
        for code, rule in RULES.precare.items():
            assert rule.description in text, code
        aha = session.start.subtract(weeks=4).format("YYYY-MM-DD HH:mm")
        assert f"- from {aha}: No AHA (alpha hydroxy acid) products" in text


def test_a_day_before_reminder_on_each_planned_session() -> None:
    plan = example_plan()
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
    plan = example_plan().complete(1).cancel(2).no_show(3)
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


def test_the_maintenance_window_is_a_tentative_all_day_event() -> None:
    plan = example_plan()
    text = to_ics(plan)
    [event] = maintenance_events(parse(text))
    [window] = plan.maintenance
    assert str(event["STATUS"]) == "TENTATIVE"
    assert str(event["TRANSP"]) == "TRANSPARENT"
    assert prop(event, "DTSTART").dt == dt.date(2027, 3, 22) == window.opens
    # DTEND is exclusive: the day after the window closes.
    assert prop(event, "DTEND").dt == dt.date(2027, 6, 23) == window.closes + dt.timedelta(days=1)
    assert "DTSTART;VALUE=DATE:20270322" in text
    assert "DTEND;VALUE=DATE:20270623" in text
    assert "2027-03-22 to 2027-06-22" in str(event["DESCRIPTION"])


# --- UIDs and DTSTAMP -------------------------------------------------------------------------


def uids(text: str) -> list[str]:
    return [str(e["UID"]) for e in parse(text).walk("VEVENT")]


def test_uids_are_unique_and_the_same_at_every_export() -> None:
    plan = example_plan()
    first, second = to_ics(plan), to_ics(example_plan())
    assert first == second
    assert uids(first) == uids(second)
    assert len(set(uids(first))) == len(uids(first)) == 5


def test_uids_follow_the_series_through_its_operations() -> None:
    plan = example_plan()
    before = uids(to_ics(plan))
    after = uids(to_ics(plan.cancel(2)))
    # Sessions 1 to 4 keep their UIDs (session 2 is now cancelled), the replacement is new,
    # and the maintenance window is the same item, moved.
    assert after[:4] == before[:4]
    assert after[4] not in before
    assert after[5] == before[4]


def test_uids_differ_between_clients_and_series() -> None:
    ours = set(uids(to_ics(example_plan())))
    assert ours.isdisjoint(uids(to_ics(example_plan("c-002"))))
    assert ours.isdisjoint(uids(to_ics(example_plan(None))))
    assert ours.isdisjoint(uids(to_ics(example_plan(areas=("face",)))))


def test_dtstamp_is_the_stamp_given_in_utc_else_the_first_start() -> None:
    plan = example_plan()
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
    plan = example_plan()
    monkeypatch.setitem(sys.modules, "icalendar", None)
    with pytest.raises(MissingExtraError, match=r"mesotherapy\[ical\]"):
        to_ics(plan)
    with pytest.raises(ImportError):  # MissingExtraError is an ImportError too
        ical_calendar(plan)


def test_wrong_arguments_raise_the_library_errors() -> None:
    plan = example_plan()
    with pytest.raises(ClientError, match="plan: expected a TreatmentPlan"):
        to_ics(plan.to_dict())  # type: ignore[arg-type]
    with pytest.raises(RuleSetError, match="rules: expected a RuleSet"):
        to_ics(plan, rules={})  # type: ignore[arg-type]
    with pytest.raises(ClientError, match="the plan was made with"):
        to_ics(plan, rules=attrs.evolve(RULES, version="2099.1"))
    with pytest.raises(ClientError, match="at least one session"):
        to_ics(attrs.evolve(plan, sessions=()))


# --- Properties over generated plans ----------------------------------------------------------


def _operated(draw: st.DrawFn, plan: TreatmentPlan) -> TreatmentPlan:
    """*plan*, or *plan* after an operation that leaves a session inactive or completed."""
    operation = draw(st.sampled_from(("none", "none", "cancel", "no_show", "complete")))
    planned = [s.index for s in plan.sessions if s.status.value == "planned"]
    try:
        if operation == "complete":
            return plan.complete(planned[0])
        if operation in {"cancel", "no_show"}:
            index = draw(st.sampled_from(planned))
            return plan.cancel(index) if operation == "cancel" else plan.no_show(index)
    except SchedulingError:
        pass
    return plan


@st.composite
def plans(draw: st.DrawFn) -> TreatmentPlan:
    """A plan for a generated request (any zone, odd offsets and DST), perhaps operated on."""
    request = draw(plan_requests())
    try:
        plan = request.plan()
    except SchedulingError:
        reject()
    plan = _operated(draw, plan)
    note(plan.explain())
    return plan


def written(plan: TreatmentPlan) -> Iterator[tuple[str, dt.datetime]]:
    for session in plan.sessions:
        yield "DTSTART", session.start
        yield "DTEND", session.end


@given(plans())
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
        (w.opens, w.closes + dt.timedelta(days=1)) for w in plan.maintenance
    ]
    assert all(str(e["STATUS"]) == "TENTATIVE" for e in windows)
