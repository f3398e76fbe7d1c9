"""Write generated documents and the shipped JSON Schemas for another language to check.

    python -m tests.clients.make_documents OUT [--examples N]

writes, from the installed ``mesotherapy``:

- ``OUT/schemas/{client,assessment,plan}.schema.json``: the schemas as `json_schema` gives them;
- ``OUT/valid/{client,assessment,plan}/*.json``: generated documents, each of which must
  validate: clients, assessments in both forms (the command line's and ``to_json``'s), plans
  in every state (the test suite's strategies, derandomised, so a run is reproducible), and
  the command line's own ``plan --format json`` and ``assess --format json``;
- ``OUT/invalid/{name}/*.json``: documents that break the contract (an instant without its
  offset, an impossible date, an unknown status, an extra key...), each of which must not.

``tests/clients/check_schemas.mjs`` then validates them with ajv.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import io
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings

import mesotherapy as meso
from mesotherapy._cli import main as cli
from mesotherapy._schema import SCHEMA_NAMES
from tests.builders import example_plan
from tests.plan_strategies import plans_in_any_state
from tests.strategies import clients, scenarios

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


class _Writer:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.counts: dict[str, int] = {}

    def write(self, kind: str, name: str, document: Any, label: str | None = None) -> None:
        folder = self.out / kind / name
        folder.mkdir(parents=True, exist_ok=True)
        number = self.counts.get(f"{kind}/{name}", 0)
        self.counts[f"{kind}/{name}"] = number + 1
        stem = label or f"{number:04d}"
        (folder / f"{stem}.json").write_text(
            json.dumps(document, ensure_ascii=False, indent=1), "utf-8"
        )


def _generated(writer: _Writer, examples: int) -> None:
    common = settings(
        max_examples=examples,
        database=None,
        derandomize=True,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    rules = meso.default_rules()

    @common
    @given(clients(rules))
    def write_client(client: meso.Client) -> None:
        writer.write("valid", "client", json.loads(meso.to_json(client)))

    @common
    @given(scenarios())
    def write_assessment(scenario: Any) -> None:
        result = meso.assess(scenario.client, scenario.areas, on=scenario.on, rules=scenario.rules)
        writer.write("valid", "assessment", json.loads(json.dumps(meso.to_dict(result))))
        writer.write("valid", "assessment", json.loads(meso.to_json(result)))

    @common
    @given(plans_in_any_state())
    def write_plan(plan: meso.TreatmentPlan) -> None:
        writer.write("valid", "plan", json.loads(meso.to_json(plan)))
        writer.write("valid", "plan", json.loads(json.dumps(meso.to_dict(plan))))

    write_client()
    write_assessment()
    write_plan()


def _printed(argv: list[str]) -> Any:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        cli(argv)
    return json.loads(out.getvalue())


def _command_line(writer: _Writer) -> None:
    for path in sorted(EXAMPLES.glob("*.json")):
        writer.write("valid", "client", json.loads(path.read_text("utf-8")), f"file-{path.stem}")
        for areas in ("face", "face,neck"):
            argv = ["assess", str(path), "--areas", areas, "--on", "2026-11-25", "--format", "json"]
            writer.write("valid", "assessment", _printed(argv), f"cli-assess-{path.stem}-{areas}")
            argv = ["plan", str(path), "--areas", areas, "--start", "2026-11-25T10:00"]
            document = _printed([*argv, "--acknowledge-review", "--format", "json"])
            # A plan that cannot be made prints the assessment's document instead.
            name = "plan" if "sessions" in document else "assessment"
            writer.write("valid", name, document, f"cli-plan-{path.stem}-{areas}")


def _edited(document: Any, edit: Callable[[Any], None]) -> Any:
    edited = copy.deepcopy(document)
    edit(edited)
    return edited


def _timeline(kind: str, key: str, value: Any) -> Callable[[Any], None]:
    def edit(document: Any) -> None:
        next(m for m in document["timeline"] if m["kind"] == kind)[key] = value

    return edit


def _invalid(writer: _Writer) -> None:
    naive = "2026-10-20T09:00:00"
    plan = json.loads(meso.to_json(example_plan().complete(1).cancel(2)))
    client = json.loads((EXAMPLES / "isotretinoin.json").read_text("utf-8"))
    assessment = json.loads(
        meso.to_json(meso.assess(meso.client_from_dict(client), ["face"], on="2026-10-20"))
    )
    cases: dict[str, tuple[Any, dict[str, Callable[[Any], None]]]] = {
        "plan": (
            plan,
            {
                "session-start-without-offset": lambda d: d["sessions"][0].update(start=naive),
                "session-start-impossible-day": lambda d: d["sessions"][0].update(
                    start="2026-02-30T09:00:00-05:00"
                ),
                "aftercare-until-without-offset": lambda d: d["aftercare"][0].update(until=naive),
                "side-effect-from-without-offset": _timeline("side_effect", "from", naive),
                "side-effect-from-a-date": _timeline("side_effect", "from", "2026-10-20"),
                "result-from-date-an-instant": _timeline(
                    "result", "from_date", "2026-10-20T09:00:00-04:00"
                ),
                "result-from-an-instant": _timeline("result", "from", "2026-10-20T09:00:00-04:00"),
                "maintenance-opens-impossible-day": lambda d: d["maintenance"][0].update(
                    opens="2027-02-30"
                ),
                "unknown-session-status": lambda d: d["sessions"][0].update(status="rescheduled"),
                "unknown-area": lambda d: d.update(areas=["elbow"]),
                "extra-key": lambda d: d.update(notes="x"),
                "extra-session-key": lambda d: d["sessions"][0].update(chair="2"),
                "other-schema-number": lambda d: d.update(schema=1),
                "plan-id-with-a-space": lambda d: d.update(id="plan of c-001"),
                "revision-zero": lambda d: d.update(revision=0),
                "session-without-its-id": lambda d: d["sessions"][0].pop("id"),
            },
        ),
        "client": (
            client,
            {
                "extra-key": lambda d: d.update(eyes="blue"),
                "birth-date-an-instant": lambda d: d.update(birth_date="1985-03-02T00:00:00Z"),
                "birth-date-impossible-day": lambda d: d.update(birth_date="1985-02-30"),
                "unknown-concern": lambda d: d.update(concerns=["wrinkles"]),
                "no-birth-date": lambda d: d.pop("birth_date"),
            },
        ),
        "assessment": (
            assessment,
            {
                "unknown-status": lambda d: d.update(status="unknown"),
                "unknown-severity": lambda d: d["findings"][0].update(severity="grave"),
                "until-an-instant": lambda d: d["findings"][0].update(until=naive),
                "extra-key": lambda d: d.update(score=1),
                "complete-without-its-date": lambda d: d.pop("on"),
            },
        ),
    }
    for name, (document, edits) in cases.items():
        for label, edit in edits.items():
            writer.write("invalid", name, _edited(document, edit), label)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the folder to write (made if missing)")
    parser.add_argument("--examples", type=int, default=100, help="generated documents a kind")
    args = parser.parse_args(argv)
    schemas = args.out / "schemas"
    schemas.mkdir(parents=True, exist_ok=True)
    for name in SCHEMA_NAMES:
        text = json.dumps(meso.json_schema(name), ensure_ascii=False, indent=2)
        (schemas / f"{name}.schema.json").write_text(text, "utf-8")
    writer = _Writer(args.out)
    _generated(writer, args.examples)
    _command_line(writer)
    _invalid(writer)
    for key, count in sorted(writer.counts.items()):
        print(f"{key}: {count} documents")  # noqa: T201 - a script reports what it wrote
    return 0


if __name__ == "__main__":
    sys.exit(main())
