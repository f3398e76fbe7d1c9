"""The exports of booked plans and of a clinic's diary: iCalendar and FHIR R5.

A booked plan's calendar is parsed back with icalendar and vobject (``ORGANIZER``,
``ATTENDEE``, ``LOCATION``); its FHIR bundle and a diary's (``diary_fhir``) are validated
with ``fhir.resources``, resource by resource, and their references followed. Plans
without a practitioner or a room export byte for byte as before (the golden files).
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
from pathlib import Path
from typing import Any, Final

import attrs
import pendulum
import pytest

import mesotherapy as meso
from mesotherapy import Busy, ClientError, Diary, InvalidTimeError, Practitioner, Room
from mesotherapy.fhir import diary_fhir
from tests.builders import example_plan

icalendar = pytest.importorskip("icalendar")
pytest.importorskip("fhir.resources")

GOLDEN: Final = Path(__file__).parents[1] / "golden"
ORGANIZER: Final = "mailto:desk@clinic.example"
CLINIC: Final = meso.example_clinic()


def _diary(**changes: Any) -> Diary:
    fields: dict[str, Any] = {
        "clinic": CLINIC,
        "practitioners": [
            Practitioner(id="dr-h", name="Dr. Zoë H., MD", areas=["face", "neck"]),
            Practitioner(id="dr-k", areas=["face", "neck"]),
        ],
        "rooms": [Room(id="room-1", name="Room 1; upstairs"), Room(id="room-2")],
        "buffer_minutes": 10,
    }
    return Diary(**(fields | changes))


STAFF: Final = (("dr-h", "room-1"), ("dr-h", "room-2"), ("dr-k", "room-1"), ("dr-k", "room-2"))


def _booked(plan: meso.TreatmentPlan | None = None) -> meso.TreatmentPlan:
    """The example plan with a practitioner and a room on each session, as a search sets them."""
    plan = plan or example_plan(concerns=())
    return attrs.evolve(
        plan,
        sessions=tuple(
            attrs.evolve(s, practitioner=STAFF[n % 4][0], room=STAFF[n % 4][1])
            for n, s in enumerate(plan.sessions)
        ),
    )


NAMES: Final = {"dr-h": "Dr. Zoë H., MD", "dr-k": "dr-k", "room-1": "Room 1; upstairs"}


def _events(text: str) -> list[Any]:
    calendar = icalendar.Calendar.from_ical(text)
    return [e for e in calendar.walk("VEVENT") if "X-MESOTHERAPY-STATUS" in e]


def _attendees(event: Any) -> list[tuple[str, dict[str, str]]]:
    found = event.get("ATTENDEE", [])
    found = found if isinstance(found, list) else [found]
    return [(str(a), {k.upper(): str(v) for k, v in a.params.items()}) for a in found]


# --- iCalendar --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("diary", "organizer"),
    [(True, True), (True, False), (False, True), (False, False)],
    ids=["diary and organizer", "diary", "organizer", "neither"],
)
def test_a_booked_session_names_its_practitioner_room_and_organizer(
    *, diary: bool, organizer: bool
) -> None:
    plan = _booked()
    text = meso.to_ics(
        plan, diary=_diary() if diary else None, organizer=ORGANIZER if organizer else None
    )
    events = _events(text)
    assert len(events) == len(plan.sessions)
    for session, event in zip(plan.sessions, events, strict=True):
        name = {**NAMES, "room-2": "room-2"} if diary else {}
        who, where = session.practitioner, session.room
        assert who is not None
        assert where is not None
        assert _attendees(event) == [
            (
                f"urn:mesotherapy:practitioner:{who}",
                {
                    "CN": name.get(who, who),
                    "CUTYPE": "INDIVIDUAL",
                    "ROLE": "REQ-PARTICIPANT",
                    "PARTSTAT": "ACCEPTED",
                },
            ),
            (
                f"urn:mesotherapy:room:{where}",
                {
                    "CN": name.get(where, where),
                    "CUTYPE": "ROOM",
                    "ROLE": "NON-PARTICIPANT",
                    "PARTSTAT": "ACCEPTED",
                },
            ),
        ]
        assert str(event["LOCATION"]) == f"{name.get(where, where)}, Example Clinic"
        description = str(event["DESCRIPTION"])
        assert f"Practitioner: {name.get(who, who)}\n" in description
        assert f"Room: {name.get(where, where)}\n" in description
        if organizer:
            assert str(event["ORGANIZER"]) == ORGANIZER
            assert str(event["ORGANIZER"].params["CN"]) == "Example Clinic"
        else:
            assert "ORGANIZER" not in event
    # The maintenance reminder is no meeting: no one attends it, no one organizes it.
    (maintenance,) = [
        e
        for e in icalendar.Calendar.from_ical(text).walk("VEVENT")
        if "X-MESOTHERAPY-STATUS" not in e
    ]
    assert "ATTENDEE" not in maintenance
    assert "ORGANIZER" not in maintenance
    assert str(maintenance["LOCATION"]) == "Example Clinic"
    assert "METHOD" not in icalendar.Calendar.from_ical(text)


def test_vobject_reads_the_attendees_and_the_organizer() -> None:
    vobject = pytest.importorskip("vobject")
    plan = _booked()
    calendar = vobject.readOne(meso.to_ics(plan, diary=_diary(), organizer=ORGANIZER))
    events = [e for e in calendar.vevent_list if hasattr(e, "x_mesotherapy_status")]
    for session, event in zip(plan.sessions, events, strict=True):
        read = [(a.value, a.params["CN"][0], a.params["CUTYPE"][0]) for a in event.attendee_list]
        assert read == [
            (
                f"urn:mesotherapy:practitioner:{session.practitioner}",
                {**NAMES, "room-2": "room-2"}[session.practitioner or ""],
                "INDIVIDUAL",
            ),
            (
                f"urn:mesotherapy:room:{session.room}",
                {**NAMES, "room-2": "room-2"}[session.room or ""],
                "ROOM",
            ),
        ]
        assert event.organizer.value == ORGANIZER
        assert event.organizer.params["CN"] == ["Example Clinic"]


def test_only_the_sessions_with_a_practitioner_and_room_name_them() -> None:
    plan = example_plan(concerns=())
    sessions = list(plan.sessions)
    sessions[1] = attrs.evolve(sessions[1], practitioner="dr-k")
    sessions[2] = attrs.evolve(sessions[2], room="room-2")
    plan = attrs.evolve(plan, sessions=tuple(sessions))
    events = _events(meso.to_ics(plan, diary=_diary()))
    assert [[a[1]["CUTYPE"] for a in _attendees(e)] for e in events] == [
        [],
        ["INDIVIDUAL"],
        ["ROOM"],
        [],
    ]
    assert [str(e["LOCATION"]) for e in events] == [
        "Example Clinic",
        "Example Clinic",
        "room-2, Example Clinic",
        "Example Clinic",
    ]


def test_plans_without_a_booking_export_byte_for_byte_as_before() -> None:
    plan = example_plan(concerns=())
    golden = (GOLDEN / "example-plan.ics").read_text(encoding="utf-8").replace("\r\n", "\n")
    for text in (meso.to_ics(plan), meso.to_ics(plan, diary=_diary())):
        assert text.replace("\r\n", "\n") == golden
    # With an organizer, only the ORGANIZER lines are new.
    organized = meso.to_ics(plan, organizer=ORGANIZER).replace("\r\n", "\n")
    kept = [line for line in organized.split("\n") if not line.startswith("ORGANIZER")]
    assert "\n".join(kept) == golden
    assert organized.count("ORGANIZER;") == len(plan.sessions)
    fhir = json.dumps(meso.to_fhir(example_plan()), indent=2, ensure_ascii=False) + "\n"
    assert fhir == (GOLDEN / "example-plan.fhir.json").read_text(encoding="utf-8")
    assert meso.to_fhir(example_plan(), diary=_diary()) == meso.to_fhir(example_plan())


@pytest.mark.parametrize(
    ("diary", "organizer", "words"),
    [
        (_diary(practitioners=[]), None, r"sessions\[0\]\.practitioner: 'dr-h' is no practitioner"),
        (_diary(rooms=[Room(id="room-1")]), None, r"sessions\[1\]\.room: 'room-2' is no room"),
        ("diary.toml", None, "diary: expected a Diary"),
        (None, "desk@clinic.example", "organizer: expected a calendar address"),
        (None, "mailto:desk @clinic", "organizer: expected a calendar address"),
        (None, 42, "organizer: expected a calendar address"),
    ],
)
def test_the_calendar_refuses_a_diary_or_organizer_that_does_not_fit(
    diary: Any, organizer: Any, words: str
) -> None:
    with pytest.raises(ClientError, match=words):
        meso.to_ics(_booked(), diary=diary, organizer=organizer)


# --- FHIR: a booked plan ----------------------------------------------------------------------


def _validate(bundle: dict[str, Any]) -> None:
    """Each resource alone, with its own fhir.resources model (as well as in the Bundle)."""
    for entry in bundle["entry"]:
        kind = entry["resource"]["resourceType"]
        model = getattr(importlib.import_module(f"fhir.resources.{kind.lower()}"), kind)
        model.model_validate(entry["resource"])


def _by_url(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["fullUrl"]: e["resource"] for e in bundle["entry"]}


@pytest.mark.parametrize("with_diary", [True, False], ids=["with the diary", "ids alone"])
def test_a_booked_appointment_has_its_practitioner_and_location(*, with_diary: bool) -> None:
    plan = _booked(example_plan())
    bundle = meso.to_fhir(plan, diary=_diary() if with_diary else None, include_rules=False)
    _validate(bundle)
    resources = _by_url(bundle)
    appointments = [r for r in resources.values() if r["resourceType"] == "Appointment"]
    assert len(appointments) == len(plan.sessions)
    for session, appointment in zip(plan.sessions, appointments, strict=True):
        patient, practitioner, location = appointment["participant"]
        assert patient["actor"]["type"] == "Patient"
        for part, kind, resource in (
            (practitioner, "Practitioner", session.practitioner),
            (location, "Location", session.room),
        ):
            target = resources[part["actor"]["reference"]]
            assert target["resourceType"] == part["actor"]["type"] == kind
            assert part["status"] == "accepted"
            assert part["required"] is True
            system = "urn:mesotherapy:" + ("practitioner" if kind == "Practitioner" else "room")
            assert target["identifier"] == [{"system": system, "value": resource}]
    kinds = [r["resourceType"] for r in resources.values()]
    assert kinds.count("Practitioner") == 2
    assert kinds.count("Location") == 2
    people = {
        r["identifier"][0]["value"]: r
        for r in resources.values()
        if r["resourceType"] == "Practitioner"
    }
    if with_diary:
        assert people["dr-h"]["name"] == [{"text": "Dr. Zoë H., MD"}]
    else:
        assert "name" not in people["dr-h"]
    assert "name" not in people["dr-k"]  # no name in the diary either
    rooms = {
        r["identifier"][0]["value"]: r
        for r in resources.values()
        if r["resourceType"] == "Location"
    }
    assert rooms["room-1"]["name"] == ("Room 1; upstairs" if with_diary else "room-1")
    assert rooms["room-2"]["name"] == "room-2"
    assert all(r["form"]["coding"][0]["code"] == "ro" for r in rooms.values())


def test_the_plans_and_the_diarys_bundles_name_the_same_resources() -> None:
    plan = _booked(example_plan())
    diary = _diary().book(plan)
    mine = meso.to_fhir(plan, diary=diary)
    theirs = diary_fhir(diary, start="2026-10-01", end="2027-01-01")
    for kind in ("Practitioner", "Location"):
        ours = {
            e["fullUrl"]: e["resource"]
            for e in mine["entry"]
            if e["resource"]["resourceType"] == kind
        }
        other = {
            e["fullUrl"]: e["resource"]
            for e in theirs["entry"]
            if e["resource"]["resourceType"] == kind
        }
        assert ours == other
    assert meso.to_fhir(plan, diary=diary) == mine  # deterministic
    assert mine["identifier"] != meso.to_fhir(plan)["identifier"]  # a new snapshot: the names


# --- FHIR: a diary as Schedule and Slot ---------------------------------------------------------


def _claims(diary: Diary, low: dt.datetime, high: dt.datetime) -> list[tuple[str, Any, Any, str]]:
    """Every claim meeting ``[low, high)``: (resource, start, end, comment), from the fields."""
    found = [
        (b.resource, b.start, b.end, b.label or "busy")
        for b in diary.busy
        if b.start < high and low < b.end
    ]
    found += [
        (resource, k.start, k.end, "a booked session")
        for k in diary.bookings
        if k.start < high and low < k.end
        for resource in (k.practitioner, k.room)
    ]
    return found


def _busy_diary() -> Diary:
    booked = _diary().book(_booked(example_plan()))
    at = CLINIC.at
    busy = [
        Busy(
            start=at("2026-10-21", "09:00"),
            end=at("2026-10-21", "10:00"),
            resource="dr-h",
            label="staff meeting",
        ),
        Busy(start=at("2026-10-21", "12:00"), end=at("2026-10-21", "13:00"), resource="room-2"),
        Busy(start=at("2026-10-21", "12:00"), end=at("2026-10-21", "13:00"), resource="room-2"),
        Busy(
            start=at("2026-10-31", "20:00"),
            end=at("2026-11-01", "09:00"),
            resource="dr-k",
            label="leave",
        ),
    ]
    return attrs.evolve(booked, busy=busy)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2026-10-19", "2026-10-26"),
        ("2026-10-01", "2027-01-01"),
        (dt.date(2026, 11, 1), dt.date(2026, 11, 2)),
        (CLINIC.at("2026-10-21", "09:30"), CLINIC.at("2026-10-21", "12:01")),
        ("2027-02-01", "2027-03-01"),
    ],
)
def test_a_diary_exports_a_schedule_per_resource_and_a_slot_per_claim(start: Any, end: Any) -> None:
    diary = _busy_diary()
    bundle = diary_fhir(diary, start=start, end=end)
    _validate(bundle)
    meso_bundle = importlib.import_module("fhir.resources.bundle").Bundle
    meso_bundle.model_validate(bundle)
    resources = _by_url(bundle)
    schedules = {u: r for u, r in resources.items() if r["resourceType"] == "Schedule"}
    assert len(schedules) == len(diary.practitioners) + len(diary.rooms)
    actors = {}
    for url, schedule in schedules.items():
        (actor,) = schedule["actor"]
        target = resources[actor["reference"]]
        assert target["resourceType"] == actor["type"]
        actors[url] = target["identifier"][0]["value"]
    assert sorted(actors.values()) == sorted(r.id for r in diary.resources)

    def utc(value: Any) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value
        day = dt.date.fromisoformat(value) if isinstance(value, str) else value
        return pendulum.datetime(day.year, day.month, day.day, tz=CLINIC.timezone)

    low, high = utc(start), utc(end)
    slots = [r for r in resources.values() if r["resourceType"] == "Slot"]
    read = sorted(
        (
            actors[s["schedule"]["reference"]],
            dt.datetime.fromisoformat(s["start"]).timestamp(),
            dt.datetime.fromisoformat(s["end"]).timestamp(),
            s["comment"],
        )
        for s in slots
    )
    want = sorted((r, a.timestamp(), b.timestamp(), c) for r, a, b, c in _claims(diary, low, high))
    assert read == want
    assert all(s["status"] == "busy" for s in slots)
    assert len(bundle["entry"]) == len(resources)  # two equal busy blocks: two Slots
    horizon = next(iter(schedules.values()))["planningHorizon"]
    assert dt.datetime.fromisoformat(horizon["start"]) == low
    assert dt.datetime.fromisoformat(horizon["end"]) == high
    assert diary_fhir(diary, start=start, end=end) == bundle


def test_a_slot_carries_the_clinics_offset() -> None:
    bundle = diary_fhir(_busy_diary(), start="2026-10-31", end="2026-11-02")
    (leave,) = [e["resource"] for e in bundle["entry"] if e["resource"].get("comment") == "leave"]
    # Across the clock change of 2026-11-01: -04:00 at the start, -05:00 at the end.
    assert (leave["start"], leave["end"]) == (
        "2026-10-31T20:00:00-04:00",
        "2026-11-01T09:00:00-05:00",
    )


def test_a_clinics_base_roots_the_systems() -> None:
    bundle = diary_fhir(
        _busy_diary(), start="2026-10-19", end="2026-10-26", base_uri="https://clinic.example/fhir"
    )
    systems = {i["system"] for e in bundle["entry"] for i in e["resource"].get("identifier", [])}
    assert systems == {
        "https://clinic.example/fhir/practitioner",
        "https://clinic.example/fhir/room",
        "https://clinic.example/fhir/schedule",
    }


@pytest.mark.parametrize(
    ("arguments", "error", "words"),
    [
        (
            {"start": "2026-10-26", "end": "2026-10-19"},
            InvalidTimeError,
            "end: expected a time after",
        ),
        ({"start": "monday", "end": "2026-10-19"}, InvalidTimeError, "start: expected a date"),
        ({"start": None, "end": "2026-10-19"}, InvalidTimeError, "expected both bounds"),
        (
            {"start": "2026-10-19", "end": "2026-10-26", "base_uri": "clinic"},
            ClientError,
            "base_uri",
        ),
    ],
)
def test_a_diary_export_refuses_a_bad_window(
    arguments: dict[str, Any], error: type, words: str
) -> None:
    with pytest.raises(error, match=words):
        diary_fhir(_busy_diary(), **arguments)
    with pytest.raises(ClientError, match="diary: expected a Diary"):
        diary_fhir({}, start="2026-10-19", end="2026-10-26")  # type: ignore[arg-type]
