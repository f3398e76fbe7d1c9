"""Codes at the boundary: one matcher for every vocabulary, allergies through synonyms."""

from __future__ import annotations

from typing import Any, Final

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mesotherapy import (
    Area,
    Candidacy,
    Client,
    ClientError,
    Concern,
    UnknownCodeError,
    assess,
    client_from_dict,
)
from mesotherapy._model import is_code, normalise_code
from mesotherapy._rules_io import rules_from_dict, rules_to_dict
from tests.builders import RULES

ON: Final = pendulum.date(2026, 11, 25)
BORN: Final = "1985-03-02"


def client(**facts: Any) -> Client:
    return Client(birth_date=BORN, **facts)


def codes(result: Any) -> list[str]:
    return [f.code for f in result.findings]


# --- The matcher ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("lidocaine", True),
        ("hyaluronic_acid", True),
        ("lidocaine\n", False),  # a `$` anchor let this through
        ("lidocaine ", False),
        ("Bad Key", False),
        ("Lidocaine", False),
        ("1st", False),
        ("", False),
        ("lido-caine", False),
        (5, False),
        (None, False),
    ],
)
def test_a_code_matches_whole(value: object, expected: bool) -> None:
    assert is_code(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("lidocaine\n", "lidocaine"),
        ("  Lidocaine\t", "lidocaine"),
        ("HEART-DISEASE", "heart_disease"),
        ("active herpes", "active_herpes"),
        ("Décolletage", "decolletage"),
    ],
)
def test_the_normalisation(value: str, expected: str) -> None:
    assert normalise_code(value) == expected


# --- Client codes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "field", "code"),
    [
        ({"conditions": ["heart_disease\n"]}, "conditions", "heart_disease"),
        ({"conditions": [" Heart Disease "]}, "conditions", "heart_disease"),
        ({"allergies": ["LIDOCAINE"]}, "allergies", "lidocaine"),
        ({"medications": [{"code": "Isotretinoin\n"}]}, "medications", "isotretinoin"),
        ({"skin_findings": [("face", "active_herpes\n")]}, "skin_findings", "active_herpes"),
        (
            {"treatments": [{"kind": "Botulinum-Toxin", "area": "face", "on": "2026-11-20"}]},
            "treatments",
            "botulinum_toxin",
        ),
    ],
)
def test_client_codes_are_read_normalised(facts: dict[str, Any], field: str, code: str) -> None:
    read = getattr(client(**facts), field)
    assert {getattr(item, "code", getattr(item, "kind", item)) for item in read} == {code}


@pytest.mark.parametrize(
    ("facts", "field", "shown"),
    [
        ({"conditions": ["heart\ndisease"]}, "conditions", "'heart\\ndisease'"),
        ({"conditions": ["heart_disease;"]}, "conditions", "'heart_disease;'"),
        ({"allergies": ["lido\x00caine"]}, "allergies", "'lido\\x00caine'"),
        ({"allergies": ["   "]}, "allergies", "'   '"),
        ({"medications": [{"code": "2x"}]}, "medications.code", "'2x'"),
        ({"skin_findings": [("face", "sun/burn")]}, "skin_findings", "'sun/burn'"),
        (
            {"treatments": [{"kind": "laser!", "area": "face", "on": "2026-11-20"}]},
            "treatments.kind",
            "'laser!'",
        ),
    ],
)
def test_a_malformed_code_is_refused(facts: dict[str, Any], field: str, shown: str) -> None:
    with pytest.raises(ClientError, match=field) as caught:
        client(**facts)
    assert shown in str(caught.value)


@pytest.mark.parametrize(
    ("facts", "field", "code", "nearest"),
    [
        ({"conditions": ["heart_diseases"]}, "conditions", "heart_diseases", "heart_disease"),
        (
            {"medications": [{"code": "isotretinoine"}]},
            "medications",
            "isotretinoine",
            "isotretinoin",
        ),
        ({"skin_findings": [("face", "sun_burn")]}, "skin_findings", "sun_burn", "sunburn"),
        (
            {"treatments": [{"kind": "lasers", "area": "face", "on": "2026-11-20"}]},
            "treatments",
            "lasers",
            "laser",
        ),
    ],
)
def test_an_unknown_code_names_the_field_the_code_and_the_nearest(
    facts: dict[str, Any], field: str, code: str, nearest: str
) -> None:
    with pytest.raises(UnknownCodeError) as caught:
        assess(client(**facts), ["face"], on=ON)
    message = str(caught.value)
    assert message.startswith(f"{field}: ")
    assert repr(code) in message
    assert f"nearest: {nearest!r}" in message


@pytest.mark.parametrize(
    ("kind", "value", "member"),
    [
        (Area, "face\n", Area.FACE),
        (Area, " SCALP ", Area.SCALP),
        (Concern, "Fine-Lines", Concern.FINE_LINES),
    ],
)
def test_enum_codes_share_the_normalisation(kind: Any, value: str, member: Any) -> None:
    assert kind.parse(value, field="areas") is member


@pytest.mark.parametrize(
    ("kind", "value", "nearest"),
    [(Area, "fase", "face"), (Area, "face\x00", "face"), (Concern, "dulness", "dullness")],
)
def test_an_unknown_enum_code_names_the_nearest(kind: Any, value: str, nearest: str) -> None:
    with pytest.raises(UnknownCodeError, match=f"nearest: {nearest!r}"):
        kind.parse(value, field="areas")


# --- Allergies --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("allergy", "recorded"),
    [
        ("lidocaine\n", None),  # was eligible: the newline matched nothing
        ("Lidocaine", None),
        (" lidocaine ", None),
        ("lignocaine", "lignocaine"),  # the former British name
        ("Xylocaine", "xylocaine"),  # the brand
        ("XYLOCAINE\n", "xylocaine"),
    ],
)
def test_lidocaine_under_any_of_its_names_is_an_absolute_allergy(
    allergy: str, recorded: str | None
) -> None:
    result = assess(client(allergies=[allergy]), ["face"], on=ON)
    assert result.status is Candidacy.INELIGIBLE
    (finding,) = result.findings
    assert finding.code == "allergy"
    assert finding.reason.endswith(
        ": lidocaine" if recorded is None else f"(recorded as {recorded!r})"
    )
    assert "lidocaine" in finding.reason


@pytest.mark.parametrize("allergen", ["prilocaine", "tetracaine", "amethocaine", "benzocaine"])
def test_the_numbing_creams_anaesthetics_are_allergens(allergen: str) -> None:
    result = assess(client(allergies=[allergen]), ["scalp"], on=ON)
    assert result.status is Candidacy.INELIGIBLE
    assert codes(result) == ["allergy"]


@pytest.mark.parametrize("allergy", ["penicillin", "Latex", "nickel\n", "shell fish"])
def test_an_allergy_the_vocabulary_does_not_know_is_reviewed(allergy: str) -> None:
    result = assess(client(allergies=[allergy]), ["face"], on=ON)
    assert result.status is Candidacy.REVIEW
    (finding,) = result.findings
    assert finding.code == "unlisted_allergy"
    assert "check it against the formula" in finding.reason
    assert finding.reason.endswith(normalise_code(allergy))
    assert finding.source in RULES.sources


def test_known_and_unknown_allergies_are_both_reported() -> None:
    result = assess(client(allergies=["latex", "hyaluronan"]), ["face"], on=ON)
    assert result.status is Candidacy.INELIGIBLE
    assert sorted(codes(result)) == ["allergy", "unlisted_allergy"]


def test_rules_without_a_review_for_unknown_allergies_refuse_them() -> None:
    data = rules_to_dict(RULES)
    del data["contraindications"]["client"]["unlisted_allergy"]
    rules = rules_from_dict(data)
    # Known names still assess; an unknown one is refused rather than ignored.
    assert assess(client(allergies=["xylocaine"]), ["face"], on=ON, rules=rules).status is (
        Candidacy.INELIGIBLE
    )
    with pytest.raises(UnknownCodeError, match=r"allergies: unknown code 'lignocain' .*; nearest"):
        assess(client(allergies=["lignocain"]), ["face"], on=ON, rules=rules)


def test_client_json_with_a_stray_newline_ends_ineligible() -> None:
    read = client_from_dict({"birth_date": BORN, "allergies": ["lidocaine\n"]})
    assert read.allergies == {"lidocaine"}
    assert assess(read, ["face"], on=ON).status is Candidacy.INELIGIBLE


# --- Property: a variant of a code is never better than the code ------------------------------


def _facts(rules: Any) -> list[tuple[str, str]]:
    table = rules.contraindications
    found = [("allergies", name) for name in sorted(rules.formula.names())]
    for kind in ("conditions", "medications", "skin_findings", "treatments"):
        found += [(kind, code) for code in sorted(getattr(table, kind))]
    return found


_FACTS: Final = _facts(RULES)


@st.composite
def variants(draw: st.DrawFn, code: str) -> str:
    """*code* with spaces around it, its letters' case changed, underscores as spaces or '-'."""
    letters = [
        (char.upper() if draw(st.booleans()) else char) if char.isalpha() else char for char in code
    ]
    joined = "".join(
        draw(st.sampled_from(("_", " ", "-"))) if char == "_" else char for char in letters
    )
    spaces = st.text(st.sampled_from(" \t\n\r\x0b\x0c"), max_size=3)
    return draw(spaces) + joined + draw(spaces)


def _client_with(kind: str, code: str) -> Client:
    facts: dict[str, Any]
    if kind == "medications":
        facts = {"medications": [{"code": code}]}
    elif kind == "skin_findings":
        facts = {"skin_findings": [("face", code)]}
    elif kind == "treatments":
        facts = {"treatments": [{"kind": code, "area": "face", "on": ON.subtract(days=1)}]}
    else:
        facts = {kind: [code]}
    return client(**facts)


@given(st.sampled_from(_FACTS).flatmap(lambda fact: st.tuples(st.just(fact), variants(fact[1]))))
def test_a_variant_of_a_contraindicated_code_is_never_better(
    case: tuple[tuple[str, str], str],
) -> None:
    (kind, code), variant = case
    own = assess(_client_with(kind, code), ["face"], on=ON)
    try:
        other = assess(_client_with(kind, variant), ["face"], on=ON)
    except (ClientError, UnknownCodeError):
        return  # refused: no answer at all, never a better one
    assert other.status.rank >= own.status.rank
    assert other.findings == own.findings
