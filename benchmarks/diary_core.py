"""The diary's core at scale: ``python benchmarks/diary_core.py`` (run by ``nox -s bench``).

A diary of 5 practitioners and 3 rooms with a year of busy time (20 000 intervals, some
overlapping) beside the same diary empty. For each, the best time of:

- ``is_free`` of a 45-minute interval, anywhere in the year;
- ``book`` of a 4-session plan, and ``release`` of it;
- ``update`` of the booked plan to one with a session moved.

The cost ratio is the full diary's time over the empty one's: ``is_free`` is a binary
search and ``book`` copies one small block of the booked lanes of each resource it claims
(never the busy lanes), so the ratios stay near 1 however much busy time a diary holds.
Nothing here is asserted: the figures are printed, and docs/benchmarks.md records them.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable

import attrs
import pendulum
from run import _best  # the one best-of-rounds timer of the benchmarks

import mesotherapy as meso

ZONE = "America/Toronto"
PRACTITIONERS = 5
ROOMS = 3
AREAS = ("face",)


def _plan(clinic: meso.Clinic) -> meso.TreatmentPlan:
    start = pendulum.datetime(2027, 3, 2, 9, tz=ZONE)
    client = meso.Client(birth_date="1985-03-02")
    plan = meso.plan_series(
        meso.assess(client, AREAS, on=start.date()),
        AREAS,
        start=start,
        clinic=clinic,
        plan_id="bench-plan",
    )
    sessions = tuple(attrs.evolve(s, practitioner="dr-0", room="room-0") for s in plan.sessions)
    return attrs.evolve(plan, sessions=sessions)


def _busy(
    count: int, keep_free: list[tuple[pendulum.DateTime, pendulum.DateTime]]
) -> list[meso.Busy]:
    """*count* busy intervals over 2027 on every resource, none within a day of *keep_free*."""
    rng = random.Random(13)  # noqa: S311 - the same busy time each run, not a secret
    resources = [f"dr-{n}" for n in range(PRACTITIONERS)] + [f"room-{n}" for n in range(ROOMS)]
    year = pendulum.datetime(2027, 1, 1, tz=ZONE)
    found: list[meso.Busy] = []
    while len(found) < count:
        start = year.add(minutes=5 * rng.randrange(365 * 24 * 12))
        end = start.add(minutes=rng.choice((15, 30, 45, 60, 90, 120, 240)))
        if any(start < e.add(days=1) and s.subtract(days=1) < end for s, e in keep_free):
            continue
        found.append(meso.Busy(start=start, end=end, resource=rng.choice(resources)))
    return found


def main() -> None:
    """Build the two diaries, time them, print the figures and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--busy", type=int, default=20_000, help="busy intervals in the year")
    parser.add_argument("--number", type=int, default=200, help="calls a round")
    args = parser.parse_args()
    clinic = meso.example_clinic(holidays=None)
    plan = _plan(clinic)
    moved = plan.reschedule(2, plan.session(2).start.add(hours=2))
    moved = attrs.evolve(
        moved,
        sessions=tuple(attrs.evolve(s, practitioner="dr-0", room="room-0") for s in moved.sessions),
    )
    empty = meso.Diary(
        clinic=clinic,
        practitioners=[meso.Practitioner(id=f"dr-{n}", areas=AREAS) for n in range(PRACTITIONERS)],
        rooms=[meso.Room(id=f"room-{n}") for n in range(ROOMS)],
        buffer_minutes=10,
    )
    busy = _busy(args.busy, [(s.start, s.end) for s in (*plan.sessions, *moved.sessions)])
    begin = time.perf_counter()
    full = attrs.evolve(empty, busy=busy)
    built = time.perf_counter() - begin
    rng = random.Random(7)  # noqa: S311 - the same probes each run
    year = pendulum.datetime(2027, 1, 1, tz=ZONE)
    probes = [year.add(minutes=5 * rng.randrange(365 * 24 * 12)) for _ in range(args.number)]
    print(
        f"mesotherapy {meso.__version__}: a diary of {PRACTITIONERS} practitioners and {ROOMS} "
        f"rooms with {len(full.busy):,} busy intervals over 2027, built in {built * 1e3:.0f} ms"
    )

    def is_free(diary: meso.Diary) -> Callable[[], object]:
        state = {"n": 0}

        def ask() -> object:
            state["n"] = (state["n"] + 1) % len(probes)
            at = probes[state["n"]]
            return diary.is_free("dr-1", at, at.add(minutes=45))

        return ask

    def book(diary: meso.Diary) -> Callable[[], object]:
        return lambda: diary.book(plan)

    def release(diary: meso.Diary) -> Callable[[], object]:
        booked = diary.book(plan)
        return lambda: booked.release(plan)

    def update(diary: meso.Diary) -> Callable[[], object]:
        booked = diary.book(plan)
        return lambda: booked.update(plan, moved)

    rows: list[tuple[str, Callable[[meso.Diary], Callable[[], object]]]] = [
        ("is_free of 45 minutes", is_free),
        ("book of a 4-session plan", book),
        ("release of it", release),
        ("update with a session moved", update),
    ]
    for what, make in rows:
        small = _best(make(empty), args.number)
        large = _best(make(full), args.number)
        print(
            f"{what}\n    empty diary {small * 1e6:,.1f} us   {len(full.busy):,} busy intervals "
            f"{large * 1e6:,.1f} us   cost ratio {large / small:.2f}"
        )


if __name__ == "__main__":
    main()
