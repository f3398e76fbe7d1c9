r"""The diary file (TOML), its calendars and its bookings file (JSON): read, checked, written.

A diary file names a clinic file, the bookings file, the buffer between two claims of one
resource, and the practitioners and rooms with the iCalendar files that block them; paths
are relative to the diary file. Every problem of a file is gathered before anything is
built, each naming its key path (``practitioners[1].areas[0]``), the value and what was
expected; see `load_diary`.

The bookings file holds the diary's booked sessions. `save_bookings` replaces it
atomically (a temporary file in the same directory, flushed to disk, then renamed over
it), so a run that fails, is refused or is killed leaves it byte for byte as it was;
`open_for_booking` holds a lock beside it from reading the bookings to writing them, so
two runs never both book one slot.

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
import json
import os
import stat
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import attrs
import pendulum

from ._busy_calendar import busy_from_ics
from ._clinic import Clinic
from ._clinic_checks import _Problems
from ._clinic_file import load_clinic
from ._clinic_values import WEEKDAYS, Interval, _read_hours
from ._diary import Booking, Busy, Diary, Practitioner, Room
from ._errors import ClinicError, InvalidTimeError, MesotherapyError, RuleSetError, key_path
from ._json import BOOKINGS_SCHEMA, bookings_document
from ._model import Area
from ._session import id_problem
from ._time import parse_date
from ._toml import read_toml

__all__ = ["DiaryFile", "load_diary", "open_for_booking", "read_bookings", "save_bookings"]

_DIARY_KEYS: Final = ("bookings", "buffer_minutes", "clinic", "practitioners", "rooms")
_PRACTITIONER_KEYS: Final = ("areas", "busy", "hours", "id", "name")
_ROOM_KEYS: Final = ("areas", "busy", "id", "name")
_BOOKING_KEYS: Final = ("end", "plan", "practitioner", "room", "session", "start")
_DEFAULT_BOOKINGS: Final = "bookings.json"


@attrs.frozen
class DiaryFile:
    """A diary read from its file, and the path of its bookings file (for `save_bookings`)."""

    diary: Diary
    bookings: Path


@attrs.frozen
class _Parts:
    """What a diary file gives before its bookings are read."""

    source: str
    clinic: Clinic
    practitioners: tuple[Practitioner, ...]
    rooms: tuple[Room, ...]
    busy: tuple[Busy, ...]
    buffer_minutes: int
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
    with _locked(parts.bookings):
        yield DiaryFile(diary=_with_bookings(parts), bookings=parts.bookings)


def save_bookings(diary: Diary, path: str | os.PathLike[str]) -> None:
    """Write *diary*'s bookings to the bookings file at *path*, atomically.

    The document goes to a temporary file in the same directory, flushed and synced to
    disk, which then replaces *path* in one rename: a reader sees the old file or the new
    one, never a part, and a run that fails or is killed before the rename leaves *path*
    byte for byte as it was. The file keeps its permissions.

    Raises:
        ClinicError: the file cannot be written (its message names it and says why).
    """
    target = Path(path)
    text = json.dumps(bookings_document(diary), indent=2, ensure_ascii=False) + "\n"
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = 0o644
    except OSError as error:
        raise _unwritable(target, error) from None
    try:
        handle, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
        )
    except OSError as error:
        raise _unwritable(target, error) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        Path(temporary).chmod(mode)
        Path(temporary).replace(target)
    except BaseException as error:
        # Whatever stopped the write (a full disk, an interrupt), the old file stands.
        with contextlib.suppress(OSError):
            Path(temporary).unlink()
        if isinstance(error, OSError):
            raise _unwritable(target, error) from None
        raise
    _sync_directory(target.parent)


def _unwritable(target: Path, error: OSError) -> ClinicError:
    reason = error.strerror or type(error).__name__
    return ClinicError([f"cannot write the bookings file ({reason})"], source=str(target))


def _sync_directory(folder: Path) -> None:
    """Make the rename itself durable: the directory's entry is synced too (POSIX)."""
    with contextlib.suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


@contextlib.contextmanager
def _locked(bookings: Path) -> Iterator[None]:
    import fcntl  # noqa: PLC0415 - POSIX only, and only when booking

    lock = bookings.with_name(f"{bookings.name}.lock")
    try:
        handle = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise ClinicError([f"cannot open the lock file ({reason})"], source=str(lock)) from None
    try:
        # The lock is on a file of its own: the bookings file is replaced by a rename,
        # and a lock on it would stay with the old file.
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # closing it releases the lock


# --- the diary file ---------------------------------------------------------------------


Window = tuple[pendulum.Date | None, pendulum.Date | None]


def _read_parts(path: object, window: Window) -> _Parts:
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
    return _Parts(
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
                if not any(_within(interval, hours) for hours in opening):
                    open_ = ", ".join(str(i) for i in opening) or "closed"
                    message = (
                        f"{interval} lies outside the clinic's hours ({open_}), expected "
                        "within them"
                    )
                    problems.add(ClinicError, key_path(key_path(path, day), n), message)
    return own


def _within(inner: Interval, outer: Interval) -> bool:
    return outer.start_minute <= inner.start_minute and inner.end_minute <= outer.end_minute


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


# --- the bookings file ------------------------------------------------------------------


def _with_bookings(parts: _Parts) -> Diary:
    bookings = read_bookings(parts.bookings, parts)
    return Diary(
        clinic=parts.clinic,
        practitioners=parts.practitioners,
        rooms=parts.rooms,
        busy=parts.busy,
        bookings=bookings,
        buffer_minutes=parts.buffer_minutes,
    )


def read_bookings(path: Path, parts: _Parts) -> tuple[Booking, ...]:
    """The bookings of the file at *path*, checked against the diary's *parts*.

    A missing file holds no bookings.

    Raises:
        ClinicError: the file cannot be read, is no JSON or no bookings document, an entry
            is malformed or names a resource the diary has not, or two claims of one
            resource meet (the buffer included); each problem names the entry
            (``bookings[3].room``), and ``source`` is the file.
    """
    source = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return ()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise ClinicError([f"cannot read the bookings file ({reason})"], source=source) from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        message = f"cannot read the file: not UTF-8 (byte {error.start} is not valid UTF-8)"
        raise ClinicError([message], source=source) from None
    except (ValueError, RecursionError) as error:
        raise ClinicError([f"not valid JSON ({error})"], source=source) from None
    problems = _Problems()
    entries = _bookings_entries(data, problems)
    problems.raise_any(source=source, kind=ClinicError)
    ids = {p.id for p in parts.practitioners}, {r.id for r in parts.rooms}
    zone = parts.clinic.timezone
    read = [(n, _read_booking(item, n, ids, zone, problems)) for n, item in enumerate(entries)]
    problems.raise_any(source=source, kind=ClinicError)
    bookings = [(n, booking) for n, booking in read if booking is not None]
    _check_sessions(bookings, problems)
    _check_overlaps(bookings, parts, problems)
    problems.raise_any(source=source, kind=ClinicError)
    return tuple(booking for _, booking in bookings)


def _bookings_entries(data: object, problems: _Problems) -> list[object]:
    if not isinstance(data, Mapping):
        problems.add(
            ClinicError, "the document", f"expected an object, got a {type(data).__name__}"
        )
        return []
    for key in data:
        if key not in ("bookings", "schema"):
            problems.add(ClinicError, str(key), "unknown key, expected one of bookings, schema")
    if data.get("schema") != BOOKINGS_SCHEMA:
        problems.add(
            ClinicError, "schema", f"expected {BOOKINGS_SCHEMA}, got {data.get('schema')!r}"
        )
    entries = data.get("bookings")
    if not isinstance(entries, list):
        problems.add(ClinicError, "bookings", f"expected a list of bookings, got {entries!r}")
        return []
    return entries


def _read_booking(
    item: object, n: int, ids: tuple[set[str], set[str]], zone: str, problems: _Problems
) -> Booking | None:
    path = f"bookings[{n}]"
    if not isinstance(item, Mapping):
        problems.add(ClinicError, path, f"expected an object, got {item!r}")
        return None
    found = len(problems.found)
    _check_keys(item, path, problems)
    if len(problems.found) > found:
        return None
    for key in ("plan", "session"):
        if problem := id_problem(item[key], key_path(path, key), longest=240):
            problems.add(ClinicError, "", problem)
    _check_resources(item, path, ids, problems)
    start = _instant(item["start"], key_path(path, "start"), zone, problems)
    end = _instant(item["end"], key_path(path, "end"), zone, problems)
    if start is not None and end is not None and end <= start:
        message = f"expected a time after the start {start.isoformat()}, got {end.isoformat()!r}"
        problems.add(ClinicError, key_path(path, "end"), message)
    if len(problems.found) > found or start is None or end is None:
        return None
    return Booking(
        start=start,
        end=end,
        plan=item["plan"],
        session=item["session"],
        practitioner=item["practitioner"],
        room=item["room"],
    )


def _check_keys(item: Mapping[str, Any], path: str, problems: _Problems) -> None:
    for key in item:
        if key not in _BOOKING_KEYS:
            message = f"unknown key, expected one of {_listed(_BOOKING_KEYS)}"
            problems.add(ClinicError, key_path(path, str(key)), message)
    for key in _BOOKING_KEYS:
        if key not in item:
            problems.add(ClinicError, key_path(path, key), "missing, expected a value")


def _check_resources(
    item: Mapping[str, Any], path: str, ids: tuple[set[str], set[str]], problems: _Problems
) -> None:
    for key, known in zip(("practitioner", "room"), ids, strict=True):
        if item[key] not in known:
            expected = ", ".join(sorted(known))
            message = f"{item[key]!r} is no {key} of the diary, expected one of {expected}"
            problems.add(ClinicError, key_path(path, key), message)


def _instant(value: object, path: str, zone: str, problems: _Problems) -> pendulum.DateTime | None:
    moment = None
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            moment = dt.datetime.fromisoformat(value)
    if moment is None or moment.utcoffset() is None:
        message = f"expected an ISO 8601 date and time with its UTC offset, got {value!r}"
        problems.add(ClinicError, path, message)
        return None
    # The offset fixes the instant; the clinic's zone gives back the IANA name.
    return pendulum.instance(moment.astimezone(dt.UTC)).in_timezone(zone)


def _check_sessions(bookings: Sequence[tuple[int, Booking]], problems: _Problems) -> None:
    seen: dict[str, int] = {}
    for n, booking in bookings:
        if booking.session in seen:
            first = seen[booking.session]
            message = f"session {booking.session!r} is booked in bookings[{first}] already"
            problems.add(ClinicError, f"bookings[{n}].session", message)
        else:
            seen[booking.session] = n


@attrs.frozen(order=True)
class _Claim:
    start: int
    end: int
    entry: int | None = attrs.field(order=False)  # the booking's entry; None for busy time
    what: str = attrs.field(order=False)


def _check_overlaps(
    bookings: Sequence[tuple[int, Booking]], parts: _Parts, problems: _Problems
) -> None:
    """Two claims of one resource that meet, one of them a booking: the booking is named.

    One sweep a resource over its claims in order of start: a claim meets an earlier one
    exactly when it starts before the latest end so far plus the buffer. Busy blocks may
    meet one another (calendars overlap); a booking may meet nothing.
    """
    buffer = parts.buffer_minutes * 60
    lanes: dict[str, list[_Claim]] = {}
    for busy in parts.busy:
        label = f" ({busy.label})" if busy.label else ""
        what = f"busy {busy.start.isoformat()} to {busy.end.isoformat()}{label}"
        claim = _Claim(int(busy.start.timestamp()), int(busy.end.timestamp()), None, what)
        lanes.setdefault(busy.resource, []).append(claim)
    for n, booking in bookings:
        when = f"{booking.start.isoformat()} to {booking.end.isoformat()}"
        claim = _Claim(
            int(booking.start.timestamp()),
            int(booking.end.timestamp()),
            n,
            f"session {booking.session!r} ({when})",
        )
        for resource in (booking.practitioner, booking.room):
            lanes.setdefault(resource, []).append(claim)
    reported: set[int] = set()
    for resource, claims in lanes.items():
        latest: _Claim | None = None  # the claim with the latest end so far
        latest_booked: _Claim | None = None
        for claim in sorted(claims):
            other = latest if claim.entry is not None else latest_booked
            if other is not None and claim.start < other.end + buffer:
                entry = claim.entry if claim.entry is not None else other.entry
                assert entry is not None  # noqa: S101 - one of the two is a booking
                if entry not in reported:
                    reported.add(entry)
                    mine, theirs = (claim, other) if claim.entry == entry else (other, claim)
                    message = (
                        f"{mine.what} of {resource!r} meets {theirs.what}"
                        f"{_buffer_words(parts.buffer_minutes)}, "
                        "expected no two claims of one resource to meet"
                    )
                    problems.add(ClinicError, f"bookings[{entry}]", message)
            if latest is None or claim.end > latest.end:
                latest = claim
            if claim.entry is not None and (latest_booked is None or claim.end > latest_booked.end):
                latest_booked = claim


def _buffer_words(minutes: int) -> str:
    return f" (with the {minutes}-minute buffer)" if minutes else ""
