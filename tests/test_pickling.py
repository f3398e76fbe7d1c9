"""Every public object pickles and unpickles exactly, in every pickle protocol from 2 to 5.

"Exactly" is more than ``==``: two pendulum times in one zone compare equal on their wall
clock alone, so each date and time inside is also compared on its ``fold``, UTC offset and
instant (`exact.assert_exactly_equal`). pendulum's own pickling drops ``fold``: the values
below hold instants of the repeated autumn hour in Toronto (1 November 2026, 01:00 to
01:59 happen twice), where a lost ``fold`` moves an instant by an hour.
"""

from __future__ import annotations

import copy
import datetime as dt
import enum
import functools
import inspect
import pickle
from collections.abc import Callable
from typing import Any, Final

import attrs
import pendulum
import pytest

import mesotherapy as meso
from mesotherapy._clinic import WEEKDAYS
from tests.builders import TORONTO
from tests.exact import assert_exactly_equal, datetimes_in

PROTOCOLS: Final = tuple(range(2, pickle.HIGHEST_PROTOCOL + 1))
NIGHT: Final = meso.Clinic(
    name="Night Clinic",
    timezone=TORONTO,
    hours={day: [("00:00", "23:59")] for day in WEEKDAYS},
    closures=[meso.Closure(start="2026-12-24", end="2027-01-02", reason="Winter break")],
    holidays="CA-ON",
)
"""Open around the clock, so that sessions and their windows meet the DST change."""


def _toronto(
    year: int, month: int, day: int, hour: int, minute: int = 0, *, fold: int = 0
) -> pendulum.DateTime:
    return pendulum.datetime(year, month, day, hour, minute, tz=TORONTO, fold=fold)


REPEATED: Final = _toronto(2026, 11, 1, 1, 30, fold=1)
"""01:30 EST, the second 01:30 of 1 November 2026 (06:30 UTC)."""
FIRST_START: Final = _toronto(2026, 10, 31, 1, 45)
"""A session from 01:45 to 02:30 EDT: 24 real hours after its end is 01:30 EST, fold 1."""


def _zoo() -> dict[str, Any]:
    """One or more values of every public type, named; several hold repeated-hour instants."""
    client = meso.Client(
        id="c-pickle-001",
        birth_date="1985-03-02",
        conditions=["heart_disease"],
        allergies=["pollen"],
        medications=[{"code": "isotretinoin", "last_taken": "2026-03-01"}],
        skin_findings={"neck": ["sunburn"]},
        treatments=[{"kind": "botulinum_toxin", "area": "face", "on": "2026-09-01"}],
        concerns=["dullness", "thinning_hair"],
    )
    assessment = meso.assess(client, ["face"], on="2026-10-20")
    plan = meso.plan_series(
        assessment,
        ["face"],
        start=FIRST_START,
        clinic=NIGHT,
        sessions=4,
        interval=21,
        acknowledge_review=True,
    )
    completed = plan.complete(1, at=REPEATED).no_show(2).cancel(3)
    care = meso.aftercare(plan)
    event = meso.ClientEvent(
        name="Wedding",
        start=_toronto(2026, 11, 1, 1, 15, fold=1),
        end=_toronto(2026, 11, 1, 3),
        activities=["makeup"],
    )
    refused = care.may_i("sun", _toronto(2026, 11, 1, 1, 10, fold=1))
    allowed = care.may_i("sun", _toronto(2026, 11, 2, 9))
    request = meso.PlanRequest(client=client, areas=["face"], start=REPEATED)
    ineligible = meso.PlanRequest(
        client=meso.Client(id="c-pickle-002", birth_date="1990-01-01", pregnant=True),
        areas=["face", "scalp"],
        start=REPEATED,
        on="2026-10-20",
    )
    outcomes = list(
        meso.plan_batch([request, ineligible], clinic=NIGHT),
    )
    timeline = meso.expected_timeline(plan)
    diary = _diary(plan)
    return {
        "client": client,
        "medication": next(iter(client.medications)),
        "prior treatment": next(iter(client.treatments)),
        "skin finding": next(iter(client.skin_findings)),
        "default rules": meso.default_rules(),
        "span": meso.Span(years=1, months=2, weeks=3, days=4, hours=5, minutes=6),
        "assessment": assessment,
        "finding": assessment.findings[0],
        "clinic": NIGHT,
        "example clinic": meso.example_clinic(),
        "opening hours": NIGHT.hours,
        "interval": NIGHT.hours.monday[0],
        "closure": NIGHT.closures[0],
        "series protocol": plan.protocol,
        "plan": plan,
        "plan after operations": completed,
        "session": completed.session(1),
        "maintenance window": plan.maintenance[0],
        "aftercare": care,
        "care window": next(w for w in care.for_session(1) if w.activity == "makeup"),
        "client event": event,
        "answer": refused,
        "answer allowed": allowed,
        "conflict": care.conflicts([event])[0],
        "timeline": timeline,
        "milestone": next(m for m in timeline if m.code == "redness" and m.session == 1),
        "plan request": request,
        "plan outcome": outcomes[0],
        "plan outcome refused": outcomes[1],
        "compact outcome": outcomes[0].compact(),
        "compact outcome refused": outcomes[1].compact(),
        "override": meso.Override(by="Dr. A. Chen", reason="the client was away"),
        "diary": diary,
        "practitioner": diary.practitioners[0],
        "room": diary.rooms[0],
        "busy": diary.busy[0],
        "booking": diary.bookings[0],
        "recall": meso.Recall(
            plan_id=plan.id,
            client_id=client.id,
            status=meso.RecallStatus.DUE,
            areas=plan.areas,
            opens=plan.maintenance[0].opens,
            closes=plan.maintenance[0].closes,
            last_session=completed.session(1).id,
            last_session_end=REPEATED,
            practitioner="dr-h",
            days_overdue=0,
            days_until_due=0,
        ),
        "maintenance booking": meso.MaintenanceBooking(
            plan_id=plan.id,
            session=attrs.evolve(completed.session(1), practitioner="dr-h", room="room-1"),
            window=plan.maintenance[0],
        ),
        **_errors(),
        **{f"enum {member!r}": member for member in _enum_members()},
    }


def _diary(plan: meso.TreatmentPlan) -> meso.Diary:
    """A diary holding *plan*, its first session completed at 01:30 EST, busy at 01:30 EST."""
    done = plan.complete(1, at=REPEATED)
    sessions = tuple(attrs.evolve(s, practitioner="dr-h", room="room-1") for s in done.sessions)
    return meso.Diary(
        clinic=NIGHT,
        practitioners=[
            meso.Practitioner(id="dr-h", areas=["face"], hours={"monday": [("08:00", "12:00")]})
        ],
        rooms=[meso.Room(id="room-1"), meso.Room(id="room-2", areas=["scalp"])],
        busy=[meso.Busy(start=REPEATED, end=REPEATED.add(minutes=20), resource="room-2")],
        buffer_minutes=10,
    ).book(attrs.evolve(done, sessions=sessions))


def _errors() -> dict[str, BaseException]:
    found: dict[str, BaseException] = {}
    try:
        meso.Clinic(name="Lakeside", timezone="Mars/Olympus", hours={})
    except meso.MesotherapyError as error:
        found["error from a call"] = error
    return {
        **found,
        "MesotherapyError": meso.MesotherapyError("something went wrong"),
        "RuleSetError": meso.RuleSetError(
            ["protocols.face.sessions.max: expected 1 or more, got 0", "version: missing"],
            source="clinic-rules.toml",
        ),
        "RuleSetError without source": meso.RuleSetError(["name: expected text, got 3"]),
        "ClinicError": meso.ClinicError(
            ["slot_minutes: expected a whole number of minutes from 1 to 1440, got 0"],
            source="clinic.toml",
        ),
        "CalendarError": meso.CalendarError(
            ["line 2: expected BEGIN:VCALENDAR"], source="calendars/dr-h.ics"
        ),
        "ClientError": meso.ClientError("birth_date: expected a date, got 'soon'"),
        "DocumentError": meso.DocumentError("sessions[2].start: expected a date and time"),
        "UnknownCodeError": meso.UnknownCodeError("areas: unknown area 'elbow'"),
        "InvalidTimeError": meso.InvalidTimeError("start: expected an aware date and time"),
        "SchedulingError": meso.SchedulingError("session 2: 30 days after session 1"),
        "MissingExtraError": meso.MissingExtraError("pip install 'mesotherapy[ical]'"),
    }


def _enum_members() -> list[enum.Enum]:
    # Every public name, by `getattr`: a lazily exported enum is not in `vars(meso)` until
    # something has asked for it, so this file run alone would miss it.
    enums = [
        value
        for value in (getattr(meso, name) for name in meso.__all__)
        if isinstance(value, type) and issubclass(value, enum.Enum)
    ]
    return [member for cls in enums for member in cls]


ZOO: Final = _zoo()
PUBLIC_TYPES: Final = sorted(
    (value for name in meso.__all__ if isinstance(value := getattr(meso, name), type)),
    key=lambda cls: cls.__name__,
)


def _pickled(value: Any, protocol: int) -> Any:
    return pickle.loads(pickle.dumps(value, protocol))  # noqa: S301


def _round_trips() -> dict[str, Callable[[Any], Any]]:
    trips: dict[str, Callable[[Any], Any]] = {
        f"pickle protocol {protocol}": functools.partial(_pickled, protocol=protocol)
        for protocol in PROTOCOLS
    }
    trips["copy.copy"] = copy.copy
    trips["copy.deepcopy"] = copy.deepcopy
    return trips


ROUND_TRIPS: Final = _round_trips()


def test_the_zoo_has_every_public_type_and_repeated_hour_instants() -> None:
    held = {type(value) for value in ZOO.values()}
    missing = [cls.__name__ for cls in PUBLIC_TYPES if cls not in held]
    assert not missing, f"no value of {missing} is pickled here"
    folded = {name for name, value in ZOO.items() if any(d.fold for d in datetimes_in(value))}
    # The instants that a lost fold would move: given ones and computed ones.
    assert {
        "plan after operations",  # a session completed at 01:30 EST
        "session",
        "aftercare",  # windows ending 24 real hours after 02:30 EDT
        "care window",
        "client event",
        "answer",
        "conflict",
        "timeline",  # redness resolves within 24 hours
        "milestone",
        "plan request",
        "plan outcome",
        "diary",  # a booking and busy time at 01:30 EST
        "busy",
        "booking",
        "recall",  # the end of a last session at 01:30 EST
        "maintenance booking",
    } <= folded, sorted(folded)


@pytest.mark.parametrize("trip", list(ROUND_TRIPS), ids=str)
@pytest.mark.parametrize("name", list(ZOO), ids=str)
def test_every_public_object_round_trips_exactly(name: str, trip: str) -> None:
    value = ZOO[name]
    clone = ROUND_TRIPS[trip](value)
    assert type(clone) is type(value)
    if not isinstance(value, BaseException):
        assert clone == value
        assert hash(clone) == hash(value) or not _hashable(value)
    assert_exactly_equal(clone, value, name)


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_pickled_plan_writes_the_same_json(protocol: int) -> None:
    for name in ("plan", "plan after operations"):
        plan = ZOO[name]
        clone = _pickled(plan, protocol)
        assert meso.to_json(clone) == meso.to_json(plan)
        assert meso.aftercare(clone) == meso.aftercare(plan)
        assert_exactly_equal(meso.aftercare(clone), meso.aftercare(plan))
        assert_exactly_equal(meso.expected_timeline(clone), meso.expected_timeline(plan))


def test_the_repeated_hour_instants_are_where_the_design_puts_them() -> None:
    care = ZOO["aftercare"]
    makeup = next(w for w in care.for_session(1) if w.activity == "makeup")
    assert makeup.end.isoformat() == "2026-11-01T01:30:00-05:00"
    assert makeup.end.fold == 1
    assert makeup.end.timestamp() - makeup.start.timestamp() == 24 * 3600
    session = ZOO["plan after operations"].session(1)
    assert session.start.isoformat() == "2026-11-01T01:30:00-05:00"
    assert session.status is meso.SessionStatus.COMPLETED


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_rule_set_error_keeps_its_problems_and_source(protocol: int) -> None:
    error = ZOO["RuleSetError"]
    clone = _pickled(error, protocol)
    assert isinstance(clone, meso.RuleSetError)
    assert clone.problems == error.problems
    assert clone.source == "clinic-rules.toml"
    assert str(clone) == str(error)
    assert str(clone).startswith("clinic-rules.toml: protocols.face.sessions.max")
    assert str(clone).endswith("(and 1 more)")


def _attrs_types() -> list[type]:
    return [cls for cls in PUBLIC_TYPES if attrs.has(cls)]


@pytest.mark.parametrize("cls", _attrs_types(), ids=lambda cls: cls.__name__)
def test_construction_equality_and_evolve_are_attrs_own(cls: type) -> None:
    # Pickling adds nothing to the making of an object: __init__, __eq__ and __hash__
    # are the ones attrs generated.
    for method in ("__init__", "__eq__", "__hash__"):
        code = inspect.unwrap(getattr(cls, method)).__code__
        assert code.co_filename.startswith("<attrs generated"), (cls, method, code.co_filename)
    values: list[Any] = [v for v in ZOO.values() if type(v) is cls]
    assert values
    for value in values:
        changed = attrs.evolve(value)
        assert changed == value
        assert hash(changed) == hash(value) or not _hashable(value)
        for before, after in zip(datetimes_in(value), datetimes_in(changed), strict=True):
            assert after is before


def test_evolve_of_an_unpickled_session_keeps_its_instants() -> None:
    session = ZOO["session"]
    clone = _pickled(session, pickle.DEFAULT_PROTOCOL)
    moved = attrs.evolve(clone, status=meso.SessionStatus.CANCELLED)
    assert moved.start.timestamp() == session.start.timestamp()
    assert moved.start.fold == 1
    assert {clone, session} == {session}


def test_a_stdlib_time_in_the_repeated_hour_survives_the_old_protocols() -> None:
    # A stdlib datetime pickled with protocol 2 or 3 loses its fold too: the request keeps
    # the pendulum value it converted, and that is what pickles.
    start = dt.datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=pendulum.timezone(TORONTO))
    request = meso.PlanRequest(
        client=meso.Client(birth_date="1985-03-02"), areas="face", start=start
    )
    for protocol in PROTOCOLS:
        clone = _pickled(request, protocol)
        assert clone.start.timestamp() == start.timestamp()
