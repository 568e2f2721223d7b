"""From a source's column mapping to SQL: pure functions, no connection.

Per canonical field we produce the cleaned source text (kept for reject messages) and the
normalised, typed value. Rows where a present cell does not parse, or a key is missing, become
rejects; the rest are loaded. Building the SQL apart from running it keeps this testable and
lets a golden test show exactly what a mapping compiles to.
"""

from __future__ import annotations

from dataclasses import dataclass

from recon.casting import CastSpec, cast_expr, describe_failure, failure_sql, kind_of, line_cast
from recon.catalogue import field_type
from recon.config.schema import ColumnSpec, Config, Source
from recon.config.sourcesql import parse_condition
from recon.model import ENTITIES, LINE_FIELDS
from recon.normalise import base_clean, compile_steps
from recon.sql import ident, literal

# Money and currency fields fall back to the config's default currency when a source has none.
_CURRENCY_ENTITIES = ("order_lines", "invoice_lines")


@dataclass(frozen=True)
class FieldPlan:
    name: str
    duck_type: str
    is_key: bool
    raw_sql: str  # cleaned source text, VARCHAR, over the raw table's row
    typed_sql: str  # typed, NULL when it does not parse: over the `f__norm` column, or `f__raw` without one
    failure: str  # reject reason when raw is present but typed is NULL
    reason_sql: str = ""  # SQL over the raw column giving a more precise reason, when there is one
    note_sql: str = ""  # SQL over the carried columns kept as `f__note` for reason_sql (a lookup's match count)
    norm_sql: str = ""  # the normalised text, over the `f__raw` column (empty: no normaliser)
    carry: tuple[str, ...] = ()  # columns of the raw table that typed_sql or note_sql read (a lookup's result)


def _source_text(spec: ColumnSpec) -> str:
    if spec.column is not None:
        return ident(spec.column)
    if spec.expr is not None:
        return f"({spec.expr})"
    return literal(spec.value if not isinstance(spec.value, bool) else str(spec.value).lower())


def read_columns(source: Source) -> list[str] | None:
    """The source columns a mapping reads, so readers can skip the others; None means all of them.

    Expressions are parsed to find the columns they name; one that does not parse (it will fail
    later with its own located error) makes the reader keep every column.
    """
    import sqlglot
    from sqlglot import exp

    names: list[str] = []
    if source.pivot is not None:  # the file holds events; the mapping reads what the pivot folds them into
        return None
    if source.where is not None:
        condition = parse_condition(source.where)
        if condition.error:
            return None
        names += condition.columns
    for spec in source.column_specs().values():
        if spec.column is not None:
            names.append(spec.column)
        elif spec.on is not None:
            names.append(spec.on)
        elif spec.expr is not None:
            try:
                tree = sqlglot.parse_one(spec.expr, read="duckdb")
            except sqlglot.errors.ParseError:
                return None
            names += [c.name for c in tree.find_all(exp.Column)]
    return list(dict.fromkeys(names))


def plan_fields(config: Config, source: Source, entity: str) -> list[FieldPlan]:
    specs = source.column_specs()
    if entity in _CURRENCY_ENTITIES and "currency" not in specs:
        specs["currency"] = ColumnSpec(value=config.currency)
    keys = ENTITIES[entity].required
    plans = []
    for name, spec in specs.items():
        duck_type = field_type(entity, name, spec)
        if spec.lookup is not None:
            plans.append(_lookup_plan(name, spec, duck_type, name in keys, source.options.null_values))
            continue
        cast = CastSpec(
            duck_type=duck_type,
            format=spec.format,
            timezone=spec.timezone or source.timezone or config.timezone,
            decimal=source.options.decimal,
            thousands=source.options.thousands,
        )
        raw = base_clean(_source_text(spec), source.options.null_values)
        # Each step reads the one before it as a column (see mapped_select): every cell is cleaned once.
        norm = compile_steps(ident(name + "__raw"), spec.normalise, config.lookups) if spec.normalise else ""
        normalised = ident(name + ("__norm" if norm else "__raw"))
        if name in LINE_FIELDS and spec.type is None:  # a line number, in the form the source writes it
            typed, failure, precise = line_cast(normalised, spec.line or "integer", cast)
            whole = CastSpec("INTEGER", decimal=cast.decimal, thousands=cast.thousands)
            reason = failure_sql(ident(name + "__raw"), whole) if precise else ""
            plans.append(FieldPlan(name, duck_type, name in keys, raw, typed, failure, reason, norm_sql=norm))
            continue
        typed = cast_expr(normalised, cast)
        failure = describe_failure(cast) if kind_of(duck_type) != "varchar" else "empty after normalisation"
        reason = failure_sql(ident(name + "__raw"), cast) if kind_of(duck_type) != "varchar" else ""
        plans.append(FieldPlan(name, duck_type, name in keys, raw, typed, failure, reason, norm_sql=norm))
    return plans


def lookup_columns(name: str) -> tuple[str, str]:
    """The columns a lookup join adds for field `name`: the value found and how many values were found."""
    return f"__lookup_{name}", f"__lookups_{name}"


def _lookup_plan(name: str, spec: ColumnSpec, duck_type: str, is_key: bool, null_values: list[str]) -> FieldPlan:
    """A field taken from another source: raw is this row's reference, typed the one value it finds.

    The join itself is `recon.load.lookups`; a reference that finds no row, or rows that disagree,
    is a reject naming the lookup, the reference and why.
    """
    value, found = (ident(c) for c in lookup_columns(name))
    typed = f"CASE WHEN {found} = 1 THEN CAST({value} AS {duck_type}) END"
    raw = ident(name + "__raw")
    note = ident(name + "__note")
    reason = (f"CASE WHEN coalesce({note}, 0) = 0 THEN {literal(f'no {spec.lookup} row with {spec.on} ')} || {raw} "
              f"|| {literal(f' (or its {spec.field} is empty)')} ELSE {literal(f'{spec.lookup} rows with {spec.on} ')}"
              f" || {raw} || {literal(f' disagree on {spec.field}')} END")
    return FieldPlan(name, duck_type, is_key, base_clean(ident(spec.on or ""), null_values), typed,
                     f"no {spec.lookup} row matches", reason, note_sql=found, carry=lookup_columns(name))


def mapped_select(plans: list[FieldPlan], raw_table: str, passthrough: tuple[str, ...] = (),
                  row_id: str | None = "row_number() OVER ()", where: str | None = None) -> str:
    """Each field twice: `f__raw` (text as read) and `f` (typed), with a row id, source row and lineage.

    Three selects, one inside the other: the cleaned text of every cell (`f__raw`), then the
    normalised text of the fields that have normalisers (`f__norm`), then the typed values, each
    reading the one before it as a column. Written as one nested expression, the typed value
    repeats the cleaning of the cell in every place the cast reads its text; DuckDB shares such
    repeats only sometimes (not inside a CASE's conditions), so each cell could be cleaned many
    times. `row_id=None` leaves the row id out: DuckDB's loader uses the mapped table's rowid,
    cheaper than a window over every row.
    """
    lineage = ([f"{row_id} AS _rid"] if row_id else []) + ["_source_row", *(ident(c) for c in passthrough)]
    carried = list(dict.fromkeys(ident(c) for p in plans for c in p.carry))
    clean = [*lineage, *carried, *(f"{p.raw_sql} AS {ident(p.name + '__raw')}" for p in plans)]
    keep = f" WHERE coalesce(({where}), false)" if where is not None else ""
    inner = f"SELECT {', '.join(clean)} FROM {ident(raw_table)}{keep}"
    norms = [f"{p.norm_sql} AS {ident(p.name + '__norm')}" for p in plans if p.norm_sql]
    if norms:
        inner = f"SELECT *, {', '.join(norms)} FROM ({inner}) AS _cleaned"
    cols = ["_rid"] if row_id else []
    cols += ["_source_row", *(ident(c) for c in passthrough)]
    for p in plans:
        cols.append(ident(p.name + "__raw"))
        cols.append(f"{p.typed_sql} AS {ident(p.name)}")
        if p.note_sql:
            cols.append(f"{p.note_sql} AS {ident(p.name + '__note')}")
    return f"SELECT {', '.join(cols)} FROM ({inner}) AS _normalised"


def reject_conditions(plans: list[FieldPlan]) -> list[str]:
    """The condition of each kind of unusable cell, over a mapped row, in `rejects_select`'s order.

    A present value that does not type; for a key, a missing value or one holding a NUL byte.
    """
    out = []
    for p in plans:
        raw, typed = ident(p.name + "__raw"), ident(p.name)
        out.append(f"{raw} IS NOT NULL AND {typed} IS NULL")
        if p.is_key:
            out += [f"{raw} IS NULL", f"contains({raw}, chr(0))"]
    return out


def bad_row_condition(plans: list[FieldPlan]) -> str:
    """The mapped row has at least one reject: any of `reject_conditions` holds."""
    return " OR ".join(f"({c})" for c in reject_conditions(plans)) or "false"


def flagged_select(plans: list[FieldPlan], raw_table: str, passthrough: tuple[str, ...] = (),
                   where: str | None = None) -> str:
    """`mapped_select`'s rows with `_bad` (the row has a reject), each `f__raw` kept only on bad rows.

    The raw text exists for the rejects' messages; keeping it for every row stored every cell
    twice (raw and typed) for the few rows that have a reject (bench/notes.md, "Loads: raw text
    only on rejected rows"). `rejects_select` over the bad rows reads the same columns as over
    the full mapping, since a bad row keeps all of them.
    """
    inner = mapped_select(plans, raw_table, passthrough, row_id=None, where=where)
    cols = ["_source_row", *(ident(c) for c in passthrough)]
    for p in plans:
        raw = ident(p.name + "__raw")
        cols += [f"CASE WHEN _bad THEN {raw} END AS {raw}", ident(p.name)]
        if p.note_sql:
            cols.append(ident(p.name + "__note"))
    return (f"SELECT {', '.join(cols)}, _bad FROM (SELECT *, coalesce({bad_row_condition(plans)}, false) AS _bad "
            f"FROM ({inner}) AS _typed) AS _flagged")


def rejects_select(plans: list[FieldPlan], mapped_table: str, row_id: str = "_rid") -> str:
    """One row per unusable cell: a present value that does not parse, or a missing key."""
    parts = []
    conditions = iter(reject_conditions(plans))
    for p in plans:
        raw = ident(p.name + "__raw")
        parts.append(
            f"SELECT {row_id} AS _rid, _source_row, {literal(p.name)} AS field, {raw} AS raw_value, "
            f"{p.reason_sql or literal(p.failure)} AS reason "
            f"FROM {ident(mapped_table)} WHERE {next(conditions)}"
        )
        if p.is_key:
            parts.append(
                f"SELECT {row_id}, _source_row, {literal(p.name)}, NULL, 'missing key field' "
                f"FROM {ident(mapped_table)} WHERE {next(conditions)}"
            )
            # A NUL byte in a key cannot be seen, typed or matched by a person: not a key.
            parts.append(
                f"SELECT {row_id}, _source_row, {literal(p.name)}, replace({raw}, chr(0), '\\0'), "
                f"'NUL byte in a key field' FROM {ident(mapped_table)} WHERE {next(conditions)}"
            )
    return " UNION ALL ".join(parts) if parts else (
        "SELECT NULL::BIGINT AS _rid, NULL::BIGINT AS _source_row, NULL AS field, NULL AS raw_value, NULL AS reason "
        "WHERE false"
    )
