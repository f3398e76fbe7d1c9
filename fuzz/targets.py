"""The fuzz targets: one function a public entry point, fed raw input.

Each target calls the library with what it is given and swallows `MesotherapyError`, the
one family of errors the library raises on purpose; anything else escapes and is a
failure (so is a call that runs longer than `TIMEOUT` seconds, and a command line that
ends in a traceback, an exit status other than 0, 1 or 2, or, for bad input, anything but
one line on stderr).

The targets are shared by the hypothesis session (``test_fuzz.py``) and the libFuzzer
one (``atheris_main.py``); each call is counted in `COUNTS` under the target's name.

Only the keyword names of a signature are taken as given: the inputs are values, and a
call with an unknown keyword is Python's ``TypeError``, not the library's to refuse.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import re
import signal
import tempfile
import threading
import types
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, ParamSpec, TypeVar

import attrs
import pendulum

import mesotherapy as meso
from mesotherapy._cli import main as cli_main
from mesotherapy._rules_io import rules_from_dict

__all__ = [
    "COUNTS",
    "DOCUMENT_TYPES",
    "KNOWN",
    "KNOWN_HITS",
    "OPERATIONS",
    "TIMEOUT",
    "CliFailure",
    "Hang",
    "Known",
    "assess",
    "cli",
    "client",
    "client_document",
    "client_event",
    "client_from_dict",
    "clinic",
    "clinic_calendar",
    "closure",
    "code_parse",
    "document_type",
    "exports",
    "from_json",
    "interval",
    "known",
    "load_clinic",
    "load_rules",
    "medication",
    "opening_hours",
    "plan_aftercare",
    "plan_operation",
    "plan_series",
    "prior_treatment",
    "rules_from_mapping",
    "seed_documents",
    "seed_plans",
    "skin_finding",
    "span",
    "span_parse",
    "timeline_on",
    "write_counts",
]

P = ParamSpec("P")
R = TypeVar("R")

TIMEOUT: Final = float(os.environ.get("MESOTHERAPY_FUZZ_TIMEOUT", "20"))
"""Seconds one call may take before it counts as a hang."""

COUNTS: Counter[str] = Counter()
"""How many inputs each target was given."""

_DIR = Path(tempfile.mkdtemp(prefix="mesotherapy-fuzz-"))
"""Where the file-reading targets write their input (one file name a role, reused)."""


@attrs.frozen
class Known:
    """A failure already reported, whose fix belongs to code this session may not change.

    It matches an exception of *kind* whose innermost frame in the library is *function*
    of *module*; *test* is the regression test that fails (``xfail``) until it is fixed.
    """

    kind: type[BaseException]
    module: str
    function: str
    test: str


KNOWN: Final[tuple[Known, ...]] = ()
"""The known failures, counted apart (`KNOWN_HITS`) and let through unless
``MESOTHERAPY_FUZZ_STRICT`` is set; each one goes when its regression test in
``tests/test_fuzz_regressions.py`` passes. None is open."""

KNOWN_HITS: Counter[str] = Counter()
"""How often each known failure came up, by its regression test."""

_STRICT: Final = os.environ.get("MESOTHERAPY_FUZZ_STRICT", "") not in {"", "0"}
_LIBRARY: Final = Path(meso.__file__).parent


def known(error: BaseException) -> Known | None:
    """The known failure that *error* (or the error it was raised from) is, if any."""
    cause = error.__cause__ if isinstance(error, CliFailure) and error.__cause__ else error
    frame = None
    trace = cause.__traceback__
    while trace is not None:
        if Path(trace.tb_frame.f_code.co_filename).parent == _LIBRARY:
            frame = trace.tb_frame
        trace = trace.tb_next
    if frame is None:
        return None
    module = Path(frame.f_code.co_filename).name
    for issue in KNOWN:
        if (
            isinstance(cause, issue.kind)
            and issue.module == module
            and issue.function == frame.f_code.co_name
        ):
            return issue
    return None


class Hang(AssertionError):
    """A call ran longer than `TIMEOUT` seconds."""


class CliFailure(AssertionError):
    """The command line ended in a way its contract does not allow."""


@contextlib.contextmanager
def _deadline(name: str) -> Iterator[None]:
    """Raise `Hang` in the block after `TIMEOUT` seconds (main thread, where signals go)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable or TIMEOUT <= 0:
        yield
        return

    def alarm(_signum: int, _frame: types.FrameType | None) -> None:
        raise Hang(f"{name}: no answer within {TIMEOUT:g} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, TIMEOUT)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _target(func: Callable[P, R]) -> Callable[P, R | None]:
    """Count the call, bound its time, and let only the library's own errors pass."""
    name = func.__name__

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R | None:
        COUNTS[name] += 1
        with _deadline(name):
            try:
                return func(*args, **kwargs)
            except meso.MesotherapyError as error:
                _check_message(error)
                return None
            except Exception as error:
                issue = None if _STRICT else known(error)
                if issue is None:
                    raise
                KNOWN_HITS[issue.test] += 1
                return None

    return run


def _check_message(error: meso.MesotherapyError) -> None:
    """A refusal says something: an empty or bare message is a failure too."""
    text = str(error)
    if not text.strip():
        msg = f"{type(error).__name__} with an empty message"
        raise AssertionError(msg) from error


def write_counts(path: str | os.PathLike[str] | None = None) -> None:
    """Add `COUNTS` and `KNOWN_HITS` to the JSON file at *path*, then clear them.

    The file (``MESOTHERAPY_FUZZ_COUNTS`` by default; nothing is written without one)
    holds ``{"inputs": {target: n}, "known": {test: n}}``, summed over the runs.
    """
    where = path if path is not None else os.environ.get("MESOTHERAPY_FUZZ_COUNTS")
    if not where:
        return
    file = Path(where)
    inputs: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    if file.exists():
        with contextlib.suppress(ValueError, OSError, TypeError, AttributeError):
            data = json.loads(file.read_text("utf-8"))
            inputs.update(data.get("inputs", {}))
            hits.update(data.get("known", {}))
    inputs.update(COUNTS)
    hits.update(KNOWN_HITS)
    document = {"inputs": dict(sorted(inputs.items())), "known": dict(sorted(hits.items()))}
    file.write_text(json.dumps(document, indent=2), "utf-8")
    COUNTS.clear()
    KNOWN_HITS.clear()


# --- Seeds: real objects and documents, for the targets to start from --------------------


@functools.cache
def _clinics() -> tuple[meso.Clinic, ...]:
    lunch = {day: [("09:00", "12:00"), ("13:00", "18:00")] for day in ("monday", "wednesday")}
    return (
        meso.example_clinic(),
        meso.example_clinic(holidays=None, timezone="Australia/Lord_Howe"),
        meso.Clinic(
            name="Night owls",
            timezone="Europe/London",
            hours={**lunch, "sunday": [("00:00", "03:30")], "saturday": [("22:00", "23:59")]},
            closures=[{"start": "2026-12-20", "end": "2027-01-05", "reason": "Winter"}],
            slot_minutes=5,
        ),
    )


@functools.cache
def seed_plans() -> tuple[meso.TreatmentPlan, ...]:
    """A few real plans: fresh, part done, with a cancellation and a missed session."""
    client = meso.Client(
        id="c-fuzz",
        birth_date="1985-03-02",
        medications=[{"code": "anticoagulant"}],
        concerns=["dullness", "thinning_hair"],
    )
    plans = []
    starts = (
        pendulum.datetime(2026, 10, 20, 9, tz="America/Toronto"),
        pendulum.datetime(2026, 9, 28, 10, tz="Australia/Lord_Howe"),
        pendulum.datetime(2027, 3, 28, 0, 30, tz="Europe/London"),
    )
    for clinic, start in zip(_clinics(), starts, strict=True):
        areas = ["face", "neck"] if clinic.slot_minutes == 15 else ["scalp"]
        result = meso.assess(client, areas, on=start.date())
        plan = meso.plan_series(result, areas, start=start, clinic=clinic, acknowledge_review=True)
        plans.append(plan)
        first, second = plan.active_sessions[:2]
        plans.append(plan.complete(first.index).cancel(second.index))
        plans.append(plan.no_show(first.index))
    return tuple(plans)


@functools.cache
def seed_documents() -> dict[str, str]:
    """Real JSON documents of each kind, named ``client``, ``rules``, ``assessment``..."""
    client = meso.Client(
        id="c-001",
        birth_date="1985-03-02",
        conditions=["autoimmune_disease"],
        allergies=["lidocaine"],
        medications=[{"code": "isotretinoin", "last_taken": "2026-09-01"}],
        skin_findings={"face": ["active_herpes"]},
        treatments=[{"kind": "botulinum_toxin", "area": "neck", "on": "2026-11-10"}],
        concerns=["dullness", "dryness"],
    )
    plans = seed_plans()
    schema_1 = Path(__file__).parent.parent / "tests" / "documents" / "plan-schema-1.json"
    documents = {
        "client": meso.to_json(client),
        "rules": meso.to_json(meso.default_rules()),
        "assessment": meso.to_json(meso.assess(client, ["face", "neck"], on="2026-11-25")),
        "plan": meso.to_json(plans[0]),
        "plan_done": meso.to_json(plans[1]),
        "plan_missed": meso.to_json(plans[2]),
        "plan_london": meso.to_json(plans[-2]),
    }
    if schema_1.exists():
        documents["plan_schema_1"] = schema_1.read_text("utf-8")
    return documents


DOCUMENT_TYPES: Final[Mapping[str, type[Any]]] = {
    "client": meso.Client,
    "rules": meso.RuleSet,
    "assessment": meso.Assessment,
    "plan": meso.TreatmentPlan,
}
"""The class each seed document reads back as, by the start of its name."""


def document_type(name: str) -> type[Any]:
    """The class that the seed document *name* reads back as."""
    return DOCUMENT_TYPES[name.split("_", maxsplit=1)[0]]


# --- Constructors --------------------------------------------------------------------------


@_target
def client(kwargs: Mapping[str, Any]) -> object:
    """``Client(**kwargs)``; *kwargs* keys are among the field names, ``birth_date`` set."""
    return meso.Client(**kwargs)


@_target
def client_from_dict(data: Any) -> object:
    """``mesotherapy.client_from_dict(data)`` on any value."""
    return meso.client_from_dict(data)


@_target
def medication(code: Any, last_taken: Any) -> object:
    """``Medication(code, last_taken=...)``."""
    return meso.Medication(code, last_taken=last_taken)


@_target
def prior_treatment(kind: Any, area: Any, on: Any) -> object:
    """``PriorTreatment(kind, area, on)``."""
    return meso.PriorTreatment(kind, area, on)


@_target
def skin_finding(area: Any, code: Any) -> object:
    """``SkinFinding(area, code)``."""
    return meso.SkinFinding(area, code)


@_target
def clinic(kwargs: Mapping[str, Any]) -> object:
    """``Clinic(**kwargs)``: name, timezone and hours always given, the rest optional."""
    return meso.Clinic(**kwargs)


@_target
def opening_hours(kwargs: Mapping[str, Any]) -> object:
    """``OpeningHours(**kwargs)`` with weekday names as keys."""
    return meso.OpeningHours(**kwargs)


@_target
def interval(start: Any, end: Any) -> object:
    """``Interval(start=..., end=...)``."""
    return meso.Interval(start=start, end=end)


@_target
def closure(kwargs: Mapping[str, Any]) -> object:
    """``Closure(**kwargs)``: start always given, end and reason optional."""
    return meso.Closure(**kwargs)


@_target
def client_event(name: Any, start: Any, end: Any, activities: Any) -> object:
    """``ClientEvent(name=..., start=..., end=..., activities=...)``."""
    return meso.ClientEvent(name=name, start=start, end=end, activities=activities)


@_target
def span_parse(text: Any) -> object:
    """``Span.parse(text)``, then what a rule does with a span: compare and apply it."""
    parsed = meso.Span.parse(text)
    _ = parsed <= meso.Span(days=1)
    parsed.after(pendulum.date(2026, 1, 31))
    parsed.before(pendulum.date(2026, 1, 31))
    if not parsed.has_calendar_units:
        parsed.elapsed()
    return parsed


@_target
def span(kwargs: Mapping[str, Any]) -> object:
    """``Span(**units)``."""
    return meso.Span(**kwargs)


@_target
def code_parse(which: str, value: Any, field: Any) -> object:
    """``Area.parse`` or ``Concern.parse`` (*which*) of *value*, naming *field*."""
    cls = meso.Area if which == "area" else meso.Concern
    return cls.parse(value, field=field)


# --- Operations ----------------------------------------------------------------------------


@_target
def assess(client: Any, areas: Any, on: Any, rules: Any) -> object:
    """``assess(client, areas, on=on, rules=rules)``, then the assessment's views."""
    result = meso.assess(client, areas, on=on, rules=rules)
    result.explain()
    # A document is read with the rules it was made with (`assess` accepted these).
    meso.from_json(meso.to_json(result), meso.Assessment, rules=rules)
    return result


@_target
def plan_series(
    assessment: Any,
    areas: Any,
    start: Any,
    clinic: Any,
    rules: Any,
    sessions: Any,
    interval: Any,
    acknowledge_review: Any,
) -> object:
    """``plan_series(...)``, then the plan's JSON read back."""
    plan = meso.plan_series(
        assessment,
        areas,
        start=start,
        clinic=clinic,
        rules=rules,
        sessions=sessions,
        interval=interval,
        acknowledge_review=acknowledge_review,
    )
    plan.explain()
    chosen = rules if isinstance(rules, meso.RuleSet) else None
    back = meso.from_json(meso.to_json(plan, rules=chosen), meso.TreatmentPlan, rules=chosen)
    if back != plan:
        msg = "from_json(to_json(plan)) differs from the plan"
        raise AssertionError(msg)
    return plan


OPERATIONS: Final = ("reschedule", "complete", "cancel", "no_show", "session", "next_session")


@_target
def plan_operation(plan: meso.TreatmentPlan, operation: str, index: Any, when: Any) -> object:
    """One operation on *plan*; the plan it was called on must come out unchanged."""
    before = meso.to_json(plan)
    try:
        if operation == "reschedule":
            return plan.reschedule(index, when)
        if operation == "complete":
            return plan.complete(index, when)
        if operation in {"cancel", "no_show"}:
            return getattr(plan, operation)(index)
        if operation == "session":
            return plan.session(index)
        return plan.next_session(when)
    finally:
        if meso.to_json(plan) != before:
            msg = f"{operation} changed the plan it was called on"
            raise AssertionError(msg)


@_target
def plan_aftercare(plan: meso.TreatmentPlan, activity: Any, at: Any, events: Any) -> object:
    """``aftercare(plan)``: ``may_i(activity, at)``, ``restricted_at(at)``, ``conflicts``."""
    care = meso.aftercare(plan)
    answers: list[object] = []
    with contextlib.suppress(meso.MesotherapyError):
        answers.append(care.may_i(activity, at))
    with contextlib.suppress(meso.MesotherapyError):
        answers.append(care.restricted_at(at))
    answers.append(care.conflicts(events))
    return answers


@_target
def timeline_on(plan: meso.TreatmentPlan, day: Any) -> object:
    """``expected_timeline(plan).on(day)``."""
    return meso.expected_timeline(plan).on(day)


@_target
def clinic_calendar(clinic: meso.Clinic, day: Any, time: Any, moment: Any, minutes: Any) -> object:
    """A clinic's questions: ``closed_reason``, ``hours_on``, ``at``, ``fits``, ``slots``."""
    found: list[object] = []
    for ask in (
        lambda: clinic.closed_reason(day),
        lambda: clinic.hours_on(day),
        lambda: clinic.holiday(day),
        lambda: clinic.at(day, time),
        lambda: clinic.fits(moment, minutes),
        lambda: list(clinic.slots(day, minutes)),
    ):
        with contextlib.suppress(meso.MesotherapyError):
            found.append(ask())
    return found


@_target
def exports(plan: Any, locale: Any, rules: Any, session: Any) -> object:
    """``to_json``, ``instructions``, ``to_ics`` and ``to_fhir`` of *plan*."""
    found: list[object] = []
    for ask in (
        lambda: meso.to_json(plan, rules=rules),
        lambda: meso.instructions(plan, locale=locale, rules=rules, session=session),
        lambda: meso.to_ics(plan, rules=rules),
        lambda: meso.to_fhir(plan, rules=rules),
    ):
        with contextlib.suppress(meso.MesotherapyError):
            found.append(ask())
    return found


# --- Loaders -------------------------------------------------------------------------------


def _write(name: str, data: bytes) -> Path:
    path = _DIR / name
    path.write_bytes(data)
    return path


@_target
def load_rules(data: bytes, extends_default: bool = False) -> object:
    """``load_rules`` of a file holding *data* (with the default rules as its base)."""
    base = meso.default_rules() if extends_default else None
    rules = meso.load_rules(_write("rules.toml", data), base=base)
    meso.dump_rules(rules)
    return rules


@_target
def rules_from_mapping(data: Any) -> object:
    """``rules_from_dict(data)``, the loader behind `load_rules` and ``from_json``."""
    return rules_from_dict(data)


@_target
def load_clinic(data: bytes) -> object:
    """``load_clinic`` of a file holding *data*."""
    return meso.load_clinic(_write("clinic.toml", data))


@_target
def from_json(text: str | bytes, cls: type[Any]) -> object:
    """``from_json(text, cls)``; what it reads must write back and read back equal."""
    obj = meso.from_json(text, cls)
    again = meso.from_json(meso.to_json(obj), cls)
    if again != obj:
        msg = f"from_json(to_json(x)) differs from x for a {cls.__name__}"
        raise AssertionError(msg)
    return obj


# --- The command line -------------------------------------------------------------------------

FILE_ARG: Final = re.compile(r"^@@(?P<name>[a-z_]+\.(?:json|toml))$")
"""An argument ``@@client.json`` stands for the path of that file among the given ones."""

_EXIT_CODES: Final = (0, 1, 2)


@_target
def cli(argv: Sequence[str], files: Mapping[str, bytes]) -> int:
    """``mesotherapy._cli.main(argv)`` in-process, with *files* written to a directory.

    Raises:
        CliFailure: an exception other than ``SystemExit``, an exit status other than 0, 1
            or 2, a traceback on stderr, or exit 2 without exactly one line on stderr.
    """
    paths = {name: _write(name, data) for name, data in files.items()}
    args = [_argument(arg, paths) for arg in argv]
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict", write_through=True)
    err = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code: object = cli_main(args)
            except SystemExit as stop:
                code = 0 if stop.code is None else stop.code
    except Hang:
        raise
    except Exception as error:
        msg = f"mesotherapy {_shown(args)} raised {type(error).__name__}: {error}"
        raise CliFailure(msg) from error
    _check_exit(args, code, err.getvalue())
    return int(code) if isinstance(code, int) else -1


def _argument(arg: str, paths: Mapping[str, Path]) -> str:
    match = FILE_ARG.match(arg)
    if match is None:
        return arg
    name = match["name"]
    return str(paths[name]) if name in paths else str(_DIR / "missing" / name)


def _check_exit(args: Sequence[str], code: object, stderr: str) -> None:
    shown = _shown(args)
    if code not in _EXIT_CODES:
        msg = f"mesotherapy {shown}: exit status {code!r}, expected 0, 1 or 2; stderr {stderr!r}"
        raise CliFailure(msg)
    if "Traceback (most recent call last)" in stderr:
        msg = f"mesotherapy {shown}: a traceback on stderr: {stderr!r}"
        raise CliFailure(msg)
    if code != 2:
        return
    lines = stderr.splitlines()
    if len(lines) == 1 and lines[0].startswith("mesotherapy: error: "):
        return  # one error line, as every refusal of the arguments themselves
    if tuple(args[:2]) in _CHECKS and len(args) == 3:
        # `rules check` and `clinic check` list every problem of the file, one a line.
        where = f"{args[2]}: "
        if lines and all(line.startswith(where) and line != where for line in lines):
            return
    msg = f"mesotherapy {shown}: exit 2 with stderr {stderr!r}, expected one error line"
    raise CliFailure(msg)


_CHECKS: Final = {("rules", "check"), ("clinic", "check")}
"""The commands whose refusal lists a file's problems, one a line, each after the file's name."""


def _shown(args: Sequence[str]) -> str:
    return " ".join(repr(arg) if not arg or set(arg) & set(" \t\n'\"") else arg for arg in args)


def client_document(data: Any) -> bytes:
    """A client file's bytes for *data* (JSON), or *data* itself when it is bytes."""
    if isinstance(data, bytes):
        return data
    return json.dumps(data, ensure_ascii=False).encode("utf-8", "surrogatepass")
