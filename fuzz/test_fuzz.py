"""Malformed input at every public entry point: only the library's own errors may come out.

Run with ``python -m pytest fuzz`` (or ``nox -s fuzz``); ``MESOTHERAPY_FUZZ_EXAMPLES``
sets the examples a target (200 by default, for a quick try). Each target's inputs are
counted and the counts printed at the end (see ``conftest.py``).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, Final

import pendulum
import pytest
import tomli_w
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from tests.plan_strategies import clinics, plan_requests, starts
from tests.strategies import clients as rule_clients
from tests.strategies import rule_sets

import mesotherapy as meso
from mesotherapy._clinic import WEEKDAYS
from mesotherapy._rules_io import rules_to_dict

# pytest's importlib mode puts no directory on sys.path but the root (pyproject's pythonpath,
# for `tests`); the harness is no package, and mypy reads its files as top-level modules:
# importing them as such works for both.
sys.path.insert(0, str(Path(__file__).parent))
import garbage as g
import targets

EXAMPLES: Final = int(os.environ.get("MESOTHERAPY_FUZZ_EXAMPLES", "200"))
"""Examples a target gets (some targets get a multiple)."""

EXAMPLES_DIR: Final = Path(__file__).parent.parent / "docs" / "examples"


def fuzz_settings(weight: float = 1.0) -> settings:
    """Settings for a target: ``EXAMPLES * weight`` examples, no deadline, no database."""
    return settings(
        max_examples=max(1, int(EXAMPLES * weight)),
        deadline=None,
        derandomize=False,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )


def _seed(name: str) -> Any:
    return json.loads(targets.seed_documents()[name])


RULES: Final = meso.default_rules()


def _utf8(text: str) -> bytes:
    """*text* as a file's bytes; a lone surrogate in it written as such (not valid UTF-8)."""
    return text.encode("utf-8", "surrogatepass")


def _loads(text: str) -> Any:
    """*text* as the mapping a caller would pass; too deep for `json` to build, rejected.

    The nesting that `json.loads` cannot build is no input to a function taking mappings;
    the text itself still goes to the loaders that read text (`from_json`, the files).
    """
    try:
        return json.loads(text)
    except RecursionError:
        reject()


# --- Constructors --------------------------------------------------------------------------

_CLIENT_FIELDS: Final = {
    "id": g.with_garbage(st.none() | st.from_regex(r"c-[0-9]{3}", fullmatch=True)),
    "pregnant": g.with_garbage(st.booleans()),
    "breastfeeding": g.with_garbage(st.booleans()),
    "conditions": g.with_garbage(st.lists(g.texts(), max_size=3)),
    "allergies": g.with_garbage(st.lists(g.texts(), max_size=3)),
    "medications": g.with_garbage(
        st.lists(
            st.fixed_dictionaries(
                {"code": g.with_garbage(g.texts(), 3)},
                optional={"last_taken": g.with_garbage(g.dates(), 2)},
            )
            | st.builds(meso.Medication, st.sampled_from(["isotretinoin"])),
            max_size=3,
        )
    ),
    "skin_findings": g.with_garbage(
        st.dictionaries(g.texts(), st.lists(g.texts(), max_size=2), max_size=2)
        | st.lists(st.tuples(g.texts(), g.texts()) | st.lists(g.python_values()), max_size=2)
    ),
    "treatments": g.with_garbage(
        st.lists(
            st.fixed_dictionaries(
                {"kind": g.with_garbage(g.texts(), 3), "area": g.texts(), "on": g.dates()},
                optional={"unexpected": g.python_values()},
            ),
            max_size=3,
        )
    ),
    "concerns": g.with_garbage(st.lists(g.texts(), max_size=3)),
}


@fuzz_settings()
@given(
    st.fixed_dictionaries(
        {"birth_date": g.with_garbage(g.dates(), 2)}, optional=dict(_CLIENT_FIELDS)
    )
)
def test_client(kwargs: dict[str, Any]) -> None:
    targets.client(kwargs)


@fuzz_settings()
@given(
    st.one_of(
        g.python_values(),
        g.mutated_documents(_seed("client")).map(_loads),
        st.dictionaries(g.texts(), g.python_values(), max_size=4),
    )
)
def test_client_from_dict(data: Any) -> None:
    targets.client_from_dict(data)


@fuzz_settings()
@given(g.with_garbage(g.texts(), 3), g.with_garbage(st.none() | g.dates(), 2))
def test_medication(code: Any, last_taken: Any) -> None:
    targets.medication(code, last_taken)


@fuzz_settings()
@given(g.with_garbage(g.texts(), 3), g.with_garbage(g.texts(), 2), g.with_garbage(g.dates(), 2))
def test_prior_treatment(kind: Any, area: Any, on: Any) -> None:
    targets.prior_treatment(kind, area, on)


@fuzz_settings()
@given(g.with_garbage(g.texts(), 2), g.with_garbage(g.texts(), 2))
def test_skin_finding(area: Any, code: Any) -> None:
    targets.skin_finding(area, code)


def _intervals() -> st.SearchStrategy[Any]:
    pair = st.tuples(g.local_times(), g.local_times())
    return g.with_garbage(
        st.lists(
            g.with_garbage(pair | st.lists(g.local_times(), max_size=3), 3)
            | st.builds(meso.Interval, start=st.just("09:00"), end=st.just("10:00")),
            max_size=3,
        ),
        3,
    )


_HOURS: Final = g.with_garbage(
    st.dictionaries(
        st.sampled_from(WEEKDAYS) | st.sampled_from(("Monday", " friday", "funday")) | g.texts(),
        _intervals(),
        max_size=4,
    ),
    3,
)
_CLOSURES: Final = st.lists(
    g.with_garbage(
        st.fixed_dictionaries(
            {"start": g.with_garbage(g.dates(), 3)},
            optional={
                "end": g.with_garbage(g.dates(), 3),
                "reason": g.with_garbage(st.none() | g.texts(), 2),
            },
        ),
        3,
    ),
    max_size=3,
)


@fuzz_settings()
@given(
    st.fixed_dictionaries(
        {
            "name": g.with_garbage(g.texts(), 3),
            "timezone": g.with_garbage(st.sampled_from(g.ZONES) | g.texts(), 3),
            "hours": _HOURS,
        },
        optional={
            "closures": g.with_garbage(_CLOSURES, 3),
            "holidays": g.with_garbage(
                st.sampled_from(("CA-ON", "CA", "GB", "FR", "US-NY", "XX", "CA-ZZ", "ca-on"))
                | st.none(),
                2,
            ),
            "holiday_categories": g.with_garbage(
                st.lists(
                    st.sampled_from(("public", "optional", "bank", "government", "nope")),
                    max_size=3,
                ),
                2,
            ),
            "slot_minutes": g.with_garbage(st.integers(min_value=-5, max_value=2000), 2),
        },
    )
)
def test_clinic(kwargs: dict[str, Any]) -> None:
    targets.clinic(kwargs)


@fuzz_settings()
@given(st.dictionaries(st.sampled_from(WEEKDAYS), _intervals(), max_size=7))
def test_opening_hours(kwargs: dict[str, Any]) -> None:
    targets.opening_hours(kwargs)


@fuzz_settings()
@given(g.with_garbage(g.local_times(), 3), g.with_garbage(g.local_times(), 3))
def test_interval(start: Any, end: Any) -> None:
    targets.interval(start, end)


@fuzz_settings()
@given(
    st.fixed_dictionaries(
        {"start": g.with_garbage(g.dates(), 3)},
        optional={"end": g.with_garbage(g.dates(), 3), "reason": g.python_values()},
    )
)
def test_closure(kwargs: dict[str, Any]) -> None:
    targets.closure(kwargs)


_ACTIVITIES: Final = ("makeup", "sun", "exercise", "sauna_steam", "alcohol", "nope")


@fuzz_settings()
@given(
    g.with_garbage(g.texts(), 3),
    g.with_garbage(g.instants(), 3),
    g.with_garbage(g.instants(), 3),
    g.with_garbage(
        st.lists(st.sampled_from(_ACTIVITIES) | g.texts(), max_size=3)
        | st.sampled_from(_ACTIVITIES),
        3,
    ),
)
def test_client_event(name: Any, start: Any, end: Any, activities: Any) -> None:
    targets.client_event(name, start, end, activities)


@fuzz_settings(2)
@given(
    st.one_of(
        st.from_regex(
            r"P([0-9]{1,25}Y)?([0-9]{1,25}M)?([0-9]{1,25}W)?([0-9]{1,25}D)?"
            r"(T([0-9]{1,25}H)?([0-9]{1,25}M)?)?",
            fullmatch=True,
        ),
        st.from_regex(r"P[0-9YMWDTHS.,+-]{0,12}", fullmatch=True),
        g.python_values(),
    )
)
def test_span_parse(text: Any) -> None:
    targets.span_parse(text)


_UNITS: Final = ("years", "months", "weeks", "days", "hours", "minutes")


@fuzz_settings()
@given(
    st.dictionaries(
        st.sampled_from(_UNITS),
        g.with_garbage(st.integers(min_value=-3, max_value=10**6) | st.sampled_from((10**30,))),
        max_size=6,
    )
)
def test_span(kwargs: dict[str, Any]) -> None:
    targets.span(kwargs)


@fuzz_settings()
@given(st.sampled_from(("area", "concern")), g.python_values(), g.with_garbage(g.texts()))
def test_code_parse(which: str, value: Any, field: Any) -> None:
    targets.code_parse(which, value, field)


# --- Assessments and plans -----------------------------------------------------------------


@st.composite
def _assess_inputs(draw: st.DrawFn) -> tuple[Any, Any, Any, Any]:
    rules = draw(st.sampled_from((None, RULES)) | rule_sets())
    valid_rules = rules if isinstance(rules, meso.RuleSet) else RULES
    client = draw(
        rule_clients(valid_rules)
        | st.builds(
            lambda birth, kind, area, on: meso.Client(
                birth_date=birth, treatments=[{"kind": kind, "area": area, "on": on}]
            ),
            st.dates(),
            st.sampled_from(sorted(valid_rules.contraindications.treatments)),
            st.sampled_from(meso.Area),
            st.dates(),
        )
        | st.builds(
            lambda birth, last: meso.Client(
                birth_date=birth, medications=[{"code": "isotretinoin", "last_taken": last}]
            ),
            st.dates(),
            st.dates(),
        )
        | g.python_values()
    )
    on = draw(g.with_garbage(g.dates(), 3))
    if draw(st.integers(min_value=0, max_value=5)) == 0:
        rules = draw(g.python_values())
    return client, draw(g.areas()), on, rules


@fuzz_settings()
@given(_assess_inputs())
def test_assess(inputs: tuple[Any, Any, Any, Any]) -> None:
    targets.assess(*inputs)


@st.composite
def _plan_inputs(draw: st.DrawFn) -> dict[str, Any]:
    request = draw(plan_requests(plannable=draw(st.booleans())))
    inputs: dict[str, Any] = {
        "assessment": request.assessment(),
        "areas": request.areas,
        "start": request.start,
        "clinic": request.clinic,
        "rules": None,
        "sessions": request.sessions,
        "interval": request.interval,
        "acknowledge_review": request.acknowledge_review,
    }
    odd = {
        "assessment": g.python_values(),
        "areas": g.areas(),
        "start": g.instants() | starts(request.clinic.timezone) | g.python_values(),
        "clinic": clinics() | g.python_values(),
        "rules": rule_sets() | g.python_values(),
        "sessions": st.integers(min_value=-3, max_value=40) | g.python_values(),
        "interval": st.integers(min_value=-3, max_value=400) | g.python_values(),
        "acknowledge_review": g.python_values(),
    }
    for key in draw(st.sets(st.sampled_from(sorted(odd)), max_size=3)):
        inputs[key] = draw(odd[key])
    return inputs


@fuzz_settings()
@given(_plan_inputs())
def test_plan_series(inputs: dict[str, Any]) -> None:
    targets.plan_series(**inputs)


PLANS: Final = targets.seed_plans()


@st.composite
def _near(draw: st.DrawFn, plan: meso.TreatmentPlan) -> Any:
    """An instant near one of *plan*'s sessions, in its zone or another, or anything."""
    session = draw(st.sampled_from(plan.sessions))
    moment = session.start.add(
        days=draw(st.integers(min_value=-40, max_value=60)),
        minutes=draw(st.sampled_from((0, 0, 15, -15, 1, 30, 60 * 9, -60 * 9))),
    )
    zone = draw(st.sampled_from((plan.timezone, *g.ZONES)))
    return draw(
        st.sampled_from((moment, moment.in_timezone(zone), moment.naive(), None))
        | g.instants()
        | g.python_values()
    )


@fuzz_settings(2)
@given(st.data())
def test_plan_operation(data: st.DataObject) -> None:
    plan = data.draw(st.sampled_from(PLANS))
    operation = data.draw(st.sampled_from(targets.OPERATIONS))
    index = data.draw(
        g.with_garbage(st.integers(min_value=-1, max_value=len(plan.sessions) + 2), 4)
    )
    targets.plan_operation(plan, operation, index, data.draw(_near(plan)))


@fuzz_settings()
@given(st.data())
def test_plan_aftercare(data: st.DataObject) -> None:
    plan = data.draw(st.sampled_from(PLANS))
    activity = data.draw(g.with_garbage(st.sampled_from(_ACTIVITIES), 3))
    event = st.builds(
        lambda start, hours, acts: meso.ClientEvent(
            name="event", start=start, end=start.add(hours=hours), activities=acts
        ),
        _near(plan).filter(lambda m: isinstance(m, pendulum.DateTime) and m.tzinfo is not None),
        st.integers(min_value=1, max_value=200),
        st.lists(st.sampled_from(_ACTIVITIES[:-1]), max_size=3),
    )
    events = data.draw(g.with_garbage(st.lists(g.with_garbage(event, 5), max_size=3), 4))
    targets.plan_aftercare(plan, activity, data.draw(_near(plan)), events)


@fuzz_settings()
@given(st.sampled_from(PLANS), g.with_garbage(g.dates(), 2))
def test_timeline_on(plan: meso.TreatmentPlan, day: Any) -> None:
    targets.timeline_on(plan, day)


@fuzz_settings()
@given(
    st.sampled_from([plan.clinic for plan in PLANS]) | clinics(),
    g.with_garbage(g.dates(), 3),
    g.with_garbage(g.local_times(), 3),
    g.with_garbage(g.instants(), 3),
    g.with_garbage(st.integers(min_value=-2, max_value=24 * 60 + 5), 3),
)
def test_clinic_calendar(
    clinic: meso.Clinic, day: Any, time: Any, moment: Any, minutes: Any
) -> None:
    targets.clinic_calendar(clinic, day, time, moment, minutes)


@fuzz_settings(0.5)
@given(
    g.with_garbage(st.sampled_from(PLANS), 4),
    g.with_garbage(st.sampled_from(("en", "fr_CA", "fr-ca", "EN", "de", "")), 3),
    g.with_garbage(st.sampled_from((None, RULES)), 3),
    g.with_garbage(st.none() | st.integers(min_value=-1, max_value=8), 3),
)
def test_exports(plan: Any, locale: Any, rules: Any, session: Any) -> None:
    targets.exports(plan, locale, rules, session)


# --- Loaders -------------------------------------------------------------------------------

_RULES_DATA: Final = rules_to_dict(RULES)
_RULES_TOML: Final = tomli_w.dumps(_RULES_DATA).encode()
_CLINIC_RULES: Final = (EXAMPLES_DIR / "clinic-rules.toml").read_bytes()
_CLINIC_TOML: Final = (EXAMPLES_DIR / "clinic.toml").read_bytes()


def _clinic_data() -> dict[str, Any]:
    import tomllib  # noqa: PLC0415

    return tomllib.loads(_CLINIC_TOML.decode())


@fuzz_settings(1.5)
@given(
    st.one_of(
        g.toml_documents(_RULES_DATA, tomli_w.dumps),
        g.mutated_bytes(_RULES_TOML),
        g.mutated_bytes(_CLINIC_RULES),
        st.binary(max_size=200),
    ),
    st.booleans(),
)
def test_load_rules(data: bytes, extends_default: bool) -> None:
    targets.load_rules(data, extends_default)


@fuzz_settings()
@given(
    g.mutated_documents(_RULES_DATA).map(_loads)
    | g.mutated_documents(
        {"extends": "default", "name": "Mine", "version": "1", "aftercare": {"makeup": {}}}
    ).map(_loads)
    | g.python_values()
)
def test_rules_from_mapping(data: Any) -> None:
    targets.rules_from_mapping(data)


@fuzz_settings(1.5)
@given(
    st.one_of(
        g.toml_documents(_clinic_data(), tomli_w.dumps),
        g.mutated_bytes(_CLINIC_TOML),
        st.binary(max_size=200),
    )
)
def test_load_clinic(data: bytes) -> None:
    targets.load_clinic(data)


DOCUMENTS: Final = sorted(targets.seed_documents())


@fuzz_settings(3)
@given(st.data())
def test_from_json(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(DOCUMENTS))
    seed = targets.seed_documents()[name]
    text: str | bytes = data.draw(
        st.one_of(
            g.mutated_documents(json.loads(seed)),
            g.mutated_bytes(seed.encode()),
            g.json_values().map(lambda v: json.dumps(v, allow_nan=True)),
            st.binary(max_size=64),
        )
    )
    # Any class for any document: a plan read as a client must be refused just as well.
    cls = data.draw(
        st.just(targets.document_type(name))
        | st.sampled_from(list(targets.DOCUMENT_TYPES.values()))
    )
    targets.from_json(text, cls)


# --- The command line ------------------------------------------------------------------------

_CLIENT_FILES: Final = sorted(EXAMPLES_DIR.glob("*.json"))


def _option(flag: str, values: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    """``[flag, value]``, ``[flag=value]``, ``[]``, or the flag without its value."""
    return st.one_of(
        st.just([]),
        values.map(lambda v: [flag, v]),
        values.map(lambda v: [f"{flag}={v}"]),
        st.just([flag]),
    )


def _cli_texts(valid: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(valid, valid, g.texts().filter(lambda t: "\x00" not in t), g.date_texts())


_CLI_AREAS: Final = _cli_texts(
    st.lists(st.sampled_from(("face", "neck", "scalp", "hands", "decolletage")), min_size=1).map(
        ",".join
    )
)
_CLI_DATES: Final = _cli_texts(st.sampled_from(("2026-10-20", "2026-11-25", "2027-03-01")))
_CLI_STARTS: Final = _cli_texts(
    st.sampled_from(
        ("2026-10-20T09:00", "2026-10-24 10:30", "2027-03-14T02:30", "2026-11-01T01:30")
    )
    | st.from_regex(r"20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]", fullmatch=True)
)
_CLI_ZONES: Final = _cli_texts(st.sampled_from(g.ZONES))
_CLI_NUMBERS: Final = _cli_texts(st.integers(min_value=-5, max_value=60).map(str)) | st.just(
    "9" * 30
)
_RULE_FILES: Final = st.sampled_from(("@@rules.toml", "@@rules.toml", "@@missing.toml"))
_CLINIC_FILES: Final = st.sampled_from(("@@clinic.toml", "@@clinic.toml", "@@missing.toml"))


@st.composite
def _argv(draw: st.DrawFn) -> list[str]:
    command = draw(st.sampled_from(("assess", "plan", "plan", "rules show", "rules check", "demo")))
    argv = command.split()
    client = draw(st.sampled_from(("@@client.json", "@@client.json", "@@missing.json")))
    if command in {"assess", "plan"}:
        argv += [client, *draw(_option("--areas", _CLI_AREAS))]
        argv += draw(_option("--on", _CLI_DATES))
        argv += draw(_option("--tz", _CLI_ZONES))
        argv += draw(_option("--rules", _RULE_FILES))
    if command == "assess":
        argv += draw(_option("--format", _cli_texts(st.sampled_from(("text", "json")))))
    if command == "plan":
        argv += draw(_option("--start", _CLI_STARTS))
        argv += draw(_option("--clinic", _CLINIC_FILES))
        argv += draw(_option("--holidays", _cli_texts(st.sampled_from(("CA-ON", "GB", "XX")))))
        argv += draw(_option("--sessions", _CLI_NUMBERS))
        argv += draw(_option("--interval-days", _CLI_NUMBERS))
        argv += draw(_option("--locale", _cli_texts(st.sampled_from(("en", "fr_CA", "de")))))
        argv += draw(
            _option("--format", _cli_texts(st.sampled_from(("text", "json", "ics", "fhir"))))
        )
        if draw(st.booleans()):
            argv.append("--acknowledge-review")
    if command == "rules show":
        argv += draw(_option("--rules", _RULE_FILES))
    if command == "rules check":
        argv.append(draw(_RULE_FILES))
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        argv.insert(
            draw(st.integers(min_value=0, max_value=len(argv))),
            draw(g.texts().filter(lambda t: "\x00" not in t)),
        )
    return argv


@st.composite
def _files(draw: st.DrawFn) -> dict[str, bytes]:
    client = draw(
        st.sampled_from(_CLIENT_FILES).map(lambda p: p.read_bytes())
        | st.sampled_from(_CLIENT_FILES).flatmap(
            lambda p: g.mutated_documents(json.loads(p.read_text())).map(_utf8)
        )
        | st.sampled_from(_CLIENT_FILES).flatmap(lambda p: g.mutated_bytes(p.read_bytes()))
    )
    rules = draw(st.just(_CLINIC_RULES) | g.mutated_bytes(_CLINIC_RULES))
    clinic = draw(st.just(_CLINIC_TOML) | g.mutated_bytes(_CLINIC_TOML))
    return {"client.json": client, "rules.toml": rules, "clinic.toml": clinic}


@fuzz_settings()
@given(_argv(), _files())
def test_cli(argv: list[str], files: dict[str, bytes]) -> None:
    targets.cli(argv, files)


def test_the_seeds_are_valid() -> None:
    """The seeds read back as themselves: the mutations start from real documents."""
    for name, text in targets.seed_documents().items():
        cls = targets.document_type(name)
        assert meso.from_json(text, cls) is not None, name
    assert all(isinstance(plan, meso.TreatmentPlan) for plan in PLANS)


pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
