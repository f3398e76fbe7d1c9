"""Rule files at the boundary: what the docs forbid is refused, every problem named."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Final

import attrs
import pendulum
import pytest

from mesotherapy import (
    Area,
    RuleSetError,
    assess,
    example_clinic,
    expected_timeline,
    instructions,
    load_clinic,
    load_rules,
    plan_series,
)
from mesotherapy._aftercare import aftercare
from mesotherapy._rules import RuleValueError
from mesotherapy._rules_io import dump_rules, rules_from_dict, rules_to_dict
from mesotherapy._timeline import MilestoneKind
from tests.builders import ADULT, RULES

NOTHING: Final[Any] = None
"""None, typed as anything: what a caller without a type checker passes."""
DATA: Final = rules_to_dict(RULES)
EXAMPLES: Final = Path(__file__).parent.parent / "docs" / "examples"
RULE: Final = '\nseverity = "relative"\nreason = "x"\nsource = "article"\n'
SITE_RULE: Final = '\nseverity = "site"\nreason = "x"\nsource = "article"\n'
NOTE_RULE: Final = '\nseverity = "note"\nreason = "x"\nsource = "article"\n'
SKIN: Final = {Area.FACE, Area.NECK, Area.DECOLLETAGE, Area.HANDS}


def as_any(value: object) -> Any:
    return value


def write(tmp_path: Path, text: str | bytes, name: str = "rules.toml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def refused(data: dict[str, Any]) -> tuple[str, ...]:
    with pytest.raises(RuleSetError) as caught:
        rules_from_dict(data)
    return caught.value.problems


def extending(text: str) -> str:
    return 'extends = "default"\nname = "Clinic"\nversion = "1"\n' + text


# --- What the docs forbid ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "path", "shown"),
    [
        pytest.param(
            '[sources."Bad Key"]\ntitle = "A clinic"\n',
            "sources.Bad Key",
            "'Bad Key'",
            id="source-key",
        ),
        pytest.param(
            '[sources."clinic\\n"]\ntitle = "A clinic"\n',
            "sources.clinic\n",
            "'clinic\\n'",
            id="source-key-newline",
        ),
        pytest.param(
            '[precare.aha]\nbefore = "PT48H"\n', "precare.aha.before", "PT48H", id="precare-hours"
        ),
        pytest.param(
            '[precare.aha]\nbefore = "PT90M"\n', "precare.aha.before", "PT90M", id="precare-minutes"
        ),
        pytest.param(
            '[precare.aha]\nbefore = "P2DT1H"\n', "precare.aha.before", "P2DT1H", id="precare-mixed"
        ),
        pytest.param(
            '[results.smoother]\nends_after = "session:99"\n',
            "results.smoother.ends_after",
            "'session:99'",
            id="session-99",
        ),
        pytest.param(
            '[results.refreshed]\nstarts_after = "session:7"\nends_after = "session:7"\n',
            "results.refreshed.starts_after",
            "session:6",
            id="session-past-skin-max",
        ),
        pytest.param(
            '[results.scalp_first]\nstarts_after = "session:17"\n',
            "results.scalp_first.starts_after",
            "session:16",
            id="session-past-scalp-max",
        ),
        pytest.param(
            '[results.refreshed]\nstarts_after = "session:1\\n"\n',
            "results.refreshed.starts_after",
            "'session:1\\n'",
            id="anchor-newline",
        ),
        pytest.param(
            '[contraindications.conditions."heart disease"]' + RULE,
            "contraindications.conditions.heart disease",
            "'heart disease'",
            id="condition-key",
        ),
        pytest.param(
            '[contraindications.medications."Warfarin"]' + RULE,
            "contraindications.medications.Warfarin",
            "'Warfarin'",
            id="medication-key",
        ),
        pytest.param(
            '[contraindications.skin_findings."cold-sore"]' + SITE_RULE,
            "contraindications.skin_findings.cold-sore",
            "'cold-sore'",
            id="finding-key",
        ),
        pytest.param(
            '[contraindications.treatments."laser "]' + NOTE_RULE,
            "contraindications.treatments.laser ",
            "'laser '",
            id="treatment-key",
        ),
        pytest.param(
            '[aftercare."no swimming"]\n'
            'kind = "avoid"\ndescription = "No swimming"\nduration = "PT48H"\n'
            'areas = ["face"]\nsource = "clinic_sheets"\n',
            "aftercare.no swimming",
            "'no swimming'",
            id="aftercare-key",
        ),
        pytest.param(
            '[precare."No Sun"]\ndescription = "No sun"\nbefore = "P2D"\nsource = "article"\n',
            "precare.No Sun",
            "'No Sun'",
            id="precare-key",
        ),
        pytest.param(
            '[side_effects."itch!"]\n'
            'description = "Itch"\nresolves_within = "P1D"\nsource = "article"\n'
            'if_longer = "Call."\nareas = ["face"]\n',
            "side_effects.itch!",
            "'itch!'",
            id="side-effect-key",
        ),
        pytest.param(
            '[facts."a fact"]\ntext = "A fact"\nsource = "article"\n',
            "facts.a fact",
            "'a fact'",
            id="fact-key",
        ),
        pytest.param(
            "[aftercare.makeup]\nareas = []\n",
            "aftercare.makeup.areas",
            "none",
            id="aftercare-no-areas",
        ),
        pytest.param(
            "[side_effects.redness]\nareas = []\n",
            "side_effects.redness.areas",
            "none",
            id="side-effect-no-areas",
        ),
        pytest.param(
            "[results.lasting]\nareas = []\n", "results.lasting.areas", "none", id="result-no-areas"
        ),
        pytest.param(
            '[formula]\ningredients = ["Vitamin C"]\n',
            "formula.ingredients",
            "'Vitamin C'",
            id="ingredient-code",
        ),
        pytest.param(
            '[formula.synonyms]\nlidocaine = ["Xylocaine"]\n',
            "formula.synonyms.lidocaine",
            "'Xylocaine'",
            id="synonym-code",
        ),
        pytest.param(
            '[formula.synonyms]\nvitamins = ["lignocaine"]\n',
            "formula.synonyms.vitamins",
            "'lignocaine' is already a synonym of 'lidocaine'",
            id="synonym-of-two",
        ),
        pytest.param(
            '[formula.synonyms]\nvitamins = ["minerals"]\n',
            "formula.synonyms.vitamins",
            "'minerals' is an allergen of its own",
            id="synonym-is-an-allergen",
        ),
        pytest.param(
            '[formula.synonyms]\nlatex = ["rubber"]\n',
            "formula.synonyms.latex",
            "unknown allergen 'latex'",
            id="synonym-of-no-allergen",
        ),
    ],
)
def test_a_rule_file_breaking_the_docs_is_refused(
    tmp_path: Path, text: str, path: str, shown: str
) -> None:
    with pytest.raises(RuleSetError) as caught:
        load_rules(write(tmp_path, extending(text)))
    matching = [p for p in caught.value.problems if p.startswith(f"{path}: ")]
    assert matching, caught.value.problems
    assert any(shown in p for p in matching), matching


@pytest.mark.parametrize("table", ["aftercare", "side_effects", "results"])
def test_every_area_rule_must_name_its_areas(table: str) -> None:
    data = copy.deepcopy(DATA)
    code = next(iter(data[table]))
    del data[table][code]["areas"]
    assert f"{table}.{code}.areas: missing, expected a value" in refused(data)


def test_every_problem_is_listed_not_only_the_first(tmp_path: Path) -> None:
    text = extending(
        '[sources."Bad Key"]\ntitle = "x"\n'
        '[precare.aha]\nbefore = "PT48H"\n'
        '[results.smoother]\nends_after = "session:99"\n'
        '[results.lasting]\nstarts_after = "session:98"\n'
        '[aftercare.makeup]\nsource = "nowhere"\n'
        '[contraindications.conditions."heart disease"]\nseverity = "relative"\nreason = "x"\n'
        'source = "article"\n'
    )
    with pytest.raises(RuleSetError) as caught:
        load_rules(write(tmp_path, text))
    where = sorted(p.split(": ")[0] for p in caught.value.problems)
    assert where == [
        "aftercare.makeup.source",
        "contraindications.conditions.heart disease",
        "precare.aha.before",
        "results.lasting.starts_after",
        "results.smoother.ends_after",
        "sources.Bad Key",
    ]
    assert "(and 5 more)" in str(caught.value)


def test_every_unknown_area_key_is_listed() -> None:
    data = copy.deepcopy(DATA)
    data["areas"]["elbow"] = {"effect": "x"}
    data["protocols"]["knee"] = {}
    problems = refused(data)
    assert [p.split(": ")[0] for p in problems] == ["areas.elbow", "protocols.knee"]


def test_a_rule_set_built_in_python_checks_its_keys_too() -> None:
    facts = {**RULES.facts, "Bad Fact": RULES.facts["history"]}
    with pytest.raises(RuleValueError, match="lower_snake_case") as caught:
        attrs.evolve(RULES, facts=facts)
    assert caught.value.key == "facts.Bad Fact"


# --- Encodings and arguments ------------------------------------------------------------------


def test_a_rules_file_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    text = (EXAMPLES / "clinic-rules.toml").read_text(encoding="utf-8")
    path = write(tmp_path, "\ufeff" + text)
    assert load_rules(path) == load_rules(EXAMPLES / "clinic-rules.toml")


def test_a_clinic_file_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    text = (EXAMPLES / "clinic.toml").read_text(encoding="utf-8")
    path = write(tmp_path, "\ufeff" + text, name="clinic.toml")
    assert load_clinic(path) == load_clinic(EXAMPLES / "clinic.toml")


def test_a_rules_file_that_is_not_utf8_says_so(tmp_path: Path) -> None:
    text = extending('[aftercare.makeup]\ndescription = "Évitez le maquillage"\n')
    path = write(tmp_path, text.encode("latin-1"))
    with pytest.raises(RuleSetError, match="not UTF-8") as caught:
        load_rules(path)
    assert caught.value.source == str(path)


def test_a_clinic_file_that_is_not_utf8_says_so(tmp_path: Path) -> None:
    text = (EXAMPLES / "clinic.toml").read_text(encoding="utf-8")
    text = text.replace('name = "', 'name = "Clinique É', 1)
    path = write(tmp_path, text.encode("latin-1"), name="clinic.toml")
    with pytest.raises(RuleSetError, match=r"cannot read the file: not UTF-8 \(byte \d+") as caught:
        load_clinic(path)
    assert caught.value.source == str(path)


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        pytest.param(lambda: load_rules(NOTHING), "path: expected the path", id="load-none"),
        pytest.param(lambda: load_rules(as_any(5)), "path: expected the path", id="load-number"),
        pytest.param(
            lambda: load_rules(EXAMPLES / "clinic-rules.toml", base=as_any(5)),
            "base: expected a RuleSet",
            id="load-base-number",
        ),
        pytest.param(
            lambda: load_rules(EXAMPLES / "clinic-rules.toml", base=as_any("default")),
            "base: expected a RuleSet",
            id="load-base-name",
        ),
        pytest.param(
            lambda: rules_from_dict({}, base=as_any(5)), "base: expected a RuleSet", id="dict-base"
        ),
        pytest.param(lambda: dump_rules(NOTHING), "rules: expected a RuleSet", id="dump-none"),
        pytest.param(lambda: dump_rules(as_any(DATA)), "rules: expected a RuleSet", id="dump-dict"),
    ],
)
def test_a_wrong_argument_is_a_rule_set_error(call: Any, argument: str) -> None:
    with pytest.raises(RuleSetError) as caught:
        call()
    assert str(caught.value).startswith(argument)


# --- Per-area aftercare, side effects and results ---------------------------------------------


def plan_of(*areas: str, rules: Any = None) -> Any:
    start = pendulum.datetime(2026, 10, 20, 9, tz="America/Toronto")
    result = assess(ADULT, areas, on="2026-10-01", rules=rules)
    return plan_series(result, areas, clinic=example_clinic(), start=start, rules=rules)


def test_every_rule_of_the_default_set_names_its_areas() -> None:
    for table in (RULES.aftercare, RULES.side_effects, RULES.results):
        for rule in table.values():
            assert rule.areas
            assert all(type(area) is Area for area in rule.areas)


def test_a_scalp_plan_has_no_face_result_and_no_makeup_rule() -> None:
    plan = plan_of("scalp")
    results = {m.code for m in expected_timeline(plan).of_kind(MilestoneKind.RESULT)}
    assert results == {"scalp_first", "scalp_growth"}
    activities = {w.activity for w in aftercare(plan).windows}
    assert "makeup" not in activities
    assert {"hair_washing", "sun", "exercise", "sauna_steam", "other_procedures"} <= activities
    text = instructions(plan)
    assert "Avoid makeup" not in text
    assert "Fine lines soften" not in text
    assert "Healthier hair growth" in text
    assert "Do not wash your hair" in text


def test_a_face_plan_has_no_hair_washing_rule_nor_scalp_result() -> None:
    plan = plan_of("face")
    assert "hair_washing" not in {w.activity for w in aftercare(plan).windows}
    results = {m.code for m in expected_timeline(plan).of_kind(MilestoneKind.RESULT)}
    assert results == {"refreshed", "smoother", "series_complete", "lasting"}
    assert "Do not wash your hair" not in instructions(plan)


def test_the_scalp_growth_result_is_translated() -> None:
    text = instructions(plan_of("scalp"), locale="fr_CA")
    assert "Une pousse des cheveux plus saine" in text


def test_side_effects_follow_the_plans_areas() -> None:
    data = copy.deepcopy(DATA)
    data["side_effects"]["itching"] = {
        "description": "Itching of the scalp",
        "resolves_within": "P2D",
        "source": "clinic_sheets",
        "if_longer": "If the itching lasts longer than two days, contact the clinic.",
        "areas": ["scalp"],
    }
    rules = rules_from_dict({**data, "name": "Scalp clinic", "version": "1"})
    face = plan_of("face", rules=rules)
    scalp = plan_of("scalp", rules=rules)
    face_effects = {m.code for m in expected_timeline(face, rules=rules).of_kind("side_effect")}
    scalp_effects = {m.code for m in expected_timeline(scalp, rules=rules).of_kind("side_effect")}
    assert "itching" not in face_effects
    assert "itching" in scalp_effects
    assert "Itching of the scalp" not in instructions(face, rules=rules)
    assert "Itching of the scalp" in instructions(scalp, rules=rules)


def test_a_mixed_plan_follows_each_sessions_areas() -> None:
    plan = plan_of("face", "scalp")
    activities = {w.activity for w in aftercare(plan).for_session(1)}
    assert {"makeup", "hair_washing"} <= activities
    results = [m.code for m in expected_timeline(plan).of_kind(MilestoneKind.RESULT)]
    assert {"smoother", "scalp_first", "scalp_growth"} <= set(results)


def test_the_rules_round_trip_with_the_vocabulary() -> None:
    import tomllib  # noqa: PLC0415

    text = dump_rules(RULES)
    assert "[formula.synonyms]" in text
    assert rules_from_dict(tomllib.loads(text)) == RULES
    assert RULES.formula.allergen("xylocaine") == "lidocaine"
    assert RULES.results["smoother"].areas == SKIN


def test_every_problem_of_the_vocabulary_is_listed() -> None:
    data = {
        "extends": "default",
        "name": "Clinic",
        "version": "1",
        "formula": {"synonyms": {"vitamins": ["minerals", "Bad"], "latex": ["rubber"]}},
    }
    problems = refused(data)
    assert [p.split(": ")[0] for p in problems] == [
        "formula.synonyms.vitamins",
        "formula.synonyms.vitamins",
        "formula.synonyms.latex",
    ]
