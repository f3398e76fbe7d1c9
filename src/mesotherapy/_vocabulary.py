"""The codes a rule set defines, checked against what a caller passes in."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from ._errors import ClientError, UnknownCodeError
from ._guards import chosen_rules, wrong_type
from ._model import Area, Client, nearest_code
from ._rules import RuleSet

# chosen_rules and wrong_type are guards (in ._guards), named here only for the modules that
# still import them from here (._fhir, ._notebook) until those move.
__all__ = ["check_codes", "chosen_rules", "parse_areas", "wrong_type"]


def parse_areas(areas: Iterable[Area | str] | str) -> tuple[Area, ...]:
    """The requested areas, parsed, without repeats, in the order of `Area`.

    >>> parse_areas(["neck", "face", "face"])
    (<Area.FACE: 'face'>, <Area.NECK: 'neck'>)

    Raises:
        ClientError: no area was given.
        UnknownCodeError: an area is unknown.
    """
    if type(areas) is tuple and _canonical(areas):
        return areas  # already parsed: planning passes its areas on from call to call
    if isinstance(areas, str):
        areas = [part.strip() for part in areas.split(",") if part.strip()]
    try:
        chosen = {Area.parse(area, field="areas") for area in areas}
    except TypeError:
        msg = f"areas: expected a list of areas, got a {type(areas).__name__}"
        raise ClientError(msg) from None
    if not chosen:
        choices = ", ".join(area.value for area in Area)
        msg = f"areas: expected at least one area ({choices}), got none"
        raise ClientError(msg)
    return tuple(area for area in Area if area in chosen)


_ORDER = {area: n for n, area in enumerate(Area)}


def _canonical(areas: tuple[object, ...]) -> bool:
    """Whether *areas* are `Area` members, at least one, without repeats, in order."""
    previous = -1
    for area in areas:
        if type(area) is not Area:
            return False
        rank = _ORDER[area]
        if rank <= previous:
            return False
        previous = rank
    return previous >= 0


def check_codes(client: Client, rules: RuleSet) -> None:
    """Refuse a client whose facts use a code the rule set does not define.

    Raises:
        UnknownCodeError: naming the field, the code, the nearest code the rules define
            and all of them. An allergy is refused only by rules without an
            ``unlisted_allergy`` review.
    """
    table = rules.contraindications
    _known("conditions", client.conditions, table.conditions)
    _known("medications", {m.code for m in client.medications}, table.medications)
    _known("skin_findings", {f.code for f in client.skin_findings}, table.skin_findings)
    _known("treatments", {t.kind for t in client.treatments}, table.treatments)
    if "unlisted_allergy" not in table.client:
        # Rules with no review for an allergy they do not know cannot assess one: refused,
        # never silently read as "not allergic to the formula".
        _known("allergies", client.allergies, rules.formula.names())


def _known(field: str, codes: Collection[str], known: Iterable[str]) -> None:
    if not codes:
        return
    defined = set(known)
    unknown = sorted(set(codes) - defined)
    if unknown:
        choices = ", ".join(sorted(defined)) or "none"
        near = nearest_code(unknown[0], defined)
        msg = f"{field}: unknown code {unknown[0]!r} for rules that define {choices}{near}"
        raise UnknownCodeError(msg)
