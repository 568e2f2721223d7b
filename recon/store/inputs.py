"""What a run read, as hashes: the config, the rule packs and every input file.

These identify a run's inputs for the history (which extract was this?) and make reruns
idempotent: the same config, the same files and the same as-of give the same fingerprint, and a
run with a known fingerprint replaces the earlier one instead of adding a duplicate.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from recon import files as filesys
from recon.config import Project
from recon.rules.registry import BUNDLED_DIR, pack_paths

CHUNK = 1 << 20


@dataclass(frozen=True)
class InputFile:
    source: str
    file: str  # as shown to people: relative to the config's folder when under it
    size_bytes: int
    sha256: str
    modified_at: datetime


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def input_files(project: Project, as_of: date | None = None) -> list[InputFile]:
    """Every file each source reads now (dated snapshots: the ones chosen for `as_of`), hashed.

    A source with no file simply has none.
    """
    out: list[InputFile] = []
    for name, source in project.config.sources.items():
        for path in filesys.source_files(project.resolve(source.path), source.select, as_of).paths:
            try:
                stat = path.stat()
                digest = sha256_file(path)
            except OSError:
                continue  # the loader reports an unreadable file with a better message
            out.append(InputFile(name, filesys.display_path(path, project.root), stat.st_size, digest,
                                 datetime.fromtimestamp(stat.st_mtime, UTC).replace(microsecond=0)))
    return out


def inputs_hash(files: Iterable[InputFile]) -> str:
    lines = sorted(f"{f.source}\t{f.file}\t{f.sha256}" for f in files)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def config_hash(project: Project) -> str:
    try:
        return sha256_file(project.path)
    except OSError:
        return hashlib.sha256(project.config.model_dump_json().encode()).hexdigest()


def rule_pack_hashes(project: Project) -> dict[str, str]:
    """sha256 of each rule pack the config names (bundled packs as `bundled/NAME.yaml`)."""
    paths, _ = pack_paths(getattr(project.config, "rules", None), project.root)
    out: dict[str, str] = {}
    for path in paths:
        try:
            digest = sha256_file(path)
        except OSError:
            continue
        try:
            shown = f"bundled/{path.resolve().relative_to(BUNDLED_DIR.resolve())}"
        except ValueError:
            shown = filesys.display_path(path, project.root)
        out[shown] = digest
    return out


def fingerprint(config_digest: str, inputs_digest: str, as_of: datetime) -> str:
    """Same config, same inputs, same as-of: the same run, so a rerun replaces it."""
    text = f"{config_digest}|{inputs_digest}|{as_of.astimezone(UTC).isoformat()}"
    return hashlib.sha256(text.encode()).hexdigest()
