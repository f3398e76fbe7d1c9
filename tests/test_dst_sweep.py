"""A DST sweep: every UTC-offset change from 2000 to 2037 in 20 zones keeps a plan's invariants.

The changes are found with the standard library alone (`zoneinfo`: the offset sampled
once a day, each change bisected to the second), not with the library under test. The
zones mix both hemispheres (Sydney, Santiago, Auckland, São Paulo until 2019, Windhoek
until 2017), half-hour and odd offsets and shifts (Adelaide, Lord Howe's 30-minute DST,
Kolkata, Tehran, St John's, Chatham's +12:45, Kathmandu's +05:45), changes at midnight
(Santiago, Tehran), Casablanca's Ramadan changes, Moscow's permanent summer time of
2011-2014, and the usual northern zones.

At every change, a clinic open around the clock in that zone plans 4-session series whose
first session starts just before, at and just after the change, and series whose second
session aims, one interval later, at a local time just before or after the change on its
day. Each plan keeps DESIGN.md's invariants 1 to 7 (`check_invariants`), stated again here
in real elapsed time with the standard library: sessions in order without overlap, gaps
within the protocol's bounds, each session exactly ``session_minutes`` of real time long,
each start a local time that exists once, on the clinic's slots; the maintenance window
after the last session; each aftercare window exactly its rule's elapsed length; and the
plan's JSON reads back exactly.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import zoneinfo
from typing import Final, NamedTuple

import pendulum
import pytest

import mesotherapy as meso
from mesotherapy._clinic import WEEKDAYS
from tests.builders import RULES
from tests.exact import assert_exactly_equal
from tests.test_plan_properties import add_months, check_invariants

ZONES: Final = (
    # Southern hemisphere: DST in the southern summer, across the new year.
    "Australia/Sydney",
    "America/Santiago",  # changes at midnight
    "Pacific/Auckland",
    "America/Sao_Paulo",  # DST until 2019
    "Africa/Windhoek",  # winter time until 2017
    # Half-hour, quarter-hour and odd offsets or shifts.
    "Australia/Adelaide",
    "Australia/Lord_Howe",  # a 30-minute DST shift
    "Asia/Kolkata",
    "Asia/Tehran",  # +03:30, DST until 2022, changes at midnight
    "America/St_Johns",
    "Pacific/Chatham",  # +12:45 / +13:45
    "Asia/Kathmandu",
    # The usual ones, and some with history.
    "America/Toronto",
    "America/New_York",
    "Europe/London",
    "Europe/Berlin",
    "America/Los_Angeles",
    "Europe/Moscow",  # summer time made permanent in 2011, undone in 2014
    "Asia/Tokyo",
    "Africa/Casablanca",  # DST suspended each Ramadan; since 2018 the reverse
)

STEADY_ZONES: Final = frozenset({"Asia/Kolkata", "Asia/Kathmandu", "Asia/Tokyo"})
"""The zones among `ZONES` whose offset never changes from 2000 to 2037."""

FIRST: Final = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
END: Final = dt.datetime(2038, 1, 1, tzinfo=dt.UTC)
DAY: Final = 86_400
AREAS: Final = (meso.Area.FACE,)
SESSIONS: Final = 4


class Transition(NamedTuple):
    """A change of UTC offset: the first second of the new offset, and both offsets."""

    zone: str
    at: int
    """The POSIX timestamp of the first second at the new offset."""
    before: dt.timedelta
    after: dt.timedelta

    def wall(self, seconds: int) -> dt.datetime:
        """The naive local reading, *seconds* from the change, of a clock on the old offset."""
        return dt.datetime.fromtimestamp(self.at + seconds, dt.timezone(self.before)).replace(
            tzinfo=None
        )


def _offset(zone: zoneinfo.ZoneInfo, timestamp: int) -> dt.timedelta:
    offset = dt.datetime.fromtimestamp(timestamp, zone).utcoffset()
    assert offset is not None
    return offset


def find_transitions(name: str) -> tuple[Transition, ...]:
    """Every change of UTC offset in *name* from 2000 to 2037, to the second.

    The offset is read once a day (no zone changes twice within a day) and each change
    found is bisected to its first second.
    """
    zone = zoneinfo.ZoneInfo(name)
    found: list[Transition] = []
    low = int(FIRST.timestamp())
    end = int(END.timestamp())
    offset = _offset(zone, low)
    while low < end:
        high = min(low + DAY, end)
        new = _offset(zone, high)
        if new != offset:
            before, after = low, high  # offset at `before`, new at `after`
            while after - before > 1:
                middle = (before + after) // 2
                if _offset(zone, middle) == offset:
                    before = middle
                else:
                    after = middle
            found.append(Transition(name, after, offset, new))
            offset = new
        low = high
    return tuple(found)


TRANSITIONS: Final = {zone: find_transitions(zone) for zone in ZONES}
"""Every change in every zone, found once when the module loads (about 0.2 s)."""


@functools.cache
def clinic(zone: str) -> meso.Clinic:
    """A clinic in *zone* open every day around the clock, on 15-minute slots, no holidays."""
    return meso.Clinic(
        name="Night Clinic",
        timezone=zone,
        hours={day: [("00:00", "23:59")] for day in WEEKDAYS},
        holidays=None,
    )


ASSESSMENT: Final = meso.assess(
    meso.Client(id="c-dst", birth_date="1960-03-02"), AREAS, on="1999-12-01"
)
"""A client eligible from before the first change on: no date of the sweep is refused."""


def _is_real(moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> bool:
    """Whether the local wall time of *moment* in *zone* exists once, and is *moment*."""
    wall = dt.datetime(
        moment.year, moment.month, moment.day, moment.hour, moment.minute, tzinfo=zone
    )
    once = wall.utcoffset() == wall.replace(fold=1).utcoffset()
    exists = wall.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) == wall.replace(
        tzinfo=None
    )
    return once and exists and wall.timestamp() == moment.timestamp()


def _show(plan: meso.TreatmentPlan, where: str) -> str:
    """What a failure prints: where the plan comes from, and the plan."""
    return f"{where}\n{plan.explain()}"


def check_plan(plan: meso.TreatmentPlan, requested: pendulum.DateTime, where: str) -> None:
    """DESIGN.md's invariants of *plan*, and again in real elapsed time with the stdlib."""
    check_invariants(plan)
    zone = zoneinfo.ZoneInfo(plan.timezone)
    protocol = plan.protocol
    minutes = protocol.session_minutes
    sessions = plan.sessions
    assert [s.index for s in sessions] == list(range(1, SESSIONS + 1)), _show(plan, where)
    assert all(s.status is meso.SessionStatus.PLANNED for s in sessions), _show(plan, where)
    assert sessions[0].start >= requested, _show(plan, where)
    for session in sessions:
        assert session.end.timestamp() - session.start.timestamp() == minutes * 60, _show(
            plan, where
        )
        assert _is_real(session.start, zone), f"session {session.index}: {_show(plan, where)}"
        assert session.start.minute % plan.clinic.slot_minutes == 0, _show(plan, where)
        assert session.start.second == session.start.microsecond == 0, _show(plan, where)
        assert plan.clinic.fits(session.start, minutes), (
            f"session {session.index}: {_show(plan, where)}"
        )
    days = [s.start.astimezone(zone).date() for s in sessions]
    for (before, after), (first, second) in zip(
        itertools.pairwise(sessions), itertools.pairwise(days), strict=True
    ):
        assert before.end.timestamp() <= after.start.timestamp(), _show(plan, where)
        gap = (second - first).days
        assert protocol.min_interval_days <= gap <= protocol.max_interval_days, _show(plan, where)
    last = sessions[-1].end.astimezone(zone).date()
    (window,) = plan.maintenance
    assert window.opens == add_months(last, protocol.min_maintenance_months), _show(plan, where)
    assert window.closes == add_months(last, protocol.max_maintenance_months), _show(plan, where)
    assert window.opens > last, _show(plan, where)
    _check_aftercare(plan, where)


AFTER: Final = {
    code: rule.duration.elapsed().total_seconds()
    for code, rule in RULES.aftercare.items()
    if rule.areas & set(AREAS)
}
"""The real length, in seconds, of each aftercare window after a session of `AREAS`."""


def _check_aftercare(plan: meso.TreatmentPlan, where: str) -> None:
    """Aftercare windows last their rule's real time from the session's end; pre-care
    windows end at the session's start.
    """
    by_index = {s.index: s for s in plan.sessions}
    care = meso.aftercare(plan, rules=RULES)
    assert len(care.windows) == SESSIONS * (len(RULES.precare) + len(AFTER)), _show(plan, where)
    for window in care.windows:
        session = by_index[window.session]
        assert window.start.tzinfo is session.start.tzinfo, _show(plan, where)
        if window.kind == "precare":
            # Calendar time before the session: it ends where the session starts.
            assert window.end == session.start, _show(plan, where)
            assert window.start < window.end, _show(plan, where)
            continue
        assert window.start.timestamp() == session.end.timestamp(), _show(plan, where)
        length = window.end.timestamp() - window.start.timestamp()
        assert length == AFTER[window.activity], (
            f"{window.activity} after session {window.session} lasts {length} s: "
            f"{_show(plan, where)}"
        )


def _at(zone: str, timestamp: int) -> pendulum.DateTime:
    return pendulum.from_timestamp(timestamp, tz=zone)


def _one_interval_before(transition: Transition, seconds: int) -> pendulum.DateTime:
    """The local time that a clock on the old offset reads *seconds* from the change,
    one interval (21 days) before the day it reads then: the second session aims at it.
    """
    wall = transition.wall(seconds)
    day = wall.date() - dt.timedelta(days=21)
    return clinic(transition.zone).at(day, wall.time())


def sweep(transition: Transition) -> int:
    """Plan around one change and check every plan; how many were read back from JSON.

    A plan whose first session spans the change (its start and end at different offsets)
    is read back from its JSON; where none does and the clocks go forward (at midnight, a
    session cannot span it in a clinic that closes at 23:59), the plan from the change is.
    """
    place = clinic(transition.zone)
    at = transition.at
    starts = {
        "30 minutes before": _at(transition.zone, at - 1800),
        "at": _at(transition.zone, at),
        "30 minutes after": _at(transition.zone, at + 1800),
        "second session 15 minutes before": _one_interval_before(transition, -900),
        "second session 15 minutes after": _one_interval_before(transition, 900),
    }
    seen: set[tuple[float, ...]] = set()
    plans: dict[str, meso.TreatmentPlan] = {}
    for label, start in starts.items():
        where = f"{transition.zone} change at {_at(transition.zone, at)}: first start {label}"
        plan = plans[label] = meso.plan_series(
            ASSESSMENT, AREAS, start=start, clinic=place, rules=RULES, sessions=SESSIONS
        )
        assert plan.sessions[0].start >= start, where
        key = tuple(s.start.timestamp() for s in plan.sessions)
        if key in seen:
            continue  # the same sessions as another start's: checked already
        seen.add(key)
        check_plan(plan, start, where)
    spanning = [
        plan
        for plan in plans.values()
        if plan.sessions[0].start.utcoffset() != plan.sessions[0].end.utcoffset()
    ]
    if not spanning and transition.after > transition.before:
        spanning = [plans["at"]]
    for plan in spanning[:1]:
        assert_exactly_equal(meso.from_json(meso.to_json(plan), meso.TreatmentPlan), plan)
    return len(spanning[:1])


def test_the_sweep_finds_every_change_of_the_twenty_zones() -> None:
    counts = {zone: len(found) for zone, found in TRANSITIONS.items()}
    assert len(counts) == 20
    assert {zone for zone, count in counts.items() if count == 0} == STEADY_ZONES
    # Two changes a year for 38 years where DST held throughout.
    for zone in ("America/Toronto", "Europe/Berlin", "Australia/Sydney", "Pacific/Chatham"):
        assert counts[zone] == 76, counts
    assert sum(counts.values()) > 1000, counts
    lord_howe = {abs(t.after - t.before) for t in TRANSITIONS["Australia/Lord_Howe"]}
    assert lord_howe == {dt.timedelta(minutes=30)}
    chatham = {t.after for t in TRANSITIONS["Pacific/Chatham"]}
    assert chatham == {dt.timedelta(hours=12, minutes=45), dt.timedelta(hours=13, minutes=45)}
    last_sao_paulo = TRANSITIONS["America/Sao_Paulo"][-1]
    assert _at("America/Sao_Paulo", last_sao_paulo.at).year == 2019


@pytest.mark.parametrize("zone", ZONES)
def test_every_change_of_offset_keeps_the_plan_invariants(zone: str) -> None:
    found = TRANSITIONS[zone]
    checked = read_back = 0
    for transition in found:
        read_back += sweep(transition)
        checked += 1
    assert checked == len(found)
    assert read_back >= sum(t.after > t.before for t in found)
    if zone in STEADY_ZONES:
        # No change to sweep: one plan in the middle of the years still keeps them.
        start = pendulum.datetime(2026, 3, 29, 1, 45, tz=zone)
        plan = meso.plan_series(
            ASSESSMENT, AREAS, start=start, clinic=clinic(zone), rules=RULES, sessions=SESSIONS
        )
        check_plan(plan, start, zone)
