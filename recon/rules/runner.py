"""Executing compiled rules through `recon.db` and building the run's exceptions table.

Each rule is compiled (pure) and its statement run with the run's as-of time and id as bound
parameters; its exceptions go to a staging table and its last row (records compared and matched)
to the rule's result. The stage then becomes `main.exceptions`, sorted in the contract's order. A
rule whose table was not loaded in this run is skipped with a warning; a lookup table that was not
loaded becomes an empty lookup (the rule still runs, its value at risk may be empty).
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import duckdb

from recon.config.schema import Config
from recon.db import Database
from recon.rules import fuzzy, manual, shared
from recon.rules.compiler import CompileContext, CompiledRule, compile_rule
from recon.rules.contract import COLUMN_NAMES, exceptions_ddl, order_by
from recon.rules.joins import never_join_sql, side_rows_sql
from recon.rules.loader import LoadedRule
from recon.rules.schema import MatchRule
from recon.rules.tables import lookup_tables as nested_lookup_tables
from recon.rules.tables import split_table
from recon.sql import ident, table_name

STAGE = "main._exceptions_stage"
OUT = "_rule_out"  # one rule's result: its exceptions and a last row of records compared and matched


@dataclass(frozen=True)
class Blockers:
    """What stops rules from being evaluated this run, decided after the load and before any rule runs.

    `tables`: `system.entity` -> (source, reason) for tables whose source failed or fell short of
    its expectations; `rules`: rule id -> reason (a field it needs that no source maps);
    `skipped`: rule id -> why it does not apply at this site (`skip_rules`).
    """

    tables: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    rules: Mapping[str, str] = field(default_factory=dict)
    skipped: Mapping[str, str] = field(default_factory=dict)


NOT_EVALUATED = "not-evaluated"
DISABLED = "disabled"


@dataclass
class RuleResult:
    rule_id: str
    workflow: str
    # ok, skipped (not applicable: no source for a table, or skip_rules), disabled (overrides, --select,
    # --exclude), not-evaluated, failed
    status: str
    exceptions: int = 0
    seconds: float = 0.0
    reason: str | None = None
    records_compared: int | None = None  # business keys (match) or rows (check, duplicate) the rule looked at
    records_matched: int | None = None  # of those, matched within tolerance (match) or passing (check, duplicate)
    source: str | None = None  # not-evaluated: the failed source behind it
    kind: str | None = None  # match, check, duplicate: what the operating metrics group rules by
    table: str | None = None  # the table a check or duplicate rule reads (None for a match rule's two)


@dataclass
class RulesReport:
    results: list[RuleResult] = field(default_factory=list)
    by_type: dict[str, int] = field(default_factory=dict)
    by_severity: dict[str, int] = field(default_factory=dict)
    by_owner: dict[str, int] = field(default_factory=dict)
    value_at_risk: float = 0.0
    notes: list[str] = field(default_factory=list)  # rules that ran but compared nothing, and why

    @property
    def total(self) -> int:
        return sum(r.exceptions for r in self.results)

    @property
    def warnings(self) -> list[str]:
        return [f"rule {r.rule_id} {r.status}: {r.reason}" for r in self.results if r.status != "ok"] + self.notes

    def summary(self) -> dict[str, Any]:
        return {
            "rules_run": sum(1 for r in self.results if r.status == "ok"),
            "rules_skipped": sum(1 for r in self.results if r.status == "skipped"),
            "rules_disabled": sum(1 for r in self.results if r.status == DISABLED),
            "rules_failed": sum(1 for r in self.results if r.status == "failed"),
            "rules_not_evaluated": sum(1 for r in self.results if r.status == NOT_EVALUATED),
            "exceptions": self.total,
            "value_at_risk": round(self.value_at_risk, 2),
            "by_type": dict(sorted(self.by_type.items())),
            "by_severity": dict(sorted(self.by_severity.items())),
            "by_owner": dict(sorted(self.by_owner.items())),
            "rules": [asdict(r) for r in self.results],
            "warnings": self.warnings,
        }


def loaded_tables(db: Database) -> set[str]:
    rows = db.rows("SELECT table_schema, table_name FROM information_schema.tables")
    return {f"{schema}.{name}" for schema, name in rows}


def tables_loaded(files: list[Any]) -> tuple[set[str], set[str]]:
    """(tables every file of which loaded, tables a file of which failed) from a load report's files.

    A table with a failed file is incomplete: a rule on it would report everything the missing
    file held as missing, so such rules are skipped rather than run.
    """
    ok = {f"{f.system}.{f.entity}" for f in files if f.status == "ok"}
    failed = {f"{f.system}.{f.entity}" for f in files if f.status != "ok"}
    wildcard = {f.system for f in files if f.status != "ok" and f.entity == "*"}
    failed |= {t for t in ok if t.split(".")[0] in wildcard}
    return ok - failed, failed


OnRule = Callable[[str, int, int], None]


def lookup_tables(rule: Any) -> set[str]:
    """Tables a rule reads only through lookups, on the rule itself or on either side."""
    tables: set[str] = set()
    for part in (rule, getattr(rule, "left", None), getattr(rule, "right", None)):
        if hasattr(part, "lookups"):
            tables.update(nested_lookup_tables(part))
    return tables


def prepare_rule(loaded: LoadedRule, present: set[str], failed: set[str], config: Config | None,
                 blockers: Blockers | None = None, manual_matches: frozenset[str] = frozenset(),
                 ) -> tuple[RuleResult, CompiledRule | None]:
    """The engine-independent half of running a rule: leave it out when a table it reads is
    incomplete or a field it needs is not mapped (not evaluated: a partial table would make
    everything it lacks look missing), or when no source loads a table or the site skips it
    (skipped: not applicable), else compile it.

    Optional lookup tables that no source loads compile as empty, so the rule still runs.
    """
    blockers = blockers or Blockers()
    kind = getattr(loaded.rule, "kind", None)
    result = RuleResult(loaded.id, loaded.workflow, "ok", kind=kind,
                        table=None if kind == "match" else getattr(loaded.rule, "table", None))
    if loaded.disabled is not None:  # switched off by the config or --select/--exclude: said so, never "ok"
        result.status, result.reason = DISABLED, loaded.disabled
        return result, None
    if loaded.id in blockers.skipped:
        result.status, result.reason = "skipped", blockers.skipped[loaded.id]
        return result, None
    tables = loaded.rule.tables()
    blocked = [t for t in tables if t in blockers.tables]
    broken = [t for t in tables if t in failed and t not in blockers.tables]
    missing = [t for t in tables if t not in present and t not in failed and t not in blockers.tables]
    if blocked or broken:
        result.status = NOT_EVALUATED
        result.source = blockers.tables[blocked[0]][0] if blocked else None
        result.reason = "; ".join(
            [f"source {blockers.tables[t][0]} ({t}): {blockers.tables[t][1]}" for t in blocked]
            + ([f"{', '.join(broken)} did not load completely"] if broken else []))
        return result, None
    if loaded.id in blockers.rules:
        result.status, result.reason = NOT_EVALUATED, blockers.rules[loaded.id]
        return result, None
    if missing:
        result.status, result.reason = "skipped", f"no source loads {', '.join(missing)}"
        return result, None
    lookups = lookup_tables(loaded.rule)
    ctx = CompileContext.from_config(config, frozenset(t for t in lookups if t not in present), manual_matches,
                                     present)
    return result, compile_rule(loaded, ctx)


def run_rules(db: Database, rules: list[LoadedRule], *, as_of: datetime, run_id: str,
              config: Config | None = None, tables: tuple[set[str], set[str]] | None = None,
              on_rule: OnRule | None = None, blockers: Blockers | None = None,
              on_result: Callable[[RuleResult], None] | None = None, reads_after: float = 0) -> RulesReport:
    """Run every rule into `main.exceptions` (replaced), returning counts per rule, type and severity.

    `tables` is (tables loaded completely, tables whose load failed) for this run; without it every
    table present in the database counts as loaded. `on_rule(rule_id, index, total)` is called
    before each rule (index from 0), skipped ones included, for a progress display, and
    `on_result(result)` after it (a log streams it). `blockers` (recon.completeness) leaves out the
    rules that cannot be evaluated this run. `reads_after` is how many more times the caller reads
    every loaded table once the rules are done (the run's events step and kept tables), which
    decides with the rules' own reads whether compressing the tables first pays
    (`compress_spilled_tables`).
    """
    report = RulesReport()
    db.execute(exceptions_ddl(STAGE))
    present, failed = tables if tables is not None else (loaded_tables(db), set())
    params = {"as_of": as_of, "run_id": run_id}
    columns = ", ".join(ident(c) for c in COLUMN_NAMES)
    paired = manual_match_rules(db)
    prepared = [prepare_rule(loaded, present, failed, config, blockers, paired) for loaded in rules]
    compress_spilled_tables(db, Counter(t for _, compiled in prepared if compiled is not None
                                        for t in {*compiled.tables, *compiled.lookup_tables}), reads_after)
    lookups = SharedLookups(db, {i: c.sql_with_stats for i, (_, c) in enumerate(prepared) if c is not None})
    for index, (loaded, (result, compiled)) in enumerate(zip(rules, prepared, strict=True)):
        if on_rule is not None:
            on_rule(loaded.id, index, len(rules))
        report.results.append(result)
        if compiled is not None:
            started = time.perf_counter()
            sql = lookups.statement(index, compiled.sql_with_stats)
            shared_seconds = time.perf_counter() - started
            _execute(db, compiled, result, params, columns, sql)
            result.seconds = round(result.seconds + shared_seconds, 4)
            lookups.done(index)
            if result.status == "ok" and not result.records_matched:
                note = compared_nothing(db, loaded, result, config)
                if note:
                    report.notes.append(note)
        if on_result is not None:
            on_result(result)
    lookups.close()
    db.execute(f"DROP TABLE IF EXISTS {OUT}")
    db.execute(f"CREATE OR REPLACE TABLE main.exceptions AS SELECT {columns} FROM {STAGE} ORDER BY {order_by()}")
    db.execute(f"DROP TABLE {STAGE}")
    for column, target in (("exception_type", report.by_type), ("severity", report.by_severity),
                           ("owner", report.by_owner)):
        target.update(Counter({k: int(n) for k, n in db.rows(
            f"SELECT {column}, count(*) FROM main.exceptions GROUP BY ALL")}))
    report.value_at_risk = float(db.scalar("SELECT coalesce(sum(value_at_risk), 0) FROM main.exceptions"))
    return report


# A checkpoint compresses every table (CPU in proportion to the tables' size, on one thread); reading
# a table from the spill file instead of compressed memory costs in proportion to what spilled and
# to how often it is read. At 1M orders, default memory_limit (bench/notes.md, "Rules at 1M" and
# "The night's result at 1M"): 20.8 CPU s to compress 2.9 GB, against 71 CPU s saved in the rules,
# events step and kept tables over 1.35 GB spilled read about 11 times: 7.2 s per GB compressed
# against 4.8 s per spilled GB read once. So it pays once (spilled share) x (reads per cell) > 1.5.
CHECKPOINT_BREAK_EVEN = 1.5


def checkpoint_pays(in_memory: int, spilled: int, reads_per_cell: float) -> bool:
    """Whether compressing the database saves more than it costs: `in_memory` and `spilled` bytes
    of table data, read `reads_per_cell` times over on average before the run ends."""
    if spilled <= 0:
        return False
    return spilled / (in_memory + spilled) * reads_per_cell > CHECKPOINT_BREAK_EVEN


def compress_spilled_tables(db: Database, reads: Mapping[str, int], reads_after: float = 0) -> bool:
    """Checkpoint an in-memory database whose tables spill, when the reads to come make it pay.

    DuckDB checkpoints by itself once a commit takes the changes since the last checkpoint past
    `checkpoint_threshold` (16 MiB), and a checkpoint compresses every table (the loaded tables of
    a 300k-order run: 1.1 GB to 135 MB). At a million orders the rules' staged exceptions were what
    crossed it, so one of their inserts paid for compressing the whole database (10 CPU s, 15 s
    wall at 1M; bench/notes.md, "Rules at 1M") and the rules before it read tables spilled to disk.
    Done here instead, it is paid once and every rule reads the compressed tables. But it only pays
    when much spilled and the spilled tables are read many times: one rule over two spilled tables
    (the core comparison) gains 0.9 CPU s for a 5.9 s checkpoint, and a 300k run with 1GB (7 % of
    its tables spilled) gained nothing for 5 s (bench/notes.md, "When to checkpoint"). `reads`:
    `schema.table` -> how many rules read it; `reads_after`: reads of every table after the rules.
    Returns whether it checkpointed."""
    in_memory, spilled = db.rows("SELECT coalesce(sum(memory_usage_bytes), 0), "
                                 "coalesce(sum(temporary_storage_bytes), 0) "
                                 "FROM duckdb_memory() WHERE tag = 'IN_MEMORY_TABLE'")[0]
    if not spilled:
        return False
    cells = {f"{schema}.{name}": int(size or 0) * int(width) for schema, name, size, width in db.rows(
        "SELECT schema_name, table_name, estimated_size, column_count FROM duckdb_tables() WHERE NOT temporary")}
    total = sum(cells.values())
    if not total:
        return False
    read = sum(cells.get(table, 0) * times for table, times in reads.items())
    if not checkpoint_pays(int(in_memory), int(spilled), read / total + reads_after):
        return False
    with contextlib.suppress(duckdb.Error):  # another transaction open: DuckDB checkpoints later by itself
        db.execute("CHECKPOINT")
        return True
    return False


def manual_match_rules(db: Database) -> frozenset[str]:
    """The rules with pairings in the run's `main.manual_matches` (recon.rules.manual), if the run has one."""
    if not db.table_exists("main", "manual_matches"):
        return frozenset()
    return frozenset(r[0] for r in db.rows(f"SELECT DISTINCT rule_id FROM {manual.TABLE}"))


class SharedLookups:
    """The run's shared lookups (recon.rules.shared): each filled before the first rule that reads it
    and dropped after the last, so at most the ones still to be read are held in memory."""

    def __init__(self, db: Database, statements: Mapping[int, str]) -> None:
        self.db = db
        self.plan = shared.plan(statements)
        self.ready: set[str] = set()
        self.failed: set[str] = set()

    def statement(self, index: int, sql: str) -> str:
        """Statement `index` reading the shared tables; those it is the first to need are filled now.

        A subquery that fails on its own is left in its statements' text (never shared)."""
        for item in self.plan:
            if index in item.readers and item.name not in self.ready | self.failed:
                try:
                    self.db.execute(item.create())
                    self.ready.add(item.name)
                except duckdb.Error:
                    self.failed.add(item.name)
        return shared.substitute(sql, self.plan, index, self.ready)

    def done(self, index: int) -> None:
        """Drop the shared tables whose last reader statement `index` was."""
        for item in self.plan:
            if item.name in self.ready and item.readers[-1] <= index:
                self.db.execute(f"DROP TABLE IF EXISTS {ident(item.name)}")
                self.ready.discard(item.name)

    def close(self) -> None:
        for name in sorted(self.ready):
            self.db.execute(f"DROP TABLE IF EXISTS {ident(name)}")
        self.ready.clear()


def _execute(db: Database, compiled: CompiledRule, result: RuleResult, params: dict[str, Any], columns: str,
             sql: str) -> None:
    """Run one compiled rule (`sql`: its statement reading the shared lookups) into the stage; a DuckDB
    error fails this rule alone."""
    if compiled.scorers:
        fuzzy.register(db, compiled.scorers)
    started = time.perf_counter()
    try:  # one statement: the exceptions, then a row of records compared and matched
        db.execute(f"CREATE OR REPLACE TEMP TABLE {OUT} AS\n{sql}", params)
    except duckdb.Error as exc:
        result.status = "failed"
        result.reason = str(exc).strip().splitlines()[0]
        return
    finally:
        result.seconds = round(time.perf_counter() - started, 4)
    db.execute(f"INSERT INTO {STAGE} SELECT {columns} FROM {OUT} WHERE records_compared IS NULL")
    counts = db.rows(f"SELECT records_compared, records_matched FROM {OUT} WHERE records_compared IS NOT NULL")
    result.records_compared, result.records_matched = (int(n) for n in counts[0])
    result.exceptions = int(db.scalar(f"SELECT count(*) FROM {OUT}")) - 1


def compared_nothing(db: Database, loaded: LoadedRule, result: RuleResult, config: Config | None) -> str | None:
    """A warning for a rule that matched nothing although its tables have rows, with the likely cause.

    A match rule whose sides share no key value at all is almost always a key convention (padded
    against unpadded numbers, a prefix, case), not a night where nothing matched; a rule that
    compared nothing from tables with rows has filters that leave nothing. The sides' row counts are
    asked first: a side its filter empties has nothing to pair, and the keys' comparison (distinct
    keys of both tables, joined) is then not worth its cost (seconds at a million orders).
    """
    rule = loaded.rule
    if isinstance(rule, MatchRule):
        try:  # each side after its own where: a where over a lookup's field is not testable alone
            counts = [int(n) for n in db.rows(side_rows_sql(rule))[0]]
        except duckdb.Error:
            return None
        if not all(counts):
            return None
        sql = never_join_sql(rule, config.lookups if config else {})
        try:  # a key may be a lookup's field, not a column of the side's table: then no judgement
            judged = db.rows(sql)[0] if sql is not None else None
        except duckdb.Error:
            judged = None
        if judged is None:
            return _compared_nothing_unjudged(loaded, result, counts)
        left_rows, right_rows, joined, left_key, right_key = judged
        if joined:
            return None
        name = rule.keys[0].name
        return (f"rule {loaded.id}: no key of {rule.left.table} ({left_rows} rows) joins one of {rule.right.table} "
                f"({right_rows} rows), e.g. {name} {left_key!r} vs {right_key!r}; the keys never join: padded vs "
                "unpadded, a prefix or case? normalise them in the sources (strip_leading_zeros, strip_prefix, "
                "upper) or in the rule's keys")
    if result.records_compared == 0:
        rows = sum(int(db.scalar(f"SELECT count(*) FROM {table_name(*split_table(t))}")) for t in rule.tables())
        if rows:
            return (f"rule {loaded.id}: compared nothing although {', '.join(rule.tables())} has {rows} rows; "
                    "its where filters leave no row (a status value or a code spelt differently in these extracts?)")
    return None


def _compared_nothing_unjudged(loaded: LoadedRule, result: RuleResult, counts: list[int]) -> str | None:
    """A match rule whose keys recon cannot test on their own (an expression, a lookup's field) that
    compared no pair although both tables have rows (`counts`, after their where filters): said,
    without a cause it cannot know."""
    rule = loaded.rule
    if result.records_matched or not isinstance(rule, MatchRule):
        return None
    return (f"rule {loaded.id}: compared no pair although {rule.left.table} has {counts[0]} rows and "
            f"{rule.right.table} {counts[1]} (after their where filters); its keys (expressions or lookup "
            "fields, which recon cannot test alone) never meet: check both sides' key values with recon query")


__all__ = ["DISABLED", "NOT_EVALUATED", "Blockers", "RuleResult", "RulesReport", "compared_nothing", "lookup_tables",
           "prepare_rule", "run_rules", "split_table"]
