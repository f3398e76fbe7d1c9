"""What every plan keeps: invariants 1 to 6 of DESIGN.md, and the sessions' identities."""

from __future__ import annotations

import datetime as dt
import itertools
import weakref
from operator import attrgetter
from typing import TYPE_CHECKING

import attrs
import pendulum

from ._assess import Assessment, Candidacy, candidacy
from ._errors import InvalidTimeError, SchedulingError
from ._protocol import SeriesProtocol, series_protocol
from ._session import Session, SessionStatus, missed_end
from ._time import elapsed_after

if TYPE_CHECKING:
    from ._plan import TreatmentPlan
    from ._rules import RuleSet

__all__ = [
    "check_operation",
    "check_plan",
    "day_word",
    "earliest_day",
    "needs_review",
    "same_time_start",
]


def needs_review(assessment: Assessment) -> bool:
    """Whether a finding of *assessment* needs a clinician's review before planning."""
    return any(f.outcome is Candidacy.REVIEW for f in assessment.findings)


def earliest_day(assessment: Assessment) -> pendulum.Date:
    """The first day a session may fall on, from the findings (never a stored status)."""
    _, earliest, _ = candidacy(assessment.findings, on=assessment.on, areas=assessment.areas)
    return earliest or assessment.on


def check_plan(plan: TreatmentPlan, rules: RuleSet | None = None) -> list[str]:
    """Every way *plan* breaks invariants 1 to 6 of a plan, one message each; empty if none.

    Each message names the field (``sessions[2].start``), what it holds, what was expected
    and the invariant (DESIGN.md, "Invariants of a plan"). With *rules* (those the plan
    was made with), the protocol's bounds are also checked to be those the rules give for
    the plan's areas. Invariant 7 (the maintenance window) is derived from the sessions,
    never stored, and so always holds; the operations (invariant 8) check their result
    with this function, and `mesotherapy.from_json` checks every plan it reads. The
    sessions' identities are checked too: their ids are distinct, and each ``replaces``
    names a cancelled or missed session of the plan booked before it, which no other
    session replaces.

    >>> import pendulum, mesotherapy as meso
    >>> assessment = meso.assess(meso.Client(birth_date="1985-03-02"), ["face"], on="2026-10-01")
    >>> plan = meso.plan_series(assessment, ["face"], clinic=meso.example_clinic(),
    ...     start=pendulum.datetime(2026, 10, 20, 9, tz="America/Toronto"))
    >>> check_plan(plan, meso.default_rules())
    []
    >>> import attrs
    >>> check_plan(attrs.evolve(plan, sessions=plan.sessions[:1]))
    ['sessions: 1 active sessions, expected 4 (invariant 2: the count lies within the protocol)']
    """
    problems = _protocol_problems(plan, rules)
    problems += _session_problems(plan)
    problems += _identity_problems(plan)
    problems += _candidate_problems(plan)
    return problems


_CHECKED: weakref.WeakValueDictionary[int, TreatmentPlan] = weakref.WeakValueDictionary()
"""The plans known to keep every invariant (`check_plan` found nothing), by `id`.

Only the plans an operation returned: a plan read back or built by hand is checked whole.
"""

_ID, _INDEX, _REPLACES = attrgetter("id"), attrgetter("index"), attrgetter("replaces")


def check_operation(
    old: TreatmentPlan, new: TreatmentPlan, live: tuple[list[Session], list[Session]] | None = None
) -> list[str]:
    """``check_plan(new, None)``, for *new* made from *old* by an operation: its sessions.

    When *old* is known to keep every invariant (an operation returned it), only what an
    operation can change is checked: the sessions it replaced or added, the active
    sessions' gaps, and the identities that involve a changed session. Those found
    sound, *new* has no problem; otherwise (or for any other *old*) *new* is checked
    whole, so the messages are always those of `check_plan`. A plan found sound is
    remembered, and the next operation on it checks only its own change. *live* is the
    active sessions of *new* in index order and its missed ones, when the caller has them.

    >>> import pendulum, mesotherapy as meso
    >>> assessment = meso.assess(meso.Client(birth_date="1985-03-02"), ["face"], on="2026-10-01")
    >>> plan = meso.plan_series(assessment, ["face"], clinic=meso.example_clinic(),
    ...     start=pendulum.datetime(2026, 10, 20, 9, tz="America/Toronto"))
    >>> check_operation(plan, plan.cancel(2))
    []
    """
    if _CHECKED.get(id(old)) is old and _sound_change(old, new, live):
        problems: list[str] = []
    else:
        problems = check_plan(new, None)
    if not problems:
        _CHECKED[id(new)] = new
    return problems


def _sound_change(
    old: TreatmentPlan, new: TreatmentPlan, live: tuple[list[Session], list[Session]] | None
) -> bool:
    """Whether *new*, from *old* which keeps every invariant, keeps them too.

    ``False`` when unsure: the caller then checks *new* whole.
    """
    # The protocol, the areas, the assessment: those of *old*, which had no problem with them.
    same = (
        new.protocol is old.protocol
        and new.areas is old.areas
        and new.clinic is old.clinic
        and new.assessment is old.assessment
        and new.review_acknowledged is old.review_acknowledged
    )
    if not same:
        return False
    # A session of *old* (the same object) keeps what it kept there: only the others are checked.
    by_object = dict(zip(map(id, new.sessions), new.sessions, strict=True))
    changed = [by_object[n] for n in by_object.keys() - map(id, old.sessions)]
    return (
        _sound_identities(old, new, changed)
        and _sound_sessions(new, changed)
        and _sound_series(new, live or _live(new))
    )


def _live(plan: TreatmentPlan) -> tuple[list[Session], list[Session]]:
    """The active sessions of *plan* in index order, and its missed ones."""
    active: list[Session] = []
    missed: list[Session] = []
    for session in plan.sessions:
        status = session.status
        if status is SessionStatus.PLANNED or status is SessionStatus.COMPLETED:
            active.append(session)
        elif status is SessionStatus.NO_SHOW:
            missed.append(session)
    active.sort(key=_INDEX)
    return active, missed


def _sound_identities(old: TreatmentPlan, new: TreatmentPlan, changed: list[Session]) -> bool:
    """Whether *new* keeps the sessions' identities (`_identity_problems`) and distinct indices."""
    sessions = new.sessions
    by_id = dict(zip(map(_ID, sessions), sessions, strict=True))
    replaces = list(map(_REPLACES, sessions))
    targets = set(replaces)
    targets.discard(None)
    if (
        len(by_id) != len(sessions)
        or len(set(map(_INDEX, sessions))) != len(sessions)
        or len(targets) != len(replaces) - replaces.count(None)
        or not by_id.keys() >= set(map(_ID, old.sessions))  # a session of *old* is gone
    ):
        return False
    # A changed session that a replacement names: an inactive one, named by a changed one
    # (the replacement a cancel books, checked below); any other, and the plan is checked whole.
    renamed = {s.replaces for s in changed}
    for session in changed:
        if session.id in targets and (session.status.is_active or session.id not in renamed):
            return False
        if session.replaces is not None:
            target = by_id.get(session.replaces)
            if target is None or target.status.is_active or target.index >= session.index:
                return False
    return True


def _sound_sessions(new: TreatmentPlan, changed: list[Session]) -> bool:
    """Whether each of *changed* keeps what `_session_problems` asks of one session."""
    p, clinic = new.protocol, new.clinic
    length = dt.timedelta(minutes=p.session_minutes)
    return not any(
        session.areas != new.areas
        or session.end != elapsed_after(session.start, length)
        or (
            session.status is SessionStatus.PLANNED
            and not clinic.fits(session.start, p.session_minutes)
        )
        for session in changed
    )


def _sound_series(new: TreatmentPlan, live: tuple[list[Session], list[Session]]) -> bool:
    """Whether *new*'s active sessions keep the count, the gaps and the earliest start."""
    active, missed = live
    if _pair_problems(new, active, None, tuple(missed)):
        return False
    a = new.assessment
    _, earliest, _ = candidacy(a.findings, on=a.on, areas=a.areas)
    first = min((s.start for s in active), default=None)
    return first is None or earliest is None or first.date() >= earliest


_INVARIANT = {
    1: "invariant 1: active sessions never overlap",
    2: "invariant 2: the count lies within the protocol",
    3: "invariant 3: every gap lies within the interval bounds",
    4: "invariant 4: a planned session lies inside opening hours",
    5: "invariant 5: a session keeps the local time of the one before",
    6: "invariant 6: only a candidate is planned, never before the earliest start",
}


def _protocol_problems(plan: TreatmentPlan, rules: RuleSet | None) -> list[str]:
    p = plan.protocol
    found: list[str] = []
    where = "invariants 2-3: the protocol's bounds are the rule set's"
    if p.areas != plan.areas:
        names = [a.value for a in p.areas]
        found.append(f"protocol.areas: expected the plan's areas, got {names} ({where})")
    if rules is not None:
        try:
            expected = series_protocol(rules, plan.areas)
        except SchedulingError as error:
            return [*found, f"protocol: {error} ({where})"]
        # Every bound the rules give; the count and the interval are the plan's, within them.
        for name in (f.name for f in attrs.fields(SeriesProtocol)):
            if name in ("areas", "sessions", "interval_days"):
                continue
            want, got = getattr(expected, name), getattr(p, name)
            if want != got:
                found.append(f"protocol.{name}: the rules give {want}, got {got!r} ({where})")
    if not p.min_sessions <= p.sessions <= p.max_sessions:
        found.append(
            f"protocol.sessions: expected {p.min_sessions} to {p.max_sessions}, "
            f"got {p.sessions!r} ({_INVARIANT[2]})"
        )
    if not p.min_interval_days <= p.interval_days <= p.max_interval_days:
        found.append(
            f"protocol.interval_days: expected {p.min_interval_days} to "
            f"{p.max_interval_days}, got {p.interval_days!r} ({_INVARIANT[3]})"
        )
    return found


def _session_problems(plan: TreatmentPlan) -> list[str]:
    p, clinic = plan.protocol, plan.clinic
    found: list[str] = []
    seen: set[int] = set()
    for n, session in enumerate(plan.sessions):
        if session.index in seen:
            found.append(f"sessions[{n}].index: {session.index} repeats ({_INVARIANT[1]})")
        seen.add(session.index)
        if session.areas != plan.areas:
            found.append(f"sessions[{n}].areas: expected the plan's areas ({_INVARIANT[1]})")
        if session.end != elapsed_after(session.start, dt.timedelta(minutes=p.session_minutes)):
            found.append(
                f"sessions[{n}].end: expected {p.session_minutes} minutes after its start "
                f"({_INVARIANT[1]})"
            )
        if session.status is SessionStatus.PLANNED and not clinic.fits(
            session.start, p.session_minutes
        ):
            found.append(
                f"sessions[{n}].start: the clinic is not open for a whole session at "
                f"{session.start} ({_INVARIANT[4]})"
            )
    return found + _gap_problems(plan)


_IDENTITY = "identities: a session id names one session; a replacement names what it replaces"


def _identity_problems(plan: TreatmentPlan) -> list[str]:
    """Session ids unique; each ``replaces`` names an earlier inactive session, once."""
    found: list[str] = []
    by_id: dict[str, Session] = {}
    for n, session in enumerate(plan.sessions):
        if session.id in by_id:
            found.append(
                f"sessions[{n}].id: repeats the id of session {by_id[session.id].index} "
                f"({_IDENTITY})"
            )
        else:
            by_id[session.id] = session
    replaced: dict[str, int] = {}
    for n, session in enumerate(plan.sessions):
        if session.replaces is None:
            continue
        old = by_id.get(session.replaces)
        where = f"sessions[{n}].replaces"
        if old is None:
            found.append(f"{where}: names no session of the plan ({_IDENTITY})")
        elif old.status.is_active:
            found.append(
                f"{where}: names session {old.index}, which is {old.status.value}, expected "
                f"a cancelled or missed one ({_IDENTITY})"
            )
        elif old.index >= session.index:
            found.append(
                f"{where}: names session {old.index}, expected one booked before session "
                f"{session.index} ({_IDENTITY})"
            )
        elif session.replaces in replaced:
            found.append(
                f"{where}: session {old.index} is already replaced by session "
                f"{replaced[session.replaces]} ({_IDENTITY})"
            )
        else:
            replaced[session.replaces] = session.index
    return found


def _gap_problems(plan: TreatmentPlan) -> list[str]:
    position = {id(s): n for n, s in enumerate(plan.sessions)}
    # Index order is time order: the operations rely on it.
    active = sorted(plan.active_sessions, key=lambda s: s.index)
    return _pair_problems(plan, active, position, plan.sessions)


def _pair_problems(
    plan: TreatmentPlan,
    active: list[Session],
    position: dict[int, int] | None,
    missed: tuple[Session, ...],
) -> list[str]:
    """The count and each gap of *active* (in index order); *missed* holds the missed sessions.

    *position* gives each session's place in the plan (by `id`), named by the messages;
    without it, they name ``sessions[-1]`` (for a caller that asks only whether any is found).
    """
    p = plan.protocol
    found: list[str] = []
    count = len(active)
    if count != p.sessions or not p.min_sessions <= count <= p.max_sessions:
        found.append(f"sessions: {count} active sessions, expected {p.sessions} ({_INVARIANT[2]})")
    for before, after in itertools.pairwise(active):
        n = -1 if position is None else position[id(after)]
        if after.start < before.end:
            found.append(f"sessions[{n}].start: overlaps session {before.index} ({_INVARIANT[1]})")
            continue
        gap = dt.date.__sub__(after.start.date(), before.start.date()).days
        beyond = gap > p.max_interval_days and after.override is not None
        if not p.min_interval_days <= gap <= p.max_interval_days and not beyond:
            found.append(
                f"sessions[{n}].start: {gap} {day_word(gap)} after session {before.index}, "
                "expected "
                f"{p.min_interval_days} to {p.max_interval_days} (interval_days; "
                f"{_INVARIANT[3]}{'' if gap < p.min_interval_days else ', or an override'})"
            )
        elif problem := _same_time_problem(plan, before, after, missed):
            found.append(f"sessions[{n}].start: {problem} ({_INVARIANT[5]})")
    return found


def _same_time_problem(
    plan: TreatmentPlan, before: Session, session: Session, missed: tuple[Session, ...]
) -> str | None:
    if session.status is not SessionStatus.PLANNED or session.fixed:
        return None
    same = same_time_start(plan, before, session)
    floor = missed_end(missed, session.index)
    if same is None or (floor is not None and same < floor):
        return None  # kept, impossible, or that time had passed when the session was booked
    return f"at {session.start.time()}, expected {before.start.time()} as session {before.index}"


def same_time_start(
    plan: TreatmentPlan, before: Session, session: Session
) -> pendulum.DateTime | None:
    """Where *session* should start to keep the local time of *before*, if it does not.

    ``None`` when it keeps it, or the clinic has no such start on its day after *before*
    (that local time may not exist once on the day, or the clinic is closed then).
    """
    wanted = before.start.time()
    if session.start.time() == wanted:
        return None
    try:
        same = plan.clinic.at(session.start.date(), wanted)
    except InvalidTimeError:
        return None  # that local time does not exist once on this day
    if same >= before.end and plan.clinic.fits(same, plan.protocol.session_minutes):
        return same
    return None


def _candidate_problems(plan: TreatmentPlan) -> list[str]:
    a = plan.assessment
    status, earliest, _ = candidacy(a.findings, on=a.on, areas=a.areas)
    found: list[str] = []
    missing = [area.value for area in plan.areas if area not in a.areas]
    if missing:
        found.append(f"areas: {missing[0]!r} was not assessed ({_INVARIANT[6]})")
    if status is Candidacy.INELIGIBLE:
        found.append(f"assessment.status: the client is not a candidate ({_INVARIANT[6]})")
    elif status is Candidacy.DEFERRED and earliest is None:
        found.append(f"assessment.status: deferred with no date ({_INVARIANT[6]})")
    if needs_review(a) and not plan.review_acknowledged:
        found.append(
            f"review_acknowledged: a finding needs a clinician's review, got false "
            f"({_INVARIANT[6]})"
        )
    first = min((s.start for s in plan.active_sessions), default=None)
    if first is not None and earliest is not None and first.date() < earliest:
        n = next(n for n, s in enumerate(plan.sessions) if s.start == first and s.status.is_active)
        found.append(
            f"sessions[{n}].start: before the assessment's earliest start "
            f"{earliest.isoformat()} ({_INVARIANT[6]})"
        )
    return found


def day_word(count: int) -> str:
    """The word for *count* days in a message: "1 day", "3 days"."""
    return "day" if count in {1, -1} else "days"
