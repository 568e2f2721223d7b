"""The DuckDB engine's memory bound: a default limit, spilling into a private folder that goes away."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from click.testing import CliRunner

from recon.api import open_database
from recon.cli import main
from recon.config import load_project
from recon.config.schema import DEFAULT_MEMORY_LIMIT
from recon.db import Database


def _setting(db: Database, name: str) -> str:
    return db.scalar(f"SELECT current_setting('{name}')")


def test_a_run_gets_the_default_memory_limit_unless_the_config_sets_one(make_project):
    project = load_project(make_project("sources: {}\n", {}))
    assert project.config.engine.memory_limit == DEFAULT_MEMORY_LIMIT
    db = open_database(project)
    assert _setting(db, "memory_limit") == "1.5 GiB"
    db.close()
    project = load_project(make_project("engine: {memory_limit: 3GiB}\nsources: {}\n", {}))
    db = open_database(project)
    assert _setting(db, "memory_limit") == "3.0 GiB"
    db.close()


def test_spilling_goes_to_a_private_folder_removed_at_close():
    db = Database(memory_limit="64MiB", threads=1)
    spill = _setting(db, "temp_directory")
    assert os.path.dirname(spill) == tempfile.gettempdir() and os.path.basename(spill).startswith("recon-spill-")
    # About 300 MB of distinct strings cannot stay within 64 MiB: DuckDB must spill to finish.
    db.execute("CREATE TEMP TABLE big AS SELECT i, md5(i::VARCHAR) || md5((i + 1)::VARCHAR) AS s "
               "FROM range(3000000) t(i)")
    assert db.scalar("SELECT count(DISTINCT s) FROM big") == 3_000_000
    assert os.listdir(spill), "nothing was spilled: the limit did not apply"
    db.close()
    assert not os.path.exists(spill)


def test_spill_folders_of_killed_runs_are_removed_by_the_next_run():
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, check=True)
    dead = Path(tempfile.gettempdir()) / f"recon-spill-{int(finished.stdout)}-killed"
    alive = Path(tempfile.gettempdir()) / f"recon-spill-{os.getppid()}-running"
    for folder in (dead, alive):
        folder.mkdir(exist_ok=True)
        (folder / "duckdb_temp_block-1.block").write_bytes(b"x" * 1024)
    try:
        db = Database(memory_limit="1GiB")
        assert not dead.exists()  # its process is gone: a run killed with kill -9 left it
        assert alive.exists()  # its process still runs: maybe a run in progress
        db.close()
    finally:
        shutil.rmtree(dead, ignore_errors=True)
        shutil.rmtree(alive, ignore_errors=True)


def test_a_database_file_spills_where_duckdb_puts_it(tmp_path):
    db = Database(tmp_path / "work.duckdb", memory_limit="1GiB")
    assert "recon-spill-" not in _setting(db, "temp_directory")
    db.close()


def test_a_run_that_outgrows_the_memory_limit_says_which_setting_to_raise(tmp_path):
    sample = tmp_path / "sample"
    shutil.copytree(Path(__file__).resolve().parents[1] / "sample_data", sample)
    config = sample / "recon.yaml"
    config.write_text(config.read_text().replace("version: 1\n", "version: 1\nengine: {memory_limit: 4MB}\n", 1))
    result = CliRunner().invoke(main, ["run", "--config", str(config), "--out", str(tmp_path / "o"), "--dry-run"])
    assert result.exit_code == 2
    assert "ran out of its memory limit" in result.output and "raise engine.memory_limit" in result.output
    assert "internal error" not in result.output and "Traceback" not in result.output
