"""A clinic with 10 000 closures: ``python benchmarks/closures.py`` (run by ``nox -s bench``).

The example clinic (Toronto, the holidays of Ontario) with 10 000 closures over 20 years,
many overlapping, beside the same clinic with none. For each, the best time of a batch
(`plan_batch`: `assess` and `plan_series` for each client) of clients whose starts are
spread over those 20 years, in no order, each round on a fresh copy of the clinic (its
memo of worked-out days starts empty, as a new process's would). The cost ratio is the
batch's time with the closures over its time without: a closure is found by bisection and
the memo of days forgets its least recently used day first, so the ratio stays near 1
however many closures a clinic has. Nothing here is asserted: the figures are printed
beside the target, and docs/benchmarks.md records them.
"""

from __future__ import annotations

import argparse
import copy
import gc
import random
import time

import attrs
import pendulum
from run import _best  # the one best-of-rounds timer of the benchmarks (for the lookups)

import mesotherapy as meso

ZONE = "America/Toronto"
AREAS = ("face",)
FIRST = pendulum.date(2026, 1, 5)
DAYS = 20 * 365
TARGET = 1.3


def closures(count: int, *, seed: int = 11) -> list[meso.Closure]:
    """*count* closures over 20 years, in periods of two weeks where they overlap.

    Five periods a year (a winter break, works, training...), each of up to 13 days, get
    an equal share of the closures of 1 to 7 days: a clinic whose staff, rooms and works
    each record their own days off. About a tenth of the days are closed.
    """
    rng = random.Random(seed)  # noqa: S311 - the same closures each run, not a secret
    periods = [FIRST.add(days=rng.randrange(DAYS)) for _ in range(100)]
    return [
        meso.Closure(
            start=(start := periods[n % len(periods)].add(days=rng.randrange(7))),
            end=start.add(days=rng.randrange(7)),
            reason=f"closure {n}",
        )
        for n in range(count)
    ]


def merged(found: list[meso.Closure]) -> list[meso.Closure]:
    """The days of *found* as the fewest closures: disjoint spans, one a period."""
    spans: list[list[pendulum.Date]] = []
    for closure in sorted(found, key=lambda c: c.start):
        if spans and closure.start <= spans[-1][1].add(days=1):
            spans[-1][1] = max(spans[-1][1], closure.end)
        else:
            spans.append([closure.start, closure.end])
    return [meso.Closure(start=start, end=end, reason="closed") for start, end in spans]


def requests(count: int, *, seed: int = 5) -> list[meso.PlanRequest]:
    """*count* clients whose starts are spread over the 20 years, in no order."""
    rng = random.Random(seed)  # noqa: S311 - the same clients each run
    found = []
    for n in range(count):
        day = FIRST.add(days=rng.randrange(DAYS))
        start = pendulum.datetime(day.year, day.month, day.day, 9 + n % 8, 15 * (n % 4), tz=ZONE)
        client = meso.Client(id=f"c-{n}", birth_date=f"{1950 + n % 50}-{1 + n % 12:02}-01")
        found.append(meso.PlanRequest(client=client, areas=AREAS, start=start))
    return found


def main() -> None:
    """Build the two clinics, time a batch at each, print the figures and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--closures", type=int, default=10_000, help="closures over 20 years")
    parser.add_argument("--clients", type=int, default=2_000, help="clients in the batch")
    parser.add_argument("--rounds", type=int, default=5, help="rounds, the best is kept")
    args = parser.parse_args()
    rules = meso.default_rules()
    plain = meso.example_clinic()
    begin = time.perf_counter()
    closed = attrs.evolve(plain, closures=closures(args.closures))
    built = time.perf_counter() - begin
    batch = requests(args.clients)
    days = [FIRST.add(days=n) for n in range(DAYS)]
    shut = sum(
        closed.closed_reason(day) is not None and plain.closed_reason(day) is None for day in days
    )
    print(
        f"mesotherapy {meso.__version__}: the example clinic with {len(closed.closures):,} "
        f"closures over 20 years ({shut:,} of {DAYS:,} days closed by them), built in "
        f"{built * 1e3:.0f} ms; a batch of {len(batch):,} clients spread over those years"
    )

    spans = attrs.evolve(plain, closures=merged(list(closed.closures)))
    clinics = {"none": plain, "closures": closed, "spans": spans}

    def run(clinic: meso.Clinic) -> int:
        return sum(o.ok for o in meso.plan_batch(batch, clinic=clinic, rules=rules))

    made = {name: run(copy.copy(clinic)) for name, clinic in clinics.items()}
    best = dict.fromkeys(clinics, float("inf"))
    for _ in range(args.rounds):  # each round times every clinic: a busy spell hits all alike
        for name, clinic in clinics.items():
            fresh = copy.copy(clinic)  # a memo of days that starts empty, as a new process's
            gc.collect()
            begin = time.perf_counter()
            run(fresh)
            best[name] = min(best[name], time.perf_counter() - begin)
    none, full = best["none"], best["closures"]
    print(
        f"batch (assess, plan_series) of {len(batch):,} clients, best of {args.rounds} rounds\n"
        f"    no closures {none * 1e3:,.0f} ms ({made['none']:,} plans)   "
        f"{len(closed.closures):,} closures {full * 1e3:,.0f} ms ({made['closures']:,} plans)   "
        f"cost ratio {full / none:.2f} (target at most {TARGET})\n"
        f"    the same days closed by {len(spans.closures)} disjoint closures "
        f"{best['spans'] * 1e3:,.0f} ms ({made['spans']:,} plans): the {len(closed.closures):,} "
        f"cost {full / best['spans']:.2f} times as much (finding open days is the rest)"
    )

    day = next(d for d in days[DAYS // 2 :] if closed.closed_reason(d) is None)  # the scan's worst
    number = 20_000
    lookups = {
        name: _best(lambda clinic=clinic: clinic.closed_reason(day), number)
        for name, clinic in (("none", plain), ("closures", closed))
    }
    print(
        f"closed_reason of a day\n    no closures {lookups['none'] * 1e6:,.2f} us   "
        f"{len(closed.closures):,} closures {lookups['closures'] * 1e6:,.2f} us   "
        f"cost ratio {lookups['closures'] / lookups['none']:.2f}"
    )


if __name__ == "__main__":
    main()
