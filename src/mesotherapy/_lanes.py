"""The claims of one resource as sorted lanes of whole instants, and what is free in them.

A claim's start and end are whole microseconds since 1970 (UTC), exact where a float
timestamp is not (`_instant`). A `_Lane` keeps one resource's claims in order of their
starts, in small blocks each with the running maximum of its ends, so whether an interval
meets one of them is a binary search, and a claim added or taken away copies one block.
`free_at` answers a whole day's openings at once and remembers the answer for as long as
the lanes stay the same.

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
from collections.abc import Iterable, Iterator, Sequence
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

_BLOCK: Final = 64
"""Claims in a block of a lane built at once; a block that grows to twice that splits."""


class _Block:
    """A run of a lane's claims in order: starts, ends, the claims, the latest end so far.

    The running maximum is the block's own (from its first claim), so that a block holds
    nothing of the blocks before it and a lane can share it unchanged with the lanes
    derived from it. A block never changes once made.
    """

    __slots__ = ("ends", "items", "latest", "starts")

    def __init__(
        self,
        starts: list[int],
        ends: list[int],
        items: list[_Claim],
        latest: list[int] | None = None,
    ) -> None:
        self.starts = starts
        self.ends = ends
        self.items = items
        self.latest = _running_max(ends) if latest is None else latest


class _Lane:
    """The claims of one resource in order of their starts (then their ends), in blocks.

    With the running maximum of the ends, whether ``[a, b)`` meets a claim is a binary
    search: the claims starting before ``b`` meet it exactly when the latest of their ends
    lies after ``a``, whether or not those claims overlap one another (busy blocks from a
    calendar may). The claims are kept in small sorted blocks, each with its own running
    maximum, and the lane keeps each block's first start and the latest end of the blocks
    up to it: a binary search among the blocks, then one in a block. Instants are whole
    microseconds (`_instant`). A lane never changes once made: a claim added or taken away
    gives a new lane, which copies the one block it changes and the lane's short lists of
    blocks, and shares every other block with this one, so that its cost does not grow
    with the claims a resource holds.

    >>> lane = _Lane([(0, 10, "a"), (20, 30, "b")]).with_claim(5, 25, "c")
    >>> [item for _, _, item in lane.entries()], lane.meeting(12, 18), lane.meets(26, 40)
    (['a', 'c', 'b'], ['c'], True)
    >>> [item for _, _, item in lane.without(5, "c").entries()]
    ['a', 'b']
    """

    __slots__ = ("blocks", "firsts", "reach", "size", "tops")

    def __init__(self, entries: Iterable[tuple[int, int, _Claim]] = ()) -> None:
        ordered = sorted(entries, key=lambda entry: (entry[0], entry[1]))
        blocks: list[_Block] = []
        for at in range(0, len(ordered), _BLOCK):
            run = ordered[at : at + _BLOCK]
            starts = [start for start, _, _ in run]
            ends = [end for _, end, _ in run]
            blocks.append(_Block(starts, ends, [item for _, _, item in run]))
        self.blocks = blocks
        self.firsts = [block.starts[0] for block in blocks]
        self.tops = [block.latest[-1] for block in blocks]
        # The latest end of the blocks up to each one: whether to look into earlier blocks.
        self.reach = _running_max(self.tops)
        self.size = len(ordered)

    def _replaced(self, k: int, blocks: list[_Block], size: int) -> _Lane:
        """This lane with *blocks* (none, one or two) in place of its block *k*."""
        lane = _Lane.__new__(_Lane)
        # Copies of short lists by slices, in C: the lane's cost is its blocks' number.
        lane.blocks = [*self.blocks[:k], *blocks, *self.blocks[k + 1 :]]
        lane.firsts = [
            *self.firsts[:k],
            *[block.starts[0] for block in blocks],
            *self.firsts[k + 1 :],
        ]
        tops = [*self.tops[:k], *[block.latest[-1] for block in blocks], *self.tops[k + 1 :]]
        lane.tops = tops
        lane.reach = [*self.reach[:k], *_running_max(tops[k:], self.reach[k - 1] if k else _NEVER)]
        lane.size = size
        return lane

    def __len__(self) -> int:
        return self.size

    def entries(self) -> Iterator[tuple[int, int, _Claim]]:
        """Every claim with its start and end, in order of their starts, then their ends."""
        for block in self.blocks:
            yield from zip(block.starts, block.ends, block.items, strict=True)

    def meets(self, low: int, high: int) -> bool:
        k = bisect.bisect_left(self.firsts, high)
        if k == 0:
            return False
        block = self.blocks[k - 1]
        if block.latest[bisect.bisect_left(block.starts, high) - 1] > low:
            return True
        return k > 1 and self.reach[k - 2] > low

    def _met(self, low: int, high: int) -> Iterator[tuple[_Block, int]]:
        """The claims that meet ``[low, high)`` as blocks and places, the last one first."""
        k = bisect.bisect_left(self.firsts, high)
        if k == 0:
            return
        block = self.blocks[k - 1]
        at = bisect.bisect_left(block.starts, high)
        while True:
            # Back from the last claim that starts before `high`, while one of the claims
            # up to here still ends after `low`; then on into the blocks before, while one
            # of theirs does.
            latest, ends = block.latest, block.ends
            while at > 0 and latest[at - 1] > low:
                at -= 1
                if ends[at] > low:
                    yield block, at
            k -= 1
            if k == 0 or self.reach[k - 1] <= low:
                return
            block = self.blocks[k - 1]
            at = len(block.starts)

    def meeting(self, low: int, high: int) -> list[_Claim]:
        """The claims that meet ``[low, high)``, in order of their starts."""
        found = [block.items[at] for block, at in self._met(low, high)]
        found.reverse()
        return found

    def spans(self, low: int, high: int) -> list[tuple[int, int]]:
        """The starts and ends of the claims that meet ``[low, high)`` (as `meeting`)."""
        return [(block.starts[at], block.ends[at]) for block, at in self._met(low, high)]

    def with_claim(self, start: int, end: int, item: _Claim) -> _Lane:
        """This lane with *item*, from *start* to *end*, after the claims of that interval."""
        blocks, firsts = self.blocks, self.firsts
        if not blocks:
            return _Lane([(start, end, item)])
        # The last block whose first claim is not after the new one.
        k = max(bisect.bisect_right(firsts, start) - 1, 0)
        while k > 0 and firsts[k] == start and blocks[k].ends[0] > end:
            k -= 1
        block = blocks[k]
        low = bisect.bisect_left(block.starts, start)
        high = bisect.bisect_right(block.starts, start, low)
        at = bisect.bisect_right(block.ends, end, low, high)
        starts = [*block.starts[:at], start, *block.starts[at:]]
        ends = [*block.ends[:at], end, *block.ends[at:]]
        items = [*block.items[:at], item, *block.items[at:]]
        # The running maximum after the new claim is the old one raised to its end, and
        # the old one is sorted: only the stretch still below that end changes.
        old = block.latest
        top = max(old[at - 1] if at else _NEVER, end)
        below = bisect.bisect_left(old, end, lo=at)
        latest = [*old[:at], top, *itertools.repeat(end, below - at), *old[below:]]
        if len(starts) < 2 * _BLOCK:
            changed = [_Block(starts, ends, items, latest)]
        else:
            half = len(starts) // 2
            changed = [
                _Block(starts[:half], ends[:half], items[:half], latest[:half]),
                _Block(starts[half:], ends[half:], items[half:]),
            ]
        return self._replaced(k, changed, self.size + 1)

    def without(self, start: int, item: _Claim) -> _Lane:
        """This lane without *item*, a claim of it that starts at *start*."""
        blocks = self.blocks
        # The claim is in the lane (the diary put it there): from the first claim that
        # starts then, on through the claims that start with it, maybe into later blocks.
        k = max(bisect.bisect_left(self.firsts, start) - 1, 0)
        at = bisect.bisect_left(blocks[k].starts, start)
        while at == len(blocks[k].items) or blocks[k].items[at] is not item:
            if at == len(blocks[k].items):
                k, at = k + 1, 0
            else:
                at += 1
        block = blocks[k]
        changed: list[_Block] = []
        if len(block.starts) > 1:
            ends = [*block.ends[:at], *block.ends[at + 1 :]]
            latest = block.latest[:at]
            latest += _running_max(ends[at:], latest[-1] if latest else _NEVER)
            starts = [*block.starts[:at], *block.starts[at + 1 :]]
            items = [*block.items[:at], *block.items[at + 1 :]]
            changed.append(_Block(starts, ends, items, latest))
        return self._replaced(k, changed, self.size - 1)


def _running_max(ends: Sequence[int], top: int = _NEVER) -> list[int]:
    return list(itertools.accumulate(ends, max, initial=top))[1:]


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
