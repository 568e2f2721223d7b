"""Rules to SQL text: a pure function, no connection, no data.

`compile_rule` turns one validated rule into one SELECT whose rows are exceptions in the contract's
columns (see `recon.rules.contract`). The only run-time inputs are the bound parameters `$as_of`
and `$run_id`; everything else in the text is a quoted identifier or a config literal. Keeping this
step apart from execution is what lets `recon explain` print the SQL, golden tests pin it, and
sqlglot transpile it for another engine.

Shape of a match rule's SQL, one CTE per step:
  l_rows / r_rows   each side's rows: keys (normalised), the columns the rule uses, event, and the
                    row's {file, row} when the side is not aggregated
  l_side / r_side   aggregated per key, or numbered per key (`_dup`) so duplicates pair one-to-one;
                    `_here` marks the side present in a pair
  pairs             FULL OUTER JOIN on the keys; or, with fuzzy levels, blocked candidates scored
                    and assigned best one-to-one in rounds of mutual best choices; plus each
                    compare's agreement (`_ok<i>`), worked out once for findings and counts
  findings          one branch per outcome (missing_right, missing_left, each compare, ambiguous)
  found             findings collapsed to one exception per business key
  lineage_left/right an aggregated side's rows, read again by key for the findings' keys only (no
                    list of rows is built for a key that is not a finding)
  final + SELECT    ids, ages, messages and lineage text

Records compared and matched (each kind's compiler's `stats_units`) come from
the same CTEs: `stats_sql` is that count on its own, `sql_with_stats` the exceptions plus one row of
counts in a single statement, so DuckDB computes the pairs once and no data row passes through
Python.
"""

from __future__ import annotations

from dataclasses import dataclass

from recon.rules import units
from recon.rules.compile_parts import CompileContext, Statement, stats_select, with_stats
from recon.rules.kinds import KINDS
from recon.rules.loader import LoadedRule
from recon.rules.scorers import python_scorers
from recon.rules.tables import lookup_tables


@dataclass(frozen=True)
class CompiledRule:
    rule_id: str
    sql: str  # the exceptions, in the contract's columns
    tables: tuple[str, ...]  # the rule cannot run without these
    lookup_tables: tuple[str, ...]  # absent ones make empty lookups
    scorers: tuple[str, ...]  # scorers whose Python UDFs the SQL calls (recon.rules.scorers)
    stats_sql: str = ""  # on its own: one row, records_compared and records_matched
    sql_with_stats: str = ""  # both from one statement: the exceptions, then one row of the two counts


def compile_rule(loaded: LoadedRule, ctx: CompileContext | None = None) -> CompiledRule:
    ctx = ctx or CompileContext()
    rule = loaded.rule
    compiler = KINDS[rule.kind].compiler()(loaded, ctx)  # the kind's compiler (recon.rules.kinds)
    lookups = [table for side in rule.sides() for table in lookup_tables(side)]
    scorers = python_scorers(rule.scorer_names())
    main, counted, stats_ctes = compiler.statement(), compiler.stats_units(), compiler.stats_ctes()
    if units.converts(rule):  # the unit conversions, once, ahead of every CTE that joins them
        conv = units.conversion_ctes(ctx.units, ctx.conversion_tables)
        main, stats_ctes = Statement((*conv, *main.ctes), main.select), [*conv, *stats_ctes]
    return CompiledRule(rule.id, main.text, tuple(rule.tables()), tuple(dict.fromkeys(lookups)), scorers,
                        stats_select(stats_ctes, counted), with_stats(main, counted))


__all__ = ["CompileContext", "CompiledRule", "compile_rule"]
