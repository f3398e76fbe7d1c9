"""The diary's commands: ``mesotherapy book``, ``diary show`` and ``recalls``."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pendulum

from . import _cli_base as base
from ._assess import assess
from ._errors import (
    ClientError,
    DocumentError,
    InvalidTimeError,
    MesotherapyError,
    SchedulingError,
)
from ._guards import unknown_id
from ._model import Client
from ._plan import TreatmentPlan
from ._protocol import series_protocol
from ._rules import RuleSet
from ._series import plan_series
from ._time import parse_date

if TYPE_CHECKING:
    from ._diary import Diary


def _book_parser(commands: Any) -> None:
    book = commands.add_parser("book", help="plan a series against a diary and book it")
    book.add_argument("client", help="the client file (JSON)")
    book.add_argument("--diary", required=True, help="the diary file (TOML)")
    book.add_argument("--areas", required=True, help="comma-separated: face,neck,...")
    book.add_argument("--start", required=True, help="local to the clinic: 2026-10-20T09:00")
    book.add_argument("--practitioner", help="the id of the practitioner to book with")
    base.series_flags(book)
    book.add_argument("--save", action="store_true", help="add the booking to the bookings file")
    base.output_flags(book)


def _diary_parser(commands: Any) -> None:
    diary = commands.add_parser("diary", help="show a diary")
    diary_what = diary.add_subparsers(dest="action", required=True, parser_class=base.Parser)
    show = diary_what.add_parser("show", help="the day sheet: each practitioner and room")
    show.add_argument("file", help="the diary file (TOML)")
    show.add_argument("--on", required=True, help="the first day, local: 2026-10-20")
    show.add_argument("--days", type=int, default=1, help="how many days (default 1)")
    show.add_argument("--format", choices=("text", "json"), default="text")


def _book(args: argparse.Namespace) -> int:
    """``book``: the series planned against the diary; with ``--save``, booked in its file.

    With ``--save`` the diary's bookings are read under the lock and written (atomically)
    before it is released, so two runs take turns and never book one slot twice.
    """
    rules = base.read_rules(args.rules)
    client = base.read_client(args.client)
    stamp = base.stamp(args.stamp)
    # The diary's modules load for the diary's commands, not for every run of the command line.
    from ._bookings_file import save_bookings  # noqa: PLC0415
    from ._diary_file import load_diary, open_for_booking  # noqa: PLC0415

    # The calendars are read from the start's day: two years hold any series and its slack.
    day = _start_day(args.start)
    window = {"start": day, "end": day.add(years=2)}
    if not args.save:
        diary = load_diary(args.diary, **window)
        return _book_into(args, rules, client, diary, stamp, save=None)
    with open_for_booking(args.diary, **window) as opened:
        where = opened.bookings

        def save(diary: Diary) -> None:
            save_bookings(diary, where)

        return _book_into(args, rules, client, opened.diary, stamp, save=save)


def _book_into(  # noqa: PLR0913 - the command's parts, read once by `_book`
    args: argparse.Namespace,
    rules: RuleSet,
    client: Client,
    diary: Diary,
    stamp: dt.datetime,
    *,
    save: Callable[[Diary], None] | None,
) -> int:
    start = base.local_start(args.start, diary.clinic)
    if args.practitioner is not None:
        _check_practitioner(args.practitioner, diary)
    result = assess(client, args.areas, on=start.date(), rules=rules)
    blocked = base.why_not(result, start.date(), acknowledged=args.acknowledge_review)
    if blocked is None:
        # A request the protocol refuses is bad input (exit 2); past this, a refusal of
        # the search is the diary's answer: no series fits (exit 1).
        series_protocol(
            rules, result.areas, sessions=args.sessions, interval_days=args.interval_days
        )
        try:
            plan = plan_series(
                result,
                args.areas,
                start=start,
                clinic=diary.clinic,
                rules=rules,
                sessions=args.sessions,
                interval=args.interval_days,
                acknowledge_review=args.acknowledge_review,
                diary=diary,
                practitioner=args.practitioner,
            )
            booked = diary.book(plan)
        except SchedulingError as error:
            blocked = f"no series fits the diary: {base.as_typed(str(error))}"
    if blocked is not None:
        if args.format == "json":
            from ._json import to_dict  # noqa: PLC0415 - loaded for the format that needs it

            print(base.json_text(to_dict(result)))
        elif args.format == "text":
            base.say(result.explain())
        base.say(f"mesotherapy: not booked: {blocked}", file=sys.stderr)
        return base.EXIT_NOT_CANDIDATE
    # The output is made before the bookings are written: an export that cannot be made
    # (a missing extra) leaves the file as it was.
    output = _plan_output(plan, rules, args.format, args.locale, stamp, diary=diary)
    if save is not None:
        save(booked)
    sys.stdout.flush()
    sys.stdout.buffer.write(output)
    sys.stdout.buffer.flush()
    return base.EXIT_OK


def _booked_text(plan: TreatmentPlan, diary: Diary) -> str:
    """Each session's practitioner and room, as ``book`` prints them after the plan."""
    lines = [f"Booked in the diary (buffer {diary.buffer_minutes} minutes):"]
    for session in plan.active_sessions:
        when = f"{session.start.format('ddd YYYY-MM-DD HH:mm')}-{session.end.format('HH:mm')}"
        lines.append(f"  {session.index}. {when} with {session.practitioner} in {session.room}")
    return "\n".join(lines) + "\n"


def _start_day(text: str) -> pendulum.Date:
    """The local date of ``--start``, read before the diary (whose clinic gives the zone)."""
    match = base.LOCAL.match(text)
    if match is None:
        msg = f"--start: expected a local date and time such as 2026-10-20T09:00, got {text!r}"
        raise InvalidTimeError(msg)
    return parse_date(match[1], field="--start")


def _check_practitioner(resource: str, diary: Diary) -> None:
    # A diary file has at least one practitioner: the list named is never empty.
    known = [p.id for p in diary.practitioners]
    if msg := unknown_id(resource, known, "--practitioner", "practitioner of the diary"):
        raise ClientError(msg)


def _plan_output(  # noqa: PLR0913 - what `print_plan` takes, and the diary
    plan: TreatmentPlan,
    rules: RuleSet,
    form: str,
    locale: str,
    stamp: dt.datetime,
    *,
    diary: Diary,
) -> bytes:
    """What `print_plan` (of `_cli_base`) prints for *plan*, as bytes, made without printing it.

    The text has each session's practitioner and room after the plan; the iCalendar and
    FHIR exports name them as the diary does.
    """
    if form == "ics":
        from .ical import to_ics  # noqa: PLC0415 - the ical extra loads only when asked

        return to_ics(plan, rules=rules, stamp=stamp, diary=diary).encode("utf-8")
    if form == "fhir":
        from .fhir import to_fhir  # noqa: PLC0415 - the fhir extra loads only when asked

        bundle = to_fhir(plan, rules=rules, diary=diary)
        return (base.json_text(bundle) + "\n").encode("utf-8")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        if form == "text":
            from ._instructions import instructions  # noqa: PLC0415 - for the text output

            text = instructions(plan, locale=locale, rules=rules)  # checks the locale first
            base.say(plan.assessment.explain())
            base.say()
            base.say(plan.explain())
            base.say()
            base.say(_booked_text(plan, diary))
            base.say(text)
        else:
            base.print_plan(plan, rules, form, locale, stamp)
    return out.getvalue().encode(sys.stdout.encoding or "utf-8", errors="replace")


def _diary_show(args: argparse.Namespace) -> int:
    """``diary show``: the day sheet of each day asked, per practitioner and room."""
    from ._day_sheet import day_sheet, sheet_document, sheet_text  # noqa: PLC0415 - when asked
    from ._diary_file import load_diary  # noqa: PLC0415 - loaded for the diary's commands

    first = parse_date(args.on, field="--on")
    sheets = day_sheet(
        load_diary(args.file, start=first, end=first.add(days=max(args.days, 1))),
        first,
        days=args.days,
    )
    if args.format == "json":
        print(base.json_text(sheet_document(sheets)))
    else:
        base.say(sheet_text(sheets))
    return base.EXIT_OK


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
    from ._json import to_dict  # noqa: PLC0415 - only this command lists recalls
    from ._json_reader import from_json  # noqa: PLC0415 - only this command reads plans
    from ._recalls import recalls  # noqa: PLC0415 - only this command lists recalls

    within = _within_days(args.within_days)
    rules = base.read_rules(args.rules)
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
        print(base.json_text(document))
    elif not found:
        base.say(f"No maintenance due on {args.on} or within {within} days.")
    else:
        for recall in found:
            base.say(recall.explain())
    return base.EXIT_OK


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
