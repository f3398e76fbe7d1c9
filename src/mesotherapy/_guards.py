"""Guards of the public functions' arguments, for callers without a type checker.

A leaf of the package: it imports nothing of it, so that every layer may use it.
"""

from __future__ import annotations

__all__ = ["wrong_type"]


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
