"""The memo of instants' texts (`mesotherapy._kept`) writes what its writer writes.

Times that compare equal and are written differently are drawn together: the two passes
of a repeated hour (one tzinfo, another fold), one instant in several zones, pendulum's
type beside the standard one.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pendulum
from hypothesis import given
from hypothesis import strategies as st

from mesotherapy._kept import by_instant, iso_text

ZONES = ["America/Toronto", "Europe/London", "Australia/Lord_Howe", "America/Havana", "UTC"]


@st.composite
def alike_times(draw: st.DrawFn) -> list[dt.datetime]:
    """A time, its other fold, and the same instant in other zones and as pendulum's type."""
    zone = zoneinfo.ZoneInfo(draw(st.sampled_from(ZONES)))
    wall = draw(
        st.datetimes(
            min_value=dt.datetime(2020, 1, 1),  # noqa: DTZ001 - hypothesis's bounds are naive
            max_value=dt.datetime(2030, 1, 1),  # noqa: DTZ001
        )
    )
    moment = wall.replace(tzinfo=zone, fold=draw(st.integers(0, 1)))
    alike = [moment, moment.replace(fold=1 - moment.fold)]
    alike += [moment.astimezone(zoneinfo.ZoneInfo(name)) for name in ZONES]
    alike += [pendulum.instance(t) for t in list(alike)]
    return draw(st.permutations(alike))


@given(st.lists(alike_times(), min_size=1, max_size=4), st.integers(1, 5))
def test_what_is_kept_is_what_the_writer_writes(groups: list[list[dt.datetime]], most: int) -> None:
    written = by_instant(dt.datetime.isoformat, most=most)
    for moments in groups:
        for moment in moments * 2:  # once written, once found
            assert written(moment) == moment.isoformat()


def test_the_repeated_hour_is_written_with_each_offset() -> None:
    first = pendulum.datetime(2026, 11, 1, 1, 30, tz="America/Toronto", fold=0)
    second = first.add(hours=1)
    assert first == second
    assert (iso_text(first), iso_text(second)) == (first.isoformat(), second.isoformat())
    assert iso_text(first) != iso_text(second)


def test_one_instant_is_written_in_its_own_zone() -> None:
    utc = dt.datetime(2026, 11, 24, 14, tzinfo=dt.UTC)
    toronto = utc.astimezone(zoneinfo.ZoneInfo("America/Toronto"))
    assert utc == toronto
    assert (iso_text(utc), iso_text(toronto)) == (
        "2026-11-24T14:00:00+00:00",
        "2026-11-24T09:00:00-05:00",
    )


def test_it_starts_again_when_full() -> None:
    calls: list[dt.datetime] = []

    def write(moment: dt.datetime) -> str:
        calls.append(moment)
        return moment.isoformat()

    written = by_instant(write, most=2)
    times = [dt.datetime(2026, 1, day, tzinfo=dt.UTC) for day in (1, 2, 3)]
    for moment in times + times[-1:]:
        written(moment)
    assert calls == times  # the third cleared the first two; the fourth call found the third
