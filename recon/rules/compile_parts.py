"""Pieces shared by the match and single-table compilers: context, relations, and the final collapse.

Pure functions from rules and config to SQL text (see `recon.rules.compiler`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from recon import catalogue
from recon.calendars import BusinessCalendar
from recon.config.schema import Config, Ownership
from recon.config.units import Units
from recon.normalise import compile_steps
from recon.rules import snippets, units
from recon.rules import sqlparts as sp
from recon.rules.contract import COLUMN_NAMES, COLUMN_TYPES, KEY_COLUMNS
from recon.rules.schema import Lookup, Outcome, Rows, SideUnits
from recon.rules.tables import Extras, rows_columns, split_table
from recon.sql import ident, literal, table_name

NOTE = '"_note"'  # an outcome's `note`, carried to the message only (not an exception column)
ROW_TYPE = "STRUCT(f VARCHAR, r BIGINT)"
ROWS_TYPE = f"{ROW_TYPE}[]"


@dataclass(frozen=True)
class CompileContext:
    """What compilation needs from the config: ownership, lookups for normalisers, currency, extras."""

    ownership: Mapping[str, str | Ownership] = field(default_factory=dict)
    lookups: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    currency: str = "USD"
    extras: Extras = field(default_factory=dict)
    missing_tables: frozenset[str] = frozenset()  # lookups on these compile to empty relations
    calendars: Mapping[str, BusinessCalendar] = field(default_factory=dict)  # for `older_than: 2bd`
    # Match rules with pairings recorded by `recon match` (in the run's main.manual_matches: recon.rules.manual).
    manual_matches: frozenset[str] = frozenset()
    units: Units = field(default_factory=Units)  # codes, inline conversions, rounding (recon.rules.units)
    conversion_tables: tuple[str, ...] = ()  # the loaded `<system>.uom_conversions` tables

    @classmethod
    def from_config(cls, config: Config | None, missing_tables: frozenset[str] = frozenset(),
                    manual_matches: frozenset[str] = frozenset(),
                    present: set[str] | None = None) -> CompileContext:
        """`present`: the tables a run loaded (its `uom_conversions` are the conversions); else the config's."""
        tables: set[str] = set()
        if present is not None:
            tables = {t for t in present if split_table(t)[1] == "uom_conversions"}
        elif config is not None:
            tables = {f"{s.system}.uom_conversions" for s in config.sources.values() if s.entity == "uom_conversions"}
            tables |= {d.create for d in config.derive.values() if d.create and d.create.endswith(".uom_conversions")}
        if config is None:
            return cls(missing_tables=missing_tables, manual_matches=manual_matches,
                       conversion_tables=tuple(sorted(tables)))
        return cls(ownership=dict(config.ownership), lookups=dict(config.lookups), currency=config.currency,
                   extras=catalogue.extras(config), missing_tables=missing_tables,
                   calendars=config.business_calendars(), manual_matches=manual_matches, units=config.units,
                   conversion_tables=tuple(sorted(tables - missing_tables)))

    def owner_of(self, entity: str, field_name: str | None = None) -> str | None:
        spec = self.ownership.get(entity)
        if spec is None or isinstance(spec, str):
            return spec
        return spec.fields.get(field_name, spec.system) if field_name else spec.system


def side_rename(qualifier: str | None, name: str) -> str:
    return name


def render(text: str, rename: Callable[[str | None, str], str] = side_rename) -> str:
    return snippets.render(snippets.parse(text), rename)


def lookup_relation(lookup: Lookup, ctx: CompileContext) -> str:
    """At most one row per lookup key, so a lookup never multiplies the side's rows."""
    cols = rows_columns(lookup, ctx.extras)
    on = [theirs for theirs, _ in lookup.on_pairs()]
    if lookup.table in ctx.missing_tables:
        typed = [f"CAST(NULL AS {cols.get(c, 'VARCHAR')}) AS {ident(c)}" for c in on]
        typed += [f"CAST(NULL AS {field_type(c, cols)}) AS {ident(a)}" for a, c in lookup.field_pairs()]
        return f"(SELECT {', '.join(typed)} WHERE FALSE)"
    fields = ", ".join(f"{_aggregated(c, lookup.agg)} AS {ident(a)}" for a, c in lookup.field_pairs())
    where = f" WHERE {render(lookup.where)}" if lookup.where else ""
    if lookup.normalise:  # the normalised key under its own name, grouped by position
        keys = ", ".join(f"{lookup_key(ident(c), lookup, ctx)} AS {ident(c)}" for c in on)
        group = ", ".join(str(i + 1) for i in range(len(on)))
    else:
        keys = group = ", ".join(ident(c) for c in on)
    source = f"{rows_source(lookup, ctx)} AS lt" if lookup.lookups else table_name(*split_table(lookup.table))
    if lookup.units is not None:  # its quantities in base units before they are aggregated
        base = rows_source(lookup, ctx) if lookup.lookups else table_name(*split_table(lookup.table))
        names = [*cols, *(alias for inner in lookup.lookups for alias, _ in inner.field_pairs())]
        # a field that reads the unit reads the one its converted quantities are in (`min(uom)`: EA)
        unit = lookup.units.uom if any(name == lookup.units.uom for _, text in lookup.field_pairs()
                                       for _, name in snippets.column_refs(snippets.parse(text))) else None
        pairs = unit_pairs(lookup, lookup.units)
        source = f"{units.lookup_source(base, lookup.units, ctx.units, names, unit, pairs)} AS u"
    return f"(SELECT {keys}, {fields} FROM {source}{where} GROUP BY {group})"


def unit_pairs(rows: Rows | Lookup, spec: SideUnits) -> str | None:
    """Where the distinct (item, unit) pairs of `rows` are read from for their conversion factors
    (recon.rules.units.converted_source): their table when the rows join lookups that bring in
    neither, so the lookups are not joined a second time for them; None: the rows themselves."""
    aliases = {alias for lookup in rows.lookups for alias, _ in lookup.field_pairs()}
    names = {name for text in (spec.item, spec.uom) for _, name in snippets.column_refs(snippets.parse(text))}
    return None if not rows.lookups or names & aliases else table_name(*split_table(rows.table))


def field_type(text: str, cols: Mapping[str, str]) -> str:
    """A lookup field's type when its table is absent: a column's own, also under min/max/first
    (`min(currency)` stays text), a count a BIGINT, any other expression a number."""
    tree = snippets.parse(text)
    inner = tree.this if isinstance(tree, snippets.exp.Min | snippets.exp.Max | snippets.exp.First
                                    | snippets.exp.AnyValue) else tree
    if isinstance(inner, snippets.exp.Column) and inner.name in cols:
        return cols[inner.name]
    if isinstance(tree, snippets.exp.Count):
        return "BIGINT"
    return "DECIMAL(18,4)"


def lookup_key(expr: str, lookup: Lookup, ctx: CompileContext) -> str:
    """One side of a lookup's `by` pair as compared: after the lookup's normalisers, if any."""
    return compile_steps(f"CAST({expr} AS VARCHAR)", lookup.normalise, ctx.lookups) if lookup.normalise else expr


def _aggregated(text: str, default: str) -> str:
    """An expression that already aggregates (sum(qty * unit_price)) as is, else wrapped in `default`."""
    tree = snippets.parse(text)
    sql = snippets.render(tree, side_rename)
    return sql if snippets.has_aggregate(tree) else f"{default}({sql})"


def rows_source(rows: Rows | Lookup, ctx: CompileContext) -> str:
    """The table, with its lookup fields alongside its own columns.

    A lookup's `by` may name a field an earlier lookup brought in (the document's reference, then the
    shipment it names): that pair joins on the earlier lookup's column. A lookup with lookups of its
    own is enriched the same way before it is grouped (`lookup_relation`).

    A normalised `by` on one of the table's own columns is computed once per row, below the joins,
    as a hidden column (`_lk_key0`, ...) that every lookup with the same normalised key joins on: in
    a join condition DuckDB evaluates the expression for each join that holds it, and costs about
    twice the projection for it there (bench/notes.md, "Rules: normalised lookup keys")."""
    base = table_name(*split_table(rows.table))
    if not rows.lookups:
        return base
    selects, joins, hidden = _lookup_joins(rows, ctx)
    if hidden:
        keys = ", ".join(f"{text} AS {ident(name)}" for text, name in hidden.items())
        base = f"(SELECT b.*, {keys} FROM {base} AS b)"
    return f"(SELECT {', '.join(selects)} FROM {base} AS b {' '.join(joins)})"


def hidden_keys(rows: Rows | Lookup, ctx: CompileContext) -> dict[str, str]:
    """The hidden columns `rows_source` adds, by their text over the bare column: text -> column name.

    A rule key that normalises the same column the same way reads the hidden column instead of
    normalising every row once more (asn-matches-shipment's right side)."""
    if not rows.lookups:
        return {}
    hidden, earlier, bare = _lookup_joins(rows, ctx)[2], set(), {}
    for lookup in rows.lookups:  # the pairs `_our_key` gave a hidden column
        for _, ours in lookup.on_pairs():
            name = None if ours in earlier else hidden.get(lookup_key(f"b.{ident(ours)}", lookup, ctx))
            if name is not None:
                bare[lookup_key(ident(ours), lookup, ctx)] = name
        earlier.update(a for a, _ in lookup.field_pairs())
    return bare


def _lookup_joins(rows: Rows | Lookup, ctx: CompileContext) -> tuple[list[str], list[str], dict[str, str]]:
    """`rows_source`'s select list, its lookups' joins and its hidden key columns (text -> name)."""
    selects, joins = ["b.*"], []
    earlier: dict[str, str] = {}  # a field of an earlier lookup -> its column in the join
    hidden: dict[str, str] = {}  # a normalised key of the table's own column -> its hidden column
    for i, lookup in enumerate(rows.lookups):
        alias = f"lk{i}"
        on = " AND ".join(f"{alias}.{ident(theirs)} IS NOT DISTINCT FROM {_our_key(ours, lookup, earlier, hidden, ctx)}"
                          for theirs, ours in lookup.on_pairs())
        joins.append(f"LEFT JOIN {lookup_relation(lookup, ctx)} AS {alias} ON {on}")
        selects += [f"{alias}.{ident(a)} AS {ident(a)}" for a, _ in lookup.field_pairs()]
        earlier.update({a: f"{alias}.{ident(a)}" for a, _ in lookup.field_pairs()})
    return selects, joins, hidden


def _our_key(ours: str, lookup: Lookup, earlier: Mapping[str, str], hidden: dict[str, str],
             ctx: CompileContext) -> str:
    """The rows' side of a lookup's `by` pair: an earlier lookup's field as joined, a plain column as
    it is, a normalised own column as its hidden column (added to `hidden` when new)."""
    if ours in earlier:
        return lookup_key(earlier[ours], lookup, ctx)
    if not lookup.normalise:
        return f"b.{ident(ours)}"
    name = hidden.setdefault(lookup_key(f"b.{ident(ours)}", lookup, ctx), f"_lk_key{len(hidden)}")
    return f"b.{ident(name)}"


def rescan(rows: Rows, keys: Mapping[str, str], where: str | None, ctx: CompileContext) -> str | None:
    """The rows' table read again for lineage: `keys` (column -> expression text, as the rule keys its
    rows), the row as {f, r} (`"_row"`) and `where`. None when that needs the lookups (a key or the
    `where` names a lookup field) or when the rows are deduplicated: then only the rule's own rows CTE
    has the same rows."""
    aliases = {alias for lookup in rows.lookups for alias, _ in lookup.field_pairs()}
    texts = [*keys.values(), *([where] if where else [])]
    names = {name for text in texts for _, name in snippets.column_refs(snippets.parse(text))}
    if getattr(rows, "dedupe", None) or names & aliases:
        return None
    cols = [f"{render(text)} AS {ident(name)}" for name, text in keys.items()]
    filtered = f" WHERE {render(where)}" if where else ""
    return (f"(SELECT {', '.join(cols)}, {sp.row_struct()} AS \"_row\" "
            f"FROM {table_name(*split_table(rows.table))} AS t{filtered})")


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


@dataclass(frozen=True)
class SideLineage:
    """How the findings name one side's source rows (`column` is left_rows or right_rows).

    mode `rows`: each finding row holds a list of {f, r} (`Branch.left_rows` is that list).
    mode `row`: each finding row holds one {f, r} or NULL (one source row per pair).
    mode `keys`: the findings hold nothing for this side; `gather` takes the side's key values
    (`refs`, where `present`) of the findings' pairs and reads their rows from `relation` (columns
    `keys` and "_row"), so only the keys that are findings build a list.
    """

    column: str
    mode: str = "rows"
    present: str = ""  # keys mode: TRUE (not NULL) when a finding's pair has this side
    refs: tuple[str, ...] = ()  # keys mode: the side's key values in the branches' source
    relation: str = ""  # keys mode: a relation of the side's rows: a subquery, or a CTE of the rule
    keys: tuple[str, ...] = ()  # keys mode: its key columns, in the order of `refs`

    def finding_columns(self, expr: str) -> list[str]:
        """The findings' columns for this side; `expr` is the branch's rows (rows) or row (row)."""
        if self.mode == "rows":
            return [f"CAST({expr} AS {ROWS_TYPE}) AS {self.column}"]
        if self.mode == "row":
            return [f"CAST({expr} AS {ROW_TYPE}) AS {self.column}"]
        return []  # keys mode: gathered from the pairs by `gather`

    def merged(self, first: bool) -> str | None:
        """The collapsed list (per outcome when `first`, then per exception); None in keys mode."""
        if self.mode == "keys":
            return None
        if self.mode == "row" and first:
            return f"list_distinct(list({self.column})) AS {self.column}"
        return f"{sp.merged_rows(self.column)} AS {self.column}"

    def gather(self, branches: Sequence[Branch], name: str) -> list[str]:
        """keys mode: the CTE `name`, one row per exception (type and key) with its sorted distinct
        source rows (and before it, when the relation is a CTE of the rule, the finding keys).

        The branches' own filters pick the finding keys again (a narrow copy of the findings), so
        the findings stay one pipeline read once (on Spark: not one more checkpointed step). A
        relation that is the rule's own rows CTE is first cut down to the finding keys (`IN`, a
        join DuckDB builds on the few keys): DuckDB cannot estimate a materialised CTE's size and
        would otherwise build its hash table on all of the side's rows."""
        refs = [ident(f"_k{i}") for i in range(len(self.keys))]
        wanted = [f"SELECT {literal(b.outcome.exception)} AS exception_type, {b.key_text()} AS \"_key\", "
                  + ", ".join(f"{r} AS {n}" for r, n in zip(self.refs, refs, strict=True))
                  + f" FROM {ident(b.source)} WHERE {b.where} AND {self.present}" for b in branches]
        keys = f"SELECT DISTINCT * FROM (\n    {' UNION ALL '.join(wanted)}\n  ) AS w"
        on = " AND ".join(f"x.{ident(k)} IS NOT DISTINCT FROM f.{r}" for k, r in zip(self.keys, refs, strict=True))
        out, source, relation = [], f"({keys})", self.relation
        if not relation.startswith("("):
            out.append(cte(f"{name}_keys", keys))
            source = ident(f"{name}_keys")
            first = ident(self.keys[0])
            relation = (f"(SELECT * FROM {relation} WHERE {first} IN (SELECT {refs[0]} FROM {source}) "
                        f"OR {first} IS NULL)")
        out.append(cte(name, f"SELECT f.exception_type, f.\"_key\", list_sort(list_distinct(list(x.\"_row\"))) "
                             f"AS {self.column}\n  FROM {source} AS f\n  JOIN {relation} AS x ON {on}\n"
                             f"  GROUP BY f.exception_type, f.\"_key\""))
        return out


ROWS_LINEAGE = (SideLineage("left_rows"), SideLineage("right_rows"))


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
    # The outcome's `note` over the pair (a match rule's message text), "NULL" when another
    # outcome of the rule has one; None when no outcome does (no `_note` column at all).
    note: str | None = None

    def key_text(self) -> str:
        """The business key as text (`_key`): what findings collapse on and the exception id hashes."""
        return sp.key_text([self.keys[c] for c in KEY_COLUMNS if c in self.keys])

    def select(self, ctx: CompileContext, var: str | None, currency: str | None,
               lineage: tuple[SideLineage, SideLineage] = ROWS_LINEAGE) -> str:
        cols = [f"{self.index} AS \"_outcome\"", f"{literal(self.outcome.exception)} AS exception_type",
                f"{literal(self.outcome.severity)} AS severity", f"{literal(self.owner)} AS owner",
                f"{literal(self.fix_in)} AS fix_in"]
        filled = {**self.context, **self.keys}
        cols += [f"{typed_key(c, filled.get(c))} AS {ident(c)}" for c in KEY_COLUMNS]
        cols += [
            f"CAST({literal(self.field_name)} AS VARCHAR) AS field",
            f"CAST({self.left_value} AS VARCHAR) AS left_value",
            f"CAST({self.right_value} AS VARCHAR) AS right_value",
            f"{self.difference} AS difference",
            f"{var_expr(var)} AS value_at_risk",
            f"CAST({currency or literal(ctx.currency)} AS VARCHAR) AS currency",
            f"CAST({self.event} AS TIMESTAMPTZ) AS event_at",
            *lineage[0].finding_columns(self.left_rows),
            *lineage[1].finding_columns(self.right_rows),
            f"{self.key_text()} AS \"_key\"",
        ]
        if self.note is not None:
            cols.append(f"CAST({self.note} AS VARCHAR) AS {NOTE}")
        return f"SELECT {', '.join(cols)}\n  FROM {ident(self.source)}\n  WHERE {self.where}"


@dataclass(frozen=True)
class Statement:
    """A compiled query as its CTEs and its final SELECT, so that a companion can share the CTEs."""

    ctes: tuple[str, ...]
    select: str

    @property
    def text(self) -> str:
        return ("WITH\n" + ",\n".join(self.ctes) + "\n" if self.ctes else "") + self.select


STATS_COLUMNS = ("records_compared", "records_matched")


def _stats_body(units: str) -> str:
    """`units` yields one row per record checked: `_n` (how many records it stands for) and `_ok`
    (whether they passed); this sums them to one row of records compared and matched."""
    return (f"SELECT CAST(coalesce(sum(\"_n\"), 0) AS BIGINT) AS records_compared, "
            f"CAST(coalesce(sum(\"_n\") FILTER (WHERE \"_ok\"), 0) AS BIGINT) AS records_matched\n"
            f"FROM (\n  {units}\n) AS checked")


def stats_select(ctes: list[str], units: str) -> str:
    """The rule's companion query on its own: the CTEs it needs, then one row of records compared and matched."""
    return Statement(tuple(ctes), _stats_body(units)).text


def with_stats(statement: Statement, units: str) -> str:
    """The rule's exceptions and, as one more row, its records compared and matched, from one statement.

    The exception rows have NULL in the two extra columns; the last row has NULL in every contract
    column. Sharing the statement's CTEs is what makes the counts cheap: DuckDB computes a CTE
    used by both parts (the pairs of a match rule) once.
    """
    nulls = ", ".join(f"CAST(NULL AS {COLUMN_TYPES[c]}) AS {ident(c)}" for c in COLUMN_NAMES)
    extra = ", ".join(f"CAST(NULL AS BIGINT) AS {c}" for c in STATS_COLUMNS)
    select = (f"SELECT *, {extra} FROM (\n{statement.select}\n) AS found\n"
              f"UNION ALL\nSELECT {nulls}, {', '.join(STATS_COLUMNS)} FROM \"_stats\"")
    return Statement((*statement.ctes, cte("_stats", _stats_body(units))), select).text


def default_message(title: str, key_columns: list[str], detail: str = "") -> str:
    keys = ", ".join(f"{c} {{{c}}}" for c in key_columns)
    return f"{title}: {keys}{detail}"


def finish(rule_id: str, workflow: str, branches: list[Branch], selects: list[str], ctes: list[str],
           lineage: tuple[SideLineage, SideLineage] = ROWS_LINEAGE) -> Statement:
    """Collapse the findings to one exception per type and business key, then ids, ages, messages, lineage.

    Two steps: first per outcome (several rows on one key: values at risk add up, the oldest event
    counts, lineage merges), then per exception type (two compared fields that map to one type
    make one exception naming both fields, with the first field's values). A side whose lineage
    is gathered by key (`SideLineage` mode keys) gets its rows after that, for the exceptions only.
    """
    ctes.append(cte("findings", "\n  UNION ALL\n  ".join(selects)))
    noted = any(b.note is not None for b in branches)
    note_min, note_first = (f"min({NOTE}) AS {NOTE}, ", f"first({NOTE} ORDER BY \"_outcome\") AS {NOTE}, ") if noted \
        else ("", "")
    keys = ", ".join(f"min({ident(c)}) AS {ident(c)}" for c in KEY_COLUMNS)

    def rows_of(first: bool) -> str:
        merged = [m for m in (side.merged(first) for side in lineage) if m is not None]
        return "".join(f"{m}, " for m in merged)

    ctes.append(cte("per_outcome", (
        "SELECT \"_outcome\", exception_type, severity, owner, fix_in, \"_key\", field, "
        f"{keys}, min(left_value) AS left_value, min(right_value) AS right_value, "
        "sum(difference) AS difference, sum(value_at_risk) AS value_at_risk, min(currency) AS currency, "
        f"{note_min}min(event_at) AS event_at, {rows_of(True)}count(*) AS \"_n\"\n"
        "  FROM findings GROUP BY \"_outcome\", exception_type, severity, owner, fix_in, \"_key\", field")))
    first = ", ".join(f"first({c} ORDER BY \"_outcome\") AS {c}" for c in (
        "severity", "owner", "fix_in", "left_value", "right_value", "difference", "value_at_risk", "currency"))
    ctes.append(cte("found", (
        f"SELECT min(\"_outcome\") AS \"_outcome\", exception_type, \"_key\", {first}, "
        "string_agg(field, ', ' ORDER BY \"_outcome\") AS field, "
        f"{note_first}{keys}, min(event_at) AS event_at, {rows_of(False)}sum(\"_n\") AS \"_n\"\n"
        "  FROM per_outcome GROUP BY exception_type, \"_key\"")))
    key_column = '"_key"'
    head = [f"{sp.RUN_ID} AS run_id", f"{sp.exception_id(rule_id, key_column)} AS exception_id",
            f"{literal(rule_id)} AS rule_id", f"{literal(workflow)} AS workflow",
            "exception_type", "severity", "owner", "fix_in", *(ident(c) for c in KEY_COLUMNS),
            "field", "left_value", "right_value", "difference", "value_at_risk", "currency",
            f"{sp.AS_OF} AS as_of", "event_at", f"{sp.age_hours('event_at')} AS age_hours",
            "\"_outcome\"", "\"_n\"", "left_rows", "right_rows", *([NOTE] if noted else [])]
    source = "found"
    gathered = [(side, which) for side, which in zip(lineage, ("left", "right"), strict=True) if side.mode == "keys"]
    if gathered:
        joins, cols = [], ["found.*"]
        for side, which in gathered:
            name = ident(f"lineage_{which}")
            ctes.extend(side.gather(branches, f"lineage_{which}"))
            cols.append(f"{name}.{side.column}")
            joins.append(f"LEFT JOIN {name} ON {name}.exception_type = found.exception_type "
                         f"AND {name}.\"_key\" = found.\"_key\"")
        ctes.append(cte("found_rows", f"SELECT {', '.join(cols)}\n  FROM found {' '.join(joins)}"))
        source = "found_rows"
    ctes.append(cte("final", f"SELECT {', '.join(head)}\n  FROM {source}"))
    names = {c: ident(c) for c in COLUMN_NAMES} | {"rows": "\"_n\""}
    if noted:
        names["note"] = f"coalesce({NOTE}, '')"
    cases = " ".join(f"WHEN {b.index} THEN {sp.message(b.outcome.message or b.default_message, names)}"
                     for b in branches)
    out = [ident(c) for c in COLUMN_NAMES[: COLUMN_NAMES.index("message")]]
    out += [f"CASE \"_outcome\" {cases} END AS message", f"{sp.lineage('left_rows')} AS left_lineage",
            f"{sp.lineage('right_rows')} AS right_lineage"]
    return Statement(tuple(ctes), f"SELECT {', '.join(out)}\nFROM final")
