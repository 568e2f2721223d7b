"""Rules to SQL text: a pure function, no connection, no data.

`compile_rule` turns one validated rule into one SELECT whose rows are exceptions in the contract's
columns (see `recon.rules.contract`). The only run-time inputs are the bound parameters `$as_of`
and `$run_id`; everything else in the text is a quoted identifier or a config literal. Keeping this
step apart from execution is what lets `recon explain` print the SQL, golden tests pin it, and
sqlglot transpile it for another engine.

Shape of a match rule's SQL, one CTE per step:
  l_rows / r_rows   each side's rows: keys (normalised), the columns the rule uses, event, lineage
  l_side / r_side   aggregated per key, or numbered per key (`_dup`) so duplicates pair one-to-one
  pairs             FULL OUTER JOIN on the keys; or, with fuzzy levels, blocked candidates scored
                    and assigned best one-to-one in rounds of mutual best choices
  findings          one branch per outcome (missing_right, missing_left, each compare, ambiguous)
  found             findings collapsed to one exception per business key
  final + SELECT    ids, ages, messages and lineage text
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from recon.config.schema import Config, Ownership
from recon.model import ENTITIES
from recon.normalise import compile_steps
from recon.rules import snippets
from recon.rules import sqlparts as sp
from recon.rules.checks import config_extras, event_side
from recon.rules.contract import COLUMN_NAMES, COLUMN_TYPES, KEY_COLUMNS
from recon.rules.loader import LoadedRule
from recon.rules.schema import (
    RAPIDFUZZ_SCORERS,
    CheckRule,
    Compare,
    DuplicateRule,
    FuzzyLevel,
    Lookup,
    MatchRule,
    Outcome,
    Rows,
    Side,
)
from recon.rules.tables import Extras, base_columns, compare_type, entity_of, projected_columns, split_table
from recon.sql import ident, literal, table_name

ROUNDS = 3  # rounds of mutual-best assignment for fuzzy candidates
ROWS_TYPE = "STRUCT(f VARCHAR, r BIGINT)[]"


@dataclass(frozen=True)
class CompileContext:
    """What compilation needs from the config: ownership, lookups for normalisers, currency, extras."""

    ownership: Mapping[str, str | Ownership] = field(default_factory=dict)
    lookups: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    currency: str = "USD"
    extras: Extras = field(default_factory=dict)
    missing_tables: frozenset[str] = frozenset()  # lookups on these compile to empty relations

    @classmethod
    def from_config(cls, config: Config | None, missing_tables: frozenset[str] = frozenset()) -> CompileContext:
        if config is None:
            return cls(missing_tables=missing_tables)
        return cls(ownership=dict(config.ownership), lookups=dict(config.lookups), currency=config.currency,
                   extras=config_extras(config), missing_tables=missing_tables)

    def owner_of(self, entity: str, field_name: str | None = None) -> str | None:
        spec = self.ownership.get(entity)
        if spec is None or isinstance(spec, str):
            return spec
        return spec.fields.get(field_name, spec.system) if field_name else spec.system


@dataclass(frozen=True)
class CompiledRule:
    rule_id: str
    sql: str
    tables: tuple[str, ...]  # the rule cannot run without these
    lookup_tables: tuple[str, ...]  # absent ones make empty lookups
    scorers: tuple[str, ...]  # rapidfuzz scorers to register as UDFs


def compile_rule(loaded: LoadedRule, ctx: CompileContext | None = None) -> CompiledRule:
    ctx = ctx or CompileContext()
    rule = loaded.rule
    if isinstance(rule, MatchRule):
        body = _MatchCompiler(loaded, ctx).sql()
        lookups = [lk.table for s in (rule.left, rule.right) for lk in s.lookups]
        scorers = tuple(sorted({lv.scorer for lv in rule.fuzzy if lv.scorer in RAPIDFUZZ_SCORERS}))
    else:
        body = _SingleCompiler(loaded, ctx).sql()
        lookups = [lk.table for lk in rule.lookups]
        scorers = ()
    return CompiledRule(rule.id, body, tuple(rule.tables()), tuple(dict.fromkeys(lookups)), scorers)


# --- shared pieces ------------------------------------------------------------------------------------

def side_rename(qualifier: str | None, name: str) -> str:
    return name


def render(text: str, rename: Callable[[str | None, str], str] = side_rename) -> str:
    return snippets.render(snippets.parse(text), rename)


def lookup_relation(lookup: Lookup, ctx: CompileContext) -> str:
    """At most one row per lookup key, so a lookup never multiplies the side's rows."""
    cols = base_columns(lookup.table, ctx.extras)
    on = [theirs for theirs, _ in lookup.on_pairs()]
    if lookup.table in ctx.missing_tables:
        typed = [f"CAST(NULL AS {cols.get(c, 'VARCHAR')}) AS {ident(c)}" for c in on]
        typed += [f"CAST(NULL AS {cols.get(c, 'DECIMAL(18,4)')}) AS {ident(a)}" for a, c in lookup.field_pairs()]
        return f"(SELECT {', '.join(typed)} WHERE FALSE)"
    keys = ", ".join(ident(c) for c in on)
    fields = ", ".join(f"{_aggregated(c, lookup.agg)} AS {ident(a)}" for a, c in lookup.field_pairs())
    where = f" WHERE {render(lookup.where)}" if lookup.where else ""
    return f"(SELECT {keys}, {fields} FROM {table_name(*split_table(lookup.table))}{where} GROUP BY {keys})"


def _aggregated(text: str, default: str) -> str:
    """An expression that already aggregates (sum(qty * unit_price)) as is, else wrapped in `default`."""
    tree = snippets.parse(text)
    sql = snippets.render(tree, side_rename)
    return sql if snippets.has_aggregate(tree) else f"{default}({sql})"


def rows_source(rows: Rows, ctx: CompileContext) -> str:
    """The table, with its lookup fields alongside its own columns."""
    base = table_name(*split_table(rows.table))
    if not rows.lookups:
        return base
    selects, joins = ["b.*"], []
    for i, lookup in enumerate(rows.lookups):
        alias = f"lk{i}"
        on = " AND ".join(f"{alias}.{ident(theirs)} IS NOT DISTINCT FROM b.{ident(ours)}"
                          for theirs, ours in lookup.on_pairs())
        joins.append(f"LEFT JOIN {lookup_relation(lookup, ctx)} AS {alias} ON {on}")
        selects += [f"{alias}.{ident(a)} AS {ident(a)}" for a, _ in lookup.field_pairs()]
    return f"(SELECT {', '.join(selects)} FROM {base} AS b {' '.join(joins)})"


def event_expr(rows: Rows) -> str:
    if rows.event_at is None:
        return "CAST(NULL AS TIMESTAMPTZ)"
    return f"CAST({render(rows.event_at)} AS TIMESTAMPTZ)"


def key_expr(text: str, steps: list[Any], ctx: CompileContext) -> str:
    sql = render(text)
    return compile_steps(f"CAST({sql} AS VARCHAR)", steps, ctx.lookups) if steps else sql


def typed_key(column: str, expr: str | None) -> str:
    return f"CAST({expr if expr is not None else 'NULL'} AS {COLUMN_TYPES[column]})"


def var_expr(expr: str | None) -> str:
    return "CAST(NULL AS DECIMAL(18,2))" if expr is None else f"CAST(round({expr}, 2) AS DECIMAL(18,2))"


def cte(name: str, body: str) -> str:
    return f"{ident(name)} AS (\n  {body}\n)"


@dataclass
class Branch:
    """One outcome's findings, before they are collapsed per business key."""

    index: int
    outcome: Outcome
    keys: dict[str, str]  # business key column -> expr
    context: dict[str, str]
    field_name: str | None
    left_value: str
    right_value: str
    difference: str
    event: str
    left_rows: str
    right_rows: str
    source: str
    where: str
    fix_in: str
    owner: str
    default_message: str

    def select(self, ctx: CompileContext, var: str | None, currency: str | None) -> str:
        cols = [f"{self.index} AS \"_outcome\"", f"{literal(self.outcome.exception)} AS exception_type",
                f"{literal(self.outcome.severity)} AS severity", f"{literal(self.owner)} AS owner",
                f"{literal(self.fix_in)} AS fix_in"]
        filled = {**self.context, **self.keys}
        cols += [f"{typed_key(c, filled.get(c))} AS {ident(c)}" for c in KEY_COLUMNS]
        id_parts = [self.keys[c] for c in KEY_COLUMNS if c in self.keys]
        cols += [
            f"CAST({literal(self.field_name)} AS VARCHAR) AS field",
            f"CAST({self.left_value} AS VARCHAR) AS left_value",
            f"CAST({self.right_value} AS VARCHAR) AS right_value",
            f"{self.difference} AS difference",
            f"{var_expr(var)} AS value_at_risk",
            f"CAST({currency or literal(ctx.currency)} AS VARCHAR) AS currency",
            f"CAST({self.event} AS TIMESTAMPTZ) AS event_at",
            f"CAST({self.left_rows} AS {ROWS_TYPE}) AS left_rows",
            f"CAST({self.right_rows} AS {ROWS_TYPE}) AS right_rows",
            f"{sp.key_text(id_parts)} AS \"_key\"",
        ]
        return f"SELECT {', '.join(cols)}\n  FROM {ident(self.source)}\n  WHERE {self.where}"


def default_message(title: str, key_columns: list[str], detail: str = "") -> str:
    keys = ", ".join(f"{c} {{{c}}}" for c in key_columns)
    return f"{title}: {keys}{detail}"


def finish(rule_id: str, workflow: str, branches: list[Branch], selects: list[str], ctes: list[str]) -> str:
    """Collapse the findings to one exception per type and business key, then ids, ages, messages, lineage.

    Two steps: first per outcome (several rows on one key: values at risk add up, the oldest event
    counts, lineage merges), then per exception type (two compared fields that map to one type
    make one exception naming both fields, with the first field's values).
    """
    ctes.append(cte("findings", "\n  UNION ALL\n  ".join(selects)))
    keys = ", ".join(f"min({ident(c)}) AS {ident(c)}" for c in KEY_COLUMNS)
    rows = f"{sp.merged_rows('left_rows')} AS left_rows, {sp.merged_rows('right_rows')} AS right_rows"
    ctes.append(cte("per_outcome", (
        "SELECT \"_outcome\", exception_type, severity, owner, fix_in, \"_key\", field, "
        f"{keys}, min(left_value) AS left_value, min(right_value) AS right_value, "
        "sum(difference) AS difference, sum(value_at_risk) AS value_at_risk, min(currency) AS currency, "
        f"min(event_at) AS event_at, {rows}, count(*) AS \"_n\"\n"
        "  FROM findings GROUP BY \"_outcome\", exception_type, severity, owner, fix_in, \"_key\", field")))
    first = ", ".join(f"first({c} ORDER BY \"_outcome\") AS {c}" for c in (
        "severity", "owner", "fix_in", "left_value", "right_value", "difference", "value_at_risk", "currency"))
    ctes.append(cte("found", (
        f"SELECT min(\"_outcome\") AS \"_outcome\", exception_type, \"_key\", {first}, "
        "string_agg(field, ', ' ORDER BY \"_outcome\") AS field, "
        f"{keys}, min(event_at) AS event_at, {rows}, sum(\"_n\") AS \"_n\"\n"
        "  FROM per_outcome GROUP BY exception_type, \"_key\"")))
    key_column = '"_key"'
    head = [f"{sp.RUN_ID} AS run_id", f"{sp.exception_id(rule_id, key_column)} AS exception_id",
            f"{literal(rule_id)} AS rule_id", f"{literal(workflow)} AS workflow",
            "exception_type", "severity", "owner", "fix_in", *(ident(c) for c in KEY_COLUMNS),
            "field", "left_value", "right_value", "difference", "value_at_risk", "currency",
            f"{sp.AS_OF} AS as_of", "event_at", f"{sp.age_hours('event_at')} AS age_hours",
            "\"_outcome\"", "\"_n\"", "left_rows", "right_rows"]
    ctes.append(cte("final", f"SELECT {', '.join(head)}\n  FROM found"))
    names = {c: ident(c) for c in COLUMN_NAMES} | {"rows": "\"_n\""}
    cases = " ".join(f"WHEN {b.index} THEN {sp.message(b.outcome.message or b.default_message, names)}"
                     for b in branches)
    out = [ident(c) for c in COLUMN_NAMES[: COLUMN_NAMES.index("message")]]
    out += [f"CASE \"_outcome\" {cases} END AS message", f"{sp.lineage('left_rows')} AS left_lineage",
            f"{sp.lineage('right_rows')} AS right_lineage"]
    return "WITH\n" + ",\n".join(ctes) + f"\nSELECT {', '.join(out)}\nFROM final"


# --- match rules ------------------------------------------------------------------------------------

class _MatchCompiler:
    def __init__(self, loaded: LoadedRule, ctx: CompileContext) -> None:
        self.loaded = loaded
        self.rule: MatchRule = loaded.rule  # type: ignore[assignment]
        self.ctx = ctx
        self.needed = self._needed_columns()
        self.types = {s: projected_columns(getattr(self.rule, s), ctx.extras) for s in ("left", "right")}

    # Which columns of each side the pair expressions use.
    def _pair_texts(self) -> list[str]:
        rule = self.rule
        texts: list[str] = []
        for level in rule.fuzzy:
            texts += [level.left or f"left.{level.field}", level.right or f"right.{level.field}"]
        for c in rule.compare:
            texts += [c.left or f"left.{c.field}", c.right or f"right.{c.field}"]
        for _, o in rule.outcomes():
            texts += [t for t in (o.value_at_risk, o.currency) if t]
            texts += list((o.key or {}).values()) + list(o.context.values())
        return texts

    def _needed_columns(self) -> dict[str, list[str]]:
        used: dict[str, set[str]] = {"left": set(), "right": set()}
        for text in self._pair_texts():
            for qualifier, name in snippets.column_refs(snippets.parse(text)):
                if qualifier in used:
                    used[qualifier].add(name)
        for side in ("left", "right"):
            agg = getattr(self.rule, side).aggregate
            if agg is not None:
                used[side] = set(agg)
        return {s: sorted(v) for s, v in used.items()}

    def pair_rename(self, qualifier: str | None, name: str) -> str:
        if qualifier == "left":
            return f"l__{name}"
        if qualifier == "right":
            return f"r__{name}"
        return f"k__{name}"

    def pair(self, text: str) -> str:
        return render(text, self.pair_rename)

    def side_rows(self, which: str) -> str:
        side: Side = getattr(self.rule, which)
        cols = [f"{key_expr(k.expr_for(which), k.normalise, self.ctx)} AS {ident('k__' + k.name)}"
                for k in self.rule.keys]
        source = self.needed[which] if side.aggregate is None else sorted(side.aggregate)
        cols += [ident(c) for c in source]
        cols += [f"{event_expr(side)} AS \"_event\"", f"{sp.row_struct()} AS \"_row\"", f"{sp.row_id()} AS \"_id\""]
        where = f"\n  WHERE {render(side.where)}" if side.where else ""
        dedupe = ""
        if side.dedupe:
            by = ", ".join(ident(c) for c in side.dedupe)
            order = ", ".join([*(ident(c) for c in source), sp.row_id()])
            dedupe = f"\n  QUALIFY row_number() OVER (PARTITION BY {by} ORDER BY {order}) = 1"
        return f"SELECT {', '.join(cols)}\n  FROM {rows_source(side, self.ctx)} AS t{where}{dedupe}"

    def unique(self, which: str) -> bool:
        """One row per key on this side: aggregated, or keyed by every key field of its entity."""
        side: Side = getattr(self.rule, which)
        if side.aggregate is not None:
            return True
        entity = ENTITIES.get(entity_of(side.table))
        bare = {k.expr_for(which) for k in self.rule.keys if not k.normalise}
        return entity is not None and set(entity.keys) <= bare

    @property
    def paired_by_dup(self) -> bool:
        """Neither side is unique per key: number duplicates and pair the n-th with the n-th."""
        return not self.rule.fuzzy and not (self.unique("left") or self.unique("right"))

    def side_rel(self, which: str) -> str:
        side: Side = getattr(self.rule, which)
        src = ident(f"{which[0]}_rows")
        keys = ", ".join(ident("k__" + k.name) for k in self.rule.keys)
        if side.aggregate is not None:
            aggs = []
            for name, func in side.aggregate.items():
                call = f"count(DISTINCT {ident(name)})" if func == "count_distinct" else f"{func}({ident(name)})"
                aggs.append(f"{call} AS {ident(name)}")
            cols = ", ".join([keys, *aggs, f"{side.event_agg}(\"_event\") AS \"_event\"", "list(\"_row\") AS \"_rows\"",
                              "min(\"_id\") AS \"_id\""])
            return f"SELECT {cols}\n  FROM {src} GROUP BY {keys}"
        order = ", ".join([*(ident(c) for c in self.needed[which]), "\"_id\""])
        dup = (f", row_number() OVER (PARTITION BY {keys} ORDER BY {order}) AS \"_dup\"" if self.paired_by_dup
               else "")
        return f"SELECT *, list_value(\"_row\") AS \"_rows\"{dup}\n  FROM {src}"

    def side_columns(self, which: str, alias: str | None) -> list[str]:
        """The pair columns coming from one side; alias None gives typed NULLs for an absent side."""
        p = which[0]
        cols = []
        for name in self.needed[which]:
            typ = self.types[which].get(name, "VARCHAR")
            cols.append(f"{alias}.{ident(name)} AS {ident(f'{p}__{name}')}" if alias
                        else f"CAST(NULL AS {typ}) AS {ident(f'{p}__{name}')}")
        for name, typ in (("_event", "TIMESTAMPTZ"), ("_rows", ROWS_TYPE), ("_id", "VARCHAR")):
            cols.append(f"{alias}.{ident(name)} AS {ident(f'{p}__{name}')}" if alias
                        else f"CAST(NULL AS {typ}) AS {ident(f'{p}__{name}')}")
        return cols

    def key_join(self) -> str:
        return " AND ".join(f"l.{ident('k__' + k.name)} IS NOT DISTINCT FROM r.{ident('k__' + k.name)}"
                            for k in self.rule.keys)

    def exact_pairs(self) -> list[str]:
        keys = [f"coalesce(l.{ident('k__' + k.name)}, r.{ident('k__' + k.name)}) AS {ident('k__' + k.name)}"
                for k in self.rule.keys]
        cols = [*keys, *self.side_columns("left", "l"), *self.side_columns("right", "r"),
                "FALSE AS \"_ambiguous\""]
        dup = " AND l.\"_dup\" = r.\"_dup\"" if self.paired_by_dup else ""
        return [cte("pairs", f"SELECT {', '.join(cols)}\n  FROM \"l_side\" AS l FULL OUTER JOIN \"r_side\" AS r "
                             f"ON {self.key_join()}{dup}")]

    def score(self, level: FuzzyLevel) -> tuple[str, str]:
        """(score 0-100, qualifies) of one level over the candidate pair."""
        lv = self.pair(level.left or f"left.{level.field}")
        rv = self.pair(level.right or f"right.{level.field}")
        if level.scorer == "exact":
            return (f"CASE WHEN ({lv}) IS NOT NULL AND ({lv}) = ({rv}) THEN 100.0 END", "IS NOT NULL")
        a, b = f"lower(trim(CAST({lv} AS VARCHAR)))", f"lower(trim(CAST({rv} AS VARCHAR)))"
        if level.scorer in RAPIDFUZZ_SCORERS:
            from recon.rules.fuzzy import udf_name

            expr = f"{udf_name(level.scorer)}(CAST({lv} AS VARCHAR), CAST({rv} AS VARCHAR))"
        elif level.scorer in ("levenshtein", "damerau_levenshtein"):
            expr = f"100.0 * (1 - {level.scorer}({a}, {b}) / greatest(length({a}), length({b}), 1))"
        elif level.scorer == "jaccard":
            expr = f"100.0 * jaccard({a}, {b})"
        else:
            expr = f"100.0 * {level.scorer}_similarity({a}, {b})"
        return expr, f">= {sp.num(level.threshold or 0)}"

    def fuzzy_pairs(self) -> list[str]:
        rule = self.rule
        key_cols = [f"l.{ident('k__' + k.name)} AS {ident('k__' + k.name)}" for k in rule.keys]
        both = [*self.side_columns("left", "l"), *self.side_columns("right", "r")]
        out = [cte("cand", f"SELECT {', '.join([*key_cols, *both])}\n  FROM \"l_side\" AS l JOIN \"r_side\" AS r "
                           f"ON {self.key_join()}")]
        scores = [self.score(level) for level in rule.fuzzy]
        out.append(cte("cand_scored", "SELECT *, " + ", ".join(f"{s} AS \"_s{i}\"" for i, (s, _) in enumerate(scores))
                       + "\n  FROM \"cand\""))
        holds = [f"\"_s{i}\" {cond}" for i, (_, cond) in enumerate(scores)]
        level = " ".join(f"WHEN {h} THEN {i + 1}" for i, h in enumerate(holds))
        score = " ".join(f"WHEN {h} THEN \"_s{i}\"" for i, h in enumerate(holds))
        out.append(cte("c0", (
            f"SELECT *, count(*) OVER (PARTITION BY \"l___id\", \"_level\", \"_score\") AS \"_ties_l\", "
            f"count(*) OVER (PARTITION BY \"r___id\", \"_level\", \"_score\") AS \"_ties_r\"\n"
            f"  FROM (SELECT *, CASE {level} END AS \"_level\", CASE {score} END AS \"_score\" "
            f"FROM \"cand_scored\" WHERE {' OR '.join(holds)}) AS s")))
        by_r = ", ".join([*(ident(f"r__{c}") for c in self.needed["right"]), "\"r___id\""])
        by_l = ", ".join([*(ident(f"l__{c}") for c in self.needed["left"]), "\"l___id\""])
        for n in range(1, ROUNDS + 1):
            prev = f"c{n - 1}"
            out.append(cte(f"m{n}", (
                f"SELECT * FROM {ident(prev)}\n  QUALIFY row_number() OVER (PARTITION BY \"l___id\" ORDER BY "
                f"\"_level\", \"_score\" DESC, {by_r}) = 1 AND row_number() OVER (PARTITION BY \"r___id\" "
                f"ORDER BY \"_level\", \"_score\" DESC, {by_l}) = 1")))
            if n < ROUNDS:
                out.append(cte(f"c{n}", (
                    f"SELECT * FROM {ident(prev)}\n  WHERE \"l___id\" NOT IN (SELECT \"l___id\" FROM {ident(f'm{n}')}) "
                    f"AND \"r___id\" NOT IN (SELECT \"r___id\" FROM {ident(f'm{n}')})")))
        out.append(cte("matched", "\n  UNION ALL ".join(f"SELECT * FROM {ident(f'm{n}')}"
                                                       for n in range(1, ROUNDS + 1))))
        names = [ident("k__" + k.name) for k in rule.keys] + [
            c.rsplit(" AS ", 1)[1] for c in both]
        matched = f"SELECT {', '.join(names)}, \"_ties_l\" > 1 OR \"_ties_r\" > 1 AS \"_ambiguous\" FROM \"matched\""
        left_keys = [f"l.{ident('k__' + k.name)}" for k in rule.keys]
        right_keys = [f"r.{ident('k__' + k.name)}" for k in rule.keys]
        left_cols = [*left_keys, *self.side_columns("left", "l"), *self.side_columns("right", None)]
        right_cols = [*right_keys, *self.side_columns("left", None), *self.side_columns("right", "r")]
        left_only = (f"SELECT {', '.join(left_cols)}, FALSE FROM \"l_side\" AS l "
                     f"WHERE l.\"_id\" NOT IN (SELECT \"l___id\" FROM \"matched\")")
        right_only = (f"SELECT {', '.join(right_cols)}, FALSE FROM \"r_side\" AS r "
                      f"WHERE r.\"_id\" NOT IN (SELECT \"r___id\" FROM \"matched\")")
        out.append(cte("pairs", f"{matched}\n  UNION ALL {left_only}\n  UNION ALL {right_only}"))
        return out

    # Outcomes.
    def fix_in(self, kind: str, outcome: Outcome, field_name: str | None) -> str:
        if outcome.fix_in:
            return outcome.fix_in
        rule = self.rule
        ls, rs = split_table(rule.left.table)[0], split_table(rule.right.table)[0]
        le, re_ = entity_of(rule.left.table), entity_of(rule.right.table)
        entity = rule.record or (le if le == re_ else None)
        if entity is not None:
            sor = self.ctx.owner_of(entity, field_name)
            left_is, right_is = sor == ls, sor == rs
        else:
            left_is = self.ctx.owner_of(le, field_name) == ls
            right_is = self.ctx.owner_of(re_, field_name) == rs
        if left_is and not right_is:
            return rs
        if right_is and not left_is:
            return ls
        return ls if kind == "missing_left" else rs

    def branches(self) -> list[Branch]:
        rule = self.rule
        first = rule.compare[0] if rule.compare else None
        out = []
        for index, (kind, outcome) in enumerate(rule.outcomes()):
            keys = ({c: self.pair(t) for c, t in outcome.key.items()} if outcome.key is not None else
                    {k.name: ident("k__" + k.name) for k in rule.keys if k.name in KEY_COLUMNS})
            context = {c: self.pair(t) for c, t in outcome.context.items()}
            side = event_side(rule, kind, outcome)
            event = f"\"{side[0]}___event\"" if side else "NULL"
            gate = sp.older_than(f"CAST({event} AS TIMESTAMPTZ)", outcome.older_than)
            compare = outcome if isinstance(outcome, Compare) else first
            lv = rv = diff = "NULL"
            field_name = None
            where = "TRUE"
            if compare is not None:
                category = compare_type(rule, compare, self.ctx.extras)
                lv, rv = self.compared(compare)
                field_name = compare.field
                lv_text, rv_text = sp.as_text(lv, category), sp.as_text(rv, category)
                if kind == "mismatch":
                    diff = sp.difference(lv, rv, category)
                    present = ("\"l___rows\" IS NOT NULL AND \"r___rows\" IS NOT NULL"
                               if compare.missing_as is None else "TRUE")
                    ok = sp.agrees(lv, rv, category, compare.tolerance, ignore_missing=compare.ignore_missing,
                                   normalise=compare.normalise, lookups=self.ctx.lookups)
                    where = f"{present} AND NOT {ok}"
                lv, rv = lv_text, rv_text
            if kind == "missing_right":
                where = "\"l___rows\" IS NOT NULL AND \"r___rows\" IS NULL"
            elif kind == "missing_left":
                where = "\"l___rows\" IS NULL AND \"r___rows\" IS NOT NULL"
            elif kind == "ambiguous":
                where = "\"_ambiguous\""
            if kind != "mismatch" and compare is None:
                diff = "NULL"
            detail = " ({field} {left_value} vs {right_value})" if kind == "mismatch" else ""
            if outcome.older_than is not None:
                detail += " for {age_hours}h"
            out.append(Branch(
                index=index, outcome=outcome, keys=keys, context=context, field_name=field_name,
                left_value=lv, right_value=rv, difference=f"CAST({diff} AS DECIMAL(18,4))", event=event,
                left_rows="\"l___rows\"", right_rows="\"r___rows\"", source="pairs",
                where=f"{where} AND {gate}",
                fix_in=self.fix_in(kind, outcome, field_name if kind == "mismatch" else None),
                owner=outcome.owner or self.loaded.owner,
                default_message=default_message(rule.title, [c for c in KEY_COLUMNS if c in keys], detail)))
        return out

    def compared(self, compare: Compare) -> tuple[str, str]:
        lv = self.pair(compare.left or f"left.{compare.field}")
        rv = self.pair(compare.right or f"right.{compare.field}")
        if compare.missing_as is not None:
            m = sp.num(compare.missing_as)
            lv = f"(CASE WHEN \"l___rows\" IS NULL THEN {m} ELSE {lv} END)"
            rv = f"(CASE WHEN \"r___rows\" IS NULL THEN {m} ELSE {rv} END)"
        return lv, rv

    def sql(self) -> str:
        ctes = [cte("l_rows", self.side_rows("left")), cte("r_rows", self.side_rows("right")),
                cte("l_side", self.side_rel("left")), cte("r_side", self.side_rel("right"))]
        ctes += self.fuzzy_pairs() if self.rule.fuzzy else self.exact_pairs()
        branches = self.branches()
        selects = [b.select(self.ctx, self.pair(b.outcome.value_at_risk) if b.outcome.value_at_risk else None,
                            self.pair(b.outcome.currency) if b.outcome.currency else None) for b in branches]
        return finish(self.rule.id, self.loaded.workflow, branches, selects, ctes)


# --- check and duplicate rules ------------------------------------------------------------------------

class _SingleCompiler:
    def __init__(self, loaded: LoadedRule, ctx: CompileContext) -> None:
        self.loaded = loaded
        self.rule: CheckRule | DuplicateRule = loaded.rule  # type: ignore[assignment]
        self.ctx = ctx

    def sql(self) -> str:
        rule = self.rule
        outcome = rule.outcome
        keys = {k.name: ident("k__" + k.name) for k in rule.keys}
        key_cols = [f"{key_expr(k.expr_for(), k.normalise, self.ctx)} AS {ident('k__' + k.name)}" for k in rule.keys]
        where = [f"({render(rule.where)})"] if rule.where else []
        system = split_table(rule.table)[0]
        ctes: list[str] = []
        if isinstance(rule, CheckRule):
            where.append(f"NOT coalesce(({render(rule.require)}), FALSE)")
            context = {c: ident("c__" + c) for c in outcome.context}
            cols = [*key_cols,
                    f"{render(rule.value) if rule.value else 'NULL'} AS \"_value\"",
                    f"{render(outcome.value_at_risk) if outcome.value_at_risk else 'NULL'} AS \"_var\"",
                    f"{render(outcome.currency) if outcome.currency else literal(self.ctx.currency)} AS \"_cur\"",
                    *(f"{render(t)} AS {ident('c__' + c)}" for c, t in outcome.context.items()),
                    f"{event_expr(rule)} AS \"_event\"", f"list_value({sp.row_struct()}) AS \"_rows\""]
            ctes.append(cte("rows", f"SELECT {', '.join(cols)}\n  FROM {rows_source(rule, self.ctx)} AS t"
                                    f"\n  WHERE {' AND '.join(where)}"))
            value = sp.as_text("\"_value\"", self._value_category())
            detail = "" if rule.value is None else " ({field} {left_value})"
        else:
            ctes.append(cte("rows", f"SELECT t.*, {', '.join(key_cols)}, {event_expr(rule)} AS \"_event\", "
                                    f"{sp.row_struct()} AS \"_row\"\n  FROM {rows_source(rule, self.ctx)} AS t"
                                    + (f"\n  WHERE {' AND '.join(where)}" if where else "")))
            group = ", ".join(keys.values())
            counted = f"count(DISTINCT {ident(rule.distinct)})" if rule.distinct else "count(*)"
            context = {c: ident("c__" + c) for c in outcome.context}
            cols = [group, f"{counted} AS \"_value\"",
                    f"{self._agg(outcome.value_at_risk) if outcome.value_at_risk else 'NULL'} AS \"_var\"",
                    f"{self._agg(outcome.currency) if outcome.currency else literal(self.ctx.currency)} AS \"_cur\"",
                    *(f"{self._agg(t)} AS {ident('c__' + c)}" for c, t in outcome.context.items()),
                    "max(\"_event\") AS \"_event\"", "list(\"_row\") AS \"_rows\""]
            ctes.append(cte("groups", f"SELECT {', '.join(cols)}\n  FROM \"rows\" GROUP BY {group} "
                                      f"HAVING {counted} > 1"))
            value = sp.as_text("\"_value\"", "number")
            detail = " (appears {left_value} times)"
        if outcome.older_than is not None:
            detail += " for {age_hours}h"
        source = "rows" if isinstance(rule, CheckRule) else "groups"
        business = {c: keys[c] for c in KEY_COLUMNS if c in keys}
        branch = Branch(
            index=0, outcome=outcome, keys=business, context=context,
            field_name=rule.field if isinstance(rule, CheckRule) else rule.distinct,
            left_value=value, right_value="NULL", difference="CAST(NULL AS DECIMAL(18,4))", event="\"_event\"",
            left_rows="\"_rows\"", right_rows="NULL", source=source,
            where=sp.older_than("\"_event\"", outcome.older_than),
            fix_in=outcome.fix_in or system, owner=outcome.owner or self.loaded.owner,
            default_message=default_message(rule.title, list(business), detail))
        return finish(rule.id, self.loaded.workflow, [branch],
                      [branch.select(self.ctx, "\"_var\"", "\"_cur\"")], ctes)

    def _agg(self, text: str) -> str:
        tree = snippets.parse(text)
        sql = snippets.render(tree, side_rename)
        return sql if snippets.has_aggregate(tree) else f"min({sql})"

    def _value_category(self) -> str:
        from recon.rules.tables import category, rows_columns

        rule = self.rule
        assert isinstance(rule, CheckRule)
        if rule.value is None:
            return "text"
        refs = snippets.column_refs(snippets.parse(rule.value))
        cols = rows_columns(rule, self.ctx.extras)
        if len(refs) == 1 and refs[0][1] in cols:
            return category(cols[refs[0][1]])
        return "text"
