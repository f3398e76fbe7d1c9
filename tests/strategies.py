"""Hypothesis strategies for the domain values of mesotherapy.

Every strategy builds valid values only: clients whose codes the given rule set defines,
and rule sets made by perturbing the shipped defaults within the bounds the rules allow.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs
import pendulum
from hypothesis import strategies as st

from mesotherapy import (
    Area,
    Client,
    Concern,
    Medication,
    PriorTreatment,
    RuleSet,
    Severity,
    SkinFinding,
    Span,
    default_rules,
)
from mesotherapy._rules_io import rules_from_dict, rules_to_dict

__all__ = [
    "UNRELATED_ALLERGIES",
    "Scenario",
    "areas",
    "assessment_dates",
    "calendar_spans",
    "clients",
    "elapsed_spans",
    "rule_sets",
    "scenarios",
    "spans",
    "with_added_fact",
]

FIRST_BIRTH = dt.date(1930, 1, 1)
LAST_BIRTH = dt.date(2024, 12, 31)
FIRST_ASSESSMENT = dt.date(2024, 1, 1)
LAST_ASSESSMENT = dt.date(2030, 12, 31)
FIRST_FACT = dt.date(2018, 1, 1)
"""The earliest date of a dated fact (a last dose, another procedure)."""

UNRELATED_ALLERGIES = ("pollen", "latex", "penicillin", "nickel", "peanuts")
"""Allergies that no formula of the default rules contains."""

_DAY_MINUTES = 24 * 60
_WEEK_DAYS = 7


def _rare_flags() -> st.SearchStrategy[bool]:
    """Mostly ``False``: a flag that makes every client ineligible must not drown the rest."""
    return st.sampled_from((False, False, False, False, False, True))


def _codes_of(table: Mapping[str, Any]) -> st.SearchStrategy[str]:
    return st.sampled_from(sorted(table))


def _optional_set(table: Mapping[str, Any], max_size: int) -> st.SearchStrategy[frozenset[str]]:
    if not table:
        return st.just(frozenset())
    return st.frozensets(_codes_of(table), max_size=max_size)


def _fact_dates() -> st.SearchStrategy[dt.date]:
    return st.dates(min_value=FIRST_FACT, max_value=LAST_ASSESSMENT)


def areas() -> st.SearchStrategy[frozenset[Area]]:
    """Non-empty subsets of `Area`."""
    return st.frozensets(st.sampled_from(Area), min_size=1)


def assessment_dates() -> st.SearchStrategy[pendulum.Date]:
    """Dates of an assessment, from 2024 to 2030."""
    return st.dates(min_value=FIRST_ASSESSMENT, max_value=LAST_ASSESSMENT).map(_pendulum_date)


def _pendulum_date(day: dt.date) -> pendulum.Date:
    return pendulum.date(day.year, day.month, day.day)


@st.composite
def medications(draw: st.DrawFn, rules: RuleSet) -> Medication:
    """A medication the rule set knows, still taken (no date) or last taken on a date."""
    code = draw(_codes_of(rules.contraindications.medications))
    last_taken = draw(st.none() | _fact_dates())
    return Medication(code, last_taken=last_taken)


@st.composite
def skin_findings(
    draw: st.DrawFn, rules: RuleSet, where: frozenset[Area] | None = None
) -> SkinFinding:
    """A skin finding the rule set knows, in one of *where* (any area when ``None``)."""
    area = draw(st.sampled_from(sorted(where or Area)))
    return SkinFinding(area, draw(_codes_of(rules.contraindications.skin_findings)))


@st.composite
def prior_treatments(
    draw: st.DrawFn, rules: RuleSet, where: frozenset[Area] | None = None
) -> PriorTreatment:
    """A prior treatment the rule set knows, in one of *where*, on a date."""
    kind = draw(_codes_of(rules.contraindications.treatments))
    area = draw(st.sampled_from(sorted(where or Area)))
    return PriorTreatment(kind, area, draw(_fact_dates()))


def allergies(rules: RuleSet) -> st.SearchStrategy[frozenset[str]]:
    """Allergies: a few unrelated ones, sometimes one to an ingredient of the formula."""
    unrelated = st.frozensets(st.sampled_from(UNRELATED_ALLERGIES), max_size=2)
    allergens = sorted(rules.formula.allergens())
    if not allergens:
        return unrelated
    relevant = st.just(frozenset[str]()) | st.frozensets(st.sampled_from(allergens), max_size=1)
    return st.builds(frozenset.union, unrelated, relevant)


@st.composite
def clients(draw: st.DrawFn, rules: RuleSet, *, born_by: dt.date = LAST_BIRTH) -> Client:
    """A client whose every code *rules* defines, born from 1930 to 2024 (and by *born_by*)."""
    table = rules.contraindications
    with_id = draw(st.booleans())
    latest = min(dt.date(born_by.year, born_by.month, born_by.day), LAST_BIRTH)
    return Client(
        birth_date=draw(st.dates(min_value=FIRST_BIRTH, max_value=latest)),
        pregnant=draw(_rare_flags()),
        breastfeeding=draw(_rare_flags()),
        conditions=draw(_optional_set(table.conditions, max_size=2)),
        allergies=draw(allergies(rules)),
        medications=draw(
            st.frozensets(medications(rules), max_size=3)
            if table.medications
            else st.just(frozenset[Medication]())
        ),
        skin_findings=draw(
            st.frozensets(skin_findings(rules), max_size=3)
            if table.skin_findings
            else st.just(frozenset[SkinFinding]())
        ),
        treatments=draw(
            st.frozensets(prior_treatments(rules), max_size=3)
            if table.treatments
            else st.just(frozenset[PriorTreatment]())
        ),
        concerns=draw(st.frozensets(st.sampled_from(Concern), max_size=3)),
        id=draw(st.from_regex(r"c-[0-9]{3}", fullmatch=True)) if with_id else None,
    )


def spans() -> st.SearchStrategy[Span]:
    """Any span, of any mix of units, zero included."""
    count = st.integers(min_value=0, max_value=1_000)
    return st.builds(
        Span, years=count, months=count, weeks=count, days=count, hours=count, minutes=count
    )


@st.composite
def calendar_spans(draw: st.DrawFn) -> Span:
    """A span in years, months, weeks or days, mostly of one unit, as rules write ``P6M``."""
    one_unit = draw(st.booleans())
    units = ("years", "months", "weeks", "days")
    limits = {"years": 20, "months": 36, "weeks": 104, "days": 400}
    if one_unit:
        unit = draw(st.sampled_from(units))
        return Span(**{unit: draw(st.integers(min_value=0, max_value=limits[unit]))})
    return Span(**{unit: draw(st.integers(min_value=0, max_value=limits[unit])) for unit in units})


@st.composite
def elapsed_spans(
    draw: st.DrawFn, min_minutes: int = 0, max_minutes: int = 30 * _DAY_MINUTES
) -> Span:
    """A span of elapsed time from *min_minutes* to *max_minutes*, written in various units."""
    total = draw(st.integers(min_value=min_minutes, max_value=max_minutes))
    days, rest = divmod(total, _DAY_MINUTES)
    hours, minutes = divmod(rest, 60)
    weeks = 0
    style = draw(st.sampled_from(("days", "hours", "weeks")))
    if style == "hours":
        days, hours = 0, hours + 24 * days
    elif style == "weeks":
        weeks, days = divmod(days, _WEEK_DAYS)
    return Span(weeks=weeks, days=days, hours=hours, minutes=minutes)


def _minutes(span: Span) -> int:
    return int(span.elapsed().total_seconds()) // 60


_NAME_TEXT = st.text(st.characters(codec="utf-8"), min_size=1, max_size=30).filter(
    lambda text: bool(text.strip())
)
_VERSIONS = st.from_regex(r"[0-9A-Za-z][0-9A-Za-z.+_-]{0,15}", fullmatch=True)
_BOUNDS = ("sessions", "interval_days", "session_minutes", "maintenance_months")
_CLIENT_DATED = frozenset({"minor"})
"""Client facts whose rule must keep a duration."""
_NO_SITE = frozenset({"medications", "treatments"})
"""Tables whose rules may not have the ``site`` severity."""


@st.composite
def _bounds(draw: st.DrawFn, bounds: dict[str, Any]) -> dict[str, Any]:
    low = draw(st.integers(min_value=1, max_value=30))
    high = draw(st.integers(min_value=low, max_value=low + 30))
    default = draw(st.integers(min_value=low, max_value=high))
    return {**bounds, "min": low, "max": high, "default": default}


@st.composite
def _contraindication(
    draw: st.DrawFn, rule: dict[str, Any], *, table: str, code: str
) -> dict[str, Any]:
    choices = [s for s in Severity if not (table in _NO_SITE and s is Severity.SITE)]
    severity = draw(st.sampled_from(choices))
    changed = {**rule, "severity": severity.value}
    needs_duration = severity is Severity.TIME_BOUND or (
        table == "client" and code in _CLIENT_DATED
    )
    action = draw(st.sampled_from(("keep", "change", "drop")))
    if action == "change" or (needs_duration and "duration" not in changed):
        changed["duration"] = str(draw(calendar_spans()))
    elif action == "drop" and not needs_duration:
        changed.pop("duration", None)
    if draw(st.booleans()):
        changed.pop("areas", None)
    else:
        changed["areas"] = sorted(area.value for area in draw(areas()))
    return changed


@st.composite
def _aftercare(draw: st.DrawFn, rule: dict[str, Any]) -> dict[str, Any]:
    published = rule.get("published")
    if published is None:
        duration = draw(elapsed_spans(min_minutes=60))
    else:
        low = _minutes(Span.parse(published["min"]))
        high = _minutes(Span.parse(published["max"]))
        duration = draw(elapsed_spans(min_minutes=low, max_minutes=high))
    return {**rule, "duration": str(duration)}


_DEFAULT_DATA = rules_to_dict(default_rules())
_PROTOCOL_KEYS = tuple((area, key) for area in _DEFAULT_DATA["protocols"] for key in _BOUNDS)
_CONTRAINDICATION_KEYS = tuple(
    (table, code) for table, rules in _DEFAULT_DATA["contraindications"].items() for code in rules
)
_AFTERCARE_KEYS = tuple(_DEFAULT_DATA["aftercare"])


@st.composite
def rule_sets(draw: st.DrawFn) -> RuleSet:
    """A valid rule set: the defaults with numbers, severities, durations and names changed.

    A few entries of each table are perturbed, the rest kept as shipped, so that both the
    defaults and far-off values are exercised. Drawn sets are sorted before use: their order
    of iteration changes with the hash seed, and a replayed example must draw the same way.
    """
    data = copy.deepcopy(_DEFAULT_DATA)
    data["name"] = draw(_NAME_TEXT)
    data["version"] = draw(_VERSIONS)
    if draw(st.booleans()):
        data["description"] = draw(st.text(st.characters(codec="utf-8"), max_size=40))
    for area, key in sorted(draw(st.sets(st.sampled_from(_PROTOCOL_KEYS), max_size=4))):
        protocol = data["protocols"][area]
        protocol[key] = draw(_bounds(protocol[key]))
    for table, code in sorted(draw(st.sets(st.sampled_from(_CONTRAINDICATION_KEYS), max_size=8))):
        rules = data["contraindications"][table]
        rules[code] = draw(_contraindication(rules[code], table=table, code=code))
    for key in sorted(draw(st.sets(st.sampled_from(_AFTERCARE_KEYS), max_size=3))):
        data["aftercare"][key] = draw(_aftercare(data["aftercare"][key]))
    _drop_unreachable_results(data)
    return rules_from_dict(data, source="rule_sets()")


def _drop_unreachable_results(data: dict[str, Any]) -> None:
    """Drop the results anchored past the most sessions the drawn protocols allow.

    A rule file refuses them (they would never show); a clinic that shortens its series
    drops them too.
    """
    for code, result in list(data["results"].items()):
        most = max(data["protocols"][area]["sessions"]["max"] for area in result["areas"])
        anchors = (result["starts_after"], result["ends_after"])
        if any(int(a.removeprefix("session:")) > most for a in anchors if a != "series_end"):
            del data["results"][code]


@attrs.frozen
class Scenario:
    """The inputs of one assessment: a rule set, a client, the areas and the date."""

    rules: RuleSet
    client: Client
    areas: frozenset[Area]
    on: pendulum.Date


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """A client born by the assessment date, under the default or a perturbed rule set."""
    rules = draw(st.just(default_rules()) | rule_sets())
    on = draw(assessment_dates())
    client = draw(clients(rules, born_by=on))
    return Scenario(rules=rules, client=client, areas=draw(areas()), on=on)


@st.composite
def with_added_fact(draw: st.DrawFn, scenario: Scenario) -> Client:
    """The scenario's client with one more contraindicated fact.

    The fact is a condition, a medication, a skin finding or a prior treatment in a
    requested area, pregnancy, breastfeeding, or an allergy to the formula; the client may
    already have had it.
    """
    rules, client = scenario.rules, scenario.client
    table = rules.contraindications
    kinds = ["pregnant", "breastfeeding"]
    kinds += [name for name, rules_of in table.tables() if name != "client" and rules_of]
    if rules.formula.allergens():
        kinds.append("allergy")
    kind = draw(st.sampled_from(kinds))
    if kind in {"pregnant", "breastfeeding"}:
        return attrs.evolve(client, **{kind: True})
    if kind == "allergy":
        # An allergen by its own code or by a synonym (xylocaine is lidocaine).
        allergen = draw(st.sampled_from(sorted(rules.formula.names())))
        return attrs.evolve(client, allergies=client.allergies | {allergen})
    if kind == "conditions":
        code = draw(_codes_of(table.conditions))
        return attrs.evolve(client, conditions=client.conditions | {code})
    if kind == "medications":
        medication = draw(medications(rules))
        return attrs.evolve(client, medications=client.medications | {medication})
    if kind == "skin_findings":
        finding = draw(skin_findings(rules, scenario.areas))
        return attrs.evolve(client, skin_findings=client.skin_findings | {finding})
    treatment = draw(prior_treatments(rules, scenario.areas))
    return attrs.evolve(client, treatments=client.treatments | {treatment})
