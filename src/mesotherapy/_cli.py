"""The command line: ``mesotherapy demo | assess | rules``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import pendulum

from ._assess import Assessment, Candidacy, assess
from ._errors import ClientError, MesotherapyError
from ._model import Client
from ._rules import RuleSet, default_rules
from ._rules_io import dump_rules, load_rules

__all__ = ["main"]

DEFAULT_TZ = "America/Toronto"
EXIT_OK, EXIT_NOT_CANDIDATE, EXIT_BAD_INPUT = 0, 1, 2

DEMO_CLIENT: dict[str, Any] = {
    "id": "demo-001",
    "birth_date": "1985-03-02",
    "concerns": ["dullness", "dryness", "fine_lines"],
    "treatments": [{"kind": "chemical_peel", "area": "neck", "on": "2026-09-15"}],
}
DEMO_AREAS = "face,neck"
DEMO_ON = "2026-10-20"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"mesotherapy: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="mesotherapy", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    commands.add_parser("demo", help="assess the example client on the shipped rules")

    run = commands.add_parser("assess", help="decide whether a client is a candidate")
    run.add_argument("client", help="the client file (JSON)")
    run.add_argument("--areas", required=True, help="comma-separated: face,neck,...")
    run.add_argument("--on", help="the date of the assessment (default: today)")
    run.add_argument("--tz", default=DEFAULT_TZ, help="the zone whose 'today' --on defaults to")
    run.add_argument("--rules", help="a rule file (default: the shipped rules)")
    run.add_argument("--format", choices=("text", "json"), default="text")

    rules = commands.add_parser("rules", help="print or check a rule set")
    what = rules.add_subparsers(dest="action", required=True, parser_class=_Parser)
    show = what.add_parser("show", help="print a rule set as TOML")
    show.add_argument("--rules", help="a rule file (default: the shipped rules)")
    check = what.add_parser("check", help="validate a rule file")
    check.add_argument("file")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 done, 1 not a candidate, 2 bad input)."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "demo":
            return _demo()
        if args.command == "assess":
            return _assess(args)
        return _rules(args)
    except MesotherapyError as error:
        print(f"mesotherapy: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _demo() -> int:
    rules = default_rules()
    client = Client.from_dict(DEMO_CLIENT)
    result = assess(client, DEMO_AREAS.split(","), on=DEMO_ON, rules=rules)
    print(f"Example client, areas {DEMO_AREAS}, on {DEMO_ON}")
    print(result.explain())
    print()
    for area in result.areas:
        protocol = rules.protocols[area]
        print(
            f"Protocol for {area.value}: {protocol.sessions.min}-{protocol.sessions.max} sessions, "
            f"{protocol.interval_days.min}-{protocol.interval_days.max} days apart, "
            f"{protocol.session_minutes.min}-{protocol.session_minutes.max} minutes each, "
            f"maintenance every {protocol.maintenance_months.min}-"
            f"{protocol.maintenance_months.max} months"
        )
    return _exit_status(result)


def _assess(args: argparse.Namespace) -> int:
    rules = _load_rules(args.rules)
    client = _load_client(args.client)
    on = args.on if args.on is not None else _today(args.tz)
    result = assess(client, args.areas, on=on, rules=rules)
    if args.format == "json":
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(result.explain())
    return _exit_status(result)


def _rules(args: argparse.Namespace) -> int:
    if args.action == "show":
        print(dump_rules(_load_rules(args.rules)), end="")
        return EXIT_OK
    rules = load_rules(args.file)
    print(f"{args.file}: valid rule set {rules.name!r} version {rules.version!r}")
    return EXIT_OK


def _exit_status(result: Assessment) -> int:
    blocked = result.status in (Candidacy.INELIGIBLE, Candidacy.DEFERRED)
    return EXIT_NOT_CANDIDATE if blocked else EXIT_OK


def _load_rules(path: str | None) -> RuleSet:
    return default_rules() if path is None else load_rules(path)


def _load_client(path: str) -> Client:
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except OSError as error:
        raise ClientError(f"{path}: cannot read the file ({error.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ClientError(f"{path}: not valid JSON ({error})") from None
    try:
        return Client.from_dict(data)
    except MesotherapyError as error:
        raise type(error)(f"{path}: {error}") from None


def _today(tz: str) -> pendulum.Date:
    try:
        zone = pendulum.timezone(tz)
    except Exception:  # noqa: BLE001 - pendulum raises several kinds for a bad zone
        raise ClientError(f"--tz: unknown IANA time zone {tz!r}") from None
    return pendulum.now(zone).date()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
