"""Reading, merging, validating and writing rule files."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ._errors import RuleSetError
from ._guards import wrong_type
from ._model import Area, nearest_code
from ._rules import (
    ANCHOR,
    RuleSet,
    RuleValueError,
    code_key_problems,
    unknown_source,
    unreachable_anchor,
)
from ._toml import parse_toml, read_toml
from ._trusted import structure

__all__ = [
    "default_rules",
    "default_text",
    "dump_rules",
    "load_default",
    "load_rules",
    "rules_from_dict",
    "rules_to_dict",
]

_DEFAULT = "default.toml"


@functools.cache
def load_default() -> RuleSet:
    """The shipped rule set, parsed once.

    Built by `structure`, without cattrs: the shipped file is the library's own, and
    tests/test_rules_trusted.py checks it through `rules_from_dict` (every key, every
    type, the cross-table checks) and that both give an equal rule set.
    """
    rules: RuleSet = structure(parse_toml(default_text(), source=_DEFAULT), RuleSet)
    return rules


def default_text() -> str:
    """The shipped rule file's text.

    >>> default_text().startswith("# The rule set mesotherapy ships.")
    True
    """
    try:
        # Where `importlib.resources` finds it for a package installed as files; that
        # module (with zipfile, tempfile, shutil) is loaded only for one that is not.
        # UTF-8, a byte order mark read as nothing, as "utf-8-sig" would (that codec is
        # a module of its own to load).
        text = Path(__file__).with_name("rules").joinpath(_DEFAULT).read_text("utf-8")
        return text.removeprefix("\ufeff")
    except OSError:  # pragma: no cover - a package imported from a zip file
        import importlib.resources  # noqa: PLC0415

        files = importlib.resources.files("mesotherapy")
        return files.joinpath("rules", _DEFAULT).read_text("utf-8-sig")


def default_rules() -> RuleSet:
    """The rule set the library ships, built from the source article's numbers.

    It is read once and cached; the object is immutable, so sharing it is safe.
    """
    return load_default()


def load_rules(path: str | os.PathLike[str], *, base: RuleSet | None = None) -> RuleSet:
    r"""Load a rule file (TOML), validating every key.

    A file that starts with ``extends = "default"``, or one loaded with a *base*, holds only
    the keys it changes; they are merged into the base (tables key by key, lists whole).
    It must still give its own ``name`` and ``version``, so that every assessment names the
    rules it used. The file is UTF-8, with or without a byte order mark.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "clinic.toml"
    >>> _ = path.write_text('extends = "default"\nname = "Clinic"\nversion = "1"\n'
    ...                     '[aftercare.makeup]\nduration = "PT48H"\n')
    >>> str(load_rules(path).aftercare["makeup"].duration)
    'PT48H'

    Raises:
        RuleSetError: the file cannot be read, is not UTF-8 or not TOML, or breaks a rule;
            `RuleSetError.problems` lists every problem, each naming the key path
            (``protocols.face.sessions.max``), the value, and what was expected. Also when
            *path* is no path or *base* no `RuleSet`.
    """
    _check_base(base)
    where, data = read_toml(path, kind="rule file")
    return rules_from_dict(data, base=base, source=where)


def _check_base(base: object) -> None:
    # Callers without a type checker pass a rule set's name or path as the base.
    if base is not None and (problem := wrong_type(base, RuleSet, "base", "load_rules")):
        raise RuleSetError([problem])


def rules_from_dict(
    data: Mapping[str, Any], *, base: RuleSet | None = None, source: str | None = None
) -> RuleSet:
    """A rule set from a mapping shaped as the rule file, validated as `load_rules` does."""
    if not isinstance(data, Mapping):
        raise RuleSetError(["the document: expected a table (a mapping)"], source=source)
    _check_base(base)
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
    unknown_areas = list(_area_key_problems(data))
    if unknown_areas:
        # cattrs structures a mapping's values before its keys, so an unknown area with a
        # partial table would be reported as missing keys; name the unknown areas alone.
        raise RuleSetError(unknown_areas, source=source)
    found = [f"{key}: {message}" for key, message in code_key_problems(data)]
    # Loaded for a document that is not the library's own (`load_default` needs neither).
    from cattrs.errors import BaseValidationError  # noqa: PLC0415

    from ._convert import converter, problems  # noqa: PLC0415

    try:
        rules = converter().structure(data, RuleSet)
    except BaseValidationError as error:
        found += [*problems(error), *_more_problems(error)]
        # The RuleSet's own checks did not run: find what they would on the raw tables.
        found += [f"{key}: {message}" for key, message in _cross_problems(data)]
    if found:
        # The same problem may be found on the raw table and again by the RuleSet.
        raise RuleSetError(list(dict.fromkeys(found)), source=source)
    return rules


def rules_to_dict(rules: RuleSet) -> dict[str, Any]:
    """The rule set as plain data, shaped as the rule file (no ``None`` values)."""
    from ._convert import converter  # noqa: PLC0415 - cattrs, only when a rule set is written

    data: dict[str, Any] = _drop_none(converter().unstructure(rules))
    return data


def dump_rules(rules: RuleSet) -> str:
    """The rule set as the TOML of a rule file; `load_rules` reads it back equal.

    >>> from mesotherapy import default_rules
    >>> rules = default_rules()
    >>> rules_from_dict(parse_toml(dump_rules(rules), source="dumped")) == rules
    True

    Raises:
        RuleSetError: *rules* is no `RuleSet`.
    """
    if problem := wrong_type(rules, RuleSet, "rules", "load_rules"):
        raise RuleSetError([problem])
    import tomli_w  # noqa: PLC0415 - only when a rule set is written

    return tomli_w.dumps(rules_to_dict(rules))


def _area_key_problems(data: Mapping[str, Any]) -> Iterator[str]:
    choices = ", ".join(area.value for area in Area)
    for table in ("areas", "protocols"):
        keys = data.get(table)
        if isinstance(keys, Mapping):
            for key in keys:
                if key not in set(Area):
                    near = nearest_code(str(key), (area.value for area in Area))
                    yield f"{table}.{key}: unknown area {key!r}, expected one of {choices}{near}"


def _cross_problems(data: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """The problems across tables (`RuleSet`'s checks) in a rule file's raw tables."""
    sources = data.get("sources")
    known = set(sources) if isinstance(sources, Mapping) else set()
    for key, source in _cited(data):
        if source not in known:
            yield key, unknown_source(source, known)
    results, protocols = data.get("results"), data.get("protocols")
    if not isinstance(results, Mapping) or not isinstance(protocols, Mapping):
        return
    for code, result in results.items():
        areas = result.get("areas") if isinstance(result, Mapping) else None
        if not isinstance(areas, list):
            continue
        most = {
            area: protocols[area]["sessions"]["max"]
            for area in areas
            if _int_at(protocols, area, "sessions", "max")
        }
        for field in ("starts_after", "ends_after"):
            anchor = result.get(field)
            well_formed = isinstance(anchor, str) and ANCHOR.fullmatch(anchor)
            if well_formed and (problem := unreachable_anchor(anchor, most)):
                yield f"results.{code}.{field}", problem


def _int_at(table: Any, *keys: str) -> bool:
    for key in keys:
        if not isinstance(table, Mapping) or key not in table:
            return False
        table = table[key]
    return type(table) is int


def _cited(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            if path == "" and key == "sources":
                continue
            where = f"{path}.{key}" if path else str(key)
            if isinstance(inner, str) and (key == "source" or str(key).endswith("_source")):
                yield where, inner
            else:
                yield from _cited(inner, where)


def _more_problems(error: BaseException, path: str = "") -> Iterator[str]:
    """The problems a `RuleValueError` found besides its first (`RuleValueError.also`)."""
    from cattrs.errors import ClassValidationError, IterableValidationError  # noqa: PLC0415

    if isinstance(error, RuleValueError):
        yield from (f"{path}{key}: {message}" for key, message in error.also)
    if isinstance(error, ClassValidationError | IterableValidationError):
        with_notes, without = error.group_exceptions()
        for inner, note in with_notes:
            name = getattr(note, "name", getattr(note, "index", "?"))
            yield from _more_problems(inner, f"{path}{name}.")
        for inner in without:
            yield from _more_problems(inner, path)


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
