"""The command line: its outputs, its JSON and its exit statuses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mesotherapy._cli import main

EXAMPLES = Path(__file__).parent.parent / "docs" / "examples"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("client", "status", "exit_code"),
    [
        ("eligible.json", "eligible", 0),
        ("pregnant.json", "ineligible", 1),
        ("isotretinoin.json", "deferred", 1),
        ("herpes-face.json", "deferred", 1),
        ("anticoagulant.json", "review", 0),
    ],
)
def test_assess_answers_the_example_clients(
    capsys: pytest.CaptureFixture[str], client: str, status: str, exit_code: int
) -> None:
    code, out, err = run(
        capsys,
        "assess",
        str(EXAMPLES / client),
        "--areas",
        "face,neck",
        "--on",
        "2026-11-25",
        "--format",
        "json",
    )
    document = json.loads(out)
    assert (code, document["status"], err) == (exit_code, status, "")
    assert set(document) == {"status", "earliest_start", "findings", "rules"}
    assert document["rules"] == {"name": "mesotherapy-default", "version": "2026.1"}
    for finding in document["findings"]:
        assert set(finding) == {"code", "severity", "area", "reason", "source", "until"}


def test_isotretinoin_json_carries_the_lift_date(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(
        capsys,
        "assess",
        str(EXAMPLES / "isotretinoin.json"),
        "--areas",
        "face",
        "--on",
        "2026-11-25",
        "--format",
        "json",
    )
    document = json.loads(out)
    assert document["earliest_start"] == "2027-03-01"
    assert [f["until"] for f in document["findings"] if f["code"] == "isotretinoin"] == [
        "2027-03-01"
    ]


def test_assess_text_names_each_finding(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "assess",
        str(EXAMPLES / "herpes-face.json"),
        "--areas",
        "face,neck",
        "--on",
        "2026-11-25",
    )
    assert code == 1
    assert out.startswith("Status: deferred")
    assert "active_herpes" in out
    assert "[face]" in out


def test_assess_with_the_clinic_rules(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "assess",
        str(EXAMPLES / "eligible.json"),
        "--areas",
        "face",
        "--on",
        "2026-11-25",
        "--rules",
        str(EXAMPLES / "clinic-rules.toml"),
    )
    assert code == 0
    assert "Example Clinic rules 2026.11-1" in out


def test_assess_defaults_on_to_today(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "assess", str(EXAMPLES / "eligible.json"), "--areas", "face")
    assert code == 0
    assert "assessed 20" in out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["assess", "missing.json", "--areas", "face"], "missing.json: cannot read the file"),
        (["assess", "{eligible}", "--areas", "elbow"], "unknown area 'elbow'"),
        (["assess", "{eligible}", "--areas", ","], "areas: expected at least one area"),
        (["assess", "{eligible}", "--areas", "face", "--on", "25/11/2026"], "on: expected a date"),
        (["assess", "{eligible}", "--areas", "face", "--tz", "Mars/Olympus"], "--tz: unknown"),
        (["assess", "{eligible}", "--areas", "face", "--rules", "nope.toml"], "nope.toml"),
        (["assess", "{bad_json}", "--areas", "face"], "not valid JSON"),
        (["assess", "{bad_client}", "--areas", "face"], "birth_date"),
        (["assess", "{future}", "--areas", "face", "--on", "2026-11-25"], "birth_date"),
        (["rules", "check", "{bad_rules}"], "protocols.face.sessions.max"),
        (["rules", "check", "nope.toml"], "cannot read the file"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], needle: str
) -> None:
    files = {
        "eligible": str(EXAMPLES / "eligible.json"),
        "bad_json": _write(tmp_path / "bad.json", "{not json"),
        "bad_client": _write(tmp_path / "client.json", '{"birth_date": 1985}'),
        "future": _write(tmp_path / "future.json", '{"birth_date": "2030-01-01"}'),
        "bad_rules": _write(
            tmp_path / "rules.toml",
            'extends = "default"\nname = "x"\nversion = "1"\n[protocols.face.sessions]\nmax = 2\n',
        ),
    }
    argv = [arg.format(**files) for arg in argv]
    if argv[0] == "frobnicate":
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        code = exit_info.value.code
        err = capsys.readouterr().err
    else:
        code, _, err = run(capsys, *argv)
    assert code == 2
    assert needle in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_rules_show_prints_the_rules_that_check_accepts(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "rules", "show")
    assert code == 0
    assert 'name = "mesotherapy-default"' in out
    path = Path(_write(tmp_path / "rules.toml", out))
    code, out, _ = run(capsys, "rules", "check", str(path))
    assert (code, out.strip()) == (
        0,
        f"{path}: valid rule set 'mesotherapy-default' version '2026.1'",
    )


def test_rules_show_with_a_clinic_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules", "show", "--rules", str(EXAMPLES / "clinic-rules.toml"))
    assert code == 0
    assert 'name = "Example Clinic rules"' in out
    assert 'duration = "PT48H"' in out


def test_demo_runs_on_the_shipped_rules(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo")
    assert code == 0
    assert "Status: eligible" in out
    assert "4 sessions, 21 days apart (allowed 14-28)" in out
    assert "1. Tue 2026-10-20 09:00-09:45 -04:00  planned" in out
    assert "2. Tue 2026-11-10 09:00-09:45 -05:00  planned" in out


def test_python_dash_m_runs_the_same() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mesotherapy",
            "assess",
            str(EXAMPLES / "pregnant.json"),
            "--areas",
            "face",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "ineligible" in result.stdout


def _write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_plan_prints_a_plan_at_the_example_clinic(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "plan", str(EXAMPLES / "eligible.json"), "--areas", "face,neck",
        "--start", "2026-10-20T09:00",
    )  # fmt: skip
    assert code == 0
    assert "Status: eligible" in out
    assert "4. Tue 2026-12-22 09:00-09:45 -05:00  planned" in out
    assert "Maintenance due from 2027-03-22 to 2027-06-22" in out


def test_plan_json_follows_the_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "plan", str(EXAMPLES / "eligible.json"), "--areas", "face",
        "--start", "2026-10-20T09:00", "--sessions", "3", "--interval-days", "14",
        "--format", "json",
    )  # fmt: skip
    document = json.loads(out)
    assert code == 0
    assert document["schema"] == 3
    assert document["timezone"] == "America/Toronto"
    assert document["assessment"]["status"] == "eligible"
    assert [s["start"] for s in document["sessions"]] == [
        "2026-10-20T09:00:00-04:00",
        "2026-11-03T09:00:00-05:00",
        "2026-11-17T09:00:00-05:00",
    ]
    first = [w for w in document["aftercare"] if w["session"] == 1 and w["activity"] == "makeup"]
    assert first == [
        {
            "session": 1,
            "activity": "makeup",
            "kind": "avoid",
            "phase": "after",
            "description": "Avoid makeup",
            "from": "2026-10-20T09:45:00-04:00",
            "until": "2026-10-21T09:45:00-04:00",
            "source": "article",
        }
    ]
    assert [m["code"] for m in document["timeline"]][:5] == [
        "refreshed",
        "smoother",
        "series_complete",
        "lasting",
        "maintenance_due",
    ]


def test_plan_with_a_clinic_file_and_zone(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "plan", str(EXAMPLES / "eligible.json"), "--areas", "face",
        "--start", "2026-10-20T09:00", "--clinic", str(EXAMPLES / "clinic.toml"),
        "--tz", "America/Vancouver", "--holidays", "CA-BC", "--format", "json",
    )  # fmt: skip
    document = json.loads(out)
    assert code == 0
    assert document["timezone"] == "America/Vancouver"
    assert document["sessions"][0]["start"] == "2026-10-20T09:00:00-07:00"


@pytest.mark.parametrize(
    ("client", "extra", "needle"),
    [
        ("pregnant.json", [], "not a candidate"),
        ("isotretinoin.json", [], "deferred until 2027-03-01"),
        ("herpes-face.json", [], "clinician confirms healing"),
        ("anticoagulant.json", [], "--acknowledge-review"),
    ],
)
def test_plan_refuses_non_candidates_with_exit_1(
    capsys: pytest.CaptureFixture[str], client: str, extra: list[str], needle: str
) -> None:
    code, out, err = run(
        capsys, "plan", str(EXAMPLES / client), "--areas", "face",
        "--start", "2026-12-01T09:00", *extra,
    )  # fmt: skip
    assert code == 1
    assert out.startswith("Status:")
    assert needle in err


def test_plan_after_review(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "plan", str(EXAMPLES / "anticoagulant.json"), "--areas", "hands",
        "--start", "2026-12-01T09:00", "--acknowledge-review",
    )  # fmt: skip
    assert code == 0
    assert "Clinician review acknowledged" in out


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--start", "2026-03-08T02:30"], "does not exist"),
        (["--start", "2026-11-01T01:30"], "happens twice"),
        (["--start", "2026-10-20"], "--start: expected a local date and time"),
        (["--start", "2026-02-30T09:00"], "--start"),
        (["--start", "2026-10-20T09:00", "--tz", "Mars/Olympus"], "Mars/Olympus"),
        (["--start", "2026-10-20T09:00", "--sessions", "9"], "--sessions: expected 3 to 6"),
        (["--start", "2026-10-20T09:00", "--interval-days", "0"], "--interval-days: expected"),
        (["--start", "2026-10-20T09:00", "--interval-days", "-3"], "--interval-days: expected"),
        (["--start", "2026-10-20T09:00", "--holidays", "XX"], "holidays"),
        (["--start", "2026-10-20T09:00", "--clinic", "nope.toml"], "nope.toml"),
    ],
)
def test_plan_bad_requests_exit_2(
    capsys: pytest.CaptureFixture[str], extra: list[str], needle: str
) -> None:
    code, _, err = run(capsys, "plan", str(EXAMPLES / "eligible.json"), "--areas", "face", *extra)
    assert code == 2
    assert needle in err
    assert len(err.strip().splitlines()) == 1


def test_plan_as_fhir_reads_back(capsys: pytest.CaptureFixture[str]) -> None:
    bundle_module = pytest.importorskip("fhir.resources.bundle")

    code, out, _ = run(
        capsys, "plan", str(EXAMPLES / "eligible.json"), "--areas", "face,neck",
        "--start", "2026-10-20T09:00", "--format", "fhir",
    )  # fmt: skip
    assert code == 0
    bundle = bundle_module.Bundle.model_validate(json.loads(out))
    kinds = [entry.resource.get_resource_type() for entry in bundle.entry or []]
    assert kinds.count("Appointment") == 4
    assert kinds.count("CarePlan") == 1


def test_plan_as_ics_reads_back(capsys: pytest.CaptureFixture[str]) -> None:
    icalendar = pytest.importorskip("icalendar")
    code, out, _ = run(
        capsys, "plan", str(EXAMPLES / "eligible.json"), "--areas", "face,neck",
        "--start", "2026-10-20T09:00", "--format", "ics",
    )  # fmt: skip
    assert code == 0
    calendar = icalendar.Calendar.from_ical(out)
    starts = [
        event.decoded("DTSTART")
        for event in calendar.walk("VEVENT")
        if event.get("STATUS") != "TENTATIVE"
    ]
    assert [s.isoformat() for s in starts] == [
        "2026-10-20T09:00:00-04:00",
        "2026-11-10T09:00:00-05:00",
        "2026-12-01T09:00:00-05:00",
        "2026-12-22T09:00:00-05:00",
    ]
    assert calendar.walk("VTIMEZONE")


def test_a_reader_that_closes_the_pipe_ends_the_command_quietly() -> None:
    # `mesotherapy demo | head -1`: the reader is gone before the command writes.
    process = subprocess.Popen(
        [sys.executable, "-m", "mesotherapy", "demo"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    process.stdout.close()
    status = process.wait(timeout=60)
    err = process.stderr.read().decode()
    process.stderr.close()
    assert "Traceback" not in err
    assert err == ""
    assert status == 141
