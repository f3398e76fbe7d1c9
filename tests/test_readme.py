"""The README's examples run as written."""

from __future__ import annotations

import doctest
import re
import sys
import tomllib
from pathlib import Path

import pytest

from mesotherapy import MissingExtraError
from mesotherapy._extras import require

README = Path(__file__).parent.parent / "README.md"


def test_readme_examples_run() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text("utf-8"), flags=re.DOTALL)
    assert blocks, "the README has python examples"
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    test = parser.get_doctest("\n".join(blocks), {}, "README.md", str(README), 0)
    result = runner.run(test)
    assert result.attempted > 0
    assert result.failed == 0


ROOT = README.parent
EXTRAS = set(
    tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["optional-dependencies"]
)
_HINT = re.compile(r"pip install '(?P<what>mesotherapy|\.)\[(?P<extra>[a-z,]+)\]'")


def _documents() -> list[Path]:
    return [README, *sorted((ROOT / "docs").rglob("*.md"))]


def test_every_install_hint_names_an_extra_the_project_has() -> None:
    hints = [
        (path.name, match["what"], match["extra"])
        for path in _documents()
        for match in _HINT.finditer(path.read_text("utf-8"))
    ]
    assert hints
    for name, _, extra in hints:
        assert set(extra.split(",")) <= EXTRAS, (name, extra)


def test_every_document_that_installs_from_an_index_says_how_from_a_clone() -> None:
    # The project is used from a clone as much as from an index, where `mesotherapy[x]`
    # names nothing: each hint of that form has the clone's `.[x]` beside it.
    for path in _documents():
        found = {(m["what"], m["extra"]) for m in _HINT.finditer(path.read_text("utf-8"))}
        for what, extra in found:
            if what == "mesotherapy":
                assert (".", extra) in found, (path.name, extra)


def test_the_set_up_installs_what_the_readme_examples_need() -> None:
    setup = README.read_text("utf-8").split("## Set up", 1)[1].split("##", 1)[0]
    assert "python3 -m pip install '.[all]'" in setup


def test_a_missing_extra_says_how_to_install_it_from_an_index_and_from_a_clone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "icalendar", None)  # an import of it now fails
    with pytest.raises(MissingExtraError) as caught:
        require("icalendar", "ical")
    message = str(caught.value)
    assert "pip install 'mesotherapy[ical]'" in message
    assert "pip install '.[ical]'" in message
    assert "pip install 'icalendar>=" in message  # the packages themselves, from metadata
