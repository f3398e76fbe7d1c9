"""Hypothesis profiles, chosen with ``MESOTHERAPY_HYPOTHESIS_PROFILE``.

- ``ci`` (the default, and what ``nox`` and CI run): 100 examples a property, drawn from a
  fixed seed (``derandomize``), with no deadline, no example database and no health check
  on slow generation. The same commit gives the same examples on every run, however busy
  the machine: the test command cannot go red by chance.
- ``explore``: the same number of examples, drawn afresh on each run, the failures kept
  in the example database; for a developer looking for new counterexamples.
- ``thorough`` (``nox -s thorough``): 10 000 examples a property, drawn afresh.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# Generation time depends on the load of the machine, never on the code: on a busy
# 2-core machine `too_slow` fails tests that pass when it is quiet. No profile has it.
STEADY = [HealthCheck.too_slow]

settings.register_profile(
    "ci",
    max_examples=100,
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
settings.load_profile(os.environ.get("MESOTHERAPY_HYPOTHESIS_PROFILE", "ci"))
