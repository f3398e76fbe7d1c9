"""The checks of a clinic's values: one reader a key, each naming its field from attrs."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

import mesotherapy as meso
from mesotherapy import _clinic
from mesotherapy._errors import ClinicError, InvalidTimeError, MesotherapyError, UnknownCodeError


def test_every_field_of_a_clinic_has_one_reader() -> None:
    # The validators and the clinic file look a key's reader up by the field's name.
    fields = {field.name for field in attrs.fields(meso.Clinic) if field.init}
    assert set(_clinic._READERS) == fields


@pytest.mark.parametrize(
    ("value", "changes", "error", "expected"),
    [
        (meso.example_clinic(), {"name": " "}, ClinicError, "name: expected non-empty text"),
        (meso.example_clinic(), {"timezone": 5}, ClinicError, "timezone: expected an IANA"),
        (meso.example_clinic(), {"hours": {"monday": [["9", "12"]]}}, InvalidTimeError, "hours."),
        (meso.example_clinic(), {"closures": [{}]}, ClinicError, "closures[0].start: missing"),
        (meso.example_clinic(), {"holidays": "X"}, UnknownCodeError, "holidays: unknown"),
        (
            meso.example_clinic(),
            {"holiday_categories": ["bank"]},
            UnknownCodeError,
            "holiday_categories: ",
        ),
        (meso.example_clinic(), {"slot_minutes": True}, ClinicError, "slot_minutes: expected"),
        (meso.Interval(start="09:00", end="10:00"), {"end": "08:00"}, ClinicError, "end: "),
        (meso.Interval(start="09:00", end="10:00"), {"start": 9}, ClinicError, "start: "),
        (meso.OpeningHours(), {"friday": "09:00"}, ClinicError, "friday: expected a list"),
        (meso.Closure(start="2026-12-24"), {"end": "2026-12-01"}, ClinicError, "end: expected"),
        (meso.Closure(start="2026-12-24"), {"reason": 3}, ClinicError, "reason: expected"),
    ],
)
def test_a_changed_value_is_checked_and_named_by_its_field(
    value: Any, changes: dict[str, object], error: type[MesotherapyError], expected: str
) -> None:
    # attrs.evolve builds anew: the converters and validators run, as in the first build.
    with pytest.raises(error) as info:
        attrs.evolve(value, **changes)
    assert str(info.value).startswith(expected)


def test_a_day_given_once_as_an_iterator_is_read_and_checked_once() -> None:
    def day() -> object:
        yield ("09:00", "12:00")
        yield ("11:00", "13:00")

    with pytest.raises(ClinicError, match=r"^monday\[1\]: 11:00-13:00 overlaps"):
        meso.OpeningHours(monday=day())  # type: ignore[arg-type]
    hours = meso.OpeningHours(monday=iter([("09:00", "12:00")]))
    assert [str(interval) for interval in hours.monday] == ["09:00-12:00"]
