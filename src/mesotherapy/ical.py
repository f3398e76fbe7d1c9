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
- **one VTIMEZONE per TZID**, built from the zone database (see `_ical_zones`): one
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
import hashlib
import uuid
from typing import TYPE_CHECKING, Final

from ._aftercare import aftercare
from ._busy_calendar import busy_from_ics as busy_from_ics  # noqa: PLC0414 - re-exported
from ._diary import Diary
from ._errors import ClientError
from ._extras import require
from ._ical_events import (
    add_stamps,
    describe_maintenance,
    describe_session,
    organizer_address,
    plan_sequence,
    staff_names,
)
from ._ical_zones import add_timezones, covered_dates, used_zones, vtimezone_text
from ._plan import TreatmentPlan, plan_rules
from ._rules import RuleSet
from ._session import Session
from ._time import aware, plain_utc, within_calendar
from ._uuid5 import namespaced

if TYPE_CHECKING:
    import icalendar

__all__ = ["ical_calendar", "maintenance_uid", "session_uid", "to_ics"]

PRODID: Final = "-//mesotherapy//mesotherapy//EN"

_UID_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "https://example.invalid/mesotherapy/ical")
"""The root of every UID this module derives (uuid5): the same id, the same UID."""


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
    calendar = _events_calendar(plan, rules=rules, stamp=stamp, diary=diary, organizer=organizer)
    add_timezones(calendar, covered_dates(plan))
    return calendar


def _events_calendar(
    plan: TreatmentPlan,
    *,
    rules: RuleSet | None,
    stamp: dt.datetime | None,
    diary: Diary | None,
    organizer: str | None,
) -> icalendar.Calendar:
    """`ical_calendar` without its VTIMEZONEs: the properties and the events."""
    # Callers without a type checker pass dicts and names; refuse them with our errors.
    rules = plan_rules(plan, rules)
    staff = staff_names(plan, diary)
    clinic_address = None if organizer is None else organizer_address(organizer)
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
    sequence = plan_sequence(plan)
    for session in plan.sessions:
        event = icalendar.Event()
        event.add("uid", session_uid(session))
        add_stamps(event, dtstamp, sequence, modified=stamp is not None)
        describe_session(event, plan, session, care.for_session(session.index), staff)
        if clinic_address is not None:
            address = icalendar.vCalAddress(clinic_address)
            address.params["cn"] = plan.clinic.name
            event.add("organizer", address)
        calendar.add_component(event)
    for number, window in enumerate(plan.maintenance, start=1):
        event = icalendar.Event()
        event.add("uid", maintenance_uid(plan, number))
        add_stamps(event, dtstamp, sequence, modified=stamp is not None)
        describe_maintenance(event, plan, window.opens, window.closes)
        calendar.add_component(event)
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
    from ._ical_text import ics_text  # noqa: PLC0415 - loaded with the first export

    # ical_calendar's text written directly (see `_ical_text`); `_generic_ics` is the
    # same text written out of the calendar object, which the tests compare it with.
    return ics_text(
        plan,
        rules=rules,
        stamp=stamp,
        diary=diary,
        organizer=organizer,
        names=(PRODID, session_uid, maintenance_uid),
    )


def _generic_ics(
    plan: TreatmentPlan,
    *,
    rules: RuleSet | None = None,
    stamp: dt.datetime | None = None,
    diary: Diary | None = None,
    organizer: str | None = None,
) -> str:
    """`to_ics` written out of `ical_calendar`'s object: what `_ical_text` must equal."""
    calendar = _events_calendar(plan, rules=rules, stamp=stamp, diary=diary, organizer=organizer)
    # ical_calendar's text, with each VTIMEZONE written out once per zone and span rather
    # than built and written again for every plan: they go first among the components,
    # before the first event (a plan has a session, so an event).
    zones = b"".join(vtimezone_text(tzid, *covered_dates(plan)) for tzid in used_zones(calendar))
    head, first, events = _written(calendar).partition(b"\r\nBEGIN:VEVENT\r\n")
    return (head + b"\r\n" + zones + first.removeprefix(b"\r\n") + events).decode("utf-8")


def _written(calendar: icalendar.Calendar) -> bytes:
    """``calendar.to_ical()``: the same bytes, without folding lines too short to fold."""
    from ._ical_text import folded  # noqa: PLC0415 - loaded with the first export

    # icalendar folds every line a character at a time (three fifths of writing out a
    # plan's events); a line under 75 octets comes out of it unchanged.
    lines = calendar.content_lines()
    return "".join(folded(str(line)) + "\r\n" for line in lines if line).encode("utf-8")


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
    return _uid(f"session/{session.id}")


def maintenance_uid(plan: TreatmentPlan, number: int) -> str:
    """The ``UID`` of the *number*-th maintenance window of *plan*: from `TreatmentPlan.id`."""
    return _uid(f"maintenance/{plan.id}/{number}")


# A uuid5 is a SHA-1 and a UUID object: a quarter of a plan's `to_ics` when computed per
# call. Kept per name (a session's id never changes), the most recent few thousand.
_uid: Final = functools.lru_cache(maxsize=4096)(namespaced(str(_UID_NAMESPACE), hashlib.sha1))
