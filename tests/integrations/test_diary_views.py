"""The views of a clinic's diary: its DataFrame and the picture of a week.

The frame's rows are checked against the diary's own fields (``busy``, ``bookings``),
counted and listed here independently of the library's row code; the picture by its
artists: one lane per resource, one block per claim piece, the opening hours shaded.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Final, cast

import attrs
import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mesotherapy as meso
from mesotherapy import Busy, ClientError, Diary, InvalidTimeError, Practitioner, Room
from mesotherapy.notebook import DIARY_COLUMNS, diary_frame, plot_week

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

pandas = pytest.importorskip("pandas")
pytest.importorskip("matplotlib")

ZONE: Final = "America/Toronto"
CLINIC: Final = meso.example_clinic(holidays="CA-ON")


def _diary(busy: list[Busy] | None = None, *, rooms: int = 2) -> Diary:
    return Diary(
        clinic=CLINIC,
        practitioners=[
            Practitioner(id="dr-h", name="Dr. H.", areas=["face", "neck"]),
            Practitioner(id="dr-k", areas=["face"]),
        ],
        rooms=[
            Room(id=f"room-{n}", name=f"Room {n}" if n % 2 else "") for n in range(1, rooms + 1)
        ],
        busy=busy or [],
        buffer_minutes=10,
    )


def _busy(day: str, start: str, end: str, resource: str, label: str | None = None) -> Busy:
    return Busy(
        start=CLINIC.at(day, start), end=CLINIC.at(day, end), resource=resource, label=label
    )


def _booked_plan(start: str = "2026-10-20", plan_id: str = "p-1") -> meso.TreatmentPlan:
    client = meso.Client(id="c-1", birth_date="1985-03-02")
    result = meso.assess(client, ["face"], on="2026-10-01")
    return meso.plan_series(
        result, ["face"], clinic=CLINIC, start=CLINIC.at(start, "09:00"), plan_id=plan_id
    )


def _staffed(plan: meso.TreatmentPlan) -> meso.TreatmentPlan:
    """*plan* on dr-h and room-1, as a diary search leaves it."""
    return attrs.evolve(
        plan,
        sessions=tuple(attrs.evolve(s, practitioner="dr-h", room="room-1") for s in plan.sessions),
    )


def _expected_rows(
    diary: Diary, low: dt.datetime | None = None, high: dt.datetime | None = None
) -> list[tuple[Any, ...]]:
    """The claims of *diary*, from its fields: a busy row each, two rows a booking."""
    rows: list[tuple[Any, ...]] = [
        (b.resource, "busy", b.start, b.end, None, None, b.label) for b in diary.busy
    ]
    rows += [
        (resource, "booked", k.start, k.end, k.plan, k.session, None)
        for k in diary.bookings
        for resource in (k.practitioner, k.room)
    ]
    return sorted(
        (r for r in rows if (low is None or low < r[3]) and (high is None or r[2] < high)),
        key=repr,
    )


def _frame_rows(frame: Any) -> list[tuple[Any, ...]]:
    def none(value: Any) -> Any:
        return None if value is None or pandas.isna(value) else value

    return sorted(
        (
            (
                r.resource,
                r.claim,
                pendulum.instance(r.start.to_pydatetime()),
                pendulum.instance(r.end.to_pydatetime()),
                none(r.plan),
                none(r.session),
                none(r.label),
            )
            for r in frame.itertuples()
        ),
        key=repr,
    )


def _same(a: list[tuple[Any, ...]], b: list[tuple[Any, ...]]) -> bool:
    def key(row: tuple[Any, ...]) -> tuple[Any, ...]:
        return (row[0], row[1], row[2].timestamp(), row[3].timestamp(), *row[4:])

    return sorted(map(key, a)) == sorted(map(key, b))


BOOKED: Final = _diary().book(_staffed(_booked_plan()))

CASES: Final = {
    "empty": _diary(),
    "busy only": _diary([_busy("2026-11-24", "09:00", "10:00", "dr-h", "staff meeting")]),
    "overlapping busy": _diary(
        [
            _busy("2026-11-24", "09:00", "11:00", "room-1"),
            _busy("2026-11-24", "10:00", "12:00", "room-1"),
            _busy("2026-11-24", "10:00", "12:00", "room-1"),
        ]
    ),
    "overnight": _diary(
        [
            Busy(
                start=CLINIC.at("2026-11-24", "20:00"),
                end=CLINIC.at("2026-11-25", "07:00"),
                resource="room-2",
                label="cleaning",
            )
        ]
    ),
    "booked": BOOKED,
    "booked and busy": Diary(
        clinic=CLINIC,
        practitioners=BOOKED.practitioners,
        rooms=BOOKED.rooms,
        busy=[
            _busy("2026-10-22", "13:00", "17:00", "room-2"),
            _busy("2026-10-20", "11:00", "12:00", "dr-k"),
        ],
        bookings=BOOKED.bookings,
        buffer_minutes=10,
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_the_frames_rows_are_the_diarys_claims(name: str) -> None:
    diary = CASES[name]
    frame = diary_frame(diary)
    assert list(frame.columns) == list(DIARY_COLUMNS)
    assert len(frame) == len(diary.busy) + 2 * len(diary.bookings)
    assert _same(_frame_rows(frame), _expected_rows(diary))
    kinds = {p.id: "practitioner" for p in diary.practitioners} | {
        r.id: "room" for r in diary.rooms
    }
    assert all(kinds[r] == k for r, k in zip(frame["resource"], frame["kind"], strict=True))
    assert str(frame["start"].dt.tz) == "UTC"
    assert str(frame["local_start"].dt.tz) == ZONE
    assert (frame["local_start"] == frame["start"]).all()


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2026-10-20", "2026-10-21"),
        ("2026-10-21", "2026-11-10"),
        (CLINIC.at("2026-10-20", "09:30"), CLINIC.at("2026-10-20", "11:30")),
        (CLINIC.at("2026-10-20", "09:45"), None),
        (None, dt.date(2026, 11, 11)),
        ("2027-01-01", "2027-02-01"),
    ],
)
def test_a_window_keeps_the_claims_that_meet_it(start: Any, end: Any) -> None:
    diary = CASES["booked and busy"]

    def utc(value: Any) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, str | dt.date) and not isinstance(value, dt.datetime):
            day = dt.date.fromisoformat(value) if isinstance(value, str) else value
            return pendulum.datetime(day.year, day.month, day.day, tz=ZONE)
        return value  # type: ignore[no-any-return]

    frame = diary_frame(diary, start=start, end=end)
    assert _same(_frame_rows(frame), _expected_rows(diary, utc(start), utc(end)))


def test_rows_come_resource_after_resource_in_time_order() -> None:
    frame = diary_frame(CASES["booked and busy"])
    order = ["dr-h", "dr-k", "room-1", "room-2"]
    resources = list(frame["resource"])
    assert resources == sorted(resources, key=order.index)
    for _, group in frame.groupby("resource"):
        assert list(group["start"]) == sorted(group["start"])


@pytest.mark.parametrize(
    ("arguments", "error", "words"),
    [
        ({"diary": {}}, ClientError, "diary: expected a Diary"),
        (
            {"start": "2026-10-21", "end": "2026-10-20"},
            InvalidTimeError,
            "end: expected a time after",
        ),
        ({"start": "next week"}, InvalidTimeError, "start: expected a date"),
        (
            {"end": dt.datetime(2026, 10, 20, 9)},  # noqa: DTZ001 - naive on purpose
            InvalidTimeError,
            "end: expected a time-zone-aware",
        ),
    ],
)
def test_bad_arguments_are_refused(arguments: dict[str, Any], error: type, words: str) -> None:
    diary = arguments.pop("diary", CASES["booked"])
    with pytest.raises(error, match=words):
        diary_frame(diary, **arguments)


_minutes = st.integers(min_value=0, max_value=14 * 24 * 4).map(lambda q: q * 15)


@st.composite
def _diaries(draw: st.DrawFn) -> Diary:
    resources = ["dr-h", "dr-k", "room-1", "room-2"]
    monday = pendulum.datetime(2026, 10, 26, tz=ZONE)  # the week of a clock change
    busy = []
    for _ in range(draw(st.integers(min_value=0, max_value=12))):
        first = draw(_minutes)
        length = draw(st.integers(min_value=1, max_value=40)) * 15
        start = monday.add(minutes=first).in_timezone("UTC")
        busy.append(
            Busy(
                start=start,
                end=start.add(minutes=length),
                resource=draw(st.sampled_from(resources)),
                label=draw(st.none() | st.sampled_from(["meeting", "leave"])),
            )
        )
    return _diary(busy)


@settings(max_examples=40, deadline=None)
@given(diary=_diaries(), first=_minutes, length=st.integers(min_value=1, max_value=2000))
def test_any_window_of_any_diary_gives_exactly_its_claims(
    diary: Diary, first: int, length: int
) -> None:
    low = pendulum.datetime(2026, 10, 26, tz=ZONE).add(minutes=first)
    high = low.add(minutes=length)
    frame = diary_frame(diary, start=low, end=high)
    assert _same(_frame_rows(frame), _expected_rows(diary, low, high))


# --- The picture of a week -------------------------------------------------------------------


def _axes() -> Axes:
    from matplotlib.figure import Figure  # noqa: PLC0415

    return Figure(figsize=(14, 4)).add_subplot()


def _gids(ax: Axes, prefix: str) -> list[Any]:
    return [a for a in [*ax.collections, *ax.patches] if (a.get_gid() or "").startswith(prefix)]


def _lanes(ax: Axes) -> list[str]:
    return [t.get_text() for t in ax.get_yticklabels()]


@pytest.mark.parametrize("name", CASES)
def test_the_picture_has_one_lane_per_resource(name: str) -> None:
    diary = CASES[name]
    ax = plot_week(diary, week_of="2026-10-22", ax=_axes())
    expected = [f"{p.name or p.id} (practitioner)" for p in diary.practitioners]
    expected += [f"{r.name or r.id} (room)" for r in diary.rooms]
    assert _lanes(ax) == expected
    assert list(ax.get_yticks()) == list(range(len(expected)))


def _pieces_in_week(diary: Diary, monday: dt.date) -> dict[str, int]:
    """Per ``kind:resource``: the claim pieces (one a local day) within the week."""
    counts: dict[str, int] = {}
    for row in _expected_rows(diary):
        resource, claim, start, end = row[:4]
        local_start = pendulum.instance(start).in_timezone(ZONE)
        local_end = pendulum.instance(end).in_timezone(ZONE)
        day = local_start.date()
        while day <= local_end.date():
            inside = monday <= day < monday + dt.timedelta(days=7)
            empty = day == local_end.date() and local_end.hour == 0 and local_end.minute == 0
            if inside and not empty:
                key = f"{claim}:{resource}"
                counts[key] = counts.get(key, 0) + 1
            day = day.add(days=1)
    return counts


@pytest.mark.parametrize(
    ("name", "week_of"),
    [
        ("booked and busy", "2026-10-22"),
        ("booked", "2026-11-10"),
        ("busy only", "2026-11-29"),
        ("overnight", "2026-11-24"),
        ("overlapping busy", "2026-11-23"),
        ("booked", "2027-03-01"),
    ],
)
def test_each_claim_is_a_block_on_its_lane(name: str, week_of: str) -> None:
    diary = CASES[name]
    ax = plot_week(diary, week_of=week_of, ax=_axes())
    monday = pendulum.parse(week_of).date()  # type: ignore[union-attr]
    monday = monday.subtract(days=monday.weekday())
    drawn = {c.get_gid(): len(c.get_paths()) for c in [*_gids(ax, "busy:"), *_gids(ax, "booked:")]}
    assert drawn == _pieces_in_week(diary, monday)
    lanes = {resource: y for y, resource in enumerate(r.id for r in diary.resources)}
    for collection in [*_gids(ax, "busy:"), *_gids(ax, "booked:")]:
        y = lanes[collection.get_gid().split(":", 1)[1]]
        for path in collection.get_paths():
            top, bottom = path.vertices[:, 1].min(), path.vertices[:, 1].max()
            assert y - 0.5 < top < y < bottom < y + 0.5


def test_a_block_sits_at_its_local_time_in_its_day_column() -> None:
    diary = CASES["busy only"]  # 09:00 to 10:00 on Tuesday 2026-11-24
    ax = plot_week(diary, week_of="2026-11-24", ax=_axes())
    (collection,) = _gids(ax, "busy:dr-h")
    xs = collection.get_paths()[0].vertices[:, 0]
    # Tuesday is column 1; the example clinic opens 09:00 to 18:00 (Saturday 10-14).
    assert xs.min() == pytest.approx(1 + 0 / 9)
    assert xs.max() == pytest.approx(1 + 1 / 9)
    assert "09:00 to 18:00" in ax.get_xlabel()
    assert ax.get_title() == "Example Clinic: week of 2026-11-23 (America/Toronto)"
    days = [t.get_text() for t in ax.get_xticklabels()]
    assert [d.split()[0] for d in days] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


@pytest.mark.parametrize("week_of", ["2026-11-23", "2026-12-21", "2026-10-26", "2027-03-08"])
def test_the_opening_hours_of_each_day_are_shaded(week_of: str) -> None:
    ax = plot_week(CASES["empty"], week_of=week_of, ax=_axes())
    monday = dt.date.fromisoformat(week_of)
    open_ = sum(len(CLINIC.hours_on(monday + dt.timedelta(days=n))) for n in range(7))
    assert len(_gids(ax, "open")) == open_  # Christmas and Boxing Day: none
    assert len([line for line in ax.get_lines() if line.get_gid() == "day"]) == 6


def test_the_picture_refuses_what_is_no_diary_or_no_date() -> None:
    with pytest.raises(ClientError, match="diary: expected a Diary"):
        plot_week("diary.toml", week_of="2026-11-23", ax=_axes())  # type: ignore[arg-type]
    with pytest.raises(InvalidTimeError, match="week_of"):
        plot_week(CASES["empty"], week_of="soon", ax=_axes())


def test_without_axes_a_figure_is_made() -> None:
    from matplotlib import pyplot as plt  # noqa: PLC0415

    ax = plot_week(CASES["booked"], week_of="2026-10-20")
    try:
        assert len(_lanes(ax)) == 4
    finally:
        plt.close(cast("Figure", ax.figure))
