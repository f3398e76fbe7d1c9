"""Optional dependencies, imported only by the function that needs them."""

from __future__ import annotations

import importlib
import re
from types import ModuleType

from ._errors import MissingExtraError

__all__ = ["install_hint", "require"]

_MARKER = re.compile(r"""^(?P<requirement>[^;]+);\s*extra\s*==\s*["'](?P<extra>[^"']+)["']$""")


def require(module: str, extra: str) -> ModuleType:
    """Import *module*, or say which extra of mesotherapy provides it.

    >>> require("json", "none").__name__
    'json'

    Raises:
        MissingExtraError: *module* is not installed; the message says how to install it,
            from a package index and from a clone of the project alike.
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        msg = f"{module} is not installed: it comes with the {extra!r} extra, {install_hint(extra)}"
        raise MissingExtraError(msg) from None


def install_hint(extra: str) -> str:
    """How to install *extra*: from an index, from a clone, or its packages alone.

    The project may be installed from a package index or from a clone of its repository,
    where ``mesotherapy[extra]`` names nothing an index knows: the hint gives each way.

    >>> print(install_hint("ical"))  # doctest: +ELLIPSIS
    pip install 'mesotherapy[ical]' (in a clone of the project: pip install '.[ical]'...)
    """
    hint = (
        f"pip install 'mesotherapy[{extra}]' (in a clone of the project: pip install '.[{extra}]'"
    )
    packages = _requirements(extra)
    if packages:
        hint += ", or the packages alone: pip install " + " ".join(f"'{p}'" for p in packages)
    return hint + ")"


def _requirements(extra: str) -> list[str]:
    """The requirements *extra* adds, as the installed distribution's metadata lists them."""
    from importlib.metadata import PackageNotFoundError, requires  # noqa: PLC0415 - error path

    try:
        listed = requires("mesotherapy") or []
    except PackageNotFoundError:  # run from a source tree that was never installed
        return []
    found = []
    for line in listed:
        match = _MARKER.match(line)
        if match and match["extra"] == extra:
            found.append(match["requirement"].strip())
    return found
