"""The rule set as FHIR R5 definitions: what `mesotherapy.fhir` puts in every bundle of rules.

The session's **ActivityDefinition**, one **PlanDefinition** per area (its protocol) and
one **ClinicalUseDefinition** per contraindication rule. Their ids derive from the rule
and the base URI alone, so that the rules' bundle (`rules_fhir`) and every plan's bundle
give the same resource the same ``fullUrl``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import attrs

from ._fhir_base import Names, canonical_json, entry, narrative, sentence, urn
from ._model import Area
from ._rules import Contraindication, Protocol, RuleSet, Severity

UCUM: Final = "http://unitsofmeasure.org"

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


def rule_entries(names: Names, areas: list[Area]) -> list[dict[str, Any]]:
    """The rule resources: the ActivityDefinition, *areas*' PlanDefinitions, the rules."""
    rules = names.rules
    activity = _activity_urn(names)
    entries = [entry(activity, _activity(names))]
    entries += [entry(_protocol_urn(names, area), _plan_definition(names, area)) for area in areas]
    entries += [
        entry(_rule_urn(names, table, code, rule), _definition(names, activity, table, code, rule))
        for table, code, rule in _contraindications(rules)
    ]
    return entries


def _activity(names: Names) -> dict[str, Any]:
    rules = names.rules
    title = "Mesotherapy session"
    description = (
        "One session of mesotherapy: micro-injections into the skin of one or more areas "
        f"(rules {rules.name} {rules.version})"
    )
    return {
        "resourceType": "ActivityDefinition",
        "text": narrative([f"{title}.", sentence(description)]),
        "url": names.activity,
        "version": rules.version,
        "name": "MesotherapySession",
        "title": title,
        "status": "active",
        "description": description,
        "kind": "ServiceRequest",
        "code": {"text": title},
    }


def _plan_definition(names: Names, area: Area) -> dict[str, Any]:
    """The protocol of *area* as a PlanDefinition, its sessions related by offsetRange."""
    rules = names.rules
    protocol: Protocol = rules.protocols[area]
    sessions, gap = protocol.sessions, protocol.interval_days
    title = f"Mesotherapy series: {area.value}"
    description = (
        f"{sessions.min} to {sessions.max} sessions (usually {sessions.default}), each "
        f"{gap.min} to {gap.max} days after the start of the one before (usually "
        f"{gap.default}); maintenance every {protocol.maintenance_months.min} to "
        f"{protocol.maintenance_months.max} months after the series (rules {rules.name} "
        f"{rules.version})"
    )
    actions: list[dict[str, Any]] = []
    for number in range(1, sessions.max + 1):
        action: dict[str, Any] = {
            "id": f"session-{number}",
            "title": f"Session {number}",
            "requiredBehavior": "must" if number <= sessions.min else "could",
            "definitionCanonical": names.versioned(names.activity),
        }
        if number > 1:
            action["relatedAction"] = [
                {
                    "targetId": f"session-{number - 1}",
                    "relationship": "after-start",
                    "offsetRange": {"low": _days(gap.min), "high": _days(gap.max)},
                }
            ]
        actions.append(action)
    return {
        "resourceType": "PlanDefinition",
        "text": narrative([f"{title}.", sentence(description)]),
        "url": names.protocol(area),
        "version": rules.version,
        "name": f"Mesotherapy{area.value.title()}Series",
        "title": title,
        "type": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/plan-definition-type",
                    "code": "clinical-protocol",
                    "display": "Clinical Protocol",
                }
            ]
        },
        "status": "active",
        "description": description,
        "action": actions,
    }


def _days(count: int) -> dict[str, Any]:
    return {"value": count, "unit": "days", "system": UCUM, "code": "d"}


def _definition(
    names: Names, activity: str, table: str, code: str, rule: Contraindication
) -> dict[str, Any]:
    rules = names.rules
    status = _holds_when(table, rule)
    source = rules.sources[rule.source]
    lines = [
        f"Contraindication {code} ({_KIND_TEXT.get(table, table)}): {sentence(rule.reason)}",
        f"Severity {rule.severity.value}: {_SEVERITY_TEXT[rule.severity]}.",
        f"Applies: {status}.",
    ]
    if table == "client" and code == "allergy":
        allergens = ", ".join(sorted(rules.formula.allergens()))
        lines.append(f"Allergens of the formula and the numbing: {allergens}.")
    cited = f"{source.title} ({source.url})" if source.url else source.title
    lines += [
        f"Source ({rule.source}): {sentence(cited)}",
        f"Rules: {rules.name} {rules.version}.",
    ]
    return {
        "resourceType": "ClinicalUseDefinition",
        "text": narrative(lines),
        "identifier": [{"system": names.rule_system, "value": f"{table}.{code}"}],
        "type": "contraindication",
        "category": [{"text": rule.severity.value}],
        "subject": [{"reference": activity, "type": "ActivityDefinition"}],
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


# --- Deterministic ids ------------------------------------------------------------------------


def _rule_urn(names: Names, table: str, code: str, rule: Contraindication) -> str:
    rules = names.rules
    facts = {
        "rules": {"name": rules.name, "version": rules.version},
        "system": names.rule_system,
        "activity": names.activity,
        "key": f"{table}.{code}",
        "rule": attrs.asdict(rule, value_serializer=lambda _, __, v: _sets_sorted(v)),
        "source": attrs.asdict(rules.sources[rule.source]),
    }
    return urn(f"ClinicalUseDefinition/{canonical_json(facts)}")


def _activity_urn(names: Names) -> str:
    return urn(f"ActivityDefinition/{names.versioned(names.activity)}")


def _protocol_urn(names: Names, area: Area) -> str:
    protocol = attrs.asdict(names.rules.protocols[area])
    facts = {"url": names.versioned(names.protocol(area)), "protocol": protocol}
    return urn(f"PlanDefinition/{canonical_json(facts)}")


def _sets_sorted(value: Any) -> Any:
    """Sets in a fixed order, so that the canonical text of a rule never varies."""
    if isinstance(value, frozenset | set):
        return sorted(str(item) for item in value)
    return value
