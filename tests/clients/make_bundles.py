"""Write FHIR bundles of generated plans to a directory, for validators nobody here wrote.

``python tests/clients/make_bundles.py DIR`` writes one ``*.json`` file a bundle: plans in
30 zones (southern, half-hour, 45-minute, negative-DST and abolished-DST ones among them)
with start years 2026-2037, every area alone and together, after each operation
(complete, cancel, no_show, reschedule), with and without the rule resources, under the
default base and a clinic's, and the rules' own bundle (`mesotherapy.rules_fhir`); booked
plans (sessions with a practitioner and a room, exported with their diary: the
Appointments' participants and the Practitioner and Location resources) and the diaries
themselves (`mesotherapy.fhir.diary_fhir`: Schedule and Slot resources, busy time and
bookings) in the zones of ``make_plans.booked``.
``tests/clients/check_fhir.mjs DIR`` then checks them against the official R5 JSON schema
and the FHIRPath invariants of R5.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Final

import attrs

import mesotherapy as meso
from mesotherapy import Area, SchedulingError, SessionStatus, TreatmentPlan
from mesotherapy.fhir import diary_fhir

# Run as a file (the nox session does): the repository's root, for the `tests` package.
sys.path.insert(0, str(Path(__file__).parents[2]))
from tests.clients.make_plans import booked

ZONES: Final = (
    "America/Toronto",
    "America/New_York",
    "America/Los_Angeles",
    "America/St_Johns",  # -03:30 with DST
    "America/Sao_Paulo",  # DST abolished in 2019
    "America/Santiago",  # southern DST
    "America/Mexico_City",  # DST abolished in 2022
    "America/Halifax",
    "Europe/London",
    "Europe/Dublin",  # negative DST in the database
    "Europe/Paris",
    "Europe/Moscow",  # DST abolished in 2011
    "Europe/Istanbul",  # DST abolished in 2016
    "Africa/Casablanca",  # Ramadan's negative DST
    "Africa/Cairo",
    "Asia/Kathmandu",  # +05:45
    "Asia/Kolkata",  # +05:30
    "Asia/Tehran",  # +03:30, DST abolished in 2022
    "Asia/Tokyo",
    "Asia/Shanghai",
    "Australia/Sydney",  # southern DST
    "Australia/Adelaide",  # +09:30 / +10:30
    "Australia/Lord_Howe",  # a 30-minute DST shift
    "Australia/Eucla",  # +08:45
    "Pacific/Chatham",  # +12:45 / +13:45
    "Pacific/Auckland",
    "Pacific/Apia",  # DST abolished in 2021
    "Pacific/Marquesas",  # -09:30
    "Atlantic/Azores",
    "UTC",
)
AREA_SETS: Final = (
    *((area,) for area in Area),
    (Area.FACE, Area.NECK),
    (Area.FACE, Area.NECK, Area.DECOLLETAGE),
    (Area.FACE, Area.SCALP),
)
CLINIC_BASE: Final = "https://clinic.example/fhir"
PATIENTS: Final = "https://clinic.example/client-numbers"


def plans() -> list[tuple[str, TreatmentPlan]]:
    """Named plans: each zone with a start year, an area set and a few operations."""
    made: list[tuple[str, TreatmentPlan]] = []
    for number, zone in enumerate(ZONES):
        year = 2026 + number % 12
        areas = AREA_SETS[number % len(AREA_SETS)]
        clinic = attrs.evolve(meso.example_clinic(), timezone=zone)
        client = meso.Client(id=f"c-{number:03}", birth_date="1985-03-02")
        on = f"{year}-03-10"
        result = meso.assess(client, list(areas), on=on)
        try:
            plan = meso.plan_series(
                result, list(areas), clinic=clinic, start=clinic.at(on, "10:00")
            )
        except SchedulingError:
            continue
        made.append((f"{number:02}-{zone.replace('/', '_')}", plan))
        made += [(f"{number:02}-{zone.replace('/', '_')}-{name}", p) for name, p in operated(plan)]
    return made


def operated(plan: TreatmentPlan) -> list[tuple[str, TreatmentPlan]]:
    """*plan* after each operation that succeeds on it."""
    done: list[tuple[str, TreatmentPlan]] = []
    try:
        plan = plan.complete(1)
        done.append(("complete", plan))
        plan = plan.cancel(2)
        done.append(("cancel", plan))
        planned = [s.index for s in plan.sessions if s.status is SessionStatus.PLANNED]
        plan = plan.no_show(planned[0])
        done.append(("no-show", plan))
        planned = [s.index for s in plan.sessions if s.status is SessionStatus.PLANNED]
        later = plan.session(planned[-1]).start.add(days=1)
        done.append(("reschedule", plan.reschedule(planned[-1], later)))
    except SchedulingError:
        pass
    return done


def bundles() -> dict[str, dict[str, Any]]:
    """Every bundle to check, by file name."""
    written: dict[str, dict[str, Any]] = {
        "rules.json": meso.rules_fhir(meso.default_rules()),
        "rules-clinic.json": meso.rules_fhir(meso.default_rules(), base_uri=CLINIC_BASE),
    }
    for index, (name, plan) in enumerate(plans()):
        written[f"plan-{name}.json"] = meso.to_fhir(plan, include_rules=index % 3 != 1)
        if index % 5 == 0:
            written[f"plan-{name}-clinic.json"] = meso.to_fhir(
                plan, include_rules=False, base_uri=CLINIC_BASE, patient_system=PATIENTS
            )
    for index, (name, plan, diary) in enumerate(booked()):
        written[f"{name}.json"] = meso.to_fhir(plan, diary=diary, include_rules=index % 2 == 0)
        if index % 4 == 0:
            written[f"{name}-clinic.json"] = meso.to_fhir(
                plan, diary=diary, base_uri=CLINIC_BASE, patient_system=PATIENTS
            )
        first = min(s.start for s in plan.sessions)
        busy = _busy(diary, first)
        written[f"diary-{name.removeprefix('booked-')}.json"] = diary_fhir(
            busy,
            start=first.date(),
            end=max(s.end for s in plan.sessions).add(days=1).date(),
            base_uri=CLINIC_BASE if index % 3 == 0 else None,
        )
    return written


def _busy(diary: meso.Diary, first: Any) -> meso.Diary:
    """*diary* with busy time: a labelled block, one without a label, two alike, one overnight."""
    clinic = diary.clinic
    day = first.date().add(days=1)
    blocks = [
        meso.Busy(
            start=clinic.at(day, "09:00"),
            end=clinic.at(day, "10:30"),
            resource=diary.practitioners[0].id,
            label="staff meeting",
        ),
        meso.Busy(
            start=clinic.at(day, "12:00"), end=clinic.at(day, "13:00"), resource=diary.rooms[0].id
        ),
        meso.Busy(
            start=clinic.at(day, "12:00"), end=clinic.at(day, "13:00"), resource=diary.rooms[0].id
        ),
        meso.Busy(
            start=clinic.at(day, "20:00"),
            end=clinic.at(day.add(days=1), "07:00"),
            resource=diary.rooms[1].id,
            label="cleaning",
        ),
    ]
    return attrs.evolve(diary, busy=[*diary.busy, *blocks])


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write("usage: make_bundles.py DIR\n")
        return 2
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    written = bundles()
    for name, bundle in written.items():
        (out / name).write_text(json.dumps(bundle, indent=1, ensure_ascii=False), encoding="utf-8")
    sys.stdout.write(f"{len(written)} bundles written to {out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
