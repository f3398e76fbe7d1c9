"""A diary as rows of claims: what its DataFrame, its week picture and its FHIR Slots share.

One `Claim` is one resource taken for a half-open span ``[start, end)``: a busy interval
of a practitioner or a room, or a booked session's claim on its practitioner or its room
(a booking claims two resources, so it gives two claims). The diary is read through its
public fields only (`Diary.practitioners`, ``rooms``, ``busy``, ``bookings``).

>>> import pendulum
>>> from mesotherapy import Busy, Diary, Practitioner, Room, example_clinic
>>> clinic = example_clinic(holidays=None)
>>> diary = Diary(clinic=clinic,
...     practitioners=[Practitioner(id="dr-h", name="Dr. H.", areas=["face"])],
...     rooms=[Room(id="room-1")],
...     busy=[Busy(start=clinic.at("2026-11-24", "09:00"), end=clinic.at("2026-11-24", "10:00"),
...                resource="dr-h", label="staff meeting")])
>>> [(c.resource, c.kind, c.claim, c.label) for c in diary_claims(diary)]
[('dr-h', 'practitioner', 'busy', 'staff meeting')]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Final, Literal, cast

import attrs
import pendulum

from ._diary import Booking, Busy, Diary, Practitioner, Room
from ._errors import ClientError, InvalidTimeError
from ._guards import wrong_type
from ._time import aware, plain_utc

__all__ = ["Claim", "diary_claims", "window"]

ResourceKind = Literal["practitioner", "room"]
ClaimKind = Literal["busy", "booked"]
RESOURCE_KINDS: Final = ("practitioner", "room")


@attrs.frozen(kw_only=True)
class Claim:
    """One resource taken from ``start`` to ``end`` (stdlib UTC instants)."""

    resource: str
    kind: ResourceKind
    name: str
    claim: ClaimKind
    start: dt.datetime
    end: dt.datetime
    plan: str | None
    session: str | None
    label: str | None


def checked_diary(diary: object) -> Diary:
    """*diary*, refused with the library's error when it is no `Diary`."""
    if problem := wrong_type(diary, Diary, "diary", "mesotherapy.Diary"):
        raise ClientError(problem)
    return cast("Diary", diary)


def bound(value: object, zone: str, *, field: str) -> dt.datetime:
    """*value*, an aware datetime or a local date (midnight at its start), in UTC."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        local = pendulum.datetime(value.year, value.month, value.day, tz=zone)
        return plain_utc(local)
    if isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            pass
        else:
            return bound(day, zone, field=field)
        msg = f"{field}: expected a date (YYYY-MM-DD) or an aware date and time, got {value!r}"
        raise InvalidTimeError(msg)
    return plain_utc(aware(value, field=field))


def window(
    diary: Diary, start: object, end: object
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The half-open window ``[start, end)`` in UTC; ``None`` leaves a side open.

    Raises:
        InvalidTimeError: a bound is neither a date nor an aware datetime, or *end* is
            not after *start*.
    """
    zone = diary.clinic.timezone
    low = None if start is None else bound(start, zone, field="start")
    high = None if end is None else bound(end, zone, field="end")
    if low is not None and high is not None and high <= low:
        msg = f"end: expected a time after the start {low.isoformat()}, got {high.isoformat()}"
        raise InvalidTimeError(msg)
    return low, high


def diary_claims(
    diary: Diary, start: dt.datetime | None = None, end: dt.datetime | None = None
) -> Iterator[Claim]:
    """Every claim of *diary* that meets ``[start, end)``: resource after resource, in time order.

    The resources come in the diary's order (practitioners, then rooms); a resource's
    busy and booked claims are sorted together by start, then end.
    """
    resources: tuple[Practitioner | Room, ...] = (*diary.practitioners, *diary.rooms)
    for item in resources:
        kind: ResourceKind = "practitioner" if isinstance(item, Practitioner) else "room"
        mine = [_claim(item, kind, b) for b in diary.busy if b.resource == item.id]
        mine += [
            _claim(item, kind, b) for b in diary.bookings if item.id in (b.practitioner, b.room)
        ]
        mine.sort(key=lambda c: (c.start, c.end, c.claim, c.session or "", c.label or ""))
        for claim in mine:
            if (start is None or start < claim.end) and (end is None or claim.start < end):
                yield claim


def _claim(item: Practitioner | Room, kind: ResourceKind, held: Busy | Booking) -> Claim:
    """*held*, a busy interval or a booked session, as a claim on the resource *item*."""
    if isinstance(held, Booking):
        claim: ClaimKind = "booked"
        plan, session, label = held.plan, held.session, None
    else:
        claim, plan, session, label = "busy", None, None, held.label
    return Claim(
        resource=item.id,
        kind=kind,
        name=item.name or item.id,
        claim=claim,
        start=plain_utc(held.start),
        end=plain_utc(held.end),
        plan=plan,
        session=session,
        label=label,
    )
