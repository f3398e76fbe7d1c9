"""Print how many inputs each fuzz target was given, and add them to a counts file.

``MESOTHERAPY_FUZZ_COUNTS`` names a JSON file that the counts are added to (the ``fuzz``
session of ``noxfile.py`` sums the hypothesis and the atheris runs there).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import targets


def pytest_configure(config: pytest.Config) -> None:
    """Garbage makes long reprs by design: hypothesis's warning about them is no failure."""
    config.addinivalue_line("filterwarnings", "ignore::hypothesis.errors.HypothesisWarning")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The inputs per target, and in total."""
    counts = dict(sorted(targets.COUNTS.items()))
    if not counts:
        return
    terminalreporter.section("fuzz inputs")
    width = max(len(name) for name in counts)
    for name, count in counts.items():
        terminalreporter.write_line(f"{name:<{width}}  {count:>9,}")
    terminalreporter.write_line(f"{'total':<{width}}  {sum(counts.values()):>9,}")
    for test, hits in sorted(targets.KNOWN_HITS.items()):
        terminalreporter.write_line(f"known failure, {hits:,} inputs: {test}")
    targets.write_counts()
