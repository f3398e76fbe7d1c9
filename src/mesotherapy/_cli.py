"""The command line: ``mesotherapy demo | assess | plan | rules | clinic | schema``."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final, NoReturn

import attrs
import pendulum

from ._assess import Assessment, Candidacy, assess
from ._client_file import client_from_dict, load_client
from ._clinic import Clinic, example_clinic
from ._clinic_file import load_clinic
from ._errors import ClientError, DocumentError, InvalidTimeError, MesotherapyError
from ._instructions import instructions
from ._json import plan_document, to_dict
from ._model import Client
from ._plan import TreatmentPlan
from ._rules import RuleSet
from ._rules_io import default_rules, dump_rules, load_rules
from ._series import plan_series
from ._time import zone_key

__all__ = ["main"]

DEFAULT_TZ = "America/Toronto"
EXIT_OK, EXIT_NOT_CANDIDATE, EXIT_BAD_INPUT = 0, 1, 2
EXIT_PIPE_CLOSED = 128 + 13  # 13 is SIGPIPE on every POSIX system

DEMO_CLIENT: dict[str, Any] = {
    "id": "demo-001",
    "birth_date": "1985-03-02",
    "concerns": ["dullness", "dryness", "fine_lines"],
    "treatments": [{"kind": "chemical_peel", "area": "neck", "on": "2026-09-15"}],
}
DEMO_AREAS = "face,neck"
DEMO_START = "2026-10-20T09:00"
DEFAULT_HOLIDAYS = "CA-ON"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, whatever the arguments hold: control characters are shown escaped.
        self.exit(EXIT_BAD_INPUT, f"mesotherapy: error: {_one_line(message)}\n")


def _one_line(text: str) -> str:
    """*text* on one line: control characters (line breaks among them) shown escaped."""
    return "".join(repr(c)[1:-1] if _is_control(c) else c for c in text)


def _escaped(text: str) -> str:
    r"""*text* with its line breaks kept and every other control character escaped.

    Names and reasons come from files that anyone may have written: an escape sequence in
    a rule set's name must reach the terminal as text, never as a command to it. Spaces
    that are no control (the no-break spaces of French dates) stay as they are.

    >>> _escaped("Clinic \x1b[2J\nnext line, 2\xa0jours")
    'Clinic \\x1b[2J\nnext line, 2\xa0jours'
    """
    return "\n".join(_one_line(line) for line in text.split("\n"))


# The controls of Unicode (category Cc: C0, DEL, C1), the line and paragraph separators
# (Zl, Zp: `splitlines` breaks at them), and the bidirectional overrides and isolates,
# which reorder what a terminal shows after them.
_CONTROLS: Final = frozenset({"Cc", "Zl", "Zp"})
_BIDI: Final = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _is_control(char: str) -> bool:
    return unicodedata.category(char) in _CONTROLS or char in _BIDI


def _say(text: str = "", *, file: Any = None) -> None:
    print(_escaped(text), file=file)


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
    parser = _Parser(prog="mesotherapy", description=__doc__)
    parser.add_argument("--version", action=_Version)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

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
    plan.add_argument("--sessions", type=int, help="how many sessions (default: the protocol's)")
    plan.add_argument("--interval-days", type=int, help="days between sessions")
    plan.add_argument("--acknowledge-review", action="store_true", help="a clinician reviewed")
    plan.add_argument("--rules", help="a rule file (default: the shipped rules)")
    plan.add_argument("--locale", default="en", help="en or fr_CA: the text's language")
    plan.add_argument("--format", choices=("text", "json", "ics", "fhir"), default="text")
    plan.add_argument(
        "--stamp",
        help="the time of the export, ISO 8601 with its offset, for --format ics (default: now)",
    )

    rules = commands.add_parser("rules", help="print or check a rule set")
    what = rules.add_subparsers(dest="action", required=True, parser_class=_Parser)
    show = what.add_parser("show", help="print a rule set as TOML")
    show.add_argument("--rules", help="a rule file (default: the shipped rules)")
    check = what.add_parser("check", help="validate a rule file: every problem, one a line")
    check.add_argument("file")

    clinic = commands.add_parser("clinic", help="check a clinic file")
    clinic_what = clinic.add_subparsers(dest="action", required=True, parser_class=_Parser)
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
        print(f"mesotherapy: error: {_one_line(_as_typed(str(error)))}", file=sys.stderr)
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
    if args.command == "clinic":
        return _check_file(args.file, load_clinic, "clinic")
    if args.command == "schema":
        return _schema(args.name)
    if args.command == "recalls":
        return _recalls(args)
    return _rules(args)


# The library names its arguments as Python spells them; a person at the command line
# typed the flags. A message that starts with an argument's name is given the flag's.
_FLAGS: Final = {
    "acknowledge_review": "--acknowledge-review",
    "areas": "--areas",
    "holidays": "--holidays",
    "interval_days": "--interval-days",
    "interval": "--interval-days",
    "locale": "--locale",
    "on": "--on",
    "sessions": "--sessions",
    "start": "--start",
    "timezone": "--tz",
}
_LEADING_FIELD = re.compile(r"^(?P<field>[a-z_]+):")


def _as_typed(message: str) -> str:
    """*message* with the Python argument it names given as the flag the user typed.

    >>> _as_typed("interval_days: expected 14 to 28 days for face, got 3")
    '--interval-days: expected 14 to 28 days for face, got 3'
    """
    message = message.replace("acknowledge_review=True", "--acknowledge-review")
    match = _LEADING_FIELD.match(message)
    if match is None or match["field"] not in _FLAGS:
        return message
    return _FLAGS[match["field"]] + message[match.end("field") :]


def _demo() -> int:
    client = client_from_dict(DEMO_CLIENT)
    clinic = example_clinic(holidays=DEFAULT_HOLIDAYS)
    start = _local_start(DEMO_START, clinic)
    result = assess(client, DEMO_AREAS.split(","), on=start.date())
    _say(f"Example client, areas {DEMO_AREAS}, from {DEMO_START} at {clinic.name}")
    _say(result.explain())
    _say()
    plan = plan_series(result, DEMO_AREAS.split(","), start=start, clinic=clinic)
    _say(plan.explain())
    return EXIT_OK


def _assess(args: argparse.Namespace) -> int:
    rules = _load_rules(args.rules)
    client = _load_client(args.client)
    on = args.on if args.on is not None else _today(args.tz)
    result = assess(client, args.areas, on=on, rules=rules)
    if args.format == "json":
        print(json.dumps(to_dict(result), indent=2, ensure_ascii=False))
    else:
        _say(result.explain())
    return _exit_status(result)


def _plan(args: argparse.Namespace) -> int:
    rules = _load_rules(args.rules)
    client = _load_client(args.client)
    clinic = _clinic(args)
    start = _local_start(args.start, clinic)
    result = assess(client, args.areas, on=args.on or start.date(), rules=rules)
    blocked = _why_not(result, start.date(), acknowledged=args.acknowledge_review)
    if blocked:
        # A machine format stays machine-readable: JSON gets the assessment's document;
        # iCalendar and FHIR get nothing, and the findings go to stderr with the reason.
        if args.format == "json":
            print(json.dumps(to_dict(result), indent=2, ensure_ascii=False))
        else:
            _say(result.explain(), file=sys.stdout if args.format == "text" else sys.stderr)
        _say(f"mesotherapy: not planned: {blocked}", file=sys.stderr)
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
    _print_plan(plan, rules, args.format, args.locale, _stamp(args.stamp))
    return EXIT_OK


def _stamp(text: str | None) -> dt.datetime:
    """``--stamp``: the export's time, which calendars compare to tell an update (DTSTAMP)."""
    if text is None:
        return pendulum.now("UTC")
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.utcoffset() is None:
        msg = (
            "--stamp: expected a date and time with its offset, such as 2026-12-01T09:00Z, "
            f"got {text!r}"
        )
        raise InvalidTimeError(msg)
    return moment


def _print_plan(
    plan: TreatmentPlan, rules: RuleSet, form: str, locale: str, stamp: dt.datetime
) -> None:
    if form == "json":
        print(json.dumps(plan_document(plan, rules=rules), indent=2, ensure_ascii=False))
    elif form == "ics":
        from .ical import to_ics  # noqa: PLC0415 - the ical extra loads only when asked

        # RFC 5545 lines end in CRLF: bytes, so that no platform's text mode doubles the CR.
        sys.stdout.flush()
        sys.stdout.buffer.write(to_ics(plan, rules=rules, stamp=stamp).encode("utf-8"))
        sys.stdout.buffer.flush()
    elif form == "fhir":
        from .fhir import to_fhir  # noqa: PLC0415 - the fhir extra loads only when asked

        print(json.dumps(to_fhir(plan, rules=rules), indent=2, ensure_ascii=False))
    else:
        text = instructions(plan, locale=locale, rules=rules)  # checks the locale first
        _say(plan.assessment.explain())
        _say()
        _say(plan.explain())
        _say()
        _say(text)


def _why_not(result: Assessment, start: pendulum.Date, *, acknowledged: bool) -> str | None:
    """Why the assessment stops the plan (exit 1), or ``None`` when a plan may be made."""
    if result.status is Candidacy.INELIGIBLE:
        return "the client is not a candidate"
    if result.status is Candidacy.DEFERRED:
        if result.earliest_start is None:
            return "deferred until a clinician confirms healing"
        if result.earliest_start > start:
            return f"deferred until {result.earliest_start}, after the requested start"
    # A review finding needs its acknowledgement whatever the status: a deferral that lifts
    # before the start still leaves the review to be done.
    needs_review = any(f.outcome is Candidacy.REVIEW for f in result.findings)
    if needs_review and not acknowledged:
        return "a clinician must review first; pass --acknowledge-review once done"
    return None


def _clinic(args: argparse.Namespace) -> Clinic:
    if args.clinic is None:
        holidays = DEFAULT_HOLIDAYS if args.holidays is None else _holidays(args.holidays)
        return example_clinic(holidays=holidays, timezone=args.tz or DEFAULT_TZ)
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


_LOCAL = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})$")


def _local_start(text: str, clinic: Clinic) -> pendulum.DateTime:
    """``--start``: a local date and time in the clinic's zone, refused in a DST gap."""
    match = _LOCAL.match(text)
    if match is None:
        msg = f"--start: expected a local date and time such as 2026-10-20T09:00, got {text!r}"
        raise InvalidTimeError(msg)
    try:
        day = dt.date.fromisoformat(match[1])
    except ValueError:
        raise InvalidTimeError(f"--start: {match[1]!r} is not a date") from None
    try:
        return clinic.at(day, match[2])
    except InvalidTimeError as error:
        # The clinic names its own argument; on the command line, the flag is the field.
        raise InvalidTimeError(f"--start: {str(error).removeprefix('local_time: ')}") from None


def _rules(args: argparse.Namespace) -> int:
    if args.action == "show":
        print(dump_rules(_load_rules(args.rules)), end="")
        return EXIT_OK
    return _check_file(args.file, load_rules, "rule set")


def _check_file(path: str, load: Callable[[str], RuleSet | Clinic], kind: str) -> int:
    """``rules check`` and ``clinic check``: every problem of the file, one a line, exit 2."""
    try:
        loaded = load(path)
    except MesotherapyError as error:
        for problem in error.problems or (str(error),):
            where = "" if problem.startswith(f"{path}: ") else f"{path}: "
            print(_one_line(f"{where}{problem}"), file=sys.stderr)
        return EXIT_BAD_INPUT
    if isinstance(loaded, RuleSet):
        _say(f"{path}: valid rule set {loaded.name!r} version {loaded.version!r}")
    else:
        _say(f"{path}: valid {kind} {loaded.name!r} in {loaded.timezone}")
    return EXIT_OK


def _schema(name: str) -> int:
    """``schema NAME``: the shipped JSON Schema, as its file has it; exit 2 for another name."""
    from ._schema import schema_text  # noqa: PLC0415 - read only when asked

    _say(schema_text(name).rstrip("\n"))
    return EXIT_OK


def _exit_status(result: Assessment) -> int:
    blocked = result.status in (Candidacy.INELIGIBLE, Candidacy.DEFERRED)
    return EXIT_NOT_CANDIDATE if blocked else EXIT_OK


def _load_rules(path: str | None) -> RuleSet:
    return default_rules() if path is None else load_rules(path)


def _load_client(path: str) -> Client:
    return load_client(path)


def _today(tz: str) -> pendulum.Date:
    return pendulum.now(pendulum.timezone(zone_key(tz, field="--tz"))).date()


# --- recalls: the maintenance worklist ----------------------------------------------------


def _recalls_parser(commands: Any) -> None:
    from ._recalls import DEFAULT_WITHIN_DAYS  # noqa: PLC0415 - the worklist's module, when run

    run = commands.add_parser("recalls", help="the maintenance worklist across plan files")
    run.add_argument("plans", nargs="+", metavar="PLAN.json", help="plan files (JSON)")
    run.add_argument("--on", required=True, help="the worklist's date, YYYY-MM-DD")
    run.add_argument(
        "--within-days",
        default=str(DEFAULT_WITHIN_DAYS),
        help=f"list windows opening within this many days (default {DEFAULT_WITHIN_DAYS})",
    )
    run.add_argument("--rules", help="the rule file the plans were made with (default: shipped)")
    run.add_argument("--format", choices=("text", "json"), default="text")


def _recalls(args: argparse.Namespace) -> int:
    """``recalls``: one line a recall (text), or one JSON document; exit 0, 2 on bad input."""
    from ._json_reader import from_json  # noqa: PLC0415 - only this command reads plans
    from ._recalls import recalls  # noqa: PLC0415 - only this command lists recalls

    within = _within_days(args.within_days)
    rules = _load_rules(args.rules)
    plans: list[TreatmentPlan] = []
    files: dict[str, str] = {}
    for path in args.plans:
        text = _plan_text(path)
        try:
            plan = from_json(text, TreatmentPlan, rules=rules)
        except MesotherapyError as error:
            # A client file, an assessment or an edited plan: the file is named first.
            raise DocumentError(f"{path}: {error}") from None
        if plan.id in files:
            msg = f"{path}: plan {plan.id!r} is also in {files[plan.id]}, expected each plan once"
            raise ClientError(msg)
        files[plan.id] = path
        plans.append(plan)
    found = recalls(plans, on=args.on, within_days=within)
    if args.format == "json":
        document = {"on": args.on, "within_days": within, "recalls": [to_dict(r) for r in found]}
        print(json.dumps(document, indent=2, ensure_ascii=False))
    elif not found:
        _say(f"No maintenance due on {args.on} or within {within} days.")
    else:
        for recall in found:
            _say(recall.explain())
    return EXIT_OK


def _within_days(text: str) -> int:
    if not re.fullmatch(r"[0-9]+", text, flags=re.ASCII):
        msg = f"--within-days: expected a whole number of days from 0, got {text!r}"
        raise ClientError(msg)
    return int(text)


def _plan_text(path: str) -> str:
    """The text of the plan file at *path*: UTF-8, with or without a byte order mark."""
    try:
        return Path(path).read_text("utf-8-sig")
    except OSError as error:
        raise ClientError(f"{path}: cannot read the file ({error.strerror})") from None
    except ValueError as error:  # not UTF-8, or a name no file can have
        raise DocumentError(f"{path}: cannot read the file ({error})") from None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
