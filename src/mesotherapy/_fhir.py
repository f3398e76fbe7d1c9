"""The FHIR R5 export of a plan: a Bundle that clinic software and health records read.

The models come from ``fhir.resources`` (the ``fhir`` extra), imported only when an export
is asked for: importing them costs about 0.3 s.
"""

from __future__ import annotations

import html
import importlib
import json
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

import attrs
import pendulum

from ._clinic import clinic_to_dict
from ._extras import require
from ._model import Area
from ._plan import Session, SessionStatus, TreatmentPlan, plan_rules
from ._rules import Contraindication, RuleSet, Severity
from ._time import within_calendar

if TYPE_CHECKING:
    from fhir.resources.bundle import Bundle

__all__ = ["fhir_bundle", "to_fhir"]

_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "https://example.invalid/mesotherapy/fhir")
"""The root of every ``urn:uuid`` this module derives (uuid5): the same content, the same id."""

SNOMED: Final = "http://snomed.info/sct"

_BODY_SITES: Final[Mapping[Area, tuple[str | None, str | None, str]]] = {
    Area.FACE: ("89545001", "Face structure", "Face"),
    Area.NECK: ("45048000", "Neck structure", "Neck"),
    # No SNOMED CT code for the décolletage could be confirmed: text only.
    Area.DECOLLETAGE: (None, None, "Décolletage (upper anterior chest)"),
    Area.HANDS: ("85562004", "Hand structure", "Hands"),
    Area.SCALP: ("41695006", "Scalp structure", "Scalp"),
}
"""Each area's body site: SNOMED CT code and display (where confirmed), and the text."""

_APPOINTMENT_STATUS: Final[Mapping[SessionStatus, str]] = {
    SessionStatus.PLANNED: "booked",
    SessionStatus.COMPLETED: "fulfilled",
    SessionStatus.CANCELLED: "cancelled",
    SessionStatus.NO_SHOW: "noshow",
}

_SEVERITY_TEXT: Final[Mapping[Severity, str]] = {
    Severity.ABSOLUTE: "not a candidate",
    Severity.TIME_BOUND: "deferred until a date the rule computes",
    Severity.SITE: "not that area until it has healed, which a clinician confirms",
    Severity.RELATIVE: "a clinician must review before planning",
    Severity.NOTE: "worth knowing; does not change candidacy",
}

_KIND_TEXT: Final[Mapping[str, str]] = {
    "client": "a fact about the client",
    "conditions": "a condition",
    "medications": "a medication",
    "skin_findings": "a skin finding in the area to treat",
    "treatments": "another procedure in the same area",
}

_SINCE: Final[Mapping[str, str]] = {
    "client": "the birth date",
    "medications": "the last dose",
    "treatments": "the other procedure",
}
"""What a rule's duration counts from, by table (else: the date of the fact)."""

_NO_ID: Final = "client without a recorded identifier"


@within_calendar
def fhir_bundle(plan: TreatmentPlan, *, rules: RuleSet | None = None) -> Bundle:
    """The plan as a validated FHIR R5 ``Bundle`` model of ``fhir.resources``.

    The Bundle is a ``collection``: a self-contained snapshot to exchange or archive,
    which asks nothing of a server. A ``transaction`` would say how to write it (POST
    creates the resources again at each export; PUT needs server ids that the library
    does not own), and would store the rule set's definitions once per plan. A caller
    who writes to a server turns the entries into requests of its choosing.

    Its entries, in this order, each with a ``urn:uuid`` ``fullUrl``:

    - a **CarePlan** (intent ``plan``; status ``active``, ``completed`` once every
      session of the series is completed) whose period runs from the first active
      session's start to the last one's end, with one activity per session, each
      referencing its Appointment through ``plannedActivityReference`` (R5: the planned
      activity is a reference, ``performedActivity`` records outcomes, which the
      Appointment's status already gives); the maintenance window is a note;
    - a **ServiceRequest** for the series (intent ``plan``; status ``active``, or
      ``completed`` with the CarePlan), based on the CarePlan: code text "Mesotherapy
      series", one ``bodySite`` per area (SNOMED CT where the code is certain, text
      always), and ``occurrenceTiming`` giving the session count, the session length and
      the interval as the protocol's range (``period`` to ``periodMax`` days);
    - one **Appointment** per session, cancelled and missed ones included, with
      ``start``/``end`` instants carrying the clinic's offset, the status mapped
      (planned: ``booked``, completed: ``fulfilled``, cancelled: ``cancelled``, no-show:
      ``noshow``), ``serviceType`` text "Mesotherapy" and ``basedOn`` the ServiceRequest;
    - one **ClinicalUseDefinition** (type ``contraindication``) per contraindication rule
      of *rules*: ``contraindication.diseaseSymptomProcedure`` is the rule's code (concept
      text); the rule's severity, which FHIR has no element for, is the text of
      ``category`` (``absolute``, ``relative``, ``site``, ``time_bound``, ``note``);
      ``contraindication.diseaseStatus`` says when the rule holds (present; at the site
      until healed; for ``P6M`` after the last dose...); ``identifier`` is the rule's key
      in the rule set (``medications.isotretinoin``); the narrative (``text``) gives the
      reason, the severity's meaning and the source. No extension is used.

    The client is referenced by the plan's opaque id as an ``identifier`` only (no name,
    no contact details); a plan without an id gives the reference a display that says so.

    Ids are deterministic (uuid5, never random). A resource's id identifies the series,
    not its current schedule: it derives from the client id, the assessment, the areas,
    the clinic, the protocol and the rule set, none of which an operation changes, so the
    exports of a plan and of the plans that `TreatmentPlan.complete`, ``cancel``,
    ``no_show`` or ``reschedule`` return name the same CarePlan and Appointments (a
    receiver updates them rather than adding new ones). Two plans made from one
    assessment at one clinic with one protocol are the same series for this purpose.
    A ClinicalUseDefinition's id derives from its rule alone. The Bundle's
    ``identifier`` derives from the plan's whole content: a new snapshot, a new one.

    >>> import mesotherapy as meso
    >>> client = meso.Client(id="c-001", birth_date="1985-03-02")
    >>> result = meso.assess(client, ["face"], on="2026-10-20")
    >>> plan = meso.plan_series(result, ["face"], clinic=meso.example_clinic(),
    ...     start=pendulum.datetime(2026, 10, 20, 9, tz="America/Toronto"))
    >>> bundle = fhir_bundle(plan.complete(1))
    >>> [type(entry.resource).__name__ for entry in bundle.entry][:4]
    ['CarePlan', 'ServiceRequest', 'Appointment', 'Appointment']
    >>> first = bundle.entry[2].resource
    >>> first.status, first.start.isoformat()
    ('fulfilled', '2026-10-20T09:00:00-04:00')

    Raises:
        ClientError: *plan* is no `TreatmentPlan`, or it was made with another rule set
            (name and version) than *rules* (default: `default_rules`).
        RuleSetError: *rules* is no `RuleSet`.
        MissingExtraError: ``fhir.resources`` is not installed (the ``fhir`` extra).
    """
    data = _bundle_data(plan, rules)
    require("fhir.resources", "fhir")
    module = importlib.import_module("fhir.resources.bundle")
    bundle: Bundle = module.Bundle.model_validate(data)
    return bundle


@within_calendar
def to_fhir(plan: TreatmentPlan, *, rules: RuleSet | None = None) -> dict[str, Any]:
    """The plan as a FHIR R5 Bundle in JSON form: `fhir_bundle` validated, then dumped.

    Every value is JSON-ready (``json.dumps`` takes it as it is); instants are ISO 8601
    strings with the clinic's UTC offset.

    >>> import json, mesotherapy as meso
    >>> client = meso.Client(id="c-001", birth_date="1985-03-02")
    >>> result = meso.assess(client, ["face", "neck"], on="2026-10-20")
    >>> plan = meso.plan_series(result, ["face", "neck"], clinic=meso.example_clinic(),
    ...     start=pendulum.datetime(2026, 10, 20, 9, tz="America/Toronto"))
    >>> bundle = to_fhir(plan)
    >>> rules = sum(len(table) for _, table in meso.default_rules().contraindications.tables())
    >>> bundle["type"], len(bundle["entry"]) == 2 + len(plan.sessions) + rules
    ('collection', True)
    >>> request = bundle["entry"][1]["resource"]
    >>> [site["text"] for site in request["bodySite"]]
    ['Face', 'Neck']
    >>> request["subject"]
    {'type': 'Patient', 'identifier': {'value': 'c-001'}}
    >>> to_fhir(plan) == bundle and bool(json.dumps(bundle))
    True

    Raises:
        ClientError, RuleSetError, MissingExtraError: as `fhir_bundle`.
    """
    dumped: dict[str, Any] = fhir_bundle(plan, rules=rules).model_dump(mode="json")
    return dumped


# --- The resources, as FHIR JSON --------------------------------------------------------------


def _bundle_data(plan: TreatmentPlan, rules: RuleSet | None) -> dict[str, Any]:
    """The Bundle as FHIR JSON, checked for the library's errors, not yet validated."""
    # Callers without a type checker pass dicts and names; refuse them with our errors.
    rules = plan_rules(plan, rules)
    series = _series_key(plan)
    care_plan = _urn(series, "CarePlan")
    request = _urn(series, "ServiceRequest")
    appointments = [(s, _urn(series, f"Appointment/{s.index}")) for s in plan.sessions]
    definitions = [
        (table, code, rule, _rule_urn(rules, table, code, rule))
        for table, code, rule in _contraindications(rules)
    ]
    entries = [
        _entry(care_plan, _care_plan(plan, [url for _, url in appointments])),
        _entry(request, _service_request(plan, care_plan)),
        *(_entry(url, _appointment(plan, s, request)) for s, url in appointments),
        *(_entry(url, _definition(rules, t, c, r)) for t, c, r, url in definitions),
    ]
    snapshot = json.dumps(plan.to_dict(), sort_keys=True, separators=(",", ":"))
    return {
        "resourceType": "Bundle",
        "identifier": {
            "system": "urn:ietf:rfc:3986",
            "value": _urn(series, f"Bundle/{snapshot}"),
        },
        "type": "collection",
        "entry": entries,
    }


def _care_plan(plan: TreatmentPlan, appointments: list[str]) -> dict[str, Any]:
    active = plan.active_sessions or plan.sessions
    p = plan.protocol
    areas = ", ".join(area.value for area in plan.areas)
    resource: dict[str, Any] = {
        "resourceType": "CarePlan",
        "status": "completed" if plan.is_complete else "active",
        "intent": "plan",
        "category": [{"text": "Mesotherapy"}],
        "title": f"Mesotherapy series: {areas}",
        "description": (
            f"{p.sessions} sessions, {p.interval_days} days apart (allowed "
            f"{p.min_interval_days}-{p.max_interval_days}), {p.session_minutes} minutes "
            f"each, at {plan.clinic.name} ({plan.timezone}); rules {plan.rules.name} "
            f"{plan.rules.version}"
        ),
        "subject": _client(plan),
        "period": {"start": _instant(active[0].start), "end": _instant(active[-1].end)},
        "activity": [
            {"plannedActivityReference": {"reference": url, "type": "Appointment"}}
            for url in appointments
        ],
    }
    notes = [
        f"Maintenance due from {w.opens.isoformat()} to {w.closes.isoformat()}"
        for w in plan.maintenance
    ]
    if notes:
        resource["note"] = [{"text": note} for note in notes]
    return resource


def _service_request(plan: TreatmentPlan, care_plan: str) -> dict[str, Any]:
    p = plan.protocol
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "status": "completed" if plan.is_complete else "active",
        "intent": "plan",
        "basedOn": [{"reference": care_plan, "type": "CarePlan"}],
        "code": {"concept": {"text": "Mesotherapy series"}},
        "subject": _client(plan),
        "occurrenceTiming": {
            "repeat": {
                "count": p.sessions,
                "duration": p.session_minutes,
                "durationUnit": "min",
                "frequency": 1,
                "period": p.min_interval_days,
                "periodMax": p.max_interval_days,
                "periodUnit": "d",
            },
            "code": {
                "text": (
                    f"{p.sessions} sessions of {p.session_minutes} minutes, "
                    f"{p.interval_days} days apart ({p.min_interval_days}-"
                    f"{p.max_interval_days} allowed)"
                )
            },
        },
        "bodySite": [_body_site(area) for area in plan.areas],
    }
    if plan.review_acknowledged:
        resource["note"] = [{"text": "A clinician reviewed the assessment before planning."}]
    return resource


def _appointment(plan: TreatmentPlan, session: Session, request: str) -> dict[str, Any]:
    client = _client(plan)
    areas = ", ".join(area.value for area in session.areas)
    resource: dict[str, Any] = {
        "resourceType": "Appointment",
        "status": _APPOINTMENT_STATUS[session.status],
        "serviceType": [{"concept": {"text": "Mesotherapy"}}],
        "description": f"Mesotherapy session {session.index}: {areas}",
        "start": _instant(session.start),
        "end": _instant(session.end),
        "minutesDuration": max(1, (session.end - session.start).in_minutes()),
        "basedOn": [{"reference": request, "type": "ServiceRequest"}],
        "subject": client,
        "participant": [{"actor": client, "status": "accepted"}],
    }
    if session.override is not None:  # never a silent break of the interval bounds
        resource["note"] = [
            {
                "authorString": session.override.by,
                "text": (
                    "Booked beyond the longest interval by a clinician's override: "
                    f"{session.override.reason}"
                ),
            }
        ]
    return resource


def _definition(rules: RuleSet, table: str, code: str, rule: Contraindication) -> dict[str, Any]:
    status = _holds_when(table, rule)
    source = rules.sources[rule.source]
    lines = [
        f"Contraindication {code} ({_KIND_TEXT.get(table, table)}): {_sentence(rule.reason)}",
        f"Severity {rule.severity.value}: {_SEVERITY_TEXT[rule.severity]}.",
        f"Applies: {status}.",
    ]
    if table == "client" and code == "allergy":
        allergens = ", ".join(sorted(rules.formula.allergens()))
        lines.append(f"Allergens of the formula and the numbing: {allergens}.")
    cited = f"{source.title} ({source.url})" if source.url else source.title
    lines += [
        f"Source ({rule.source}): {_sentence(cited)}",
        f"Rules: {rules.name} {rules.version}.",
    ]
    paragraphs = "".join(f"<p>{html.escape(line, quote=False)}</p>" for line in lines)
    return {
        "resourceType": "ClinicalUseDefinition",
        "text": {
            "status": "generated",
            "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{paragraphs}</div>',
        },
        "identifier": [{"value": f"{table}.{code}"}],
        "type": "contraindication",
        "category": [{"text": rule.severity.value}],
        "status": {
            "coding": [
                {
                    "system": "http://hl7.org/fhir/publication-status",
                    "code": "active",
                    "display": "Active",
                }
            ]
        },
        "contraindication": {
            "diseaseSymptomProcedure": {"concept": {"text": code}},
            "diseaseStatus": {"concept": {"text": status}},
        },
    }


def _sentence(text: str) -> str:
    """*text* ending with one full stop."""
    return text.rstrip(". ") + "."


def _holds_when(table: str, rule: Contraindication) -> str:
    """When the rule holds, in words: the ``diseaseStatus`` of its definition."""
    if rule.duration is not None:
        when = f"for {rule.duration} after {_SINCE.get(table, 'the date of the fact')}"
    elif rule.severity is Severity.SITE:
        when = "active in the area to treat, until it has healed"
    else:
        when = "present"
    if rule.areas is not None:
        when += f"; only in {', '.join(a.value for a in Area if a in rule.areas)}"
    return when


def _contraindications(rules: RuleSet) -> list[tuple[str, str, Contraindication]]:
    return [
        (table, code, rules_[code])
        for table, rules_ in rules.contraindications.tables()
        for code in sorted(rules_)
    ]


def _body_site(area: Area) -> dict[str, Any]:
    code, display, text = _BODY_SITES[area]
    site: dict[str, Any] = {"text": text}
    if code is not None:
        site["coding"] = [{"system": SNOMED, "code": code, "display": display}]
    return site


def _client(plan: TreatmentPlan) -> dict[str, Any]:
    """The reference to the client: the opaque id as an identifier, and nothing else."""
    if plan.client_id is None:
        return {"type": "Patient", "display": _NO_ID}
    return {"type": "Patient", "identifier": {"value": plan.client_id}}


def _entry(url: str, resource: dict[str, Any]) -> dict[str, Any]:
    return {"fullUrl": url, "resource": resource}


def _instant(moment: pendulum.DateTime) -> str:
    """An ISO 8601 instant with its UTC offset (UTC when the offset has seconds)."""
    offset = moment.utcoffset()
    if offset is not None and offset.total_seconds() % 60:
        moment = moment.in_timezone("UTC")  # FHIR's instant allows offsets in minutes only
    return moment.isoformat()


# --- Deterministic ids ------------------------------------------------------------------------


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def _series_key(plan: TreatmentPlan) -> uuid.UUID:
    """The identity of the series: what no operation on the plan changes."""
    facts = {
        "client_id": plan.client_id,
        "assessment": plan.assessment.to_dict() | {"on": plan.assessment.on.isoformat()},
        "areas": [area.value for area in plan.areas],
        "clinic": clinic_to_dict(plan.clinic),
        "protocol": attrs.asdict(plan.protocol),
        "rules": {"name": plan.rules.name, "version": plan.rules.version},
    }
    return uuid.uuid5(_NAMESPACE, _canonical(facts))


def _urn(key: uuid.UUID, name: str) -> str:
    return f"urn:uuid:{uuid.uuid5(key, name)}"


def _rule_urn(rules: RuleSet, table: str, code: str, rule: Contraindication) -> str:
    facts = {
        "rules": {"name": rules.name, "version": rules.version},
        "key": f"{table}.{code}",
        "rule": attrs.asdict(rule, value_serializer=lambda _, __, v: _plain(v)),
        "source": attrs.asdict(rules.sources[rule.source]),
    }
    return _urn(_NAMESPACE, f"ClinicalUseDefinition/{_canonical(facts)}")


def _plain(value: Any) -> Any:
    """Sets in a fixed order, so that the canonical text of a rule never varies."""
    if isinstance(value, frozenset | set):
        return sorted(str(item) for item in value)
    return value
