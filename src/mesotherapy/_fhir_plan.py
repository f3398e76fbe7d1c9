"""The FHIR R5 resources of a plan: its CarePlan, its ServiceRequest, an Appointment a session.

`mesotherapy.fhir` puts them in the Bundle (`mesotherapy.fhir.fhir_bundle` says what each
holds); the booked practitioners and rooms, as participants and resources, come from
`_fhir_diary`, the rule set's definitions from `_fhir_rules`. Ids are uuid5 ``urn:uuid``
values of each resource's identifier (`identified_urn`), never random.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, Final

import pendulum

from ._fhir_base import Names, narrative, sentence, urn
from ._fhir_diary import participants
from ._kept import by_instant, iso_text
from ._model import Area
from ._plan import TreatmentPlan
from ._session import Session, SessionStatus
from ._time import plain_utc

__all__ = [
    "SNOMED",
    "appointment_resource",
    "care_plan_resource",
    "dumped_instant",
    "fhir_instant",
    "identified_urn",
    "service_request_resource",
    "session_urn",
]

SNOMED: Final = "http://snomed.info/sct"

_BODY_SITES: Final[Mapping[Area, tuple[str | None, str | None, str]]] = {
    Area.FACE: ("89545001", "Face structure", "Face"),
    Area.NECK: ("45048000", "Neck structure", "Neck"),
    # No SNOMED CT code for the décolletage could be confirmed: text only.
    Area.DECOLLETAGE: (None, None, "Décolletage (upper anterior chest)"),
    Area.HANDS: ("85562004", "Hand structure", "Hands"),
    Area.SCALP: ("41695006", "Scalp structure", "Scalp"),
}
"""Each area's body site: SNOMED CT code and display (where confirmed), and the text."""

_APPOINTMENT_STATUS: Final[Mapping[SessionStatus, str]] = {
    SessionStatus.PLANNED: "booked",
    SessionStatus.COMPLETED: "fulfilled",
    SessionStatus.CANCELLED: "cancelled",
    SessionStatus.NO_SHOW: "noshow",
}


_NO_ID: Final = "client without a recorded identifier"


def _local_text(moment: pendulum.DateTime) -> str:
    # pendulum's format("YYYY-MM-DD HH:mm Z"), written out: format parses its pattern and
    # loads a locale at every call, a fifth of the plan's resources.
    day = (
        f"{moment.year:d}-{moment.month:02d}-{moment.day:02d} {moment.hour:02d}:{moment.minute:02d}"
    )
    if moment.tzinfo is None:
        return f"{day} "
    minutes = (moment.utcoffset() or dt.timedelta()).total_seconds() / 60
    hour, minute = divmod(abs(int(minutes)), 60)
    return f"{day} {'+' if minutes >= 0 else '-'}{hour:02d}:{minute:02d}"


_local: Callable[[pendulum.DateTime], str] = by_instant(_local_text)
"""A moment as a person reads it in the narrative, kept: a plan's instants recur in each export."""


def _minutes(start: dt.datetime, end: dt.datetime) -> int:
    """The elapsed minutes from *start* to *end*, truncated, at least 1.

    pendulum's ``(end - start).in_minutes()``, in the standard library: its ``Interval``
    was a tenth of the plan's resources.
    """
    return max(1, int((plain_utc(end) - plain_utc(start)).total_seconds() / 60))


def care_plan_resource(
    plan: TreatmentPlan, names: Names, appointments: list[str]
) -> dict[str, Any]:
    """The plan's CarePlan: its period, one activity per Appointment, the maintenance note."""
    active = plan.active_sessions or plan.sessions
    p = plan.protocol
    areas = ", ".join(area.value for area in plan.areas)
    title = f"Mesotherapy series: {areas}"
    description = (
        f"{p.sessions} sessions, {p.interval_days} days apart (allowed "
        f"{p.min_interval_days}-{p.max_interval_days}), {p.session_minutes} minutes "
        f"each, at {plan.clinic.name} ({plan.timezone}); rules {plan.rules.name} "
        f"{plan.rules.version}"
    )
    status = "completed" if plan.is_complete else "active"
    notes = [
        f"Maintenance due from {w.opens.isoformat()} to {w.closes.isoformat()}"
        for w in plan.maintenance
    ]
    lines = [
        f"{title} ({status}).",
        sentence(description),
        *(
            f"Session {s.index} ({', '.join(a.value for a in s.areas)}): {_local(s.start)} "
            f"to {_local(s.end)}, {s.status.value}."
            for s in plan.sessions
        ),
        *(sentence(note) for note in notes),
    ]
    resource: dict[str, Any] = {
        "resourceType": "CarePlan",
        # The keys in the order of the validated dump, which `to_fhir` then need not change.
        # The identifier names the plan through its revisions; versionId says which one.
        "meta": {"versionId": str(plan.revision)},
        "text": narrative(lines),
        "identifier": [{"system": names.system("plan"), "value": plan.id}],
        "instantiatesCanonical": [names.versioned(names.protocol(a)) for a in plan.areas],
        "status": status,
        "intent": "plan",
        "category": [{"text": "Mesotherapy"}],
        "title": title,
        "description": description,
        "subject": _patient_reference(plan, names),
        "period": {"start": dumped_instant(active[0].start), "end": dumped_instant(active[-1].end)},
        "activity": [
            {"plannedActivityReference": {"reference": url, "type": "Appointment"}}
            for url in appointments
        ],
    }
    if notes:
        resource["note"] = [{"text": note} for note in notes]
    return resource


def service_request_resource(plan: TreatmentPlan, names: Names, care_plan: str) -> dict[str, Any]:
    """The series' ServiceRequest: the areas' body sites and the protocol's timing."""
    p = plan.protocol
    status = "completed" if plan.is_complete else "active"
    timing = (
        f"{p.sessions} sessions of {p.session_minutes} minutes, "
        f"{p.interval_days} days apart ({p.min_interval_days}-"
        f"{p.max_interval_days} allowed)"
    )
    sites = [_body_site(area) for area in plan.areas]
    lines = [
        f"Mesotherapy series ({status}): {timing}.",
        f"Areas: {', '.join(site['text'] for site in sites)}.",
    ]
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "text": narrative(lines),
        "instantiatesCanonical": [names.versioned(names.activity)],
        "basedOn": [{"reference": care_plan, "type": "CarePlan"}],
        "status": status,
        "intent": "plan",
        "code": {"concept": {"text": "Mesotherapy series"}},
        "subject": _patient_reference(plan, names),
        "occurrenceTiming": {
            "repeat": {
                "count": p.sessions,
                "duration": p.session_minutes,
                "durationUnit": "min",
                "frequency": 1,
                "period": p.min_interval_days,
                "periodMax": p.max_interval_days,
                "periodUnit": "d",
            },
            "code": {"text": timing},
        },
        "bodySite": sites,
    }
    if plan.review_acknowledged:
        note = "A clinician reviewed the assessment before planning."
        resource["note"] = [{"text": note}]
        resource["text"] = narrative([*lines, note])
    return resource


def appointment_resource(  # noqa: PLR0913, PLR0917 - the session and what it references
    plan: TreatmentPlan,
    names: Names,
    session: Session,
    request: str,
    sessions: Mapping[str, str],
    known: Mapping[str, str],
) -> dict[str, Any]:
    """*session*'s Appointment: its times, status, participants, replacement and override."""
    client = _patient_reference(plan, names)
    areas = ", ".join(area.value for area in session.areas)
    status = _APPOINTMENT_STATUS[session.status]
    description = f"Mesotherapy session {session.index}: {areas}"
    lines = [
        f"{description} ({status}).",
        f"From {_local(session.start)} to {_local(session.end)} ({plan.timezone}).",
    ]
    resource: dict[str, Any] = {
        "resourceType": "Appointment",
        "identifier": [{"system": names.system("session"), "value": session.id}],
        "status": status,
        "serviceType": [{"concept": {"text": "Mesotherapy"}}],
        "description": description,
        "start": dumped_instant(session.start),
        "end": dumped_instant(session.end),
        "minutesDuration": _minutes(session.start, session.end),
        "basedOn": [{"reference": request, "type": "ServiceRequest"}],
        "subject": client,
        "participant": [
            {"actor": client, "status": "accepted"},
            *participants(names, session.practitioner, session.room, known),
        ],
    }
    if session.practitioner is not None or session.room is not None:
        who = known.get(session.practitioner or "", session.practitioner)
        where = known.get(session.room or "", session.room)
        lines.append(f"With {who or 'no practitioner'}, in {where or 'no room'}.")
    if session.replaces is not None:
        resource["replaces"] = [{"reference": sessions[session.replaces], "type": "Appointment"}]
        replaced = next(s for s in plan.sessions if s.id == session.replaces)
        lines.append(f"Replaces session {replaced.index} ({replaced.status.value}).")
    if session.override is not None:  # never a silent break of the interval bounds
        text = (
            "Booked beyond the longest interval by a clinician's override: "
            f"{session.override.reason}"
        )
        resource["note"] = [{"authorString": session.override.by, "text": text}]
        lines.append(f"{sentence(text)} ({session.override.by})")
    return {"resourceType": "Appointment", "text": narrative(lines)} | resource


def _body_site(area: Area) -> dict[str, Any]:
    code, display, text = _BODY_SITES[area]
    # The dump's order: the coding, then the text.
    if code is None:
        return {"text": text}
    return {"coding": [{"system": SNOMED, "code": code, "display": display}], "text": text}


def _patient_reference(plan: TreatmentPlan, names: Names) -> dict[str, Any]:
    """The reference to the client: the opaque id as an identifier, and nothing else."""
    if plan.client_id is None:
        return {"type": "Patient", "display": _NO_ID}
    identifier = {"system": names.client_system, "value": plan.client_id}
    return {"type": "Patient", "identifier": identifier}


def dumped_instant(moment: pendulum.DateTime) -> str:
    """`fhir_instant` as the validated Bundle dumps it: ``Z`` for a UTC offset of zero.

    >>> dumped_instant(pendulum.datetime(2026, 1, 1, 9, tz="Europe/London"))
    '2026-01-01T09:00:00Z'
    """
    # Written so by the builders, `to_fhir` need not walk the resources to change it.
    text = fhir_instant(moment)
    return f"{text[:-6]}Z" if text.endswith("+00:00") else text


def _instant_text(moment: pendulum.DateTime) -> str:
    offset = moment.utcoffset()
    if offset is not None and offset.total_seconds() % 60:
        moment = moment.in_timezone("UTC")  # FHIR's instant allows offsets in minutes only
    return iso_text(moment)  # kept: the plan's snapshot writes its sessions' instants too


fhir_instant: Callable[[pendulum.DateTime], str] = by_instant(_instant_text)
"""An ISO 8601 instant with its UTC offset (UTC when the offset has seconds), kept."""


# --- Deterministic ids ------------------------------------------------------------------------


def identified_urn(kind: str, system: str, value: str) -> str:
    """The ``urn:uuid`` of the *kind* of resource whose identifier is *system* and *value*."""
    return urn(f"{kind}/{system}|{value}")


def session_urn(names: Names, session: Session) -> str:
    """The ``urn:uuid`` of *session*'s Appointment, from its `Session.id`."""
    return identified_urn("Appointment", names.system("session"), session.id)
