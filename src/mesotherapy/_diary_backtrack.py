"""The search for a whole series in a clinic's diary: backtracking, memoised, deterministic.

Each session needs a time the clinic is open, a practitioner who may treat its areas, works
then and is free (the diary's buffer included), and a room that serves the areas and is
free. The windows are those of a plan without a diary (`_slots`): the first session from
the start within the same horizon, each later one within the protocol's interval bounds
after the session before it. When session *k* has no free time in its window, the search
tries the other places of session *k - 1* (and before) within their bounds before it
refuses. A failure is remembered by what decides it (the session, the day of the one
before and, where they reach into the window, the earlier sessions' claims), so no window
is searched twice for the same reason and the search stays polynomial in the windows' size.

The order of preference: one practitioner for the whole series (the one asked for, else each
qualified one in the diary's order, before any mix), then the client's local time (that of
the session before), then the nearest day, exactly as `_slots` orders a plan without a diary:
with one practitioner and one room, both always free, the search finds the plan that
`plan_series` finds without a diary.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import cast

import pendulum

from ._diary import Diary, _span
from ._diary_days import answers_of
from ._diary_steps import Opening, Step, _clinic_days, _Day, _DeadEnd, _overlaps, _Window
from ._model import Area
from ._protocol import SeriesProtocol
from ._session import Session
from ._slots import _SEARCH_DAYS, _days_from, _nearest_days
from ._time import elapsed_after

_ONE_DAY = dt.timedelta(days=1)
_APART_DAYS = 3  # a shorter least interval may let a session's claims reach the next window


class _Search:
    """One search: the diary, the steps to place, and what it has learnt so far."""

    def __init__(  # noqa: PLR0913 - each argument is one fact of the search
        self,
        *,
        diary: Diary,
        protocol: SeriesProtocol,
        areas: tuple[Area, ...],
        steps: Sequence[Step],
        before: Sequence[Session],
        opening: Opening | None,
    ) -> None:
        self.diary = diary
        self.clinic = diary.clinic
        self.protocol = protocol
        self.areas = areas
        self.steps = steps
        self.before = tuple(before)
        self.opening = opening
        self.minutes = protocol.session_minutes
        self.length = dt.timedelta(minutes=protocol.session_minutes)
        self.buffer = dt.timedelta(minutes=diary.buffer_minutes)
        self.people = {p.id: p for p in diary.practitioners}
        self.rooms = tuple(r.id for r in diary.rooms_for(areas))
        self.failed: set[object] = set()
        self.dead_end: _DeadEnd | None = None
        self._free: dict[tuple[str, dt.datetime, tuple[object, ...]], bool] = {}
        self._days = _clinic_days(self.clinic, self.minutes)
        self._ends: dict[pendulum.DateTime, pendulum.DateTime] = {}
        # The diary's answers of each day, from the searches before this one (`_diary_days`).
        self._answers = answers_of(diary)
        # Where each later step is a plain one within the bounds after the one before, and
        # the bounds keep a session's claims out of the next one's window (`near` empty),
        # whether the rest of a series fits depends on the days alone (`reach`).
        apart = protocol.min_interval_days >= _APART_DAYS
        plain = [
            apart and s.current is None and s.floor is None and not s.beyond and not s.only_current
            for s in steps
        ]
        self.plain = [all(plain[n:]) for n in range(len(steps))]
        self._rooms_key = ("rooms", self.rooms, self.minutes)

    # -- the clinic's openings ---------------------------------------------------------

    def day(self, day: dt.date) -> _Day:
        try:
            return self._days[day]
        except KeyError:
            pass
        starts = tuple(self.clinic.slots(day, self.minutes))
        ends = tuple(elapsed_after(start, self.length) for start in starts)
        spans = tuple(_span(start, end) for start, end in zip(starts, ends, strict=True))
        index = {start: n for n, start in enumerate(starts)}
        found = self._days[day] = _Day(starts, ends, spans, index)
        return found

    def free_on(self, resource: str, day: dt.date) -> list[bool]:
        """For each opening of *day*, whether *resource* is free then (the diary alone)."""
        answers = self._answers.of(day)
        key = ("free", resource, self.minutes)
        try:
            return cast("list[bool]", answers[key])
        except KeyError:
            pass
        # The diary's lanes once for the whole day (`Diary._free_at`, as `is_free`).
        found = self.diary._free_at(resource, self.day(day).spans)  # noqa: SLF001 - the search's own look
        answers[key] = found
        return found

    def openings(self, day: dt.date) -> tuple[pendulum.DateTime, ...]:
        return self.day(day).starts

    def end(self, start: pendulum.DateTime) -> pendulum.DateTime:
        try:
            return self._ends[start]
        except KeyError:
            end = self._ends[start] = elapsed_after(start, self.length)
            return end

    def usable(self, mode: tuple[str, ...], day: dt.date) -> frozenset[pendulum.DateTime]:
        """The openings of *day* where one of *mode* and a room are free in the diary.

        The diary alone: the chain's own claims only take more away, so a time outside this
        set has no place (`places`) whatever the chain, and the search skips it unseen.
        """
        answers = self._answers.of(day)
        asked = ("usable", mode, self.rooms, self.minutes)
        try:
            return cast("frozenset[pendulum.DateTime]", answers[asked])
        except KeyError:
            pass
        if len(mode) > 1:
            found = frozenset().union(*(self.usable((p,), day) for p in mode))
        else:
            person, openings = mode[0], self.day(day)
            free, room = self.free_on(person, day), self.room_free(day)
            found = frozenset(
                start
                for n, (start, end) in enumerate(zip(openings.starts, openings.ends, strict=True))
                if free[n] and room[n] and self.works(person, start, end)
            )
        answers[asked] = found
        return found

    def room_free(self, day: dt.date) -> list[bool]:
        """For each opening of *day*, whether one of the rooms is free then (the diary alone)."""
        answers = self._answers.of(day)
        try:
            return cast("list[bool]", answers[self._rooms_key])
        except KeyError:
            pass
        rooms = [self.free_on(r, day) for r in self.rooms]
        if rooms:
            found = [any(free) for free in zip(*rooms, strict=True)]
        else:
            found = [False] * len(self.day(day).starts)
        answers[self._rooms_key] = found
        return found

    def reach(self, pos: int, before: dt.date, mode: tuple[str, ...]) -> bool:
        """Whether steps *pos* on fit with *mode*, the session before them on the day *before*.

        For plain steps (`plain`) only: the days of each window, and whether one of *mode*
        and a room are free at one of a day's openings (`usable`), decide it, so this is
        exactly whether `solve` finds the rest of the series, in a fraction of its time.
        """
        p, left = self.protocol, len(self.steps) - pos
        # What decides it is the days up to `left` longest intervals after *before*: the
        # answer holds for later searches until one of them changes (`_diary_days`).
        answers = self._answers.ahead_of(before, left * p.max_interval_days)
        key = (left, p.min_interval_days, p.max_interval_days, mode, self.rooms, self.minutes)
        try:
            return cast("bool", answers[key])
        except KeyError:
            pass
        found = False
        for offset in range(p.min_interval_days, p.max_interval_days + 1):
            day = dt.date.__add__(before, dt.timedelta(days=offset))
            if self.usable(mode, day) and (left == 1 or self.reach(pos + 1, day, mode)):
                found = True
                break
        answers[key] = found
        return found

    def window(self, step: Step, prev: Session | None) -> _Window:
        p = self.protocol
        if prev is None:
            opening = self.opening
            if opening is None:
                # An operation's first session stays where it is (`book_operation`).
                current = cast("Session", step.current)
                return _Window(current.start.date(), current.start.date(), current.start)
            first = max(opening.moment.date(), opening.earliest)
            last = dt.date.__add__(first, dt.timedelta(days=_SEARCH_DAYS - 1))
            return _Window(first, last, opening.moment)
        not_before = prev.end if step.floor is None else max(prev.end, step.floor)
        whole = not prev.start.second and not prev.start.microsecond
        wanted = prev.start.hour * 60 + prev.start.minute
        day = prev.start.date()
        if step.beyond:
            first = dt.date.__add__(day, dt.timedelta(days=p.max_interval_days + 1))
            last = dt.date.__add__(first, dt.timedelta(days=_SEARCH_DAYS - 1))
        else:
            first = dt.date.__add__(day, dt.timedelta(days=p.min_interval_days))
            last = dt.date.__add__(day, dt.timedelta(days=p.max_interval_days))
        return _Window(first, last, not_before, wanted, whole)

    def times(
        self,
        step: Step,
        prev: Session | None,
        window: _Window,
        mode: tuple[str, ...] | None = None,
    ) -> Iterator[pendulum.DateTime]:
        """The times of *window* in the order of preference, each once.

        With *mode*, only those where one of its practitioners may have a place (`usable`),
        beside the session's current time.
        """
        if step.current is not None:
            current = step.current.start
            if step.only_current:
                yield current
                return
            day = current.date()
            within = window.first <= day <= window.last and current >= window.not_before
            if within and current in self.openings(day):
                yield current
        seen = {step.current.start} if step.current is not None else set()
        for start in self._ordered(step, prev, window, mode):
            if start not in seen and start >= window.not_before:
                seen.add(start)
                yield start

    def _ordered(
        self, step: Step, prev: Session | None, window: _Window, mode: tuple[str, ...] | None
    ) -> Iterator[pendulum.DateTime]:
        if prev is None:
            # The first session: the earliest opening, day after day (`first_start`).
            for day in _days_from(window.first):
                yield from self._openings(day, mode)
        elif step.beyond:
            # Day after day after the longest interval, the nearest time first (`start_after`).
            for day in _days_from(window.first):
                yield from self._nearest(day, window.wanted, mode)
        else:
            yield from self._within(prev, window, mode)

    def _openings(self, day: dt.date, mode: tuple[str, ...] | None) -> Sequence[pendulum.DateTime]:
        """The openings of *day*, those of them *mode* may use (`usable`) with a *mode*.

        Only once the search has met a dead end: until then the first times tried mostly
        fit, and looking at them one by one is cheaper than a whole day at a time. Leaving
        out a time with no place never changes what the search finds, so when it starts
        to leave them out does not matter either.
        """
        if mode is None:
            return self.openings(day)
        usable = self.usable(mode, day)
        if not usable:
            return ()
        return [start for start in self.openings(day) if start in usable]

    def _nearest(
        self, day: dt.date, wanted: int, mode: tuple[str, ...] | None = None
    ) -> list[pendulum.DateTime]:
        """The openings of *day*, the nearest to the local minute *wanted* first."""
        return sorted(
            self._openings(day, mode),
            key=lambda start: (abs(start.hour * 60 + start.minute - wanted), start),
        )

    def _within(
        self, prev: Session, window: _Window, mode: tuple[str, ...] | None
    ) -> Iterator[pendulum.DateTime]:
        """The times within the interval bounds after *prev*, as `start_after` orders them."""
        p, wanted = self.protocol, window.wanted
        target = dt.date.__add__(prev.start.date(), dt.timedelta(days=p.interval_days))
        low, high = p.min_interval_days - p.interval_days, p.max_interval_days - p.interval_days
        if window.whole:
            # The client's local time on the nearest day first, then any time (at a start
            # with seconds, the same local time is no slot: the nearest time only).
            for day in _nearest_days(target, low, high):
                for start in self._openings(day, mode):
                    if start.hour * 60 + start.minute == wanted:
                        yield start
        for day in _nearest_days(target, low, high):
            yield from self._nearest(day, wanted, mode)

    # -- the diary's resources ---------------------------------------------------------

    def near(self, chain: Sequence[Session], window: _Window) -> tuple[Session, ...]:
        """The sessions of the chain whose claims may reach into *window*."""
        # A day's margin, so that a clock change at midnight never hides a claim.
        reach = dt.datetime.combine(window.first, dt.time(), tzinfo=self.clinic.zone) - _ONE_DAY
        # The buffer taken from the stdlib instant, not added to each pendulum end: the same
        # test, without pendulum's arithmetic for every session of the chain.
        reach -= self.buffer
        return tuple(s for s in chain if s.end > reach)

    def free(
        self,
        resource: str,
        start: pendulum.DateTime,
        end: pendulum.DateTime,
        near: Sequence[Session],
    ) -> bool:
        if not near:
            # An opening of a day: the day's answers, from the lanes at once (`free_on`).
            day = start.date()
            openings = self._days.get(day)
            n = None if openings is None else openings.index.get(start)
            if n is not None and cast("_Day", openings).ends[n] == end:
                return self.free_on(resource, day)[n]
        key = (resource, start, tuple(s.id for s in near))
        try:
            return self._free[key]
        except KeyError:
            pass
        free = self.diary.is_free(resource, start, end) and not any(
            resource in (s.practitioner, s.room) and _overlaps(s, start, end, self.buffer)
            for s in near
        )
        self._free[key] = free
        return free

    def works(self, practitioner: str, start: pendulum.DateTime, end: pendulum.DateTime) -> bool:
        return self.people[practitioner].works(start, end)

    def places(  # noqa: PLR0913 - each argument is one fact of the search
        self,
        *,
        step: Step,
        prev: Session | None,
        start: pendulum.DateTime,
        end: pendulum.DateTime,
        mode: tuple[str, ...],
        near: Sequence[Session],
    ) -> Iterator[tuple[str, str]]:
        """The practitioners and rooms free at *start*, the session's own first."""
        people = list(mode)
        rooms = list(self.rooms)
        for chosen in (prev, step.current):
            if chosen is not None and chosen.practitioner in people:
                people.remove(chosen.practitioner)
                people.insert(0, chosen.practitioner)
        if step.current is not None and step.current.room in rooms:
            rooms.remove(step.current.room)
            rooms.insert(0, step.current.room)
        room: str | None = None
        for person in people:
            if self.works(person, start, end) and self.free(person, start, end, near):
                # The room once a practitioner is free: most times fail on the practitioner.
                room = room or next((r for r in rooms if self.free(r, start, end, near)), None)
                if room is None:
                    return
                yield person, room

    # -- the search --------------------------------------------------------------------

    def solve(
        self, pos: int, chain: tuple[Session, ...], mode: tuple[str, ...]
    ) -> list[Session] | None:
        if pos == len(self.steps):
            return []
        step = self.steps[pos]
        prev = chain[-1] if chain else None
        window = self.window(step, prev)
        near = self.near(chain, window)
        reaches = window.not_before.date() >= window.first
        key = (
            pos,
            None if prev is None else prev.start.date(),
            window.not_before if reaches or step.only_current else None,
            mode,
            tuple((s.start, s.practitioner, s.room) for s in near),
        )
        if key in self.failed:
            return None
        known = prev is not None and self.dead_end is not None and self.plain[pos]
        if known and not self.reach(pos, cast("Session", prev).start.date(), mode):
            # No series of *mode* from here, whatever the times (`reach`): the search
            # would try each of them in vain, and its dead end is known already.
            self.failed.add(key)
            return None
        found = False
        for start in self.times(step, prev, window, mode):
            end = self.end(start)
            for practitioner, room in self.places(
                step=step, prev=prev, start=start, end=end, mode=mode, near=near
            ):
                found = True
                session = self._session(step, start, end, practitioner, room)
                rest = self.solve(pos + 1, (*chain, session), mode)
                if rest is not None:
                    return [session, *rest]
        if not found and self.dead_end is None:
            self.dead_end = _DeadEnd(
                step.index, window, lambda: self._reasons(step, prev, window, mode, near)
            )
        self.failed.add(key)
        return None

    def first_alone(self, singles: Sequence[tuple[str, ...]]) -> list[Session] | None:
        """The series with one practitioner throughout, the first session earliest.

        At each time of the first session, each practitioner in turn for the whole series:
        a practitioner's later series never goes before another's earlier one.
        """
        step = self.steps[0]
        window = self.window(step, None)
        found = False
        anyone = tuple(p for mode in singles for p in mode)
        for start, modes in self._first_starts(step, window, singles, anyone):
            end = self.end(start)
            for mode in modes:
                for practitioner, room in self.places(
                    step=step, prev=None, start=start, end=end, mode=mode, near=()
                ):
                    found = True
                    session = self._session(step, start, end, practitioner, room)
                    rest = self.solve(1, (session,), mode)
                    if rest is not None:
                        return [session, *rest]
        if not found and self.dead_end is None:
            everyone = tuple(p for mode in singles for p in mode)
            self.dead_end = _DeadEnd(
                step.index, window, lambda: self._reasons(step, None, window, everyone, ())
            )
        return None

    def _first_starts(
        self,
        step: Step,
        window: _Window,
        singles: Sequence[tuple[str, ...]],
        anyone: tuple[str, ...],
    ) -> Iterator[tuple[pendulum.DateTime, Sequence[tuple[str, ...]]]]:
        """The times of the first session in order (as `times`), each with whom to try it.

        A day none of *singles* may start the series on (`viable`) is passed over whole:
        in a diary that fills up, most days before the first free one are such days, and
        each costs a look-up or two.
        """
        if step.current is not None:  # pragma: no cover - an operation has no opening
            for start in self.times(step, None, window, anyone):
                yield start, self.viable(start.date(), singles)
            return
        for day in _days_from(window.first):
            starts = self._openings(day, anyone)
            modes = self.viable(day, singles) if starts else ()
            if not modes:
                continue
            for start in starts:
                if start >= window.not_before:
                    yield start, modes

    def viable(self, day: dt.date, singles: Sequence[tuple[str, ...]]) -> Sequence[tuple[str, ...]]:
        """Those of *singles* with whom the rest of the series fits from *day* (`reach`).

        Only once the search has met a dead end (before, all of them): the others `solve`
        would give up on at once, since the dead end is known.
        """
        if self.dead_end is None or len(self.plain) < 2 or not self.plain[1]:
            return singles
        p, left = self.protocol, len(self.steps) - 1
        answers = self._answers.ahead_of(day, left * p.max_interval_days)
        key = (
            "viable",
            tuple(singles),
            self.rooms,
            self.minutes,
            left,
            p.min_interval_days,
            p.max_interval_days,
        )
        try:
            return cast("list[tuple[str, ...]]", answers[key])
        except KeyError:
            pass
        found = answers[key] = [mode for mode in singles if self.reach(1, day, mode)]
        return found

    def _session(
        self,
        step: Step,
        start: pendulum.DateTime,
        end: pendulum.DateTime,
        practitioner: str,
        room: str,
    ) -> Session:
        return Session(
            id=step.id,
            index=step.index,
            start=start,
            end=end,
            areas=self.areas,
            status=step.status,
            fixed=step.fixed,
            override=step.override,
            replaces=step.replaces,
            practitioner=practitioner,
            room=room,
        )

    def _reasons(
        self,
        step: Step,
        prev: Session | None,
        window: _Window,
        mode: tuple[str, ...],
        near: Sequence[Session],
    ) -> str:
        """What blocked every opening of *window*: closed, not working, busy, no room."""
        counts: Counter[str] = Counter()
        starts = list(self.times(step, prev, window))
        if step.only_current:
            counts.update(self._blocks(starts, mode, near))
        else:
            # Each opening once, whatever its order of preference (the horizon is long),
            # and a whole day's counts, where nothing of the chain reaches it, from the
            # searches before (`_diary_days`): the same for every client refused there.
            for day, group in itertools.groupby(sorted(set(starts)), key=_local_day):
                some = tuple(group)
                if not near and some == self.openings(day):
                    counts.update(self._day_blocks(day, mode))
                else:
                    counts.update(self._blocks(some, mode, near))
        if not counts:
            return f"closed: the clinic has no opening for {self.minutes} minutes then"
        total = sum(counts.values())
        parts = ", ".join(f"{what} at {n}" for what, n in counts.most_common())
        return f"blocked at every one of {total} openings: {parts}"

    def _day_blocks(self, day: dt.date, mode: tuple[str, ...]) -> Counter[str]:
        """What blocks each opening of *day* in the diary alone (`_blocks`), kept for the day."""
        answers = self._answers.of(day)
        key = ("blocks", mode, self.rooms, self.minutes)
        try:
            return cast("Counter[str]", answers[key])
        except KeyError:
            pass
        found = answers[key] = self._blocks(self.openings(day), mode, ())
        return found

    def _blocks(
        self, starts: Sequence[pendulum.DateTime], mode: tuple[str, ...], near: Sequence[Session]
    ) -> Counter[str]:
        """What blocks each of *starts*: not working, busy, no room (none where one fits)."""
        counts: Counter[str] = Counter()
        who = ", ".join(mode)
        for start in starts:
            end = self.end(start)
            working = [p for p in mode if self.works(p, start, end)]
            if not working:
                counts[f"{who} does not work then"] += 1
            elif not any(self.free(p, start, end, near) for p in working):
                counts[f"practitioner busy ({who})"] += 1
            elif not any(self.free(r, start, end, near) for r in self.rooms):
                counts["no room free"] += 1
        return counts


def _local_day(start: pendulum.DateTime) -> dt.date:
    return start.date()
