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

Beside them, the library's own share: ``import mesotherapy`` and the first use of the core
(one `assess` and one `plan_series`, at a clinic without holidays) less the import of the
dependencies that use needs (attrs, pendulum), against its target of 30 ms; and the
demo less the import of its dependencies (attrs, pendulum, holidays), which shows what
of the demo's ratio the dependencies alone take.
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
OWN_TARGET_MS = 30.0

FIRST_USE = """
import mesotherapy as m, pendulum
result = m.assess(m.Client(birth_date="1985-03-02"), ["face"], on="2026-10-01")
m.plan_series(result, ["face"], clinic=m.example_clinic(holidays=None),
              start=pendulum.datetime(2026, 10, 20, 9, tz="America/Toronto"))
"""


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
            "import attrs, pendulum": [sys.executable, "-c", "import attrs, pendulum"],
            "import attrs, pendulum, holidays": [
                sys.executable,
                "-c",
                "import attrs, pendulum, holidays",
            ],
            "import mesotherapy + first use": [sys.executable, "-c", FIRST_USE],
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
    core_deps = best.pop("import attrs, pendulum")
    demo_deps = best.pop("import attrs, pendulum, holidays")
    first_use = best.pop("import mesotherapy + first use")
    for what, (wall, cpu) in best.items():
        print(
            f"{what}\n    {wall * 1e3:.1f} ms wall, {cpu * 1e3:.1f} ms CPU   ratio to "
            f"python -c pass {wall / floor_wall:.1f} wall, {cpu / floor_cpu:.1f} CPU "
            f"(target at most {TARGET:g})"
        )
    demo_wall = best["python -m mesotherapy demo"][0]
    print(
        f"its dependencies alone (import attrs, pendulum, holidays): {demo_deps[0] * 1e3:.1f} ms"
        f" wall, ratio to python -c pass {demo_deps[0] / floor_wall:.1f}; the demo over them "
        f"{(demo_wall - demo_deps[0]) * 1e3:.1f} ms"
    )
    own = first_use[0] - core_deps[0]
    print(
        f"import mesotherapy + first use (assess + plan_series): {first_use[0] * 1e3:.1f} ms "
        f"wall, less import attrs, pendulum ({core_deps[0] * 1e3:.1f} ms): {own * 1e3:.1f} ms "
        f"(target at most {OWN_TARGET_MS:g} ms); CPU {(first_use[1] - core_deps[1]) * 1e3:.1f} ms"
    )


if __name__ == "__main__":
    main()
