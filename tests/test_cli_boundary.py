"""The command line at its boundary: exit statuses, machine formats, flags, escaped text."""

from __future__ import annotations

import datetime as dt
import json
from importlib.metadata import version
from pathlib import Path

import pytest

from mesotherapy._cli import main

EXAMPLES = Path(__file__).parent.parent / "docs" / "examples"
ESC = "\x1b"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_info:  # argparse's own exits: --version, --help, bad flags
        code = int(exit_info.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.fixture
def review_then_deferred(tmp_path: Path) -> str:
    """A client who needs a review and whose deferral lifts before the requested start."""
    client = {
        "birth_date": "1961-02-08",
        "medications": [{"code": "anticoagulant"}],
        "treatments": [{"kind": "botulinum_toxin", "area": "face", "on": "2026-11-10"}],
    }
    return write(tmp_path / "client.json", json.dumps(client))


def test_a_review_left_after_a_deferral_lifts_exits_1_naming_the_flag(
    capsys: pytest.CaptureFixture[str], review_then_deferred: str
) -> None:
    code, out, err = run(
        capsys, "plan", review_then_deferred, "--areas", "face", "--on", "2026-11-20",
        "--start", "2026-12-01T09:00",
    )  # fmt: skip
    assert code == 1
    assert out.startswith("Status: deferred")
    assert "--acknowledge-review" in err
    assert "acknowledge_review" not in err


def test_the_same_client_is_planned_once_the_review_is_acknowledged(
    capsys: pytest.CaptureFixture[str], review_then_deferred: str
) -> None:
    code, out, err = run(
        capsys, "plan", review_then_deferred, "--areas", "face", "--on", "2026-11-20",
        "--start", "2026-12-01T09:00", "--acknowledge-review",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert "1. Tue 2026-12-01 09:00" in out
    assert "Clinician review acknowledged" in out


@pytest.mark.parametrize(
    ("client", "status"),
    [
        ("pregnant.json", "ineligible"),
        ("isotretinoin.json", "deferred"),
        ("herpes-face.json", "deferred"),
        ("anticoagulant.json", "review"),
    ],
)
def test_json_stays_one_document_when_no_plan_is_made(
    capsys: pytest.CaptureFixture[str], client: str, status: str
) -> None:
    code, out, err = run(
        capsys, "plan", str(EXAMPLES / client), "--areas", "face",
        "--start", "2026-12-01T09:00", "--format", "json",
    )  # fmt: skip
    assert code == 1
    document = json.loads(out)  # the whole of stdout is one JSON document
    assert document["status"] == status
    assert set(document) == {"status", "earliest_start", "findings", "rules"}
    assert err.startswith("mesotherapy: not planned: ")


@pytest.mark.parametrize("form", ["ics", "fhir"])
@pytest.mark.parametrize("client", ["pregnant.json", "anticoagulant.json"])
def test_calendar_and_fhir_print_nothing_when_no_plan_is_made(
    capsys: pytest.CaptureFixture[str], client: str, form: str
) -> None:
    code, out, err = run(
        capsys, "plan", str(EXAMPLES / client), "--areas", "face",
        "--start", "2026-12-01T09:00", "--format", form,
    )  # fmt: skip
    assert (code, out) == (1, "")
    assert err.startswith("Status: ")  # the findings go where the reason goes
    assert "mesotherapy: not planned: " in err


def test_text_from_a_rule_file_reaches_the_terminal_escaped(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rules = write(
        tmp_path / "rules.toml",
        'extends = "default"\nname = "Clinic \\u001b[2J rules"\nversion = "1"\n'
        '[contraindications.client.pregnant]\nreason = "Pregnant \\u001b]0;owned\\u0007"\n',
    )
    for argv in (
        ["plan", str(EXAMPLES / "eligible.json"), "--areas", "face", "--start",
         "2026-12-01T09:00", "--rules", rules],
        ["plan", str(EXAMPLES / "pregnant.json"), "--areas", "face", "--start",
         "2026-12-01T09:00", "--rules", rules],
        ["assess", str(EXAMPLES / "pregnant.json"), "--areas", "face", "--on", "2026-12-01",
         "--rules", rules],
        ["rules", "check", rules],
    ):  # fmt: skip
        _, out, err = run(capsys, *argv)
        assert ESC not in out
        assert ESC not in err
        assert "\a" not in out + err
        assert "\\x1b" in out + err


def test_empty_holidays_are_refused_and_none_means_no_holidays(
    capsys: pytest.CaptureFixture[str],
) -> None:
    base = ["plan", str(EXAMPLES / "eligible.json"), "--areas", "face"]
    code, out, err = run(capsys, *base, "--start", "2026-12-25T09:00", "--holidays", "")
    assert (code, out) == (2, "")
    assert "--holidays: expected a code such as CA-ON, or none" in err
    code, out, _ = run(capsys, *base, "--start", "2026-12-25T09:00", "--holidays", "none")
    assert code == 0
    assert "1. Fri 2026-12-25 09:00" in out  # Christmas is a working day without holidays
    code, out, _ = run(capsys, *base, "--start", "2026-12-25T09:00")
    assert code == 0
    # Christmas, Boxing Day and Boxing Day observed (the 28th) are Ontario's holidays.
    assert "1. Tue 2026-12-29 09:00" in out


def test_version_answers(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--version")
    assert (code, out, err) == (0, f"mesotherapy {version('mesotherapy')}\n", "")


@pytest.mark.parametrize(
    ("argv", "flag", "python_name"),
    [
        (["--sessions", "9"], "--sessions:", "sessions:"),
        (["--interval-days", "40"], "--interval-days:", "interval_days"),
        (["--start", "2026-03-08T02:30"], "--start:", "local_time"),
        (["--areas", "face,elbow"], "--areas:", "areas:"),
        (["--on", "2026-13-01"], "--on:", " on:"),
        (["--tz", "localtime"], "--tz:", "timezone"),
        (["--holidays", "XX"], "--holidays:", " holidays:"),
    ],
)
def test_messages_name_flags_as_typed(
    capsys: pytest.CaptureFixture[str], argv: list[str], flag: str, python_name: str
) -> None:
    defaults = {"--areas": "face", "--start": "2026-12-01T09:00"}
    defaults.update(zip(argv[::2], argv[1::2], strict=True))
    args = [item for option, value in defaults.items() for item in (option, value)]
    code, out, err = run(capsys, "plan", str(EXAMPLES / "eligible.json"), *args)
    assert (code, out) == (2, "")
    assert f"mesotherapy: error: {flag}" in err
    assert python_name not in err.removeprefix(f"mesotherapy: error: {flag}")


def test_rules_check_prints_every_problem_one_a_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rules = write(
        tmp_path / "rules.toml",
        'extends = "default"\nname = "x"\nversion = "1"\n'
        "[protocols.face.sessions]\nmax = 2\n"
        "[protocols.neck.interval_days]\nmin = 0\n"
        '[aftercare.makeup]\nduration = "P1M"\n',
    )
    code, out, err = run(capsys, "rules", "check", rules)
    lines = err.strip().splitlines()
    assert (code, out) == (2, "")
    assert len(lines) == 3
    assert all(line.startswith(f"{rules}: ") for line in lines)
    assert "(and" not in err
    assert any("protocols.face.sessions.max" in line for line in lines)
    assert any("protocols.neck.interval_days.min" in line for line in lines)
    assert any("aftercare.makeup.duration" in line for line in lines)


def test_clinic_check_prints_every_problem_one_a_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    clinic = write(
        tmp_path / "clinic.toml",
        'name = "Lakeside"\ntimezone = "Mars/Olympus"\nslot_minutes = 0\ncolour = "red"\n'
        '[hours]\nmonday = [["10:00", "09:00"]]\nfunday = [["09:00", "10:00"]]\n',
    )
    code, out, err = run(capsys, "clinic", "check", clinic)
    lines = err.strip().splitlines()
    assert (code, out) == (2, "")
    assert len(lines) == 5
    assert all(line.startswith(f"{clinic}: ") for line in lines)
    for key in ("colour", "timezone", "slot_minutes", "hours.monday[0]", "hours.funday"):
        assert any(f": {key}" in line for line in lines), key


def test_clinic_check_accepts_the_example_clinic(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(EXAMPLES / "clinic.toml")
    code, out, err = run(capsys, "clinic", "check", path)
    assert (code, err) == (0, "")
    assert out.startswith(f"{path}: valid clinic ")


def test_clinic_check_of_a_missing_file_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "clinic", "check", "nope.toml")
    assert (code, out) == (2, "")
    assert err.strip() == "nope.toml: cannot read the file (No such file or directory)"


def test_the_stamp_of_a_calendar_is_the_time_of_the_export(
    capsys: pytest.CaptureFixture[str],
) -> None:
    pytest.importorskip("icalendar")
    base = ["plan", str(EXAMPLES / "eligible.json"), "--areas", "face",
            "--start", "2026-10-20T09:00", "--format", "ics"]  # fmt: skip
    code, out, _ = run(capsys, *base, "--stamp", "2026-12-01T09:00-05:00")
    stamps = {line for line in out.splitlines() if line.startswith("DTSTAMP:")}
    assert (code, stamps) == (0, {"DTSTAMP:20261201T140000Z"})
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    code, out, _ = run(capsys, *base)
    after = dt.datetime.now(dt.UTC)
    stamps = {line for line in out.splitlines() if line.startswith("DTSTAMP:")}
    assert code == 0
    assert len(stamps) == 1
    stamp = dt.datetime.strptime(stamps.pop(), "DTSTAMP:%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    assert before <= stamp <= after  # now, by default


@pytest.mark.parametrize("stamp", ["2026-12-01T09:00", "yesterday", ""])
def test_a_stamp_without_its_offset_is_refused(
    capsys: pytest.CaptureFixture[str], stamp: str
) -> None:
    code, out, err = run(
        capsys, "plan", str(EXAMPLES / "eligible.json"), "--areas", "face",
        "--start", "2026-10-20T09:00", "--format", "ics", "--stamp", stamp,
    )  # fmt: skip
    assert (code, out) == (2, "")
    assert err.startswith("mesotherapy: error: --stamp: expected a date and time with its offset")


def test_french_text_keeps_its_no_break_spaces(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "plan", str(EXAMPLES / "eligible.json"), "--areas", "face",
        "--start", "2026-10-20T09:00", "--locale", "fr_CA",
    )  # fmt: skip
    assert code == 0
    assert "\xa0" in out  # Babel's French dates and durations: shown as spaces
    assert "\\x" not in out  # and nothing escaped that was no control


@pytest.mark.parametrize("char", ["\x1b", "\x85", "\u2028", "\u2029", "\u202e", "\x00"])
def test_an_error_stays_on_one_line_whatever_a_file_name_holds(
    capsys: pytest.CaptureFixture[str], char: str
) -> None:
    code, out, err = run(capsys, "assess", f"missing{char}client.json", "--areas", "face")
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1
    assert char not in err


def test_a_client_file_with_a_byte_order_mark_is_read(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "client.json"
    path.write_bytes(b"\xef\xbb\xbf" + (EXAMPLES / "pregnant.json").read_bytes())
    code, out, _ = run(capsys, "assess", str(path), "--areas", "face", "--on", "2026-11-25")
    assert code == 1
    assert out.startswith("Status: ineligible")


@pytest.mark.parametrize("command", [["rules", "check"], ["clinic", "check"]])
def test_a_file_name_with_a_null_byte_is_refused(
    capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    code, out, err = run(capsys, *command, "rules\x00.toml")
    assert (code, out) == (2, "")
    assert "cannot read the file" in err
    assert "\x00" not in err
