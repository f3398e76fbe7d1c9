"""Guards of the public functions' arguments, for callers without a type checker.

A leaf of the package: it imports nothing of it, so that every layer may use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["unknown_id", "wrong_type"]


def wrong_type(value: object, kind: type, field: str, hint: str) -> str | None:
    """The message refusing *value* when it is no *kind*, else ``None``.

    Callers without a type checker pass dicts and names where objects are expected; the
    public functions refuse them with the library's own errors, pointing at *hint*.

    >>> wrong_type({}, int, "client", "client_from_dict")
    'client: expected a int (see client_from_dict), got a dict'
    """
    if isinstance(value, kind):
        return None
    return f"{field}: expected a {kind.__name__} (see {hint}), got a {type(value).__name__}"


def unknown_id(value: str, known: Sequence[str], field: str, what: str) -> str | None:
    """The message refusing the id *value* when it is none of *known*, else ``None``.

    >>> unknown_id("dr-x", ["dr-h", "dr-m"], "practitioner", "practitioner of the diary")
    "practitioner: 'dr-x' is no practitioner of the diary, expected one of dr-h, dr-m"
    """
    if value in known:
        return None
    return f"{field}: {value!r} is no {what}, expected one of {', '.join(known) or 'none'}"
