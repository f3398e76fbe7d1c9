"""The diary file, its calendars and its bookings file: every problem named; atomic writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pendulum
import pytest

import mesotherapy as meso
from mesotherapy import Booking, ClinicError, Diary
from mesotherapy._diary_file import open_for_booking, save_bookings
from tests.diary_files import diary_folder

ROOT = Path(__file__).parent.parent


def _practitioner(n: int) -> Callable[[dict[str, Any]], Any]:
    def get(data: dict[str, Any]) -> dict[str, Any]:
        practitioner: dict[str, Any] = data["practitioners"][n]
        return practitioner

    return get


def _set(path: Callable[[dict[str, Any]], dict[str, Any]], key: str, value: object) -> Any:
    return lambda data: path(data).__setitem__(key, value)


def _room(n: int) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda data: data["rooms"][n]


def _top(data: dict[str, Any]) -> dict[str, Any]:
    return data


# Each bad diary: how the basic diary is changed, and the problem that names it.
BAD_DIARIES: list[tuple[str, Callable[[dict[str, Any]], Any], str]] = [
    (
        "a missing calendar",
        _set(_practitioner(0), "busy", ["calendars/nowhere.ics"]),
        "practitioners[0].busy[0]: cannot read the calendar 'calendars/nowhere.ics' (no such file)",
    ),
    (
        "an unknown area",
        _set(_practitioner(1), "areas", ["elbow"]),
        "practitioners[1].areas[0]: unknown area 'elbow', expected one of face, neck, ",
    ),
    (
        "an unknown area of a room",
        _set(_room(1), "areas", ["face", "knee"]),
        "rooms[1].areas[1]: unknown area 'knee'",
    ),
    (
        "hours outside the clinic's",
        _set(_practitioner(1), "hours", {"tuesday": [["08:00", "12:00"]]}),
        (
            "practitioners[1].hours.tuesday[0]: 08:00-12:00 lies outside the clinic's hours "
            "(09:00-18:00)"
        ),
    ),
    (
        "hours on a day the clinic is closed",
        _set(_practitioner(0), "hours", {"sunday": [["10:00", "12:00"]]}),
        "practitioners[0].hours.sunday[0]: 10:00-12:00 lies outside the clinic's hours (closed)",
    ),
    (
        "hours that cannot be read",
        _set(_practitioner(0), "hours", {"monday": [["09:00", "25:00"]]}),
        "practitioners[0].hours.monday[0].end",
    ),
    (
        "two practitioners with one id",
        _set(_practitioner(1), "id", "dr-h"),
        "practitioners[1].id: 'dr-h' is the id of practitioner 1 already",
    ),
    (
        "a room with a practitioner's id",
        _set(_room(0), "id", "nurse-l"),
        "rooms[0].id: 'nurse-l' is the id of practitioner 2 already",
    ),
    ("an id that is no id", _set(_room(0), "id", "room 1"), "rooms[0].id: expected letters"),
    ("an unknown key", _set(_practitioner(0), "colour", "red"), "practitioners[0].colour"),
    ("a missing clinic", lambda data: data.pop("clinic"), "clinic: missing"),
    (
        "a clinic file that is not there",
        _set(_top, "clinic", "elsewhere.toml"),
        "clinic: elsewhere.toml: cannot read the file",
    ),
    (
        "a negative buffer",
        _set(_top, "buffer_minutes", -5),
        "buffer_minutes: expected a whole number of minutes, 0 or more, got -5",
    ),
    ("no rooms", lambda data: data.pop("rooms"), "rooms: missing"),
    (
        "a practitioner without areas",
        lambda data: data["practitioners"][0].pop("areas"),
        "practitioners[0].areas: missing",
    ),
]


@pytest.mark.parametrize(
    ("change", "needle"), [case[1:] for case in BAD_DIARIES], ids=[case[0] for case in BAD_DIARIES]
)
def test_a_bad_diary_is_refused_naming_the_key_and_the_file(
    tmp_path: Path, change: Callable[[dict[str, Any]], Any], needle: str
) -> None:
    path = diary_folder(tmp_path, change)
    with pytest.raises(ClinicError) as refused:
        meso.load_diary(path)
    assert refused.value.source == str(path)
    assert any(problem.startswith(needle) for problem in refused.value.problems), (
        refused.value.problems
    )
    assert str(refused.value).startswith(f"{path}: ")


def test_every_problem_of_a_diary_is_gathered(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["practitioners"][1]["areas"] = ["elbow"]
        data["practitioners"][0]["busy"] = ["gone.ics"]
        data["rooms"][1]["id"] = "room-1"

    with pytest.raises(ClinicError) as refused:
        meso.load_diary(diary_folder(tmp_path, change))
    found = [problem.split(":")[0] for problem in refused.value.problems]
    assert found == ["practitioners[0].busy[0]", "practitioners[1].areas[0]", "rooms[1].id"]


def test_a_file_that_is_not_toml_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "diary.toml"
    path.write_text("clinic = \n", encoding="utf-8")
    with pytest.raises(ClinicError, match="not valid TOML") as refused:
        meso.load_diary(path)
    assert refused.value.source == str(path)


def test_a_diary_reads_its_resources_and_paths_relative_to_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = diary_folder(tmp_path / "somewhere")
    monkeypatch.chdir(tmp_path)  # the paths are relative to the diary file, not to here
    diary = meso.load_diary(Path("somewhere") / "diary.toml")
    assert [p.id for p in diary.practitioners] == ["dr-h", "nurse-l"]
    assert [r.id for r in diary.rooms] == ["room-1", "room-2"]
    assert diary.clinic.name == "Test Clinic"
    assert diary.buffer_minutes == 10
    assert dict(diary.practitioners[0].hours)["monday"][0].start == pendulum.time(9)
    assert diary.rooms[0].areas is None
    assert diary.bookings == ()
    assert not (path.parent / "bookings.json").exists()  # reading writes nothing


# --- calendars ------------------------------------------------------------------------


def _busy_from_ics() -> Any:
    from mesotherapy import ical  # noqa: PLC0415

    if not hasattr(ical, "busy_from_ics"):
        pytest.skip("mesotherapy.ical.busy_from_ics has not landed yet")
    pytest.importorskip("recurring_ical_events")  # the ical extra
    return ical.busy_from_ics


CALENDAR = """\
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Test//Diary//EN
BEGIN:VEVENT
UID:meeting-1@test
DTSTAMP:20261001T120000Z
DTSTART;TZID=America/Toronto:20261020T120000
DTEND;TZID=America/Toronto:20261020T130000
SUMMARY:Staff meeting
END:VEVENT
END:VCALENDAR
"""


def test_a_calendar_blocks_its_practitioner(tmp_path: Path) -> None:
    _busy_from_ics()
    (tmp_path / "dr-h.ics").write_text(CALENDAR.replace("\n", "\r\n"), encoding="utf-8")
    path = diary_folder(tmp_path, _set(_practitioner(0), "busy", ["dr-h.ics"]))
    diary = meso.load_diary(path, start="2026-10-01")
    clinic = diary.clinic
    assert [(b.resource, b.start, b.end) for b in diary.busy] == [
        ("dr-h", clinic.at("2026-10-20", "12:00"), clinic.at("2026-10-20", "13:00"))
    ]
    assert not diary.is_free(
        "dr-h", clinic.at("2026-10-20", "12:30"), clinic.at("2026-10-20", "12:45")
    )


def test_the_calendars_are_read_over_the_window_asked(tmp_path: Path) -> None:
    _busy_from_ics()
    (tmp_path / "dr-h.ics").write_text(CALENDAR, encoding="utf-8")
    path = diary_folder(tmp_path, _set(_practitioner(0), "busy", ["dr-h.ics"]))
    assert meso.load_diary(path, start="2026-10-21").busy == ()
    assert meso.load_diary(path, start="2026-09-01", end="2026-10-20").busy == ()
    assert len(meso.load_diary(path, start="2026-09-01", end="2026-10-21").busy) == 1
    with pytest.raises(meso.InvalidTimeError, match="end: expected a date after the start"):
        meso.load_diary(path, start="2026-10-21", end="2026-10-21")


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("this is no calendar\n", "rooms[1].busy[0]: bad.ics: line 1: "),
        (
            CALENDAR.replace("America/Toronto", "Mars/Olympus"),
            (
                "rooms[1].busy[0]: bad.ics: VEVENT UID 'meeting-1@test': DTSTART: unknown time "
                "zone 'Mars/Olympus'"
            ),
        ),
    ],
    ids=["not iCalendar", "an unknown zone"],
)
def test_a_bad_calendar_is_refused_naming_the_key_and_the_file(
    tmp_path: Path, text: str, needle: str
) -> None:
    _busy_from_ics()
    (tmp_path / "bad.ics").write_text(text, encoding="utf-8")
    path = diary_folder(tmp_path, _set(_room(1), "busy", ["bad.ics"]))
    with pytest.raises(ClinicError) as refused:
        meso.load_diary(path, start="2026-10-01")
    assert refused.value.source == str(path)
    assert [p for p in refused.value.problems if p.startswith(needle)], refused.value.problems


# --- the bookings file ----------------------------------------------------------------


def _booking(diary: Diary, day: str, at: str, minutes: int = 45, **fields: str) -> Booking:
    start = diary.clinic.at(day, at)
    values = {"plan": "p-1", "session": f"p-1.{at}", "practitioner": "dr-h", "room": "room-1"}
    return Booking(start=start, end=start.add(minutes=minutes), **(values | fields))


def test_bookings_written_are_read_back_the_same(tmp_path: Path) -> None:
    path = diary_folder(tmp_path)
    diary = meso.load_diary(path)
    bookings = [
        _booking(diary, "2026-10-20", "09:00"),
        _booking(diary, "2026-10-20", "10:00", session="p-2.1", plan="p-2", room="room-2"),
        # Across the autumn change: the offsets tell the instants apart.
        _booking(diary, "2026-11-02", "09:00", session="p-1.2"),
    ]
    save_bookings(attrs.evolve(diary, bookings=bookings), tmp_path / "bookings.json")
    document = json.loads((tmp_path / "bookings.json").read_text("utf-8"))
    assert document["schema"] == 1
    assert document["bookings"][0] == {
        "plan": "p-1",
        "session": "p-1.09:00",
        "start": "2026-10-20T09:00:00-04:00",
        "end": "2026-10-20T09:45:00-04:00",
        "practitioner": "dr-h",
        "room": "room-1",
    }
    assert document["bookings"][2]["start"] == "2026-11-02T09:00:00-05:00"
    again = meso.load_diary(path)
    assert again.bookings == tuple(sorted(bookings))
    assert [b.start.timezone_name for b in again.bookings] == ["America/Toronto"] * 3
    assert not again.is_free("room-1", bookings[0].start, bookings[0].end)


def _entry(**changes: object) -> dict[str, object]:
    return {
        "plan": "p-1",
        "session": "p-1.1",
        "start": "2026-10-20T09:00:00-04:00",
        "end": "2026-10-20T09:45:00-04:00",
        "practitioner": "dr-h",
        "room": "room-1",
    } | changes


BAD_BOOKINGS: list[tuple[str, object, str]] = [
    ("not JSON", "{", "not valid JSON"),
    ("no object", [], "the document: expected an object"),
    ("another schema", {"schema": 7, "bookings": []}, "schema: expected 1, got 7"),
    (
        "an unknown practitioner",
        {"schema": 1, "bookings": [_entry(practitioner="dr-x")]},
        (
            "bookings[0].practitioner: 'dr-x' is no practitioner of the diary, expected one of "
            "dr-h, nurse-l"
        ),
    ),
    (
        "an unknown room",
        {"schema": 1, "bookings": [_entry(), _entry(session="p-1.2", room="room-9")]},
        "bookings[1].room: 'room-9' is no room of the diary",
    ),
    (
        "a naive instant",
        {"schema": 1, "bookings": [_entry(start="2026-10-20T09:00:00")]},
        "bookings[0].start: expected an ISO 8601 date and time with its UTC offset",
    ),
    (
        "an end before the start",
        {"schema": 1, "bookings": [_entry(end="2026-10-20T08:00:00-04:00")]},
        "bookings[0].end: expected a time after the start",
    ),
    (
        "a missing key",
        {"schema": 1, "bookings": [{k: v for k, v in _entry().items() if k != "room"}]},
        "bookings[0].room: missing",
    ),
    (
        "one session twice",
        {"schema": 1, "bookings": [_entry(), _entry(room="room-2", practitioner="nurse-l")]},
        "bookings[1].session: session 'p-1.1' is booked in bookings[0] already",
    ),
    (
        "two sessions of one practitioner that overlap",
        {
            "schema": 1,
            "bookings": [
                _entry(),
                _entry(
                    plan="p-2",
                    session="p-2.1",
                    room="room-2",
                    start="2026-10-20T09:30:00-04:00",
                    end="2026-10-20T10:15:00-04:00",
                ),
            ],
        },
        (
            "bookings[1]: session 'p-2.1' (2026-10-20T09:30:00-04:00 to 2026-10-20T10:15:00-04:00) "
            "of 'dr-h' meets session 'p-1.1' (2026-10-20T09:00:00-04:00 to "
            "2026-10-20T09:45:00-04:00)"
        ),
    ),
    (
        "two sessions of one room closer than the buffer",
        {
            "schema": 1,
            "bookings": [
                _entry(),
                _entry(
                    plan="p-2",
                    session="p-2.1",
                    practitioner="nurse-l",
                    start="2026-10-20T09:50:00-04:00",
                    end="2026-10-20T10:35:00-04:00",
                ),
            ],
        },
        (
            "bookings[1]: session 'p-2.1' (2026-10-20T09:50:00-04:00 to 2026-10-20T10:35:00-04:00) "
            "of 'room-1' meets session 'p-1.1' (2026-10-20T09:00:00-04:00 to "
            "2026-10-20T09:45:00-04:00) (with the 10-minute buffer)"
        ),
    ),
]


@pytest.mark.parametrize(
    ("document", "needle"), [case[1:] for case in BAD_BOOKINGS], ids=[c[0] for c in BAD_BOOKINGS]
)
def test_a_bad_bookings_file_is_refused_naming_the_entry(
    tmp_path: Path, document: object, needle: str
) -> None:
    path = diary_folder(tmp_path)
    bookings = tmp_path / "bookings.json"
    bookings.write_text(document if isinstance(document, str) else json.dumps(document), "utf-8")
    with pytest.raises(ClinicError) as refused:
        meso.load_diary(path)
    assert refused.value.source == str(bookings)
    assert [p for p in refused.value.problems if p.startswith(needle)], refused.value.problems


def test_bookings_one_buffer_apart_stand(tmp_path: Path) -> None:
    path = diary_folder(tmp_path)
    later = _entry(
        plan="p-2",
        session="p-2.1",
        start="2026-10-20T09:55:00-04:00",
        end="2026-10-20T10:40:00-04:00",
    )
    document = {"schema": 1, "bookings": [_entry(), later]}
    (tmp_path / "bookings.json").write_text(json.dumps(document), "utf-8")
    assert len(meso.load_diary(path).bookings) == 2


# --- atomic and locked ----------------------------------------------------------------


def _with_one_booking(tmp_path: Path) -> tuple[Diary, Path, bytes]:
    path = diary_folder(tmp_path)
    diary = meso.load_diary(path)
    target = tmp_path / "bookings.json"
    save_bookings(attrs.evolve(diary, bookings=[_booking(diary, "2026-10-20", "09:00")]), target)
    return meso.load_diary(path), target, target.read_bytes()


def test_a_write_that_fails_before_the_rename_leaves_the_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    diary, target, before = _with_one_booking(tmp_path)
    more = attrs.evolve(
        diary, bookings=[*diary.bookings, _booking(diary, "2026-10-21", "09:00", session="x.1")]
    )

    def fail(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(ClinicError, match="cannot write the bookings file"):
        save_bookings(more, target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if "bookings" in p.name) == ["bookings.json"]


def test_an_interrupt_before_the_rename_leaves_the_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    diary, target, before = _with_one_booking(tmp_path)

    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        save_bookings(attrs.evolve(diary, bookings=()), target)
    assert target.read_bytes() == before


def test_a_process_killed_before_the_rename_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    diary, target, before = _with_one_booking(tmp_path)
    # The child writes the temporary file in full, then dies by SIGKILL where it would rename.
    code = textwrap.dedent(
        f"""
        import os, signal, attrs
        import mesotherapy as meso
        from mesotherapy._diary_file import save_bookings
        diary = meso.load_diary({str(tmp_path / "diary.toml")!r})
        def die(*_):
            os.kill(os.getpid(), signal.SIGKILL)
        os.replace = die
        save_bookings(attrs.evolve(diary, bookings=()), {str(target)!r})
        """
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    done = subprocess.run([sys.executable, "-c", code], env=env, check=False, capture_output=True)
    assert done.returncode == -9, done.stderr
    assert target.read_bytes() == before
    assert meso.load_diary(tmp_path / "diary.toml").bookings == diary.bookings


def test_the_file_keeps_its_permissions(tmp_path: Path) -> None:
    diary, target, _ = _with_one_booking(tmp_path)
    target.chmod(0o640)
    save_bookings(attrs.evolve(diary, bookings=()), target)
    assert target.stat().st_mode & 0o777 == 0o640


def test_a_bookings_file_that_cannot_be_written_is_named(tmp_path: Path) -> None:
    diary, _, _ = _with_one_booking(tmp_path)
    with pytest.raises(ClinicError, match="cannot write the bookings file") as refused:
        save_bookings(diary, tmp_path / "no-such-folder" / "bookings.json")
    assert refused.value.source == str(tmp_path / "no-such-folder" / "bookings.json")


def test_the_lock_is_held_while_booking(tmp_path: Path) -> None:
    path = diary_folder(tmp_path)
    probe = textwrap.dedent(
        f"""
        import fcntl, os, sys
        handle = os.open({str(tmp_path / "bookings.json.lock")!r}, os.O_RDWR)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            sys.exit(3)
        """
    )
    with open_for_booking(path) as opened:
        assert opened.bookings == tmp_path / "bookings.json"
        held = subprocess.run([sys.executable, "-c", probe], check=False)
    free = subprocess.run([sys.executable, "-c", probe], check=False)
    assert (held.returncode, free.returncode) == (3, 0)


def test_load_diary_is_public() -> None:
    assert "load_diary" in meso.__all__
    from mesotherapy import _diary_file  # noqa: PLC0415

    assert meso.load_diary is _diary_file.load_diary
