"""Every check of the project, one session each: ``nox`` runs the default set."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["tests", "minimal", "coverage", "lint", "typecheck", "docs", "clients"]

PYPROJECT = nox.project.load_toml("pyproject.toml")
DEV = PYPROJECT["dependency-groups"]
PYTHONS = nox.project.python_versions(PYPROJECT)
"""The supported Pythons: pyproject's classifiers ``Programming Language :: Python :: 3.x``."""


def _group(name: str) -> list[str]:
    """The requirements of a dependency group, with its includes flattened."""
    out: list[str] = []
    for item in DEV[name]:
        out += _group(item["include-group"]) if isinstance(item, dict) else [item]
    return out


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The test suite and the doctests, on the installed package (traced on the oldest Python)."""
    session.install(".[all]", *_group("tests"))
    env = {"COVERAGE_FILE": f".coverage.{session.python}"}
    # Two workers: the suite is CPU-bound, and CI has two cores. pytest-cov gathers the
    # workers' coverage into COVERAGE_FILE, which the coverage session combines. A seed of
    # each Python's own (tests/conftest.py): the Pythons try different examples, each run the
    # same ones, so the three runs together try more than any one of them.
    seed = f"--hypothesis-seed={session.python}"
    doctests = [
        "pytest",
        "--doctest-modules",
        "--pyargs",
        "mesotherapy",
        "--ignore-glob=*__main__.py",
    ]
    # Coverage is measured on the oldest Python only: the library has no code of one version
    # alone, and tracing doubles a run (traced, 3.12 took 8 minutes in CI where it takes 3
    # untraced). The others run untraced.
    if session.python != PYTHONS[0]:
        session.run("pytest", "-n", "2", seed, "tests", *session.posargs)
        session.run(*doctests)
        return
    session.run(
        "pytest", "-n", "2", "--cov", "--cov-report=", seed, "tests", *session.posargs, env=env
    )
    session.run(
        "coverage",
        "run",
        "-m",
        *doctests,
        env={**env, "COVERAGE_FILE": f".coverage.{session.python}.doc"},
    )


@nox.session(python=PYTHONS[0])
def minimal(session: nox.Session) -> None:
    """The core tests with no extra installed: the library must not need them."""
    session.install(".", *_group("tests"))
    # tests/integrations: the extras' tests, and the thread and privacy tests, which run the
    # whole pipeline, its exports included. The quick profile (20 examples a property): this
    # run proves the imports and the code paths, the tests session the properties.
    args = ("-n", "2", "--hypothesis-profile=quick", "tests", "--ignore=tests/integrations")
    session.run("pytest", *args, *session.posargs)


@nox.session(python=PYTHONS[0])
def oldest(session: nox.Session) -> None:
    """The test suite against the oldest dependency versions pyproject.toml allows."""
    floors = [
        dep.replace(">=", "==")
        for dep in nox.project.load_toml("pyproject.toml")["project"]["dependencies"]
    ]
    session.install(*_group("tests"))
    session.install(".", *floors)
    session.run("pytest", "tests", *session.posargs)


@nox.session
def coverage(session: nox.Session) -> None:
    """Combine the coverage of every test run and hold the floor."""
    session.install("coverage[toml]>=7.5")
    session.run("coverage", "combine", success_codes=[0, 1])
    session.run("coverage", "report")


@nox.session
def thorough(session: nox.Session) -> None:
    """The whole suite in the thorough profile (10 000 examples a property, machines included)."""
    session.install(".[all]", *_group("tests"))
    env = {"MESOTHERAPY_HYPOTHESIS_PROFILE": "thorough"}
    # All of it: a selection by name missed properties, and the hypothesis marker misses the
    # state machines; the example tests add seconds to hours.
    session.run("pytest", "tests", "-n", "2", *session.posargs, env=env)


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff: the rules, then the format."""
    session.install(*_group("lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """Mypy --strict over the library, its tests and this file."""
    session.install("-e", ".[all]", *_group("typecheck"), "nox")
    session.run("mypy")
    # The fuzz harness and the benchmarks import their neighbours as top-level modules, and
    # the test strategies as `tests.*` (from the root).
    scripts = ["fuzz/test_fuzz.py", "fuzz/targets.py", "fuzz/garbage.py", "fuzz/atheris_main.py"]
    env = {"MYPYPATH": os.pathsep.join([".", "fuzz", "benchmarks"])}
    benchmarks = ["benchmarks/run.py", "benchmarks/baseline.py", "benchmarks/diary_core.py"]
    session.run("mypy", *scripts, *benchmarks, env=env)


@nox.session(python=PYTHONS[0])
def clients(session: nox.Session) -> None:
    """Exports read by other people's software: calendars, FHIR validators, JSON Schema.

    - iCalendar: ical.js (Mozilla's parser, Thunderbird's) from npm at the version of
      tests/clients/package-lock.json, installed with ``npm ci`` into the session's tmp dir;
      tests/clients/make_plans.py writes plans across 38 zones and the start years
      2026-2037, and one in every other zone, and check_ical.mjs reads every session back;
      check_libical.py does the same with libical where its headers are installed (it says
      when it skips). Booked plans (with a practitioner and a room on every session,
      exported with their diary and an organizer) are among them: check_ical.mjs also
      reads their ORGANIZER, ATTENDEEs and LOCATION. make_busy.py reads the test calendars
      of tests/calendars/ with ``busy_from_ics``, and check_busy.mjs expands them again with
      ical.js and compares. Then the pytest checks with vobject and recurring-ical-events
      (the ``clients`` dependency group), and the exports of booked plans and diaries
      (tests/integrations/test_diary_exports.py) with vobject.
    - FHIR R5: make_bundles.py writes bundles across the same kinds of zones and years, and
      check_fhir.mjs validates them against the official R5 JSON schema (npm
      ``hl7.fhir.r5.core``) with ajv and evaluates R5's FHIRPath invariants with HL7's
      fhirpath.js (tests/clients/fhir); booked plans' Appointment participants and the
      diaries' Practitioner, Location, Schedule and Slot resources among them, each
      reference followed to its entry.
    - JSON Schema: make_documents.py writes generated documents, valid and edited, and
      check_schemas.mjs validates them with ajv's draft 2020-12 (tests/clients/schema).
    """
    session.install(".[all]", *_group("tests"), *_group("clients"))
    clients = Path("tests/clients")
    tmp = Path(session.create_tmp())
    npm_ci = ("npm", "ci", "--no-audit", "--no-fund", "--quiet", "--ignore-scripts")
    node = tmp / "node"
    node.mkdir(exist_ok=True)
    for name in ("package.json", "package-lock.json", "check_ical.mjs", "check_busy.mjs"):
        shutil.copy(clients / name, node / name)
    session.run(*npm_ci, "--prefix", str(node), external=True)
    plans = tmp / "plans"
    shutil.rmtree(plans, ignore_errors=True)
    session.run("python", str(clients / "make_plans.py"), str(plans))
    session.run("node", str(node / "check_ical.mjs"), str(plans), external=True)
    # Busy time: the test calendars as busy_from_ics reads them, expanded again by ical.js.
    busy = tmp / "busy"
    shutil.rmtree(busy, ignore_errors=True)
    session.run("python", str(clients / "make_busy.py"), str(busy))
    session.run("node", str(node / "check_busy.mjs"), str(busy), external=True)
    session.run("python", str(clients / "check_libical.py"), str(plans), str(tmp / "libical"))
    session.run(
        "pytest",
        "-p",
        "no:randomly",
        "tests/integrations/test_ical_clients.py",
        # vobject reads the booked plans' ATTENDEE and ORGANIZER there (the tests suite skips it).
        "tests/integrations/test_diary_exports.py",
        *session.posargs,
    )
    # FHIR and JSON Schema: their validators install beside their manifests (git ignores them).
    bundles = tmp / "fhir-bundles"
    shutil.rmtree(bundles, ignore_errors=True)
    session.run(*npm_ci, "--prefix", str(clients / "fhir"), external=True)
    session.run("python", str(clients / "make_bundles.py"), str(bundles))
    session.run("node", str(clients / "check_fhir.mjs"), str(bundles), external=True)
    documents = tmp / "schema-docs"
    shutil.rmtree(documents, ignore_errors=True)
    session.run(*npm_ci, "--prefix", str(clients / "schema"), external=True)
    # As a module of the `tests` package, which it imports the strategies from.
    session.run("python", "-m", "tests.clients.make_documents", str(documents), "--examples", "100")
    session.run("node", str(clients / "check_schemas.mjs"), str(documents), external=True)


@nox.session
def docs(session: nox.Session) -> None:
    """Build the docs with warnings as errors, and run their examples (Dask's included)."""
    session.install(".[all,dask]", *_group("docs"))
    # The tutorial's picture, drawn again from the code it shows (the same bytes when nothing
    # changed).
    session.run("python", "docs/example_picture.py")
    for builder in ("html", "doctest"):
        session.run(
            "sphinx-build",
            "-W",
            "--keep-going",
            "-n",
            "-q",
            "-b",
            builder,
            "docs",
            f"docs/_build/{builder}",
        )


FUZZ_FLOOR = 100_000
"""Inputs a fuzz run must reach, the hypothesis and the libFuzzer parts together."""


@nox.session(python=PYTHONS[0])
def fuzz(session: nox.Session) -> None:
    """Malformed input at every public entry point: only the library's own errors may come out.

    Hypothesis first (``MESOTHERAPY_FUZZ_EXAMPLES`` a target, 1 500 by default), then
    libFuzzer through atheris where it installs (``MESOTHERAPY_FUZZ_RUNS``, 100 000 by
    default); the inputs of both are counted, and fewer than 100 000 fail the session.
    """
    session.install(".[all]", *_group("tests"))
    session.run("python", "-m", "pip", "install", "--quiet", "atheris>=2.3", success_codes=[0, 1])
    counts = Path(session.create_tmp()) / "fuzz-counts.json"
    counts.unlink(missing_ok=True)
    env = {
        "MESOTHERAPY_FUZZ_COUNTS": str(counts),
        "MESOTHERAPY_FUZZ_STRICT": "1",
        "MESOTHERAPY_FUZZ_EXAMPLES": os.environ.get("MESOTHERAPY_FUZZ_EXAMPLES", "1500"),
    }
    session.run("pytest", "fuzz", *session.posargs, env=env)
    runs = os.environ.get("MESOTHERAPY_FUZZ_RUNS", "100000")
    corpus = Path(session.create_tmp()) / "fuzz-corpus"
    session.run(
        "python", "fuzz/atheris_main.py", f"-runs={runs}", "-max_len=4096", str(corpus), env=env
    )
    inputs = json.loads(counts.read_text("utf-8"))["inputs"] if counts.exists() else {}
    total = sum(inputs.values())
    session.log(f"fuzz inputs: {total:,} over {len(inputs)} targets")
    if total < FUZZ_FLOOR:
        session.error(f"{total:,} fuzz inputs, expected at least {FUZZ_FLOOR:,}")


@nox.session(python=PYTHONS[0])
def dask(session: nox.Session) -> None:
    """The batch on a Dask cluster of worker processes, and exact pickling (the dask extra)."""
    session.install(".[all,dask]", *_group("tests"))
    session.run("pytest", "tests/test_dask.py", "tests/test_pickling.py", *session.posargs)


@nox.session(python=PYTHONS[0])
def bench(session: nox.Session) -> None:
    """The benchmarks beside their standard-library baseline: ``nox -s bench -- --batch 1000``."""
    session.install(".[ical,fhir,notebook,dask]")  # calendars, the exports, the Dask batch
    session.run("python", "benchmarks/run.py", *session.posargs)
    session.run("python", "benchmarks/diary_core.py")
    session.run("python", "benchmarks/closures.py")
    session.run("python", "benchmarks/exports.py")
    session.run("python", "benchmarks/operations.py")
    session.run("python", "benchmarks/startup.py")
    session.run("python", "benchmarks/dask_batch.py")


@nox.session
def demo(session: nox.Session) -> None:
    """The main job: the example client on the shipped rules."""
    session.install(".")
    session.run("mesotherapy", "demo")


if os.environ.get("CI"):
    # CI must fail, not skip, when one of the supported Pythons is missing.
    nox.options.error_on_missing_interpreters = True
