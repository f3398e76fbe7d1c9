"""Markers for the tests that need an optional extra: skipped, with a reason, without it."""

from __future__ import annotations

import importlib

import pytest


def installed(module: str) -> bool:
    """Whether *module* (an extra's) can be imported here."""
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


needs_fhir = pytest.mark.skipif(not installed("fhir.resources.bundle"), reason="no fhir extra")
needs_ical = pytest.mark.skipif(not installed("icalendar"), reason="no ical extra")
