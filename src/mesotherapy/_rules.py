"""The rule set: the clinical rules of the trade, as validated, immutable data."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import attrs

from ._frozen import FrozenMap
from ._model import Area, Concern, is_code, nearest_code
from ._time import Span

__all__ = [
    "AftercareKind",
    "AftercareRule",
    "AreaRule",
    "Bounds",
    "Contraindication",
    "Contraindications",
    "Fact",
    "Formula",
    "PrecareRule",
    "Protocol",
    "ResultMilestone",
    "RuleSet",
    "RuleValueError",
    "Severity",
    "SideEffect",
    "Source",
    "SpanBounds",
]


class RuleValueError(ValueError):
    """A value inside a rule set breaks a rule; ``key`` is where, relative to its table."""

    def __init__(
        self, message: str, *, key: str | None = None, also: tuple[tuple[str, str], ...] = ()
    ) -> None:
        super().__init__(message)
        self.key = key
        self.also = also
        """More problems found with this one, each ``(key path, message)``."""


class Severity(enum.StrEnum):
    """How a contraindication weighs on candidacy."""

    ABSOLUTE = "absolute"
    """Not a candidate."""
    TIME_BOUND = "time_bound"
    """Deferred until a date the rule computes."""
    SITE = "site"
    """Deferred for the affected area until it has healed, which a clinician confirms."""
    RELATIVE = "relative"
    """A clinician must review before planning."""
    NOTE = "note"
    """Worth knowing; does not change candidacy."""


class AftercareKind(enum.StrEnum):
    """Whether an aftercare rule restricts (``avoid``) or recommends (``do``)."""

    AVOID = "avoid"
    DO = "do"


def _non_blank(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not value.strip():
        raise RuleValueError("expected non-empty text, got ''", key=attribute.name)


def _source_key(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not is_code(value):
        msg = f"expected the key of an entry of [sources] in lower_snake_case, got {value!r}"
        raise RuleValueError(msg, key=attribute.name)


def _frozen_map(value: Mapping[Any, Any]) -> FrozenMap[Any, Any]:
    return value if isinstance(value, FrozenMap) else FrozenMap(value)


def _optional_areas(value: Any) -> frozenset[Area] | None:
    return None if value is None else frozenset(value)


def _area_set(value: Iterable[Area]) -> frozenset[Area]:
    return frozenset(value)


def _some_areas(
    _: object, attribute: attrs.Attribute[frozenset[Area]], value: frozenset[Area]
) -> None:
    if not value:
        raise RuleValueError("expected at least one area, got none", key=attribute.name)


# Converters written in Python, not the builtins themselves: attrs reads a builtin's
# signature from its text, which loads `tokenize` and its regexes (10 ms of import time).
def _concern_set(values: Iterable[Concern]) -> frozenset[Concern]:
    return frozenset(values)


def _name_set(values: Iterable[str]) -> frozenset[str]:
    return frozenset(values)


def _item_tuple(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


@attrs.frozen
class Source:
    """Where a rule's number comes from, and how sure it is."""

    title: str = attrs.field(validator=_non_blank)
    url: str | None = None
    note: str | None = None


@attrs.frozen
class Bounds:
    """A whole-number default with the range a clinic may choose from, and its source.

    >>> Bounds(min=3, max=6, default=4, source="article").contains(7)
    False
    """

    min: int
    max: int
    default: int
    source: str = attrs.field(validator=_source_key)

    def __attrs_post_init__(self) -> None:
        if self.min < 0:
            raise RuleValueError(f"expected 0 or more, got {self.min}", key="min")
        if self.max < self.min:
            raise RuleValueError(f"expected at least min ({self.min}), got {self.max}", key="max")
        if not self.min <= self.default <= self.max:
            msg = f"expected a value from min ({self.min}) to max ({self.max}), got {self.default}"
            raise RuleValueError(msg, key="default")

    def contains(self, value: int) -> bool:
        """Whether *value* lies within ``min`` and ``max``, both included."""
        return self.min <= value <= self.max


@attrs.frozen
class SpanBounds:
    """A range of spans (a published range), and its source."""

    min: Span
    max: Span
    source: str = attrs.field(validator=_source_key)

    def __attrs_post_init__(self) -> None:
        if self.max < self.min:
            raise RuleValueError(f"expected at least min ({self.min}), got {self.max}", key="max")

    def contains(self, span: Span) -> bool:
        """Whether *span* lies within ``min`` and ``max``, both included."""
        return self.min <= span <= self.max


@attrs.frozen(kw_only=True)
class Protocol:
    """How a series is given for an area: how many sessions, how far apart, how long each.

    ``interval_days`` is a calendar gap in the clinic's zone; ``maintenance_months`` counts
    calendar months after the last session of the series.
    """

    sessions: Bounds
    interval_days: Bounds
    session_minutes: Bounds
    maintenance_months: Bounds

    def __attrs_post_init__(self) -> None:
        for name in ("sessions", "interval_days", "session_minutes", "maintenance_months"):
            if getattr(self, name).min < 1:
                raise RuleValueError(
                    f"expected 1 or more, got {getattr(self, name).min}", key=name + ".min"
                )


@attrs.frozen(kw_only=True)
class AreaRule:
    """What treating an area addresses, in the concerns of `Concern`."""

    effect: str = attrs.field(validator=_non_blank)
    addresses: frozenset[Concern] = attrs.field(converter=_concern_set)
    source: str = attrs.field(validator=_source_key)


def _synonyms(value: Mapping[str, Iterable[str]]) -> FrozenMap[str, tuple[str, ...]]:
    return FrozenMap({key: tuple(names) for key, names in value.items()})


@attrs.frozen(kw_only=True)
class Formula:
    """What the injected blend and the numbing contain: the allergen vocabulary.

    ``synonyms`` gives the other names of an allergen (lignocaine and Xylocaine are
    lidocaine), so that an allergy a form records under any of them is matched.
    ``anaesthetics_source`` backs the list of anaesthetics when ``source`` does not.

    >>> formula = Formula(ingredients=["hyaluronic_acid"], anaesthetics=["lidocaine"],
    ...                   synonyms={"lidocaine": ["lignocaine", "xylocaine"]}, source="article")
    >>> formula.allergen("xylocaine"), formula.allergen("lidocaine"), formula.allergen("latex")
    ('lidocaine', 'lidocaine', None)
    """

    ingredients: frozenset[str] = attrs.field(converter=_name_set)
    anaesthetics: frozenset[str] = attrs.field(converter=_name_set)
    source: str = attrs.field(validator=_source_key)
    synonyms: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict, converter=_synonyms)
    anaesthetics_source: str | None = None

    def __attrs_post_init__(self) -> None:
        found = list(self._problems())
        if found:
            (key, message), *rest = found
            raise RuleValueError(message, key=key, also=tuple(rest))

    def _problems(self) -> Iterator[tuple[str, str]]:
        for field in ("ingredients", "anaesthetics"):
            for name in sorted(getattr(self, field)):
                if not is_code(name):
                    yield field, f"expected allergen codes in lower_snake_case, got {name!r}"
        allergens = self.allergens()
        named: dict[str, str] = {}
        for allergen, names in self.synonyms.items():
            where = f"synonyms.{allergen}"
            if allergen not in allergens:
                known = ", ".join(sorted(allergens)) or "none"
                yield where, f"unknown allergen {allergen!r}, expected one of {known}"
            for name in names:
                if not is_code(name):
                    yield where, f"expected synonyms in lower_snake_case, got {name!r}"
                elif name in allergens:
                    yield where, f"{name!r} is an allergen of its own, expected another name"
                elif name in named and named[name] != allergen:
                    yield where, f"{name!r} is already a synonym of {named[name]!r}"
                named.setdefault(name, allergen)

    def allergens(self) -> frozenset[str]:
        """Every ingredient a client may be allergic to, by its own code."""
        return self.ingredients | self.anaesthetics

    def allergen(self, name: str) -> str | None:
        """The allergen that *name* (a code, or a synonym of one) names, else ``None``."""
        if name in self.ingredients or name in self.anaesthetics:
            return name
        for allergen, names in self.synonyms.items():
            if name in names:
                return allergen
        return None

    def names(self) -> frozenset[str]:
        """Every name the vocabulary knows: the allergens and their synonyms."""
        return self.allergens() | {name for names in self.synonyms.values() for name in names}


@attrs.frozen(kw_only=True)
class Contraindication:
    """One contraindication: how heavily it weighs, where it applies, for how long.

    ``duration`` counts from the fact's date (the last dose, the other procedure, the
    birth date) in calendar units, and is required for ``time_bound`` rules. ``areas``
    limits the rule to those areas (``None``: all of them).
    """

    severity: Severity
    reason: str = attrs.field(validator=_non_blank)
    source: str = attrs.field(validator=_source_key)
    duration: Span | None = None
    areas: frozenset[Area] | None = attrs.field(default=None, converter=_optional_areas)

    def __attrs_post_init__(self) -> None:
        if self.severity is Severity.TIME_BOUND and self.duration is None:
            raise RuleValueError("a time_bound rule needs a duration, got none", key="duration")
        if self.duration is not None and not self.duration.is_calendar_only:
            msg = f"expected a duration in years, months, weeks or days, got {self.duration}"
            raise RuleValueError(msg, key="duration")
        if self.areas is not None and not self.areas:
            raise RuleValueError(
                "expected at least one area, or no key for every area", key="areas"
            )

    def applies_to(self, area: Area) -> bool:
        """Whether the rule concerns *area*."""
        return self.areas is None or area in self.areas


CLIENT_FACTS = ("pregnant", "breastfeeding", "minor", "allergy", "unlisted_allergy")
"""The keys of ``[contraindications.client]``: facts about the client as a whole.

``allergy`` matches an allergy to an allergen of the formula (or a synonym of one);
``unlisted_allergy`` an allergy the formula's vocabulary does not know, which a clinician
checks against the formula.
"""


def _client_facts(value: Mapping[str, Contraindication]) -> FrozenMap[str, Contraindication]:
    for key in value:
        if key not in CLIENT_FACTS:
            near = nearest_code(key, CLIENT_FACTS)
            msg = f"unknown client fact {key!r}, expected one of {', '.join(CLIENT_FACTS)}{near}"
            raise RuleValueError(msg, key=f"client.{key}")
    if (minor := value.get("minor")) is not None and minor.duration is None:
        msg = "the minor rule needs a duration (the age, e.g. P18Y)"
        raise RuleValueError(msg, key="client.minor.duration")
    return _frozen_map(value)


@attrs.frozen(kw_only=True)
class Contraindications:
    """The contraindication rules, by the kind of fact they match, each keyed by its code."""

    client: Mapping[str, Contraindication] = attrs.field(converter=_client_facts)
    conditions: Mapping[str, Contraindication] = attrs.field(converter=_frozen_map)
    medications: Mapping[str, Contraindication] = attrs.field(converter=_frozen_map)
    skin_findings: Mapping[str, Contraindication] = attrs.field(converter=_frozen_map)
    treatments: Mapping[str, Contraindication] = attrs.field(converter=_frozen_map)

    @medications.validator
    @treatments.validator
    def _no_site(self, attribute: attrs.Attribute[Any], value: Mapping[str, Any]) -> None:
        """A medication is taken, a treatment had, by the whole client: never at one site."""
        for code, rule in value.items():
            if rule.severity is Severity.SITE:
                msg = f"expected a severity other than site for a {attribute.name[:-1]}, got 'site'"
                raise RuleValueError(msg, key=f"{attribute.name}.{code}.severity")

    def tables(self) -> Iterator[tuple[str, Mapping[str, Contraindication]]]:
        """Each kind with its rules, in a fixed order."""
        for name in ("client", "conditions", "medications", "skin_findings", "treatments"):
            yield name, getattr(self, name)


@attrs.frozen(kw_only=True)
class PrecareRule:
    """Something to avoid for a while *before* a session."""

    description: str = attrs.field(validator=_non_blank)
    before: Span
    source: str = attrs.field(validator=_source_key)
    published: SpanBounds | None = None

    def __attrs_post_init__(self) -> None:
        # Pre-care is counted on the calendar ("2 days before"); an hour would move the
        # window's start with the clocks.
        if not self.before.is_calendar_only:
            msg = f"expected a span in years, months, weeks or days, got {self.before}"
            raise RuleValueError(msg, key="before")


@attrs.frozen(kw_only=True)
class AftercareRule:
    """A window after each session: something to avoid, or to do, for ``duration``.

    The window is **elapsed** time from the session's end: ``PT24H`` is 24 real hours.
    ``areas`` are the areas whose sessions it follows.
    """

    kind: AftercareKind
    description: str = attrs.field(validator=_non_blank)
    duration: Span
    source: str = attrs.field(validator=_source_key)
    areas: frozenset[Area] = attrs.field(converter=_area_set, validator=_some_areas)
    published: SpanBounds | None = None
    duration_source: str | None = None
    """Where ``duration`` comes from, when not from ``source`` (which backs the advice)."""

    def __attrs_post_init__(self) -> None:
        if self.duration.has_calendar_units:
            msg = f"expected elapsed time (weeks, days, hours), got {self.duration}"
            raise RuleValueError(msg, key="duration")
        if self.published is not None and not self.published.contains(self.duration):
            msg = (
                f"expected a duration within the published range {self.published.min} to "
                f"{self.published.max}, got {self.duration}"
            )
            raise RuleValueError(msg, key="duration")


@attrs.frozen(kw_only=True)
class SideEffect:
    """A side effect to expect after a session of ``areas``, and when it should have resolved."""

    description: str = attrs.field(validator=_non_blank)
    resolves_within: Span
    source: str = attrs.field(validator=_source_key)
    if_longer: str = attrs.field(validator=_non_blank)
    areas: frozenset[Area] = attrs.field(converter=_area_set, validator=_some_areas)

    def __attrs_post_init__(self) -> None:
        if self.resolves_within.has_calendar_units:
            msg = f"expected elapsed time (weeks, days, hours), got {self.resolves_within}"
            raise RuleValueError(msg, key="resolves_within")


ANCHOR = re.compile(r"session:(?P<session>[1-9]\d*)|series_end")


def _anchor_form(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not ANCHOR.fullmatch(value):
        msg = f"expected 'session:N' (N from 1) or 'series_end', got {value!r}"
        raise RuleValueError(msg, key=attribute.name)


@attrs.frozen(kw_only=True)
class ResultMilestone:
    """A result to expect, as a window between two points of the plan.

    An anchor is ``session:N`` (the end of the N-th session) or ``series_end`` (the end of
    the last session of the series); each offset is calendar time after its anchor. A plan
    of ``areas`` (at least one of them) expects it.
    """

    order: int
    description: str = attrs.field(validator=_non_blank)
    starts_after: str = attrs.field(validator=_anchor_form)
    starts_offset: Span
    ends_after: str = attrs.field(validator=_anchor_form)
    ends_offset: Span
    source: str = attrs.field(validator=_source_key)
    areas: frozenset[Area] = attrs.field(converter=_area_set, validator=_some_areas)


@attrs.frozen(kw_only=True)
class Fact:
    """A fact of the trade that a person reads (what mesotherapy is, its steps...)."""

    text: str = attrs.field(validator=_non_blank)
    source: str = attrs.field(validator=_source_key)
    items: tuple[str, ...] = attrs.field(default=(), converter=_item_tuple)


def _every_area(value: Mapping[Area, Any], field: str) -> FrozenMap[Area, Any]:
    missing = [area.value for area in Area if area not in value]
    if missing:
        msg = "missing, expected an entry for every area"
        raise RuleValueError(msg, key=f"{field}.{missing[0]}")
    return _frozen_map({area: value[area] for area in Area})


def _area_rules(value: Mapping[Area, AreaRule]) -> FrozenMap[Area, AreaRule]:
    return _every_area(value, "areas")


def _protocols(value: Mapping[Area, Protocol]) -> FrozenMap[Area, Protocol]:
    return _every_area(value, "protocols")


def _version(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z.+_-]*", value):
        msg = f"expected a version such as '2026.1', got {value!r}"
        raise RuleValueError(msg, key=attribute.name)


SCHEMA = 1
"""The version of the rule file format this library reads."""


def _supported_schema(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value != SCHEMA:
        raise RuleValueError(f"expected {SCHEMA}, got {value}", key=attribute.name)


@attrs.frozen(kw_only=True)
class RuleSet:
    """The versioned clinical rules: protocols, contraindications, aftercare, results.

    Build one with `default_rules` or `load_rules`; every number carries the key of an
    entry of ``sources``.

    >>> from mesotherapy import default_rules
    >>> rules = default_rules()
    >>> rules.protocols[Area.FACE].sessions
    Bounds(min=3, max=6, default=4, source='article')
    >>> str(rules.contraindications.medications["isotretinoin"].duration)
    'P6M'
    """

    name: str = attrs.field(validator=_non_blank)
    version: str = attrs.field(validator=_version)
    schema: int = attrs.field(default=SCHEMA, validator=_supported_schema)
    description: str = ""
    sources: Mapping[str, Source] = attrs.field(converter=_frozen_map)
    areas: Mapping[Area, AreaRule] = attrs.field(converter=_area_rules)
    protocols: Mapping[Area, Protocol] = attrs.field(converter=_protocols)
    formula: Formula
    contraindications: Contraindications
    precare: Mapping[str, PrecareRule] = attrs.field(converter=_frozen_map)
    aftercare: Mapping[str, AftercareRule] = attrs.field(converter=_frozen_map)
    side_effects: Mapping[str, SideEffect] = attrs.field(converter=_frozen_map)
    results: Mapping[str, ResultMilestone] = attrs.field(converter=_frozen_map)
    facts: Mapping[str, Fact] = attrs.field(converter=_frozen_map)

    def __attrs_post_init__(self) -> None:
        found = list(dict.fromkeys(self._problems()))
        if found:
            (key, message), *rest = found
            raise RuleValueError(message, key=key, also=tuple(rest))

    def _problems(self) -> Iterator[tuple[str, str]]:
        """Every ``(key path, message)`` that breaks a rule across the tables."""
        yield from code_key_problems(self)
        for key, source in self.cited_sources():
            if source not in self.sources:
                yield key, unknown_source(source, self.sources)
        for code, result in self.results.items():
            most = {area.value: self.protocols[area].sessions.max for area in result.areas}
            for field in ("starts_after", "ends_after"):
                if problem := unreachable_anchor(getattr(result, field), most):
                    yield f"results.{code}.{field}", problem

    def __repr__(self) -> str:
        return f"<RuleSet {self.name!r} version {self.version!r}>"

    def cited_sources(self) -> Iterator[tuple[str, str]]:
        """Every ``(key path, source key)`` that the rules cite."""
        for path, value in _walk(self):
            if path.endswith((".source", "_source")) and isinstance(value, str):
                yield path, value


def unknown_source(source: str, known: Iterable[str]) -> str:
    """The message refusing a cited *source* that is none of the *known* ones."""
    return f"unknown source {source!r}, expected one of {', '.join(sorted(known)) or 'none'}"


def unreachable_anchor(anchor: str, most: Mapping[str, int]) -> str | None:
    """The message refusing *anchor* past the most sessions of its areas, else ``None``.

    *most* maps each area of the milestone to the most sessions its protocol allows: a
    milestone anchored past all of them would never show.

    >>> unreachable_anchor("session:99", {"face": 6})
    "expected a session the protocols of face allow (at most session:6), got 'session:99'"
    """
    if not anchor.startswith("session:") or not most:
        return None
    session = int(anchor.removeprefix("session:"))
    top = max(most.values())
    if session <= top:
        return None
    names = ", ".join(sorted(most))
    return (
        f"expected a session the protocols of {names} allow (at most session:{top}), got {anchor!r}"
    )


CODE_TABLES = (
    "sources",
    "contraindications.conditions",
    "contraindications.medications",
    "contraindications.skin_findings",
    "contraindications.treatments",
    "precare",
    "aftercare",
    "side_effects",
    "results",
    "facts",
)
"""The tables of a rule set keyed by codes (`mesotherapy._model.is_code`)."""


def code_key_problems(tables: Any) -> Iterator[tuple[str, str]]:
    """Each key of a table of `CODE_TABLES` in *tables* that is no code, as ``(path, message)``.

    *tables* is a `RuleSet` or the mapping of a rule file.

    >>> list(code_key_problems({"sources": {"Bad Key": {}}}))
    [('sources.Bad Key', "expected a key in lower_snake_case, got 'Bad Key'")]
    """
    for path in CODE_TABLES:
        table = tables
        for part in path.split("."):
            table = table.get(part) if isinstance(table, Mapping) else getattr(table, part, None)
        if isinstance(table, Mapping):
            for key in table:
                if not is_code(key):
                    yield f"{path}.{key}", f"expected a key in lower_snake_case, got {key!r}"


def _walk(obj: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if attrs.has(type(obj)):
        for field in attrs.fields(type(obj)):
            yield from _walk(getattr(obj, field.name), f"{path}.{field.name}".lstrip("."))
    elif isinstance(obj, Mapping):
        for key, value in obj.items():
            yield from _walk(value, f"{path}.{key}")
    else:
        yield path, obj
