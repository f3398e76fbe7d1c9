"""Reading, merging, validating and writing rule files."""

from __future__ import annotations

import functools
import importlib.resources
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomli_w
from cattrs.errors import BaseValidationError

from ._convert import converter, problems
from ._errors import RuleSetError
from ._model import Area
from ._rules import RuleSet

__all__ = ["dump_rules", "load_default", "load_rules", "rules_from_dict", "rules_to_dict"]

_DEFAULT = "default.toml"


@functools.cache
def load_default() -> RuleSet:
    """The shipped rule set, parsed once."""
    text = importlib.resources.files("mesotherapy").joinpath("rules", _DEFAULT).read_text("utf-8")
    return rules_from_dict(_parse(text, source=_DEFAULT), source=_DEFAULT)


def load_rules(path: str | os.PathLike[str], *, base: RuleSet | None = None) -> RuleSet:
    r"""Load a rule file (TOML), validating every key.

    A file that starts with ``extends = "default"``, or one loaded with a *base*, holds only
    the keys it changes; they are merged into the base (tables key by key, lists whole).
    It must still give its own ``name`` and ``version``, so that every assessment names the
    rules it used.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "clinic.toml"
    >>> _ = path.write_text('extends = "default"\nname = "Clinic"\nversion = "1"\n'
    ...                     '[aftercare.makeup]\nduration = "PT48H"\n')
    >>> str(load_rules(path).aftercare["makeup"].duration)
    'PT48H'

    Raises:
        RuleSetError: the file cannot be read, is not TOML, or breaks a rule; the message
            names the key path (``protocols.face.sessions.max``), the value, and what was
            expected.
    """
    where = str(path)
    try:
        text = Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise RuleSetError([f"cannot read the file ({_reason(error)})"], source=where) from None
    return rules_from_dict(_parse(text, source=where), base=base, source=where)


def rules_from_dict(
    data: Mapping[str, Any], *, base: RuleSet | None = None, source: str | None = None
) -> RuleSet:
    """A rule set from a mapping shaped as the rule file, validated as `load_rules` does."""
    if not isinstance(data, Mapping):
        raise RuleSetError(["the document: expected a table (a mapping)"], source=source)
    data = dict(data)
    extends = data.pop("extends", None)
    if extends is not None and extends != "default":
        raise RuleSetError([f"extends: expected 'default', got {extends!r}"], source=source)
    if base is None and extends == "default":
        base = load_default()
    if base is not None:
        for key in ("name", "version"):
            if key not in data:
                msg = f"{key}: missing, expected the overriding rule set's own {key}"
                raise RuleSetError([msg], source=source)
        data = _merge(rules_to_dict(base), data)
    _check_area_keys(data, source)
    try:
        return converter().structure(data, RuleSet)
    except BaseValidationError as error:
        raise RuleSetError(list(problems(error)), source=source) from None


def rules_to_dict(rules: RuleSet) -> dict[str, Any]:
    """The rule set as plain data, shaped as the rule file (no ``None`` values)."""
    data: dict[str, Any] = _drop_none(converter().unstructure(rules))
    return data


def dump_rules(rules: RuleSet) -> str:
    """The rule set as the TOML of a rule file; `load_rules` reads it back equal.

    >>> from mesotherapy import default_rules
    >>> rules = default_rules()
    >>> rules_from_dict(tomllib.loads(dump_rules(rules))) == rules
    True
    """
    return tomli_w.dumps(rules_to_dict(rules))


def _check_area_keys(data: Mapping[str, Any], source: str | None) -> None:
    # cattrs structures a mapping's values before its keys, so an unknown area with a
    # partial table would be reported as missing keys; name the unknown area instead.
    choices = ", ".join(area.value for area in Area)
    for table in ("areas", "protocols"):
        keys = data.get(table)
        if isinstance(keys, Mapping):
            unknown = [key for key in keys if key not in set(Area)]
            if unknown:
                msg = (
                    f"{table}.{unknown[0]}: unknown area {unknown[0]!r}, expected one of {choices}"
                )
                raise RuleSetError([msg], source=source)


def _parse(text: str, *, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RuleSetError([f"not valid TOML: {error}"], source=source) from None
    except RecursionError:
        raise RuleSetError(["not valid TOML: nested too deeply"], source=source) from None


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def _reason(error: Exception) -> str:
    return error.strerror if isinstance(error, OSError) and error.strerror else type(error).__name__
