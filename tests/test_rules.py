"""The shipped rule set pins the article's numbers; bad rule files are refused clearly."""

from __future__ import annotations

import importlib.resources
import tomllib
from pathlib import Path
from typing import Any

import attrs
import pytest
import tomli_w

from mesotherapy import (
    Area,
    MesotherapyError,
    RuleSet,
    RuleSetError,
    Severity,
    Span,
    default_rules,
    dump_rules,
    load_rules,
)

ARTICLE_AREAS = [Area.FACE, Area.NECK, Area.DECOLLETAGE, Area.HANDS]

# The header every override file needs: the rules it extends and its own name and version.
OVERRIDE = 'extends = "default"\nname = "Clinic"\nversion = "1"\n'


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return default_rules()


def default_text() -> str:
    resource = importlib.resources.files("mesotherapy").joinpath("rules", "default.toml")
    return resource.read_text("utf-8")


def default_document() -> dict[str, Any]:
    return tomllib.loads(default_text())


def write(tmp_path: Path, text: str, name: str = "rules.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refused(path: Path, *, base: RuleSet | None = None) -> RuleSetError:
    with pytest.raises(RuleSetError) as info:
        load_rules(path, base=base)
    return info.value


# --- The article's numbers ---------------------------------------------------------------


@pytest.mark.parametrize("area", ARTICLE_AREAS)
@pytest.mark.parametrize(
    ("field", "low", "high"),
    [
        ("sessions", 3, 6),  # "3-6 sessions"
        ("interval_days", 14, 28),  # "spaced 2-4 weeks apart"
        ("session_minutes", 30, 45),  # "The treatment takes 30-45 minutes"
        ("maintenance_months", 3, 6),  # "Maintenance sessions every 3-6 months"
    ],
)
def test_article_protocol_for_skin_areas(
    rules: RuleSet, area: Area, field: str, low: int, high: int
) -> None:
    bounds = getattr(rules.protocols[area], field)
    assert (bounds.min, bounds.max) == (low, high)
    assert low <= bounds.default <= high
    assert bounds.source == "article"


@pytest.mark.parametrize(
    ("field", "low", "high", "source"),
    [
        ("sessions", 4, 16, "consensus_2025"),
        ("interval_days", 7, 21, "consensus_2025"),
        ("session_minutes", 30, 45, "article"),
        ("maintenance_months", 1, 3, "consensus_2025"),
    ],
)
def test_scalp_protocol_differs(
    rules: RuleSet, field: str, low: int, high: int, source: str
) -> None:
    bounds = getattr(rules.protocols[Area.SCALP], field)
    assert (bounds.min, bounds.max, bounds.source) == (low, high, source)


def test_scalp_maintenance_is_not_the_skin_areas(rules: RuleSet) -> None:
    scalp = rules.protocols[Area.SCALP].maintenance_months
    face = rules.protocols[Area.FACE].maintenance_months
    assert (scalp.min, scalp.max) != (face.min, face.max)


def test_every_area_has_a_protocol_and_an_effect(rules: RuleSet) -> None:
    assert set(rules.protocols) == set(Area)
    assert set(rules.areas) == set(Area)


@pytest.mark.parametrize(
    ("area", "effect", "concern"),
    [
        (Area.FACE, "Rehydrates and smooths the skin", "dryness"),
        (Area.NECK, "Improves texture and elasticity", "laxity"),
        (Area.DECOLLETAGE, "Improves texture and elasticity", "uneven_texture"),
        (Area.HANDS, "Revives thinning, crepey skin", "crepey_skin"),
        (Area.SCALP, "Stimulates circulation for healthier hair growth", "thinning_hair"),
    ],
)
def test_area_effects_from_the_article(
    rules: RuleSet, area: Area, effect: str, concern: str
) -> None:
    rule = rules.areas[area]
    assert rule.effect == effect
    assert concern in rule.addresses
    assert rule.source == "article"


@pytest.mark.parametrize(
    ("key", "kind", "duration"),
    [
        ("makeup", "avoid", Span(hours=24)),  # "Avoid makeup for 24 hours"
        ("exercise", "avoid", Span(hours=24)),  # "Skip the gym ... for at least a day"
        ("sauna_steam", "avoid", Span(hours=24)),  # "... and sauna for at least a day"
        ("sun", "avoid", Span(hours=24)),  # "avoid makeup and sun exposure for 24 hours"
        ("hydrating_serum", "do", None),  # "Apply a gentle, hydrating serum or mask"
        ("sunscreen", "do", None),  # "Use sunscreen daily"
        ("water", "do", None),  # "Drink plenty of water"
    ],
)
def test_article_aftercare(rules: RuleSet, key: str, kind: str, duration: Span | None) -> None:
    rule = rules.aftercare[key]
    assert rule.kind == kind
    assert rule.source == "article"
    assert rule.areas  # named, as every aftercare rule's must be
    if duration is not None:
        assert rule.duration == duration
        assert rule.duration.elapsed().total_seconds() == 24 * 3600


@pytest.mark.parametrize("key", ["hydrating_serum", "sunscreen", "water"])
def test_article_gives_no_duration_for_the_advice(rules: RuleSet, key: str) -> None:
    # The article says what to do but not for how long: the duration is the library's.
    assert rules.aftercare[key].duration_source == "library_default"


def test_hair_washing_only_for_the_scalp(rules: RuleSet) -> None:
    rule = rules.aftercare["hair_washing"]
    assert rule.kind == "avoid"
    assert rule.areas == frozenset({Area.SCALP})
    assert rule.duration == Span(days=2)
    others = [key for key, r in rules.aftercare.items() if r.areas == {Area.SCALP}]
    assert others == ["hair_washing"]


@pytest.mark.parametrize(
    ("key", "within"),
    [
        ("redness", Span(hours=24)),  # "it typically subsides within 24 hours"
        ("swelling", Span(days=2)),  # "These effects usually resolve within a day or two"
        ("bruising", Span(days=2)),
        ("tenderness", Span(days=2)),
    ],
)
def test_article_side_effects(rules: RuleSet, key: str, within: Span) -> None:
    effect = rules.side_effects[key]
    assert effect.resolves_within == within
    assert effect.source == "article"
    assert effect.if_longer.strip()


def test_side_effects_are_exactly_the_article_ones(rules: RuleSet) -> None:
    assert set(rules.side_effects) == {"redness", "swelling", "bruising", "tenderness"}


def test_result_milestones_in_the_article_order(rules: RuleSet) -> None:
    skin = {Area.FACE, Area.NECK, Area.DECOLLETAGE, Area.HANDS}
    every_area = sorted(
        (m for m in rules.results.values() if m.areas == skin), key=lambda m: m.order
    )
    assert [m.description.split()[0:2] for m in every_area] == [
        ["Skin", "feels"],  # after one session
        ["Fine", "lines"],  # after 2-3 sessions
        ["Skin", "appears"],  # after completing the series
        ["Results", "last"],  # results last 3-6 months
    ]
    assert [m.order for m in every_area] == [1, 2, 3, 4]
    assert all(m.source == "article" for m in every_area)


@pytest.mark.parametrize(
    ("key", "starts", "ends"),
    [
        ("refreshed", ("session:1", Span()), ("session:1", Span(days=3))),
        ("smoother", ("session:2", Span()), ("session:3", Span(days=7))),
        ("series_complete", ("series_end", Span()), ("series_end", Span(weeks=4))),
        ("lasting", ("series_end", Span(months=3)), ("series_end", Span(months=6))),
    ],
)
def test_result_milestone_anchors(
    rules: RuleSet, key: str, starts: tuple[str, Span], ends: tuple[str, Span]
) -> None:
    milestone = rules.results[key]
    assert (milestone.starts_after, milestone.starts_offset) == starts
    assert (milestone.ends_after, milestone.ends_offset) == ends


def test_scalp_has_its_own_first_result(rules: RuleSet) -> None:
    scalp = rules.results["scalp_first"]
    assert scalp.areas == frozenset({Area.SCALP})
    assert scalp.starts_after == "session:3"


@pytest.mark.parametrize(
    ("key", "before", "word"),
    [
        ("nsaids", Span(days=2), "ibuprofen"),
        ("alcohol", Span(days=2), "alcohol"),
        ("retinoids", Span(days=2), "retinoid"),
        ("aha", Span(weeks=4), "AHA"),
    ],
)
def test_precare(rules: RuleSet, key: str, before: Span, word: str) -> None:
    rule = rules.precare[key]
    assert rule.before == before
    assert word in rule.description
    assert rule.source == "clinic_sheets"


def test_precare_nsaids_names_aspirin(rules: RuleSet) -> None:
    assert "aspirin" in rules.precare["nsaids"].description


@pytest.mark.parametrize(
    ("table", "code", "severity", "duration"),
    [
        ("client", "pregnant", Severity.ABSOLUTE, None),
        ("client", "breastfeeding", Severity.ABSOLUTE, None),
        ("client", "minor", Severity.ABSOLUTE, Span(years=18)),
        ("client", "allergy", Severity.ABSOLUTE, None),
        ("client", "unlisted_allergy", Severity.RELATIVE, None),
        ("conditions", "active_cancer_treatment", Severity.ABSOLUTE, None),
        ("conditions", "bleeding_disorder", Severity.RELATIVE, None),
        ("conditions", "diabetes_uncontrolled", Severity.RELATIVE, None),
        ("conditions", "autoimmune_disease", Severity.RELATIVE, None),
        ("conditions", "keloid_tendency", Severity.RELATIVE, None),
        ("conditions", "immunosuppression", Severity.RELATIVE, None),
        ("conditions", "heart_disease", Severity.RELATIVE, None),
        ("medications", "anticoagulant", Severity.RELATIVE, None),
        ("medications", "antiplatelet", Severity.RELATIVE, None),
        ("medications", "systemic_steroid", Severity.RELATIVE, None),
        ("medications", "isotretinoin", Severity.TIME_BOUND, Span(months=6)),
        ("skin_findings", "active_infection", Severity.SITE, None),
        ("skin_findings", "active_herpes", Severity.SITE, None),
        ("skin_findings", "broken_skin", Severity.SITE, None),
        ("skin_findings", "sunburn", Severity.SITE, None),
        ("skin_findings", "active_eczema", Severity.SITE, None),
        ("skin_findings", "active_psoriasis", Severity.SITE, None),
        ("treatments", "botulinum_toxin", Severity.TIME_BOUND, Span(weeks=2)),
        ("treatments", "dermal_filler", Severity.TIME_BOUND, Span(weeks=4)),
        ("treatments", "chemical_peel", Severity.TIME_BOUND, Span(weeks=2)),
        ("treatments", "laser", Severity.TIME_BOUND, Span(weeks=4)),
        ("treatments", "microneedling", Severity.TIME_BOUND, Span(weeks=2)),
        ("treatments", "prp", Severity.TIME_BOUND, Span(weeks=2)),
    ],
)
def test_contraindications(
    rules: RuleSet, table: str, code: str, severity: Severity, duration: Span | None
) -> None:
    rule = getattr(rules.contraindications, table)[code]
    assert rule.severity is severity
    assert rule.duration == duration
    assert rule.reason.strip()
    assert rule.source in rules.sources


@pytest.mark.parametrize(
    ("table", "codes"),
    [
        ("client", {"pregnant", "breastfeeding", "minor", "allergy", "unlisted_allergy"}),
        (
            "conditions",
            {
                "active_cancer_treatment",
                "bleeding_disorder",
                "diabetes_uncontrolled",
                "autoimmune_disease",
                "keloid_tendency",
                "immunosuppression",
                "heart_disease",
            },
        ),
        ("medications", {"anticoagulant", "antiplatelet", "isotretinoin", "systemic_steroid"}),
        (
            "skin_findings",
            {
                "active_infection",
                "active_herpes",
                "broken_skin",
                "sunburn",
                "active_eczema",
                "active_psoriasis",
            },
        ),
        (
            "treatments",
            {"botulinum_toxin", "dermal_filler", "chemical_peel", "laser", "microneedling", "prp"},
        ),
    ],
)
def test_builtin_codes(rules: RuleSet, table: str, codes: set[str]) -> None:
    assert set(getattr(rules.contraindications, table)) == codes


def test_formula_allergens_include_lidocaine_and_hyaluronic_acid(rules: RuleSet) -> None:
    assert "lidocaine" in rules.formula.anaesthetics
    assert {"lidocaine", "hyaluronic_acid", "vitamins"} <= rules.formula.allergens()


def test_name_and_version(rules: RuleSet) -> None:
    assert (rules.name, rules.version, rules.schema) == ("mesotherapy-default", "2026.1", 1)
    assert repr(rules) == "<RuleSet 'mesotherapy-default' version '2026.1'>"


def test_every_cited_source_exists(rules: RuleSet) -> None:
    cited = dict(rules.cited_sources())
    assert cited["protocols.face.sessions.source"] == "article"
    assert cited["aftercare.makeup.published.source"] == "clinic_sheets"
    assert cited["aftercare.water.duration_source"] == "library_default"
    missing = {path: key for path, key in cited.items() if key not in rules.sources}
    assert missing == {}
    assert all(source.title.strip() for source in rules.sources.values())


def test_every_source_is_cited(rules: RuleSet) -> None:
    assert {key for _, key in rules.cited_sources()} == set(rules.sources)


def test_default_rules_equal_the_shipped_file(rules: RuleSet, tmp_path: Path) -> None:
    assert load_rules(write(tmp_path, default_text())) == rules
    assert default_rules() is rules  # cached


# --- Bad rule files ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "path", "value"),
    [
        pytest.param(
            "[protocols.face]\nfoo = 1\n", "protocols.face.foo", "unknown key", id="unknown-key"
        ),
        pytest.param("bogus = 1\n", "bogus", "unknown key", id="unknown-top-level-key"),
        pytest.param(
            '[protocols.face.sessions]\nmax = "six"\n',
            "protocols.face.sessions.max",
            "'six'",
            id="string-for-number",
        ),
        pytest.param(
            "[protocols.face.sessions]\nmax = true\n",
            "protocols.face.sessions.max",
            "True",
            id="bool-for-number",
        ),
        pytest.param(
            '[protocols.scalp.interval_days]\ndefault = "14"\n',
            "protocols.scalp.interval_days.default",
            "'14'",
            id="numeric-string-for-number",
        ),
        pytest.param(
            "[protocols.face.sessions]\nmin = 7\n",
            "protocols.face.sessions.max",
            "(7)",
            id="min-above-max",
        ),
        pytest.param(
            '[aftercare.makeup]\nduration = "24 hours"\n',
            "aftercare.makeup.duration",
            "'24 hours'",
            id="duration-does-not-parse",
        ),
        pytest.param(
            "[aftercare.makeup]\nduration = 24\n",
            "aftercare.makeup.duration",
            "24",
            id="number-for-duration",
        ),
        pytest.param(
            '[precare.aha]\nbefore = "4 weeks"\n',
            "precare.aha.before",
            "'4 weeks'",
            id="precare-duration-does-not-parse",
        ),
        pytest.param(
            '[aftercare.hair_washing]\nareas = ["elbow"]\n',
            "aftercare.hair_washing.areas[0]",
            "'elbow'",
            id="unknown-area-in-areas-list",
        ),
        pytest.param(
            '[contraindications.skin_findings.sunburn]\nareas = ["face", "elbow"]\n',
            "contraindications.skin_findings.sunburn.areas[1]",
            "'elbow'",
            id="unknown-area-in-contraindication-areas",
        ),
        pytest.param(
            "[protocols.elbow]\n"
            'sessions = { min = 3, max = 6, default = 4, source = "article" }\n'
            'interval_days = { min = 14, max = 28, default = 21, source = "article" }\n'
            'session_minutes = { min = 30, max = 45, default = 45, source = "article" }\n'
            'maintenance_months = { min = 3, max = 6, default = 3, source = "article" }\n',
            "protocols.elbow",
            "'elbow'",
            id="unknown-area-as-protocols-key",
        ),
        pytest.param(
            '[areas.elbow]\neffect = "e"\naddresses = []\nsource = "article"\n',
            "areas.elbow",
            "'elbow'",
            id="unknown-area-as-areas-key",
        ),
        pytest.param(
            '[protocols.face.sessions]\nsource = "nowhere"\n',
            "protocols.face.sessions.source",
            "'nowhere'",
            id="unknown-source",
        ),
        pytest.param(
            '[aftercare.water]\nduration_source = "nowhere"\n',
            "aftercare.water.duration_source",
            "'nowhere'",
            id="unknown-duration-source",
        ),
        pytest.param(
            "[contraindications.conditions.new_thing]\n"
            'severity = "time_bound"\nreason = "r"\nsource = "article"\n',
            "contraindications.conditions.new_thing.duration",
            "time_bound",
            id="time-bound-without-duration",
        ),
        pytest.param(
            '[contraindications.conditions.lupus]\nseverity = "severe"\n'
            'reason = "r"\nsource = "article"\n',
            "contraindications.conditions.lupus.severity",
            "'severe'",
            id="unknown-severity",
        ),
        pytest.param("schema = 2\n", "schema", "2", id="schema-2"),
        pytest.param('formula = "lidocaine"\n', "formula", "table", id="string-where-a-table-goes"),
    ],
)
def test_bad_override_is_refused(tmp_path: Path, body: str, path: str, value: str) -> None:
    error = refused(write(tmp_path, OVERRIDE + body))
    assert f"{path}:" in str(error)
    assert value in str(error)
    assert str(tmp_path / "rules.toml") in str(error)


def test_unknown_area_with_a_partial_table_is_reported_as_unknown(tmp_path: Path) -> None:
    # A clinic that adds `[protocols.elbow]` with one key must hear that `elbow` is no area,
    # not only that the keys it did not write are missing.
    body = '[protocols.elbow]\nsessions = { min = 3, max = 6, default = 4, source = "article" }\n'
    error = refused(write(tmp_path, OVERRIDE + body))
    assert any(
        problem.startswith("protocols.elbow:") and "'elbow'" in problem
        for problem in error.problems
    ), error.problems


@pytest.mark.parametrize(
    ("change", "path", "value"),
    [
        pytest.param(
            lambda doc: doc["protocols"]["face"]["sessions"].update(min=7, max=4, default=4),
            "protocols.face.sessions.max",
            "(7), got 4",
            id="min-above-max",
        ),
        pytest.param(
            lambda doc: doc["protocols"]["neck"]["interval_days"].update(max="28"),
            "protocols.neck.interval_days.max",
            "'28'",
            id="string-for-number",
        ),
        pytest.param(
            lambda doc: doc["protocols"]["neck"]["interval_days"].update(min=False),
            "protocols.neck.interval_days.min",
            "False",
            id="bool-for-number",
        ),
        pytest.param(
            lambda doc: doc["contraindications"]["medications"]["isotretinoin"].update(
                duration="six months"
            ),
            "contraindications.medications.isotretinoin.duration",
            "'six months'",
            id="duration-does-not-parse",
        ),
        pytest.param(
            lambda doc: doc["contraindications"]["medications"]["isotretinoin"].pop("duration"),
            "contraindications.medications.isotretinoin.duration",
            "time_bound",
            id="time-bound-without-duration",
        ),
        pytest.param(
            lambda doc: doc["sources"].pop("article"),
            "areas.face.source",
            "'article'",
            id="cited-source-removed",
        ),
        pytest.param(lambda doc: doc.pop("formula"), "formula", "missing", id="missing-table"),
        pytest.param(
            lambda doc: doc["protocols"].pop("scalp"),
            "protocols.scalp",
            "missing",
            id="missing-area-table",
        ),
        pytest.param(
            lambda doc: doc["aftercare"]["makeup"].pop("duration"),
            "aftercare.makeup.duration",
            "missing",
            id="missing-key",
        ),
        pytest.param(lambda doc: doc.update(schema=2), "schema", "got 2", id="schema-2"),
        pytest.param(lambda doc: doc.update(extra=True), "extra", "unknown key", id="unknown-key"),
    ],
)
def test_bad_complete_file_is_refused(tmp_path: Path, change: Any, path: str, value: str) -> None:
    document = default_document()
    change(document)
    error = refused(write(tmp_path, tomli_w.dumps(document)))
    assert f"{path}:" in str(error)
    assert value in str(error)


def test_invalid_toml_syntax(tmp_path: Path) -> None:
    path = write(tmp_path, 'name = "x"\nversion = \n')
    error = refused(path)
    assert "not valid TOML" in str(error)
    assert "line 2" in str(error)
    assert str(path) in str(error)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "no-such-rules.toml"
    error = refused(path)
    assert str(path) in str(error)
    assert "cannot read" in str(error)


def test_extends_only_default(tmp_path: Path) -> None:
    error = refused(write(tmp_path, 'extends = "clinic"\nname = "x"\nversion = "1"\n'))
    assert "extends:" in str(error)
    assert "'clinic'" in str(error)


def test_error_lists_every_problem(tmp_path: Path) -> None:
    body = '[protocols.face.sessions]\nmax = "six"\ndefault = true\n'
    error = refused(write(tmp_path, OVERRIDE + body))
    assert error.problems == (
        "protocols.face.sessions.max: expected a whole number, got 'six'",
        "protocols.face.sessions.default: expected a whole number, got True",
    )
    assert "(and 1 more)" in str(error)
    assert str(error).endswith(error.problems[0] + " (and 1 more)")


def test_rule_set_error_is_a_value_error_and_a_mesotherapy_error(tmp_path: Path) -> None:
    path = write(tmp_path, OVERRIDE + "schema = 2\n")
    for kind in (ValueError, MesotherapyError, RuleSetError):
        with pytest.raises(kind):
            load_rules(path)
    error = refused(path)
    assert isinstance(error.problems, tuple)
    assert error.problems == ("schema: expected 1, got 2",)


# --- Overrides ---------------------------------------------------------------------------


def test_override_changes_only_that_key(rules: RuleSet, tmp_path: Path) -> None:
    path = write(tmp_path, OVERRIDE + '[aftercare.makeup]\nduration = "PT48H"\n')
    clinic = load_rules(path)
    assert clinic.aftercare["makeup"].duration == Span(hours=48)
    makeup = attrs.evolve(rules.aftercare["makeup"], duration=Span(hours=48))
    expected = attrs.evolve(
        rules, name="Clinic", version="1", aftercare={**rules.aftercare, "makeup": makeup}
    )
    assert clinic == expected
    assert rules.aftercare["makeup"].duration == Span(hours=24)  # the default is untouched


def test_override_outside_the_published_range_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, OVERRIDE + '[aftercare.makeup]\nduration = "PT72H"\n')
    error = refused(path)
    assert "aftercare.makeup.duration:" in str(error)
    assert "PT72H" in str(error)


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        ('extends = "default"\nversion = "1"\n', "name"),
        ('extends = "default"\nname = "Clinic"\n', "version"),
        ('extends = "default"\n', "name"),
    ],
)
def test_override_without_name_or_version_is_refused(
    tmp_path: Path, header: str, missing: str
) -> None:
    error = refused(write(tmp_path, header + '[aftercare.makeup]\nduration = "PT48H"\n'))
    assert str(error).split(": ", 1)[1].startswith(f"{missing}: missing")


def test_load_with_a_base(tmp_path: Path) -> None:
    first = load_rules(write(tmp_path, OVERRIDE + '[aftercare.makeup]\nduration = "PT48H"\n'))
    body = 'name = "Clinic B"\nversion = "2"\n[aftercare.sun]\nduration = "PT48H"\n'
    second = load_rules(write(tmp_path, body, "b.toml"), base=first)
    assert (second.name, second.version) == ("Clinic B", "2")
    assert second.aftercare["makeup"].duration == Span(hours=48)  # from the base
    assert second.aftercare["sun"].duration == Span(hours=48)  # from the file
    expected = attrs.evolve(
        first,
        name="Clinic B",
        version="2",
        aftercare={
            **first.aftercare,
            "sun": attrs.evolve(first.aftercare["sun"], duration=Span(hours=48)),
        },
    )
    assert second == expected


def test_load_with_a_base_still_needs_name_and_version(rules: RuleSet, tmp_path: Path) -> None:
    path = write(tmp_path, '[aftercare.sun]\nduration = "PT48H"\n')
    error = refused(path, base=rules)
    assert "name: missing" in str(error)


def test_override_adds_a_contraindication(rules: RuleSet, tmp_path: Path) -> None:
    body = (
        "[contraindications.conditions.lupus]\n"
        'severity = "relative"\nreason = "Lupus"\nsource = "clinic_sheets"\n'
    )
    clinic = load_rules(write(tmp_path, OVERRIDE + body))
    assert clinic.contraindications.conditions["lupus"].severity is Severity.RELATIVE
    assert set(clinic.contraindications.conditions) == {
        *rules.contraindications.conditions,
        "lupus",
    }


# --- Writing rules -----------------------------------------------------------------------


def test_dump_rules_loads_back_equal(rules: RuleSet, tmp_path: Path) -> None:
    text = dump_rules(rules)
    assert load_rules(write(tmp_path, text)) == rules


def test_dump_rules_of_an_override_loads_back_equal(tmp_path: Path) -> None:
    clinic = load_rules(write(tmp_path, OVERRIDE + '[aftercare.makeup]\nduration = "PT48H"\n'))
    again = load_rules(write(tmp_path, dump_rules(clinic), "dumped.toml"))
    assert again == clinic
    assert again.aftercare["makeup"].duration == Span(hours=48)
