"""The HTML tables that Jupyter shows for a plan, an assessment and a timeline.

A leaf of the package: it reads the attributes of the object it is given and imports
none of the modules that define them (the classes' ``_repr_html_`` import this module,
never the reverse). The tables are small and self-contained (inline styles, no CSS or
script from elsewhere), every text escaped; none shows the client's identifier, since a
notebook's output is shared more easily than the plan itself.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Final

import pendulum

if TYPE_CHECKING:
    # Names for the type checker only: at run time this module imports none of them.
    from ._assess import Assessment, Finding
    from ._diary import Diary
    from ._plan import TreatmentPlan
    from ._session import Session
    from ._timeline import Milestone, Timeline

__all__ = ["assessment_html", "diary_html", "plan_html", "timeline_html"]


_TABLE: Final = '<table style="border-collapse:collapse;margin:0.25em 0">'
_CAPTION: Final = '<caption style="text-align:left;font-weight:bold;padding:2px 8px">'
_CELL: Final = "text-align:left;vertical-align:top;padding:2px 8px"
_HEAD: Final = f"{_CELL};border-bottom:1px solid currentColor"
_LOCAL: Final = "ddd YYYY-MM-DD HH:mm"
"""How a local instant is written: the weekday, the date and the wall-clock time."""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _th(text: str) -> str:
    return f'<th style="{_HEAD}">{_e(text)}</th>'


def _td(content: str, *, escaped: bool = False, colspan: int = 1) -> str:
    span = f' colspan="{colspan}"' if colspan > 1 else ""
    return f'<td style="{_CELL}"{span}>{content if escaped else _e(content)}</td>'


def _time_element(value: dt.date, text: str) -> str:
    """A ``<time>`` element: machine-readable ISO 8601 in the attribute, *text* shown."""
    return f'<time datetime="{_e(value.isoformat())}">{_e(text)}</time>'


def _instant_element(value: pendulum.DateTime) -> str:
    """A local instant with its UTC offset, as a ``<time>`` element."""
    return _time_element(value, f"{value.format(_LOCAL)} {value.format('Z')}")


def _date_element(value: dt.date) -> str:
    """A date, or an instant (a side effect's), as a ``<time>`` element."""
    if isinstance(value, pendulum.DateTime):
        return _instant_element(value)
    return _time_element(value, value.isoformat())


def _table(caption: str, headers: Sequence[str], rows: Iterable[str], foot: str = "") -> str:
    head = "".join(_th(h) for h in headers)
    body = "".join(rows) or f"<tr>{_td('None', colspan=len(headers))}</tr>"
    tfoot = f"<tfoot>{foot}</tfoot>" if foot else ""
    return (
        f"{_TABLE}{_CAPTION}{_e(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody>{tfoot}</table>"
    )


def area_names(areas: Iterable[object]) -> str:
    """The areas' names (`Area` values, or text), joined with commas: ``face, neck``."""
    return ", ".join(getattr(a, "value", str(a)) for a in areas)


def plan_html(plan: TreatmentPlan) -> str:
    """The plan as an HTML table: one row per session, the maintenance window below.

    Each session shows its local start with the UTC offset, its end, its areas and its
    status, with the clinician's `Override` where one placed it. Suitable as
    ``TreatmentPlan._repr_html_``; the client's id is left out.

    >>> import pendulum, mesotherapy as meso
    >>> assessment = meso.assess(meso.Client(birth_date="1985-03-02"), ["face"], on="2026-10-01")
    >>> plan = meso.plan_series(assessment, ["face"], clinic=meso.example_clinic(),
    ...     start=pendulum.datetime(2026, 10, 20, 9, tz="America/Toronto"))
    >>> page = plan_html(plan)
    >>> page.startswith("<table"), "Tue 2026-10-20 09:00 -04:00" in page
    (True, True)
    """
    p = plan.protocol
    caption = (
        f"Plan for {area_names(plan.areas)} at {plan.clinic.name} ({plan.timezone}): "
        f"{p.sessions} sessions, {p.interval_days} days apart, {p.session_minutes} minutes "
        f"each; rules {plan.rules.name} {plan.rules.version}"
    )
    if plan.review_acknowledged:
        caption += "; clinician review acknowledged"
    rows = [
        "<tr>"
        + _td(str(s.index))
        + _td(_instant_element(s.start), escaped=True)
        + _td(_time_element(s.end, s.end.format("HH:mm Z")), escaped=True)
        + _td(area_names(s.areas))
        + _td(s.status.value.replace("_", "-") + override_note(s))
        + "</tr>"
        for s in plan.sessions
    ]
    foot = "".join(
        "<tr>"
        + _td("Maintenance due", colspan=2)
        + _td(
            f"from {_time_element(w.opens, str(w.opens))} "
            f"to {_time_element(w.closes, str(w.closes))}",
            escaped=True,
            colspan=3,
        )
        + "</tr>"
        for w in plan.maintenance
    )
    return _table(caption, ("#", "Start", "End", "Areas", "Status"), rows, foot)


def assessment_html(assessment: Assessment) -> str:
    """The assessment as an HTML table: the status above, one row per finding.

    Suitable as ``Assessment._repr_html_``; the client's id is left out.

    >>> import mesotherapy as meso
    >>> client = meso.Client(birth_date="1985-03-02",
    ...     medications=[{"code": "isotretinoin", "last_taken": "2026-09-01"}])
    >>> page = assessment_html(meso.assess(client, ["face"], on="2026-11-25"))
    >>> page.startswith("<table"), "deferred" in page, "2027-03-01" in page
    (True, True, True)
    """
    start = assessment.earliest_start.isoformat() if assessment.earliest_start else "none"
    per_area = ", ".join(
        f"{area.value} ({assessment.area_status[area].value})" for area in assessment.areas
    )
    caption = (
        f"Assessment: {assessment.status.value}; areas {per_area}; assessed "
        f"{assessment.on.isoformat()}; earliest start {start}; rules "
        f"{assessment.rules.name} {assessment.rules.version}"
    )
    return _table(
        caption,
        ("Outcome", "Area", "Until", "Reason", "Code", "Source"),
        (_finding_row(f) for f in assessment.findings),
    )


def _finding_row(finding: Finding) -> str:
    until = "" if finding.until is None else _date_element(finding.until)
    return (
        "<tr>"
        + _td(finding.outcome.value)
        + _td(finding.area.value if finding.area else "all")
        + _td(until, escaped=True)
        + _td(finding.reason)
        + _td(finding.code)
        + _td(finding.source)
        + "</tr>"
    )


def timeline_html(timeline: Timeline) -> str:
    """The timeline as an HTML table: one row per milestone, in its order.

    Results and maintenance show local dates (both included), side effects local
    instants; the advice for a side effect that lasts longer follows its description.
    Suitable as ``Timeline._repr_html_``.

    >>> import pendulum, mesotherapy as meso
    >>> assessment = meso.assess(meso.Client(birth_date="1985-03-02"), ["face"], on="2026-10-01")
    >>> plan = meso.plan_series(assessment, ["face"], clinic=meso.example_clinic(),
    ...     start=pendulum.datetime(2026, 10, 20, 9, tz="America/Toronto"))
    >>> page = timeline_html(meso.expected_timeline(plan))
    >>> page.count("<tr>") == len(meso.expected_timeline(plan)) + 1
    True
    """
    return _table(
        "Expected timeline",
        ("What", "From", "Until", "Description", "Session", "Source"),
        (_milestone_row(m) for m in timeline.milestones),
    )


def _milestone_row(milestone: Milestone) -> str:
    description = _e(milestone.description)
    if milestone.advice:
        description += f"<br><small>{_e(milestone.advice)}</small>"
    session = "" if milestone.session is None else str(milestone.session)
    return (
        "<tr>"
        + _td(milestone.kind.value.replace("_", " "))
        + _td(_date_element(milestone.start), escaped=True)
        + _td(_date_element(milestone.end), escaped=True)
        + _td(description, escaped=True)
        + _td(session)
        + _td(milestone.source)
        + "</tr>"
    )


def override_note(session: Session) -> str:
    """The clinician's override of a session, as words after its description."""
    if session.override is None:
        return ""
    return f"; beyond the longest interval by {session.override}"


def diary_html(diary: Diary) -> str:
    """The diary as an HTML table: one row per practitioner and room, with what it holds.

    Each row shows the resource's areas, its own hours, and how many busy intervals and
    booked sessions claim it. Suitable as ``Diary._repr_html_``; no plan or client id is
    shown.

    >>> import mesotherapy as meso
    >>> diary = meso.Diary(clinic=meso.example_clinic(), rooms=[meso.Room(id="room-1")],
    ...     practitioners=[meso.Practitioner(id="dr-h", areas=["face"],
    ...                                      hours={"monday": [("09:00", "13:00")]})])
    >>> page = diary_html(diary)
    >>> page.startswith("<table"), "monday 09:00-13:00" in page, page.count("<tr>")
    (True, True, 3)
    """
    caption = (
        f"Diary of {diary.clinic.name} ({diary.clinic.timezone}): "
        f"{len(diary.practitioners)} practitioners, {len(diary.rooms)} rooms, "
        f"buffer {diary.buffer_minutes} minutes"
    )
    rows = []
    for resource in diary.resources:
        areas = getattr(resource, "areas", None)
        hours = getattr(resource, "hours", ())
        held = diary.claims(resource.id)
        busy = sum(1 for claim in held if not hasattr(claim, "session"))
        rows.append(
            "<tr>"
            + _td(resource.id)
            + _td(resource.name)
            + _td("practitioner" if hasattr(resource, "hours") else "room")
            + _td("every area" if areas is None else area_names(sorted(areas)))
            + _td(
                "; ".join(
                    f"{day} {', '.join(str(i) for i in days) or 'off'}" for day, days in hours
                )
                or ("the clinic's" if hasattr(resource, "hours") else "")
            )
            + _td(str(busy))
            + _td(str(len(held) - busy))
            + "</tr>"
        )
    headers = ("Id", "Name", "Kind", "Areas", "Hours", "Busy", "Booked")
    return _table(caption, headers, rows)
