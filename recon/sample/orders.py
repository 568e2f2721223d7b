"""Orders and their natural life: release, pick, ship, post, transport, bill, EDI traffic.

"Natural" means what happens when every system works: the timelines here keep each state well
inside the windows of `windows.py` (the WMS gets a released order within minutes, an order
ships within 40 hours of release, a shipment is posted within 45 minutes, billed at the first
02:00 billing run after the order is complete, delivered within 3.6 days, acknowledged within
6 hours). Injections (inject.py) then break a few of them on purpose.

Orders are numbered in time order, so a chunk of consecutive orders is a slice of the two weeks
and can be generated, written and forgotten before the next chunk starts.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass

from recon.sample.clock import DAY, HOUR, Clock, ceil_hour
from recon.sample.workdays import WorkCalendar
from recon.sample.world import CARRIERS, SITES, Carrier, Customer, Item, World

FIRST_ORDER = 10_000_001
FIRST_PO = 700_001
HISTORY_DAYS = 14
LINE_WEIGHTS = (0.30, 0.25, 0.18, 0.12, 0.08, 0.07)  # 1..6 lines
_LINE_CUM = [sum(LINE_WEIGHTS[: k + 1]) for k in range(len(LINE_WEIGHTS))]


class Line:
    __slots__ = (
        "bill_anyway", "bill_skip", "bill_twice", "cancelled", "edi_inv_delta", "edi_price", "edi_qty",
        "inv_amount_delta", "inv_qty_delta", "item", "no", "price", "qty",
    )

    def __init__(self, no: int, item: Item, qty: int) -> None:
        self.no = no
        self.item = item
        self.qty = qty
        self.price = item.price
        self.edi_qty = qty  # what the 850 said
        self.edi_price = item.price
        self.cancelled = False  # rejected in the ERP (reason code) after order entry
        self.bill_anyway = False  # invoiced although cancelled (invoice-without-shipment)
        self.bill_skip = False  # left off the invoice (shipped-not-invoiced)
        self.bill_twice = False  # posted twice on the invoice (duplicate-invoice)
        self.inv_qty_delta = 0
        self.inv_amount_delta = 0  # cents
        self.edi_inv_delta = 0  # 810 IT102 differs from the ERP invoice line


class ShipLine:
    __slots__ = ("asn_qty", "erp_qty", "line", "lot", "posted_at", "qty", "wms_missing")

    def __init__(self, line: Line, qty: int, lot: str | None, posted_at: int | None) -> None:
        self.line = line
        self.qty = qty  # what the WMS shipped
        self.erp_qty = qty  # what the ERP posted
        self.asn_qty = qty  # what the 856 said
        self.wms_missing = False  # posted by the ERP, never confirmed by the WMS (nor in our 856)
        self.lot = lot
        self.posted_at = posted_at  # None: not (yet) posted in the ERP


class Shipment:
    __slots__ = (
        "asn_ack", "asn_at", "asn_control", "carrier", "delivered_at", "freight", "lines", "load", "number", "order",
        "pickup_at", "pod", "shipped_at", "tms", "tms_carrier", "tms_lower", "tracking", "wave",
    )

    def __init__(self, number: int, order: Order, wave: int, shipped_at: int, carrier: Carrier) -> None:
        self.number = number
        self.order = order
        self.wave = wave
        self.shipped_at = shipped_at
        self.carrier = carrier
        self.tms_carrier = carrier
        self.tracking: str | None = None
        self.lines: list[ShipLine] = []
        self.tms = True  # a row in the TMS extract
        self.tms_lower = False  # the TMS user typed the reference in lower case (look-alike)
        self.pickup_at: int | None = None
        self.delivered_at: int | None = None
        self.pod: str | None = None
        self.freight = 0  # cents
        self.asn_at: int | None = None  # hour the 856 was transmitted (EDI orders), None: not yet
        self.asn_ack = "A"  # A, E (accepted with errors), R (rejected), - (never acknowledged)
        self.asn_control: str | None = None  # the 856's ST02 (or DESADV UNH01), once written
        self.load = ""

    @property
    def id(self) -> str:
        return f"SH{self.number}"


class Order:
    __slots__ = (
        "billed_at", "billing_block", "cancelled", "channel", "customer", "edi_inv_delay", "exists", "i", "inject",
        "inv_ack", "lines", "lookalike", "no", "ordered_at", "po", "po_erp", "released_at", "shipments", "site", "t850",
        "target", "wms_at", "wms_status",
    )

    def __init__(self, i: int, customer: Customer) -> None:
        self.i = i
        self.no = FIRST_ORDER + i
        self.customer = customer
        self.channel = "EDI" if customer.partner else "WEB"
        self.po: str | None = None  # canonical (upper case)
        self.po_erp: str | None = None  # as keyed in the ERP
        self.site = customer.site
        self.t850: int | None = None
        self.ordered_at = 0
        self.released_at: int | None = None
        self.cancelled = False
        self.wms_at: int | None = None
        self.wms_status = ""
        self.lines: list[Line] = []
        self.shipments: list[Shipment] = []
        self.exists = True  # False: an EDI order whose 850 has not arrived by as_of
        self.billed_at: int | None = None
        self.billing_block = False  # the ERP holds billing (a delivery with a quantity difference)
        self.edi_inv_delay = 0
        self.inv_ack = "A"
        self.inject: str | None = None  # the one injection this order carries
        self.target: tuple = ()  # what in the order it hit (a line, a shipment...), for truth.csv
        self.lookalike: str | None = None

    @property
    def in_erp(self) -> bool:
        return self.exists and self.inject != "edi-order-missing-in-erp" and self.ordered_at > 0

    @property
    def edi(self) -> bool:
        return self.customer.partner is not None


@dataclass
class Context:
    """What every chunk needs: the world, the clock of each system and the as-of time."""

    world: World
    as_of: int
    company: Clock
    sites: tuple[Clock, ...]
    utc: Clock
    intake: Intake
    edifact_partners: frozenset[int] = frozenset()  # partners whose documents are EDIFACT, not X12
    # Profiles whose warehouse ships on working days only and whose release-to-ship and invoice
    # clocks count business days (RELEASE_BD, INVOICE_BD) on this calendar; None: calendar hours.
    calendar: WorkCalendar | None = None
    invoice_line_step: int = 1  # invoice line numbers 1, 2, 3 or (SAP billing items) 10, 20, 30
    ack_unpadded: frozenset[int] = frozenset()  # partners whose 997 AK2-02 drops our leading zeros (0042 -> 42)
    # Our 856 names our order (REF*VN) and each item's PO line (LIN PL pair): ASNs checked per order line.
    asn_line_refs: bool = False
    # Injections only this profile places (recon.sample.inject, Injection.optional).
    optional_injections: frozenset[str] = frozenset()


class Intake:
    """When orders arrive over the two weeks before as-of: busy weekday hours, quiet nights.

    Order i of N arrives at the inverse of the intake distribution at (i + u) / N, so orders are
    in time order and a chunk of them covers a known slice of time.
    """

    def __init__(self, as_of: int, clock: Clock) -> None:
        self.start = as_of - HISTORY_DAYS * DAY
        self.hours = HISTORY_DAYS * 24
        weights = []
        for h in range(self.hours):
            mid = self.start + h * HOUR + HOUR // 2
            hour, weekday = clock.local_hour(mid), clock.weekday(mid)
            w = 1.0 if 8 <= hour < 18 else 0.35 if 6 <= hour < 21 else 0.08
            weights.append(w * (0.25 if weekday >= 5 else 1.0))
        total = sum(weights)
        self.cum = [0.0]
        for w in weights:
            self.cum.append(self.cum[-1] + w / total)
        self.cum[-1] = 1.0

    def time_at(self, f: float) -> int:
        k = min(bisect.bisect_right(self.cum, f) - 1, self.hours - 1)
        lo, hi = self.cum[k], self.cum[k + 1]
        within = (f - lo) / (hi - lo) if hi > lo else 0.0
        return self.start + int((k + within) * HOUR)


def _u(rng: random.Random, lo: float, hi: float) -> int:
    return int(lo + rng.random() * (hi - lo))


def _tracking(rng: random.Random, carrier: Carrier) -> str:
    if carrier.scac == "UPSN":
        alnum = "ABCDEFGHJKLMNPRSTUVWXY0123456789"
        head = "".join(alnum[int(rng.random() * len(alnum))] for _ in range(6))
        return f"1Z{head}03{int(rng.random() * 1e8):08d}"
    if carrier.scac == "FDEG":
        return f"{int(rng.random() * 1e12):012d}"
    return f"{carrier.index}{int(rng.random() * 1e9):09d}"  # LTL PRO number


_SIGNERS = ("J SMITH", "M GARCIA", "R JOHNSON", "L NGUYEN", "K BROWN", "DOCK 3", "T MILLER", "A PATEL",
            "S DAVIS", "RECEIVING", "C WILSON", "D MOORE")


def make_order(ctx: Context, rng: random.Random, i: int, n_orders: int, next_shipment: list[int]) -> Order:
    """One order with its natural timeline up to as-of (shipments numbered from `next_shipment`)."""
    world, as_of = ctx.world, ctx.as_of
    t0 = ctx.intake.time_at((i + rng.random()) / n_orders)
    customer = world.pick_customer(rng.random())
    o = Order(i, customer)
    if rng.random() < 0.1:
        o.site = int(rng.random() * len(SITES))  # served from another DC this time
    n_po = FIRST_PO + i
    partner = customer.partner
    if partner is not None:
        o.po = f"{partner.po_prefix}{n_po:0{partner.po_digits}d}" if partner.po_digits else \
            f"{partner.po_prefix}{n_po}"
        o.po_erp = o.po
        o.t850 = ceil_hour(t0)  # the partner transmits hourly
        if o.t850 > as_of:
            o.exists = False
            _make_lines(o, world, rng)
            return o
        o.ordered_at = o.t850 + _u(rng, 120, 1200)  # the EDI translator creates the ERP order
        if o.ordered_at > as_of:  # received, not yet in the ERP (look-alike, inside the 4h window)
            o.ordered_at = 0
            _make_lines(o, world, rng)
            return o
    else:
        o.ordered_at = t0
        if rng.random() < 0.55:
            o.channel = "WEB"
            if rng.random() < 0.8:
                o.po = o.po_erp = f"WEB{n_po}"
        else:
            o.channel = "PHONE"
            r = rng.random()
            if r < 0.35:
                o.po = f"PO-{n_po}"
                # keyed in lower case by some sales reps: a case look-alike in a key
                o.po_erp = o.po.lower() if rng.random() < 0.4 else o.po
            elif r < 0.6:
                o.po = o.po_erp = str(n_po)
    _make_lines(o, world, rng)
    if partner is None and rng.random() < 0.02:
        o.cancelled = True  # cancelled before release: never sent to the WMS (look-alike)
        return o
    released = o.ordered_at + (_u(rng, 300, 2 * HOUR) if rng.random() < 0.85 else _u(rng, 2 * HOUR, 20 * HOUR))
    if released > as_of:
        return o
    o.released_at = released
    o.wms_at = released + _u(rng, 60, 600)
    if released > as_of - 3 * HOUR and rng.random() < 0.3:
        o.wms_at = None  # interface backlog: released within the window, not yet in the WMS
    elif o.wms_at > as_of:
        o.wms_at = None
    if o.wms_at is None:
        return o
    _ship(ctx, rng, o, next_shipment)
    return o


def _make_lines(o: Order, world: World, rng: random.Random) -> None:
    n = bisect.bisect_left(_LINE_CUM, rng.random()) + 1
    used: list[int] = []
    for no in range(1, n + 1):
        item = world.pick_item(rng.random())
        tries = 0
        while item.index in used and tries < 20:
            item = world.pick_item(rng.random())
            tries += 1
        if item.index in used:
            break
        used.append(item.index)
        o.lines.append(Line(no, item, 1 + int(rng.random() * item.max_qty)))


def _ship(ctx: Context, rng: random.Random, o: Order, next_shipment: list[int]) -> None:
    as_of = ctx.as_of
    assert o.released_at is not None
    wave1 = o.released_at + _u(rng, 4 * HOUR, 40 * HOUR)
    site_clock = ctx.sites[o.site]
    if o.site == 2 and rng.random() < 0.15:
        # Late trucks out of the West DC: 23:3x Pacific is already tomorrow in Chicago and in UTC.
        late = site_clock.at_local(wave1, 23, 30) + _u(rng, 0, 29 * 60)
        if o.released_at + 4 * HOUR <= late <= o.released_at + 40 * HOUR:
            wave1 = late
    if ctx.calendar is not None:
        wave1 = ctx.calendar.next_open(wave1)
    split_line: Line | None = None
    split_qty = 0
    if rng.random() < 0.10:
        splittable = [ln for ln in o.lines if ln.qty >= 2]
        if splittable:
            split_line = splittable[int(rng.random() * len(splittable))]
            split_qty = 1 + int(rng.random() * (split_line.qty - 1))
    wave2 = wave1 + _u(rng, 6 * HOUR, 24 * HOUR)
    if ctx.calendar is not None:
        wave2 = ctx.calendar.next_open(wave2)
    units = sum(ln.qty for ln in o.lines)
    parcel = units <= 40 and len(o.lines) <= 3
    pool = [c for c in CARRIERS if c.parcel == parcel]
    carrier = pool[int(rng.random() * len(pool))]
    lots = ctx.world.lots
    for wave, shipped_at in ((1, wave1), (2, wave2)):
        if wave == 2 and split_line is None:
            break
        if shipped_at > as_of:
            break
        s = Shipment(next_shipment[0], o, wave, shipped_at, carrier)
        next_shipment[0] += 1
        posted = shipped_at + _u(rng, 120, 2700)  # the goods issue posts the whole shipment at once
        for ln in o.lines:
            if wave == 1:
                qty = ln.qty - split_qty if ln is split_line else ln.qty
            else:
                if ln is not split_line:
                    continue
                qty = split_qty
            lot = None
            if ln.item.lots:
                codes = lots[(ln.item.index, o.site)]
                lot = codes[int(rng.random() * len(codes))]
            s.lines.append(ShipLine(ln, qty, lot, posted if posted <= as_of else None))
        s.tracking = _tracking(rng, carrier)
        s.tms = not (shipped_at > as_of - 2 * HOUR and rng.random() < 0.5)  # TMS sync lag (look-alike)
        s.tms_lower = rng.random() < 0.15
        pickup = shipped_at + _u(rng, 0, 2 * HOUR)
        transit = _u(rng, 18 * HOUR, 60 * HOUR) if carrier.parcel else _u(rng, 30 * HOUR, 84 * HOUR)
        if pickup <= as_of:
            s.pickup_at = pickup
            if pickup + transit <= as_of:
                s.delivered_at = pickup + transit
                s.pod = _SIGNERS[int(rng.random() * len(_SIGNERS))]
        s.freight = _u(rng, 800, 4500) if carrier.parcel else _u(rng, 14_000, 90_000)
        if o.edi:
            asn = ceil_hour(shipped_at + _u(rng, 900, 3000))
            s.asn_at = asn if asn <= as_of else None
        o.shipments.append(s)
    o.edi_inv_delay = _u(rng, 900, 2700)


def complete_at(o: Order) -> int | None:
    """When the ERP last posted a goods issue that made every active line fully shipped."""
    if not o.in_erp or o.cancelled or o.released_at is None:
        return None
    shipped: dict[int, int] = {}
    last = 0
    for s in o.shipments:
        for sl in s.lines:
            if sl.posted_at is None:
                return None
            shipped[sl.line.no] = shipped.get(sl.line.no, 0) + sl.qty
            last = max(last, sl.posted_at)
    for ln in o.lines:
        if not ln.cancelled and shipped.get(ln.no, 0) != ln.qty:
            return None
    return last or None


def billing_time(ctx: Context, o: Order) -> int | None:
    """The nightly 02:00 billing run after the order is complete, if it has run by as-of."""
    done = complete_at(o)
    if done is None or o.billing_block:
        return None
    run = ctx.company.next_local(done, 2)
    return run if run <= ctx.as_of else None


def invoice_sent_at(o: Order) -> int | None:
    """Hour the 810 left (EDI orders are invoiced one order per invoice), None: not yet."""
    if not o.edi or o.billed_at is None:
        return None
    return ceil_hour(o.billed_at + o.edi_inv_delay)


def wms_status(o: Order, as_of: int) -> str:
    """The WMS's own order status (mapped to canonical statuses by a lookup in recon.yaml)."""
    if o.wms_status:
        return o.wms_status
    if not o.shipments:
        assert o.wms_at is not None
        return "RECEIVED" if o.wms_at > as_of - HOUR else "ALLOCATED" if o.wms_at > as_of - 8 * HOUR else "PICKING"
    shipped: dict[int, int] = {}
    for s in o.shipments:
        for sl in s.lines:
            shipped[sl.line.no] = shipped.get(sl.line.no, 0) + sl.qty
    complete = all(shipped.get(ln.no, 0) >= ln.qty for ln in o.lines if not ln.cancelled)
    return "SHIPPED" if complete else "PART_SHIPPED"
