"""``mesotherapy recalls``: the maintenance worklist from plan files, as text and as JSON.

The JSON is validated against the JSON Schema that docs/json.md gives for it ("A recall
worklist"), read from the page itself, so that the page and the command cannot drift apart.
"""

from __future__ import annotations

import importlib
import json
import os
import re
from pathlib import Path
from typing import Any, Final

import pytest

import mesotherapy as meso
from mesotherapy import TreatmentPlan
from mesotherapy._cli import main
from tests.builders import toronto

# As in test_schemas.py: CI always has jsonschema (the tests group) and never skips this.
if os.environ.get("CI"):
    jsonschema: Any = importlib.import_module("jsonschema")
else:
    jsonschema = pytest.importorskip("jsonschema")

DOCS: Final = Path(__file__).parent.parent / "docs"
CLINIC: Final = meso.example_clinic()


def _documented_schema() -> dict[str, Any]:
    page = (DOCS / "json.md").read_text("utf-8")
    section = page[page.index("## A recall worklist") :]
    section = section[: section.index("\n## ", 1)]
    block = re.search(r"```json\n(.*?)```", section, re.DOTALL)
    assert block is not None, "docs/json.md: the recall worklist's schema is missing"
    schema: dict[str, Any] = json.loads(block[1])
    return schema


SCHEMA: Final = _documented_schema()


def _date_time(value: object) -> bool:
    import datetime as dt  # noqa: PLC0415 - only for the format checker

    return not isinstance(value, str) or dt.datetime.fromisoformat(value).utcoffset() is not None


def _date(value: object) -> bool:
    import datetime as dt  # noqa: PLC0415 - only for the format checker

    return not isinstance(value, str) or bool(dt.date.fromisoformat(value))


def _checker() -> Any:
    checker = jsonschema.FormatChecker(formats=())
    checker.checks("date-time", raises=ValueError)(_date_time)
    checker.checks("date", raises=ValueError)(_date)
    return checker


VALIDATOR: Final = jsonschema.Draft202012Validator(SCHEMA, format_checker=_checker())


def completed(plan_id: str, client_id: str | None, first: str) -> TreatmentPlan:
    """Four face sessions three weeks apart from *first* at 09:00, all completed."""
    start = CLINIC.at(first, "09:00")
    result = meso.assess(meso.Client(id=client_id, birth_date="1985-03-02"), ["face"], on=first)
    plan = meso.plan_series(result, ["face"], start=start, clinic=CLINIC, plan_id=plan_id)
    for session in plan.sessions:
        plan = plan.complete(session.index)
    return plan


@pytest.fixture
def plans(tmp_path: Path) -> list[str]:
    """Plan files: overdue, due, due soon and not yet due on 2027-03-01, and one still running."""
    made = [
        completed("p-101", "c-101", "2026-03-31"),  # window 2026-09-02 to 2026-12-02
        completed("p-102", "c-102", "2026-09-01"),  # window 2027-02-03 to 2027-05-03
        completed("p-103", None, "2026-10-20"),  # window 2027-03-22 to 2027-06-22
        completed("p-104", "c-104", "2027-01-05"),  # window 2027-06-09 to 2027-09-09
    ]
    running = meso.plan_series(
        made[0].assessment, ["face"], start=toronto(2026, 11, 3, 9), clinic=CLINIC, plan_id="p-105"
    ).complete(1)
    paths = []
    for plan in [*reversed(made), running]:
        path = tmp_path / f"{plan.id}.json"
        path.write_text(meso.to_json(plan), "utf-8")
        paths.append(str(path))
    return paths


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(["recalls", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_the_text_is_one_line_a_recall_most_urgent_first(
    capsys: pytest.CaptureFixture[str], plans: list[str]
) -> None:
    status, out, err = run(capsys, *plans, "--on", "2027-03-01")
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        (
            "overdue   89 days overdue       p-101  face  window 2026-09-02 to 2026-12-02, "
            "last session 2026-06-02, client c-101"
        ),
        (
            "due       due until 2027-05-03  p-102  face  window 2027-02-03 to 2027-05-03, "
            "last session 2026-11-03, client c-102"
        ),
        (
            "due soon  due in 21 days        p-103  face  window 2027-03-22 to 2027-06-22, "
            "last session 2026-12-22"
        ),
    ]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ((), ["p-101", "p-102", "p-103"]),
        (("--within-days", "0"), ["p-101", "p-102"]),
        (("--within-days", "20"), ["p-101", "p-102"]),
        (("--within-days", "21"), ["p-101", "p-102", "p-103"]),
        (("--within-days", "99"), ["p-101", "p-102", "p-103"]),
        (("--within-days", "100"), ["p-101", "p-102", "p-103", "p-104"]),
        (("--within-days", "0100"), ["p-101", "p-102", "p-103", "p-104"]),
    ],
)
def test_within_days_sets_how_far_ahead_the_list_looks(
    capsys: pytest.CaptureFixture[str],
    plans: list[str],
    options: tuple[str, ...],
    expected: list[str],
) -> None:
    status, out, _ = run(capsys, *plans, "--on", "2027-03-01", "--format", "json", *options)
    assert status == 0
    assert [r["plan_id"] for r in json.loads(out)["recalls"]] == expected


def test_the_json_is_one_document_of_the_documented_shape(
    capsys: pytest.CaptureFixture[str], plans: list[str]
) -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    status, out, err = run(capsys, *plans, "--on", "2027-03-01", "--format", "json")
    assert (status, err) == (0, "")
    document = json.loads(out)
    assert not [e.message for e in VALIDATOR.iter_errors(document)]
    assert (document["on"], document["within_days"]) == ("2027-03-01", 30)
    assert document["recalls"][0] == {
        "plan_id": "p-101",
        "client_id": "c-101",
        "status": "overdue",
        "areas": ["face"],
        "opens": "2026-09-02",
        "closes": "2026-12-02",
        "last_session": "p-101.4",
        "last_session_end": "2026-06-02T09:45:00-04:00",
        "practitioner": None,
        "days_overdue": 89,
        "days_until_due": 0,
    }
    assert [(r["status"], r["client_id"], r["days_until_due"]) for r in document["recalls"]] == [
        ("overdue", "c-101", 0),
        ("due", "c-102", 0),
        ("due_soon", None, 21),
    ]


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (lambda d: d.update(on="2027-3-1"), "on"),
        (lambda d: d["recalls"][0].update(status="soon"), "status"),
        (lambda d: d["recalls"][0].update(last_session_end="2026-06-02T09:45:00"), "instant"),
        (lambda d: d["recalls"][0].update(opens="2026-02-30"), "opens"),
        (lambda d: d["recalls"][0].update(days_overdue=-1), "days_overdue"),
        (lambda d: d["recalls"][0].pop("practitioner"), "practitioner"),
        (lambda d: d["recalls"][0].update(name="Ada"), "an unknown key"),
        (lambda d: d["recalls"][0].update(areas=[]), "no area"),
    ],
)
def test_the_documented_schema_refuses_what_the_command_never_prints(
    capsys: pytest.CaptureFixture[str], plans: list[str], edit: Any, where: str
) -> None:
    _, out, _ = run(capsys, *plans, "--on", "2027-03-01", "--format", "json")
    document = json.loads(out)
    edit(document)
    assert list(VALIDATOR.iter_errors(document)), where


def test_an_empty_worklist_is_no_error(
    capsys: pytest.CaptureFixture[str], plans: list[str]
) -> None:
    assert run(capsys, *plans[-1:], "--on", "2027-03-01") == (
        0,
        "No maintenance due on 2027-03-01 or within 30 days.\n",
        "",
    )
    status, out, err = run(capsys, *plans[-1:], "--on", "2027-03-01", "--format", "json")
    assert (status, json.loads(out), err) == (
        0,
        {"on": "2027-03-01", "within_days": 30, "recalls": []},
        "",
    )


def _bad_files(tmp_path: Path, plans: list[str]) -> dict[str, str]:
    client = DOCS / "examples" / "eligible.json"
    edited = json.loads(Path(plans[0]).read_text("utf-8"))
    edited["sessions"][1]["start"] = edited["sessions"][0]["start"]
    files = {
        "missing": tmp_path / "missing.json",
        "not json": tmp_path / "notes.json",
        "not utf-8": tmp_path / "latin.json",
        "a client": client,
        "edited": tmp_path / "edited.json",
        "a list": tmp_path / "list.json",
    }
    files["not json"].write_text("{plan", "utf-8")
    files["not utf-8"].write_bytes(b'{"id": "caf\xe9"}')
    files["edited"].write_text(json.dumps(edited), "utf-8")
    files["a list"].write_text("[]", "utf-8")
    return {name: str(path) for name, path in files.items()}


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("missing", "cannot read the file (No such file or directory)"),
        ("not json", "the document: not valid JSON (Expecting property name"),
        ("not utf-8", "cannot read the file ('utf-8' codec can't decode byte 0xe9"),
        ("a client", "schema: expected a version from 1 to 3, got None"),
        ("edited", "sessions[1].end: expected 45 minutes after its start (invariant 1"),
        ("a list", "the document: expected an object, got a list"),
    ],
)
def test_a_file_that_is_no_plan_is_refused_naming_the_file(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    plans: list[str],
    case: str,
    message: str,
) -> None:
    bad = _bad_files(tmp_path, plans)[case]
    for form in ("text", "json"):
        status, out, err = run(capsys, plans[0], bad, "--on", "2027-03-01", "--format", form)
        assert (status, out) == (2, "")
        assert err.startswith(f"mesotherapy: error: {bad}: {message}"), err
        assert err.count("\n") == 1
        assert "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ("--on", "2027-03-01T09:00"),
            "--on: expected a date as YYYY-MM-DD, got '2027-03-01T09:00'",
        ),
        (("--on", "tomorrow"), "--on: expected a date as YYYY-MM-DD, got 'tomorrow'"),
        (
            ("--on", "2027-03-01", "--within-days", "-1"),
            "--within-days: expected a whole number of days from 0, got '-1'",
        ),
        (
            ("--on", "2027-03-01", "--within-days", "1.5"),
            "--within-days: expected a whole number of days from 0, got '1.5'",
        ),
        (
            ("--on", "2027-03-01", "--within-days", "\u0663"),  # an Arabic-Indic three
            "--within-days: expected a whole number of days from 0, got '\u0663'",
        ),
    ],
)
def test_bad_options_are_refused_naming_the_flag(
    capsys: pytest.CaptureFixture[str], plans: list[str], argv: tuple[str, ...], message: str
) -> None:
    assert run(capsys, plans[0], *argv) == (2, "", f"mesotherapy: error: {message}\n")


def test_the_same_plan_twice_is_refused_naming_both_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, plans: list[str]
) -> None:
    copy = tmp_path / "copy.json"
    copy.write_bytes(Path(plans[0]).read_bytes())
    status, out, err = run(capsys, plans[0], str(copy), "--on", "2027-03-01")
    assert (status, out) == (2, "")
    assert err == (
        f"mesotherapy: error: {copy}: plan 'p-104' is also in {plans[0]}, expected each plan once\n"
    )


def test_the_command_needs_a_plan_and_a_date(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["recalls", "--on", "2027-03-01"])
    assert raised.value.code == 2
    assert "PLAN.json" in capsys.readouterr().err
    with pytest.raises(SystemExit) as raised:
        main(["recalls", "plan.json"])
    assert raised.value.code == 2
    assert "--on" in capsys.readouterr().err


def test_a_plan_file_with_a_byte_order_mark_is_read(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, plans: list[str]
) -> None:
    marked = tmp_path / "marked.json"
    marked.write_bytes(b"\xef\xbb\xbf" + Path(plans[2]).read_bytes())  # p-102
    status, out, _ = run(capsys, str(marked), "--on", "2027-03-01")
    assert status == 0
    assert out.startswith("due       due until 2027-05-03  p-102")


def test_text_from_the_files_is_printed_escaped(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    plan = completed("p-9", "c\u202e-9", "2026-09-01")  # a bidirectional override
    path = tmp_path / "p-9.json"
    path.write_text(meso.to_json(plan), "utf-8")
    status, out, _ = run(capsys, str(path), "--on", "2027-03-01")
    assert status == 0
    assert "\u202e" not in out
    assert out.rstrip("\n").endswith("client c\\u202e-9")
