"""The public API as a user writes it, for mypy --strict to check (never run)."""

from __future__ import annotations

import pendulum

import mesotherapy as meso

client: meso.Client = meso.Client(
    id="c-001",
    birth_date="1985-03-02",
    medications=[meso.Medication("isotretinoin", last_taken="2026-09-01")],
    treatments=[meso.PriorTreatment("botulinum_toxin", meso.Area.FACE, "2026-11-10")],
    skin_findings={"face": ["active_herpes"]},
    concerns=[meso.Concern.DULLNESS, "dryness"],
)
rules: meso.RuleSet = meso.default_rules()
clinic_rules: meso.RuleSet = meso.load_rules("clinic.toml", base=rules)
text: str = meso.dump_rules(rules)

result: meso.Assessment = meso.assess(
    client, [meso.Area.FACE, "neck"], on="2026-11-25", rules=rules
)
status: meso.Candidacy = result.status
start: pendulum.Date | None = result.earliest_start
findings: tuple[meso.Finding, ...] = result.findings
lifts: list[pendulum.Date | None] = [finding.until for finding in findings]
severity: meso.Severity = findings[0].severity
explained: str = result.explain()
span: meso.Span = meso.Span.parse("P6M")
later: pendulum.Date = span.after(pendulum.date(2026, 9, 1))

try:
    meso.load_rules("broken.toml")
except meso.RuleSetError as error:
    problems: tuple[str, ...] = error.problems
except meso.MesotherapyError:
    pass
