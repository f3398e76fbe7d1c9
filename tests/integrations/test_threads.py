"""Thread safety: what 8 threads compute at once is exactly what one thread computes alone.

Every test starts 8 threads together (a `threading.Barrier` behind a
`ThreadPoolExecutor`), with the interpreter switching threads as often as it can, and
compares each thread's results with results computed serially, down to the ``fold`` of
every instant (`exact.assert_exactly_equal`). The library's shared state is exercised
where it lives: the default rules and the other `functools` caches filled for the first
time by all threads at once (and, in a fresh interpreter, the first ``import`` and the
lazy loading of every module), a `Clinic`'s per-day memo of slots (``_walls_memo``) hit
by all threads for different days until it overflows and is cleared, the lru-cached
helpers of planning, and `plan_batch`, run by each thread and consumed from all of them.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Final, TypeVar

import attrs
import pendulum
import pytest

import mesotherapy as meso
from mesotherapy import _clinic, _clinic_checks, _convert, _i18n, _rules_io, _slots
from mesotherapy._clinic import WEEKDAYS
from tests.exact import assert_exactly_equal

T = TypeVar("T")
THREADS: Final = 8


# --- Running things together ---------------------------------------------------------------


@pytest.fixture(autouse=True)
def _switch_often() -> Iterator[None]:
    """Switch threads every microsecond, not every 5 ms: races show up far more often."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def together(work: Callable[[int], T], threads: int = THREADS) -> list[T]:
    """``work(n)`` for each thread number *n*, all threads released at the same moment."""
    barrier = threading.Barrier(threads)

    def run(number: int) -> T:
        barrier.wait(timeout=60)
        return work(number)

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(run, range(threads)))


# --- The cases: clinics, clients and requests ---------------------------------------------


def _every_day(zone: str, opens: str = "00:00", closes: str = "23:59") -> dict[str, Any]:
    return {
        "name": "Night Clinic",
        "timezone": zone,
        "hours": {day: [(opens, closes)] for day in WEEKDAYS},
        "holidays": None,
    }


CLINICS: Final[dict[str, dict[str, Any]]] = {
    "example": {
        "name": "Example Clinic",
        "timezone": "America/Toronto",
        "hours": {
            **{day: [("09:00", "12:00"), ("13:00", "18:00")] for day in WEEKDAYS[:5]},
            "saturday": [("10:00", "16:00")],
        },
        "closures": [{"start": "2026-12-21", "end": "2027-01-03", "reason": "Winter break"}],
        "holidays": "CA-ON",
    },
    "night toronto": _every_day("America/Toronto"),
    "night lord howe": _every_day("Australia/Lord_Howe"),
    "chatham": _every_day("Pacific/Chatham", "01:00", "05:00"),
    "london": {**_every_day("Europe/London", "08:00", "20:00"), "holidays": "GB"},
    "sydney": {**_every_day("Australia/Sydney", "09:00", "17:00"), "holidays": "AU-NSW"},
    "kathmandu": {**_every_day("Asia/Kathmandu", "10:00", "18:00"), "slot_minutes": 5},
}
"""Each clinic's arguments: the tests build fresh `Clinic` objects, each with an empty memo."""


def build_clinics() -> dict[str, meso.Clinic]:
    """A fresh clinic for each name of `CLINICS`."""
    return {name: meso.Clinic(**arguments) for name, arguments in CLINICS.items()}


@attrs.frozen
class Case:
    """One client's request at one of `CLINICS`."""

    clinic: str
    client: meso.Client
    areas: tuple[str, ...]
    start: pendulum.DateTime
    on: str
    sessions: int | None = None
    interval: int | None = None
    acknowledge_review: bool = False


def _at(zone: str, when: str) -> pendulum.DateTime:
    moment = pendulum.parse(when, tz=zone)
    assert isinstance(moment, pendulum.DateTime)
    return moment


ADULT: Final = {"birth_date": "1985-03-02", "concerns": ["dullness", "dryness"]}
CASES: Final = (
    Case(
        "example",
        meso.Client(id="t-01", **ADULT),
        ("face",),
        _at("America/Toronto", "2026-10-20T09:00"),
        "2026-10-01",
    ),
    Case(
        "example",
        meso.Client(id="t-02", birth_date="1970-06-30", concerns=["thinning_hair"]),
        ("scalp",),
        _at("America/Toronto", "2026-12-01T17:30"),
        "2026-11-20",
    ),
    Case(
        "night toronto",
        meso.Client(id="t-03", **ADULT),
        ("face", "neck"),
        _at("America/Toronto", "2026-10-31T01:45"),  # 24 h after: the repeated hour
        "2026-10-01",
        interval=21,
    ),
    Case(
        "night toronto",
        meso.Client(id="t-04", birth_date="1990-01-01", conditions=["autoimmune_disease"]),
        ("face",),
        _at("America/Toronto", "2027-03-14T01:45"),  # across the spring gap
        "2027-03-01",
        acknowledge_review=True,
    ),
    Case(
        "night lord howe",
        meso.Client(id="t-05", **ADULT),
        ("decolletage",),
        _at("Australia/Lord_Howe", "2026-04-05T01:15"),
        "2026-03-01",
        sessions=4,
    ),
    Case(
        "chatham",
        meso.Client(
            id="t-06",
            birth_date="1980-02-29",
            medications=[{"code": "isotretinoin", "last_taken": "2026-05-01"}],
        ),
        ("face",),
        _at("Pacific/Chatham", "2026-09-01T02:00"),  # deferred to 1 November, after the change
        "2026-09-01",
    ),
    Case(
        "london",
        meso.Client(id="t-07", birth_date="1975-10-10", concerns=["crepey_skin"]),
        ("hands", "neck"),
        _at("Europe/London", "2026-12-20T10:00"),
        "2026-12-01",
    ),
    Case(
        "sydney",
        meso.Client(id="t-08", **ADULT),
        ("face",),
        _at("Australia/Sydney", "2026-12-24T09:00"),
        "2026-12-01",
    ),
    Case(
        "kathmandu",
        meso.Client(id="t-09", **ADULT),
        ("face", "scalp"),
        _at("Asia/Kathmandu", "2027-01-01T10:05"),
        "2026-12-15",
    ),
    Case(  # not a candidate: the plan is refused
        "example",
        meso.Client(id="t-10", birth_date="1990-01-01", pregnant=True),
        ("face",),
        _at("America/Toronto", "2026-10-20T09:00"),
        "2026-10-01",
    ),
    Case(  # a review that is not acknowledged: refused
        "london",
        meso.Client(id="t-11", birth_date="1960-01-01", conditions=["heart_disease"]),
        ("face",),
        _at("Europe/London", "2026-03-29T09:00"),
        "2026-03-01",
    ),
    Case(  # more sessions than the protocol allows: refused
        "chatham",
        meso.Client(id="t-12", **ADULT),
        ("face", "neck", "decolletage", "hands"),
        _at("Pacific/Chatham", "2026-04-05T03:00"),
        "2026-03-01",
        sessions=9,
    ),
)


@attrs.frozen
class Refused:
    """A refusal by the library, as a value: exceptions compare by identity, this by value."""

    kind: str
    message: str


def _attempt(compute: Callable[[], T]) -> T | Refused:
    """The value, or the library's refusal: a refusal is a result to compare too."""
    try:
        return compute()
    except meso.MesotherapyError as error:
        return Refused(type(error).__name__, str(error))


def pipeline(case: Case, clinics: dict[str, meso.Clinic]) -> dict[str, Any]:
    """Everything the library derives for *case*: assessment, plan, operations and views."""
    assessment = meso.assess(case.client, case.areas, on=case.on)
    found: dict[str, Any] = {"assessment": assessment, "explain": assessment.explain()}
    planned = _attempt(
        lambda: meso.plan_series(
            assessment,
            case.areas,
            start=case.start,
            clinic=clinics[case.clinic],
            sessions=case.sessions,
            interval=case.interval,
            acknowledge_review=case.acknowledge_review,
        )
    )
    found["plan"] = planned
    if isinstance(planned, Refused):
        return found
    plan = planned
    first = plan.sessions[0]
    care = meso.aftercare(plan)
    found |= {
        "plan explain": plan.explain(),
        "aftercare": care,
        "may I wear makeup": care.may_i("makeup", first.end.add(hours=12)),
        "conflicts": care.conflicts(
            [
                meso.ClientEvent(
                    name="Wedding",
                    start=first.end.add(hours=2),
                    end=first.end.add(hours=8),
                    activities=["makeup", "exercise"],
                )
            ]
        ),
        "timeline": meso.expected_timeline(plan),
        "json": meso.to_json(plan),
        "ics": meso.to_ics(plan),
        "instructions": meso.instructions(plan),
        "instructions fr_CA": meso.instructions(plan, locale="fr_CA", session=1),
        "completed, missed, cancelled": _attempt(lambda: plan.complete(1).no_show(2).cancel(3)),
        "rescheduled": _attempt(lambda: plan.reschedule(2, plan.sessions[1].start.add(days=2))),
    }
    found["read back"] = meso.from_json(found["json"], meso.TreatmentPlan)
    return found


def everything(clinics: dict[str, meso.Clinic], first: int = 0) -> dict[int, dict[str, Any]]:
    """`pipeline` for every case, starting from case *first* (each thread its own order)."""
    order = [*range(first, len(CASES)), *range(first)]
    found = {n: pipeline(CASES[n], clinics) for n in order}
    return {n: found[n] for n in range(len(CASES))}


@functools.cache
def serial() -> dict[int, dict[str, Any]]:
    """The results computed by one thread alone, at its own clinics."""
    return everything(build_clinics())


# --- The tests -----------------------------------------------------------------------------


def test_the_cases_cover_plans_and_refusals() -> None:
    results = serial()
    refused = {n: found["plan"].kind for n, found in results.items() if "json" not in found}
    assert refused == dict.fromkeys([9, 10, 11], "SchedulingError")
    rescheduled = [found["rescheduled"] for found in results.values() if "json" in found]
    assert any(isinstance(r, Refused) for r in rescheduled)
    assert any(isinstance(r, meso.TreatmentPlan) for r in rescheduled)
    # The Toronto series across the autumn change holds an instant of the repeated hour.
    assert any(w.end.fold == 1 for w in results[2]["aftercare"].windows)


def test_plans_computed_by_eight_threads_at_once_are_those_computed_serially() -> None:
    expected = serial()
    shared = build_clinics()  # every thread plans at the same clinic objects
    for got in together(lambda number: everything(shared, first=number % len(CASES))):
        assert_exactly_equal(got, expected, "results")


def _fresh_default_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    """Empty every cache of the library, the default rules' included.

    The default rules' cache is replaced, not cleared, so that the object it held stays
    `default_rules()` for the tests that follow (one of them checks it is cached).
    """
    fresh = functools.cache(_rules_io.load_default.__wrapped__)
    monkeypatch.setattr(_rules_io, "load_default", fresh)
    for cached in (
        _clinic_checks._zone,
        _clinic_checks._holiday_problems,
        _clinic._holiday_names,
        _slots._nearest_first,
        _convert.converter,
        _i18n._load,
    ):
        cached.cache_clear()


def test_caches_filled_by_eight_threads_at_once_give_the_serial_results(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    expected = serial()
    _fresh_default_rules(monkeypatch)
    assert _rules_io.load_default.cache_info().currsize == 0
    assert _clinic._holiday_names.cache_info().currsize == 0

    def work(number: int) -> tuple[meso.RuleSet, dict[int, dict[str, Any]]]:
        rules = meso.default_rules()  # all threads load the rules at once
        clinics = build_clinics()  # ...and read the holidays and zones at once
        return rules, everything(clinics, first=number % len(CASES))

    results = together(work)
    shipped = meso.load_rules(Path(meso.__file__).parent / "rules" / "default.toml")
    for rules, got in results:
        assert rules == shipped
        assert_exactly_equal(got, expected, "results")
    assert _rules_io.load_default.cache_info().currsize == 1


DAYS: Final = tuple(pendulum.date(2026, 1, 1).add(days=n) for n in range(1500))
"""Enough days that the memo overflows (three lengths a day: 4 500 entries over 4 096)."""
CHANGES: Final = (
    pendulum.date(2026, 3, 8),
    pendulum.date(2026, 11, 1),
    pendulum.date(2027, 3, 14),
    pendulum.date(2027, 11, 7),
)
"""Toronto's DST changes: days of the memo that every thread asks about."""
LENGTHS: Final = (30, 45, 60)


def _answers(clinic: meso.Clinic, days: tuple[pendulum.Date, ...]) -> dict[Any, Any]:
    """What *clinic* says of each of *days*: its slots, and three questions about them."""
    found: dict[Any, Any] = {}
    for day in days:
        for minutes in LENGTHS:
            slots = tuple(clinic.slots(day, minutes))
            found[day, minutes] = (
                slots,
                clinic.first_slot(day, minutes, not_before=clinic.at(day, "00:00")),
                clinic.nearest_slot(day, minutes, 13 * 60 + 7, not_before=clinic.at(day, "00:00")),
                [clinic.fits(slot, minutes) for slot in slots[::7]],
            )
    return found


def test_a_clinic_shared_by_eight_threads_answers_for_every_day_as_a_fresh_one() -> None:
    shared = meso.Clinic(
        name="Shared",
        timezone="America/Toronto",
        hours={
            day: [("00:30", "03:30"), ("09:00", "12:00"), ("21:00", "23:59")] for day in WEEKDAYS
        },
        holidays="CA-ON",
        slot_minutes=30,
    )
    # Each thread asks about its own share of the days, and all of them about the changes.
    shares = [(*DAYS[number::THREADS], *CHANGES) for number in range(THREADS)]
    got = together(lambda number: _answers(shared, shares[number]))
    fresh = attrs.evolve(shared)
    assert fresh._walls_memo == {}
    for share, answers in zip(shares, got, strict=True):
        assert_exactly_equal(answers, _answers(fresh, share), "answers")
    # After all that, the shared memo still answers as a fresh clinic does.
    # Every thread added its days: the memo overflowed and forgot the oldest meanwhile.
    assert len(shared._walls_memo) < len(DAYS) * len(LENGTHS)
    again = attrs.evolve(shared)
    assert_exactly_equal(_answers(shared, CHANGES), _answers(again, CHANGES), "after")


def _requests() -> list[meso.PlanRequest]:
    starts = [
        pendulum.datetime(2026, 10, 1, 9, tz="America/Toronto").add(days=n) for n in range(40)
    ]
    clients = [meso.Client(id=f"b-{n}", **ADULT) for n in range(len(starts))]
    requests = [
        meso.PlanRequest(client=client, areas=["face"], start=start)
        for client, start in zip(clients, starts, strict=True)
    ]
    refused = meso.Client(id="b-refused", birth_date="1990-01-01", pregnant=True)
    requests[7] = meso.PlanRequest(client=refused, areas=["face"], start=starts[7])
    return requests


def test_plan_batch_run_by_eight_threads_at_once_gives_the_serial_outcomes() -> None:
    requests = _requests()
    expected = list(meso.plan_batch(requests, clinic=meso.Clinic(**CLINICS["example"])))
    assert [o.ok for o in expected].count(False) == 1
    shared = meso.Clinic(**CLINICS["example"])
    for got in together(lambda _: list(meso.plan_batch(requests, clinic=shared))):
        assert_exactly_equal(got, expected, "outcomes")


def test_one_plan_batch_consumed_from_eight_threads_gives_each_outcome_once() -> None:
    requests = _requests()
    expected = list(meso.plan_batch(requests, clinic=meso.Clinic(**CLINICS["example"])))
    batch = enumerate(meso.plan_batch(requests, clinic=meso.Clinic(**CLINICS["example"])))
    lock = threading.Lock()  # a generator runs in one thread at a time: take turns

    def drain(_: int) -> list[tuple[int, meso.PlanOutcome]]:
        taken: list[tuple[int, meso.PlanOutcome]] = []
        while True:
            with lock:
                item = next(batch, None)
            if item is None:
                return taken
            taken.append(item)

    got = sorted((item for items in together(drain) for item in items), key=lambda i: i[0])
    assert [n for n, _ in got] == list(range(len(requests)))
    assert_exactly_equal([outcome for _, outcome in got], expected, "outcomes")


COLD_START: Final = r"""
import json, sys, threading
from concurrent.futures import ThreadPoolExecutor

sys.setswitchinterval(1e-6)
barrier = threading.Barrier(8)


def texts(number):
    import pendulum
    import mesotherapy as meso

    clinic = meso.example_clinic()
    client = meso.Client(id=f"cold-{number % 2}", birth_date="1985-03-02")
    result = meso.assess(client, ["face", "neck"], on="2026-10-01")
    plan = meso.plan_series(
        result, ["face", "neck"], clinic=clinic,
        start=pendulum.datetime(2026, 10, 20, 9, tz="America/Toronto"))
    return [
        result.explain(), plan.explain(), meso.to_json(plan), meso.to_ics(plan),
        meso.instructions(plan, locale="fr_CA"), repr(meso.aftercare(plan)),
        repr(meso.expected_timeline(plan)),
    ]


def run(number):
    barrier.wait(timeout=60)
    return texts(number)


with ThreadPoolExecutor(8) as pool:
    together = list(pool.map(run, range(8)))
print(json.dumps({"together": together, "serial": [texts(0), texts(1)]}))
"""
"""A fresh interpreter: 8 threads import the library and use it for the first time at once."""


def test_the_first_import_and_first_use_from_eight_threads_at_once_agree_with_serial() -> None:
    done = subprocess.run(
        [sys.executable, "-c", COLD_START], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    serial_texts = found["serial"]
    for number, texts in enumerate(found["together"]):
        assert texts == serial_texts[number % 2], f"thread {number}"
