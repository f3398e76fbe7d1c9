"""The VEVENTs of a plan's iCalendar export: its sessions, who and where, and maintenance.

`mesotherapy.ical` writes the calendar (see its notes for what the events hold, and why);
this module fills in each event: a session's times, words, status, booked practitioner and
room and reminder, and a maintenance window's one day. ``icalendar`` is imported by
`mesotherapy.ical.ical_calendar` before any of these is called.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import urllib.parse
import zoneinfo
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Final

from ._aftercare import PRECARE, CareWindow
from ._diary_names import booked_names
from ._errors import ClientError
from ._html import area_names as _joined_names
from ._plan import TreatmentPlan
from ._session import Session, SessionStatus
from ._time import plain_utc

if TYPE_CHECKING:
    import icalendar

__all__ = [
    "active_places",
    "add_stamps",
    "area_names",
    "describe_maintenance",
    "describe_session",
    "organizer_address",
    "plan_sequence",
    "precare_text",
    "session_lines",
    "staff_names",
]

_INACTIVE_SUFFIX: Final[Mapping[SessionStatus, str]] = {
    SessionStatus.CANCELLED: " - cancelled",
    SessionStatus.NO_SHOW: " - missed (no-show)",
}

_ONE_DAY: Final = dt.timedelta(days=1)
_MORNING: Final = dt.timedelta(hours=9)
"""When the maintenance reminder goes off: 09:00 on the day the window opens."""


def area_names(areas: Iterable[object]) -> str:
    """`mesotherapy._html.area_names`, kept per tuple of areas (every event writes them)."""
    if type(areas) is not tuple:
        return _joined_names(areas)
    return _kept_names(areas)


_kept_names: Final = functools.lru_cache(maxsize=256)(_joined_names)


def _clock(moment: dt.datetime) -> str:
    """The wall-clock time to the minute: pendulum's ``format("HH:mm")``."""
    return f"{moment.hour:02d}:{moment.minute:02d}"


def describe_session(
    event: icalendar.Event,
    plan: TreatmentPlan,
    session: Session,
    windows: Iterable[CareWindow],
    staff: Mapping[str, str],
) -> None:
    """Fill in *event* for *session*: times, words, status, who and where, and the reminder."""
    import icalendar  # noqa: PLC0415 - already imported by ical_calendar

    zone = zoneinfo.ZoneInfo(plan.timezone)
    summary = _summary(session, plan.active_sessions)
    event.add("dtstart", _wall(session.start, zone))
    event.add("dtend", _wall(session.end, zone))
    event.add("summary", summary)
    event.add("description", _session_text(session, windows, plan.timezone, staff))
    room = session.room
    where = plan.clinic.name if room is None else f"{staff.get(room, room)}, {plan.clinic.name}"
    event.add("location", where)
    if session.practitioner is not None:
        event.add("attendee", _attendee("practitioner", session.practitioner, staff))
    if room is not None:
        event.add("attendee", _attendee("room", room, staff))
    # CONFIRMED while it counts towards the series; X-MESOTHERAPY-STATUS keeps the plan's own.
    event.add("status", "CONFIRMED" if session.status.is_active else "CANCELLED")
    event.add("x-mesotherapy-status", session.status.value)
    if session.override is not None:  # never a silent break of the interval bounds
        event.add("comment", _override_text(session))
    if session.status is SessionStatus.PLANNED:
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        # A nominal day (RFC 5545, 3.3.6): the same local time the day before, DST or not.
        alarm.add("trigger", -_ONE_DAY)
        alarm.add("description", f"Tomorrow at {_clock(session.start)}: {summary}")
        event.add_component(alarm)


def add_stamps(
    event: icalendar.Event, dtstamp: dt.datetime, sequence: int, *, modified: bool
) -> None:
    """The update semantics: ``DTSTAMP``, ``SEQUENCE`` and, when known, ``LAST-MODIFIED``."""
    event.add("dtstamp", dtstamp)
    event.add("sequence", sequence)
    if modified:  # the time of the export, given by the caller; never a made-up one
        event.add("last-modified", dtstamp)


def plan_sequence(plan: TreatmentPlan) -> int:
    """``SEQUENCE``: the plan's revision less one, so that a new plan's events have 0."""
    return plan.revision - 1


def describe_maintenance(
    event: icalendar.Event, plan: TreatmentPlan, opens: dt.date, closes: dt.date
) -> None:
    """Fill in *event* for a maintenance window: one day, the day it opens, and a reminder."""
    import icalendar  # noqa: PLC0415 - already imported by ical_calendar

    summary = (
        f"Mesotherapy maintenance due from {opens.isoformat()} to {closes.isoformat()} "
        f"({area_names(plan.areas)})"
    )
    day = dt.date(opens.year, opens.month, opens.day)
    event.add("dtstart", day)
    event.add("dtend", day + _ONE_DAY)  # exclusive: the one day
    event.add("summary", summary)
    event.add("description", _maintenance_text(plan, opens, closes))
    event.add("location", plan.clinic.name)
    event.add("status", "TENTATIVE")
    event.add("transp", "TRANSPARENT")
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    # From the start of the (floating) day: the morning the window opens, wherever the
    # client is.
    alarm.add("trigger", _MORNING)
    alarm.add("description", f"Time to book: {summary}")
    event.add_component(alarm)


def _summary(
    session: Session, active: tuple[Session, ...], places: Mapping[int, int] | None = None
) -> str:
    """The session's title, giving its place among the active sessions.

    *places*, if given, is `active_places` of *active* (worked out once for an export).
    """
    if session.status.is_active:
        # By identity first: `tuple.index` compares every earlier session field by field.
        if places is None:
            place = next((n for n, s in enumerate(active, start=1) if s is session), 0)
        else:
            place = places.get(id(session), 0)
        place = place or active.index(session) + 1
    else:  # the place it had: after the active sessions that start before it
        place = 1 + sum(1 for s in active if s.start < session.start)
    suffix = _INACTIVE_SUFFIX.get(session.status, "")
    return f"Mesotherapy session {place} of {len(active)} ({area_names(session.areas)}){suffix}"


def active_places(active: tuple[Session, ...]) -> dict[int, int]:
    """The place of each of *active* by its ``id`` (valid while *active* is held)."""
    return {id(s): n for n, s in enumerate(active, start=1)}


def _override_text(session: Session) -> str:
    override = session.override
    if override is None:
        return ""
    return (
        f"Beyond the longest interval by a clinician's override: {override.by}, "
        f"because {override.reason}"
    )


def _session_text(
    session: Session, windows: Iterable[CareWindow], zone: str, staff: Mapping[str, str]
) -> str:
    return precare_text(
        session_lines(session, staff),
        [(w.start, w.description) for w in windows if w.kind == PRECARE],
        zone,
    )


def session_lines(session: Session, staff: Mapping[str, str]) -> list[str]:
    """The lines of a session's description before its pre-care: areas, status, who, why."""
    lines = [f"Areas: {area_names(session.areas)}", f"Status: {session.status.value}"]
    if session.practitioner is not None:
        lines.append(f"Practitioner: {staff.get(session.practitioner, session.practitioner)}")
    if session.room is not None:
        lines.append(f"Room: {staff.get(session.room, session.room)}")
    if session.override is not None:
        lines.append(_override_text(session))
    return lines


def precare_text(lines: list[str], precare: list[tuple[dt.datetime, str]], zone: str) -> str:
    """A session's description: its *lines*, then its pre-care (start, description) pairs."""
    if precare:
        lines.append(f"Before this session ({zone} time):")
        # The date and the wall-clock time to the minute, as pendulum's
        # ``format("YYYY-MM-DD HH:mm")`` writes them (it parses its pattern at every call),
        # in one f-string: four a session, each at an instant of its own.
        lines += [
            f"- from {m.year:d}-{m.month:02d}-{m.day:02d} {m.hour:02d}:{m.minute:02d}: {text}"
            for m, text in precare
        ]
    return "\n".join(lines)


def _maintenance_text(plan: TreatmentPlan, opens: dt.date, closes: dt.date) -> str:
    protocol = plan.protocol
    return "\n".join(
        [
            f"Areas: {area_names(plan.areas)}",
            (
                f"A maintenance session is due from {opens.isoformat()} to "
                f"{closes.isoformat()} ({protocol.min_maintenance_months} to "
                f"{protocol.max_maintenance_months} months after the series)."
            ),
        ]
    )


# --- Who and where --------------------------------------------------------------------------

_RESOURCE_URN: Final = "urn:mesotherapy"
"""The root of a practitioner's or a room's ``ATTENDEE`` value: the library knows no address."""
_ADDRESS: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s]+")
"""A calendar user address (RFC 5545, 3.3.3): an absolute URI, ``mailto:`` most often."""


def staff_names(plan: TreatmentPlan, diary: object) -> dict[str, str]:
    """The names of the plan's practitioners and rooms, from *diary* (ids without one)."""
    return {resource: name or resource for resource, name in booked_names(plan, diary).items()}


def organizer_address(value: object) -> str:
    """*value*, checked to be a calendar user address (an absolute URI), for ``ORGANIZER``."""
    if not isinstance(value, str) or not _ADDRESS.fullmatch(value):
        msg = (
            "organizer: expected a calendar address such as 'mailto:desk@clinic.example' "
            f"(an absolute URI), got {value!r}"
        )
        raise ClientError(msg)
    return value


def _attendee(kind: str, resource: str, staff: Mapping[str, str]) -> icalendar.vCalAddress:
    """A practitioner (``CUTYPE=INDIVIDUAL``) or a room (``CUTYPE=ROOM``) as an ``ATTENDEE``."""
    import icalendar  # noqa: PLC0415 - already imported by ical_calendar

    value = f"{_RESOURCE_URN}:{kind}:{urllib.parse.quote(resource, safe='-._~')}"
    address = icalendar.vCalAddress(value)
    address.params["cn"] = staff.get(resource, resource)
    address.params["cutype"] = "INDIVIDUAL" if kind == "practitioner" else "ROOM"
    address.params["role"] = "REQ-PARTICIPANT" if kind == "practitioner" else "NON-PARTICIPANT"
    address.params["partstat"] = "ACCEPTED"
    return address


def _wall(moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """*moment* in *zone* (a stdlib datetime, which icalendar writes with ``TZID``).

    A local time that happens twice (the repeated hour) stays in UTC, whichever pass it
    is: RFC 5545 (3.3.5) reads such a time with a ``TZID`` as the first pass, ical.js
    as the second, so only UTC names one instant for every reader.
    """
    utc = plain_utc(moment)
    local = utc.astimezone(zone)
    other = local.replace(fold=1 - local.fold)
    return utc if other.utcoffset() != local.utcoffset() else local
