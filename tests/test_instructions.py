"""Patient instructions: the plan's aftercare and timeline as text, in English and French.

Dates are formatted here with Babel for the locale, and the catalogues are read here with
Babel's own reader, so that a missing or stale translation fails a test rather than
falling back to English unseen.
"""

from __future__ import annotations

import importlib.resources
import re
import string
from functools import cache
from typing import Final

import pendulum
import pytest
from babel.dates import format_date, format_time, format_timedelta
from babel.messages.pofile import read_po
from hypothesis import given, settings
from hypothesis import strategies as st

from mesotherapy import (
    LOCALES,
    Area,
    MesotherapyError,
    MilestoneKind,
    RuleSet,
    SchedulingError,
    SessionStatus,
    TreatmentPlan,
    UnknownCodeError,
    aftercare,
    expected_timeline,
    instructions,
)
from mesotherapy._i18n import messages
from mesotherapy._rules_io import rules_from_dict, rules_to_dict
from tests.builders import RULES, plan_for
from tests.plan_strategies import PlanRequest, plan_requests

CATALOGUES: Final = ("en", "fr_CA")

Entry = tuple[str | None, str]
"""A catalogue's key: the context (a rule key, ``area``, ``status`` or none) and the msgid."""


@cache
def catalogue(locale: str) -> dict[Entry, str]:
    """The translated entries of a shipped catalogue (fuzzy and empty ones left out)."""
    path = importlib.resources.files("mesotherapy").joinpath(
        "locales", locale, "LC_MESSAGES", "mesotherapy.po"
    )
    with path.open("rb") as handle:
        read = read_po(handle, locale=locale)
    return {
        (entry.context, entry.id): entry.string
        for entry in read
        if isinstance(entry.id, str)
        and entry.id
        and isinstance(entry.string, str)
        and entry.string.strip()
        and not entry.fuzzy
    }


def rule_texts(rules: RuleSet) -> list[Entry]:
    """Every text of the rules that a client reads, under its context."""
    texts: list[Entry] = []
    texts += [(f"aftercare.{code}", rule.description) for code, rule in rules.aftercare.items()]
    texts += [(f"precare.{code}", rule.description) for code, rule in rules.precare.items()]
    for code, effect in rules.side_effects.items():
        texts.append((f"side_effects.{code}", effect.description))
        texts.append((f"side_effects.{code}.if_longer", effect.if_longer))
    texts += [(f"results.{code}", rule.description) for code, rule in rules.results.items()]
    due = expected_timeline(plan_for(assessed_on="2026-10-01")).of_kind(MilestoneKind.MAINTENANCE)[
        0
    ]
    texts.append(("results.maintenance_due", due.description))
    texts += [("area", area.value) for area in Area]
    texts += [("status", status.value) for status in SessionStatus]
    return texts


def when(moment: pendulum.DateTime, locale: str) -> tuple[str, str]:
    """The date and the time of *moment* as Babel writes them for *locale*."""
    return (
        format_date(moment, "full", locale=locale),
        format_time(moment, "short", tzinfo=moment.tzinfo, locale=locale),
    )


def line_with(text: str, *parts: str) -> str:
    """The one line of *text* that holds every one of *parts*."""
    found = [line for line in text.splitlines() if all(part in line for part in parts)]
    assert found, f"no line holds all of {parts!r} in:\n{text}"
    return found[0]


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


# --- The catalogues ---------------------------------------------------------------------------


@pytest.mark.parametrize("locale", CATALOGUES)
@pytest.mark.parametrize(
    ("context", "english"), rule_texts(RULES), ids=[f"{c}:{m[:30]}" for c, m in rule_texts(RULES)]
)
def test_every_text_of_the_default_rules_is_translated(
    locale: str, context: str, english: str
) -> None:
    translated = catalogue(locale).get((context, english))
    assert translated, f"{locale}: no translation of {english!r} under {context!r}"
    assert messages(locale).has(english, context)
    assert messages(locale).text(english, context) == translated
    if locale == "fr_CA":
        assert translated != english, f"fr_CA: {english!r} under {context!r} is left in English"


@pytest.mark.parametrize("locale", CATALOGUES)
def test_the_catalogues_hold_no_stale_rule_texts(locale: str) -> None:
    current = set(rule_texts(RULES))
    for context, english in catalogue(locale):
        if context is not None:
            assert (context, english) in current, f"{locale}: {context}/{english!r} is stale"


def test_every_instruction_template_is_translated_with_the_same_placeholders() -> None:
    templates = [english for context, english in catalogue("en") if context is None]
    assert "Your mesotherapy plan" in templates
    for english in templates:
        french = catalogue("fr_CA").get((None, english))
        assert french, f"fr_CA: no translation of {english!r}"
        assert placeholders(french) == placeholders(english), english
        assert catalogue("en")[(None, english)] == english


def test_the_shipped_locales() -> None:
    assert tuple(LOCALES) == CATALOGUES


# --- The instructions, in each locale ---------------------------------------------------------


def test_the_dates_as_each_locale_writes_them() -> None:
    plan = plan_for(assessed_on="2026-10-01")
    assert "Tuesday, October 20, 2026" in instructions(plan, locale="en")
    assert "mardi 20 octobre 2026" in instructions(plan, locale="fr_CA")
    assert (
        "Séance 1 : mardi 20 octobre 2026, 09 h 00 à 09 h 45 (prévue)"
        in instructions(plan, locale="fr_CA").splitlines()
    )
    assert (
        "Session 1: Tuesday, October 20, 2026, 9:00\u202fAM to 9:45\u202fAM (planned)"
        in instructions(plan, locale="en").splitlines()
    )


def check_instructions(plan: TreatmentPlan, locale: str, rules: RuleSet = RULES) -> str:
    """The instructions of *plan* in *locale*, checked against the plan, rules and Babel."""
    text = instructions(plan, locale=locale, rules=rules)
    words = catalogue(locale)
    care = aftercare(plan, rules=rules)
    assert "{" not in text
    assert "}" not in text
    for session in plan.active_sessions:
        date, time = when(session.start, locale)
        # The status picks the header out: a window may end at the very time a session starts.
        status = words[("status", session.status.value)]
        header = line_with(text, date, time, f" {session.index}", status)
        assert status in header
        for window in care.for_session(session.index):
            context = f"{'precare' if window.kind == 'precare' else 'aftercare'}.{window.activity}"
            shown = words.get((context, window.description), window.description)
            bound = window.start if window.kind == "precare" else window.end
            line_with(text, shown, *when(bound, locale))
    for milestone in expected_timeline(plan, rules=rules):
        if milestone.kind is MilestoneKind.SIDE_EFFECT:
            continue
        line_with(
            text,
            words.get((f"results.{milestone.code}", milestone.description), milestone.description),
            format_date(milestone.start, "full", locale=locale),
            format_date(milestone.end, "full", locale=locale),
        )
    for code, effect in rules.side_effects.items():
        line_with(
            text,
            words.get((f"side_effects.{code}", effect.description), effect.description),
            words.get((f"side_effects.{code}.if_longer", effect.if_longer), effect.if_longer),
            format_timedelta(effect.resolves_within.elapsed(), threshold=2, locale=locale),
        )
    areas = [words.get(("area", area.value), area.value) for area in plan.areas]
    line_with(text, *areas)
    return text


@pytest.mark.parametrize("locale", CATALOGUES)
@pytest.mark.parametrize("areas", [("face",), ("scalp",), ("face", "neck", "decolletage", "hands")])
def test_the_instructions_hold_every_session_window_result_and_side_effect(
    locale: str, areas: tuple[str, ...]
) -> None:
    check_instructions(plan_for(areas=areas, assessed_on="2026-10-01"), locale)


@given(plan_requests(), st.sampled_from(CATALOGUES))
@settings(max_examples=max(10, settings().max_examples // 2))
def test_the_instructions_of_generated_plans(request: PlanRequest, locale: str) -> None:
    try:
        plan = request.plan()
    except SchedulingError:
        return
    text = check_instructions(plan, locale)
    if locale == "fr_CA":
        english = {message for _, message in rule_texts(RULES)} - {a.value for a in Area}
        leaked = [message for message in english if len(message) > 12 and message in text]
        assert not leaked, f"left in English: {leaked}"


def test_the_side_effects_with_what_to_do_if_they_last() -> None:
    plan = plan_for(assessed_on="2026-10-01")
    english = instructions(plan, locale="en").splitlines()
    # Babel 2.19 puts a no-break space between a number and its unit, as French writes it.
    french = instructions(plan, locale="fr_CA").replace("\N{NO-BREAK SPACE}", " ").splitlines()
    assert (
        "- Mild redness, which should resolve within 24 hours. "
        "If the redness lasts longer than a day, contact the clinic."
    ) in english
    assert (
        "- Temporary bruising, which should resolve within 2 days. "
        "If the bruising lasts longer than two days, contact the clinic."
    ) in english
    assert (
        "- Légère rougeur (durée habituelle : 24 heures au plus). "
        "Si la rougeur dure plus d'une journée, communiquez avec la clinique."
    ) in french


def test_a_scalp_plan_in_french() -> None:
    text = instructions(plan_for(areas=("scalp",), assessed_on="2026-10-01"), locale="fr_CA")
    assert "Zones : cuir chevelu" in text.splitlines()
    assert "Ne lavez pas vos cheveux" in text
    assert "Premiers résultats visibles sur le cuir chevelu" in text
    assert "Ne lavez pas vos cheveux" not in instructions(
        plan_for(assessed_on="2026-10-01"), locale="fr_CA"
    )


@pytest.mark.parametrize("spelling", ["fr-CA", "fr_ca", "FR-ca"])
def test_the_locale_may_be_written_with_a_hyphen_or_in_any_case(spelling: str) -> None:
    plan = plan_for(assessed_on="2026-10-01")
    assert instructions(plan, locale=spelling) == instructions(plan, locale="fr_CA")


@pytest.mark.parametrize("locale", ["de", "fr", "fr_FR", "", "en_GB"])
def test_an_unknown_locale_is_refused(locale: str) -> None:
    with pytest.raises(UnknownCodeError, match="locale") as raised:
        instructions(plan_for(assessed_on="2026-10-01"), locale=locale)
    assert isinstance(raised.value, LookupError)


def test_one_session_only() -> None:
    plan = plan_for(assessed_on="2026-10-01")
    text = instructions(plan, locale="en", session=2)
    assert "Session 2: Tuesday, November 10, 2026" in text
    assert "Session 1:" not in text
    assert "Session 3:" not in text
    assert "until Wednesday, November 11, 2026, 9:45\u202fAM" in text
    assert "October 21, 2026" not in text  # session 1's aftercare
    assert "What to expect" in text  # the timeline is always there
    with pytest.raises(SchedulingError, match="session"):
        instructions(plan, session=9)


def test_a_cancelled_session_is_shown_with_its_status_and_no_care() -> None:
    plan = plan_for(assessed_on="2026-10-01").cancel(2)
    text = instructions(plan, locale="fr_CA", session=2)
    assert "Séance 2 : mardi 10 novembre 2026, 09 h 00 à 09 h 45 (annulée)" in text.splitlines()
    assert "Après la séance" not in text
    everything = instructions(plan, locale="fr_CA")
    assert "Séance 2 :" not in everything
    assert "Séance 5 :" in everything


def test_a_clinic_that_rewords_a_rule_gets_its_own_words_back() -> None:
    data = rules_to_dict(RULES)
    data["name"], data["version"] = "Lakeside", "2026.2"
    data["aftercare"]["makeup"]["description"] = "No makeup at all, please"
    data["side_effects"]["redness"]["if_longer"] = "Call Lakeside if the redness lasts."
    data["results"]["refreshed"]["description"] = "A fresher look within days"
    rules = rules_from_dict(data)
    plan = plan_for(rules=rules, assessed_on="2026-10-01")
    text = check_instructions(plan, "fr_CA", rules)
    assert "No makeup at all, please" in text
    assert "Évitez le maquillage" not in text
    assert "Call Lakeside if the redness lasts." in text
    assert "Si la rougeur dure plus d'une journée" not in text
    assert "A fresher look within days" in text
    assert "Évitez l'exposition au soleil" in text  # the rules it left alone are translated
    assert "Légère rougeur" in text


def test_rules_other_than_the_plans_are_refused() -> None:
    data = rules_to_dict(RULES)
    data["version"] = "2099.1"
    with pytest.raises(MesotherapyError, match=re.escape("2099.1")):
        instructions(plan_for(assessed_on="2026-10-01"), locale="en", rules=rules_from_dict(data))


def test_the_clinic_zone_and_rules_are_named() -> None:
    lines = instructions(plan_for(assessed_on="2026-10-01"), locale="fr_CA").splitlines()
    assert lines[:3] == [
        "Votre plan de mésothérapie",
        "Zones : visage",
        "Clinique : Example Clinic (heure locale, America/Toronto)",
    ]
    assert lines[-1] == f"Règles : {RULES.name} {RULES.version}"
