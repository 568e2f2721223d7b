"""Shared test helpers: a throwaway project folder with a config and extract files."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

# Timing is a benchmark's job (make bench), not a test's: on a busy 2-core CI machine a per-example
# deadline only produces flaky failures.
settings.register_profile("recon", deadline=None, print_blob=True)
settings.load_profile("recon")


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., Path]:
    """Write recon.yaml and the given files under tmp_path; return the config path."""

    def make(config: str, files: dict[str, str | bytes] | None = None) -> Path:
        for name, content in (files or {}).items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
        config_path = tmp_path / "recon.yaml"
        config_path.write_text(textwrap.dedent(config).lstrip("\n"), encoding="utf-8")
        return config_path

    return make
