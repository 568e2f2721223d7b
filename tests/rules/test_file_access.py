"""Rules read only the tables recon loaded: a snippet calling a file reader is a validation problem
(R090), and the run turns DuckDB's file access off before the rules, leaving only the outputs and
the state writable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner

from recon import api
from recon.cli import main
from recon.db import Database
from recon.rules import snippets
from recon.steps import RulesResult, RunPlan
from tests.cli.test_cli import FILES, GOOD

PACK = """pack: p
workflow: w
title: p
rules:
  - id: r1
    kind: check
    title: reads a file
    table: erp.orders
    keys: [order_id]
    require: "{require}"
    outcome: {{exception: bad, severity: low}}
"""


@pytest.mark.parametrize("require", [
    "length(read_text('/etc/passwd')) > 0",
    "list_count(glob('/etc/*')) = 0",
    "read_csv_auto('/etc/passwd') IS NULL",
    "parquet_scan('x.parquet') IS NULL",
    "query('SELECT 1') IS NULL",
    "order_id IN (SELECT content FROM read_text('/etc/passwd'))",
    # Spark's: a Java method (the Spark engine runs the transpiled snippet), a file reader
    "reflect('java.lang.System', 'getenv', 'HOME') IS NOT NULL",
    "java_method('java.nio.file.Files', 'readString', '/etc/passwd') IS NOT NULL",
    "read_files('/etc/passwd') IS NULL",
])
def test_a_snippet_that_reads_files_is_refused_by_validate(make_project, tmp_path: Path, require: str) -> None:
    config = make_project(GOOD + "rules: [p.yaml]\n", FILES)
    (tmp_path / "p.yaml").write_text(PACK.format(require=require.replace('"', '\\"')))
    result = CliRunner().invoke(main, ["validate", "--config", str(config)])
    assert result.exit_code == 2 and "[R090]" in result.output and "p.yaml:10" in result.output, result.output


@pytest.mark.parametrize("snippet", ["qty * unit_price", "regexp_matches(status, 'read_')",
                                     "lower(customer_name) = 'glob'", "coalesce(a, b) > 0"])
def test_ordinary_snippets_are_not_mistaken_for_file_access(snippet: str) -> None:
    snippets.parse(snippet)


def test_restricted_database_reads_no_file_but_writes_the_allowed_ones(tmp_path: Path) -> None:
    secret = tmp_path / "extract.csv"
    secret.write_text("a\n1\n")
    out, state = tmp_path / "out", tmp_path / "state" / "s.duckdb"
    out.mkdir()
    state.parent.mkdir()
    db = Database()
    db.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [str(secret)])  # loading may read
    db.restrict_file_access([out], [state])
    for sql in ("SELECT * FROM read_text(?)", "SELECT * FROM read_csv(?)", "SELECT * FROM glob(?)"):
        with pytest.raises(duckdb.PermissionException):
            db.rows(sql, [str(secret)])
    with pytest.raises(duckdb.PermissionException):
        db.execute(f"COPY t TO '{tmp_path / 'elsewhere.csv'}'")
    db.execute(f"COPY t TO '{out / 'exceptions.csv'}' (HEADER)")
    for i in range(2):  # attach, write, detach (a checkpoint) twice, as a run does
        db.execute(f"ATTACH '{state}' AS s")
        db.execute(f"CREATE TABLE s.runs{i} AS SELECT * FROM t")
        db.execute("DETACH s")
    assert (out / "exceptions.csv").read_text() == "a\n1\n"
    with duckdb.connect(str(state), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM runs1").fetchall() == [(1,)]


def test_the_rules_of_a_run_cannot_read_files(make_project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever SQL the rules step runs (here: a reader that got past validation), no file is read,
    and the run still writes its outputs and records itself."""
    config = make_project(GOOD, FILES)
    seen: list[Exception] = []
    original = api.rules_step

    def rules_that_read(plan: RunPlan, db: Database, *args: Any, **kwargs: Any) -> RulesResult:
        try:
            db.rows("SELECT * FROM read_text(?)", [str(tmp_path / "erp" / "orders.csv")])
        except duckdb.Error as exc:
            seen.append(exc)
        return original(plan, db, *args, **kwargs)

    monkeypatch.setattr(api, "rules_step", rules_that_read)
    ctx = api.run(config, as_of="2026-11-20T06:00:00", out=tmp_path / "out")
    assert len(seen) == 1 and isinstance(seen[0], duckdb.PermissionException)
    assert (tmp_path / "out" / "summary.json").exists() and (tmp_path / "out" / "exceptions.csv").exists()
    with duckdb.connect(str(tmp_path / "recon-state.duckdb"), read_only=True) as con:
        assert con.execute("SELECT run_id FROM runs").fetchall() == [(ctx.run_id,)]
