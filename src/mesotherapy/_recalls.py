"""The clinic's maintenance worklist: which completed series fall due, across many plans.

A series is followed by maintenance sessions, due within a window of calendar months
after the series' last session (`TreatmentPlan.maintenance`, from the rule set's
``maintenance_months``). `recalls` lists, for a day, every plan whose window is open
(due), has closed (overdue) or opens within a number of days (due soon), most urgent
first: the list a front desk works through to call clients back.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from typing import Final, cast

import attrs
import pendulum

from ._errors import ClientError
from ._guards import wrong_type
from ._model import Area
from ._pickling import exact_pickling
from ._plan import TreatmentPlan
from ._time import parse_date

__all__ = ["DEFAULT_WITHIN_DAYS", "Recall", "RecallStatus", "recalls"]

DEFAULT_WITHIN_DAYS: Final = 30
"""How many days ahead `recalls` looks for windows about to open, by default.

An administrative choice, not a clinical number: how far ahead a clinic wants to call its
clients back (a month's worklist). When maintenance is due is the rule set's
(``maintenance_months``); this only says how early the list shows it coming.
"""


class RecallStatus(enum.StrEnum):
    """Where a plan's maintenance stands on the worklist's day, most urgent first."""

    OVERDUE = "overdue"
    """The window has closed; the day is after its last day."""
    DUE = "due"
    """The window is open; the day lies from its first day to its last."""
    DUE_SOON = "due_soon"
    """The window opens within the worklist's ``within_days``."""


_RANK: Final = {RecallStatus.OVERDUE: 0, RecallStatus.DUE: 1, RecallStatus.DUE_SOON: 2}
_STATUS: Final = {"overdue": RecallStatus.OVERDUE, "due": RecallStatus.DUE}


@exact_pickling
@attrs.frozen(kw_only=True)
class Recall:
    """One plan on the maintenance worklist of a day (`recalls`).

    ``opens`` and ``closes`` are the maintenance window (`TreatmentPlan.maintenance`),
    ``last_session`` and ``last_session_end`` the id and end of the series' last session,
    from whose local date the window counts, and ``practitioner`` whoever treated it
    (``None`` for a plan made without a diary). ``days_overdue`` counts the days since the
    window closed (overdue), ``days_until_due`` the days until it opens (due soon); each
    is 0 otherwise. ``client_id`` is the plan's, left out of the repr.
    """

    plan_id: str
    client_id: str | None = attrs.field(repr=False)
    status: RecallStatus
    areas: tuple[Area, ...]
    opens: pendulum.Date
    closes: pendulum.Date
    last_session: str
    last_session_end: pendulum.DateTime
    practitioner: str | None
    days_overdue: int
    days_until_due: int

    def explain(self) -> str:
        """The recall as one line a person reads at a glance.

        >>> import pendulum
        >>> recall = Recall(plan_id="p-1", client_id=None, status=RecallStatus.OVERDUE,
        ...     areas=(Area.FACE,), opens=pendulum.date(2027, 2, 24),
        ...     closes=pendulum.date(2027, 5, 24), last_session="p-1.4",
        ...     last_session_end=pendulum.datetime(2026, 11, 24, 9, 45, tz="America/Toronto"),
        ...     practitioner=None, days_overdue=8, days_until_due=0)
        >>> print(recall.explain())
        overdue   8 days overdue        p-1  face  window 2027-02-24 to 2027-05-24, last session 2026-11-24
        """  # noqa: E501
        if self.status is RecallStatus.OVERDUE:
            when = f"{self.days_overdue} days overdue"
        elif self.status is RecallStatus.DUE:
            when = f"due until {self.closes}"
        else:
            when = f"due in {self.days_until_due} days"
        areas = ", ".join(area.value for area in self.areas)
        line = (
            f"{self.status.value.replace('_', ' '):<8}  {when:<20}  {self.plan_id}  {areas}  "
            f"window {self.opens} to {self.closes}, "
            f"last session {self.last_session_end.date()}"
        )
        if self.practitioner is not None:
            line += f" with {self.practitioner}"
        if self.client_id is not None:
            line += f", client {self.client_id}"
        return line


def recalls(
    plans: Iterable[TreatmentPlan],
    *,
    on: dt.date | str,
    within_days: int = DEFAULT_WITHIN_DAYS,
) -> tuple[Recall, ...]:
    """The maintenance worklist on the date *on*, across *plans*, most urgent first.

    A plan is on the list once its series is complete (every session of its count
    completed) and its maintenance window has opened, has closed, or opens within
    *within_days* days of *on* (`DEFAULT_WITHIN_DAYS`, an administrative choice). Its
    status agrees with `TreatmentPlan.maintenance_status`: ``"overdue"`` and ``"due"``
    are that method's, ``"due_soon"`` is its ``"not_due"`` of a window opening soon. A
    plan whose series is still running, or whose window opens later, is left out.

    The order: overdue first, the longest overdue first; then due, the window that closes
    first first; then due soon, the window that opens first first; of two alike, the
    plan id decides, so the same plans always give the same list.

    >>> import pendulum, mesotherapy as meso
    >>> assessment = meso.assess(meso.Client(birth_date="1985-03-02"), ["face"],
    ...                          on="2026-10-01")
    >>> plan = meso.plan_series(assessment, ["face"], clinic=meso.example_clinic(),
    ...     start=pendulum.datetime(2026, 10, 20, 9, tz="America/Toronto"), plan_id="p-1")
    >>> for index in (1, 2, 3, 4):
    ...     plan = plan.complete(index)
    >>> plan.maintenance[0]
    MaintenanceWindow(opens=Date(2027, 3, 22), closes=Date(2027, 6, 22))
    >>> [(r.plan_id, r.status.value, r.days_until_due) for r in recalls([plan], on="2027-03-01")]
    [('p-1', 'due_soon', 21)]
    >>> recalls([plan], on="2027-02-01")  # opens in 49 days
    ()

    Raises:
        ClientError: *plans* is no iterable of plans (one plan is refused: put it in a
            list), two plans have one id, or *within_days* is no whole number from 0.
        InvalidTimeError: *on* is no date (``YYYY-MM-DD`` text is one; a date and time is
            refused).
    """
    day = parse_date(on, field="on")
    ahead = _within_days(within_days)
    found = [recall for plan in _plans(plans) if (recall := _recall(plan, day, ahead))]
    return tuple(sorted(found, key=_urgency))


def _within_days(value: object) -> int:
    if type(value) is not int or value < 0:
        msg = f"within_days: expected a whole number of days from 0, got {value!r}"
        raise ClientError(msg)
    return value


def _plans(value: object) -> list[TreatmentPlan]:
    """*value*, an iterable of plans with distinct ids, as a list."""
    if isinstance(value, TreatmentPlan | str | bytes | dict) or not isinstance(value, Iterable):
        msg = (
            "plans: expected an iterable of TreatmentPlan (a list of plans), "
            f"got a {type(value).__name__}"
        )
        raise ClientError(msg)
    listed: list[TreatmentPlan] = []
    seen: dict[str, int] = {}
    for n, item in enumerate(cast("Iterable[object]", value)):
        if problem := wrong_type(item, TreatmentPlan, f"plans[{n}]", "plan_series"):
            raise ClientError(problem)
        plan = cast("TreatmentPlan", item)
        if plan.id in seen:
            # Two versions of one plan would each claim its client: which one is current
            # is the caller's to say.
            msg = f"plans[{n}].id: the same id as plans[{seen[plan.id]}], expected one id a plan"
            raise ClientError(msg)
        seen[plan.id] = n
        listed.append(plan)
    return listed


def _recall(plan: TreatmentPlan, on: pendulum.Date, ahead: int) -> Recall | None:
    """*plan*'s recall on *on*, or ``None`` when it is not on the list."""
    if not plan.is_complete or not plan.maintenance:
        return None
    window = plan.maintenance[0]
    status = _STATUS.get(plan.maintenance_status(on))
    until_due = dt.date.__sub__(window.opens, on).days
    if status is None:
        if until_due > ahead:
            return None
        status = RecallStatus.DUE_SOON
    last = plan.active_sessions[-1]
    overdue = dt.date.__sub__(on, window.closes).days
    return Recall(
        plan_id=plan.id,
        client_id=plan.client_id,
        status=status,
        areas=plan.areas,
        opens=window.opens,
        closes=window.closes,
        last_session=last.id,
        last_session_end=last.end,
        practitioner=last.practitioner,
        days_overdue=overdue if status is RecallStatus.OVERDUE else 0,
        days_until_due=until_due if status is RecallStatus.DUE_SOON else 0,
    )


def _urgency(recall: Recall) -> tuple[int, pendulum.Date, str]:
    # An earlier close is longer overdue, or sooner lost; a window opening sooner comes first.
    day = recall.opens if recall.status is RecallStatus.DUE_SOON else recall.closes
    return (_RANK[recall.status], day, recall.plan_id)
