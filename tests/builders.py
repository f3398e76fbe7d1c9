"""The names and example objects the tests share, each defined once.

Hypothesis strategies live in `tests.strategies` (rules, clients, assessments) and
`tests.plan_strategies` (plans and their operations); exact comparisons in `tests.exact`.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any, Final

import pendulum

from mesotherapy import (
    Client,
    Clinic,
    RuleSet,
    Span,
    TreatmentPlan,
    assess,
    default_rules,
    example_clinic,
    plan_series,
)
from mesotherapy._clinic import WEEKDAYS
from mesotherapy._rules_io import rules_from_dict, rules_to_dict

TORONTO: Final = "America/Toronto"
"""The example clinic's zone, which has both DST transitions."""

RULES: Final = default_rules()
"""The shipped rule set, loaded once for the whole suite."""

ADULT: Final = Client(birth_date="1985-03-02")
"""A client with no contraindication and no id."""


def toronto(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> pendulum.DateTime:
    """The wall-clock time in Toronto."""
    return pendulum.datetime(year, month, day, hour, minute, tz=TORONTO)


def example_plan(
    client_id: str | None = "c-001",
    areas: tuple[str, ...] = ("face", "neck"),
    *,
    concerns: tuple[str, ...] = ("dullness",),
    assessed_on: str = "2026-10-20",
    **options: Any,
) -> TreatmentPlan:
    """The docs' example: face and neck from 2026-10-20 09:00 in Toronto at the example clinic.

    Four sessions across November, for a client born 1985-03-02 with *concerns*, assessed
    on *assessed_on*; *options* go to `plan_series` (``plan_id``, ``sessions``...).
    """
    client = Client(id=client_id, birth_date="1985-03-02", concerns=list(concerns))
    return plan_series(
        assess(client, areas, on=assessed_on),
        areas,
        clinic=example_clinic(),
        start=toronto(2026, 10, 20, 9),
        **options,
    )


def plan_for(
    start: pendulum.DateTime | None = None,
    *,
    areas: tuple[str, ...] = ("face",),
    assessed_on: pendulum.Date | str | None = None,
    rules: RuleSet | None = None,
    clinic: Clinic | None = None,
    interval: int | None = None,
    sessions: int | None = None,
) -> TreatmentPlan:
    """A plan for `ADULT` from *start* (2026-10-20 09:00 in Toronto) at *clinic* (the example).

    The client is assessed on *assessed_on*, 30 days before the start unless given, with
    *rules* (`RULES` unless given).
    """
    start = toronto(2026, 10, 20, 9) if start is None else start
    rules = RULES if rules is None else rules
    on = start.date().subtract(days=30) if assessed_on is None else assessed_on
    return plan_series(
        assess(ADULT, areas, on=on, rules=rules),
        areas,
        start=start,
        clinic=example_clinic() if clinic is None else clinic,
        rules=rules,
        interval=interval,
        sessions=sessions,
    )


def saturday_clinic(zone: str) -> Clinic:
    """A clinic open on weekdays and on Saturdays until 18:00, closed on no holiday."""
    weekday = [("09:00", "18:00")]
    hours = dict.fromkeys(WEEKDAYS[:5], weekday)
    return Clinic(name="Late Saturdays", timezone=zone, hours={**hours, "saturday": weekday})


def with_changes(
    rules: RuleSet, *, version: str | None = None, **tables: dict[str, dict[str, Any]]
) -> RuleSet:
    """*rules* with some keys of some rules replaced; a changed duration drops ``published``."""
    data = rules_to_dict(rules)
    if version is not None:
        data["version"] = version
    for table, changes in tables.items():
        for code, values in changes.items():
            rule = data[table].setdefault(code, {})
            rule.update(values)
            if "duration" in values:
                rule.pop("published", None)
    return rules_from_dict(data)


# --- Time, computed with the standard library (not with the library under test) ----------


def utc(moment: dt.datetime) -> dt.datetime:
    """*moment* as a plain stdlib datetime in UTC, so that subtraction is real time."""
    u = moment.astimezone(dt.UTC)
    return dt.datetime(
        u.year, u.month, u.day, u.hour, u.minute, u.second, u.microsecond, tzinfo=dt.UTC
    )


def elapsed(start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """The real time from *start* to *end*, whatever the clocks did in between."""
    return utc(end) - utc(start)


def span_elapsed(span: Span) -> dt.timedelta:
    """A span of weeks, days, hours and minutes as real time (7 x 24 h a week, 24 h a day)."""
    assert not span.years
    assert not span.months
    return dt.timedelta(weeks=span.weeks, days=span.days, hours=span.hours, minutes=span.minutes)


def local(moment: dt.datetime, zone: str) -> dt.datetime:
    """*moment* on the wall clock of *zone*."""
    return utc(moment).astimezone(zoneinfo.ZoneInfo(zone))
