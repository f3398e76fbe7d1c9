"""Diary folders for the tests: the basic diary of ``tests/diaries/basic``, changed at will."""

from __future__ import annotations

import shutil
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import tomli_w

BASIC = Path(__file__).parent / "diaries" / "basic"


def basic_diary() -> dict[str, Any]:
    """The basic diary file's TOML, as data."""
    return tomllib.loads((BASIC / "diary.toml").read_text("utf-8"))


def diary_folder(folder: Path, change: Callable[[dict[str, Any]], object] | None = None) -> Path:
    """The basic diary copied into *folder*, its TOML changed by *change*; its path."""
    shutil.copytree(BASIC, folder, dirs_exist_ok=True)
    data = basic_diary()
    if change is not None:
        change(data)
    path = folder / "diary.toml"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path
