"""Indented JSON text, written in one pass: what `json.dumps` writes, sooner."""

from __future__ import annotations

import datetime as dt
import json

from ._kept import iso_text

__all__ = ["NotPlainError", "encoded", "indented_json", "instant_text", "scalar", "text"]

encoded = json.encoder.encode_basestring  # what json.dumps quotes text with, unless ASCII
_SCALARS: dict[object, str] = {None: "null", True: "true", False: "false"}


def indented_json(document: object) -> str:
    """``json.dumps(document, ensure_ascii=False, indent=2)``: the same text, sooner.

    With an indent, ``json`` writes through its pure-Python encoder, half of `to_json`;
    a document of dicts with text keys, lists, text, whole numbers, booleans and nulls
    (every document the library writes) is written here in one pass, anything else by
    ``json.dumps`` itself.

    >>> indented_json({"a": [1, True, None, "é"], "b": {}}) == json.dumps(
    ...     {"a": [1, True, None, "é"], "b": {}}, ensure_ascii=False, indent=2)
    True
    """
    try:
        return text(document, "\n")
    except NotPlainError:
        return json.dumps(document, ensure_ascii=False, indent=2)


class NotPlainError(Exception):
    """A value `_text` leaves to ``json.dumps``: a float, a subclass, a key not text."""


def text(value: object, newline: str) -> str:
    """*value* as indented JSON, its nested lines starting with *newline* and two spaces."""
    if type(value) is str:
        return encoded(value)
    if type(value) is dict:
        if not value:
            return "{}"
        inner = newline + "  "
        try:  # json writes keys of other types as text, which encoding refuses here
            pairs = [
                encoded(key) + ": " + (encoded(v) if type(v) is str else text(v, inner))
                for key, v in value.items()
            ]
        except TypeError:
            raise NotPlainError from None
        return "{" + inner + ("," + inner).join(pairs) + newline + "}"
    if type(value) is list or type(value) is tuple:
        if not value:
            return "[]"
        inner = newline + "  "
        items = [encoded(v) if type(v) is str else text(v, inner) for v in value]
        return "[" + inner + ("," + inner).join(items) + newline + "]"
    return scalar(value)


def scalar(value: object) -> str:
    if type(value) is int:
        return int.__repr__(value)
    if type(value) is bool or value is None:
        return _SCALARS[value]
    raise NotPlainError


def instant_text(value: dt.datetime, instants: dict[int, str]) -> str:
    """*value*'s ISO 8601 text, quoted: looked up by the object, then by its value.

    >>> instant_text(dt.datetime(2026, 10, 20, 9, tzinfo=dt.UTC), {})
    '"2026-10-20T09:00:00+00:00"'
    """
    try:
        return instants[id(value)]  # the rows hold every instant while the plan is written
    except KeyError:
        pass
    # Then by its value (`isoformat` was a seventh of `to_json`), in the memo the session's
    # objects write through too: a session's instants are its windows' bounds.
    written = instants[id(value)] = '"' + iso_text(value) + '"'
    return written
