"""Rule and mapping SQL on Spark cannot touch the file system or run Java (recon.spark.guard).

DuckDB's file access is off during the rules; Spark has no such switch, so every statement is
checked on its Spark form before it runs, and the session refuses a path used as a table.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from recon.spark.guard import SqlRefused, check, refusal
from recon.spark.rules import Step, rule_frame, staged
from recon.spark.transpile import to_spark

PARAMS = {"as_of": datetime(2026, 11, 20, 6, tzinfo=UTC), "run_id": "R"}


@pytest.mark.parametrize("sql", [
    "SELECT * FROM csv.`/etc/passwd`",
    "SELECT * FROM text.`/etc/passwd`",
    "SELECT * FROM parquet.`/tmp/x.parquet` UNION ALL SELECT 1",
    "SELECT * FROM read_files('/etc/passwd', format => 'text')",
    "SELECT reflect('java.lang.System', 'getenv', 'HOME')",
    "SELECT java_method('java.nio.file.Files', 'readString', '/etc/passwd')",
    "SELECT try_reflect('java.lang.System', 'getenv', 'HOME')",
    "SELECT * FROM IDENTIFIER('csv.`/etc/passwd`')",
    "LOAD DATA LOCAL INPATH '/etc/passwd' INTO TABLE t",
    "ADD JAR /tmp/evil.jar",
    "CREATE TEMPORARY FUNCTION f AS 'x.Y' USING JAR '/tmp/evil.jar'",
    "SET spark.sql.runSQLOnFiles = true",
    "SELECT 1; SELECT * FROM csv.`/etc/passwd`",
    "WITH a AS (SELECT * FROM spark_catalog.default.secrets) SELECT * FROM a",
])
def test_statements_that_reach_outside_are_refused(sql: str) -> None:
    with pytest.raises(SqlRefused) as refused:
        check(sql, "rule r1")
    assert refused.value.problem.code == "E014"
    assert refused.value.problem.message.startswith("rule r1: ")


def test_recons_own_rule_sql_passes(spark: Any) -> None:
    """Every bundled rule's Spark steps (CTEs, fuzzy UDFs, windows, lateral explodes) pass the check."""
    from recon.rules.compiler import CompileContext, compile_rule
    from recon.rules.registry import load_project_rules

    for loaded in load_project_rules(None).rules:
        compiled = compile_rule(loaded, CompileContext())
        for step in staged(compiled.sql_with_stats or compiled.sql, PARAMS, "_r1_"):
            assert refusal(step.sql) is None, (loaded.id, step.sql)


def test_a_refused_step_never_reaches_spark(spark: Any, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("password\n")
    steps = [Step("_r1_leak", f"SELECT value FROM text.`{secret}`"), Step(None, "SELECT * FROM `_r1_leak`")]
    with pytest.raises(SqlRefused, match=r"rule leak: text\."):
        rule_frame(spark, steps, "rule leak")
    assert not spark.catalog.tableExists("_r1_leak")


def test_a_step_held_by_two_rules_is_computed_once(spark: Any) -> None:
    """`Checkpoints`: the second rule reads the view the first one computed; a failed step is not
    recorded, so the next rule tries it again (and fails alone)."""
    from recon.spark.rules import Checkpoints

    checkpoints = Checkpoints()
    shared = Step("_v_one_abc", "SELECT 1 AS x")
    for final in ("SELECT x FROM `_v_one_abc`", "SELECT x + 1 AS x FROM `_v_one_abc`"):
        rule_frame(spark, [shared, Step(None, final)], "rule r", checkpoints).collect()
    assert checkpoints.computed == 1 and checkpoints.done == {"_v_one_abc"}
    broken = Step("_v_two_def", "SELECT * FROM `no_such_view`")
    for _ in range(2):
        with pytest.raises(Exception, match=r"(?i)no_such_view"):
            rule_frame(spark, [broken, Step(None, "SELECT * FROM `_v_two_def`")], "rule r", checkpoints)
    assert checkpoints.computed == 1 and "_v_two_def" not in checkpoints.done


def test_the_session_refuses_a_path_as_a_table(spark: Any, tmp_path: Path) -> None:
    """Belt and braces: with the check bypassed, Spark itself does not read the file."""
    secret = tmp_path / "secret.txt"
    secret.write_text("password\n")
    with pytest.raises(Exception, match=r"(?i)table or view|TABLE_OR_VIEW_NOT_FOUND|cannot be found"):
        spark.sql(f"SELECT value FROM text.`{secret}`").collect()


def test_a_duckdb_snippet_that_turns_into_java_on_spark_is_refused() -> None:
    """reflect() is not a DuckDB function; sqlglot would pass it through to Spark as is."""
    sql = to_spark("SELECT order_id FROM erp.orders WHERE reflect('java.lang.System', 'getenv', 'HOME') IS NOT NULL")
    assert "reflect" in sql.lower()
    assert refusal(sql) is not None
