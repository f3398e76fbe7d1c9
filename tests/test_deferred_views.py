"""The derived views built on first read: aftercare's windows and the timeline's milestones.

`aftercare` and `expected_timeline` work out every instant at once and build the frozen
values that carry them when they are first read; to every caller they are the tuple.
"""

from __future__ import annotations

import copy
import pickle
import uuid
from typing import TypeVar

import attrs
import pendulum
from hypothesis import given
from hypothesis import strategies as st

import mesotherapy as meso
from mesotherapy._deferred import Deferred
from mesotherapy._session import PLAN_ID_NAMESPACE, _uuid5

START = pendulum.datetime(2026, 10, 30, 16, 15, tz="America/Toronto")


def _plan() -> meso.TreatmentPlan:
    assessment = meso.assess(meso.Client(birth_date="1985-03-02"), ["face"], on="2026-10-01")
    return meso.plan_series(assessment, ["face"], clinic=meso.example_clinic(), start=START)


def test_the_views_are_built_on_first_read() -> None:
    care, timeline = meso.aftercare(_plan()), meso.expected_timeline(_plan())
    for view, name in ((care, "windows"), (timeline, "milestones")):
        assert isinstance(type(view).__dict__[name], property)
        slot = attrs.fields_dict(type(view))[name]
        assert slot.alias == name
    built = care.windows
    assert type(built) is tuple
    assert care.windows is built, "built once, then kept"


def test_a_view_equals_the_same_view_given_built() -> None:
    plan = _plan()
    care, timeline = meso.aftercare(plan), meso.expected_timeline(plan)
    given_care = meso.Aftercare(windows=care.windows, activities=care.activities)
    given_timeline = meso.Timeline(milestones=timeline.milestones)
    fresh_care, fresh_timeline = meso.aftercare(plan), meso.expected_timeline(plan)
    assert fresh_care == given_care
    assert hash(meso.aftercare(plan)) == hash(given_care)
    assert repr(meso.aftercare(plan)) == repr(given_care)
    assert fresh_timeline == given_timeline
    assert repr(meso.expected_timeline(plan)) == repr(given_timeline)
    assert attrs.asdict(meso.aftercare(plan)) == attrs.asdict(given_care)


def _pickled(value: _View) -> _View:
    return pickle.loads(pickle.dumps(value))  # type: ignore[no-any-return]  # noqa: S301


_View = TypeVar("_View")


def test_an_unread_view_pickles_and_copies_as_its_tuple() -> None:
    plan = _plan()
    expected = meso.aftercare(plan).windows
    for trip in (_pickled, copy.copy, copy.deepcopy):
        got = trip(meso.aftercare(plan))
        assert got.windows == expected
        assert type(attrs.fields(type(got)).windows) is attrs.Attribute
        timeline = trip(meso.expected_timeline(plan))
        assert list(timeline) == list(meso.expected_timeline(plan))


def test_a_view_is_still_frozen() -> None:
    care = meso.aftercare(_plan())
    try:
        care.windows = ()  # type: ignore[misc]
    except attrs.exceptions.FrozenInstanceError:
        pass
    else:
        raise AssertionError("a frozen view took a new value")
    assert care.windows


def test_deferred_builds_once_and_pickles_as_the_tuple() -> None:
    calls = []

    def build() -> tuple[int, ...]:
        calls.append(1)
        return (1, 2, 3)

    deferred = Deferred(build)
    assert not calls
    assert deferred.get() == (1, 2, 3)
    assert deferred.get() == (1, 2, 3)
    assert len(calls) == 1
    assert pickle.loads(pickle.dumps(Deferred(build))) == (1, 2, 3)  # noqa: S301


@given(st.text(max_size=300))
def test_the_plan_id_is_the_uuid5_of_its_name(name: str) -> None:
    assert _uuid5(name) == str(uuid.uuid5(uuid.UUID(PLAN_ID_NAMESPACE), name))
