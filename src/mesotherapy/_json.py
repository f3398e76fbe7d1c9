"""The JSON of every document: what the library writes, the one place that writes it.

The domain classes keep no serialisation; each kind of object has its writer here, and
`to_dict` picks it. `mesotherapy.from_json` reads back what `to_json` writes.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from typing import Any

import attrs

from ._aftercare import PRECARE, CareWindow, aftercare
from ._assess import Assessment
from ._clinic import Clinic
from ._clinic_file import clinic_to_dict
from ._diary import Diary
from ._errors import DocumentError
from ._export_rows import CareRow, MilestoneRow, care_rows, milestone_rows
from ._json_text import NotPlainError, encoded, indented_json, instant_text, scalar, text
from ._kept import by_object, iso_text
from ._maintenance import MaintenanceBooking
from ._model import Client, flag
from ._plan import TreatmentPlan, plan_rules
from ._protocol import SeriesProtocol
from ._recalls import Recall
from ._rules import AftercareKind, RuleSet
from ._rules_io import rules_to_dict
from ._session import Override, Session
from ._timeline import Milestone, expected_timeline
from ._vocabulary import chosen_rules

__all__ = [
    "BOOKINGS_SCHEMA",
    "SCHEMA",
    "bookings_document",
    "indented_json",
    "plan_document",
    "to_dict",
    "to_json",
]

SCHEMA = 3
"""The version of the plan's JSON document (see `mesotherapy.from_json` for older ones)."""

BOOKINGS_SCHEMA = 1
"""The version of a diary's bookings file (`bookings_document`)."""


def to_json(
    obj: Client | RuleSet | Assessment | TreatmentPlan | Recall,
    *,
    rules: RuleSet | None = None,
) -> str:
    """The JSON text of a client, a rule set, an assessment, a plan or a recall.

    A plan's document is the command line's (``schema``, sessions, maintenance, with
    its aftercare and timeline computed from *rules*, or from the default rules when
    they are the ones the plan was made with) plus what it takes to read it back.

    >>> import mesotherapy as meso
    >>> client = meso.Client(id="c-1", birth_date="1985-03-02", concerns=["dullness"])
    >>> meso.from_json(to_json(client), meso.Client) == client
    True
    """
    if isinstance(obj, TreatmentPlan):
        chosen = chosen_rules(rules)
        if (chosen.name, chosen.version) == (obj.rules.name, obj.rules.version):
            return _plan_text(obj, chosen)
    return indented_json(_document(obj, rules))


def _document(obj: object, rules: RuleSet | None) -> dict[str, Any]:
    if isinstance(obj, TreatmentPlan):
        chosen = chosen_rules(rules)
        if (chosen.name, chosen.version) == (obj.rules.name, obj.rules.version):
            return plan_document(obj, rules=chosen)
        return to_dict(obj)  # without the rules it was made with, nothing is derived
    if isinstance(obj, Assessment):
        return {**to_dict(obj, complete=True), "client_id": obj.client_id}
    if isinstance(obj, RuleSet):
        return rules_to_dict(obj)
    if isinstance(obj, Client):
        return _client_to_dict(obj)
    if isinstance(obj, Recall):
        return to_dict(obj)
    msg = (
        "obj: expected a Client, RuleSet, Assessment, TreatmentPlan or Recall, "
        f"got a {type(obj).__name__}"
    )
    raise DocumentError(msg)


def _client_to_dict(client: Client) -> dict[str, Any]:
    skin: dict[str, list[str]] = {}
    for finding in sorted(client.skin_findings, key=lambda f: (f.area.value, f.code)):
        skin.setdefault(finding.area.value, []).append(finding.code)
    return {
        "id": client.id,
        "birth_date": client.birth_date.isoformat(),
        "pregnant": client.pregnant,
        "breastfeeding": client.breastfeeding,
        "conditions": sorted(client.conditions),
        "allergies": sorted(client.allergies),
        "medications": [
            {"code": m.code, "last_taken": m.last_taken.isoformat() if m.last_taken else None}
            for m in sorted(client.medications, key=lambda m: (m.code, str(m.last_taken)))
        ],
        "skin_findings": skin,
        "treatments": [
            {"kind": t.kind, "area": t.area.value, "on": t.on.isoformat()}
            for t in sorted(client.treatments, key=lambda t: (t.on, t.kind, t.area.value))
        ],
        "concerns": sorted(concern.value for concern in client.concerns),
    }


def plan_document(plan: TreatmentPlan, *, rules: RuleSet | None = None) -> dict[str, Any]:
    """The JSON object of *plan*, with its aftercare windows and its timeline.

    Every instant is in the clinic's zone, as the command line prints it.

    Raises:
        ClientError: *plan* is no `TreatmentPlan` (a dict, say), or *rules* are another
            rule set than the plan's.
        RuleSetError: *rules* is no `RuleSet`.
    """
    rules = plan_rules(plan, rules)
    # The writers themselves, not to_dict: its dispatch was a tenth of the document.
    simple = False  # the writers' second argument, which only an assessment's reads
    document = _plan_dict(plan, simple)
    windows = aftercare(plan, rules=rules).windows
    document["aftercare"] = [_window_dict(w, simple) for w in windows]
    document["timeline"] = [
        _milestone_dict(m, simple) for m in expected_timeline(plan, rules=rules)
    ]
    return document


def _plan_text(plan: TreatmentPlan, rules: RuleSet) -> str:
    """``indented_json(plan_document(plan, rules=rules))``: the same text, sooner.

    The text of each window and milestone is a template of what depends on its rule
    alone, kept per rule, with its session and instants put in; the clinic's and the
    protocol's text are kept per clinic and protocol. The tests compare the two.
    """
    rules = plan_rules(plan, rules)
    windows = care_rows(aftercare(plan, rules=rules))
    milestones = milestone_rows(expected_timeline(plan, rules=rules))
    try:
        pairs = [
            f"{encoded(key)}: {text(value, _INNER)}" for key, value in _plan_head(plan).items()
        ]
        instants: dict[int, str] = {}  # the text of each instant object, written once
        care = [_window_text(w, instants) for w in windows]
        timeline = [_milestone_text(m, instants) for m in milestones]
    except NotPlainError:
        return indented_json(plan_document(plan, rules=rules))
    clinic = _clinic_text(plan.clinic)
    protocol = _protocol_text(plan.protocol)
    pairs += [
        f'"aftercare": {_items(care)}',
        f'"timeline": {_items(timeline)}',
        f'"clinic": {clinic}',
        f'"protocol": {protocol}',
        f'"review_acknowledged": {scalar(plan.review_acknowledged)}',
    ]
    return "{" + _INNER + ("," + _INNER).join(pairs) + "\n}"


_INNER = "\n  "
_ITEM = "\n    "
_FIELD = "\n      "


def plan_snapshot(plan: TreatmentPlan) -> dict[str, Any]:
    """``to_dict(plan)`` for writing out only: its clinic's and protocol's objects are kept.

    The same JSON as `to_dict` gives, sooner; the objects are shared between calls, so
    the caller writes them and never changes them (`mesotherapy.fhir`'s snapshot).
    """
    return {
        **_plan_head(plan),
        "aftercare": [],
        "timeline": [],
        "clinic": _clinic_object(plan.clinic),
        "protocol": _protocol_object(plan.protocol),
        "review_acknowledged": plan.review_acknowledged,
    }


def _items(texts: list[str]) -> str:
    return "[" + _ITEM + ("," + _ITEM).join(texts) + _INNER + "]" if texts else "[]"


_WINDOWS: dict[tuple[str, str, str, str], tuple[str, str]] = {}
_MILESTONES: dict[tuple[str, str, str, str | None, str], tuple[str, str]] = {}
_TEMPLATES_MOST = 4096
"""How many window and milestone templates are kept (a rule set has a few dozen)."""


def _window_text(row: CareRow, instants: dict[int, str]) -> str:
    """`_window_dict`'s text of the window *row*, as `text` writes it in ``aftercare``."""
    session, activity, kind, description, source, start, end = row
    key = (activity, kind, description, source)
    parts = _WINDOWS.get(key)
    if parts is None:
        if len(_WINDOWS) >= _TEMPLATES_MOST:
            _WINDOWS.clear()
        window = CareWindow(
            session=session,
            activity=activity,
            kind=kind,
            description=description,
            start=start,  # type: ignore[arg-type]  # written out, never read as pendulum
            end=end,  # type: ignore[arg-type]
            source=source,
        )
        document = _window_dict(window, False)  # noqa: FBT003 - the writers' second argument
        fields = [f"{encoded(name)}: {text(document[name], _FIELD)}" for name in document]
        parts = _WINDOWS[key] = (
            "," + _FIELD + ("," + _FIELD).join(fields[1:5]) + "," + _FIELD + '"from": ',
            "," + _FIELD + fields[7] + _ITEM + "}",
        )
    head, tail = parts
    if type(session) is not int:
        raise NotPlainError
    starts, ends = instant_text(start, instants), instant_text(end, instants)
    return f"{_SESSION}{session}{head}{starts}{_UNTIL}{ends}{tail}"


_SESSION = "{" + _FIELD + '"session": '
_UNTIL = "," + _FIELD + '"until": '


def _milestone_text(row: MilestoneRow, instants: dict[int, str]) -> str:
    """`_milestone_dict`'s text of the milestone *row*, as `_text` writes it in ``timeline``."""
    code, kind, order, description, start, end, source, session, advice = row
    key = (code, kind.value, description, advice, source)
    parts = _MILESTONES.get(key)
    if parts is None:
        if len(_MILESTONES) >= _TEMPLATES_MOST:
            _MILESTONES.clear()
        milestone = Milestone(
            code=code,
            kind=kind,
            order=order,
            description=description,
            start=start,
            end=end,
            source=source,
            session=session,
            advice=advice,
        )
        document = _milestone_dict(milestone, False)  # noqa: FBT003 - the writers' second one
        fields = [f"{encoded(name)}: {text(document[name], _FIELD)}" for name in document]
        sep = "," + _FIELD
        parts = _MILESTONES[key] = (
            "{" + _FIELD + sep.join(fields[:3]),
            sep.join(fields[8:]) + _ITEM + "}",
        )
    head, tail = parts
    if session is None:
        number = "null"
    elif type(session) is int:
        number = int.__repr__(session)
    else:
        raise NotPlainError
    sep = _SEP
    starts = instant_text(start, instants) if isinstance(start, dt.datetime) else "null"
    ends = instant_text(end, instants) if isinstance(end, dt.datetime) else "null"
    return (
        f'{head}{sep}"from": {starts}{sep}"until": {ends}{sep}"from_date": {_date_value(start)}'
        f'{sep}"until_date": {_date_value(end)}{sep}"session": {number}{sep}{tail}'
    )


_SEP = "," + _FIELD


def _date_value(value: dt.date) -> str:
    return "null" if isinstance(value, dt.datetime) else f'"{value.isoformat()}"'


def bookings_document(diary: Diary) -> dict[str, Any]:
    """The JSON object of a diary's bookings file: its booked sessions, in order.

    Each booking names its plan and session, its start and end (instants with their
    offset, in the clinic's zone, as the plan's document writes them), its practitioner
    and its room; no client data.

    >>> from mesotherapy import Diary, Practitioner, Room, example_clinic
    >>> diary = Diary(clinic=example_clinic(), practitioners=[
    ...     Practitioner(id="dr-h", areas=["face"])], rooms=[Room(id="room-1")])
    >>> bookings_document(diary)
    {'schema': 1, 'bookings': []}
    """
    zone = diary.clinic.timezone
    return {
        "schema": BOOKINGS_SCHEMA,
        "bookings": [
            {
                "plan": booking.plan,
                "session": booking.session,
                "start": booking.start.in_timezone(zone).isoformat(),
                "end": booking.end.in_timezone(zone).isoformat(),
                "practitioner": booking.practitioner,
                "room": booking.room,
            }
            for booking in diary.bookings
        ],
    }


def to_dict(value: object, *, complete: bool = False) -> dict[str, Any]:
    """The JSON object of *value*, as the command line and the plan's document write it.

    *value* is a plan, a session, an override, an assessment, a care window, a milestone,
    a recall of the maintenance worklist (`recalls`) or a maintenance booking
    (`plan_maintenance`).
    A plan's ``aftercare`` and ``timeline`` are empty here (`plan_document` fills them).
    With *complete*, an assessment's object also holds what it takes to read it back
    (``on``, ``areas``, ``area_status``), as `mesotherapy.to_json` writes it; the other
    objects are always written whole.

    >>> import mesotherapy as meso
    >>> meso.to_dict(meso.Override(by="Dr. A. Chen", reason="client abroad"))
    {'by': 'Dr. A. Chen', 'reason': 'client abroad'}
    >>> result = meso.assess(meso.Client(birth_date="1985-03-02"), ["face"], on="2026-10-01")
    >>> sorted(meso.to_dict(result, complete=True).keys() - meso.to_dict(result).keys())
    ['area_status', 'areas', 'on']

    Raises:
        ClientError: *complete* is no `bool`.
        DocumentError: *value* is none of those objects.
    """
    return _dict_of(value, flag(complete, "complete"))


@functools.singledispatch
def _dict_of(value: object, complete: bool) -> dict[str, Any]:
    del complete
    msg = (
        "value: expected a TreatmentPlan, Session, Override, Assessment, CareWindow, "
        f"Milestone, Recall or MaintenanceBooking, got a {type(value).__name__}"
    )
    raise DocumentError(msg)


@_dict_of.register
def _plan_dict(plan: TreatmentPlan, _: bool) -> dict[str, Any]:
    """The plan's JSON object, as DESIGN's contract gives it."""
    return {
        **_plan_head(plan),
        "aftercare": [],
        "timeline": [],
        "clinic": clinic_to_dict(plan.clinic),
        "protocol": _protocol_dict(plan.protocol),
        "review_acknowledged": plan.review_acknowledged,
    }


def _plan_head(plan: TreatmentPlan) -> dict[str, Any]:
    """The plan's object up to its maintenance windows (`_plan_dict` writes the rest)."""
    return {
        "schema": SCHEMA,
        "id": plan.id,
        "revision": plan.revision,
        "client_id": plan.client_id,
        "areas": [area.value for area in plan.areas],
        "timezone": plan.timezone,
        "rules": {"name": plan.rules.name, "version": plan.rules.version},
        "assessment": _assessment_dict(plan.assessment, complete=True),
        "sessions": [_session_dict(s, complete=True) for s in plan.sessions],
        "maintenance": [
            {"opens": w.opens.isoformat(), "closes": w.closes.isoformat()} for w in plan.maintenance
        ],
    }


def _protocol_dict(protocol: SeriesProtocol) -> dict[str, Any]:
    return {
        **attrs.asdict(protocol, value_serializer=_enum_value),
        "areas": [area.value for area in protocol.areas],
    }


# A plan's clinic and protocol are the same frozen objects plan after plan (a process has a
# handful): their objects and texts are written once each, and shared.
_clinic_object = by_object(clinic_to_dict)
_protocol_object = by_object(_protocol_dict)


def _written_clinic(clinic: Clinic) -> str:
    return text(clinic_to_dict(clinic), _INNER)


def _written_protocol(protocol: SeriesProtocol) -> str:
    return text(_protocol_dict(protocol), _INNER)


_clinic_text = by_object(_written_clinic)
_protocol_text = by_object(_written_protocol)


def _enum_value(_: object, __: object, value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


@_dict_of.register
def _session_dict(session: Session, complete: bool) -> dict[str, Any]:
    """The session's JSON object.

    ``override`` stands only on an overridden session, and ``practitioner`` and ``room``
    only on a session booked in a diary.
    """
    document: dict[str, Any] = {
        "id": session.id,
        "replaces": session.replaces,
        "index": session.index,
        # Kept: the exports write a session's instants in their resources before its object.
        "start": iso_text(session.start),
        "end": iso_text(session.end),
        "areas": [area.value for area in session.areas],
        "status": session.status.value,
        "fixed": session.fixed,
    }
    if session.override is not None:
        document["override"] = _override_dict(session.override, complete)
    for resource in ("practitioner", "room"):
        if (value := getattr(session, resource)) is not None:
            document[resource] = value
    return document


@_dict_of.register
def _override_dict(override: Override, _: bool) -> dict[str, Any]:
    return {"by": override.by, "reason": override.reason}


@_dict_of.register
def _assessment_dict(assessment: Assessment, complete: bool) -> dict[str, Any]:
    """The assessment's object as the command line prints it; *complete*, to read back."""
    contract = {
        "status": assessment.status.value,
        "earliest_start": _date_text(assessment.earliest_start),
        "findings": [
            {
                "code": f.code,
                "severity": f.severity.value,
                "area": f.area.value if f.area else None,
                "reason": f.reason,
                "source": f.source,
                "until": _date_text(f.until),
            }
            for f in assessment.findings
        ],
        "rules": {"name": assessment.rules.name, "version": assessment.rules.version},
    }
    if not complete:
        return contract
    return {
        **contract,
        "on": assessment.on.isoformat(),
        "areas": [area.value for area in assessment.areas],
        "area_status": {a.value: status.value for a, status in assessment.area_status.items()},
    }


@_dict_of.register
def _window_dict(window: CareWindow, _: bool) -> dict[str, Any]:
    """The window's object, as the plan's ``aftercare`` key lists it."""
    before = window.kind == PRECARE
    return {
        "session": window.session,
        "activity": window.activity,
        # The JSON contract knows "avoid" and "do": pre-care is an "avoid" before.
        "kind": AftercareKind.AVOID.value if before else window.kind,
        "phase": "before" if before else "after",
        "description": window.description,
        "from": window.start.isoformat(),
        "until": window.end.isoformat(),
        "source": window.source,
    }


@_dict_of.register
def _milestone_dict(milestone: Milestone, _: bool) -> dict[str, Any]:
    """The milestone's object, as the plan's ``timeline`` key lists it.

    An instant and a date are never written under the same key: ``from`` and ``until``
    are instants with their offset (as in ``aftercare``), ``from_date`` and
    ``until_date`` local dates, and the pair that does not apply is ``null``. A reader
    in any language then knows a value's type from its key alone.

    >>> import pendulum, mesotherapy as meso
    >>> result = meso.assess(meso.Client(birth_date="1985-03-02"), ["face"], on="2026-10-01")
    >>> plan = meso.plan_series(result, ["face"], clinic=meso.example_clinic(),
    ...     start=pendulum.datetime(2026, 10, 20, 9, tz="America/Toronto"))
    >>> timeline = meso.expected_timeline(plan)
    >>> result, effect = timeline.of_kind("result")[0], timeline.of_kind("side_effect")[0]
    >>> {k: v for k, v in to_dict(result).items() if "from" in k or "until" in k}
    {'from': None, 'until': None, 'from_date': '2026-10-20', 'until_date': '2026-10-23'}
    >>> to_dict(effect)["from"], to_dict(effect)["from_date"]
    ('2026-10-20T09:45:00-04:00', None)
    """
    return {
        "code": milestone.code,
        "kind": milestone.kind.value,
        "description": milestone.description,
        "from": _instant_text(milestone.start),
        "until": _instant_text(milestone.end),
        "from_date": _date_text(milestone.start),
        "until_date": _date_text(milestone.end),
        "session": milestone.session,
        "advice": milestone.advice,
        "source": milestone.source,
    }


def _instant_text(value: dt.date) -> str | None:
    """*value* as an ISO 8601 instant with its offset, or ``None`` for a date."""
    return value.isoformat() if isinstance(value, dt.datetime) else None


def _date_text(value: dt.date | None) -> str | None:
    """*value* as an ISO 8601 date, or ``None`` for an instant or for none."""
    return None if value is None or isinstance(value, dt.datetime) else value.isoformat()


@_dict_of.register
def _recall_dict(recall: Recall, _: bool) -> dict[str, Any]:
    """The recall's object, as ``mesotherapy recalls --format json`` lists it.

    >>> import pendulum, mesotherapy as meso
    >>> from mesotherapy._recalls import Recall, RecallStatus
    >>> recall = Recall(plan_id="p-1", client_id="c-1", status=RecallStatus.DUE,
    ...     areas=(meso.Area.FACE,), opens=pendulum.date(2027, 3, 22),
    ...     closes=pendulum.date(2027, 6, 22), last_session="p-1.4",
    ...     last_session_end=pendulum.datetime(2026, 12, 22, 9, 45, tz="America/Toronto"),
    ...     practitioner=None, days_overdue=0, days_until_due=0)
    >>> to_dict(recall)["last_session_end"], to_dict(recall)["status"]
    ('2026-12-22T09:45:00-05:00', 'due')
    """
    return {
        "plan_id": recall.plan_id,
        "client_id": recall.client_id,
        "status": recall.status.value,
        "areas": [area.value for area in recall.areas],
        "opens": recall.opens.isoformat(),
        "closes": recall.closes.isoformat(),
        "last_session": recall.last_session,
        "last_session_end": recall.last_session_end.isoformat(),
        "practitioner": recall.practitioner,
        "days_overdue": recall.days_overdue,
        "days_until_due": recall.days_until_due,
    }


@_dict_of.register
def _maintenance_dict(booking: MaintenanceBooking, complete: bool) -> dict[str, Any]:
    """The maintenance booking's object: its plan, window and session (with its resources)."""
    return {
        "plan_id": booking.plan_id,
        "window": {
            "opens": booking.window.opens.isoformat(),
            "closes": booking.window.closes.isoformat(),
        },
        "session": _session_dict(booking.session, complete),
    }
