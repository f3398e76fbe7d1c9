"""The calendars read by other people's parsers: vobject and recurring-ical-events.

The same plans as the ``clients`` nox session gives ical.js (``tests/clients/make_plans.py``,
here over fewer start years), each read back, and every session's start and end compared
with the instants of the plan's JSON document. vobject builds its zones from the file's
own VTIMEZONE (with dateutil) and keeps the first one of each TZID for the whole process;
recurring-ical-events reads through icalendar. Skipped where either is not installed (the
``clients`` dependency group).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Final

import pytest

icalendar = pytest.importorskip("icalendar")
vobject: Any = pytest.importorskip("vobject")
recurring_ical_events: Any = pytest.importorskip("recurring_ical_events")

import mesotherapy as meso  # noqa: E402 - after the skips
from tests.clients.make_plans import ZONES, plans  # noqa: E402

YEARS: Final = (2026, 2037)
"""The first and the last start year of the ical.js check: enough to prove every zone."""


def expected(document: dict[str, Any]) -> list[tuple[dt.datetime, dt.datetime]]:
    """Each session's (start, end) as the plan's JSON gives them, in index order."""
    return [
        (dt.datetime.fromisoformat(s["start"]), dt.datetime.fromisoformat(s["end"]))
        for s in document["sessions"]
    ]


CASES: Final = [
    (name, meso.to_ics(plan), json.loads(meso.to_json(plan))) for name, plan in plans(YEARS)
]


def test_every_zone_and_both_ends_of_the_years_are_checked() -> None:
    assert len(ZONES) >= 30
    assert {name.rsplit("-", 3)[0] for name, _, _ in CASES} == {z.replace("/", "-") for z in ZONES}


def vobject_sessions(text: str) -> list[tuple[dt.datetime, dt.datetime]]:
    calendar = vobject.readOne(text)
    events = [e for e in calendar.vevent_list if "x-mesotherapy-status" in e.contents]
    return [(e.dtstart.value, e.dtend.value) for e in events]


def test_vobject_reads_every_session_at_the_jsons_instants() -> None:
    wrong = [name for name, text, document in CASES if vobject_sessions(text) != expected(document)]
    assert wrong == []


def test_vobject_reads_a_second_file_of_the_same_zone_right() -> None:
    # vobject keeps the first VTIMEZONE of a TZID for the whole process: the zone of an
    # early plan must still be right for a late one, and the other way round.
    tzids = vobject.icalendar.__dict__["__tzidMap"]
    for first, second in ((2026, 2037), (2037, 2026)):
        for zone in ("America/Toronto", "Australia/Lord_Howe", "Europe/Dublin"):
            tzids.pop(zone, None)
            early, late = (
                next(
                    (text, document)
                    for name, text, document in CASES
                    if name.startswith(zone.replace("/", "-")) and f"-{year}-02-" in name
                )
                for year in (first, second)
            )
            assert vobject_sessions(early[0]) == expected(early[1])
            assert vobject_sessions(late[0]) == expected(late[1]), (zone, second)


def test_recurring_ical_events_reads_every_session_at_the_jsons_instants() -> None:
    wrong = []
    for name, text, document in CASES:
        calendar = icalendar.Calendar.from_ical(text)
        found = recurring_ical_events.of(calendar).between(
            dt.datetime(2025, 1, 1, tzinfo=dt.UTC), dt.datetime(2040, 1, 1, tzinfo=dt.UTC)
        )
        sessions = sorted(
            (e["DTSTART"].dt, e["DTEND"].dt) for e in found if "X-MESOTHERAPY-STATUS" in e
        )
        if sessions != sorted(expected(document)):
            wrong.append(name)
    assert wrong == []
