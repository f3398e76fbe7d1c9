"""A clinic's errors of shape are a `ClinicError`, a `RuleSetError` whose problems are kept."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import mesotherapy as meso
from mesotherapy import ClinicError, InvalidTimeError, RuleSetError
from mesotherapy._clinic_file import clinic_from_dict

TORONTO = "America/Toronto"
UNKNOWN_KEY = (
    "colour: unknown key, expected one of closures, holiday_categories, holidays, hours, "
    "name, slot_minutes, timezone"
)
UNKNOWN_ZONE = (
    "timezone: unknown IANA time zone 'Mars/Olympus', expected a name such as 'America/Toronto'"
)


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "clinic.toml"
    path.write_text(text, encoding="utf-8")
    return path


CASES: list[tuple[str, Callable[[Path], Any], tuple[str, ...] | None]] = [
    (
        "unknown key in a file",
        lambda tmp: meso.load_clinic(
            _file(tmp, f'name = "A"\ntimezone = "{TORONTO}"\ncolour = 1\n[hours]\n')
        ),
        (UNKNOWN_KEY,),
    ),
    (
        "a file that is no TOML",
        lambda tmp: meso.load_clinic(_file(tmp, "name = \n")),
        None,
    ),
    (
        "a missing file",
        lambda tmp: meso.load_clinic(tmp / "missing.toml"),
        None,
    ),
    (
        "problems of two kinds in a mapping",
        lambda _: clinic_from_dict({"name": "", "timezone": "Mars/Olympus", "hours": {}}),
        (
            "name: expected non-empty text, got ''",
            UNKNOWN_ZONE,
        ),
    ),
    (
        "an interval built in code that ends before it starts",
        lambda _: meso.Interval(start="12:00", end="09:00"),
        ("end: expected the end after the start, got 12:00-09:00",),
    ),
    (
        "opening hours that overlap",
        lambda _: meso.OpeningHours(monday=[("09:00", "12:00"), ("11:00", "18:00")]),
        ("monday[1]: 11:00-18:00 overlaps 09:00-12:00, expected a start after 12:00",),
    ),
    (
        "a closure that ends before it starts",
        lambda _: meso.Closure(start="2026-10-16", end="2026-10-15"),
        ("end: expected a date on or after the start 2026-10-16, got 2026-10-15",),
    ),
    (
        "a slot length of 0",
        lambda _: meso.Clinic(name="A", timezone=TORONTO, hours={}, slot_minutes=0),
        ("slot_minutes: expected a whole number of minutes from 1 to 1440 (such as 15), got 0",),
    ),
]


@pytest.mark.parametrize(("case", "build", "problems"), CASES, ids=[c[0] for c in CASES])
def test_a_clinic_of_the_wrong_shape_is_a_clinic_error(
    tmp_path: Path, case: str, build: Callable[[Path], Any], problems: tuple[str, ...] | None
) -> None:
    with pytest.raises(ClinicError) as caught:
        build(tmp_path)
    error = caught.value
    assert isinstance(error, RuleSetError), case  # `except RuleSetError` still catches it
    if problems is not None:
        assert error.problems == problems
    again = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own error, just pickled
    assert type(again) is ClinicError
    assert (str(again), again.problems) == (str(error), error.problems)


def test_a_clinic_whose_only_problem_is_a_time_keeps_its_invalid_time_error() -> None:
    with pytest.raises(InvalidTimeError) as caught:
        clinic_from_dict({"name": "A", "timezone": "Mars/Olympus", "hours": {}})
    assert not isinstance(caught.value, RuleSetError)


def test_clinic_error_is_exported() -> None:
    assert "ClinicError" in meso.__all__
    assert meso.ClinicError is ClinicError
    assert issubclass(ClinicError, RuleSetError)
