"""The FHIR R5 export of a plan: a Bundle that clinic software and health records read.

The models come from ``fhir.resources`` (the ``fhir`` extra), imported only when an export
is asked for: importing them costs about 0.3 s.

Names a receiver resolves (identifier systems, canonical URLs) hang off one base URI, the
clinic's (``base_uri``) or, by default, `DEFAULT_BASE`. Under a ``urn:`` base the parts are
joined with ``:``, under any other with ``/``:

=================================  =================================================
identifier or URL                   under the default base
=================================  =================================================
a plan's (CarePlan.identifier)      ``urn:mesotherapy:plan``
a session's (Appointment)           ``urn:mesotherapy:session``
a client's, unless given            ``urn:mesotherapy:client``
a rule's (ClinicalUseDefinition)    ``urn:mesotherapy:rules:<rule set name>``
the session's ActivityDefinition    ``urn:mesotherapy:ActivityDefinition:<rule set name>-session``
an area's PlanDefinition            ``urn:mesotherapy:PlanDefinition:<rule set name>-<area>``
=================================  =================================================

``urn:mesotherapy`` is no registered URN namespace: it names the library's own systems for
a clinic that sets none, and a clinic that exchanges bundles with others sets its own base.
"""

from __future__ import annotations

import datetime as dt
import importlib
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, Literal, TypedDict, Unpack

from ._diary import Diary
from ._diary_names import booked_names
from ._diary_rows import checked_diary, diary_claims, window
from ._errors import InvalidTimeError
from ._extras import require
from ._fhir_base import (
    DEFAULT_BASE,
    Names,
    as_dumped,
    canonical_json,
    canonical_spliced,
    entry,
    learn_order,
    names_under,
    unkept_urn,
)
from ._fhir_diary import diary_entries, resource_entries
from ._fhir_plan import SNOMED as SNOMED  # noqa: PLC0414 - kept as mesotherapy.fhir.SNOMED
from ._fhir_plan import (
    appointment_resource,
    care_plan_resource,
    identified_urn,
    service_request_resource,
    session_urn,
)
from ._fhir_rules import rule_entries
from ._json import plan_snapshot
from ._kept import by_object
from ._model import Area, flag
from ._plan import TreatmentPlan, plan_rules
from ._rules import RuleSet
from ._time import within_calendar
from ._vocabulary import chosen_rules

if TYPE_CHECKING:
    from fhir.resources.bundle import Bundle

__all__ = ["DEFAULT_BASE", "diary_fhir", "fhir_bundle", "rules_fhir", "to_fhir"]


@within_calendar
def fhir_bundle(  # noqa: PLR0913 - each keyword is one choice of the export
    plan: TreatmentPlan,
    *,
    rules: RuleSet | None = None,
    include_rules: bool = True,
    base_uri: str | None = None,
    patient_system: str | None = None,
    diary: Diary | None = None,
) -> Bundle:
    """The plan as a validated FHIR R5 ``Bundle`` model of ``fhir.resources``.

    The Bundle is a ``collection``: a self-contained snapshot to exchange or archive,
    which asks nothing of a server. A ``transaction`` would say how to write it (POST
    creates the resources again at each export; PUT needs server ids that the library
    does not own). A caller who writes to a server turns the entries into requests of its
    choosing.

    Its entries, in this order, each with a ``urn:uuid`` ``fullUrl`` whose uuid is also
    the resource's ``id``, and each with a generated narrative (``text``) that never
    names the client:

    - a **CarePlan** (intent ``plan``; status ``active``, ``completed`` once every
      session of the series is completed) that ``instantiatesCanonical`` the
      PlanDefinition of each of the plan's areas, whose period runs from the first active
      session's start to the last one's end, with one activity per session, each
      referencing its Appointment through ``plannedActivityReference`` (R5: the planned
      activity is a reference, ``performedActivity`` records outcomes, which the
      Appointment's status already gives); the maintenance window is a note;
    - a **ServiceRequest** for the series (intent ``plan``; status ``active``, or
      ``completed`` with the CarePlan), based on the CarePlan and instantiating the
      session's ActivityDefinition: code text "Mesotherapy series", one ``bodySite`` per
      area (SNOMED CT where the code is certain, text always), and ``occurrenceTiming``
      giving the session count, the session length and the interval as the protocol's
      range (``period`` to ``periodMax`` days);
    - one **Appointment** per session, cancelled and missed ones included, with
      ``start``/``end`` instants carrying the clinic's offset, the status mapped
      (planned: ``booked``, completed: ``fulfilled``, cancelled: ``cancelled``, no-show:
      ``noshow``), ``serviceType`` text "Mesotherapy" and ``basedOn`` the ServiceRequest;
      the client is a participant, and a booked session's practitioner and room (its
      `Session.practitioner` and `Session.room`) are participants too, references to
      its Practitioner and Location (required, accepted);
    - one **Practitioner** and one **Location** per practitioner and room the sessions
      name (after the Appointments), with the id as an ``identifier`` (systems
      ``<base>:practitioner`` and ``<base>:room``) and the name *diary* gives
      (`mesotherapy.Diary`: the one the plan was booked in; without it, the ids alone);
    - with *include_rules* (the default), the rule resources that `rules_fhir` exports
      once: the session's **ActivityDefinition**, the **PlanDefinition** of each of the
      plan's areas, and the **ClinicalUseDefinition** of every contraindication rule.
      Without, the bundle names the definitions by canonical URL only
      (``url|version``), for a receiver that holds the rules' bundle already.

    The client is referenced by the plan's opaque id as an ``identifier`` only (no name,
    no contact details), in the system *patient_system* (an absolute URI, the clinic's
    system of client numbers; by default the base's ``client``); a plan without an id
    gives the reference a display that says so. *base_uri* (an absolute URI, by default
    `DEFAULT_BASE`) roots the systems of the resources' own identifiers and the
    canonical URLs (see the module's table).

    Ids are deterministic (uuid5, never random) and follow the plan's identities, never
    positions: the CarePlan's and the ServiceRequest's derive from `TreatmentPlan.id`, an
    Appointment's from its `Session.id` (both under their identifier systems), so the
    exports of a plan and of the plans that `TreatmentPlan.complete`, ``cancel``,
    ``no_show`` or ``reschedule`` return name the same CarePlan and Appointments, and a
    receiver updates them rather than adding new ones. The CarePlan's ``identifier`` is
    the plan's id and its ``meta.versionId`` the plan's revision; an Appointment's
    ``identifier`` is the session's id, and the Appointment of a session that replaces a
    cancelled or missed one names that one's in ``replaces``. A rule resource's id
    derives from the rule and the base alone. The Bundle's ``identifier`` derives from
    the plan's whole content: a new snapshot, a new one.

    >>> import pendulum, mesotherapy as meso
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
            (name and version) than *rules* (default: `default_rules`); *include_rules* is
            no bool; *base_uri* or *patient_system* is no absolute URI; *diary* is no
            `Diary`, or it lacks a practitioner or room the plan names.
        RuleSetError: *rules* is no `RuleSet`.
        MissingExtraError: ``fhir.resources`` is not installed (the ``fhir`` extra).
    """
    head, names, areas, snapshot = _plan_part(
        plan,
        rules,
        include_rules=include_rules,
        base_uri=base_uri,
        patient_system=patient_system,
        diary=diary,
    )
    if areas is None:
        return _validated(_collection(head, snapshot))
    # The rule resources are validated once per rule set, base and areas, and each bundle
    # gets copies of its own: they were three quarters of validating the bundle.
    models = _rule_models(names, areas)
    return _validated(_collection([*head, *(m.model_copy(deep=True) for m in models)], snapshot))


def _rule_models(names: Names, areas: list[Area]) -> list[Any]:
    """The rule entries of *names* and *areas*, validated (``BundleEntry`` models), kept."""
    key = (id(names.rules), names.base, tuple(areas))
    kept = _models.get(key)
    if kept is not None and kept[0] is names.rules:
        return kept[1]
    require("fhir.resources", "fhir")
    module = importlib.import_module("fhir.resources.bundle")
    models = [module.BundleEntry.model_validate(e) for e in rule_entries(names, areas)]
    if len(_models) >= _RULES_KEPT:
        _models.clear()
    _models[key] = (names.rules, models)  # held with its id: no other object takes the id
    return models


class _BundleOptions(TypedDict, total=False):
    """The keyword arguments of `fhir_bundle`, which `to_fhir` takes alike."""

    rules: RuleSet | None
    include_rules: bool
    base_uri: str | None
    patient_system: str | None
    diary: Diary | None


@within_calendar
def to_fhir(plan: TreatmentPlan, **options: Unpack[_BundleOptions]) -> dict[str, Any]:
    """The plan as a FHIR R5 Bundle in JSON form: `fhir_bundle` validated, then dumped.

    The same JSON, key for key and in the same order, without validating and dumping at
    each call: the rule resources are dumped once per rule set, base URI and areas, and
    the plan's resources are written in the order of the dump, which each shape of
    resource teaches from one validated dump of it.

    The keyword arguments are `fhir_bundle`'s (*rules*, *include_rules*, *base_uri*,
    *patient_system* and *diary*), with its defaults. Every value is JSON-ready
    (``json.dumps`` takes it as it is); instants are ISO 8601 strings with the clinic's
    UTC offset.

    >>> import json, pendulum, mesotherapy as meso
    >>> client = meso.Client(id="c-001", birth_date="1985-03-02")
    >>> result = meso.assess(client, ["face", "neck"], on="2026-10-20")
    >>> plan = meso.plan_series(result, ["face", "neck"], clinic=meso.example_clinic(),
    ...     start=pendulum.datetime(2026, 10, 20, 9, tz="America/Toronto"))
    >>> bundle = to_fhir(plan, include_rules=False,
    ...                  patient_system="https://clinic.example/client-numbers")
    >>> bundle["type"], len(bundle["entry"]) == 2 + len(plan.sessions)
    ('collection', True)
    >>> request = bundle["entry"][1]["resource"]
    >>> [site["text"] for site in request["bodySite"]]
    ['Face', 'Neck']
    >>> request["subject"]["identifier"]
    {'system': 'https://clinic.example/client-numbers', 'value': 'c-001'}
    >>> request["instantiatesCanonical"]
    ['urn:mesotherapy:ActivityDefinition:mesotherapy-default-session|2026.1']
    >>> import json
    >>> to_fhir(plan) == to_fhir(plan) and bool(json.dumps(bundle))
    True

    Raises:
        ClientError, RuleSetError, MissingExtraError: as `fhir_bundle`.
    """
    unknown = sorted(options.keys() - _BundleOptions.__optional_keys__)
    if unknown:  # as fhir_bundle(**options) refused them, when to_fhir called it
        msg = f"to_fhir() got an unexpected keyword argument {unknown[0]!r}"
        raise TypeError(msg)
    head, names, areas, snapshot = _plan_part(
        plan,
        options.get("rules"),
        include_rules=options.get("include_rules", True),
        base_uri=options.get("base_uri"),
        patient_system=options.get("patient_system"),
        diary=options.get("diary"),
    )
    # The JSON that validating the Bundle and dumping it gives, without validating and
    # dumping it at each call (nine tenths of the cost): the rule resources are dumped once
    # per rule set, base and areas; the plan's resources are put in the dump's order,
    # learnt once for each shape of resource from a dump that gives the very values they
    # hold (an unknown shape takes the validated way, and teaches its order).
    require("fhir.resources", "fhir")  # the JSON is fhir.resources' dump, with or without it
    rules = None if areas is None else _dumped_rules(names, areas)
    ordered = [item for e in head if (item := as_dumped(e)) is not None]
    if (rules is None and areas is not None) or len(ordered) < len(head):
        data = _collection(
            [*head, *([] if areas is None else rule_entries(names, areas))], snapshot
        )
        dumped: dict[str, Any] = _validated(data).model_dump(mode="json")
        learn_order(head, dumped["entry"][: len(head)])
        if areas is not None:
            _keep_rules(names, areas, dumped["entry"][len(head) :])
        return dumped
    return _collection([*ordered, *(rules or [])], snapshot)


def rules_fhir(rules: RuleSet | None = None, *, base_uri: str | None = None) -> dict[str, Any]:
    """The rule set's FHIR R5 definitions, once, as a ``collection`` Bundle in JSON form.

    The entries are the **ActivityDefinition** of a mesotherapy session, one
    **PlanDefinition** per area (the area's protocol: one action per session up to the
    most sessions, those up to the fewest ``must``, the rest ``could``, each after the
    start of the one before by ``relatedAction.offsetRange``, the protocol's interval
    range in days), and one **ClinicalUseDefinition** per contraindication rule, whose
    ``subject`` is the ActivityDefinition. They are the same resources, with the same
    ``fullUrl``, as the rule resources of a plan's bundle (`to_fhir`): a receiver that
    holds them takes the plans' bundles with ``include_rules=False``, which name them by
    canonical URL.

    >>> import mesotherapy as meso
    >>> bundle = rules_fhir(meso.default_rules())
    >>> from collections import Counter
    >>> Counter(e["resource"]["resourceType"] for e in bundle["entry"])
    Counter({'ClinicalUseDefinition': 28, 'PlanDefinition': 5, 'ActivityDefinition': 1})
    >>> face = next(e["resource"] for e in bundle["entry"]
    ...             if e["resource"].get("url", "").endswith("-face"))
    >>> second = face["action"][1]["relatedAction"][0]
    >>> second["targetId"], second["relationship"], second["offsetRange"]["low"]["value"]
    ('session-1', 'after-start', 14)

    Raises:
        RuleSetError: *rules* is no `RuleSet`.
        ClientError: *base_uri* is no absolute URI.
        MissingExtraError: ``fhir.resources`` is not installed (the ``fhir`` extra).
    """
    chosen = chosen_rules(rules)
    names = names_under(chosen, base_uri, None)
    entries = rule_entries(names, list(Area))
    return _validated_collection(entries)


@within_calendar
def diary_fhir(
    diary: Diary,
    *,
    start: dt.datetime | dt.date | str,
    end: dt.datetime | dt.date | str,
    base_uri: str | None = None,
) -> dict[str, Any]:
    """A clinic's diary from *start* to *end* as a FHIR R5 ``collection`` Bundle in JSON form.

    The entries, validated with ``fhir.resources``, in this order:

    - one **Practitioner** per practitioner (the id as an ``identifier`` in the system
      ``<base>:practitioner``, the name) and one **Location** per room (``<base>:room``,
      its name, ``form`` a room), the same resources, with the same ids, as in the
      bundles of the plans booked in the diary (`to_fhir` with ``diary=``);
    - one **Schedule** per practitioner and room, in the diary's order: ``actor`` its
      Practitioner or Location, ``planningHorizon`` the window, ``active``;
    - one **Slot** per claim that meets the window (`mesotherapy.notebook.diary_frame`'s
      rows: a busy interval, or a booked session's claim on its practitioner or its
      room), ``status`` ``busy``, its ``schedule`` the resource's Schedule, ``start`` and
      ``end`` with the clinic's offset, ``comment`` the busy interval's label (or "busy")
      or "a booked session". Free time has no Slot: a receiver reads it as the
      Schedule's horizon less the busy Slots, within the clinic's hours.

    *start* and *end* bound the half-open window ``[start, end)``: each an aware
    datetime, or a local date (``YYYY-MM-DD`` text too) meaning midnight at its start in
    the clinic's zone. *base_uri* roots the identifier systems, as in `fhir_bundle`.
    Ids are uuid5 values of each resource's identifier (a Slot's: of its resource, kind,
    instants and claim), never random.

    >>> import mesotherapy as meso
    >>> clinic = meso.example_clinic(holidays=None)
    >>> diary = meso.Diary(clinic=clinic,
    ...     practitioners=[meso.Practitioner(id="dr-h", name="Dr. H.", areas=["face"])],
    ...     rooms=[meso.Room(id="room-1")],
    ...     busy=[meso.Busy(start=clinic.at("2026-11-24", "09:00"),
    ...                     end=clinic.at("2026-11-24", "10:00"), resource="dr-h",
    ...                     label="staff meeting")])
    >>> bundle = diary_fhir(diary, start="2026-11-23", end="2026-11-30")
    >>> [e["resource"]["resourceType"] for e in bundle["entry"]]
    ['Practitioner', 'Location', 'Schedule', 'Schedule', 'Slot']
    >>> slot = bundle["entry"][-1]["resource"]
    >>> slot["status"], slot["start"], slot["comment"]
    ('busy', '2026-11-24T09:00:00-05:00', 'staff meeting')

    Raises:
        ClientError: *diary* is no `Diary`, or *base_uri* is no absolute URI.
        InvalidTimeError: *start* or *end* is neither a date nor an aware datetime, or
            *end* is not after *start*.
        MissingExtraError: ``fhir.resources`` is not installed (the ``fhir`` extra).
    """
    diary = checked_diary(diary)
    low, high = window(diary, start, end)
    if low is None or high is None:  # a caller without a type checker passed None
        msg = "start, end: expected both bounds of the window, a date or an aware datetime"
        raise InvalidTimeError(msg)
    names = names_under(chosen_rules(None), base_uri, None)
    claims = list(diary_claims(diary, low, high))
    entries = diary_entries(names, diary, claims, (low, high))
    return _validated_collection(entries)


def _validated_collection(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """A ``collection`` Bundle of *entries*, named by its entries, validated, as FHIR JSON."""
    data = _collection(entries, canonical_json(entries))
    dumped: dict[str, Any] = _validated(data).model_dump(mode="json")
    return dumped


def _collection(entries: list[dict[str, Any]], snapshot: str) -> dict[str, Any]:
    """A ``collection`` Bundle of *entries*, its identifier the URN of *snapshot*."""
    return {
        "resourceType": "Bundle",
        "identifier": {
            "system": "urn:ietf:rfc:3986",
            "value": unkept_urn(f"Bundle/{snapshot}"),
        },
        "type": "collection",
        "entry": entries,
    }


def _validated(data: dict[str, Any]) -> Bundle:
    require("fhir.resources", "fhir")
    module = importlib.import_module("fhir.resources.bundle")
    bundle: Bundle = module.Bundle.model_validate(data)
    return bundle


# --- The resources, as FHIR JSON --------------------------------------------------------------


def _plan_part(  # noqa: PLR0913 - fhir_bundle's arguments, checked here
    plan: TreatmentPlan,
    rules: RuleSet | None,
    *,
    include_rules: object,
    base_uri: object,
    patient_system: object,
    diary: object = None,
) -> tuple[list[dict[str, Any]], Names, list[Area] | None, str]:
    """The plan's entries, the names, the areas of the rule entries (None: none) and the snapshot.

    Raises:
        ClientError, RuleSetError: as `fhir_bundle`.
    """
    # Callers without a type checker pass dicts and names; refuse them with our errors.
    rules = plan_rules(plan, rules)
    include = flag(include_rules, "include_rules")
    names = names_under(rules, base_uri, patient_system)
    known = _staff(plan, diary)
    care_plan = identified_urn("CarePlan", names.system("plan"), plan.id)
    request = identified_urn("ServiceRequest", names.system("plan"), plan.id)
    sessions = {s.id: session_urn(names, s) for s in plan.sessions}
    entries = [
        entry(care_plan, care_plan_resource(plan, names, list(sessions.values()))),
        entry(request, service_request_resource(plan, names, care_plan)),
        *(
            entry(sessions[s.id], appointment_resource(plan, names, s, request, sessions, known))
            for s in plan.sessions
        ),
    ]
    used: list[tuple[Literal["practitioner", "room"], str]] = []
    for s in plan.sessions:
        used += [("practitioner", s.practitioner)] if s.practitioner is not None else []
        used += [("room", s.room)] if s.room is not None else []
    entries += resource_entries(names, used, known, plan.clinic.name)
    snapshot = _snapshot(plan, include, names, known)
    return entries, names, list(plan.areas) if include else None, snapshot


def _snapshot(plan: TreatmentPlan, include: bool, names: Names, known: dict[str, str]) -> str:
    """The canonical JSON of what the Bundle holds, whose uuid5 is the Bundle's identifier.

    ``canonical_json`` of the plan's snapshot and the export's options, the same text,
    with the clinic's and the protocol's objects written once each and kept: a clinic's
    object holds its closures (some 500 KB of text for 10 000 of them).
    """
    fields = plan_snapshot(plan)  # its clinic's and protocol's objects are kept and shared
    clinic, protocol = _kept_canonical(fields["clinic"]), _kept_canonical(fields["protocol"])
    whole = {
        "plan": fields,
        "include_rules": include,
        "base": names.base,
        "patient_system": names.patient_system,
    }
    # A plan without a diary's names keeps the snapshot (and its identifier) it had.
    whole |= {"staff": known} if known else {}
    if len(clinic) + len(protocol) < SPLICED_FROM:
        return canonical_json(whole)  # one call of the encoder is sooner for a small clinic
    plan_text = canonical_spliced(fields, {"clinic": clinic, "protocol": protocol})
    return canonical_spliced(whole, {"plan": plan_text})


# Kept by the identity of the shared objects `plan_snapshot` gives, which never change.
_kept_canonical: Final = by_object(canonical_json)
SPLICED_FROM = 4096
"""The length of a clinic's and protocol's texts from which the snapshot puts them in whole.

Below it, writing them again in the one call of the encoder costs less than the calls
between them (the example clinic's is 315 characters; one with 10 000 closures, 500 KB).
"""


_RULES_KEPT: Final = 32
"""How many rule sets, bases and areas `to_fhir` and `fhir_bundle` keep the rule resources of."""

_dumped: dict[
    tuple[int, str, tuple[Area, ...]], tuple[RuleSet, Callable[[], list[dict[str, Any]]]]
] = {}
_models: dict[tuple[int, str, tuple[Area, ...]], tuple[RuleSet, list[Any]]] = {}


def _dumped_rules(names: Names, areas: list[Area]) -> list[dict[str, Any]] | None:
    """The rule entries of *names* and *areas* as the Bundle dumps them, if kept; a new copy."""
    kept = _dumped.get((id(names.rules), names.base, tuple(areas)))
    if kept is None or kept[0] is not names.rules:
        return None
    return kept[1]()


def _keep_rules(names: Names, areas: list[Area], entries: list[dict[str, Any]]) -> None:
    """Keep the dumped rule entries, as text: each call reads a copy of its own."""
    if len(_dumped) >= _RULES_KEPT:
        _dumped.clear()
    # The rule set is held with its id, so that no other object takes the id while kept.
    # Kept as a compiled literal: each call builds new dicts and lists around constant
    # leaves (text is immutable, so sharing it keeps the bundle the caller's own), in two
    # fifths of the time `marshal.loads` took to read a copy (which made every text anew).
    _dumped[id(names.rules), names.base, tuple(areas)] = (names.rules, _literal_of(entries))


def _literal_of(entries: list[dict[str, Any]]) -> Callable[[], list[dict[str, Any]]]:
    """A function that returns a new copy of *entries* (JSON values) at each call."""
    namespace: dict[str, Any] = {}
    source = f"def copy():\n    return {_literal(entries)}\n"
    # Our own dump written as a Python literal (repr of JSON's leaves), never outside text.
    exec(compile(source, "<kept rule entries>", "exec"), namespace)  # noqa: S102
    made: Callable[[], list[dict[str, Any]]] = namespace["copy"]
    return made


def _literal(value: object) -> str:
    """*value*, made of JSON's dicts, lists and leaves, as the text of a Python literal."""
    kind = type(value)
    if kind is dict:
        items = value.items()  # type: ignore[attr-defined]
        return "{" + ",".join(f"{key!r}:{_literal(item)}" for key, item in items) + "}"
    if kind is list:
        return "[" + ",".join(_literal(item) for item in value) + "]"  # type: ignore[attr-defined]
    if kind in {str, int, bool, type(None)} or (kind is float and math.isfinite(value)):  # type: ignore[arg-type]
        return repr(value)
    msg = f"rule entries: expected JSON values, got {value!r}"  # a dump gives none other
    raise TypeError(msg)


def _staff(plan: TreatmentPlan, diary: object) -> dict[str, str]:
    """The names *diary* gives the plan's practitioners and rooms (none without a diary).

    Raises:
        ClientError: *diary* is no `Diary`, or it lacks a practitioner or room of the plan.
    """
    used = {s.practitioner for s in plan.sessions} | {s.room for s in plan.sessions}
    return {k: v for k, v in booked_names(plan, diary).items() if k in used and v}
