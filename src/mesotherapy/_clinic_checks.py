"""The checks of a clinic's values: each reader checks one value and records its problems.

A reader (``_read_time``, ``_read_zone``...) takes a value and the key path it sits at,
records each problem it finds (`_Problems`) with the error type it belongs to, and gives the
value read, or ``None``. The value types of `._clinic_values` and the `Clinic` of `._clinic`
use them as their validators (`_checks`), and the clinic file (`._clinic_file`) to gather
every problem of a file.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, TypeGuard, TypeVar

import attrs
import pendulum

from ._errors import ClinicError, InvalidTimeError, MesotherapyError, UnknownCodeError, key_path
from ._time import parse_date
from ._zone_keys import zone_key

if TYPE_CHECKING:
    from holidays import HolidayBase

_T = TypeVar("_T")

_CLOCK = re.compile(r"(\d{2}):(\d{2})(?::(\d{2}))?")
_HOLIDAYS_CODE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]+)?")
_MINUTES_A_DAY: Final = 24 * 60


class _Problems:
    """The problems found while reading a clinic, each ``"key.path: message"``."""

    __slots__ = ("found",)

    def __init__(self) -> None:
        self.found: list[tuple[type[MesotherapyError], str]] = []

    def add(self, kind: type[MesotherapyError], path: str, message: str) -> None:
        self.found.append((kind, f"{path}: {message}" if path else message))

    def raise_any(
        self, *, source: str | None = None, kind: type[MesotherapyError] | None = None
    ) -> None:
        """Raise the problems found, if any: as *kind*, else as the one kind they share.

        Problems of several kinds are raised together as a `ClinicError`.
        """
        if not self.found:
            return
        messages = [message for _, message in self.found]
        kinds = {found for found, _ in self.found}
        if kind is None:
            kind = kinds.pop() if len(kinds) == 1 else ClinicError
        if kind is ClinicError:
            raise ClinicError(messages, source=source)
        where = f"{source}: " if source else ""
        more = f" (and {len(messages) - 1} more)" if len(messages) > 1 else ""
        error = kind(f"{where}{messages[0]}{more}")
        error.problems = tuple(messages)  # `clinic check` prints every one
        raise error

    def settle(self, value: _T | None, *, kind: type[MesotherapyError] | None = None) -> _T:
        """*value*, once the problems found (if any) are raised."""
        self.raise_any(kind=kind)
        if value is None:  # pragma: no cover - a reader gives None only with a problem
            msg = "a reader gave no value and no problem"
            raise AssertionError(msg)
        return value


def _clock(time: dt.time) -> str:
    """``HH:MM``, or ``HH:MM:SS`` when there are seconds."""
    return time.strftime("%H:%M:%S" if time.second or time.microsecond else "%H:%M")


def _shown(value: object) -> str:
    if isinstance(value, dt.time | dt.date):
        return repr(value.isoformat())
    return repr(value)


def _is_list(value: object) -> TypeGuard[Iterable[Any]]:
    return isinstance(value, Iterable) and not isinstance(value, str | bytes | Mapping)


def _is_table(
    value: object, path: str, problems: _Problems, expected: str
) -> TypeGuard[Mapping[Any, Any]]:
    if isinstance(value, Mapping):
        return True
    problems.add(ClinicError, path, f"expected {expected}, got {value!r}")
    return False


def _read_text(value: object, path: str, problems: _Problems) -> str | None:
    if not isinstance(value, str) or not value.strip():
        problems.add(ClinicError, path, f"expected non-empty text, got {value!r}")
        return None
    return value


def _read_time(
    value: object, path: str, problems: _Problems, *, whole_minutes: bool = True
) -> pendulum.Time | None:
    expected = "a time of day as HH:MM, from 00:00 to 23:59"
    if isinstance(value, dt.datetime):
        problems.add(InvalidTimeError, path, f"expected {expected}, got a date and time")
        return None
    if isinstance(value, dt.time):
        if value.tzinfo is not None:
            message = f"expected a local time of day without a zone, got {_shown(value)}"
            problems.add(InvalidTimeError, path, message)
            return None
        time = pendulum.time(value.hour, value.minute, value.second, value.microsecond)
    elif isinstance(value, str):
        match = _CLOCK.fullmatch(value)
        hour, minute, second = (int(part or 0) for part in match.groups()) if match else (24, 0, 0)
        if hour > 23 or minute > 59 or second > 59:  # 24:00 too: the day ends at 23:59
            problems.add(InvalidTimeError, path, f"expected {expected}, got {value!r}")
            return None
        time = pendulum.time(hour, minute, second)
    else:
        problems.add(ClinicError, path, f"expected {expected}, got {value!r}")
        return None
    if whole_minutes and (time.second or time.microsecond):
        message = f"expected a whole minute (HH:MM), got {_shown(value)}"
        problems.add(InvalidTimeError, path, message)
        return None
    return time


def _read_any_time(value: object, path: str, problems: _Problems) -> pendulum.Time | None:
    return _read_time(value, path, problems, whole_minutes=False)


def _read_date(value: object, path: str, problems: _Problems) -> pendulum.Date | None:
    if not isinstance(value, str | dt.date):
        problems.add(ClinicError, path, f"expected a date as YYYY-MM-DD, got {value!r}")
        return None
    try:
        return parse_date(value, field=path)
    except InvalidTimeError as error:
        problems.add(InvalidTimeError, "", str(error))
        return None


def _interval_problem(start: dt.time, end: dt.time) -> str | None:
    if end <= start:
        return f"expected the end after the start, got {_clock(start)}-{_clock(end)}"
    return None


def _closure_problem(start: dt.date, end: dt.date) -> str:
    return f"expected a date on or after the start {start.isoformat()}, got {end.isoformat()}"


def _read_holidays(value: object, path: str, problems: _Problems) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        message = f"expected a country code such as 'CA' or 'CA-ON', got {value!r}"
        problems.add(ClinicError, path, message)
        return None
    if not _HOLIDAYS_CODE.fullmatch(value):
        message = (
            f"unknown holidays code {value!r}, expected a country code with an optional "
            "subdivision, such as 'CA' or 'CA-ON'"
        )
        problems.add(UnknownCodeError, path, message)
        return None
    return value


def _read_categories(value: object, path: str, problems: _Problems) -> tuple[str, ...] | None:
    if not _is_list(value):
        message = f"expected a list of holiday categories such as ['public'], got {value!r}"
        problems.add(ClinicError, path, message)
        return None
    read = [_read_text(item, key_path(path, index), problems) for index, item in enumerate(value)]
    categories = {category for category in read if category is not None}
    if not read:
        problems.add(ClinicError, path, "expected at least one category such as 'public'")
    return tuple(sorted(categories)) if categories else None


def _read_slot_minutes(value: object, path: str, problems: _Problems) -> int | None:
    if type(value) is not int or not 0 < value <= _MINUTES_A_DAY:
        message = f"expected a whole number of minutes from 1 to 1440 (such as 15), got {value!r}"
        problems.add(ClinicError, path, message)
        return None
    return value


def _checks(reader: Callable[[object, str, _Problems], object]) -> Callable[[Any, Any, Any], None]:
    def validate(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        problems = _Problems()
        reader(value, attribute.name, problems)
        problems.raise_any()

    return validate


def _read_zone(value: object, path: str, problems: _Problems) -> str | None:
    if not isinstance(value, str):
        message = f"expected an IANA time zone name such as 'America/Toronto', got {value!r}"
        problems.add(ClinicError, path, message)
        return None
    try:
        _zone(value)
    except InvalidTimeError as error:
        problems.add(InvalidTimeError, path, str(error))
        return None
    return value


@functools.lru_cache(maxsize=64)
def _zone(name: str) -> pendulum.Timezone:
    zone_key(name, field=None)  # an IANA key, never a name meaning another zone elsewhere
    try:
        return pendulum.timezone(name)
    except (ValueError, OSError):  # pendulum's InvalidTimezone is a ValueError
        msg = f"unknown IANA time zone {name!r}, expected a name such as 'America/Toronto'"
        raise InvalidTimeError(msg) from None


def _check_holidays(code: str, categories: tuple[str, ...], problems: _Problems) -> None:
    for kind_path, message in _holiday_problems(code, categories):
        problems.add(UnknownCodeError, kind_path, message)


@functools.lru_cache(maxsize=64)
def _holiday_problems(code: str, categories: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """What is wrong with a holidays code and its categories, as ``(key, message)`` pairs."""
    country, _, subdiv = code.partition("-")
    entity = holiday_entity(country)
    if entity is None:
        message = (
            f"unknown country {country!r} in {code!r}, expected a country code that the "
            "holidays package knows, with an optional subdivision, such as 'CA' or 'CA-ON'"
        )
        return (("holidays", message),)
    table = holiday_table(entity, years=())
    if subdiv:
        try:
            table = holiday_table(entity, subdiv=subdiv, years=())
        except NotImplementedError:
            choices = ", ".join(table.subdivisions) or "none"
            message = (
                f"unknown subdivision {subdiv!r} of {country} in {code!r}, "
                f"expected one of {choices}"
            )
            return (("holidays", message),)
    supported = sorted(table.supported_categories)
    return tuple(
        (
            "holiday_categories",
            f"unknown category {category!r} for {code}, expected one of {', '.join(supported)}",
        )
        for category in categories
        if category not in supported
    )


def holiday_table(
    entity: type[HolidayBase],
    *,
    years: int | tuple[int, ...],
    subdiv: str | None = None,
    categories: tuple[str, ...] | None = None,
) -> HolidayBase:
    """The holidays of *entity*, made as ``holidays.country_holidays`` makes them.

    Raises:
        NotImplementedError: *subdiv* is no subdivision of the entity (from holidays).
    """
    return entity(
        years=years,
        subdiv=subdiv,
        expand=True,
        observed=True,
        prov=None,
        state=None,
        language=None,
        categories=categories,
    )


@functools.lru_cache(maxsize=64)
def holiday_entity(code: str) -> type[HolidayBase] | None:
    """The holidays package's class for the country (or market) *code*, or ``None``.

    What ``holidays.country_holidays`` finds under that name, found in the package's
    registry of codes: the package imports every country's module (a tenth of a second)
    the first time one is asked for, and only the one named is loaded here.

    >>> holiday_entity("CA").__name__, holiday_entity("GBR").country, holiday_entity("XX")
    ('CA', 'GB', None)
    """
    from holidays import registry  # noqa: PLC0415 - only for a clinic that asks for holidays

    for kind, table in (("countries", registry.COUNTRIES), ("financial", registry.FINANCIAL)):
        for module, names in table.items():
            if code in names:
                return _entity_class(f"holidays.{kind}.{module}", code)
    return None


def _entity_class(module_name: str, class_name: str) -> type[HolidayBase]:
    """The class *class_name* of the module *module_name* of holidays, loaded alone.

    Each code is a class of its own there (``CA`` and ``CAN`` derive from ``Canada``).

    Imported the usual way, a country's module first imports the package of all the
    countries; its own code needs none of them, so its file is run by itself when that
    package is not loaded yet. The module is left out of ``sys.modules``: a later import
    of the package loads it again, as it would have.
    """
    import importlib.machinery  # noqa: PLC0415 - only for a clinic that asks for holidays
    import importlib.util  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    package = module_name.rpartition(".")[0]
    if module_name in sys.modules or package in sys.modules:
        module = importlib.import_module(module_name)
    else:
        where = importlib.util.find_spec("holidays")
        places = [] if where is None else list(where.submodule_search_locations or ())
        spec = importlib.machinery.PathFinder.find_spec(
            module_name, [str(Path(place, package.rpartition(".")[2])) for place in places]
        )
        if spec is None or spec.loader is None:  # pragma: no cover - not as installed
            module = importlib.import_module(module_name)
        else:
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
    entity: type[HolidayBase] = getattr(module, class_name)
    return entity


# --- The checks of the calendar's arguments ------------------------------------------------


def _minutes(value: object) -> int:
    if type(value) is not int or value < 1:
        msg = f"minutes: expected a whole number of minutes above 0, got {value!r}"
        raise InvalidTimeError(msg)
    return value


def _wall_minute(value: object, *, field: str) -> int:
    if type(value) is not int or not 0 <= value < _MINUTES_A_DAY:
        msg = f"{field}: expected a minute of the day, a whole number from 0 to 1439, got {value!r}"
        raise InvalidTimeError(msg)
    return value
