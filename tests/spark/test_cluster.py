"""Spark on a real standalone cluster (a master and two workers on 127.0.0.1), not only local[2].

`recon run` is a separate process here, as a nightly job would start it: nothing in its
environment names the executors' Python (PYSPARK_PYTHON is removed), so recon must set it
itself; the exceptions must equal DuckDB's, and Spark's stage progress bars must not reach a
non-terminal stderr. Executors whose Python lacks recon's dependencies are a named problem
(E012, exit 2) before any data is read, not a PythonException in the middle of the rules.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from recon import api
from recon.errors import EXIT_USAGE
from recon.sample import generate
from tests.spark.cluster import Cluster, standalone
from tests.spark.conftest import TEST_CONF

AS_OF = datetime(2026, 11, 20, 6, tzinfo=UTC)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with standalone(tmp_path_factory.mktemp("cluster")) as running:
        yield running


def engine_yaml(master: str, extra: dict[str, Any] | None = None) -> str:
    conf = {**TEST_CONF, "spark.executor.memory": "512m", **(extra or {})}
    lines = "\n".join(f"      {k}: {str(v).lower() if isinstance(v, bool) else v}" for k, v in conf.items())
    return f'\nengine:\n  name: spark\n  spark:\n    master: "{master}"\n    conf:\n{lines}\n'


def recon_run(config: Path, out: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYSPARK_PYTHON", "PYSPARK_DRIVER_PYTHON")}
    return subprocess.run([sys.executable, "-m", "recon", "run", "--config", str(config), "--out", str(out),
                           "--dry-run"], capture_output=True, text=True, env=env, timeout=2400, check=False)


def rows(path: Path) -> list[tuple[Any, ...]]:
    return duckdb.connect().execute(
        f"SELECT * EXCLUDE (run_id) FROM read_parquet('{path}') ORDER BY exception_id").fetchall()


def test_exceptions_on_the_cluster_equal_duckdbs(cluster: Cluster, tmp_path: Path) -> None:
    site = tmp_path / "site"
    generate(site, orders=60, seed=11, as_of=AS_OF)
    config = site / "recon.yaml"
    base = config.read_text()
    duck = api.run(config, out=tmp_path / "duckdb", dry_run=True, engine="duckdb")
    config.write_text(base + engine_yaml(cluster.master))
    result = recon_run(config, tmp_path / "spark")
    assert result.returncode == duck.exit_code, result.stdout + result.stderr
    on_cluster = rows(tmp_path / "spark" / "exceptions.parquet")
    assert len(on_cluster) > 20
    assert on_cluster == rows(duck.out_dir / "exceptions.parquet")
    assert "[Stage" not in result.stderr  # no progress bars on a non-terminal stderr
    assert "PythonException" not in result.stdout + result.stderr


def test_executors_without_recons_python_are_a_named_problem(cluster: Cluster, tmp_path: Path) -> None:
    bare = tmp_path / "bare"  # the same Python version, none of recon's packages
    venv.create(bare, with_pip=False)
    python = bare / "bin" / "python"
    site = tmp_path / "site"
    generate(site, orders=20, seed=3, as_of=AS_OF)
    config = site / "recon.yaml"
    config.write_text(config.read_text() + engine_yaml(cluster.master, {"spark.pyspark.python": python}))
    result = recon_run(config, tmp_path / "out")
    output = result.stdout + result.stderr
    assert result.returncode == EXIT_USAGE, output
    assert "E012" in output and str(python) in output and "spark.pyspark.python" in output
    assert "internal error" not in output and "PythonException" not in output
    assert not (tmp_path / "out" / "exceptions.parquet").exists()
