"""The dictionary `recon init` maps extract columns with: column names of common ERPs, WMSs and
TMSs for each canonical field, as data.

Names are compared folded (`fold`: lower case, letters and digits only), so `Shipment Ref`,
`SHIPMENT_REF` and `shipmentRef` are one name. `FIELDS` holds the names any entity may use for a
field; `BY_ENTITY` the names that mean that field only in that entity's extracts, tried first
(SAP's VBELN is the order number in an order extract, the invoice number in a billing extract).
Add a system's names here; the matching logic (recon.scaffold.guess) does not change.
"""

from __future__ import annotations

import re

# Canonical field -> names, most specific first. Sources: SAP ECC/S4 (VBAK/VBAP/LIPS/MSEG/VBRK/
# VBRP/MARD), Oracle EBS (OE_ORDER_HEADERS/LINES, RA_CUSTOMER_TRX), NetSuite saved searches,
# Dynamics 365 F&O (SalesTable/SalesLine, CustInvoiceTrans, InventSum), Infor (M3/SCE WMS),
# Manhattan-style WMS exports and generic English.
FIELDS: dict[str, tuple[str, ...]] = {
    "order_id": ("order_id", "order_no", "order_number", "order_ref", "order", "sales_order", "sales_order_no",
                 "so_number", "so_no", "salesid", "order_key", "extern_order_key",
                 "tranid", "orno"),
    "line_no": ("line_no", "line_number", "line", "line_num", "order_line", "order_line_number",
                "line_id", "ponr"),
    "item_id": ("item_id", "item", "item_no", "item_number", "sku", "sku_id", "material",
                "material_no", "matnr", "product", "product_id", "product_code", "part", "part_number",
                "part_no", "inventory_item_id", "ordered_item", "itno"),
    "qty": ("qty", "quantity", "units", "ordered_qty", "ordered_quantity", "qty_ordered", "shipped_qty",
            "shipped_quantity", "qty_shipped", "invoiced_qty", "qty_invoiced", "salesqty", "orqt"),
    "uom": ("uom", "unit", "unit_of_measure", "uom_code", "vrkme", "meins", "order_quantity_uom", "salesunit",
            "alun"),
    "unit_price": ("unit_price", "price", "unit_selling_price", "selling_price", "sales_price",
                   "netpr", "rate", "sapr"),
    "currency": ("currency", "currency_code", "curr", "waerk", "transactional_curr_code",
                 "cucd"),
    "site": ("site", "site_id", "plant", "werks", "facility", "facility_id", "warehouse", "warehouse_id",
             "whse", "whlo", "dc", "distribution_center", "ship_from", "ship_from_org", "organization_code",
             "inventlocationid", "location", "branch"),
    "lot": ("lot", "lot_no", "lot_number", "batch", "batch_no", "batch_number", "charg", "inventbatchid",
            "bano", "lottable01"),
    "status": ("status", "status_code", "order_status", "line_status", "flow_status_code", "salesstatus",
               "state"),
    "customer_id": ("customer_id", "customer", "customer_no", "customer_number", "kunnr", "kunag", "sold_to",
                    "sold_to_org_id", "custaccount", "account", "cuno"),
    "customer_name": ("customer_name", "name1", "customer_name1", "custname", "sold_to_name", "account_name",
                      "name"),
    "customer_po": ("customer_po", "po", "po_number", "po_no", "purchase_order", "customer_po_number",
                    "cust_po_number", "bstkd", "purchorderformnum", "otherrefnum", "customer_ref", "cuor"),
    "channel": ("channel", "order_type", "auart", "order_source", "sales_channel", "ortp"),
    "ordered_at": ("ordered_at", "order_date", "ordered_date", "created_at", "creation_date", "created",
                   "erdat", "audat", "trandate", "createddatetime", "rgdt"),
    "released_at": ("released_at", "release_date", "released", "rldat", "booked_date", "received_at",
                    "released_date"),
    "shipment_id": ("shipment_id", "shipment", "shipment_no", "shipment_number", "shipment_ref", "delivery",
                    "delivery_id", "delivery_no", "delivery_number", "lifex", "bol", "bol_number",
                    "packing_slip", "dlix"),
    "shipped_at": ("shipped_at", "ship_date", "shipped_date", "shipped", "actual_shipment_date",
                   "goods_issue_date", "wadat_ist", "budat", "dsdt"),
    "carrier": ("carrier", "scac", "carrier_code", "carrier_id", "carrier_name", "ship_via",
                "ship_method", "shipping_method_code", "tdlnr"),
    "tracking_no": ("tracking_no", "tracking", "tracking_number", "tracking_id", "pro", "pro_number",
                    "pro_tracking", "waybill", "waybill_no", "bolnr", "airwaybill"),
    "invoice_id": ("invoice_id", "invoice", "invoice_no", "invoice_number", "trx_number",
                   "billing_doc", "billing_document", "ivno"),
    "order_line_no": ("order_line_no", "order_line", "order_line_number", "sales_line", "aupos"),
    "amount": ("amount", "net_amount", "line_amount", "extended_amount", "net_value", "netwr",
               "amount_net", "lnam"),
    "invoiced_at": ("invoiced_at", "invoice_date", "billing_date", "trx_date", "fkdat",
                    "ivdt"),
    "load_id": ("load_id", "load", "load_no", "load_number", "trip", "trip_id", "tknum"),
    "picked_up_at": ("picked_up_at", "pickup", "pickup_date", "pickup_at", "picked_up", "actual_pickup",
                     "pickup_time"),
    "delivered_at": ("delivered_at", "delivered", "delivery_date", "delivered_date", "actual_delivery",
                     "pod_date", "delivered_time"),
    "pod_signed_by": ("pod_signed_by", "signed_by", "pod_signature", "signature", "pod_name", "received_by"),
    "freight_cost": ("freight_cost", "freight", "freight_charge", "cost", "total_charge", "charge",
                     "freight_amount"),
    "as_of": ("as_of", "snapshot_at", "snapshot", "snapshot_date", "as_of_date", "stock_date", "count_date",
              "stichtag", "inventory_date"),
    "rma_id": ("rma_id", "rma", "rma_no", "rma_number", "return_id", "return_no", "return_number"),
    "disposition": ("disposition", "return_disposition", "condition", "reason"),
    "received_at": ("received_at", "receipt_date", "received", "received_date"),
    # Unit conversions (SAP MARM: MEINH is UMREZ/UMREN of the base unit MEINS) and transfers.
    "from_uom": ("from_uom", "alt_uom", "alternative_unit", "alternative_uom", "from_unit", "meinh"),
    "to_uom": ("to_uom", "base_uom", "base_unit", "to_unit"),
    "factor": ("factor", "conversion_factor", "conversion", "umrez", "numerator", "units_per"),
    "transfer_id": ("transfer_id", "transfer", "transfer_no", "transfer_number", "sto", "sto_number",
                    "stock_transport_order", "transfer_order"),
    "from_site": ("from_site", "from_werks", "from_plant", "source_site", "supplying_plant", "reswk",
                  "from_location", "from_warehouse"),
    "to_site": ("to_site", "to_werks", "to_plant", "destination_site", "receiving_plant", "to_location",
                "to_warehouse"),
}

# Names that mean a field only in one entity's extract (tried before FIELDS; SAP document
# numbers are the example: VBELN is whichever document the table holds).
BY_ENTITY: dict[str, dict[str, tuple[str, ...]]] = {
    "orders": {"order_id": ("vbeln", "header_id"), "status": ("gbstk",)},
    "order_lines": {"order_id": ("vbeln", "header_id"), "line_no": ("posnr", "line_number"),
                    "qty": ("kwmeng", "ordered_quantity"), "status": ("gbsta",)},
    "shipment_lines": {"order_id": ("vgbel", "source_header_number"), "line_no": ("vgpos", "source_line_number"),
                       "shipment_id": ("lifex", "vbeln", "delivery_name"), "qty": ("lfimg", "menge",
                                                                                  "shipped_quantity")},
    "invoice_lines": {"invoice_id": ("vbeln", "trx_number", "tranid"), "line_no": ("posnr", "line_number"),
                      "order_id": ("aubel", "vgbel", "sales_order", "interface_line_attribute1", "createdfrom"),
                      "order_line_no": ("aupos", "vgpos", "sales_order_line"), "qty": ("fkimg",
                                                                                       "quantity_invoiced")},
    "uom_conversions": {"to_uom": ("meins",)},  # in MARM, MEINS is the base unit converted to
    "transfers": {"qty": ("menge",), "shipped_at": ("shipped",), "received_at": ("received",)},
    "stock": {"qty": ("labst", "on_hand", "onhand", "qty_on_hand", "quantity_on_hand", "available", "physical",
                      "availphysical", "stqt")},
}

# A date column and the time column that completes it (SAP keeps them apart): the field is read
# from `DATE || TIME` with the two formats joined.
DATE_TIME_PAIRS: dict[str, tuple[str, ...]] = {
    "erdat": ("erzet",), "rldat": ("rlzet",), "budat": ("cputm", "cpudt_time"), "wadat_ist": ("spe_wauhr_ist",),
    "fkdat": ("erzet",), "audat": ("erzet",),
}

# Fields computed from several columns, where a system's convention says how.
DERIVED: tuple[dict[str, object], ...] = (
    {"entity": "order_lines", "field": "status", "columns": ("gbsta", "abgru"),
     "expr": "CASE WHEN {abgru} IS NOT NULL THEN 'CANCELLED' ELSE {gbsta} END", "values_from": "gbsta",
     "adds": ("CANCELLED",),
     "why": "SAP: an item with a reason for rejection (ABGRU) is cancelled, whatever its status (GBSTA)"},
)

# Words in a file's name (or its folder's) that say which entity it holds; they break ties.
ENTITY_WORDS: dict[str, tuple[str, ...]] = {
    "orders": ("orders", "order", "order_headers", "headers", "vbak", "salestable", "so"),
    "order_lines": ("order_items", "order_lines", "items", "lines", "vbap", "salesline", "order_line"),
    "shipment_lines": ("shipments", "shipment", "goods_issues", "goods_issue", "deliveries_items", "lips", "mseg",
                       "picks", "despatch", "dispatch", "asn"),
    "invoice_lines": ("billing", "invoices", "invoice", "vbrp", "vbrk", "custinvoicetrans", "bills"),
    "deliveries": ("deliveries", "loads", "pod", "tracking", "freight", "tms_shipments"),
    "stock": ("stock", "inventory", "on_hand", "onhand", "mard", "inventsum", "balances"),
    "returns": ("returns", "rma", "rmas"),
    "uom_conversions": ("material_uom", "uom", "units", "marm", "conversions", "uom_conversions", "pack_sizes"),
    "transfers": ("transfers", "transfer", "stock_transfers", "sto", "in_transit"),
}

# Words in a path that say which system wrote a file.
SYSTEM_WORDS: dict[str, tuple[str, ...]] = {
    "erp": ("erp", "sap", "s4", "ecc", "oracle", "ebs", "netsuite", "dynamics", "d365", "nav", "bc", "infor", "m3",
            "jde", "epicor", "sage", "odoo", "acumatica"),
    "wms": ("wms", "warehouse", "manhattan", "blueyonder", "jda", "highjump", "koerber", "3pl", "sce", "wm"),
    "tms": ("tms", "transport", "transportation", "carrier", "carriers", "freight", "mercurygate", "otm",
            "logistics"),
    "edi": ("edi", "x12", "edifact", "van"),
}

# Status values the bundled rules compare against, per entity: other values need a lookup.
CANONICAL_STATUS: dict[str, tuple[str, ...]] = {
    "orders": ("OPEN", "RELEASED", "SHIPPED", "INVOICED", "CANCELLED"),
    "order_lines": ("OPEN", "SHIPPED", "CANCELLED"),
    "shipment_lines": ("SHIPPED", "POSTED", "CANCELLED"),
}

# Fields whose values are codes that must agree across systems: when two systems write
# different codes, one of them needs a lookup to the other's (site codes, carrier SCACs).
CODE_FIELDS = ("site", "carrier")

# Identifier fields: compared across systems, so case and zero padding are normalised.
ID_FIELDS = ("order_id", "item_id", "customer_id", "customer_po", "shipment_id", "invoice_id", "tracking_no",
             "load_id", "rma_id", "site", "carrier", "lot")


def fold(name: str) -> str:
    """A column name as the dictionary compares it: lower case, letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def tokens(text: str) -> list[str]:
    """The words of a file or folder name (`goods_issues_2026-11.csv` -> goods, issues, 2026, 11, csv)."""
    return [t for t in re.split(r"[^a-z0-9]+", text.lower()) if t]
