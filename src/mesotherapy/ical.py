"""The iCalendar (RFC 5545) export of a plan: the sessions and the maintenance window.

``icalendar`` (the ``ical`` extra) is imported only when an export is asked for.

What the calendar holds, and why:

- **one VEVENT per session**, cancelled and missed ones included (with ``STATUS:CANCELLED``
  on the same ``UID``, so that a calendar that imported an earlier export strikes them
  out), never an ``RRULE``: a series has ranges and moves one session at a time, which a
  recurrence cannot say. ``DTSTART``/``DTEND`` carry ``TZID`` with the clinic's IANA zone
  (never a fixed offset), and ``DTEND`` is written rather than a ``DURATION``. A local
  time that happens twice (the repeated hour) is written in UTC instead: readers
  disagree on which pass a ``TZID`` time there names (RFC 5545 says the first, ical.js
  takes the second);
- **identities from the plan's ids**: a session's ``UID`` is a uuid5 of its `Session.id`
  alone (`session_uid`), which no operation changes, so every export names the same
  session with the same ``UID`` and a replacement with a new one; a hash rather than
  the id itself, since a caller may make a plan id of a client's identifying text and a
  ``UID`` travels to every calendar (RFC 7986 advises against identifying text in it);
- **updates recognisable as updates**: ``SEQUENCE`` is the plan's revision less one (0 for
  a new plan, as RFC 5545 counts), so that a client replaces the copy it has;
  ``DTSTAMP`` and ``LAST-MODIFIED`` are the export time the caller passes as *stamp*.
  No ``METHOD``: RFC 5546's ``METHOD:PUBLISH`` requires an ``ORGANIZER`` (libical checks
  it) and forbids ``ATTENDEE``, and the clinic has no e-mail address to name;
- **who and where, for a booked plan**: a session with a practitioner and a room (a
  diary's booking) names the practitioner as an ``ATTENDEE`` (``CUTYPE=INDIVIDUAL``) and
  the room in ``LOCATION`` and as an ``ATTENDEE`` (``CUTYPE=ROOM``), with the names of
  the diary passed as *diary*; their values are URNs of their ids, since the library
  knows no one's address. The clinic is the ``ORGANIZER`` only when the caller gives its
  address (*organizer*): without one there is none, although RFC 5545 asks for one on
  an event with attendees, rather than an address made up;
- **one VTIMEZONE per TZID**, built here from the zone database (see `_vtimezone`): one
  STANDARD or DAYLIGHT block per change of the zone, each with its ``DTSTART`` and
  neither ``RDATE`` nor ``RRULE``, from 1970 to January 1 six years after the calendar's
  last date, and at least to 2038. Why this form: a block whose later dates are
  ``RDATE`` values, none repeating its ``DTSTART``, is misread by ical.js (Mozilla's
  parser, Thunderbird's), which then drops the ``DTSTART`` change, and the first year's
  clock change with it; a block per change is read alike by ical.js, libical, vobject
  (dateutil) and icalendar, and needs no recurrence engine at all. Why this span: vobject
  caches a zone by its ``TZID`` for the whole process, so the first file of a name it
  reads answers for every later file; a VTIMEZONE that covered only this plan's years
  would misread another file's events. Every change since 1970 and years past the file
  make it right for any file of ours a reader reuses it for (about 150 blocks, 15 kB, for
  a zone with summer time; one block for a zone without). An ``RRULE`` block for the
  zone's current rule would cover every later year too, but not every zone's rule is a
  recurrence (Morocco's Ramadan break follows the lunar calendar), and blocks without
  one need no recurrence engine in the reader at all;
- **the maintenance window as one all-day event on the day it opens**, "Mesotherapy
  maintenance due from 2027-03-22 to 2027-06-22 (face, neck)", with ``STATUS:TENTATIVE``,
  ``TRANSP:TRANSPARENT`` and a reminder that morning (``TRIGGER:PT9H``, 09:00 of the day):
  the client is told once, when booking becomes possible, when it must be done by. Not
  an event over the whole window: that fills every day of three months in khal, calcurse
  and any month view. Not a VTODO (``DTSTART`` at the opening, ``DUE`` at the closing),
  although it says exactly this: Google Calendar and Outlook import only the events of
  a file and drop a VTODO, and Apple's Calendar leaves tasks to its Reminders app rather
  than showing them on a day, so most people would see nothing at all (Thunderbird and
  Evolution would show a task; khal and calcurse keep tasks apart from the calendar).

Nothing here reads the clock: ``DTSTAMP`` is the *stamp* a caller passes (the command
line passes the time of the export), else the plan's first session's start, so that
the same plan always gives the same bytes; ``LAST-MODIFIED`` is written only with a
*stamp*, since the library does not know when the plan last changed.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import urllib.parse
import uuid
import zoneinfo
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Final

import attrs

from ._aftercare import PRECARE, CareWindow, aftercare
from ._busy_calendar import busy_from_ics as busy_from_ics  # noqa: PLC0414 - re-exported
from ._diary import Diary
from ._diary_rows import checked_diary
from ._errors import ClientError
from ._extras import require
from ._html import area_names
from ._plan import TreatmentPlan, plan_rules
from ._rules import RuleSet
from ._session import Session, SessionStatus
from ._time import aware, plain_utc, within_calendar

if TYPE_CHECKING:
    import icalendar

__all__ = ["ical_calendar", "maintenance_uid", "session_uid", "to_ics"]

PRODID: Final = "-//mesotherapy//mesotherapy//EN"

_UID_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "https://example.invalid/mesotherapy/ical")
"""The root of every UID this module derives (uuid5): the same id, the same UID."""

_INACTIVE_SUFFIX: Final[Mapping[SessionStatus, str]] = {
    SessionStatus.CANCELLED: " - cancelled",
    SessionStatus.NO_SHOW: " - missed (no-show)",
}

_ONE_DAY: Final = dt.timedelta(days=1)
_MORNING: Final = dt.timedelta(hours=9)
"""When the maintenance reminder goes off: 09:00 on the day the window opens."""
_SECOND: Final = dt.timedelta(seconds=1)
_WALL_MINUTE: Final = "YYYY-MM-DD HH:mm"
"""How a description writes a local time: the date and the wall-clock time, to the minute."""
_COVERED_FROM: Final = dt.date(1970, 1, 1)
_COVERED_UNTIL: Final = dt.date(2038, 1, 1)
_MARGIN_YEARS: Final = 6
"""A VTIMEZONE covers 1970 to 2038 at least, and to January 1 six years after the last date."""


@within_calendar
def ical_calendar(
    plan: TreatmentPlan,
    *,
    rules: RuleSet | None = None,
    stamp: dt.datetime | None = None,
    diary: Diary | None = None,
    organizer: str | None = None,
) -> icalendar.Calendar:
    """The plan as an ``icalendar.Calendar``: `to_ics` before it is written out.

    The calendar has ``PRODID`` ``-//mesotherapy//mesotherapy//EN``, ``VERSION`` 2.0 and
    ``CALSCALE`` GREGORIAN (no ``METHOD``: see the module's notes), then one VTIMEZONE per
    zone used, one VEVENT per session (in index order) and one per maintenance window.

    Every VEVENT has:

    - ``UID``: a session's is `session_uid` (a uuid5 of `Session.id` alone), a
      maintenance window's `maintenance_uid` (of `TreatmentPlan.id` and its number), so
      that exporting the plans that ``complete``, ``cancel``, ``no_show`` or
      ``reschedule`` return updates the same events instead of adding new ones, and a
      replacement session is an event of its own;
    - ``SEQUENCE``: the plan's revision less one (0 for a new plan), the same on every
      event of one export, so that a client replaces the copy an earlier export left;
    - ``DTSTAMP``: *stamp* in UTC, the time of the export; by default the first session's
      start (the library reads no clock, so that an export is reproducible). A caller
      who publishes updates passes the time of the export (the command line does);
    - ``LAST-MODIFIED``: *stamp* in UTC, when one is given (never otherwise).

    A session's VEVENT also has:

    - ``DTSTART``/``DTEND`` with ``TZID`` set to the clinic's zone, in local time. The one
      exception: a start or an end at a local time that happens twice (the repeated hour
      when the clocks go back) is written in UTC, since readers disagree on which pass
      such a time names;
    - ``STATUS``: ``CONFIRMED`` when planned or completed, ``CANCELLED`` when cancelled or
      missed; ``X-MESOTHERAPY-STATUS`` holds the session's own status (``planned``,
      ``completed``, ``cancelled``, ``no_show``);
    - ``SUMMARY``: "Mesotherapy session 2 of 4 (face, neck)", counting the active
      sessions in time order; a cancelled or missed one gives the place it had, and says
      so ("... - cancelled");
    - ``LOCATION``: the clinic's name; ``DESCRIPTION``: the areas, the status and the
      pre-care of the session (the ``precare`` windows of `aftercare`), with the local
      time each begins;
    - on a session booked beyond the longest interval by a clinician's `Override`, a
      ``COMMENT`` naming who decided and why, and the same line in ``DESCRIPTION``;
    - a ``VALARM`` (``ACTION:DISPLAY``, ``TRIGGER:-P1D``: the same local time the day
      before) on planned sessions only: a reminder of a session that is done, cancelled
      or missed would be wrong.

    A booked session (one whose `Session.practitioner` and `Session.room` are set, as
    ``plan_series(..., diary=...)`` leaves them) also has, when set:

    - ``ATTENDEE;CN=<name>;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED``: the
      practitioner, its value ``urn:mesotherapy:practitioner:<id>`` (the library knows no
      practitioner's address); the name is the one *diary* gives, else the id;
    - ``LOCATION``: the room's name (else its id), then the clinic's name; and the room as
      ``ATTENDEE;CN=<name>;CUTYPE=ROOM;ROLE=NON-PARTICIPANT`` with the value
      ``urn:mesotherapy:room:<id>``;
    - the practitioner and the room in ``DESCRIPTION``.

    *organizer*, a calendar user address such as ``mailto:desk@clinic.example`` (the
    clinic has no e-mail address of its own to name), makes every session's VEVENT name
    the clinic as ``ORGANIZER;CN=<clinic name>``; without one there is no ``ORGANIZER``
    (nor ``METHOD``: ``METHOD:PUBLISH`` forbids ``ATTENDEE``). *diary* gives the
    practitioners' and rooms' names, and must hold every one the plan names.

    A maintenance window: a VEVENT on the one day it opens (``DTSTART``/``DTEND`` with
    ``VALUE=DATE``; ``DTEND`` is exclusive), "Mesotherapy maintenance due from OPENS to
    CLOSES (areas)", ``STATUS:TENTATIVE``, ``TRANSP:TRANSPARENT``, and a ``VALARM`` at
    09:00 that day (``TRIGGER:PT9H``).

    Raises:
        ClientError: *plan* is no `TreatmentPlan` or has no session, or it was made with
            another rule set (name and version) than *rules* (default: `default_rules`).
        RuleSetError: *rules* is no `RuleSet`.
        InvalidTimeError: *stamp* is naive or no datetime.
        MissingExtraError: ``icalendar`` is not installed (the ``ical`` extra).
        ClientError: *diary* is no `Diary` or lacks a practitioner or room of the plan,
            or *organizer* is no absolute URI.
    """
    # Callers without a type checker pass dicts and names; refuse them with our errors.
    rules = plan_rules(plan, rules)
    staff = _staff(plan, diary)
    clinic_address = None if organizer is None else _address(organizer)
    if not plan.sessions:  # plan_series never makes one; a hand-built plan might
        msg = "plan: expected a plan with at least one session, got none"
        raise ClientError(msg)
    moment = min(s.start for s in plan.sessions) if stamp is None else aware(stamp, field="stamp")
    care = aftercare(plan, rules=rules)
    require("icalendar", "ical")
    import icalendar  # noqa: PLC0415 - the extra, imported only when an export is asked for

    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    # No METHOD: RFC 5546 wants an ORGANIZER with METHOD:PUBLISH (libical checks it), and
    # a clinic has no e-mail address to name. Without METHOD the file is a plain export
    # (RFC 5545), which every client imports the same way.
    dtstamp = plain_utc(moment)
    sequence = _sequence(plan)
    for session in plan.sessions:
        event = icalendar.Event()
        event.add("uid", session_uid(session))
        _add_stamps(event, dtstamp, sequence, modified=stamp is not None)
        _describe_session(event, plan, session, care.for_session(session.index), staff)
        if clinic_address is not None:
            address = icalendar.vCalAddress(clinic_address)
            address.params["cn"] = plan.clinic.name
            event.add("organizer", address)
        calendar.add_component(event)
    for number, window in enumerate(plan.maintenance, start=1):
        event = icalendar.Event()
        event.add("uid", maintenance_uid(plan, number))
        _add_stamps(event, dtstamp, sequence, modified=stamp is not None)
        _describe_maintenance(event, plan, window.opens, window.closes)
        calendar.add_component(event)
    _add_timezones(calendar, _covered_dates(plan))
    return calendar


@within_calendar
def to_ics(
    plan: TreatmentPlan,
    *,
    rules: RuleSet | None = None,
    stamp: dt.datetime | None = None,
    diary: Diary | None = None,
    organizer: str | None = None,
) -> str:
    r"""The plan as iCalendar text (RFC 5545): `ical_calendar`, written out.

    Lines end with CRLF, as RFC 5545 requires: write the text as it is (``newline=""``).
    The same plan and *stamp* always give the same text.

    >>> import pendulum, mesotherapy as meso
    >>> client = meso.Client(id="c-001", birth_date="1985-03-02")
    >>> result = meso.assess(client, ["face", "neck"], on="2026-10-20")
    >>> plan = meso.plan_series(result, ["face", "neck"], clinic=meso.example_clinic(),
    ...     start=pendulum.datetime(2026, 10, 20, 9, tz="America/Toronto"))
    >>> text = to_ics(plan.cancel(2))
    >>> lines = text.replace("\r\n ", "").split("\r\n")  # long lines unfolded
    >>> print("\n".join(line for line in lines if line.startswith(("DTSTART;", "STATUS"))))
    DTSTART;TZID=America/Toronto:20261020T090000
    STATUS:CONFIRMED
    DTSTART;TZID=America/Toronto:20261110T090000
    STATUS:CANCELLED
    DTSTART;TZID=America/Toronto:20261110T090000
    STATUS:CONFIRMED
    DTSTART;TZID=America/Toronto:20261201T090000
    STATUS:CONFIRMED
    DTSTART;TZID=America/Toronto:20261222T090000
    STATUS:CONFIRMED
    DTSTART;VALUE=DATE:20270322
    STATUS:TENTATIVE
    >>> print("\n".join(line for line in lines if line.startswith("SUMMARY")))
    SUMMARY:Mesotherapy session 1 of 4 (face\, neck)
    SUMMARY:Mesotherapy session 2 of 4 (face\, neck) - cancelled
    SUMMARY:Mesotherapy session 2 of 4 (face\, neck)
    SUMMARY:Mesotherapy session 3 of 4 (face\, neck)
    SUMMARY:Mesotherapy session 4 of 4 (face\, neck)
    SUMMARY:Mesotherapy maintenance due from 2027-03-22 to 2027-06-22 (face\, neck)
    >>> text == to_ics(plan.cancel(2))
    True

    A booked plan names its practitioner and room; *organizer* names the clinic:

    >>> import attrs
    >>> diary = meso.Diary(clinic=meso.example_clinic(),
    ...     practitioners=[meso.Practitioner(id="dr-h", name="Dr. H.", areas=["face", "neck"])],
    ...     rooms=[meso.Room(id="room-1", name="Room 1")])
    >>> booked = attrs.evolve(plan, sessions=[attrs.evolve(s, practitioner="dr-h", room="room-1")
    ...                                       for s in plan.sessions])
    >>> text = to_ics(booked, diary=diary, organizer="mailto:desk@clinic.example")
    >>> lines = text.replace("\r\n ", "").split("\r\n")
    >>> print("\n".join(dict.fromkeys(line.replace(";PARTSTAT=ACCEPTED", "") for line in lines
    ...     if line.startswith(("ATTENDEE", "LOCATION", "ORGANIZER")))))
    ATTENDEE;CN="Dr. H.";CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT:urn:mesotherapy:practitioner:dr-h
    ATTENDEE;CN="Room 1";CUTYPE=ROOM;ROLE=NON-PARTICIPANT:urn:mesotherapy:room:room-1
    LOCATION:Room 1\, Example Clinic
    ORGANIZER;CN="Example Clinic":mailto:desk@clinic.example
    LOCATION:Example Clinic

    Raises:
        ClientError, RuleSetError, InvalidTimeError, MissingExtraError: as `ical_calendar`.
    """
    calendar = ical_calendar(plan, rules=rules, stamp=stamp, diary=diary, organizer=organizer)
    text: str = calendar.to_ical().decode("utf-8")
    return text


# --- Sessions -------------------------------------------------------------------------------


def _describe_session(
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
        alarm.add("description", f"Tomorrow at {session.start.format('HH:mm')}: {summary}")
        event.add_component(alarm)


def _add_stamps(
    event: icalendar.Event, dtstamp: dt.datetime, sequence: int, *, modified: bool
) -> None:
    """The update semantics: ``DTSTAMP``, ``SEQUENCE`` and, when known, ``LAST-MODIFIED``."""
    event.add("dtstamp", dtstamp)
    event.add("sequence", sequence)
    if modified:  # the time of the export, given by the caller; never a made-up one
        event.add("last-modified", dtstamp)


def _sequence(plan: TreatmentPlan) -> int:
    """``SEQUENCE``: the plan's revision less one, so that a new plan's events have 0."""
    return plan.revision - 1


def _describe_maintenance(
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


def _summary(session: Session, active: tuple[Session, ...]) -> str:
    """The session's title, giving its place among the active sessions."""
    if session.status.is_active:
        place = active.index(session) + 1
    else:  # the place it had: after the active sessions that start before it
        place = 1 + sum(1 for s in active if s.start < session.start)
    suffix = _INACTIVE_SUFFIX.get(session.status, "")
    return f"Mesotherapy session {place} of {len(active)} ({area_names(session.areas)}){suffix}"


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
    lines = [f"Areas: {area_names(session.areas)}", f"Status: {session.status.value}"]
    if session.practitioner is not None:
        lines.append(f"Practitioner: {staff.get(session.practitioner, session.practitioner)}")
    if session.room is not None:
        lines.append(f"Room: {staff.get(session.room, session.room)}")
    if session.override is not None:
        lines.append(_override_text(session))
    precare = [w for w in windows if w.kind == PRECARE]
    if precare:
        lines.append(f"Before this session ({zone} time):")
        lines += [f"- from {w.start.format(_WALL_MINUTE)}: {w.description}" for w in precare]
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


def _staff(plan: TreatmentPlan, diary: object) -> dict[str, str]:
    """The names of the plan's practitioners and rooms, from *diary* (ids without one)."""
    if diary is None:
        return {}
    diary = checked_diary(diary)
    known = {p.id: p.name or p.id for p in diary.practitioners}
    rooms = {r.id: r.name or r.id for r in diary.rooms}
    for session in plan.sessions:
        for field, value, names in (
            ("practitioner", session.practitioner, known),
            ("room", session.room, rooms),
        ):
            if value is not None and value not in names:
                msg = (
                    f"sessions[{session.index - 1}].{field}: {value!r} is no {field} of the "
                    "diary, expected the diary the plan was booked in"
                )
                raise ClientError(msg)
    return known | rooms


def _address(value: object) -> str:
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


# --- Time -----------------------------------------------------------------------------------


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


def _covered_dates(plan: TreatmentPlan) -> tuple[dt.date, dt.date]:
    """The dates the VTIMEZONE covers: from 1970 to some years past the calendar's end.

    A reader that caches zones by ``TZID`` (vobject) reads every file's events through the
    first VTIMEZONE it saw of that name, so ours must be right well beyond this plan:
    every change since 1970 (or since the first date the calendar holds, if earlier, a
    reminder the day before included), and on to whole years past the last date, at least
    to 2038 (the end of the zone database's explicit transitions in most builds).
    """
    days = [s.start.date() for s in plan.sessions] + [s.end.date() for s in plan.sessions]
    days += [w.closes for w in plan.maintenance]
    first = min(min(days) - _ONE_DAY, _COVERED_FROM)  # a reminder goes off the day before
    last = max(days).year + _MARGIN_YEARS
    end = dt.date.max if last > dt.date.max.year else dt.date(last, 1, 1)
    return dt.date(first.year, 1, 1), max(end, _COVERED_UNTIL)


# --- VTIMEZONE ------------------------------------------------------------------------------


def _add_timezones(calendar: icalendar.Calendar, span: tuple[dt.date, dt.date]) -> None:
    """Put a VTIMEZONE first for every ``TZID`` the events use, covering *span*."""
    used: list[str] = []
    for component in calendar.walk("VEVENT"):
        for name in ("DTSTART", "DTEND"):
            tzid = component[name].params.get("TZID") if name in component else None
            if isinstance(tzid, str) and tzid not in used:
                used.append(tzid)
    for position, tzid in enumerate(used):
        calendar.subcomponents.insert(position, _vtimezone(tzid, *span))


@attrs.frozen
class _Period:
    """A stretch of time with one offset, name and DST flag, from ``start`` (UTC) on."""

    start: dt.datetime
    offset: dt.timedelta
    name: str
    dst: dt.timedelta


def _vtimezone(tzid: str, first: dt.date, last: dt.date) -> icalendar.Timezone:
    """The VTIMEZONE of the IANA zone *tzid*: every change from *first* to *last*.

    One STANDARD or DAYLIGHT block per change, each with its ``DTSTART`` (the local time
    of the change in the offset it leaves) and no ``RDATE`` or ``RRULE`` (see the module
    docstring for why), in time order; the first block, at local midnight of *first*,
    changes nothing (``TZOFFSETFROM`` equals ``TZOFFSETTO``) and only says which offset
    holds from then on. Built from the zone database, not with icalendar's
    ``Calendar.add_missing_timezones()``, which (icalendar 7.3) searches for transitions
    in steps of 64 days and so drops Morocco's Ramadan break (``Africa/Casablanca``,
    ``Africa/El_Aaiun``: about five weeks at +00:00), dates each change to summer time
    an hour late, and writes ``RDATE`` blocks that ical.js misreads.
    """
    import icalendar  # noqa: PLC0415 - already imported by ical_calendar

    timezone = icalendar.Timezone()
    timezone.add("tzid", tzid)
    timezone.add(
        "comment",
        f"Every change of the IANA zone {tzid} from {first} to {last}, "
        "from the time-zone database.",
    )
    for change in _changes(tzid, first, last):
        observance = (
            icalendar.TimezoneDaylight() if change.daylight else icalendar.TimezoneStandard()
        )
        observance.add("dtstart", change.onset)
        observance.add("tzname", change.name)
        observance.add("tzoffsetfrom", change.leaving)
        observance.add("tzoffsetto", change.offset)
        timezone.add_component(observance)
    return timezone


@attrs.frozen
class _Change:
    """One observance of a VTIMEZONE: the local *onset*, in the offset it leaves."""

    onset: dt.datetime
    leaving: dt.timedelta
    offset: dt.timedelta
    name: str
    daylight: bool


def _changes(tzid: str, first: dt.date, last: dt.date) -> tuple[_Change, ...]:
    """The changes of *tzid* from *first* to *last*.

    A period is DAYLIGHT when the zone database says it is summer time (a positive
    ``dst()``), or when it follows a period of negative summer time (Europe/Dublin's
    winter, Morocco's Ramadan) at a greater offset: Irish summer time is then DAYLIGHT
    and its winter STANDARD, as a reader of the file expects.
    """
    zone = zoneinfo.ZoneInfo(tzid)
    changes: list[_Change] = []
    previous: _Period | None = None
    for period in _periods(zone, first, last):
        leaving = period.offset if previous is None else previous.offset
        daylight = period.dst > dt.timedelta(0) or (
            period.dst == dt.timedelta(0)
            and previous is not None
            and previous.dst < dt.timedelta(0)
            and period.offset > previous.offset
        )
        onset = (period.start + leaving).replace(tzinfo=None)
        changes.append(_Change(onset, leaving, period.offset, period.name, daylight))
        previous = period
    return tuple(changes)


def _periods(zone: zoneinfo.ZoneInfo, first: dt.date, last: dt.date) -> list[_Period]:
    """The periods of *zone* from local midnight of *first* to that of *last*.

    The span is scanned a year at a time, each year once a process (`_onsets`).
    """
    periods = [_period(_midnight(first, zone), zone)]
    begin = first
    while begin < last:
        end = min(dt.date(begin.year + 1, 1, 1) if begin.year < last.year else last, last)
        periods += [_period(onset, zone) for onset in _onsets(zone.key, begin, end)]
        begin = end
    return periods


@functools.lru_cache(maxsize=4096)
def _onsets(tzid: str, first: dt.date, last: dt.date) -> tuple[dt.datetime, ...]:
    """The instants (UTC) at which *tzid* changes, from local midnight of *first* to *last*.

    The zone is sampled daily in UTC and each change is found to the second by bisection:
    the database changes at whole seconds, and no zone changes twice within a day.
    """
    zone = zoneinfo.ZoneInfo(tzid)
    moment = _midnight(first, zone)
    end = _midnight(last, zone)
    state = _state(moment, zone)
    onsets: list[dt.datetime] = []
    while moment < end:
        following = min(moment + _ONE_DAY, end)
        after = _state(following, zone)
        if after != state:
            low, high = moment, following  # the state changes after low, at high or before
            while high - low > _SECOND:
                middle = low + (high - low) // 2
                middle -= dt.timedelta(microseconds=middle.microsecond)
                if _state(middle, zone) == state:
                    low = middle
                else:
                    high = middle
            onsets.append(high)
        moment, state = following, after
    return tuple(onsets)


def _midnight(day: dt.date, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(dt.UTC)


def _state(moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> tuple[object, ...]:
    local = moment.astimezone(zone)
    return (local.utcoffset(), local.tzname(), local.dst())


def _period(start: dt.datetime, zone: zoneinfo.ZoneInfo) -> _Period:
    local = start.astimezone(zone)
    offset = local.utcoffset()
    if offset is None:  # pragma: no cover - a ZoneInfo always has an offset
        msg = f"timezone: {zone.key} gives no offset at {start}"
        raise ClientError(msg)
    return _Period(start, offset, local.tzname() or str(offset), local.dst() or dt.timedelta(0))


# --- Identities -----------------------------------------------------------------------------


def session_uid(session: Session) -> str:
    """The ``UID`` of *session*'s VEVENT: a uuid5 of its `Session.id`, and of nothing else.

    No operation changes a session's id, so every export names the same session with the
    same UID, and a calendar updates that event; a replacement has an id, so a UID, of its
    own. A hash rather than the id itself: a caller may have made a plan's id of a
    client's identifying text, which a UID carries into every calendar it reaches (RFC
    7986 advises a UID with no identifying information); whoever holds the plan can
    compute the UID of any of its sessions with this function.

    >>> import pendulum, mesotherapy as meso
    >>> client = meso.Client(id="c-001", birth_date="1985-03-02")
    >>> plan = meso.plan_series(meso.assess(client, ["face"], on="2026-10-20"), ["face"],
    ...     start=pendulum.datetime(2026, 10, 20, 9, tz="America/Toronto"),
    ...     clinic=meso.example_clinic(), plan_id="p-7")
    >>> session_uid(plan.sessions[0]) == session_uid(plan.cancel(1).sessions[0])
    True
    >>> len(session_uid(plan.sessions[0]))
    36
    """
    return str(uuid.uuid5(_UID_NAMESPACE, f"session/{session.id}"))


def maintenance_uid(plan: TreatmentPlan, number: int) -> str:
    """The ``UID`` of the *number*-th maintenance window of *plan*: from `TreatmentPlan.id`."""
    return str(uuid.uuid5(_UID_NAMESPACE, f"maintenance/{plan.id}/{number}"))
