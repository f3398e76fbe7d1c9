"""A clinic's closures found by bisection, and its memo of days forgetting one day at a time."""

from __future__ import annotations

import copy
import datetime as dt
import pickle

import attrs
import pendulum
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from mesotherapy import _clinic
from mesotherapy._clinic import Clinic, Closure, example_clinic

FIRST = pendulum.date(2026, 12, 1)
SPAN = 60
"""Closures fall within the SPAN days from FIRST: they overlap often."""


def _scanned(clinic: Clinic, day: dt.date) -> str | None:
    """What the clinic said before closures were bisected: the first one, in order, that covers."""
    for closure in clinic.closures:
        if closure.start <= day <= closure.end:
            return f"closure: {closure.reason}" if closure.reason else "closure"
    return example_clinic(holidays=None).closed_reason(day)


@st.composite
def closures(draw: st.DrawFn) -> list[Closure]:
    """Closures of 1 to 15 days, often overlapping, sharing starts, ends and reasons."""
    count = draw(st.integers(min_value=0, max_value=25))
    found = []
    for n in range(count):
        start = FIRST.add(days=draw(st.integers(min_value=0, max_value=SPAN)))
        end = start.add(days=draw(st.integers(min_value=0, max_value=14)))
        reason = draw(st.sampled_from([None, f"reason {n}", "works", "audit"]))
        found.append(Closure(start=start, end=end, reason=reason))
    return found


def test_a_closure_that_starts_first_is_named_for_a_day_others_cover_too() -> None:
    clinic = attrs.evolve(
        example_clinic(holidays=None),
        closures=[
            Closure(start="2026-12-24", reason="eve"),
            Closure(start="2026-12-20", end="2027-01-03", reason="winter"),
            Closure(start="2026-12-20", end="2026-12-22", reason="boiler"),
            Closure(start="2026-12-28", end="2026-12-29", reason="audit"),
        ],
    )
    said = {day: clinic.closed_reason(pendulum.date(2026, 12, day)) for day in (19, 20, 23, 24, 28)}
    assert said == {
        19: None,  # a Saturday, open
        20: "closure: boiler",  # of two starting that day, the one that ends first
        23: "closure: winter",  # the boiler is fixed: the long closure still covers it
        24: "closure: winter",  # the winter break started before the eve
        28: "closure: winter",
    }
    assert clinic.closed_reason(pendulum.date(2027, 1, 4)) is None


@given(closures(), st.integers(min_value=-3, max_value=SPAN + 18))
@example([], 0)
@example(
    [
        Closure(start=FIRST, end=FIRST.add(days=9), reason="long"),
        Closure(start=FIRST.add(days=1), reason="short"),
        Closure(start=FIRST.add(days=3), end=FIRST.add(days=5)),
    ],
    4,
)
def test_the_bisected_closure_is_the_one_a_scan_of_them_in_order_names(
    found: list[Closure], offset: int
) -> None:
    clinic = attrs.evolve(example_clinic(holidays=None), closures=found)
    day = FIRST.add(days=offset)
    assert clinic.closed_reason(day) == _scanned(clinic, day)
    # Every day around them too, asked of a fresh copy in another order.
    again = copy.copy(clinic)
    days = [FIRST.add(days=n) for n in range(SPAN + 18, -4, -1)]
    assert [again.closed_reason(d) for d in days] == [_scanned(clinic, d) for d in days]


def test_the_closures_are_bisected_the_same_after_a_pickle() -> None:
    clinic = attrs.evolve(
        example_clinic(holidays=None),
        closures=[Closure(start="2026-12-20", end="2027-01-03", reason="winter")],
    )
    assert clinic.closed_reason(pendulum.date(2026, 12, 30)) == "closure: winter"
    copied = pickle.loads(pickle.dumps(clinic))  # noqa: S301 - our own pickle
    assert copied == clinic
    assert copied.closed_reason(pendulum.date(2026, 12, 30)) == "closure: winter"
    assert copied.closed_reason(pendulum.date(2027, 1, 4)) is None


def _fill(clinic: Clinic, days: list[pendulum.Date]) -> None:
    for day in days:
        list(clinic.slots(day, 45))


def test_the_memo_of_days_forgets_the_least_recently_used_day_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_clinic, "_MEMO_DAYS", 8)
    clinic = example_clinic(holidays=None)
    days = [pendulum.date(2027, 1, 4).add(days=n) for n in range(12)]
    _fill(clinic, days[:8])  # the memo is full
    _fill(clinic, days[:1])  # the first day is used again: now the most recent
    _fill(clinic, days[8:10])  # two more: two days are forgotten, not all of them
    remembered = [day for day, _ in clinic._walls_memo]
    assert remembered == [*days[3:8], days[0], *days[8:10]]


def test_a_day_used_all_along_is_never_forgotten(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_clinic, "_MEMO_DAYS", 16)
    clinic = example_clinic(holidays=None)
    busy = pendulum.date(2027, 1, 4)
    for n in range(1, 200):
        _fill(clinic, [busy.add(days=n)])
        assert (busy, 45) in clinic._walls_memo or n == 1
        _fill(clinic, [busy])
        assert len(clinic._walls_memo) <= 16
    # A forgotten day, asked again, gives what it gave the first time.
    assert list(clinic.slots(busy.add(days=1), 45)) == list(
        example_clinic(holidays=None).slots(busy.add(days=1), 45)
    )
