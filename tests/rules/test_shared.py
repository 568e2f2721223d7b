"""Lookups computed once per run: which subqueries are shared, and that sharing changes no result."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recon.db import Database
from recon.rules import shared
from recon.rules.runner import SharedLookups

LOOKUP = '(SELECT "order_id", min("unit_price") AS "unit_price" FROM "erp"."order_lines" GROUP BY "order_id")'
CONV = '"uom_conv" AS (\n  SELECT 1 AS factor\n)'


def statement(select: str, *ctes: str) -> str:
    return ("WITH\n" + ",\n".join(ctes) + "\n" if ctes else "") + select


def test_a_subquery_in_two_statements_is_shared_and_replaced_by_its_table():
    a = statement(f'SELECT * FROM "erp"."orders" AS b LEFT JOIN {LOOKUP} AS lk0 ON lk0.order_id = b.order_id')
    b = statement(f'SELECT * FROM "wms"."orders" AS b JOIN {LOOKUP} AS lk1 ON lk1.order_id = b.order_id')
    (item,) = shared.plan({0: a, 1: b})
    assert item.sql == LOOKUP and item.readers == (0, 1)
    assert shared.substitute(a, [item], 0, {item.name}) == a.replace(LOOKUP, f'"{item.name}"')
    assert shared.substitute(a, [item], 0, set()) == a  # not filled (it failed): the text stays


def test_a_subquery_in_one_statement_only_once_is_not_shared():
    a = statement(f"SELECT * FROM t JOIN {LOOKUP} AS lk0 ON TRUE")
    assert shared.plan({0: a, 1: "SELECT 1"}) == []


@pytest.mark.parametrize("volatile", ["$as_of", "random()", "now()", "current_date"])
def test_a_subquery_with_a_parameter_or_a_volatile_call_is_never_shared(volatile):
    sub = f'(SELECT "order_id", {volatile} AS x FROM "erp"."orders")'
    a = statement(f"SELECT * FROM t JOIN {sub} AS lk0 ON TRUE")
    assert shared.plan({0: a, 1: a}) == []


def test_a_subquery_reading_a_cte_is_shared_only_where_that_cte_means_the_same():
    sub = '(SELECT * FROM "erp"."order_lines" AS b JOIN "uom_conv" AS u ON TRUE)'
    same = statement(f"SELECT * FROM t JOIN {sub} AS lk0 ON TRUE", CONV)
    other = statement(f"SELECT * FROM t JOIN {sub} AS lk0 ON TRUE", CONV.replace("1 AS", "2 AS"))
    (item,) = shared.plan({0: same, 1: same, 2: other})
    assert item.readers == (0, 1) and item.ctes == (CONV,)
    assert item.create().startswith(f'CREATE OR REPLACE TEMP TABLE "{item.name}" AS\nWITH\n{CONV}\nSELECT * FROM (')
    with_param = statement(f"SELECT * FROM t JOIN {sub} AS lk0 ON TRUE", CONV.replace("1 AS", "$as_of AS"))
    assert shared.plan({0: with_param, 1: with_param}) == []


def test_the_longer_subquery_is_shared_first_and_the_inner_one_where_it_still_occurs():
    outer = f'(SELECT * FROM "wms"."shipment_lines" AS s LEFT JOIN {LOOKUP} AS lk0 ON TRUE)'
    a = statement(f"SELECT * FROM t JOIN {outer} AS lk0 ON TRUE")
    b = statement(f"SELECT * FROM u JOIN {outer} AS lk0 ON TRUE")
    c = statement(f"SELECT * FROM v JOIN {LOOKUP} AS lk0 ON TRUE")
    d = statement(f"SELECT * FROM w JOIN {LOOKUP} AS lk0 ON TRUE")
    first, second = shared.plan({0: a, 1: b, 2: c, 3: d})
    assert first.sql == outer and first.readers == (0, 1)
    assert second.sql == LOOKUP and second.readers == (2, 3)


def test_parentheses_inside_quotes_do_not_end_a_subquery():
    sub = """(SELECT ')' AS "a)", 'it''s (' AS b FROM "x"."y")"""
    assert list(shared.subqueries(f"SELECT * FROM t JOIN {sub} AS s ON TRUE")) == [sub]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["erp", "wms", "tms"]), min_size=1, max_size=6),
       st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=6))
def test_statements_read_the_same_rows_with_and_without_the_shared_tables(systems, extra):
    # Any mix of statements repeating a few lookups: each statement's result is unchanged when its
    # subqueries are read from the shared tables the plan fills.
    con = duckdb.connect()
    for system in ("erp", "wms", "tms"):
        con.execute(f"CREATE SCHEMA {system}")
        con.execute(f"CREATE TABLE {system}.lines AS SELECT i % 7 AS k, i AS v FROM range(40) r(i)")
    subs = [f'(SELECT k, sum(v) + {n} AS s FROM "{sys_}"."lines" GROUP BY k)' for sys_, n in zip(systems, extra,
                                                                                                strict=False)]
    statements = {i: f"SELECT * FROM range(7) t(k) LEFT JOIN {sub} AS lk ON lk.k = t.k "
                     f"LEFT JOIN {subs[0]} AS lk2 ON lk2.k = t.k ORDER BY ALL" for i, sub in enumerate(subs)}
    plan = shared.plan(statements)
    ready = set()
    for item in plan:
        con.execute(item.create())
        ready.add(item.name)
    for i, sql in statements.items():
        assert con.execute(shared.substitute(sql, plan, i, ready)).fetchall() == con.execute(sql).fetchall()


def test_the_runner_fills_a_shared_table_once_and_drops_it_after_its_last_reader():
    db = Database()
    db.execute("CREATE SCHEMA erp")
    db.execute("CREATE TABLE erp.order_lines AS SELECT 'O1' AS order_id, 2.5 AS unit_price")
    a = statement(f'SELECT * FROM (SELECT 1) AS b JOIN {LOOKUP} AS lk0 ON TRUE')
    lookups = SharedLookups(db, {0: a, 2: a})
    (item,) = lookups.plan
    assert lookups.statement(0, a) == a.replace(LOOKUP, f'"{item.name}"')
    assert db.scalar(f"SELECT count(*) FROM duckdb_tables() WHERE table_name = '{item.name}'") == 1
    lookups.done(0)
    assert db.scalar(f"SELECT count(*) FROM duckdb_tables() WHERE table_name = '{item.name}'") == 1
    lookups.statement(2, a)
    lookups.done(2)
    assert db.scalar(f"SELECT count(*) FROM duckdb_tables() WHERE table_name = '{item.name}'") == 0


def test_a_subquery_that_fails_on_its_own_stays_in_its_statements():
    db = Database()
    broken = '(SELECT "order_id" FROM "erp"."no_such_table" GROUP BY "order_id")'
    a = statement(f"SELECT * FROM (SELECT 1) AS b JOIN {broken} AS lk0 ON TRUE")
    lookups = SharedLookups(db, {0: a, 1: a})
    assert lookups.statement(0, a) == a and lookups.statement(1, a) == a
    lookups.close()


def test_a_run_with_shared_lookups_finds_exactly_what_it_finds_without(tmp_path, monkeypatch):
    # The bundled packs on a generated distributor: every exception, column by column, the same
    # with the lookups shared as with every rule computing its own (and some lookups were shared).
    from recon.api import load_project
    from recon.load.loader import Loader
    from recon.rules.registry import load_project_rules
    from recon.rules.runner import run_rules
    from recon.sample import generate

    as_of = datetime(2026, 11, 20, 6, tzinfo=UTC)
    generate(tmp_path, orders=300, seed=11, as_of=as_of)
    project = load_project(tmp_path / "recon.yaml")
    db = Database()
    Loader(project, db, "test").load_all()
    rules = load_project_rules(project).rules
    plans: list[list[shared.Shared]] = []

    def exceptions() -> list[tuple]:
        report = run_rules(db, rules, as_of=as_of, run_id="t", config=project.config)
        assert not [r for r in report.results if r.status == "failed"]
        return db.rows("SELECT * FROM main.exceptions ORDER BY ALL")

    plan = shared.plan
    monkeypatch.setattr(shared, "plan", lambda statements: plans.append(plan(statements)) or plans[-1])
    together = exceptions()
    monkeypatch.setattr(shared, "plan", lambda statements: [])
    alone = exceptions()
    assert together == alone and len(together) > 50
    assert len(plans[0]) >= 5
    assert not db.rows(f"SELECT table_name FROM duckdb_tables() WHERE starts_with(table_name, '{shared.PREFIX}')")


def test_tables_that_spill_are_compressed_when_read_often_and_left_alone_when_they_fit_or_are_read_once():
    from recon.rules.runner import compress_spilled_tables

    def in_memory(db: Database) -> tuple[int, int]:
        return db.rows("SELECT coalesce(sum(memory_usage_bytes), 0), coalesce(sum(temporary_storage_bytes), 0) "
                       "FROM duckdb_memory() WHERE tag = 'IN_MEMORY_TABLE'")[0]

    small = Database(memory_limit="1GB")
    small.execute("CREATE TABLE t AS SELECT range % 10 AS a, 'abc' || (range % 7) AS b FROM range(300000)")
    before = in_memory(small)
    assert not compress_spilled_tables(small, {"main.t": 25}, reads_after=4)
    assert in_memory(small) == before  # fits: not checkpointed (its columns stay uncompressed)

    tight = Database(memory_limit="24MB")
    tight.execute("CREATE TABLE t AS SELECT range % 10 AS a, 'abc' || (range % 7) AS b FROM range(6000000)")
    used, spilled = in_memory(tight)
    assert spilled > 0
    # one rule reading it once (the core comparison): the checkpoint would cost more than it saves
    assert not compress_spilled_tables(tight, {"main.t": 1})
    assert sum(in_memory(tight)) > (used + spilled) * 0.9  # still uncompressed
    assert compress_spilled_tables(tight, {"main.t": 5})
    assert sum(in_memory(tight)) < (used + spilled) / 4


def test_the_checkpoint_pays_when_much_spilled_and_it_is_read_often():
    from recon.rules.runner import checkpoint_pays

    gib = 2**30
    # the measured cases (bench/notes.md, "When to checkpoint"): a 1M run at the default limit,
    # a 300k run with 1GB, the core comparison at 1M with 1GB
    assert checkpoint_pays(int(1.55 * gib), int(1.35 * gib), 7 + 4)
    assert not checkpoint_pays(int(0.76 * gib), int(0.062 * gib), 7 + 4)
    assert not checkpoint_pays(1 * gib, 1 * gib, 1)
    assert not checkpoint_pays(1 * gib, 0, 1000)


