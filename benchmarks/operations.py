"""Plan operations as a plan grows: ``python benchmarks/operations.py`` (run by ``nox -s bench``).

A 4-session plan at the example clinic takes n = 50, 100, 200 and 400 operations in a row,
drawn with a fixed seed: mostly a planned session moved a day or two (`reschedule`) or
cancelled (`cancel`, which books a replacement), now and then the first planned session
completed (`complete`). Every cancel leaves one more session in the plan, so after 400
operations it holds about 150. The sequence is drawn once (an operation the plan refuses
is drawn again) and replayed for timing; the cost per operation at each n is the best
round's time over n. An operation checks only what it changed, so that cost stays nearly
flat as the plan grows: the ratio of the cost at the largest n over the smallest is printed
beside its target. Nothing here is asserted.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable
from functools import partial

import pendulum
from run import _best  # the one best-of-rounds timer of the benchmarks

import mesotherapy as meso

ZONE = "America/Toronto"
AREAS = ("face",)
SIZES = (50, 100, 200, 400)
TARGET = 1.5
"""The most the cost of an operation at the largest n may be, over its cost at the smallest."""

Operation = Callable[[meso.TreatmentPlan], meso.TreatmentPlan]


def first_plan() -> meso.TreatmentPlan:
    """The plan every sequence starts from: 4 sessions of the face, from 20 October 2026."""
    start = pendulum.datetime(2026, 10, 20, 9, tz=ZONE)
    client = meso.Client(birth_date="1985-03-02")
    assessment = meso.assess(client, AREAS, on=start.date())
    return meso.plan_series(assessment, AREAS, clinic=meso.example_clinic(), start=start)


def _draw(rng: random.Random, plan: meso.TreatmentPlan, completed: int) -> Operation:
    planned = [s for s in plan.sessions if s.status is meso.SessionStatus.PLANNED]
    # A completed session never moves again: a few, so that the series never runs out.
    if rng.random() < 0.05 and completed < plan.protocol.sessions - 2:
        first = planned[0].index
        return lambda p: p.complete(first)
    session = rng.choice(planned)
    if rng.random() < 0.4:
        index = session.index
        return lambda p: p.cancel(index)
    day = session.start.date().add(days=rng.choice((-2, -1, 1, 2)))
    slots = list(plan.clinic.slots(day, plan.protocol.session_minutes))
    if not slots:
        return _draw(rng, plan, completed)
    new_start, index = rng.choice(slots), session.index
    return lambda p: p.reschedule(index, new_start)


def sequence(plan: meso.TreatmentPlan, count: int, *, seed: int = 14) -> list[Operation]:
    """*count* operations that *plan* takes in a row, each drawn until the plan takes it."""
    rng = random.Random(seed)  # noqa: S311 - the same operations each run, not a secret
    taken: list[Operation] = []
    completed = 0
    while len(taken) < count:
        operation = _draw(rng, plan, completed)
        try:
            after = operation(plan)
        except meso.SchedulingError:
            continue
        completed = sum(s.status is meso.SessionStatus.COMPLETED for s in after.sessions)
        taken.append(operation)
        plan = after
    return taken


def replay(plan: meso.TreatmentPlan, operations: list[Operation]) -> meso.TreatmentPlan:
    """*plan* after every operation of *operations*, in order."""
    for operation in operations:
        plan = operation(plan)
    return plan


def main() -> None:
    """Time each sequence, print the cost per operation and the ratio beside its target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9, help="rounds, the best of which counts")
    args = parser.parse_args()
    plan = first_plan()
    operations = sequence(plan, max(SIZES))
    replay(plan, operations[:20])  # first-use caches, outside the timing
    costs = dict.fromkeys(SIZES, float("inf"))
    # The sizes take turns, round by round, so that a busy neighbour slows each alike.
    for _ in range(args.rounds):
        for size in SIZES:
            ops = operations[:size]
            costs[size] = min(costs[size], _best(partial(replay, plan, ops), 1, 1) / size)
    for size in SIZES:
        sessions = len(replay(plan, operations[:size]).sessions)
        print(f"n={size:>4}: {costs[size] * 1e6:8,.0f} us an operation ({sessions} sessions)")
    first, last = costs[SIZES[0]], costs[SIZES[-1]]
    print(
        f"cost an operation at n={SIZES[-1]} over n={SIZES[0]}: {last / first:.2f}x "
        f"(target <= {TARGET}x)"
    )


if __name__ == "__main__":
    main()
