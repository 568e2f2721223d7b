"""`recon init`: a commented recon.yaml from a site's own extract files.

profile (read and profile each file) -> guess (system, entity, column mapping per file; pure)
-> propose (normalisers, lookups, time zones, EDI sources across files; pure) -> render (the
YAML text; pure) and coverage (which bundled rules will run). Nothing here prints or asks: the
CLI (recon/cli/init.py) renders and writes.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, replace
from pathlib import Path

from recon.db import Database
from recon.formats import FORMATS
from recon.scaffold import joins
from recon.scaffold.coverage import RuleCoverage, coverage
from recon.scaffold.guess import Guess, Unclassified, guess
from recon.scaffold.profile import FileProfile, profile_file
from recon.scaffold.propose import Plan, plan
from recon.scaffold.render import render

# What a folder holds that is not an extract: recon's own files and outputs, VCS and editor files.
SKIPPED_NAMES = {"recon.yaml", "recon.yml", "truth.csv"}
SKIPPED_SUFFIXES = {".duckdb", ".lock", ".wal", ".yaml", ".yml", ".md", ".txt", ".py", ".sql", ".html", ".log",
                    ".tmp"}
SKIPPED_FOLDERS = {"out", "node_modules", "__pycache__"}


@dataclass(frozen=True)
class Scaffold:
    plan: Plan
    text: str  # recon.yaml
    coverage: list[RuleCoverage]
    files: int


def extract_files(paths: list[Path]) -> list[Path]:
    """The files under the given files and folders, sorted; hidden files, recon's own files
    (configs, state, outputs) and documents are left out."""
    found: set[Path] = set()
    for path in paths:
        if path.is_file():
            found.add(path)
            continue
        for child in path.rglob("*"):
            rel = child.relative_to(path).parts
            if not child.is_file() or any(p.startswith(".") or p in SKIPPED_FOLDERS for p in rel):
                continue
            if child.name in SKIPPED_NAMES or child.suffix.lower() in SKIPPED_SUFFIXES:
                continue
            found.add(child)
    return sorted(found)


def scaffold(paths: list[Path], config: Path) -> Scaffold:
    """Profile every extract under `paths` and plan the config to be written at `config`."""
    base = config.resolve().parent
    files = extract_files([p.resolve() for p in paths])
    db = Database()
    try:
        profiles = [profile_file(db, f, _shown(f, base)) for f in files]
        planned = _plan(db, profiles, base)
    finally:
        db.close()
    command = "recon init " + " ".join(shlex.quote(str(p)) for p in paths)
    return Scaffold(planned, render(planned, command), coverage(planned), len(files))


def _plan(db: Database, profiles: list[FileProfile], base: Path) -> Plan:
    guesses: list[Guess] = []
    edi: list[FileProfile] = []
    unclassified: list[Unclassified] = []
    for p in profiles:
        if p.format and not p.problem and FORMATS[p.format].is_edi:
            edi.append(p)
            continue
        result = guess(p, base)
        if isinstance(result, Guess):
            guesses.append(result)
        else:
            unclassified.append(Unclassified(result.profile, result.reason, _shown(p.path, base)))
    planned = plan(guesses, edi, unclassified, base)
    return replace(planned, lookups=tuple(joins.infer(db, lk, guesses) for lk in planned.lookups))


def _shown(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return str(path)


__all__ = ["Scaffold", "extract_files", "scaffold"]
