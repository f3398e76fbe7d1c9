"""The notebook integration: a DataFrame and a picture of a plan.

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

import datetime as dt
import os
import zoneinfo
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal, cast

import attrs
import pendulum

from ._aftercare import PRECARE, Aftercare, aftercare
from ._errors import ClientError, UnknownCodeError
from ._extras import require
from ._guards import wrong_type
from ._html import _areas, _override_note
from ._model import flag
from ._plan import TreatmentPlan
from ._rules import RuleSet
from ._rules_io import default_rules
from ._session import SessionStatus
from ._time import plain_utc
from ._timeline import MilestoneKind, Timeline, expected_timeline

if TYPE_CHECKING:
    # pandas ships no type information (pandas-stubs is separate): a DataFrame is Any
    # to mypy without the stubs, and typed with them.
    import pandas as pd  # type: ignore[import-untyped, import-not-found, unused-ignore]
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "FRAME_COLUMNS",
    "plot",
    "save_example_picture",
    "to_frame",
]

EXTRA: Final = "notebook"
"""The extra that brings pandas and matplotlib."""

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

Selection = Literal["all", "sessions", "windows", "milestones"]
_SELECTIONS: Final = ("all", "sessions", "windows", "milestones")

# --- Rows: what the DataFrame and the picture share ------------------------------------


@attrs.frozen(kw_only=True)
class _Row:
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


def _utc(value: dt.date, zone: str, *, after: bool = False) -> dt.datetime:
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


def _session_rows(plan: TreatmentPlan, rules: RuleSet) -> list[_Row]:
    source = _session_source(plan, rules)
    minutes = plan.protocol.session_minutes
    return [
        _Row(
            group="sessions",
            kind="session",
            code="session",
            session=s.index,
            start=_utc(s.start, plan.timezone),
            end=_utc(s.end, plan.timezone),
            all_day=False,
            status=s.status.value,
            description=f"Session {s.index}: {_areas(s.areas)} ({minutes} minutes)"
            + _override_note(s),
            source=source,
        )
        for s in plan.sessions
    ]


def _window_rows(plan: TreatmentPlan, care: Aftercare) -> list[_Row]:
    status = {s.index: s.status.value for s in plan.sessions}
    return [
        _Row(
            group="windows",
            kind=w.kind,
            code=w.activity,
            session=w.session,
            start=_utc(w.start, plan.timezone),
            end=_utc(w.end, plan.timezone),
            all_day=False,
            status=status.get(w.session),
            description=w.description,
            source=w.source,
        )
        for w in care.windows
    ]


def _milestone_rows(plan: TreatmentPlan, timeline: Timeline) -> list[_Row]:
    status = {s.index: s.status.value for s in plan.sessions}
    rows = []
    for m in timeline.milestones:
        instant = isinstance(m.start, dt.datetime)
        rows.append(
            _Row(
                group="milestones",
                kind=m.kind.value,
                code=m.code,
                session=m.session,
                start=_utc(m.start, plan.timezone),
                end=_utc(m.end, plan.timezone, after=not instant),
                all_day=not instant,
                status=None if m.session is None else status.get(m.session),
                description=m.description,
                source=m.source,
            )
        )
    return rows


def _rows(
    plan: TreatmentPlan, rules: RuleSet | None, what: str
) -> tuple[list[_Row], Aftercare, Timeline]:
    _selection(what)
    chosen = default_rules() if rules is None else rules
    # Both check that the rules are the plan's, whatever is selected.
    care = aftercare(plan, rules=chosen)
    timeline = expected_timeline(plan, rules=chosen)
    rows: list[_Row] = []
    if what in ("all", "sessions"):
        rows += _session_rows(plan, chosen)
    if what in ("all", "windows"):
        rows += _window_rows(plan, care)
    if what in ("all", "milestones"):
        rows += _milestone_rows(plan, timeline)
    # Time order; a stable sort keeps sessions, then windows, then milestones at a tie.
    rows.sort(key=lambda r: r.start)
    return rows, care, timeline


# --- The DataFrame ---------------------------------------------------------------------


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
    _selection(what)
    rows: list[_Row] = []
    ids: list[str] = []
    zones: set[str] = set()
    for one in _plans(plan):
        found, _, _ = _rows(one, rules, what)
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


def _selection(what: object) -> None:
    if what not in _SELECTIONS:
        msg = f"what: unknown selection {what!r}, expected one of {', '.join(_SELECTIONS)}"
        raise UnknownCodeError(msg)


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


# --- The picture -----------------------------------------------------------------------

_COLOURS: Final = {
    SessionStatus.PLANNED.value: "#1f4e99",
    SessionStatus.COMPLETED.value: "#2a8c4a",
    SessionStatus.CANCELLED.value: "#8c8c8c",
    SessionStatus.NO_SHOW.value: "#b0413e",
    PRECARE: "#7b61b3",
    "avoid": "#d1495b",
    "do": "#3a9d6e",
    MilestoneKind.RESULT.value: "#e0a526",
    MilestoneKind.SIDE_EFFECT.value: "#e07b39",
    MilestoneKind.MAINTENANCE.value: "#5b8fd6",
}
_MARKERS: Final = {
    SessionStatus.PLANNED.value: "D",
    SessionStatus.COMPLETED.value: "o",
    SessionStatus.CANCELLED.value: "x",
    SessionStatus.NO_SHOW.value: "X",
}
_LEGEND: Final = {
    PRECARE: "before a session (pre-care)",
    "avoid": "avoid after a session",
    "do": "do after a session",
    MilestoneKind.RESULT.value: "expected result",
    MilestoneKind.SIDE_EFFECT.value: "possible side effect",
    MilestoneKind.MAINTENANCE.value: "maintenance due",
}
_BAR: Final = 0.5
"""The height of a window's bar, in rows."""
_SPAN: Final = 0.8
"""The height of a result's span, in rows."""
_LEGEND_COLUMNS: Final = 6
"""The most entries the legend puts on one line; more go on two."""


@attrs.frozen(kw_only=True)
class _Lane:
    """One row of the picture: a label and the items drawn on it."""

    label: str
    kind: str
    items: tuple[_Row, ...]


def _label(code: str) -> str:
    return code.replace("_", " ")


def _lanes(rows: Sequence[_Row], *, side_effects: bool) -> list[_Lane]:
    """The rows of the picture, top to bottom: sessions, windows, side effects, results."""
    lanes = [_Lane(label="sessions", kind="session", items=())]
    effects = (MilestoneKind.SIDE_EFFECT.value,) if side_effects else ()
    order = (PRECARE, "avoid", "do", *effects, MilestoneKind.RESULT.value)
    for kind in order:
        codes: dict[str, list[_Row]] = {}
        for row in rows:
            if row.kind == kind:
                codes.setdefault(row.code, []).append(row)
        lanes += [
            _Lane(label=_label(code), kind=kind, items=tuple(items))
            for code, items in codes.items()
        ]
    return lanes


def _figure_size(lanes: int) -> tuple[float, float]:
    return (12.0, max(4.0, 0.3 * lanes + 2.4))


def plot(
    plan: TreatmentPlan,
    *,
    rules: RuleSet | None = None,
    ax: Axes | None = None,
    side_effects: bool = False,
) -> Axes:
    """Draw the plan on one time axis in the clinic's zone, and return the axes.

    From top to bottom: the sessions (a marker each, its number above; the marker says
    its status), one thin bar per pre-care or aftercare window on a row per activity,
    one span per expected result, and, with *side_effects*, one bar per possible side
    effect. The maintenance window is shaded across the whole height. A legend explains
    the colours; the title names the areas and the clinic.

    Without *ax*, a figure is made with pyplot (so that a notebook shows it); its
    backend is matplotlib's choice, which is Agg where there is no display. Nothing is
    shown or closed here: in a script, save the figure and close it
    (``ax.figure.savefig(...)``, ``matplotlib.pyplot.close(ax.figure)``).

    Each artist has a ``gid`` for those who inspect the picture: ``sessions:<status>``
    (a line of markers), ``session-number``, ``window:<activity>``, ``result:<code>``,
    ``side_effect:<code>`` (bar collections) and ``maintenance``.

    >>> import pendulum, mesotherapy as meso
    >>> from matplotlib.figure import Figure
    >>> assessment = meso.assess(meso.Client(birth_date="1985-03-02"), ["face"], on="2026-10-01")
    >>> plan = meso.plan_series(assessment, ["face"], clinic=meso.example_clinic(),
    ...     start=pendulum.datetime(2026, 10, 20, 9, tz="America/Toronto"))
    >>> ax = plot(plan, ax=Figure().add_subplot())
    >>> ax.get_title()
    'Mesotherapy plan: face at Example Clinic (America/Toronto)'
    >>> [len(line.get_xdata()) for line in ax.get_lines() if line.get_gid() == "sessions:planned"]
    [4]

    Raises:
        MissingExtraError: matplotlib is not installed
            (``pip install 'mesotherapy[notebook]'``).
        ClientError: *rules* are not the rules the plan was made with, or *side_effects*
            is no `bool`.
    """
    side_effects = flag(side_effects, "side_effects")
    require("matplotlib", EXTRA)
    rows, _, _ = _rows(plan, rules, "all")
    lanes = _lanes(rows, side_effects=side_effects)
    if ax is None:
        from matplotlib import pyplot as plt  # noqa: PLC0415 - the extra is imported when called

        _, ax = plt.subplots(figsize=_figure_size(len(lanes)), layout="constrained")
    _draw(plan, rows, lanes, ax)
    return ax


def _num(value: dt.datetime) -> float:
    """A UTC instant as matplotlib's date number (days since its epoch)."""
    from matplotlib import dates  # noqa: PLC0415 - the extra is imported when called

    # matplotlib.dates ships no type information (matplotlib 3.11).
    return float(dates.date2num(value))  # type: ignore[no-untyped-call, unused-ignore]


def _draw(plan: TreatmentPlan, rows: Sequence[_Row], lanes: Sequence[_Lane], ax: Axes) -> None:
    handles: list[Artist] = []
    handles += _draw_sessions(rows, ax)
    handles += _draw_lanes(lanes, ax)
    handles += _draw_maintenance(rows, ax)
    _style_axes(plan, rows, lanes, ax)
    # Below the axis, at a fixed distance under the dates whatever the figure's height.
    from matplotlib.transforms import ScaledTranslation  # noqa: PLC0415

    below = ax.transAxes + ScaledTranslation(0, -40 / 72, ax.figure.dpi_scale_trans)
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        bbox_transform=below,
        ncols=len(handles) if len(handles) <= _LEGEND_COLUMNS else (len(handles) + 1) // 2,
        frameon=False,
        fontsize=9,
    )


def _draw_sessions(rows: Sequence[_Row], ax: Axes) -> list[Artist]:
    """A line of markers per status on the top row, each session's number above it."""
    handles: list[Artist] = []
    for status in SessionStatus:
        chosen = [r for r in rows if r.kind == "session" and r.status == status.value]
        if not chosen:
            continue
        colour = _COLOURS[status.value]
        (line,) = ax.plot(
            [_num(r.start) for r in chosen],
            [0] * len(chosen),
            linestyle="none",
            marker=_MARKERS[status.value],
            markersize=8,
            color=colour,
            label=f"session ({status.value.replace('_', '-')})",
            gid=f"sessions:{status.value}",
            zorder=4,
        )
        handles.append(line)
        for row in chosen:
            # Above an active session, below a missed one: a replacement is often near.
            ax.annotate(
                str(row.session),
                (_num(row.start), 0),
                xytext=(0, 7 if status.is_active else -7),
                textcoords="offset points",
                ha="center",
                va="bottom" if status.is_active else "top",
                fontsize=8,
                color=colour,
                gid="session-number",
            )
            if status.is_active:  # a faint guide down through the windows it starts
                ax.axvline(_num(row.start), color="#b8b8b8", linewidth=0.6, zorder=0, gid="guide")
    return handles


def _draw_lanes(lanes: Sequence[_Lane], ax: Axes) -> list[Artist]:
    """A bar per window or side effect, a span per result, on its lane's row."""
    from matplotlib.patches import Patch  # noqa: PLC0415 - the extra is imported when called

    handles: list[Artist] = []
    seen: set[str] = set()
    for y, lane in enumerate(lanes):
        if not lane.items:
            continue
        result = lane.kind == MilestoneKind.RESULT.value
        height = _SPAN if result else _BAR
        alpha = 0.55 if result else 1.0
        prefix = "window" if lane.kind in (PRECARE, "avoid", "do") else lane.kind
        # A thin white edge keeps overlapping windows (a long pre-care) apart.
        ax.broken_barh(
            [(_num(r.start), _num(r.end) - _num(r.start)) for r in lane.items],
            (y - height / 2, height),
            facecolors=_COLOURS[lane.kind],
            edgecolors="white",
            linewidths=0.0 if result else 0.6,
            alpha=alpha,
            gid=f"{prefix}:{lane.items[0].code}",
            zorder=2,
        )
        if lane.kind not in seen:
            seen.add(lane.kind)
            handles.append(Patch(color=_COLOURS[lane.kind], alpha=alpha, label=_LEGEND[lane.kind]))
    return handles


def _draw_maintenance(rows: Sequence[_Row], ax: Axes) -> list[Artist]:
    """The maintenance window, shaded across the whole height."""
    from matplotlib.patches import Patch  # noqa: PLC0415 - the extra is imported when called

    colour = _COLOURS[MilestoneKind.MAINTENANCE.value]
    windows = [r for r in rows if r.kind == MilestoneKind.MAINTENANCE.value]
    for row in windows:
        ax.axvspan(
            _num(row.start), _num(row.end), color=colour, alpha=0.15, gid="maintenance", zorder=1
        )
    label = _LEGEND[MilestoneKind.MAINTENANCE.value]
    return [Patch(color=colour, alpha=0.3, label=label)] if windows else []


def _style_axes(
    plan: TreatmentPlan, rows: Sequence[_Row], lanes: Sequence[_Lane], ax: Axes
) -> None:
    """Rows labelled in their colour, local dates below, the title above."""
    from matplotlib import dates  # noqa: PLC0415 - the extra is imported when called

    ax.set_yticks(range(len(lanes)), [lane.label for lane in lanes])
    for tick, lane in zip(ax.get_yticklabels(), lanes, strict=True):
        tick.set_color(_COLOURS.get(lane.kind, "black"))
    ax.set_ylim(len(lanes) - 0.5, -0.9)
    ax.tick_params(axis="y", length=0, labelsize=9)

    # The x axis: dates in the clinic's zone, a few days' margin either side.
    zone = zoneinfo.ZoneInfo(plan.timezone)
    first = min(_num(r.start) for r in rows)
    last = max(_num(r.end) for r in rows)
    margin = max(2.0, (last - first) * 0.015)
    ax.set_xlim(first - margin, last + margin)
    # matplotlib.dates ships no type information (matplotlib 3.11).
    locator = dates.AutoDateLocator(tz=zone, minticks=5, maxticks=14)  # type: ignore[no-untyped-call, unused-ignore]
    formatter = dates.ConciseDateFormatter(locator, tz=zone)  # type: ignore[no-untyped-call, unused-ignore]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(formatter)
    ax.grid(axis="x", color="#e4e4e4", linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)
    ax.set_xlabel(f"Local dates ({plan.timezone})")
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.set_title(f"Mesotherapy plan: {_areas(plan.areas)} at {plan.clinic.name} ({plan.timezone})")


# --- The documentation's picture -------------------------------------------------------


def _example_plan() -> TreatmentPlan:
    """The example of the docs: face and neck at the example clinic from 2026-10-20 09:00."""
    from ._assess import assess  # noqa: PLC0415 - only the picture needs the example
    from ._clinic import example_clinic  # noqa: PLC0415
    from ._model import Client  # noqa: PLC0415
    from ._series import plan_series  # noqa: PLC0415

    client = Client(birth_date="1985-03-02", concerns=["dullness"])
    areas = ["face", "neck"]
    return plan_series(
        assess(client, areas, on="2026-10-01"),
        areas,
        start=pendulum.datetime(2026, 10, 20, 9, tz="America/Toronto"),
        clinic=example_clinic(),
    )


def save_example_picture(path: str | os.PathLike[str], *, dpi: int = 100) -> Path:
    """Draw the docs' example plan with `plot` and save it as a PNG at *path*.

    The example: face and neck at `example_clinic` from 2026-10-20 09:00 in
    America/Toronto, for a client born 1985-03-02 who is concerned with dullness,
    assessed on 2026-10-01. No pyplot: the figure is never registered, nothing stays open.

    Raises:
        MissingExtraError: matplotlib is not installed.
    """
    require("matplotlib", EXTRA)
    from matplotlib.figure import Figure  # noqa: PLC0415 - the extra is imported when called

    plan = _example_plan()
    rows, _, _ = _rows(plan, None, "all")
    lanes = _lanes(rows, side_effects=False)
    figure: Figure = Figure(figsize=_figure_size(len(lanes)), layout="constrained")
    _draw(plan, rows, lanes, figure.add_subplot())
    target = Path(path)
    figure.savefig(target, dpi=dpi, format="png", metadata={"Software": None})
    return target
