"""A client file through the shared converter: every problem, named by its key path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import mesotherapy as meso

BIRTH = "1985-03-02"
CLIENT_ID = "secret-id-123"


def facts(**changes: Any) -> dict[str, Any]:
    return {"id": CLIENT_ID, "birth_date": BIRTH, **changes}


@pytest.mark.parametrize(
    ("data", "kind", "found"),
    [
        pytest.param(
            facts(medications=[{"code": 5, "dose": 1}, {"last_taken": "2026-13-01"}]),
            meso.ClientError,
            (
                "medications[0].code: expected a code in lower_snake_case, got 5",
                "medications[0].dose: unknown key, expected one of code, last_taken",
                "medications[1].code: missing, expected a value",
                "medications[1].last_taken: expected a date as YYYY-MM-DD, got '2026-13-01'",
            ),
            id="several-in-lists",
        ),
        pytest.param(
            facts(birth_date="1985-02-30", treatments=[{"kind": "laser", "area": "face", "on": 1}]),
            meso.InvalidTimeError,
            (
                "birth_date: expected a date as YYYY-MM-DD, got '1985-02-30'",
                "treatments[0].on: expected a date as YYYY-MM-DD, got 1",
            ),
            id="dates-only",
        ),
        pytest.param(
            facts(concerns=["dulness"], skin_findings={"fac": ["sunburn"]}),
            meso.UnknownCodeError,
            (
                (
                    "skin_findings.fac: unknown area 'fac', expected one of face, neck, "
                    "decolletage, hands, scalp; nearest: 'face'"
                ),
                (
                    "concerns[0]: unknown concern 'dulness', expected one of dullness, dryness, "
                    "dehydration, fine_lines, uneven_texture, uneven_tone, laxity, crepey_skin, "
                    "thinning_hair, oiliness, acne_prone; nearest: 'dullness'"
                ),
            ),
            id="codes-only",
        ),
        pytest.param(
            facts(id=12345, skin_findings=[["face", 5], 7]),
            meso.ClientError,
            (
                "id: expected a non-empty string or nothing, got a int",
                "skin_findings[0][1]: expected a code in lower_snake_case, got 5",
                "skin_findings[1]: expected an (area, code) pair or an object, got 7",
            ),
            id="id-and-pairs",
        ),
        pytest.param(
            [CLIENT_ID],
            meso.ClientError,
            ("the client: expected an object, got a list",),
            id="no-object",
        ),
    ],
)
def test_every_problem_is_named_by_its_key_path(
    data: Any, kind: type[meso.MesotherapyError], found: tuple[str, ...]
) -> None:
    with pytest.raises(kind) as info:
        meso.client_from_dict(data)
    assert type(info.value) is kind
    assert info.value.problems == found
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    assert str(info.value) == found[0] + more
    assert CLIENT_ID not in str(info.value)
    assert "12345" not in str(info.value)


def test_a_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    file = tmp_path / "client.json"
    file.write_bytes(b"\xef\xbb\xbf" + json.dumps(facts(concerns=["dullness"])).encode())
    assert meso.load_client(file) == meso.client_from_dict(facts(concerns=["dullness"]))
    assert meso.load_client(str(file)).id == CLIENT_ID


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"{", "not valid JSON", id="no-json"),
        pytest.param(b'{"birth_date": "\xff"}', "not valid JSON", id="not-utf8"),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, "not valid JSON", id="too-deep"),
        pytest.param(
            json.dumps(facts(pregnant="no")).encode(),
            "pregnant: expected true or false, got 'no'",
            id="bad-value",
        ),
    ],
)
def test_a_bad_file_names_the_file_and_the_problem(
    tmp_path: Path, content: bytes, message: str
) -> None:
    file = tmp_path / "client.json"
    file.write_bytes(content)
    with pytest.raises(meso.ClientError) as info:
        meso.load_client(file)
    assert str(info.value).startswith(f"{file}: ")
    assert message in str(info.value)


@pytest.mark.parametrize("path", [None, 5, b"client.json"])
def test_no_path_is_refused(path: Any) -> None:
    with pytest.raises(meso.ClientError, match=r"^path: expected the path of a client file"):
        meso.load_client(path)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(meso.ClientError, match="cannot read the file"):
        meso.load_client(tmp_path / "absent.json")


def test_the_client_keeps_no_reader_of_its_own() -> None:
    assert not hasattr(meso.Client, "from_dict")
