"""Which files a source's glob names, and how we show them to people.

A leaf module: the loader reads these files, the run store hashes them and validation checks them.
"""

from __future__ import annotations

import glob
from pathlib import Path

from recon.errors import Problem, did_you_mean


def display_path(path: Path, root: Path) -> str:
    """Paths relative to the config's folder when they live under it: shorter and machine-independent."""
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def expand(pattern: Path) -> list[Path]:
    """Files matching a glob, sorted so that load order (and so lineage) is the same on every run."""
    text = str(pattern)
    if not glob.has_magic(text):
        return [pattern] if pattern.is_file() else []
    return sorted(Path(p) for p in glob.glob(text, recursive=True) if Path(p).is_file())


def no_match_problem(source: str, pattern: Path, root: Path, raw_pattern: str) -> Problem:
    """Say what is there instead, so a wrong folder or extension is obvious."""
    parent = pattern.parent
    while glob.has_magic(str(parent)):
        parent = parent.parent
    hint = None
    if parent.is_dir():
        present = sorted(p.name for p in parent.iterdir())[:8]
        close = did_you_mean(pattern.name, present) if not glob.has_magic(pattern.name) else None
        hint = close or (f"{display_path(parent, root)}/ holds: {', '.join(present)}" if present else
                         f"{display_path(parent, root)}/ is empty")
    else:
        hint = f"folder {display_path(parent, root)} does not exist"
    return Problem.of("I002", pattern=raw_pattern, path=f"sources.{source}.path", hint=hint)
