"""A reference reading of docs/sample.md: each exception type as one SQL query over loaded tables.

This is not the rule engine. It pins down what truth.csv means, so the generator can be tested
on its own: every injected discrepancy, and nothing else, must come out of these queries. Where
the docs allow two readings (age a shipped line from the WMS shipment or the ERP posting; count
a duplicated invoice line once or twice), `VARIANTS` holds the other reading, and it must give
the same answer: that is what "robust to small choices in the rules" means.
"""

from __future__ import annotations

import pandas as pd

from recon.db import Database
from recon.sample import TRUTH_COLUMNS

ZONE = "America/Chicago"

_W = """w AS (SELECT order_id, line_no, sum(qty) AS qty, max(shipped_at) AS at FROM wms.shipment_lines
              WHERE status = 'SHIPPED' GROUP BY ALL)"""
_E = """e AS (SELECT order_id, line_no, sum(qty) AS qty, max(shipped_at) AS at FROM erp.shipment_lines
              GROUP BY ALL)"""
_I = """i AS (SELECT order_id, order_line_no AS line_no, sum(qty) AS qty FROM
              (SELECT DISTINCT invoice_id, line_no, order_id, order_line_no, qty FROM erp.invoice_lines)
              GROUP BY ALL)"""
_SENT = f"timezone('{ZONE}', d.sent_at::TIMESTAMP)"
_STOCK = """f AS (SELECT item_id, from_uom AS uom, factor FROM erp.uom_conversions),
    t AS (SELECT x.item_id, x.to_site AS site, x.lot, sum(x.qty * coalesce(f.factor, 1)) AS qty FROM erp.transfers x
          LEFT JOIN f ON f.item_id = x.item_id AND f.uom = x.uom WHERE x.received_at IS NULL GROUP BY ALL),
    e AS (SELECT s.item_id, site, lot, sum(qty * coalesce(f.factor, 1)) AS qty,
                 max(CASE WHEN f.factor IS NULL THEN s.uom ELSE 'EA' END) AS u
          FROM erp.stock s LEFT JOIN f ON f.item_id = s.item_id AND f.uom = s.uom GROUP BY ALL),
    w AS (SELECT s.item_id, site, lot, sum(qty * coalesce(f.factor, 1)) AS qty,
                 max(CASE WHEN f.factor IS NULL THEN s.uom ELSE 'EA' END) AS u
          FROM wms.stock s LEFT JOIN f ON f.item_id = s.item_id AND f.uom = s.uom GROUP BY ALL)"""

QUERIES: dict[str, str] = {
    "released-not-in-wms": """
        SELECT order_id FROM erp.orders
        WHERE released_at IS NOT NULL AND coalesce(status, '') <> 'CANCELLED'
          AND released_at < $as_of - INTERVAL 4 HOUR
          AND order_id NOT IN (SELECT order_id FROM wms.orders)""",
    "order-stuck-after-release": """
        SELECT order_id FROM erp.orders
        WHERE released_at IS NOT NULL AND coalesce(status, '') <> 'CANCELLED'
          AND released_at < $as_of - INTERVAL 48 HOUR
          AND order_id NOT IN (SELECT order_id FROM wms.shipment_lines)""",
    "shipped-not-posted": f"""
        WITH {_W}, {_E} SELECT w.order_id, w.line_no FROM w LEFT JOIN e USING (order_id, line_no)
        WHERE e.qty IS NULL AND w.at < $as_of - INTERVAL 4 HOUR""",
    "ship-qty-mismatch": f"""
        WITH {_W}, {_E} SELECT w.order_id, w.line_no FROM w JOIN e USING (order_id, line_no)
        WHERE w.qty <> e.qty AND w.at < $as_of - INTERVAL 4 HOUR""",
    "invoice-without-shipment": f"""
        WITH {_W}, {_I} SELECT i.order_id, i.line_no FROM i LEFT JOIN w USING (order_id, line_no)
        WHERE w.qty IS NULL""",
    "invoice-qty-mismatch": f"""
        WITH {_W}, {_I} SELECT i.order_id, i.line_no FROM i JOIN w USING (order_id, line_no) WHERE i.qty <> w.qty""",
    "shipped-not-invoiced": f"""
        WITH {_W}, {_I} SELECT w.order_id, w.line_no FROM w LEFT JOIN i USING (order_id, line_no)
        WHERE i.qty IS NULL AND w.at < $as_of - INTERVAL 72 HOUR""",
    "invoice-amount-mismatch": """
        SELECT DISTINCT il.invoice_id, il.line_no FROM erp.invoice_lines il
        JOIN erp.order_lines ol ON ol.order_id = il.order_id AND ol.line_no = il.order_line_no
        WHERE abs(il.amount - il.qty * ol.unit_price) > 0.01""",
    "duplicate-customer-po": """
        SELECT customer_id, upper(trim(customer_po)) AS customer_po FROM erp.orders
        WHERE customer_po IS NOT NULL AND coalesce(status, '') <> 'CANCELLED'
        GROUP BY ALL HAVING count(DISTINCT order_id) > 1""",
    "duplicate-invoice": """
        SELECT invoice_id, line_no FROM erp.invoice_lines GROUP BY ALL HAVING count(*) > 1""",
    "edi-order-missing-in-erp": f"""
        SELECT o.customer_po FROM edi.orders o
        JOIN edi.edi_documents d ON d.transaction_set = '850' AND d.control_number = o._set_control
        WHERE {_SENT} < $as_of - INTERVAL 4 HOUR
          AND o.customer_po NOT IN (SELECT customer_po FROM erp.orders WHERE customer_po IS NOT NULL)""",
    "edi-order-qty-mismatch": """
        SELECT x.order_id AS customer_po, x.line_no FROM edi.order_lines x
        JOIN erp.orders o ON o.customer_po = x.order_id
        JOIN erp.order_lines l ON l.order_id = o.order_id AND l.line_no = x.line_no WHERE l.qty <> x.qty""",
    "edi-order-price-mismatch": """
        SELECT x.order_id AS customer_po, x.line_no FROM edi.order_lines x
        JOIN erp.orders o ON o.customer_po = x.order_id
        JOIN erp.order_lines l ON l.order_id = o.order_id AND l.line_no = x.line_no
        WHERE abs(l.unit_price - x.unit_price) > 0.01""",
    "asn-qty-mismatch": """
        WITH a AS (SELECT shipment_id, item_id, sum(qty) AS qty FROM edi.shipment_lines GROUP BY ALL),
             s AS (SELECT shipment_id, item_id, sum(qty) AS qty FROM wms.shipment_lines GROUP BY ALL)
        SELECT a.shipment_id, a.item_id FROM a LEFT JOIN s USING (shipment_id, item_id)
        WHERE s.qty IS NULL OR s.qty <> a.qty""",
    "edi-invoice-mismatch": """
        SELECT x.invoice_id, x.line_no FROM edi.invoice_lines x
        JOIN (SELECT DISTINCT invoice_id, line_no, qty, amount FROM erp.invoice_lines) i USING (invoice_id, line_no)
        WHERE x.qty <> i.qty OR abs(x.amount - i.amount) > 0.01""",
    "edi-rejected": """
        SELECT DISTINCT a.acked_transaction_set || ':' || CAST(CAST(a.acked_control_number AS BIGINT) AS VARCHAR)
               AS document
        FROM edi.edi_acks a WHERE a.status = 'R'""",
    "edi-ack-missing": f"""
        SELECT d.reference AS document FROM edi.edi_documents d
        WHERE d.direction = 'outbound' AND d.transaction_set IN ('856', '810')
          AND {_SENT} < $as_of - INTERVAL 24 HOUR
          AND NOT EXISTS (SELECT 1 FROM edi.edi_acks a WHERE a.acked_group_control = d.group_control
                          AND a.acked_control_number = d.control_number)""",
    "shipped-without-tracking": """
        SELECT DISTINCT shipment_id FROM wms.shipment_lines WHERE status = 'SHIPPED' AND tracking_no IS NULL""",
    "shipment-not-in-tms": """
        SELECT shipment_id FROM wms.shipment_lines GROUP BY ALL HAVING min(shipped_at) < $as_of - INTERVAL 24 HOUR
        AND shipment_id NOT IN (SELECT shipment_id FROM tms.deliveries)""",
    "no-proof-of-delivery": """
        SELECT shipment_id FROM tms.deliveries
        WHERE (delivered_at IS NULL OR pod_signed_by IS NULL) AND picked_up_at < $as_of - INTERVAL 5 DAY""",
    "carrier-mismatch": """
        SELECT DISTINCT w.shipment_id FROM wms.shipment_lines w JOIN tms.deliveries t USING (shipment_id)
        WHERE w.carrier <> t.carrier""",
    # Quantities in eaches where the ERP's material units convert a row's unit; goods in transit
    # (open transfers to the site) count with the WMS; two units that do not convert are not compared.
    "stock-variance": f"""
        WITH {_STOCK} SELECT coalesce(e.item_id, w.item_id) AS item_id, coalesce(e.site, w.site) AS site,
               coalesce(e.lot, w.lot) AS lot
        FROM e FULL JOIN w ON e.item_id = w.item_id AND e.site = w.site AND e.lot IS NOT DISTINCT FROM w.lot
        LEFT JOIN t ON t.item_id = coalesce(e.item_id, w.item_id) AND t.site = coalesce(e.site, w.site)
             AND t.lot IS NOT DISTINCT FROM coalesce(e.lot, w.lot)
        WHERE NOT coalesce(e.u <> w.u, FALSE) AND coalesce(e.qty, 0) <> coalesce(w.qty, 0) + coalesce(t.qty, 0)""",
    "uom-not-convertible": f"""
        WITH {_STOCK} SELECT DISTINCT e.item_id FROM e JOIN w USING (item_id, site) WHERE e.u <> w.u""",
    "in-transit-overdue": """
        SELECT transfer_id AS document FROM erp.transfers
        WHERE received_at IS NULL AND shipped_at < $as_of - INTERVAL 5 DAY""",
}

# The other reasonable readings; each must find exactly what the main query finds.
VARIANTS: dict[str, str] = {
    # stuck: also require the order to be in the WMS (the generator keeps the two types apart either way)
    "order-stuck-after-release": QUERIES["order-stuck-after-release"]
    + " AND order_id IN (SELECT order_id FROM wms.orders)",
    # billing compared with ERP goods issues instead of WMS shipments
    "shipped-not-invoiced": f"""
        WITH {_E}, {_I} SELECT e.order_id, e.line_no FROM e LEFT JOIN i USING (order_id, line_no)
        WHERE i.qty IS NULL AND e.at < $as_of - INTERVAL 72 HOUR""",
    "invoice-qty-mismatch": f"""
        WITH {_E}, {_I} SELECT i.order_id, i.line_no FROM i JOIN e USING (order_id, line_no) WHERE i.qty <> e.qty""",
    "invoice-without-shipment": f"""
        WITH {_E}, {_I} SELECT i.order_id, i.line_no FROM i LEFT JOIN e USING (order_id, line_no)
        WHERE e.qty IS NULL""",
    # POD overdue measured from the WMS ship time
    "no-proof-of-delivery": """
        SELECT t.shipment_id FROM tms.deliveries t
        JOIN (SELECT shipment_id, min(shipped_at) AS at FROM wms.shipment_lines GROUP BY ALL) w USING (shipment_id)
        WHERE (t.delivered_at IS NULL OR t.pod_signed_by IS NULL) AND w.at < $as_of - INTERVAL 5 DAY""",
    # a document aged by its date (whole days, with a wider window) rather than its GS time
    "edi-ack-missing": QUERIES["edi-ack-missing"].replace(_SENT, "d.document_date::TIMESTAMPTZ")
    .replace("INTERVAL 24 HOUR", "INTERVAL 48 HOUR"),
}


def expected(db: Database, as_of: str, queries: dict[str, str] | None = None) -> pd.DataFrame:
    """The exceptions the documented semantics produce, as truth.csv-shaped rows."""
    frames = []
    for name, sql in (queries or QUERIES).items():
        text = sql.replace("$as_of", f"TIMESTAMPTZ '{as_of}'")
        frame = db.con.execute(text).df().astype("string").fillna("")
        frame.insert(0, "exception_type", name)
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    for col in TRUTH_COLUMNS:
        if col not in out.columns:
            out[col] = ""
    return out[list(TRUTH_COLUMNS)].fillna("")
