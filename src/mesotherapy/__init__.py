"""Candidacy, scheduling, aftercare and expected results for mesotherapy treatments.

The clinical rules are data (`RuleSet`); every answer says which rule gave it and where
that rule's number comes from.

>>> import mesotherapy as meso
>>> client = meso.Client(birth_date="1985-03-02", concerns=["dullness", "dryness"])
>>> meso.assess(client, ["face"], on="2026-11-25").status
<Candidacy.ELIGIBLE: 'eligible'>
"""

from __future__ import annotations

from ._aftercare import Aftercare, Answer, CareWindow, ClientEvent, Conflict, aftercare
from ._assess import Assessment, Candidacy, Finding, assess
from ._clinic import Clinic, Closure, Interval, OpeningHours, example_clinic, load_clinic
from ._document import plan_document
from ._errors import (
    ClientError,
    DocumentError,
    InvalidTimeError,
    MesotherapyError,
    MissingExtraError,
    RuleSetError,
    SchedulingError,
    UnknownCodeError,
)
from ._fhir import fhir_bundle, to_fhir
from ._i18n import LOCALES
from ._ical import to_ics
from ._instructions import instructions
from ._json import from_json, to_json
from ._model import Area, Client, Concern, Medication, PriorTreatment, SkinFinding
from ._notebook import plot, to_frame
from ._plan import MaintenanceWindow, Session, SessionStatus, TreatmentPlan, plan_series
from ._protocol import SeriesProtocol
from ._rules import RuleSet, Severity, default_rules
from ._rules_io import dump_rules, load_rules
from ._time import Span
from ._timeline import Milestone, MilestoneKind, Timeline, expected_timeline

__all__ = [
    "LOCALES",
    "Aftercare",
    "Answer",
    "Area",
    "Assessment",
    "Candidacy",
    "CareWindow",
    "Client",
    "ClientError",
    "ClientEvent",
    "Clinic",
    "Closure",
    "Concern",
    "Conflict",
    "DocumentError",
    "Finding",
    "Interval",
    "InvalidTimeError",
    "MaintenanceWindow",
    "Medication",
    "MesotherapyError",
    "Milestone",
    "MilestoneKind",
    "MissingExtraError",
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
    "Timeline",
    "TreatmentPlan",
    "UnknownCodeError",
    "aftercare",
    "assess",
    "default_rules",
    "dump_rules",
    "example_clinic",
    "expected_timeline",
    "fhir_bundle",
    "from_json",
    "instructions",
    "load_clinic",
    "load_rules",
    "plan_document",
    "plan_series",
    "plot",
    "to_fhir",
    "to_frame",
    "to_ics",
    "to_json",
]


def __getattr__(name: str) -> str:
    if name == "__version__":
        from importlib.metadata import version  # noqa: PLC0415 - lazy: costs import time

        return version("mesotherapy")
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
