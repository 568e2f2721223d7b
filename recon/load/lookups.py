"""Fields taken from another source by key, resolved in SQL once that source has loaded.

An ERP line file that carries the internal header id, not the order number, is keyed by order
number through the header file: `order_id: {lookup: erp_headers, on: HEADER_ID, field:
ORDER_NUMBER}`. The lookup source loads first (`load_order`); then this source's cells are joined
to its loaded rows, one value per reference, before mapping. A reference that finds no row, or
rows that disagree, leaves the field NULL, which the mapping turns into a reject naming the
lookup and the reference (`recon.load.mapping`).
"""

from __future__ import annotations

from collections.abc import Mapping

from recon.config.schema import ColumnSpec, Config, Source
from recon.load.mapping import lookup_columns
from recon.normalise import base_clean, compile_steps
from recon.sql import ident, literal, table_name


def load_order(sources: Mapping[str, Source]) -> list[str]:
    """Source names with every lookup source before the sources that read it; otherwise config order.

    Config validation rejects cycles (C036), so each pass places at least one source.
    """
    order: list[str] = []
    waiting = list(sources)
    while waiting:
        ready = [n for n in waiting
                 if all(s.lookup not in waiting or s.lookup == n for s in sources[n].lookups().values())]
        if not ready:  # a cycle validation missed: load the rest as written rather than loop
            ready = waiting[:1]
        order += [n for n in waiting if n in ready]
        waiting = [n for n in waiting if n not in ready]
    return order


def _lookup_rows(config: Config, spec: ColumnSpec, load_id: str) -> str:
    """The lookup source's loaded rows as (reference text, the one value, how many distinct values)."""
    assert spec.lookup is not None and spec.on is not None and spec.field is not None
    other = config.sources[spec.lookup]
    assert other.entity is not None
    on = other.field_from_column(spec.on)
    field = other.field_from_column(spec.field)
    assert on is not None and field is not None, "checked by config validation (C036)"
    return (f"SELECT CAST({ident(on)} AS VARCHAR) AS k, any_value({ident(field)}) AS v, "
            f"count(DISTINCT {ident(field)}) AS n FROM {table_name(other.system, other.entity)} "
            f"WHERE _load_id = {literal(load_id)} AND {ident(on)} IS NOT NULL GROUP BY 1")


def joined_select(config: Config, source: Source, raw_table: str, load_ids: Mapping[str, str]) -> str:
    """The raw cells with, per lookup field, the value found (`__lookup_F`) and how many (`__lookups_F`).

    This row's reference is cleaned and normalised with the field's own normalisers before it is
    compared, as text, with the lookup source's loaded (normalised, typed) value.
    """
    joins, cols = [], []
    for i, (name, spec) in enumerate(source.lookups().items()):
        ref = compile_steps(base_clean(f"r.{ident(spec.on or '')}", source.options.null_values), spec.normalise,
                            config.lookups)
        alias = f"l{i}"
        value, found = lookup_columns(name)
        joins.append(f"LEFT JOIN ({_lookup_rows(config, spec, load_ids[spec.lookup or ''])}) AS {alias} "
                     f"ON {alias}.k = {ref}")
        cols += [f"{alias}.v AS {ident(value)}", f"{alias}.n AS {ident(found)}"]
    return (f"SELECT r.*, {', '.join(cols)} FROM {ident(raw_table)} AS r {' '.join(joins)} "
            f"ORDER BY r._source_row")


__all__ = ["joined_select", "load_order"]
