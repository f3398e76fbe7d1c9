"""The diary's resources and claims: practitioners, rooms, busy time and booked sessions.

Each checks its fields as it is made and names the field it refuses (`ClinicError`), in
the diary's words; a `Diary` holds them, and `_lanes` keeps their instants in order.

>>> Practitioner(id="dr-h", areas=["face"]).may_treat(["face"])
True
>>> Room(id="room-1", areas=["scalp"]).serves(["face"])
False
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Final, cast

import attrs
import pendulum

from ._clinic_values import WEEKDAYS, Interval, IntervalLike, OpeningHours
from ._errors import ClinicError, MesotherapyError
from ._lanes import _instant
from ._model import Area
from ._pickling import exact_pickling
from ._session import MAX_PLAN_ID, id_problem
from ._time import aware

__all__ = ["Booking", "Busy", "Practitioner", "Room"]

_SESSION_ID_LENGTH: Final = MAX_PLAN_ID + 40
"""The longest session id, as `Session` allows it: a plan id, a dot and a number."""


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
