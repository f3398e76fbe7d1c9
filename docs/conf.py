"""Sphinx configuration for the mesotherapy docs."""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

import mesotherapy

if TYPE_CHECKING:
    from sphinx.application import Sphinx

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
    (r"py:.*", r"mesotherapy\.(\w+\.)?_.*"),  # private names, of a public submodule too
    (r"py:.*", r"(enum|os|pathlib)\..*"),
    (r"py:.*", r"(pd|pandas|matplotlib|Axes|DataFrame|Selection)(\..*)?"),
    (r"py:.*", r"(Bundle|Calendar|icalendar|fhir)(\..*)?"),
]

# Links into the documentation of Python, attrs and cattrs (pendulum publishes no Sphinx
# inventory). The inventories come over the network, so a build asks for them with
# MESOTHERAPY_DOCS_INTERSPHINX=1; an offline build leaves those names as plain text.
intersphinx_mapping: dict[str, tuple[str, str | None]] = {}
if os.environ.get("MESOTHERAPY_DOCS_INTERSPHINX") == "1":
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "attrs": ("https://www.attrs.org/en/stable", None),
        "cattrs": ("https://catt.rs/en/stable", None),
    }

# The examples read files beside the pages, such as `examples/clinic-rules.toml`, and
# `shell("mesotherapy ...")` runs a command line as a user would, printing what it prints.
# The docstrings' examples, shown in the API reference, run here too: as under pytest's
# doctest-modules, they see the names of the module they come from (their own imports,
# such as `pendulum`), and then every public name of the package.
doctest_global_setup = f"""
import importlib, os, pkgutil, shlex, subprocess, sys
os.chdir({str(Path(__file__).parent)!r})
import mesotherapy as meso

for _found in pkgutil.iter_modules(meso.__path__, "mesotherapy."):
    if not _found.name.endswith("__main__"):
        _module = vars(importlib.import_module(_found.name))
        globals().update({{k: v for k, v in _module.items() if not k.startswith("__")}})
globals().update({{name: getattr(meso, name) for name in meso.__all__}})

def shell(command):
    argv = [sys.executable, "-m", *shlex.split(command)]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    print(done.stdout + done.stderr, end="")
    if done.returncode:
        print(f"[exit status {{done.returncode}}]")
"""
doctest_test_doctest_blocks = "default"

html_theme = "furo"
html_title = "mesotherapy"


# --- Tables of the shipped rule set, built from it at every build ----------------------

Cell = str | Sequence[nodes.Node]
Table = tuple[str, Sequence[str], Iterable[Sequence[Cell]]]

_UNITS = ("years", "months", "weeks", "days", "hours", "minutes")


def _span(span: Any) -> str:
    """A `mesotherapy.Span` in words: ``P2W`` is "2 weeks"."""
    parts = []
    for unit in _UNITS:
        count = getattr(span, unit)
        if count:
            parts.append(f"{count} {unit if count != 1 else unit[:-1]}")
    return " ".join(parts) or "0 days"


def _point(anchor: str, offset: Any) -> str:
    """A point of a plan: ``session:2`` and ``P7D`` is "session 2 + 7 days"."""
    where = "end of the series" if anchor == "series_end" else anchor.replace(":", " ")
    after = _span(offset)
    return where if after == "0 days" else f"{where} + {after}"


def _range(published: Any) -> Cell:
    if published is None:
        return "-"
    return [
        nodes.Text(f"{_span(published.min)} to {_span(published.max)} "),
        nodes.literal(text=published.source),
    ]


def _source(rules: Any, key: str) -> Cell:
    """The key of a source and its title, linked when the source has an address."""
    source = rules.sources[key]
    title: nodes.Node = nodes.Text(source.title)
    if source.url:
        title = nodes.reference("", source.title, refuri=source.url)
    return [nodes.literal(text=key), nodes.Text(": "), title]


def _inline(text: str) -> Cell:
    """*text* with the spans it quotes in backticks set as code, as the rule file has them."""
    return [
        nodes.literal(text=part) if quoted else nodes.Text(part)
        for quoted, part in zip(itertools.cycle((False, True)), text.split("`"), strict=False)
        if part
    ]


def _key(*parts: str) -> Cell:
    return [nodes.literal(text=".".join(parts))]


def _sources(rules: Any) -> Table:
    cited: dict[str, int] = dict.fromkeys(rules.sources, 0)
    for _, key in rules.cited_sources():
        cited[key] += 1
    rows = [
        (_source(rules, key), _inline(source.note or "-"), str(cited[key]))
        for key, source in rules.sources.items()
    ]
    return "Sources", ("Source", "How sure", "Rules citing it"), rows


def _protocols(rules: Any) -> Table:
    rows = [
        (
            _key("protocols", area.value, name),
            str(bounds.default),
            f"{bounds.min} to {bounds.max}",
            _source(rules, bounds.source),
        )
        for area, protocol in rules.protocols.items()
        for name in ("sessions", "interval_days", "session_minutes", "maintenance_months")
        for bounds in [getattr(protocol, name)]
    ]
    return "Protocols", ("Rule", "Default", "Range", "Source"), rows


def _contraindications(rules: Any) -> Table:
    rows = [
        (
            _key("contraindications", table, code),
            rule.severity.value,
            "-" if rule.duration is None else _span(rule.duration),
            "all" if rule.areas is None else ", ".join(sorted(a.value for a in rule.areas)),
            _source(rules, rule.source),
        )
        for table, rules_of_kind in rules.contraindications.tables()
        for code, rule in rules_of_kind.items()
    ]
    header = ("Rule", "Severity", "Duration", "Areas", "Source")
    return "Contraindications", header, rows


def _precare(rules: Any) -> Table:
    rows = [
        (
            _key("precare", key),
            _span(rule.before),
            _range(rule.published),
            _source(rules, rule.source),
        )
        for key, rule in rules.precare.items()
    ]
    return "Pre-care", ("Rule", "Before the session", "Range seen", "Source"), rows


def _aftercare(rules: Any) -> Table:
    rows = []
    for key, rule in rules.aftercare.items():
        source = list(_source(rules, rule.source))
        if rule.duration_source:
            source += [nodes.Text("; its duration: "), *_source(rules, rule.duration_source)]
        rows.append(
            (
                _key("aftercare", key),
                rule.kind.value,
                _span(rule.duration),
                _range(rule.published),
                source,
            )
        )
    header = ("Rule", "Kind", "After the session", "Range seen", "Source")
    return "Aftercare", header, rows


def _side_effects(rules: Any) -> Table:
    rows = [
        (_key("side_effects", key), _span(rule.resolves_within), _source(rules, rule.source))
        for key, rule in rules.side_effects.items()
    ]
    return "Side effects", ("Rule", "Resolves within", "Source"), rows


def _results(rules: Any) -> Table:
    rows = [
        (
            _key("results", key),
            _point(rule.starts_after, rule.starts_offset),
            _point(rule.ends_after, rule.ends_offset),
            "all" if rule.areas is None else ", ".join(sorted(a.value for a in rule.areas)),
            _source(rules, rule.source),
        )
        for key, rule in sorted(rules.results.items(), key=lambda item: item[1].order)
    ]
    return "Expected results", ("Rule", "From", "To", "Areas", "Source"), rows


_TABLES: dict[str, Callable[[Any], Table]] = {
    "sources": _sources,
    "protocols": _protocols,
    "contraindications": _contraindications,
    "precare": _precare,
    "aftercare": _aftercare,
    "side_effects": _side_effects,
    "results": _results,
}


def _paragraph(cell: Cell) -> nodes.paragraph:
    if isinstance(cell, str):
        return nodes.paragraph(text=cell)
    paragraph = nodes.paragraph()
    paragraph.extend(cell)
    return paragraph


def _row(cells: Sequence[Cell]) -> nodes.row:
    row = nodes.row()
    for cell in cells:
        entry = nodes.entry()
        entry += _paragraph(cell)
        row += entry
    return row


def _entries(rows: Iterable[Sequence[Cell]]) -> Iterator[nodes.row]:
    for cells in rows:
        yield _row(cells)


class RulesTable(SphinxDirective):
    """``{rules-table} protocols``: a table of the shipped rule set, read at build time.

    The tables are ``sources``, ``protocols``, ``contraindications``, ``precare``,
    ``aftercare``, ``side_effects`` and ``results``; a page that shows one is rebuilt
    whenever the rule file changes.
    """

    required_arguments = 1
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = {}

    def run(self) -> list[nodes.Node]:
        """The table named by the argument, titled with the rule set's name and version."""
        name = self.arguments[0]
        if name not in _TABLES:
            choices = ", ".join(_TABLES)
            raise self.error(f"rules-table: unknown table {name!r}, expected one of {choices}")
        rules = mesotherapy.default_rules()
        rule_file = importlib.resources.files("mesotherapy").joinpath("rules", "default.toml")
        self.env.note_dependency(str(rule_file))
        title, header, rows = _TABLES[name](rules)
        table = nodes.table(classes=["rules-table"])
        table += nodes.title(text=f"{title} in {rules.name} {rules.version}")
        group = nodes.tgroup(cols=len(header))
        table += group
        group.extend(nodes.colspec(colwidth=1) for _ in header)
        head = nodes.thead()
        head += _row(header)
        body = nodes.tbody()
        body.extend(_entries(rows))
        group += head
        group += body
        return [table]


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directive that draws the rule set's tables."""
    app.add_directive("rules-table", RulesTable)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
