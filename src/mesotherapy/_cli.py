"""The command line: ``mesotherapy demo | assess | plan | rules | clinic | schema``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, Final, NoReturn

import attrs
import pendulum

from ._assess import Assessment, Candidacy, assess
from ._cli_base import (
    DEFAULT_HOLIDAYS,
    DEFAULT_TZ,
    EXIT_BAD_INPUT,
    EXIT_NOT_CANDIDATE,
    EXIT_OK,
    Parser,
    as_typed,
    json_text,
    local_start,
    one_line,
    output_flags,
    print_plan,
    read_client,
    read_rules,
    say,
    series_flags,
    stamp,
    why_not,
)
from ._cli_diary import _book, _book_parser, _diary_parser, _diary_show, _recalls, _recalls_parser
from ._clinic import Clinic, example_clinic
from ._errors import ClientError, MesotherapyError
from ._model import Client
from ._rules import RuleSet
from ._rules_io import dump_rules, load_rules
from ._series import plan_series
from ._zone_keys import zone_key

__all__ = ["main"]

EXIT_PIPE_CLOSED = 128 + 13  # 13 is SIGPIPE on every POSIX system

DEMO_CLIENT: dict[str, Any] = {
    "id": "demo-001",
    "birth_date": "1985-03-02",
    "concerns": ["dullness", "dryness", "fine_lines"],
    "treatments": [{"kind": "chemical_peel", "area": "neck", "on": "2026-09-15"}],
}
DEMO_AREAS = "face,neck"
DEMO_START = "2026-10-20T09:00"


class _Version(argparse.Action):
    """``--version``: the installed distribution's version, read only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        kwargs.setdefault("help", "print the version and exit")
        super().__init__(option_strings, dest, nargs=0, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> NoReturn:
        from importlib.metadata import version  # noqa: PLC0415 - only when asked

        print(f"mesotherapy {version('mesotherapy')}")  # an answer: stdout, as --help
        parser.exit(EXIT_OK)


def _parser() -> argparse.ArgumentParser:
    parser = Parser(prog="mesotherapy", description=__doc__)
    parser.add_argument("--version", action=_Version)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    commands.add_parser("demo", help="plan for the example client on the shipped rules")

    run = commands.add_parser("assess", help="decide whether a client is a candidate")
    run.add_argument("client", help="the client file (JSON)")
    run.add_argument("--areas", required=True, help="comma-separated: face,neck,...")
    run.add_argument("--on", help="the date of the assessment (default: today)")
    run.add_argument("--tz", default=DEFAULT_TZ, help="the zone whose 'today' --on defaults to")
    run.add_argument("--rules", help="a rule file (default: the shipped rules)")
    run.add_argument("--format", choices=("text", "json"), default="text")

    plan = commands.add_parser("plan", help="assess a client, then plan the series")
    plan.add_argument("client", help="the client file (JSON)")
    plan.add_argument("--areas", required=True, help="comma-separated: face,neck,...")
    plan.add_argument("--start", required=True, help="local to the clinic: 2026-10-20T09:00")
    plan.add_argument("--on", help="the date of the assessment (default: the start's date)")
    plan.add_argument("--clinic", help="a clinic file (TOML; default: the example clinic)")
    plan.add_argument("--tz", help=f"the clinic's zone (default: the clinic's, or {DEFAULT_TZ})")
    plan.add_argument(
        "--holidays", help=f"public holidays, e.g. CA-ON (default {DEFAULT_HOLIDAYS})"
    )
    series_flags(plan)
    output_flags(plan)

    _book_parser(commands)
    _diary_parser(commands)

    rules = commands.add_parser("rules", help="print or check a rule set")
    what = rules.add_subparsers(dest="action", required=True, parser_class=Parser)
    show = what.add_parser("show", help="print a rule set as TOML")
    show.add_argument("--rules", help="a rule file (default: the shipped rules)")
    check = what.add_parser("check", help="validate a rule file: every problem, one a line")
    check.add_argument("file")

    clinic = commands.add_parser("clinic", help="check a clinic file")
    clinic_what = clinic.add_subparsers(dest="action", required=True, parser_class=Parser)
    clinic_check = clinic_what.add_parser(
        "check", help="validate a clinic file: every problem, one a line"
    )
    clinic_check.add_argument("file")

    schema = commands.add_parser("schema", help="print the JSON Schema of a document")
    schema.add_argument("name", help="client, assessment or plan")
    _recalls_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 done, 1 not a candidate, 2 bad input).

    A reader that closes the pipe early (``mesotherapy demo | head``) ends the command
    quietly, with the status a shell gives a process ended by SIGPIPE, 141.
    """
    args = _parser().parse_args(argv)
    try:
        status = _run(args)
        sys.stdout.flush()
    except MesotherapyError as error:
        print(f"mesotherapy: error: {one_line(as_typed(str(error)))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        # Python would report the broken pipe again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PIPE_CLOSED
    return status


def _run(args: argparse.Namespace) -> int:  # noqa: PLR0911 - one return a command
    if args.command == "demo":
        return _demo()
    if args.command == "assess":
        return _assess(args)
    if args.command == "plan":
        return _plan(args)
    if args.command == "book":
        return _book(args)
    if args.command == "diary":
        return _diary_show(args)
    if args.command == "clinic":
        from ._clinic_file import load_clinic  # noqa: PLC0415 - loaded for the command

        return _check_file(args.file, load_clinic, "clinic")
    if args.command == "schema":
        return _schema(args.name)
    if args.command == "recalls":
        return _recalls(args)
    return _rules(args)


def _demo() -> int:
    # The library's own client, built as `client_from_dict` builds it (a test compares
    # them) without the client file's reader, whose cattrs the demo would load for it.
    client = Client(**DEMO_CLIENT)
    clinic = example_clinic(holidays=DEFAULT_HOLIDAYS)
    start = local_start(DEMO_START, clinic)
    result = assess(client, DEMO_AREAS.split(","), on=start.date())
    say(f"Example client, areas {DEMO_AREAS}, from {DEMO_START} at {clinic.name}")
    say(result.explain())
    say()
    plan = plan_series(result, DEMO_AREAS.split(","), start=start, clinic=clinic)
    say(plan.explain())
    return EXIT_OK


def _assess(args: argparse.Namespace) -> int:
    rules = read_rules(args.rules)
    client = read_client(args.client)
    on = args.on if args.on is not None else _today(args.tz)
    result = assess(client, args.areas, on=on, rules=rules)
    if args.format == "json":
        from ._json import to_dict  # noqa: PLC0415 - loaded for the format that needs it

        print(json_text(to_dict(result)))
    else:
        say(result.explain())
    return _exit_status(result)


def _plan(args: argparse.Namespace) -> int:
    rules = read_rules(args.rules)
    client = read_client(args.client)
    clinic = _clinic(args)
    start = local_start(args.start, clinic)
    result = assess(client, args.areas, on=args.on or start.date(), rules=rules)
    blocked = why_not(result, start.date(), acknowledged=args.acknowledge_review)
    if blocked:
        # A machine format stays machine-readable: JSON gets the assessment's document;
        # iCalendar and FHIR get nothing, and the findings go to stderr with the reason.
        if args.format == "json":
            from ._json import to_dict  # noqa: PLC0415 - loaded for the format that needs it

            print(json_text(to_dict(result)))
        else:
            say(result.explain(), file=sys.stdout if args.format == "text" else sys.stderr)
        say(f"mesotherapy: not planned: {blocked}", file=sys.stderr)
        return EXIT_NOT_CANDIDATE
    plan = plan_series(
        result,
        args.areas,
        start=start,
        clinic=clinic,
        rules=rules,
        sessions=args.sessions,
        interval=args.interval_days,
        acknowledge_review=args.acknowledge_review,
    )
    print_plan(plan, rules, args.format, args.locale, stamp(args.stamp))
    return EXIT_OK


def _clinic(args: argparse.Namespace) -> Clinic:
    if args.clinic is None:
        holidays = DEFAULT_HOLIDAYS if args.holidays is None else _holidays(args.holidays)
        return example_clinic(holidays=holidays, timezone=args.tz or DEFAULT_TZ)
    from ._clinic_file import load_clinic  # noqa: PLC0415 - loaded for a clinic file

    clinic = load_clinic(args.clinic)
    if args.tz is not None:
        clinic = attrs.evolve(clinic, timezone=args.tz)
    if args.holidays is not None:
        clinic = attrs.evolve(clinic, holidays=_holidays(args.holidays))
    return clinic


_NO_HOLIDAYS: Final = "none"


def _holidays(text: str) -> str | None:
    """``--holidays`` as given: a country code with its subdivision, or ``none``."""
    if text.strip().lower() == _NO_HOLIDAYS:
        return None
    if not text.strip():
        msg = f"--holidays: expected a code such as {DEFAULT_HOLIDAYS}, or {_NO_HOLIDAYS}, got ''"
        raise ClientError(msg)
    return text


def _rules(args: argparse.Namespace) -> int:
    if args.action == "show":
        print(dump_rules(read_rules(args.rules)), end="")
        return EXIT_OK
    return _check_file(args.file, load_rules, "rule set")


def _check_file(path: str, load: Callable[[str], RuleSet | Clinic], kind: str) -> int:
    """``rules check`` and ``clinic check``: every problem of the file, one a line, exit 2."""
    try:
        loaded = load(path)
    except MesotherapyError as error:
        for problem in error.problems or (str(error),):
            where = "" if problem.startswith(f"{path}: ") else f"{path}: "
            print(one_line(f"{where}{problem}"), file=sys.stderr)
        return EXIT_BAD_INPUT
    if isinstance(loaded, RuleSet):
        say(f"{path}: valid rule set {loaded.name!r} version {loaded.version!r}")
    else:
        say(f"{path}: valid {kind} {loaded.name!r} in {loaded.timezone}")
    return EXIT_OK


def _schema(name: str) -> int:
    """``schema NAME``: the shipped JSON Schema, as its file has it; exit 2 for another name."""
    from ._schema import schema_text  # noqa: PLC0415 - read only when asked

    say(schema_text(name).rstrip("\n"))
    return EXIT_OK


def _exit_status(result: Assessment) -> int:
    blocked = result.status in (Candidacy.INELIGIBLE, Candidacy.DEFERRED)
    return EXIT_NOT_CANDIDATE if blocked else EXIT_OK


def _today(tz: str) -> pendulum.Date:
    return pendulum.now(pendulum.timezone(zone_key(tz, field="--tz"))).date()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
