"""The search for a whole series in a clinic's diary, and the operations that book with one.

`search_series` places a series' sessions (the backtracking search is `_diary_backtrack`,
what it places `_diary_steps`) and says why none fits; `book_operation` places what an
operation (reschedule, cancel, no-show) moves or adds in the diary.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING

import attrs

from ._diary import Diary, Practitioner
from ._diary_backtrack import _Search
from ._diary_steps import Opening, Step
from ._errors import ClientError, SchedulingError
from ._model import Area
from ._protocol import SeriesProtocol
from ._session import Session, SessionStatus, missed_end

if TYPE_CHECKING:
    from ._plan import TreatmentPlan

__all__ = ["Opening", "Step", "book_operation", "search_series"]


def practitioner_modes(
    diary: Diary, areas: Sequence[Area], asked: str | None, *, mixed: bool = True
) -> list[tuple[str, ...]]:
    """The practitioners the search tries, one set at a time: each alone, then all together.

    Raises:
        SchedulingError: *asked* is no practitioner of the diary or may not treat *areas*,
            nobody may treat them, or no room serves them.
    """
    names = ", ".join(areas)
    qualified = [p.id for p in diary.qualified(areas)]
    if asked is not None:
        if not isinstance(diary.resource(asked), Practitioner):
            msg = f"practitioner: {asked!r} is a room of the diary, expected a practitioner"
            raise SchedulingError(msg)
        if asked not in qualified:
            msg = f"practitioner: {asked!r} is not qualified for {names} (not qualified)"
            raise SchedulingError(msg)
    elif not qualified:
        msg = f"session 1: nobody in the diary is qualified for {names} (not qualified)"
        raise SchedulingError(msg)
    if not diary.rooms_for(areas):
        msg = f"session 1: no room of the diary serves {names} (no room)"
        raise SchedulingError(msg)
    if asked is not None:
        return [(asked,)]
    modes: list[tuple[str, ...]] = [(p,) for p in qualified]
    if mixed and len(qualified) > 1:
        modes.append(tuple(qualified))
    return modes


def search_series(  # noqa: PLR0913 - each argument is one fact of the search
    diary: Diary,
    protocol: SeriesProtocol,
    areas: tuple[Area, ...],
    steps: Sequence[Step],
    *,
    modes: Sequence[tuple[str, ...]],
    before: Sequence[Session] = (),
    opening: Opening | None = None,
) -> tuple[Session, ...]:
    """The sessions of *steps*, each with a practitioner and a room of *diary*.

    *before* are the sessions that stay where they are ahead of the first step; without
    them, the first step is looked for from *opening*. Each set of *modes* is tried for the
    whole series in turn.

    Raises:
        SchedulingError: no series fits; the message names the session, its window and
            what blocked it, as the last set of practitioners tried found it.
    """
    search = _Search(
        diary=diary, protocol=protocol, areas=areas, steps=steps, before=before, opening=opening
    )
    singles = [mode for mode in modes if len(mode) == 1]
    if opening is not None and not before and singles:
        found = search.first_alone(singles)
        if found is not None:
            return tuple(found)
        modes = [mode for mode in modes if len(mode) > 1]
    for mode in modes:
        search.dead_end = None
        found = search.solve(0, tuple(before), mode)
        if found is not None:
            return tuple(found)
    raise SchedulingError(_refusal(search))


def _refusal(search: _Search) -> str:
    dead = search.dead_end
    if dead is None:  # pragma: no cover - a failed search always meets a dead end
        return "no series fits the diary"
    w = dead.window
    if w.first == w.last or dead.index in {s.index for s in search.steps if s.only_current}:
        where = f"at {w.not_before.date()}" if w.first > w.last else f"on {w.first}"
        step = next(s for s in search.steps if s.index == dead.index)
        if step.current is not None:
            where = f"at {step.current.start.isoformat()}"
    else:
        where = f"from {w.first} to {w.last}"
    return f"session {dead.index}: no free time in the diary {where}: {dead.explain()}"


def mark_moved(plan: TreatmentPlan) -> TreatmentPlan:
    """*plan* with each planned session the diary moved off the client's local time ``fixed``.

    Where the clinic is open at the local time of the session before but the diary is not
    free then, the session stands elsewhere; ``fixed`` records that its time was chosen
    (as a hand-placed one), so invariant 5 and the operations keep it where it is.
    """
    from ._invariants import same_time_start  # noqa: PLC0415 - only for a diary's plans

    active = sorted(plan.active_sessions, key=lambda s: s.index)
    moved: dict[str, Session] = {}
    for before, session in itertools.pairwise(active):
        planned = session.status is SessionStatus.PLANNED and not session.fixed
        if planned and same_time_start(plan, before, session) is not None:
            moved[session.id] = attrs.evolve(session, fixed=True)
    if not moved:
        return plan
    sessions = tuple(moved.get(s.id, s) for s in plan.sessions)
    return attrs.evolve(plan, sessions=sessions)


def check_diary(plan: TreatmentPlan, diary: object) -> Diary:
    """*diary*, checked to be a `Diary` of the plan's clinic.

    Raises:
        ClientError: it is no `Diary`, or the diary of another clinic.
    """
    if not isinstance(diary, Diary):
        msg = f"diary: expected a Diary (see load_diary), got a {type(diary).__name__}"
        raise ClientError(msg)
    if diary.clinic != plan.clinic:
        msg = (
            f"diary: its clinic is {diary.clinic.name!r}, expected the plan's, {plan.clinic.name!r}"
        )
        raise ClientError(msg)
    return diary


def book_operation(
    old: TreatmentPlan, new: TreatmentPlan, diary: Diary, *, pinned: int | None
) -> TreatmentPlan:
    """*new* (an operation's result on *old*), with every session it moves or adds in *diary*.

    The claims of *old* do not block it (the search runs in ``diary.release(old)``). A
    session that did not move keeps its time; it keeps its practitioner and room when
    they stay free, else takes another qualified, free one. The sessions the operation
    moved or added are searched for within their bounds, their time under the operation
    tried first, the later ones moving where they must.

    Raises:
        SchedulingError: the diary cannot hold the result; the message names the session.
    """
    from ._invariants import check_operation  # noqa: PLC0415 - the operations' own check

    released = diary.release(old)
    before = {s.id: s for s in old.sessions}
    active = sorted(new.active_sessions, key=lambda s: s.index)
    steps: list[Step] = []
    moved = False
    for session in active:
        was = before.get(session.id)
        same = was is not None and was.start == session.start and was.status.is_active
        moved = moved or not same
        keep = session.status is SessionStatus.COMPLETED or session.index == pinned
        steps.append(
            Step(
                index=session.index,
                id=session.id,
                replaces=session.replaces,
                override=session.override,
                fixed=session.fixed,
                status=session.status,
                floor=missed_end(new.sessions, session.index),
                current=session,
                only_current=keep or not moved,
                beyond=session.override is not None,
            )
        )
    if not steps:
        return new
    modes = practitioner_modes(released, new.areas, None)
    everyone = tuple(p.id for p in released.qualified(new.areas))
    head = steps[0]
    found = search_series(
        released,
        new.protocol,
        new.areas,
        [attrs.evolve(head, only_current=True), *steps[1:]],
        modes=[everyone] if everyone else modes,
    )
    by_id = {s.id: s for s in found}
    plan = attrs.evolve(new, sessions=tuple(by_id.get(s.id, s) for s in new.sessions))
    plan = mark_moved(plan)
    # What `check_plan` says of *plan*, checking only what changed when *old* is known sound.
    if problems := check_operation(old, plan):
        raise SchedulingError(problems[0])
    return plan
