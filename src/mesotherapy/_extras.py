"""Optional dependencies, imported only by the function that needs them."""

from __future__ import annotations

import importlib
from types import ModuleType

from ._errors import MissingExtraError

__all__ = ["require"]


def require(module: str, extra: str) -> ModuleType:
    """Import *module*, or say which extra of mesotherapy provides it.

    >>> require("json", "none").__name__
    'json'

    Raises:
        MissingExtraError: *module* is not installed.
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        msg = (
            f"{module} is not installed: it comes with the {extra!r} extra, "
            f"pip install 'mesotherapy[{extra}]'"
        )
        raise MissingExtraError(msg) from None
