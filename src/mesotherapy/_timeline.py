"""What to expect and when: results, side effects and maintenance, dated on the plan."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator

import attrs
import pendulum

from ._errors import UnknownCodeError
from ._pickling import exact_pickling
from ._plan import TreatmentPlan, plan_rules
from ._rules import ResultMilestone, RuleSet
from ._session import Session
from ._time import Span, elapsed_after_each, parse_date, within_calendar

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


@attrs.frozen(kw_only=True)
class Timeline:
    """The milestones of a plan, in order.

    Results come in the article's order, then the maintenance window, then each session's
    side effects.
    """

    milestones: tuple[Milestone, ...]

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
    results = [m for m in _results(active, plan, rules) if m is not None]
    results.sort(key=lambda m: (m.order, m.start))
    last_order = max((m.order for m in results), default=0)
    maintenance = [
        Milestone(
            code="maintenance_due",
            kind=MilestoneKind.MAINTENANCE,
            order=last_order + 1,
            description="Maintenance session due, to extend the results",
            start=window.opens,
            end=window.closes,
            source=rules.protocols[plan.areas[0]].maintenance_months.source,
        )
        for window in plan.maintenance
    ]
    effects = [
        milestone for session in active for milestone in _side_effects(session, rules, last_order)
    ]
    return Timeline(milestones=(*results, *maintenance, *effects))


def _side_effects(session: Session, rules: RuleSet, last_order: int) -> list[Milestone]:
    """The side effects to expect after *session*: those of the areas it treats."""
    areas = set(session.areas)
    chosen = [(code, effect) for code, effect in rules.side_effects.items() if effect.areas & areas]
    deltas = [effect.resolves_within.elapsed() for _, effect in chosen]
    return [
        Milestone(
            code=code,
            kind=MilestoneKind.SIDE_EFFECT,
            order=last_order + 2,
            description=effect.description,
            start=session.end,
            end=end,
            source=effect.source,
            session=session.index,
            advice=effect.if_longer,
        )
        for (code, effect), end in zip(chosen, elapsed_after_each(session.end, deltas), strict=True)
    ]


def _results(
    active: tuple[Session, ...], plan: TreatmentPlan, rules: RuleSet
) -> Iterator[Milestone | None]:
    areas = set(plan.areas)
    for code, rule in rules.results.items():
        if rule.areas & areas:  # a scalp plan expects no face results, nor the reverse
            yield _result(code, rule, active)


def _result(code: str, rule: ResultMilestone, active: tuple[Session, ...]) -> Milestone | None:
    start = _anchor_date(rule.starts_after, rule.starts_offset, active)
    end = _anchor_date(rule.ends_after, rule.ends_offset, active)
    if start is None or end is None:
        return None  # the plan has fewer sessions than the milestone counts on
    return Milestone(
        code=code,
        kind=MilestoneKind.RESULT,
        order=rule.order,
        description=rule.description,
        start=start,
        end=max(start, end),
        source=rule.source,
    )


def _anchor_date(anchor: str, offset: Span, active: tuple[Session, ...]) -> pendulum.Date | None:
    if not active:
        return None
    if anchor == "series_end":
        session = active[-1]
    else:
        number = int(anchor.removeprefix("session:"))
        if number > len(active):
            return None
        session = active[number - 1]
    return offset.after(session.end.date())
