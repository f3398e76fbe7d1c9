"""The exports of one plan against planning it: ``python benchmarks/exports.py`` (``nox -s bench``).

For a 4-session plan of varied clients and starts, the best time of ``assess`` +
``plan_series`` (planning it), then of each export of the plan it gave: `to_json`,
`to_ics`, `to_fhir`, `fhir_bundle` and `to_frame`, each printed as its cost ratio to
planning, beside its target where the issue sets one; and the part of `to_json` that is
the plan's own derived views (its aftercare and timeline, computed as rows).

Each export is timed twice. *First* is the figure the targets judge: every call exports
a plan that export has never seen (each export has its own pool of distinct clients and
starts), so nothing kept of an earlier call for the same plan (a session's UID, say)
helps it; what the exports keep by value across plans (the rule set's resources, the
texts of a clinic's instants) still does, as it would in a clinic. *Again* cycles 50
plans already exported, as a calendar feed polled again would. Every figure is measured
in the same run; nothing here is asserted.

Two last rows time the standard library alone on what an export makes, once made: the
C encoder's `json.dumps` of the finished JSON document (without the indentation `to_json`
writes) and a `marshal` copy of the finished FHIR Bundle. They are floors that no writer
in Python gets under: when one is over an export's target, the target cannot be met by
writing faster, only by a smaller document.
"""

from __future__ import annotations

import argparse
import json
import marshal
from collections.abc import Callable

from run import _best, _client, _start  # the benchmarks' one timer and their inputs

import mesotherapy as meso
from mesotherapy.fhir import fhir_bundle, to_fhir
from mesotherapy.ical import to_ics
from mesotherapy.notebook import to_frame

AREAS = ("face",)
TARGETS = {"to_json": 2.0, "to_ics": 3.0, "to_fhir": 5.0}
"""The most each export may cost, as a multiple of planning the same plan."""
FLOORS = ("json.dumps of the document", "copy of the FHIR Bundle")
"""The rows that time the standard library alone on a finished export."""
ROUNDS = 7
"""Rounds of each timing, the best of which counts."""


def main() -> None:
    """Time planning and every export, print the ratios beside their targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50, help="plans cycled, exported again")
    parser.add_argument("--number", type=int, default=40, help="calls a round")
    args = parser.parse_args()
    rules = meso.default_rules()
    clinic = meso.example_clinic()
    inputs = [(_client(n), _start(n)) for n in range(args.clients)]

    def plan_of(n: int) -> meso.TreatmentPlan:
        client, start = inputs[n]
        assessment = meso.assess(client, AREAS, on=start.date(), rules=rules)
        return meso.plan_series(assessment, AREAS, start=start, clinic=clinic, rules=rules)

    def plan_of_request(n: int) -> meso.TreatmentPlan:
        client, start = _client(n), _start(n)
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
    exports: list[tuple[str, Callable[[meso.TreatmentPlan], object]]] = [
        ("to_json", to_json),
        ("to_ics", to_ics),
        ("to_fhir", to_fhir),
        ("fhir_bundle", fhir_bundle),
        ("to_frame", to_frame),
        # What to_json cannot avoid while the document holds them: the plan's aftercare and
        # timeline, computed as the rows they are made of (the floor of its ratio).
        ("  of which its rows", _rows),
        # What the standard library alone takes to write the same document once it is
        # built (its C encoder, without the indentation to_json gives), and to copy the
        # finished Bundle (marshal, the fastest copy of plain dicts and lists): floors of
        # to_json and to_fhir that no writer in Python gets under.
        ("json.dumps of the document", _dumps_of_document),
        ("copy of the FHIR Bundle", _copy_of_bundle),
    ]
    first: dict[str, float] = {}
    again: dict[str, float] = {}
    calls = args.number * ROUNDS
    for k, (name, export) in enumerate(exports):
        # A pool of its own for each export: clients and starts no other pool has.
        offset = 10_000 * (k + 1)
        planned = [plan_of_request(offset + n) for n in range(calls)]
        if export in (_dumps_of_document, _copy_of_bundle):  # their input, made untimed
            for plan in (*planned, *plans):
                _finished(plan)
        pool = iter(planned)
        first[name] = _best(
            lambda export=export, pool=pool: export(next(pool)), args.number, ROUNDS
        )
        again[name] = _best(cycling(lambda n, export=export: export(plans[n])), args.number, ROUNDS)
    planning = min(planning, _best(cycling(plan_of), args.number, ROUNDS))
    print(
        f"mesotherapy {meso.__version__}: exports of a {len(plans[0].sessions)}-session plan, "
        f"against assess + plan_series ({planning * 1e6:,.0f} us)"
    )
    print(f"    {'':<28} {'first export of a plan':>36}   {'exported again':>24}")
    for name, cost in first.items():
        target = TARGETS.get(name)
        beside = (
            f"target {target:.0f}x  {'met' if cost / planning <= target else 'MISSED'}"
            if target
            else ("a floor: the standard library alone" if name in FLOORS else "no target")
        )
        print(
            f"    {name:<28} {cost * 1e6:>10,.0f} us   ratio {cost / planning:6.1f}x   "
            f"{again[name] * 1e6:>8,.0f} us   ratio {again[name] / planning:6.1f}x   {beside}"
        )


def _rows(plan: meso.TreatmentPlan) -> object:
    """The rows of *plan*'s aftercare and timeline, as `to_json` reads them."""
    from mesotherapy._export_rows import care_rows, milestone_rows  # noqa: PLC0415

    return care_rows(meso.aftercare(plan)), milestone_rows(meso.expected_timeline(plan))


_FINISHED: dict[str, tuple[object, bytes]] = {}
"""Each plan's finished JSON document and marshalled Bundle, by plan id, made untimed."""


def _finished(plan: meso.TreatmentPlan) -> tuple[object, bytes]:
    if plan.id not in _FINISHED:
        _FINISHED[plan.id] = (json.loads(meso.to_json(plan)), marshal.dumps(to_fhir(plan)))
    return _FINISHED[plan.id]


def _dumps_of_document(plan: meso.TreatmentPlan) -> object:
    return json.dumps(_finished(plan)[0])


def _copy_of_bundle(plan: meso.TreatmentPlan) -> object:
    return marshal.loads(_finished(plan)[1])  # noqa: S302 - bytes this process made


def to_json(plan: meso.TreatmentPlan) -> str:
    """`mesotherapy.to_json` of *plan*."""
    return meso.to_json(plan)


if __name__ == "__main__":
    main()
