"""Patient instructions: a session's aftercare and the plan's timeline, as text to hand over."""

from __future__ import annotations

import datetime as dt
from typing import Final

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


# The messages of a result and of a side effect (the catalogues' msgids).
_RESULT: Final = "{description}: {start} to {end}"
_EFFECT: Final = "{description}, which should resolve within {duration}. {advice}"


def _session_lines(session: Session, windows: tuple, words: Messages) -> list[str]:  # type: ignore[type-arg]
    lines = [
        "",
        words.text(
            "Session {index}: {start} to {end} ({status})",
            index=session.index,
            start=_format_when(session.start, words),
            end=_format_time(session.end, words),
            status=words.text(session.status.value, "status"),
        ),
    ]
    before = [w for w in windows if w.kind == PRECARE]
    after = [w for w in windows if w.kind != PRECARE]
    # Each template names the one edge it shows; the other value goes unused.
    for heading, template, context, chosen in (
        ("Before the session", "{description}, from {start}", "precare", before),
        ("After the session", "{description}, until {end}", "aftercare", after),
    ):
        if chosen:
            lines.append("  " + words.text(heading))
            lines += [
                "  - "
                + words.text(
                    template,
                    description=words.text(w.description, f"{context}.{w.activity}"),
                    start=_format_when(w.start, words),
                    end=_format_when(w.end, words),
                )
                for w in chosen
            ]
    return lines


def _timeline_lines(plan: TreatmentPlan, rules: RuleSet, words: Messages) -> list[str]:
    timeline = expected_timeline(plan, rules=rules)
    lines = ["", words.text("What to expect")]
    for milestone in timeline:
        if milestone.kind is not MilestoneKind.SIDE_EFFECT:
            text = words.text(milestone.description, f"results.{milestone.code}")
            start, end = _format_date(milestone.start, words), _format_date(milestone.end, words)
            lines.append("- " + words.text(_RESULT, description=text, start=start, end=end))
    lines += ["", words.text("After each session, you may notice")]
    areas = set(plan.areas)
    for code, effect in rules.side_effects.items():
        if effect.areas & areas:
            text = words.text(effect.description, f"side_effects.{code}")
            within = _format_duration(effect.resolves_within.elapsed(), words)
            advice = words.text(effect.if_longer, f"side_effects.{code}.if_longer")
            lines.append(
                "- " + words.text(_EFFECT, description=text, duration=within, advice=advice)
            )
    return lines


def _format_when(moment: dt.datetime, words: Messages) -> str:
    return f"{_format_date(moment, words)}, {_format_time(moment, words)}"


def _format_date(day: dt.date, words: Messages) -> str:
    from babel.dates import format_date  # noqa: PLC0415 - Babel loads only when asked

    return format_date(day, "full", locale=words.locale)


def _format_time(moment: dt.datetime, words: Messages) -> str:
    from babel.dates import format_time  # noqa: PLC0415 - Babel loads only when asked

    return format_time(moment, "short", tzinfo=moment.tzinfo, locale=words.locale)


def _format_duration(span: dt.timedelta, words: Messages) -> str:
    from babel.dates import format_timedelta  # noqa: PLC0415 - Babel loads only when asked

    return format_timedelta(span, threshold=2, locale=words.locale)
