"""The notebook integration: a DataFrame and a picture of a plan, and of a clinic's diary.

`to_frame` and `plot` need the ``notebook`` extra (pandas and matplotlib), which they
import when called, never when this module or `mesotherapy` is imported. The HTML
tables a notebook shows for a plan need no extra; they live in the core's
``_repr_html_`` methods.

>>> import mesotherapy.notebook
>>> mesotherapy.notebook.FRAME_COLUMNS[:3]
('plan', 'kind', 'code')

No view shows the client's identifier: a plan is health data, and a notebook's output
is shared more easily than the plan itself.

Every instant is shown in the clinic's zone (in UTC in a frame of plans in several
zones). A milestone dated in the local calendar (a
result, the maintenance window) runs from midnight local on its first day to midnight
local after its last day, so that every row and bar is a half-open span
``[start, end)`` like the aftercare windows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Final, cast

from ._diary_frame import DIARY_COLUMNS, diary_frame
from ._errors import ClientError
from ._extras import require
from ._guards import wrong_type
from ._picture import plot
from ._plan import TreatmentPlan
from ._plan_rows import EXTRA, Row, Selection, check_selection, plan_rows
from ._recalls import Recall
from ._rules import RuleSet
from ._week_picture import plot_week

if TYPE_CHECKING:
    # pandas ships no type information (pandas-stubs is separate): a DataFrame is Any
    # to mypy without the stubs, and typed with them.
    import pandas as pd  # type: ignore[import-untyped, import-not-found, unused-ignore]

__all__ = [
    "DIARY_COLUMNS",
    "FRAME_COLUMNS",
    "RECALL_COLUMNS",
    "diary_frame",
    "plot",
    "plot_week",
    "recalls_frame",
    "to_frame",
]

FRAME_COLUMNS: Final = (
    "plan",
    "kind",
    "code",
    "session",
    "start",
    "end",
    "all_day",
    "status",
    "description",
    "source",
)
"""The columns of `to_frame`, in order."""

RECALL_COLUMNS: Final = (
    "plan",
    "status",
    "areas",
    "opens",
    "closes",
    "last_session",
    "last_session_end",
    "practitioner",
    "days_overdue",
    "days_until_due",
)
"""The columns of `recalls_frame`, in order."""


def to_frame(
    plan: TreatmentPlan | Iterable[TreatmentPlan],
    *,
    rules: RuleSet | None = None,
    what: Selection = "all",
) -> pd.DataFrame:
    """One plan, or many, as a pandas DataFrame: one row per session, window and milestone.

    *plan* is a `TreatmentPlan` or an iterable of them (a list, a generator): the frame
    holds the rows of every plan, plan after plan in the order given, each plan's rows in
    time order, and the ``plan`` column says whose row it is, so that frames of several
    plans concatenate and join on it. *rules* are those every plan was made with.

    *what* selects ``"sessions"`` (every session, whatever its status), ``"windows"``
    (the pre-care and aftercare windows of `aftercare`), ``"milestones"`` (the results,
    the maintenance window and the side effects of `expected_timeline`) or ``"all"``.
    The columns are `FRAME_COLUMNS`:

    - ``plan``: the plan's id (`TreatmentPlan.id`), on every row;
    - ``kind``: ``session``, ``precare``, ``avoid``, ``do``, ``result``, ``side_effect``
      or ``maintenance``;
    - ``code``: the activity or milestone code (``session`` for a session);
    - ``session``: the session's number (nullable: results and maintenance have none);
    - ``start``, ``end``: time-zone-aware timestamps in the clinic's zone (in UTC when
      the plans are in more than one zone, or there are none), the half-open span
      ``[start, end)``; a milestone dated in the local calendar runs from midnight local
      on its first day to midnight local after its last, and has ``all_day`` set;
    - ``status``: the status of the session the row belongs to, if any;
    - ``description``, ``source``: what the row means, and the source key of its rule;
      a session booked beyond the longest interval by a clinician's `Override` says
      so, with who decided and why.

    The client's id is left out.

    >>> import pendulum, mesotherapy as meso
    >>> assessment = meso.assess(meso.Client(birth_date="1985-03-02"), ["face"], on="2026-10-01")
    >>> plan = meso.plan_series(assessment, ["face"], clinic=meso.example_clinic(),
    ...     start=pendulum.datetime(2026, 10, 20, 9, tz="America/Toronto"), plan_id="p-1")
    >>> to_frame(plan).shape
    (73, 10)
    >>> sessions = to_frame(plan, what="sessions")
    >>> sessions["plan"].iloc[0], str(sessions["start"].iloc[0])
    ('p-1', '2026-10-20 09:00:00-04:00')
    >>> later = meso.plan_series(assessment, ["face"], clinic=meso.example_clinic(),
    ...     start=pendulum.datetime(2026, 11, 3, 9, tz="America/Toronto"), plan_id="p-2")
    >>> to_frame([plan, later], what="sessions").groupby("plan").size().to_dict()
    {'p-1': 4, 'p-2': 4}

    Raises:
        MissingExtraError: pandas is not installed (``pip install 'mesotherapy[notebook]'``).
        UnknownCodeError: *what* is none of the four selections.
        ClientError: *plan* is neither a plan nor an iterable of plans, two plans have
            the same id, or *rules* are not the rules a plan was made with.
    """
    pandas = require("pandas", EXTRA)
    check_selection(what)
    rows: list[Row] = []
    ids: list[str] = []
    zones: set[str] = set()
    for one in _plans(plan):
        found = plan_rows(one, rules, what)
        rows += found
        ids += [one.id] * len(found)
        zones.add(one.timezone)
    utc = pandas.DatetimeTZDtype(unit="us", tz="UTC")
    # A column holds one zone: the plans' own when they share it.
    zone = zones.pop() if len(zones) == 1 else "UTC"
    data = {
        "plan": ids,
        "kind": [r.kind for r in rows],
        "code": [r.code for r in rows],
        "session": pandas.array([r.session for r in rows], dtype="Int64"),
        "start": pandas.DatetimeIndex([r.start for r in rows], dtype=utc).tz_convert(zone),
        "end": pandas.DatetimeIndex([r.end for r in rows], dtype=utc).tz_convert(zone),
        "all_day": pandas.array([r.all_day for r in rows], dtype=bool),
        "status": [r.status for r in rows],
        "description": [r.description for r in rows],
        "source": [r.source for r in rows],
    }
    return pandas.DataFrame(data, columns=list(FRAME_COLUMNS))


def _plans(value: object) -> list[TreatmentPlan]:
    """*value*: one plan, or an iterable of plans with distinct ids, as a list."""
    if isinstance(value, TreatmentPlan):
        return [value]
    # Text and mappings iterate, but over characters and keys: never plans.
    if isinstance(value, str | bytes | dict) or not isinstance(value, Iterable):
        msg = (
            "plan: expected a TreatmentPlan or an iterable of them (see plan_series), "
            f"got a {type(value).__name__}"
        )
        raise ClientError(msg)
    plans: list[TreatmentPlan] = []
    seen: dict[str, int] = {}
    for n, item in enumerate(cast("Iterable[object]", value)):
        if problem := wrong_type(item, TreatmentPlan, f"plan[{n}]", "plan_series"):
            raise ClientError(problem)
        one = cast("TreatmentPlan", item)
        if one.id in seen:
            msg = (
                f"plan[{n}].id: the same id as plan[{seen[one.id]}], expected one id a plan "
                "(plans without a client id, from one start for the same areas, get the "
                "same derived id: give each its plan_id)"
            )
            raise ClientError(msg)
        seen[one.id] = n
        plans.append(one)
    return plans


def recalls_frame(recalls: Iterable[Recall]) -> pd.DataFrame:
    """The maintenance worklist (`mesotherapy.recalls`) as a DataFrame, one row a recall.

    The rows keep the worklist's order (most urgent first); the columns are
    `RECALL_COLUMNS`: ``plan`` (the plan's id, to join with `to_frame`), ``status``
    (``overdue``, ``due`` or ``due_soon``), ``areas`` (comma-separated), ``opens`` and
    ``closes`` (the window's local dates, as `datetime.date`), ``last_session`` and
    ``last_session_end`` (the id and the end of the series' last session, a time-zone-aware
    timestamp in the clinic's zone, or in UTC when the plans are in several zones),
    ``practitioner`` (who treated it, or ``None``), ``days_overdue`` and
    ``days_until_due``. The client's id is left out, as in every notebook view.

    >>> import pendulum, mesotherapy as meso
    >>> assessment = meso.assess(meso.Client(birth_date="1985-03-02"), ["face"], on="2026-10-01")
    >>> plan = meso.plan_series(assessment, ["face"], clinic=meso.example_clinic(),
    ...     start=pendulum.datetime(2026, 10, 20, 9, tz="America/Toronto"), plan_id="p-1")
    >>> for index in (1, 2, 3, 4):
    ...     plan = plan.complete(index)
    >>> frame = recalls_frame(meso.recalls([plan], on="2027-07-01"))
    >>> frame[["plan", "status", "days_overdue"]].to_dict("records")
    [{'plan': 'p-1', 'status': 'overdue', 'days_overdue': 9}]

    Raises:
        MissingExtraError: pandas is not installed (``pip install 'mesotherapy[notebook]'``).
        ClientError: *recalls* is no iterable of `Recall`.
    """
    pandas = require("pandas", EXTRA)
    if isinstance(recalls, str | bytes | dict) or not isinstance(recalls, Iterable):
        msg = (
            f"recalls: expected an iterable of Recall (see recalls), got a {type(recalls).__name__}"
        )
        raise ClientError(msg)
    rows = list(cast("Iterable[object]", recalls))
    for n, row in enumerate(rows):
        if problem := wrong_type(row, Recall, f"recalls[{n}]", "recalls"):
            raise ClientError(problem)
    listed = cast("list[Recall]", rows)
    zones = {str(r.last_session_end.timezone_name) for r in listed}
    zone = zones.pop() if len(zones) == 1 else "UTC"
    utc = pandas.DatetimeTZDtype(unit="us", tz="UTC")
    data = {
        "plan": [r.plan_id for r in listed],
        "status": [r.status.value for r in listed],
        "areas": [", ".join(area.value for area in r.areas) for r in listed],
        "opens": [r.opens for r in listed],
        "closes": [r.closes for r in listed],
        "last_session": [r.last_session for r in listed],
        "last_session_end": pandas.DatetimeIndex(
            [r.last_session_end for r in listed], dtype=utc
        ).tz_convert(zone),
        "practitioner": [r.practitioner for r in listed],
        "days_overdue": pandas.array([r.days_overdue for r in listed], dtype="int64"),
        "days_until_due": pandas.array([r.days_until_due for r in listed], dtype="int64"),
    }
    return pandas.DataFrame(data, columns=list(RECALL_COLUMNS))
