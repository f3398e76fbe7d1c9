"""The package's layout: imports only go down, without a circle, and one list of public names.

Every module of ``src/mesotherapy`` is read with `ast` (nothing is imported): its imports
at module level and inside functions, and the string given to `importlib.import_module`,
make the graph of the package's modules. Imports under ``if TYPE_CHECKING:`` are left
out: they name types for the checker and never run.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Final

import pytest

import mesotherapy

PACKAGE: Final = Path(mesotherapy.__file__).parent

# The layers of DESIGN.md ("Layout: one boundary, one direction"), lowest first.
LAYERS: Final = {
    "ground": {
        "_errors",
        "_time",
        "_zone_keys",
        "_deferred",
        "_kept",
        "_uuid5",
        "_frozen",
        "_pickling",
        "_extras",
        "_guards",
        "_html",
    },
    "core": {
        "_model",
        "_rules",
        "_clinic_checks",
        "_clinic_values",
        "_clinic",
        "_protocol",
        "_vocabulary",
        "_assess",
        "_session",
        "_slots",
        "_invariants",
        "_plan",
        "_series",
        "_lanes",
        "_diary_days",
        "_diary_shape",
        "_resources",
        "_diary",
        "_diary_search",
        "_diary_backtrack",
        "_diary_steps",
        "_aftercare",
        "_timeline",
        "_batch",
        "_recalls",
        "_maintenance",
    },
    "boundary": {
        "_convert",
        "_toml",
        "_trusted",
        "_rules_io",
        "_client_file",
        "_clinic_file",
        "_json_text",
        "_export_rows",
        "_json",
        "_json_reader",
        "_schema",
        "_busy_calendar",
        "_bookings_file",
        "_diary_file",
    },
    "views and integrations": {
        "_i18n",
        "_instructions",
        "_cli",
        "_cli_base",
        "_cli_diary",
        "__main__",
        "_day_sheet",
        "_ical_zones",
        "_ical_events",
        "_ical_text",
        "ical",
        "_fhir_base",
        "_fhir_rules",
        "fhir",
        "_plan_rows",
        "_picture",
        "_diary_rows",
        "_diary_names",
        "_diary_frame",
        "_week_picture",
        "_fhir_diary",
        "_fhir_plan",
        "notebook",
    },
}
RANK: Final = {module: rank for rank, layer in enumerate(LAYERS.values()) for module in layer}

# Imports that still go up a layer, each left for a later part of issue 12. The list may
# only shrink: a test below fails when an entry no longer exists.
STILL_UPWARD: Final = {
    # `rules=None` means the shipped rules, which only the rules' reader can load.
    ("_vocabulary", "_rules_io"),
}


def _modules() -> list[str]:
    return sorted(path.stem for path in PACKAGE.glob("*.py") if path.stem != "__init__")


def _under_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and ast.unparse(node.test) in {
        "TYPE_CHECKING",
        "typing.TYPE_CHECKING",
    }


def _imported(tree: ast.AST) -> set[str]:
    """The package's modules that *tree* imports, at any depth, as their short names."""
    found: set[str] = set()
    todo: list[ast.AST] = [tree]
    while todo:
        node = todo.pop()
        if _under_type_checking(node):
            assert isinstance(node, ast.If)
            todo.extend(node.orelse)
            continue
        if isinstance(node, ast.ImportFrom):
            found |= _from(node)
        elif isinstance(node, ast.Import):
            found |= {_inside(alias.name) for alias in node.names} - {""}
        elif isinstance(node, ast.Call) and ast.unparse(node.func) == "importlib.import_module":
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found |= {_inside(first.value)} - {""}
        todo.extend(ast.iter_child_nodes(node))
    return found


def _inside(dotted: str) -> str:
    """``mesotherapy._plan`` → ``_plan``; a name outside the package → ``""``."""
    parts = dotted.split(".")
    return parts[1] if parts[0] == "mesotherapy" and len(parts) > 1 else ""


def _from(node: ast.ImportFrom) -> set[str]:
    if node.level == 0:
        return {_inside(node.module or "")} - {""}
    if node.module:
        return {node.module.split(".")[0]}
    # `from . import x`: each name that is a module of the package
    return {alias.name for alias in node.names} & set(_modules())


def _graph() -> dict[str, set[str]]:
    return {
        module: _imported(ast.parse((PACKAGE / f"{module}.py").read_text("utf-8"))) - {module}
        for module in _modules()
    }


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle of *graph*, as the modules along it, or ``None``."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state and (found := visit(module)):
            return found
    return None


def test_the_reader_sees_function_level_imports() -> None:
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "from ._a import x\n"
        "import mesotherapy._b\n"
        "if TYPE_CHECKING:\n    from ._c import y\n"
        "def f():\n    from ._d import z\n    return importlib.import_module('mesotherapy._e')\n"
    )
    assert _imported(tree) == {"_a", "_b", "_d", "_e"}


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": set()}, None),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
        ({"a": {"b"}, "b": {"b", "c"}, "c": set()}, ["b", "b"]),
    ],
)
def test_the_cycle_finder_reports_the_circle(
    graph: dict[str, set[str]], expected: list[str] | None
) -> None:
    assert _cycle(graph) == expected


def test_no_import_circle_among_the_modules() -> None:
    cycle = _cycle(_graph())
    assert cycle is None, "import circle: " + " → ".join(cycle or ())


def test_every_module_has_a_layer() -> None:
    assert set(_modules()) == set(RANK), "place each module in LAYERS"


def test_no_module_imports_a_higher_layer() -> None:
    upward = {
        (module, target)
        for module, targets in _graph().items()
        for target in targets
        if RANK[target] > RANK[module]
    }
    layer = {module: name for name, modules in LAYERS.items() for module in modules}
    new = sorted(f"{m} ({layer[m]}) imports {t} ({layer[t]})" for m, t in upward - STILL_UPWARD)
    assert not new
    assert upward >= STILL_UPWARD, f"no longer upward, remove: {sorted(STILL_UPWARD - upward)}"


@pytest.mark.parametrize("integration", ["ical", "fhir", "notebook"])
def test_the_core_never_imports_an_integration(integration: str) -> None:
    importers = {module for module, targets in _graph().items() if integration in targets}
    assert importers <= LAYERS["views and integrations"]


# --- One list of public names ---------------------------------------------------------


def _init() -> ast.Module:
    return ast.parse((PACKAGE / "__init__.py").read_text("utf-8"))


def _typing_imports() -> dict[str, str]:
    """Each name imported under ``if TYPE_CHECKING:`` of ``__init__``, with its module."""
    names: dict[str, str] = {}
    for node in _init().body:
        if _under_type_checking(node):
            assert isinstance(node, ast.If)
            for statement in node.body:
                if isinstance(statement, ast.ImportFrom) and statement.level == 1:
                    names |= {alias.name: f".{statement.module}" for alias in statement.names}
    return names


def _assigned(name: str) -> object:
    for node in _init().body:
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == name:
            return ast.literal_eval(node.value)
    raise AssertionError(name)


def test_the_public_names_are_listed_alike_three_times() -> None:
    exported = _assigned("__all__")
    lazy = _assigned("_LAZY")
    assert isinstance(exported, list)
    assert isinstance(lazy, dict)
    assert len(set(exported)) == len(exported)
    assert lazy == _typing_imports()
    assert set(exported) == set(lazy)
    assert exported == mesotherapy.__all__


@pytest.mark.parametrize("name", mesotherapy.__all__)
def test_every_public_name_comes_from_its_listed_module(name: str) -> None:
    lazy = _assigned("_LAZY")
    assert isinstance(lazy, dict)
    value = getattr(mesotherapy, name)
    assert getattr(sys.modules[f"mesotherapy{lazy[name]}"], name) is value


# --- The integrations as public submodules --------------------------------------------


@pytest.mark.parametrize(
    ("integration", "names", "extra"),
    [
        ("ical", ["to_ics", "busy_from_ics"], "icalendar"),
        ("fhir", ["to_fhir", "fhir_bundle", "rules_fhir"], "fhir"),
        ("notebook", ["to_frame", "plot"], "pandas"),
        ("notebook", ["to_frame", "plot"], "matplotlib"),
    ],
)
def test_an_integration_is_a_public_submodule_that_loads_its_extra_when_called(
    integration: str, names: list[str], extra: str
) -> None:
    code = (
        f"import sys, mesotherapy, mesotherapy.{integration} as sub\n"
        f"assert all(getattr(mesotherapy, n) is getattr(sub, n) for n in {names!r})\n"
        f"print(any(m.split('.')[0] == {extra!r} for m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"
