"""The plan's JSON document, with its aftercare and timeline filled in."""

from __future__ import annotations

from typing import Any

from ._aftercare import aftercare
from ._plan import TreatmentPlan, plan_rules
from ._rules import RuleSet
from ._timeline import expected_timeline

__all__ = ["plan_document"]


def plan_document(plan: TreatmentPlan, *, rules: RuleSet | None = None) -> dict[str, Any]:
    """The JSON object of *plan*, with its aftercare windows and its timeline.

    Every instant is in the clinic's zone, as the command line prints it.

    Raises:
        ClientError: *plan* is no `TreatmentPlan` (a dict, say), or *rules* are another
            rule set than the plan's.
        RuleSetError: *rules* is no `RuleSet`.
    """
    rules = plan_rules(plan, rules)
    document = plan.to_dict()
    document["aftercare"] = [w.to_dict() for w in aftercare(plan, rules=rules).windows]
    document["timeline"] = [m.to_dict() for m in expected_timeline(plan, rules=rules)]
    return document
