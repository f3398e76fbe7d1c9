"""Time-zone keys at the boundary: an IANA key that means the same zone on every machine."""

from __future__ import annotations

import functools
import zoneinfo
from pathlib import Path
from typing import Final

from ._errors import InvalidTimeError

__all__ = ["zone_key"]


# Names in the time-zone database that mean another zone on each machine, or none: the
# machine's own zone, the template of POSIX rules, and the "zone not set" placeholder.
_MACHINE_ZONES: Final = frozenset({"localtime", "posixrules", "Factory"})
_MACHINE_PREFIXES: Final = ("posix/", "right/")


@functools.cache
def _tzdata_keys() -> frozenset[str]:
    """The keys the ``tzdata`` package lists, if it is installed (a small file, read once)."""
    try:
        from importlib import resources  # noqa: PLC0415 - only where a key is not on disk

        listed = resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8")
    except (ImportError, OSError):
        return frozenset()
    return frozenset(listed.split())


@functools.lru_cache(maxsize=1_024)
def _is_zone_key(key: str) -> bool:
    """Whether *key* is one of `zoneinfo.available_timezones`, without listing them all.

    The same test as the standard library's, for one key: a name the ``tzdata`` package
    lists, or a file of the system's database that starts as zone files do. Listing them
    all walks and opens every file of the database: most of a command's start-up.
    """
    parts = key.split("/")
    if key.startswith("/") or any(part in {"", ".", ".."} for part in parts):
        return False
    for root in zoneinfo.TZPATH:
        path = Path(root, *parts)
        try:
            if path.is_file():
                with path.open("rb") as file:
                    if file.read(4) == b"TZif":
                        return True
        except OSError:
            continue
    return key in _tzdata_keys()


def zone_key(value: object, *, field: str | None = "timezone") -> str:
    """*value*, checked to be an IANA time-zone key that means the same zone everywhere.

    A key of `zoneinfo.available_timezones`, not one of the names that depend on the
    machine (``localtime``, ``posixrules``, ``Factory``, the ``posix/`` and ``right/``
    copies): a plan made in such a zone would be a different instant on each server.

    >>> zone_key("America/Toronto")
    'America/Toronto'
    >>> zone_key("localtime")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mesotherapy._errors.InvalidTimeError: timezone: 'localtime' is the zone of the machine...

    Raises:
        InvalidTimeError: *value* is no such key; the message starts with *field*, when
            one is given.
    """
    where = f"{field}: " if field else ""
    example = "expected a name such as 'America/Toronto'"
    if isinstance(value, str) and (value in _MACHINE_ZONES or value.startswith(_MACHINE_PREFIXES)):
        why = _MACHINE_WHY.get(value, "is a copy of a zone that only some machines have")
        msg = (
            f"{where}{value!r} {why}, so that a plan would mean another instant on another "
            f"server; {example} (an IANA key of the time-zone database)"
        )
        raise InvalidTimeError(msg)
    if not isinstance(value, str) or not _is_zone_key(value):
        msg = f"{where}unknown IANA time zone {value!r}, {example}"
        raise InvalidTimeError(msg)
    return value


_MACHINE_WHY: Final = {
    "localtime": "is the zone of the machine it runs on",
    "posixrules": "is the template of POSIX rules, which differs between machines",
    "Factory": "is the placeholder of a machine whose zone is not set",
}
