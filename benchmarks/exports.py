"""The exports of one plan against planning it: ``python benchmarks/exports.py`` (``nox -s bench``).

For a 4-session plan of varied clients and starts, the best time of ``assess`` +
``plan_series`` (planning it), then of each export of the plan it gave: `to_json`,
`to_ics`, `to_fhir`, `fhir_bundle` and `to_frame`, each printed as its cost ratio to
planning, beside its target where the issue sets one; and the part of `to_json` that is
the plan's own derived views (its aftercare and timeline, computed as rows).
Every figure is measured in the same run; nothing here is asserted.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from run import _best, _client, _start  # the benchmarks' one timer and their inputs

import mesotherapy as meso
from mesotherapy.fhir import fhir_bundle, to_fhir
from mesotherapy.ical import to_ics
from mesotherapy.notebook import to_frame

AREAS = ("face",)
TARGETS = {"to_json": 2.0, "to_ics": 3.0, "to_fhir": 5.0}
"""The most each export may cost, as a multiple of planning the same plan."""
ROUNDS = 7
"""Rounds of each timing, the best of which counts."""


def main() -> None:
    """Time planning and every export, print the ratios beside their targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50, help="distinct clients cycled")
    parser.add_argument("--number", type=int, default=40, help="calls a round")
    args = parser.parse_args()
    rules = meso.default_rules()
    clinic = meso.example_clinic()
    inputs = [(_client(n), _start(n)) for n in range(args.clients)]

    def plan_of(n: int) -> meso.TreatmentPlan:
        client, start = inputs[n]
        assessment = meso.assess(client, AREAS, on=start.date(), rules=rules)
        return meso.plan_series(assessment, AREAS, start=start, clinic=clinic, rules=rules)

    plans = [plan_of(n) for n in range(args.clients)]
    for plan in plans[:3]:  # imports and first-use caches, outside the timing
        to_json(plan), to_ics(plan), to_fhir(plan), to_frame(plan)
    state = {"n": 0}

    def cycling(func: Callable[[int], object]) -> Callable[[], object]:
        def call() -> object:
            state["n"] = (state["n"] + 1) % args.clients
            return func(state["n"])

        return call

    # Planning is timed before the exports and after them, the best of both: the machine
    # is shared, and a ratio is only as good as its denominator.
    planning = _best(cycling(plan_of), args.number, ROUNDS)
    rows: list[tuple[str, Callable[[int], object]]] = [
        ("to_json", lambda n: to_json(plans[n])),
        ("to_ics", lambda n: to_ics(plans[n])),
        ("to_fhir", lambda n: to_fhir(plans[n])),
        ("fhir_bundle", lambda n: fhir_bundle(plans[n])),
        ("to_frame", lambda n: to_frame(plans[n])),
        # What to_json cannot avoid while the document holds them: the plan's aftercare and
        # timeline, computed as the rows they are made of (the floor of its ratio).
        ("  of which its rows", lambda n: _rows(plans[n])),
    ]
    costs = {name: _best(cycling(func), args.number, ROUNDS) for name, func in rows}
    planning = min(planning, _best(cycling(plan_of), args.number, ROUNDS))
    print(
        f"mesotherapy {meso.__version__}: exports of a {len(plans[0].sessions)}-session plan, "
        f"against assess + plan_series ({planning * 1e6:,.0f} us)"
    )
    for name, cost in costs.items():
        target = TARGETS.get(name)
        beside = (
            f"target {target:.0f}x  {'met' if cost / planning <= target else 'MISSED'}"
            if target
            else "no target"
        )
        print(f"    {name:<24} {cost * 1e6:>10,.0f} us   ratio {cost / planning:6.1f}x   {beside}")


def _rows(plan: meso.TreatmentPlan) -> object:
    """The rows of *plan*'s aftercare and timeline, as `to_json` reads them."""
    from mesotherapy._export_rows import care_rows, milestone_rows  # noqa: PLC0415

    return care_rows(meso.aftercare(plan)), milestone_rows(meso.expected_timeline(plan))


def to_json(plan: meso.TreatmentPlan) -> str:
    """`mesotherapy.to_json` of *plan*."""
    return meso.to_json(plan)


if __name__ == "__main__":
    main()
