r"""The diary file (TOML) and its calendars: read and checked, with its bookings file.

A diary file names a clinic file, the bookings file, the buffer between two claims of one
resource, and the practitioners and rooms with the iCalendar files that block them; paths
are relative to the diary file. Every problem of a file is gathered before anything is
built, each naming its key path (``practitioners[1].areas[0]``), the value and what was
expected; see `load_diary`.

The bookings file holds the diary's booked sessions (see `mesotherapy._bookings_file`):
`open_for_booking` reads them under a lock held until they are written, so two runs
never both book one slot.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "clinic.toml").write_text(
...     'name = "Lakeside"\ntimezone = "America/Toronto"\n[hours]\nmonday = [["09:00", "17:00"]]\n')
>>> _ = (folder / "diary.toml").write_text(
...     'clinic = "clinic.toml"\nbuffer_minutes = 10\n'
...     '[[practitioners]]\nid = "dr-h"\nareas = ["face", "neck"]\n'
...     'hours.monday = [["09:00", "13:00"]]\n'
...     '[[rooms]]\nid = "room-1"\n')
>>> diary = load_diary(folder / "diary.toml")
>>> [p.id for p in diary.practitioners], [r.id for r in diary.rooms], diary.buffer_minutes
(['dr-h'], ['room-1'], 10)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import attrs
import pendulum

from ._bookings_file import DiaryParts, locked, read_bookings, save_bookings
from ._busy_calendar import busy_from_ics
from ._clinic import Clinic
from ._clinic_checks import _Problems
from ._clinic_file import load_clinic
from ._clinic_values import WEEKDAYS, Interval, _read_hours
from ._diary import Busy, Diary, Practitioner, Room
from ._diary_shape import within
from ._errors import ClinicError, InvalidTimeError, MesotherapyError, RuleSetError, key_path
from ._model import Area
from ._session import id_problem
from ._time import parse_date
from ._toml import read_toml

__all__ = ["DiaryFile", "load_diary", "open_for_booking", "read_bookings", "save_bookings"]

_DIARY_KEYS: Final = ("bookings", "buffer_minutes", "clinic", "practitioners", "rooms")
_PRACTITIONER_KEYS: Final = ("areas", "busy", "hours", "id", "name")
_ROOM_KEYS: Final = ("areas", "busy", "id", "name")
_DEFAULT_BOOKINGS: Final = "bookings.json"


@attrs.frozen
class DiaryFile:
    """A diary read from its file, and the path of its bookings file (for `save_bookings`)."""

    diary: Diary
    bookings: Path


@attrs.define
class _Context:
    """What the readers of a diary file's tables share: where paths start, what they found."""

    folder: Path
    clinic: Clinic | None
    problems: _Problems
    horizon: tuple[pendulum.Date, pendulum.Date | None] | None = None
    busy: list[Busy] = attrs.field(factory=list)


def load_diary(
    path: str | os.PathLike[str],
    *,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
) -> Diary:
    r"""Load a diary file (TOML), its clinic file, its calendars and its bookings file.

    The file is shaped like ``docs/examples/diary/diary.toml``: ``clinic`` (a clinic file,
    as `load_clinic` reads), ``bookings`` (a JSON file of booked sessions, written by
    ``mesotherapy book --save``; ``bookings.json`` when left out; a missing file holds no
    bookings), ``buffer_minutes`` (0 when left out), then ``[[practitioners]]`` (``id``,
    ``name``, ``areas``, ``busy``: a list of iCalendar files, ``hours.<weekday>``: their
    own hours, within the clinic's) and ``[[rooms]]`` (``id``, ``name``, ``areas``: every
    area when left out, ``busy``). Paths are relative to the diary file.

    The calendars are read by `mesotherapy.ical.busy_from_ics` (the ``ical`` extra) from
    the local date *start* (default: today, in the clinic's zone) to *end* (default: a
    year later): a weekly block without an end recurs forever, and a diary needs a
    horizon (`mesotherapy.ical.busy_from_ics` says how each kind of event blocks). Their
    events' summaries are not kept (they may name clients).

    Every problem of the file is named by its key path (the module's example loads one):

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "diary.toml"
    >>> _ = path.write_text('clinic = "nowhere.toml"\n[[practitioners]]\nid = "dr-h"\n'
    ...                     'areas = ["elbow"]\n[[rooms]]\nid = "room-1"\n')
    >>> try:
    ...     load_diary(path)
    ... except ClinicError as error:
    ...     print(*error.problems, sep="\n")  # doctest: +ELLIPSIS
    clinic: nowhere.toml: cannot read the file (No such file or directory)
    practitioners[0].areas[0]: unknown area 'elbow', expected one of face, neck, ...

    Raises:
        ClinicError: the file cannot be read or is no TOML, or its shape is wrong: an
            unknown or missing key, an unknown area, a missing or unreadable calendar, a
            practitioner whose hours lie outside the clinic's, two resources with one id,
            a problem of the clinic file; or the bookings file is malformed, names a
            resource the diary has not, or holds two claims that overlap. It lists every
            problem, each naming its key path, and its ``source`` is the file.
        InvalidTimeError: *start* or *end* is no date, or *end* is not after *start*.
    """
    return _with_bookings(_read_parts(path, _window(start, end)))


@contextlib.contextmanager
def open_for_booking(
    path: str | os.PathLike[str],
    *,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
) -> Iterator[DiaryFile]:
    """The diary of the file at *path*, its bookings read under a lock held until the end.

    The lock (``fcntl.flock`` on the file ``<bookings>.lock`` beside the bookings file)
    is held from reading the bookings to the end of the ``with`` block, where the caller
    writes them with `save_bookings`: two runs that book into one diary take turns, and
    the second sees what the first saved. The lock file stays; it holds nothing. *start*
    and *end* are the calendars' window, as for `load_diary`.

    Raises:
        ClinicError: as `load_diary`, or the lock file cannot be opened.
    """
    parts = _read_parts(path, _window(start, end))
    with locked(parts.bookings):
        yield DiaryFile(diary=_with_bookings(parts), bookings=parts.bookings)


# --- the diary file ---------------------------------------------------------------------


Window = tuple[pendulum.Date | None, pendulum.Date | None]


def _read_parts(path: object, window: Window) -> DiaryParts:
    try:
        where, data = read_toml(path, kind="diary file")
    except RuleSetError as error:  # the refusals of every TOML file, as a diary file's
        raise ClinicError(error.problems, source=error.source) from None
    folder = Path(where).parent
    problems = _Problems()
    for key in data:
        if key not in _DIARY_KEYS:
            problems.add(
                ClinicError, str(key), f"unknown key, expected one of {_listed(_DIARY_KEYS)}"
            )
    clinic = _read_clinic(data.get("clinic"), folder, problems)
    bookings = _read_path(data.get("bookings", _DEFAULT_BOOKINGS), "bookings", folder, problems)
    buffer = data.get("buffer_minutes", 0)
    if isinstance(buffer, bool) or not isinstance(buffer, int) or buffer < 0:
        problems.add(
            ClinicError,
            "buffer_minutes",
            f"expected a whole number of minutes, 0 or more, got {buffer!r}",
        )
    horizon = _horizon(window, clinic)
    context = _Context(folder=folder, clinic=clinic, problems=problems, horizon=horizon)
    practitioners = [
        p
        for n, item in enumerate(_tables(data, "practitioners", problems))
        if (p := _read_practitioner(item, f"practitioners[{n}]", context))
    ]
    rooms = [
        r
        for n, item in enumerate(_tables(data, "rooms", problems))
        if (r := _read_room(item, f"rooms[{n}]", context))
    ]
    _check_ids(data, problems)
    problems.raise_any(source=where, kind=ClinicError)
    assert clinic is not None  # noqa: S101 - a missing clinic is a problem raised above
    assert bookings is not None  # noqa: S101 - as the clinic
    return DiaryParts(
        source=where,
        clinic=clinic,
        practitioners=tuple(practitioners),
        rooms=tuple(rooms),
        busy=tuple(context.busy),
        buffer_minutes=buffer,
        bookings=bookings,
    )


def _listed(keys: Sequence[str]) -> str:
    return ", ".join(keys)


def _read_path(value: object, path: str, folder: Path, problems: _Problems) -> Path | None:
    if not isinstance(value, str) or not value.strip():
        problems.add(ClinicError, path, f"expected the path of a file (text), got {value!r}")
        return None
    return folder / value


def _read_clinic(value: object, folder: Path, problems: _Problems) -> Clinic | None:
    if value is None:
        problems.add(ClinicError, "clinic", "missing, expected the path of a clinic file")
        return None
    file = _read_path(value, "clinic", folder, problems)
    if file is None:
        return None
    try:
        return load_clinic(file)
    except MesotherapyError as error:
        for problem in error.problems or (str(error),):
            # The clinic file's own problems, each under the diary's key and the file's name.
            inner = problem.removeprefix(f"{file}: ")
            problems.add(ClinicError, "clinic", f"{value}: {inner}")
        return None


def _tables(data: Mapping[str, Any], key: str, problems: _Problems) -> list[Mapping[str, Any]]:
    value = data.get(key)
    if value is None:
        problems.add(ClinicError, key, f"missing, expected at least one [[{key}]] table")
        return []
    if not isinstance(value, list) or not value:
        problems.add(ClinicError, key, f"expected at least one [[{key}]] table, got {value!r}")
        return []
    found: list[Mapping[str, Any]] = []
    for n, item in enumerate(value):
        if isinstance(item, Mapping):
            found.append(item)
        else:
            problems.add(ClinicError, key_path(key, n), f"expected a table, got {item!r}")
            found.append({})
    return found


def _unknown_keys(
    item: Mapping[str, Any], path: str, keys: Sequence[str], problems: _Problems
) -> None:
    for key in item:
        if key not in keys:
            message = f"unknown key, expected one of {_listed(keys)}"
            problems.add(ClinicError, key_path(path, str(key)), message)


def _read_id(item: Mapping[str, Any], path: str, problems: _Problems) -> str | None:
    value = item.get("id")
    if value is None:
        problems.add(ClinicError, key_path(path, "id"), "missing, expected an id such as 'dr-h'")
        return None
    # A resource's id goes into each session it takes, and so into exports: a session id.
    if problem := id_problem(value, key_path(path, "id")):
        problems.add(ClinicError, "", problem)
        return None
    return str(value)


def _read_name(item: Mapping[str, Any], path: str, problems: _Problems) -> str:
    value = item.get("name", "")
    if not isinstance(value, str):
        problems.add(ClinicError, key_path(path, "name"), f"expected text, got {value!r}")
        return ""
    return value


def _read_areas(value: object, path: str, problems: _Problems) -> list[Area] | None:
    if not isinstance(value, list):
        problems.add(
            ClinicError, path, f"expected a list of areas such as ['face', 'neck'], got {value!r}"
        )
        return None
    areas: list[Area] = []
    for n, item in enumerate(value):
        try:
            areas.append(Area.parse(item, field=key_path(path, n)))
        except MesotherapyError as error:
            problems.add(ClinicError, "", str(error))
    return areas if len(areas) == len(value) else None


def _read_busy(item: Mapping[str, Any], path: str, resource: str | None, context: _Context) -> None:
    problems, folder = context.problems, context.folder
    value = item.get("busy", [])
    where = key_path(path, "busy")
    if not isinstance(value, list):
        problems.add(ClinicError, where, f"expected a list of iCalendar files, got {value!r}")
        return
    for n, name in enumerate(value):
        file = _read_path(name, key_path(where, n), folder, problems)
        if file is None:
            continue
        if not file.is_file():
            message = (
                f"cannot read the calendar {name!r} (no such file), expected an iCalendar file"
            )
            problems.add(ClinicError, key_path(where, n), message)
            continue
        if resource is None or context.clinic is None or context.horizon is None:
            continue
        try:
            context.busy.extend(_calendar(file, resource, context.clinic, context.horizon))
        except MesotherapyError as error:
            for problem in error.problems or (str(error),):
                inner = problem.removeprefix(f"{file}: ")
                problems.add(ClinicError, key_path(where, n), f"{name}: {inner}")


def _calendar(
    file: Path, resource: str, clinic: Clinic, horizon: tuple[pendulum.Date, pendulum.Date | None]
) -> Sequence[Busy]:
    """The busy intervals of *resource* in the iCalendar *file*, within *horizon*."""
    start, end = horizon
    return busy_from_ics(file, resource, start=start, end=end, zone=clinic.timezone)


def _window(start: dt.date | str | None, end: dt.date | str | None) -> Window:
    """The calendars' window as given: dates read, and *end* after *start* when both are."""
    first = None if start is None else parse_date(start, field="start")
    last = None if end is None else parse_date(end, field="end")
    if first is not None and last is not None and last <= first:
        msg = f"end: expected a date after the start {first}, got {last}"
        raise InvalidTimeError(msg)
    return first, last


def _horizon(
    window: Window, clinic: Clinic | None
) -> tuple[pendulum.Date, pendulum.Date | None] | None:
    """The local dates from which (and to which) the calendars are read."""
    if clinic is None:
        return None
    start, end = window
    if start is None:  # today at the clinic
        start = pendulum.now(clinic.timezone).date()
    if end is not None and end <= start:
        return start, None
    return start, end


def _read_practitioner(
    item: Mapping[str, Any], path: str, context: _Context
) -> Practitioner | None:
    problems = context.problems
    found = len(problems.found)
    _unknown_keys(item, path, _PRACTITIONER_KEYS, problems)
    resource = _read_id(item, path, problems)
    name = _read_name(item, path, problems)
    if "areas" not in item:
        problems.add(ClinicError, key_path(path, "areas"), "missing, expected the areas they treat")
        areas = None
    else:
        areas = _read_areas(item["areas"], key_path(path, "areas"), problems)
    hours = _read_own_hours(item.get("hours"), key_path(path, "hours"), context)
    _read_busy(item, path, resource, context)
    if len(problems.found) > found or resource is None or areas is None:
        return None
    return Practitioner(id=resource, name=name, areas=areas, hours=hours)


def _read_own_hours(value: object, path: str, context: _Context) -> dict[str, tuple[Interval, ...]]:
    problems, clinic = context.problems, context.clinic
    if value is None:
        return {}
    found = len(problems.found)
    week = _read_hours(value, path, problems)
    if week is None or len(problems.found) > found or not isinstance(value, Mapping):
        return {}
    days = {str(day).strip().lower() for day in value}
    own: dict[str, tuple[Interval, ...]] = {
        day: week.weekday(day) for day in WEEKDAYS if day in days
    }
    if clinic is not None:
        for day, intervals in own.items():
            opening = clinic.hours.weekday(day)
            for n, interval in enumerate(intervals):
                if not any(within(interval, hours) for hours in opening):
                    open_ = ", ".join(str(i) for i in opening) or "closed"
                    message = (
                        f"{interval} lies outside the clinic's hours ({open_}), expected "
                        "within them"
                    )
                    problems.add(ClinicError, key_path(key_path(path, day), n), message)
    return own


def _read_room(item: Mapping[str, Any], path: str, context: _Context) -> Room | None:
    problems = context.problems
    found = len(problems.found)
    _unknown_keys(item, path, _ROOM_KEYS, problems)
    resource = _read_id(item, path, problems)
    name = _read_name(item, path, problems)
    areas = None
    if "areas" in item:
        areas = _read_areas(item["areas"], key_path(path, "areas"), problems)
    _read_busy(item, path, resource, context)
    if len(problems.found) > found or resource is None:
        return None
    return Room(id=resource, name=name, areas=areas)


def _check_ids(data: Mapping[str, Any], problems: _Problems) -> None:
    """Two resources with one id: the second is named, with the first."""
    seen: dict[str, str] = {}
    for kind in ("practitioners", "rooms"):
        items = data.get(kind)
        if not isinstance(items, list):
            continue
        for n, item in enumerate(items):
            resource = item.get("id") if isinstance(item, Mapping) else None
            if not isinstance(resource, str):
                continue
            here = f"{kind}[{n}].id"
            if resource in seen:
                message = (
                    f"{resource!r} is the id of {seen[resource]} already, expected one id "
                    "for each resource"
                )
                problems.add(ClinicError, here, message)
            else:
                seen[resource] = kind[:-1] + f" {n + 1}"


def _with_bookings(parts: DiaryParts) -> Diary:
    bookings = read_bookings(parts.bookings, parts)
    return Diary(
        clinic=parts.clinic,
        practitioners=parts.practitioners,
        rooms=parts.rooms,
        busy=parts.busy,
        bookings=bookings,
        buffer_minutes=parts.buffer_minutes,
    )
