"""What columns a rule can see, and of which type: the canonical model plus lookups and config extras.

Both the checks (is `left.unit_price` known?) and the compiler (compare as numbers or times?)
ask the same questions, so the answers live here once.
"""

from __future__ import annotations

from recon import catalogue
from recon.casting import kind_of
from recon.rules import snippets
from recon.rules.schema import Compare, Lookup, MatchRule, Rows, Side, is_aggregate_function

Extras = catalogue.Extras  # "system.entity" -> extra column -> DuckDB type

_AGG_TYPES = {"count": "BIGINT", "count_distinct": "BIGINT", "avg": "DOUBLE"}


def split_table(name: str) -> tuple[str, str]:
    system, _, entity = name.partition(".")
    return system, entity


def entity_of(table: str) -> str:
    return split_table(table)[1]


def base_columns(table: str, extras: Extras | None = None) -> dict[str, str]:
    """Canonical fields, lineage, then the table's extra columns (recon.catalogue)."""
    return catalogue.columns(table, extras)


def rows_columns(rows: Rows | Lookup, extras: Extras | None = None) -> dict[str, str]:
    """A table's columns plus the fields its lookups bring in (under their names on the side).

    A lookup's own rows count the same way (its nested lookups' fields), so this recurses."""
    cols = base_columns(rows.table, extras)
    for lookup in rows.lookups:
        src = rows_columns(lookup, extras)
        for alias, column in lookup.field_pairs():
            cols.setdefault(alias, src.get(column, "DECIMAL(18,4)"))  # an expression: a number
    return cols


def lookup_tables(rows: Rows | Lookup) -> list[str]:
    """Every table the rows' lookups read, nested lookups' included, in order."""
    out: list[str] = []
    for lookup in rows.lookups:
        out += [lookup.table, *lookup_tables(lookup)]
    return out


def aggregate_reads(aggregate: dict[str, str]) -> list[str]:
    """The side's columns an `aggregate:` reads: a function's own column, an expression's references."""
    names: set[str] = set()
    for name, spec in aggregate.items():
        if is_aggregate_function(spec):
            names.add(name)
        else:
            names.update(n for _, n in snippets.column_refs(snippets.parse(spec)))
    return sorted(names)


def projected_columns(side: Side, extras: Extras | None = None) -> dict[str, str]:
    """What `left.x` may name: every column, or only the aggregated ones when the side is aggregated."""
    cols = rows_columns(side, extras)
    if side.aggregate is None:
        return cols
    return {name: _AGG_TYPES.get(func, cols.get(name, "VARCHAR")) if is_aggregate_function(func) else "DECIMAL(18,4)"
            for name, func in side.aggregate.items()}


def category(duck_type: str) -> str:
    kind = kind_of(duck_type)
    if kind in ("decimal", "integer"):
        return "number"
    if kind in ("timestamp", "date"):
        return "time"
    return "text"


def compare_type(rule: MatchRule, compare: Compare, extras: Extras | None = None) -> str:
    """Declared, else the type of the compared column on the left (then right); numbers by default."""
    if compare.type:
        return compare.type
    sides = {"left": projected_columns(rule.left, extras), "right": projected_columns(rule.right, extras)}
    for side in ("left", "right"):
        text = getattr(compare, side)
        if text is None:
            if compare.field in sides[side]:
                return category(sides[side][compare.field])
            continue
        try:
            tree = snippets.parse(text)
        except snippets.SnippetError:
            continue
        refs = snippets.column_refs(tree)
        if len(refs) == 1 and tree.find(snippets.exp.Column) is tree:
            qualifier, name = refs[0]
            cols = sides.get(qualifier or "", {})
            if name in cols:
                return category(cols[name])
    return "number"
