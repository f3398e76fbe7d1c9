"""The picture of a diary's week, with matplotlib: `mesotherapy.notebook.plot_week`.

matplotlib comes with the ``notebook`` extra and is imported when `plot_week` is called.

Seven day columns, Monday to Sunday, each spanning the same local hours (from the
earliest opening of the week to its latest closing, widened to the claims that lie
outside them); one lane per practitioner and room across them. Every position is a
local wall-clock time in the clinic's zone, so a day with a clock change still shows
09:00 where 09:00 is.

>>> _wall_minutes(pendulum.datetime(2026, 11, 24, 9, 30, tz="America/Toronto"))
570
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Final

import attrs
import pendulum

from ._clinic_values import Interval
from ._diary import Diary, Practitioner, Room
from ._diary_rows import Claim, checked_diary, diary_claims
from ._extras import require
from ._plan_rows import EXTRA
from ._time import parse_date

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes

__all__ = ["plot_week"]

_COLOURS: Final = {"busy": "#8c8c8c", "booked": "#1f4e99", "open": "#fff4d6"}
_LEGEND: Final = {
    "busy": "busy (calendar, meeting...)",
    "booked": "booked session",
    "open": "clinic open",
}
_BAR: Final = 0.6
"""The height of a block, in lanes."""
_DAY: Final = 24 * 60
_DEFAULT_HOURS: Final = (8 * 60, 18 * 60)
"""The hours a week without an opening shows."""


def _wall_minutes(moment: pendulum.DateTime) -> int:
    return moment.hour * 60 + moment.minute


def _week_start(week_of: object) -> pendulum.Date:
    day = parse_date(week_of, field="week_of")
    return day.subtract(days=day.weekday())


def _segments(claim: Claim, zone: str, monday: pendulum.Date) -> Iterator[tuple[int, int, int]]:
    """The claim's pieces within the week: ``(day index, first minute, last minute)``."""
    start = pendulum.instance(claim.start).in_timezone(zone)
    end = pendulum.instance(claim.end).in_timezone(zone)
    day = max(start.date(), monday)
    last_day = min(end.date(), monday.add(days=6))
    while day <= last_day:
        first = _wall_minutes(start) if day == start.date() else 0
        last = _wall_minutes(end) if day == end.date() else _DAY
        if last > first:
            yield (day - monday).days, first, last
        day = day.add(days=1)


def plot_week(
    diary: Diary,
    *,
    week_of: dt.date | str,
    ax: Axes | None = None,
) -> Axes:
    """Draw the week of the local date *week_of* (Monday to Sunday) of *diary*, and return the axes.

    One lane per practitioner, then per room, in the diary's order, labelled with the
    resource's name (or id) and its kind; seven day columns, Monday to Sunday, each over
    the same local hours in the clinic's zone. The clinic's opening hours of each day
    are shaded (none on a closed day: a holiday, a closure or a weekday without hours).
    Each claim is a block on its resource's lane: grey when busy, blue when booked (a
    booked session is a block on its practitioner's lane and one on its room's).

    Each artist has a ``gid`` for those who inspect the picture: ``busy:<resource>`` and
    ``booked:<resource>`` (bar collections, one a lane and kind), ``open`` (the shading)
    and ``day`` (the lines between columns).

    Without *ax*, a figure is made with pyplot; nothing is shown or closed here (see
    `mesotherapy.notebook.plot`).

    >>> import mesotherapy as meso
    >>> from matplotlib.figure import Figure
    >>> clinic = meso.example_clinic(holidays=None)
    >>> diary = meso.Diary(clinic=clinic,
    ...     practitioners=[meso.Practitioner(id="dr-h", name="Dr. H.", areas=["face"])],
    ...     rooms=[meso.Room(id="room-1")],
    ...     busy=[meso.Busy(start=clinic.at("2026-11-25", "12:00"),
    ...                     end=clinic.at("2026-11-25", "13:00"), resource="room-1",
    ...                     label="cleaning")])
    >>> ax = plot_week(diary, week_of="2026-11-26", ax=Figure().add_subplot())
    >>> [label.get_text() for label in ax.get_yticklabels()]
    ['Dr. H. (practitioner)', 'room-1 (room)']
    >>> ax.get_title()
    'Example Clinic: week of 2026-11-23 (America/Toronto)'

    Raises:
        MissingExtraError: matplotlib is not installed
            (``pip install 'mesotherapy[notebook]'``).
        ClientError: *diary* is no `Diary`.
        InvalidTimeError: *week_of* is no date.
    """
    diary = checked_diary(diary)
    monday = _week_start(week_of)
    require("matplotlib", EXTRA)
    zone = diary.clinic.timezone
    low = pendulum.datetime(monday.year, monday.month, monday.day, tz=zone)
    claims = list(diary_claims(diary, low.in_timezone("UTC"), low.add(days=7).in_timezone("UTC")))
    resources: tuple[Practitioner | Room, ...] = (*diary.practitioners, *diary.rooms)
    if ax is None:
        from matplotlib import pyplot as plt  # noqa: PLC0415 - the extra is imported when called

        height = max(3.0, 0.45 * len(resources) + 1.8)
        _, ax = plt.subplots(figsize=(14.0, height), layout="constrained")
    days = [monday.add(days=n) for n in range(7)]
    opening = [tuple(diary.clinic.hours_on(day)) for day in days]
    pieces = {id(c): list(_segments(c, zone, monday)) for c in claims}
    first, last = _hours(opening, [p for ps in pieces.values() for p in ps])
    columns = _Columns(first, last)
    handles = _shade_open(ax, opening, columns)
    handles += _draw_claims(ax, resources, claims, pieces, columns)
    _style(diary, ax, days, resources, (first, last))
    if handles:
        ax.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.08),
            ncols=len(handles),
            frameon=False,
            fontsize=9,
        )
    return ax


@attrs.frozen
class _Columns:
    """Where a local time of a day lies on the x axis: day *n* spans ``[n, n + 1]``."""

    first: int
    last: int

    def x(self, day: int, minute: int) -> float:
        clipped = min(max(minute, self.first), self.last)
        return day + (clipped - self.first) / (self.last - self.first)


def _shade_open(
    ax: Axes, opening: Sequence[tuple[Interval, ...]], columns: _Columns
) -> list[Artist]:
    """The clinic's opening hours of each day, shaded across every lane."""
    from matplotlib.patches import Patch  # noqa: PLC0415 - the extra is imported when called

    for n, intervals in enumerate(opening):
        for interval in intervals:
            ax.axvspan(
                columns.x(n, interval.start_minute),
                columns.x(n, interval.end_minute),
                color=_COLOURS["open"],
                gid="open",
                zorder=0,
            )
    if not any(opening):
        return []
    return [Patch(color=_COLOURS["open"], label=_LEGEND["open"])]


def _draw_claims(
    ax: Axes,
    resources: Sequence[Practitioner | Room],
    claims: Sequence[Claim],
    pieces: Mapping[int, Sequence[tuple[int, int, int]]],
    columns: _Columns,
) -> list[Artist]:
    """A block per claim piece on its resource's lane: one bar collection a lane and kind."""
    from matplotlib.patches import Patch  # noqa: PLC0415 - the extra is imported when called

    handles: list[Artist] = []
    seen: set[str] = set()
    for y, item in enumerate(resources):
        for kind in ("busy", "booked"):
            bars = [
                (columns.x(d, a), columns.x(d, b) - columns.x(d, a))
                for c in claims
                if c.resource == item.id and c.claim == kind
                for d, a, b in pieces[id(c)]
                if columns.x(d, b) > columns.x(d, a)
            ]
            if not bars:
                continue
            ax.broken_barh(
                bars,
                (y - _BAR / 2, _BAR),
                facecolors=_COLOURS[kind],
                edgecolors="white",
                linewidths=0.6,
                gid=f"{kind}:{item.id}",
                zorder=2,
            )
            if kind not in seen:
                seen.add(kind)
                handles.append(Patch(color=_COLOURS[kind], label=_LEGEND[kind]))
    return handles


def _hours(
    opening: Sequence[tuple[Interval, ...]], pieces: Sequence[tuple[int, int, int]]
) -> tuple[int, int]:
    """The local minutes every column spans: the week's opening hours and its claims."""
    starts = [i.start_minute for day in opening for i in day]
    ends = [i.end_minute for day in opening for i in day]
    starts += [a for _, a, _ in pieces]
    ends += [b for _, _, b in pieces]
    if not starts:
        return _DEFAULT_HOURS
    # Whole hours either side, so that the columns begin and end on the hour.
    return min(starts) // 60 * 60, min(_DAY, -(-max(ends) // 60) * 60)


def _style(
    diary: Diary,
    ax: Axes,
    days: Sequence[pendulum.Date],
    resources: Sequence[Practitioner | Room],
    hours: tuple[int, int],
) -> None:
    """Lanes labelled, day columns headed, the hours below, the title above."""
    labels = [
        f"{r.name or r.id} ({'practitioner' if isinstance(r, Practitioner) else 'room'})"
        for r in resources
    ]
    ax.set_yticks(range(len(resources)), labels)
    ax.set_ylim(max(len(resources), 1) - 0.5, -0.5)  # a diary without resources: one blank lane
    ax.tick_params(axis="y", length=0, labelsize=9)
    ax.set_xlim(0, 7)
    ax.set_xticks(
        [n + 0.5 for n in range(7)],
        [f"{day.format('ddd')} {day.format('D MMM')}" for day in days],
    )
    ax.xaxis.set_ticks_position("top")
    ax.tick_params(axis="x", length=0, labelsize=9)
    for n in range(1, 7):
        ax.axvline(n, color="#b8b8b8", linewidth=0.8, gid="day", zorder=1)
    first, last = hours
    ax.set_xlabel(
        f"each day {first // 60:02}:{first % 60:02} to {last // 60:02}:{last % 60:02}, "
        f"local time ({diary.clinic.timezone})"
    )
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_title(f"{diary.clinic.name}: week of {days[0].isoformat()} ({diary.clinic.timezone})")
