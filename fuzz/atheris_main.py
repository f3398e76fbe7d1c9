"""The byte-level fuzzing of the loaders and the command line, under libFuzzer (atheris).

Each input's first byte picks a target; the rest is the file or the text it reads:
a rule file, a clinic file, a JSON document of each kind, a client file given to the
command line, a span. The targets are those of the hypothesis session (``targets.py``),
so the same rule holds: only the library's own errors may come out.

Run ``python fuzz/atheris_main.py -runs=50000 fuzz/corpus`` (``nox -s fuzz`` does);
libFuzzer's own options apply. Without atheris installed, it says so and exits 0.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

WRITE_EVERY = 500
"""Inputs between two additions to the counts file: libFuzzer ends the process itself."""

targets: Any = None
meso: Any = None
TARGETS: tuple[Callable[[bytes], object], ...] = ()


def _load(instrument: Callable[[], Any] | None) -> None:
    """Import the library and the targets, instrumented for coverage when atheris runs."""
    global targets, meso, TARGETS  # noqa: PLW0603 - set once, before the first input
    modules: list[ModuleType] = []
    if instrument is None:
        modules = [importlib.import_module(name) for name in ("targets", "mesotherapy")]
    else:
        with instrument():
            modules = [importlib.import_module(name) for name in ("targets", "mesotherapy")]
    targets, meso = modules
    TARGETS = (
        targets.load_rules,
        lambda data: targets.load_rules(data, extends_default=True),
        targets.load_clinic,
        _json_target(meso.Client),
        _json_target(meso.RuleSet),
        _json_target(meso.Assessment),
        _json_target(meso.TreatmentPlan),
        _cli_plan,
        _cli_rules,
        _span,
    )


def _json_target(cls: type[object]) -> Callable[[bytes], object]:
    return lambda data: targets.from_json(data, cls)


def _cli_plan(data: bytes) -> object:
    return targets.cli(
        ["plan", "@@client.json", "--areas", "face", "--start", "2026-10-20T09:00"],
        {"client.json": data},
    )


def _cli_rules(data: bytes) -> object:
    return targets.cli(["rules", "check", "@@rules.toml"], {"rules.toml": data})


def _span(data: bytes) -> object:
    return targets.span_parse(data.decode("utf-8", "replace"))


def one_input(data: bytes) -> None:
    """Feed *data* (less its first byte, which picks the target) to one target."""
    if not data:
        return
    try:
        TARGETS[data[0] % len(TARGETS)](data[1:])
    finally:
        if sum(targets.COUNTS.values()) >= WRITE_EVERY:
            targets.write_counts()


def seeds(directory: Path) -> None:
    """Write the real documents to *directory*, one file a target, as libFuzzer's corpus."""
    directory.mkdir(parents=True, exist_ok=True)
    examples = Path(__file__).parent.parent / "docs" / "examples"
    documents = targets.seed_documents()
    files = {
        0: (examples / "clinic-rules.toml").read_bytes(),
        1: (examples / "clinic-rules.toml").read_bytes(),
        2: (examples / "clinic.toml").read_bytes(),
        3: documents["client"].encode(),
        4: documents["rules"].encode(),
        5: documents["assessment"].encode(),
        6: documents["plan"].encode(),
        7: (examples / "eligible.json").read_bytes(),
        8: (examples / "clinic-rules.toml").read_bytes(),
        9: b"P2W3DT4H",
    }
    for index, data in files.items():
        (directory / f"seed-{index}").write_bytes(bytes([index]) + data)


def main() -> None:
    """Run libFuzzer over `one_input`, then add the inputs counted to the counts file."""
    try:
        # Optional: not every Python has a wheel of it.
        import atheris  # type: ignore[import-untyped]  # noqa: PLC0415
    except ImportError:
        print("atheris is not installed here: the byte-level fuzzing is skipped")
        return
    _load(atheris.instrument_imports)
    corpus = [arg for arg in sys.argv[1:] if not arg.startswith("-")]
    for directory in corpus:
        seeds(Path(directory))
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
