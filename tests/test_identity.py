"""Plans and sessions have identities: ids that no operation changes, and a revision."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import attrs
import pendulum
import pytest
from hypothesis import event, given, note, reject, settings
from hypothesis import strategies as st

import mesotherapy as meso
from mesotherapy import (
    ClientError,
    DocumentError,
    InvalidTimeError,
    SchedulingError,
    SessionStatus,
    TreatmentPlan,
)
from mesotherapy._invariants import check_plan
from mesotherapy._session import PLAN_ID_NAMESPACE, derived_plan_id
from mesotherapy.notebook import FRAME_COLUMNS
from tests.builders import TORONTO, example_plan
from tests.conftest import examples
from tests.plan_strategies import Operation, PlanRequest, operations, plan_requests

DOCUMENTS: Final = Path(__file__).parent / "documents"
START: Final = pendulum.datetime(2026, 10, 20, 9, tz=TORONTO)


def assessment(client_id: str | None = "c-001") -> meso.Assessment:
    client = meso.Client(id=client_id, birth_date="1985-03-02", concerns=["dullness"])
    return meso.assess(client, ["face", "neck"], on="2026-10-20")


# --- A new plan ----------------------------------------------------------------------------


def test_a_new_plan_has_a_derived_id_revision_1_and_numbered_session_ids() -> None:
    plan = example_plan()
    assert plan.id == derived_plan_id("c-001", plan.sessions[0].start, plan.areas)
    assert plan.revision == 1
    assert [s.id for s in plan.sessions] == [f"{plan.id}.{n}" for n in (1, 2, 3, 4)]
    assert [s.replaces for s in plan.sessions] == [None] * 4


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        pytest.param({}, {}, True, id="the-same-plan-twice"),
        pytest.param({}, {"client_id": "c-002"}, False, id="another-client"),
        pytest.param({}, {"client_id": None}, False, id="no-client-id"),
        pytest.param({}, {"sessions": 3}, True, id="the-count-is-no-part-of-it"),
    ],
)
def test_the_derived_id_follows_the_client_the_first_start_and_the_areas(
    one: dict[str, Any], other: dict[str, Any], *, same: bool
) -> None:
    first, second = example_plan(**one), example_plan(**other)
    assert (first.id == second.id) is same


@pytest.mark.parametrize(
    ("client_id", "start", "areas", "other"),
    [
        pytest.param("c-1", START, ("face",), ("c-1", START.add(days=1), ("face",)), id="start"),
        pytest.param("c-1", START, ("face",), ("c-1", START, ("neck",)), id="areas"),
        pytest.param("c-1", START, ("face",), ("c-12", START, ("face",)), id="client"),
        # A joined name must not let two inputs meet: "a|b" + "c" against "a" + "b|c".
        pytest.param("1:a", START, ("face",), ("1", START, ("face",)), id="no-joins-meet"),
    ],
)
def test_derived_ids_differ_where_their_inputs_do(
    client_id: str, start: pendulum.DateTime, areas: tuple[str, ...], other: tuple[Any, ...]
) -> None:
    def derived(who: str, when: pendulum.DateTime, where: tuple[str, ...]) -> str:
        return derived_plan_id(who, when, [meso.Area(a) for a in where])

    assert derived(client_id, start, areas) != derived(*other)


@pytest.mark.parametrize(
    ("client_id", "areas", "expected"),
    [
        ("c-001", ("face", "neck"), "b7cb6d5c-3ee9-5fb4-8908-2f273f586d1d"),
        (None, ("face",), "6dec520e-898c-5cc9-bd29-720cec1f62e0"),
    ],
)
def test_the_derived_id_is_pinned(
    client_id: str | None, areas: tuple[str, ...], expected: str
) -> None:
    # Stored documents of schema 2 get this id when read: it must never change.
    assert derived_plan_id(client_id, START, [meso.Area(a) for a in areas]) == expected


def test_the_derived_id_is_a_uuid5_that_does_not_show_the_client_id() -> None:
    plan = example_plan("client-4711-smith")
    assert "4711" not in plan.id
    assert "smith" not in plan.id
    import uuid  # noqa: PLC0415 - only this test reads the UUID back

    assert uuid.UUID(plan.id).version == 5
    assert uuid.UUID(PLAN_ID_NAMESPACE).version is not None
    assert "client-4711-smith" not in meso.to_json(plan).split('"client_id"')[0]
    assert "smith" not in plan.explain()
    assert "smith" not in plan._repr_html_()


def test_a_given_plan_id_names_the_plan_and_its_sessions() -> None:
    plan = example_plan(plan_id="clinic-7:plan.12_a")
    assert plan.id == "clinic-7:plan.12_a"
    assert plan.sessions[2].id == "clinic-7:plan.12_a.3"


@pytest.mark.parametrize(
    ("plan_id", "needle"),
    [
        pytest.param("", "plan_id: expected 1 to 200 characters, got 0", id="empty"),
        pytest.param("x" * 201, "plan_id: expected 1 to 200 characters, got 201", id="long"),
        pytest.param(
            "a b", "plan_id: expected letters A-Z and a-z, digits and . _ : -, got ' '", id="space"
        ),
        pytest.param("plan/1", "got '/' at position 5", id="slash"),
        pytest.param("plan\n", "got '\\n' at position 5", id="newline"),
        pytest.param("plän", "got 'ä' at position 3", id="not-ascii"),
        pytest.param(12, "plan_id: expected an id (text such as", id="a-number"),
        pytest.param(b"p-1", "plan_id: expected an id", id="bytes"),
    ],
)
def test_a_bad_plan_id_is_refused_naming_the_field(plan_id: Any, needle: str) -> None:
    with pytest.raises(ClientError) as caught:
        example_plan(plan_id=plan_id)
    assert needle in str(caught.value)
    with pytest.raises(ClientError) as caught:
        meso.PlanRequest(
            client=meso.Client(birth_date="1985-03-02"),
            areas=["face"],
            start=START,
            plan_id=plan_id,
        )
    assert needle in str(caught.value)


def test_a_long_id_is_refused_without_repeating_it() -> None:
    secret = "jane-doe-1985-03-02-" * 11
    with pytest.raises(ClientError) as caught:
        example_plan(plan_id=secret)
    assert "jane" not in str(caught.value)


def test_a_plan_id_of_200_characters_is_taken() -> None:
    plan = example_plan(plan_id="p" * 200)
    assert plan.sessions[0].id == "p" * 200 + ".1"


@pytest.mark.parametrize(
    ("changes", "needle"),
    [
        pytest.param({"revision": 0}, "revision: expected a whole number from 1", id="revision-0"),
        pytest.param({"revision": -3}, "revision: expected a whole number from 1", id="negative"),
        pytest.param({"revision": True}, "got True", id="revision-bool"),
        pytest.param({"revision": 2.0}, "got 2.0", id="revision-float"),
        pytest.param({"revision": "2"}, "got '2'", id="revision-text"),
        pytest.param({"id": ""}, "id: expected 1 to 200 characters", id="id-empty"),
        pytest.param({"id": "a b"}, "id: expected letters", id="id-space"),
        pytest.param({"id": None}, "id: expected an id", id="id-none"),
    ],
)
def test_a_plan_with_a_bad_id_or_revision_is_refused(changes: dict[str, Any], needle: str) -> None:
    with pytest.raises(ClientError) as caught:
        attrs.evolve(example_plan(), **changes)
    assert needle in str(caught.value)
    assert str(caught.value).startswith(next(iter(changes)) + ": ")


@pytest.mark.parametrize(
    ("changes", "needle"),
    [
        pytest.param({"id": ""}, "session.id: expected 1 to 240 characters", id="id-empty"),
        pytest.param({"id": "p 1"}, "session.id: expected letters", id="id-space"),
        pytest.param({"id": None}, "session.id: expected an id", id="id-none"),
        pytest.param({"replaces": ""}, "session.replaces: expected 1 to 240", id="replaces-empty"),
        pytest.param({"replaces": 2}, "session.replaces: expected an id", id="replaces-number"),
    ],
)
def test_a_session_with_a_bad_id_is_refused(changes: dict[str, Any], needle: str) -> None:
    with pytest.raises(ClientError) as caught:
        attrs.evolve(example_plan().sessions[0], **changes)
    assert needle in str(caught.value)


# --- Operations ----------------------------------------------------------------------------


def test_every_operation_keeps_the_ids_and_raises_the_revision() -> None:
    plan = example_plan()
    first = plan.session(2).start
    steps: list[tuple[str, Callable[[TreatmentPlan], TreatmentPlan]]] = [
        ("complete(1)", lambda p: p.complete(1)),
        ("reschedule(2)", lambda p: p.reschedule(2, first.add(days=1))),
        ("cancel(3)", lambda p: p.cancel(3)),
        ("no_show(2)", lambda p: p.no_show(2)),
    ]
    for n, (what, step) in enumerate(steps, start=2):
        before = plan
        plan = step(plan)
        assert plan.revision == n, what
        assert before.revision == n - 1, what
        after = {s.index: s.id for s in plan.sessions}
        for session in before.sessions:
            assert after[session.index] == session.id, what
    assert [(s.index, s.status, s.replaces) for s in plan.sessions] == [
        (1, SessionStatus.COMPLETED, None),
        (2, SessionStatus.NO_SHOW, None),
        (3, SessionStatus.CANCELLED, None),
        (4, SessionStatus.PLANNED, None),
        (5, SessionStatus.PLANNED, f"{plan.id}.3"),
        (6, SessionStatus.PLANNED, f"{plan.id}.2"),
    ]


def test_a_replacement_that_is_cancelled_in_turn_is_replaced_by_the_next() -> None:
    plan = example_plan().cancel(2)
    plan = plan.cancel(5)
    assert [(s.index, s.replaces) for s in plan.sessions if s.replaces] == [
        (5, f"{plan.id}.2"),
        (6, f"{plan.id}.5"),
    ]
    assert plan.revision == 3
    assert check_plan(plan) == []


def test_a_refused_operation_leaves_the_revision() -> None:
    plan = example_plan().complete(1)
    with pytest.raises(meso.SchedulingError):
        plan.cancel(1)
    assert plan.revision == 2


# --- Invariants of identity ----------------------------------------------------------------


def _edited(plan: TreatmentPlan, **by_index: dict[str, Any]) -> TreatmentPlan:
    sessions = tuple(
        attrs.evolve(s, **by_index[str(s.index)]) if str(s.index) in by_index else s
        for s in plan.sessions
    )
    return attrs.evolve(plan, sessions=sessions)


def _cancelled() -> TreatmentPlan:
    """Sessions 2 and 3 cancelled: 5 replaces 2 and 6 replaces 3... by the operations' rule."""
    return example_plan().cancel(2).cancel(3)


@pytest.mark.parametrize(
    ("edit", "needle"),
    [
        pytest.param(
            {"4": {"id": "x.1"}, "1": {"id": "x.1"}},
            "sessions[3].id: repeats the id of session 1",
            id="repeated-id",
        ),
        pytest.param(
            {"5": {"replaces": "nowhere.9"}}, "sessions[4].replaces: names no session", id="unknown"
        ),
        pytest.param(
            {"5": {"replaces": "{id}.4"}},
            "names session 4, which is planned, expected a cancelled or missed one",
            id="active",
        ),
        pytest.param(
            {"6": {"replaces": "{id}.2"}},
            "sessions[5].replaces: session 2 is already replaced by session 5",
            id="twice",
        ),
        pytest.param(
            {"2": {"replaces": "{id}.3"}},
            "sessions[1].replaces: names session 3, expected one booked before session 2",
            id="later",
        ),
        pytest.param(
            {"2": {"replaces": "{id}.2"}},
            "sessions[1].replaces: names session 2, expected one booked before",
            id="itself",
        ),
    ],
)
def test_check_plan_refuses_broken_identities(edit: dict[str, dict[str, Any]], needle: str) -> None:
    plan = _cancelled()
    assert check_plan(plan) == []
    changes = {
        index: {k: v.format(id=plan.id) for k, v in fields.items()}
        for index, fields in edit.items()
    }
    found = check_plan(_edited(plan, **changes))
    assert any(needle in problem for problem in found), found
    assert all("identities" in problem for problem in found if needle in problem)


@pytest.mark.parametrize(
    ("path", "value", "needle"),
    [
        ("id", KeyError, "id: expected an id"),
        ("id", "a b", "id: expected letters"),
        ("revision", KeyError, "revision: expected a whole number from 1"),
        ("revision", 0, "revision: expected a whole number from 1 (1 for a new plan), got 0"),
        ("revision", True, "revision: expected a whole number from 1 (1 for a new plan), got True"),
        ("sessions.0.id", "a b", "sessions[0].id: expected letters"),
        ("sessions.0.id", KeyError, "sessions[0]"),
        ("sessions.1.replaces", 7, "sessions[1].replaces"),
        ("sessions.4.replaces", "{id}.4", "sessions[4].replaces: names session 4, which is"),
        ("sessions.3.id", "{id}.1", "sessions[3].id: repeats the id of session 1"),
    ],
)
def test_from_json_refuses_a_document_with_broken_identities(
    path: str, value: Any, needle: str
) -> None:
    plan = _cancelled()
    document = json.loads(meso.to_json(plan))
    target: Any = document
    *keys, last = path.split(".")
    for key in keys:
        target = target[int(key)] if isinstance(target, list) else target[key]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value.format(id=plan.id) if isinstance(value, str) else value
    with pytest.raises(DocumentError) as caught:
        meso.from_json(json.dumps(document), TreatmentPlan)
    assert needle in str(caught.value)


def test_a_plan_and_a_request_pickle_with_their_identities() -> None:
    import pickle  # noqa: PLC0415 - only this test pickles

    plan = example_plan(plan_id="p-1").cancel(2)
    back = pickle.loads(pickle.dumps(plan))  # noqa: S301 - our own bytes
    assert back == plan
    assert (back.id, back.revision, back.sessions[-1].replaces) == ("p-1", 2, "p-1.2")
    request = meso.PlanRequest(client=meso.Client(birth_date="1985-03-02"), areas=["face"],
                               start=START, plan_id="p-9")  # fmt: skip
    assert pickle.loads(pickle.dumps(request)).plan_id == "p-9"  # noqa: S301 - our own bytes


def test_a_plan_reads_back_equal_with_its_identities() -> None:
    plan = example_plan(plan_id="p-1").complete(1).cancel(3).no_show(2)
    back = meso.from_json(meso.to_json(plan), TreatmentPlan)
    assert back == plan
    assert (back.id, back.revision) == ("p-1", 4)
    assert [s.replaces for s in back.sessions] == [None, None, None, None, "p-1.3", "p-1.2"]


# --- Older documents -----------------------------------------------------------------------


def _schema_2(plan: TreatmentPlan) -> str:
    """*plan*'s document as schema 2 wrote it: no identities."""
    document = json.loads(meso.to_json(plan))
    document["schema"] = 2
    del document["id"], document["revision"]
    for session in document["sessions"]:
        del session["id"], session["replaces"]
    return json.dumps(document)


def _ops(*steps: str) -> TreatmentPlan:
    plan = example_plan()
    for step in steps:
        name, index = step.split(":")
        plan = getattr(plan, name)(int(index))
    return plan


@pytest.mark.parametrize(
    ("steps", "replacing"),
    [
        pytest.param((), {}, id="a-new-plan"),
        pytest.param(("complete:1",), {}, id="completed"),
        pytest.param(("cancel:2",), {5: 2}, id="one-cancelled"),
        pytest.param(("no_show:2",), {5: 2}, id="one-missed"),
        pytest.param(("cancel:2", "cancel:3"), {5: 2, 6: 3}, id="two-in-booking-order"),
        pytest.param(("cancel:2", "cancel:5"), {5: 2, 6: 5}, id="a-replacement-cancelled"),
        # History the document cannot show: 3 was cancelled first, so 5 replaced it; the
        # upgrade pairs them in booking order.
        pytest.param(("cancel:3", "cancel:2"), {5: 2, 6: 3}, id="two-out-of-booking-order"),
    ],
)
def test_a_schema_2_document_is_upgraded_deriving_its_identities(
    steps: tuple[str, ...], replacing: dict[int, int]
) -> None:
    plan = _ops(*steps)
    back = meso.from_json(_schema_2(plan), TreatmentPlan)
    assert back.id == example_plan().id  # the id a new plan gets
    assert back.revision == 1
    assert [s.id for s in back.sessions] == [f"{plan.id}.{s.index}" for s in plan.sessions]
    assert {s.index: s.replaces for s in back.sessions if s.replaces} == {
        new: f"{plan.id}.{old}" for new, old in replacing.items()
    }
    assert [attrs.evolve(s, replaces=None) for s in back.sessions] == [
        attrs.evolve(s, replaces=None) for s in plan.sessions
    ]


def test_a_stored_schema_2_document_is_upgraded() -> None:
    # Written by the release before identities: complete(1), cancel(3), no_show(2).
    text = (DOCUMENTS / "plan-schema-2.json").read_text("utf-8")
    assert json.loads(text)["schema"] == 2
    plan = meso.from_json(text, TreatmentPlan)
    assert plan.id == example_plan().id
    assert plan.revision == 1
    assert [(s.index, s.status.value, s.replaces) for s in plan.sessions] == [
        (1, "completed", None),
        (2, "no_show", None),
        (3, "cancelled", None),
        (4, "planned", None),
        (5, "planned", f"{plan.id}.2"),
        (6, "planned", f"{plan.id}.3"),
    ]
    # Once upgraded, the plan goes on: its next operation is revision 2, ids kept.
    after = plan.complete(4)
    assert after.revision == 2
    assert [s.id for s in after.sessions] == [s.id for s in plan.sessions]
    assert meso.from_json(meso.to_json(after), TreatmentPlan) == after


def test_a_schema_1_document_gets_the_ids_a_new_plan_would() -> None:
    text = (DOCUMENTS / "plan-schema-1.json").read_text("utf-8")
    plan = meso.from_json(text, TreatmentPlan)
    assert plan.id == example_plan().id
    assert plan.revision == 1


@pytest.mark.parametrize(
    ("edit", "needle"),
    [
        pytest.param(
            lambda d: d["sessions"][0].update(index="1"),
            "sessions[0].index: expected a whole number, got '1'",
            id="text-index",
        ),
        pytest.param(
            lambda d: d["sessions"][0].update(index=9),
            "sessions: expected a session 1",
            id="no-session-1",
        ),
        pytest.param(
            lambda d: d["sessions"][0].update(start="soon"), "sessions[0].start", id="bad-start"
        ),
    ],
)
def test_a_schema_2_document_that_cannot_be_upgraded_is_refused(edit: Any, needle: str) -> None:
    document = json.loads(_schema_2(example_plan()))
    edit(document)
    with pytest.raises(DocumentError) as caught:
        meso.from_json(json.dumps(document), TreatmentPlan)
    assert needle in str(caught.value)


# --- Batches -------------------------------------------------------------------------------


def test_a_batch_gives_each_plan_its_derived_id_unless_the_request_names_one() -> None:
    clients = [meso.Client(id=f"c-{n}", birth_date="1985-03-02") for n in (1, 2)]
    requests = [
        meso.PlanRequest(client=clients[0], areas=["face"], start=START),
        meso.PlanRequest(client=clients[1], areas=["face"], start=START, plan_id="clinic:42"),
    ]
    plans = [o.plan for o in meso.plan_batch(requests, clinic=meso.example_clinic())]
    assert plans[0] is not None
    assert plans[1] is not None
    assert plans[0].id == derived_plan_id("c-1", plans[0].sessions[0].start, plans[0].areas)
    assert plans[1].id == "clinic:42"
    assert plans[1].sessions[0].id == "clinic:42.1"


# --- Properties ----------------------------------------------------------------------------

_Name = tuple[int, tuple[meso.Area, ...], str | None]
"""What an id names: the session's booking number, its areas and what it replaces."""


def _named(session: meso.Session) -> _Name:
    return (session.index, session.areas, session.replaces)


def _check_step(
    before: TreatmentPlan, after: TreatmentPlan, names: dict[str, _Name], what: str
) -> None:
    """*after*, one operation on from *before*, keeps every id and names nothing anew."""
    assert after.id == before.id, what
    assert after.revision == before.revision + 1, what
    now = {s.id: s for s in after.sessions}
    assert len(now) == len(after.sessions), f"{what}: an id names two sessions"
    for session in before.sessions:
        assert session.id in now, f"{what}: the id of session {session.index} is gone"
        carried = now[session.id]
        assert _named(carried) == _named(session), f"{what}: {session.id} names another session"
        if session.status is not SessionStatus.PLANNED:  # only a planned session moves
            assert carried == session, f"{what}: the {session.status.value} {session.id} changed"
    for session in after.sessions:
        if session.id in names:
            assert names[session.id] == _named(session), f"{what}: {session.id} was reused"
        names[session.id] = _named(session)
        if session.replaces is not None:
            replaced = now[session.replaces]
            assert not replaced.status.is_active, what
            assert replaced.index < session.index, what
    assert check_plan(after) == [], what


def _plan_of(request: PlanRequest) -> TreatmentPlan:
    try:
        return request.plan()
    except SchedulingError:
        reject()  # an infeasible request: no plan to operate on


@given(plan_requests(), st.lists(operations(), max_size=10))
def test_every_sequence_of_operations_keeps_every_id(
    request: PlanRequest, steps: list[Operation]
) -> None:
    plan = _plan_of(request)
    assert plan.revision == 1
    names = {s.id: _named(s) for s in plan.sessions}
    done = 0
    for step in steps:
        note(repr(step))
        before, kept = plan, copy.deepcopy(plan)
        try:
            plan = step.apply(before)
        except (SchedulingError, InvalidTimeError):
            # Refused: the plan is as it was, its revision too.
            assert before == kept
            assert before.revision == kept.revision == 1 + done
            continue
        assert before == kept, f"{step}: the operation changed the plan it was called on"
        _check_step(before, plan, names, repr(step))
        done += 1
    event(f"operations done: {min(done, 3)}{'+' if done >= 3 else ''}")
    assert plan.revision == 1 + done
    assert meso.from_json(meso.to_json(plan), TreatmentPlan) == plan


@settings(max_examples=examples(25))
@given(plan_requests(), st.lists(operations(), max_size=6))
def test_an_upgraded_schema_2_document_keeps_the_ids_the_operations_gave(
    request: PlanRequest, steps: list[Operation]
) -> None:
    """The upgrade derives what the operations gave, but for the pairing of replacements."""
    plan = first = _plan_of(request)
    for step in steps:
        try:
            plan = step.apply(plan)
        except (SchedulingError, InvalidTimeError):
            continue
    back = meso.from_json(_schema_2(plan), TreatmentPlan)
    # The id a new plan would get from what the document holds: session 1 as it is now
    # (moved or completed elsewhere, it gives another id than the plan had).
    assert back.id == derived_plan_id(plan.client_id, plan.session(1).start, plan.areas)
    if plan.session(1).start == first.session(1).start:
        assert back.id == plan.id
    assert back.revision == 1
    assert [s.id for s in back.sessions] == [f"{back.id}.{s.index}" for s in plan.sessions]

    def replaced(p: TreatmentPlan) -> list[int]:
        return sorted(p.sessions[[s.id for s in p.sessions].index(s.replaces)].index
                      for s in p.sessions if s.replaces is not None)  # fmt: skip

    # The same sessions are replaced, perhaps paired otherwise (booking order).
    assert replaced(back) == replaced(plan)
    assert check_plan(back) == []


# --- Frames of many plans ------------------------------------------------------------------


def _pandas() -> Any:
    """pandas, or a skip when the notebook extra is not installed (it ships no types)."""
    return pytest.importorskip("pandas", reason="the notebook extra is not installed")


def _two_plans() -> tuple[TreatmentPlan, TreatmentPlan]:
    first = example_plan("c-1")
    second = meso.plan_series(
        assessment("c-2"),
        ["face", "neck"],
        clinic=meso.example_clinic(),
        start=START.add(days=7),
        plan_id="clinic:42",
    ).cancel(2)
    return first, second


def test_every_row_of_a_frame_names_its_plan_in_the_first_column() -> None:
    _pandas()
    plan = example_plan()
    frame = meso.to_frame(plan)
    assert frame.columns[0] == "plan"
    assert FRAME_COLUMNS[0] == "plan"
    assert frame["plan"].tolist() == [plan.id] * len(frame)
    assert frame.drop(columns="plan").columns.tolist() == list(FRAME_COLUMNS[1:])


def test_a_frame_of_two_plans_is_their_frames_concatenated() -> None:
    pd = _pandas()
    first, second = _two_plans()
    both = meso.to_frame([first, second])
    alone = pd.concat([meso.to_frame(first), meso.to_frame(second)], ignore_index=True)
    pd.testing.assert_frame_equal(both, alone)
    assert both.groupby("plan").size().to_dict() == {
        first.id: len(meso.to_frame(first)),
        "clinic:42": len(meso.to_frame(second)),
    }
    # A generator is an iterable of plans too.
    pd.testing.assert_frame_equal(meso.to_frame(p for p in (first, second)), both)


def test_frames_of_two_plans_join_on_the_plan_column() -> None:
    pd = _pandas()
    first, second = _two_plans()
    sessions = meso.to_frame([first, second], what="sessions")
    plans = pd.DataFrame(
        {"plan": [first.id, second.id], "revision": [first.revision, second.revision]}
    )
    joined = sessions.merge(plans, on="plan", how="left", validate="many_to_one")
    assert len(joined) == len(first.sessions) + len(second.sessions)
    assert joined.groupby("plan")["revision"].first().to_dict() == {first.id: 1, second.id: 2}
    cancelled = joined[joined["status"] == "cancelled"]
    assert cancelled[["plan", "session"]].values.tolist() == [[second.id, 2]]


def test_a_frame_of_plans_in_two_zones_is_in_utc() -> None:
    _pandas()
    toronto = example_plan()
    london = meso.plan_series(
        assessment(),
        ["face", "neck"],
        clinic=meso.example_clinic(timezone="Europe/London"),
        start=pendulum.datetime(2026, 10, 20, 9, tz="Europe/London"),
    )
    frame = meso.to_frame([toronto, london], what="sessions")
    assert str(frame["start"].dt.tz) == "UTC"
    assert [t.isoformat() for t in frame["start"]] == [
        s.start.in_timezone("UTC").isoformat() for s in (*toronto.sessions, *london.sessions)
    ]


@pytest.mark.parametrize(
    ("plans", "error", "needle"),
    [
        pytest.param([], None, None, id="none"),
        pytest.param(
            "plan", ClientError, "plan: expected a TreatmentPlan or an iterable", id="text"
        ),
        pytest.param({}, ClientError, "plan: expected a TreatmentPlan or an iterable", id="dict"),
        pytest.param(7, ClientError, "got a int", id="number"),
        pytest.param(["x"], ClientError, "plan[0]: expected a TreatmentPlan", id="text-in-list"),
    ],
)
def test_to_frame_takes_plans_and_refuses_anything_else(
    plans: Any, error: type[Exception] | None, needle: str | None
) -> None:
    _pandas()
    if error is None:
        frame = meso.to_frame(plans)
        assert tuple(frame.columns) == FRAME_COLUMNS
        assert frame.empty
        return
    with pytest.raises(error) as caught:
        meso.to_frame(plans)
    assert needle is not None
    assert needle in str(caught.value)


def test_to_frame_refuses_two_plans_with_one_id() -> None:
    _pandas()
    plan = example_plan()
    with pytest.raises(ClientError, match=r"^plan\[1\]\.id: the same id as plan\[0\]"):
        meso.to_frame([plan, plan.cancel(2)])
