"""A plan's sessions and their identities: what a session is, and the ids that name it."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from typing import Any

import attrs
import pendulum

from ._errors import ClientError, SchedulingError
from ._model import Area, flag
from ._pickling import exact_pickling
from ._time import plain_utc
from ._uuid5 import namespaced

__all__ = [
    "MaintenanceWindow",
    "Override",
    "Session",
    "SessionStatus",
    "derived_plan_id",
    "id_problem",
    "missed_end",
    "planned_session",
    "session_id",
    "session_index",
]

PLAN_ID_NAMESPACE = "6f0e8b1c-3d52-4a7e-9c1b-5e2f4d8a7c30"
"""The namespace of the plan ids the library derives (`derived_plan_id`), a fixed UUID."""

MAX_PLAN_ID = 200
"""The longest plan id a caller may give, in characters."""

_MAX_SESSION_ID = MAX_PLAN_ID + 40
"""The longest session id: a plan id, a dot and a booking number, with room to spare."""

_ID = re.compile(r"[A-Za-z0-9._:-]+")
_ID_CHARACTERS = "letters A-Z and a-z, digits and . _ : -"


class SessionStatus(enum.StrEnum):
    """Where a session stands."""

    PLANNED = "planned"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"

    @property
    def is_active(self) -> bool:
        """Whether the session counts towards the series (planned or completed)."""
        return self in (SessionStatus.PLANNED, SessionStatus.COMPLETED)


def _text(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        shown = repr(value) if not isinstance(value, str) else "blank text"
        msg = f"override.{attribute.name}: expected non-empty text, got {shown}"
        raise ClientError(msg)


def id_problem(value: object, field: str, *, longest: int = MAX_PLAN_ID) -> str | None:
    """Why *value* is no id for *field*, or ``None`` when it is one.

    An id is 1 to *longest* characters, each a letter A-Z or a-z, a digit or one of
    ``. _ : -``: it goes unchanged into an iCalendar ``UID``, a FHIR id and a file name.
    The message never repeats the value, which a caller may have made of a client's
    identifying text; it says how long it is, or which character is not allowed where.

    >>> id_problem("clinic-7:plan.12", "plan_id") is None
    True
    >>> id_problem("plan 12", "plan_id")
    "plan_id: expected letters A-Z and a-z, digits and . _ : -, got ' ' at position 5"
    >>> id_problem("x" * 201, "plan_id")
    'plan_id: expected 1 to 200 characters, got 201'
    """
    if not isinstance(value, str):
        return f"{field}: expected an id (text such as 'clinic-7.plan-12'), got {value!r}"
    if not 1 <= len(value) <= longest:
        return f"{field}: expected 1 to {longest} characters, got {len(value)}"
    if _ID.fullmatch(value) is None:
        at, bad = next((n, c) for n, c in enumerate(value, 1) if _ID.fullmatch(c) is None)
        return f"{field}: expected {_ID_CHARACTERS}, got {bad!r} at position {at}"
    return None


def _session_id(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None and attribute.name in _OPTIONAL_IDS:
        return
    if problem := id_problem(value, f"session.{attribute.name}", longest=_MAX_SESSION_ID):
        raise ClientError(problem)


_OPTIONAL_IDS = frozenset({"replaces", "practitioner", "room"})


def derived_plan_id(
    client_id: str | None, first_start: pendulum.DateTime, areas: Iterable[Area]
) -> str:
    """The id of a plan whose caller gave none: a UUID, version 5, of what makes it.

    Derived from the client's id, the first session's start (as an instant) and the
    areas, under `PLAN_ID_NAMESPACE`; a hash, so the client's id never shows in it. The
    same plan gets the same id each time it is made.

    >>> import pendulum
    >>> from mesotherapy import Area
    >>> start = pendulum.datetime(2026, 10, 20, 9, tz="America/Toronto")
    >>> plan_id = derived_plan_id("c-1", start, [Area.FACE])
    >>> plan_id == derived_plan_id("c-1", start.in_timezone("UTC"), [Area.FACE])
    True
    >>> "c-1" in plan_id, len(plan_id)
    (False, 36)
    """
    # The instant in UTC, as `in_timezone("UTC")` writes it, in the C arithmetic.
    instant = plain_utc(first_start).isoformat()
    names = ",".join(area.value for area in areas)
    who = "" if client_id is None else client_id
    # Lengths first, so that no two different inputs join into the same name.
    name = f"{len(who)}:{who}|{instant}|{names}"
    return _uuid5(name)


_uuid5 = namespaced(PLAN_ID_NAMESPACE)
"""``str(uuid.uuid5(uuid.UUID(PLAN_ID_NAMESPACE), name))`` of a name."""


def session_id(plan_id: str, index: int) -> str:
    """The id of the session booked *index*-th in the plan *plan_id*.

    >>> session_id("p-1", 3)
    'p-1.3'
    """
    return f"{plan_id}.{index}"


@attrs.frozen(kw_only=True)
class Override:
    """A clinician's decision to book a session beyond the protocol's longest interval.

    ``by`` names the clinician who decided (never the client), ``reason`` says why. An
    operation given one places a session that cannot keep the interval bounds at the
    nearest feasible time after the longest interval, and records the override on that
    session, where every export shows it. It never goes below the shortest interval:
    that is the skin's recovery minimum, a safety wait that no one may shorten.

    >>> Override(by="Dr. A. Chen", reason="client abroad for three weeks")
    Override(by='Dr. A. Chen', reason='client abroad for three weeks')
    >>> Override(by="Dr. A. Chen", reason=" ")
    Traceback (most recent call last):
    ...
    mesotherapy._errors.ClientError: override.reason: expected non-empty text, got blank text
    """

    by: str = attrs.field(validator=_text)
    reason: str = attrs.field(validator=_text)

    def __str__(self) -> str:
        return f"override by {self.by}: {self.reason}"


def _fixed(value: object) -> bool:
    return flag(value, "fixed")


@exact_pickling
@attrs.frozen(kw_only=True)
class Session:
    """One session of a series: when, what, and where it stands.

    ``id`` names the session for good: no operation changes it, and every export (the
    iCalendar ``UID``, the FHIR ids) takes it from here. ``index`` numbers sessions in
    the order they were booked, from 1; a session that replaces a cancelled or missed
    one takes the next number, a new ``id``, and names the one it replaces in
    ``replaces``. ``fixed`` marks a session placed by
    hand (`TreatmentPlan.reschedule`): it keeps its time while its gaps allow, instead of
    following the local time of the session before it. ``override`` is the clinician's
    decision that lets it stand further from the session before it than the protocol's
    longest interval (see `Override`). ``practitioner`` and ``room`` are the ids of the
    diary's resources that a booked session claims (`Diary`), ``None`` for a session
    planned without a diary.
    """

    id: str = attrs.field(validator=_session_id)
    index: int
    start: pendulum.DateTime
    end: pendulum.DateTime
    areas: tuple[Area, ...]
    status: SessionStatus = SessionStatus.PLANNED
    fixed: bool = attrs.field(default=False, converter=_fixed)
    override: Override | None = None
    replaces: str | None = attrs.field(default=None, validator=_session_id)
    practitioner: str | None = attrs.field(default=None, validator=_session_id)
    room: str | None = attrs.field(default=None, validator=_session_id)


_new = object.__new__
_set = object.__setattr__  # frozen: attrs' own `__setstate__` sets the slots this way too


def planned_session(
    ident: str,
    index: int,
    start: pendulum.DateTime,
    end: pendulum.DateTime,
    areas: tuple[Area, ...],
) -> Session:
    """``Session(id=ident, index=index, start=start, end=end, areas=areas)``, unchecked.

    For the sessions `plan_series` builds from values it has checked already: a plan id
    that is an id (so *ident*, its session's id, is one too), and instants of its own
    search. The object is the one the checked constructor builds, field for field (the
    tests compare ``==``, ``repr``, hash and pickle); it skips only the id checks, which
    cost a new plan a tenth of its time.
    """
    session = _new(Session)
    _set(session, "id", ident)
    _set(session, "index", index)
    _set(session, "start", start)
    _set(session, "end", end)
    _set(session, "areas", areas)
    _set(session, "status", SessionStatus.PLANNED)
    _set(session, "fixed", False)  # noqa: FBT003 - a field's value
    _set(session, "override", None)
    _set(session, "replaces", None)
    _set(session, "practitioner", None)
    _set(session, "room", None)
    return session


@attrs.frozen
class MaintenanceWindow:
    """When the next maintenance session falls due: from ``opens`` to ``closes``."""

    opens: pendulum.Date
    closes: pendulum.Date


def missed_end(sessions: tuple[Session, ...], index: int) -> pendulum.DateTime | None:
    """The end of the latest missed session booked before session *index*, if any."""
    missed = [s.end for s in sessions if s.status is SessionStatus.NO_SHOW and s.index < index]
    return max(missed, default=None)


def session_index(value: object) -> int:
    """*value*, checked to be a session's number: an `int`, and not a `bool`.

    ``True == 1`` and ``1.0 == 1`` in Python; a session is never picked by either.

    >>> session_index(True)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mesotherapy._errors.SchedulingError: index: expected a session number (...), got True

    Raises:
        SchedulingError: naming ``index``, when *value* is no such number.
    """
    if type(value) is not int:
        msg = f"index: expected a session number (a whole number such as 1), got {value!r}"
        raise SchedulingError(msg)
    return value
