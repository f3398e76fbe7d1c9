"""The FHIR R5 resources of a clinic's diary: Practitioner, Location, Schedule and Slot.

A booked session's Appointment names its practitioner and its room as participants,
references to a **Practitioner** and a **Location** in the same Bundle
(`resource_entries`); a diary exports as one **Schedule** per practitioner and room, whose
``actor`` is that Practitioner or Location, and one **Slot** (``status`` ``busy``) per
claim in a window (`diary_entries`). Ids are uuid5 ``urn:uuid`` values of each
resource's identifier, as for every resource of the FHIR exports: the same practitioner
is the same Practitioner in every bundle, a plan's and a diary's alike.

The identifier systems, under the export's base (``urn:mesotherapy`` by default):
``<base>:practitioner`` (a practitioner's id), ``<base>:room`` (a room's id) and
``<base>:schedule`` (the resource's id, for its Schedule).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, Literal

import pendulum

from ._diary import Diary, Practitioner, Room
from ._diary_rows import Claim
from ._fhir_base import Names, canonical_json, entry, narrative, urn

__all__ = ["diary_entries", "participants", "resource_entries", "resource_urn"]

_ROOM_TYPE: Final[dict[str, Any]] = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/location-physical-type",
            "code": "ro",
            "display": "Room",
        }
    ],
    "text": "Treatment room",
}
"""A room's ``Location.form``: the physical type *room* (HL7's location-physical-type)."""

Kind = Literal["practitioner", "room"]


def _kind(resource: Practitioner | Room) -> Kind:
    return "practitioner" if isinstance(resource, Practitioner) else "room"


def resource_urn(names: Names, kind: Kind, resource: str) -> str:
    """The ``urn:uuid`` of the Practitioner or Location of the resource with id *resource*."""
    fhir_type = "Practitioner" if kind == "practitioner" else "Location"
    return urn(f"{fhir_type}/{names.system(kind)}|{resource}")


def _schedule_urn(names: Names, resource: str) -> str:
    return urn(f"Schedule/{names.system('schedule')}|{resource}")


def _practitioner(names: Names, resource: str, name: str | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "resourceType": "Practitioner",
        "text": narrative([f"Practitioner {name or resource} ({resource})."]),
        "identifier": [{"system": names.system("practitioner"), "value": resource}],
        "active": True,
    }
    if name:
        data["name"] = [{"text": name}]
    return data


def _location(names: Names, resource: str, name: str | None, clinic: str) -> dict[str, Any]:
    return {
        "resourceType": "Location",
        "text": narrative([f"Room {name or resource} ({resource}) at {clinic}."]),
        "identifier": [{"system": names.system("room"), "value": resource}],
        "status": "active",
        "name": name or resource,
        "description": f"A treatment room at {clinic}",
        "mode": "instance",
        # A copy: each export's resources are the caller's own, to change (`to_fhir` hands
        # on the parts it need not reorder as they are).
        "form": {"coding": [dict(_ROOM_TYPE["coding"][0])], "text": _ROOM_TYPE["text"]},
    }


def resource_entries(
    names: Names, used: Iterable[tuple[Kind, str]], known: Mapping[str, str], clinic: str
) -> list[dict[str, Any]]:
    """The entries of the Practitioners and Locations *used*, each once, in order.

    *known* maps an id to its name (from the diary); an id without one has no name.
    """
    entries: list[dict[str, Any]] = []
    seen: set[tuple[Kind, str]] = set()
    for kind, resource in used:
        if (kind, resource) in seen:
            continue
        seen.add((kind, resource))
        url = resource_urn(names, kind, resource)
        name = known.get(resource)
        if kind == "practitioner":
            entries.append(entry(url, _practitioner(names, resource, name)))
        else:
            entries.append(entry(url, _location(names, resource, name, clinic)))
    return entries


def participants(
    names: Names, practitioner: str | None, room: str | None, known: Mapping[str, str]
) -> list[dict[str, Any]]:
    """A booked session's participants: its practitioner, then its room (each if set)."""
    found: list[dict[str, Any]] = []
    pairs: tuple[tuple[Kind, str | None], ...] = (("practitioner", practitioner), ("room", room))
    for kind, resource in pairs:
        if resource is None:
            continue
        actor = {
            "reference": resource_urn(names, kind, resource),
            "type": "Practitioner" if kind == "practitioner" else "Location",
            "display": known.get(resource, resource),
        }
        found.append({"actor": actor, "required": True, "status": "accepted"})
    return found


def _instant(moment: dt.datetime, zone: str) -> str:
    """An ISO 8601 instant in the clinic's zone (UTC when the offset has seconds)."""
    local = pendulum.instance(moment).in_timezone(zone)
    offset = local.utcoffset()
    if offset is not None and offset.total_seconds() % 60:
        local = local.in_timezone("UTC")  # FHIR's instant allows offsets in minutes only
    return local.isoformat()


def diary_entries(
    names: Names,
    diary: Diary,
    claims: Sequence[Claim],
    window: tuple[dt.datetime, dt.datetime],
) -> list[dict[str, Any]]:
    """The diary's Practitioners, Locations, one Schedule each, and a Slot per claim."""
    zone = diary.clinic.timezone
    clinic = diary.clinic.name
    resources: tuple[Practitioner | Room, ...] = (*diary.practitioners, *diary.rooms)
    known = {r.id: r.name for r in resources if r.name}
    entries = resource_entries(names, [(_kind(r), r.id) for r in resources], known, clinic)
    horizon = {"start": _instant(window[0], zone), "end": _instant(window[1], zone)}
    for item in resources:
        kind = _kind(item)
        fhir_type = "Practitioner" if kind == "practitioner" else "Location"
        label = item.name or item.id
        schedule = {
            "resourceType": "Schedule",
            "text": narrative(
                [
                    (
                        f"The diary of {kind} {label} at {clinic}, from {horizon['start']} "
                        f"to {horizon['end']}."
                    )
                ]
            ),
            "identifier": [{"system": names.system("schedule"), "value": item.id}],
            "active": True,
            "serviceType": [{"concept": {"text": "Mesotherapy"}}],
            "name": f"{label} ({kind})",
            "actor": [
                {
                    "reference": resource_urn(names, kind, item.id),
                    "type": fhir_type,
                    "display": label,
                }
            ],
            "planningHorizon": horizon,
        }
        entries.append(entry(_schedule_urn(names, item.id), schedule))
    counts: dict[str, int] = {}
    for claim in claims:
        # Two equal busy blocks (a calendar may hold both) are two Slots with ids of their own.
        key = canonical_json(
            [claim.resource, claim.claim, claim.start, claim.end, claim.session, claim.label]
        )
        counts[key] = counts.get(key, 0) + 1
        start, end = _instant(claim.start, zone), _instant(claim.end, zone)
        what = "a booked session" if claim.claim == "booked" else (claim.label or "busy")
        slot: dict[str, Any] = {
            "resourceType": "Slot",
            "text": narrative([f"{claim.name} ({claim.kind}): {what}, {start} to {end}."]),
            "schedule": {"reference": _schedule_urn(names, claim.resource), "type": "Schedule"},
            "status": "busy",
            "start": start,
            "end": end,
            "comment": what,
        }
        if claim.claim == "booked":
            slot["serviceType"] = [{"concept": {"text": "Mesotherapy"}}]
        entries.append(entry(urn(f"Slot/{key}/{counts[key]}"), slot))
    return entries
