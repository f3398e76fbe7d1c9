"""Candidacy, scheduling, aftercare and expected results for mesotherapy treatments.

The clinical rules are data (`RuleSet`); every answer says which rule gave it and where
that rule's number comes from.

>>> import mesotherapy as meso
>>> client = meso.Client(birth_date="1985-03-02", concerns=["dullness", "dryness"])
>>> meso.assess(client, ["face"], on="2026-11-25").status
<Candidacy.ELIGIBLE: 'eligible'>
"""

from __future__ import annotations

import importlib

# Not `typing.TYPE_CHECKING`: importing `typing` would cost more than the rest of this file.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ._aftercare import Aftercare, Answer, CareWindow, ClientEvent, Conflict, aftercare
    from ._assess import Assessment, Candidacy, Finding, assess
    from ._batch import CompactOutcome, PlanOutcome, PlanRequest, plan_batch
    from ._busy_calendar import busy_from_ics
    from ._client_file import client_from_dict, load_client
    from ._clinic import Clinic, Closure, Interval, OpeningHours, example_clinic
    from ._clinic_file import load_clinic
    from ._diary import Diary
    from ._diary_file import load_diary
    from ._errors import (
        CalendarError,
        ClientError,
        ClinicError,
        DocumentError,
        InvalidTimeError,
        MesotherapyError,
        MissingExtraError,
        RuleSetError,
        SchedulingError,
        UnknownCodeError,
    )
    from ._i18n import LOCALES
    from ._instructions import instructions
    from ._json import plan_document, to_dict, to_json
    from ._json_reader import from_json
    from ._maintenance import MaintenanceBooking, plan_maintenance
    from ._model import Area, Client, Concern, Medication, PriorTreatment, SkinFinding
    from ._plan import TreatmentPlan
    from ._protocol import SeriesProtocol
    from ._recalls import Recall, RecallStatus, recalls
    from ._resources import Booking, Busy, Practitioner, Room
    from ._rules import RuleSet, Severity
    from ._rules_io import default_rules, dump_rules, load_rules
    from ._schema import json_schema
    from ._series import plan_series
    from ._session import MaintenanceWindow, Override, Session, SessionStatus
    from ._time import Span
    from ._timeline import Milestone, MilestoneKind, Timeline, expected_timeline
    from .fhir import fhir_bundle, rules_fhir, to_fhir
    from .ical import to_ics
    from .notebook import plot, to_frame

__all__ = [
    "LOCALES",
    "Aftercare",
    "Answer",
    "Area",
    "Assessment",
    "Booking",
    "Busy",
    "CalendarError",
    "Candidacy",
    "CareWindow",
    "Client",
    "ClientError",
    "ClientEvent",
    "Clinic",
    "ClinicError",
    "Closure",
    "CompactOutcome",
    "Concern",
    "Conflict",
    "Diary",
    "DocumentError",
    "Finding",
    "Interval",
    "InvalidTimeError",
    "MaintenanceBooking",
    "MaintenanceWindow",
    "Medication",
    "MesotherapyError",
    "Milestone",
    "MilestoneKind",
    "MissingExtraError",
    "OpeningHours",
    "Override",
    "PlanOutcome",
    "PlanRequest",
    "Practitioner",
    "PriorTreatment",
    "Recall",
    "RecallStatus",
    "Room",
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
    "busy_from_ics",
    "client_from_dict",
    "default_rules",
    "dump_rules",
    "example_clinic",
    "expected_timeline",
    "fhir_bundle",
    "from_json",
    "instructions",
    "json_schema",
    "load_client",
    "load_clinic",
    "load_diary",
    "load_rules",
    "plan_batch",
    "plan_document",
    "plan_maintenance",
    "plan_series",
    "plot",
    "recalls",
    "rules_fhir",
    "to_dict",
    "to_fhir",
    "to_frame",
    "to_ics",
    "to_json",
]


# Each public name loads its module on first use (PEP 562): `import mesotherapy` costs
# about a millisecond, and a program pays only for the parts it touches. Generating the
# methods of attrs classes costs about 1 ms a class, and the library has forty of them.
_LAZY = {
    "Aftercare": "._aftercare",
    "Answer": "._aftercare",
    "CareWindow": "._aftercare",
    "ClientEvent": "._aftercare",
    "Conflict": "._aftercare",
    "aftercare": "._aftercare",
    "Assessment": "._assess",
    "Candidacy": "._assess",
    "Finding": "._assess",
    "assess": "._assess",
    "CompactOutcome": "._batch",
    "PlanOutcome": "._batch",
    "PlanRequest": "._batch",
    "plan_batch": "._batch",
    "busy_from_ics": "._busy_calendar",
    "client_from_dict": "._client_file",
    "load_client": "._client_file",
    "Clinic": "._clinic",
    "Closure": "._clinic",
    "Interval": "._clinic",
    "OpeningHours": "._clinic",
    "example_clinic": "._clinic",
    "load_clinic": "._clinic_file",
    "Booking": "._resources",
    "Busy": "._resources",
    "Diary": "._diary",
    "Practitioner": "._resources",
    "Room": "._resources",
    "load_diary": "._diary_file",
    "CalendarError": "._errors",
    "ClientError": "._errors",
    "ClinicError": "._errors",
    "DocumentError": "._errors",
    "InvalidTimeError": "._errors",
    "MesotherapyError": "._errors",
    "MissingExtraError": "._errors",
    "RuleSetError": "._errors",
    "SchedulingError": "._errors",
    "UnknownCodeError": "._errors",
    "LOCALES": "._i18n",
    "instructions": "._instructions",
    "plan_document": "._json",
    "to_dict": "._json",
    "to_json": "._json",
    "from_json": "._json_reader",
    "MaintenanceBooking": "._maintenance",
    "plan_maintenance": "._maintenance",
    "Area": "._model",
    "Client": "._model",
    "Concern": "._model",
    "Medication": "._model",
    "PriorTreatment": "._model",
    "SkinFinding": "._model",
    "TreatmentPlan": "._plan",
    "SeriesProtocol": "._protocol",
    "Recall": "._recalls",
    "RecallStatus": "._recalls",
    "recalls": "._recalls",
    "RuleSet": "._rules",
    "Severity": "._rules",
    "default_rules": "._rules_io",
    "dump_rules": "._rules_io",
    "load_rules": "._rules_io",
    "json_schema": "._schema",
    "plan_series": "._series",
    "MaintenanceWindow": "._session",
    "Override": "._session",
    "Session": "._session",
    "SessionStatus": "._session",
    "Span": "._time",
    "Milestone": "._timeline",
    "MilestoneKind": "._timeline",
    "Timeline": "._timeline",
    "expected_timeline": "._timeline",
    # The optional integrations, public submodules of their own; these are aliases.
    "fhir_bundle": ".fhir",
    "rules_fhir": ".fhir",
    "to_fhir": ".fhir",
    "to_ics": ".ical",
    "plot": ".notebook",
    "to_frame": ".notebook",
}


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import version  # noqa: PLC0415 - lazy: costs import time

        return version("mesotherapy")
    module = _LAZY.get(name)
    if module is None:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # the next lookup finds it without this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
