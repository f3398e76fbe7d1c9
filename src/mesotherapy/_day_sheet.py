"""The day sheet of a diary: each practitioner's and room's day, busy and booked, local time.

`day_sheet` gathers, for each day asked, the clinic's hours and every claim of each
resource that day (its busy time and its booked sessions); `sheet_text` prints it and
`sheet_document` gives its JSON, as ``mesotherapy diary show`` does.

>>> from mesotherapy import Busy, Diary, Practitioner, Room, example_clinic
>>> clinic = example_clinic(holidays=None)
>>> diary = Diary(clinic=clinic, rooms=[Room(id="room-1")],
...     practitioners=[Practitioner(id="dr-h", name="Dr. H.", areas=["face"],
...                                 hours={"tuesday": [("09:00", "13:00")]})],
...     busy=[Busy(start=clinic.at("2026-11-24", "12:00"), end=clinic.at("2026-11-24", "13:00"),
...                resource="dr-h", label="staff meeting")])
>>> print(sheet_text(day_sheet(diary, "2026-11-24")))
Tue 2026-11-24 at Example Clinic (America/Toronto): open 09:00-18:00
  dr-h (Dr. H.), practitioner, works 09:00-13:00
    12:00-13:00  busy    staff meeting
  room-1, room
    free all day
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Final, Literal

import attrs
import pendulum

from ._clinic_checks import _clock as _hhmm
from ._clinic_values import WEEKDAYS, Interval
from ._diary import Diary, Practitioner
from ._errors import ClientError
from ._time import parse_date

__all__ = ["DaySheet", "Entry", "Lane", "day_sheet", "sheet_document", "sheet_text"]

MAX_DAYS: Final = 366
"""The most days one sheet shows: a year."""


@attrs.frozen(kw_only=True)
class Entry:
    """One claim of a resource: busy time (with its label) or a booked session."""

    kind: Literal["busy", "booked"]
    start: pendulum.DateTime
    end: pendulum.DateTime
    label: str | None = None
    plan: str | None = None
    session: str | None = None
    practitioner: str | None = None
    room: str | None = None


@attrs.frozen(kw_only=True)
class Lane:
    """A resource's day: who or what it is, the hours it works, its claims in order."""

    resource: str
    name: str
    kind: Literal["practitioner", "room"]
    hours: tuple[Interval, ...]
    entries: tuple[Entry, ...]


@attrs.frozen(kw_only=True)
class DaySheet:
    """One day of a diary: the clinic's hours (or why it is closed) and each resource's lane."""

    day: pendulum.Date
    start: pendulum.DateTime
    end: pendulum.DateTime
    clinic: str
    timezone: str
    hours: tuple[Interval, ...]
    closed: str | None
    lanes: tuple[Lane, ...]


def day_sheet(diary: Diary, on: dt.date | str, *, days: int = 1) -> tuple[DaySheet, ...]:
    """The day sheets of *diary* for *days* days from the local date *on*.

    Each lists the practitioners, then the rooms, in the diary's order, each with its
    busy time and booked sessions that meet the day (a claim that runs over midnight
    appears on both days), in order of start, in the clinic's zone.

    Raises:
        InvalidTimeError: *on* is no date.
        ClientError: *days* is no whole number from 1 to 366.
    """
    first = parse_date(on, field="on")
    count: object = days  # callers without a type checker pass anything
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_DAYS:
        msg = f"days: expected a whole number of days from 1 to {MAX_DAYS}, got {days!r}"
        raise ClientError(msg)
    return tuple(_sheet(diary, first.add(days=n)) for n in range(days))


def _midnight(day: dt.date, zone: str) -> pendulum.DateTime:
    # A midnight in a DST gap (a few zones change at 00:00) is the first instant after it.
    return pendulum.datetime(day.year, day.month, day.day, tz=zone)


def _sheet(diary: Diary, day: pendulum.Date) -> DaySheet:
    clinic = diary.clinic
    start, end = _midnight(day, clinic.timezone), _midnight(day.add(days=1), clinic.timezone)
    closed = clinic.closed_reason(day)
    hours = () if closed else clinic.hours_on(day)
    lanes = []
    for item in diary.resources:
        entries = [*_busy(diary, item.id, start, end), *_booked(diary, item.id, start, end)]
        entries.sort(key=lambda e: (e.start, e.end, e.kind))
        if isinstance(item, Practitioner):
            kind: Literal["practitioner", "room"] = "practitioner"
            own = dict(item.hours).get(WEEKDAYS[day.weekday()])
            works = hours if own is None or closed else own
        else:
            kind, works = "room", hours
        lanes.append(
            Lane(resource=item.id, name=item.name, kind=kind, hours=works, entries=tuple(entries))
        )
    return DaySheet(
        day=day,
        start=start,
        end=end,
        clinic=clinic.name,
        timezone=clinic.timezone,
        hours=hours,
        closed=closed,
        lanes=tuple(lanes),
    )


def _busy(diary: Diary, resource: str, start: dt.datetime, end: dt.datetime) -> Iterable[Entry]:
    zone = diary.clinic.timezone
    for busy in diary.busy:
        if busy.resource == resource and busy.start < end and start < busy.end:
            yield Entry(
                kind="busy",
                start=busy.start.in_timezone(zone),
                end=busy.end.in_timezone(zone),
                label=busy.label,
            )


def _booked(diary: Diary, resource: str, start: dt.datetime, end: dt.datetime) -> Iterable[Entry]:
    zone = diary.clinic.timezone
    for booking in diary.bookings:
        mine = resource in (booking.practitioner, booking.room)
        if mine and booking.start < end and start < booking.end:
            yield Entry(
                kind="booked",
                start=booking.start.in_timezone(zone),
                end=booking.end.in_timezone(zone),
                plan=booking.plan,
                session=booking.session,
                practitioner=booking.practitioner,
                room=booking.room,
            )


def _clock(moment: dt.datetime, sheet: DaySheet) -> str:
    """*moment* as the day's local ``HH:MM``: before the day ``00:00``, after it ``24:00``."""
    if moment <= sheet.start:
        return "00:00"
    if moment >= sheet.end:
        return "24:00"
    return moment.strftime("%H:%M")


def _intervals(intervals: Iterable[Interval]) -> str:
    return ", ".join(str(i) for i in intervals)


def sheet_text(sheets: Iterable[DaySheet]) -> str:
    """The day sheets as text, a block a day (control characters left to the caller)."""
    lines: list[str] = []
    for sheet in sheets:
        state = f"closed ({sheet.closed})" if sheet.closed else f"open {_intervals(sheet.hours)}"
        when = sheet.day.strftime("%a %Y-%m-%d")
        lines.append(f"{when} at {sheet.clinic} ({sheet.timezone}): {state}")
        for lane in sheet.lanes:
            name = f" ({lane.name})" if lane.name else ""
            works = ""
            if lane.kind == "practitioner" and not sheet.closed:
                works = f", works {_intervals(lane.hours)}" if lane.hours else ", off"
            lines.append(f"  {lane.resource}{name}, {lane.kind}{works}")
            if not lane.entries:
                lines.append("    free all day")
            for entry in lane.entries:
                span = f"{_clock(entry.start, sheet)}-{_clock(entry.end, sheet)}"
                if entry.kind == "busy":
                    what = entry.label or ""
                else:
                    other = entry.room if lane.kind == "practitioner" else entry.practitioner
                    where = "in" if lane.kind == "practitioner" else "with"
                    what = f"session {entry.session} {where} {other}"
                lines.append(f"    {span}  {entry.kind:<6}  {what}".rstrip())
    return "\n".join(lines)


def _entry_document(entry: Entry) -> dict[str, Any]:
    document: dict[str, Any] = {
        "kind": entry.kind,
        "start": entry.start.isoformat(),
        "end": entry.end.isoformat(),
    }
    if entry.kind == "busy":
        document["label"] = entry.label
    else:
        document |= {
            "plan": entry.plan,
            "session": entry.session,
            "practitioner": entry.practitioner,
            "room": entry.room,
        }
    return document


def _hours_document(intervals: Iterable[Interval]) -> list[list[str]]:
    return [[_hhmm(i.start), _hhmm(i.end)] for i in intervals]


def sheet_document(sheets: Iterable[DaySheet]) -> dict[str, Any]:
    """The day sheets as one JSON object: ``{"days": [...]}``, instants with their offset."""
    return {
        "days": [
            {
                "date": sheet.day.isoformat(),
                "clinic": sheet.clinic,
                "timezone": sheet.timezone,
                "hours": _hours_document(sheet.hours),
                "closed": sheet.closed,
                "resources": [
                    {
                        "id": lane.resource,
                        "name": lane.name,
                        "kind": lane.kind,
                        "hours": _hours_document(lane.hours),
                        "entries": [_entry_document(e) for e in lane.entries],
                    }
                    for lane in sheet.lanes
                ],
            }
            for sheet in sheets
        ]
    }
