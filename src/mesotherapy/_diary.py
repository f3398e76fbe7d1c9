"""The clinic's diary: practitioners, rooms, the time they are taken, and the booked sessions.

A `Diary` is immutable: `Diary.book` returns a new diary with a plan's sessions claimed.
Each resource (a practitioner or a room) keeps its claims as sorted lanes of instants, so
whether an interval is free costs a binary search in the diary's size, never a scan; a
booking copies one small block of the booked lanes of the two resources it claims and
shares everything else (the busy time of the calendars above all) with the diary it came
from, and the searches' answers of every day it leaves alone (`_diary_days`).

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
>>> diary.why_busy("dr-h", clinic.at("2026-11-24", "10:05"), clinic.at("2026-11-24", "10:50"))
(Busy(resource='dr-h', start='2026-11-24T09:00:00-05:00', end='2026-11-24T10:00:00-05:00', label='staff meeting'),)
>>> diary.is_free("dr-h", clinic.at("2026-11-24", "10:10"), clinic.at("2026-11-24", "10:55"))
True
"""  # noqa: E501 - a doctest's output is one line

from __future__ import annotations

import bisect
import operator
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, cast

import attrs
import pendulum

from ._clinic import Clinic
from ._diary_days import claim_days, derive
from ._diary_shape import MAX_BUFFER, hours_problems, shape_problems
from ._errors import ClinicError, SchedulingError
from ._lanes import _NEVER, _US, _instant, _Lane, free_at
from ._lanes import _span as _span  # noqa: PLC0414 - re-exported: `_diary_search` imports it here
from ._model import Area
from ._pickling import exact_pickling
from ._resources import (
    Booking,
    Busy,
    Practitioner,
    Room,
    _area_set,
    _booking_key,
    _busy_key,
    _Claim,
    _describe,
    _expected,
)

if TYPE_CHECKING:
    import datetime as dt

    from ._plan import TreatmentPlan
    from ._session import Session

__all__ = ["Booking", "Busy", "Diary", "Practitioner", "Room"]


def _tuple(value: object) -> Any:
    """*value* as a tuple; anything that is no list is left for `Diary` to name."""
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        return value
    return tuple(value)


def _practitioners(value: Iterable[Practitioner]) -> tuple[Practitioner, ...]:
    return cast("tuple[Practitioner, ...]", _tuple(value))


def _rooms(value: Iterable[Room]) -> tuple[Room, ...]:
    return cast("tuple[Room, ...]", _tuple(value))


def _busy(value: Iterable[Busy]) -> tuple[Busy, ...]:
    return cast("tuple[Busy, ...]", _tuple(value))


def _bookings(value: Iterable[Booking]) -> tuple[Booking, ...]:
    return cast("tuple[Booking, ...]", _tuple(value))


# -- the diary ------------------------------------------------------------------------------


@exact_pickling
@attrs.frozen(kw_only=True, repr=False)
class Diary:
    """A clinic, its practitioners and rooms, the time they are taken and the sessions booked.

    ``busy`` is the time taken by something else (the resources' calendars), ``bookings``
    the booked sessions, both kept sorted by their start. Two claims of one resource, a
    booked session and anything else, are never closer than ``buffer_minutes`` when the
    sessions were booked through `book` and `update`; busy blocks may overlap each other.
    A diary built with bookings that collide (say, a calendar that changed since) is
    accepted, and `problems` lists each collision.

    >>> from mesotherapy import example_clinic
    >>> Diary(clinic=example_clinic(), practitioners=[Practitioner(id="dr-h", areas=["face"])],
    ...       rooms=[Room(id="room-1"), Room(id="room-2")], buffer_minutes=10)
    <Diary of Example Clinic: practitioners dr-h; rooms room-1, room-2; 0 busy intervals; 0 booked sessions of 0 plans; buffer 10 minutes>

    Raises:
        ClinicError: a field of the wrong type, two resources that share an id, a busy
            interval or a booking that names no such resource, one session booked twice,
            a buffer that is no whole number of minutes from 0 to 1440, or a
            practitioner's hours that lie outside the clinic's; every problem is named
            in ``problems`` by its field.
    """  # noqa: E501 - a doctest's output is one line

    clinic: Clinic
    practitioners: tuple[Practitioner, ...] = attrs.field(converter=_practitioners)
    rooms: tuple[Room, ...] = attrs.field(converter=_rooms)
    busy: tuple[Busy, ...] = attrs.field(default=(), converter=_busy)
    bookings: tuple[Booking, ...] = attrs.field(default=(), converter=_bookings)
    buffer_minutes: int = 0
    _index: dict[str, Practitioner | Room] = attrs.field(init=False, eq=False, hash=False)
    _busy_lanes: dict[str, _Lane] = attrs.field(init=False, eq=False, hash=False)
    _booked_lanes: dict[str, _Lane] = attrs.field(init=False, eq=False, hash=False)
    _plans: dict[str, tuple[Booking, ...]] = attrs.field(init=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        problems = list(shape_problems(self))
        if problems:
            raise ClinicError(problems)
        object.__setattr__(self, "busy", tuple(sorted(self.busy, key=_busy_key)))
        object.__setattr__(self, "bookings", tuple(sorted(self.bookings, key=_booking_key)))
        index: dict[str, Practitioner | Room] = {}
        kinds: tuple[tuple[str, tuple[Practitioner | Room, ...]], ...] = (
            ("practitioners", self.practitioners),
            ("rooms", self.rooms),
        )
        for kind, items in kinds:
            for n, item in enumerate(items):
                if item.id in index:
                    problems.append(
                        f"{kind}[{n}].id: {item.id!r} names two resources, expected one id each"
                    )
                index.setdefault(item.id, item)
        for practitioner in self.practitioners:
            problems += hours_problems(self.clinic, practitioner)
        busy: dict[str, list[tuple[int, int, _Claim]]] = {resource: [] for resource in index}
        for n, block in enumerate(self.busy):
            if block.resource not in busy:
                problems.append(
                    f"busy[{n}].resource: {block.resource!r} is no practitioner or room of "
                    "the diary, expected one of theirs"
                )
                continue
            span = (_instant(block.start, ""), _instant(block.end, ""), block)
            busy[block.resource].append(span)
        booked, plans = self._booked(index, problems)
        if problems:
            raise ClinicError(problems)
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_busy_lanes", {k: _Lane(v) for k, v in busy.items()})
        object.__setattr__(self, "_booked_lanes", {k: _Lane(v) for k, v in booked.items()})
        object.__setattr__(self, "_plans", plans)

    def _booked(
        self, index: Mapping[str, Practitioner | Room], problems: list[str]
    ) -> tuple[dict[str, list[tuple[int, int, _Claim]]], dict[str, tuple[Booking, ...]]]:
        booked: dict[str, list[tuple[int, int, _Claim]]] = {resource: [] for resource in index}
        plans: dict[str, list[Booking]] = {}
        sessions: set[tuple[str, str]] = set()
        for n, booking in enumerate(self.bookings):
            bad = False
            for field, cls in (("practitioner", Practitioner), ("room", Room)):
                resource = getattr(booking, field)
                if not isinstance(index.get(resource), cls):
                    problems.append(
                        f"bookings[{n}].{field}: {resource!r} is no {field} of the diary, "
                        f"expected one of its {field}s"
                    )
                    bad = True
            if (booking.plan, booking.session) in sessions:
                problems.append(
                    f"bookings[{n}].session: a session booked twice, expected each session once"
                )
                bad = True
            sessions.add((booking.plan, booking.session))
            if bad:
                continue
            span = (_instant(booking.start, ""), _instant(booking.end, ""), booking)
            booked[booking.practitioner].append(span)
            booked[booking.room].append(span)
            plans.setdefault(booking.plan, []).append(booking)
        return booked, {plan: tuple(mine) for plan, mine in plans.items()}

    def __repr__(self) -> str:
        plans = len(getattr(self, "_plans", ()))  # a diary being refused shows too
        return (
            f"<Diary of {self.clinic.name}: "
            f"practitioners {', '.join(p.id for p in self.practitioners) or 'none'}; "
            f"rooms {', '.join(r.id for r in self.rooms) or 'none'}; "
            f"{len(self.busy)} busy interval{'s' * (len(self.busy) != 1)}; "
            f"{len(self.bookings)} booked session{'s' * (len(self.bookings) != 1)} of "
            f"{plans} plan{'s' * (plans != 1)}; buffer {self.buffer_minutes} minutes>"
        )

    def _repr_html_(self) -> str:
        from ._html import diary_html  # noqa: PLC0415 - only a notebook needs it

        return diary_html(self)

    # -- questions ---------------------------------------------------------------------

    @property
    def resources(self) -> tuple[Practitioner | Room, ...]:
        """The practitioners, then the rooms."""
        return (*self.practitioners, *self.rooms)

    def resource(self, resource: str) -> Practitioner | Room:
        """The practitioner or room with id *resource*.

        Raises:
            SchedulingError: no resource has that id (a booking or a search asked for
                one the diary does not have); the message names the ids there are.
        """
        key: object = resource  # callers without a type checker pass anything
        found = self._index.get(resource) if isinstance(key, str) else None
        if found is None:
            known = ", ".join(self._index) or "none"
            msg = (
                f"resource: {resource!r} is no practitioner or room of the diary, "
                f"expected one of {known}"
            )
            raise SchedulingError(msg)
        return found

    def is_free(self, resource: str, start: dt.datetime, end: dt.datetime) -> bool:
        """Whether *resource* is free from *start* to *end*, the buffer on both sides.

        A binary search in each of the resource's two lanes (busy time, booked sessions).

        Raises:
            SchedulingError: *resource* is no resource of the diary (`resource`).
            ClinicError: *end* is not after *start*.
            InvalidTimeError: *start* or *end* is no aware date and time.
        """
        key: object = resource  # callers without a type checker pass anything
        busy = self._busy_lanes.get(resource) if isinstance(key, str) else None
        if busy is None:
            self.resource(resource)  # raises, naming it
        low, high = _span(start, end)
        buffer = self.buffer_minutes * 60 * _US
        low, high = low - buffer, high + buffer
        return not (
            cast("_Lane", busy).meets(low, high) or self._booked_lanes[resource].meets(low, high)
        )

    def _free_at(self, resource: str, spans: Sequence[tuple[int, int]]) -> list[bool]:
        """Whether *resource* is free at each of *spans*, exactly as `is_free` says.

        *spans* are instants as `_span` gives them, in order of their starts and ends (a
        search's openings of one day): one look into the lanes for all of them, then
        arithmetic on whole numbers.
        """
        if not spans:
            return []
        return free_at(
            resource,
            self._busy_lanes[resource],
            self._booked_lanes[resource],
            self.buffer_minutes * 60 * _US,
            spans,
        )

    def why_busy(
        self, resource: str, start: dt.datetime, end: dt.datetime
    ) -> tuple[Busy | Booking, ...]:
        """The claims of *resource* that keep it from *start* to *end* (with the buffer).

        Empty exactly when `is_free` says yes; busy time first, then booked sessions, each
        in order of its start. For refusals and views, never needed on a search's path.
        """
        self.resource(resource)
        low, high = _span(start, end)
        buffer = self.buffer_minutes * 60 * _US
        low, high = low - buffer, high + buffer
        return (
            *self._busy_lanes[resource].meeting(low, high),
            *self._booked_lanes[resource].meeting(low, high),
        )

    def claims(
        self, resource: str, start: dt.datetime | None = None, end: dt.datetime | None = None
    ) -> tuple[Busy | Booking, ...]:
        """Every claim of *resource* that meets *start* to *end* (all of them without).

        In order of their starts, busy time before a booked session that starts with it;
        no buffer: what a day sheet or a week's picture shows.
        """
        self.resource(resource)
        low, high = (_NEVER, -_NEVER) if start is None or end is None else _span(start, end)
        found = [
            *self._busy_lanes[resource].meeting(low, high),
            *self._booked_lanes[resource].meeting(low, high),
        ]
        return tuple(sorted(found, key=lambda claim: _instant(claim.start, "start")))

    def qualified(self, areas: Iterable[Area | str]) -> tuple[Practitioner, ...]:
        """The practitioners who may treat all of *areas*, in the diary's order."""
        wanted = _area_set(areas)
        return tuple(p for p in self.practitioners if p.areas.issuperset(wanted))

    def rooms_for(self, areas: Iterable[Area | str]) -> tuple[Room, ...]:
        """The rooms that serve all of *areas*, in the diary's order."""
        wanted = _area_set(areas)
        return tuple(r for r in self.rooms if r.areas is None or r.areas.issuperset(wanted))

    def free_room(
        self, areas: Iterable[Area | str], start: dt.datetime, end: dt.datetime
    ) -> Room | None:
        """The first room that serves *areas* and is free from *start* to *end*, or ``None``."""
        return next((r for r in self.rooms_for(areas) if self.is_free(r.id, start, end)), None)

    def bookings_of(self, plan: str) -> tuple[Booking, ...]:
        """The bookings of the plan with id *plan*, in order (none when it holds no claim)."""
        return self._plans.get(plan, ())

    def problems(self) -> list[str]:
        """Every claim of a booked session that breaks invariant 10 of DESIGN.md.

        A booked session that meets another claim of its practitioner or room, or comes
        closer to it than the buffer, or lies outside its practitioner's own hours. Empty
        for a diary whose sessions were all booked through `book` and `update`; a diary
        built from a bookings file and calendars that changed since may have some. Each
        message names the resource and both intervals, no client data.
        """
        found: list[str] = []
        buffer = self.buffer_minutes * 60 * _US
        for booking in self.bookings:
            low, high = _instant(booking.start, ""), _instant(booking.end, "")
            for resource in (booking.practitioner, booking.room):
                others = [
                    *self._busy_lanes[resource].meeting(low - buffer, high + buffer),
                    *self._booked_lanes[resource].meeting(low - buffer, high + buffer),
                ]
                found += (
                    f"{resource}: {_describe(booking)} meets {_describe(other)}, expected "
                    f"{self.buffer_minutes} minutes or more apart"
                    for other in others
                    if other is not booking
                    # each pair of booked sessions once
                    and (isinstance(other, Busy) or _booking_key(other) > _booking_key(booking))
                )
            who = self._index[booking.practitioner]
            if isinstance(who, Practitioner) and not who.works(
                *self._local(booking.start, booking.end)
            ):
                found.append(f"{who.id}: {_describe(booking)} lies outside their own hours")
        return found

    # -- changes -----------------------------------------------------------------------

    def book(self, plan: TreatmentPlan) -> Diary:
        """This diary with every active session of *plan* claimed, or none of them.

        Active sessions are the planned and the completed ones (a completed session took
        its practitioner's and room's time as much as a planned one will); a cancelled or
        missed session claims nothing. Each claim is checked against the diary and the
        plan's sessions claimed before it. A plan with no active session claims nothing:
        the diary comes back as it was.

        Raises:
            SchedulingError: the plan is booked already, or a session has no practitioner
                or room, names one the diary does not have, one who may not treat its areas
                or does not work then, a room that does not serve them, or a claim that
                meets another (the buffer included); the message names the session, its
                interval, and the claim it collides with. This diary is unchanged.
        """
        plan_id, sessions = _plan_parts(plan)
        if plan_id in self._plans:
            msg = f"plan: booked already, expected a plan the diary holds no claim of: {_HOW}"
            raise SchedulingError(msg)
        if not sessions:
            return self
        lanes = dict(self._booked_lanes)
        made: list[Booking] = []
        for session in sessions:
            where = f"session {session.index} ({session.start.isoformat()} to {session.end.isoformat()})"  # noqa: E501
            if problem := self._refusal(session, lanes):
                raise SchedulingError(f"{where}: {problem}")
            booking = _booking(plan_id, session)
            low, high = _instant(booking.start, "start"), _instant(booking.end, "end")
            for resource in (booking.practitioner, booking.room):
                lanes[resource] = lanes[resource].with_claim(low, high, booking)
            made.append(booking)
        # The bookings, and the plans, copied in C (a copy of pointers, the one cost that
        # grows with the diary; `{**plans}` would go through every entry in Python).
        bookings, done = list(self.bookings), 0
        for booking in sorted(made, key=_booking_key):
            # Among the bookings that start with it (few), by the whole key.
            low = bisect.bisect_left(bookings, booking.start, lo=done, key=_START)
            high = bisect.bisect_right(bookings, booking.start, lo=low, key=_START)
            done = bisect.bisect_right(bookings, _booking_key(booking), low, high, key=_booking_key)
            bookings.insert(done, booking)
        plans = self._plans.copy()
        plans[plan_id] = tuple(made)
        return self._derived(tuple(bookings), lanes, plans, changed=made)

    def release(self, plan: TreatmentPlan) -> Diary:
        """This diary without the claims of *plan*.

        A plan's claims are found by its id, whatever its sessions are now: releasing a
        later revision of a booked plan frees what the booked one claimed. A plan the
        diary holds no claim of is no error: the diary comes back unchanged (the same
        object), so that releasing twice, or releasing a plan that was never booked, is
        harmless.
        """
        plan_id, _ = _plan_parts(plan, active=False)
        mine = self._plans.get(plan_id)
        if mine is None:
            return self
        lanes = dict(self._booked_lanes)
        for booking in mine:
            low = _instant(booking.start, "start")
            for resource in (booking.practitioner, booking.room):
                lanes[resource] = lanes[resource].without(low, booking)
        # Each of the plan's bookings found by a binary search on its start, then by identity
        # among the few that start with it, and taken out: never a loop over them all.
        bookings = list(self.bookings)
        for booking in mine:
            at = bisect.bisect_left(bookings, booking.start, key=_START)
            while bookings[at] is not booking:  # the diary put it there
                at += 1
            del bookings[at]
        plans = self._plans.copy()
        del plans[plan_id]
        return self._derived(tuple(bookings), lanes, plans, changed=mine)

    def update(self, old: TreatmentPlan, new: TreatmentPlan) -> Diary:
        """This diary with *old*'s claims replaced by those of *new*: all of them, or none.

        *new* is checked in full against the diary without *old* (so a session may move
        into the time *old* held, and a session that did not move is checked again).
        When *old* holds no claim, this is `book` of *new*.

        Raises:
            SchedulingError: as `book`, for *new*; this diary is unchanged, *old*'s claims
                still in it.
        """
        return self.release(old).book(new)

    def _derived(
        self,
        bookings: tuple[Booking, ...],
        lanes: dict[str, _Lane],
        plans: dict[str, tuple[Booking, ...]],
        *,
        changed: Sequence[Booking],
    ) -> Diary:
        """This diary with other bookings, sharing everything else (busy lanes above all).

        *changed* are the bookings added or taken away: the searches' answers of every day
        they leave alone hold for the new diary too (`_diary_days`).
        """
        new = object.__new__(Diary)
        for name in ("clinic", "practitioners", "rooms", "busy", "buffer_minutes", "_index"):
            object.__setattr__(new, name, getattr(self, name))
        object.__setattr__(new, "_busy_lanes", self._busy_lanes)
        object.__setattr__(new, "bookings", bookings)
        object.__setattr__(new, "_booked_lanes", lanes)
        object.__setattr__(new, "_plans", plans)
        zone, margin = self.clinic.zone, -(-self.buffer_minutes // MAX_BUFFER) + 1
        days = {
            day
            for booking in changed
            for day in claim_days(booking.start, booking.end, zone, margin)
        }
        derive(self, new, days)
        return new

    def _local(
        self, start: pendulum.DateTime, end: pendulum.DateTime
    ) -> tuple[pendulum.DateTime, pendulum.DateTime]:
        """*start* and *end* on the clinic's wall clock (a plan's sessions are there already)."""
        zone = self.clinic.timezone
        if getattr(start.tzinfo, "key", None) == zone and getattr(end.tzinfo, "key", None) == zone:
            return start, end
        return start.in_timezone(zone), end.in_timezone(zone)

    def _refusal(self, session: Session, lanes: Mapping[str, _Lane] | None = None) -> str | None:  # noqa: PLR0911 - one answer a check
        """Why *session* cannot be claimed, or ``None`` when it can."""
        if session.practitioner is None or session.room is None:
            return "has no practitioner or no room, expected both to book it"
        who = self._index.get(session.practitioner)
        place = self._index.get(session.room)
        areas = ", ".join(session.areas)
        if not isinstance(who, Practitioner):
            return f"practitioner {session.practitioner!r} is no practitioner of the diary"
        if not isinstance(place, Room):
            return f"room {session.room!r} is no room of the diary"
        if not who.areas.issuperset(session.areas):
            return f"practitioner {who.id!r} is not qualified for {areas}"
        if who.hours and not who.works(*self._local(session.start, session.end)):
            return f"practitioner {who.id!r} does not work then"
        if not (place.areas is None or place.areas.issuperset(session.areas)):
            return f"room {place.id!r} does not serve {areas}"
        booked = self._booked_lanes if lanes is None else lanes
        buffer = self.buffer_minutes * 60 * _US
        low = _instant(session.start, "start") - buffer
        high = _instant(session.end, "end") + buffer
        for resource in (who.id, place.id):
            blockers = [
                *self._busy_lanes[resource].meeting(low, high),
                *booked[resource].meeting(low, high),
            ]
            if blockers:
                # The claim the session overlaps, if any, else one within the buffer.
                over = [c for c in blockers if c.start < session.end and session.start < c.end]
                within = "" if over else f" (within the {self.buffer_minutes}-minute buffer)"
                return f"{resource!r} is taken by {_describe((over or blockers)[0])}{within}"
        return None


def _booking(plan: str, session: Session) -> Booking:
    """The booking of a session that `Diary._refusal` accepted, without checking it again.

    Its instants are a plan's (aware, end after start) and its ids a plan's and a
    session's, checked when they were made, the resources found in the diary: building it
    through ``__init__`` would check them all a second time on a search's path.
    """
    booking = object.__new__(Booking)
    for name, value in (
        ("start", session.start),
        ("end", session.end),
        ("plan", plan),
        ("session", session.id),
        ("practitioner", session.practitioner),
        ("room", session.room),
    ):
        object.__setattr__(booking, name, value)
    return booking


_HOW: Final = "release it, or update it with its new version"
_START: Final = operator.attrgetter("start")


def _plan_parts(plan: object, *, active: bool = True) -> tuple[str, tuple[Session, ...]]:
    """The id of *plan* and its active sessions; `SchedulingError` when it is no plan."""
    plan_id = getattr(plan, "id", None)
    sessions = getattr(plan, "active_sessions" if active else "sessions", None)
    if not isinstance(plan_id, str) or not isinstance(sessions, tuple):
        msg = _expected("plan", type(plan).__name__, "a TreatmentPlan")
        raise SchedulingError(msg)
    return plan_id, sessions


def claims(diary: Diary) -> Iterator[tuple[str, Sequence[tuple[dt.datetime, dt.datetime]]]]:
    """Each resource's claims in order (for checks and views)."""
    for item in diary.resources:
        yield item.id, [(claim.start, claim.end) for claim in diary.claims(item.id)]
