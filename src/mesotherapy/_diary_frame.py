"""A clinic's diary as a pandas DataFrame: `mesotherapy.notebook.diary_frame`.

pandas comes with the ``notebook`` extra and is imported when `diary_frame` is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from ._diary import Diary
from ._diary_rows import checked_diary, diary_claims, window
from ._extras import require
from ._plan_rows import EXTRA

if TYPE_CHECKING:
    import datetime as dt

    # pandas ships no type information (pandas-stubs is separate): a DataFrame is Any
    # to mypy without the stubs, and typed with them.
    import pandas as pd  # type: ignore[import-untyped, import-not-found, unused-ignore]

__all__ = ["DIARY_COLUMNS", "diary_frame"]

DIARY_COLUMNS: Final = (
    "resource",
    "kind",
    "name",
    "claim",
    "start",
    "end",
    "local_start",
    "local_end",
    "plan",
    "session",
    "label",
)
"""The columns of `diary_frame`, in order."""


def diary_frame(
    diary: Diary,
    *,
    start: dt.datetime | dt.date | str | None = None,
    end: dt.datetime | dt.date | str | None = None,
) -> pd.DataFrame:
    """The diary as a pandas DataFrame: one row a claim of a practitioner or a room.

    A busy interval is one row (``claim`` ``busy``, with its ``label``); a booked session
    claims its practitioner and its room, so it is two rows (``claim`` ``booked``, with
    the ``plan`` and ``session`` ids of the `Booking`). Rows come resource after resource
    in the diary's order (practitioners, then rooms), each resource's claims in time
    order. The columns are `DIARY_COLUMNS`:

    - ``resource``, ``kind``, ``name``: the resource's id, ``practitioner`` or ``room``,
      and its name (its id when it has none);
    - ``claim``: ``busy`` or ``booked``;
    - ``start``, ``end``: the half-open span ``[start, end)`` in UTC;
    - ``local_start``, ``local_end``: the same instants in the clinic's zone;
    - ``plan``, ``session``: the booking's plan and session ids (``None`` for busy rows);
    - ``label``: the busy interval's label (``None`` for booked rows).

    *start* and *end* keep the claims that meet ``[start, end)``: each is an aware
    datetime, or a local date (``YYYY-MM-DD`` text too) meaning midnight at its start
    in the clinic's zone; left out, that side is open.

    >>> import pendulum, mesotherapy as meso
    >>> clinic = meso.example_clinic(holidays=None)
    >>> diary = meso.Diary(clinic=clinic,
    ...     practitioners=[meso.Practitioner(id="dr-h", name="Dr. H.", areas=["face"])],
    ...     rooms=[meso.Room(id="room-1")],
    ...     busy=[meso.Busy(start=clinic.at("2026-11-24", "09:00"),
    ...                     end=clinic.at("2026-11-24", "10:00"), resource="dr-h")])
    >>> frame = diary_frame(diary, start="2026-11-23", end="2026-11-30")
    >>> frame[["resource", "claim"]].values.tolist()
    [['dr-h', 'busy']]
    >>> str(frame["local_start"].iloc[0]), str(frame["start"].iloc[0])
    ('2026-11-24 09:00:00-05:00', '2026-11-24 14:00:00+00:00')

    Raises:
        MissingExtraError: pandas is not installed (``pip install 'mesotherapy[notebook]'``).
        ClientError: *diary* is no `Diary`.
        InvalidTimeError: *start* or *end* is neither a date nor an aware datetime, or
            *end* is not after *start*.
    """
    diary = checked_diary(diary)
    low, high = window(diary, start, end)
    pandas = require("pandas", EXTRA)
    rows = list(diary_claims(diary, low, high))
    utc = pandas.DatetimeTZDtype(unit="us", tz="UTC")
    starts = pandas.DatetimeIndex([r.start for r in rows], dtype=utc)
    ends = pandas.DatetimeIndex([r.end for r in rows], dtype=utc)
    zone = diary.clinic.timezone
    data = {
        "resource": [r.resource for r in rows],
        "kind": [r.kind for r in rows],
        "name": [r.name for r in rows],
        "claim": [r.claim for r in rows],
        "start": starts,
        "end": ends,
        "local_start": starts.tz_convert(zone),
        "local_end": ends.tz_convert(zone),
        "plan": [r.plan for r in rows],
        "session": [r.session for r in rows],
        "label": [r.label for r in rows],
    }
    return pandas.DataFrame(data, columns=list(DIARY_COLUMNS))
