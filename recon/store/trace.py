"""`recon trace KEY`: one order's story across every loaded system, with the exceptions on it.

The analyst has whatever number the caller read out: an ERP order number, zero-padded or with
its `SO-` prefix, the customer's PO, a WMS shipment id, a carrier tracking number, an invoice
number. Trace loads the sources (no rules), finds every row whose key columns match KEY, and
grows the set of references from there: order ↔ customer PO (which bridges our order number and
the EDI 850 keyed by PO), order → shipments → deliveries and tracking numbers, order → invoices,
any of these → the EDI documents that carry them as reference → the 997s that acknowledge those.

Matching is tolerant in the ways extracts differ, and in no other: whitespace removed, case
folded, leading zeros ignored, and an alphabetic prefix (`SO-`, `PO`, `SH-`) optional on either
side but never contradicting (`SO-1042` is not `PO-1042`). The same SQL macros normalise both
the data and KEY; KEY is always a bound parameter, never part of the SQL text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from recon.config import Project
from recon.db import Database
from recon.events import chains as event_chains
from recon.events.build import loaded_tables
from recon.events.keys import MACROS
from recon.formats import documents
from recon.sql import ident, literal, table_name
from recon.store.lifecycle import statuses_sql
from recon.store.schema import ALIAS
from recon.store.state import StateStore
from recon.store.step import state_path

# Reference families: R order references (our order number or the customer's PO: EDI orders are
# keyed by PO), S shipments, I invoices, T tracking numbers.
COLUMN_FAMILY: dict[str, str] = {
    "order_id": "R", "customer_po": "R", "po_number": "R", "seller_order_id": "R",
    "shipment_id": "S", "invoice_id": "I", "tracking_no": "T",
}
SEARCH_COLUMNS = (*COLUMN_FAMILY, "reference")
# What an EDI document's `reference` is, by document type (others: any family), and what the story
# calls it: declared by each EDI format (recon.formats).
REFERENCE_FAMILY: dict[str, str] = {code: d.reference for code, d in documents().items() if d.reference}
# Per entity, the timestamps that make a moment of the story, with what happened.
MOMENTS: dict[str, tuple[tuple[str, str], ...]] = {
    "orders": (("ordered_at", "ordered"), ("released_at", "released")),
    "order_lines": (),
    "order_acks": (("acked_at", "acknowledged"),),
    "shipment_lines": (("shipped_at", "shipped"),),
    "deliveries": (("picked_up_at", "picked up"), ("delivered_at", "delivered"), ("status_at", "status")),
    "invoice_lines": (("invoiced_at", "invoiced"),),
    "returns": (("received_at", "returned"),),
    "edi_documents": (("sent_at", "sent"), ("document_date", "dated")),
    "edi_acks": (("acked_at", "acknowledged"),),
}
ENTITY_ORDER = ("orders", "order_lines", "order_acks", "shipment_lines", "deliveries", "invoice_lines", "returns",
                "edi_documents", "edi_acks")
SET_NAMES: dict[str, str] = {code: d.name for code, d in documents().items() if d.name}
MAX_ROUNDS = 6

@dataclass
class TraceResult:
    key: str
    config: str
    matched: list[dict[str, Any]] = field(default_factory=list)
    references: dict[str, list[str]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    exceptions: list[dict[str, Any]] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)
    sources_failed: list[str] = field(default_factory=list)
    loaded_from: str = "extracts"  # or "run <id>": the tables a run kept (recon.store.kept)
    # The order chains KEY is on, from the event table (recon.events.chains): events, gaps, and with
    # `fields` the survivorship view; None when the tables have no event table (a run before it).
    chains: list[dict[str, Any]] | None = None

    @property
    def found(self) -> bool:
        return bool(self.matched) or bool(self.chains)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key, "config": self.config, "found": self.found, "matched": self.matched,
            "references": self.references, "events": self.events, "exceptions": self.exceptions,
            "state": self.state, "sources_failed": self.sources_failed, "loaded_from": self.loaded_from,
            "chains": self.chains,
        }


def _compatible(col: str, ref: str) -> str:
    """SQL: the value `col` and the reference row `ref` (prefix, core) name the same thing."""
    return (f"(trace_core({col}) = {ref}.core AND (trace_prefix({col}) = '' OR {ref}.prefix = '' "
            f"OR trace_prefix({col}) = {ref}.prefix))")


def member(col: str, family: str) -> str:
    """SQL: the value of `col` is one of the references of `family` found so far."""
    return (f"EXISTS (SELECT 1 FROM _trace_refs ref WHERE ref.family = {literal(family)} "
            f"AND {_compatible(col, 'ref')})")


def key_match(col: str, *, exact: bool) -> str:
    """SQL: `col` matches the bound KEY (`$key`); exact = same prefix too, not just compatible."""
    same = f"trace_core({col}) = trace_core($key)"
    if exact:
        return f"({same} AND trace_prefix({col}) = trace_prefix($key))"
    return (f"({same} AND (trace_prefix({col}) = '' OR trace_prefix($key) = '' "
            f"OR trace_prefix({col}) = trace_prefix($key)))")


class Tracer:
    """Finds KEY in the loaded tables of `db` and gathers the story; pure SQL with KEY as a parameter."""

    def __init__(self, db: Database) -> None:
        self.db = db
        for macro in MACROS:
            db.execute(macro)
        db.execute("CREATE OR REPLACE TEMP TABLE _trace_refs (family VARCHAR, value VARCHAR, prefix VARCHAR, "
                    "core VARCHAR)")
        self.tables = self._tables()

    def _tables(self) -> dict[tuple[str, str], set[str]]:
        return loaded_tables(self.db)

    # -- resolving KEY ---------------------------------------------------------------------------

    def seed(self, key: str) -> list[dict[str, Any]]:
        """Rows whose key columns match KEY; exact matches (same prefix) win over prefix-tolerant ones."""
        hits: list[dict[str, Any]] = []
        for exact in (True, False):
            for (system, entity), cols in sorted(self.tables.items()):
                for col in SEARCH_COLUMNS:
                    if col not in cols:
                        continue
                    c = ident(col)
                    for value, rows in self.db.rows(
                            f"SELECT {c}, count(*) FROM {table_name(system, entity)} "
                            f"WHERE {key_match(c, exact=exact)} GROUP BY 1 ORDER BY 1", {"key": key}):
                        hits.append({"table": f"{system}.{entity}", "column": col, "value": value, "rows": rows,
                                     "exact": exact})
            if hits:
                break
        exact = bool(hits) and hits[0]["exact"]
        for hit in hits:
            self._seed_from(hit, key, exact)
        return hits

    def _add(self, family: str, select_values: str, params: dict[str, Any] | None = None) -> None:
        self.db.execute(
            f"INSERT INTO _trace_refs SELECT DISTINCT {literal(family)}, v, trace_prefix(v), trace_core(v) "
            f"FROM ({select_values}) AS s(v) WHERE v IS NOT NULL AND trace_core(v) <> '' AND NOT EXISTS "
            f"(SELECT 1 FROM _trace_refs r WHERE r.family = {literal(family)} AND r.value = s.v)", params)

    def _seed_from(self, hit: dict[str, Any], key: str, exact: bool) -> None:
        """The hit's own value joins its family; a shipment, tracking or invoice hit also names its orders."""
        system, entity = hit["table"].split(".")
        table, cols, col = table_name(system, entity), self.tables[(system, entity)], hit["column"]
        where = key_match(ident(col), exact=exact)
        params = {"key": key}
        if col == "reference":
            family_of = " ".join(f"WHEN {literal(ts)} THEN {literal(f)}" for ts, f in REFERENCE_FAMILY.items())
            for family in ("R", "S", "I"):
                self._add(family, f"SELECT reference FROM {table} WHERE {where} AND "
                                  f"coalesce(CASE transaction_set {family_of} END, {literal(family)}) = "
                                  f"{literal(family)}", params)
            return
        self._add(COLUMN_FAMILY[col], f"SELECT {ident(col)} FROM {table} WHERE {where}", params)
        parents = {"shipment_id": ("order_id", "customer_po"), "tracking_no": ("shipment_id", "order_id"),
                   "invoice_id": ("order_id",)}.get(col, ())
        for parent in parents:
            if parent in cols:
                self._add(COLUMN_FAMILY[parent], f"SELECT {ident(parent)} FROM {table} WHERE {where}", params)

    def expand(self) -> None:
        """Grow the references until nothing new turns up (order ↔ PO, order → shipment → tracking...)."""
        for _ in range(MAX_ROUNDS):
            before = self.db.scalar("SELECT count(*) FROM _trace_refs")
            for (system, entity), cols in sorted(self.tables.items()):
                table = table_name(system, entity)
                order_cols = [c for c in ("order_id", "customer_po", "po_number") if c in cols]
                if entity == "invoice_lines":
                    order_cols = [c for c in order_cols if c != "order_id"] + (["order_id"] if "order_id" in cols
                                                                             else [])
                if order_cols:
                    of_order = " OR ".join(member(ident(c), "R") for c in order_cols)
                    bridge = [c for c in ("order_id", "customer_po", "po_number") if c in cols and
                              entity in ("orders", "order_lines", "order_acks", "shipment_lines")]
                    for c in bridge:
                        self._add("R", f"SELECT {ident(c)} FROM {table} WHERE {of_order}")
                    for c, family in (("shipment_id", "S"), ("tracking_no", "T"), ("invoice_id", "I")):
                        if c in cols:
                            self._add(family, f"SELECT {ident(c)} FROM {table} WHERE {of_order}")
                if "shipment_id" in cols and "tracking_no" in cols:
                    self._add("T", f"SELECT tracking_no FROM {table} WHERE {member('shipment_id', 'S')}")
                    if entity == "deliveries":
                        self._add("S", f"SELECT shipment_id FROM {table} WHERE {member('tracking_no', 'T')}")
            if self.db.scalar("SELECT count(*) FROM _trace_refs") == before:
                return

    def references(self) -> dict[str, list[str]]:
        names = {"R": "orders", "S": "shipments", "I": "invoices", "T": "tracking"}
        out: dict[str, list[str]] = {n: [] for n in names.values()}
        for family, value in self.db.rows("SELECT family, value FROM _trace_refs ORDER BY family, value"):
            out[names[family]].append(value)
        return out

    # -- gathering the story ---------------------------------------------------------------------

    def belongs(self, entity: str, cols: set[str]) -> str | None:
        """SQL: a row of this entity is part of the story."""
        order = [member(ident(c), "R") for c in ("order_id", "customer_po", "po_number") if c in cols]
        if entity in ("orders", "order_lines", "order_acks", "returns"):
            return " OR ".join(order) or None
        if entity == "shipment_lines":
            alone = "(order_id IS NULL AND " + member("shipment_id", "S") + ")" if "order_id" in cols else \
                member("shipment_id", "S")
            return " OR ".join([*order, alone])
        if entity == "invoice_lines":
            alone = "(order_id IS NULL AND " + member("invoice_id", "I") + ")" if "order_id" in cols else \
                member("invoice_id", "I")
            return " OR ".join([*order, alone])
        if entity == "deliveries":
            parts = [member("shipment_id", "S")] + ([member("tracking_no", "T")] if "tracking_no" in cols else [])
            return " OR ".join(parts + order)
        if entity == "edi_documents" and "reference" in cols:
            return " OR ".join(member("reference", f) for f in ("R", "S", "I"))
        return None

    def gather(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        documents: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for (system, entity), cols in sorted(self.tables.items()):
            where = self.belongs(entity, cols)
            if not where:
                continue
            for row in self.db.dicts(f"SELECT * FROM {table_name(system, entity)} WHERE {where} "
                                     "ORDER BY _source_file, _source_row"):
                rows.append({"system": system, "entity": entity, "row": row})
                if entity == "edi_documents":
                    documents.setdefault((str(row.get("transaction_set")),
                                          str(row.get("control_number")).lstrip("0")), []).append(row)
        rows += self._acks_of(documents)
        return rows

    def _acks_of(self, documents: dict[tuple[str, str], list[dict[str, Any]]]) -> list[dict[str, Any]]:
        """997/999 rows that acknowledge one of the story's documents (same set and control number)."""
        if not documents:
            return []
        out = []
        for (system, entity), cols in sorted(self.tables.items()):
            if entity != "edi_acks" or not {"acked_transaction_set", "acked_control_number"} <= cols:
                continue
            for row in self.db.dicts(
                    f"SELECT * FROM {table_name(system, entity)} WHERE ltrim(acked_control_number, '0') IN "
                    "(SELECT ltrim(unnest(?::VARCHAR[]), '0')) ORDER BY _source_file, _source_row",
                    [sorted({p[1] for p in documents})]):
                docs = documents.get((str(row.get("acked_transaction_set")),
                                      str(row.get("acked_control_number")).lstrip("0")))
                if not docs:
                    continue
                group = row.get("acked_group_control")
                if group and all(d.get("group_control") and str(d["group_control"]).lstrip("0") !=
                                 str(group).lstrip("0") for d in docs):
                    continue  # same set control number, another group: not this document
                out.append({"system": system, "entity": entity, "row": row})
        return out


def _as_datetime(value: Any) -> datetime | None:
    """A moment's time; text (an extra column the loader kept as text) is read as ISO 8601, UTC if naive."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(0), UTC)
    return None


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def describe(entity: str, row: dict[str, Any], moment: str | None) -> str:
    """One readable line per moment of the story (missing fields leave no double spaces)."""
    return " ".join(_describe(entity, row, moment).split())


def _describe(entity: str, row: dict[str, Any], moment: str | None) -> str:
    g = row.get

    def q(v: Any) -> str:
        return "" if v is None else str(_plain(v))

    if entity == "orders":
        what = f"order {q(g('order_id'))} {moment or 'recorded'}"
        extra = [f"PO {q(g('customer_po'))}" if g("customer_po") else "",
                 q(g("customer_name") or g("customer_id")), f"status {q(g('status'))}" if g("status") else ""]
        return what + (" — " + ", ".join(e for e in extra if e) if any(extra) else "")
    if entity == "order_lines":
        return (f"order {q(g('order_id'))} line {q(g('line_no'))}: {q(g('qty'))} {q(g('uom'))} {q(g('item_id'))}"
                + (f" @ {q(g('unit_price'))} {q(g('currency'))}" if g("unit_price") is not None else "")).strip()
    if entity == "order_acks":
        return (f"order {q(g('order_id'))} line {q(g('line_no'))} {moment or 'acknowledged'}: "
                f"{q(g('status'))} {q(g('ack_qty') if g('ack_qty') is not None else g('qty'))} {q(g('item_id'))}")
    if entity == "shipment_lines":
        via = " ".join(x for x in (q(g("carrier")), q(g("tracking_no"))) if x)
        return (f"shipment {q(g('shipment_id'))} {moment or 'line'}: order {q(g('order_id'))} line {q(g('line_no'))}, "
                f"{q(g('qty'))} {q(g('item_id'))}" + (f" via {via}" if via else ""))
    if entity == "deliveries":
        head = f"shipment {q(g('shipment_id'))} {moment or 'in transport'}"
        if moment == "delivered" and g("pod_signed_by"):
            return head + f", POD signed by {q(g('pod_signed_by'))}"
        if moment == "status":
            return head + f": {q(g('status'))} {q(g('status_reason'))}".rstrip()
        via = " ".join(x for x in (q(g("carrier")), q(g("tracking_no"))) if x)
        return head + (f" by {via}" if via else "")
    if entity == "invoice_lines":
        return (f"invoice {q(g('invoice_id'))} line {q(g('line_no'))} {moment or ''}: order {q(g('order_id'))}"
                f"{'/' + q(g('order_line_no')) if g('order_line_no') is not None else ''}, {q(g('qty'))} "
                f"{q(g('item_id'))} = {q(g('amount'))} {q(g('currency'))}").replace("  ", " ")
    if entity == "returns":
        return (f"return {q(g('rma_id'))} line {q(g('line_no'))}: {q(g('qty'))} {q(g('item_id'))} "
                f"{q(g('disposition'))}").strip()
    if entity == "edi_documents":
        ts = q(g("transaction_set"))
        name = SET_NAMES.get(ts, "document")
        ctl = f"control {q(g('control_number'))}"
        if g("group_control"):
            ctl += f", group {q(g('group_control'))}"
        if g("interchange_control"):
            ctl += f", interchange {q(g('interchange_control'))}"
        return (f"EDI {ts} {name} {q(g('direction'))} {q(g('partner_id'))} ref {q(g('reference'))} ({ctl})"
                ).replace("  ", " ")
    if entity == "edi_acks":
        status = {"A": "accepted", "E": "accepted with errors", "R": "rejected", "P": "partially accepted"}.get(
            str(g("status")), q(g("status")))
        errors = f": {q(g('errors'))}" if g("errors") else ""
        return (f"EDI 997 for {q(g('acked_transaction_set'))} control {q(g('acked_control_number'))} "
                f"(group {q(g('acked_group_control'))}): {status}{errors}")
    return f"{entity} row"


def timeline(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Moments in time order; a row without a time of its own sits with its parent: an order line with its
    order's first moment, a 997 without a time with the document it acknowledges."""
    anchor: dict[tuple[str, str], datetime] = {}
    for r in rows:
        if r["entity"] == "orders":
            at = _as_datetime(r["row"].get("ordered_at")) or _as_datetime(r["row"].get("released_at"))
            if at:
                key = (r["system"], str(r["row"].get("order_id")))
                anchor[key] = min(at, anchor.get(key, at))
    for r in rows:
        if r["entity"] == "edi_documents":
            row = r["row"]
            at = _as_datetime(row.get("sent_at")) or _as_datetime(row.get("document_date"))
            if at:
                anchor[("ack", f"{row.get('transaction_set')}|{str(row.get('control_number')).lstrip('0')}")] = at
    events: list[dict[str, Any]] = []
    for r in rows:
        row, entity = r["row"], r["entity"]
        parent = (r["system"], str(row.get("order_id")))
        if entity == "edi_acks":
            parent = ("ack", f"{row.get('acked_transaction_set')}|{str(row.get('acked_control_number')).lstrip('0')}")
        moments = [(col, label) for col, label in MOMENTS.get(entity, ()) if row.get(col) is not None]
        if entity == "edi_documents" and len(moments) > 1:
            moments = moments[:1]  # sent_at is the precise one; document_date the same day
        if not moments:
            moments = [(None, None)]
        for col, label in moments:
            at = _as_datetime(row.get(col)) if col else None
            inherited = at is None and parent in anchor
            sort_at = at or anchor.get(parent)
            events.append({
                "at": _plain(row.get(col)) if col else None,
                "at_inherited": inherited,
                "system": r["system"], "entity": entity, "moment": label,
                "what": describe(entity, row, label),
                "source": f"{row.get('_source_file')}:{row.get('_source_row')}"
                          + (f" {row['_source_path']}" if row.get("_source_path") else ""),  # a nested element
                "fields": {k: _plain(v) for k, v in row.items() if k != "_load_id" and v is not None},
                "_sort": (sort_at or datetime.max.replace(tzinfo=UTC), ENTITY_ORDER.index(entity)
                          if entity in ENTITY_ORDER else 99, r["system"], str(row.get("_source_file")),
                          row.get("_source_row") or 0, label or ""),
            })
    events.sort(key=lambda e: e["_sort"])
    for e in events:
        del e["_sort"]
    return events


FAMILY_NAMES = {"R": "order", "S": "shipment", "I": "invoice", "T": "tracking"}


def chains_of(db: Database, project: Project, key: str, *, fields: bool) -> list[dict[str, Any]] | None:
    """The chains of the references found so far (or of KEY, a correlation id), from the event table."""
    if not event_chains.available(db):
        return None
    refs = [(FAMILY_NAMES[f], v) for f, v in db.rows("SELECT family, value FROM _trace_refs")]
    out = []
    for correlation_id in event_chains.find(db, refs, key):
        chain = event_chains.story(db, correlation_id, project.config)
        if fields:
            chain["fields"] = event_chains.survivorship(db, correlation_id, project.config)
        out.append(chain)
    return out


def exceptions_for(db: Database, path: Path, chains: list[str] | None = None) -> tuple[list[dict[str, Any]],
                                                                                      dict[str, Any]]:
    """The recorded exceptions on the story's references, each with its lifecycle as of the latest run."""
    store = StateStore.attach(db, path, read_only=True)
    try:
        latest = store.latest_run()
        info = {"path": str(path), "latest_run_id": latest["run_id"] if latest else None,
                "latest_as_of": _plain(latest["as_of"]) if latest else None}
        if not latest:
            return [], info
        e = "e"
        on_story = " OR ".join([
            member(f"{e}.order_id", "R"), member(f"{e}.customer_po", "R"), member(f"{e}.shipment_id", "S"),
            member(f"{e}.invoice_id", "I"), member(f"{e}.document", "R"), member(f"{e}.document", "S"),
            member(f"{e}.document", "I"),
        ])
        params: list[Any] = []
        if chains and "correlation_id" in {c for c, _ in db.columns(store.t("exceptions"))}:
            on_story += f" OR list_contains(?::VARCHAR[], {e}.correlation_id)"  # e.g. its SLO breaches
            params.append(chains)
        statuses = statuses_sql(f"({store.lifecycle_runs_sql()})", f"({store.presence_sql()})")
        rows = db.dicts(f"""
            WITH last AS (
                SELECT e.*, r.as_of AS seen_at FROM {store.t('exceptions')} e JOIN {store.t('runs')} r USING (run_id)
                WHERE r.status <> 'failed' AND ({on_story})
                QUALIFY row_number() OVER (PARTITION BY e.exception_id ORDER BY r.as_of DESC, r.started_at DESC) = 1
            ),
            st AS (SELECT * FROM ({statuses}) WHERE run_id = ?),
            ever AS (
                SELECT exception_id, min(r.as_of) AS first_seen_at FROM {store.t('exceptions')}
                JOIN {store.t('runs')} r USING (run_id) WHERE r.status <> 'failed' GROUP BY exception_id
            )
            SELECT last.* EXCLUDE (seen_at, as_of), last.run_id AS last_seen_run, last.seen_at AS last_seen_at,
                   coalesce(st.status, 'resolved') AS status, coalesce(st.first_seen_at, ever.first_seen_at)
                   AS first_seen_at, st.open_since, st.hours_open,
                   a.until >= current_date AS acked, a.until AS ack_until, a.note AS ack_note
            FROM last LEFT JOIN st USING (exception_id) LEFT JOIN ever USING (exception_id)
            LEFT JOIN {store.t('acks')} a ON a.exception_id = last.exception_id
            ORDER BY CASE coalesce(st.status, 'resolved') WHEN 'resolved' THEN 1 ELSE 0 END,
                     last.exception_type, last.exception_id""", [*params, latest["run_id"]])
    finally:
        store.detach()
    for row in rows:
        row.pop("run_id", None)
        for k, v in list(row.items()):
            row[k] = _plain(v)
    return rows, info


def trace(db: Database, project: Project, key: str, sources_failed: list[str], *,
          fields: bool = False) -> TraceResult:
    """KEY's story from the sources loaded into `db` (`recon.api.trace` loads them, no rules) and
    the exceptions the state recorded on it; the order chains from the event table, if there is one
    (with `fields`, each chain's survivorship view)."""
    result = TraceResult(key=key, config=str(project.path), sources_failed=sources_failed)
    tracer = Tracer(db)
    result.matched = [{k: v for k, v in h.items() if k != "exact"} | {"exact": h["exact"]}
                      for h in tracer.seed(key.strip())]
    if result.matched:
        tracer.expand()
        result.references = tracer.references()
        result.events = timeline(tracer.gather())
    result.chains = chains_of(db, project, key, fields=fields)
    if not result.found:
        return result
    chain_ids = [c["correlation_id"] for c in result.chains or []]
    result.exceptions, result.state = exceptions_for(db, state_path(project), chain_ids)
    return result


__all__ = ["ALIAS", "TraceResult", "Tracer", "trace"]
