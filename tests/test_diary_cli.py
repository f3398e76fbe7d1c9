"""The diary on the command line: ``book`` (with ``--save``) and ``diary show``."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest

import mesotherapy as meso
from mesotherapy import Booking, Diary
from mesotherapy._cli import main
from mesotherapy._diary_file import save_bookings
from tests.diary_files import diary_folder

ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "docs" / "examples"
ESC = "\x1b"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_info:  # argparse's own exits
        code = int(exit_info.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def _booked(diary: Diary, day: str, at: str, **fields: str) -> Booking:
    start = diary.clinic.at(day, at)
    values = {"plan": "p-1", "session": "p-1.1", "practitioner": "dr-h", "room": "room-1"}
    return Booking(start=start, end=start.add(minutes=45), **(values | fields))


@pytest.fixture
def booked_diary(tmp_path: Path) -> Path:
    """The basic diary with two sessions booked, one on each side of the autumn change."""
    path = diary_folder(tmp_path)
    diary = meso.load_diary(path)
    bookings = [
        _booked(diary, "2026-10-30", "09:00"),
        _booked(diary, "2026-11-02", "14:00", session="p-1.2", room="room-2"),
    ]
    save_bookings(attrs.evolve(diary, bookings=bookings), tmp_path / "bookings.json")
    return path


# --- diary show -----------------------------------------------------------------------


def test_the_day_sheet_shows_each_resource_in_local_time(
    capsys: pytest.CaptureFixture[str], booked_diary: Path
) -> None:
    code, out, err = run(capsys, "diary", "show", str(booked_diary), "--on", "2026-11-02")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "Mon 2026-11-02 at Test Clinic (America/Toronto): open 09:00-18:00",
        "  dr-h (Dr. H.), practitioner, works 09:00-13:00",
        "    14:00-14:45  booked  session p-1.2 in room-2",
        "  nurse-l (L., RN), practitioner, works 09:00-18:00",
        "    free all day",
        "  room-1 (Room 1), room",
        "    free all day",
        "  room-2 (Room 2), room",
        "    14:00-14:45  booked  session p-1.2 with dr-h",
    ]


def test_the_day_sheet_covers_several_days_closed_ones_too(
    capsys: pytest.CaptureFixture[str], booked_diary: Path
) -> None:
    code, out, _ = run(
        capsys, "diary", "show", str(booked_diary), "--on", "2026-10-30", "--days", "3"
    )
    assert code == 0
    days = [line for line in out.splitlines() if not line.startswith(" ")]
    assert days == [
        "Fri 2026-10-30 at Test Clinic (America/Toronto): open 09:00-18:00",
        "Sat 2026-10-31 at Test Clinic (America/Toronto): open 10:00-14:00",
        "Sun 2026-11-01 at Test Clinic (America/Toronto): closed (closed on sundays)",
    ]
    assert "    09:00-09:45  booked  session p-1.1 in room-1" in out.splitlines()


def test_the_day_sheet_as_json_is_one_document(
    capsys: pytest.CaptureFixture[str], booked_diary: Path
) -> None:
    code, out, _ = run(
        capsys, "diary", "show", str(booked_diary), "--on", "2026-10-30", "--days", "4",
        "--format", "json",
    )  # fmt: skip
    assert code == 0
    document = json.loads(out)
    assert [day["date"] for day in document["days"]] == [
        "2026-10-30", "2026-10-31", "2026-11-01", "2026-11-02",
    ]  # fmt: skip
    first = document["days"][0]
    assert (first["clinic"], first["timezone"], first["closed"]) == (
        "Test Clinic", "America/Toronto", None,
    )  # fmt: skip
    assert first["hours"] == [["09:00", "18:00"]]
    assert [r["id"] for r in first["resources"]] == ["dr-h", "nurse-l", "room-1", "room-2"]
    assert first["resources"][0]["entries"] == [
        {
            "kind": "booked",
            "start": "2026-10-30T09:00:00-04:00",
            "end": "2026-10-30T09:45:00-04:00",
            "plan": "p-1",
            "session": "p-1.1",
            "practitioner": "dr-h",
            "room": "room-1",
        }
    ]
    last = document["days"][3]["resources"][3]["entries"]
    assert [(e["start"], e["room"]) for e in last] == [("2026-11-02T14:00:00-05:00", "room-2")]
    assert document["days"][2]["closed"] == "closed on sundays"


def test_the_day_sheet_cuts_a_long_block_at_each_midnight(tmp_path: Path) -> None:
    from mesotherapy._day_sheet import day_sheet, sheet_text  # noqa: PLC0415

    diary = meso.load_diary(diary_folder(tmp_path))
    clinic = diary.clinic
    conference = meso.Busy(
        start=clinic.at("2026-10-30", "15:00"), end=clinic.at("2026-11-02", "00:00"),
        resource="nurse-l", label="conference",
    )  # fmt: skip
    sheets = day_sheet(attrs.evolve(diary, busy=[conference]), "2026-10-30", days=4)
    lanes = [sheet.lanes[1] for sheet in sheets]
    assert [len(lane.entries) for lane in lanes] == [1, 1, 1, 0]
    lines = [line for line in sheet_text(sheets).splitlines() if "conference" in line]
    assert lines == [
        "    15:00-24:00  busy    conference",
        "    00:00-24:00  busy    conference",
        "    00:00-24:00  busy    conference",  # 1 November, 25 hours long
    ]
    # The JSON keeps the block whole, with its offsets on each side of the change.
    assert (lanes[2].entries[0].start.isoformat(), lanes[2].entries[0].end.isoformat()) == (
        "2026-10-30T15:00:00-04:00", "2026-11-02T00:00:00-05:00",
    )  # fmt: skip


def test_the_day_sheet_shows_busy_time_from_a_calendar(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from mesotherapy import ical  # noqa: PLC0415

    if not hasattr(ical, "busy_from_ics"):
        pytest.skip("mesotherapy.ical.busy_from_ics has not landed yet")
    pytest.importorskip("recurring_ical_events")  # the ical extra
    calendar = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\n"
        "UID:admin@test\r\nDTSTAMP:20261001T000000Z\r\n"
        "DTSTART;TZID=America/Toronto:20261006T120000\r\n"
        "DTEND;TZID=America/Toronto:20261006T130000\r\n"
        "RRULE:FREQ=WEEKLY;COUNT=10\r\nSUMMARY:Lunch with a client\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    (tmp_path / "dr-h.ics").write_text(calendar, "utf-8", newline="")

    def change(data: dict[str, Any]) -> None:
        data["practitioners"][0]["busy"] = ["dr-h.ics"]

    path = diary_folder(tmp_path, change)
    code, out, _ = run(capsys, "diary", "show", str(path), "--on", "2026-10-20")
    assert code == 0
    assert "  dr-h (Dr. H.), practitioner, works 09:00-18:00\n    12:00-13:00  busy\n" in out
    assert "client" not in out  # the calendar's summaries are not kept


def test_names_from_the_diary_reach_the_terminal_escaped(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def change(data: dict[str, Any]) -> None:
        data["practitioners"][0]["name"] = f"Dr. {ESC}[2J H."

    path = diary_folder(tmp_path, change)
    code, out, _ = run(capsys, "diary", "show", str(path), "--on", "2026-10-20")
    assert code == 0
    assert ESC not in out
    assert "Dr. \\x1b[2J H." in out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--on", "20/10/2026"], "mesotherapy: error: --on: "),
        (["--on", "2026-10-20", "--days", "0"], "mesotherapy: error: --days: expected"),
        (["--on", "2026-10-20", "--days", "400"], "mesotherapy: error: --days: expected"),
        (["--on", "2026-10-20", "--days", "two"], "mesotherapy: error: argument --days"),
    ],
)
def test_diary_show_refuses_bad_flags_naming_them(
    capsys: pytest.CaptureFixture[str], booked_diary: Path, argv: list[str], needle: str
) -> None:
    code, out, err = run(capsys, "diary", "show", str(booked_diary), *argv, "--format", "json")
    assert (code, out) == (2, "")
    assert err.startswith(needle), err
    assert len(err.splitlines()) == 1


# --- bad input: exit 2, the file and key named, nothing written -----------------------


def _break(key: str, value: object) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["practitioners"][1][key] = value

    return change


BAD_INPUT: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("a missing calendar", _break("busy", ["gone.ics"]), "practitioners[1].busy[0]: cannot read"),
    ("an unknown area", _break("areas", ["elbow"]), "practitioners[1].areas[0]: unknown area"),
    (
        "hours outside the clinic's",
        _break("hours", {"friday": [["17:00", "19:00"]]}),
        "practitioners[1].hours.friday[0]: 17:00-19:00 lies outside",
    ),
    ("two resources with one id", _break("id", "room-2"), "rooms[1].id: 'room-2' is the id of"),
]


@pytest.mark.parametrize(
    ("change", "needle"), [c[1:] for c in BAD_INPUT], ids=[c[0] for c in BAD_INPUT]
)
@pytest.mark.parametrize("command", ["book", "diary show"])
def test_a_bad_diary_exits_2_naming_the_file_and_key_and_writes_nothing(
    capsys: pytest.CaptureFixture[str],
    booked_diary: Path,
    change: Callable[[dict[str, Any]], None],
    needle: str,
    command: str,
) -> None:
    bookings = booked_diary.parent / "bookings.json"
    before = bookings.read_bytes()
    path = diary_folder(booked_diary.parent, change)
    if command == "book":
        argv = [
            "book", str(EXAMPLES / "eligible.json"), "--diary", str(path), "--areas", "face",
            "--start", "2026-10-20T09:00", "--save", "--format", "json",
        ]  # fmt: skip
    else:
        argv = ["diary", "show", str(path), "--on", "2026-10-20", "--format", "json"]
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert err.startswith(f"mesotherapy: error: {path}: {needle}"), err
    assert bookings.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir() if p.name.startswith(".")) == []


def test_a_bad_bookings_file_exits_2_naming_it_and_the_entry(
    capsys: pytest.CaptureFixture[str], booked_diary: Path
) -> None:
    bookings = booked_diary.parent / "bookings.json"
    document = json.loads(bookings.read_text("utf-8"))
    document["bookings"][1]["room"] = "room-9"
    bookings.write_text(json.dumps(document), "utf-8")
    before = bookings.read_bytes()
    code, out, err = run(
        capsys, "book", str(EXAMPLES / "eligible.json"), "--diary", str(booked_diary),
        "--areas", "face", "--start", "2026-10-20T09:00", "--save",
    )  # fmt: skip
    assert (code, out) == (2, "")
    assert err.startswith(f"mesotherapy: error: {bookings}: bookings[1].room: 'room-9'"), err
    assert bookings.read_bytes() == before


def test_book_refuses_an_unknown_practitioner_naming_the_flag(
    capsys: pytest.CaptureFixture[str], booked_diary: Path
) -> None:
    bookings = booked_diary.parent / "bookings.json"
    before = bookings.read_bytes()
    code, out, err = run(
        capsys, "book", str(EXAMPLES / "eligible.json"), "--diary", str(booked_diary),
        "--areas", "face", "--start", "2026-10-20T09:00", "--practitioner", "dr-x", "--save",
    )  # fmt: skip
    assert (code, out) == (2, "")
    assert err == (
        "mesotherapy: error: --practitioner: 'dr-x' is no practitioner of the diary, "
        "expected one of dr-h, nurse-l\n"
    )
    assert bookings.read_bytes() == before


def test_book_refuses_a_start_that_is_no_local_time(
    capsys: pytest.CaptureFixture[str], booked_diary: Path
) -> None:
    code, _, err = run(
        capsys, "book", str(EXAMPLES / "eligible.json"), "--diary", str(booked_diary),
        "--areas", "face", "--start", "2026-03-08T02:30", "--save",
    )  # fmt: skip
    assert code == 2
    assert err.startswith("mesotherapy: error: --start: 2026-03-08 02:30 does not exist")


def _subprocess_env() -> dict[str, str]:
    paths = [str(ROOT / "src"), str(ROOT), *os.environ.get("PYTHONPATH", "").split(os.pathsep)]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, paths))}


def test_the_diary_commands_are_in_the_help() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mesotherapy", "--help"],
        capture_output=True, text=True, check=True, env=_subprocess_env(),
    )  # fmt: skip
    assert "book" in done.stdout
    assert "diary" in done.stdout


# --- book -----------------------------------------------------------------------------


def _client(folder: Path, n: int, **facts: object) -> str:
    path = folder / f"client-{n:03}.json"
    document = {"id": f"c-{n:03}", "birth_date": "1985-03-02", "concerns": ["dullness"]} | facts
    path.write_text(json.dumps(document), "utf-8")
    return str(path)


def _book(diary: Path, client: str, *more: str, start: str = "2026-10-20T09:00") -> list[str]:
    return [
        "book", client, "--diary", str(diary), "--areas", "face,neck", "--start", start, *more,
    ]  # fmt: skip


def _sweep(bookings: Path, buffer_minutes: int) -> list[str]:
    """Every pair of claims of one resource that meet, read from the file alone."""
    entries = json.loads(bookings.read_text("utf-8"))["bookings"]
    lanes: dict[str, list[tuple[dt.datetime, dt.datetime, str]]] = {}
    for entry in entries:
        start, end = (dt.datetime.fromisoformat(entry[k]) for k in ("start", "end"))
        assert start.utcoffset() is not None
        for resource in (entry["practitioner"], entry["room"]):
            lanes.setdefault(resource, []).append((start, end, entry["session"]))
    buffer = dt.timedelta(minutes=buffer_minutes)
    found = []
    for resource, claims in lanes.items():
        claims.sort()
        for (_, end, first), (start, _, second) in itertools.pairwise(claims):
            if start < end + buffer:
                found.append(f"{resource}: {first} meets {second}")
    return found


def test_book_shows_each_session_with_its_practitioner_and_room(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    diary = diary_folder(tmp_path)
    code, out, err = run(capsys, *_book(diary, _client(tmp_path, 1)))
    assert (code, err) == (0, "")
    booked = [line for line in out.splitlines() if " with dr-h in room-" in line]
    assert len(booked) == 4, out
    assert not (tmp_path / "bookings.json").exists()  # without --save, nothing is written


def test_book_json_is_the_plan_with_practitioner_and_room_on_every_session(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    diary = diary_folder(tmp_path)
    code, out, _ = run(capsys, *_book(diary, _client(tmp_path, 1), "--format", "json"))
    assert code == 0
    document = json.loads(out)
    assert document["schema"] == 3
    assert [(s["practitioner"], s["room"]) for s in document["sessions"]] == [
        ("dr-h", "room-1")
    ] * 4
    assert document["sessions"][0]["start"] == "2026-10-20T09:00:00-04:00"


def test_book_with_a_practitioner_asked_for(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    diary = diary_folder(tmp_path)
    argv = _book(diary, _client(tmp_path, 1), "--practitioner", "nurse-l", "--format", "json")
    code, out, _ = run(capsys, *argv)
    assert code == 0
    assert {s["practitioner"] for s in json.loads(out)["sessions"]} == {"nurse-l"}


def test_thirty_clients_booked_in_a_row_never_overlap(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    diary = diary_folder(tmp_path)
    bookings = tmp_path / "bookings.json"
    printed = []
    for n in range(30):
        code, out, err = run(
            capsys, *_book(diary, _client(tmp_path, n), "--save", "--format", "json")
        )
        assert (code, err) == (0, ""), err
        printed += json.loads(out)["sessions"]
    saved = json.loads(bookings.read_text("utf-8"))["bookings"]
    assert len(saved) == len(printed) == 30 * 4
    assert {(s["id"], s["start"], s["practitioner"], s["room"]) for s in printed} == {
        (b["session"], b["start"], b["practitioner"], b["room"]) for b in saved
    }
    assert _sweep(bookings, buffer_minutes=10) == []


REFUSED: dict[str, tuple[dict[str, object], list[str], str]] = {
    "not a candidate": (
        {"pregnant": True},
        [],
        "mesotherapy: not booked: the client is not a candidate",
    ),
    "no series fits": (
        {},
        ["--areas", "scalp", "--practitioner", "nurse-l"],
        "mesotherapy: not booked: no series fits the diary: ",
    ),
}


@pytest.mark.parametrize("case", REFUSED)
@pytest.mark.parametrize("form", ["text", "json", "ics"])
def test_a_refused_booking_exits_1_and_leaves_the_file_unchanged(
    capsys: pytest.CaptureFixture[str], booked_diary: Path, case: str, form: str
) -> None:
    client, more, reason = REFUSED[case]
    bookings = booked_diary.parent / "bookings.json"
    before = bookings.read_bytes()
    argv = [*_book(booked_diary, _client(booked_diary.parent, 7, **client)), *more]
    code, out, err = run(capsys, *argv, "--save", "--format", form)
    assert code == 1
    assert reason in err, err
    assert bookings.read_bytes() == before
    if form == "json":
        assert set(json.loads(out)) == {"status", "earliest_start", "findings", "rules"}
    if form == "ics":
        assert out == ""


def _child(code: str, *argv: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *argv],
        env=_subprocess_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def test_a_run_killed_before_the_rename_leaves_the_file_as_it_was(booked_diary: Path) -> None:
    bookings = booked_diary.parent / "bookings.json"
    before = bookings.read_bytes()
    # The child writes the new bookings to the temporary file, then dies where it renames.
    code = (
        "import os, signal, sys\n"
        "os.replace = lambda *_: os.kill(os.getpid(), signal.SIGKILL)\n"
        "from mesotherapy._cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    child = _child(code, *_book(booked_diary, _client(booked_diary.parent, 1), "--save"))
    _, err = child.communicate(timeout=120)
    assert child.returncode == -9, err
    assert bookings.read_bytes() == before
    assert [p.name for p in booked_diary.parent.glob(".bookings.json.*")]  # the orphan
    assert len(meso.load_diary(booked_diary).bookings) == 2


def test_two_runs_at_once_never_share_a_slot(tmp_path: Path) -> None:
    diary = diary_folder(tmp_path)
    # Each run waits a moment between planning and writing: without the lock, both would
    # read the empty diary and book its first slot. The command loads the writer when it
    # runs: it is replaced in its own module.
    code = (
        "import sys, time\n"
        "import mesotherapy._cli as cli, mesotherapy._bookings_file as book\n"
        "save = book.save_bookings\n"
        "def slow(*args):\n"
        "    time.sleep(0.5)\n"
        "    save(*args)\n"
        "book.save_bookings = slow\n"
        "sys.exit(cli.main(sys.argv[1:]))\n"
    )
    children = [
        _child(code, *_book(diary, _client(tmp_path, n), "--save", "--format", "json"))
        for n in (1, 2)
    ]
    outputs = [child.communicate(timeout=120) for child in children]
    assert [child.returncode for child in children] == [0, 0], outputs
    sessions = [s for out, _ in outputs for s in json.loads(out)["sessions"]]
    assert len(sessions) == 8
    assert _sweep(tmp_path / "bookings.json", buffer_minutes=10) == []
    claims = [(s["start"], s["practitioner"]) for s in sessions]
    claims += [(s["start"], s["room"]) for s in sessions]
    assert len(set(claims)) == len(claims)
    assert len(json.loads((tmp_path / "bookings.json").read_text("utf-8"))["bookings"]) == 8


def test_the_readme_books_into_the_example_diary() -> None:
    pytest.importorskip("recurring_ical_events")  # the example's calendars need the ical extra
    readme = (ROOT / "README.md").read_text("utf-8")
    commands = [
        line.split()
        for line in readme.splitlines()
        if line.startswith(("python3 -m mesotherapy book", "python3 -m mesotherapy diary"))
    ]
    assert len(commands) == 2
    for command in commands:
        done = subprocess.run(
            [sys.executable, *command[1:]],
            cwd=ROOT, capture_output=True, text=True, check=False, env=_subprocess_env(),
        )  # fmt: skip
        assert (done.returncode, done.stderr) == (0, ""), command
    assert not (EXAMPLES / "diary" / "bookings.json").exists()  # the README writes nothing


def test_book_exports_name_the_practitioner_and_room_as_the_diary_does(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pytest.importorskip("icalendar")
    diary = diary_folder(tmp_path)
    argv = _book(diary, _client(tmp_path, 1), "--format", "ics", "--stamp", "2026-10-01T00:00Z")
    code, out, _ = run(capsys, *argv)
    assert code == 0
    lines = out.replace("\r\n ", "").split("\r\n")
    assert lines.count("LOCATION:Room 1\\, Test Clinic") == 4  # the maintenance's has no room
    assert sum(line.startswith('ATTENDEE;CN="Dr. H."') for line in lines) == 4


def test_book_fhir_holds_the_practitioner_and_the_room(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pytest.importorskip("fhir.resources")
    diary = diary_folder(tmp_path)
    code, out, _ = run(capsys, *_book(diary, _client(tmp_path, 1), "--format", "fhir"))
    assert code == 0
    resources = [entry["resource"] for entry in json.loads(out)["entry"]]
    kinds = [r["resourceType"] for r in resources]
    assert kinds.count("Appointment") == 4
    assert "Practitioner" in kinds
    assert "Location" in kinds
