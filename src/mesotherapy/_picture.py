"""The picture of a plan on one time axis, with matplotlib: `mesotherapy.notebook.plot`.

matplotlib comes with the ``notebook`` extra and is imported when `plot` is called.

>>> _label("no_alcohol")
'no alcohol'
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

import attrs

from ._aftercare import PRECARE
from ._extras import require
from ._html import area_names
from ._model import flag
from ._plan import TreatmentPlan
from ._plan_rows import EXTRA, Row, plan_rows
from ._rules import RuleSet
from ._session import SessionStatus
from ._timeline import MilestoneKind

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes

__all__ = ["plot"]

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
    items: tuple[Row, ...]


def _label(code: str) -> str:
    return code.replace("_", " ")


def _lanes(rows: Sequence[Row], *, side_effects: bool) -> list[_Lane]:
    """The rows of the picture, top to bottom: sessions, windows, side effects, results."""
    lanes = [_Lane(label="sessions", kind="session", items=())]
    effects = (MilestoneKind.SIDE_EFFECT.value,) if side_effects else ()
    order = (PRECARE, "avoid", "do", *effects, MilestoneKind.RESULT.value)
    for kind in order:
        codes: dict[str, list[Row]] = {}
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
    rows = plan_rows(plan, rules, "all")
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


def _draw(plan: TreatmentPlan, rows: Sequence[Row], lanes: Sequence[_Lane], ax: Axes) -> None:
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


def _draw_sessions(rows: Sequence[Row], ax: Axes) -> list[Artist]:
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


def _draw_maintenance(rows: Sequence[Row], ax: Axes) -> list[Artist]:
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


def _style_axes(plan: TreatmentPlan, rows: Sequence[Row], lanes: Sequence[_Lane], ax: Axes) -> None:
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
    ax.set_title(
        f"Mesotherapy plan: {area_names(plan.areas)} at {plan.clinic.name} ({plan.timezone})"
    )
