"""`mesotherapy.ical.to_ics` written as text: the bytes ``icalendar`` writes, sooner.

Building an ``icalendar.Calendar`` for each plan and writing it out was nine tenths of
`to_ics` once its VTIMEZONEs were cached: every property a value object, every line a
``Contentline`` of parameters, escaped and folded a character at a time. The events of
a plan are few and plain, so they are written here as lines of text, by icalendar's own
rules: the order of an event's properties (`icalendar.Event.canonical_order` first, then
by name), TEXT escaping (RFC 5545, 3.3.11, in icalendar's order of replacements) and
folding (`folded`). What has parameters worth quoting (a ``TZID``, an ``ATTENDEE``'s
or an ``ORGANIZER``'s ``CN``) is written by icalendar itself once per value and kept.
`mesotherapy.ical.ical_calendar` still builds the calendar object; the tests check that
both give the same text, byte for byte.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections.abc import Callable, Mapping
from typing import Final

import attrs

from ._aftercare import precare_rows
from ._errors import ClientError
from ._ical_events import (
    _attendee,
    _clock,
    _maintenance_text,
    _override_text,
    _summary,
    _wall,
    active_places,
    area_names,
    organizer_address,
    plan_sequence,
    precare_text,
    session_lines,
    staff_names,
)
from ._ical_zones import covered_dates, vtimezone_text
from ._plan import TreatmentPlan, plan_rules
from ._rules import RuleSet
from ._session import Session, SessionStatus
from ._time import aware, plain_utc

__all__ = ["Names", "folded", "ics_text"]

Names = tuple[str, Callable[[Session], str], Callable[[TreatmentPlan, int], str]]
"""What `mesotherapy.ical` names: its ``PRODID``, a session's ``UID``, a maintenance window's."""

_FOLD_AT: Final = 75
"""The octets from which icalendar folds a content line (RFC 5545 says at most 75 a line)."""

_HEAD: Final = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:{prodid}\r\nCALSCALE:GREGORIAN\r\n"


def ics_text(  # noqa: PLR0913 - to_ics's arguments, and the names ical gives events
    plan: TreatmentPlan,
    *,
    rules: RuleSet | None,
    stamp: dt.datetime | None,
    diary: object,
    organizer: str | None,
    names: Names,
) -> str:
    """The text of `mesotherapy.ical.to_ics`: the same checks, in the same order."""
    prodid, session_uid, maintenance_uid = names

    rules = plan_rules(plan, rules)
    staff = staff_names(plan, diary)
    clinic_address = None if organizer is None else organizer_address(organizer)
    if not plan.sessions:
        msg = "plan: expected a plan with at least one session, got none"
        raise ClientError(msg)
    moment = min(s.start for s in plan.sessions) if stamp is None else aware(stamp, field="stamp")
    # The pre-care windows alone: a description names them, and no aftercare window.
    pre_rows = precare_rows(plan, rules)
    from ._extras import require  # noqa: PLC0415 - the extra's check, as ical_calendar's

    require("icalendar", "ical")
    shared = _Shared(
        plan=plan,
        active=(active := plan.active_sessions),
        places=active_places(active),
        staff=staff,
        zone=zoneinfo.ZoneInfo(plan.timezone),
        stamps=_stamps(plain_utc(moment), plan_sequence(plan), modified=stamp is not None),
        organizer=(
            None if clinic_address is None else _organizer_line(clinic_address, plan.clinic.name)
        ),
    )
    precare: dict[int, list[tuple[dt.datetime, str]]] = {}
    for row in pre_rows:  # (session, _, kind, description, _, start, _)
        precare.setdefault(row[0], []).append((row[5], row[3]))
    events = [
        _session_event(shared, session, precare.get(session.index, []), session_uid(session))
        for session in plan.sessions
    ]
    maintenance = plan.maintenance  # a property computed at each read: read once
    events += [
        _maintenance_event(plan, window.opens, window.closes, maintenance_uid(plan, n), shared)
        for n, window in enumerate(maintenance, start=1)
    ]
    span = covered_dates(plan, maintenance)
    zones = "".join(_zone_text(tzid, *span) for tzid in shared.used)
    return _HEAD.format(prodid=prodid) + zones + "".join(events) + "END:VCALENDAR\r\n"


@attrs.define(kw_only=True)
class _Shared:
    """What every event of one export takes from it, worked out once."""

    plan: TreatmentPlan
    active: tuple[Session, ...]
    places: Mapping[int, int]
    """`active_places` of `active`: a session's place by its ``id``."""
    staff: Mapping[str, str]
    zone: zoneinfo.ZoneInfo
    stamps: tuple[str, str]
    organizer: str | None
    used: list[str] = attrs.Factory(list)
    """The ``TZID`` values the events use, in order of first use (`used_zones`)."""


@functools.lru_cache(maxsize=64)
def _zone_text(tzid: str, first: dt.date, last: dt.date) -> str:
    return vtimezone_text(tzid, first, last).decode("utf-8")


def _stamps(moment: dt.datetime, sequence: int, *, modified: bool) -> tuple[str, str]:
    """The lines of ``DTSTAMP``, ``UID`` (a slot) and ``SEQUENCE``; and ``LAST-MODIFIED``."""
    written = _utc_text(moment)
    return (
        f"DTSTAMP:{written}\r\nUID:{{uid}}\r\nSEQUENCE:{sequence:d}\r\n",
        f"LAST-MODIFIED:{written}\r\n" if modified else "",
    )


def _utc_text(moment: dt.datetime) -> str:
    return _UTC_FORM % (
        moment.year,
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second,
    )


# A time's fields as icalendar writes them (``%`` formats them in half the time of an
# f-string's format specifications; the fields are never negative).
_WALL_FORM: Final = "%04d%02d%02dT%02d%02d%02d"
_UTC_FORM: Final = _WALL_FORM + "Z"


_ESCAPED: Final = ("\\", ";", ",", "\r", "\n")
"""The characters `_escaped` changes (its ``\\N`` starts with one of them)."""


def _escaped(text: str) -> str:
    r"""*text* as icalendar writes a TEXT value (its `_escape_char`, in its order)."""
    if not (  # `_ESCAPED`, tested one by one: a generator over it costs as much as escaping
        "\\" in text or ";" in text or "," in text or "\r" in text or "\n" in text
    ):
        return text
    return (
        text.replace(r"\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", r"\;")
        .replace(",", r"\,")
        .replace("\r\n", r"\n")
        .replace("\n", r"\n")
        .replace("\r", r"\n")
    )


@functools.lru_cache(maxsize=4096)
def _line(name: str, text: str) -> str:
    """A TEXT property's content line, folded, with its CRLF (kept: a plan's texts recur)."""
    return folded(name + ":" + _escaped(text)) + "\r\n"


def folded(line: str) -> str:
    r"""The line as icalendar folds it: pieces of at most 74 octets, joined by CRLF and a space.

    icalendar never ends a piece with ``\`` or ``^`` (the start of an escape), which go
    to the next piece instead; a line that is not ASCII is left to icalendar itself.
    """
    if len(line) < _FOLD_AT and line.isascii():
        return line
    if not line.isascii():
        import icalendar  # noqa: PLC0415 - the extra, required before any line is written

        folded: bytes = icalendar.parser.Contentline(line).to_ical()  # type: ignore[no-untyped-call, unused-ignore]
        return folded.decode("utf-8")
    pieces = []
    start, size = 0, _FOLD_AT - 1
    while len(line) - start > size:
        end = start + size
        if line[end - 1] in "\\^":
            end -= 1
        pieces.append(line[start:end])
        start = end
    pieces.append(line[start:])
    return "\r\n ".join(pieces)


def _when(name: str, moment: dt.datetime, shared: _Shared) -> str:
    """``DTSTART`` or ``DTEND`` of a session: `_wall`'s time, with its ``TZID`` or in UTC."""
    key = (name, moment, moment.fold, shared.zone)
    found = _WHENS.get(key)
    if found is None:
        if len(_WHENS) >= _WHENS_MOST:
            _WHENS.clear()
        found = _WHENS[key] = _when_text(name, moment, shared.zone)
    text, tzid = found
    if tzid is not None and tzid not in shared.used:
        shared.used.append(tzid)
    return text


# The line of an instant in a zone, kept by (name, instant, fold, zone): equal instants give
# the same line (it is written from the instant's UTC), and a plan's instants recur at
# every export of it. The fold is in the key since two times of one tzinfo compare by
# their wall clock alone: the two passes of a repeated hour would be equal.
_WHENS: dict[tuple[str, dt.datetime, int, zoneinfo.ZoneInfo], tuple[str, str | None]] = {}
_WHENS_MOST: Final = 4096


def _when_text(name: str, moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> tuple[str, str | None]:
    """`_when`'s line, and the ``TZID`` it uses (``None`` for none).

    `_wall` worked out inline (a first export computes it for every session): the instant
    in UTC, then in *zone*, kept in UTC if the other pass of its wall time is another
    offset. A session's instants are mostly given in *zone* already: then its wall time is
    their own, when both passes of it have the instant's offset (neither the repeated
    hour nor the skipped one), with no conversion at all.
    """
    fields: tuple[int, ...] | None = None
    given_in = moment.tzinfo
    if (
        isinstance(given_in, zoneinfo.ZoneInfo)  # pendulum's zones are ZoneInfo's too
        and given_in.key == zone.key
        and type(given_in).utcoffset is _ZONEINFO_OFFSET  # reads a naive time's wall alone
    ):
        given = (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
        # The offset at both passes of the wall time, and the instant's own (its zone's at
        # its pass), from naive times: cheaper than `replace(fold=1)` and pendulum's
        # `utcoffset`. (A change of offset falls on a whole second: the microseconds
        # dropped never cross one.)
        first = dt.datetime(*given)  # noqa: DTZ001 - naive on purpose
        second = dt.datetime(*given, fold=1)  # noqa: DTZ001
        offset = zone.utcoffset(first)
        if (
            zone.utcoffset(second) == offset
            and given_in.utcoffset(second if moment.fold else first) == offset
        ):
            fields = given
    if fields is None:
        wall = _wall(moment, zone)
        if wall.tzinfo is dt.UTC:
            return f"{name}:{_utc_text(wall)}\r\n", None
        fields = (wall.year, wall.month, wall.day, wall.hour, wall.minute, wall.second)
    prefix, suffix, tzid = _zone_form(name, zone.key)
    line = prefix + _WALL_FORM % fields + suffix
    if len(line) >= _FOLD_AT or not line.isascii():
        line = folded(line)
    return line + "\r\n", tzid


_ZONEINFO_OFFSET: Final = zoneinfo.ZoneInfo.utcoffset
"""`zoneinfo.ZoneInfo.utcoffset`: a zone whose type has it reads a naive time's wall fields."""


@functools.lru_cache(maxsize=256)
def _zone_form(name: str, key: str) -> tuple[str, str, str | None]:
    """How icalendar writes a time of the zone *key*: before the time, after it, its TZID.

    ``DTSTART;TZID=<zone>:`` and nothing after, mostly; but a zone icalendar holds to be
    UTC (``Africa/Abidjan``, say) is written with a ``Z`` and no ``TZID``.
    """
    import icalendar  # noqa: PLC0415 - the extra, required before any line is written

    event = icalendar.Event()
    event.add(name, dt.datetime(2000, 1, 1, tzinfo=zoneinfo.ZoneInfo(key)))
    line = str(event.content_lines()[1])
    prefix, _, value = line.rpartition(":")
    tzid = event[name].params.get("TZID")
    return (
        prefix + ":",
        value.removeprefix("20000101T000000"),
        tzid if isinstance(tzid, str) else None,
    )


def _property_lines(name: str, value: object) -> str:
    """A property with parameters (an ``ATTENDEE``, the ``ORGANIZER``), as icalendar writes it."""
    import icalendar  # noqa: PLC0415 - the extra, required before any line is written

    event = icalendar.Event()
    event.add(name, value)
    return "".join(folded(str(line)) + "\r\n" for line in event.content_lines()[1:-2])


def _organizer_line(address: str, name: str) -> str:
    import icalendar  # noqa: PLC0415 - the extra, required before any line is written

    value = icalendar.vCalAddress(address)
    value.params["cn"] = name
    return _cached_lines("organizer", value, (address, name))


def _attendee_line(kind: str, resource: str, staff: Mapping[str, str]) -> str:
    name = staff.get(resource, resource)
    return _cached_lines("attendee", _attendee(kind, resource, staff), (kind, resource, name))


_LINES: dict[tuple[str, tuple[str, ...]], str] = {}
_LINES_MOST: Final = 1024


def _cached_lines(name: str, value: object, key: tuple[str, ...]) -> str:
    found = _LINES.get((name, key))
    if found is None:
        if len(_LINES) >= _LINES_MOST:
            _LINES.clear()
        found = _LINES[name, key] = _property_lines(name, value)
    return found


def _session_event(
    shared: _Shared, session: Session, precare: list[tuple[dt.datetime, str]], uid: str
) -> str:
    """A session's VEVENT, its properties in icalendar's order."""
    plan, staff, stamps = shared.plan, shared.staff, shared.stamps
    summary = _summary(session, shared.active, shared.places)
    parts = [
        "BEGIN:VEVENT\r\n",
        _line("SUMMARY", summary),
        _when("DTSTART", session.start, shared),
        _when("DTEND", session.end, shared),
        stamps[0].replace("{uid}", uid),
    ]
    if session.practitioner is not None:
        parts.append(_attendee_line("practitioner", session.practitioner, staff))
    room = session.room
    if room is not None:
        parts.append(_attendee_line("room", room, staff))
    if session.override is not None:
        parts.append(_line("COMMENT", _override_text(session)))
    parts.append(_description_line(session_lines(session, staff), precare, plan.timezone))
    parts.append(stamps[1])
    where = plan.clinic.name if room is None else f"{staff.get(room, room)}, {plan.clinic.name}"
    parts.append(_line("LOCATION", where))
    if shared.organizer is not None:
        parts.append(shared.organizer)
    parts.append("STATUS:CONFIRMED\r\n" if session.status.is_active else "STATUS:CANCELLED\r\n")
    parts.append(_line("X-MESOTHERAPY-STATUS", session.status.value))
    if session.status is SessionStatus.PLANNED:
        parts.append("BEGIN:VALARM\r\nACTION:DISPLAY\r\n")
        parts.append(_line("DESCRIPTION", f"Tomorrow at {_clock(session.start)}: {summary}"))
        parts.append("TRIGGER:-P1D\r\nEND:VALARM\r\n")
    parts.append("END:VEVENT\r\n")
    return "".join(parts)


def _description_line(lines: list[str], precare: list[tuple[dt.datetime, str]], zone: str) -> str:
    r"""A session's ``DESCRIPTION`` line: `_line` of `precare_text`, from kept escaped parts.

    Its fixed parts (the lines before the pre-care, the heading, each window's words)
    recur at every export: they are escaped once and kept, and only the instants (digits,
    dashes, a colon: nothing to escape) are filled in. Escaping is character by character
    but for ``\r\n``, which is one ``\n``: so the parts joined equal the whole escaped only
    when no part ends with ``\r`` (every part is followed by a ``\n``, or by nothing: so a
    part ending with ``\`` is never followed by an ``N``, and no ``\N`` is made at a
    join). Otherwise (and for a session of no lines, or of no pre-care) the whole
    is escaped, as `_line` does.
    """
    header = f"Before this session ({zone} time):"
    head = "\n".join(lines)
    if not (lines and precare) or head.endswith("\r") or header.endswith("\r"):
        return _line("DESCRIPTION", precare_text(lines, precare, zone))
    parts = ["DESCRIPTION:", _kept_escaped(head), r"\n", _kept_escaped(header)]
    last: dt.datetime | None = None
    when = ""
    for moment, text in precare:
        if text.endswith("\r"):
            return _line("DESCRIPTION", precare_text(lines, precare, zone))
        escaped = _kept_escaped(text)
        if moment is not last:  # a session's windows mostly share their instants
            last = moment
            when = _PRECARE_FORM % (
                moment.year,
                moment.month,
                moment.day,
                moment.hour,
                moment.minute,
            )
        parts.append(when)
        parts.append(escaped)
    return folded("".join(parts)) + "\r\n"


_PRECARE_FORM: Final = r"\n- from %d-%02d-%02d %02d:%02d: "
"""A pre-care line's start, escaped: `precare_text`'s ``- from YYYY-MM-DD HH:mm: ``."""

_kept_escaped: Final = functools.lru_cache(maxsize=1024)(_escaped)
"""`_escaped`, kept: the fixed parts of a description recur at every export."""


def _maintenance_event(
    plan: TreatmentPlan, opens: dt.date, closes: dt.date, uid: str, shared: _Shared
) -> str:
    """A maintenance window's VEVENT: its one day and its reminder."""
    summary = (
        f"Mesotherapy maintenance due from {opens.isoformat()} to {closes.isoformat()} "
        f"({area_names(plan.areas)})"
    )
    day = dt.date(opens.year, opens.month, opens.day)
    after = day + dt.timedelta(days=1)
    return "".join(
        [
            "BEGIN:VEVENT\r\n",
            _line("SUMMARY", summary),
            f"DTSTART;VALUE=DATE:{day.year:04}{day.month:02}{day.day:02}\r\n",
            f"DTEND;VALUE=DATE:{after.year:04}{after.month:02}{after.day:02}\r\n",
            shared.stamps[0].replace("{uid}", uid),
            _line("DESCRIPTION", _maintenance_text(plan, opens, closes)),
            shared.stamps[1],
            _line("LOCATION", plan.clinic.name),
            "STATUS:TENTATIVE\r\nTRANSP:TRANSPARENT\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\n",
            _line("DESCRIPTION", f"Time to book: {summary}"),
            "TRIGGER:PT9H\r\nEND:VALARM\r\nEND:VEVENT\r\n",
        ]
    )
