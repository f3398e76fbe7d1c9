"""Candidacy, scheduling, aftercare and expected results for mesotherapy treatments.

The clinical rules are data (`RuleSet`); every answer says which rule gave it and where
that rule's number comes from.

>>> import mesotherapy as meso
>>> client = meso.Client(birth_date="1985-03-02", concerns=["dullness", "dryness"])
>>> meso.assess(client, ["face"], on="2026-11-25").status
<Candidacy.ELIGIBLE: 'eligible'>
"""

from __future__ import annotations

from ._assess import Assessment, Candidacy, Finding, assess
from ._clinic import Clinic, Closure, Interval, OpeningHours, example_clinic, load_clinic
from ._errors import (
    ClientError,
    InvalidTimeError,
    MesotherapyError,
    RuleSetError,
    SchedulingError,
    UnknownCodeError,
)
from ._model import Area, Client, Concern, Medication, PriorTreatment, SkinFinding
from ._plan import MaintenanceWindow, Session, SessionStatus, TreatmentPlan, plan_series
from ._protocol import SeriesProtocol
from ._rules import RuleSet, Severity, default_rules
from ._rules_io import dump_rules, load_rules
from ._time import Span

__all__ = [
    "Area",
    "Assessment",
    "Candidacy",
    "Client",
    "ClientError",
    "Clinic",
    "Closure",
    "Concern",
    "Finding",
    "Interval",
    "InvalidTimeError",
    "MaintenanceWindow",
    "Medication",
    "MesotherapyError",
    "OpeningHours",
    "PriorTreatment",
    "RuleSet",
    "RuleSetError",
    "SchedulingError",
    "SeriesProtocol",
    "Session",
    "SessionStatus",
    "Severity",
    "SkinFinding",
    "Span",
    "TreatmentPlan",
    "UnknownCodeError",
    "assess",
    "default_rules",
    "dump_rules",
    "example_clinic",
    "load_clinic",
    "load_rules",
    "plan_series",
]


def __getattr__(name: str) -> str:
    if name == "__version__":
        from importlib.metadata import version  # noqa: PLC0415 - lazy: costs import time

        return version("mesotherapy")
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
