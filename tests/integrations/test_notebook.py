"""Notebook views: the HTML tables, the DataFrame and the picture of a plan.

The DataFrame and the picture are checked against the library's own views (the plan's
sessions, `aftercare`, `expected_timeline`) on the example plan and on generated plans in
any zone; the HTML views for escaping and for each session's local start. pandas and
matplotlib come with the ``notebook`` extra: the tests that need them skip without it,
and the extra's absence is simulated to check the error that names it.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import runpy
import subprocess
import sys
import zoneinfo
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, cast

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mesotherapy import (
    Client,
    ClientError,
    MesotherapyError,
    MilestoneKind,
    MissingExtraError,
    Timeline,
    TreatmentPlan,
    UnknownCodeError,
    aftercare,
    assess,
    default_rules,
    expected_timeline,
)
from mesotherapy._html import assessment_html, plan_html, timeline_html
from mesotherapy._plan_rows import utc_bound
from mesotherapy._rules_io import rules_from_dict, rules_to_dict
from mesotherapy.notebook import (
    FRAME_COLUMNS,
    plot,
    to_frame,
)
from tests.builders import TORONTO, example_plan
from tests.plan_strategies import plans_in_any_state

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.text import Text

CLIENT_ID: Final = "c-4242"
PICTURE: Final = Path(__file__).parents[2] / "docs" / "_static" / "example-plan.png"
PICTURE_SCRIPT: Final = Path(__file__).parents[2] / "docs" / "example_picture.py"
PNG_MAGIC: Final = b"\x89PNG\r\n\x1a\n"
HOSTILE: Final = "<script>alert('x')</script> & \"quoted\""


# --- Helpers ------------------------------------------------------------------------------


def pandas() -> Any:
    """pandas, or a skip when the notebook extra is not installed (it ships no types)."""
    return pytest.importorskip("pandas", reason="the notebook extra is not installed")


def new_figure() -> Figure:
    """A matplotlib figure made without pyplot: nothing to close, no backend chosen."""
    module = pytest.importorskip("matplotlib.figure", reason="the notebook extra is not installed")
    figure: Figure = module.Figure(figsize=(12, 7))
    return figure


def render(ax: Axes) -> bytes:
    """Draw the axes' figure for real, headless, and give the PNG's bytes."""
    buffer = io.BytesIO()
    figure = ax.get_figure(root=True)
    assert figure is not None
    figure.savefig(buffer, format="png", dpi=40)
    return buffer.getvalue()


def expected_counts(plan: TreatmentPlan) -> Counter[str]:
    """The number of items of each kind, from the library's own views."""
    counts: Counter[str] = Counter({"session": len(plan.sessions)})
    counts.update(w.kind for w in aftercare(plan).windows)
    counts.update(m.kind.value for m in expected_timeline(plan))
    return counts


def gids(ax: Axes, prefix: str) -> list[Any]:
    """The artists of *ax* whose gid starts with *prefix*."""
    return [
        artist
        for artist in [*ax.get_lines(), *ax.collections, *ax.patches]
        if (artist.get_gid() or "").startswith(prefix)
    ]


def texts(ax: Axes) -> list[str]:
    """Every text the axes show: title, labels, ticks, annotations and the legend."""
    return [cast("Text", a).get_text() for a in ax.findobj(lambda a: hasattr(a, "get_text"))]


class _Tags(HTMLParser):
    """Counts the tags of a page, and whether anything refers outside it."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: Counter[str] = Counter()
        self.closed: Counter[str] = Counter()
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.opened[tag] += 1
        if tag in ("script", "link", "style", "img", "iframe"):
            self.external.append(tag)
        self.external += [name for name, _ in attrs if name in ("src", "href", "class")]

    def handle_endtag(self, tag: str) -> None:
        self.closed[tag] += 1


def check_page(page: str) -> _Tags:
    """*page* is one table, its tags balanced, nothing loaded from elsewhere."""
    parser = _Tags()
    parser.feed(page)
    parser.close()
    assert page.startswith("<table")
    assert page.endswith("</table>")
    assert parser.opened["table"] == 1
    balanced = ("table", "caption", "thead", "tbody", "tr", "th", "td", "time")
    for tag in balanced:
        assert parser.opened[tag] == parser.closed[tag], tag
    assert not parser.external
    return parser


# --- The DataFrame --------------------------------------------------------------------------


def test_frame_has_a_row_per_session_window_and_milestone() -> None:
    plan = example_plan(None, assessed_on="2026-10-01")
    frame = to_frame(plan)
    care, timeline = aftercare(plan), expected_timeline(plan)
    assert len(frame) == len(plan.sessions) + len(care.windows) + len(timeline)
    assert len(frame) == 4 + 48 + 21
    assert tuple(frame.columns) == FRAME_COLUMNS
    assert Counter(frame["kind"]) == expected_counts(plan)
    assert len(to_frame(plan, what="sessions")) == len(plan.sessions)
    assert len(to_frame(plan, what="windows")) == len(care.windows)
    assert len(to_frame(plan, what="milestones")) == len(timeline)
    assert frame.index.tolist() == list(range(len(frame)))


def test_frame_is_in_time_order_and_the_clinic_zone() -> None:
    plan = example_plan(None, assessed_on="2026-10-01")
    frame = to_frame(plan)
    for column in ("start", "end"):
        assert str(frame[column].dt.tz) == TORONTO
    assert frame["start"].is_monotonic_increasing
    assert (frame["end"] >= frame["start"]).all()
    sessions = to_frame(plan, what="sessions")
    assert [t.isoformat() for t in sessions["start"]] == [
        s.start.isoformat() for s in plan.sessions
    ]
    assert [t.isoformat() for t in sessions["end"]] == [s.end.isoformat() for s in plan.sessions]
    assert sessions["session"].tolist() == [s.index for s in plan.sessions]
    assert sessions["status"].tolist() == ["planned"] * 4
    # 2026-11-01 is a DST change in Toronto: the offsets follow the local calendar.
    assert [t.utcoffset() for t in sessions["start"]] == [
        dt.timedelta(hours=-4),
        *[dt.timedelta(hours=-5)] * 3,
    ]


def test_windows_keep_their_instants_and_session() -> None:
    plan = example_plan(None, assessed_on="2026-10-01")
    windows = to_frame(plan, what="windows")
    expected = sorted(
        (w.start.isoformat(), w.end.isoformat(), w.kind, w.activity, w.session)
        for w in aftercare(plan).windows
    )
    got = sorted(
        (r.start.isoformat(), r.end.isoformat(), r.kind, r.code, int(r.session))
        for r in windows.itertuples()
    )
    assert got == expected
    assert not windows["all_day"].any()


def test_date_only_milestones_run_from_midnight_to_midnight_after_their_last_day() -> None:
    pd = pandas()
    plan = example_plan(None, assessed_on="2026-10-01")
    milestones = to_frame(plan, what="milestones")
    smoother = milestones[milestones["code"] == "smoother"].iloc[0]
    assert smoother["start"] == pd.Timestamp("2026-11-10 00:00", tz=TORONTO)
    # The timeline's last day is 2026-12-08, included: the span ends at midnight after it.
    assert smoother["end"] == pd.Timestamp("2026-12-09 00:00", tz=TORONTO)
    assert smoother["all_day"]
    assert pd.isna(smoother["session"])
    maintenance = milestones[milestones["kind"] == "maintenance"]
    window = plan.maintenance[0]
    assert maintenance["start"].tolist() == [pd.Timestamp(window.opens.isoformat(), tz=TORONTO)]
    closes = window.closes.add(days=1).isoformat()
    assert maintenance["end"].tolist() == [pd.Timestamp(closes, tz=TORONTO)]
    effects = milestones[milestones["kind"] == "side_effect"]
    assert not effects["all_day"].any()
    assert (effects["status"] == "planned").all()


@pytest.mark.parametrize(
    "zone", ["America/Santiago", "America/Havana", "Asia/Beirut", "America/Asuncion", TORONTO]
)
def test_midnight_is_the_first_instant_of_the_local_day(zone: str) -> None:
    """Where DST changes at midnight, midnight local is the first instant that day has."""
    tz = zoneinfo.ZoneInfo(zone)
    day = dt.date(2026, 1, 1)
    while day.year == 2026:
        first = utc_bound(day, zone)
        assert first.tzinfo is dt.UTC
        assert first.astimezone(tz).date() == day
        assert (first - dt.timedelta(microseconds=1)).astimezone(tz).date() < day
        assert utc_bound(day, zone, after=True) == utc_bound(day + dt.timedelta(days=1), zone)
        day += dt.timedelta(days=1)


def test_frame_refuses_an_unknown_selection_and_other_rules() -> None:
    plan = example_plan(None, assessed_on="2026-10-01")
    with pytest.raises(UnknownCodeError, match="what: unknown selection 'everything'"):
        to_frame(plan, what="everything")  # type: ignore[arg-type]
    data = rules_to_dict(default_rules())
    data["version"] = "2099.1"
    with pytest.raises(ClientError, match=r"rules: the plan was made with"):
        to_frame(plan, rules=rules_from_dict(data))


@settings(max_examples=15)
@given(plans_in_any_state(max_operations=1))
def test_frame_matches_the_library_views_of_generated_plans(plan: TreatmentPlan) -> None:
    pandas()
    frame = to_frame(plan)
    assert len(frame) == (
        len(plan.sessions) + len(aftercare(plan).windows) + len(expected_timeline(plan))
    )
    assert Counter(frame["kind"]) == expected_counts(plan)
    for column in ("start", "end"):
        assert str(frame[column].dt.tz) == plan.timezone
    assert (frame["end"] >= frame["start"]).all()
    sessions = to_frame(plan, what="sessions")
    by_index = {s.index: s for s in plan.sessions}
    for row in sessions.itertuples():
        session = by_index[int(row.session)]
        assert row.start.isoformat() == session.start.isoformat()
        assert row.status == session.status.value
    page = plan_html(plan)
    check_page(page)
    for session in plan.sessions:
        assert session.start.format("ddd YYYY-MM-DD HH:mm Z") in page


# --- The picture ----------------------------------------------------------------------------


def check_artists(plan: TreatmentPlan, ax: Axes, *, side_effects: bool = False) -> None:
    """The axes hold a marker per session, a bar per window and a span per result."""
    markers = gids(ax, "sessions:")
    assert sum(len(line.get_xdata()) for line in markers) == len(plan.sessions)
    for line in markers:
        status = line.get_gid().removeprefix("sessions:")
        assert len(line.get_xdata()) == sum(s.status.value == status for s in plan.sessions)
    numbers = [a for a in ax.texts if a.get_gid() == "session-number"]
    assert sorted(int(t.get_text()) for t in numbers) == sorted(s.index for s in plan.sessions)
    windows = gids(ax, "window:")
    assert sum(len(c.get_paths()) for c in windows) == len(aftercare(plan).windows)
    assert {c.get_gid().removeprefix("window:") for c in windows} == {
        w.activity for w in aftercare(plan).windows
    }
    timeline = expected_timeline(plan)
    results = gids(ax, "result:")
    assert sum(len(c.get_paths()) for c in results) == len(timeline.of_kind(MilestoneKind.RESULT))
    effects = gids(ax, "side_effect:")
    expected = len(timeline.of_kind(MilestoneKind.SIDE_EFFECT)) if side_effects else 0
    assert sum(len(c.get_paths()) for c in effects) == expected
    assert len(gids(ax, "maintenance")) == len(plan.maintenance)
    legend = ax.get_legend()
    assert legend is not None
    labels = [t.get_text() for t in legend.get_texts()]
    assert any(label.startswith("session") for label in labels)
    assert all(area.value in ax.get_title() for area in plan.areas)


def test_plot_draws_every_item_of_the_example() -> None:
    plan = example_plan(None, assessed_on="2026-10-01")
    ax = plot(plan, ax=new_figure().add_subplot())
    check_artists(plan, ax)
    assert ax.get_title() == ("Mesotherapy plan: face, neck at Example Clinic (America/Toronto)")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "sessions"
    assert {"aha", "makeup", "sunscreen", "smoother", "lasting"} <= set(labels)
    assert render(ax).startswith(PNG_MAGIC)


def test_plot_shows_side_effects_when_asked() -> None:
    plan = example_plan(None, assessed_on="2026-10-01")
    ax = plot(plan, ax=new_figure().add_subplot(), side_effects=True)
    check_artists(plan, ax, side_effects=True)
    assert "redness" in [t.get_text() for t in ax.get_yticklabels()]
    render(ax)


def test_plot_dates_are_local_to_the_clinic() -> None:
    """The x axis is in the clinic's zone: a session's marker sits at its local date."""
    dates = pytest.importorskip("matplotlib.dates")
    plan = example_plan(None, assessed_on="2026-10-01")
    ax = plot(plan, ax=new_figure().add_subplot())
    (line,) = gids(ax, "sessions:planned")
    shown = [dates.num2date(x, tz=zoneinfo.ZoneInfo(TORONTO)) for x in line.get_xdata()]
    assert [s.strftime("%Y-%m-%d %H:%M") for s in shown] == [
        s.start.format("YYYY-MM-DD HH:mm") for s in plan.sessions
    ]
    formatter = ax.xaxis.get_major_formatter()
    assert str(getattr(formatter, "_tz", None)) == TORONTO


def test_plot_without_axes_makes_a_pyplot_figure_and_leaves_it_to_the_caller() -> None:
    pyplot = pytest.importorskip("matplotlib.pyplot")
    before = set(pyplot.get_fignums())
    ax = plot(example_plan(None, assessed_on="2026-10-01"))
    figure = ax.get_figure(root=True)
    assert figure is not None
    try:
        assert set(pyplot.get_fignums()) - before == {figure.number}
        check_artists(example_plan(None, assessed_on="2026-10-01"), ax)
        render(ax)
    finally:
        pyplot.close(figure)
    assert set(pyplot.get_fignums()) == before


@settings(max_examples=15)
@given(plans_in_any_state(max_operations=1), st.booleans())
def test_plot_renders_generated_plans_headless(plan: TreatmentPlan, side_effects: bool) -> None:
    ax = plot(plan, ax=new_figure().add_subplot(), side_effects=side_effects)
    check_artists(plan, ax, side_effects=side_effects)
    assert render(ax).startswith(PNG_MAGIC)


def test_the_example_picture(tmp_path: Path) -> None:
    """The docs' script draws the tutorial's plan; its copy under docs/ is what it draws."""
    pytest.importorskip("matplotlib", reason="the notebook extra is not installed")
    script = runpy.run_path(str(PICTURE_SCRIPT))
    target = script["save_example_picture"](tmp_path / "plan.png", dpi=40)
    assert target == tmp_path / "plan.png"
    assert target.read_bytes().startswith(PNG_MAGIC)
    # At the docs' resolution, the script draws the copy the docs show, to the byte.
    again = script["save_example_picture"](tmp_path / "again.png")
    assert again.read_bytes() == PICTURE.read_bytes()
    # The docs' copy exists, and stays small enough for a page.
    assert PICTURE.read_bytes().startswith(PNG_MAGIC)
    assert PICTURE.stat().st_size < 150_000


# --- HTML -----------------------------------------------------------------------------------


def test_plan_html_lists_each_session_at_its_local_start() -> None:
    plan = example_plan(None, assessed_on="2026-10-01")
    page = plan_html(plan)
    parser = check_page(page)
    assert parser.opened["tr"] == 1 + len(plan.sessions) + len(plan.maintenance)
    for session in plan.sessions:
        assert session.start.format("ddd YYYY-MM-DD HH:mm Z") in page
        assert f'datetime="{session.start.isoformat()}"' in page
    assert "Tue 2026-11-10 09:00 -05:00" in page
    assert "2027-03-22" in page
    assert "2027-06-22" in page


def test_plan_html_shows_every_status() -> None:
    plan = example_plan(None, assessed_on="2026-10-01").complete(1).no_show(2).cancel(3)
    page = plan_html(plan)
    check_page(page)
    for word in ("completed", "no-show", "cancelled", "planned"):
        assert f">{word}<" in page
    for session in plan.sessions:
        assert session.start.format("YYYY-MM-DD HH:mm") in page


def test_html_escapes_every_text() -> None:
    plan = example_plan(None, assessed_on="2026-10-01")
    hostile = attrs.evolve(plan, clinic=attrs.evolve(plan.clinic, name=HOSTILE))
    noted = assess(
        Client(birth_date="1985-03-02", concerns=["thinning_hair"]), ["face"], on="2026-10-01"
    )
    assessment = attrs.evolve(
        noted,
        findings=tuple(
            attrs.evolve(f, reason=HOSTILE, source=HOSTILE, code=HOSTILE) for f in noted.findings
        ),
    )
    assert assessment.findings, "an unaddressed concern is a finding"
    timeline = Timeline(
        milestones=tuple(
            attrs.evolve(m, description=HOSTILE, source=HOSTILE, advice=HOSTILE)
            for m in expected_timeline(plan)
        )
    )
    for page in (plan_html(hostile), assessment_html(assessment), timeline_html(timeline)):
        check_page(page)
        assert "<script" not in page
        assert HOSTILE not in page
        assert html.escape(HOSTILE) in page


def test_assessment_html_states_status_and_findings() -> None:
    client = Client(
        birth_date="1985-03-02",
        medications=[{"code": "isotretinoin", "last_taken": "2026-09-01"}],
        concerns=["thinning_hair"],
    )
    assessment = assess(client, ["face"], on="2026-11-25")
    page = assessment_html(assessment)
    parser = check_page(page)
    assert parser.opened["tr"] == 1 + len(assessment.findings)
    assert "Assessment: deferred" in page
    assert "earliest start 2027-03-01" in page
    for finding in assessment.findings:
        assert html.escape(finding.reason) in page
        assert finding.code in page


def test_assessment_html_without_findings() -> None:
    assessment = assess(Client(birth_date="1985-03-02"), ["face"], on="2026-11-25")
    assert not assessment.findings
    page = assessment_html(assessment)
    check_page(page)
    assert "Assessment: eligible" in page
    assert ">None<" in page


def test_timeline_html_has_a_row_per_milestone() -> None:
    timeline = expected_timeline(example_plan(None, assessed_on="2026-10-01"))
    page = timeline_html(timeline)
    parser = check_page(page)
    assert parser.opened["tr"] == 1 + len(timeline)
    assert "2026-11-10" in page
    assert "Tue 2026-10-20 09:45 -04:00" in page  # a side effect is an instant
    for milestone in timeline:
        assert html.escape(milestone.description) in page


def test_no_view_shows_the_client_id() -> None:
    plan = example_plan(client_id=CLIENT_ID, assessed_on="2026-10-01")
    assert plan.client_id == CLIENT_ID
    pages = (
        plan_html(plan),
        assessment_html(plan.assessment),
        timeline_html(expected_timeline(plan)),
    )
    for page in pages:
        assert CLIENT_ID not in page
    pandas()
    assert CLIENT_ID not in to_frame(plan).to_csv()
    ax = plot(plan, ax=new_figure().add_subplot(), side_effects=True)
    assert not [text for text in texts(ax) if CLIENT_ID in text]


def test_html_views_work_without_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    plan = example_plan(None, assessed_on="2026-10-01")
    assert plan_html(plan).startswith("<table")
    assert assessment_html(plan.assessment).startswith("<table")
    assert timeline_html(expected_timeline(plan)).startswith("<table")


# --- The extra ------------------------------------------------------------------------------


def test_to_frame_without_pandas_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(MissingExtraError, match=r"mesotherapy\[notebook\]") as caught:
        to_frame(example_plan(None, assessed_on="2026-10-01"))
    assert isinstance(caught.value, MesotherapyError)
    assert isinstance(caught.value, ImportError)


def test_plot_without_matplotlib_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(MissingExtraError, match=r"mesotherapy\[notebook\]"):
        plot(example_plan(None, assessed_on="2026-10-01"))


def test_importing_the_views_imports_neither_pandas_nor_matplotlib() -> None:
    code = (
        "import sys, mesotherapy.notebook; "
        "print(sorted({'pandas', 'matplotlib'} & set(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
