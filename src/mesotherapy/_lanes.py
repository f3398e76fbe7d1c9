"""The claims of one resource as sorted lanes of whole instants, and what is free in them.

A claim's start and end are whole microseconds since 1970 (UTC), exact where a float
timestamp is not (`_instant`). A `_Lane` keeps one resource's claims in order of their
starts with the running maximum of their ends, so whether an interval meets one of them
is one binary search. `free_at` answers a whole day's openings at once and remembers the
answer for as long as the lanes stay the same.

>>> import pendulum
>>> nine = pendulum.datetime(2026, 11, 24, 9, tz="America/Toronto")
>>> lane = _Lane([(*_span(nine, nine.add(hours=1)), "staff meeting")])
>>> lane.meets(*_span(nine.add(minutes=30), nine.add(hours=2)))
True
>>> lane.meets(*_span(nine.add(hours=1), nine.add(hours=2)))
False
>>> free_at("dr-h", lane, _Lane(), 0, [_span(nine, nine.add(minutes=45)),
...                                    _span(nine.add(hours=1), nine.add(hours=2))])
[False, True]
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Final, cast

from ._errors import ClinicError
from ._time import aware

if TYPE_CHECKING:
    from ._resources import _Claim

_US: Final = 1_000_000
_ONE_US: Final = dt.timedelta(microseconds=1)
_EPOCH_DAY: Final = dt.date(1970, 1, 1).toordinal()
_NEVER: Final = -(2**62)
"""Below every instant a lane holds: the running maximum of an empty lane."""
_FREE_AT: dict[
    tuple[int, tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]], list[bool]
] = {}
_LANE_DAYS: dict[tuple[str, tuple[tuple[int, int], ...]], tuple[_Lane, _Lane, list[bool]]] = {}
_FREE_AT_KEPT: Final = 100_000  # days of a resource `free_at` remembers, at most


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
        got = cast("dt.datetime", end).isoformat()
        raise ClinicError([f"end: expected {after}, got {got!r}"])
    return low, high


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


def free_at(
    resource: str, busy: _Lane, booked: _Lane, buffer: int, spans: Sequence[tuple[int, int]]
) -> list[bool]:
    """Whether *resource*, with lanes *busy* and *booked*, is free at each of *spans*.

    *buffer* is in microseconds, kept on both sides of each span. *spans* are instants as
    `_span` gives them, in order of their starts and ends (a search's openings of one
    day): one look into the lanes for all of them, then arithmetic on whole numbers.
    """
    if not spans:
        return []
    spans = tuple(spans)
    # A lane never changes, and a derived diary shares the lanes a booking left alone:
    # the same lanes give the same answer, without a look into them.
    kept = _LANE_DAYS.get((resource, spans))
    if kept is not None and kept[0] is busy and kept[1] is booked:
        return kept[2]
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
