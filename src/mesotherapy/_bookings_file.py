r"""The bookings file (JSON) of a diary: its document read and checked, saved atomically, locked.

The bookings file holds the diary's booked sessions. `save_bookings` replaces it
atomically (a temporary file in the same directory, flushed to disk, then renamed over
it), so a run that fails, is refused or is killed leaves it byte for byte as it was;
`mesotherapy._diary_file.open_for_booking` holds a lock (`locked`) beside it from reading
the bookings to writing them, so two runs never both book one slot. `read_bookings` reads
it against what the diary file gave (`DiaryParts`).
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

from ._clinic import Clinic
from ._clinic_checks import _Problems
from ._diary import Booking, Busy, Diary, Practitioner, Room
from ._errors import ClinicError, key_path
from ._json import BOOKINGS_SCHEMA, bookings_document
from ._session import id_problem
from ._time import plain_utc

__all__ = ["DiaryParts", "locked", "read_bookings", "save_bookings"]

_BOOKING_KEYS: Final = ("end", "plan", "practitioner", "room", "session", "start")


@attrs.frozen
class DiaryParts:
    """What a diary file gives before its bookings are read."""

    source: str
    clinic: Clinic
    practitioners: tuple[Practitioner, ...]
    rooms: tuple[Room, ...]
    busy: tuple[Busy, ...]
    buffer_minutes: int
    bookings: Path


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
def locked(bookings: Path) -> Iterator[None]:
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


def read_bookings(path: Path, parts: DiaryParts) -> tuple[Booking, ...]:
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
    # As instants: two times of one zone compare by their wall clocks, fold aside.
    if start is not None and end is not None and plain_utc(end) <= plain_utc(start):
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
            message = f"unknown key, expected one of {', '.join(_BOOKING_KEYS)}"
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
    bookings: Sequence[tuple[int, Booking]], parts: DiaryParts, problems: _Problems
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
