"""The shipped rules, built without cattrs, are the rules the full reader builds.

`load_default` builds the packaged rule file with `mesotherapy._trusted.structure`, which
checks nothing a class does not check itself: the packaged file is validated here, by the
full reader, and every rule set the two build from the same tables must be equal.
"""

from __future__ import annotations

import copy
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mesotherapy import Client, RuleSet, RuleSetError, default_rules
from mesotherapy._cli import DEMO_CLIENT
from mesotherapy._client_file import client_from_dict
from mesotherapy._rules_io import (
    default_text,
    load_default,
    rules_from_dict,
    rules_to_dict,
)
from mesotherapy._toml import parse_toml
from mesotherapy._trusted import structure
from tests.strategies import rule_sets


def _packaged() -> dict[str, Any]:
    return parse_toml(default_text(), source="default.toml")


def test_the_packaged_file_passes_the_full_reader_and_gives_the_same_rules() -> None:
    checked = rules_from_dict(_packaged(), source="default.toml")  # raises on any problem
    assert load_default() == checked
    assert default_rules() is load_default()
    # Equal, and of the same types all the way down (a dict is no FrozenMap).
    assert repr(rules_to_dict(load_default())) == repr(rules_to_dict(checked))
    assert type(load_default().protocols) is type(checked.protocols)


def test_the_packaged_file_as_rules_to_dict_writes_it_reads_back_equal() -> None:
    data = rules_to_dict(load_default())
    assert structure(data, RuleSet) == load_default()


@settings(max_examples=200, deadline=None)
@given(rule_sets())
def test_a_drawn_rule_set_is_built_equal_by_both(rules: RuleSet) -> None:
    data = rules_to_dict(rules)
    trusted = structure(copy.deepcopy(data), RuleSet)
    assert trusted == rules_from_dict(data) == rules


def _tables() -> list[tuple[tuple[str, ...], Any, type]]:
    """Each table of entries in the packaged file: its key path, its entries, their class."""
    data, rules = _packaged(), default_rules()
    found: list[tuple[tuple[str, ...], Any, type]] = [
        ((table,), data[table], type(next(iter(getattr(rules, table).values()))))
        for table in ("sources", "precare", "aftercare", "side_effects", "results", "facts")
    ]
    for table in data["contraindications"]:
        entries = getattr(rules.contraindications, table)
        found.append(
            (
                ("contraindications", table),
                data["contraindications"][table],
                type(next(iter(entries.values()))),
            )
        )
    return found


# Every key of an entry that has a default: left out, the entry takes the default.
_OPTIONAL: tuple[tuple[tuple[str, ...], str, str], ...] = tuple(
    (path, code, field.name)
    for path, entries, cls in _tables()
    for code in entries
    for field in attrs.fields(cls)
    if field.default is not attrs.NOTHING and field.name in entries[code]
)


def test_there_are_keys_to_leave_out() -> None:
    assert len(_OPTIONAL) > 20


@settings(max_examples=200, deadline=None)
@given(st.sets(st.sampled_from(_OPTIONAL), max_size=6))
def test_left_out_keys_take_the_same_defaults(
    left_out: set[tuple[tuple[str, ...], str, str]],
) -> None:
    data = _packaged()
    for path, code, key in left_out:
        table = data
        for name in path:
            table = table[name]
        del table[code][key]
    try:
        checked = rules_from_dict(data)
    except RuleSetError:
        # A rule whose class needs the key (a time-bound rule's duration): the class's own
        # check refuses it on the trusted path too.
        with pytest.raises(ValueError, match="needs a duration"):
            structure(copy.deepcopy(data), RuleSet)
    else:
        assert structure(copy.deepcopy(data), RuleSet) == checked


def test_the_demos_client_is_the_client_files_reader_s() -> None:
    built = Client(**DEMO_CLIENT)
    read = client_from_dict(DEMO_CLIENT)
    assert built == read
    assert (built.id, built.treatments) == (read.id, read.treatments)


def test_the_packaged_text_is_the_one_importlib_resources_finds() -> None:
    import importlib.resources  # noqa: PLC0415

    found = importlib.resources.files("mesotherapy").joinpath("rules", "default.toml")
    assert default_text() == found.read_text("utf-8-sig")
