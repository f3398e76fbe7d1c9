"""The windows and milestones of a plan as the exports read them: plain tuples, pendulum aside.

`aftercare` and `expected_timeline` work out every instant when they make their view,
and build its values (pendulum instants in frozen objects) only on the first read;
building them was a third of a plan's JSON. An export that only writes the values out
reads the rows the view was made of instead (`unbuilt_rows`), while the view is unread;
once read, the values themselves. The tests compare the exports written from both.
"""

from __future__ import annotations

from typing import cast

from ._aftercare import Aftercare, CareRow
from ._deferred import unbuilt_rows
from ._timeline import MilestoneRow, Timeline

__all__ = ["CareRow", "MilestoneRow", "care_rows", "milestone_rows"]


def care_rows(care: Aftercare) -> list[CareRow]:
    """The windows of *care*, in their order, as rows: unbuilt if they are still unread."""
    rows = cast("list[CareRow] | None", unbuilt_rows(care, "windows"))
    if rows is not None:
        return rows
    return [
        (w.session, w.activity, w.kind, w.description, w.source, w.start, w.end)
        for w in care.windows
    ]


def milestone_rows(timeline: Timeline) -> list[MilestoneRow]:
    """The milestones of *timeline*, in their order, as rows of their fields (unbuilt if unread).

    A side effect's end may be a standard-library instant rather than pendulum's: the
    same instant in the same zone, written the same.
    """
    rows = cast("list[MilestoneRow] | None", unbuilt_rows(timeline, "milestones"))
    if rows is not None:
        return rows
    return [
        (m.code, m.kind, m.order, m.description, m.start, m.end, m.source, m.session, m.advice)
        for m in timeline.milestones
    ]
