"""Every session of every plan read with libical (C) at the instants of the plan's JSON.

``python tests/clients/check_libical.py DIR BUILD`` compiles ``check_libical.c`` into the
folder BUILD against libical (found with ``pkg-config``), reads each ``NAME.ics`` of DIR
with it and compares every session's start and end with ``NAME.json`` (the files
``make_plans.py`` writes). Exits 1 listing every mismatch; exits 0 saying it skipped when
libical's headers (Debian's ``libical-dev``) or a C compiler are missing.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def build(folder: Path) -> Path | None:
    """The checker, compiled; ``None`` where libical or a compiler is missing."""
    compiler = shutil.which("cc")
    pkg_config = shutil.which("pkg-config")
    if compiler is None or pkg_config is None:
        return None
    flags = subprocess.run(
        [pkg_config, "--cflags", "--libs", "libical"], capture_output=True, text=True, check=False
    )
    if flags.returncode:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    program = folder / "check_libical"
    source = str(HERE / "check_libical.c")
    subprocess.run([compiler, "-O1", "-o", str(program), source, *flags.stdout.split()], check=True)
    return program


def main(plans: Path, folder: Path) -> int:
    program = build(folder)
    if program is None:
        print("libical: skipped (no libical headers or no C compiler)")  # noqa: T201
        return 0
    files = sorted(plans.glob("*.ics"))
    output = subprocess.run(
        [str(program), *map(str, files)], capture_output=True, text=True, check=True
    ).stdout
    read: dict[str, list[tuple[int, int]]] = {}
    for line in output.splitlines():
        if line.startswith("FILE "):
            current = read.setdefault(line[5:], [])
        elif line.startswith("S "):
            start, end = line[2:].split()
            current.append((int(start), int(end)))
    problems = []
    count = 0
    for file in files:
        document = json.loads(file.with_suffix(".json").read_text(encoding="utf-8"))
        want = [
            tuple(int(dt.datetime.fromisoformat(s[k]).timestamp()) for k in ("start", "end"))
            for s in document["sessions"]
        ]
        got = read.get(str(file), [])
        count += len(want)
        if got != want:
            problems.append(f"{file.name}: read {got}, JSON {want}")
    if problems or not files:
        print("\n".join(problems) or f"no .ics file in {plans}", file=sys.stderr)  # noqa: T201
        return 1
    version = subprocess.run(
        [shutil.which("pkg-config") or "pkg-config", "--modversion", "libical"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    read_right = f"{count} sessions of {len(files)} calendars read at the JSON's instants"
    print(f"libical {version}: {read_right}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
