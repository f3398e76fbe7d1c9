"""Hypothesis profiles: ``quick`` for every run, ``thorough`` for the invariants' proof.

Choose one with ``MESOTHERAPY_HYPOTHESIS_PROFILE`` (``nox -s thorough`` sets it).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("quick", max_examples=100, deadline=None)
settings.register_profile(
    "thorough",
    max_examples=10_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("MESOTHERAPY_HYPOTHESIS_PROFILE", "quick"))
