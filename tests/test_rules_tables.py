"""The checks of the contraindication tables: the minor rule's age, no site for the whole client."""

from __future__ import annotations

import copy
from typing import Any, Final

import pytest

from mesotherapy import RuleSetError
from mesotherapy._rules_io import rules_from_dict, rules_to_dict
from tests.builders import RULES

DATA: Final = rules_to_dict(RULES)
MEDICATION: Final = next(iter(DATA["contraindications"]["medications"]))
TREATMENT: Final = next(iter(DATA["contraindications"]["treatments"]))


def _changed(table: str, code: str, **values: Any) -> dict[str, Any]:
    data = copy.deepcopy(DATA)
    rule = data["contraindications"][table][code]
    rule.update(values)
    for key in [key for key, value in values.items() if value is None]:
        del rule[key]
    return data


@pytest.mark.parametrize(
    ("data", "key", "message"),
    [
        pytest.param(
            _changed("client", "minor", duration=None),
            "contraindications.client.minor.duration",
            "the minor rule needs a duration (the age, e.g. P18Y)",
            id="minor-without-age",
        ),
        pytest.param(
            _changed("medications", MEDICATION, severity="site"),
            f"contraindications.medications.{MEDICATION}.severity",
            "expected a severity other than site for a medication, got 'site'",
            id="medication-at-a-site",
        ),
        pytest.param(
            _changed("treatments", TREATMENT, severity="site"),
            f"contraindications.treatments.{TREATMENT}.severity",
            "expected a severity other than site for a treatment, got 'site'",
            id="treatment-at-a-site",
        ),
    ],
)
def test_a_table_refuses_what_its_kind_cannot_mean(
    data: dict[str, Any], key: str, message: str
) -> None:
    with pytest.raises(RuleSetError) as raised:
        rules_from_dict(data)
    assert str(raised.value) == f"{key}: {message}"
