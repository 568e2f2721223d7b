"""`recon sample --profile foreign`: the same orders, written by systems unlike the classic sample's.

A distributor recon has never seen (docs/sample.md, "The foreign profile"):

- ERP, Oracle-style, in the group's European locale: semicolon CSV, decimal commas, `DD.MM.YYYY
  HH:MM:SS` in the company's zone, text status codes. Order lines carry the internal HEADER_ID
  (not the order number) and Oracle's `LINE.SHIPMENT` numbers: a line shipped in two parts is two
  order lines `2.1` and `2.2`. AR invoice lines are billing items `000010`, `000020`... that
  reference the order line, with a FREIGHT line per invoice that is no order line at all.
- 3PL warehouse: UTC timestamps, its own warehouse codes and carrier names, client order
  references with a prefix. Shipment confirmations are JSON Lines, one line per carton, in one
  file per day (no lot: the key left out, null or ""), and a shipment is re-sent in the file of the
  day it is delivered with its new status; order receipts and daily stock snapshots
  (`stock_YYYYMMDD.csv`, only the as-of day's current) are comma CSV.
- TMS load plan: JSON Lines, one record per load (carrier, origin) with its stops (one per
  consignee), each listing its shipments (reference, PRO number): nested, to explode.
- Carrier feed: pipe-delimited status events (tendered, picked up, in transit, delivered with
  signer), one file per UTC day, SCAC codes: a log to pivot into one row per shipment. The
  deliveries the rules read join the plan and the events (a `derive:` step).
- Goods issues the 3PL never confirmed: the ERP posts a line of a shipment that the 3PL's ship
  confirmations (and so our 856) leave out ("posted, never shipped"; only this profile injects it).
- Cancelled orders: the ERP books them and cancels them by setting every line's quantity to 0; the
  header says CLOSED. A `derive:` step marks such an order CANCELLED.
- EDI: the partners' 850 and 997, our 856 and 810 (X12). The 850 numbers lines 1, 2, 3; the ERP
  calls the customer's line 2 `2.1` (and `2.2` once split), which recon.yaml maps with rule
  overrides. Our 856 names our order (REF*VN) and each item's PO line (LIN PL), so ASNs are
  checked per order line.
- The warehouse ships on working days only (company holidays and weekends are closed), and the
  release-to-ship clock counts business days on the calendar recon.yaml declares.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from recon.sample.billing import Invoice
from recon.sample.clock import DAY, HOUR
from recon.sample.edi import INBOUND_850, INBOUND_997, OUTBOUND_810, OUTBOUND_856
from recon.sample.extracts import erp_status
from recon.sample.orders import Context, Order, Shipment, wms_status
from recon.sample.stock import (
    KINDS,
    counted_in_eaches,
    mixed,
    on_shelves,
    pack,
    stock_plan,
    transfer_plan,
    unconvertible_items,
)
from recon.sample.truth import Row, row
from recon.sample.workdays import WorkCalendar
from recon.sample.world import CURRENCY, SITES

ERP_HEADERS = "erp/oe_order_headers.csv"
ERP_LINES = "erp/oe_order_lines.csv"
ERP_DELIVERIES = "erp/wsh_delivery_lines.csv"
ERP_AR = "erp/ar_invoice_lines.csv"
ERP_ONHAND = "erp/onhand.csv"
ERP_UOM = "erp/mtl_uom_conversions.csv"  # the items' unit conversions to their primary unit
ERP_INTRANSIT = "erp/mtl_intransit.csv"  # inter-organisation transfers: shipped, received at the other org
TPL_TRANSFER_RECEIPTS = "3pl/transfer_receipts.csv"  # the 3PL's receipts of those transfers
TPL_RECEIPTS = "3pl/order_receipts.csv"
TPL_SHIP = "3pl/ship_confirm_{day}.jsonl"
TPL_STOCK = "3pl/stock_{day}.csv"
CARRIER_EVENTS = "carrier/status_{day}.csv"
TMS_LOADS = "tms/loads.jsonl"
HOLIDAYS = "calendar/holidays.csv"
EDI = (INBOUND_850, OUTBOUND_856, OUTBOUND_810, INBOUND_997)
FILES = (ERP_HEADERS, ERP_LINES, ERP_DELIVERIES, ERP_AR, ERP_ONHAND, ERP_UOM, ERP_INTRANSIT, TPL_RECEIPTS,
         TPL_TRANSFER_RECEIPTS, TMS_LOADS, *EDI)

HEADERS = {
    ERP_HEADERS: "HEADER_ID;ORDER_NUMBER;ORDER_TYPE;SOLD_TO;CUSTOMER_NAME;CUST_PO_NUMBER;ORDERED_DATE;BOOKED_DATE;"
                 "SHIP_FROM_ORG;FLOW_STATUS_CODE;CURRENCY",
    ERP_LINES: "HEADER_ID;LINE_NUM;ORDERED_ITEM;ITEM_DESC;ORDERED_QTY;UOM;UNIT_SELLING_PRICE;CURRENCY;SHIP_FROM_ORG;"
               "LOT_NUMBER;FLOW_STATUS_CODE;CANCEL_REASON",
    ERP_DELIVERIES: "DELIVERY_ID;SHIPMENT_REF;ORDER_NUMBER;LINE_NUM;ITEM;SHIPPED_QTY;UOM;LOT_NUMBER;ORG;CONFIRMED_AT",
    ERP_AR: "TRX_NUMBER;LINE_NUMBER;LINE_TYPE;TRX_DATE;BILL_TO;SALES_ORDER;SALES_ORDER_LINE;ITEM;QUANTITY;UOM_CODE;"
            "AMOUNT;CURRENCY",
    ERP_ONHAND: "ORG;ITEM;LOT_NUMBER;SUBINVENTORY;ON_HAND;UOM",
    ERP_UOM: "INVENTORY_ITEM;FROM_UOM_CODE;TO_UOM_CODE;CONVERSION_RATE",
    ERP_INTRANSIT: "SHIPMENT_NUM;ITEM;LOT_NUMBER;QUANTITY;UOM;FROM_ORG;TO_ORG;SHIPPED_DATE;RECEIVED_DATE",
    TPL_RECEIPTS: "ClientOrderRef,Warehouse,Account,ReceivedUTC,Status,Lines",
    TPL_TRANSFER_RECEIPTS: "Warehouse,SKU,Lot,TransferRef,Qty,UOM,ReceivedUTC",
    TPL_STOCK: "Warehouse,SKU,Lot,Location,OnHand,UOM,SnapshotUTC",
    CARRIER_EVENTS: "SCAC|PRO|REFERENCE|STATUS|STATUS_TIME|CITY|SIGNED_BY",
}

ORGS = ("ALN", "JOL", "ONT")  # ERP inventory organisations: the canonical site
WAREHOUSES = ("3PL-PA-01", "3PL-IL-02", "3PL-CA-03")  # the 3PL's codes for the same buildings
TPL_CARRIERS = {"UPSN": "UPS GROUND", "FDEG": "FEDEX GROUND", "ODFL": "OLD DOMINION", "SAIA": "SAIA INC",
                "RLCA": "R+L CARRIERS"}
ORDER_TYPES = {"EDI": "EDI ORDER", "WEB": "WEB ORDER", "PHONE": "PHONE ORDER"}
CLIENT_PREFIX = "KB"  # the 3PL's client code in front of our order numbers
HEADER_ID_BASE = 880_000_000
FLOW_STATUS = {"10": "ENTERED", "20": "BOOKED", "30": "PARTIALLY_SHIPPED", "40": "SHIPPED", "50": "CLOSED",
               "90": "CANCELLED"}
TPL_STATUS = {"RECEIVED": "RCV", "ALLOCATED": "ALC", "PICKING": "PCK", "SHORT": "SHT", "PART_SHIPPED": "PSH",
              "SHIPPED": "SHP"}
CARTON = {"EA": 24, "CS": 4, "BX": 6}  # units per carton: the 3PL confirms carton by carton
SNAPSHOT_DAYS = 3  # the 3PL's stock snapshots kept in the extract folder: today and the two days before
UNPADDED_ACKS = frozenset({1, 3})  # Bluebird's and Delta's translators acknowledge set 0042 as AK2*856*42


class Sink(Protocol):
    """Where rows go (generate._Files): a file by name, opened on first use."""

    def lines(self, name: str, rows: list[str]) -> None: ...

    def text(self, name: str, chunks: list[str]) -> None: ...


def header(name: str) -> str | None:
    """The header of a file, dated daily files included (`3pl/ship_confirm_20261127.csv`)."""
    if name in HEADERS:
        return HEADERS[name]
    for pattern, text in HEADERS.items():
        if "{day}" in pattern:
            head, tail = pattern.split("{day}")
            if name.startswith(head) and name.endswith(tail):
                return text
    return None


def calendar(ctx: Context) -> WorkCalendar:
    year = datetime.fromtimestamp(ctx.as_of, UTC).year
    return WorkCalendar(ctx.company, range(year - 1, year + 2))


def prepare(ctx: Context) -> None:
    """The warehouse ships on working days; a release is late after two of them; billing items go by 10."""
    ctx.calendar = calendar(ctx)
    ctx.invoice_line_step = 10
    ctx.ack_unpadded = UNPADDED_ACKS
    ctx.asn_line_refs = True
    ctx.optional_injections = frozenset({"posted-not-shipped"})


def _dmy(ymd: str) -> str:
    return f"{ymd[6:8]}.{ymd[4:6]}.{ymd[:4]}"


def _stamp(ctx: Context, ts: int) -> str:
    day, hms = ctx.company.ymd_hms(ts)
    return f"{_dmy(day)} {hms[:2]}:{hms[2:4]}:{hms[4:]}"


def _utc(ctx: Context, ts: int) -> str:
    return ctx.utc.iso(ts)[:19] + "Z"


def _decimal(cents_or_units: int, places: int) -> str:
    """A number with a decimal comma: 1234 with 2 places is `12,34`."""
    sign = "-" if cents_or_units < 0 else ""
    whole, frac = divmod(abs(cents_or_units), 10 ** places)
    return f"{sign}{whole},{frac:0{places}d}"


def _price(price: int) -> str:
    """Unit price (1/10000): `12,50`, or `1,2345` when it has four decimals."""
    return _decimal(price // 100, 2) if price % 100 == 0 else _decimal(price, 4)


def _parts(o: Order) -> dict[int, list[tuple[Shipment, int]]]:
    """Per order line, its shipments in order with the index of the ship line: part 1, 2..."""
    parts: dict[int, list[tuple[Shipment, int]]] = {}
    for s in o.shipments:
        for k, sl in enumerate(s.lines):
            parts.setdefault(sl.line.no, []).append((s, k))
    return parts


def line_key(no: int, part: int = 1) -> str:
    """Oracle's LINE.SHIPMENT number."""
    return f"{no}.{part}"


class Foreign:
    """Writes one chunk of orders at a time; stock and the holiday file at the end."""

    def __init__(self, ctx: Context, files: Sink) -> None:
        self.ctx, self.files = ctx, files
        self.next_delivery = [5_100_001]
        self.next_load = [700_001]

    @staticmethod
    def order_line(no: int) -> object:
        return line_key(no)

    def chunk(self, chunk: list[Order], invoices: list[Invoice], edi: dict[str, list[str]]) -> None:
        files = self.files
        heads, lines, deliveries = self._erp(chunk)
        files.lines(ERP_HEADERS, heads)
        files.lines(ERP_LINES, lines)
        files.lines(ERP_DELIVERIES, deliveries)
        files.lines(ERP_AR, self._ar(invoices))
        self._tpl(chunk)
        self._loads(chunk)
        self._carrier(chunk)
        for name in EDI:
            files.text(name, edi[name])

    def _erp(self, chunk: list[Order]) -> tuple[list[str], list[str], list[str]]:
        ctx = self.ctx
        heads: list[str] = []
        lines: list[str] = []
        deliveries: list[str] = []
        for o in chunk:
            if not o.in_erp:
                continue
            header_id = HEADER_ID_BASE + 7 * o.i + 3
            org = ORGS[o.site]
            booked = _stamp(ctx, o.released_at) if o.released_at is not None else ""
            status = FLOW_STATUS[erp_status(o)]
            if o.cancelled:  # booked, then cancelled by setting every line to 0: the header says CLOSED
                booked, status = _stamp(ctx, o.ordered_at + 900), "CLOSED"
            heads.append(
                f"{header_id};{o.no};{ORDER_TYPES[o.channel]};{o.customer.number};{o.customer.name};"
                f"{o.po_erp or ''};{_stamp(ctx, o.ordered_at)};{booked};{org};{status};{CURRENCY}"
            )
            parts = _parts(o)
            for ln in o.lines:
                shipped = parts.get(ln.no, [])
                rows: list[tuple[int, str]] = []  # (qty, status) per LINE.SHIPMENT
                if o.cancelled:
                    rows.append((0, "CLOSED"))
                elif ln.cancelled:
                    rows.append((ln.qty, "CANCELLED"))
                else:
                    for s, k in shipped:
                        sl = s.lines[k]
                        rows.append((sl.qty, "SHIPPED" if sl.posted_at is not None else "AWAITING_SHIPPING"))
                    rest = ln.qty - sum(q for q, _ in rows)
                    if rest > 0 or not rows:
                        rows.append((rest, "AWAITING_SHIPPING"))
                for part, (qty, status) in enumerate(rows, 1):
                    reason = "CUSTOMER REQUEST" if status == "CANCELLED" else ""
                    lines.append(
                        f"{header_id};{line_key(ln.no, part)};{ln.item.number};{ln.item.description};"
                        f"{_decimal(qty * 1000, 3)};{ln.item.uom};{_price(ln.price)};{CURRENCY};{org};;{status};"
                        f"{reason}"
                    )
            for s in o.shipments:
                posted = [(k, sl) for k, sl in enumerate(s.lines) if sl.posted_at is not None]
                if not posted:
                    continue
                delivery = self.next_delivery[0]
                self.next_delivery[0] += 1
                for k, sl in posted:
                    assert sl.posted_at is not None
                    part = parts[sl.line.no].index((s, k)) + 1
                    deliveries.append(
                        f"{delivery};{s.id};{o.no};{line_key(sl.line.no, part)};{sl.line.item.number};"
                        f"{_decimal(sl.erp_qty * 1000, 3)};{sl.line.item.uom};{sl.lot or ''};{org};"
                        f"{_stamp(ctx, sl.posted_at)}"
                    )
        return heads, lines, deliveries

    def _ar(self, invoices: list[Invoice]) -> list[str]:
        rows = []
        for inv in invoices:
            day = _dmy(self.ctx.company.ymd(inv.billed_at))
            for il in inv.lines:
                rows.append(
                    f"{inv.number};{il.no:06d};LINE;{day};{inv.customer.number};{il.order.no};"
                    f"{line_key(il.line.no, il.part)};{il.line.item.number};{_decimal(il.qty * 1000, 3)};"
                    f"{il.line.item.uom};{_decimal(il.amount, 2)};{CURRENCY}"
                )
            freight = 1500 + inv.number % 17 * 125  # one freight charge per invoice: no order line, no item
            rows.append(f"{inv.number};{inv.lines[-1].no + 10:06d};FREIGHT;{day};{inv.customer.number};;;;;;"
                        f"{_decimal(freight, 2)};{CURRENCY}")
        return rows

    def _tpl(self, chunk: list[Order]) -> None:
        ctx, files = self.ctx, self.files
        receipts: list[str] = []
        by_day: dict[str, list[str]] = {}
        for o in chunk:
            if not o.in_erp or o.wms_at is None:
                continue
            wh = WAREHOUSES[o.site]
            ref = f"{CLIENT_PREFIX}{o.no}"
            receipts.append(f"{ref},{wh},{o.customer.number},{_utc(ctx, o.wms_at)},"
                            f"{TPL_STATUS[wms_status(o, ctx.as_of)]},{len(o.lines)}")
            parts = _parts(o)
            for s in o.shipments:
                copies = [("SHIPPED", s.shipped_at)]
                if s.delivered_at is not None and s.delivered_at <= ctx.as_of:
                    copies.append(("DELIVERED", s.delivered_at))  # re-sent on the day its status changed
                tracking = f'"{s.tracking}"' if s.tracking else "null"
                head = (f'{{"shipment":"{s.id}","client_ref":"{ref}"')
                tail = (f',"warehouse":"{wh}","shipped_utc":"{_utc(ctx, s.shipped_at)}",'
                        f'"carrier":"{TPL_CARRIERS[s.carrier.scac]}","tracking":{tracking}')
                for status, when in copies:
                    name = TPL_SHIP.format(day=ctx.company.ymd(when))
                    for k, sl in enumerate(s.lines):
                        if sl.wms_missing:
                            continue  # posted in the ERP, never confirmed by the 3PL
                        part = parts[sl.line.no].index((s, k)) + 1
                        item = sl.line.item
                        per = CARTON[item.uom]
                        for c, start in enumerate(range(0, sl.qty, per), 1):
                            # no lot: the key left out, null or "" (all the same: no lot)
                            lot = f',"lot":"{sl.lot}"' if sl.lot else ("", ',"lot":null', ',"lot":""')[
                                (s.number + k + c) % 3]
                            by_day.setdefault(name, []).append(
                                f'{head},"carton":"{s.number:08d}{k + 1:02d}{c:03d}",'
                                f'"line":"{line_key(sl.line.no, part)}","sku":"{item.number}",'
                                f'"qty":{min(per, sl.qty - start)},"uom":"{item.uom}"{lot}{tail},"status":"{status}"}}'
                            )
        files.lines(TPL_RECEIPTS, receipts)
        for name in sorted(by_day):
            files.lines(name, by_day[name])

    def _loads(self, chunk: list[Order]) -> None:
        """The TMS's load plan, one JSON record per load: stops (one per consignee), each with its shipments."""
        loads: dict[tuple[int, int, int], dict[int, list[Shipment]]] = {}
        shipments = [s for o in chunk if o.in_erp for s in o.shipments if s.tms]
        for s in sorted(shipments, key=lambda s: (s.shipped_at, s.number)):
            key = (s.order.site, s.tms_carrier.index, (s.pickup_at or s.shipped_at) // (4 * HOUR))
            loads.setdefault(key, {}).setdefault(s.order.customer.number, []).append(s)
        rows = []
        for key in sorted(loads):
            load = self.next_load[0]
            self.next_load[0] += 1
            stops = []
            for seq, (consignee, ships) in enumerate(sorted(loads[key].items()), 1):
                items = ",".join(
                    f'{{"ref":"{s.id.lower() if s.tms_lower else s.id}",'
                    f'"pro":{f"{chr(34)}{s.tracking}{chr(34)}" if s.tracking else "null"},'
                    f'"pieces":{sum(sl.qty for sl in s.lines)}}}' for s in ships)
                stops.append(f'{{"seq":{seq},"consignee":"{consignee}","shipments":[{items}]}}')
            first = min(s.shipped_at for ships in loads[key].values() for s in ships)
            carrier = loads[key][next(iter(loads[key]))][0].tms_carrier
            rows.append(f'{{"load":"LD{load}","carrier":{{"scac":"{carrier.scac}","mode":'
                        f'"{"PARCEL" if carrier.parcel else "LTL"}"}},"origin":"{ORGS[key[0]]}",'
                        f'"planned_utc":"{_utc(self.ctx, first)}","stops":[{",".join(stops)}]}}')
        self.files.lines(TMS_LOADS, rows)

    def _carrier(self, chunk: list[Order]) -> None:
        ctx = self.ctx
        by_day: dict[str, list[str]] = {}
        for o in chunk:
            if not o.in_erp:
                continue
            for s in o.shipments:
                if not s.tms:
                    continue
                city = SITES[o.site].city
                events = [("AA", s.shipped_at - HOUR // 2, city, "")]
                if s.pickup_at is not None:
                    events.append(("AF", s.pickup_at, city, ""))
                    moving = s.pickup_at + 6 * HOUR
                    if moving <= ctx.as_of and (s.delivered_at is None or moving < s.delivered_at):
                        events.append(("X6", moving, "", ""))
                if s.delivered_at is not None:
                    events.append(("D1", s.delivered_at, "", s.pod or ""))
                ref = s.id.lower() if s.tms_lower else s.id
                for code, when, where, signer in events:
                    name = CARRIER_EVENTS.format(day=ctx.utc.ymd(when))
                    text = ctx.utc.iso(when)
                    by_day.setdefault(name, []).append(
                        f"{s.tms_carrier.scac}|{s.tracking or ''}|{ref}|{code}|{text[:10]} {text[11:16]}|{where}|"
                        f"{signer}")
        for name in sorted(by_day):
            self.files.lines(name, by_day[name])

    def finish(self, seed: int) -> list[Row]:
        """ERP on-hand, unit conversions and transfers, the 3PL's daily stock snapshots and transfer
        receipts, the holiday file; the stock truth rows.

        Units and transfers as in the classic sample (recon.sample.stock): the 3PL counts the mixed
        items in eaches, the ERP's conversions lack a few of them, and transfers in transit are not
        on the receiving warehouse's shelves yet. One more kind: transfers the 3PL has received
        (its receipts file, and its shelves) that the ERP has not posted yet, which explain nothing
        and are no variance."""
        ctx, files = self.ctx, self.files
        world = ctx.world
        plan = stock_plan(world, seed)
        odd = unconvertible_items(world, plan)
        odd_ids = {i.index for i in odd}
        transfers = transfer_plan(world, plan, seed, ctx.as_of, odd_ids, (*KINDS, "wms_first"))
        short = {t.key: t.short for t in transfers if t.short}
        partly = {t.key for t in transfers if t.kind == "partly"}
        onhand: list[str] = []
        snapshots: dict[int, list[str]] = {back: [] for back in range(SNAPSHOT_DAYS)}
        truth: list[Row] = [row("uom-not-convertible", item_id=i.number) for i in odd]
        truth += [row("in-transit-overdue", document=t.id) for t in transfers if t.kind == "overdue"]
        for k, key in enumerate(plan):
            item = world.items[key.item]
            org, wh = ORGS[key.site], WAREHOUSES[key.site]
            if key.variance or k in partly:
                truth.append(row("stock-variance", item_id=item.number, site=org, lot=key.lot or ""))
            onhand.append(f"{org};{item.number};{key.lot or ''};STORES;{_decimal(key.erp_qty * 1000, 3)};{item.uom}")
            factor, unit = (pack(item), "EA") if counted_in_eaches(item, odd_ids) else (1, item.uom)
            bins = on_shelves(key.bins, short.get(k, 0))
            for back, rows in snapshots.items():
                stamp = _utc(ctx, ctx.as_of - back * DAY - HOUR)
                for b, qty in enumerate(bins):
                    # older snapshots hold what was on hand then: different quantities, not today's stock
                    then = qty + back * ((key.item + b) % 4 + 1)
                    rows.append(f"{wh},{item.number},{key.lot or ''},"
                                f"{'ABCDEFGH'[(key.item + b) % 8]}{key.item % 40 + 1:02d}-{b + 1},{then * factor},"
                                f"{unit},{stamp}")
        files.lines(ERP_ONHAND, onhand)
        files.lines(ERP_UOM, [f"{item.number};CS;EA;{_decimal(pack(item) * 1000, 3)}"
                              for item in world.items if mixed(item) and item not in odd])
        intransit: list[str] = []
        receipts: list[str] = []
        for t in transfers:
            key = plan[t.key]
            item = world.items[key.item]
            posted = _stamp(ctx, t.received) if t.received is not None else ""
            intransit.append(f"{t.id};{item.number};{key.lot or ''};{_decimal(t.qty * 1000, 3)};{item.uom};"
                             f"{ORGS[t.origin]};{ORGS[key.site]};{_stamp(ctx, t.shipped)};{posted}")
            # the 3PL receives what the ERP received, and the wms_first ones the ERP has not posted
            taken = t.received if t.received is not None else t.shipped + DAY // 2 if t.kind == "wms_first" else None
            if taken is not None:
                receipts.append(f"{WAREHOUSES[key.site]},{item.number},{key.lot or ''},{t.id},{t.qty},{item.uom},"
                                f"{_utc(ctx, taken)}")
        files.lines(ERP_INTRANSIT, intransit)
        files.lines(TPL_TRANSFER_RECEIPTS, receipts)
        for back in sorted(snapshots, reverse=True):
            files.lines(TPL_STOCK.format(day=ctx.company.ymd(ctx.as_of - back * DAY)), snapshots[back])
        cal = calendar(ctx)
        files.lines(HOLIDAYS, ["date,holiday"] + [f"{d.isoformat()},company holiday" for d in sorted(cal.holidays)])
        return truth


__all__ = ["FILES", "Foreign", "header", "prepare"]
