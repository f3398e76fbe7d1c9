"""Sphinx configuration for the mesotherapy docs."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

project = "mesotherapy"
author = "The mesotherapy developers"
copyright = "2026, The mesotherapy developers"
release = importlib.metadata.version("mesotherapy")
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.intersphinx",
    "sphinx.ext.napoleon",
]
myst_enable_extensions = ["colon_fence", "deflist"]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "examples"]

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": False}
napoleon_google_docstring = True
# Types from libraries without an inventory here; resolved names only warn as missing.
nitpick_ignore_regex = [
    (r"py:.*", r"(pendulum|attrs|cattrs|_?dt|datetime|collections\.abc|typing)\..*"),
    (r"py:.*", r"(Date|DateTime|Mapping|Iterable|Iterator|Any|Self|K|V|_T|T|FrozenMap)"),
    (r"py:.*", r"mesotherapy\._.*"),
    (r"py:.*", r"(enum|os)\..*"),
    (r"py:.*", r"(pd|pandas|matplotlib|Axes|DataFrame|Selection)(\..*)?"),
    (r"py:.*", r"(Bundle|Calendar|icalendar|fhir)(\..*)?"),
]
intersphinx_mapping: dict[str, tuple[str, str | None]] = {}

# The examples read files beside the pages, such as `examples/clinic-rules.toml`.
doctest_global_setup = (
    f"import os; os.chdir({str(Path(__file__).parent)!r}); import mesotherapy as meso"
)
# The docstrings' examples run under pytest (`nox -s tests`); here, only the pages' own.
doctest_test_doctest_blocks = ""

html_theme = "furo"
html_title = "mesotherapy"
