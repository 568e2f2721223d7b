"""ERP, WMS and TMS extract rows, each in its own system's shape.

- ERP: semicolon CSV with SAP-style column names, zero-padded document numbers (`0010000042`),
  18-digit material numbers, `YYYYMMDD` dates and `HHMMSS` times in the company's zone
  (America/Chicago), quantities with three decimals (`12.000`), status codes (`20`), plant codes.
- WMS: JSON Lines, unpadded keys, ISO 8601 timestamps with the facility's UTC offset, facility
  codes (`DC-EAST`), SCAC carrier codes, lots missing, null or empty for items without lots.
- TMS: comma CSV with people's column headers, carrier names (`Old Dominion Freight Line`),
  `MM/DD/YYYY HH:MM` times in UTC, some shipment references typed in lower case.

Values are controlled (no separators or quotes inside), so rows are joined directly.
"""

from __future__ import annotations

from recon.sample.billing import Invoice
from recon.sample.orders import Context, Order, Shipment, complete_at, wms_status
from recon.sample.world import CURRENCY, SITES

ERP_ORDERS = "erp/orders.csv"
ERP_ITEMS = "erp/order_items.csv"
ERP_GOODS_ISSUES = "erp/goods_issues.csv"
ERP_BILLING = "erp/billing.csv"
ERP_STOCK = "erp/stock.csv"
ERP_UOM = "erp/material_uom.csv"  # the ERP's alternative units: MEINH is UMREZ of the base unit MEINS
ERP_TRANSFERS = "erp/transfers.csv"  # stock transport orders between plants
WMS_ORDERS = "wms/orders.jsonl"
WMS_SHIPMENTS = "wms/shipments.jsonl"
WMS_STOCK = "wms/stock.jsonl"
TMS_SHIPMENTS = "tms/shipments.csv"

HEADERS = {
    ERP_ORDERS: "VBELN;AUART;KUNNR;NAME1;BSTKD;ERDAT;ERZET;RLDAT;RLZET;WERKS;GBSTK;WAERK",
    ERP_ITEMS: "VBELN;POSNR;MATNR;ARKTX;KWMENG;VRKME;NETPR;WAERK;WERKS;CHARG;GBSTA;ABGRU",
    ERP_GOODS_ISSUES: "MBLNR;ZEILE;BUDAT;CPUTM;LIFEX;VGBEL;VGPOS;MATNR;MENGE;MEINS;CHARG;WERKS",
    ERP_BILLING: "VBELN;POSNR;FKDAT;KUNRG;AUBEL;AUPOS;MATNR;FKIMG;VRKME;NETWR;WAERK",
    ERP_STOCK: "MATNR;WERKS;LGORT;CHARG;LABST;MEINS;STICHTAG",
    ERP_UOM: "MATNR;MEINH;UMREZ;MEINS",
    ERP_TRANSFERS: "TRANSFER;MATNR;CHARG;MENGE;MEINS;FROM_WERKS;TO_WERKS;SHIPPED;RECEIVED",
    TMS_SHIPMENTS: "Load ID,Shipment Ref,Carrier,Mode,PRO / Tracking,Origin,Pickup (UTC),Delivered (UTC),"
                   "POD Signed By,Freight Cost",
}

ERP_ORDER_TYPES = {"EDI": "ZEDI", "WEB": "ZWEB", "PHONE": "ZTEL"}
ERP_STATUS = {"OPEN": "10", "RELEASED": "20", "PARTIAL": "30", "DELIVERED": "40", "INVOICED": "50",
              "CANCELLED": "90"}
FIRST_MATERIAL_DOC = 4_900_000_001
FIRST_LOAD = 500_001


def qty3(q: int) -> str:
    return f"{q}.000"


def money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    c = abs(cents)
    return f"{sign}{c // 100}.{c % 100:02d}"


def price_text(price: int) -> str:
    """ERP NETPR: two decimals, four when the price has them."""
    whole, frac = divmod(price, 10_000)
    return f"{whole}.{frac // 100:02d}" if frac % 100 == 0 else f"{whole}.{frac:04d}"


def erp_status(o: Order) -> str:
    if o.cancelled:
        return ERP_STATUS["CANCELLED"]
    if o.released_at is None:
        return ERP_STATUS["OPEN"]
    if o.billed_at is not None:
        return ERP_STATUS["INVOICED"]
    posted = any(sl.posted_at is not None for s in o.shipments for sl in s.lines)
    if not posted:
        return ERP_STATUS["RELEASED"]
    return ERP_STATUS["DELIVERED"] if complete_at(o) is not None else ERP_STATUS["PARTIAL"]


def erp_orders(ctx: Context, chunk: list[Order]) -> tuple[list[str], list[str]]:
    """Order headers and items for orders the ERP knows."""
    clock = ctx.company
    heads: list[str] = []
    items: list[str] = []
    for o in chunk:
        if not o.in_erp:
            continue
        vbeln = f"{o.no:010d}"
        site = SITES[o.site].plant
        rel_d, rel_t = clock.ymd_hms(o.released_at) if o.released_at is not None else ("", "")
        ord_d, ord_t = clock.ymd_hms(o.ordered_at)
        heads.append(
            f"{vbeln};{ERP_ORDER_TYPES[o.channel]};{o.customer.number:010d};{o.customer.name};{o.po_erp or ''};"
            f"{ord_d};{ord_t};{rel_d};{rel_t};{site};{erp_status(o)};{CURRENCY}"
        )
        posted: dict[int, int] = {}
        for s in o.shipments:
            for sl in s.lines:
                if sl.posted_at is not None:
                    posted[sl.line.no] = posted.get(sl.line.no, 0) + sl.qty
        for ln in o.lines:
            if ln.cancelled:
                status, reason = "C", "Z1"
            else:
                done = posted.get(ln.no, 0)
                status, reason = ("C" if done >= ln.qty else "B" if done else "A"), ""
            items.append(
                f"{vbeln};{ln.no:06d};{ln.item.number:018d};{ln.item.description};{qty3(ln.qty)};{ln.item.uom};"
                f"{price_text(ln.price)};{CURRENCY};{site};;{status};{reason}"
            )
    return heads, items


def erp_goods_issues(ctx: Context, chunk: list[Order], next_doc: list[int]) -> list[str]:
    """One material document per posted shipment, one row per posted line."""
    clock = ctx.company
    rows: list[str] = []
    shipments = [s for o in chunk if o.in_erp for s in o.shipments]
    for _, s in _by_posting(shipments):
        lines = [sl for sl in s.lines if sl.posted_at is not None]
        if not lines:
            continue
        doc = next_doc[0]
        next_doc[0] += 1
        at = lines[0].posted_at
        assert at is not None
        site = SITES[s.order.site].plant
        day, hms = clock.ymd_hms(at)
        for k, sl in enumerate(lines, 1):
            rows.append(
                f"{doc};{k:04d};{day};{hms};{s.id};{s.order.no:010d};{sl.line.no:06d};"
                f"{sl.line.item.number:018d};{qty3(sl.erp_qty)};{sl.line.item.uom};{sl.lot or ''};{site}"
            )
    return rows


def _by_posting(shipments: list[Shipment]) -> list[tuple[int, Shipment]]:
    """Shipments in posting order (the material document numbers follow time)."""
    out = []
    for s in shipments:
        times = [sl.posted_at for sl in s.lines if sl.posted_at is not None]
        if times:
            out.append((min(times), s))
    out.sort(key=lambda p: (p[0], p[1].number))
    return out


def erp_billing(ctx: Context, invoices: list[Invoice]) -> list[str]:
    clock = ctx.company
    rows = []
    for inv in invoices:
        day = clock.ymd(inv.billed_at)
        for il in inv.lines:
            rows.append(
                f"{inv.number:010d};{il.no:06d};{day};{inv.customer.number:010d};{il.order.no:010d};"
                f"{il.line.no:06d};{il.line.item.number:018d};{qty3(il.qty)};{il.line.item.uom};{money(il.amount)};"
                f"{CURRENCY}"
            )
    return rows


def wms_rows(ctx: Context, chunk: list[Order]) -> tuple[list[str], list[str]]:
    """Pick orders the WMS received and the lines it shipped."""
    orders: list[str] = []
    lines: list[str] = []
    for o in chunk:
        if not o.in_erp or o.wms_at is None:
            continue
        site = SITES[o.site]
        clock = ctx.sites[o.site]
        orders.append(
            f'{{"order_ref":"{o.no}","facility":"{site.facility}","customer":"{o.customer.number}",'
            f'"received_at":"{clock.iso(o.wms_at)}","status":"{wms_status(o, ctx.as_of)}",'
            f'"lines":{len(o.lines)}}}'
        )
        for s in o.shipments:
            shipped = clock.iso(s.shipped_at)
            tracking = f'"{s.tracking}"' if s.tracking else "null"
            for sl in s.lines:
                # items without lots: the key is absent, null or empty (all the same: no lot)
                no_lot = ("", ',"lot":null', ',"lot":""')[(s.number + sl.line.no) % 3]
                lot = f',"lot":"{sl.lot}"' if sl.lot else no_lot
                lines.append(
                    f'{{"shipment_id":"{s.id}","order_ref":"{o.no}","line":{sl.line.no},'
                    f'"sku":"{sl.line.item.number}","qty":{sl.qty},"uom":"{sl.line.item.uom}"{lot},'
                    f'"facility":"{site.facility}","status":"SHIPPED","shipped_at":"{shipped}",'
                    f'"carrier":"{s.carrier.scac}","tracking":{tracking}}}'
                )
    return orders, lines


def tms_rows(ctx: Context, chunk: list[Order], next_load: list[int]) -> list[str]:
    """One row per shipment the TMS knows; shipments share a load by DC, carrier and pickup window."""
    utc = ctx.utc
    shipments = [s for o in chunk if o.in_erp for s in o.shipments if s.tms]
    loads: dict[tuple[int, int, int], str] = {}
    for s in shipments:
        key = (s.order.site, s.tms_carrier.index, (s.pickup_at or s.shipped_at) // (4 * 3600))
        if key not in loads:
            loads[key] = ""
    for key in sorted(loads):
        loads[key] = f"LD{next_load[0]}"
        next_load[0] += 1
    rows = []
    for s in sorted(shipments, key=lambda s: (s.pickup_at or s.shipped_at, s.number)):
        load = loads[(s.order.site, s.tms_carrier.index, (s.pickup_at or s.shipped_at) // (4 * 3600))]
        ref = s.id.lower() if s.tms_lower else s.id
        mode = "Parcel" if s.tms_carrier.parcel else "LTL"
        pickup = utc.us(s.pickup_at) if s.pickup_at is not None else ""
        delivered = utc.us(s.delivered_at) if s.delivered_at is not None else ""
        rows.append(
            f"{load},{ref},{s.tms_carrier.name},{mode},{s.tracking or ''},{SITES[s.order.site].city},{pickup},"
            f"{delivered},{s.pod or ''},{money(s.freight)}"
        )
    return rows


__all__ = ["HEADERS", "erp_billing", "erp_goods_issues", "erp_orders", "tms_rows", "wms_rows"]
