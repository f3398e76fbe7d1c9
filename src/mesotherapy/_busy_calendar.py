"""Busy time from the iCalendar files that calendar programs export.

`busy_from_ics` reads a file as Google Calendar, Outlook and Apple Calendar write it and
gives the `Busy` intervals a diary blocks. The reading is the ``ical`` extra's:
``icalendar`` parses the file (and maps Windows zone names such as ``Eastern Standard
Time`` to the zone database), ``recurring-ical-events`` expands the recurrences
(``RRULE`` with ``UNTIL`` or ``COUNT``, ``RDATE``, ``EXDATE``, moved instances by
``RECURRENCE-ID``) and repairs Google's ``X-WR-TIMEZONE`` files through
``x-wr-timezone``. What is left here is what a diary needs on top:

- which occurrences block: not ``TRANSP:TRANSPARENT`` ("free"), not ``STATUS:CANCELLED``
  (a cancelled moved instance included), not one that takes no time; ``VFREEBUSY``
  periods block unless ``FBTYPE=FREE`` (RFC 5545 reads an unknown type as busy);
- where a time without a zone lies: a floating time (no ``TZID``, no ``Z``) is a wall
  time in *zone*, and an all-day event blocks its days from midnight to midnight in
  *zone*, the clinic's: a "day off" on November 11 is that day at the clinic;
- no client data: a label (the ``SUMMARY``) only when asked for;
- bad files refused with `CalendarError`, naming the source and the event's ``UID`` or
  the line, never echoing the file's text and never letting a parser's error out.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import zoneinfo
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs
import pendulum

from ._diary import Busy
from ._errors import CalendarError, InvalidTimeError
from ._extras import require
from ._time import aware
from ._zone_keys import zone_key

if TYPE_CHECKING:
    import icalendar

__all__ = ["busy_from_ics"]

Source = str | bytes | os.PathLike[str]
"""A path, or the calendar's text or bytes."""

# Where a calendar's date and time values are; a TZID on any of them must name a zone.
_TIMES: Final = ("DTSTART", "DTEND", "DUE", "RECURRENCE-ID", "EXDATE", "RDATE")
# The components read, and the properties each needs (RFC 5545 3.6.1 and 3.6.4).
_ONCE: Final = {"VEVENT": {"DTSTART": "event's start"}, "VFREEBUSY": {}}
_INSTANTS: Final = ("DTSTART", "DTEND", "RECURRENCE-ID")


def busy_from_ics(  # noqa: PLR0913 - the window, the zone and the label are each needed
    source: Source,
    resource: str,
    *,
    start: dt.datetime | dt.date,
    end: dt.datetime | dt.date | None = None,
    zone: str | dt.tzinfo,
    labels: bool = False,
) -> tuple[Busy, ...]:
    """The busy intervals of *resource* that an iCalendar file holds between *start* and *end*.

    *source* is a path (`str` or `os.PathLike`), or the calendar itself as `bytes` or
    as text holding ``BEGIN:VCALENDAR``. Every occurrence that overlaps the window
    ``[start, end)`` is one `Busy`, whole (not cut at the window), in order of its start,
    its instants in *zone*. *start* and *end* are aware datetimes or dates (a date is its
    midnight in *zone*); *end* defaults to one year after *start*: a weekly block without
    an end recurs forever, and a diary needs a horizon. *zone* is the clinic's IANA zone,
    in which floating times and all-day events are read. A label, the event's
    ``SUMMARY``, only with ``labels=True``: a diary keeps no client data by default.

    >>> text = '''BEGIN:VCALENDAR
    ... VERSION:2.0
    ... PRODID:-//example//EN
    ... BEGIN:VEVENT
    ... UID:meeting@example
    ... DTSTAMP:20261001T000000Z
    ... DTSTART;TZID=America/Toronto:20261103T090000
    ... DTEND;TZID=America/Toronto:20261103T100000
    ... RRULE:FREQ=WEEKLY;COUNT=3
    ... SUMMARY:Staff meeting
    ... END:VEVENT
    ... END:VCALENDAR
    ... '''
    >>> busy = busy_from_ics(text, "dr-h", start=pendulum.date(2026, 11, 1),
    ...                      zone="America/Toronto", labels=True)
    >>> [(b.start.format("ddd MM-DD HH:mm"), b.end.format("HH:mm"), b.label) for b in busy]
    [('Tue 11-03 09:00', '10:00', 'Staff meeting'), ('Tue 11-10 09:00', '10:00', 'Staff meeting'), ('Tue 11-17 09:00', '10:00', 'Staff meeting')]

    Raises:
        CalendarError: the source is not iCalendar, names a zone that neither the zone
            database, the Windows names nor the file's own VTIMEZONE defines, holds an
            event that ends before it starts or a value that cannot be read; the
            message names the source and the line or the event's ``UID``.
        ClinicError: *resource* is no resource id.
        InvalidTimeError: *zone*, *start* or *end* is no zone or no instant, or *end*
            is not after *start*.
        MissingExtraError: the ``ical`` extra is not installed.
    """  # noqa: E501 - the doctest's output is one line
    # The resource id checked as a Busy checks it, before the file is read at all.
    field = attrs.fields(Busy).resource
    assert field.validator is not None  # noqa: S101 - Busy declares it
    field.validator(None, field, resource)
    tz = pendulum.timezone(_zone(zone))
    first = _moment(start, tz, "start")
    last = first.add(years=1) if end is None else _moment(end, tz, "end")
    if last <= first:
        msg = f"end: expected a time after the start {first.isoformat()}, got {last.isoformat()}"
        raise InvalidTimeError(msg)
    name, text = _read(source)
    calendars = _parse(text, name)
    found: list[Busy] = []
    for calendar in calendars:
        _check(calendar, name)
        found += _events(calendar, name, resource, (first, last), tz, labels=labels)
        found += _free_busy(calendar, resource, (first, last), tz)
    return tuple(sorted(found))


def _zone(zone: object) -> str:
    key = getattr(zone, "key", None) if isinstance(zone, dt.tzinfo) else zone
    return zone_key(key, field="zone")


def _moment(value: object, zone: dt.tzinfo, field: str) -> pendulum.DateTime:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return pendulum.datetime(value.year, value.month, value.day, tz=zone)
    return _local(aware(value, field=field), zone)


def _local(moment: dt.datetime, zone: dt.tzinfo) -> pendulum.DateTime:
    """The aware *moment* as the same instant in *zone*.

    Through UTC: `datetime.astimezone` to the zone a wall time already has returns it as
    it is, even a wall time in the zone's gap, which is no instant yet.
    """
    return pendulum.instance(moment.astimezone(dt.UTC).astimezone(zone))


# --- Reading the source ---------------------------------------------------------------


def _read(source: object) -> tuple[str, str]:
    """The source's name for messages, and its text."""
    if isinstance(source, bytes):
        return "the calendar bytes", _decode(source, "the calendar bytes")
    if isinstance(source, str) and "BEGIN:" in source.upper():
        return "the calendar text", source
    if not isinstance(source, str | os.PathLike):
        expected = "a path, or the calendar as bytes or text"
        msg = f"source: expected {expected}, got {type(source).__name__}"
        raise CalendarError([msg])
    path = Path(source)
    try:
        data = path.read_bytes()
    except OSError as error:
        msg = f"cannot read the calendar: {error.strerror or error}"
        raise CalendarError([msg], source=str(path)) from None
    return str(path), _decode(data, str(path))


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        msg = f"line {line}: expected UTF-8 text (RFC 5545's charset), got other bytes"
        raise CalendarError([msg], source=name) from None


def _parse(text: str, name: str) -> list[icalendar.Calendar]:
    icalendar = require("icalendar", "ical")
    try:
        found = icalendar.Calendar.from_ical(text, multiple=True)
    # icalendar 7 lets a TypeError out of a period half floating, an AttributeError out of
    # a VTIMEZONE cut short: whatever the parser raises, the file is no calendar it reads.
    except (ValueError, TypeError, AttributeError, KeyError, IndexError):
        raise CalendarError([_unreadable(text, icalendar)], source=name) from None
    except OSError:  # a TZID such as "America", which the zone database has as a folder
        msg = "TZID: unknown time zone, expected a zone of the time-zone database, not a region"
        raise CalendarError([msg], source=name) from None
    if not found:  # nothing but blank lines, or a BEGIN:VCALENDAR without its END
        raise CalendarError([_unreadable(text, icalendar)], source=name)
    calendars = [c for c in found if isinstance(c, icalendar.Calendar) and c.name == "VCALENDAR"]
    if len(calendars) != len(found):
        other = next((c.name for c in found if c.name != "VCALENDAR"), "nothing")
        msg = f"expected an iCalendar file (BEGIN:VCALENDAR), got {_printable(other)}"
        raise CalendarError([msg], source=name)
    return calendars


def _unreadable(text: str, icalendar: Any) -> str:
    """Why *text* is no calendar, naming the first line that is no content line."""
    physical = 0
    for line in re.split(r"\r?\n(?![ \t])", text):
        number, physical = physical + 1, physical + 1 + line.count("\n")
        if not line.strip():
            continue
        try:
            icalendar.parser.Contentline(re.sub(r"\r?\n[ \t]", "", line)).parts()
        except ValueError:
            return f"line {number}: expected an iCalendar content line (NAME:value)"
    return (
        "expected one BEGIN:VCALENDAR ... END:VCALENDAR, each BEGIN with its END and each "
        "value of its property's type"
    )


def _printable(name: object) -> str:
    text = str(name)
    return repr(text) if text.isprintable() and len(text) <= 40 else "another kind of file"


# --- Checking what the parser took in -------------------------------------------------


def _where(component: icalendar.Component) -> str:
    uid = component.get("UID")
    what = str(component.name)
    return f"{what} UID {str(uid)!r}" if uid is not None else f"a {what} without UID"


def _check(calendar: icalendar.Calendar, name: str) -> None:
    problems = _google_zone(calendar)
    for component in calendar.walk():
        broken = {str(prop).upper() for prop, _ in component.errors}
        problems += [
            f"{_where(component)}: {prop}: cannot be read as RFC 5545's value for it"
            for prop in sorted(broken)
        ]
        if component.name in _ONCE:
            problems += _once(component, broken)
        problems += _zones(component, broken)
        if component.name == "VEVENT" and not broken & {"DTSTART", "DTEND"}:
            problems += _order(component)
    if problems:
        raise CalendarError(problems, source=name)


def _google_zone(calendar: icalendar.Calendar) -> list[str]:
    google = calendar.get("X-WR-TIMEZONE")
    if google is None:
        return []
    try:
        zoneinfo.ZoneInfo(str(google))  # as x-wr-timezone reads it
    except (ValueError, OSError, zoneinfo.ZoneInfoNotFoundError):  # "America": a folder
        why = "expected a zone of the time-zone database"
        return [f"X-WR-TIMEZONE: unknown time zone {_printable(google)}, {why}"]
    return []


def _zones(component: icalendar.Component, broken: set[str]) -> list[str]:
    """A TZID that no zone answers: icalendar leaves its times without a zone."""
    problems = []
    for prop in _TIMES:
        if prop in broken:
            continue
        for value in _values(component.get(prop)):
            tzid = value.params.get("TZID")
            if tzid is not None and any(_naive(when) for when in _times(value)):
                problems.append(
                    f"{_where(component)}: {prop}: unknown time zone {_printable(tzid)}, "
                    "expected a zone of the time-zone database, a Windows zone name, "
                    "or one the file's VTIMEZONE defines"
                )
    return problems


def _once(component: icalendar.Component, broken: set[str]) -> list[str]:
    """The properties that *component* must have once, or may have at most once."""
    problems = []
    required = _ONCE[str(component.name)]
    for prop in ("DTSTART", "DTEND", "DURATION", "RECURRENCE-ID", "UID"):
        value = component.get(prop)
        if isinstance(value, list):
            problems.append(f"{_where(component)}: {prop}: expected it once, got {len(value)}")
        elif value is None and prop in required and prop not in broken:
            problems.append(f"{_where(component)}: {prop}: missing, expected the {required[prop]}")
        elif prop in _INSTANTS and prop not in broken and not _is_date(value):
            problems.append(f"{_where(component)}: {prop}: expected a date or a date-time")
    return problems


def _is_date(value: object) -> bool:
    return value is None or isinstance(getattr(value, "dt", None), dt.date)


def _order(event: icalendar.Component) -> list[str]:
    begin, finish = event.get("DTSTART"), event.get("DTEND")
    if not hasattr(begin, "dt") or not hasattr(finish, "dt"):
        return []  # missing or repeated: said by `_once`
    first, last = begin.dt, finish.dt
    if not isinstance(first, dt.date) or not isinstance(last, dt.date):
        return []  # said by `_once`
    if isinstance(first, dt.datetime) != isinstance(last, dt.datetime):
        return [f"{_where(event)}: DTEND: expected a value of DTSTART's type (date or date-time)"]
    if (
        isinstance(first, dt.datetime)
        and isinstance(last, dt.datetime)
        and (first.tzinfo is None) != (last.tzinfo is None)
    ):
        return []  # one floating, one not: compared once placed in the zone, by the expansion
    if last < first:
        return [f"{_where(event)}: DTEND: expected a time after DTSTART, got one before it"]
    return []


def _values(value: object) -> Iterator[Any]:
    if isinstance(value, list):
        for item in value:
            yield from _values(item)
    elif value is not None:
        yield value


def _times(value: Any) -> Iterator[object]:
    if hasattr(value, "dts"):
        for item in value.dts:
            yield item.dt
    else:
        yield getattr(value, "dt", None)


def _naive(when: object) -> bool:
    if isinstance(when, tuple):  # a PERIOD value of RDATE
        return any(_naive(item) for item in when)
    return isinstance(when, dt.datetime | dt.time) and when.tzinfo is None


# --- The intervals --------------------------------------------------------------------


def _events(  # noqa: PLR0913 - one calendar's events in one window
    calendar: icalendar.Calendar,
    name: str,
    resource: str,
    window: tuple[pendulum.DateTime, pendulum.DateTime],
    zone: dt.tzinfo,
    *,
    labels: bool,
) -> Iterator[Busy]:
    recurring = require("recurring_ical_events", "ical")
    try:
        # `of` repairs X-WR-TIMEZONE (x-wr-timezone) before it expands.
        occurrences = recurring.of(calendar).between(*window)
    except (ValueError, KeyError, TypeError) as error:  # InvalidCalendar and its kinds
        kind = type(error).__name__
        msg = f"the recurrences cannot be expanded ({kind}), expected RFC 5545 recurrences"
        raise CalendarError([msg], source=name) from None
    for event in occurrences:
        if _blocks_nothing(event):
            continue
        begin, finish = _place(event.start, zone), _place(event.end, zone)
        if finish <= begin:
            continue  # an instant, such as a reminder: it takes no time
        label = str(event["SUMMARY"]) if labels and "SUMMARY" in event else None
        yield Busy(start=begin, end=finish, resource=resource, label=label)


def _blocks_nothing(component: icalendar.Component) -> bool:
    transparent = str(component.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT"
    return transparent or str(component.get("STATUS", "")).upper() == "CANCELLED"


def _place(when: dt.date, zone: dt.tzinfo) -> pendulum.DateTime:
    """A calendar's date or time as an instant: a date or a floating time in *zone*."""
    if not isinstance(when, dt.datetime):
        return pendulum.datetime(when.year, when.month, when.day, tz=zone)
    if when.tzinfo is None:
        # fold=0: a wall time the clocks pass twice is its first pass (RFC 5545 3.3.5),
        # one they skip is read with the offset before the change, as calendars show it.
        when = when.replace(tzinfo=zone, fold=0)
    return _local(when, zone)


def _free_busy(
    calendar: icalendar.Calendar,
    resource: str,
    window: tuple[pendulum.DateTime, pendulum.DateTime],
    zone: dt.tzinfo,
) -> Iterable[Busy]:
    first, last = window
    for component in calendar.walk("VFREEBUSY"):
        for prop in _values(component.get("FREEBUSY")):
            if str(prop.params.get("FBTYPE", "BUSY")).upper() == "FREE":
                continue
            for period in _periods(prop):
                begin, finish = _place(period[0], zone), period[1]
                stop = begin + finish if isinstance(finish, dt.timedelta) else _place(finish, zone)
                if begin < stop and begin < last and stop > first:
                    yield Busy(start=begin, end=_local(stop, zone), resource=resource)


def _periods(prop: Any) -> Iterator[tuple[Any, Any]]:
    for item in getattr(prop, "dts", [prop]):
        period = getattr(item, "dt", None)
        if isinstance(period, tuple) and len(period) == 2:
            yield period
