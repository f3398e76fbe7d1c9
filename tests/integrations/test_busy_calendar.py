"""Busy time from calendar files as Google, Outlook, Apple Calendar and Thunderbird write them.

Each file of tests/calendars/ is written for these tests in one program's shape; the
intervals each must block are written out by hand below, from reading the file, as the
program shows them in the clinic's zone (America/Toronto, whose clocks go back on
2026-11-01). The `clients` nox session reads the same files with ical.js and compares
with what `busy_from_ics` gives (tests/clients/check_busy.mjs).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path
from typing import Final

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mesotherapy
from mesotherapy import Busy, CalendarError, ClinicError, InvalidTimeError, busy_from_ics
from mesotherapy.ical import busy_from_ics as from_the_submodule

CALENDARS: Final = Path(__file__).parent.parent / "calendars"
ZONE: Final = "America/Toronto"
START: Final = pendulum.date(2026, 10, 1)
END: Final = pendulum.date(2027, 1, 1)

# (file, [(start, end, summary)]): what the calendar program shows, one row a block.
SHOWN: Final[list[tuple[str, list[tuple[str, str, str | None]]]]] = [
    (
        # X-WR-TIMEZONE with UTC times and a weekly RRULE;UNTIL across the clocks going
        # back: Google shows 09:00 local every Tuesday, on both sides of November 1.
        "google-weekly.ics",
        [
            ("2026-10-13T09:00:00-04:00", "2026-10-13T10:00:00-04:00", "Staff meeting"),
            ("2026-10-20T09:00:00-04:00", "2026-10-20T10:00:00-04:00", "Staff meeting"),
            ("2026-10-27T09:00:00-04:00", "2026-10-27T10:00:00-04:00", "Staff meeting"),
            ("2026-11-03T09:00:00-05:00", "2026-11-03T10:00:00-05:00", "Staff meeting"),
            ("2026-11-05T13:30:00-05:00", "2026-11-05T14:15:00-05:00", "Supplier visit"),
            ("2026-11-10T09:00:00-05:00", "2026-11-10T10:00:00-05:00", "Staff meeting"),
            ("2026-11-17T09:00:00-05:00", "2026-11-17T10:00:00-05:00", "Staff meeting"),
        ],
    ),
    (
        # TZID "Eastern Standard Time" (a Windows name) with Outlook's VTIMEZONE, a weekly
        # Monday-and-Wednesday block with COUNT=6; a "free" lunch blocks nothing.
        "outlook-windows-zone.ics",
        [
            ("2026-10-26T14:00:00-04:00", "2026-10-26T15:30:00-04:00", "Admin block"),
            ("2026-10-28T14:00:00-04:00", "2026-10-28T15:30:00-04:00", "Admin block"),
            ("2026-11-02T14:00:00-05:00", "2026-11-02T15:30:00-05:00", "Admin block"),
            ("2026-11-04T14:00:00-05:00", "2026-11-04T15:30:00-05:00", "Admin block"),
            ("2026-11-09T14:00:00-05:00", "2026-11-09T15:30:00-05:00", "Admin block"),
            ("2026-11-11T14:00:00-05:00", "2026-11-11T15:30:00-05:00", "Admin block"),
        ],
    ),
    (
        # Weekly on Thursdays until November 26: October 22 excluded (EXDATE), November 5
        # moved to Friday 6 at 10:00 for 90 minutes, November 19 cancelled (a moved
        # instance with STATUS:CANCELLED).
        "apple-exdate-recurrence-id.ics",
        [
            ("2026-10-08T16:00:00-04:00", "2026-10-08T17:00:00-04:00", "Laser maintenance"),
            ("2026-10-15T16:00:00-04:00", "2026-10-15T17:00:00-04:00", "Laser maintenance"),
            ("2026-10-29T16:00:00-04:00", "2026-10-29T17:00:00-04:00", "Laser maintenance"),
            ("2026-11-06T10:00:00-05:00", "2026-11-06T11:30:00-05:00", "Laser maintenance"),
            ("2026-11-12T16:00:00-05:00", "2026-11-12T17:00:00-05:00", "Laser maintenance"),
            ("2026-11-26T16:00:00-05:00", "2026-11-26T17:00:00-05:00", "Laser maintenance"),
        ],
    ),
    (
        # All-day events block their days, midnight to midnight at the clinic: November 1
        # has 25 hours; December 24 to 27 is one block of four days (DTEND is exclusive).
        # The transparent birthday blocks nothing.
        "apple-all-day.ics",
        [
            ("2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00", "Conference"),
            ("2026-11-11T00:00:00-05:00", "2026-11-12T00:00:00-05:00", "Day off"),
            ("2026-12-24T00:00:00-05:00", "2026-12-28T00:00:00-05:00", "Holidays"),
        ],
    ),
    (
        # TRANSP:TRANSPARENT and STATUS:CANCELLED block nothing, a tentative event does,
        # and an event that takes no time (DTEND = DTSTART) blocks nothing.
        "thunderbird-transparent-cancelled.ics",
        [("2026-11-13T15:00:00-05:00", "2026-11-13T16:00:00-05:00", "Dentist")],
    ),
    (
        # VFREEBUSY: BUSY (one period by its end, one by its duration), BUSY-TENTATIVE,
        # BUSY-UNAVAILABLE and no FBTYPE (busy) block; FBTYPE=FREE does not. No labels.
        "outlook-freebusy.ics",
        [
            ("2026-11-02T09:00:00-05:00", "2026-11-02T10:00:00-05:00", None),
            ("2026-11-03T10:00:00-05:00", "2026-11-03T12:00:00-05:00", None),
            ("2026-11-04T15:00:00-05:00", "2026-11-04T16:00:00-05:00", None),
            ("2026-11-06T08:00:00-05:00", "2026-11-06T17:00:00-05:00", None),
            ("2026-11-10T12:00:00-05:00", "2026-11-10T12:30:00-05:00", None),
        ],
    ),
    (
        # Floating times (no TZID) are wall times at the clinic: 08:00 every week, on
        # both sides of November 1; a DURATION instead of a DTEND.
        "thunderbird-floating.ics",
        [
            ("2026-10-26T08:00:00-04:00", "2026-10-26T08:30:00-04:00", "Morning huddle"),
            ("2026-11-02T08:00:00-05:00", "2026-11-02T08:30:00-05:00", "Morning huddle"),
            ("2026-11-09T08:00:00-05:00", "2026-11-09T08:30:00-05:00", "Morning huddle"),
            ("2026-12-01T17:00:00-05:00", "2026-12-01T18:30:00-05:00", "Inventory"),
        ],
    ),
]


def _read(path: Path | str | bytes, **kwargs: object) -> tuple[Busy, ...]:
    options: dict[str, object] = {"start": START, "end": END, "zone": ZONE, **kwargs}
    return busy_from_ics(path, "dr-h", **options)  # type: ignore[arg-type]  # the table's options


def _rows(busy: tuple[Busy, ...]) -> list[tuple[str, str, str | None]]:
    return [(b.start.isoformat(), b.end.isoformat(), b.label) for b in busy]


def test_every_shape_has_its_calendar_and_every_calendar_a_row() -> None:
    assert sorted(name for name, _ in SHOWN) == sorted(p.name for p in CALENDARS.glob("*.ics"))


@pytest.mark.parametrize(("name", "shown"), SHOWN, ids=[name for name, _ in SHOWN])
def test_a_calendar_blocks_exactly_what_its_program_shows(
    name: str, shown: list[tuple[str, str, str | None]]
) -> None:
    busy = _read(CALENDARS / name, labels=True)
    assert _rows(busy) == shown
    assert all(b.resource == "dr-h" for b in busy)
    assert all(b.start.timezone_name == ZONE and b.end.timezone_name == ZONE for b in busy)


@pytest.mark.parametrize("name", [name for name, _ in SHOWN])
def test_no_label_unless_asked_for(name: str) -> None:
    assert all(b.label is None for b in _read(CALENDARS / name))


@pytest.mark.parametrize("name", [name for name, _ in SHOWN])
def test_a_path_bytes_and_text_read_alike(name: str) -> None:
    path = CALENDARS / name
    data = path.read_bytes()
    expected = _read(path)
    assert _read(str(path)) == expected
    assert _read(data) == expected
    assert _read(data.decode("utf-8")) == expected
    assert _read(b"\xef\xbb\xbf" + data) == expected  # with a byte-order mark


def test_the_top_level_name_is_the_submodules() -> None:
    assert mesotherapy.busy_from_ics is from_the_submodule is busy_from_ics
    assert issubclass(CalendarError, ClinicError)
    assert issubclass(CalendarError, ValueError)


@pytest.mark.parametrize(
    ("start", "end", "first", "last"),
    [
        # Whole occurrences that overlap the window, not cut at its edges.
        (dt.datetime(2026, 10, 20, 9, 30, tzinfo=zoneinfo.ZoneInfo(ZONE)), None, 1, 7),
        (START, pendulum.datetime(2026, 10, 20, 9, 30, tz=ZONE), 0, 2),
        # The window's end is open: a block starting at it is outside.
        (START, pendulum.datetime(2026, 10, 20, 9, tz=ZONE), 0, 1),
        # A date is its midnight at the clinic; an instant in another zone is that instant.
        (pendulum.date(2026, 11, 10), pendulum.date(2026, 11, 18), 5, 7),
        (pendulum.datetime(2026, 11, 10, 15, tz="UTC"), END, 6, 7),
        (pendulum.datetime(2026, 11, 10, 14, 59, tz="UTC"), END, 5, 7),
    ],
)
def test_the_window_selects_whole_occurrences(
    start: dt.datetime | dt.date, end: dt.datetime | dt.date | None, first: int, last: int
) -> None:
    shown = SHOWN[0][1]
    busy = _read(CALENDARS / "google-weekly.ics", start=start, end=end, labels=True)
    assert _rows(busy) == shown[first:last]


def test_the_window_ends_one_year_after_its_start_by_default() -> None:
    text = (CALENDARS / "thunderbird-floating.ics").read_text("utf-8")
    forever = text.replace("RRULE:FREQ=WEEKLY;COUNT=3", "RRULE:FREQ=WEEKLY")
    busy = _read(forever, start=pendulum.date(2026, 10, 26), end=None)
    weekly = [b for b in busy if b.start.hour == 8]
    assert len(weekly) == 53  # Mondays from 2026-10-26 to 2027-10-25
    assert weekly[-1].start.isoformat() == "2027-10-25T08:00:00-04:00"


def test_the_zone_places_floating_and_all_day_times() -> None:
    busy = _read(CALENDARS / "apple-all-day.ics", zone="Europe/Paris")
    assert [(b.start.isoformat(), b.end.isoformat()) for b in busy][:2] == [
        ("2026-11-01T00:00:00+01:00", "2026-11-02T00:00:00+01:00"),
        ("2026-11-11T00:00:00+01:00", "2026-11-12T00:00:00+01:00"),
    ]
    floating = _read(CALENDARS / "thunderbird-floating.ics", zone=zoneinfo.ZoneInfo("Asia/Tokyo"))
    assert floating[0].start.isoformat() == "2026-10-26T08:00:00+09:00"
    # A zone-aware calendar is the same instants whatever the clinic's zone.
    paris = _read(CALENDARS / "google-weekly.ics", zone="Europe/Paris")
    assert [(b.start, b.end) for b in paris] == [
        (b.start, b.end) for b in _read(CALENDARS / "google-weekly.ics")
    ]
    assert paris[0].start.isoformat() == "2026-10-13T15:00:00+02:00"


def test_a_floating_time_in_the_clocks_gap_is_read_as_calendars_show_it() -> None:
    text = (CALENDARS / "thunderbird-floating.ics").read_text("utf-8")
    gap = text.replace("20261201T170000", "20270314T023000")  # 02:30 does not exist then
    busy = _read(gap, end=pendulum.date(2027, 4, 1))
    assert busy[-1].start.isoformat() == "2027-03-14T03:30:00-04:00"


def test_the_busy_intervals_book_into_a_diary() -> None:
    clinic = mesotherapy.example_clinic(holidays=None)
    diary = mesotherapy.Diary(
        clinic=clinic,
        practitioners=[mesotherapy.Practitioner(id="dr-h", name="Dr. H.", areas=["face"])],
        rooms=[mesotherapy.Room(id="room-1")],
        busy=_read(CALENDARS / "google-weekly.ics"),
    )
    day = "2026-11-10"  # the staff meeting, 09:00 to 10:00
    assert not diary.is_free("dr-h", clinic.at(day, "09:30"), clinic.at(day, "10:15"))
    assert diary.is_free("dr-h", clinic.at(day, "10:00"), clinic.at(day, "10:45"))


# --- Bad input ------------------------------------------------------------------------

EVENT: Final = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{head}BEGIN:VEVENT\r\n"
    "UID:bad-event@test\r\nDTSTAMP:20261001T000000Z\r\nSUMMARY:Client Jane Doe\r\n{body}"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)


def _event(body: str, head: str = "") -> str:
    return EVENT.format(head=head, body=body)


BAD: Final = [
    ("not-ical.ics", "Jane Doe, 2026-11-03 at 09:00\n", "line 1: expected an iCalendar"),
    ("json.ics", '{"events": []}', "line 1: expected an iCalendar content line"),
    ("empty.ics", "", "expected one BEGIN:VCALENDAR"),
    (
        "third-line.ics",
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nJane Doe's appointment\r\nEND:VCALENDAR\r\n",
        "line 3: expected an iCalendar content line",
    ),
    ("truncated.ics", _event("DTSTART:20261103T090000Z\r\n")[:-30], "expected one BEGIN:VCAL"),
    (
        "vcard.ics",
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Jane Doe\r\nEND:VCARD\r\n",
        "expected an iCalendar file (BEGIN:VCALENDAR), got 'VCARD'",
    ),
    (
        "unknown-zone.ics",
        _event(
            "DTSTART;TZID=Mars/Olympus_Mons:20261103T090000\r\n"
            "DTEND;TZID=Mars/Olympus_Mons:20261103T100000\r\n"
        ),
        "VEVENT UID 'bad-event@test': DTSTART: unknown time zone 'Mars/Olympus_Mons'",
    ),
    (
        "region-zone.ics",
        _event("DTSTART;TZID=America:20261103T090000\r\nDTEND:20261103T150000Z\r\n"),
        "TZID: unknown time zone, expected a zone of the time-zone database, not a region",
    ),
    (
        "region-wr-zone.ics",
        _event("DTSTART:20261103T140000Z\r\n", head="X-WR-TIMEZONE:America\r\n"),
        "X-WR-TIMEZONE: unknown time zone 'America'",
    ),
    (
        "unknown-exdate-zone.ics",
        _event(
            "DTSTART:20261103T090000Z\r\nDTEND:20261103T100000Z\r\nRRULE:FREQ=DAILY\r\n"
            "EXDATE;TZID=Nowhere Standard Time:20261104T090000\r\n"
        ),
        "VEVENT UID 'bad-event@test': EXDATE: unknown time zone 'Nowhere Standard Time'",
    ),
    (
        "unknown-wr-zone.ics",
        _event(
            "DTSTART:20261103T140000Z\r\nDTEND:20261103T150000Z\r\n",
            head="X-WR-TIMEZONE:Mars/Olympus_Mons\r\n",
        ),
        "X-WR-TIMEZONE: unknown time zone",
    ),
    (
        "end-before-start.ics",
        _event(
            "DTSTART;TZID=America/Toronto:20261103T090000\r\n"
            "DTEND;TZID=America/Toronto:20261103T080000\r\n"
        ),
        "VEVENT UID 'bad-event@test': DTEND: expected a time after DTSTART, got one before it",
    ),
    (
        "end-before-start-utc.ics",
        _event("DTSTART:20261103T090000Z\r\nDTEND:20261103T085959Z\r\n"),
        "DTEND: expected a time after DTSTART",
    ),
    (
        "all-day-end-before-start.ics",
        _event("DTSTART;VALUE=DATE:20261103\r\nDTEND;VALUE=DATE:20261102\r\n"),
        "DTEND: expected a time after DTSTART",
    ),
    (
        "malformed-time.ics",
        _event("DTSTART:20261103T090000Z\r\nDTEND:tomorrow morning\r\n"),
        "VEVENT UID 'bad-event@test': DTEND: cannot be read",
    ),
    (
        "no-start.ics",
        _event("DTEND:20261103T100000Z\r\n"),
        "VEVENT UID 'bad-event@test': DTSTART: missing, expected the event's start",
    ),
    (
        "time-only.ics",
        _event("DTSTART;VALUE=DATE:20261103\r\nDTEND;VALUE=DATE:202611\r\n"),  # 20:26:11
        "VEVENT UID 'bad-event@test': DTEND: expected a date or a date-time",
    ),
    (
        "two-starts.ics",
        _event("DTSTART:20261103T090000Z\r\nDTSTART:20261104T090000Z\r\n"),
        "VEVENT UID 'bad-event@test': DTSTART: expected it once, got 2",
    ),
    (
        "half-floating-period.ics",
        (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VFREEBUSY\r\n"
            "UID:fb@test\r\nFREEBUSY:20261104T200000Z/20261104T210000\r\nEND:VFREEBUSY\r\n"
            "END:VCALENDAR\r\n"
        ),
        "expected one BEGIN:VCALENDAR ... END:VCALENDAR, each BEGIN with its END",
    ),
    (
        "bad-rule.ics",
        _event("DTSTART:20261103T090000Z\r\nDTEND:20261103T100000Z\r\nRRULE:FREQ=SOMETIMES\r\n"),
        "VEVENT UID 'bad-event@test': RRULE: cannot be read",
    ),
]


@pytest.mark.parametrize(("name", "text", "message"), BAD, ids=[name for name, _, _ in BAD])
def test_a_bad_file_is_refused_naming_the_file_and_the_line_or_the_uid(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    with pytest.raises(CalendarError) as raised:
        _read(path)
    assert str(raised.value).startswith(f"{path}: ")
    assert message in str(raised.value)
    assert "Jane" not in str(raised.value)  # the file's text is never echoed
    # No parser error behind it, to be shown in a traceback with the file's text.
    assert raised.value.__cause__ is None
    assert raised.value.__context__ is None or raised.value.__suppress_context__
    with pytest.raises(CalendarError, match=r"^the calendar text: "):
        _read(text if "BEGIN:" in text else "BEGIN:" + text)


def test_a_file_that_cannot_be_read() -> None:
    with pytest.raises(CalendarError, match=r"^/nonexistent/dr-h\.ics: cannot read the calendar"):
        _read("/nonexistent/dr-h.ics")
    with pytest.raises(CalendarError, match=r"^the calendar bytes: line 2: expected UTF-8"):
        _read(b"BEGIN:VCALENDAR\r\nSUMMARY:caf\xe9\r\n")


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"resource": " dr-h"}, ClinicError, "resource: expected a non-empty id"),
        ({"zone": "Mars/Olympus_Mons"}, InvalidTimeError, "zone: unknown IANA time zone"),
        ({"zone": "localtime"}, InvalidTimeError, "zone: 'localtime' is the zone of the machine"),
        ({"start": dt.datetime(2026, 11, 1)}, InvalidTimeError, "start: expected a time-zone"),  # noqa: DTZ001
        ({"start": "2026-11-01"}, InvalidTimeError, "start: expected a time-zone-aware"),
        ({"end": START}, InvalidTimeError, "end: expected a time after the start"),
        ({"source": 42}, CalendarError, "source: expected a path, or the calendar"),
    ],
)
def test_bad_arguments_are_refused(
    options: dict[str, object], error: type[Exception], message: str
) -> None:
    arguments: dict[str, object] = {
        "source": CALENDARS / "google-weekly.ics",
        "resource": "dr-h",
        "start": START,
        "end": END,
        "zone": ZONE,
        **options,
    }
    with pytest.raises(error, match=message):
        busy_from_ics(**arguments)  # type: ignore[arg-type]  # wrong types on purpose


# --- Edited calendars: a refusal or intervals, never another error --------------------

PIECES: Final = [
    "DTSTART:2026",
    "DTSTART;VALUE=DATE:20261101",
    "DTEND;VALUE=DATE:20261101",
    "DTEND:20261001T000000Z",
    "DTSTART;TZID=Eastern Standard Time:20261102T090000",
    "DTSTART;TZID=Nowhere:20261102T090000",
    "DURATION:-PT1H",
    "RRULE:FREQ=WEEKLY;COUNT=-1",
    "RRULE:FREQ=DAILY;UNTIL=20261101",
    "RRULE:FREQ=WEEKLY;BYDAY=XX",
    "RDATE;VALUE=PERIOD:20261102T090000Z/PT1H",
    "EXDATE:x",
    "RECURRENCE-ID:20261105T160000",
    "RECURRENCE-ID;VALUE=DATE:20261105",
    "FREEBUSY:garbage",
    "FREEBUSY:20261102T090000Z/20261101T090000Z",
    "FREEBUSY;FBTYPE=BUSY:20261102T090000Z/PT0S",
    "STATUS:",
    "TRANSP:",
    "X-WR-TIMEZONE:",
    "X-WR-TIMEZONE:Europe/Paris",
    "BEGIN:VEVENT",
    "END:VEVENT",
    "BEGIN:VCALENDAR",
    "END:VCALENDAR",
    "UID:",
    " folded",
]


@given(
    name=st.sampled_from([name for name, _ in SHOWN]),
    edits=st.lists(
        st.tuples(
            st.integers(0, 200),
            st.sampled_from(["delete", "insert", "cut"]),
            st.sampled_from(PIECES),
            st.integers(0, 80),
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_an_edited_calendar_gives_intervals_or_a_calendar_error(
    name: str, edits: list[tuple[int, str, str, int]]
) -> None:
    lines = (CALENDARS / name).read_bytes().decode("utf-8").split("\r\n")
    for at, how, piece, length in edits:
        where = at % len(lines) if lines else 0
        if how == "insert":
            lines.insert(where, piece)
        elif lines and how == "delete":
            del lines[where]
        elif lines:
            lines[where] = lines[where][:length]
    refusal = ""
    try:
        busy = _read("\r\n".join(lines).encode("utf-8"))
    except CalendarError as error:
        busy, refusal = (), str(error)
    assert refusal.startswith(("", "the calendar bytes: "))
    assert all(b.start < b.end and b.resource == "dr-h" for b in busy)
    assert list(busy) == sorted(busy)
