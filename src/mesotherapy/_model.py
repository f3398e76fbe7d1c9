"""The facts of a consultation: areas, concerns, and the client."""

from __future__ import annotations

import calendar
import datetime as dt
import enum
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final, Self, TypeVar

import attrs
import pendulum

from ._errors import ClientError, UnknownCodeError, named
from ._time import parse_date

__all__ = [
    "Area",
    "Client",
    "Concern",
    "Medication",
    "PriorTreatment",
    "SkinFinding",
    "flag",
]

_T = TypeVar("_T")
# Matched whole with `fullmatch`: a `$` anchor would let a trailing newline through.
_CODE = re.compile(r"[a-z][a-z0-9_]*")


def is_code(value: object) -> bool:
    r"""Whether *value* is a code as written in a rule file: lower_snake_case, matched whole.

    >>> is_code("lidocaine"), is_code("lidocaine\n"), is_code("Bad Key")
    (True, False, False)
    """
    return isinstance(value, str) and _CODE.fullmatch(value) is not None


def normalise_code(value: str) -> str:
    r"""*value* as the code it spells: the one normalisation of every code a caller gives.

    Surrounding whitespace is stripped, letter case folded, ``é`` read as ``e``, and
    spaces and hyphens inside read as underscores; nothing else is changed, so the result
    may still be no code (`is_code` says).

    >>> normalise_code("  Active-Herpes\n"), normalise_code("Décolletage")
    ('active_herpes', 'decolletage')
    """
    return value.strip().lower().replace("é", "e").replace(" ", "_").replace("-", "_")


def nearest_code(code: str, known: Iterable[str]) -> str:
    """The words ``"; nearest: 'x'"`` naming the known code closest to *code*, or ``""``.

    >>> nearest_code("lignocain", ["lidocaine", "lignocaine"])
    "; nearest: 'lignocaine'"
    """
    import difflib  # noqa: PLC0415 - only on the error path, kept out of the import cost

    close = difflib.get_close_matches(code, sorted(known), n=1)
    return f"; nearest: {close[0]!r}" if close else ""


class _Code(enum.StrEnum):
    """A closed vocabulary whose values are the codes of the JSON and the rule files."""

    @classmethod
    def parse(cls, value: Any, *, field: str) -> Self:
        """The member for *value*, or an `UnknownCodeError` naming *field* and the choices."""
        if isinstance(value, cls):
            return value
        key = None
        if isinstance(value, str):
            key = normalise_code(value)
            if is_code(key):
                try:
                    return cls(key)
                except ValueError:
                    pass
        choices = ", ".join(member.value for member in cls)
        where = named(field)
        near = nearest_code(key, (m.value for m in cls)) if key else ""
        msg = f"{where}unknown {cls.__name__.lower()} {value!r}, expected one of {choices}{near}"
        raise UnknownCodeError(msg)


class Area(_Code):
    """A treatment area.

    >>> Area.parse("Décolletage", field="areas")
    <Area.DECOLLETAGE: 'decolletage'>
    """

    FACE = "face"
    NECK = "neck"
    DECOLLETAGE = "decolletage"
    HANDS = "hands"
    SCALP = "scalp"


class Concern(_Code):
    """What a client wants treated; the rule set says which area addresses which.

    >>> Concern.parse("fine lines", field="concerns")
    <Concern.FINE_LINES: 'fine_lines'>
    """

    DULLNESS = "dullness"
    DRYNESS = "dryness"
    DEHYDRATION = "dehydration"
    FINE_LINES = "fine_lines"
    UNEVEN_TEXTURE = "uneven_texture"
    UNEVEN_TONE = "uneven_tone"
    LAXITY = "laxity"
    CREPEY_SKIN = "crepey_skin"
    THINNING_HAIR = "thinning_hair"
    OILINESS = "oiliness"
    ACNE_PRONE = "acne_prone"


def _code(value: Any, *, field: str) -> str:
    # A client's codes come from forms: read "Lidocaine " as lidocaine (`normalise_code`),
    # and refuse what still is no code rather than let it match nothing.
    code = normalise_code(value) if isinstance(value, str) else None
    if code is None or not is_code(code):
        where = named(field)
        msg = f"{where}expected a code in lower_snake_case, got {value!r}"
        raise ClientError(msg)
    return code


def _codes(values: Any, field: str) -> frozenset[str]:
    return frozenset(_code(value, field=field) for value in _iterable(values, field=field))


_PLAIN_LISTS: Final = frozenset({tuple, list, frozenset, set})


def _iterable(values: Any, *, field: str) -> Iterable[Any]:
    if type(values) in _PLAIN_LISTS:
        return values  # type: ignore[no-any-return]  # a list or set, without the ABC checks
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
        msg = f"{field}: expected a list, got {values!r}"
        raise ClientError(msg)
    return values


# Converters are named functions, one a field, so that each error names its field and
# the type checker sees each converter's input and output.
def _medication_code(value: Any) -> str:
    return _code(value, field="medications.code")


def _last_taken(value: Any) -> pendulum.Date | None:
    return None if value is None else parse_date(value, field="medications.last_taken")


def _treatment_kind(value: Any) -> str:
    return _code(value, field="treatments.kind")


def _treatment_area(value: Any) -> Area:
    return Area.parse(value, field="treatments.area")


def _treatment_on(value: Any) -> pendulum.Date:
    return parse_date(value, field="treatments.on")


def _finding_area(value: Any) -> Area:
    return Area.parse(value, field="skin_findings")


def _finding_code(value: Any) -> str:
    return _code(value, field="skin_findings")


@attrs.frozen
class Medication:
    """A medication the client takes or took.

    ``last_taken`` is ``None`` while the client still takes it.

    >>> Medication("isotretinoin", last_taken="2026-09-01").last_taken
    Date(2026, 9, 1)
    """

    code: str = attrs.field(converter=_medication_code)
    last_taken: pendulum.Date | None = attrs.field(default=None, converter=_last_taken)


@attrs.frozen
class PriorTreatment:
    """Another aesthetic procedure the client had, in an area, on a date.

    >>> PriorTreatment("botulinum_toxin", "face", "2026-11-10").area
    <Area.FACE: 'face'>
    """

    kind: str = attrs.field(converter=_treatment_kind)
    area: Area = attrs.field(converter=_treatment_area)
    on: pendulum.Date = attrs.field(converter=_treatment_on)


@attrs.frozen
class SkinFinding:
    """What the clinician saw on the skin of one area (``active_herpes`` on the face)."""

    area: Area = attrs.field(converter=_finding_area)
    code: str = attrs.field(converter=_finding_code)


def _medications(values: Any) -> frozenset[Medication]:
    return frozenset(
        value if isinstance(value, Medication) else _from_mapping(Medication, value, "medications")
        for value in _iterable(values, field="medications")
    )


def _treatments(values: Any) -> frozenset[PriorTreatment]:
    return frozenset(
        value
        if isinstance(value, PriorTreatment)
        else _from_mapping(PriorTreatment, value, "treatments")
        for value in _iterable(values, field="treatments")
    )


def _skin_findings(values: Any) -> frozenset[SkinFinding]:
    if isinstance(values, Mapping):
        return frozenset(
            SkinFinding(area, code)
            for area, codes in values.items()
            for code in _iterable(codes, field=f"skin_findings.{area}")
        )
    return frozenset(_skin_finding(value) for value in _iterable(values, field="skin_findings"))


def _skin_finding(value: Any) -> SkinFinding:
    if isinstance(value, SkinFinding):
        return value
    if isinstance(value, Mapping):
        return _from_mapping(SkinFinding, value, "skin_findings")
    if isinstance(value, list | tuple) and len(value) == 2:  # an (area, code) pair
        return SkinFinding(*value)
    msg = f"skin_findings: expected an (area, code) pair or an object, got {value!r}"
    raise ClientError(msg)


def _concerns(values: Any) -> frozenset[Concern]:
    return frozenset(
        Concern.parse(value, field="concerns") for value in _iterable(values, field="concerns")
    )


def _from_mapping(cls: type[_T], value: Any, field: str) -> _T:
    if not isinstance(value, Mapping):
        msg = f"{field}: expected an object, got {value!r}"
        raise ClientError(msg)
    fields = attrs.fields(cls)  # type: ignore[arg-type]
    names = {a.name for a in fields}
    extra = sorted(str(key) for key in set(value) - names)
    if extra:
        msg = f"{field}: unknown key {extra[0]!r}, expected one of {', '.join(sorted(names))}"
        raise ClientError(msg)
    missing = [a.name for a in fields if a.default is attrs.NOTHING and a.name not in value]
    if missing:
        msg = f"{field}: missing required key {missing[0]!r}"
        raise ClientError(msg)
    return cls(**value)


def _birth_date(value: Any) -> pendulum.Date:
    return parse_date(value, field="birth_date")


def flag(value: Any, field: str) -> bool:
    """*value*, checked to be a `bool`: a flag is ``True`` or ``False`` and nothing else.

    ``"false"``, ``"no"``, ``0`` or ``[0]`` from a form or a script are refused, never read
    as a yes or a no.

    >>> flag("false", "acknowledge_review")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mesotherapy._errors.ClientError: acknowledge_review: expected true or false, got 'false'
    """
    if not isinstance(value, bool):
        msg = f"{field}: expected true or false, got {value!r}"
        raise ClientError(msg)
    return value


def _pregnant(value: Any) -> bool:
    return flag(value, "pregnant")


def _breastfeeding(value: Any) -> bool:
    return flag(value, "breastfeeding")


def _conditions(values: Any) -> frozenset[str]:
    return _codes(values, "conditions")


def _allergies(values: Any) -> frozenset[str]:
    return _codes(values, "allergies")


def _client_id(value: Any, field: str = "id") -> str | None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        # The value itself is never echoed: it may identify a person.
        where = named(field)
        msg = f"{where}expected a non-empty string or nothing, got a {type(value).__name__}"
        raise ClientError(msg)
    return value


@attrs.frozen(kw_only=True)
class Client:
    """The facts a consultation records about a client. Health data: no name, no contacts.

    ``id`` is an opaque identifier for the caller's own records; it never appears in a
    ``repr``, a message or an error. Every collection is a set, so the order in which facts
    were recorded changes nothing.

    >>> client = Client(id="c-001", birth_date="1985-03-02", concerns=["dullness"])
    >>> client
    Client(birth_date=Date(1985, 3, 2), pregnant=False, breastfeeding=False, conditions=frozenset(), allergies=frozenset(), medications=frozenset(), skin_findings=frozenset(), treatments=frozenset(), concerns=frozenset({<Concern.DULLNESS: 'dullness'>}))
    >>> client.age_on(pendulum.date(2026, 3, 1)), client.age_on(pendulum.date(2026, 3, 2))
    (40, 41)
    """  # noqa: E501

    id: str | None = attrs.field(default=None, repr=False, converter=_client_id)
    birth_date: pendulum.Date = attrs.field(converter=_birth_date)
    pregnant: bool = attrs.field(default=False, converter=_pregnant)
    breastfeeding: bool = attrs.field(default=False, converter=_breastfeeding)
    conditions: frozenset[str] = attrs.field(default=(), converter=_conditions)
    allergies: frozenset[str] = attrs.field(default=(), converter=_allergies)
    medications: frozenset[Medication] = attrs.field(default=(), converter=_medications)
    skin_findings: frozenset[SkinFinding] = attrs.field(default=(), converter=_skin_findings)
    treatments: frozenset[PriorTreatment] = attrs.field(default=(), converter=_treatments)
    concerns: frozenset[Concern] = attrs.field(default=(), converter=_concerns)

    def age_on(self, day: dt.date | str) -> int:
        """The client's age in whole years on *day* (a date, or ``YYYY-MM-DD`` text).

        A birthday on 29 February counts from 1 March in a common year: a year of age is
        reached on the first day on which the whole year has passed, as the rules' age
        limits (``P18Y``) count it, so that an age limit never lifts a day early.

        >>> client = Client(birth_date="2008-02-29")
        >>> client.age_on(pendulum.date(2026, 2, 28)), client.age_on("2026-03-01")
        (17, 18)

        Raises:
            InvalidTimeError: *day* is no date.
        """
        day = parse_date(day, field="day")
        born = self.birth_date
        years = day.year - born.year
        if (born.month, born.day) == (2, 29) and not calendar.isleap(day.year):
            birthday = dt.date(day.year, 3, 1)  # the whole year has passed on 1 March
        else:
            birthday = dt.date(day.year, born.month, born.day)
        if birthday > day:
            years -= 1
        return years
