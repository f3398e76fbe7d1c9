"""The clinic's diary: practitioners, rooms, the time they are taken, and the booked sessions.

A `Diary` is immutable: `Diary.book` returns a new diary with a plan's sessions claimed.
Each resource (a practitioner or a room) keeps its claims as sorted lanes of instants, so
whether an interval is free costs a binary search in the diary's size, never a scan.

>>> import pendulum
>>> from mesotherapy import example_clinic
>>> clinic = example_clinic(holidays=None)
>>> diary = Diary(
...     clinic=clinic,
...     practitioners=[Practitioner(id="dr-h", name="Dr. H.", areas=["face"])],
...     rooms=[Room(id="room-1")],
...     busy=[Busy(start=clinic.at("2026-11-24", "09:00"), end=clinic.at("2026-11-24", "10:00"),
...                resource="dr-h", label="staff meeting")],
...     buffer_minutes=10,
... )
>>> diary.is_free("dr-h", clinic.at("2026-11-24", "10:05"), clinic.at("2026-11-24", "10:50"))
False
>>> diary.is_free("dr-h", clinic.at("2026-11-24", "10:10"), clinic.at("2026-11-24", "10:55"))
True
"""

from __future__ import annotations

import bisect
import copy
import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

import attrs
import pendulum

from ._clinic import Clinic
from ._clinic_values import WEEKDAYS, Interval, IntervalLike, OpeningHours
from ._errors import ClinicError, SchedulingError
from ._model import Area
from ._time import aware

if TYPE_CHECKING:
    from ._plan import TreatmentPlan
    from ._session import Session

__all__ = ["Booking", "Busy", "Diary", "Practitioner", "Room"]


def _expected(field: str, value: object, what: str) -> str:
    return f"{field}: expected {what}, got {value!r}"


def _area_set(value: Iterable[Area | str]) -> frozenset[Area]:
    if isinstance(value, str):
        value = [value]
    try:
        return frozenset(Area.parse(area, field="areas") for area in value)
    except TypeError:
        raise ClinicError([_expected("areas", value, "a list of areas")]) from None


def _some_areas(value: Iterable[Area | str] | None) -> frozenset[Area] | None:
    return None if value is None else _area_set(value)


def _hours(
    value: Mapping[str, Iterable[IntervalLike]] | None,
) -> tuple[tuple[str, tuple[Interval, ...]], ...]:
    """A practitioner's own weekly hours, as ``(weekday, intervals)`` pairs in week order."""
    if not value:
        return ()
    if not isinstance(value, Mapping):
        raise ClinicError([_expected("hours", value, "a table of weekdays")])
    unknown = sorted(set(value) - set(WEEKDAYS))
    if unknown:
        msg = f"hours: unknown weekday {unknown[0]!r}, expected one of {', '.join(WEEKDAYS)}"
        raise ClinicError([msg])
    # The clinic's own weekly hours check the intervals: in order, apart, HH:MM.
    week = OpeningHours(**{day: value[day] for day in WEEKDAYS if day in value})
    return tuple((day, week.weekday(day)) for day in WEEKDAYS if day in value)


def _resource_id(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip() or value != value.strip():
        expected = "a non-empty id without spaces around it"
        raise ClinicError([_expected(attribute.name, value, expected)])


@attrs.frozen(kw_only=True)
class Practitioner:
    """Someone who treats: an id, a name, the areas they may treat, and their own hours.

    ``hours`` maps a weekday to the intervals they work on it; a weekday left out follows
    the clinic's hours. They must lie within the clinic's (`Diary` checks).

    >>> p = Practitioner(id="dr-h", name="Dr. H.", areas=["face", "neck"],
    ...                  hours={"monday": [("09:00", "13:00")]})
    >>> sorted(p.areas), p.may_treat([Area.FACE]), p.may_treat([Area.SCALP])
    ([<Area.FACE: 'face'>, <Area.NECK: 'neck'>], True, False)
    """

    id: str = attrs.field(validator=_resource_id)
    name: str = ""
    areas: frozenset[Area] = attrs.field(converter=_area_set)
    hours: tuple[tuple[str, tuple[Interval, ...]], ...] = attrs.field(default=(), converter=_hours)

    def may_treat(self, areas: Iterable[Area]) -> bool:
        """Whether every one of *areas* is among those this practitioner treats."""
        return self.areas.issuperset(areas)

    def works(self, start: pendulum.DateTime, end: pendulum.DateTime) -> bool:
        """Whether *start* to *end* (local, one day) lies within this practitioner's own hours.

        A weekday without hours of their own follows the clinic: the answer is yes.
        """
        weekday = WEEKDAYS[start.weekday()]
        for day, intervals in self.hours:
            if day == weekday:
                first = start.hour * 60 + start.minute
                last = end.hour * 60 + end.minute if end.date() == start.date() else 24 * 60
                return any(i.start_minute <= first and last <= i.end_minute for i in intervals)
        return True


@attrs.frozen(kw_only=True)
class Room:
    """A treatment room: an id, and the areas it serves (``None``: every area).

    >>> Room(id="room-1", areas=["scalp"]).serves([Area.FACE])
    False
    """

    id: str = attrs.field(validator=_resource_id)
    name: str = ""
    areas: frozenset[Area] | None = attrs.field(default=None, converter=_some_areas)

    def serves(self, areas: Iterable[Area]) -> bool:
        """Whether this room serves every one of *areas*."""
        return self.areas is None or self.areas.issuperset(areas)


def _instant(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    aware(value, field=attribute.name)


@attrs.frozen(kw_only=True, order=True)
class Busy:
    """A time a practitioner or a room is taken by something else than a booked session.

    No client data: at most a label (``"staff meeting"``).
    """

    start: pendulum.DateTime = attrs.field(validator=_instant)
    end: pendulum.DateTime = attrs.field(validator=_instant)
    resource: str = attrs.field(validator=_resource_id)
    label: str | None = attrs.field(default=None, order=False)

    def __attrs_post_init__(self) -> None:
        if self.end <= self.start:
            after = f"a time after the start {self.start.isoformat()}"
            raise ClinicError([_expected("end", self.end.isoformat(), after)])


@attrs.frozen(kw_only=True, order=True)
class Booking:
    """One booked session's claim on a practitioner and a room."""

    start: pendulum.DateTime
    end: pendulum.DateTime
    plan: str
    session: str
    practitioner: str
    room: str


def _practitioners(value: Iterable[Practitioner]) -> tuple[Practitioner, ...]:
    return tuple(value)


def _rooms(value: Iterable[Room]) -> tuple[Room, ...]:
    return tuple(value)


def _sorted(value: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(sorted(value))


def _seconds(moment: dt.datetime) -> int:
    return int(moment.timestamp())


class _Lane:
    """The claims of one resource: starts in order, and the latest end up to each one.

    With the running maximum of the ends, whether ``[a, b)`` meets a claim is one binary
    search: the claims starting before ``b`` meet it exactly when the latest of their ends
    lies after ``a``, whether or not those claims overlap one another (busy blocks from a
    calendar may).
    """

    __slots__ = ("latest", "starts")

    def __init__(self, intervals: Iterable[tuple[int, int]] = ()) -> None:
        ordered = sorted(intervals)
        self.starts = [start for start, _ in ordered]
        self.latest: list[int] = []
        top = -(2**62)
        for _, end in ordered:
            top = max(top, end)
            self.latest.append(top)

    def meets(self, start: int, end: int) -> bool:
        before = bisect.bisect_left(self.starts, end)
        return before > 0 and self.latest[before - 1] > start

    def with_claim(self, start: int, end: int) -> _Lane:
        lane = _Lane.__new__(_Lane)
        at = bisect.bisect_right(self.starts, start)
        lane.starts = [*self.starts[:at], start, *self.starts[at:]]
        lane.latest = self.latest[:at]
        top = lane.latest[-1] if lane.latest else -(2**62)
        top = max(top, end)
        lane.latest.append(top)
        for later in self.latest[at:]:
            top = max(top, later)
            lane.latest.append(top)
        return lane


@attrs.frozen(kw_only=True)
class Diary:
    """A clinic, its practitioners and rooms, the time they are taken and the sessions booked.

    Two claims of one resource (busy time or booked sessions) are never closer than
    ``buffer_minutes``.

    Raises:
        ClinicError: two resources share an id, a busy interval names no resource, or a
            practitioner's hours lie outside the clinic's.
    """

    clinic: Clinic
    practitioners: tuple[Practitioner, ...] = attrs.field(converter=_practitioners)
    rooms: tuple[Room, ...] = attrs.field(converter=_rooms)
    busy: tuple[Busy, ...] = attrs.field(default=(), converter=_sorted)
    bookings: tuple[Booking, ...] = attrs.field(default=(), converter=_sorted)
    buffer_minutes: int = 0
    _busy_lanes: dict[str, _Lane] = attrs.field(init=False, eq=False, repr=False, hash=False)
    _booked_lanes: dict[str, _Lane] = attrs.field(init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        problems = [*self._shape_problems(), *self._id_problems()]
        if problems:
            raise ClinicError(problems)
        ids = [item.id for item in self.resources]
        busy: dict[str, list[tuple[int, int]]] = {resource: [] for resource in ids}
        for n, item in enumerate(self.busy):
            if item.resource not in busy:
                problems.append(
                    f"busy[{n}].resource: {item.resource!r} is no resource of the diary"
                )
                continue
            busy[item.resource].append((_seconds(item.start), _seconds(item.end)))
        booked: dict[str, list[tuple[int, int]]] = {resource: [] for resource in ids}
        for n, booking in enumerate(self.bookings):
            for field in ("practitioner", "room"):
                resource = getattr(booking, field)
                if resource not in booked:
                    problems.append(
                        f"bookings[{n}].{field}: {resource!r} is no resource of the diary"
                    )
                    continue
                booked[resource].append((_seconds(booking.start), _seconds(booking.end)))
        if problems:
            raise ClinicError(problems)
        object.__setattr__(self, "_busy_lanes", {k: _Lane(v) for k, v in busy.items()})
        object.__setattr__(self, "_booked_lanes", {k: _Lane(v) for k, v in booked.items()})

    @property
    def resources(self) -> tuple[Practitioner | Room, ...]:
        """The practitioners, then the rooms."""
        return (*self.practitioners, *self.rooms)

    def _shape_problems(self) -> Iterator[str]:
        clinic: object = self.clinic  # callers without a type checker pass anything
        if not isinstance(clinic, Clinic):
            yield _expected("clinic", clinic, "a Clinic")
            return
        buffer: object = self.buffer_minutes
        if isinstance(buffer, bool) or not isinstance(buffer, int) or buffer < 0:
            yield _expected("buffer_minutes", buffer, "a whole number of minutes, 0 or more")
        for kind, cls, values in (
            ("practitioners", Practitioner, self.practitioners),
            ("rooms", Room, self.rooms),
        ):
            for n, value in enumerate(values):
                if not isinstance(value, cls):
                    yield _expected(f"{kind}[{n}]", value, f"a {cls.__name__}")
        for practitioner in self.practitioners:
            if isinstance(practitioner, Practitioner):
                yield from self._hours_problems(practitioner)

    def _id_problems(self) -> Iterator[str]:
        seen: set[str] = set()
        for item in self.resources:
            resource = getattr(item, "id", None)
            if resource in seen:
                yield f"id: {resource!r} names two resources, expected one id for each"
            if isinstance(resource, str):
                seen.add(resource)

    def _hours_problems(self, practitioner: Practitioner) -> Iterator[str]:
        for day, intervals in practitioner.hours:
            clinic = self.clinic.hours.weekday(day)
            for n, own in enumerate(intervals):
                if not any(_within(own, hours) for hours in clinic):
                    open_ = ", ".join(str(c) for c in clinic) or "closed"
                    yield (
                        f"practitioners.{practitioner.id}.hours.{day}[{n}]: {own} lies outside "
                        f"the clinic's hours ({open_}), expected within them"
                    )

    # -- questions ---------------------------------------------------------------------

    def resource(self, resource: str) -> Practitioner | Room:
        """The practitioner or room with id *resource*.

        Raises:
            SchedulingError: no resource has that id.
        """
        for item in self.resources:
            if item.id == resource:
                return item
        msg = f"practitioner: {resource!r} is no practitioner or room of the diary"
        raise SchedulingError(msg)

    def is_free(self, resource: str, start: dt.datetime, end: dt.datetime) -> bool:
        """Whether *resource* is free from *start* to *end*, the buffer on both sides."""
        buffer = self.buffer_minutes * 60
        low, high = _seconds(start) - buffer, _seconds(end) + buffer
        return not (
            self._busy_lanes[resource].meets(low, high)
            or self._booked_lanes[resource].meets(low, high)
        )

    def qualified(self, areas: Iterable[Area]) -> tuple[Practitioner, ...]:
        """The practitioners who may treat all of *areas*, in the diary's order."""
        wanted = frozenset(areas)
        return tuple(p for p in self.practitioners if p.may_treat(wanted))

    def rooms_for(self, areas: Iterable[Area]) -> tuple[Room, ...]:
        """The rooms that serve all of *areas*, in the diary's order."""
        wanted = frozenset(areas)
        return tuple(r for r in self.rooms if r.serves(wanted))

    def free_room(self, areas: Iterable[Area], start: dt.datetime, end: dt.datetime) -> Room | None:
        """The first room that serves *areas* and is free from *start* to *end*, or ``None``."""
        return next((r for r in self.rooms_for(areas) if self.is_free(r.id, start, end)), None)

    def bookings_of(self, plan: str) -> tuple[Booking, ...]:
        """The bookings of the plan with id *plan*."""
        return tuple(b for b in self.bookings if b.plan == plan)

    # -- changes -----------------------------------------------------------------------

    def book(self, plan: TreatmentPlan) -> Diary:
        """This diary with every active session of *plan* claimed, or none of them.

        Raises:
            SchedulingError: a session has no practitioner or room, one who may not treat
                its areas or does not work then, a room that does not serve them, or a
                claim that meets another; the message names the session and the interval.
        """
        if self.bookings_of(plan.id):
            msg = f"plan {plan.id!r} is booked already: release it or update it"
            raise SchedulingError(msg)
        diary = self
        for session in plan.active_sessions:
            diary = diary._claim(plan.id, session)
        return diary

    def release(self, plan: TreatmentPlan) -> Diary:
        """This diary without the claims of *plan* (unchanged when it holds none)."""
        kept = tuple(b for b in self.bookings if b.plan != plan.id)
        if len(kept) == len(self.bookings):
            return self
        return attrs.evolve(self, bookings=kept)

    def update(self, old: TreatmentPlan, new: TreatmentPlan) -> Diary:
        """This diary with *old*'s claims moved to those of *new*, or unchanged on a refusal."""
        return self.release(old).book(new)

    def _claim(self, plan: str, session: Session) -> Diary:
        start, end = session.start.isoformat(), session.end.isoformat()
        where = f"session {session.index} ({start} to {end})"
        if problem := self._refusal(session):
            raise SchedulingError(f"{where}: {problem}")
        practitioner, room = cast("str", session.practitioner), cast("str", session.room)
        booking = Booking(
            start=session.start,
            end=session.end,
            plan=plan,
            session=session.id,
            practitioner=practitioner,
            room=room,
        )
        # The busy lanes are shared, the booked lanes of the two resources copied: a
        # booking costs the size of two lanes, not the diary's.
        new = copy.copy(self)
        start_at, end_at = _seconds(session.start), _seconds(session.end)
        lanes = dict(self._booked_lanes)
        for resource in (practitioner, room):
            lanes[resource] = lanes[resource].with_claim(start_at, end_at)
        object.__setattr__(new, "bookings", tuple(sorted((*self.bookings, booking))))
        object.__setattr__(new, "_booked_lanes", lanes)
        return new

    def _refusal(self, session: Session) -> str | None:  # noqa: PLR0911 - one answer a check
        """Why *session* cannot be claimed, or ``None`` when it can."""
        if session.practitioner is None or session.room is None:
            return "has no practitioner or no room, expected both to book it"
        who = next((p for p in self.practitioners if p.id == session.practitioner), None)
        place = next((r for r in self.rooms if r.id == session.room), None)
        areas = ", ".join(session.areas)
        if who is None:
            return f"practitioner {session.practitioner!r} is no practitioner of the diary"
        if place is None:
            return f"room {session.room!r} is no room of the diary"
        if not who.may_treat(session.areas):
            return f"practitioner {who.id!r} is not qualified for {areas}"
        if not who.works(session.start, session.end):
            return f"practitioner {who.id!r} does not work then"
        if not place.serves(session.areas):
            return f"room {place.id!r} does not serve {areas}"
        for resource in (who.id, place.id):
            if not self.is_free(resource, session.start, session.end):
                blocker = self._blocker(resource, session.start, session.end)
                return f"{resource!r} is taken by {blocker}"
        return None

    def _blocker(self, resource: str, start: dt.datetime, end: dt.datetime) -> str:
        # Only for a refusal's message: a scan is fine here, never on the search's path.
        buffer = dt.timedelta(minutes=self.buffer_minutes)
        low, high = start - buffer, end + buffer
        for busy in self.busy:
            if busy.resource == resource and busy.start < high and low < busy.end:
                label = f" ({busy.label})" if busy.label else ""
                return f"busy {busy.start.isoformat()} to {busy.end.isoformat()}{label}"
        for booking in self.bookings:
            mine = resource in (booking.practitioner, booking.room)
            if mine and booking.start < high and low < booking.end:
                when = f"{booking.start.isoformat()} to {booking.end.isoformat()}"
                return f"session {booking.session} ({when})"
        return "another claim"


def _within(inner: Interval, outer: Interval) -> bool:
    return outer.start_minute <= inner.start_minute and inner.end_minute <= outer.end_minute


def claims(diary: Diary) -> Iterator[tuple[str, Sequence[tuple[dt.datetime, dt.datetime]]]]:
    """Each resource's claims in order (for checks and views)."""
    for item in diary.resources:
        mine = [(b.start, b.end) for b in diary.busy if b.resource == item.id]
        mine += [(b.start, b.end) for b in diary.bookings if item.id in (b.practitioner, b.room)]
        yield item.id, sorted(mine)
