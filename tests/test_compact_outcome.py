"""`CompactOutcome`: a batch outcome as plain values that gives the whole outcome back exactly.

A distributed batch sends its outcomes back across a process boundary; the compact form
carries what a caller needs (ids, the sessions' instants, the maintenance window, the
candidacy and the problem) in a fraction of the pickle, and `CompactOutcome.full` plans
the request again for the whole outcome: the very one of the full path, down to each
instant's fold, on requests drawn at clinics in every zone.
"""

from __future__ import annotations

import copy
import datetime as dt
import pickle
from pathlib import Path
from typing import Any, Final

import attrs
import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mesotherapy as meso
from mesotherapy._clinic import WEEKDAYS
from tests.builders import TORONTO
from tests.conftest import examples
from tests.exact import assert_exactly_equal
from tests.plan_strategies import PlanRequest as Drawn
from tests.plan_strategies import plan_requests

CLINIC: Final = meso.example_clinic()
START: Final = pendulum.datetime(2026, 11, 24, 9, tz=TORONTO)
NIGHT: Final = meso.Clinic(
    name="Night Clinic", timezone=TORONTO, hours={day: [("00:00", "23:59")] for day in WEEKDAYS}
)
"""Open around the clock, so that a session may start in the night the clocks go back."""
REPEATED: Final = pendulum.datetime(2026, 11, 1, 1, 30, tz=TORONTO, fold=1)
"""The second 01:30 of 1 November 2026 in Toronto (01:30 EST)."""
OTHER_RULES: Final = meso.load_rules(
    Path(__file__).parent.parent / "docs" / "examples" / "clinic-rules.toml",
    base=meso.default_rules(),
)


def _request(**more: Any) -> meso.PlanRequest:
    fields = {"client": meso.Client(id="c-1", birth_date="1985-03-02"), "areas": ["face"]}
    return meso.PlanRequest(**{**fields, "start": START, **more})


def _trip(value: Any) -> Any:
    """*value* through pickle, as a worker sends it back."""
    return pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))  # noqa: S301


def _outcome(request: meso.PlanRequest, clinic: meso.Clinic = CLINIC) -> meso.PlanOutcome:
    (outcome,) = meso.plan_batch([request], clinic=clinic)
    return outcome


def _same_instant(text: str, value: pendulum.DateTime) -> None:
    """*text* is the ISO 8601 form of *value*: the same instant at the same UTC offset."""
    parsed = dt.datetime.fromisoformat(text)
    assert parsed == value
    assert parsed.utcoffset() == value.utcoffset()


def _mirrors(compact: meso.CompactOutcome, outcome: meso.PlanOutcome) -> None:
    """The plain values of *compact* are those of *outcome*."""
    assert compact.client_id == outcome.request.client.id
    assert compact.problem == outcome.problem
    assert compact.ok is outcome.ok
    status = outcome.assessment.status.value if outcome.assessment else None
    assert compact.candidacy == status
    plan = outcome.plan
    if plan is None:
        assert (compact.plan_id, compact.starts, compact.ends) == (None, (), ())
        assert compact.maintenance is None
        return
    assert compact.plan_id == plan.id
    assert len(compact.starts) == len(compact.ends) == len(plan.sessions)
    for start, end, session in zip(compact.starts, compact.ends, plan.sessions, strict=True):
        _same_instant(start, session.start)
        _same_instant(end, session.end)
    (window,) = plan.maintenance
    assert compact.maintenance == (str(window.opens), str(window.closes))


@settings(max_examples=examples(60))
@given(
    st.lists(plan_requests(plannable=False), min_size=1, max_size=3),
    st.lists(st.none() | st.sampled_from(["plan-a", "p.1:x_y"]), min_size=3, max_size=3),
)
def test_a_compact_outcome_gives_back_exactly_the_full_outcome(
    drawn: list[Drawn], plan_ids: list[str | None]
) -> None:
    clinic, rules = drawn[0].clinic, meso.default_rules()
    requests = [d.batch_request(plan_id) for d, plan_id in zip(drawn, plan_ids, strict=False)]
    outcomes = list(meso.plan_batch(requests, clinic=clinic, rules=rules))
    compacts = [outcome.compact() for outcome in outcomes]
    # As a worker sends them back: one pickle of the partition's list.
    back = _trip(compacts)
    assert_exactly_equal(back, compacts, "compacts")
    for compact, outcome, request in zip(back, outcomes, requests, strict=True):
        _mirrors(compact, outcome)
        assert_exactly_equal(compact.full(request, clinic=clinic, rules=rules), outcome)


def test_the_instants_keep_their_offsets_across_the_autumn_change() -> None:
    # From the second 01:30 of the night the clocks go back: the first slot that is no
    # ambiguous local time is 02:00 EST, and the sessions after it keep 02:00 EST.
    request = _request(start=REPEATED)
    outcome = _outcome(request, NIGHT)
    compact = _trip(outcome.compact())
    assert compact.starts[:2] == ("2026-11-01T02:00:00-05:00", "2026-11-22T02:00:00-05:00")
    # From before the change, the offset follows the zone: EDT, then EST.
    before = _outcome(_request(start=pendulum.datetime(2026, 10, 20, 9, tz=TORONTO)))
    assert before.compact().starts[:2] == (
        "2026-10-20T09:00:00-04:00",
        "2026-11-10T09:00:00-05:00",
    )
    assert_exactly_equal(compact.full(request, clinic=NIGHT), outcome)


def test_a_refused_request_keeps_its_candidacy_and_problem() -> None:
    request = _request(client=meso.Client(birth_date="1990-01-01", pregnant=True))
    compact = _outcome(request).compact()
    assert compact == meso.CompactOutcome(
        client_id=None,
        candidacy="ineligible",
        problem="assessment: the client is not a candidate (status ineligible)",
    )
    assert not compact.ok
    assert compact.full(request, clinic=CLINIC) == _outcome(request)


def test_it_pickles_as_plain_values_in_a_fraction_of_the_bytes() -> None:
    clients = (meso.Client(id=f"c-{n}", birth_date="1985-03-02") for n in range(100))
    outcomes = [_outcome(_request(client=client)) for client in clients]
    compacts = [outcome.compact() for outcome in outcomes]
    full, small = pickle.dumps(outcomes), pickle.dumps(compacts)
    assert len(small) * 2 < len(full)
    assert len(pickle.dumps(compacts[0])) * 5 < len(pickle.dumps(outcomes[0]))
    # No class of the library but the outcome itself, no pendulum value: texts and tuples.
    assert b"Clinic" not in small
    assert b"pendulum" not in small
    assert b"_compact_outcome" in small


def test_it_is_a_frozen_value_that_copies_and_hides_the_client_s_id() -> None:
    private = meso.Client(id="c-PRIVATE", birth_date="1985-03-02")
    compact_outcome = _outcome(_request(client=private)).compact()
    assert copy.copy(compact_outcome) == compact_outcome
    assert copy.deepcopy(compact_outcome) == compact_outcome
    assert hash(compact_outcome) == hash(_trip(compact_outcome))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        compact_outcome.plan_id = "other"  # type: ignore[misc]
    assert "c-PRIVATE" not in repr(compact_outcome)
    assert compact_outcome.client_id == "c-PRIVATE"


@pytest.mark.parametrize(
    ("request_", "clinic", "rules"),
    [
        (_request(areas=["neck"]), CLINIC, None),
        (_request(client=meso.Client(id="c-2", birth_date="1985-03-02")), CLINIC, None),
        (_request(), meso.example_clinic(timezone="Europe/London"), None),
        (_request(), CLINIC, OTHER_RULES),
    ],
    ids=["other-areas", "other-client", "other-clinic", "other-rules"],
)
def test_full_refuses_a_request_clinic_or_rules_that_give_another_outcome(
    request_: meso.PlanRequest, clinic: meso.Clinic, rules: meso.RuleSet | None
) -> None:
    compact = _outcome(_request()).compact()
    with pytest.raises(meso.ClientError, match=r"^request: it gives plan .* expected the") as error:
        compact.full(request_, clinic=clinic, rules=rules)
    assert "c-1" not in str(error.value)
    assert "c-2" not in str(error.value)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"request": {"client": "c-1"}}, meso.ClientError, r"^request: expected a PlanRequest"),
        ({"clinic": "lakeside.toml"}, meso.ClientError, r"^clinic: expected a Clinic"),
        ({"rules": "default"}, meso.RuleSetError, r"rules: expected a RuleSet"),
    ],
)
def test_full_refuses_what_is_not_the_library_s(
    kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    compact = _outcome(_request()).compact()
    arguments: dict[str, Any] = {"request": _request(), "clinic": CLINIC, **kwargs}
    with pytest.raises(error, match=message):
        compact.full(arguments.pop("request"), **arguments)
