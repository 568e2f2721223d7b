"""An order chain as `recon trace` tells it, from the event table of a run (no extract is read).

`find` turns references (what trace resolved KEY to) into correlation ids; `story` gives a
chain's events, one line per event of one document, shipment, invoice or order (its lines
counted, not repeated) and its gaps: an event the chain has whose prerequisite it lacks (an ASN
sent for no order: `order-received` and `shipped` are missing, config `events.requires`).
`survivorship` gives, for each canonical field of the chain's records, the value in its system
of record (config `ownership`) and the values other systems hold.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from recon.config.schema import Config
from recon.db import Database
from recon.events import keys, spec
from recon.events.build import CORRELATION, EVENTS, anchor_sql, loaded_tables, normalised, row_nodes
from recon.model import ENTITIES
from recon.sql import ident, literal

# Per entity, the keys that name one record inside a chain (not order_id: systems number orders differently).
ITEM_KEYS: dict[str, tuple[str, ...]] = {
    "orders": (), "order_lines": ("line_no",), "order_acks": ("line_no",),
    "shipment_lines": ("shipment_id", "line_no"), "invoice_lines": ("invoice_id", "line_no"),
    "deliveries": ("shipment_id",), "returns": ("rma_id", "line_no"),
}
SKIPPED_TYPES = ("TIMESTAMPTZ", "DATE")  # times are events (the chain), not fields to reconcile


def available(db: Database) -> bool:
    """The run kept an event table (runs before recon.events did not)."""
    return db.table_exists("main", "correlation") and db.table_exists("main", "events")


def find(db: Database, references: Iterable[tuple[str, str]], key: str) -> list[str]:
    """Correlation ids of the (family, value) references, or of KEY itself when it is a chain id or a node."""
    keys.install(db)
    pairs = sorted(set(references))
    return [r[0] for r in db.rows(
        f"SELECT DISTINCT correlation_id FROM {CORRELATION} WHERE correlation_id = $key OR node = $key "
        f"OR node IN (SELECT chain_node(f, v) FROM (SELECT unnest($families) AS f, unnest($values) AS v)) ORDER BY 1",
        {"key": key.strip(), "families": [p[0] for p in pairs] or [""], "values": [p[1] for p in pairs] or [""]})]


def story(db: Database, correlation_id: str, config: Config) -> dict[str, Any]:
    """The chain's events in time order (one per event and record) and its gaps."""
    record = "coalesce(document, invoice_id, shipment_id, order_id)"
    events = db.dicts(f"""
        SELECT event_type, system, entity, min(event_at) AS event_at, max(event_at) AS last_at,
               {record} AS record, count(*) AS rows,
               min(_source_file || ':' || CAST(_source_row AS VARCHAR)) AS source
        FROM {EVENTS} WHERE correlation_id = ? GROUP BY event_type, system, entity, {record}
        ORDER BY event_at, event_type, system, record""", [correlation_id])
    present = {e["event_type"] for e in events}
    gaps = [{"missing": before, "needed_by": event}
            for event, befores in sorted(spec.requires(config).items()) if event in present
            for before in befores if before not in present]
    nodes = [r[0] for r in db.rows(f"SELECT node FROM {CORRELATION} WHERE correlation_id = ? ORDER BY node",
                                   [correlation_id])]
    for e in events:
        for k in ("event_at", "last_at"):
            e[k] = e[k].isoformat() if e[k] is not None else None
    return {"correlation_id": correlation_id, "references": nodes, "events": events, "gaps": gaps}


def survivorship(db: Database, correlation_id: str, config: Config) -> list[dict[str, Any]]:
    """Each canonical field of the chain's records: the system of record's value and the others'."""
    keys.install(db)
    references = spec.references(config)
    parts = []
    for (system, entity), cols in sorted(loaded_tables(db).items()):
        if entity not in ITEM_KEYS:
            continue
        nodes = row_nodes(entity, cols, references)
        model = ENTITIES[entity]
        fields = [f for f, t in model.fields.items() if f in cols and f not in model.keys and t not in SKIPPED_TYPES]
        item_keys = [k for k in ITEM_KEYS[entity] if k in cols]
        if not nodes or not fields:
            continue
        item = " || '/' || ".join(f"coalesce(CAST({ident(k)} AS VARCHAR), '')" for k in item_keys) or "''"
        casts = ", ".join(f"CAST({ident(f)} AS VARCHAR) AS {ident(f)}" for f in fields)
        parts.append(f"""SELECT {literal(entity)} AS entity, {literal(system)} AS system, item, field, value FROM (
            UNPIVOT (SELECT {item} AS item, {casts} FROM {normalised(system, entity, cols, references)}
                     WHERE {anchor_sql(nodes)} IN (SELECT node FROM {CORRELATION} WHERE correlation_id = $id))
            ON {', '.join(ident(f) for f in fields)} INTO NAME field VALUE value)""")
    if not parts:
        return []
    rows = db.rows(f"SELECT entity, item, field, system, list(DISTINCT value ORDER BY value) FROM "
                   f"({' UNION ALL '.join(parts)}) GROUP BY ALL ORDER BY ALL", {"id": correlation_id})
    grouped: dict[tuple[str, str, str], dict[str, list[str]]] = {}
    for entity, item, field, system, values in rows:
        grouped.setdefault((entity, item, field), {})[system] = list(values)
    out = []
    for (entity, item, field), by_system in grouped.items():
        owner = config.owner_of(entity, field)
        record = by_system.get(owner) if owner else None
        others = {s: v for s, v in by_system.items() if s != owner}
        conflicts = {s: v for s, v in others.items() if record is not None and v != record}
        if record is None and len({tuple(v) for v in by_system.values()}) > 1:
            conflicts = dict(by_system)  # no system of record holds it: every system's value is a claim
        out.append({"entity": entity, "item": item, "field": field, "system_of_record": owner,
                    "value": record, "systems": by_system, "conflicts": conflicts})
    return out


__all__ = ["available", "find", "story", "survivorship"]
