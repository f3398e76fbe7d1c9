"""JSON read back: every public object from the text `to_json` writes, older plans upgraded."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

import attrs
import pendulum
from cattrs.errors import BaseValidationError

from ._assess import Assessment, Candidacy, Finding, RulesRef, finding_problems
from ._client_file import client_from_dict
from ._clinic import Clinic, example_clinic
from ._clinic_file import clinic_from_dict, clinic_to_dict
from ._convert import converter, problems
from ._errors import DocumentError, MesotherapyError
from ._invariants import check_plan
from ._json import SCHEMA
from ._model import Client
from ._plan import TreatmentPlan
from ._protocol import SeriesProtocol, series_protocol
from ._rules import RuleSet
from ._rules_io import default_rules, rules_from_dict
from ._session import Override, Session, SessionStatus, derived_plan_id, session_id
from ._vocabulary import chosen_rules

__all__ = ["from_json"]

T = TypeVar("T", Client, RuleSet, Assessment, TreatmentPlan)

_DERIVED = ("aftercare", "timeline")
"""Keys of the plan's document that are computed from the plan, not read back."""


def from_json(
    text: str | bytes,
    cls: type[T],
    *,
    rules: RuleSet | None = None,
    clinic: Clinic | None = None,
) -> T:
    """Read back what `to_json` wrote: ``from_json(to_json(x), type(x)) == x``.

    A plan of an older ``schema`` is upgraded on the way in: schema 1 (the first
    releases' command line) recorded no clinic and no protocol; the *clinic* passed here,
    or the example clinic in the document's zone with Ontario's holidays (the command
    line's default then), and the protocol of *rules* for the document's areas and
    session count stand in for them. Schema 2 recorded no identities: the plan gets the
    id a new plan would (`derived_plan_id`, from the client's id, the start of session 1
    and the areas), revision 1, and each session ``f"{id}.{index}"``; the sessions
    booked after the series' first count are the replacements, matched to the cancelled
    and missed sessions in booking order.

    A stored assessment or plan may have been edited: it is checked as it is read, against
    the rules it names, which must be *rules* (or, without them, the default rules): a
    document of other rules is refused. An assessment's status, earliest start and area
    status are derived again from its findings, and each finding is checked to be one
    those rules give (its severity, source, area and ``until``). A plan is checked against
    invariants 1 to 6 (`TreatmentPlan.problems`) and its protocol's bounds against the
    rules'; a gap beyond the longest interval stands only where the later session records
    an `Override`.

    Raises:
        DocumentError: the text is no JSON, the document is malformed, or it breaks
            what it states (a status its findings do not give, overlapping sessions...);
            the message names the path (``sessions[2].start``), the value and what was
            expected, and for a plan the broken invariant.
        ClientError, RuleSetError: a malformed client or rule set document.
    """
    if isinstance(text, str):
        text = text.removeprefix("\ufeff")  # read from a file with a byte order mark
    try:
        data = json.loads(text)
    except (ValueError, TypeError) as error:
        raise DocumentError(f"the document: not valid JSON ({error})") from None
    except RecursionError:
        raise DocumentError("the document: not valid JSON (nested too deeply)") from None
    if cls is Client:
        return client_from_dict(data)
    if cls is RuleSet:
        return rules_from_dict(data)
    if not isinstance(data, Mapping):
        raise DocumentError(f"the document: expected an object, got a {type(data).__name__}")
    if cls is Assessment:
        return _assessment(dict(data), "", rules)
    if cls is TreatmentPlan:
        return _checked(_plan(dict(data), rules=rules, clinic=clinic), rules)
    raise DocumentError(f"cls: expected Client, RuleSet, Assessment or TreatmentPlan, got {cls!r}")


def _structure(value: Any, cls: Any, path: str, zone: str | None = None) -> Any:
    conv = converter() if zone is None else _zoned(zone)
    try:
        return conv.structure(value, cls)
    except BaseValidationError as error:
        raise DocumentError(_first(problems(error, path))) from None
    except MesotherapyError as error:
        raise DocumentError(f"{path or 'the document'}: {error}") from None
    except (AttributeError, TypeError):
        raise DocumentError(
            f"{path or 'the document'}: expected an object, got {value!r}"
        ) from None


def _first(found: Any) -> str:
    listed = list(found)
    more = f" (and {len(listed) - 1} more)" if len(listed) > 1 else ""
    return f"{listed[0]}{more}"


@attrs.frozen
class _AssessmentDoc:
    status: Candidacy
    earliest_start: pendulum.Date | None
    findings: tuple[Finding, ...]
    rules: RulesRef
    on: pendulum.Date
    areas: tuple[str, ...]
    area_status: dict[str, Candidacy]
    client_id: str | None = None


def _assessment(data: dict[str, Any], path: str, rules: RuleSet | None) -> Assessment:
    doc = _structure(data, _AssessmentDoc, path)
    try:
        assessment = Assessment(
            status=doc.status,
            findings=doc.findings,
            earliest_start=doc.earliest_start,
            on=doc.on,
            areas=tuple(_area(a, f"{path}.areas") for a in doc.areas),
            area_status={_area(a, f"{path}.area_status"): c for a, c in doc.area_status.items()},
            rules=doc.rules,
            client_id=doc.client_id,
        )
    except DocumentError:
        raise
    except MesotherapyError as error:
        # The status disagrees with the findings: the message starts with the field.
        raise DocumentError(f"{path}.{error}" if path else str(error)) from None
    chosen = _named_rules(doc.rules, rules)
    if found := finding_problems(assessment, chosen, path):
        raise DocumentError("; ".join(found))
    return assessment


def _named_rules(ref: RulesRef, rules: RuleSet | None) -> RuleSet:
    """*rules* (or the default rules), which must be the rules the document names.

    A document is checked against the rules it was made with; without them, a finding's
    edited severity or a protocol edited to 1-day intervals could not be told from the
    truth, and the plan's later operations would follow them.
    """
    chosen = chosen_rules(rules)
    if (chosen.name, chosen.version) != (ref.name, ref.version):
        msg = (
            f"rules: the document was made with {ref.name} {ref.version}, expected the rules "
            f"to check it against (from_json(..., rules=load_rules(...))), got "
            f"{chosen.name} {chosen.version}"
        )
        raise DocumentError(msg)
    return chosen


def _area(value: str, path: str) -> Any:
    from ._model import Area  # noqa: PLC0415 - keeps the import list of this module short

    try:
        return Area.parse(value, field=path)
    except MesotherapyError as error:
        raise DocumentError(str(error)) from None


@functools.lru_cache(maxsize=64)
def _zoned(zone: str) -> Any:
    """The converter reading instants into *zone*; made once a zone (a copy costs ~2 ms)."""
    conv = converter().copy()
    conv.register_structure_hook(pendulum.DateTime, _instant_parser(zone))
    return conv


def _instant_parser(zone: str) -> Callable[[Any, type], pendulum.DateTime]:
    def parse(value: Any, _: type) -> pendulum.DateTime:
        if not isinstance(value, str):
            msg = f"expected an ISO 8601 date and time with its offset, got {value!r}"
            raise ValueError(msg)  # noqa: TRY004 - cattrs reports a ValueError with its path
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is None or moment.utcoffset() is None:
            msg = f"expected an ISO 8601 date and time with its UTC offset, got {value!r}"
            raise ValueError(msg)
        # The offset fixes the instant (and so the repeated autumn hour); the document's
        # zone gives back the IANA name that an offset alone loses.
        return pendulum.instance(moment.astimezone(dt.UTC)).in_timezone(zone)

    return parse


@attrs.frozen
class _SessionDoc:
    id: str
    replaces: str | None
    index: int
    start: pendulum.DateTime
    end: pendulum.DateTime
    areas: tuple[str, ...]
    status: str
    fixed: bool = False
    override: Override | None = None
    practitioner: str | None = None
    room: str | None = None


def _plan(data: dict[str, Any], *, rules: RuleSet | None, clinic: Clinic | None) -> TreatmentPlan:
    data = _upgrade(data, rules=rules, clinic=clinic)
    for key in _DERIVED:
        data.pop(key, None)
    data.pop("maintenance", None)  # derived from the sessions
    data.pop("schema")
    zone = data.get("timezone")
    if not isinstance(zone, str):
        raise DocumentError(f"timezone: expected an IANA zone name, got {zone!r}")
    try:
        place = clinic_from_dict(data.pop("clinic"), source="clinic")
    except KeyError:
        raise DocumentError("clinic: missing, expected the clinic's table") from None
    except MesotherapyError as error:
        raise DocumentError(str(error)) from None
    if place.timezone != zone:
        msg = f"timezone: expected the clinic's zone {place.timezone!r}, got {zone!r}"
        raise DocumentError(msg)
    raw_sessions = data.pop("sessions", None)
    if not isinstance(raw_sessions, list):
        raise DocumentError(f"sessions: expected a list, got {raw_sessions!r}")
    sessions = [
        _session(_structure(raw, _SessionDoc, f"sessions[{n}]", zone), n)
        for n, raw in enumerate(raw_sessions)
    ]
    known = {"id", "revision", "client_id", "areas", "timezone", "rules", "assessment"}
    known |= {"protocol"}
    extra = sorted(set(data) - known - {"review_acknowledged"})
    if extra:
        raise DocumentError(f"{extra[0]}: unknown key, expected one of {', '.join(sorted(known))}")
    try:
        plan = TreatmentPlan(
            # Checked by the plan: a missing or malformed id or revision is refused there.
            id=cast("str", data.get("id")),
            revision=cast("int", data.get("revision")),
            assessment=_assessment(
                # The plan's document names the client once, at the top.
                {
                    "client_id": data.get("client_id"),
                    **_mapping(data.get("assessment"), "assessment"),
                },
                "assessment",
                rules,
            ),
            areas=tuple(_area(a, "areas") for a in _listed(data.get("areas"), "areas")),
            clinic=place,
            protocol=_protocol(_mapping(data.get("protocol"), "protocol")),
            sessions=tuple(sessions),
            rules=_structure(data.get("rules"), RulesRef, "rules"),
            review_acknowledged=data.get("review_acknowledged", False),
            client_id=data.get("client_id"),
        )
    except MesotherapyError as error:
        if isinstance(error, DocumentError):
            raise
        raise DocumentError(str(error)) from None
    return plan


def _checked(plan: TreatmentPlan, rules: RuleSet | None) -> TreatmentPlan:
    # An edited plan may break what the operations keep: refuse it, naming the invariant.
    if found := check_plan(plan, _named_rules(plan.rules, rules)):
        raise DocumentError("; ".join(found))
    return plan


def _session(doc: _SessionDoc, n: int) -> Session:
    try:
        status = SessionStatus(doc.status)
    except ValueError:
        choices = ", ".join(s.value for s in SessionStatus)
        raise DocumentError(
            f"sessions[{n}].status: expected one of {choices}, got {doc.status!r}"
        ) from None
    try:
        return Session(
            id=doc.id,
            index=doc.index,
            start=doc.start,
            end=doc.end,
            areas=tuple(_area(a, f"sessions[{n}].areas") for a in doc.areas),
            status=status,
            fixed=doc.fixed,
            override=doc.override,
            replaces=doc.replaces,
            practitioner=doc.practitioner,
            room=doc.room,
        )
    except DocumentError:
        raise
    except MesotherapyError as error:
        # "session.id: ..." names the field; the document's path says which session.
        raise DocumentError(f"sessions[{n}].{str(error).removeprefix('session.')}") from None


def _protocol(data: Mapping[str, Any]) -> SeriesProtocol:
    doc = dict(data)
    doc["areas"] = [str(a) for a in _listed(doc.get("areas"), "protocol.areas")]
    protocol: SeriesProtocol = _structure(doc, SeriesProtocol, "protocol")
    return attrs.evolve(protocol, areas=tuple(_area(a, "protocol.areas") for a in protocol.areas))


def _mapping(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise DocumentError(f"{path}: expected an object, got {value!r}")
    return value


def _listed(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise DocumentError(f"{path}: expected a list, got {value!r}")
    return value


def _upgrade(
    data: dict[str, Any], *, rules: RuleSet | None, clinic: Clinic | None
) -> dict[str, Any]:
    """The document brought to the current schema, one version at a time."""
    version = data.get("schema")
    if type(version) is not int or not 1 <= version <= SCHEMA:
        msg = f"schema: expected a version from 1 to {SCHEMA}, got {version!r}"
        raise DocumentError(msg)
    while version < SCHEMA:
        data = _UPGRADES[version](data, rules, clinic)
        version = data["schema"]
    return data


def _from_1(data: dict[str, Any], rules: RuleSet | None, clinic: Clinic | None) -> dict[str, Any]:
    """Schema 1 had no clinic, no protocol, no ``fixed`` sessions, a shorter assessment."""
    chosen = default_rules() if rules is None else rules
    ref = _mapping(data.get("rules"), "rules")
    if (ref.get("name"), ref.get("version")) != (chosen.name, chosen.version):
        msg = (
            f"rules: the schema 1 document was made with {ref.get('name')} {ref.get('version')}; "
            "pass those rules to read it"
        )
        raise DocumentError(msg)
    zone = data.get("timezone")
    if not isinstance(zone, str):
        raise DocumentError(f"timezone: expected an IANA zone name, got {zone!r}")
    place = clinic if clinic is not None else example_clinic(holidays="CA-ON", timezone=zone)
    sessions = _listed(data.get("sessions"), "sessions")
    active = [
        s
        for s in sessions
        if isinstance(s, Mapping) and s.get("status") in ("planned", "completed")
    ]
    areas = [_area(a, "areas") for a in _listed(data.get("areas"), "areas")]
    try:
        protocol = series_protocol(chosen, areas, sessions=len(active))
    except MesotherapyError as error:
        raise DocumentError(f"protocol: {error}") from None
    assessment = dict(_mapping(data.get("assessment"), "assessment"))
    first = min((str(s.get("start", ""))[:10] for s in active), default=None)
    assessment.setdefault("on", assessment.get("earliest_start") or first)
    assessment.setdefault("areas", [a.value for a in areas])
    assessment.setdefault("area_status", {a.value: assessment.get("status") for a in areas})
    assessment.setdefault("client_id", data.get("client_id"))
    return {
        **data,
        "schema": 2,
        "assessment": assessment,
        "clinic": clinic_to_dict(place),
        "protocol": {
            **attrs.asdict(protocol),
            "areas": [a.value for a in protocol.areas],
        },
        "review_acknowledged": any(
            f.get("severity") == "relative"
            for f in _listed(assessment.get("findings", []), "assessment.findings")
            if isinstance(f, Mapping)
        ),
        "sessions": [{**s, "fixed": False} for s in sessions if isinstance(s, Mapping)],
    }


def _from_2(data: dict[str, Any], rules: RuleSet | None, clinic: Clinic | None) -> dict[str, Any]:
    """Schema 2 had no identities: derive them as a new plan and its operations would.

    The plan's id is `derived_plan_id` of the client's id, the start of session 1 (the
    first booked) and the areas; its revision is 1, since the document does not say how
    many operations made it. Session *n* is ``f"{id}.{n}"``. The replacements are the
    sessions numbered above the protocol's count (the series' first bookings are 1 to
    that count), matched to the cancelled and missed sessions in booking order: the
    first replacement replaces the first inactive session, and so on. An operation
    books its replacement for the earliest unreplaced inactive session in the same way.
    """
    del rules, clinic  # schema 2 records its clinic and protocol
    sessions = [
        dict(s) if isinstance(s, Mapping) else s for s in _listed(data.get("sessions"), "sessions")
    ]
    numbered: list[tuple[int, dict[str, Any]]] = []
    for n, s in enumerate(sessions):
        if isinstance(s, dict):
            if type(s.get("index")) is not int:
                msg = f"sessions[{n}].index: expected a whole number, got {s.get('index')!r}"
                raise DocumentError(msg)
            numbered.append((n, s))
    first = next(((n, s) for n, s in numbered if s["index"] == 1), None)
    if first is None:
        raise DocumentError("sessions: expected a session 1 to derive the plan's id from, got none")
    zone = data.get("timezone")
    if not isinstance(zone, str):
        raise DocumentError(f"timezone: expected an IANA zone name, got {zone!r}")
    where = f"sessions[{first[0]}].start"
    try:
        start = _structure(first[1].get("start"), pendulum.DateTime, where, zone)
    except ValueError as error:  # a hook's own refusal, outside any cattrs class
        raise DocumentError(f"{where}: {error}") from None
    areas = [_area(a, "areas") for a in _listed(data.get("areas"), "areas")]
    client_id = data.get("client_id")
    plan_id = derived_plan_id(client_id if isinstance(client_id, str) else None, start, areas)
    count = _mapping(data.get("protocol"), "protocol").get("sessions")
    ordered = sorted((s for _, s in numbered), key=lambda s: s["index"])
    inactive = [s["index"] for s in ordered if s.get("status") in ("cancelled", "no_show")]
    replacing = [s["index"] for s in ordered if type(count) is int and s["index"] > count]
    replaces = {
        new: session_id(plan_id, old) for new, old in zip(replacing, inactive, strict=False)
    }
    for _, s in numbered:
        s["id"] = session_id(plan_id, s["index"])
        s["replaces"] = replaces.get(s["index"])
    return {**data, "schema": 3, "id": plan_id, "revision": 1, "sessions": sessions}


_UPGRADES: dict[int, Callable[[dict[str, Any], RuleSet | None, Clinic | None], dict[str, Any]]] = {
    1: _from_1,
    2: _from_2,
}
