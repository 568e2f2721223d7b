"""`main.events` and `main.correlation` from the loaded tables, as SQL inside DuckDB.

The chain graph: every row of every loaded table links the references it carries (an order line
its order id; a shipment line its shipment, order and tracking number; an invoice line its
invoice and order; an EDI document its control number and its reference; a 997 the document it
acknowledges). Each reference is a node (recon.events.keys); a row adds an edge from its first
reference to each other one (a star, so the graph stays as small as the rows). Components are
found by label propagation with pointer jumping: every node takes the smallest label among its
neighbours, then the label of its label, until nothing changes; that is a few rounds of one join
each (the rounds grow with the log of a component's length, not with the number of rows). An
order chain is an order's component plus the components of other references linked to it and to
no other order (see `correlate`): an invoice over two orders or a shared tracking number links
both stories but merges neither. The chain's `correlation_id` is its smallest node, order
references first (`order:10000017`), so the same extracts always give the same ids.

A value without a prefix (`1042`) is linked to the one value of its family with a prefix and
the same number (`SO-1042`), and to none when several prefixes have that number (which one
would be a guess).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from recon.config.schema import Config
from recon.db import Database
from recon.events import keys, spec
from recon.events.codes import EventPart, lineage_texts, source_texts, stage
from recon.formats import documents
from recon.model import ENTITIES
from recon.sql import ident, literal, table_name

EVENTS = "main.events"
CORRELATION = "main.correlation"
STARS, NODES, EDGES, LABELS, NEXT = "_chain_stars", "_chain_nodes", "_chain_edges", "_chain_labels", "_chain_next"
ORDERS, DIRECT, IDS = "_chain_orders", "_chain_direct", "_chain_ids"
MAX_ROUNDS = 200
# Seeds tried for the nodes' integer hash (`node_hash`) before one gives every node a hash of its own.
HASH_SEEDS = 16
# A node's `rank_id`: its family's rank times ID_SPAN plus its id (ids count the nodes from 1: far below 2^40).
ID_SPAN = 1 << 40
# Which family an EDI document's `reference` belongs to, by transaction set (recon.formats).
REFERENCE_FAMILY = {"R": "order", "S": "shipment", "I": "invoice"}


@dataclass(frozen=True)
class Built:
    """What the build found: counts for the summary and the notes on skipped declarations."""

    events: int
    chains: int
    rounds: int
    seconds: float
    notes: tuple[str, ...] = ()


def loaded_tables(db: Database) -> dict[tuple[str, str], set[str]]:
    """Every loaded `<system>.<entity>` with its columns."""
    out: dict[tuple[str, str], set[str]] = {}
    rows = db.rows("SELECT schema_name, table_name, column_name FROM duckdb_columns() "
                   "WHERE database_name = current_database() AND schema_name NOT IN "
                   "('main', 'information_schema', 'pg_catalog') ORDER BY ALL")
    for schema, table, column in rows:
        if table in ENTITIES:
            out.setdefault((schema, table), set()).add(column)
    return out


def _rank(family: str) -> int:
    return spec.FAMILY_RANK.index(family) if family in spec.FAMILY_RANK else len(spec.FAMILY_RANK)


def reference_family_sql(ts: str) -> str:
    """SQL: the family of an EDI document's `reference`, by its transaction set (NULL: not a reference)."""
    whens = " ".join(f"WHEN {literal(code)} THEN {literal(REFERENCE_FAMILY[d.reference])}"
                     for code, d in sorted(documents().items()) if d.reference in REFERENCE_FAMILY)
    return f"CASE upper(trim(CAST({ts} AS VARCHAR))) {whens} END"


def _norm(column: str) -> str:
    return ident(f"_n_{column}")


def row_nodes(entity: str, cols: set[str], references: dict[str, str]) -> list[str]:
    """SQL expressions of the nodes one row of the table links, its anchor (the first) first; they read
    the normalised columns of `normalised()`."""
    partner = "partner_id" if "partner_id" in cols else "NULL"
    if entity == "edi_documents":
        if not {"transaction_set", "control_number"} <= cols:
            return []
        out = [f"chain_doc(transaction_set, {partner}, control_number)"]
        if "reference" in cols:
            out.append(f"chain_key({reference_family_sql('transaction_set')}, {_norm('reference')})")
        return out
    if entity == "edi_acks":
        ok = {"acked_transaction_set", "acked_control_number"} <= cols
        return [f"chain_doc(acked_transaction_set, {partner}, acked_control_number)"] if ok else []
    present = sorted((c for c in cols if c in references), key=lambda c: (_rank(references[c]), c))
    return [f"chain_key({literal(references[c])}, {_norm(c)})" for c in present]


# The columns besides its references that `row_nodes` reads of an EDI table.
_NODE_COLUMNS = {"edi_documents": ("transaction_set", "partner_id", "control_number"),
                 "edi_acks": ("acked_transaction_set", "partner_id", "acked_control_number")}


def normalised(system: str, entity: str, cols: set[str], references: dict[str, str], *,
               distinct: bool = False) -> str:
    """The table with each reference column's trace_norm text beside it, computed once per row.

    `distinct` keeps only the distinct combinations of the columns `row_nodes` reads: the graph
    needs each combination once, and an order's lines repeat it (measured at 100k orders: 4.7M
    node pairs built for 1.0M distinct ones; the normalising and the list work shrink with them)."""
    refs = ["reference"] if entity == "edi_documents" and "reference" in cols else (
        [] if entity in spec.EDI_ENTITIES else sorted(c for c in cols if c in references))
    extra = "".join(f", trace_norm({ident(c)}) AS {_norm(c)}" for c in refs)
    if not distinct:
        return f"(SELECT *{extra} FROM {table_name(system, entity)})"
    read = sorted({*refs, *(c for c in _NODE_COLUMNS.get(entity, ()) if c in cols)})
    if not read:
        return f"(SELECT 1 FROM {table_name(system, entity)} WHERE false)"
    listed = ", ".join(ident(c) for c in read)
    return f"(SELECT *{extra} FROM (SELECT DISTINCT {listed} FROM {table_name(system, entity)}))"


def anchor_sql(nodes: list[str]) -> str:
    return f"coalesce({', '.join(nodes)})" if len(nodes) > 1 else nodes[0]


def _stars(nodes: list[str], source: str) -> str:
    """SQL: the (a, b) pairs of one table's rows, one scan of the table for both stars. A row's nodes are
    a fixed list of columns, so the stars are spelt out per column (one SELECT each over the rows
    computed once) rather than built with list lambdas and unnested (measured at 100k orders: 1.4
    instead of 2.1 CPU s for the pairs). Every anchor is one of its row's nodes and is paired with
    itself, so every node of the graph is some pair's `b`."""
    n = [f"_k{i}" for i in range(len(nodes))]
    is_order = [f"starts_with({k}, 'order:')" for k in n]
    first = f"coalesce({', '.join([*(f'CASE WHEN {o} THEN {k} END' for k, o in zip(n, is_order, strict=True)), *n])})"
    other = [f"CASE WHEN NOT {o} THEN {k} END" for k, o in zip(n, is_order, strict=True)]
    computed = ", ".join(f"{node} AS {k}" for node, k in zip(nodes, n, strict=True))
    rows = (f"SELECT *, {first} AS _a, coalesce({', '.join(other)}) AS _o "
            f"FROM (SELECT {computed} FROM {source})")
    stars = [f"SELECT _a AS a, {k} AS b FROM _rows WHERE {k} IS NOT NULL" for k in n]
    # The second star adds nothing where it repeats the first: in a row without an order reference its
    # first other reference is its anchor (_o = _a), and its self-pair (_o, _o) is no edge while _o is a
    # `b` of the first star already (at 300k orders: 5.4M pairs before the DISTINCT instead of 7.6M).
    stars += [f"SELECT _o, {k} FROM _rows WHERE {k} IS NOT NULL AND _o <> _a AND {k} <> _o" for k in other]
    return f"SELECT * FROM (WITH _rows AS MATERIALIZED ({rows}) {' UNION ALL '.join(stars)})"


def pairs_sql(tables: dict[tuple[str, str], set[str]], references: dict[str, str]) -> str | None:
    """SQL: (a, b) node pairs, two stars per row: its first order reference (else its first node) to each
    of its nodes, and its first other reference to each of its other references. Not distinct: `correlate`
    takes the distinct pairs by their nodes' integer hashes."""
    parts = []
    for (system, entity), cols in sorted(tables.items()):
        nodes = row_nodes(entity, cols, references)
        if not nodes:
            continue
        parts.append(_stars(nodes, normalised(system, entity, cols, references, distinct=True)))
    if not parts:
        return None
    return "SELECT a, b FROM (" + " UNION ALL ".join(parts) + ") WHERE a IS NOT NULL AND b IS NOT NULL"


# Read from NODES, not from the pairs: a bridge links two nodes that are already there. As ids, like IDS.
BRIDGES = f"""
    WITH n AS (SELECT id, is_order, split_part(node, ':', 1) AS fam, substr(node, strpos(node, ':') + 1) AS k
               FROM {NODES}),
    prefixed AS (SELECT fam, regexp_extract(k, '^[A-Z]+([0-9].*)$', 1) AS core, min(id) AS id,
                        bool_or(is_order) AS is_order FROM n
                 WHERE fam <> 'edi' AND regexp_full_match(k, '[A-Z]+[0-9].*') GROUP BY fam, core HAVING count(*) = 1)
    SELECT n.id AS a, prefixed.id AS b, n.is_order AS a_order, prefixed.is_order AS b_order
    FROM n JOIN prefixed ON n.fam = prefixed.fam AND n.k = prefixed.core WHERE n.fam <> 'edi'"""


def node_hash(node: str, seed: int) -> str:
    """SQL: a node's 64-bit hash under `seed`: what the pairs are made distinct and joined to NODES by
    (an integer instead of the node's text). `correlate` checks that the nodes' hashes are distinct."""
    return f"hash({node}, {seed})"


def _hash_seed(db: Database) -> int:
    """NODES' `h` as the hash of the first seed under which no two nodes share one (the first, but for a
    64-bit collision: about 1 in 10^6 at 5M nodes); the seed."""
    for seed in range(HASH_SEEDS):
        if seed:
            db.execute(f"UPDATE {NODES} SET h = {node_hash('node', seed)}")
        if db.scalar(f"SELECT count(DISTINCT h) = count(*) FROM {NODES}"):
            return seed
    raise RuntimeError(f"the chain graph's nodes share a hash under {HASH_SEEDS} seeds")  # not seen: 2^-64 each


def _propagate(db: Database, nodes: str) -> int:
    """LABELS: each node of EDGES (the NODES where `nodes` holds) labelled with the smallest id of its
    component; returns the rounds. The other nodes take no part: each pass labels only its own kind."""
    db.execute(f"CREATE OR REPLACE TEMP TABLE {LABELS} AS SELECT id, id AS label FROM {NODES} WHERE {nodes}")
    # Every node has a self-loop, so a label never grows: a round changed a label exactly when it
    # lowered the sum of the labels (one sum instead of a join of the two rounds' labels).
    total = db.scalar(f"SELECT sum(label) FROM {LABELS}")
    rounds = 0
    for rounds in range(1, MAX_ROUNDS + 1):
        db.execute(f"""CREATE OR REPLACE TEMP TABLE {NEXT} AS
            WITH hop AS (SELECT e.src AS id, min(l.label) AS label FROM {EDGES} e JOIN {LABELS} l ON l.id = e.dst
                         GROUP BY e.src)
            SELECT h.id, least(h.label, j.label) AS label FROM hop h JOIN hop j ON j.id = h.label""")
        lowered = db.scalar(f"SELECT sum(label) FROM {NEXT}")
        db.execute(f"DROP TABLE {LABELS}")
        db.execute(f"ALTER TABLE {NEXT} RENAME TO {LABELS}")
        if lowered == total:
            return rounds
        total = lowered
    return rounds


def correlate(db: Database, tables: dict[tuple[str, str], set[str]], references: dict[str, str]) -> int:
    """`main.correlation` (node, correlation_id); returns the rounds label propagation took.

    First the orders: components of order ids and POs that rows name together. Then each other
    reference (shipment, tracking number, invoice, document) directly named with one order joins it;
    one named with several (an invoice over two orders, a tracking number two shipments share) is
    *shared*: it links both stories but merges neither, and keeps an id of its own. Last, the other
    references link through each other (a TMS delivery's shipment and tracking number, an ASN's
    document and shipment), never through a shared one, and a component of them that reaches exactly
    one order joins it."""
    pairs = pairs_sql(tables, references)
    if pairs is None:
        db.execute(f"CREATE OR REPLACE TABLE {CORRELATION} (node VARCHAR, correlation_id VARCHAR)")
        return 0
    # A node's family is the text before its first ':' (no family name holds one), so a prefix test ranks
    # it: split_part builds a list per node (1.5M nodes at 300k orders).
    ranks = " ".join(f"WHEN starts_with(node, {literal(f + ':')}) THEN {i}" for i, f in enumerate(spec.FAMILY_RANK))
    try:
        db.execute(f"CREATE OR REPLACE TEMP TABLE {STARS} AS {pairs}")
        # `id` numbers the nodes in text order, so main.correlation is sorted by an integer instead of the
        # node texts; `rank_id` orders them as chain ids are chosen (family rank first) and holds the id in
        # its low bits. Propagation labels a component with its smallest id; the chain id is picked from
        # the component's smallest rank_id at the end (all orders have one rank: their label is it).
        # `h`: the node's hash, distinct over the nodes (_hash_seed), so that the pairs are made distinct
        # and numbered by integers rather than by their texts.
        db.execute(f"CREATE OR REPLACE TEMP TABLE {NODES} AS SELECT node, is_order, id, "
                   f"(CASE {ranks} ELSE {len(spec.FAMILY_RANK)} END) * {ID_SPAN} + id "
                   f"AS rank_id, {node_hash('node', 0)} AS h "
                   f"FROM (SELECT node, starts_with(node, 'order:') AS is_order, "
                   f"row_number() OVER (ORDER BY node) AS id "
                   f"FROM (SELECT DISTINCT b AS node FROM {STARS}))")  # every node is a `b` (_stars)
        seed = _hash_seed(db)
        # The pairs as integer ids: the three steps below read them. Every `a` is a node too (an anchor is
        # paired with itself), so two pairs with the same hashes are the same pair. Not the self-pairs (x, x):
        # they are there to make every node a `b` for NODES, the edges give every node its self-loop
        # themselves and DIRECT reads pairs of an order and another reference only.
        db.execute(f"CREATE OR REPLACE TEMP TABLE {IDS} AS SELECT x.id AS a, y.id AS b, x.is_order AS a_order, "
                   f"y.is_order AS b_order FROM (SELECT DISTINCT {node_hash('a', seed)} AS a, "
                   f"{node_hash('b', seed)} AS b FROM {STARS} WHERE a <> b) p "
                   f"JOIN {NODES} x ON x.h = p.a JOIN {NODES} y ON y.h = p.b")
        db.drop(STARS)
        db.execute(f"INSERT INTO {IDS} {BRIDGES}")
        ids = f"SELECT a, b, a_order, b_order FROM {IDS}"
        # 1. the orders
        db.execute(f"""CREATE OR REPLACE TEMP TABLE {EDGES} AS WITH p AS ({ids} WHERE a_order AND b_order)
            SELECT a AS src, b AS dst FROM p UNION SELECT b, a FROM p
            UNION SELECT id, id FROM {NODES} WHERE is_order""")
        rounds = _propagate(db, "is_order")
        db.execute(f"ALTER TABLE {LABELS} RENAME TO {ORDERS}")
        # 2. each other reference: the orders it is named with
        db.execute(f"""CREATE OR REPLACE TEMP TABLE {DIRECT} AS
            SELECT CASE WHEN a_order THEN b ELSE a END AS id, count(DISTINCT o.label) AS orders,
                   min(o.label) AS order_label
            FROM ({ids}) p JOIN {ORDERS} o ON o.id = CASE WHEN a_order THEN a ELSE b END
            WHERE a_order <> b_order GROUP BY 1""")
        # 3. the other references through each other, never through a shared one
        db.execute(f"""CREATE OR REPLACE TEMP TABLE {EDGES} AS
            WITH shared AS (SELECT id FROM {DIRECT} WHERE orders > 1),
            p AS ({ids} WHERE NOT a_order AND NOT b_order AND a NOT IN (SELECT id FROM shared)
                  AND b NOT IN (SELECT id FROM shared))
            SELECT a AS src, b AS dst FROM p UNION SELECT b, a FROM p
            UNION SELECT id, id FROM {NODES} WHERE NOT is_order""")
        rounds += _propagate(db, "NOT is_order")
        db.execute(f"""CREATE OR REPLACE TABLE {CORRELATION} AS
            WITH reach AS (SELECT l.label, min(d.order_label) AS order_label FROM {LABELS} l JOIN {DIRECT} d USING (id)
                           WHERE d.orders = 1 GROUP BY l.label HAVING count(DISTINCT d.order_label) = 1),
            first AS (SELECT l.label, min(n.rank_id) % {ID_SPAN} AS first FROM {LABELS} l JOIN {NODES} n USING (id)
                      GROUP BY l.label),
            final AS (SELECT n.id, n.node, CASE WHEN n.is_order THEN o.label
                                        ELSE coalesce(r.order_label, k.first) END AS label
                      FROM {NODES} n LEFT JOIN {ORDERS} o USING (id) LEFT JOIN {LABELS} l USING (id)
                      LEFT JOIN reach r ON r.label = l.label  -- a shared reference is alone: no reach
                      LEFT JOIN first k ON k.label = l.label)
            SELECT f.node, c.node AS correlation_id FROM final f JOIN {NODES} c ON c.id = f.label ORDER BY f.id""")
        return rounds
    finally:
        db.drop(STARS, NODES, EDGES, LABELS, NEXT, ORDERS, DIRECT, IDS)


def _keys(cols: set[str], overrides: dict[str, str] | None = None) -> str:
    overrides = overrides or {}
    out = []
    for key in spec.EVENT_KEYS:
        expr = overrides.get(key) or (ident(key) if key in cols else "NULL")
        out.append(f"CAST({expr} AS VARCHAR) AS {ident(key)}")
    return ", ".join(out)


def lineage(cols: set[str]) -> str:
    """The row's lineage columns (NULL where a table has none: a `derive: {create:}` table may not)."""
    types = {"_source_file": "VARCHAR", "_source_row": "BIGINT", "_load_id": "VARCHAR"}
    return ", ".join(f"CAST({ident(c) if c in cols else 'NULL'} AS {t}) AS {ident(c)}" for c, t in types.items())


def event_selects(config: Config, tables: dict[tuple[str, str], set[str]]) -> tuple[list[EventPart], list[str]]:
    """SELECTs of (event_type, system, entity, at, keys..., _node, lineage), one per event source, each with
    the source texts its rows can have (recon.events.codes)."""
    references = spec.references(config)
    sources, notes = spec.plan(config, tables)
    parts = []
    for s in sources:
        cols = tables[(s.system, s.entity)]
        nodes = row_nodes(s.entity, cols, references)
        at = f"TRY_CAST({ident(s.column)} AS TIMESTAMPTZ)"
        texts = f"{literal(s.event_type)} AS event_type, {literal(s.system)} AS system, {literal(s.entity)} AS entity"
        parts.append(EventPart(
            f"SELECT {texts}, {at} AS event_at, {_keys(cols)}, {anchor_sql(nodes) if nodes else 'NULL'} AS _node, "
            f"{lineage(cols)} FROM {normalised(s.system, s.entity, cols, references)} WHERE {at} IS NOT NULL",
            f"SELECT {texts}, * FROM ({lineage_texts(table_name(s.system, s.entity), cols)})"))
    for (system, entity), cols in sorted(tables.items()):
        if entity == "edi_documents" and {"transaction_set", "control_number", "direction"} <= cols:
            parts.append(_document_events(system, cols))
        if entity == "edi_acks" and {"acked_transaction_set", "acked_control_number", "acked_at"} <= cols:
            docs = tables.get((system, "edi_documents"), set())
            parts.append(_ack_events(system, cols, docs))
    return parts, notes


def _document_events(system: str, cols: set[str]) -> EventPart:
    stems = " ".join(f"WHEN {literal(code)} THEN {literal(stem)}" for code, stem in sorted(spec.EDI_STEMS.items()))
    ts = "upper(trim(CAST(transaction_set AS VARCHAR)))"
    way = ("CASE WHEN lower(direction) IN ('outbound', 'out', 'sent', 's') THEN '-sent' "
           "WHEN lower(direction) IN ('inbound', 'in', 'received', 'r') THEN '-received' ELSE '' END")
    times = [f"TRY_CAST({ident(c)} AS TIMESTAMPTZ)" for c in ("sent_at", "document_date") if c in cols]
    at = f"coalesce({', '.join(times)})" if times else "NULL::TIMESTAMPTZ"
    family = reference_family_sql("transaction_set")
    ref = "CAST(reference AS VARCHAR)" if "reference" in cols else "NULL"
    keys = _keys(cols, {"order_id": f"CASE {family} WHEN 'order' THEN {ref} END",
                        "shipment_id": f"CASE {family} WHEN 'shipment' THEN {ref} END",
                        "invoice_id": f"CASE {family} WHEN 'invoice' THEN {ref} END",
                        "document": f"{ts} || ' ' || CAST(control_number AS VARCHAR)", "customer_po": "NULL",
                        "line_no": "NULL", "tracking_no": "NULL"})
    acks = ", ".join(literal(c) for c in spec.EDI_ACK_SETS)
    texts = (f"coalesce(CASE {ts} {stems} END, 'edi-' || lower({ts})) || {way} AS event_type, "
             f"{literal(system)} AS system, 'edi_documents' AS entity")
    table = table_name(system, "edi_documents")
    return EventPart(f"SELECT {texts}, {at} AS event_at, {keys}, {row_nodes('edi_documents', cols, {})[0]} AS _node, "
                     f"{lineage(cols)} FROM {table} WHERE {at} IS NOT NULL AND {ts} NOT IN ({acks})",
                     f"SELECT DISTINCT {texts}, {source_texts(cols)} FROM {table}")  # every document's: a superset


def _ack_events(system: str, cols: set[str], docs: set[str]) -> EventPart:
    node = row_nodes("edi_acks", cols, {})[0]  # the acked document (its columns are the ack table's own)
    keys = _keys(cols, {"document": "upper(trim(CAST(acked_transaction_set AS VARCHAR))) || ' ' || "
                                    "CAST(acked_control_number AS VARCHAR)",
                        **{c: "NULL" for c in spec.EVENT_KEYS if c != "document"}})
    direction, join, types = "'ack-received'", "", "('ack-received')"
    if {"transaction_set", "control_number", "direction"} <= docs:
        # a 997 for a document we sent was received; for one we received, we sent it
        doc = row_nodes("edi_documents", docs, {})[0]
        join = (f" LEFT JOIN (SELECT {doc} AS _doc, any_value(lower(direction)) AS _direction "
                f"FROM {table_name(system, 'edi_documents')} GROUP BY 1) d ON d._doc = {node}")
        direction = "CASE WHEN _direction IN ('inbound', 'in', 'received', 'r') THEN 'ack-sent' ELSE 'ack-received' END"
        types = "('ack-received'), ('ack-sent')"
    table = table_name(system, "edi_acks")
    return EventPart(f"SELECT {direction} AS event_type, {literal(system)} AS system, 'edi_acks' AS entity, "
                     f"TRY_CAST(acked_at AS TIMESTAMPTZ) AS event_at, {keys}, {node} AS _node, {lineage(cols)} "
                     f"FROM {table} k{join} WHERE TRY_CAST(acked_at AS TIMESTAMPTZ) IS NOT NULL",
                     f"SELECT t.event_type, {literal(system)} AS system, 'edi_acks' AS entity, f.* "
                     f"FROM (VALUES {types}) t(event_type), ({lineage_texts(table, cols)}) f")


EVENT_COLUMNS = ("correlation_id", "event_type", "system", "entity", "event_at", *spec.EVENT_KEYS,
                 "_source_file", "_source_row", "_load_id")


# The order of main.events' rows: a chain's events together, in time order (`recon query` and the
# kept file show them so; the SLOs' arg_min reads ties in it).
EVENTS_ORDER = "correlation_id, event_at, event_type, system, _source_file, _source_row"


def _replace(db: Database, select: str, events_file: Path | None) -> None:
    """`main.events` as the rows of `select`, in their order: a view over `events_file` written from
    them (zstd Parquet, as recon.store.kept writes every other table), else a table."""
    kind = db.scalar("SELECT any_value(table_type) FROM information_schema.tables "
                     "WHERE table_schema = 'main' AND table_name = 'events'")
    if kind is not None:  # CREATE OR REPLACE cannot turn a view into a table or back (a replay's, a kept database's)
        db.execute(f"DROP {'VIEW' if kind == 'VIEW' else 'TABLE'} {EVENTS}")
    if events_file is not None:
        try:
            db.execute(f"COPY ({select}) TO {literal(str(events_file))} (FORMAT parquet, COMPRESSION zstd)")
            db.execute(f"CREATE VIEW {EVENTS} AS FROM read_parquet({literal(str(events_file))})")
            return
        except duckdb.IOException:  # the kept folder is a cache (a full disk): the run goes on with a table
            pass
    db.execute(f"CREATE TABLE {EVENTS} AS {select}")


def build(db: Database, config: Config, events_file: Path | None = None) -> Built:
    """`main.correlation` and `main.events` from the tables loaded into `db`; exceptions, if any, get
    their `correlation_id`.

    `events_file`: where the run keeps `main.events` (recon.store.kept). The sorted events are then
    written there once, as the kept Parquet file, and `main.events` is a view over it, instead of a
    sorted table that the end of the run copies into the same file again (at 1M orders, 13M rows: the
    table and its copy cost 24.6 + 21.8 CPU s; bench/notes.md, "Events step: main.events written once")."""
    t0 = time.perf_counter()
    keys.install(db)
    tables = loaded_tables(db)
    rounds = correlate(db, tables, spec.references(config))
    parts, notes = event_selects(config, tables)
    if parts:
        # Two statements, not one: in a single statement DuckDB holds the join's hash table and
        # the sort's buffers at once, and at 1M orders it ran out of the default 1.5 GiB (at 100k,
        # of 150 MB). Staged, the join is done and freed before the sort, which reads a table that
        # can spill: the same rows in the same order, for 0.8 CPU s more at 100k (bench/notes.md,
        # "A 1M run out of DuckDB's default memory").
        # The five source texts are staged and sorted as small integers and spelt back after the sort
        # (recon.events.codes): at 300k orders the staging and the sorted write cost 24.6-29.8 CPU s
        # with the texts and 18.5-20.4 without (bench/notes.md, "Events step: the sort's texts as codes").
        staged, codes = db.temp_name("events"), db.temp_name("event_codes")
        try:
            _replace(db, stage(db, staged, codes, parts, CORRELATION, EVENT_COLUMNS), events_file)
        finally:
            db.drop(staged, codes)
    else:
        typed = {"event_at": "TIMESTAMPTZ", "_source_row": "BIGINT"}
        nulls = ", ".join(f"NULL::{typed.get(c, 'VARCHAR')} AS {ident(c)}" for c in EVENT_COLUMNS)
        _replace(db, f"SELECT {nulls} WHERE false", events_file)
    tag_exceptions(db)
    events = db.scalar(f"SELECT count(*) FROM {EVENTS}")
    # A chain's id is one of its own nodes (`correlate`), so its chains are the nodes that name themselves:
    # a filter instead of a distinct count of the ids (0.14 -> 0.02 CPU s at 300k orders).
    chains = db.scalar(f"SELECT count(*) FROM {CORRELATION} WHERE node = correlation_id")
    return Built(events, chains, rounds, time.perf_counter() - t0, tuple(notes))


def exception_chain_sql(alias: str = "e") -> str:
    """SQL: the correlation id of an exception row, from the first of its keys that is a known node."""
    tries = [("order", "order_id"), ("order", "customer_po"), ("shipment", "shipment_id"), ("invoice", "invoice_id"),
             ("shipment", "document"), ("invoice", "document"), ("order", "document")]
    return "coalesce(" + ", ".join(
        f"(SELECT c.correlation_id FROM {CORRELATION} c WHERE c.node = chain_node({literal(f)}, {alias}.{ident(col)}))"
        for f, col in tries) + ")"


def tag_exceptions(db: Database) -> None:
    """`main.exceptions.correlation_id`: the chain each exception is on (NULL: none of its keys is one)."""
    if not db.table_exists("main", "exceptions"):
        return
    db.execute("ALTER TABLE main.exceptions ADD COLUMN IF NOT EXISTS correlation_id VARCHAR")
    db.execute(f"UPDATE main.exceptions AS e SET correlation_id = {exception_chain_sql('e')}")


__all__ = ["CORRELATION", "EVENTS", "Built", "build", "correlate", "loaded_tables"]
