"""Benchmarks of mesotherapy, each beside a standard-library baseline: ``nox -s bench``.

Prints, for the same inputs in the same run:

- the full pipeline for one client (assess, a 4-session plan, aftercare, timeline), and
  assess and plan alone, each beside its target;
- plans per second over a batch of clients from `plan_batch`, with memory along the way;
- the time ``import mesotherapy`` adds to its dependencies' own import time;
- booking a 4-session series into a diary of 5 practitioners and 3 rooms with a year of
  existing claims (20 000 busy intervals), beside booking it into the same diary empty,
  and the cost per client of booking 1 000 clients in a row into the busy diary;
- reading a practitioner's year of calendar (`busy_from_ics`), against one second.

Each figure is printed beside the floor of `baseline.py` (the same pipeline with `datetime`
and `zoneinfo`, no validation, and the caches the library keeps: the per-day slot memo and
precomputed durations) and as a ratio. Before timing, the two are checked to give the
same sessions, windows and dates on hundreds of clients (``--check``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import baseline
import pendulum

import mesotherapy as meso

ZONE = "America/Toronto"
AREAS = ("face",)


def setup_from(rules: meso.RuleSet, clinic: meso.Clinic) -> baseline.Setup:
    """The baseline's numbers, read once from the library's rules and clinic."""
    plan = _pipeline(rules, clinic, _client(0), _start(0))[0]
    p = plan.protocol
    closed = frozenset(
        day
        for year in range(2025, 2031)
        for day in _days(year)
        if clinic.closed_reason(day) is not None and clinic.hours.on(day)
    )
    hours = tuple(
        tuple((i.start_minute, i.end_minute) for i in intervals)
        for _, intervals in clinic.hours.items()
    )
    return baseline.Setup(
        zone=ZoneInfo(clinic.timezone),
        hours=hours,
        closed=closed,
        step=clinic.slot_minutes,
        minutes=p.session_minutes,
        interval=p.interval_days,
        low=p.min_interval_days,
        high=p.max_interval_days,
        count=p.sessions,
        maintenance=(p.min_maintenance_months, p.max_maintenance_months),
        adult_years=_years(rules.contraindications.client["minor"].duration),
        precare=tuple(
            (r.before.weeks * 7 + r.before.days, r.before.hours, r.before.minutes)
            for r in rules.precare.values()
        ),
        aftercare=tuple(
            int(r.duration.elapsed().total_seconds())
            for r in rules.aftercare.values()
            if r.areas & set(AREAS)
        ),
        effects=tuple(
            int(e.resolves_within.elapsed().total_seconds())
            for e in rules.side_effects.values()
            if e.areas & set(AREAS)
        ),
        results=tuple(
            (_anchor(r.starts_after, r.starts_offset), _anchor(r.ends_after, r.ends_offset))
            for r in rules.results.values()
            if r.areas & set(AREAS)
        ),
    )


def _years(duration: meso.Span | None) -> int:
    if duration is None:
        msg = "the rule 'minor' has no duration: the baseline needs the age of majority"
        raise SystemExit(msg)
    return duration.years


def _anchor(anchor: str, offset: meso.Span) -> tuple[int | None, int, int]:
    number = None if anchor == "series_end" else int(anchor.removeprefix("session:"))
    return number, offset.years * 12 + offset.months, offset.weeks * 7 + offset.days


def _days(year: int) -> Iterator[dt.date]:
    day = dt.date(year, 1, 1)
    while day.year == year:
        yield day
        day += dt.timedelta(days=1)


# -- the inputs: varied clients and starts, the same for the library and the baseline ---------


def _client(n: int) -> meso.Client:
    return meso.Client(id=f"c-{n}", birth_date=dt.date(1950 + n % 50, 1 + n % 12, 1 + n % 28))


def _start(n: int) -> pendulum.DateTime:
    day = pendulum.date(2026, 1, 5).add(days=n % 700)
    return pendulum.datetime(day.year, day.month, day.day, 9 + n % 8, 15 * (n % 4), tz=ZONE)


def _requests(count: int) -> Iterator[meso.PlanRequest]:
    for n in range(count):
        yield meso.PlanRequest(client=_client(n), areas=AREAS, start=_start(n))


def _pipeline(
    rules: meso.RuleSet, clinic: meso.Clinic, client: meso.Client, start: pendulum.DateTime
) -> tuple[meso.TreatmentPlan, meso.Aftercare, meso.Timeline]:
    on = start.date()
    assessment = meso.assess(client, AREAS, on=on, rules=rules)
    plan = meso.plan_series(assessment, AREAS, start=start, clinic=clinic, rules=rules)
    return plan, meso.aftercare(plan, rules=rules), meso.expected_timeline(plan, rules=rules)


def _base_inputs(setup: baseline.Setup, n: int) -> tuple[dt.date, dt.date, dt.datetime]:
    """Client *n*'s birth date, first day and start, as the baseline takes them."""
    client, start = _client(n), _start(n)
    stdlib_start = dt.datetime(*start.timetuple()[:6], tzinfo=setup.zone)
    return client.birth_date, start.date(), stdlib_start


def _base_pipeline(setup: baseline.Setup, n: int) -> tuple[list[Any], ...]:
    return baseline.pipeline(setup, *_base_inputs(setup, n))


def _plan(
    rules: meso.RuleSet, clinic: meso.Clinic, client: meso.Client, start: pendulum.DateTime
) -> meso.TreatmentPlan:
    assessment = meso.assess(client, AREAS, on=start.date(), rules=rules)
    return meso.plan_series(assessment, AREAS, start=start, clinic=clinic, rules=rules)


def _base_plan(setup: baseline.Setup, n: int) -> list[dt.datetime]:
    return baseline.plan(setup, *_base_inputs(setup, n))


def check_same(rules: meso.RuleSet, clinic: meso.Clinic, setup: baseline.Setup, count: int) -> None:
    """Fail unless the library and the baseline agree on *count* clients.

    Instants are compared as ISO 8601 text, so that the offsets must agree too, not only
    the instants; the care windows and milestones as sorted lists of (start, end).
    """
    for n in range(count):
        plan, care, timeline = _pipeline(rules, clinic, _client(n), _start(n))
        sessions, maintenance, windows, results, effects = _base_pipeline(setup, n)
        assert _iso(s.start for s in plan.sessions) == _iso(sessions), n
        assert _iso(sessions) == _iso(_base_plan(setup, n)), n
        assert [(w.opens, w.closes) for w in plan.maintenance] == maintenance, n
        assert sorted(_iso((w.start, w.end)) for w in care.windows) == sorted(
            _iso(w) for w in windows
        ), n
        kinds = meso.MilestoneKind
        assert sorted((m.start, m.end) for m in timeline.of_kind(kinds.RESULT)) == sorted(
            (a, max(a, b)) for a, b in results if a is not None and b is not None
        ), n
        assert [_iso((m.start, m.end)) for m in timeline.of_kind(kinds.SIDE_EFFECT)] == [
            _iso(e) for e in effects
        ], n


def _iso(moments: Iterable[dt.date]) -> list[str]:
    return [moment.isoformat() for moment in moments]


# -- measuring --------------------------------------------------------------------------------


def _best(func: Callable[[], object], number: int, repeat: int = 5) -> float:
    """The best time of *func* in seconds a call, over *repeat* rounds of *number* calls."""
    times = []
    for _ in range(repeat):
        gc.collect()
        begin = time.perf_counter()
        for _ in range(number):
            func()
        times.append((time.perf_counter() - begin) / number)
    return min(times)


def bench_pipeline(
    rules: meso.RuleSet, clinic: meso.Clinic, setup: baseline.Setup, rounds: int = 7
) -> None:
    """One client through the whole pipeline, and through assess and plan alone, against the floor.

    The library and the baseline take turns, round by round, so that a busy neighbour on a
    shared machine slows both alike; each figure is the best of its rounds.
    """
    # Both sides get their inputs ready-made: building them is no part of the pipeline.
    clients = [(_client(n), _start(n)) for n in range(200)]
    inputs = [_base_inputs(setup, n) for n in range(len(clients))]
    state = {"n": 0}

    def library() -> object:
        state["n"] = (state["n"] + 1) % len(clients)
        return _pipeline(rules, clinic, *clients[state["n"]])

    def stdlib() -> object:
        state["n"] = (state["n"] + 1) % len(clients)
        return baseline.pipeline(setup, *inputs[state["n"]])

    def library_read() -> object:
        # The views built too: what a caller pays who reads every window and milestone.
        state["n"] = (state["n"] + 1) % len(clients)
        _, care, timeline = _pipeline(rules, clinic, *clients[state["n"]])
        return care.windows, timeline.milestones

    def library_plan() -> object:
        state["n"] = (state["n"] + 1) % len(clients)
        return _plan(rules, clinic, *clients[state["n"]])

    def stdlib_plan() -> object:
        state["n"] = (state["n"] + 1) % len(clients)
        return baseline.plan(setup, *inputs[state["n"]])

    best: dict[str, float] = {}
    for _ in range(rounds):
        for name, func in (
            ("lib", library),
            ("base", stdlib),
            ("lib_read", library_read),
            ("lib_plan", library_plan),
            ("base_plan", stdlib_plan),
        ):
            best[name] = min(best.get(name, float("inf")), _best(func, 200, repeat=1))
    _row(
        "pipeline (assess, 4-session plan, aftercare, timeline)",
        best["lib"] * 1e6,
        best["base"] * 1e6,
        "us",
        target=2.5,
    )
    _row(
        "the same pipeline, every care window and milestone read (built on first read)",
        best["lib_read"] * 1e6,
        best["base"] * 1e6,
        "us",
    )
    _row(
        "assess and plan_series (a 4-session plan)",
        best["lib_plan"] * 1e6,
        best["base_plan"] * 1e6,
        "us",
        target=2.0,
    )


ROUNDS = 7
"""Rounds of the single-client benchmarks, the library's and the baseline's in turn."""


def _rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def bench_batch(
    rules: meso.RuleSet, clinic: meso.Clinic, setup: baseline.Setup, count: int
) -> None:
    """Plans a second over a batch of *count* clients, and the memory along the way."""
    marks = {count // 10, count // 2, count}
    rss: list[float] = []
    made = 0
    # Both sides get their inputs ready-made: building them is no part of planning.
    requests = list(_requests(count))
    inputs = [_base_inputs(setup, n) for n in range(count)]
    gc.collect()
    begin, cpu = time.perf_counter(), time.process_time()
    for n, outcome in enumerate(meso.plan_batch(requests, clinic=clinic, rules=rules), 1):
        made += outcome.ok
        if n in marks:
            rss.append(_rss_mb())
    lib, lib_cpu = time.perf_counter() - begin, time.process_time() - cpu
    begin, cpu = time.perf_counter(), time.process_time()
    for birth, on, start in inputs:
        baseline.plan(setup, birth, on, start)
    base, base_cpu = time.perf_counter() - begin, time.process_time() - cpu
    # On a shared machine the wall clock counts other processes' turns on the core; the
    # process's own CPU time is what one core gives it.
    _row(f"batch of {count:,} clients: plans a second (wall)", made / lib, count / base, "/s")
    _row(
        f"batch of {count:,} clients: plans a second (CPU time of one core)",
        made / lib_cpu,
        count / base_cpu,
        "/s",
    )
    print(
        f"    {made:,} plans made; resident memory after 10%, 50%, 100% of the batch: "
        + ", ".join(f"{mb:.1f}" for mb in rss)
        + f" MB (growth {rss[-1] - rss[0]:+.1f} MB); "
        + f"peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MB"
    )


def _import_ms(statement: str, runs: int) -> float:
    """The median wall time of *statement* in a fresh interpreter, in milliseconds."""
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    times = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, check=True, text=True
            ).stdout
        )
        for _ in range(runs)
    ]
    return statistics.median(times) * 1000


CORE = "m.Client, m.assess, m.plan_series, m.aftercare, m.expected_timeline, m.plan_batch"


def bench_import(runs: int) -> None:
    """What ``import mesotherapy`` costs, bare and with its core loaded."""
    base = _import_ms("import datetime, zoneinfo", runs)
    _row(
        "import mesotherapy (names load on first use)",
        _import_ms("import mesotherapy", runs),
        base,
        "ms",
    )
    deps = "import attrs, cattrs, pendulum"
    only_deps = _import_ms(deps, runs)
    core = _import_ms(f"{deps}; import mesotherapy as m; {CORE}", runs)
    _row(
        "import mesotherapy and load its core, beyond its dependencies",
        core - only_deps,
        base,
        "ms",
    )
    print(f"    dependencies alone {only_deps:.1f} ms, with the core {core:.1f} ms")


# -- booking into a diary --------------------------------------------------------------------

DIARY_YEAR = 2027


def busy_diary(clinic: meso.Clinic, count: int = 20_000, *, seed: int = 13) -> meso.Diary:
    """A diary of 5 practitioners and 3 rooms with *count* busy intervals over a year.

    Each interval is 15 minutes long, on an open day of the clinic, at a random quarter
    hour of its hours, on a random resource: about two hours of a resource's day.
    """
    rng = random.Random(seed)  # noqa: S311 - a benchmark's fixed, replayable inputs
    practitioners = [meso.Practitioner(id=f"dr-{n}", areas=list(meso.Area)) for n in range(1, 6)]
    rooms = [meso.Room(id=f"room-{n}") for n in range(1, 4)]
    ids = [p.id for p in practitioners] + [r.id for r in rooms]
    days = [d for d in _days(DIARY_YEAR) if clinic.hours_on(d)]
    busy = []
    for _ in range(count):
        day = rng.choice(days)
        hours = rng.choice(clinic.hours_on(day))
        wall = rng.randrange(hours.start_minute, hours.end_minute - 15, 15)
        start = clinic.at(day, dt.time(wall // 60, wall % 60))
        busy.append(meso.Busy(start=start, end=start.add(minutes=15), resource=rng.choice(ids)))
    return meso.Diary(
        clinic=clinic, practitioners=practitioners, rooms=rooms, busy=busy, buffer_minutes=10
    )


def _diary_start(clinic: meso.Clinic, n: int) -> pendulum.DateTime:
    day = pendulum.date(DIARY_YEAR, 1, 4).add(days=(n * 97) % 280)
    return clinic.at(day, dt.time(9 + n % 8, 15 * (n % 4)))


def _book(
    rules: meso.RuleSet, diary: meso.Diary, assessment: meso.Assessment, start: pendulum.DateTime
) -> meso.Diary:
    plan = meso.plan_series(assessment, AREAS, start=start, diary=diary, rules=rules)
    return diary.book(plan)


def bench_diary(rules: meso.RuleSet, clinic: meso.Clinic, clients: int) -> None:
    """A 4-session series into a busy diary and into an empty one; many clients in a row."""
    begin = time.perf_counter()
    busy = busy_diary(clinic)
    built = time.perf_counter() - begin
    empty = attrs.evolve(busy, busy=())
    assessment = meso.assess(_client(0), AREAS, on=pendulum.date(DIARY_YEAR, 1, 1), rules=rules)
    starts = [_diary_start(clinic, n) for n in range(200)]
    state = {"n": 0}

    def into(diary: meso.Diary) -> Callable[[], object]:
        def book() -> object:
            state["n"] = (state["n"] + 1) % len(starts)
            return _book(rules, diary, assessment, starts[state["n"]])

        return book

    full, bare = _best(into(busy), 200), _best(into(empty), 200)
    print(
        f"book a 4-session series into a diary of 5 practitioners and 3 rooms\n"
        f"    with {len(busy.busy):,} busy intervals {full * 1e6:,.0f} us, empty "
        f"{bare * 1e6:,.0f} us, cost ratio {full / bare:.2f} (target at most 3)"
        f"\n    (the busy diary built in {built:.2f} s)"
    )
    diary, searches, books, refusals = busy, [], [], []
    for n in range(clients):
        one = meso.assess(_client(n), AREAS, on=pendulum.date(DIARY_YEAR, 1, 1), rules=rules)
        start = _diary_start(clinic, n)
        begin = time.perf_counter()
        try:
            plan = meso.plan_series(one, AREAS, start=start, diary=diary, rules=rules)
        except meso.SchedulingError:
            refusals.append(time.perf_counter() - begin)
            continue
        middle = time.perf_counter()
        diary = diary.book(plan)
        searches.append(middle - begin)
        books.append(time.perf_counter() - middle)

    def us(values: list[float]) -> str:
        return f"{statistics.mean(values) * 1e6:,.0f}" if values else "-"

    def flat(values: list[float]) -> str:
        return f"{statistics.mean(values[-100:]) / statistics.mean(values[:100]):.2f}"

    # The diary fills up: the last clients' series start months after the day they ask
    # for, and the last of them are refused (no series fits the horizon). The refusals
    # are timed apart: a refusal looks at every day of the horizon, a booking stops at
    # the first series that fits.
    print(
        f"book {clients:,} clients in a row into the busy diary, per booked client:\n"
        f"    the search (plan_series) first 100 {us(searches[:100])} us, last 100 "
        f"{us(searches[-100:])} us, ratio {flat(searches)} (target flat)\n"
        f"    Diary.book first 100 {us(books[:100])} us, last 100 {us(books[-100:])} us, "
        f"ratio {flat(books)} (target flat)\n"
        f"    {len(diary.bookings):,} sessions booked; {len(refusals)} clients refused, "
        f"{us(refusals)} us each"
    )


def year_of_calendar(year: int = 2026, one_offs: int = 500) -> str:
    """A practitioner's year as a calendar program exports it: a weekly pattern and one-offs.

    Three weekly blocks without an end (a staff meeting, an admin block, a long lunch) and
    *one_offs* single events spread over the year's working hours, in the clinic's zone
    with its VTIMEZONE.
    """
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//mesotherapy//benchmark//EN",
        "BEGIN:VTIMEZONE",
        f"TZID:{ZONE}",
        "BEGIN:DAYLIGHT",
        "TZOFFSETFROM:-0500",
        "TZOFFSETTO:-0400",
        "DTSTART:19700308T020000",
        "RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3",
        "END:DAYLIGHT",
        "BEGIN:STANDARD",
        "TZOFFSETFROM:-0400",
        "TZOFFSETTO:-0500",
        "DTSTART:19701101T020000",
        "RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11",
        "END:STANDARD",
        "END:VTIMEZONE",
    ]
    weekly = [("MO", 5, "0900", "1000"), ("WE", 7, "1400", "1530"), ("FR", 9, "1200", "1330")]
    for n, (day, first, begin, end) in enumerate(weekly):
        lines += _vevent(
            f"weekly-{n}", f"{year}01{first:02d}", begin, end, f"RRULE:FREQ=WEEKLY;BYDAY={day}"
        )
    for n in range(one_offs):
        on = dt.date(year, 1, 1) + dt.timedelta(days=(n * 7919) % 365)
        hour = 9 + n % 8
        lines += _vevent(f"one-off-{n}", on.strftime("%Y%m%d"), f"{hour:02d}00", f"{hour:02d}45")
    return "\r\n".join([*lines, "END:VCALENDAR", ""])


def _vevent(uid: str, day: str, begin: str, end: str, *more: str) -> list[str]:
    return [
        "BEGIN:VEVENT",
        f"UID:{uid}@benchmark",
        "DTSTAMP:20260101T000000Z",
        f"DTSTART;TZID={ZONE}:{day}T{begin}00",
        f"DTEND;TZID={ZONE}:{day}T{end}00",
        *more,
        "SUMMARY:Busy",
        "END:VEVENT",
    ]


def bench_calendar() -> None:
    """Reading a practitioner's year of calendar with `busy_from_ics`, against one second."""
    text = year_of_calendar()
    start, end = pendulum.date(2026, 1, 1), pendulum.date(2027, 1, 1)

    def read() -> tuple[meso.Busy, ...]:
        return meso.busy_from_ics(text, "dr-h", start=start, end=end, zone=ZONE)

    count = len(read())
    best = _best(read, 3)
    print(
        "reading a practitioner's year of calendar (3 weekly blocks and 500 one-off events)\n"
        f"    mesotherapy {best * 1000:,.1f} ms for {count:,} busy intervals"
        f"   ratio to one second {best:.3f}"
    )


def _row(what: str, lib: float, base: float, unit: str, *, target: float | None = None) -> None:
    """A figure beside its baseline, and the library's cost as a multiple of the baseline's.

    For a rate (``/s``) the cost is its inverse: 10 000 plans a second beside the
    baseline's 20 000 cost 2.00 times as much. With *target*, the ratio the library
    should keep within, printed beside it.
    """
    ratio = base / lib if unit.endswith("/s") else lib / base
    aim = "" if target is None else f" (target at most {target:g})"
    print(
        f"{what}\n    mesotherapy {lib:,.1f} {unit}   stdlib baseline {base:,.1f} {unit}"
        f"   cost ratio {ratio:.2f}{aim}"
    )


def main() -> None:
    """Run every benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=100_000, help="clients in the batch")
    parser.add_argument("--import-runs", type=int, default=15)
    parser.add_argument("--diary-clients", type=int, default=1_000, help="clients booked in a row")
    parser.add_argument("--only-diary", action="store_true", help="only the diary's benchmarks")
    parser.add_argument(
        "--only-pipeline", action="store_true", help="only the single-client pipeline's benchmarks"
    )
    parser.add_argument(
        "--check", type=int, default=500, help="clients checked to agree with the baseline"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=ROUNDS,
        help="rounds of the pipeline's benchmark (more on a busy machine: the best is kept)",
    )
    args = parser.parse_args()
    rules, clinic = meso.default_rules(), meso.example_clinic()
    if args.only_diary:
        bench_diary(rules, clinic, args.diary_clients)
        return
    setup = setup_from(rules, clinic)
    check_same(rules, clinic, setup, args.check)
    print(
        f"mesotherapy {version('mesotherapy')}, Python {platform.python_version()}, "
        f"pendulum {version('pendulum')}, attrs {version('attrs')}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs"
    )
    bench_pipeline(rules, clinic, setup, args.rounds)
    if args.only_pipeline:
        return
    bench_batch(rules, clinic, setup, args.batch)
    bench_import(args.import_runs)
    bench_diary(rules, clinic, args.diary_clients)
    bench_calendar()


if __name__ == "__main__":
    main()
