"""A plan as rows of half-open UTC spans: what the DataFrame and the picture share.

Every session, pre-care or aftercare window and milestone of a plan is one `Row`, a span
``[start, end)`` of stdlib UTC instants. A milestone dated in the local calendar (a
result, the maintenance window) runs from midnight local on its first day to midnight
local after its last day, like the aftercare windows.

>>> utc_bound(dt.date(2026, 11, 1), "America/Toronto", after=True).isoformat()
'2026-11-02T05:00:00+00:00'
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Final, Literal

import attrs

from ._aftercare import Aftercare, aftercare
from ._errors import UnknownCodeError
from ._html import area_names, override_note
from ._plan import TreatmentPlan
from ._rules import RuleSet
from ._rules_io import default_rules
from ._time import plain_utc
from ._timeline import Timeline, expected_timeline

EXTRA: Final = "notebook"
"""The extra that brings pandas and matplotlib."""

Selection = Literal["all", "sessions", "windows", "milestones"]
SELECTIONS: Final = ("all", "sessions", "windows", "milestones")


@attrs.frozen(kw_only=True)
class Row:
    """One item of a plan as a half-open span ``[start, end)`` of UTC instants."""

    group: str  # "sessions", "windows" or "milestones"
    kind: str
    code: str
    session: int | None
    start: dt.datetime
    end: dt.datetime
    all_day: bool
    status: str | None
    description: str
    source: str


def utc_bound(value: dt.date, zone: str, *, after: bool = False) -> dt.datetime:
    """*value* as a stdlib UTC instant.

    A date is midnight local at its start (the day after it with *after*): the first
    instant of that local day, which exists even where a DST change happens at midnight
    (``fold=0`` of a time in the gap maps to the first instant after it).
    """
    if isinstance(value, dt.datetime):
        return plain_utc(value)
    day = dt.date(value.year, value.month, value.day) + dt.timedelta(days=int(after))
    return plain_utc(dt.datetime(day.year, day.month, day.day, tzinfo=zoneinfo.ZoneInfo(zone)))


def _session_source(plan: TreatmentPlan, rules: RuleSet) -> str:
    sources: list[str] = []
    for area in plan.areas:
        protocol = rules.protocols[area]
        for bounds in (protocol.sessions, protocol.interval_days, protocol.session_minutes):
            if bounds.source not in sources:
                sources.append(bounds.source)
    return ", ".join(sources)


def _session_rows(plan: TreatmentPlan, rules: RuleSet) -> list[Row]:
    source = _session_source(plan, rules)
    minutes = plan.protocol.session_minutes
    return [
        Row(
            group="sessions",
            kind="session",
            code="session",
            session=s.index,
            start=utc_bound(s.start, plan.timezone),
            end=utc_bound(s.end, plan.timezone),
            all_day=False,
            status=s.status.value,
            description=f"Session {s.index}: {area_names(s.areas)} ({minutes} minutes)"
            + override_note(s),
            source=source,
        )
        for s in plan.sessions
    ]


def _window_rows(plan: TreatmentPlan, care: Aftercare) -> list[Row]:
    status = {s.index: s.status.value for s in plan.sessions}
    return [
        Row(
            group="windows",
            kind=w.kind,
            code=w.activity,
            session=w.session,
            start=utc_bound(w.start, plan.timezone),
            end=utc_bound(w.end, plan.timezone),
            all_day=False,
            status=status.get(w.session),
            description=w.description,
            source=w.source,
        )
        for w in care.windows
    ]


def _milestone_rows(plan: TreatmentPlan, timeline: Timeline) -> list[Row]:
    status = {s.index: s.status.value for s in plan.sessions}
    rows = []
    for m in timeline.milestones:
        instant = isinstance(m.start, dt.datetime)
        rows.append(
            Row(
                group="milestones",
                kind=m.kind.value,
                code=m.code,
                session=m.session,
                start=utc_bound(m.start, plan.timezone),
                end=utc_bound(m.end, plan.timezone, after=not instant),
                all_day=not instant,
                status=None if m.session is None else status.get(m.session),
                description=m.description,
                source=m.source,
            )
        )
    return rows


def plan_rows(plan: TreatmentPlan, rules: RuleSet | None, what: str) -> list[Row]:
    """The *what* items of *plan* as rows in time order (see `mesotherapy.notebook.to_frame`)."""
    check_selection(what)
    chosen = default_rules() if rules is None else rules
    # Both check that the rules are the plan's, whatever is selected.
    care = aftercare(plan, rules=chosen)
    timeline = expected_timeline(plan, rules=chosen)
    rows: list[Row] = []
    if what in ("all", "sessions"):
        rows += _session_rows(plan, chosen)
    if what in ("all", "windows"):
        rows += _window_rows(plan, care)
    if what in ("all", "milestones"):
        rows += _milestone_rows(plan, timeline)
    # Time order; a stable sort keeps sessions, then windows, then milestones at a tie.
    rows.sort(key=lambda r: r.start)
    return rows


def check_selection(what: object) -> None:
    if what not in SELECTIONS:
        msg = f"what: unknown selection {what!r}, expected one of {', '.join(SELECTIONS)}"
        raise UnknownCodeError(msg)
