"""The lanes of the diary's core (`mesotherapy._lanes`): blocks, claims, and what meets them.

A lane built by any sequence of `_Lane.with_claim` and `_Lane.without` equals the lane
built at once from the claims left; `meets`, `meeting`, `spans` and `free_at` agree with a
brute-force scan of those claims. Most properties run with blocks of two claims (a block
splits at four), so that nearly every question crosses a block's boundary; one runs with
the lanes' own block size on lanes long enough to have many blocks.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

import pendulum
from hypothesis import given
from hypothesis import strategies as st

from mesotherapy import Busy, _lanes
from mesotherapy._lanes import _NEVER, _Lane, free_at
from mesotherapy._resources import _Claim

Claim = tuple[int, int, _Claim]
Step = tuple[str, tuple[int, int] | int]
_AT = pendulum.datetime(2027, 1, 4, 9, tz="UTC")


def named(name: str) -> _Claim:
    """A claim of its own, told apart by its label (a lane holds claims, not their times)."""
    return Busy(start=_AT, end=_AT.add(minutes=1), resource="lane", label=name)


# Small instants, so that claims share starts and ends and overlap one another, as busy
# blocks from a calendar may.
claims = st.tuples(st.integers(0, 60), st.integers(1, 30)).map(lambda c: (c[0], c[0] + c[1]))
windows = st.tuples(st.integers(-5, 95), st.integers(1, 40)).map(lambda w: (w[0], w[0] + w[1]))
# An operation: add a claim, or take away the claim at some place among those left.
operations = st.lists(
    st.one_of(claims.map(lambda c: ("add", c)), st.integers(0, 10**6).map(lambda n: ("cut", n))),
    max_size=60,
)


@contextmanager
def small_blocks(size: int = 2) -> Iterator[None]:
    with mock.patch.object(_lanes, "_BLOCK", size):
        yield


def lanes_of(steps: list[Step]) -> Iterator[tuple[_Lane, list[Claim]]]:
    """Each lane *steps* make, one claim at a time, with its claims in the order they came."""
    lane, held = _Lane(), list[Claim]()
    yield lane, list(held)
    for n, (_, value) in enumerate(steps):
        if isinstance(value, tuple):
            claim = (*value, named(f"claim-{n}"))
            lane = lane.with_claim(*claim)
            held.append(claim)
        elif held:
            start, _, item = held.pop(value % len(held))
            lane = lane.without(start, item)
        yield lane, list(held)


def replay(steps: list[Step]) -> tuple[_Lane, list[Claim]]:
    """The last lane *steps* make, and its claims."""
    *_, last = lanes_of(steps)
    return last


def well_formed(lane: _Lane) -> None:
    """The lane's blocks and its lists of blocks say the same, each block's maximum its own."""
    assert all(lane.blocks), "no empty block"
    assert all(len(block.starts) < 2 * _lanes._BLOCK for block in lane.blocks)
    assert lane.firsts == [block.starts[0] for block in lane.blocks]
    assert lane.tops == [max(block.ends) for block in lane.blocks]
    top = _NEVER
    for block, reach in zip(lane.blocks, lane.reach, strict=True):
        assert block.latest == [max(block.ends[: n + 1]) for n in range(len(block.ends))]
        top = max(top, *block.ends)
        assert reach == top
    keys = [(start, end) for start, end, _ in lane.entries()]
    assert keys == sorted(keys)
    assert len(lane) == len(keys)


def meet(held: list[Claim], low: int, high: int) -> list[Claim]:
    return [claim for claim in held if claim[0] < high and claim[1] > low]


def agrees(lane: _Lane, held: list[Claim], low: int, high: int) -> None:
    """`meets`, `meeting` and `spans` of ``[low, high)`` as a scan of *held* finds them."""
    met = meet(held, low, high)
    assert lane.meets(low, high) == bool(met)
    order = {item: n for n, (_, _, item) in enumerate(lane.entries())}
    assert lane.meeting(low, high) == sorted((item for _, _, item in met), key=order.__getitem__)
    assert sorted(lane.spans(low, high)) == sorted((start, end) for start, end, _ in met)


@given(operations)
def test_a_lane_made_a_claim_at_a_time_is_the_lane_made_at_once(
    steps: list[Step],
) -> None:
    with small_blocks():
        lane, held = replay(steps)
        at_once = _Lane(held)
        well_formed(lane)
        well_formed(at_once)
    # Claims with one start and end stay in the order they came, as a stable sort has them.
    assert list(lane.entries()) == list(at_once.entries())


@given(operations, st.lists(windows, min_size=1, max_size=20))
def test_what_meets_an_interval_is_what_a_scan_finds(
    steps: list[Step], asked: list[tuple[int, int]]
) -> None:
    with small_blocks():
        lane, held = replay(steps)
        for low, high in [*asked, (_NEVER, -_NEVER)]:
            agrees(lane, held, low, high)
            agrees(_Lane(held), held, low, high)


@given(st.lists(claims, min_size=2, max_size=30), windows)
def test_a_long_claim_early_is_found_from_blocks_after_it(
    more: list[tuple[int, int]], window: tuple[int, int]
) -> None:
    # A claim of the whole stretch at the front: every question reaches back to its block.
    long = named("all day")
    held = [(-10, 200, long), *((s, e, named(f"claim-{n}")) for n, (s, e) in enumerate(more))]
    with small_blocks():
        lane = _Lane(held)
        assert len(lane.blocks) > 1
        agrees(lane, held, *window)
        assert long in lane.meeting(*window)


@given(st.lists(claims, min_size=200, max_size=400), st.lists(windows, max_size=10), st.data())
def test_lanes_of_many_blocks_of_their_own_size(
    many: list[tuple[int, int]], asked: list[tuple[int, int]], data: st.DataObject
) -> None:
    spread = [(s * 50, e * 50 + 7, named(f"claim-{n}")) for n, (s, e) in enumerate(many)]
    lane = _Lane()
    for claim in spread:
        lane = lane.with_claim(*claim)
    gone = data.draw(st.lists(st.sampled_from(spread), unique=True, max_size=50))
    for start, _, item in gone:
        lane = lane.without(start, item)
    held = [claim for claim in spread if claim not in gone]
    well_formed(lane)
    assert list(lane.entries()) == list(_Lane(held).entries())
    for low, high in asked:
        agrees(lane, held, low * 50, high * 50)


def test_a_claim_copies_one_block_and_shares_the_others() -> None:
    """The cost of a claim is one block's, not the lane's: the other blocks are the same."""
    held = [(start * 10, start * 10 + 5, named(f"claim-{start}")) for start in range(1_000)]
    lane = _Lane(held)
    assert len(lane.blocks) > 10
    new = named("new")
    more = lane.with_claim(5_003, 5_004, new)
    fewer = lane.without(5_000, held[500][2])  # the claim itself: found by identity
    for derived in (more, fewer):
        kept = [block for block in derived.blocks if any(block is b for b in lane.blocks)]
        assert len(kept) == len(lane.blocks) - 1
    assert [item for _, _, item in more.entries()].count(new) == 1
    assert len(more) == 1_001
    assert len(fewer) == 999
    assert len(lane) == 1_000


def test_taking_away_every_claim_leaves_an_empty_lane() -> None:
    a, b, c, d, e = (named(name) for name in "abcde")
    held = [(0, 5, a), (0, 5, b), (3, 9, c), (20, 30, d), (21, 22, e)]
    with small_blocks():
        lane = _Lane(held)
        for start, _, item in [held[1], held[4], held[0], held[3], held[2]]:
            lane = lane.without(start, item)
            well_formed(lane)
    assert len(lane) == 0
    assert lane.blocks == []
    assert not lane.meets(_NEVER, -_NEVER)
    assert lane.with_claim(1, 2, a).meeting(0, 3) == [a]


def brute_free(
    held: list[tuple[int, int]], buffer: int, spans: list[tuple[int, int]]
) -> list[bool]:
    return [
        not any(start - buffer < b and end + buffer > a for start, end in held) for a, b in spans
    ]


@given(
    st.lists(claims, max_size=15),
    operations,
    st.integers(0, 5),
    st.lists(windows, min_size=1, max_size=6),
)
def test_free_at_follows_the_lanes_it_is_given(
    busy: list[tuple[int, int]],
    steps: list[Step],
    buffer: int,
    asked: list[tuple[int, int]],
) -> None:
    """Asked again with a derived lane, `free_at` answers for that lane, never an old one."""
    spans = sorted(asked)
    spans = [span for n, span in enumerate(spans) if all(span[1] >= s[1] for s in spans[:n])]
    with small_blocks():
        busy_lane = _Lane((s, e, named(f"busy-{n}")) for n, (s, e) in enumerate(busy))
        for lane, held in lanes_of(steps):
            expected = brute_free([*busy, *((s, e) for s, e, _ in held)], buffer, spans)
            assert free_at("lanes-test", busy_lane, lane, buffer, spans) == expected
            # Asked again with the same lanes: the answer it remembers, the same.
            assert free_at("lanes-test", busy_lane, lane, buffer, spans) == expected
