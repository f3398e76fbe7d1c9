"""Candidacy: whether a client may be treated in the requested areas, and why."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping

import attrs
import pendulum

from ._errors import ClientError
from ._frozen import FrozenMap
from ._guards import wrong_type
from ._model import Area, Client
from ._rules import Contraindication, RuleSet, Severity
from ._time import parse_date, within_calendar
from ._vocabulary import check_codes, chosen_rules, parse_areas

__all__ = [
    "Assessment",
    "Candidacy",
    "Finding",
    "RulesRef",
    "assess",
    "candidacy",
    "finding_problems",
    "parsed_areas",
]


class Candidacy(enum.StrEnum):
    """The outcome of an assessment, from best to worst."""

    ELIGIBLE = "eligible"
    """A candidate, to plan freely."""
    REVIEW = "review"
    """A clinician must review before planning."""
    DEFERRED = "deferred"
    """Not yet, until the date a finding lifts or until a clinician confirms healing."""
    INELIGIBLE = "ineligible"
    """Not a candidate."""

    @property
    def rank(self) -> int:
        """The rank from 0 (eligible) to 3 (ineligible), larger being worse."""
        return list(Candidacy).index(self)


_RANK = {candidacy: n for n, candidacy in enumerate(Candidacy)}

_OUTCOME = {
    Severity.NOTE: Candidacy.ELIGIBLE,
    Severity.RELATIVE: Candidacy.REVIEW,
    Severity.SITE: Candidacy.DEFERRED,
    Severity.TIME_BOUND: Candidacy.DEFERRED,
    Severity.ABSOLUTE: Candidacy.INELIGIBLE,
}


@attrs.frozen(kw_only=True)
class Finding:
    """One reason the assessment gives, with the rule behind it.

    ``area`` is ``None`` for a finding about the client as a whole; ``until`` is the first
    day the finding no longer applies, where the rules can compute it.
    """

    code: str
    severity: Severity
    area: Area | None
    reason: str
    source: str
    until: pendulum.Date | None = None

    @property
    def outcome(self) -> Candidacy:
        """What this finding alone makes of the candidacy."""
        return _OUTCOME[self.severity]

    def sort_key(self) -> tuple[int, str, int, str, str]:
        """Worst first, then by code, area and date: a fixed order whatever the input order."""
        area = -1 if self.area is None else list(Area).index(self.area)
        until = "" if self.until is None else self.until.isoformat()
        return (-self.outcome.rank, self.code, area, until, self.reason)

    def __str__(self) -> str:
        where = f" [{self.area.value}]" if self.area else ""
        until = f" until {self.until.isoformat()}" if self.until else ""
        return f"{self.outcome.value}{where}{until}: {self.reason} ({self.code}; {self.source})"


@attrs.frozen
class RulesRef:
    """The name and version of the rule set an answer came from."""

    name: str
    version: str


def _frozen_status(value: Mapping[Area, Candidacy]) -> FrozenMap[Area, Candidacy]:
    return FrozenMap(value)


@attrs.frozen(kw_only=True)
class Assessment:
    """The answer of `assess`: a status, every finding behind it, the earliest start.

    ``status`` is the worst finding's outcome (eligible when there is none);
    ``area_status`` gives the same per requested area, since a finding at a site affects
    only that area. ``earliest_start`` is the assessment date, or the day the last
    deferral lifts; it is ``None`` when the client is not a candidate or when a deferral
    has no date (healing that a clinician confirms).
    """

    status: Candidacy
    findings: tuple[Finding, ...]
    earliest_start: pendulum.Date | None
    on: pendulum.Date
    areas: tuple[Area, ...]
    area_status: Mapping[Area, Candidacy] = attrs.field(converter=_frozen_status)
    rules: RulesRef
    client_id: str | None = attrs.field(default=None, repr=False)

    def __attrs_post_init__(self) -> None:
        # The status is a function of the findings: one edited (by `attrs.evolve`, in a
        # document) to disagree with them would plan a client who is no candidate.
        if problem := self.disagreement():
            raise ClientError(problem)

    def disagreement(self) -> str | None:
        """What of the status, earliest start and area status disagrees with the findings.

        ``None`` when all three are what `candidacy` derives from ``findings``, ``on``
        and ``areas``; otherwise the first field that disagrees, with both values.
        """
        status, earliest, per_area = candidacy(self.findings, on=self.on, areas=self.areas)
        if self.status is not status:
            return f"status: the findings give {status.value}, got {_text(self.status)}"
        if self.earliest_start != earliest:
            return (
                f"earliest_start: the findings give {_iso(earliest)}, "
                f"got {_iso(self.earliest_start)}"
            )
        if dict(self.area_status) != per_area:
            given = {_text(a): _text(c) for a, c in self.area_status.items()}
            derived = {a.value: c.value for a, c in per_area.items()}
            return f"area_status: the findings give {derived}, got {given}"
        return None

    @property
    def is_candidate(self) -> bool:
        """Whether a plan may be made, which is so when eligible or after a clinician's review."""
        return self.status in (Candidacy.ELIGIBLE, Candidacy.REVIEW)

    def _repr_html_(self) -> str:
        """The assessment as an HTML table, for Jupyter."""
        from ._html import assessment_html  # noqa: PLC0415 - loaded when shown

        return assessment_html(self)

    def explain(self) -> str:
        """The assessment as lines a person reads.

        >>> client = Client(birth_date="1990-01-01", pregnant=True)
        >>> print(assess(client, ["face"], on="2026-11-25").explain())
        Status: ineligible (rules mesotherapy-default 2026.1, assessed 2026-11-25)
        Areas: face
        Earliest start: none
        - ineligible: Pregnancy: mesotherapy is not given during pregnancy (pregnant; isme_2011)
        """
        start = self.earliest_start.isoformat() if self.earliest_start else "none"
        lines = [
            (
                f"Status: {self.status.value} (rules {self.rules.name} {self.rules.version}, "
                f"assessed {self.on.isoformat()})"
            ),
            f"Areas: {', '.join(area.value for area in self.areas)}",
            f"Earliest start: {start}",
        ]
        lines += [f"- {finding}" for finding in self.findings]
        return "\n".join(lines)


def _iso(day: pendulum.Date | None) -> str | None:
    return None if day is None else day.isoformat()


def _text(value: object) -> str:
    return str(value.value) if isinstance(value, enum.Enum) else repr(value)


def candidacy(
    findings: Iterable[Finding], *, on: pendulum.Date, areas: Iterable[Area]
) -> tuple[Candidacy, pendulum.Date | None, dict[Area, Candidacy]]:
    """The status, earliest start and per-area status that *findings* give on *on*.

    The one place candidacy is decided: `assess` answers with it, `Assessment` refuses a
    status that disagrees with it, and `plan_series` plans from it, never from a stored
    ``status``.

    >>> client = Client(birth_date="1990-01-01", pregnant=True)
    >>> found = assess(client, ["face"], on="2026-11-25")
    >>> candidacy(found.findings, on=found.on, areas=found.areas)[0]
    <Candidacy.INELIGIBLE: 'ineligible'>
    """
    listed = tuple(findings)
    if not listed:  # most clients: decided without a look at the ranks
        return Candidacy.ELIGIBLE, on, dict.fromkeys(areas, Candidacy.ELIGIBLE)
    status = _worst(listed)
    per_area = {area: _worst(f for f in listed if f.area in (None, area)) for area in areas}
    return status, _earliest_start(status, listed, on), per_area


@within_calendar
def assess(
    client: Client,
    areas: Iterable[Area | str],
    *,
    on: pendulum.Date | str,
    rules: RuleSet | None = None,
) -> Assessment:
    """Decide whether *client* is a candidate for treatment of *areas* on the date *on*.

    Every contraindication that applies is reported, not only the first; the concerns
    that none of the requested areas addresses are reported as notes.

    >>> client = Client(birth_date="1985-03-02",
    ...                 medications=[{"code": "isotretinoin", "last_taken": "2026-09-01"}])
    >>> result = assess(client, ["face"], on="2026-11-25")
    >>> result.status, result.earliest_start
    (<Candidacy.DEFERRED: 'deferred'>, Date(2027, 3, 1))

    Raises:
        ClientError: *client* is no `Client`, *areas* is empty, or the birth date is
            after *on*.
        RuleSetError: *rules* is no `RuleSet`.
        UnknownCodeError: an area, condition, medication, skin finding or treatment that
            the rule set does not define.
        InvalidTimeError: *on* is not a date.
    """
    # Callers without a type checker pass dicts and names; refuse them with our errors.
    if problem := wrong_type(client, Client, "client", "client_from_dict"):
        raise ClientError(problem)
    rules = chosen_rules(rules)
    chosen = parsed_areas(areas)
    day = parse_date(on, field="on")
    if client.birth_date > day:
        msg = (
            f"birth_date: expected a date on or before {day.isoformat()}, "
            f"got {client.birth_date.isoformat()}"
        )
        raise ClientError(msg)
    check_codes(client, rules)
    findings = tuple(sorted(_findings(client, chosen, day, rules), key=Finding.sort_key))
    status, earliest, area_status = candidacy(findings, on=day, areas=chosen)
    # Built without `Assessment.__init__`, whose check (`disagreement`) would derive the
    # same candidacy again from the same findings: the object is the one it builds (the
    # tests compare them), at a quarter of the cost.
    made = _new(Assessment)
    _set(made, "status", status)
    _set(made, "findings", findings)
    _set(made, "earliest_start", earliest)
    _set(made, "on", day)
    _set(made, "areas", chosen)
    _set(made, "area_status", FrozenMap(area_status))
    _set(made, "rules", RulesRef(rules.name, rules.version))
    _set(made, "client_id", client.id)
    return made


_new = object.__new__
_set = object.__setattr__  # frozen: attrs' own `__setstate__` sets the slots this way too


_SITED = ("skin_findings", "treatments")
"""The kinds of fact found at a site: their findings always name an area."""


def finding_problems(assessment: Assessment, rules: RuleSet, path: str = "") -> list[str]:
    """How the findings of *assessment* disagree with *rules*, one message each.

    Each finding must be one that *rules* can give: a code of the rule set, with its
    rule's severity and source, an area where the rule applies among the assessed ones
    (none for a rule about the whole client), and an ``until`` only where the rule has a
    duration, after the assessment date. A document whose severity was edited is refused
    by this, though its status agrees with its findings.

    >>> from mesotherapy import default_rules
    >>> client = Client(birth_date="1990-01-01", pregnant=True)
    >>> found = assess(client, ["face"], on="2026-11-25")
    >>> finding_problems(found, rules=default_rules())
    []
    >>> edited = attrs.evolve(found.findings[0], severity=Severity.NOTE)
    >>> finding_problems(attrs.evolve(found, findings=(edited,), status=Candidacy.ELIGIBLE,
    ...     earliest_start=found.on, area_status={Area.FACE: Candidacy.ELIGIBLE}), default_rules())
    ['findings[0].severity: the rules give absolute for pregnant, got note']
    """
    prefix = f"{path}." if path else ""
    found: list[str] = []
    for n, finding in enumerate(assessment.findings):
        field = f"{prefix}findings[{n}]"
        candidates = _rules_of(finding.code, rules)
        if not candidates:
            found.append(f"{field}.code: the rules define no {finding.code!r}")
            continue
        problems = [
            _finding_problems(finding, (kind, rule), assessment, rules, field)
            for kind, rule in candidates
        ]
        if all(problems):
            found += problems[0]
    return found


def _rules_of(code: str, rules: RuleSet) -> list[tuple[str, Contraindication | None]]:
    if code == "concern_not_addressed":
        return [("concern", None)]
    table = rules.contraindications
    return [
        (kind, getattr(table, kind)[code])
        for kind in ("client", "conditions", "medications", *_SITED)
        if code in getattr(table, kind)
    ]


def _finding_problems(
    finding: Finding,
    matched: tuple[str, Contraindication | None],
    assessment: Assessment,
    rules: RuleSet,
    field: str,
) -> list[str]:
    kind, rule = matched
    if rule is None:  # a concern that no requested area addresses: a note, sourced by an area
        if finding.source not in {entry.source for entry in rules.areas.values()}:
            return [
                f"{field}.source: expected the source of an area's rule, got {finding.source!r}"
            ]
        rule = Contraindication(severity=Severity.NOTE, reason="-", source=finding.source)
    found: list[str] = []
    if finding.severity is not rule.severity:
        found.append(
            f"{field}.severity: the rules give {rule.severity.value} for {finding.code}, "
            f"got {_text(finding.severity)}"
        )
    if finding.source != rule.source:
        found.append(
            f"{field}.source: the rules give {rule.source!r} for {finding.code}, "
            f"got {finding.source!r}"
        )
    found += _where_problems(finding, kind, rule, assessment, field)
    found += _until_problems(finding, rule, assessment, field)
    return found


def _where_problems(
    finding: Finding, kind: str, rule: Contraindication, assessment: Assessment, field: str
) -> list[str]:
    area = finding.area
    if area is None:
        if kind in _SITED or rule.areas is not None:
            return [f"{field}.area: the rule for {finding.code} names an area, got none"]
        return []
    if (
        area not in assessment.areas
        or not rule.applies_to(area)
        or (kind not in _SITED and rule.areas is None)
    ):
        msg = f"{field}.area: expected an assessed area where {finding.code} applies, got "
        return [msg + _text(area)]
    return []


def _until_problems(
    finding: Finding, rule: Contraindication, assessment: Assessment, field: str
) -> list[str]:
    until = finding.until
    if until is None:
        return []
    if rule.duration is None:
        return [f"{field}.until: the rule for {finding.code} has no duration, got {_iso(until)}"]
    if until <= assessment.on:
        msg = (
            f"{field}.until: expected a day after {assessment.on.isoformat()} (a finding "
            f"that has lifted is no finding), got {_iso(until)}"
        )
        return [msg]
    return []


def _worst(findings: Iterable[Finding]) -> Candidacy:
    # Planning decides candidacy several times a plan: ranks from a table, not `rank`.
    return max(
        (_OUTCOME[f.severity] for f in findings),
        key=_RANK.__getitem__,
        default=Candidacy.ELIGIBLE,
    )


def _earliest_start(
    status: Candidacy, findings: tuple[Finding, ...], day: pendulum.Date
) -> pendulum.Date | None:
    if status is Candidacy.INELIGIBLE:
        return None
    deferrals = [f for f in findings if f.outcome is Candidacy.DEFERRED]
    if any(f.until is None for f in deferrals):
        return None
    return max((f.until for f in deferrals if f.until is not None), default=day)


_AREAS_MEMO: dict[tuple[str, ...], tuple[Area, ...]] = {}
_AREAS_MEMO_MOST = 256
"""How many spellings of areas `_parsed_areas` remembers (a caller uses a few)."""


def parsed_areas(areas: Iterable[Area | str]) -> tuple[Area, ...]:
    """`parse_areas`, remembered for a tuple of names: a batch spells its areas alike.

    >>> parsed_areas(("neck", "face"))
    (<Area.FACE: 'face'>, <Area.NECK: 'neck'>)
    """
    if type(areas) is not tuple or not all(type(area) is str for area in areas):
        return parse_areas(areas)
    try:
        return _AREAS_MEMO[areas]
    except KeyError:
        pass
    chosen = parse_areas(areas)  # refused before it is remembered
    if len(_AREAS_MEMO) >= _AREAS_MEMO_MOST:
        _AREAS_MEMO.clear()
    _AREAS_MEMO[areas] = chosen
    return chosen


def _findings(
    client: Client, areas: tuple[Area, ...], day: pendulum.Date, rules: RuleSet
) -> Iterator[Finding]:
    yield from _client_findings(client, areas, day, rules)
    table = rules.contraindications
    for code in client.conditions:
        yield from _apply(code, table.conditions[code], areas, day=day)
    for medication in client.medications:
        rule = table.medications[medication.code]
        yield from _apply(medication.code, rule, areas, day=day, since=medication.last_taken)
    for finding in client.skin_findings:
        if finding.area in areas:
            rule = table.skin_findings[finding.code]
            yield from _apply(finding.code, rule, areas, day=day, site=finding.area)
    for treatment in client.treatments:
        if treatment.area in areas:
            rule = table.treatments[treatment.kind]
            yield from _apply(
                treatment.kind, rule, areas, day=day, since=treatment.on, site=treatment.area
            )
    yield from _unaddressed_concerns(client, areas, rules)


def _client_findings(
    client: Client, areas: tuple[Area, ...], day: pendulum.Date, rules: RuleSet
) -> Iterator[Finding]:
    facts = rules.contraindications.client
    if client.pregnant and "pregnant" in facts:
        yield from _apply("pregnant", facts["pregnant"], areas, day=day)
    if client.breastfeeding and "breastfeeding" in facts:
        yield from _apply("breastfeeding", facts["breastfeeding"], areas, day=day)
    if "minor" in facts:
        yield from _apply("minor", facts["minor"], areas, day=day, since=client.birth_date)
    formula = rules.formula
    for name in sorted(client.allergies):
        # Matched through the vocabulary: lignocaine and xylocaine are lidocaine.
        allergen = formula.allergen(name)
        if allergen is not None and "allergy" in facts:
            rule = facts["allergy"]
            called = "" if name == allergen else f" (recorded as {name!r})"
            named = attrs.evolve(rule, reason=f"{rule.reason}: {allergen}{called}")
            yield from _apply("allergy", named, areas, day=day)
        elif allergen is None and "unlisted_allergy" in facts:
            # Never dropped: a name the vocabulary does not know may be an ingredient's.
            rule = facts["unlisted_allergy"]
            named = attrs.evolve(rule, reason=f"{rule.reason}: {name}")
            yield from _apply("unlisted_allergy", named, areas, day=day)


def _apply(  # noqa: PLR0913 - each argument is one fact of the match
    code: str,
    rule: Contraindication,
    areas: tuple[Area, ...],
    *,
    day: pendulum.Date,
    since: pendulum.Date | None = None,
    site: Area | None = None,
) -> Iterator[Finding]:
    """The findings of one rule matched by one fact (dated *since*, found at *site*)."""
    until = None
    if rule.duration is not None and since is not None:
        until = rule.duration.lifts_after(since)
        if until <= day:
            return  # the rule has lifted
    where: list[Area | None]
    if site is not None:
        where = [site] if rule.applies_to(site) else []
    elif rule.areas is None:
        where = [None]
    else:
        where = [area for area in areas if rule.applies_to(area)]
    for area in where:
        yield Finding(
            code=code,
            severity=rule.severity,
            area=area,
            reason=rule.reason,
            source=rule.source,
            until=until,
        )


def _unaddressed_concerns(
    client: Client, areas: tuple[Area, ...], rules: RuleSet
) -> Iterator[Finding]:
    if not client.concerns:
        return  # most clients: nothing to look up
    addressed = {concern for area in areas for concern in rules.areas[area].addresses}
    for concern in sorted(client.concerns - addressed):
        by = [area for area in Area if concern in rules.areas[area].addresses]
        names = ", ".join(area.value for area in by)
        hint = f"; it is addressed by {names}" if by else "; no area addresses it"
        yield Finding(
            code="concern_not_addressed",
            severity=Severity.NOTE,
            area=None,
            reason=f"The concern {concern.value!r} is not addressed by the requested areas{hint}",
            source=rules.areas[by[0]].source if by else rules.areas[areas[0]].source,
        )
