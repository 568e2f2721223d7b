"""Exit codes are the documented ones with or without --debug, and the environment (outputs, lock,
state file, memory limit) fails as a named problem before any data is read, never as an
"internal error"."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from recon import api
from recon.cli import main
from recon.load.loader import Loader
from tests.cli.test_cli import FILES, GOOD

AS_OF = ["--as-of", "2026-11-20T06:00:00"]


def run(config: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["run", "--config", str(config), *AS_OF, *args])
    return result.exit_code, result.output


@pytest.fixture
def no_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if any extract is read: the environment must be checked before loading."""

    def refuse(self: Loader) -> None:
        raise AssertionError("loading started although the run could not be recorded")

    monkeypatch.setattr(Loader, "load_all", refuse)


@pytest.mark.parametrize("debug", [[], ["--debug"]])
def test_missing_config_is_exit_2_with_or_without_debug(tmp_path: Path, debug: list[str]) -> None:
    result = CliRunner().invoke(main, ["validate", "--config", str(tmp_path / "nope.yaml"), *debug])
    assert result.exit_code == 2 and "[C001]" in result.output and "file not found" in result.output
    assert ("Traceback" in result.output) == bool(debug)


@pytest.mark.parametrize("debug", [[], ["--debug"]])
def test_strict_with_a_missing_file_is_exit_3_with_or_without_debug(make_project, tmp_path: Path,
                                                                     debug: list[str]) -> None:
    config = make_project(GOOD, {"erp/orders.csv": FILES["erp/orders.csv"]})
    code, output = run(config, "--out", str(tmp_path / "o"), "--strict", *debug)
    assert code == 3 and "wms/orders.jsonl" in output


@pytest.mark.parametrize("debug", [[], ["--debug"]])
def test_an_unexpected_error_is_exit_2_never_bar_broken(make_project, monkeypatch: pytest.MonkeyPatch,
                                                         debug: list[str]) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("kaput [/] \x1b[2J")

    monkeypatch.setattr(api, "validate", boom)
    result = CliRunner().invoke(main, ["validate", "--config", str(make_project(GOOD, FILES)), *debug])
    assert result.exit_code == 2
    assert "internal error" in result.output and "kaput [/] \\x1b[2J" in result.output
    assert "\x1b" not in result.output


def test_a_memory_limit_duckdb_cannot_read_fails_validate(make_project) -> None:
    text = GOOD + "engine:\n  memory_limit: lots\n"
    config = make_project(text, FILES)
    line = text.lstrip("\n").splitlines().index("  memory_limit: lots") + 1
    result = CliRunner().invoke(main, ["validate", "--config", str(config), "--json"])
    assert result.exit_code == 2
    [problem] = json.loads(result.output)["problems"]
    assert problem["path"] == "engine.memory_limit" and problem["line"] == line and "'lots'" in problem["message"]


@pytest.mark.parametrize("limit", ["0GB", "0%"])
def test_a_zero_memory_limit_fails_validate(make_project, limit: str) -> None:
    config = make_project(GOOD + f"engine:\n  memory_limit: '{limit}'\n", FILES)
    result = CliRunner().invoke(main, ["validate", "--config", str(config)])
    assert result.exit_code == 2 and "too small a memory limit" in result.output


def test_an_unwritable_out_is_exit_2_before_loading(make_project, tmp_path: Path, no_loading: None) -> None:
    config = make_project(GOOD, FILES)
    (tmp_path / "a-file").write_text("x")
    code, output = run(config, "--out", str(tmp_path / "a-file" / "out"))
    assert code == 2 and "[V001]" in output and "a-file" in output and "internal error" not in output
    assert not (tmp_path / "recon-state.duckdb").exists()  # nothing started


def test_an_unwritable_out_under_debug_is_still_exit_2(make_project, tmp_path: Path) -> None:
    config = make_project(GOOD, FILES)
    (tmp_path / "a-file").write_text("x")
    code, output = run(config, "--out", str(tmp_path / "a-file" / "out"), "--debug")
    assert code == 2 and "[V001]" in output and "Traceback" in output


def test_a_lock_file_that_cannot_be_created_is_exit_2(make_project, tmp_path: Path, no_loading: None) -> None:
    config = make_project(GOOD, FILES)
    (tmp_path / "recon-state.duckdb.lock").mkdir()  # even root cannot open a folder as the lock file
    code, output = run(config, "--out", str(tmp_path / "o"))
    assert code == 2 and "[V001]" in output and "lock file" in output and "folder where a file" in output


def test_a_state_whose_folder_is_a_file_fails_before_loading(make_project, tmp_path: Path,
                                                             no_loading: None) -> None:
    config = make_project(GOOD + "state: blocker/state.duckdb\n", FILES)
    (tmp_path / "blocker").write_text("not a folder")
    code, output = run(config, "--out", str(tmp_path / "o"))
    assert code == 2 and "[V001]" in output and "blocker" in output
    assert not (tmp_path / "o").exists()


def test_a_foreign_duckdb_state_fails_before_loading_and_is_left_alone(make_project, tmp_path: Path,
                                                                       no_loading: None) -> None:
    config = make_project(GOOD, FILES)
    state = tmp_path / "recon-state.duckdb"
    with duckdb.connect(str(state)) as con:
        con.execute("CREATE TABLE invoices AS SELECT 1 AS id")
    code, output = run(config, "--out", str(tmp_path / "o"))
    assert code == 2 and "[S005]" in output and "other tables (invoices)" in output
    assert not (tmp_path / "o").exists()
    with duckdb.connect(str(state), read_only=True) as con:
        assert con.execute("SELECT table_name FROM duckdb_tables()").fetchall() == [("invoices",)]
    history = CliRunner().invoke(main, ["history", "--config", str(config)])
    assert history.exit_code == 2 and "[S005]" in history.output  # not shown as an empty history


def test_a_file_that_is_not_duckdb_fails_before_loading(make_project, tmp_path: Path, no_loading: None) -> None:
    config = make_project(GOOD, FILES)
    (tmp_path / "recon-state.duckdb").write_text("hello\n")
    code, output = run(config, "--out", str(tmp_path / "o"))
    assert code == 2 and "[S001]" in output and "internal error" not in output


def test_a_truncated_state_is_damaged_not_an_internal_error(make_project, tmp_path: Path) -> None:
    config = make_project(GOOD, FILES)
    # GOOD maps too little for two bundled rules (an incomplete run, exit 5): this test is about the state.
    code, output = run(config, "--out", str(tmp_path / "first"), "--allow-incomplete")
    assert code == 0, output
    state = tmp_path / "recon-state.duckdb"
    with duckdb.connect(str(state)) as con:  # grow it past one block so that half of it is missing something
        con.execute("CREATE TABLE padding AS SELECT range AS n, md5(range::VARCHAR) AS h FROM range(300000)")
        con.execute("CHECKPOINT")
    with state.open("r+b") as handle:
        handle.truncate(state.stat().st_size // 2)
    code, output = run(config, "--out", str(tmp_path / "second"))
    assert code == 2 and "[S004]" in output and "damaged" in output and "internal error" not in output
    assert not (tmp_path / "second").exists()
    history = CliRunner().invoke(main, ["history", "--config", str(config)])
    assert history.exit_code == 2 and "[S004]" in history.output


def test_an_unusable_spill_folder_is_exit_2_before_loading(make_project, tmp_path: Path, no_loading: None) -> None:
    (tmp_path / "a-file").write_text("x")
    config = make_project(GOOD + f"engine:\n  temp_directory: {tmp_path / 'a-file' / 'spill'}\n", FILES)
    code, output = run(config, "--out", str(tmp_path / "o"))
    assert code == 2 and "[V001]" in output and "engine.temp_directory" in output


@pytest.mark.parametrize(("meta", "code"), [("('schema_version', '999')", "S003"), ("('schema_version', 'x')", "S002")])
def test_a_state_of_another_schema_fails_before_loading(make_project, tmp_path: Path, meta: str, code: str) -> None:
    config = make_project(GOOD, FILES)
    assert run(config, "--out", str(tmp_path / "first"), "--allow-incomplete")[0] == 0
    with duckdb.connect(str(tmp_path / "recon-state.duckdb")) as con:
        con.execute(f"DELETE FROM meta WHERE key = 'schema_version'; INSERT INTO meta VALUES {meta}")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Loader, "load_all", lambda self: pytest.fail("loading started"))
        code_, output = run(config, "--out", str(tmp_path / "second"))
    assert code_ == 2 and f"[{code}]" in output and "internal error" not in output
    assert not (tmp_path / "second").exists()


def test_a_state_with_runs_but_no_meta_is_not_ours(make_project, tmp_path: Path, no_loading: None) -> None:
    config = make_project(GOOD, FILES)
    with duckdb.connect(str(tmp_path / "recon-state.duckdb")) as con:
        con.execute("CREATE TABLE runs (id INTEGER)")
    code, output = run(config, "--out", str(tmp_path / "o"))
    assert code == 2 and "[S002]" in output and "internal error" not in output
