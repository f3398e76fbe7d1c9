"""The clinic's diary: practitioners, rooms, the time they are taken, and the booked sessions.

A `Diary` is immutable: `Diary.book` returns a new diary with a plan's sessions claimed.
Each resource (a practitioner or a room) keeps its claims as sorted lanes of instants, so
whether an interval is free costs a binary search in the diary's size, never a scan; a
booking copies the booked lanes of the two resources it claims and shares everything else
(the busy time of the calendars above all) with the diary it came from.

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
import datetime as dt
import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, cast

import attrs
import pendulum

from ._clinic import Clinic
from ._clinic_values import WEEKDAYS, Interval, IntervalLike, OpeningHours
from ._errors import ClinicError, MesotherapyError, SchedulingError
from ._model import Area
from ._pickling import exact_pickling
from ._session import MAX_PLAN_ID, id_problem
from ._time import aware

if TYPE_CHECKING:
    from ._plan import TreatmentPlan
    from ._session import Session

__all__ = ["Booking", "Busy", "Diary", "Practitioner", "Room"]

_MAX_BUFFER: Final = 24 * 60
"""The longest buffer between two claims of one resource, in minutes: a day."""
_SESSION_ID_LENGTH: Final = MAX_PLAN_ID + 40
"""The longest session id, as `Session` allows it: a plan id, a dot and a number."""
_US: Final = 1_000_000
_ONE_US: Final = dt.timedelta(microseconds=1)
_EPOCH_DAY: Final = dt.date(1970, 1, 1).toordinal()
_NEVER: Final = -(2**62)
_FREE_AT: dict[
    tuple[int, tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]], list[bool]
] = {}
_LANE_DAYS: dict[tuple[str, tuple[tuple[int, int], ...]], tuple[_Lane, _Lane, list[bool]]] = {}
_FREE_AT_KEPT: Final = 100_000  # days of a resource `Diary._free_at` remembers, at most
"""Below every instant a lane holds: the running maximum of an empty lane."""


def _expected(field: str, value: object, what: str) -> str:
    return f"{field}: expected {what}, got {value!r}"


# -- values and their checks ----------------------------------------------------------------


def _area_set(value: Iterable[Area | str]) -> frozenset[Area]:
    """*value* as a set of areas; `ClinicError` naming ``areas`` for anything else."""
    if isinstance(value, frozenset) and all(isinstance(area, Area) for area in value):
        return cast("frozenset[Area]", value)
    if isinstance(value, str):
        value = [value]
    if isinstance(value, Mapping) or not isinstance(value, Iterable):
        raise ClinicError([_expected("areas", value, "a list of areas")])
    try:
        return frozenset(Area.parse(area, field="areas") for area in value)
    except MesotherapyError as error:  # an unknown area: a clinic's setting, wrongly made
        raise ClinicError([str(error)]) from None


def _treated(value: Iterable[Area | str]) -> frozenset[Area]:
    areas = _area_set(value)
    if not areas:
        raise ClinicError([_expected("areas", [], "one or more areas")])
    return areas


def _served(value: Iterable[Area | str] | None) -> frozenset[Area] | None:
    if value is None:
        return None
    areas = _area_set(value)
    if not areas:
        raise ClinicError([_expected("areas", [], "one or more areas, or None for every area")])
    return areas


_Hours = tuple[tuple[str, tuple[Interval, ...]], ...]


def _hours(
    value: Mapping[str, Iterable[IntervalLike]]
    | Iterable[tuple[str, Iterable[IntervalLike]]]
    | None,
) -> _Hours:
    """A practitioner's own weekly hours, as ``(weekday, intervals)`` pairs in week order.

    Takes a table of weekdays, or the pairs themselves (so that `attrs.evolve` and a
    practitioner's own ``hours`` give them back unchanged).
    """
    if value is None:
        return ()
    if isinstance(value, tuple) and all(
        isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], str) for pair in value
    ):
        value = dict(value)
    if not isinstance(value, Mapping):
        raise ClinicError([_expected("hours", value, "a table of weekdays")])
    unknown = sorted((str(day) for day in value if day not in WEEKDAYS), key=str)
    if unknown:
        msg = f"hours: unknown weekday {unknown[0]!r}, expected one of {', '.join(WEEKDAYS)}"
        raise ClinicError([msg])
    # The clinic's own weekly hours check the intervals: in order, apart, HH:MM.
    try:
        week = OpeningHours(**{day: value[day] for day in WEEKDAYS if day in value})
    except ClinicError as error:
        raise ClinicError([f"hours.{problem}" for problem in error.problems]) from None
    return tuple((day, week.weekday(day)) for day in WEEKDAYS if day in value)


def _resource_id(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    """A resource's id is one a `Session` can name: `id_problem`'s, in the diary's words."""
    if problem := id_problem(value, attribute.name):
        field = f"{attribute.name}: expected "
        detail = problem.removeprefix(field).removeprefix("an id ")
        joint = " " if detail.startswith("(") else " of "
        raise ClinicError([f"{field}a non-empty id{joint}{detail}"])


def _text(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise ClinicError([_expected(attribute.name, value, "text")])


def _label(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, str):
        raise ClinicError([_expected(attribute.name, value, "text or None")])


def _plan_id(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    if problem := id_problem(value, attribute.name, longest=_SESSION_ID_LENGTH):
        raise ClinicError([problem])


def _start(value: dt.datetime) -> pendulum.DateTime:
    return aware(value, field="start")


def _end(value: dt.datetime) -> pendulum.DateTime:
    return aware(value, field="end")


def _after_start(instance: Busy | Booking, _: object, end: pendulum.DateTime) -> None:
    # As whole instants: two times of one zone compare by their wall clocks, fold aside,
    # so 01:00 EDT and the 01:00 EST an hour later would compare equal.
    if _instant(end, "end") <= _instant(instance.start, "start"):
        after = f"a time after the start {instance.start.isoformat()}"
        raise ClinicError([_expected("end", end.isoformat(), after)])


def _instant(value: object, field: str) -> int:
    """*value*, an aware date and time, as whole microseconds since 1970 (UTC).

    Exact, where ``timestamp()`` is a float: two claims a microsecond apart never meet.
    """
    offset = value.utcoffset() if isinstance(value, dt.datetime) else None
    if offset is None:
        aware(value, field=field)  # raises its InvalidTimeError, naming the field
        raise AssertionError  # pragma: no cover - aware() refuses what has no offset
    moment = cast("dt.datetime", value)
    days = moment.toordinal() - _EPOCH_DAY
    seconds = ((days * 24 + moment.hour) * 60 + moment.minute) * 60 + moment.second
    return seconds * _US + moment.microsecond - offset // _ONE_US


def _span(start: object, end: object) -> tuple[int, int]:
    low, high = _instant(start, "start"), _instant(end, "end")
    if high <= low:
        after = f"a time after the start {cast('dt.datetime', start).isoformat()}"
        raise ClinicError([_expected("end", cast("dt.datetime", end).isoformat(), after)])
    return low, high


def _clock(interval: Interval) -> tuple[str, str]:
    start, end = str(interval).split("-")
    return start, end


@attrs.frozen(kw_only=True, repr=False)
class Practitioner:
    """Someone who treats: an id, a name, the areas they may treat, and their own hours.

    ``hours`` maps a weekday to the intervals they work on it (none: they do not work
    that day); a weekday left out follows the clinic's hours. They must lie within the
    clinic's (`Diary` checks).

    >>> p = Practitioner(id="dr-h", name="Dr. H.", areas=["face", "neck"],
    ...                  hours={"monday": [("09:00", "13:00")]})
    >>> p
    Practitioner(id='dr-h', name='Dr. H.', areas=['face', 'neck'], hours={'monday': [('09:00', '13:00')]})
    >>> p.may_treat([Area.FACE]), p.may_treat(["face", "scalp"])
    (True, False)
    >>> import pendulum
    >>> monday = pendulum.datetime(2026, 11, 23, 12, 30, tz="America/Toronto")
    >>> p.works(monday, monday.add(minutes=45)), p.works(monday.add(days=1), monday.add(days=1))
    (False, True)

    Raises:
        ClinicError: an id that is no id, no areas or an unknown one, or hours that are
            no table of weekdays with ordered ``HH:MM`` intervals; naming the field.
    """  # noqa: E501 - a doctest's output is one line

    id: str = attrs.field(validator=_resource_id)
    name: str = attrs.field(default="", validator=_text)
    areas: frozenset[Area] = attrs.field(converter=_treated)
    hours: tuple[tuple[str, tuple[Interval, ...]], ...] = attrs.field(default=(), converter=_hours)

    def may_treat(self, areas: Iterable[Area | str]) -> bool:
        """Whether every one of *areas* is among those this practitioner treats."""
        return self.areas.issuperset(_area_set(areas))

    def works(self, start: dt.datetime, end: dt.datetime) -> bool:
        """Whether *start* to *end* lies within this practitioner's own hours that day.

        Both are read on their own wall clock, which must be the clinic's (a `Diary`
        moves them there before it asks). A weekday without hours of their own follows
        the clinic: the answer is yes, and the clinic's hours decide. An interval that
        runs past midnight lies within no hours.
        """
        weekday = WEEKDAYS[start.weekday()]
        for day, intervals in self.hours:
            if day == weekday:
                first = start.hour * 60 + start.minute
                last = end.hour * 60 + end.minute + (end.second > 0 or end.microsecond > 0)
                if end.date() != start.date():
                    last = 24 * 60
                return any(i.start_minute <= first and last <= i.end_minute for i in intervals)
        return True

    def __repr__(self) -> str:
        areas = sorted(area.value for area in self.areas)
        hours = {day: [_clock(i) for i in intervals] for day, intervals in self.hours}
        shown = f", hours={hours!r}" if hours else ""
        return f"Practitioner(id={self.id!r}, name={self.name!r}, areas={areas!r}{shown})"


@attrs.frozen(kw_only=True, repr=False)
class Room:
    """A treatment room: an id, a name, and the areas it serves (``None``: every area).

    >>> Room(id="room-1", areas=["scalp"])
    Room(id='room-1', name='', areas=['scalp'])
    >>> Room(id="room-1", areas=["scalp"]).serves(["face"]), Room(id="room-2").serves(["face"])
    (False, True)

    Raises:
        ClinicError: an id that is no id, or areas that are empty or unknown.
    """

    id: str = attrs.field(validator=_resource_id)
    name: str = attrs.field(default="", validator=_text)
    areas: frozenset[Area] | None = attrs.field(default=None, converter=_served)

    def serves(self, areas: Iterable[Area | str]) -> bool:
        """Whether this room serves every one of *areas*."""
        wanted = _area_set(areas)
        return self.areas is None or self.areas.issuperset(wanted)

    def __repr__(self) -> str:
        areas = None if self.areas is None else sorted(area.value for area in self.areas)
        return f"Room(id={self.id!r}, name={self.name!r}, areas={areas!r})"


@exact_pickling
@attrs.frozen(kw_only=True, order=True, repr=False)
class Busy:
    """A time a practitioner or a room is taken by something else than a booked session.

    No client data: at most a label (``"staff meeting"``). Busy blocks of one resource
    may overlap one another (calendars do); a booked session keeps the diary's buffer
    from each of them.

    >>> import pendulum
    >>> start = pendulum.datetime(2026, 11, 2, 9, tz="America/Toronto")
    >>> Busy(start=start, end=start.add(hours=1), resource="room-1", label="cleaning")
    Busy(resource='room-1', start='2026-11-02T09:00:00-05:00', end='2026-11-02T10:00:00-05:00', label='cleaning')

    Raises:
        InvalidTimeError: a start or end that is no aware date and time.
        ClinicError: the end is not after the start, or the resource is no id.
    """  # noqa: E501 - a doctest's output is one line

    start: pendulum.DateTime = attrs.field(converter=_start)
    end: pendulum.DateTime = attrs.field(converter=_end, validator=_after_start)
    resource: str = attrs.field(validator=_resource_id)
    label: str | None = attrs.field(default=None, validator=_label, order=False)

    def __repr__(self) -> str:
        return (
            f"Busy(resource={self.resource!r}, start={self.start.isoformat()!r}, "
            f"end={self.end.isoformat()!r}, label={self.label!r})"
        )


@exact_pickling
@attrs.frozen(kw_only=True, order=True, repr=False)
class Booking:
    """One booked session's claim on a practitioner and a room, from its start to its end.

    ``plan`` and ``session`` are the ids of the plan and the session (`Session.id`).

    >>> import pendulum
    >>> start = pendulum.datetime(2026, 11, 2, 9, tz="America/Toronto")
    >>> Booking(start=start, end=start.add(minutes=45), plan="p-1", session="p-1.1",
    ...         practitioner="dr-h", room="room-1")
    Booking(plan='p-1', session='p-1.1', start='2026-11-02T09:00:00-05:00', end='2026-11-02T09:45:00-05:00', practitioner='dr-h', room='room-1')

    Raises:
        InvalidTimeError: a start or end that is no aware date and time.
        ClinicError: the end is not after the start, or an id is no id.
    """  # noqa: E501 - a doctest's output is one line

    start: pendulum.DateTime = attrs.field(converter=_start)
    end: pendulum.DateTime = attrs.field(converter=_end, validator=_after_start)
    plan: str = attrs.field(validator=_plan_id)
    session: str = attrs.field(validator=_plan_id)
    practitioner: str = attrs.field(validator=_resource_id)
    room: str = attrs.field(validator=_resource_id)

    def __repr__(self) -> str:
        return (
            f"Booking(plan={self.plan!r}, session={self.session!r}, "
            f"start={self.start.isoformat()!r}, end={self.end.isoformat()!r}, "
            f"practitioner={self.practitioner!r}, room={self.room!r})"
        )


_Claim = Busy | Booking
"""What takes a resource's time: busy time from its calendar, or a booked session."""


def _busy_key(busy: Busy) -> tuple[dt.datetime, dt.datetime, str, str]:
    return (busy.start, busy.end, busy.resource, busy.label or "")


def _booking_key(booking: Booking) -> tuple[dt.datetime, dt.datetime, str, str, str, str]:
    b = booking
    return (b.start, b.end, b.plan, b.session, b.practitioner, b.room)


def _describe(claim: _Claim) -> str:
    """A claim in a message: its kind, its interval and a busy block's label, no client data."""
    when = f"{claim.start.isoformat()} to {claim.end.isoformat()}"
    if isinstance(claim, Busy):
        label = f" ({claim.label})" if claim.label else ""
        return f"busy {when}{label}"
    return f"a booked session {when}"


# -- lanes ----------------------------------------------------------------------------------


class _Lane:
    """The claims of one resource: starts in order, their ends, and the latest end so far.

    With the running maximum of the ends, whether ``[a, b)`` meets a claim is one binary
    search: the claims starting before ``b`` meet it exactly when the latest of their ends
    lies after ``a``, whether or not those claims overlap one another (busy blocks from a
    calendar may). Instants are whole microseconds (`_instant`). A lane never changes once
    made: a claim added or taken away gives a new lane.
    """

    __slots__ = ("ends", "items", "latest", "starts")

    def __init__(self, entries: Iterable[tuple[int, int, _Claim]] = ()) -> None:
        ordered = sorted(entries, key=lambda entry: (entry[0], entry[1]))
        self.starts = [start for start, _, _ in ordered]
        self.ends = [end for _, end, _ in ordered]
        self.items: list[_Claim] = [item for _, _, item in ordered]
        self.latest = _running_max(self.ends)

    def __len__(self) -> int:
        return len(self.starts)

    def meets(self, low: int, high: int) -> bool:
        before = bisect.bisect_left(self.starts, high)
        return before > 0 and self.latest[before - 1] > low

    def meeting(self, low: int, high: int) -> list[_Claim]:
        """The claims that meet ``[low, high)``, in order of their starts."""
        at = bisect.bisect_left(self.starts, high)
        found: list[_Claim] = []
        # Back from the last claim that starts before `high`, while one of the claims up
        # to here still ends after `low`.
        while at > 0 and self.latest[at - 1] > low:
            at -= 1
            if self.ends[at] > low:
                found.append(self.items[at])
        found.reverse()
        return found

    def spans(self, low: int, high: int) -> list[tuple[int, int]]:
        """The starts and ends of the claims that meet ``[low, high)`` (as `meeting`)."""
        at = bisect.bisect_left(self.starts, high)
        found: list[tuple[int, int]] = []
        while at > 0 and self.latest[at - 1] > low:
            at -= 1
            if self.ends[at] > low:
                found.append((self.starts[at], self.ends[at]))
        return found

    def with_claim(self, start: int, end: int, item: _Claim) -> _Lane:
        lane = _Lane.__new__(_Lane)
        at = bisect.bisect_right(self.starts, start)
        lane.starts = [*self.starts[:at], start, *self.starts[at:]]
        lane.ends = [*self.ends[:at], end, *self.ends[at:]]
        lane.items = [*self.items[:at], item, *self.items[at:]]
        # The running maximum after the new claim is the old one raised to its end, and
        # the old one is sorted: only the stretch still below that end changes.
        latest = self.latest
        top = max(latest[at - 1] if at else _NEVER, end)
        below = bisect.bisect_left(latest, end, lo=at)
        lane.latest = [*latest[:at], top, *itertools.repeat(end, below - at), *latest[below:]]
        return lane

    def without(self, start: int, item: _Claim) -> _Lane:
        at = bisect.bisect_left(self.starts, start)
        while self.items[at] is not item:  # the claim is in the lane: the diary put it there
            at += 1
        lane = _Lane.__new__(_Lane)
        lane.starts = [*self.starts[:at], *self.starts[at + 1 :]]
        lane.ends = [*self.ends[:at], *self.ends[at + 1 :]]
        lane.items = [*self.items[:at], *self.items[at + 1 :]]
        lane.latest = self.latest[:at]
        top = lane.latest[-1] if lane.latest else _NEVER
        lane.latest += _running_max(lane.ends[at:], top)
        return lane


def _running_max(ends: Iterable[int], top: int = _NEVER) -> list[int]:
    out = []
    for end in ends:
        top = max(top, end)
        out.append(top)
    return out


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
        problems = list(self._shape_problems())
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
            problems += self._hours_problems(practitioner)
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

    def _shape_problems(self) -> Iterator[str]:
        clinic: object = self.clinic  # callers without a type checker pass anything
        if not isinstance(clinic, Clinic):
            yield _expected("clinic", clinic, "a Clinic")
        buffer: object = self.buffer_minutes
        if (
            isinstance(buffer, bool)
            or not isinstance(buffer, int)
            or not 0 <= buffer <= _MAX_BUFFER
        ):
            yield _expected(
                "buffer_minutes", buffer, f"a whole number of minutes from 0 to {_MAX_BUFFER}"
            )
        fields: tuple[tuple[str, type, object], ...] = (
            ("practitioners", Practitioner, self.practitioners),
            ("rooms", Room, self.rooms),
            ("busy", Busy, self.busy),
            ("bookings", Booking, self.bookings),
        )
        for kind, cls, values in fields:
            if not isinstance(values, tuple):
                yield _expected(kind, values, f"a list of {cls.__name__}")
                continue
            for n, value in enumerate(values):
                if not isinstance(value, cls):
                    yield _expected(f"{kind}[{n}]", value, f"a {cls.__name__}")

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
        spans = tuple(spans)
        busy, booked = self._busy_lanes[resource], self._booked_lanes[resource]
        # A lane never changes, and a derived diary shares the lanes a booking left alone:
        # the same lanes give the same answer, without a look into them.
        kept = _LANE_DAYS.get((resource, spans))
        if kept is not None and kept[0] is busy and kept[1] is booked:
            return kept[2]
        buffer = self.buffer_minutes * 60 * _US
        # In order: the first span starts first and the last one ends last.
        low, high = spans[0][0] - buffer, spans[-1][1] + buffer
        claims = tuple(sorted([*busy.spans(low, high), *booked.spans(low, high)]))
        # What decides the answer is all in the key: a day of one resource is worked out
        # once, for every diary derived from this one, until one of its claims changes.
        if len(_LANE_DAYS) >= _FREE_AT_KEPT:
            _LANE_DAYS.clear()
        key = (buffer, spans, claims)
        try:
            free = _FREE_AT[key]
        except KeyError:
            pass
        else:
            _LANE_DAYS[resource, spans] = (busy, booked, free)
            return free
        if len(_FREE_AT) >= _FREE_AT_KEPT:
            _FREE_AT.clear()
        # The claims widened by the buffer and merged into disjoint stretches: a span is
        # free when the last stretch that starts before its end is over by its start.
        starts: list[int] = []
        ends: list[int] = []
        for start, end in claims:
            if ends and start - buffer <= ends[-1]:
                ends[-1] = max(ends[-1], end + buffer)
            else:
                starts.append(start - buffer)
                ends.append(end + buffer)
        free = []
        for a, b in spans:
            at = bisect.bisect_left(starts, b)
            free.append(at == 0 or ends[at - 1] <= a)
        _FREE_AT[key] = free
        _LANE_DAYS[resource, spans] = (busy, booked, free)
        return free

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
        bookings = list(self.bookings)
        for booking in made:
            at = bisect.bisect_right(bookings, _booking_key(booking), key=_booking_key)
            bookings.insert(at, booking)
        return self._derived(tuple(bookings), lanes, {**self._plans, plan_id: tuple(made)})

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
        gone = {id(booking) for booking in mine}
        bookings = tuple(b for b in self.bookings if id(b) not in gone)
        plans = {key: value for key, value in self._plans.items() if key != plan_id}
        return self._derived(bookings, lanes, plans)

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
    ) -> Diary:
        """This diary with other bookings, sharing everything else (busy lanes above all)."""
        new = object.__new__(Diary)
        for name in ("clinic", "practitioners", "rooms", "busy", "buffer_minutes", "_index"):
            object.__setattr__(new, name, getattr(self, name))
        object.__setattr__(new, "_busy_lanes", self._busy_lanes)
        object.__setattr__(new, "bookings", bookings)
        object.__setattr__(new, "_booked_lanes", lanes)
        object.__setattr__(new, "_plans", plans)
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


def _plan_parts(plan: object, *, active: bool = True) -> tuple[str, tuple[Session, ...]]:
    """The id of *plan* and its active sessions; `SchedulingError` when it is no plan."""
    plan_id = getattr(plan, "id", None)
    sessions = getattr(plan, "active_sessions" if active else "sessions", None)
    if not isinstance(plan_id, str) or not isinstance(sessions, tuple):
        msg = _expected("plan", type(plan).__name__, "a TreatmentPlan")
        raise SchedulingError(msg)
    return plan_id, sessions


def _within(inner: Interval, outer: Interval) -> bool:
    return outer.start_minute <= inner.start_minute and inner.end_minute <= outer.end_minute


def claims(diary: Diary) -> Iterator[tuple[str, Sequence[tuple[dt.datetime, dt.datetime]]]]:
    """Each resource's claims in order (for checks and views)."""
    for item in diary.resources:
        yield item.id, [(claim.start, claim.end) for claim in diary.claims(item.id)]
