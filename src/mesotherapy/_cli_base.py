"""What the command line's commands share: the parser, the output, the common flags."""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import unicodedata
from typing import Any, Final, NoReturn

import pendulum

from ._assess import Assessment, Candidacy
from ._clinic import Clinic
from ._errors import (
    InvalidTimeError,
)
from ._model import Client
from ._plan import TreatmentPlan
from ._rules import RuleSet
from ._rules_io import default_rules, load_rules

DEFAULT_TZ = "America/Toronto"
EXIT_OK, EXIT_NOT_CANDIDATE, EXIT_BAD_INPUT = 0, 1, 2
DEFAULT_HOLIDAYS = "CA-ON"


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, whatever the arguments hold: control characters are shown escaped.
        self.exit(EXIT_BAD_INPUT, f"mesotherapy: error: {one_line(message)}\n")


def one_line(text: str) -> str:
    """*text* on one line: control characters (line breaks among them) shown escaped."""
    return "".join(repr(c)[1:-1] if _is_control(c) else c for c in text)


def escaped(text: str) -> str:
    r"""*text* with its line breaks kept and every other control character escaped.

    Names and reasons come from files that anyone may have written: an escape sequence in
    a rule set's name must reach the terminal as text, never as a command to it. Spaces
    that are no control (the no-break spaces of French dates) stay as they are.

    >>> escaped("Clinic \x1b[2J\nnext line, 2\xa0jours")
    'Clinic \\x1b[2J\nnext line, 2\xa0jours'
    """
    return "\n".join(one_line(line) for line in text.split("\n"))


# The controls of Unicode (category Cc: C0, DEL, C1), the line and paragraph separators
# (Zl, Zp: `splitlines` breaks at them), and the bidirectional overrides and isolates,
# which reorder what a terminal shows after them.
_CONTROLS: Final = frozenset({"Cc", "Zl", "Zp"})
_BIDI: Final = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _is_control(char: str) -> bool:
    return unicodedata.category(char) in _CONTROLS or char in _BIDI


def series_flags(command: argparse.ArgumentParser) -> None:
    """The flags of a series that ``plan`` and ``book`` share: its length and the review."""
    command.add_argument("--sessions", type=int, help="how many sessions (default: the protocol's)")
    command.add_argument("--interval-days", type=int, help="days between sessions")
    command.add_argument("--acknowledge-review", action="store_true", help="a clinician reviewed")


def output_flags(command: argparse.ArgumentParser) -> None:
    """The flags of a plan's output that ``plan`` and ``book`` share: rules, language, form."""
    command.add_argument("--rules", help="a rule file (default: the shipped rules)")
    command.add_argument("--locale", default="en", help="en or fr_CA: the text's language")
    command.add_argument("--format", choices=("text", "json", "ics", "fhir"), default="text")
    command.add_argument(
        "--stamp",
        help="the time of the export, ISO 8601 with its offset, for --format ics (default: now)",
    )


def say(text: str = "", *, file: Any = None) -> None:
    print(escaped(text), file=file)


# The library names its arguments as Python spells them; a person at the command line
# typed the flags. A message that starts with an argument's name is given the flag's.
_FLAGS: Final = {
    "acknowledge_review": "--acknowledge-review",
    "areas": "--areas",
    "days": "--days",
    "holidays": "--holidays",
    "interval_days": "--interval-days",
    "interval": "--interval-days",
    "locale": "--locale",
    "on": "--on",
    "practitioner": "--practitioner",
    "sessions": "--sessions",
    "start": "--start",
    "timezone": "--tz",
}
_LEADING_FIELD = re.compile(r"^(?P<field>[a-z_]+):")


def as_typed(message: str) -> str:
    """*message* with the Python argument it names given as the flag the user typed.

    >>> as_typed("interval_days: expected 14 to 28 days for face, got 3")
    '--interval-days: expected 14 to 28 days for face, got 3'
    """
    message = message.replace("acknowledge_review=True", "--acknowledge-review")
    match = _LEADING_FIELD.match(message)
    if match is None or match["field"] not in _FLAGS:
        return message
    return _FLAGS[match["field"]] + message[match.end("field") :]


def stamp(text: str | None) -> dt.datetime:
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


def print_plan(
    plan: TreatmentPlan, rules: RuleSet, form: str, locale: str, stamp: dt.datetime
) -> None:
    if form == "json":
        from ._json import plan_document  # noqa: PLC0415 - loaded for the format that needs it

        print(json_text(plan_document(plan, rules=rules)))
    elif form == "ics":
        from .ical import to_ics  # noqa: PLC0415 - the ical extra loads only when asked

        # RFC 5545 lines end in CRLF: bytes, so that no platform's text mode doubles the CR.
        sys.stdout.flush()
        sys.stdout.buffer.write(to_ics(plan, rules=rules, stamp=stamp).encode("utf-8"))
        sys.stdout.buffer.flush()
    elif form == "fhir":
        from .fhir import to_fhir  # noqa: PLC0415 - the fhir extra loads only when asked

        print(json_text(to_fhir(plan, rules=rules)))
    else:
        from ._instructions import instructions  # noqa: PLC0415 - loaded for the text output

        text = instructions(plan, locale=locale, rules=rules)  # checks the locale first
        say(plan.assessment.explain())
        say()
        say(plan.explain())
        say()
        say(text)


def why_not(result: Assessment, start: pendulum.Date, *, acknowledged: bool) -> str | None:
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


LOCAL = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})$")


def local_start(text: str, clinic: Clinic) -> pendulum.DateTime:
    """``--start``: a local date and time in the clinic's zone, refused in a DST gap."""
    match = LOCAL.match(text)
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


def json_text(document: object) -> str:
    """*document* as the command line writes JSON: indented, and not escaped to ASCII."""
    import json  # noqa: PLC0415 - only for a JSON output, which the demo never writes

    return json.dumps(document, indent=2, ensure_ascii=False)


def read_rules(path: str | None) -> RuleSet:
    return default_rules() if path is None else load_rules(path)


def read_client(path: str) -> Client:
    from ._client_file import load_client  # noqa: PLC0415 - cattrs, only for a client file

    return load_client(path)
