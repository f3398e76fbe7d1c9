"""The clinic file (TOML) and clinic mappings: read, validated key by key, and written back.

Every problem of a file is gathered before anything is built, each naming its key path
(``hours.monday[1]``), the value and what was expected; see `load_clinic`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import attrs

from ._clinic import _READERS, Clinic
from ._clinic_checks import _check_holidays, _clock, _Problems
from ._errors import ClinicError, RuleSetError
from ._toml import read_toml

__all__ = ["clinic_from_dict", "clinic_to_dict", "load_clinic"]


def _is_mapping(value: object) -> bool:
    return isinstance(value, Mapping)


def load_clinic(path: str | os.PathLike[str]) -> Clinic:
    r"""Load a clinic file (TOML), validating every key.

    The file is shaped like ``docs/examples/clinic.toml``: ``name``, ``timezone``,
    optional ``holidays``, ``holiday_categories`` and ``slot_minutes``, an ``[hours]``
    table of weekdays, each a list of ``["HH:MM", "HH:MM"]`` pairs (a weekday left out is
    closed), and ``[[closures]]`` with a ``start``, an optional ``end`` and ``reason``.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "clinic.toml"
    >>> _ = path.write_text('name = "Lakeside"\ntimezone = "America/Toronto"\n'
    ...                     '[hours]\nmonday = [["09:00", "12:00"], ["13:00", "18:00"]]\n')
    >>> [str(interval) for interval in load_clinic(path).hours.monday]
    ['09:00-12:00', '13:00-18:00']

    Raises:
        ClinicError: the file cannot be read or is not TOML, or its shape is wrong (an
            unknown or missing key, a wrong type, an interval that ends before it starts
            or overlaps another...); it lists every problem, each naming its key path
            (``hours.monday[1]``), the value, and what was expected.
        InvalidTimeError: the only problems are times, dates or a time zone that cannot
            be read (``"25:00"``, ``"Mars/Olympus"``).
        UnknownCodeError: the only problems are unknown weekdays or holidays codes.
    """
    try:
        where, data = read_toml(path, kind="clinic file")
    except RuleSetError as error:  # the refusals of every TOML file, as a clinic file's
        raise ClinicError(error.problems, source=error.source) from None
    return clinic_from_dict(data, source=where)


def clinic_from_dict(data: Mapping[str, Any], *, source: str | None = None) -> Clinic:
    """A clinic from a mapping shaped as the clinic file, validated as `load_clinic` does.

    >>> clinic_from_dict({"name": "Lakeside", "timezone": "Mars/Olympus", "hours": {}})
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mesotherapy._errors.InvalidTimeError: timezone: unknown IANA time zone 'Mars/Olympus', ...

    Raises:
        ClinicError, InvalidTimeError, UnknownCodeError: as `load_clinic`; *source*, when
            given, starts each message.
    """
    problems = _Problems()
    if not _is_mapping(data):
        problems.add(ClinicError, "the document", f"expected a table (a mapping), got {data!r}")
        problems.raise_any(source=source)
    for key in data:
        if key not in _READERS:
            message = f"unknown key, expected one of {', '.join(sorted(_READERS))}"
            problems.add(ClinicError, str(key), message)
    fields: dict[str, Any] = {}
    for field in attrs.fields(Clinic):
        if field.name not in _READERS:
            continue
        if field.name in data:
            value = data[field.name]
        elif field.default is attrs.NOTHING:
            problems.add(ClinicError, field.name, "missing, expected a value")
            continue
        else:
            value = field.default
        fields[field.name] = _READERS[field.name](value, field.name, problems)
    if fields["holidays"] is not None and fields["holiday_categories"] is not None:
        _check_holidays(fields["holidays"], fields["holiday_categories"], problems)
    problems.raise_any(source=source)
    return Clinic(**fields)


def clinic_to_dict(clinic: Clinic) -> dict[str, Any]:
    """The clinic as plain data shaped as the clinic file; `clinic_from_dict` reads it back.

    >>> from mesotherapy import example_clinic
    >>> clinic = example_clinic()
    >>> clinic_to_dict(clinic)["hours"]["saturday"]
    [['10:00', '16:00']]
    >>> clinic_from_dict(clinic_to_dict(clinic)) == clinic
    True
    """
    data: dict[str, Any] = {"name": clinic.name, "timezone": clinic.timezone}
    if clinic.holidays is not None:
        data["holidays"] = clinic.holidays
    data["holiday_categories"] = list(clinic.holiday_categories)
    data["slot_minutes"] = clinic.slot_minutes
    data["hours"] = {
        name: [[_clock(interval.start), _clock(interval.end)] for interval in intervals]
        for name, intervals in clinic.hours.items()
        if intervals
    }
    if clinic.closures:
        data["closures"] = [
            {"start": closure.start.isoformat(), "end": closure.end.isoformat()}
            | ({"reason": closure.reason} if closure.reason else {})
            for closure in clinic.closures
        ]
    return data
