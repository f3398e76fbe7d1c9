"""Bad input to `Client` and `assess` is refused with a clear message that hides the id."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pendulum
import pytest

from mesotherapy import (
    Area,
    Candidacy,
    Client,
    ClientError,
    Concern,
    InvalidTimeError,
    MesotherapyError,
    UnknownCodeError,
    assess,
    client_from_dict,
    load_rules,
)

CLIENT_ID = "secret-id-123"
BIRTH = "1985-03-02"
ON = "2026-11-25"


def facts(**changes: Any) -> dict[str, Any]:
    """A client file's object with the secret id, changed by *changes*."""
    return {"id": CLIENT_ID, "birth_date": BIRTH, **changes}


def from_keywords(data: dict[str, Any]) -> Client:
    return Client(**data)


def from_dict(data: dict[str, Any]) -> Client:
    return client_from_dict(data)


MAKERS = [
    pytest.param(from_keywords, id="Client"),
    pytest.param(from_dict, id="client_from_dict"),
]


# The file's reader names an entry of a list by its index, from cattrs' notes.
FILE_PATHS = {
    "medications.code": "medications[0].code",
    "medications.last_taken": "medications[0].last_taken",
    "treatments.on": "treatments[0].on",
    "treatments.area": "treatments[0].area",
}


def assert_clear(error: BaseException, field: str, value: str) -> None:
    """The message names the field and the value, and never the client's id."""
    message = str(error)
    assert isinstance(error, MesotherapyError), repr(error)
    assert field in message, message
    assert value in message, message
    assert CLIENT_ID not in message, message


# --- Wrong types and malformed values ----------------------------------------------------


@pytest.mark.parametrize("make", MAKERS)
@pytest.mark.parametrize(
    ("changes", "error", "field", "value"),
    [
        pytest.param(
            {"birth_date": 19850302}, InvalidTimeError, "birth_date", "19850302", id="bd-number"
        ),
        pytest.param({"birth_date": None}, InvalidTimeError, "birth_date", "None", id="bd-none"),
        pytest.param({"birth_date": True}, InvalidTimeError, "birth_date", "True", id="bd-bool"),
        pytest.param(
            {"birth_date": dt.datetime(1985, 3, 2, 10, 0)},  # noqa: DTZ001 - naive on purpose
            InvalidTimeError,
            "birth_date",
            "1985-03-02T10:00:00",
            id="bd-datetime",
        ),
        pytest.param(
            {"birth_date": pendulum.datetime(1985, 3, 2, 10, tz="America/Toronto")},
            InvalidTimeError,
            "birth_date",
            "1985-03-02T10:00:00",
            id="bd-pendulum-datetime",
        ),
        pytest.param(
            {"birth_date": "1985-03-02T10:00"},
            InvalidTimeError,
            "birth_date",
            "'1985-03-02T10:00'",
            id="bd-datetime-text",
        ),
        pytest.param(
            {"birth_date": "2026-13-01"},
            InvalidTimeError,
            "birth_date",
            "'2026-13-01'",
            id="bd-month-13",
        ),
        pytest.param(
            {"birth_date": "01/02/2026"},
            InvalidTimeError,
            "birth_date",
            "'01/02/2026'",
            id="bd-slashes",
        ),
        pytest.param(
            {"birth_date": "2026-02-30"},
            InvalidTimeError,
            "birth_date",
            "'2026-02-30'",
            id="bd-february-30",
        ),
        pytest.param(
            {"birth_date": "1985-3-2"}, InvalidTimeError, "birth_date", "'1985-3-2'", id="bd-short"
        ),
        pytest.param({"pregnant": "yes"}, ClientError, "pregnant", "'yes'", id="pregnant-yes"),
        pytest.param({"pregnant": 1}, ClientError, "pregnant", "1", id="pregnant-one"),
        pytest.param(
            {"breastfeeding": "false"}, ClientError, "breastfeeding", "'false'", id="bf-text"
        ),
        pytest.param(
            {"conditions": "diabetes_uncontrolled"},
            ClientError,
            "conditions",
            "'diabetes_uncontrolled'",
            id="conditions-string",
        ),
        pytest.param({"conditions": 5}, ClientError, "conditions", "5", id="conditions-number"),
        pytest.param(
            {"conditions": ["Heart/Disease"]},
            ClientError,
            "conditions",
            "'Heart/Disease'",
            id="conditions-not-a-code",
        ),
        pytest.param(
            {"allergies": "lidocaine"}, ClientError, "allergies", "'lidocaine'", id="allergy-str"
        ),
        pytest.param({"allergies": [5]}, ClientError, "allergies", "5", id="allergy-number"),
        pytest.param(
            {"concerns": "dullness"}, ClientError, "concerns", "'dullness'", id="concerns-string"
        ),
        pytest.param({"medications": None}, ClientError, "medications", "None", id="meds-none"),
        pytest.param(
            {"medications": {"code": "isotretinoin"}},
            ClientError,
            "medications",
            "'isotretinoin'",
            id="meds-object-not-list",
        ),
        pytest.param(
            {"medications": ["isotretinoin"]},
            ClientError,
            "medications",
            "'isotretinoin'",
            id="meds-entry-string",
        ),
        pytest.param({"medications": [3]}, ClientError, "medications", "3", id="meds-entry-number"),
        pytest.param(
            {"medications": [{"code": 5}]},
            ClientError,
            "medications.code",
            "5",
            id="meds-code-number",
        ),
        pytest.param(
            {"medications": [{"code": "isotretinoin", "last_taken": "2026-13-01"}]},
            InvalidTimeError,
            "medications.last_taken",
            "'2026-13-01'",
            id="meds-last-taken-month-13",
        ),
        pytest.param(
            {
                "medications": [
                    {"code": "isotretinoin", "last_taken": dt.datetime(2026, 9, 1, 8, 0)}  # noqa: DTZ001
                ]
            },
            InvalidTimeError,
            "medications.last_taken",
            "2026-09-01T08:00:00",
            id="meds-last-taken-datetime",
        ),
        pytest.param(
            {"treatments": [["laser", "face", "2026-11-10"]]},
            ClientError,
            "treatments",
            "'laser'",
            id="treatments-entry-list",
        ),
        pytest.param(
            {"treatments": [{"kind": "laser", "area": "face", "on": "01/02/2026"}]},
            InvalidTimeError,
            "treatments.on",
            "'01/02/2026'",
            id="treatments-on-slashes",
        ),
        pytest.param(
            {"treatments": [{"kind": "laser", "area": "face", "on": None}]},
            InvalidTimeError,
            "treatments.on",
            "None",
            id="treatments-on-none",
        ),
        pytest.param(
            {"skin_findings": "sunburn"},
            ClientError,
            "skin_findings",
            "'sunburn'",
            id="skin-findings-string",
        ),
        pytest.param(
            {"skin_findings": {"face": "sunburn"}},
            ClientError,
            "skin_findings.face",
            "'sunburn'",
            id="skin-findings-area-string",
        ),
        pytest.param(
            {"skin_findings": {"face": [5]}},
            ClientError,
            "skin_findings",
            "5",
            id="skin-findings-code-number",
        ),
    ],
)
def test_bad_value_is_refused(
    make: Callable[[dict[str, Any]], Client],
    changes: dict[str, Any],
    error: type[Exception],
    field: str,
    value: str,
) -> None:
    with pytest.raises(error) as info:
        make(facts(**changes))
    assert_clear(info.value, FILE_PATHS.get(field, field) if make is from_dict else field, value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("make", MAKERS)
@pytest.mark.parametrize(
    "skin_findings",
    [pytest.param([5], id="number"), pytest.param([["face"]], id="pair-without-code")],
)
def test_malformed_skin_finding_entries_are_refused(
    make: Callable[[dict[str, Any]], Client], skin_findings: list[Any]
) -> None:
    # DESIGN.md: no error from deep inside escapes on bad input (here a bare TypeError).
    with pytest.raises(ClientError) as info:
        make(facts(skin_findings=skin_findings))
    assert "skin_findings" in str(info.value)
    assert CLIENT_ID not in str(info.value)


# --- Unknown keys and missing keys -------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "value"),
    [
        pytest.param(
            facts(name="Alice"), "name", "expected one of allergies, birth_date", id="top-level"
        ),
        pytest.param(
            facts(phone="555-0100"),
            "phone",
            "expected one of allergies, birth_date",
            id="contact-details",
        ),
        pytest.param(
            facts(medications=[{"code": "isotretinoin", "dose": "20mg"}]),
            "medications[0].dose",
            "expected one of code, last_taken",
            id="in-medication",
        ),
        pytest.param(
            facts(treatments=[{"kind": "laser", "area": "face", "on": "2026-11-10", "x": 1}]),
            "treatments[0].x",
            "expected one of area, kind, on",
            id="in-treatment",
        ),
    ],
)
def test_unknown_key_in_from_dict(data: dict[str, Any], field: str, value: str) -> None:
    with pytest.raises(ClientError) as info:
        client_from_dict(data)
    assert_clear(info.value, field, value)
    assert str(info.value).startswith(f"{field}: unknown key, expected one of ")


@pytest.mark.parametrize(
    ("data", "field", "value"),
    [
        pytest.param({"id": CLIENT_ID}, "birth_date", "expected a value", id="birth_date"),
        pytest.param(
            facts(medications=[{"last_taken": "2026-09-01"}]),
            "medications[0].code",
            "expected a value",
            id="medication-code",
        ),
        pytest.param(
            facts(treatments=[{"kind": "laser", "area": "face"}]),
            "treatments[0].on",
            "expected a value",
            id="treatment-date",
        ),
    ],
)
def test_missing_key_in_from_dict(data: dict[str, Any], field: str, value: str) -> None:
    with pytest.raises(ClientError) as info:
        client_from_dict(data)
    assert_clear(info.value, field, value)
    assert str(info.value) == f"{field}: missing, expected a value"


@pytest.mark.parametrize("data", [["birth_date", BIRTH], "1985-03-02", None, 5])
def test_from_dict_of_something_else_than_an_object(data: Any) -> None:
    with pytest.raises(ClientError) as info:
        client_from_dict(data)
    assert "client" in str(info.value)
    assert "expected an object" in str(info.value)


def test_unknown_keyword_to_client_is_a_type_error() -> None:
    # The constructor's signature refuses it, as for any Python call.
    with pytest.raises(TypeError, match="name"):
        Client(id=CLIENT_ID, birth_date=BIRTH, name="Alice")  # type: ignore[call-arg]


def test_missing_birth_date_keyword_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="birth_date"):
        Client(id=CLIENT_ID)  # type: ignore[call-arg]


# --- Unknown codes -----------------------------------------------------------------------


@pytest.mark.parametrize("make", MAKERS)
@pytest.mark.parametrize(
    ("changes", "field", "value"),
    [
        pytest.param({"concerns": ["wrinkles"]}, "concerns", "'wrinkles'", id="concern"),
        pytest.param({"concerns": [None]}, "concerns", "None", id="concern-none"),
        pytest.param(
            {"treatments": [{"kind": "laser", "area": "elbow", "on": "2026-11-10"}]},
            "treatments.area",
            "'elbow'",
            id="treatment-area",
        ),
        pytest.param(
            {"skin_findings": {"elbow": ["sunburn"]}},
            "skin_findings",
            "'elbow'",
            id="skin-finding-area",
        ),
    ],
)
def test_unknown_concern_or_area(
    make: Callable[[dict[str, Any]], Client], changes: dict[str, Any], field: str, value: str
) -> None:
    with pytest.raises(UnknownCodeError) as info:
        make(facts(**changes))
    assert_clear(info.value, FILE_PATHS.get(field, field) if make is from_dict else field, value)
    assert isinstance(info.value, LookupError)


@pytest.mark.parametrize(
    "areas",
    [
        pytest.param(["elbow"], id="list"),
        pytest.param(["face", "elbow"], id="list-with-a-known-one"),
        pytest.param("face,elbow", id="comma-separated"),
    ],
)
def test_unknown_area_at_assess(areas: Any) -> None:
    with pytest.raises(UnknownCodeError) as info:
        assess(Client(**facts()), areas, on=ON)
    assert_clear(info.value, "areas", "'elbow'")
    assert isinstance(info.value, LookupError)


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"conditions": ["lupus"]}, "conditions", "'lupus'"),
        ({"medications": [{"code": "aspirin"}]}, "medications", "'aspirin'"),
        ({"skin_findings": {"face": ["acne"]}}, "skin_findings", "'acne'"),
        (
            {"treatments": [{"kind": "facelift", "area": "face", "on": "2026-01-01"}]},
            "treatments",
            "'facelift'",
        ),
    ],
)
def test_unknown_code_at_assess(changes: dict[str, Any], field: str, code: str) -> None:
    client = Client(**facts(**changes))  # the rules, not the client, define these codes
    with pytest.raises(UnknownCodeError) as info:
        assess(client, ["face"], on=ON)
    assert_clear(info.value, field, code)
    assert str(info.value).startswith(f"{field}:")
    assert isinstance(info.value, LookupError)


def test_unknown_code_on_an_area_not_requested_is_still_refused() -> None:
    client = Client(**facts(skin_findings={"scalp": ["acne"]}))
    with pytest.raises(UnknownCodeError) as info:
        assess(client, ["face"], on=ON)
    assert_clear(info.value, "skin_findings", "'acne'")


def test_a_code_the_rules_add_is_known(tmp_path: Path) -> None:
    path = tmp_path / "clinic.toml"
    path.write_text(
        'extends = "default"\nname = "Clinic"\nversion = "1"\n'
        "[contraindications.conditions.lupus]\n"
        'severity = "relative"\nreason = "Lupus"\nsource = "clinic_sheets"\n',
        encoding="utf-8",
    )
    client = Client(**facts(conditions=["lupus"]))
    result = assess(client, ["face"], on=ON, rules=load_rules(path))
    assert result.status is Candidacy.REVIEW
    assert [finding.code for finding in result.findings] == ["lupus"]


# --- Bad input to assess -----------------------------------------------------------------


def test_birth_date_after_the_assessment_date() -> None:
    client = Client(**facts(birth_date="2027-01-01"))
    with pytest.raises(ClientError) as info:
        assess(client, ["face"], on=ON)
    assert_clear(info.value, "birth_date", "2027-01-01")
    assert "2026-11-25" in str(info.value)


def test_birth_date_on_the_assessment_date_is_a_minor_not_an_error() -> None:
    client = Client(**facts(birth_date=ON))
    assert assess(client, ["face"], on=ON).status is Candidacy.INELIGIBLE


@pytest.mark.parametrize("areas", [[], (), "", set()], ids=["list", "tuple", "text", "set"])
def test_no_area(areas: Any) -> None:
    with pytest.raises(ClientError) as info:
        assess(Client(**facts()), areas, on=ON)
    assert_clear(info.value, "areas", "got none")


@pytest.mark.parametrize(
    ("on", "value"),
    [
        ("2026-13-01", "'2026-13-01'"),
        ("01/02/2026", "'01/02/2026'"),
        ("2026-11-25T09:00", "'2026-11-25T09:00'"),
        (dt.datetime(2026, 11, 25, 9, 0), "2026-11-25T09:00:00"),  # noqa: DTZ001
        (pendulum.datetime(2026, 11, 25, 9, tz="America/Toronto"), "2026-11-25T09:00:00"),
        (20261125, "20261125"),
        (None, "None"),
    ],
)
def test_bad_assessment_date(on: Any, value: str) -> None:
    with pytest.raises(InvalidTimeError) as info:
        assess(Client(**facts()), ["face"], on=on)
    assert_clear(info.value, "on", value)
    assert str(info.value).startswith("on:")


@pytest.mark.parametrize(
    ("client", "rules"),
    [
        pytest.param({"birth_date": BIRTH}, None, id="client-as-a-dict"),
        pytest.param(None, "default", id="rules-as-a-name"),
    ],
)
def test_wrong_argument_types_to_assess(client: Any, rules: Any) -> None:
    # DESIGN.md: no AttributeError from deep inside escapes a public function.
    real = Client(**facts()) if client is None else client
    with pytest.raises((MesotherapyError, TypeError)):
        assess(real, ["face"], on=ON, rules=rules)


# --- The id stays out of sight -----------------------------------------------------------


def test_repr_never_shows_the_id() -> None:
    client = Client(**facts(conditions=["heart_disease"], concerns=["dullness"]))
    assert client.id == CLIENT_ID
    assert CLIENT_ID not in repr(client)
    assert CLIENT_ID not in str(client)
    assert "birth_date=Date(1985, 3, 2)" in repr(client)


@pytest.mark.parametrize("make", MAKERS)
@pytest.mark.parametrize("bad_id", [12345, "", "   ", ["secret-id-123"]])
def test_bad_id_is_refused_without_echoing_it(
    make: Callable[[dict[str, Any]], Client], bad_id: Any
) -> None:
    with pytest.raises(ClientError) as info:
        make(facts(id=bad_id))
    message = str(info.value)
    assert message.startswith("id:")
    assert CLIENT_ID not in message
    assert "12345" not in message


def test_no_id_is_fine() -> None:
    client = Client(birth_date=BIRTH)
    assert client.id is None
    assert client_from_dict({"birth_date": BIRTH}) == client


# --- Immutable, hashable, order-free -----------------------------------------------------


@pytest.mark.parametrize("field", ["id", "birth_date", "pregnant", "conditions", "medications"])
def test_client_is_immutable(field: str) -> None:
    client = Client(**facts())
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        setattr(client, field, getattr(client, field))
    assert client == Client(**facts())


def test_client_collections_are_frozen() -> None:
    client = Client(**facts(conditions=["heart_disease"], concerns=["dullness"]))
    assert isinstance(client.conditions, frozenset)
    assert isinstance(client.concerns, frozenset)
    assert client.concerns == frozenset({Concern.DULLNESS})


def test_client_is_hashable() -> None:
    data = facts(
        conditions=["heart_disease"],
        allergies=["latex"],
        medications=[{"code": "isotretinoin", "last_taken": "2026-09-01"}],
        skin_findings={"face": ["sunburn"]},
        treatments=[{"kind": "laser", "area": "neck", "on": "2026-11-10"}],
        concerns=["dryness"],
    )
    one, other = Client(**data), client_from_dict(data)
    assert one == other
    assert hash(one) == hash(other)
    assert len({one, other}) == 1
    assert {one: "x"}[other] == "x"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param(
            {"conditions": ["heart_disease", "autoimmune_disease"]},
            {"conditions": ["autoimmune_disease", "heart_disease"]},
            id="conditions",
        ),
        pytest.param(
            {"allergies": ["latex", "lidocaine"]},
            {"allergies": ["lidocaine", "latex"]},
            id="allergies",
        ),
        pytest.param(
            {"medications": [{"code": "anticoagulant"}, {"code": "isotretinoin"}]},
            {"medications": [{"code": "isotretinoin"}, {"code": "anticoagulant"}]},
            id="medications",
        ),
        pytest.param(
            {"skin_findings": {"face": ["sunburn", "active_herpes"], "neck": ["broken_skin"]}},
            {"skin_findings": {"neck": ["broken_skin"], "face": ["active_herpes", "sunburn"]}},
            id="skin_findings",
        ),
        pytest.param(
            {
                "treatments": [
                    {"kind": "laser", "area": "neck", "on": "2026-11-10"},
                    {"kind": "prp", "area": "scalp", "on": "2026-10-01"},
                ]
            },
            {
                "treatments": [
                    {"kind": "prp", "area": "scalp", "on": "2026-10-01"},
                    {"kind": "laser", "area": "neck", "on": "2026-11-10"},
                ]
            },
            id="treatments",
        ),
        pytest.param(
            {"concerns": ["dullness", "dryness", "fine_lines"]},
            {"concerns": ["fine_lines", "dullness", "dryness"]},
            id="concerns",
        ),
    ],
)
def test_order_of_lists_does_not_matter(first: dict[str, Any], second: dict[str, Any]) -> None:
    one, other = Client(**facts(**first)), Client(**facts(**second))
    assert one == other
    assert hash(one) == hash(other)
    assert client_from_dict(facts(**first)) == client_from_dict(facts(**second))


def test_repeated_facts_count_once() -> None:
    once = Client(**facts(concerns=["dullness"], conditions=["heart_disease"]))
    twice = Client(**facts(concerns=["dullness", "dullness"], conditions=["heart_disease"] * 2))
    assert once == twice


def test_codes_are_normalised_for_concerns_and_areas() -> None:
    client = Client(
        **facts(
            concerns=["Fine lines", "dullness"],
            treatments=[{"kind": "laser", "area": "Décolletage", "on": "2026-11-10"}],
        )
    )
    assert client.concerns == frozenset({Concern.FINE_LINES, Concern.DULLNESS})
    assert next(iter(client.treatments)).area is Area.DECOLLETAGE
