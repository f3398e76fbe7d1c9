"""Reading the TOML files the library takes (rule files, clinic files), with one set of refusals.

Every file is UTF-8, with or without a byte order mark; what cannot be read, is not UTF-8,
is no TOML or is nested too deeply is a `RuleSetError` that says which, naming the file.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from ._errors import RuleSetError

__all__ = ["parse_toml", "read_toml"]


def read_toml(path: object, *, kind: str) -> tuple[str, dict[str, Any]]:
    r"""The name of the file at *path* and its TOML, read as UTF-8 with or without a BOM.

    >>> import tempfile, pathlib
    >>> file = pathlib.Path(tempfile.mkdtemp()) / "clinic.toml"
    >>> _ = file.write_bytes(b'\xef\xbb\xbfname = "Lakeside"\n')  # a BOM, as editors write
    >>> read_toml(file, kind="clinic file")[1]
    {'name': 'Lakeside'}

    Raises:
        RuleSetError: *path* is no path (naming *kind*), or the file cannot be read, is not
            UTF-8 or is no TOML.
    """
    if not isinstance(path, str | os.PathLike):
        msg = (
            f"path: expected the path of a {kind} (str or os.PathLike), got a {type(path).__name__}"
        )
        raise RuleSetError([msg])
    where = os.fspath(path)
    if not isinstance(where, str):  # a bytes path: its name could not be shown as it is
        msg = f"path: expected the path of a {kind} as text, got {where!r}"
        raise RuleSetError([msg])
    try:
        # "utf-8-sig": a byte order mark, which some editors write, is read as nothing.
        text = Path(where).read_text("utf-8-sig")
    except UnicodeDecodeError as error:
        msg = f"cannot read the file: not UTF-8 (byte {error.start} is not valid UTF-8)"
        raise RuleSetError([msg], source=where) from None
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise RuleSetError([f"cannot read the file ({reason})"], source=where) from None
    except ValueError as error:  # a name no file can have, such as one with a null byte
        raise RuleSetError([f"cannot read the file ({error})"], source=where) from None
    return where, parse_toml(text, source=where)


def parse_toml(text: str, *, source: str) -> dict[str, Any]:
    """The TOML document *text*, or a `RuleSetError` naming *source* that says why not."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RuleSetError([f"not valid TOML: {error}"], source=source) from None
    except RecursionError:
        raise RuleSetError(["not valid TOML: nested too deeply"], source=source) from None
