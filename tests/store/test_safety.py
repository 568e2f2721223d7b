"""Unattended runs: a second run on the same state is refused (exit 4); a killed run changes nothing.

These start real `python -m recon run` processes and stop them at a known point with the
RECON_TEST_HOLD_AT seam (recon.store.state.hold_point), then SIGKILL them.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from recon.errors import EXIT_LOCKED, LockedError
from recon.store.lock import StateLock
from recon.store.state import open_state

DAY1, DAY2, DAY3 = "2026-11-20T06:00:00Z", "2026-11-21T06:00:00Z", "2026-11-22T06:00:00Z"


def start_held(project, as_of: str, point: str, out: Path | None = None) -> tuple[subprocess.Popen[bytes], Path]:
    """A real run that stops at `point` and waits; returns once it has got there."""
    flag = project.root / f"held-{point}"
    env = {**os.environ, "RECON_TEST_HOLD_AT": point, "RECON_TEST_HOLD_FILE": str(flag),
           "RECON_TEST_HOLD_SECONDS": "60"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "recon", "run", "--config", str(project.config), "--as-of", as_of, "--quiet",
         "--out", str(out or project.root / "out" / "held")],
        env=env, cwd=project.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not flag.exists():
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"run ended before {point}: {proc.returncode}\n{out.decode()}\n{err.decode()}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"run never reached {point}")
        time.sleep(0.05)
    return proc, flag


def kill(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.communicate()


def test_a_second_run_is_refused_while_one_holds_the_lock(project):
    project.untracked("SH1")
    proc, _ = start_held(project, DAY1, "run.locked")
    try:
        second = project.cli("run", "--as-of", DAY1, "--out", str(project.root / "out" / "second"))
        assert second.exit_code == EXIT_LOCKED
        assert "locked by another recon run" in second.output and f"pid {proc.pid}" in second.output
        assert "Traceback" not in second.output
        as_json = project.cli("run", "--as-of", DAY1, "--json")
        assert as_json.exit_code == EXIT_LOCKED and json.loads(as_json.stdout)["exit_code"] == EXIT_LOCKED
        # reading the history and acking do not need the run lock
        assert project.cli("history").exit_code == 0
    finally:
        kill(proc)
    # the kernel released the dead run's lock: no stale lock file to clean up
    _, summary = project.run(DAY1)
    assert summary["lifecycle"]["new"] == 1


def test_a_run_killed_mid_transaction_leaves_the_previous_state_intact(project):
    project.untracked("SH1", "SH2")
    _, first = project.run(DAY1)
    with open_state(project.state) as store:
        before = store.db.rows(f"SELECT * FROM {store.t('exceptions')} ORDER BY exception_id")
    project.untracked("SH3")
    proc, _ = start_held(project, DAY2, "store.commit")  # inside the transaction, every row written
    kill(proc)

    with open_state(project.state) as store:
        assert [r["run_id"] for r in store.runs()] == [first["run_id"]]
        assert store.db.rows(f"SELECT * FROM {store.t('exceptions')} ORDER BY exception_id") == before
    history = project.cli("history", "--json")
    assert history.exit_code == 0 and len(json.loads(history.stdout)["runs"]) == 1

    _, after = project.run(DAY2)  # the same run again, now to completion
    lc = after["lifecycle"]
    assert lc["previous_run_id"] == first["run_id"]
    assert (lc["new"], lc["resolved"]) == (1, 2)


def test_a_run_killed_while_loading_records_nothing(project):
    project.untracked("SH1")
    _, first = project.run(DAY1)
    proc, _ = start_held(project, DAY2, "run.locked")
    kill(proc)
    with open_state(project.state) as store:
        assert [r["run_id"] for r in store.runs()] == [first["run_id"]]


def test_the_lock_is_exclusive_and_released(tmp_path):
    state = tmp_path / "s.duckdb"
    with StateLock(state, "run-a"):
        with pytest.raises(LockedError) as caught:
            StateLock(state, "run-b").acquire()
        assert caught.value.exit_code == EXIT_LOCKED
        assert "run run-a" in caught.value.render()
    with StateLock(state, "run-c") as again:
        assert again.held


# Every point where a run has written part of its outputs, in the order it reaches them; the
# state transaction (store.commit) falls between the last file and the publication.
OUTPUT_STEPS = ("outputs.exceptions", "outputs.rejects", "outputs.queues", "outputs.report", "outputs.summary",
                "store.commit", "outputs.publish")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def run_ids(files: dict[str, bytes]) -> set[str]:
    """The run ids a folder's files name: summary.json's, and the run_id column of every exception CSV."""
    ids = {json.loads(files["summary.json"])["run_id"]}
    for name, data in files.items():
        if name.endswith(".csv") and name != "rejects.csv":
            ids |= {line.split(",")[0] for line in data.decode().splitlines()[1:]}
    return ids


def test_a_run_killed_while_writing_its_outputs_leaves_the_previous_runs_folder(project):
    out = project.root / "out" / "reused"
    project.untracked("SH1", "SH2")
    first = project.cli("run", "--as-of", DAY1, "--out", str(out))
    assert first.exit_code == 0, first.output
    before = snapshot(out)
    assert run_ids(before) == {json.loads(before["summary.json"])["run_id"]}
    project.untracked("SH3")  # the killed runs would write other exceptions and another queue
    for point in OUTPUT_STEPS:
        proc, _ = start_held(project, DAY2, point, out=out)
        kill(proc)
        assert snapshot(out) == before, point
    # killed after the new folder is in place: the new run's files, all of them, none of the old
    proc, _ = start_held(project, DAY3, "outputs.published", out=out)
    kill(proc)
    after = snapshot(out)
    assert after != before and len(run_ids(after)) == 1
    assert set(json.loads(after["summary.json"])["outputs"]) == set(after)
    rerendered = project.cli("report", "--dir", str(out))
    assert rerendered.exit_code == 0, rerendered.output
    # the staging folders of the killed runs are gone after the next run into the same folder
    assert project.cli("run", "--as-of", DAY3, "--out", str(out)).exit_code == 0
    assert sorted(p.name for p in out.parent.iterdir()) == ["reused"]
