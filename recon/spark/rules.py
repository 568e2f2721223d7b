"""Running the compiled rules on Spark, and bringing the exceptions back into the run's DuckDB.

Each rule is compiled by the same pure compiler as on DuckDB and transpiled (recon.spark.transpile);
nothing is written twice. One difference is execution: DuckDB materialises a CTE used more than
once, Spark inlines it at every use, so a fuzzy rule's chain of rounds (c0 -> m1 -> c1 -> m2 ...)
would grow exponentially. `staged` therefore cuts a rule into steps: a CTE referenced twice or
more is computed once and checkpointed (its plan truncated), the rest stays one query.

Each rule's exceptions are written by Spark as Parquet; the driver's DuckDB reads that Parquet
into `main.exceptions`, sorted in the contract's order, so reports, history, acks and budgets run
the same code as on the DuckDB engine. No exception is collected row by row.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import shutil
import threading
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlglot
from sqlglot import exp

from recon.config.schema import Config
from recon.db import Database
from recon.rules.compile_parts import STATS_COLUMNS
from recon.rules.contract import COLUMN_NAMES, COLUMN_TYPES, exceptions_ddl, order_by
from recon.rules.loader import LoadedRule
from recon.rules.runner import Blockers, OnRule, RuleResult, RulesReport, compared_nothing, prepare_rule
from recon.rules.units import FACTORS
from recon.spark import guard, udfs
from recon.spark.readers import bq
from recon.spark.transpile import spark_tree
from recon.sql import ident, literal

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

_WITH = "with_" if "with_" in exp.Select.arg_types else "with"  # renamed in sqlglot 28


@dataclass(frozen=True)
class Step:
    """One piece of a staged rule: `name` is None for the final query, else a view to checkpoint.

    `body` is one Spark query; `ctes` are the (name, query) pairs it reads through a WITH. The
    step's SQL is recon's WITH around those queries, so checking each query checks the step, and
    a CTE that several steps of a rule read is checked (parsed) once, not once per step.
    """

    name: str | None
    body: str  # Spark SQL: one query
    ctes: tuple[tuple[str, str], ...] = ()

    @property
    def sql(self) -> str:
        if not self.ctes:
            return self.body
        return "WITH " + ", ".join(f"{bq(n)} AS ({q})" for n, q in self.ctes) + " " + self.body

    @property
    def queries(self) -> tuple[str, ...]:
        """The queries the step is made of, each one statement (what the guard checks)."""
        return (*(q for _, q in self.ctes), self.body)


def _references(node: exp.Expression, names: Iterable[str]) -> Counter[str]:
    wanted = set(names)
    return Counter(t.name for t in node.find_all(exp.Table) if not t.args.get("db") and t.name in wanted)


# Functions whose two evaluations may differ: a step that calls one is never shared by its text.
_VOLATILE = re.compile(r"\b(?:rand|random|randn|uuid|shuffle|current_\w+|now|monotonically_increasing_id)\s*\(|"
                       r"\bcurrent_(?:date|timestamp)\b", re.IGNORECASE)


def staged(duck_sql: str, params: Mapping[str, Any], prefix: str, *, by_content: str | None = None) -> list[Step]:
    """A compiled rule (DuckDB SQL) as Spark steps: shared CTEs first (checkpointed), then the query.

    A checkpointed CTE becomes the temp view `<prefix><name>`; later steps read it by that name.
    With `by_content` (a prefix for the whole run) the view is `<by_content><name>_<digest of the
    step's Spark SQL>`: two steps of a run with the same text (reading the same views, themselves
    named by content) are the same relation, and `rule_frame` computes it once for all the rules
    that hold it (every converting rule's `uom_conv` and `uom_base`: bench/notes.md, "Converting
    rules on Spark"). A step calling a volatile function keeps its rule's own name.
    The rule is parsed and transpiled once, and every CTE printed as Spark SQL once: sqlglot,
    in pure Python, costs seconds per rule and holds the GIL that the other rules' threads need
    (measured in bench/notes.md, "Spark: fewer parses").
    """
    tree = _broadcast_factors(spark_tree(sqlglot.parse_one(duck_sql, read="duckdb"), params))
    with_ = tree.args.get(_WITH)
    if with_ is None:
        return [Step(None, tree.sql(dialect="spark"))]
    ctes = list(with_.expressions)
    names = [c.alias for c in ctes]
    counts: Counter[str] = Counter()
    for cte in ctes:
        counts.update(_references(cte.this, names))
    tree.set(_WITH, None)
    counts.update(_references(tree, names))
    shared = {n for n in names if counts[n] > 1}
    views: dict[str, str] = {}  # a checkpointed CTE -> its view (CTEs read only the ones before them)

    def rename(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Table) and not node.args.get("db") and node.name in shared:
            table = exp.to_table(views[node.name])
            table.this.set("quoted", True)
            table.set("alias", node.args.get("alias") or exp.TableAlias(this=exp.to_identifier(node.name)))
            return table
        return node

    steps: list[Step] = []
    inline: dict[str, tuple[str, Counter[str]]] = {}  # name -> (Spark SQL, the inline CTEs it reads)

    def reading(body: exp.Expression) -> tuple[tuple[str, str], ...]:
        needed = _closure(_references(body, inline), inline)
        return tuple((n, inline[n][0]) for n in inline if n in needed)

    for cte in ctes:
        body = _one_query(cte.this.transform(rename, copy=False))
        if cte.alias in shared:
            step = Step(prefix + cte.alias, body.sql(dialect="spark"), reading(body))
            if by_content is not None and not _VOLATILE.search(step.sql):
                step = dataclasses.replace(
                    step, name=f"{by_content}{cte.alias}_{hashlib.sha256(step.sql.encode()).hexdigest()[:16]}")
            views[cte.alias] = step.name or ""
            steps.append(step)
        else:
            inline[cte.alias] = (body.sql(dialect="spark"), _references(body, inline))
    final = _one_query(tree.transform(rename, copy=False))
    steps.append(Step(None, final.sql(dialect="spark"), reading(final)))
    return steps


def _broadcast_factors(tree: exp.Expression) -> exp.Expression:
    """A converted side's rows join its unit factors (recon.rules.units) with a broadcast hint.

    The factor relation is one row per distinct (item, unit) of the side, a few hundred in the
    sample, but to Spark's planner a `DISTINCT` of unknown size: without the hint each converted
    side was shuffled and sorted to meet it in a sort-merge join. The hint changes the plan, never
    the rows (bench/notes.md, "Converting rules on Spark"); a site with millions of pairs
    broadcasts them (docs/scale-out.md, "Sizing")."""
    for join in list(tree.find_all(exp.Join)):
        select, factors = join.parent, join.this
        if (isinstance(select, exp.Select) and isinstance(factors, exp.Subquery) and factors.alias == FACTORS
                and "_uom_factor" in factors.this.named_selects and select.args.get("hint") is None):
            select.set("hint", exp.Hint(expressions=[exp.JoinHint(this="BROADCAST",
                                                                  expressions=[exp.to_table(FACTORS)])]))
    return tree


def _one_query(body: exp.Expression) -> exp.Expression:
    """`body`, or `SELECT * FROM (body)` when it has a WITH of its own (a step's WITH goes first)."""
    if body.args.get(_WITH) is None:
        return body
    return exp.select("*").from_(exp.Subquery(this=body, alias=exp.TableAlias(this=exp.to_identifier("_q"))))


def _closure(direct: Counter[str], inline: Mapping[str, tuple[str, Counter[str]]]) -> set[str]:
    """The inline CTEs a query needs, directly or through one another."""
    needed: set[str] = set()
    todo = list(direct)
    while todo:
        name = todo.pop()
        if name in needed or name not in inline:
            continue
        needed.add(name)
        todo.extend(inline[name][1])
    return needed


class Checkpoints:
    """The views one run has checkpointed, by name: a step that several rules hold (named by its
    content, see `staged`) is computed by the first rule that needs it, the others wait and read it.

    One per run: a view of the same name left by an earlier run in the same session read that run's
    tables, so it is computed again. A step that fails is not recorded; the next rule tries it again
    and fails alone, as it would without sharing."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self.done: set[str] = set()
        self.computed = 0  # queries run (the steps held by several rules count once)

    def ensure(self, spark: SparkSession, step: Step) -> None:
        name = step.name or ""
        with self._lock:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:
            if name in self.done:
                return
            spark.sql(step.sql).localCheckpoint(eager=True).createOrReplaceTempView(name)
            self.done.add(name)
            self.computed += 1


def rule_frame(spark: SparkSession, steps: list[Step], what: str = "a rule",
               checkpoints: Checkpoints | None = None) -> DataFrame:
    """Run the checkpointed steps now (those of `checkpoints` the run has not computed yet); return
    the final query's (lazy) DataFrame.

    Every query of every step is checked first (recon.spark.guard), each once: none may read
    files or run Java.
    """
    for query in dict.fromkeys(q for step in steps for q in step.queries):
        guard.check(query, what)
    checkpoints = checkpoints or Checkpoints()
    for step in steps[:-1]:
        checkpoints.ensure(spark, step)
    return spark.sql(steps[-1].sql)


def _contract_select(source: str) -> str:
    """The contract's columns, typed as DuckDB's main.exceptions, from what Spark wrote."""
    return ", ".join(f"CAST({ident(c)} AS {COLUMN_TYPES[c]}) AS {ident(c)}" for c in COLUMN_NAMES) + f" FROM {source}"


def run_rules(spark: SparkSession, db: Database, rules: list[LoadedRule], *, tables: tuple[set[str], set[str]],
              as_of: Any, run_id: str, work_dir: Path, config: Config | None = None, parallel: int = 4,
              on_rule: OnRule | None = None, blockers: Blockers | None = None) -> RulesReport:
    """Every rule on Spark into Parquet, then into `main.exceptions` of the run's DuckDB; counts as on DuckDB.

    Rules run `parallel` at a time from driver threads: on small and mid-sized data Spark's time
    goes into planning each query on the driver, and concurrent jobs overlap that with execution.
    Each rule writes its own Parquet folder, so a rule that fails fails alone, as on DuckDB.
    `tables` is (tables loaded completely, tables a file of which failed), as for the DuckDB runner;
    each rule runs `sql_with_stats`, so records compared and matched come from the same steps.
    """
    report = RulesReport()
    params = {"as_of": as_of, "run_id": run_id}
    out = work_dir / "exceptions"
    todo: list[tuple[int, RuleResult, str]] = []
    scorers: set[str] = set()
    present, failed = tables
    for index, loaded in enumerate(rules):
        if on_rule is not None:
            on_rule(loaded.id, index, len(rules))
        result, compiled = prepare_rule(loaded, present, failed, config, blockers)
        report.results.append(result)
        if compiled is None:
            continue
        scorers.update(compiled.scorers)
        todo.append((index, result, compiled.sql_with_stats or compiled.sql))
    udfs.register(spark, sorted(scorers))
    checkpoints = Checkpoints()

    def run_one(index: int, result: RuleResult, sql: str) -> None:
        started = time.perf_counter()
        try:
            steps = staged(sql, params, f"_r{index}_", by_content="_v_")
            frame = rule_frame(spark, steps, f"rule {result.rule_id}", checkpoints)
            frame.write.mode("overwrite").parquet(str(out / f"rule={index}"))
        except Exception as exc:  # a function Spark lacks, a type it refuses, a failed task
            result.status, result.reason = "failed", _first_line(exc)
            shutil.rmtree(out / f"rule={index}", ignore_errors=True)
        finally:
            result.seconds = round(time.perf_counter() - started, 4)

    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        for future in [pool.submit(run_one, *item) for item in todo]:
            future.result()
    files = sorted(out.rglob("*.parquet"))
    if files:
        source = f"read_parquet([{', '.join(literal(str(f)) for f in files)}], union_by_name = true)"
        stats = ", ".join(STATS_COLUMNS)
        has_stats = all(c in dict(db.columns(f"SELECT * FROM {source}")) for c in STATS_COLUMNS)
        where = f" WHERE {STATS_COLUMNS[0]} IS NULL" if has_stats else ""
        db.execute(f"CREATE OR REPLACE TABLE main.exceptions AS SELECT {_contract_select(source)}{where} "
                   f"ORDER BY {order_by()}")
        for index, result, _ in todo:
            folder = sorted((out / f"rule={index}").glob("*.parquet"))
            if has_stats and folder and result.status == "ok":
                counts = db.rows(f"SELECT {stats} FROM read_parquet([{', '.join(literal(str(f)) for f in folder)}]) "
                                 f"WHERE {STATS_COLUMNS[0]} IS NOT NULL")
                if counts:
                    result.records_compared, result.records_matched = (int(n) for n in counts[0])
    else:
        db.execute(exceptions_ddl())
    counts = dict(db.rows("SELECT rule_id, count(*) FROM main.exceptions GROUP BY ALL"))
    for result in report.results:
        if result.status == "ok":
            result.exceptions = int(counts.get(result.rule_id, 0))
    for loaded, result in zip(rules, report.results, strict=True):  # the loaded tables are DuckDB views too
        if result.status == "ok" and result.records_compared is not None and not result.records_matched:
            note = compared_nothing(db, loaded, result, config)
            if note:
                report.notes.append(note)
    for column, target in (("exception_type", report.by_type), ("severity", report.by_severity),
                           ("owner", report.by_owner)):
        target.update({k: int(n) for k, n in db.rows(f"SELECT {column}, count(*) FROM main.exceptions GROUP BY ALL")})
    report.value_at_risk = float(db.scalar("SELECT coalesce(sum(value_at_risk), 0) FROM main.exceptions"))
    return report


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


__all__ = ["Checkpoints", "Step", "rule_frame", "run_rules", "staged"]
