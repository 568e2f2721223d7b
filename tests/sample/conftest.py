"""Fixtures for the sample generator: one generated distributor per session, loaded once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from recon.config import Project, load_project
from recon.db import Database
from recon.load.loader import Loader, LoadReport
from recon.sample import generate

AS_OF = datetime(2026, 11, 20, 6, tzinfo=UTC)


@dataclass
class Loaded:
    project: Project
    db: Database
    report: LoadReport


def load(config: Path) -> Loaded:
    """Load every source of a generated sample (no rules), as `recon run` does first."""
    project = load_project(config)
    db = Database()
    return Loaded(project, db, Loader(project, db, "test").load_all())


@pytest.fixture(scope="session")
def make_sample(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """Generate a sample into a fresh folder: make_sample(seed=7, orders=300, ...)."""

    def make(*, seed: int = 7, orders: int = 300, as_of: datetime = AS_OF, chunk_size: int = 5000) -> Path:
        out = tmp_path_factory.mktemp(f"sample-{seed}-{orders}-{chunk_size}")
        generate(out, orders=orders, seed=seed, as_of=as_of, chunk_size=chunk_size)
        return out

    return make


@pytest.fixture(scope="session")
def sample_dir(make_sample: Callable[..., Path]) -> Path:
    return make_sample()


@pytest.fixture(scope="session")
def loaded(sample_dir: Path) -> Loaded:
    return load(sample_dir / "recon.yaml")
