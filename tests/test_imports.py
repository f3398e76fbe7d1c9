"""`import mesotherapy` stays light: optional and heavy dependencies load only when used."""

from __future__ import annotations

import json
import subprocess
import sys

LAZY = ("icalendar", "fhir", "pandas", "matplotlib", "babel", "holidays", "pydantic")


def _loaded_after(code: str) -> set[str]:
    script = f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return set(json.loads(result.stdout))


def test_import_loads_no_optional_or_heavy_dependency() -> None:
    loaded = _loaded_after("import mesotherapy")
    assert not {name for name in loaded if name.split(".")[0] in LAZY}


def test_assessing_and_planning_without_holidays_loads_none_of_them() -> None:
    loaded = _loaded_after(
        "import mesotherapy as m, pendulum\n"
        "r = m.assess(m.Client(birth_date='1985-03-02'), ['face'], on='2026-10-01')\n"
        "m.plan_series(r, ['face'], clinic=m.example_clinic(holidays=None),"
        " start=pendulum.datetime(2026, 10, 20, 9, tz='America/Toronto'))"
    )
    assert not {name for name in loaded if name.split(".")[0] in LAZY}


def test_instructions_load_babel_only_then() -> None:
    loaded = _loaded_after(
        "import mesotherapy as m, pendulum\n"
        "r = m.assess(m.Client(birth_date='1985-03-02'), ['face'], on='2026-10-01')\n"
        "p = m.plan_series(r, ['face'], clinic=m.example_clinic(holidays=None),"
        " start=pendulum.datetime(2026, 10, 20, 9, tz='America/Toronto'))\n"
        "m.instructions(p, locale='fr_CA')"
    )
    assert "babel" in loaded
    assert not {name for name in loaded if name.split(".")[0] in {"pandas", "icalendar"}}
