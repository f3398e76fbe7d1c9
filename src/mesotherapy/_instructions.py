"""Patient instructions: a session's aftercare and the plan's timeline, as text to hand over."""

from __future__ import annotations

import datetime as dt

from ._aftercare import PRECARE, aftercare
from ._i18n import Messages, messages
from ._plan import TreatmentPlan, plan_rules
from ._rules import RuleSet
from ._session import Session
from ._time import within_calendar
from ._timeline import MilestoneKind, expected_timeline

__all__ = ["instructions"]


@within_calendar
def instructions(
    plan: TreatmentPlan,
    *,
    locale: str = "en",
    rules: RuleSet | None = None,
    session: int | None = None,
) -> str:
    """The plan's instructions for the client, in *locale* (``en`` or ``fr_CA``).

    Each active session (or only the one numbered *session*) with its pre-care and
    aftercare, then what to expect and when, dates and times in the clinic's zone and
    formatted for the locale.

    >>> import mesotherapy as meso, pendulum
    >>> result = meso.assess(meso.Client(birth_date="1985-03-02"), ["face"], on="2026-10-01")
    >>> plan = meso.plan_series(result, ["face"], clinic=meso.example_clinic(),
    ...     start=pendulum.datetime(2026, 10, 20, 9, tz="America/Toronto"))
    >>> text = instructions(plan, locale="fr_CA", session=1)
    >>> print(text.splitlines()[4])
    Séance 1 : mardi 20 octobre 2026, 09 h 00 à 09 h 45 (prévue)

    Raises:
        UnknownCodeError: the library has no catalogue for *locale*.
        SchedulingError: there is no session numbered *session*.
    """
    rules = plan_rules(plan, rules)
    words = messages(locale)
    care = aftercare(plan, rules=rules)
    chosen = plan.active_sessions if session is None else (plan.session(session),)
    areas = ", ".join(words.text(a.value, "area") for a in plan.areas)
    lines = [
        words.text("Your mesotherapy plan"),
        words.text("Areas: {areas}", areas=areas),
        words.text(
            "Clinic: {clinic} (times in {zone})", clinic=plan.clinic.name, zone=plan.timezone
        ),
    ]
    for item in chosen:
        lines += _session_lines(item, care.for_session(item.index), words)
    lines += _timeline_lines(plan, rules, words)
    lines += ["", words.text("Rules: {name} {version}", name=rules.name, version=rules.version)]
    return "\n".join(lines)


def _session_lines(session: Session, windows: tuple, words: Messages) -> list[str]:  # type: ignore[type-arg]
    lines = [
        "",
        words.text(
            "Session {index}: {start} to {end} ({status})",
            index=session.index,
            start=_when(session.start, words),
            end=_time(session.end, words),
            status=words.text(session.status.value, "status"),
        ),
    ]
    before = [w for w in windows if w.kind == PRECARE]
    after = [w for w in windows if w.kind != PRECARE]
    if before:
        lines.append("  " + words.text("Before the session"))
        lines += [
            "  - "
            + words.text(
                "{description}, from {start}",
                description=words.text(w.description, f"precare.{w.activity}"),
                start=_when(w.start, words),
            )
            for w in before
        ]
    if after:
        lines.append("  " + words.text("After the session"))
        lines += [
            "  - "
            + words.text(
                "{description}, until {end}",
                description=words.text(w.description, f"aftercare.{w.activity}"),
                end=_when(w.end, words),
            )
            for w in after
        ]
    return lines


def _timeline_lines(plan: TreatmentPlan, rules: RuleSet, words: Messages) -> list[str]:
    timeline = expected_timeline(plan, rules=rules)
    lines = ["", words.text("What to expect")]
    for milestone in timeline:
        if milestone.kind is MilestoneKind.SIDE_EFFECT:
            continue
        lines.append(
            "- "
            + words.text(
                "{description}: {start} to {end}",
                description=words.text(milestone.description, f"results.{milestone.code}"),
                start=_date(milestone.start, words),
                end=_date(milestone.end, words),
            )
        )
    lines += ["", words.text("After each session, you may notice")]
    areas = set(plan.areas)
    for code, effect in rules.side_effects.items():
        if not effect.areas & areas:
            continue
        lines.append(
            "- "
            + words.text(
                "{description}, which should resolve within {duration}. {advice}",
                description=words.text(effect.description, f"side_effects.{code}"),
                duration=_duration(effect.resolves_within.elapsed(), words),
                advice=words.text(effect.if_longer, f"side_effects.{code}.if_longer"),
            )
        )
    return lines


def _when(moment: dt.datetime, words: Messages) -> str:
    return f"{_date(moment, words)}, {_time(moment, words)}"


def _date(day: dt.date, words: Messages) -> str:
    from babel.dates import format_date  # noqa: PLC0415 - Babel loads only when asked

    return format_date(day, "full", locale=words.locale)


def _time(moment: dt.datetime, words: Messages) -> str:
    from babel.dates import format_time  # noqa: PLC0415 - Babel loads only when asked

    return format_time(moment, "short", tzinfo=moment.tzinfo, locale=words.locale)


def _duration(span: dt.timedelta, words: Messages) -> str:
    from babel.dates import format_timedelta  # noqa: PLC0415 - Babel loads only when asked

    return format_timedelta(span, threshold=2, locale=words.locale)
