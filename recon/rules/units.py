"""Quantities to the item's base unit, as SQL: the conversion relations and a side's converted rows.

Pure text builders like the rest of the compiler. A rule with `units:` on a side gets two CTEs,
built once per statement: `uom_conv` (every conversion of the config's `units.conversions` and
of the loaded `uom_conversions` tables, codes normalised, one factor per item, from and to unit;
two different factors for the same three make it unconvertible, never a silent pick) and
`uom_base` (each item's base unit: the `to_uom` of its own rows, unless they disagree). A side's
distinct (item, unit) pairs are joined to them, and its rows to the pairs' factors by equality; no
row loop anywhere. The rules of the conversion are in docs/config.md, "Units of measure".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from recon.config.units import Units
from recon.model import ENTITIES, FACTOR
from recon.rules import snippets
from recon.rules.schema import SideUnits
from recon.sql import ident, literal, table_name

CONV = "uom_conv"
BASE = "uom_base"
# The column a converted side's rows carry: the unit its quantities are now in (NULL: none given).
UNIT = "_uom"
# The alias of a side's factor relation (one row per distinct item and unit) where its rows join it:
# Spark broadcasts it there (recon.spark.rules), so the side is not shuffled to meet a few hundred rows.
FACTORS = "f"


def cte(name: str, body: str) -> str:
    return f"{ident(name)} AS (\n  {body}\n)"


def render(text: str) -> str:
    return snippets.render(snippets.parse(text), lambda qualifier, name: name)


def converts(rule: Any) -> bool:
    """Does the rule read a quantity in base units (a side's or a lookup's `units`)?"""
    return any(getattr(part, "units", None) is not None
               for side in rule.sides() for part in (side, *side.lookups))


def lookup_source(table: str, spec: SideUnits, units: Units, columns: Sequence[str],
                  unit: str | None = None, pairs: str | None = None) -> str:
    """A lookup's table with its `spec.fields` in base units and its `spec.per_unit` prices per base
    unit, under their own names (`columns`: all of its columns). `unit`, the unit column when a
    field reads it, is the unit those quantities are now in (`min(uom)` of cases counted in eaches: EA).
    `pairs`: see `converted_source`."""
    cols = [f"{converted(c, units)} AS {ident(c)}" if c in spec.fields else
            f"{per_base_unit(c)} AS {ident(c)}" if c in spec.per_unit else
            f"{ident(UNIT)} AS {ident(c)}" if c == unit else ident(c) for c in columns]
    return f"(SELECT {', '.join(cols)} FROM {converted_source(table, spec, units, pairs)} AS t)"


def normalise(expr: str, units: Units) -> str:
    """A unit code as compared: trimmed, upper case, synonyms rewritten; empty text is no unit."""
    return synonym(code_text(expr), units)


def code_text(expr: str) -> str:
    """A unit code trimmed and in upper case; empty text is no unit (NULL)."""
    return f"nullif(upper(trim(CAST({expr} AS VARCHAR))), '')"


def synonym(code: str, units: Units) -> str:
    """`code` (a column, best: CASE repeats it once per synonym) with the synonyms rewritten."""
    table = units.synonym_table()
    if not table:
        return code
    whens = " ".join(f"WHEN {literal(k)} THEN {literal(v)}" for k, v in sorted(table.items()))
    return f"(CASE {code} {whens} ELSE {code} END)"


def conversion_ctes(units: Units, tables: Sequence[str]) -> list[str]:
    """`uom_conv` and `uom_base` as CTE texts.

    `tables` are the loaded `<system>.uom_conversions` tables (none: only the inline rows)."""
    parts = []
    if units.conversions:
        rows = ", ".join(f"({literal(c.item)}, {literal(c.from_uom)}, {literal(c.to_uom)}, "
                         f"CAST({literal(str(c.factor))} AS {FACTOR}))" for c in units.conversions)
        parts.append(f"SELECT item_id, from_uom, to_uom, factor FROM (VALUES {rows}) "
                     "AS v(item_id, from_uom, to_uom, factor)")
    for table in tables:
        system, _, entity = table.partition(".")
        parts.append(f"SELECT item_id, from_uom, to_uom, factor FROM {table_name(system, entity)}")
    if not parts:
        cols = ENTITIES["uom_conversions"].fields
        parts.append("SELECT " + ", ".join(f"CAST(NULL AS {cols[c]}) AS {ident(c)}"
                                            for c in ("item_id", "from_uom", "to_uom", "factor")) + " WHERE FALSE")
    union = "\n    UNION ALL ".join(parts)
    item = "trim(CAST(item_id AS VARCHAR))"
    texts = (f"SELECT {item} AS item_id, {code_text('from_uom')} AS from_uom, {code_text('to_uom')} AS to_uom, "
             f"CAST(factor AS {FACTOR}) AS factor FROM (\n    {union}\n  ) AS c\n  WHERE factor > 0")
    conv = (f"SELECT item_id, from_uom, to_uom, CASE WHEN min(factor) = max(factor) THEN min(factor) END AS factor\n"
            f"  FROM (SELECT item_id, {synonym('from_uom', units)} AS from_uom, {synonym('to_uom', units)} AS to_uom, "
            f"factor FROM ({texts}) AS t) AS n\n  GROUP BY item_id, from_uom, to_uom")
    base = (f"SELECT item_id, CASE WHEN count(DISTINCT to_uom) = 1 THEN min(to_uom) END AS base\n"
            f"  FROM {ident(CONV)} WHERE item_id <> '*' GROUP BY item_id")
    return [cte(CONV, conv), cte(BASE, base)]


def converted_source(source: str, spec: SideUnits, units: Units, pairs: str | None = None) -> str:
    """The side's rows (`source`, a relation) with `_uom_factor` and `_uom`, the unit they end in.

    A row in its item's base unit has factor 1; a row in another unit the item's own conversion,
    else the `*` one, to the base unit; a row whose unit has neither keeps its unit (factor 1),
    which agrees with the other side only if that is in the same unit; a row without a unit
    keeps its quantity and no unit.

    The factor depends on the row's item and unit text alone, so it is worked out once per distinct
    (item, unit) of `pairs` (a relation holding every row of `source`'s item and unit columns; by
    default `source` itself, or its table when the lookups `source` joins add neither) and each row
    finds it with one equality join: the normalisation and the three joins to `uom_base`/`uom_conv`
    run on a few hundred pairs, not on every row (bench/notes.md, "Rules phase: unit conversion")."""
    item, unit = f"CAST({render(spec.item)} AS VARCHAR)", f"CAST({render(spec.uom)} AS VARCHAR)"
    keys = f"{item} AS \"_uom_i\", {unit} AS \"_uom_u\""
    # step by step, each expression over the columns of the step before: the statement stays small
    distinct = f"(SELECT DISTINCT {keys} FROM {pairs or source} AS b)"
    text, code = code_text('p."_uom_u"'), synonym('t."_uom_text"', units)
    texts = f"(SELECT p.*, trim(p.\"_uom_i\") AS \"_uom_item\", {text} AS \"_uom_text\" FROM {distinct} AS p)"
    codes = f"(SELECT t.*, {code} AS \"_uom_code\" FROM {texts} AS t)"
    based = (f"(SELECT k.*, CASE WHEN ub.item_id IS NULL THEN {literal(units.default_base)} ELSE ub.base END "
             f"AS \"_uom_base\"\n  FROM {codes} AS k LEFT JOIN {ident(BASE)} AS ub ON ub.item_id = k.\"_uom_item\")")
    factored = (f"(SELECT c.*, CASE WHEN c.\"_uom_code\" = c.\"_uom_base\" THEN CAST(1 AS {FACTOR}) "
                f"ELSE coalesce(ui.factor, uw.factor) END AS \"_uom_f\"\n  FROM {based} AS c\n"
                f"  LEFT JOIN {ident(CONV)} AS ui ON ui.item_id = c.\"_uom_item\" AND ui.from_uom = c.\"_uom_code\" "
                f"AND ui.to_uom = c.\"_uom_base\"\n"
                f"  LEFT JOIN {ident(CONV)} AS uw ON uw.item_id = '*' AND uw.from_uom = c.\"_uom_code\" "
                f"AND uw.to_uom = c.\"_uom_base\")")
    factors = (f"(SELECT x.\"_uom_i\", x.\"_uom_u\", coalesce(x.\"_uom_f\", CAST(1 AS {FACTOR})) AS \"_uom_factor\", "
               f"CASE WHEN x.\"_uom_f\" IS NULL THEN x.\"_uom_code\" ELSE x.\"_uom_base\" END AS {ident(UNIT)} "
               f"FROM {factored} AS x)")
    f = FACTORS
    return (f"(SELECT r.*, {f}.\"_uom_factor\", {f}.{ident(UNIT)}\n"
            f"  FROM (SELECT b.*, {keys} FROM {source} AS b) AS r\n"
            f"  LEFT JOIN {factors} AS {f} ON {f}.\"_uom_i\" IS NOT DISTINCT FROM r.\"_uom_i\" "
            f"AND {f}.\"_uom_u\" IS NOT DISTINCT FROM r.\"_uom_u\")")


def converted(column: str, units: Units) -> str:
    """One quantity column of a converted side's row in its unit, rounded as `decimals` says for it.

    A factor of 1 (a row already in its base unit: most rows) leaves the value as it is, so that
    branch skips the product, a DECIMAL(38,14), and its rounding cast back, which cost more than the
    rest of the conversion; the value is the same either way. Each branch is cast to DECIMAL(18,4) on
    its own: a CASE over `round(x, 2)` and `x` would give both the rounded type (every unit rounded)."""
    value = f"CAST({ident(column)} AS DECIMAL(18,4))"
    product = f"{value} * \"_uom_factor\""

    def rounded(value: str) -> str:
        if not units.decimals:
            return f"CAST({value} AS DECIMAL(18,4))"
        whens = " ".join(f"WHEN {literal(u)} THEN CAST(round({value}, {d}) AS DECIMAL(18,4))"
                         for u, d in sorted(units.decimals.items()))
        return f"CASE {ident(UNIT)} {whens} ELSE CAST({value} AS DECIMAL(18,4)) END"

    as_is = rounded(value) if units.decimals else value
    return f"CASE WHEN \"_uom_factor\" = 1 THEN {as_is} ELSE {rounded(product)} END"


def per_base_unit(column: str) -> str:
    """A price per one of the row's unit as a price per one of its base unit (per CS / 12 = per EA)."""
    return f"CAST(CAST({ident(column)} AS DECIMAL(18,6)) / \"_uom_factor\" AS DECIMAL(18,6))"


def aggregated() -> str:
    """An aggregated side's unit: its rows' one unit, or `A+B` when they are in two (never equal to a unit)."""
    u = ident(UNIT)
    return f"CASE WHEN min({u}) = max({u}) THEN min({u}) ELSE min({u}) || '+' || max({u}) END"


__all__ = ["FACTORS", "UNIT", "aggregated", "conversion_ctes", "converted", "converted_source", "converts",
           "lookup_source", "normalise", "per_base_unit"]
