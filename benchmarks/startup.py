"""The command line's start: ``python benchmarks/startup.py`` (run by ``nox -s bench``).

The best time of ``python -m mesotherapy demo`` (and of the ``mesotherapy`` console script,
when it is installed beside the interpreter), each a fresh process, beside the best time
of ``python -c pass``: the ratio is what the demo costs over starting Python at all. Both
the wall time and the processes' own CPU time are printed: on a shared machine the wall
clock also counts other processes' turns on the cores.

Compiled bytecode is cached, as an installed package's is: with ``PYTHONDONTWRITEBYTECODE``
set the runs cache it under a temporary ``PYTHONPYCACHEPREFIX`` instead, and a first
untimed run fills the cache. Nothing here is asserted: the figures are printed beside
the target, and docs/benchmarks.md records them.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 8.0


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _time(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """The wall time and the CPU time of one run of *command*, a fresh process."""
    cpu, begin = _children_cpu(), time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - begin, _children_cpu() - cpu


def _best(
    commands: dict[str, list[str]], runs: int, env: dict[str, str]
) -> dict[str, tuple[float, float]]:
    """The best wall time and the best CPU time of each command over *runs* rounds.

    Each round runs every command once, in turn: a busy spell of the machine falls on all
    of them alike.
    """
    for command in commands.values():
        subprocess.run(command, check=True, capture_output=True, env=env)  # fills the caches
    times: dict[str, list[tuple[float, float]]] = {what: [] for what in commands}
    for _ in range(runs):
        for what, command in commands.items():
            times[what].append(_time(command, env))
    return {
        what: (min(w for w, _ in found), min(c for _, c in found)) for what, found in times.items()
    }


def main() -> None:
    """Time each command, print the figures and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="fresh processes a command")
    args = parser.parse_args()
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as cache:
        if env.pop("PYTHONDONTWRITEBYTECODE", None):
            env["PYTHONPYCACHEPREFIX"] = cache
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "python -m mesotherapy demo": [sys.executable, "-m", "mesotherapy", "demo"],
        }
        script = shutil.which("mesotherapy", path=str(Path(sys.executable).parent))
        if script is not None:
            commands["mesotherapy demo (the console script)"] = [script, "demo"]
        best = _best(commands, args.runs, env)
    floor_wall, floor_cpu = best.pop("python -c pass")
    print(
        f"python -c pass: {floor_wall * 1e3:.1f} ms wall, {floor_cpu * 1e3:.1f} ms CPU "
        f"(best of {args.runs} rounds)"
    )
    for what, (wall, cpu) in best.items():
        print(
            f"{what}\n    {wall * 1e3:.1f} ms wall, {cpu * 1e3:.1f} ms CPU   ratio to "
            f"python -c pass {wall / floor_wall:.1f} wall, {cpu / floor_cpu:.1f} CPU "
            f"(target at most {TARGET:g})"
        )


if __name__ == "__main__":
    main()
