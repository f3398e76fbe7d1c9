"""What starting the command line loads: the one country of holidays asked, none of the rest.

A clinic's holidays code is checked in the holidays package's registry of codes, and only
the module of the country it names is loaded (the package's own import of one country
loads all of them). The demo loads no module it does not use.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import mesotherapy as meso
from mesotherapy import UnknownCodeError
from mesotherapy._clinic_checks import holiday_entity


def _run(code: str) -> dict[str, object]:
    script = f"import sys, json\n{code}\n"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    found: dict[str, object] = json.loads(result.stdout.splitlines()[-1])
    return found


def test_a_clinic_with_holidays_loads_only_its_country() -> None:
    found = _run(
        "import pendulum, mesotherapy as m\n"
        "clinic = m.example_clinic(holidays='CA-ON')\n"
        "day = clinic.closed_reason(pendulum.date(2026, 12, 25))\n"
        "family = clinic.closed_reason(pendulum.date(2026, 2, 16))\n"
        "countries = sorted(n for n in sys.modules if n.startswith('holidays.countries'))\n"
        "print(json.dumps({'day': day, 'family': family, 'countries': countries}))"
    )
    assert found == {
        "day": "holiday: Christmas Day",
        "family": "holiday: Family Day",  # Ontario's own
        "countries": [],  # Canada's module is run by itself, out of sys.modules
    }


def test_the_package_of_countries_loaded_afterwards_works_as_ever() -> None:
    found = _run(
        "import pendulum, mesotherapy as m\n"
        "m.example_clinic(holidays='CA-ON').closed_reason(pendulum.date(2026, 12, 25))\n"
        "import holidays\n"
        "table = holidays.country_holidays('CA', subdiv='ON', years=2026)\n"
        "quebec = m.example_clinic(holidays='CA-QC').closed_reason(pendulum.date(2026, 6, 24))\n"
        "own = holidays.country_holidays('CA', subdiv='QC', years=2026).get('2026-06-24')\n"
        "print(json.dumps({'christmas': table.get('2026-12-25'), 'quebec': quebec, 'own': own}))"
    )
    # The name of 24 June is holidays' own, in the language its installed translations give
    # ("Saint John the Baptist Day" or, where none is found, "Saint Jean Baptiste Day").
    assert found["christmas"] == "Christmas Day"
    assert found["quebec"] == f"holiday: {found['own']}"
    assert "Baptist" in str(found["own"])


def test_the_demo_loads_no_module_it_does_not_use() -> None:
    found = _run(
        "import contextlib, io\n"
        "from mesotherapy._cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    status = main(['demo'])\n"
        "print(json.dumps({'status': status, 'modules': sorted(sys.modules)}))"
    )
    assert found["status"] == 0
    modules = set(found["modules"])  # type: ignore[call-overload]
    unused = {
        "mesotherapy._diary",
        "mesotherapy._diary_file",
        "mesotherapy._bookings_file",
        "mesotherapy._json",
        "mesotherapy._instructions",
        "mesotherapy._aftercare",
        "mesotherapy._timeline",
        "mesotherapy._clinic_file",
        "holidays.countries",
        "holidays.financial",
        "mesotherapy._busy_calendar",
        # The shipped rules and the demo's client are built without cattrs (_trusted);
        # the rule file's writer is loaded only to write one.
        "cattrs",
        "tomli_w",
        "mesotherapy._convert",
        "mesotherapy._client_file",
    }
    assert not modules & unused
    assert {"mesotherapy._plan", "holidays"} <= modules


def _loads_json(code: str) -> bool:
    """Whether running *code* in a fresh interpreter loads the json module."""
    # Not through `_run`, which loads json to report what it found.
    script = f"import contextlib, io, sys\n{code}\nprint('json' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return result.stdout.split() == ["True"]


def test_the_demo_loads_no_json() -> None:
    demo = (
        "from mesotherapy._cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['demo'])"
    )
    # The command line writes JSON only when asked; on Python 3.13 `importlib.metadata`
    # (which holidays loads for its version) imports json itself, so the demo is held to
    # what its dependencies load alone.
    assert _loads_json(demo) == _loads_json("import attrs, pendulum, holidays")
    assert not _loads_json(demo) or sys.version_info >= (3, 13)


def test_import_loads_none_of_the_dependencies() -> None:
    found = _run(
        "before = set(sys.modules)\n"
        "import mesotherapy\n"
        "print(json.dumps({'new': sorted(set(sys.modules) - before)}))"
    )
    roots = {name.split(".")[0] for name in found["new"]}  # type: ignore[attr-defined]
    assert roots <= {"mesotherapy", "importlib", "__future__", "warnings"}


def test_first_use_of_the_core_loads_no_reader_of_documents() -> None:
    found = _run(
        "import mesotherapy as m, pendulum\n"
        "r = m.assess(m.Client(birth_date='1985-03-02'), ['face'], on='2026-10-01')\n"
        "m.plan_series(r, ['face'], clinic=m.example_clinic(holidays=None),"
        " start=pendulum.datetime(2026, 10, 20, 9, tz='America/Toronto'))\n"
        "print(json.dumps({'modules': sorted(sys.modules)}))"
    )
    modules = set(found["modules"])  # type: ignore[call-overload]
    assert not modules & {"cattrs", "tomli_w", "mesotherapy._convert", "holidays", "argparse"}
    # Plan ids are SHA-1s from CPython's own module: hashlib would load OpenSSL (4-5 ms),
    # uuid a module of its own, and "utf-8-sig" its codec, for the same results. What the
    # dependencies load themselves is theirs (3.13's importlib.metadata reads utf-8-sig).
    deps = _run("import attrs, pendulum\nprint(json.dumps({'modules': sorted(sys.modules)}))")
    own = modules - set(deps["modules"])  # type: ignore[call-overload]
    assert not own & {"hashlib", "_hashlib", "uuid", "encodings.utf_8_sig"}
    assert "mesotherapy._plan" in modules


@pytest.mark.parametrize(
    ("code", "country"),
    [("CA", "CA"), ("CAN", "CA"), ("GB", "GB"), ("UK", "GB"), ("GBR", "GB"), ("US", "US")],
)
def test_a_code_names_the_country_holidays_names(code: str, country: str) -> None:
    import holidays  # noqa: PLC0415 - the package of countries, to compare with

    entity = holiday_entity(code)
    assert entity is not None
    assert entity.country == country
    assert type(holidays.country_holidays(code, years=())).__name__ == entity.__name__


def test_every_code_of_the_registry_names_the_entity_holidays_does() -> None:
    import holidays  # noqa: PLC0415
    from holidays import registry  # noqa: PLC0415

    for table in (registry.COUNTRIES, registry.FINANCIAL):
        for names in table.values():
            for code in names[1:]:
                entity, real = holiday_entity(code), getattr(holidays, code).get_entity()
                assert entity is not None, code
                # The same class, loaded once alone, or once with the whole package.
                assert (entity.__module__, entity.__qualname__) == (
                    real.__module__,
                    real.__qualname__,
                ), code


@pytest.mark.parametrize("code", ["MON", "JAN", "XX", "ZZZ"])
def test_a_name_of_holidays_that_is_no_country_is_an_unknown_country(code: str) -> None:
    # "MON" and "JAN" are constants of holidays (0 and 1): they used to be called.
    with pytest.raises(UnknownCodeError, match=f"holidays: unknown country '{code}' in '{code}'"):
        meso.example_clinic(holidays=code)
