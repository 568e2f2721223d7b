"""What the event table is made of: event declarations and reference columns, defaults and config.

Pure data and planning over column lists; no SQL runs here. The defaults follow the canonical
model (recon.model): an order's `ordered_at` is `order-received`, a shipment line's `shipped_at`
is `shipped` in the system of record for shipment lines (config `ownership`) and
`goods-issue-posted` in any other system, and so on. Systems fed by an EDI format (X12, EDIFACT)
give their events through `edi_documents` (`asn-sent`, `invoice-sent`, `po-received`, by
transaction set and direction) and `edi_acks` (`ack-received`, `ack-sent`), not through the
entity tables the documents were mapped onto, so one ASN is one event, not one per line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from recon.catalogue import columns, extras
from recon.config.schema import Config
from recon.config.yamlfile import YamlDocument
from recon.errors import Problem, did_you_mean
from recon.formats import documents, format_of
from recon.model import ENTITIES

# entity -> {event type: timestamp column}
DEFAULT_EVENTS: dict[str, dict[str, str]] = {
    "orders": {"order-received": "ordered_at", "order-released": "released_at"},
    "order_acks": {"order-acknowledged": "acked_at"},
    "shipment_lines": {"shipped": "shipped_at"},
    "deliveries": {"picked-up": "picked_up_at", "delivered": "delivered_at"},
    "invoice_lines": {"invoiced": "invoiced_at"},
    "returns": {"returned": "received_at"},
}
POSTED = "goods-issue-posted"  # a shipment line's time outside the system of record for shipment lines
EDI_ENTITIES = ("edi_documents", "edi_acks")

# What an EDI document is, as the stem of its event (`asn` + `-sent`/`-received` by direction).
EDI_STEMS: dict[str, str] = {
    "850": "po", "ORDERS": "po", "855": "po-ack", "ORDRSP": "po-ack", "860": "po-change", "ORDCHG": "po-change",
    "940": "warehouse-order", "856": "asn", "DESADV": "asn", "945": "warehouse-advice",
    "214": "transport-status", "IFTSTA": "transport-status", "810": "invoice", "880": "invoice", "INVOIC": "invoice",
    "846": "inventory-advice", "INVRPT": "inventory-advice", "180": "return", "824": "application-advice",
    "APERAK": "application-advice", "RECADV": "receiving-advice",
}
EDI_ACK_SETS = ("997", "999", "CONTRL")  # their own documents are not events: their acks are (edi_acks)

# Column -> reference family. Values of one family that normalise alike are one node of the chain
# graph; order ids and customer POs share a family because EDI documents are keyed by PO.
# Not references by default: a TMS load id or a bill of lading groups the shipments of many
# orders, so linking through it would merge unrelated chains.
DEFAULT_REFERENCES: dict[str, str] = {
    "order_id": "order", "customer_po": "order", "po_number": "order", "seller_order_id": "order",
    "shipment_id": "shipment", "tracking_no": "tracking", "invoice_id": "invoice", "rma_id": "return",
}
FAMILY_RANK = ("order", "shipment", "invoice", "tracking", "return", "edi")  # the chain's id: its first family

# A chain with an event of the key type should also have these before it; a missing one is a gap.
DEFAULT_REQUIRES: dict[str, tuple[str, ...]] = {
    "order-released": ("order-received",),
    "shipped": ("order-released",),
    POSTED: ("shipped",),
    "asn-sent": ("order-received", "shipped"),
    "picked-up": ("shipped",),
    "delivered": ("shipped",),
    "invoiced": ("shipped",),
    "invoice-sent": ("invoiced",),
    "returned": ("shipped",),
}

# The key columns every event row carries (NULL where its table has none).
EVENT_KEYS = ("order_id", "line_no", "shipment_id", "invoice_id", "customer_po", "tracking_no", "document")


@dataclass(frozen=True)
class EventSource:
    """One event type read from one timestamp column of one loaded table."""

    system: str
    entity: str
    event_type: str
    column: str


def edi_systems(config: Config) -> set[str]:
    """Systems fed by a format that maps whole documents (X12, EDIFACT)."""
    out = set()
    for source in config.sources.values():
        fmt = format_of(source)
        if fmt.is_edi:
            out.add(source.system or fmt.default_system or "edi")
    return out


def declared(config: Config, system: str, entity: str, edi: set[str]) -> dict[str, str]:
    """{event type: column} for one table: `system.entity` in the config, else `entity`, else the default."""
    tables = config.events.tables
    if f"{system}.{entity}" in tables:
        return dict(tables[f"{system}.{entity}"])
    if entity in tables:
        return dict(tables[entity])
    if system in edi or entity not in DEFAULT_EVENTS:
        return {}
    events = dict(DEFAULT_EVENTS[entity])
    if entity == "shipment_lines":
        owner = config.owner_of("shipment_lines")
        if owner is not None and owner != system:
            events = {POSTED: events["shipped"]}
    return events


def plan(config: Config, tables: Mapping[tuple[str, str], set[str]]) -> tuple[list[EventSource], list[str]]:
    """The event sources of the loaded `tables` ({(system, entity): columns}), and a note for every
    declared column a table lacks (the declaration is skipped, never a failed run)."""
    # fed by an EDI format, or carrying EDI documents: its events are its documents'
    edi = edi_systems(config) | {system for system, entity in tables if entity == "edi_documents"}
    out: list[EventSource] = []
    notes: list[str] = []
    for (system, entity), cols in sorted(tables.items()):
        if entity in EDI_ENTITIES:
            continue
        for event, column in declared(config, system, entity, edi).items():
            if column in cols:
                out.append(EventSource(system, entity, event, column))
            elif _explicit(config, system, entity):
                notes.append(f"events.tables: {system}.{entity} has no column {column!r} for {event}")
    return out, notes


def _explicit(config: Config, system: str, entity: str) -> bool:
    return f"{system}.{entity}" in config.events.tables or entity in config.events.tables


def references(config: Config) -> dict[str, str]:
    return {**DEFAULT_REFERENCES, **config.events.references}


def requires(config: Config) -> dict[str, tuple[str, ...]]:
    return {**DEFAULT_REQUIRES, **{k: tuple(v) for k, v in config.events.requires.items()}}


def known_event_types(config: Config) -> set[str]:
    """Every event type this config can produce: the defaults, its declarations, the EDI ones."""
    names = {e for events in DEFAULT_EVENTS.values() for e in events} | {POSTED, "ack-received", "ack-sent"}
    names |= {e for events in config.events.tables.values() for e in events}
    stems = set(EDI_STEMS.values()) | {f"edi-{code.lower()}" for code in documents()
                                       if code not in EDI_STEMS and code not in EDI_ACK_SETS}
    names |= {f"{stem}-{way}" for stem in stems for way in ("sent", "received")}
    return names




def config_problems(config: Config, doc: YamlDocument) -> list[Problem]:
    """`events.tables` names loadable tables and columns; every event-pair SLO end is an event type this
    config produces (in a system it has). All problems at once, located in the config."""
    out: list[Problem] = []
    known = extras(config)
    systems = {s.system for s in config.sources.values()} | edi_systems(config)
    for table, declared_events in config.events.tables.items():
        system, _, entity = table.rpartition(".")
        if entity not in ENTITIES:
            out.append(doc.problem("C011", ("events", "tables", table), entity=entity,
                                   hint=did_you_mean(entity, list(ENTITIES))))
            continue
        tables = [f"{system}.{entity}"] if system else [f"{s}.{entity}" for s in sorted(systems)] or [f".{entity}"]
        have = set().union(*(columns(t, known) for t in tables))
        for event, column in declared_events.items():
            if column not in have:
                out.append(doc.problem("C048", ("events", "tables", table, event),
                                       reason=f"{table} has no column {column!r} for {event}",
                                       hint=did_you_mean(column, sorted(have))))
    types = known_event_types(config)
    for name, target in config.slo.event_pairs().items():
        for key, end in (("from", target.start), ("to", target.end)):
            system, _, event = str(end).rpartition(":")
            if system and system not in systems:
                out.append(doc.problem("C048", ("slo", name, key), reason=f"no source loads system {system!r}",
                                       hint=did_you_mean(system, sorted(systems))))
            elif event not in types:
                out.append(doc.problem("C048", ("slo", name, key),
                                       reason=f"no table of this config produces event {event!r}",
                                       hint=did_you_mean(event, sorted(types))))
    return out


__all__ = ["DEFAULT_EVENTS", "DEFAULT_REFERENCES", "EDI_STEMS", "EVENT_KEYS", "EventSource", "config_problems", "plan"]
