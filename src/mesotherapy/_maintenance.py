"""Booking the maintenance session of a completed series into the clinic's diary.

A plan holds its series: invariant 2 counts its active sessions to the protocol's number
and invariant 3 keeps every gap within the interval bounds (days, not the months after
which maintenance falls due). A maintenance session added to the plan would break both,
and would move the maintenance window it was booked in (invariant 7 counts it from the
series' last session). So the session is no session of the plan: `plan_maintenance`
returns a `MaintenanceBooking`, which names the plan and which `MaintenanceBooking.claim`
books into a diary as `Diary.book` books a series.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import cast

import attrs
import pendulum

from ._diary import Booking, Diary, Practitioner
from ._errors import ClientError, SchedulingError
from ._guards import unknown_id, wrong_type
from ._pickling import exact_pickling
from ._plan import TreatmentPlan
from ._session import MaintenanceWindow, Session, SessionStatus
from ._time import aware, elapsed_after, in_zone, within_calendar

__all__ = ["MaintenanceBooking", "maintenance_session_id", "plan_maintenance"]

_ONE_DAY = dt.timedelta(days=1)
# What blocked a slot of the window, as a refusal counts them.
_OFF, _BUSY, _NO_ROOM = "practitioner not working", "practitioner busy", "no room free"


def maintenance_session_id(plan_id: str) -> str:
    """The id of the maintenance session booked after the series of the plan *plan_id*.

    A plan has one maintenance window (after its series), so one maintenance session:
    booking it again for the same plan gives the same id, which a diary holds once.

    >>> maintenance_session_id("p-1")
    'p-1.maintenance'
    """
    return f"{plan_id}.maintenance"


@exact_pickling
@attrs.frozen(kw_only=True)
class MaintenanceBooking:
    """The maintenance session of a plan's completed series, at a practitioner and a room.

    ``session`` is a planned `Session` with its own id (`maintenance_session_id`), the
    next booking number after the series', the plan's areas, and the ``practitioner`` and
    ``room`` it claims; ``window`` is the maintenance window it lies in. It is no session
    of the plan (see the module's notes): `claim` books it into a diary.
    """

    plan_id: str
    session: Session
    window: MaintenanceWindow

    @property
    def booking(self) -> Booking:
        """The session's claim on its practitioner and room, as a diary records it."""
        return Booking(
            start=self.session.start,
            end=self.session.end,
            plan=self.plan_id,
            session=self.session.id,
            practitioner=cast("str", self.session.practitioner),
            room=cast("str", self.session.room),
        )

    def claim(self, diary: Diary) -> Diary:
        """*diary* with this session claimed; *diary* itself is left as it was.

        The claim belongs to the plan: `Diary.release` of the plan frees it with the
        series'. The diary is checked again (it may have changed since the session was
        found): the practitioner may treat the areas and works then, the room serves
        them, and both are free, the diary's buffer included.

        Raises:
            SchedulingError: the diary holds this session already, or it cannot hold it;
                the message names the session's interval and what blocks it.
            ClientError: *diary* is no `Diary`.
        """
        if problem := wrong_type(diary, Diary, "diary", "load_diary"):
            raise ClientError(problem)
        session = self.session
        where = (
            f"maintenance session {session.id} "
            f"({session.start.isoformat()} to {session.end.isoformat()})"
        )
        if any(b.session == session.id for b in diary.bookings):
            msg = f"{where}: is booked already, expected it once in the diary"
            raise SchedulingError(msg)
        if problem := _refusal(diary, session):
            raise SchedulingError(f"{where}: {problem}")
        # The diary's own claim is private to it; a new diary with one booking more is
        # built whole, once per maintenance session, which is not the series' hot path.
        return attrs.evolve(diary, bookings=(*diary.bookings, self.booking))


def _refusal(diary: Diary, session: Session) -> str | None:
    practitioner = next((p for p in diary.practitioners if p.id == session.practitioner), None)
    areas = ", ".join(area.value for area in session.areas)
    if practitioner is None:
        return f"practitioner {session.practitioner!r} is no practitioner of the diary"
    if session.room not in {room.id for room in diary.rooms_for(session.areas)}:
        return f"room {session.room!r} is no room of the diary that serves {areas}"
    if not practitioner.may_treat(session.areas):
        return f"practitioner {practitioner.id!r} is not qualified for {areas}"
    if not practitioner.works(session.start, session.end):
        return f"practitioner {practitioner.id!r} does not work then"
    for resource in (practitioner.id, session.room):
        if not diary.is_free(resource, session.start, session.end):
            return f"{resource!r} is taken then"
    return None


@within_calendar
def plan_maintenance(
    plan: TreatmentPlan,
    *,
    start: pendulum.DateTime,
    diary: Diary,
    practitioner: str | None = None,
) -> MaintenanceBooking:
    """The maintenance session of *plan*'s completed series: the first free slot from *start*.

    The slot lies inside the maintenance window (`TreatmentPlan.maintenance`), never
    before the day it opens whatever *start* says, and at or after *start*. It is the
    first slot, in time, at which the diary's clinic is open for a whole session, a
    practitioner who may treat the plan's areas works and is free, and a room that serves
    them is free (the diary's buffer on both sides). Of the practitioners free at that
    slot, the one who treated the series' last session comes first, then the others in
    the diary's order; with *practitioner*, only that one. The booking is not yet in the
    diary: `MaintenanceBooking.claim` puts it there.

    >>> import pendulum, mesotherapy as meso
    >>> clinic = meso.example_clinic()
    >>> result = meso.assess(meso.Client(birth_date="1985-03-02"), ["face"], on="2026-10-01")
    >>> plan = meso.plan_series(result, ["face"], clinic=clinic, plan_id="p-1",
    ...                         start=clinic.at("2026-10-20", "09:00"))
    >>> for index in (1, 2, 3, 4):
    ...     plan = plan.complete(index)
    >>> diary = meso.Diary(clinic=clinic, rooms=[meso.Room(id="room-1")],
    ...     practitioners=[meso.Practitioner(id="dr-h", name="Dr. H.", areas=["face"])])
    >>> booking = meso.plan_maintenance(plan, start=clinic.at("2027-01-04", "09:00"),
    ...                                 diary=diary)
    >>> booking.window.opens, booking.session.start.isoformat(), booking.session.id
    (Date(2027, 3, 22), '2027-03-22T09:00:00-04:00', 'p-1.maintenance')
    >>> diary = booking.claim(diary)
    >>> diary.bookings_of("p-1")[0].session
    'p-1.maintenance'

    Raises:
        SchedulingError: the series is not complete, *start* is after the window closes,
            or no slot of the window is free; the message names the window and what
            blocked it (the clinic closed, no qualified practitioner, practitioners off or
            busy, no room free).
        ClientError: *plan* is no `TreatmentPlan`, *diary* no `Diary`, the diary's clinic
            is in another zone than the plan's, or *practitioner* is no id.
        InvalidTimeError: *start* is naive, or no date and time.
    """
    plan, diary = _checked(plan, diary)
    moment = in_zone(aware(start, field="start"), diary.clinic.zone)
    window = _window(plan)
    span = f"maintenance window {window.opens} to {window.closes}"
    if moment.date() > window.closes:
        msg = f"start: {moment.isoformat()} is after the {span} closes, expected a time within it"
        raise SchedulingError(msg)
    chosen = _practitioners(plan, diary, practitioner, span)
    if not diary.rooms_for(plan.areas):
        raise SchedulingError(f"{span}: no room of the diary serves {_areas(plan)}")
    minutes = plan.protocol.session_minutes
    blocked = {_OFF: 0, _BUSY: 0, _NO_ROOM: 0}
    for slot in _slots(diary, window, moment, minutes):
        end = elapsed_after(slot, dt.timedelta(minutes=minutes))
        working = [who for who in chosen if who.works(slot, end)]
        free = [who for who in working if diary.is_free(who.id, slot, end)]
        room = diary.free_room(plan.areas, slot, end) if free else None
        if room is not None:
            return _booking(
                plan, window, start=slot, end=end, practitioner=free[0].id, room=room.id
            )
        # What blocked this slot: the last of the checks that failed.
        blocked[_NO_ROOM if free else _BUSY if working else _OFF] += 1
    raise SchedulingError(_why(span, moment, blocked))


def _checked(plan: object, diary: object) -> tuple[TreatmentPlan, Diary]:
    if problem := wrong_type(plan, TreatmentPlan, "plan", "plan_series"):
        raise ClientError(problem)
    if problem := wrong_type(diary, Diary, "diary", "load_diary"):
        raise ClientError(problem)
    plan, diary = cast("TreatmentPlan", plan), cast("Diary", diary)
    if diary.clinic.timezone != plan.timezone:
        msg = (
            f"diary.clinic.timezone: {diary.clinic.timezone!r}, expected the plan's zone "
            f"{plan.timezone!r}"
        )
        raise ClientError(msg)
    return plan, diary


def _window(plan: TreatmentPlan) -> MaintenanceWindow:
    if not plan.is_complete or not plan.maintenance:
        done = sum(s.status is SessionStatus.COMPLETED for s in plan.sessions)
        msg = (
            f"plan: {done} of {plan.protocol.sessions} sessions of the series completed, "
            "expected a completed series before its maintenance"
        )
        raise SchedulingError(msg)
    return plan.maintenance[0]


def _areas(plan: TreatmentPlan) -> str:
    return ", ".join(area.value for area in plan.areas)


def _practitioners(
    plan: TreatmentPlan, diary: Diary, wanted: object, span: str
) -> tuple[Practitioner, ...]:
    """The practitioners to try at each slot, in order of preference."""
    qualified = diary.qualified(plan.areas)
    if wanted is not None:
        if not isinstance(wanted, str):
            msg = f"practitioner: expected the id of a practitioner of the diary, got {wanted!r}"
            raise ClientError(msg)
        ids = [p.id for p in diary.practitioners]
        if unknown := unknown_id(wanted, ids, "practitioner", "practitioner of the diary"):
            raise SchedulingError(unknown)
        chosen = tuple(p for p in qualified if p.id == wanted)
        if not chosen:
            msg = f"{span}: practitioner {wanted!r} is not qualified for {_areas(plan)}"
            raise SchedulingError(msg)
        return chosen
    if not qualified:
        msg = f"{span}: no practitioner of the diary is qualified for {_areas(plan)}"
        raise SchedulingError(msg)
    # Continuity of care: whoever treated the series' last session is asked first.
    last = plan.active_sessions[-1].practitioner
    return tuple(sorted(qualified, key=lambda p: p.id != last))


def _slots(
    diary: Diary, window: MaintenanceWindow, moment: pendulum.DateTime, minutes: int
) -> Iterator[pendulum.DateTime]:
    """The clinic's slots from *moment* (never before the window opens) to its last day."""
    day: dt.date = max(moment.date(), window.opens)
    while day <= window.closes:
        for slot in diary.clinic.slots(day, minutes):
            if slot >= moment:
                yield slot
        day = day + _ONE_DAY


def _why(span: str, moment: pendulum.DateTime, blocked: dict[str, int]) -> str:
    searched = f"{span}: no free slot from {moment.isoformat()}"
    slots = sum(blocked.values())
    if not slots:
        return f"{searched}: the clinic has no opening for the session then (closed)"
    reasons = ", ".join(f"{what} at {count}" for what, count in blocked.items() if count)
    return f"{searched} among the clinic's {slots} open slots: {reasons}"


def _booking(  # noqa: PLR0913 - each argument is one fact of the booking
    plan: TreatmentPlan,
    window: MaintenanceWindow,
    *,
    start: pendulum.DateTime,
    end: pendulum.DateTime,
    practitioner: str,
    room: str,
) -> MaintenanceBooking:
    session = Session(
        id=maintenance_session_id(plan.id),
        # The booking order goes on after the series': the next number is the session's.
        index=max(s.index for s in plan.sessions) + 1,
        start=start,
        end=end,
        areas=plan.areas,
        status=SessionStatus.PLANNED,
        practitioner=practitioner,
        room=room,
    )
    return MaintenanceBooking(plan_id=plan.id, session=session, window=window)
