"""Hypothesis strategies for diaries, plans assigned to their resources, and an independent check.

A diary is drawn around a *window* of days at a clinic: practitioners with some areas and
(sometimes) their own hours within the clinic's, rooms serving some areas or all, busy
intervals inside the window on any resource (overlapping one another at times) and a
buffer. Plans are made by `plan_series` without a diary (`tests.builders.plan_for`'s way)
and given a practitioner and a room with `attrs.evolve`; the search that picks them is not
what these tests are about.

The checks at the bottom (`sweep`, `brute_free`, `brute_refusal`) read only the diary's
public fields (``busy``, ``bookings``, its resources) and compute in plain UTC
`datetime`s: they never ask the diary's own lanes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Final

import attrs
import pendulum
from hypothesis import strategies as st

from mesotherapy import (
    Area,
    Busy,
    Clinic,
    Diary,
    Practitioner,
    Room,
    SchedulingError,
    Session,
    TreatmentPlan,
    assess,
    example_clinic,
    plan_series,
)
from mesotherapy._clinic import WEEKDAYS
from tests.builders import ADULT, RULES, utc
from tests.plan_strategies import area_sets, clinics

__all__ = [
    "BUFFERS",
    "World",
    "assigned",
    "brute_free",
    "brute_refusal",
    "busy_intervals",
    "diaries",
    "own_hours",
    "plans_in",
    "practitioners",
    "probes",
    "rooms",
    "sweep",
    "worlds",
]

BUFFERS: Final = (0, 0, 5, 10, 15, 30)
WINDOW_DAYS: Final = 200
"""Days from a world's first day that its busy time and plans fall in: a series fits."""
_STEP: Final = 5
"""Busy time and probes are on five-minute marks, half of them; the rest anywhere."""


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@st.composite
def own_hours(draw: st.DrawFn, clinic: Clinic) -> dict[str, list[tuple[str, str]]]:
    """A practitioner's own hours: for some weekdays, none (off) or a part of the clinic's."""
    hours: dict[str, list[tuple[str, str]]] = {}
    for day in WEEKDAYS:
        open_ = clinic.hours.weekday(day)
        choice = draw(st.sampled_from(("clinic", "clinic", "off", "part")))
        if choice == "off":
            hours[day] = []
        elif choice == "part" and open_:
            interval = draw(st.sampled_from(open_))
            start = draw(st.integers(interval.start_minute, interval.end_minute - 1))
            end = draw(st.integers(start + 1, interval.end_minute))
            hours[day] = [(_clock(start), _clock(end))]
    return hours


@st.composite
def practitioners(draw: st.DrawFn, clinic: Clinic, n: int) -> Practitioner:
    """The *n*-th practitioner: some areas, and their own hours a third of the time."""
    hours = draw(own_hours(clinic)) if draw(st.integers(0, 2)) == 0 else {}
    return Practitioner(
        id=f"dr-{n}",
        name=f"Dr. {n}",
        areas=draw(st.sets(st.sampled_from(Area), min_size=1)),
        hours=hours,
    )


@st.composite
def rooms(draw: st.DrawFn, n: int) -> Room:
    """The *n*-th room: every area half of the time, else some."""
    areas = None if draw(st.booleans()) else draw(st.sets(st.sampled_from(Area), min_size=1))
    return Room(id=f"room-{n}", areas=areas)


def _instant(first: pendulum.DateTime, minutes: int, seconds: int) -> pendulum.DateTime:
    return first.add(minutes=minutes, seconds=seconds)


@st.composite
def busy_intervals(
    draw: st.DrawFn, first: pendulum.DateTime, resources: list[str], max_size: int = 25
) -> list[Busy]:
    """Busy time on *resources* within `WINDOW_DAYS` of *first*: 5 minutes to a day long."""
    found = []
    for _ in range(draw(st.integers(min_value=0, max_value=max_size))):
        offset = draw(st.integers(min_value=0, max_value=WINDOW_DAYS * 24 * 12)) * _STEP
        seconds = 0 if draw(st.booleans()) else draw(st.integers(min_value=0, max_value=299))
        length = draw(st.sampled_from((5, 15, 30, 45, 60, 120, 240, 480, 1440)))
        start = _instant(first, offset, seconds)
        label = draw(st.sampled_from((None, "staff meeting", "cleaning", "training")))
        found.append(
            Busy(
                start=start,
                end=start.add(minutes=length),
                resource=draw(st.sampled_from(resources)),
                label=label,
            )
        )
    return found


@attrs.frozen
class World:
    """A diary and the first instant of its window."""

    diary: Diary
    first: pendulum.DateTime


@st.composite
def worlds(draw: st.DrawFn, *, max_busy: int = 25) -> World:
    """A diary at the example clinic (Toronto, both DST changes) or at a generated clinic."""
    if draw(st.integers(0, 3)) == 0:
        clinic = draw(clinics(around=dt.date(2026, 11, 1)))
    else:
        clinic = example_clinic(holidays=None)
    day = pendulum.date(2026, 9, 1).add(days=draw(st.integers(min_value=0, max_value=150)))
    first = pendulum.datetime(day.year, day.month, day.day, tz=clinic.timezone)
    staff = [draw(practitioners(clinic, n)) for n in range(draw(st.integers(1, 3)))]
    places = [draw(rooms(n)) for n in range(draw(st.integers(1, 3)))]
    ids = [p.id for p in staff] + [r.id for r in places]
    return World(
        diary=Diary(
            clinic=clinic,
            practitioners=staff,
            rooms=places,
            busy=draw(busy_intervals(first, ids, max_busy)),
            buffer_minutes=draw(st.sampled_from(BUFFERS)),
        ),
        first=first,
    )


def diaries(max_busy: int = 25) -> st.SearchStrategy[Diary]:
    """A generated diary (`worlds`)."""
    return worlds(max_busy=max_busy).map(lambda world: world.diary)


def assigned(
    plan: TreatmentPlan, practitioner: str, room: str, *, only_missing: bool = False
) -> TreatmentPlan:
    """*plan* with every session (only those without one, with *only_missing*) assigned."""
    sessions = tuple(
        s
        if only_missing and s.practitioner is not None and s.room is not None
        else attrs.evolve(s, practitioner=practitioner, room=room)
        for s in plan.sessions
    )
    return attrs.evolve(plan, sessions=sessions)


@st.composite
def plans_in(draw: st.DrawFn, world: World, plan_id: str) -> TreatmentPlan:
    """A plan with id *plan_id* at the world's clinic in its window, given resources.

    Mostly a qualified practitioner and a serving room (so that bookings succeed and fill
    the diary), sometimes any; now and then a session with another practitioner.
    """
    diary = world.diary
    areas = draw(area_sets())
    offset = draw(st.integers(min_value=0, max_value=60 * 24 * 12)) * _STEP
    start = world.first.add(minutes=offset)
    assessment = assess(ADULT, areas, on=start.date().subtract(days=30), rules=RULES)
    try:
        plan = plan_series(
            assessment, areas, start=start, clinic=diary.clinic, rules=RULES, plan_id=plan_id
        )
    except SchedulingError:
        # A generated clinic may have no room for a series: a plan for one area instead.
        plan = plan_series(
            assess(ADULT, ["face"], on=assessment.on, rules=RULES),
            ["face"],
            start=world.first,
            clinic=example_clinic(holidays=None, timezone=diary.clinic.timezone),
            rules=RULES,
            plan_id=plan_id,
        )
    fitting = draw(st.booleans()) or draw(st.booleans())
    staff = diary.qualified(plan.areas) if fitting else ()
    places = diary.rooms_for(plan.areas) if fitting else ()
    who = draw(st.sampled_from(staff or diary.practitioners)).id
    where = draw(st.sampled_from(places or diary.rooms)).id
    plan = assigned(plan, who, where)
    if draw(st.integers(0, 5)) == 0:
        other = draw(st.sampled_from(diary.practitioners)).id
        pick = draw(st.integers(min_value=0, max_value=len(plan.sessions) - 1))
        sessions = list(plan.sessions)
        sessions[pick] = attrs.evolve(sessions[pick], practitioner=other)
        plan = attrs.evolve(plan, sessions=tuple(sessions))
    return plan


@st.composite
def probes(
    draw: st.DrawFn, world: World, near: Iterable[tuple[dt.datetime, dt.datetime]] = ()
) -> tuple[pendulum.DateTime, pendulum.DateTime]:
    """An interval to ask about: anywhere in the window, or touching a claim's edges."""
    edges = [moment for pair in near for moment in pair]
    at_an_edge = draw(st.booleans())
    if edges and at_an_edge:
        anchor = pendulum.instance(draw(st.sampled_from(edges)))
        start = anchor.add(minutes=draw(st.integers(min_value=-60, max_value=60)))
    else:
        offset = draw(st.integers(min_value=0, max_value=WINDOW_DAYS * 24 * 60))
        start = world.first.add(minutes=offset)
    start = start.add(seconds=draw(st.sampled_from((0, 0, 0, 1, 59))))
    length = draw(st.integers(min_value=1, max_value=180))
    return start, start.add(minutes=length, microseconds=draw(st.sampled_from((0, 0, 1))))


# -- the independent checks -----------------------------------------------------------------


def _claims_of(diary: Diary, resource: str) -> list[tuple[dt.datetime, dt.datetime, bool]]:
    """Every claim of *resource* from the public fields: (start, end, booked?) in UTC."""
    claims = [(utc(b.start), utc(b.end), False) for b in diary.busy if b.resource == resource]
    claims += [
        (utc(b.start), utc(b.end), True)
        for b in diary.bookings
        if resource in (b.practitioner, b.room)
    ]
    return claims


def sweep(diary: Diary) -> list[str]:
    """Every breach of invariant 10: two claims of one resource closer than the buffer.

    One of the two a booked session (busy blocks of a calendar may overlap each other).
    Sorted by start, a claim breaks the invariant with one before it exactly when it
    starts before the latest end before it plus the buffer: one running maximum of the
    ends of all claims (for a booked session) and one of booked sessions (for busy time).
    """
    buffer = dt.timedelta(minutes=diary.buffer_minutes)
    found = []
    never = dt.datetime.min.replace(tzinfo=dt.UTC)
    for resource in (*(p.id for p in diary.practitioners), *(r.id for r in diary.rooms)):
        latest_any = latest_booked = never
        for start, end, booked in sorted(_claims_of(diary, resource)):
            before = latest_any if booked else latest_booked
            if before != never and start < before + buffer:
                found.append(f"{resource}: a claim from {start} meets one ending {before}")
            latest_any = max(latest_any, end)
            if booked:
                latest_booked = max(latest_booked, end)
    return found


def _works(practitioner: Practitioner, start: dt.datetime, end: dt.datetime) -> bool:
    """Whether the practitioner's own hours hold the local *start* to *end* (none: yes)."""
    own = dict(practitioner.hours)
    day = WEEKDAYS[start.weekday()]
    if day not in own:
        return True
    if end.date() != start.date():
        return False
    first = start.hour * 60 + start.minute
    last = end.hour * 60 + end.minute + (1 if end.second or end.microsecond else 0)
    return any(i.start_minute <= first and last <= i.end_minute for i in own[day])


def session_problems(diary: Diary, session: Session) -> list[str]:
    """Every way *session* breaks invariant 11 in *diary*: who treats it, when, where."""
    found = []
    staff = {p.id: p for p in diary.practitioners}
    places = {r.id: r for r in diary.rooms}
    who = staff.get(session.practitioner or "")
    where = places.get(session.room or "")
    zone = diary.clinic.timezone
    if who is None:
        found.append("no practitioner of the diary")
    elif not set(session.areas) <= who.areas:
        found.append("not qualified")
    elif not _works(who, session.start.in_timezone(zone), session.end.in_timezone(zone)):
        found.append("does not work then")
    if where is None:
        found.append("no room of the diary")
    elif where.areas is not None and not set(session.areas) <= where.areas:
        found.append("room does not serve")
    return found


def brute_free(diary: Diary, resource: str, start: dt.datetime, end: dt.datetime) -> bool:
    """`Diary.is_free` by a scan over every claim of *resource*."""
    buffer = dt.timedelta(minutes=diary.buffer_minutes)
    low, high = utc(start) - buffer, utc(end) + buffer
    return not any(s < high and low < e for s, e, _ in _claims_of(diary, resource))


def brute_refusal(diary: Diary, plan: TreatmentPlan) -> str | None:
    """Why `Diary.book` must refuse *plan*, found by a scan, or ``None`` when it must not."""
    if diary.bookings_of(plan.id):
        return "booked already"
    buffer = dt.timedelta(minutes=diary.buffer_minutes)
    taken: list[tuple[str, dt.datetime, dt.datetime]] = []
    for session in plan.active_sessions:
        if session.practitioner is None or session.room is None:
            return f"session {session.index} unassigned"
        if problems := session_problems(diary, session):
            return f"session {session.index}: {problems[0]}"
        low, high = utc(session.start) - buffer, utc(session.end) + buffer
        for resource in (session.practitioner, session.room):
            if not brute_free(diary, resource, session.start, session.end) or any(
                r == resource and s < high and low < e for r, s, e in taken
            ):
                return f"session {session.index}: {resource} taken"
        taken += [
            (r, utc(session.start), utc(session.end)) for r in (session.practitioner, session.room)
        ]
    return None
