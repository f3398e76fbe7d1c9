"""The iCalendar (RFC 5545) export of a plan: the sessions and the maintenance window.

``icalendar`` (the ``ical`` extra) is imported only when an export is asked for.

What the calendar holds, and why:

- **one VEVENT per session**, cancelled and missed ones included (with ``STATUS:CANCELLED``,
  so that a calendar that imported an earlier export strikes them out), never an
  ``RRULE``: a series has ranges and moves one session at a time, which a recurrence
  cannot say. ``DTSTART``/``DTEND`` carry ``TZID`` with the clinic's IANA zone (never a
  fixed offset), and ``DTEND`` is written rather than a ``DURATION``;
- **one VTIMEZONE per TZID**, built here from the exact transitions of the zone database
  (see `_vtimezone` for why not ``Calendar.add_missing_timezones()``);
- **the maintenance window as a tentative all-day VEVENT** rather than a VTODO: the window
  is a span of days to book in, not a task with a deadline; mainstream calendars (Google
  Calendar, Outlook, most phone apps) ignore a VTODO on import, while an all-day event
  with ``STATUS:TENTATIVE`` and ``TRANSP:TRANSPARENT`` shows in all of them, spans the
  whole window and blocks no time.

Nothing here reads the clock: ``DTSTAMP`` is the *stamp* a caller passes, else the plan's
first session's start, so that the same plan always gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
import zoneinfo
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Final

import attrs
import pendulum

from ._aftercare import PRECARE, CareWindow, aftercare
from ._errors import ClientError
from ._extras import require
from ._model import Area
from ._plan import Session, SessionStatus, TreatmentPlan, plan_rules
from ._rules import RuleSet
from ._time import aware, within_calendar

if TYPE_CHECKING:
    import icalendar

__all__ = ["ical_calendar", "to_ics"]

PRODID: Final = "-//mesotherapy//mesotherapy//EN"

_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "https://example.invalid/mesotherapy/ical")
"""The root of every UID this module derives (uuid5): the same series, the same UIDs."""

_STATUS: Final[Mapping[SessionStatus, str]] = {
    SessionStatus.PLANNED: "CONFIRMED",
    SessionStatus.COMPLETED: "CONFIRMED",
    SessionStatus.CANCELLED: "CANCELLED",
    SessionStatus.NO_SHOW: "CANCELLED",
}
"""The iCalendar status of a session; ``X-MESOTHERAPY-STATUS`` keeps the plan's own."""

_INACTIVE_SUFFIX: Final[Mapping[SessionStatus, str]] = {
    SessionStatus.CANCELLED: " - cancelled",
    SessionStatus.NO_SHOW: " - missed (no-show)",
}

_DAY: Final = dt.timedelta(days=1)
_SECOND: Final = dt.timedelta(seconds=1)
_LOCAL: Final = "YYYY-MM-DD HH:mm"


@within_calendar
def ical_calendar(
    plan: TreatmentPlan,
    *,
    rules: RuleSet | None = None,
    stamp: dt.datetime | None = None,
) -> icalendar.Calendar:
    """The plan as an ``icalendar.Calendar``: `to_ics` before it is written out.

    The calendar has ``PRODID`` ``-//mesotherapy//mesotherapy//EN``, ``VERSION`` 2.0,
    ``CALSCALE`` GREGORIAN and ``METHOD`` PUBLISH, then one VTIMEZONE per zone used, one
    VEVENT per session (in index order) and one per maintenance window.

    A session's VEVENT:

    - ``UID``: derived (uuid5) from facts that no operation on the plan changes (the
      client id, the assessment date, the areas, the clinic's name and zone) and the
      session's number, so that exporting the plans that ``complete``, ``cancel``,
      ``no_show`` or ``reschedule`` return updates the same events instead of adding
      new ones. A plan with no client id also mixes in its first session's start: two
      anonymous clients assessed on one day would otherwise share UIDs (moving that
      first session then renames the events). A UID is a hash: it does not show the
      client id, but whoever knows the id and the other facts can recompute it;
    - ``DTSTAMP``: *stamp* in UTC; by default the first session's start (the library reads
      no clock, so that an export is reproducible). A caller who publishes updates passes
      the time of the export, so that calendars see the newer copy as newer;
    - ``DTSTART``/``DTEND`` with ``TZID`` set to the clinic's zone, in local time. The one
      exception: an end (or a start given by `TreatmentPlan.complete`) that falls on the
      second pass of a repeated hour is written in UTC, since a local time there names
      the first pass (RFC 5545, 3.3.5);
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

    The maintenance window: a VEVENT with ``STATUS:TENTATIVE``, ``TRANSP:TRANSPARENT``
    and all-day ``DTSTART``/``DTEND`` (``VALUE=DATE``) from the day it opens to the day
    after it closes (``DTEND`` is exclusive).

    Raises:
        ClientError: *plan* is no `TreatmentPlan` or has no session, or it was made with
            another rule set (name and version) than *rules* (default: `default_rules`).
        RuleSetError: *rules* is no `RuleSet`.
        InvalidTimeError: *stamp* is naive or no datetime.
        MissingExtraError: ``icalendar`` is not installed (the ``ical`` extra).
    """
    # Callers without a type checker pass dicts and names; refuse them with our errors.
    rules = plan_rules(plan, rules)
    if not plan.sessions:  # plan_series never makes one; a hand-built plan might
        msg = "plan: expected a plan with at least one session, got none"
        raise ClientError(msg)
    moment = min(s.start for s in plan.sessions) if stamp is None else aware(stamp, field="stamp")
    care = aftercare(plan, rules=rules)
    require("icalendar", "ical")
    import icalendar  # noqa: PLC0415 - the extra, imported only when an export is asked for

    series = _series_key(plan)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    dtstamp = _utc(moment)
    for session in plan.sessions:
        event = icalendar.Event()
        event.add("uid", str(uuid.uuid5(series, f"session/{session.index}")))
        event.add("dtstamp", dtstamp)
        _describe_session(event, plan, session, care.for_session(session.index))
        calendar.add_component(event)
    for number, window in enumerate(plan.maintenance, start=1):
        event = icalendar.Event()
        event.add("uid", str(uuid.uuid5(series, f"maintenance/{number}")))
        event.add("dtstamp", dtstamp)
        event.add("dtstart", dt.date(window.opens.year, window.opens.month, window.opens.day))
        closes = dt.date(window.closes.year, window.closes.month, window.closes.day)
        event.add("dtend", closes + _DAY)
        event.add("summary", f"Mesotherapy maintenance due ({_areas(plan.areas)})")
        event.add("description", _maintenance_text(plan, window.opens, window.closes))
        event.add("location", plan.clinic.name)
        event.add("status", "TENTATIVE")
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    _add_timezones(calendar, _span(plan))
    return calendar


@within_calendar
def to_ics(
    plan: TreatmentPlan,
    *,
    rules: RuleSet | None = None,
    stamp: dt.datetime | None = None,
) -> str:
    r"""The plan as iCalendar text (RFC 5545): `ical_calendar`, written out.

    Lines end with CRLF, as RFC 5545 requires: write the text as it is (``newline=""``).
    The same plan and *stamp* always give the same text.

    >>> import mesotherapy as meso
    >>> client = meso.Client(id="c-001", birth_date="1985-03-02")
    >>> result = meso.assess(client, ["face", "neck"], on="2026-10-20")
    >>> plan = meso.plan_series(result, ["face", "neck"], clinic=meso.example_clinic(),
    ...     start=pendulum.datetime(2026, 10, 20, 9, tz="America/Toronto"))
    >>> text = to_ics(plan.cancel(2))
    >>> lines = text.split("\r\n")
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
    SUMMARY:Mesotherapy maintenance due (face\, neck)
    >>> text == to_ics(plan.cancel(2))
    True

    Raises:
        ClientError, RuleSetError, InvalidTimeError, MissingExtraError: as `ical_calendar`.
    """
    text: str = ical_calendar(plan, rules=rules, stamp=stamp).to_ical().decode("utf-8")
    return text


# --- Sessions -------------------------------------------------------------------------------


def _describe_session(
    event: icalendar.Event,
    plan: TreatmentPlan,
    session: Session,
    windows: Iterable[CareWindow],
) -> None:
    """Fill in *event* for *session*: times, words, status and the reminder."""
    import icalendar  # noqa: PLC0415 - already imported by ical_calendar

    zone = zoneinfo.ZoneInfo(plan.timezone)
    summary = _summary(session, plan.active_sessions)
    event.add("dtstart", _wall(session.start, zone))
    event.add("dtend", _wall(session.end, zone))
    event.add("summary", summary)
    event.add("description", _session_text(session, windows, plan.timezone))
    event.add("location", plan.clinic.name)
    event.add("status", _STATUS[session.status])
    event.add("x-mesotherapy-status", session.status.value)
    if session.override is not None:  # never a silent break of the interval bounds
        event.add("comment", _override_text(session))
    if session.status is SessionStatus.PLANNED:
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        # A nominal day (RFC 5545, 3.3.6): the same local time the day before, DST or not.
        alarm.add("trigger", -_DAY)
        alarm.add("description", f"Tomorrow at {session.start.format('HH:mm')}: {summary}")
        event.add_component(alarm)


def _summary(session: Session, active: tuple[Session, ...]) -> str:
    """The session's title, giving its place among the active sessions."""
    if session.status.is_active:
        place = active.index(session) + 1
    else:  # the place it had: after the active sessions that start before it
        place = 1 + sum(1 for s in active if s.start < session.start)
    suffix = _INACTIVE_SUFFIX.get(session.status, "")
    return f"Mesotherapy session {place} of {len(active)} ({_areas(session.areas)}){suffix}"


def _override_text(session: Session) -> str:
    override = session.override
    if override is None:
        return ""
    return (
        f"Beyond the longest interval by a clinician's override: {override.by}, "
        f"because {override.reason}"
    )


def _session_text(session: Session, windows: Iterable[CareWindow], zone: str) -> str:
    lines = [f"Areas: {_areas(session.areas)}", f"Status: {session.status.value}"]
    if session.override is not None:
        lines.append(_override_text(session))
    precare = [w for w in windows if w.kind == PRECARE]
    if precare:
        lines.append(f"Before this session ({zone} time):")
        lines += [f"- from {w.start.format(_LOCAL)}: {w.description}" for w in precare]
    return "\n".join(lines)


def _maintenance_text(plan: TreatmentPlan, opens: dt.date, closes: dt.date) -> str:
    protocol = plan.protocol
    return "\n".join(
        [
            f"Areas: {_areas(plan.areas)}",
            (
                f"A maintenance session is due from {opens.isoformat()} to "
                f"{closes.isoformat()} ({protocol.min_maintenance_months} to "
                f"{protocol.max_maintenance_months} months after the series)."
            ),
        ]
    )


def _areas(areas: Iterable[Area]) -> str:
    return ", ".join(area.value for area in areas)


# --- Time -----------------------------------------------------------------------------------


def _utc(moment: dt.datetime) -> dt.datetime:
    """*moment* (aware) as a stdlib datetime in UTC, to the microsecond."""
    utc = pendulum.instance(moment).in_timezone("UTC")
    return dt.datetime(
        utc.year,
        utc.month,
        utc.day,
        utc.hour,
        utc.minute,
        utc.second,
        utc.microsecond,
        tzinfo=dt.UTC,
    )


def _wall(moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """*moment* in *zone* (a stdlib datetime, which icalendar writes with ``TZID``).

    The second pass of a repeated hour stays in UTC: written as a local time with a
    ``TZID``, it would name the first pass.
    """
    utc = _utc(moment)
    local = utc.astimezone(zone)
    return utc if local.fold else local


def _span(plan: TreatmentPlan) -> tuple[dt.date, dt.date]:
    """Whole years around every date and time the calendar holds, alarms included."""
    days = [s.start.date() for s in plan.sessions] + [s.end.date() for s in plan.sessions]
    days += [w.closes for w in plan.maintenance]
    first = min(days) - _DAY  # a reminder goes off the day before
    last = max(days) + _DAY
    return dt.date(first.year, 1, 1), dt.date(last.year + 1, 1, 1)


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
    dst: bool


def _vtimezone(tzid: str, first: dt.date, last: dt.date) -> icalendar.Timezone:
    """The VTIMEZONE of the IANA zone *tzid* from the date *first* to *last*.

    Built from the zone database's exact transitions, not with icalendar's
    ``Calendar.add_missing_timezones()``, which (icalendar 7.3) searches for transitions
    in steps of 64 days and so drops Morocco's Ramadan break (``Africa/Casablanca``,
    ``Africa/El_Aaiun``: about five weeks at +00:00), and dates each change to summer
    time an hour late (``DTSTART`` 03:00 with ``TZOFFSETFROM:-0500`` where RFC 5545's own
    example has 02:00). Each observance is laid out as icalendar lays them out: one
    STANDARD or DAYLIGHT per change of offset, name and kind, its later dates as
    ``RDATE``; ``DTSTART`` is the local time of the change in the offset it leaves.
    """
    import icalendar  # noqa: PLC0415 - already imported by ical_calendar

    zone = zoneinfo.ZoneInfo(tzid)
    timezone = icalendar.Timezone()
    timezone.add("tzid", tzid)
    timezone.add("comment", f"This timezone only works from {first} to {last}.")
    onsets: dict[tuple[dt.timedelta, dt.timedelta, str, bool], list[dt.datetime]] = {}
    before: dt.timedelta | None = None
    for period in _periods(zone, first, last):
        leaving = period.offset if before is None else before
        onset = (period.start + leaving).replace(tzinfo=None)
        onsets.setdefault((leaving, period.offset, period.name, period.dst), []).append(onset)
        before = period.offset
    for (leaving, offset, name, dst), starts in onsets.items():
        observance = icalendar.TimezoneDaylight() if dst else icalendar.TimezoneStandard()
        observance.add("dtstart", starts[0])
        if starts[1:]:
            observance.add("rdate", starts[1:])
        observance.add("tzname", name)
        observance.add("tzoffsetfrom", leaving)
        observance.add("tzoffsetto", offset)
        timezone.add_component(observance)
    return timezone


def _periods(zone: zoneinfo.ZoneInfo, first: dt.date, last: dt.date) -> list[_Period]:
    """The periods of *zone* from local midnight of *first* to that of *last*.

    The zone is sampled daily in UTC and each change is found to the second by bisection:
    the database changes at whole seconds, and no zone's current rules change twice
    within a day.
    """
    start = _midnight(first, zone)
    end = _midnight(last, zone)
    periods = [_period(start, zone)]
    moment = start
    while moment < end:
        following = min(moment + _DAY, end)
        if _state(following, zone) != _state(moment, zone):
            low, high = moment, following  # the state changes after low, at high or before
            while high - low > _SECOND:
                middle = low + (high - low) // 2
                middle -= dt.timedelta(microseconds=middle.microsecond)
                if _state(middle, zone) == _state(low, zone):
                    low = middle
                else:
                    high = middle
            periods.append(_period(high, zone))
        moment = following
    return periods


def _midnight(day: dt.date, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(dt.UTC)


def _state(moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> tuple[object, ...]:
    local = moment.astimezone(zone)
    return (local.utcoffset(), local.tzname(), bool(local.dst()))


def _period(start: dt.datetime, zone: zoneinfo.ZoneInfo) -> _Period:
    local = start.astimezone(zone)
    offset = local.utcoffset()
    if offset is None:  # pragma: no cover - a ZoneInfo always has an offset
        msg = f"timezone: {zone.key} gives no offset at {start}"
        raise ClientError(msg)
    return _Period(start, offset, local.tzname() or str(offset), bool(local.dst()))


# --- Deterministic ids ----------------------------------------------------------------------


def _series_key(plan: TreatmentPlan) -> uuid.UUID:
    """The identity of the series: facts that no operation on the plan changes.

    The facts are spelled out here rather than taken from the classes' fields, so that
    the UIDs stay the same across versions of the library as long as the facts do.
    """
    facts: dict[str, object] = {
        "client_id": plan.client_id,
        "assessed_on": plan.assessment.on.isoformat(),
        "areas": [area.value for area in plan.areas],
        "clinic": plan.clinic.name,
        "timezone": plan.timezone,
    }
    if plan.client_id is None and plan.sessions:
        facts["first_start"] = plan.sessions[0].start.isoformat()
    return uuid.uuid5(_NAMESPACE, json.dumps(facts, sort_keys=True, separators=(",", ":")))
