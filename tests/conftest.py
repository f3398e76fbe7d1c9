"""Hypothesis profiles, chosen with ``MESOTHERAPY_HYPOTHESIS_PROFILE``.

- ``ci`` (the default, and what ``nox`` and CI run): 100 examples a property, drawn from a
  fixed seed (``derandomize``), with no deadline, no example database and no health check
  on slow generation. The same commit gives the same examples on every run, however busy
  the machine: the test command cannot go red by chance.
- ``explore``: the same number of examples, drawn afresh on each run, the failures kept
  in the example database; for a developer looking for new counterexamples.
- ``quick`` (``nox -s minimal``): 20 examples a property from the same fixed seed, no
  shrinking; for a run that proves the core works without the extras, not the properties.
- ``thorough`` (``nox -s thorough``): 10 000 examples a property, drawn afresh.

The costliest properties (a plan exported and parsed back after every operation, a stateful
machine) run fewer examples under ``ci``, ``explore`` and ``quick``: ``examples(n)`` in their
``@settings``. Under ``thorough`` they run the profile's full count.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, Phase, settings

# Generation time depends on the load of the machine, never on the code: on a busy
# 2-core machine `too_slow` fails tests that pass when it is quiet. No profile has it.
STEADY = [HealthCheck.too_slow]

CI_EXAMPLES = 100
"""The ``ci`` profile's examples a property: a profile with more is a thorough one."""

settings.register_profile(
    "ci",
    max_examples=CI_EXAMPLES,
    derandomize=True,
    database=None,
    print_blob=True,
    deadline=None,
    suppress_health_check=STEADY,
)
settings.register_profile("explore", max_examples=100, deadline=None, suppress_health_check=STEADY)
settings.register_profile(
    "thorough", max_examples=10_000, deadline=None, suppress_health_check=STEADY
)
settings.register_profile(
    "quick",
    max_examples=20,
    derandomize=True,
    database=None,
    print_blob=True,
    deadline=None,
    suppress_health_check=STEADY,
    phases=[p for p in Phase if p is not Phase.shrink],
)
settings.load_profile(os.environ.get("MESOTHERAPY_HYPOTHESIS_PROFILE", "ci"))


@pytest.hookimpl(trylast=True)  # after the hypothesis plugin loaded --hypothesis-profile
def pytest_configure(config: pytest.Config) -> None:
    """With ``--hypothesis-seed``, examples drawn from that seed rather than from each test.

    ``derandomize`` would ignore the seed. ``nox -s tests`` gives each Python its own seed
    (its version): the three runs try different examples, each the same on every run.
    """
    if config.getoption("--hypothesis-seed") is not None and settings().derandomize:
        name = settings.get_current_profile_name()
        parent = settings.get_profile(name)
        settings.register_profile(f"{name}-seeded", parent=parent, derandomize=False)
        settings.load_profile(f"{name}-seeded")


def examples(ci: int) -> int:
    """The examples a costly property runs under the active profile: *ci* under ``ci``.

    Under a profile with more than ``ci``'s 100 a property (``thorough``), that profile's
    count; under one with fewer (``quick``), the smaller of the two. Call it in ``@settings``
    at import, after this file loaded the profile (``--hypothesis-profile`` is applied
    before the test modules are imported too)::

        @settings(max_examples=examples(30))  # 30 under ci, 20 under quick, 10 000 thorough
        @given(operated_plans())
        def test_...
    """
    active = settings().max_examples
    return active if active > CI_EXAMPLES else min(ci, active)
