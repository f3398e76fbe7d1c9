"""What to expect and when: results, side effects and maintenance, dated on the plan."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator, Mapping
from typing import cast

import attrs
import pendulum

from ._deferred import Deferred, deferred_fields
from ._errors import UnknownCodeError
from ._model import Area
from ._pickling import exact_pickling
from ._plan import TreatmentPlan, plan_rules
from ._rules import ResultMilestone, RuleSet, SideEffect
from ._time import (
    Span,
    as_pendulum,
    off_calendar,
    parse_date,
    shift_date,
    stdlib_instant,
    within_calendar,
)

__all__ = ["Milestone", "MilestoneKind", "Timeline", "expected_timeline"]


class MilestoneKind(enum.StrEnum):
    """What a milestone of the timeline is about."""

    RESULT = "result"
    SIDE_EFFECT = "side_effect"
    MAINTENANCE = "maintenance"


@exact_pickling
@attrs.frozen(kw_only=True)
class Milestone:
    """A window of the timeline: something to expect from ``start`` until ``end``.

    Results and maintenance are dated in the clinic's local calendar; side effects are
    instants (elapsed time from the session's end), with ``advice`` for when one lasts
    longer than ``end``.
    """

    code: str
    kind: MilestoneKind
    order: int
    description: str
    start: dt.date
    end: dt.date
    source: str
    session: int | None = None
    advice: str | None = None


@deferred_fields("milestones")
@attrs.frozen(kw_only=True)
class Timeline:
    """The milestones of a plan, in order.

    Results come in the article's order, then the maintenance window, then each session's
    side effects.
    """

    milestones: tuple[Milestone, ...]
    """The milestones; `expected_timeline` builds them on first read (a derived view)."""

    def _repr_html_(self) -> str:
        """The timeline as an HTML table, for Jupyter."""
        from ._html import timeline_html  # noqa: PLC0415 - loaded when shown

        return timeline_html(self)

    def of_kind(self, kind: MilestoneKind | str) -> tuple[Milestone, ...]:
        """The milestones of one kind (``MilestoneKind.SIDE_EFFECT`` or ``"side_effect"``).

        Raises:
            UnknownCodeError: *kind* is no kind of milestone (a typo would otherwise read
                as "none of that kind").
        """
        try:
            chosen = MilestoneKind(kind)
        except ValueError:
            known = ", ".join(k.value for k in MilestoneKind)
            msg = f"kind: unknown kind of milestone {kind!r}, expected one of {known}"
            raise UnknownCodeError(msg) from None
        return tuple(m for m in self.milestones if m.kind is chosen)

    def on(self, day: dt.date) -> tuple[Milestone, ...]:
        """The milestones whose window contains the local date *day*.

        Raises:
            InvalidTimeError: *day* is no date (a date and time is refused: its local
                date depends on a zone).
        """
        local = parse_date(day, field="day")
        return tuple(
            m for m in self.milestones if _local_date(m.start) <= local <= _local_date(m.end)
        )

    def __iter__(self) -> Iterator[Milestone]:
        return iter(self.milestones)

    def __len__(self) -> int:
        return len(self.milestones)


def _local_date(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


# A result worked out: its order, start and end, code and rule.
_Result = tuple[int, pendulum.Date, pendulum.Date, str, ResultMilestone]


@within_calendar
def expected_timeline(plan: TreatmentPlan, *, rules: RuleSet | None = None) -> Timeline:
    """The results to expect and when, the side effects and the maintenance, for *plan*.

    A milestone anchored on ``session:N`` follows the N-th active session of the plan as
    it stands: a cancelled or missed session moves the milestones after it.

    >>> import mesotherapy as meso
    >>> result = meso.assess(meso.Client(birth_date="1985-03-02"), ["face"], on="2026-10-01")
    >>> plan = meso.plan_series(result, ["face"], clinic=meso.example_clinic(),
    ...     start=pendulum.datetime(2026, 10, 20, 9, tz="America/Toronto"))
    >>> [(m.code, str(m.start), str(m.end)) for m in expected_timeline(plan)][:2]
    [('refreshed', '2026-10-20', '2026-10-23'), ('smoother', '2026-11-10', '2026-12-08')]
    """
    rules = plan_rules(plan, rules)
    active = plan.active_sessions
    chosen = _chosen(rules, plan.areas)
    # Every date and instant is worked out here (and refused here when it falls beyond
    # the calendar); the milestones that carry them are built on first read.
    ends = [session.end.date() for session in active]
    results: list[_Result] = []
    for code, rule, starts, stops in chosen.results:
        start, end = _anchor_date(starts, ends), _anchor_date(stops, ends)
        if start is not None and end is not None:  # else too few sessions for it
            results.append((rule.order, start, max(start, end), code, rule))
    results.sort(key=_result_order)
    last_order = max((row[0] for row in results), default=0)
    rows: list[MilestoneRow] = [
        (code, MilestoneKind.RESULT, order, rule.description, start, end, rule.source, None, None)
        for order, start, end, code, rule in results
    ]
    rows += [
        (
            "maintenance_due",
            MilestoneKind.MAINTENANCE,
            last_order + 1,
            "Maintenance session due, to extend the results",
            opens,
            closes,
            chosen.maintenance_source,
            None,
            None,
        )
        for opens, closes in _maintenance(plan, ends)
    ]
    order = last_order + 2
    for session in active:
        lengths, effects = chosen.effects_for(session.areas)
        if not effects:
            continue
        # Elapsed time from the session's end, in the standard library's C arithmetic.
        # Several side effects resolve within as long: each such end worked out once.
        index, end = session.index, session.end
        plain = stdlib_instant(end)
        zone, utc = plain.tzinfo, plain.astimezone(dt.UTC)
        closed = [(utc + delta).astimezone(zone) for delta in lengths]
        rows += [
            (code, _SIDE_EFFECT, order, description, end, closed[at], source, index, advice)
            for code, description, source, advice, at in effects
        ]
    return Timeline(milestones=cast("tuple[Milestone, ...]", Deferred(lambda: _built(rows), rows)))


_SIDE_EFFECT = MilestoneKind.SIDE_EFFECT

# The side effects of a session of some areas, as a table: their distinct elapsed lengths,
# and each one's code, description, source, advice and the index of its length.
_Effects = tuple[tuple[dt.timedelta, ...], tuple[tuple[str, str, str, str | None, int], ...]]


def _maintenance(
    plan: TreatmentPlan, ends: list[pendulum.Date]
) -> tuple[tuple[pendulum.Date, pendulum.Date], ...]:
    """``plan.maintenance`` as (opens, closes) pairs, from its active sessions' end dates."""
    if not ends:
        return ()
    # `TreatmentPlan.maintenance` in the same C date arithmetic, from the last date already
    # in hand (its own work is half again the timeline's results); beyond the calendar,
    # the property itself refuses it, with its own name.
    protocol = plan.protocol
    try:
        return (
            (
                _shifted(ends[-1], protocol.min_maintenance_months, 0),
                _shifted(ends[-1], protocol.max_maintenance_months, 0),
            ),
        )
    except (OverflowError, ValueError):
        return tuple((w.opens, w.closes) for w in plan.maintenance)


MilestoneRow = tuple[str, MilestoneKind, int, str, dt.date, dt.date, str, int | None, str | None]
"""A milestone worked out: its fields in their order; a side effect's end a standard instant."""


def _built(rows: list[MilestoneRow]) -> tuple[Milestone, ...]:
    return tuple(
        Milestone(
            code=code,
            kind=kind,
            order=order,
            description=description,
            start=start,
            # A side effect's end was worked out in the standard library: pendulum's here.
            end=as_pendulum(end) if kind is MilestoneKind.SIDE_EFFECT else end,  # type: ignore[arg-type]
            source=source,
            session=session,
            advice=advice,
        )
        for code, kind, order, description, start, end, source, session, advice in rows
    )


def _result_order(
    row: tuple[int, pendulum.Date, pendulum.Date, str, ResultMilestone],
) -> tuple[int, dt.date]:
    return row[0], row[1]


# A result's anchor: the active session it counts from (None: the last), months, days,
# and the span they come from, which names a date beyond the calendar.
_Anchor = tuple[int | None, int, int, Span]


@attrs.frozen
class _Chosen:
    """What the timeline of one rule set and one plan's areas takes from the rules."""

    results: tuple[tuple[str, ResultMilestone, _Anchor, _Anchor], ...]
    maintenance_source: str
    effects: Mapping[str, SideEffect]
    # The side effects that follow a session of these areas, as a table.
    by_areas: dict[tuple[Area, ...], _Effects]

    def effects_for(self, areas: tuple[Area, ...]) -> _Effects:
        """The side effects after a session of *areas*: distinct lengths, and each one's row."""
        try:
            return self.by_areas[areas]
        except KeyError:
            wanted = set(areas)
            chosen = [
                (code, effect, effect.resolves_within.elapsed())
                for code, effect in self.effects.items()
                if effect.areas & wanted
            ]
            lengths = tuple(dict.fromkeys(delta for *_, delta in chosen))
            found = self.by_areas[areas] = (
                lengths,
                tuple(
                    (code, e.description, e.source, e.if_longer, lengths.index(delta))
                    for code, e, delta in chosen
                ),
            )
            return found


_CHOSEN: dict[tuple[int, tuple[Area, ...]], tuple[RuleSet, _Chosen]] = {}
_CHOSEN_MOST = 64
"""How many (rule set, areas) pairs are kept (a clinic plans a handful of area sets)."""


def _chosen(rules: RuleSet, areas: tuple[Area, ...]) -> _Chosen:
    """The rules of a timeline for *areas*, worked out once per rule set and areas."""
    key = (id(rules), areas)
    entry = _CHOSEN.get(key)
    if entry is not None and entry[0] is rules:
        return entry[1]
    wanted = set(areas)
    chosen = _Chosen(
        # A scalp plan expects no face results, nor the reverse.
        results=tuple(
            (
                code,
                rule,
                _anchor(rule.starts_after, rule.starts_offset),
                _anchor(rule.ends_after, rule.ends_offset),
            )
            for code, rule in rules.results.items()
            if rule.areas & wanted
        ),
        maintenance_source=rules.protocols[areas[0]].maintenance_months.source,
        effects=rules.side_effects,
        by_areas={},
    )
    if len(_CHOSEN) >= _CHOSEN_MOST:
        _CHOSEN.clear()
    # The rule set is kept with its entry, so that its id names it while the entry lives.
    _CHOSEN[key] = (rules, chosen)
    return chosen


def _anchor(anchor: str, offset: Span) -> _Anchor:
    number = None if anchor == "series_end" else int(anchor.removeprefix("session:"))
    return number, offset.years * 12 + offset.months, offset.weeks * 7 + offset.days, offset


def _anchor_date(anchor: _Anchor, ends: list[pendulum.Date]) -> pendulum.Date | None:
    if not ends:
        return None
    number, months, days, span = anchor
    if number is not None and number > len(ends):
        return None
    date = ends[-1] if number is None else ends[number - 1]
    # `Span.after`, its date arithmetic (the month's end clamped, then the days) and its
    # refusal of a date beyond the calendar.
    try:
        return _shifted(date, months, days)
    except (OverflowError, ValueError) as error:
        raise off_calendar(f"{span} after {date}") from error


_SHIFTED: dict[tuple[dt.date, int, int], pendulum.Date] = {}
_SHIFTED_MOST = 8192
"""How many dates moved by months and days are kept (a clinic's days, by a few offsets)."""


def _shifted(date: pendulum.Date, months: int, days: int) -> pendulum.Date:
    """`shift_date` of *date*, kept by value: a clinic's plans end on the same days."""
    key = (date, months, days)
    found = _SHIFTED.get(key)
    if found is None:
        found = shift_date(date, months, days)  # beyond the calendar: raised, kept never
        if len(_SHIFTED) >= _SHIFTED_MOST:
            _SHIFTED.clear()
        _SHIFTED[key] = found
    return found
