"""No client identifier appears in any repr, str, HTML view, explanation, log line or error.

A client's ``id`` is health data's key: DESIGN.md gives a client "an opaque id at most",
and the library promises it never shows it. Here a distinctive id (``c-PRIVATE-7f3a``, and
ids drawn by hypothesis) goes through the whole pipeline: assess, plan, the operations,
aftercare and its questions, conflicts, the expected timeline, the instructions, the
exports and `plan_batch` with a failing request, while every log record of every logger
is captured at DEBUG. Then the library is made to refuse, in many ways, things that carry
the id: clients, plans, batch requests and JSON documents. None of the texts a person or
a log reads may hold the id: ``repr``, ``str``, ``_repr_html_``, ``explain()``, log
records, error messages (and their notes and causes) and `PlanOutcome.problem`.

The JSON, FHIR and iCalendar exports do carry the id: they hand the data over to the
caller's own systems, and the tests check that they do, so that the search for the id in
the other texts is known to look for something that is there.
"""

from __future__ import annotations

import json
import logging
import string
from collections.abc import Callable, Iterator
from typing import Any, Final

import attrs
import pendulum
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mesotherapy as meso
from mesotherapy._clinic import WEEKDAYS
from tests.builders import TORONTO

PRIVATE: Final = "c-PRIVATE-7f3a"
START: Final = pendulum.datetime(2026, 10, 20, 9, tz=TORONTO)
NIGHT: Final = meso.Clinic(
    name="Night Clinic",
    timezone=TORONTO,
    hours={day: [("00:00", "23:59")] for day in WEEKDAYS},
    holidays=None,
)
"""Open around the clock, so that a plan meets the autumn change of 1 November 2026."""

ids = st.text(alphabet=string.ascii_letters + string.digits, min_size=8, max_size=20).map(
    lambda text: f"id-{text}"
)
"""Client ids as a caller's records might hold them."""

FEW: Final = settings(
    max_examples=8,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
"""Few examples: each runs the whole pipeline. ``caplog`` is cleared at each example."""


# --- What a person or a log reads ----------------------------------------------------------


def views(value: object) -> Iterator[tuple[str, str]]:
    """Every text that shows *value*: repr, str, HTML and explanation where it has them."""
    yield "repr", repr(value)
    yield "str", str(value)
    html = getattr(value, "_repr_html_", None)
    if callable(html):
        yield "_repr_html_", html()
    explain = getattr(value, "explain", None)
    if callable(explain):
        yield "explain()", explain()


def error_texts(error: BaseException) -> Iterator[tuple[str, str]]:
    """The message, repr, arguments, notes and attributes of *error*, and of every error a
    traceback shows behind it (its cause, or its context unless suppressed by ``from None``).
    """
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        name = type(current).__name__
        yield f"{name} str", str(current)
        yield f"{name} repr", repr(current)
        yield f"{name} args", repr(current.args)
        yield f"{name} notes", repr(getattr(current, "__notes__", []))
        yield f"{name} attributes", repr(vars(current))
        behind = current.__cause__
        if behind is None and not current.__suppress_context__:
            behind = current.__context__
        current = behind


def log_texts(caplog: pytest.LogCaptureFixture) -> Iterator[tuple[str, str]]:
    """Every captured log record, formatted, with its arguments and any traceback."""
    formatter = logging.Formatter()
    for record in caplog.records:
        yield f"log {record.name}", formatter.format(record)
        yield f"log {record.name} args", repr(record.args)


def assert_hidden(client_id: str, texts: Iterator[tuple[str, str]] | list[tuple[str, str]]) -> int:
    """No text shows *client_id*; how many texts were read."""
    count = 0
    for label, text in texts:
        assert client_id not in text, f"{label} shows the client's id:\n{text}"
        count += 1
    return count


def refusal(action: Callable[[], object]) -> meso.MesotherapyError:
    """The library's error that *action* raises (anything else fails the test)."""
    with pytest.raises(meso.MesotherapyError) as caught:
        action()
    return caught.value


# --- The whole pipeline --------------------------------------------------------------------


def _client(client_id: str, **facts: Any) -> meso.Client:
    return meso.Client(id=client_id, birth_date="1985-03-02", concerns=["dullness"], **facts)


def pipeline(client_id: str) -> tuple[list[object], dict[str, str]]:
    """Everything the library makes for a client with *client_id*, and its exports."""
    client = _client(client_id, medications=[{"code": "antiplatelet"}])
    assessment = meso.assess(client, ["face", "neck"], on="2026-10-01")
    plan = meso.plan_series(
        assessment,
        ["face", "neck"],
        start=pendulum.datetime(2026, 10, 11, 1, 30, tz=TORONTO),
        clinic=NIGHT,
        acknowledge_review=True,
    )
    operated = plan.complete(1).no_show(2).cancel(3)
    moved = plan.reschedule(2, plan.sessions[1].start.add(days=1))
    care = meso.aftercare(plan)
    first = plan.sessions[0]
    answers = [
        care.may_i("makeup", first.end.add(hours=1)),
        care.may_i("sun", first.end.add(days=3)),
    ]
    event = meso.ClientEvent(
        name="Wedding",
        start=first.end.add(hours=2),
        end=first.end.add(hours=6),
        activities=["makeup", "exercise"],
    )
    conflicts = care.conflicts([event])
    timeline = meso.expected_timeline(plan)
    refused = _client(client_id, pregnant=True)
    requests = [
        meso.PlanRequest(client=client, areas=["face"], start=START, acknowledge_review=True),
        meso.PlanRequest(client=refused, areas=["face"], start=START),
    ]
    outcomes = list(meso.plan_batch(requests, clinic=meso.example_clinic()))
    assert [outcome.ok for outcome in outcomes] == [True, False]
    shown: list[object] = [
        client,
        assessment,
        *assessment.findings,
        plan,
        *plan.sessions,
        *plan.maintenance,
        operated,
        moved,
        care,
        *care.windows,
        *answers,
        event,
        *conflicts,
        timeline,
        *timeline.milestones,
        *requests,
        *outcomes,
    ]
    exports = {
        "json": meso.to_json(plan),
        "client json": meso.to_json(client),
        "assessment json": meso.to_json(assessment),
        "fhir": json.dumps(meso.to_fhir(plan)),
        "ics": meso.to_ics(plan),
        "instructions": meso.instructions(plan),
        "instructions fr_CA": meso.instructions(operated, locale="fr_CA"),
    }
    return shown, exports


def _check_pipeline(client_id: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        shown, exports = pipeline(client_id)
    # The exports are the hand-over: they carry the id, so the search below can find it.
    for name in ("json", "client json", "assessment json", "fhir"):
        assert client_id in exports[name], name
    texts = [view for value in shown for view in views(value)]
    texts += [("instructions", exports["instructions"])]
    texts += [("instructions fr_CA", exports["instructions fr_CA"])]
    texts += [
        ("PlanOutcome.problem", o.problem or "") for o in shown if isinstance(o, meso.PlanOutcome)
    ]
    texts += list(log_texts(caplog))
    assert assert_hidden(client_id, texts) > 100


def test_no_view_or_log_line_of_the_pipeline_shows_the_client_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    _check_pipeline(PRIVATE, caplog)


@FEW
@given(client_id=ids)
def test_no_view_or_log_line_shows_any_client_id(
    client_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    _check_pipeline(client_id, caplog)


# --- Refusals ------------------------------------------------------------------------------


def _plan(client_id: str) -> meso.TreatmentPlan:
    assessment = meso.assess(_client(client_id), ["face"], on="2026-10-01")
    return meso.plan_series(assessment, ["face"], start=START, clinic=meso.example_clinic())


Refusals = Iterator[tuple[str, meso.MesotherapyError]]


def refusals(client_id: str, depth: int) -> Refusals:
    """The library refusing, in many ways, what carries *client_id*.

    The JSON documents are broken at each of their values down to *depth* levels.
    """
    yield from _client_refusals(client_id)
    yield from _planning_refusals(client_id)
    plan = _plan(client_id)
    assert plan.client_id == client_id
    yield from _operation_refusals(plan, client_id)
    yield from _document_refusals(plan, client_id, depth)


def _client_refusals(client_id: str) -> Refusals:
    client = _client(client_id)
    facts: dict[str, Any] = {"id": client_id, "birth_date": "1985-03-02"}
    yield "unknown key", refusal(lambda: meso.client_from_dict({**facts, "name": "Ann"}))
    yield "no birth date", refusal(lambda: meso.client_from_dict({"id": client_id}))
    yield "bad date", refusal(lambda: meso.client_from_dict({**facts, "birth_date": "1985-02-30"}))
    yield "bad flag", refusal(lambda: meso.client_from_dict({**facts, "pregnant": "yes"}))
    yield "bad concern", refusal(lambda: meso.client_from_dict({**facts, "concerns": ["x"]}))
    yield "bad skin", refusal(lambda: meso.Client(**facts, skin_findings={"elbow": ["sunburn"]}))
    wrong_id: Any = [client_id]
    yield "id of a wrong type", refusal(lambda: meso.Client(id=wrong_id, birth_date="1985-03-02"))
    yield "not a mapping", refusal(lambda: meso.client_from_dict([client_id]))
    yield (
        "unknown condition",
        refusal(
            lambda: meso.assess(_client(client_id, conditions=["gout"]), ["face"], on="2026-10-01")
        ),
    )
    yield "unknown area", refusal(lambda: meso.assess(client, ["elbow"], on="2026-10-01"))
    yield "bad day", refusal(lambda: meso.assess(client, ["face"], on="someday"))
    yield "born later", refusal(lambda: meso.assess(client, ["face"], on="1980-01-01"))
    yield (
        "request of a dict",
        refusal(lambda: meso.PlanRequest(client=facts, areas=["face"], start=START)),
    )
    yield (
        "naive request",
        refusal(
            lambda: meso.PlanRequest(
                client=client, areas=["face"], start=pendulum.naive(2026, 1, 1)
            )
        ),
    )


def _planning_refusals(client_id: str) -> Refusals:
    assessment = meso.assess(_client(client_id), ["face"], on="2026-10-01")
    clinic = meso.example_clinic()
    pregnant = meso.assess(_client(client_id, pregnant=True), ["face"], on="2026-10-01")

    def plan_with(**changes: Any) -> Callable[[], object]:
        arguments: dict[str, Any] = {
            "assessment": assessment,
            "areas": ["face"],
            "start": START,
            "clinic": clinic,
            **changes,
        }
        return lambda: meso.plan_series(**arguments)

    yield "ineligible", refusal(plan_with(assessment=pregnant))
    yield "not assessed", refusal(plan_with(areas=["neck"]))
    yield "naive start", refusal(plan_with(start=pendulum.naive(2026, 10, 20, 9)))
    yield "too many sessions", refusal(plan_with(sessions=40))
    yield "interval", refusal(plan_with(interval=2))
    yield "no clinic", refusal(plan_with(clinic={"name": client_id}))
    yield "no assessment", refusal(plan_with(assessment={"client_id": client_id}))
    closed = meso.Clinic(
        name="Closed", timezone=TORONTO, hours={"monday": [("09:00", "09:30")]}, holidays=None
    )
    yield "no opening", refusal(plan_with(clinic=closed))


def _operation_refusals(plan: meso.TreatmentPlan, client_id: str) -> Refusals:
    first = plan.sessions[0]
    yield "no such session", refusal(lambda: plan.reschedule(99, first.start))
    yield "closed then", refusal(lambda: plan.reschedule(2, first.start.add(days=26).at(3)))
    yield "naive reschedule", refusal(lambda: plan.reschedule(2, pendulum.naive(2026, 11, 10, 9)))
    yield "out of order", refusal(lambda: plan.complete(2))
    yield "too early", refusal(lambda: plan.complete(1, at=first.start.subtract(days=30)))
    yield "cancel twice", refusal(lambda: plan.cancel(1).cancel(1))
    yield "missed twice", refusal(lambda: plan.no_show(1).no_show(1))
    yield "gap", refusal(lambda: plan.reschedule(2, plan.sessions[1].start.add(days=9)))
    other_rules = attrs.evolve(meso.default_rules(), version="other")
    yield "other rules", refusal(lambda: meso.aftercare(plan, rules=other_rules))
    care = meso.aftercare(plan)
    yield "unknown activity", refusal(lambda: care.may_i("swimming", first.end))
    yield "naive question", refusal(lambda: care.may_i("sun", pendulum.naive(2026, 10, 21)))
    event: dict[str, Any] = {"name": client_id, "start": first.end, "end": first.end.add(hours=1)}
    yield (
        "event ends first",
        refusal(lambda: meso.ClientEvent(**{**event, "end": first.start, "activities": ["sun"]})),
    )
    yield (
        "unknown event activity",
        refusal(lambda: care.conflicts([meso.ClientEvent(**event, activities=["skydiving"])])),
    )
    yield "no events", refusal(lambda: care.conflicts(client_id))  # type: ignore[arg-type]
    yield "unknown locale", refusal(lambda: meso.instructions(plan, locale="xx"))
    yield "no session 9", refusal(lambda: meso.instructions(plan, session=9))
    yield "no plan", refusal(lambda: meso.to_ics({"client_id": client_id}))  # type: ignore[arg-type]


BAD_VALUES: Final = (None, 7, "2026-13-45T99:00", [1, 2], {"x": 1})


DERIVED: Final = frozenset({"aftercare", "timeline", "maintenance"})
"""Keys of a plan's document that are derived from the plan, and not read back."""


def _mutations(document: Any, depth: int, path: tuple[Any, ...] = ()) -> Iterator[tuple[str, Any]]:
    """Every way of replacing one value of *document* (not its client id) by a bad one,
    or of leaving a key out, down to *depth* levels of nesting.
    """
    if depth == 0:
        return
    if isinstance(document, dict):
        items: list[tuple[Any, Any]] = list(document.items())
    elif isinstance(document, list):
        items = list(enumerate(document))
    else:
        return
    for key, value in items:
        if key in ("client_id", "id") or (not path and key in DERIVED):
            continue
        where = (*path, key)
        for bad in BAD_VALUES:
            if bad != value:
                yield "/".join(map(str, where)), _replace(document, key, bad)
        if isinstance(document, dict):
            yield (
                "/".join(map(str, where)) + " removed",
                {k: v for k, v in document.items() if k != key},
            )
        for label, changed in _mutations(value, depth - 1, where):
            yield label, _replace(document, key, changed)


def _replace(document: Any, key: Any, value: Any) -> Any:
    if isinstance(document, dict):
        return {**document, key: value}
    changed = list(document)
    changed[key] = value
    return changed


def _document_refusals(plan: meso.TreatmentPlan, client_id: str, depth: int) -> Refusals:
    """``from_json`` refusing documents that hold the id, each broken in one place."""
    documents: list[tuple[str, dict[str, Any], type[Any]]] = [
        ("plan", json.loads(meso.to_json(plan)), meso.TreatmentPlan),
        ("assessment", json.loads(meso.to_json(plan.assessment)), meso.Assessment),
        ("client", json.loads(meso.to_json(_client(client_id))), meso.Client),
    ]
    for name, document, kind in documents:
        text = json.dumps(document)
        assert client_id in text
        yield f"{name} not JSON", refusal(lambda: meso.from_json(text[:-3], kind))  # noqa: B023
        for label, changed in _mutations(document, depth):
            try:
                meso.from_json(json.dumps(changed), kind)
            except meso.MesotherapyError as error:
                yield f"{name} {label}", error


def _check_refusals(client_id: str, depth: int) -> None:
    found = list(refusals(client_id, depth))
    kinds = {type(error) for _, error in found}
    assert kinds >= {
        meso.ClientError,
        meso.SchedulingError,
        meso.InvalidTimeError,
        meso.UnknownCodeError,
        meso.DocumentError,
    }, kinds
    assert len(found) > 150
    for label, error in found:
        texts = list(error_texts(error))
        for view_label, text in texts:
            assert client_id not in text, f"{label}: {view_label} shows the client's id:\n{text}"


def test_no_error_message_shows_the_client_id() -> None:
    _check_refusals(PRIVATE, depth=4)


@FEW
@given(client_id=ids)
def test_no_error_message_shows_any_client_id(client_id: str) -> None:
    _check_refusals(client_id, depth=1)


def test_a_failing_batch_request_names_no_client_id(caplog: pytest.LogCaptureFixture) -> None:
    refused = _client(PRIVATE, pregnant=True)
    unknown = _client(PRIVATE, conditions=["gout"])
    requests = [
        meso.PlanRequest(client=refused, areas=["face"], start=START),
        meso.PlanRequest(client=unknown, areas=["face"], start=START),
        meso.PlanRequest(client=_client(PRIVATE), areas=["face"], start=START, sessions=40),
    ]
    with caplog.at_level(logging.DEBUG):
        outcomes = list(meso.plan_batch(requests, clinic=meso.example_clinic()))
    assert [outcome.problem is not None for outcome in outcomes] == [True, True, True]
    texts = [("problem", outcome.problem or "") for outcome in outcomes]
    texts += [view for outcome in outcomes for view in views(outcome)]
    texts += list(log_texts(caplog))
    assert_hidden(PRIVATE, texts)


def test_a_document_whose_client_id_is_malformed_is_refused_without_echoing_it() -> None:
    plan = _plan(PRIVATE)
    documents = [
        (meso.TreatmentPlan, json.loads(meso.to_json(plan))),
        (meso.Assessment, json.loads(meso.to_json(plan.assessment))),
    ]
    for cls, document in documents:
        for bad in ([PRIVATE], {"value": PRIVATE}):
            text = json.dumps({**document, "client_id": bad})
            error = refusal(lambda: meso.from_json(text, cls))  # noqa: B023 - called at once
            assert isinstance(error, meso.DocumentError)
            assert "client_id" in str(error)
            assert_hidden(PRIVATE, list(error_texts(error)))
