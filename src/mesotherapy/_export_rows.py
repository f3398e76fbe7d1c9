"""The windows of an `Aftercare` as the exports read them: plain tuples, pendulum aside.

`aftercare` works out every window's instants when it makes the view, and builds the
`CareWindow` values (pendulum instants in frozen objects) only on the first read of
``windows``; building them was a third of a plan's JSON. An export that only writes
the windows out reads the rows the view was made of instead, when it can: while the
view is unread, from the `Deferred` that holds them; once read, from the windows
themselves. Either way each row is (session, activity, kind, description, source, start,
end), and the tests compare the exports written from both.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ._aftercare import Aftercare
from ._deferred import Deferred

__all__ = ["CareRow", "care_rows"]

CareRow = tuple[int, str, str, str, str, dt.datetime, dt.datetime]
"""A window: its session, activity, kind, description, source, start and end."""

_ROW_FIELDS = 9
"""The fields of a row `aftercare` works out (its order, then the window's own)."""


def care_rows(care: Aftercare) -> list[CareRow]:
    """The windows of *care*, in their order, as rows: unbuilt if they are still unread."""
    rows = _unbuilt(care)
    if rows is not None:
        return rows
    return [
        (w.session, w.activity, w.kind, w.description, w.source, w.start, w.end)
        for w in care.windows
    ]


def _unbuilt(care: Aftercare) -> list[CareRow] | None:
    """The rows a `Deferred` ``windows`` would build its windows of, or ``None``."""
    prop = type(care).__dict__.get("windows")
    defaults = getattr(getattr(prop, "fget", None), "__defaults__", None)
    if not defaults:
        return None
    try:
        raw: Any = defaults[0].__get__(care)  # the slot's own value, unread
    except (AttributeError, TypeError):
        return None
    build = raw._build if type(raw) is Deferred else None  # noqa: SLF001 - the view's own
    code = getattr(build, "__code__", None)
    if code is None:
        return None
    cells = dict(zip(code.co_freevars, getattr(build, "__closure__", None) or (), strict=True))
    found = cells["found"].cell_contents if "found" in cells else None
    if type(found) is not list or not all(
        type(row) is tuple and len(row) == _ROW_FIELDS for row in found
    ):
        return None
    return [
        (index, code_, kind, description, source, start, end)
        for _, index, _, code_, kind, description, source, start, end in found
    ]
