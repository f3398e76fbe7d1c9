"""The protocol a series follows when several areas share its sessions."""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from ._errors import ClientError, SchedulingError
from ._model import Area
from ._rules import Bounds, RuleSet

__all__ = ["SeriesProtocol", "series_protocol"]


@attrs.frozen(kw_only=True)
class SeriesProtocol:
    """The bounds that every requested area's protocol allows, and the chosen values.

    >>> from mesotherapy import default_rules
    >>> p = series_protocol(default_rules(), [Area.FACE, Area.SCALP])
    >>> (p.min_sessions, p.max_sessions), (p.min_interval_days, p.max_interval_days)
    ((4, 6), (14, 21))
    """

    areas: tuple[Area, ...]
    min_sessions: int
    max_sessions: int
    sessions: int
    min_interval_days: int
    max_interval_days: int
    interval_days: int
    session_minutes: int
    min_maintenance_months: int
    max_maintenance_months: int


def series_protocol(
    rules: RuleSet,
    areas: Iterable[Area],
    *,
    sessions: int | None = None,
    interval_days: int | None = None,
) -> SeriesProtocol:
    """The protocol that satisfies every area in *areas*, with *sessions* and *interval_days*.

    Each bound is the intersection of the areas' bounds; a default is the largest of the
    areas' defaults, held within the intersection. A session treats all its areas at once
    and is booked for the longest of their default session lengths.

    Raises:
        SchedulingError: no value satisfies every area, or an explicit value lies outside
            the bounds.
        ClientError: *areas* is empty.
    """
    chosen = tuple(areas)
    if not chosen:
        msg = "areas: expected at least one area, got none"
        raise ClientError(msg)
    if not (_whole_or_none(sessions) and _whole_or_none(interval_days)):
        return _protocol(rules, chosen, sessions=sessions, interval_days=interval_days)
    key = (id(rules), chosen, sessions, interval_days)
    known = _MEMO.get(key)
    if known is not None and known[0] is rules:
        return known[1]
    protocol = _protocol(rules, chosen, sessions=sessions, interval_days=interval_days)
    if len(_MEMO) >= _MEMO_SIZE:
        _MEMO.clear()
    _MEMO[key] = (rules, protocol)
    return protocol


# A batch asks for the same few protocols again and again: each is worked out once for a
# rule set (the entry keeps the rule set, so that an id reused after it is gone misses).
_MEMO: dict[tuple[int, tuple[Area, ...], int | None, int | None], tuple[RuleSet, SeriesProtocol]]
_MEMO = {}
_MEMO_SIZE = 256


def _whole_or_none(value: object) -> bool:
    return value is None or type(value) is int


def _protocol(
    rules: RuleSet, chosen: tuple[Area, ...], *, sessions: int | None, interval_days: int | None
) -> SeriesProtocol:
    protocols = [rules.protocols[area] for area in chosen]
    names = ", ".join(area.value for area in chosen)
    count = _pick(
        [p.sessions for p in protocols], sessions, field="sessions", areas=names, unit="sessions"
    )
    gap = _pick(
        [p.interval_days for p in protocols],
        interval_days,
        field="interval_days",
        areas=names,
        unit="days",
    )
    maintenance = _intersect(
        [p.maintenance_months for p in protocols], field="maintenance_months", areas=names
    )
    return SeriesProtocol(
        areas=chosen,
        min_sessions=count[0],
        max_sessions=count[1],
        sessions=count[2],
        min_interval_days=gap[0],
        max_interval_days=gap[1],
        interval_days=gap[2],
        session_minutes=max(p.session_minutes.default for p in protocols),
        min_maintenance_months=maintenance[0],
        max_maintenance_months=maintenance[1],
    )


def _intersect(bounds: list[Bounds], *, field: str, areas: str) -> tuple[int, int]:
    low, high = max(b.min for b in bounds), min(b.max for b in bounds)
    if low > high:
        msg = (
            f"{field}: no value satisfies every area of {areas} (the bounds leave {low} to {high})"
        )
        raise SchedulingError(msg)
    return low, high


def _pick(
    bounds: list[Bounds], asked: int | None, *, field: str, areas: str, unit: str
) -> tuple[int, int, int]:
    low, high = _intersect(bounds, field=field, areas=areas)
    if asked is None:
        largest = max(b.default for b in bounds)
        return low, high, min(max(largest, low), high)
    if type(asked) is not int or not low <= asked <= high:
        msg = f"{field}: expected {low} to {high} {unit} for {areas}, got {asked!r}"
        raise SchedulingError(msg)
    return low, high, asked
