"""Plans for the checks against real calendar clients: their .ics and their JSON.

``python tests/clients/make_plans.py OUT`` writes, for every zone of `ZONES` and every
start year of `YEARS`, two plans (starting in late February and late September, so that
the series cross the clock changes of both hemispheres) as ``NAME.ics`` and
``NAME.json`` (the plan's JSON document) into the folder OUT. Some plans are operated on
(a session completed, one cancelled), so that cancelled events are checked too. The
checkers (``check_ical.mjs`` with ical.js; ``tests/integrations/test_ical_clients.py`` with
vobject and recurring-ical-events) read every session back and compare its instants with the
JSON's.

It also writes booked plans (`booked`): plans whose sessions name a practitioner and a room
of a clinic's diary, exported with the diary and an organizer, as ``booked-NAME.ics`` and
``booked-NAME.json``, and beside them ``booked-NAME.expect.json``: the ``ORGANIZER``, and
each session's ``LOCATION`` and ``ATTENDEE`` values and parameters, made here from the
diary (not by the library), which ``check_ical.mjs`` compares with what ical.js reads.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import sys
import zoneinfo
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import attrs
import pendulum

import mesotherapy as meso

ZONES: Final = (
    # North America, with a half-hour zone (St John's) and DST abolished (Mexico City 2022).
    "America/Toronto",
    "America/Los_Angeles",
    "America/St_Johns",
    "America/Havana",
    "America/Mexico_City",
    "America/Nuuk",
    # South America: southern DST, and DST abolished (Sao Paulo 2019, Asuncion 2024).
    "America/Santiago",
    "America/Sao_Paulo",
    "America/Asuncion",
    "America/Caracas",
    # Europe: negative DST (Dublin), DST abolished (Istanbul 2016), Moscow's changes.
    "Europe/London",
    "Europe/Dublin",
    "Europe/Paris",
    "Europe/Lisbon",
    "Europe/Istanbul",
    "Europe/Moscow",
    # Africa: Morocco's Ramadan break, Egypt's DST back in 2023.
    "Africa/Casablanca",
    "Africa/Cairo",
    "Africa/Johannesburg",
    # Asia: half-hour and 45-minute zones, DST abolished (Tehran 2022, Amman 2022).
    "Asia/Tehran",
    "Asia/Amman",
    "Asia/Jerusalem",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Tokyo",
    # Oceania: southern DST, half-hour DST (Lord Howe), 45-minute zones, DST abolished (Fiji).
    "Australia/Sydney",
    "Australia/Adelaide",
    "Australia/Darwin",
    "Australia/Eucla",
    "Australia/Lord_Howe",
    "Pacific/Auckland",
    "Pacific/Chatham",
    "Pacific/Fiji",
    "Pacific/Apia",
    "Pacific/Kiritimati",
    "Pacific/Marquesas",
    # Two hours of summer time, and no zone at all.
    "Antarctica/Troll",
    "UTC",
)
YEARS: Final = tuple(range(2026, 2038))
STARTS: Final = ((2, 20), (9, 20))
"""Month and day of each plan's first session (moved to the Monday after)."""


def plans(years: tuple[int, ...] = YEARS) -> Iterator[tuple[str, meso.TreatmentPlan]]:
    """Every plan of the check (from *years*), with a name that says where and when it starts."""
    client = meso.Client(id="c-clients", birth_date="1985-03-02")
    for zone in ZONES:
        clinic = meso.example_clinic(holidays=None, timezone=zone)
        for year in years:
            for number, (month, day) in enumerate(STARTS):
                monday = dt.date(year, month, day)
                monday += dt.timedelta(days=-monday.weekday() % 7)
                on = pendulum.date(monday.year, monday.month, monday.day)
                result = meso.assess(client, ["face"], on=on)
                plan = meso.plan_series(
                    result, ["face"], start=clinic.at(on, "09:00"), clinic=clinic
                )
                if (year + number) % 2:  # half of them operated on
                    plan = plan.complete(1).cancel(2)
                yield f"{zone.replace('/', '-')}-{monday.isoformat()}", plan


def every_zone() -> Iterator[tuple[str, meso.TreatmentPlan]]:
    """One plan in every other zone a clinic may name, its start year spread over `YEARS`.

    Every key of the time-zone database that `mesotherapy.Clinic` accepts and `ZONES`
    leaves out: the year and the season of each plan follow from the zone's name, so that
    the same zones always get the same plans.
    """
    client = meso.Client(id="c-clients", birth_date="1985-03-02")
    for number, zone in enumerate(sorted(zoneinfo.available_timezones() - set(ZONES))):
        try:
            clinic = meso.example_clinic(holidays=None, timezone=zone)
        except meso.InvalidTimeError:
            continue  # a name that depends on the machine (localtime, Factory...): refused
        month, day = STARTS[number % len(STARTS)]
        monday = dt.date(YEARS[number % len(YEARS)], month, day)
        monday += dt.timedelta(days=-monday.weekday() % 7)
        on = pendulum.date(monday.year, monday.month, monday.day)
        result = meso.assess(client, ["face"], on=on)
        plan = meso.plan_series(result, ["face"], start=clinic.at(on, "09:00"), clinic=clinic)
        yield f"{zone.replace('/', '-')}-{monday.isoformat()}", plan


ORGANIZER: Final = "mailto:desk@clinic.example"
# Names with the characters a parameter value must quote (",", ";", ":"), those it must
# escape (RFC 6868: a double quote, a caret) and non-ASCII.
STAFF: Final = (
    ("dr-h", "Dr. H."),
    ("dr-zoe", "Zoë O'Neil, MD"),
    ("nurse-k", "K. Tanaka; RN"),
    ("dr-q", 'Dr. "Q" ^ Quinn'),
)
ROOMS: Final = (("room-1", "Room 1"), ("room-2", ""), ("salle-b", "Salle B: étage 2"))
CLINIC_NAMES: Final = ("Example Clinic", "Clinique Saint-Zoë, Montréal", "Klinik: Süd")


def diary_of(clinic: meso.Clinic) -> meso.Diary:
    """The diary of the booked plans: `STAFF` and `ROOMS`, every area, no busy time."""
    return meso.Diary(
        clinic=clinic,
        practitioners=[
            meso.Practitioner(id=i, name=n, areas=[a.value for a in meso.Area]) for i, n in STAFF
        ],
        rooms=[meso.Room(id=i, name=n) for i, n in ROOMS],
        buffer_minutes=10,
    )


def with_staff(plan: meso.TreatmentPlan, number: int) -> meso.TreatmentPlan:
    """*plan* with a practitioner and a room on each session, as a diary search sets them."""
    sessions = tuple(
        attrs.evolve(
            s,
            practitioner=STAFF[(number + n // 2) % len(STAFF)][0],
            room=ROOMS[(number + n) % len(ROOMS)][0],
        )
        for n, s in enumerate(plan.sessions)
    )
    return attrs.evolve(plan, sessions=sessions)


def booked() -> Iterator[tuple[str, meso.TreatmentPlan, meso.Diary]]:
    """Booked plans in every zone of `ZONES` (one start year each), with their diaries."""
    client = meso.Client(id="c-clients", birth_date="1985-03-02")
    for number, zone in enumerate(ZONES):
        name = CLINIC_NAMES[number % len(CLINIC_NAMES)]
        clinic = attrs.evolve(meso.example_clinic(holidays=None, timezone=zone), name=name)
        month, day = STARTS[number % len(STARTS)]
        monday = dt.date(YEARS[number % len(YEARS)], month, day)
        monday += dt.timedelta(days=-monday.weekday() % 7)
        on = pendulum.date(monday.year, monday.month, monday.day)
        result = meso.assess(client, ["face"], on=on)
        plan = meso.plan_series(result, ["face"], start=clinic.at(on, "09:00"), clinic=clinic)
        plan = with_staff(plan, number)
        diary = diary_of(clinic).book(plan)  # a booking the diary accepts
        if number % 2:
            plan = plan.complete(1).cancel(2)
        yield f"booked-{zone.replace('/', '-')}-{monday.isoformat()}", plan, diary


def expected(plan: meso.TreatmentPlan, diary: meso.Diary) -> dict[str, Any]:
    """What a reader must find in a booked plan's calendar, from the diary's own fields."""
    resources: tuple[meso.Practitioner | meso.Room, ...] = (*diary.practitioners, *diary.rooms)
    names = {r.id: r.name or r.id for r in resources}
    clinic = plan.clinic.name
    sessions = []
    for s in plan.sessions:
        attendees = []
        if s.practitioner is not None:
            attendees.append(
                {
                    "value": f"urn:mesotherapy:practitioner:{s.practitioner}",
                    "cn": names[s.practitioner],
                    "cutype": "INDIVIDUAL",
                    "role": "REQ-PARTICIPANT",
                }
            )
        if s.room is not None:
            attendees.append(
                {
                    "value": f"urn:mesotherapy:room:{s.room}",
                    "cn": names[s.room],
                    "cutype": "ROOM",
                    "role": "NON-PARTICIPANT",
                }
            )
        location = clinic if s.room is None else f"{names[s.room]}, {clinic}"
        sessions.append({"location": location, "attendees": attendees})
    return {"organizer": {"value": ORGANIZER, "cn": clinic}, "sessions": sessions}


def main(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    count = 0
    for name, plan in itertools.chain(plans(), every_zone()):
        (out / f"{name}.ics").write_text(meso.to_ics(plan), encoding="utf-8", newline="")
        (out / f"{name}.json").write_text(meso.to_json(plan), encoding="utf-8")
        count += 1
    for name, plan, diary in booked():
        text = meso.to_ics(plan, diary=diary, organizer=ORGANIZER)
        (out / f"{name}.ics").write_text(text, encoding="utf-8", newline="")
        (out / f"{name}.json").write_text(meso.to_json(plan), encoding="utf-8")
        expect = json.dumps(expected(plan, diary), ensure_ascii=False, indent=1)
        (out / f"{name}.expect.json").write_text(expect, encoding="utf-8")
        count += 1
    what = (
        f"{len(ZONES)} zones from 2026 to 2037, then one plan in every other zone, "
        f"and {len(ZONES)} booked plans with their diaries"
    )
    print(f"{count} plans written to {out}: {what}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
