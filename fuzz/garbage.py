"""Hypothesis strategies for malformed input: odd values, and real documents mutated.

The values are mostly wrong on purpose (a list where a date goes, a date in the year 9999,
a naive datetime, NaN); a share of valid ones keeps the targets reaching past their
first check.
"""

from __future__ import annotations

import copy
import datetime as dt
import decimal
import enum
import json
import math
import re
import zoneinfo
from collections.abc import Callable, Sequence
from typing import Any, Final

import pendulum
from hypothesis import strategies as st

import mesotherapy as meso

__all__ = [
    "ZONES",
    "areas",
    "date_texts",
    "dates",
    "deep_text",
    "instants",
    "json_values",
    "local_times",
    "mutated_bytes",
    "mutated_documents",
    "python_values",
    "texts",
    "toml_documents",
    "with_garbage",
]

ZONES: Final = (
    "America/Toronto",
    "Europe/London",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "America/St_Johns",
    "Pacific/Kiritimati",
    "Antarctica/Troll",
    "UTC",
    "Etc/GMT+12",
)
"""Zones with odd offsets or DST rules, and the extremes of the offsets."""

_HUGE_INTS: Final = (
    -(2**63) - 1,
    -(2**31),
    -1,
    0,
    1,
    2**31,
    2**63,
    2**64 + 1,
    10**18,
    10**30,
    10**100,
    int("9" * 4000),
)
_ODD_FLOATS: Final = (math.nan, math.inf, -math.inf, -0.0, 1e308, 5e-324, 0.5, 1.0)
_ODD_TEXT: Final = (
    "",
    " ",
    "\x00",
    "\n",
    "\ud800",  # a lone surrogate: no UTF-8 for it
    "\u202e",
    "é",
    "İ",
    "ﬀ",
    "😀",
    "NaN",
    "null",
    "true",
    "None",
    "../../etc/passwd",
    "%s%n{0}{}",
    "a" * 10_000,
    "face,,neck",
    "FACE",
    " Face ",
    "décolletage",
    "P",
    "PT",
    "P1Y2M3W4DT5H6M",
    "P99999999999999999999Y",
    "PT9999999999999999H",
    "2026-02-30",
    "0000-01-01",
    "0001-01-01",
    "9999-12-31",
    "2026-13-01",
    "2026-1-1",
    "2026-10-20T09:00",
    "2026-10-20T09:00:00+25:00",
    "24:00",
    "23:59:60",
    "9:00",
    "09:00:00.5",
    "Mars/Olympus",
    "America/Toronto",
    "CA-ON",
    "ZZ-99",
    "fr_CA",
    "isotretinoin",
    "botulinum_toxin",
    "active_herpes",
    "lidocaine",
    "makeup",
    "sun",
)


def texts() -> st.SearchStrategy[str]:
    """Text of every kind: odd fixed strings, any Unicode (surrogates too), codes."""
    return st.one_of(
        st.sampled_from(_ODD_TEXT),
        st.text(max_size=30),
        st.text(st.characters(codec="utf-8"), max_size=30),
        st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True),
        st.sampled_from([a.value for a in meso.Area] + [c.value for c in meso.Concern]),
    )


def _date_text(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


def date_texts() -> st.SearchStrategy[str]:
    """``YYYY-MM-DD`` text, real dates from year 1 to 9999 and impossible ones."""
    return st.one_of(
        st.dates().map(_date_text),
        st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2028, 12, 31)).map(_date_text),
        st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True),
        st.sampled_from(("0000-00-00", "9999-12-31", "0001-01-01", "2026-02-29", "2028-02-29")),
    )


def dates() -> st.SearchStrategy[Any]:
    """Dates as objects of each kind (stdlib, pendulum, a datetime), and as text."""
    day = st.dates()
    near = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2028, 12, 31))
    return st.one_of(
        near,
        day,
        near.map(lambda d: pendulum.date(d.year, d.month, d.day)),
        st.sampled_from((dt.date.min, dt.date.max)),
        date_texts(),
        st.datetimes(),
    )


def local_times() -> st.SearchStrategy[Any]:
    """Local times of day: objects (some with seconds, a zone, a fold), and text."""
    return st.one_of(
        st.times(),
        st.times(timezones=st.just(dt.UTC)),
        st.from_regex(r"[0-9]{2}:[0-9]{2}(:[0-9]{2})?", fullmatch=True),
        st.integers(min_value=0, max_value=23 * 4 + 3).map(
            lambda q: f"{q // 4:02d}:{q % 4 * 15:02d}"
        ),
        st.sampled_from(("24:00", "23:59", "00:00", "02:30", "01:30", "12:00", "9:00", "")),
    )


def _zoned(moment: dt.datetime, zone: str) -> Any:
    try:
        return moment.replace(tzinfo=zoneinfo.ZoneInfo(zone))
    except (OverflowError, ValueError):
        return moment


def instants() -> st.SearchStrategy[Any]:
    """Dates and times: aware in odd zones (pendulum and stdlib), naive, at the extremes."""
    near = st.datetimes(
        min_value=dt.datetime(2025, 1, 1),  # noqa: DTZ001 - made aware below, or kept naive
        max_value=dt.datetime(2028, 12, 31),  # noqa: DTZ001
    )
    anywhere = st.datetimes()
    zones = st.sampled_from(ZONES)
    return st.one_of(
        st.builds(_zoned, near, zones),
        st.builds(_zoned, anywhere, zones),
        st.builds(
            lambda m, z: pendulum.instance(m.replace(tzinfo=dt.UTC)).in_timezone(z), near, zones
        ),
        st.datetimes(timezones=st.timezones()),
        near,  # naive
        st.sampled_from(
            (
                dt.datetime.min.replace(tzinfo=dt.UTC),
                dt.datetime.max.replace(tzinfo=dt.UTC),
                dt.datetime(9999, 12, 31, 23, 59, tzinfo=zoneinfo.ZoneInfo("Etc/GMT+12")),
                dt.datetime(1, 1, 1, tzinfo=zoneinfo.ZoneInfo("Etc/GMT-14")),
                dt.datetime(2027, 3, 14, 2, 30, tzinfo=zoneinfo.ZoneInfo("America/Toronto")),
                dt.datetime(
                    2026, 11, 1, 1, 30, fold=1, tzinfo=zoneinfo.ZoneInfo("America/Toronto")
                ),
            )
        ),
    )


_SCALARS: Final = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from(_HUGE_INTS),
    st.floats(),
    st.sampled_from(_ODD_FLOATS),
    texts(),
    date_texts(),
)


def json_values(max_leaves: int = 12) -> st.SearchStrategy[Any]:
    """Any JSON value, nested lists and objects included (NaN and infinities too)."""
    return st.recursive(
        _SCALARS,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts(), inner, max_size=4),
        max_leaves=max_leaves,
    )


class _Odd(enum.Enum):
    MEMBER = "face"


def python_values() -> st.SearchStrategy[Any]:
    """What a caller without a type checker may pass: JSON values and Python objects."""
    objects = st.sampled_from(
        (
            object(),
            b"face",
            bytearray(b"2026-01-01"),
            decimal.Decimal("NaN"),
            decimal.Decimal("1e999"),
            1j,
            frozenset({"face"}),
            {"face"},
            ("face", "neck"),
            range(3),
            _Odd.MEMBER,
            meso.Area.FACE,
            meso.Concern.DULLNESS,
            meso.Candidacy.ELIGIBLE,
            meso.Span(days=1),
            Ellipsis,
            NotImplemented,
            type,
            print,
            iter([]),
        )
    )
    return st.one_of(json_values(), objects, dates(), instants(), local_times(), texts())


def with_garbage(valid: st.SearchStrategy[Any], weight: int = 1) -> st.SearchStrategy[Any]:
    """*valid* values, or, one time in ``weight + 1``, anything at all."""
    return st.one_of(*([valid] * weight), python_values())


def areas() -> st.SearchStrategy[Any]:
    """Areas as callers write them: lists, sets, comma-separated text, and wrong values."""
    names = st.sampled_from([a.value for a in meso.Area] + ["Face", " neck ", "Décolletage"])
    return st.one_of(
        st.lists(names, min_size=1, max_size=3),
        st.frozensets(st.sampled_from(meso.Area), min_size=1),
        st.lists(names, max_size=3).map(",".join),
        st.lists(python_values(), max_size=3),
        python_values(),
    )


# --- Documents mutated ---------------------------------------------------------------------

_DocPath = tuple[str | int, ...]

_DEEP: Final = "\x00deep:"
"""A string that marks where `deep_text` puts a deeply nested value once dumped."""


def _paths(value: Any, here: _DocPath = ()) -> list[_DocPath]:
    found = [here]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*here, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*here, index))
    return found


def _get(document: Any, path: _DocPath) -> Any:
    for key in path:
        document = document[key]
    return document


def _set(document: Any, path: _DocPath, value: Any) -> Any:
    if not path:
        return value
    _get(document, path[:-1])[path[-1]] = value
    return document


def _drop(document: Any, path: _DocPath) -> Any:
    if not path:
        return None
    parent = _get(document, path[:-1])
    del parent[path[-1]]
    return document


def _retype(value: Any) -> list[Any]:
    """Values of another type that a document may carry instead of *value*."""
    options: list[Any] = [None, [value], {"value": value}, str(value), True, 0, -1, 1.5]
    if isinstance(value, bool):
        options += [int(value), str(value).lower()]
    elif isinstance(value, int):
        options += [value + 1, value - 1, -value, value * 10**20, math.nan]
        if abs(value) < 2**1000:  # an earlier retype may have made it too large for a float
            options.append(float(value))
    elif isinstance(value, str):
        options += [
            "",
            value.upper(),
            value + "x",
            value[:-1],
            value * 3,
            f" {value} ",
            value.replace("-", "/"),
            value.replace("T", " "),
            value + "\u0301",
        ]
    elif isinstance(value, list):
        options += [
            [],
            value + value,
            value[:1],
            value[::-1],
            {str(i): v for i, v in enumerate(value)},
        ]
    elif isinstance(value, dict):
        options += [{}, list(value), list(value.values()), {**value, "unexpected": 1}]
    return options


@st.composite
def mutated_documents(draw: st.DrawFn, document: Any, max_mutations: int = 6) -> str:
    """The JSON text of *document* after a few mutations (none sometimes).

    A mutation drops a key or an item, swaps two values, gives a value of another type,
    puts garbage in, adds an unknown key, or nests a value thousands deep.
    """
    doc = copy.deepcopy(document)
    for _ in range(draw(st.integers(min_value=0, max_value=max_mutations))):
        paths = _paths(doc)
        path = draw(st.sampled_from(paths))
        current = _get(doc, path)
        action = draw(st.sampled_from(("drop", "garbage", "retype", "swap", "add", "deep", "drop")))
        if action == "drop" and path:
            doc = _drop(doc, path)
        elif action == "garbage":
            doc = _set(doc, path, draw(json_values(max_leaves=6)))
        elif action == "retype":
            doc = _set(doc, path, draw(st.sampled_from(_retype(current))))
        elif action == "swap":
            other = draw(st.sampled_from(paths))
            doc = _set(doc, path, copy.deepcopy(_get(doc, other)))
        elif action == "add" and isinstance(current, dict):
            current[draw(texts())] = draw(json_values(max_leaves=4))
        elif action == "deep":
            depth = draw(st.sampled_from((50, 500, 990, 3000, 100_000)))
            doc = _set(doc, path, f"{_DEEP}{draw(st.sampled_from('[{'))}{depth}")
    text = json.dumps(doc, ensure_ascii=draw(st.booleans()), allow_nan=True)
    return deep_text(text)


def deep_text(text: str) -> str:
    """*text* with each marker of `mutated_documents` replaced by its nested value."""
    marker = json.dumps(_DEEP)[:-1]  # the quoted, escaped marker without its closing quote
    while marker in text:
        start = text.index(marker)
        end = text.index('"', start + len(marker))
        try:
            spec = json.loads(text[start : end + 1])[len(_DEEP) :]
        except ValueError:
            spec = ""
        # Later mutations may have edited the marker's text: what is left of it stays text.
        found = re.match(r"([\[{])(\d+)", spec)
        if found is None:
            text = text[:start] + '"deep"' + text[end + 1 :]
            continue
        kind, depth = found[1], int(found[2])
        nested = "[" * depth + "]" * depth if kind == "[" else '{"a":' * depth + "1" + "}" * depth
        text = text[:start] + nested + text[end + 1 :]
    return text


_TOKENS: Final = (
    b'"',
    b"'",
    b"[",
    b"]",
    b"{",
    b"}",
    b"=",
    b"\n",
    b"\r\n",
    b"\x00",
    b"\xff\xfe",
    b"\xed\xa0\x80",  # a surrogate in UTF-8: not valid
    b"nan",
    b"inf",
    b"-0",
    b"1e999",
    b"99999999999999999999999999",
    b"true",
    b"null",
    b"[[closures]]",
    b"[hours]",
    b'extends = "default"\n',
    b'"P99999999999Y"',
    b'"PT0H"',
    b'"9999-12-31"',
    b"1979-05-27T07:32:00Z",
    b"07:32:00",
    b"\\u0000",
    b"\\ud800",
    b"\nx = " + b"[" * 5000 + b"]" * 5000 + b"\n",
    b"\nx = " + b"{a = " * 5000 + b"1" + b"}" * 5000 + b"\n",
    b"\n[" + b"a." * 5000 + b"b]\n",
)


@st.composite
def mutated_bytes(draw: st.DrawFn, data: bytes, max_mutations: int = 8) -> bytes:
    """*data* after a few byte-level edits: flips, inserts, cuts, repeats, truncation."""
    buffer = bytearray(data)
    for _ in range(draw(st.integers(min_value=0, max_value=max_mutations))):
        at = draw(st.integers(min_value=0, max_value=len(buffer)))
        action = draw(st.sampled_from(("flip", "insert", "token", "cut", "repeat", "truncate")))
        if action == "flip" and at < len(buffer):
            buffer[at] ^= 1 << draw(st.integers(min_value=0, max_value=7))
        elif action == "insert":
            buffer[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif action == "token":
            buffer[at:at] = draw(st.sampled_from(_TOKENS))
        elif action == "cut":
            del buffer[at : at + draw(st.integers(min_value=1, max_value=64))]
        elif action == "repeat":
            piece = buffer[at : at + draw(st.integers(min_value=1, max_value=64))]
            buffer[at:at] = piece * draw(st.integers(min_value=1, max_value=4))
        elif action == "truncate":
            del buffer[at:]
    return bytes(buffer)


def _toml_safe(value: Any) -> Any:
    """*value* with what TOML cannot hold (null, non-text keys) replaced by text."""
    if value is None:
        return "null"
    if isinstance(value, dict):
        return {str(k): _toml_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_toml_safe(v) for v in value]
    return value


@st.composite
def toml_documents(draw: st.DrawFn, document: dict[str, Any], dump: Callable[[Any], str]) -> bytes:
    """A TOML file's bytes: *document* mutated as JSON is, then dumped by *dump*."""
    text = draw(mutated_documents(document))
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # nested too deep for json: the text as it is
        return text.encode("utf-8", "surrogatepass")
    try:
        dumped = dump(_toml_safe(value)) if isinstance(value, dict) else text
    except (TypeError, ValueError, RecursionError):
        dumped = text
    return dumped.encode("utf-8", "surrogatepass")


def one_of_values(values: Sequence[Any]) -> st.SearchStrategy[Any]:
    """One of *values*, drawn."""
    return st.sampled_from(list(values))
