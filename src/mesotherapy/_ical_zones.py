"""The VTIMEZONEs of the iCalendar export: every change of an IANA zone, from the database.

One STANDARD or DAYLIGHT block per change, with neither ``RDATE`` nor ``RRULE``, from 1970
to years past the calendar's last date: `mesotherapy.ical`'s notes say why this form and
this span. ``icalendar`` is imported by `mesotherapy.ical.ical_calendar` (or the caller)
before any of these is called.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from typing import TYPE_CHECKING, Final

import attrs

from ._errors import ClientError
from ._plan import TreatmentPlan

if TYPE_CHECKING:
    import icalendar

    from ._session import MaintenanceWindow

__all__ = ["add_timezones", "covered_dates", "used_zones", "vtimezone", "vtimezone_text"]

_ONE_DAY: Final = dt.timedelta(days=1)
_SECOND: Final = dt.timedelta(seconds=1)
_COVERED_FROM: Final = dt.date(1970, 1, 1)
_COVERED_UNTIL: Final = dt.date(2038, 1, 1)
_MARGIN_YEARS: Final = 6
"""A VTIMEZONE covers 1970 to 2038 at least, and to January 1 six years after the last date."""


def covered_dates(
    plan: TreatmentPlan, maintenance: tuple[MaintenanceWindow, ...] | None = None
) -> tuple[dt.date, dt.date]:
    """The dates the VTIMEZONE covers: from 1970 to some years past the calendar's end.

    A reader that caches zones by ``TZID`` (vobject) reads every file's events through the
    first VTIMEZONE it saw of that name, so ours must be right well beyond this plan:
    every change since 1970 (or since the first date the calendar holds, if earlier, a
    reminder the day before included), and on to whole years past the last date, at least
    to 2038 (the end of the zone database's explicit transitions in most builds).
    """
    # The local dates as (year, month, day), which order as the dates do: pendulum's
    # `date()` is Python, a third of this function. *maintenance* is `plan.maintenance`,
    # when the caller has read it already.
    days = [(m.year, m.month, m.day) for s in plan.sessions for m in (s.start, s.end)]
    windows = plan.maintenance if maintenance is None else maintenance
    days += [(w.closes.year, w.closes.month, w.closes.day) for w in windows]
    # a reminder goes off the day before
    first = min(dt.date(*min(days)) - _ONE_DAY, _COVERED_FROM)
    last = max(days)[0] + _MARGIN_YEARS
    end = dt.date.max if last > dt.date.max.year else dt.date(last, 1, 1)
    return dt.date(first.year, 1, 1), max(end, _COVERED_UNTIL)


# --- VTIMEZONE ------------------------------------------------------------------------------


def add_timezones(calendar: icalendar.Calendar, span: tuple[dt.date, dt.date]) -> None:
    """Put a VTIMEZONE first for every ``TZID`` the events use, covering *span*."""
    for position, tzid in enumerate(used_zones(calendar)):
        calendar.subcomponents.insert(position, vtimezone(tzid, *span))


def used_zones(calendar: icalendar.Calendar) -> list[str]:
    """The ``TZID`` values of the events' ``DTSTART`` and ``DTEND``, in order of first use."""
    used: list[str] = []
    for component in calendar.walk("VEVENT"):
        for name in ("DTSTART", "DTEND"):
            tzid = component[name].params.get("TZID") if name in component else None
            if isinstance(tzid, str) and tzid not in used:
                used.append(tzid)
    return used


@functools.lru_cache(maxsize=64)
def vtimezone_text(tzid: str, first: dt.date, last: dt.date) -> bytes:
    """`vtimezone` written out: the same bytes for every calendar of the zone and span.

    About 150 blocks for a zone with summer time, whose building and writing out are
    nine tenths of `mesotherapy.ical.to_ics`: kept, as they depend on nothing else.
    """
    text: bytes = vtimezone(tzid, first, last).to_ical()
    return text


@attrs.frozen
class _Period:
    """A stretch of time with one offset, name and DST flag, from ``start`` (UTC) on."""

    start: dt.datetime
    offset: dt.timedelta
    name: str
    dst: dt.timedelta


def vtimezone(tzid: str, first: dt.date, last: dt.date) -> icalendar.Timezone:
    """The VTIMEZONE of the IANA zone *tzid*: every change from *first* to *last*.

    One STANDARD or DAYLIGHT block per change, each with its ``DTSTART`` (the local time
    of the change in the offset it leaves) and no ``RDATE`` or ``RRULE`` (see the notes
    of `mesotherapy.ical` for why), in time order; the first block, at local midnight of
    *first*, changes nothing (``TZOFFSETFROM`` equals ``TZOFFSETTO``) and only says which
    offset holds from then on. Built from the zone database, not with icalendar's
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
