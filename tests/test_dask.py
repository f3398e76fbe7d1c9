"""A batch on a Dask cluster of worker processes gives exactly the outcomes of a serial run.

Everything a worker receives (requests, clinic, rules) and sends back (outcomes, plans,
aftercare) crosses a process boundary as a pickle: the comparison is exact down to each
instant's fold (`exact.assert_exactly_equal`), and the batch holds instants of the
repeated autumn hour, where a lost fold moves an instant by an hour. Compact outcomes
sent back by the workers give back, in this process, exactly the serial outcomes.

Needs the ``dask`` extra; skipped without it (``nox -s dask`` runs it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any, Final

import pendulum
import pytest

import mesotherapy as meso
from mesotherapy._clinic import WEEKDAYS
from tests.builders import TORONTO
from tests.exact import assert_exactly_equal, datetimes_in

distributed = pytest.importorskip("distributed")
dask_bag = pytest.importorskip("dask.bag")

NIGHT: Final = meso.Clinic(
    name="Night Clinic",
    timezone=TORONTO,
    hours={day: [("00:00", "23:59")] for day in WEEKDAYS},
    holidays="CA-ON",
)
"""Open around the clock (holidays aside), so that sessions meet the DST change at 02:00."""
REPEATED: Final = pendulum.datetime(2026, 11, 1, 1, 30, tz=TORONTO, fold=1)
"""The second 01:30 of 1 November 2026 in Toronto (01:30 EST, 06:30 UTC)."""
BEFORE_THE_CHANGE: Final = pendulum.datetime(2026, 10, 31, 1, 45, tz=TORONTO)
"""A session from 01:45 to 02:30 EDT: 24 real hours after its end is 01:30 EST (fold 1)."""

FACTS: Final[tuple[dict[str, Any], ...]] = (
    {},
    {"concerns": ["dullness", "thinning_hair"]},
    {"conditions": ["heart_disease"]},  # a review: refused unless acknowledged
    {"pregnant": True},  # no candidate
    {"medications": [{"code": "isotretinoin", "last_taken": "2026-07-01"}]},  # deferred
    {"skin_findings": {"face": ["active_herpes"]}},  # deferred with no date
    {"treatments": [{"kind": "botulinum_toxin", "area": "face", "on": "2026-10-25"}]},
)
AREAS: Final = (["face"], ["face", "neck"], ["scalp"], ["hands", "decolletage"])


def _requests(count: int) -> list[meso.PlanRequest]:
    """*count* varied requests, from starts on both sides of the November change."""
    requests = [
        meso.PlanRequest(
            client=meso.Client(id="c-fold", birth_date="1985-03-02"),
            areas=["face"],
            start=REPEATED,
        ),
        meso.PlanRequest(
            client=meso.Client(id="c-before", birth_date="1985-03-02"),
            areas=["face"],
            start=BEFORE_THE_CHANGE,
        ),
    ]
    for n in range(count - len(requests)):
        start = BEFORE_THE_CHANGE.add(days=n % 9, hours=(n * 7) % 24, minutes=(n * 5) % 60)
        requests.append(
            meso.PlanRequest(
                client=meso.Client(
                    id=f"c-{n:04d}",
                    birth_date=pendulum.date(1950 + n % 50, 1 + n % 12, 1 + n % 28),
                    **FACTS[n % len(FACTS)],
                ),
                areas=AREAS[n % len(AREAS)],
                start=start.in_timezone("UTC") if n % 5 == 0 else start,
                on=None if n % 3 else "2026-10-20",
                sessions=None if n % 4 else 4,
                acknowledge_review=n % 2 == 0,
            )
        )
    return requests


def plan_with_care(
    requests: Iterator[meso.PlanRequest], clinic: meso.Clinic, rules: meso.RuleSet
) -> list[tuple[int, meso.PlanOutcome, meso.Aftercare | None]]:
    """A partition's outcomes with their aftercare, and the process that computed them."""
    return [
        (os.getpid(), outcome, meso.aftercare(outcome.plan) if outcome.plan else None)
        for outcome in meso.plan_batch(requests, clinic=clinic, rules=rules)
    ]


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster, direct_to_workers=True) as dask_client,  # as the how-to
    ):
        yield dask_client


@pytest.mark.usefixtures("client")
def test_a_batch_on_worker_processes_gives_exactly_the_serial_outcomes() -> None:
    rules = meso.default_rules()
    requests = _requests(200)
    serial = plan_with_care(iter(requests), NIGHT, rules)
    bag = dask_bag.from_sequence(requests, npartitions=4)
    computed = bag.map_partitions(plan_with_care, clinic=NIGHT, rules=rules).compute()
    pids = {pid for pid, _, _ in computed}
    assert os.getpid() not in pids, "the partitions were not computed in worker processes"
    got = [(outcome, care) for _, outcome, care in computed]
    expected = [(outcome, care) for _, outcome, care in serial]
    assert got == expected
    assert_exactly_equal(got, expected, "outcomes")
    assert [meso.to_json(o.plan) for o, _ in got if o.plan] == [
        meso.to_json(o.plan) for o, _ in expected if o.plan
    ]
    # The batch is varied, and holds instants of the repeated hour.
    assert 0 < sum(outcome.ok for outcome, _ in got) < len(got)
    fold, before = got[0][0], got[1][1]
    assert fold.request.start.fold == 1
    assert fold.request.start.isoformat() == "2026-11-01T01:30:00-05:00"
    assert any(d.isoformat() == "2026-11-01T01:30:00-05:00" for d in datetimes_in(before))
    assert sum(d.fold for d in datetimes_in(got)) >= 10


@pytest.mark.usefixtures("client")
def test_a_generator_of_requests_runs_partition_by_partition() -> None:
    # The how-to's shape: partitions consume plan_batch lazily and send back plain lists.
    requests = _requests(40)
    bag = dask_bag.from_sequence(requests, npartitions=4)
    outcomes = bag.map_partitions(lambda part: list(meso.plan_batch(part, clinic=NIGHT))).compute()
    expected = list(meso.plan_batch(requests, clinic=NIGHT))
    assert_exactly_equal(list(outcomes), expected, "outcomes")
    recalls = {
        outcome.plan.maintenance_status(pendulum.date(2027, 6, 1))
        for outcome in outcomes
        if outcome.plan
    }
    assert recalls == {"not_due"}  # nothing was completed


def plan_compact(
    requests: Iterator[meso.PlanRequest], clinic: meso.Clinic, rules: meso.RuleSet
) -> list[tuple[int, meso.CompactOutcome]]:
    """A partition's compact outcomes, and the process that computed them."""
    return [
        (os.getpid(), outcome.compact())
        for outcome in meso.plan_batch(requests, clinic=clinic, rules=rules)
    ]


@pytest.mark.usefixtures("client")
def test_compact_outcomes_from_workers_give_back_exactly_the_serial_outcomes() -> None:
    rules = meso.default_rules()
    requests = _requests(200)
    serial = list(meso.plan_batch(requests, clinic=NIGHT, rules=rules))
    bag = dask_bag.from_sequence(requests, npartitions=4)
    computed = bag.map_partitions(plan_compact, clinic=NIGHT, rules=rules).compute()
    assert os.getpid() not in {pid for pid, _ in computed}
    compacts = [compact for _, compact in computed]
    assert_exactly_equal(compacts, [outcome.compact() for outcome in serial], "compacts")
    assert 0 < sum(compact.ok for compact in compacts) < len(compacts)
    # The whole outcome on request, in this process: the serial one down to each fold.
    full = [c.full(r, clinic=NIGHT, rules=rules) for c, r in zip(compacts, requests, strict=True)]
    assert_exactly_equal(full, serial, "outcomes")
    assert full[0].request.start.fold == 1
    assert sum(d.fold for d in datetimes_in(full)) >= 10
