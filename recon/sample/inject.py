"""Discrepancies injected on purpose, one per order, each producing exactly its truth rows.

Every injection claims its whole order, so two injections never touch the same order, line,
shipment, invoice or EDI document, and each picks targets whose surroundings make the outcome
independent of small choices in the rules: a shipment left unposted is picked among orders
whose shipments all left within 60 hours (so, unbilled, none can also be shipped-not-invoiced,
whichever event that rule measures from), an order missing in the WMS among orders released
6-44 hours ago (so it cannot also be stuck), a shipment missing in the TMS was shipped 36-96
hours ago (so it cannot also lack a proof of delivery). docs/sample.md lists what each type means.

How many of each: `rate x orders`, at least MIN_PER_TYPE, spread over the chunks in proportion
to how much of each chunk's slice of time can carry that type (an order from yesterday cannot
be missing a POD that is due after 5 days). A chunk that finds too few candidates passes the
rest of its quota on to the next chunk.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from recon.sample.clock import DAY, HOUR
from recon.sample.orders import Context, Line, Order, Shipment, billing_time, complete_at, invoice_sent_at
from recon.sample.windows import MIN_PER_TYPE, RATES
from recon.sample.workdays import INVOICE_BD, RELEASE_BD
from recon.sample.world import CARRIERS

Target = tuple
Eligible = Callable[[Context, Order, random.Random, list[Order]], Target | None]
Apply = Callable[[Context, Order, Target, random.Random], None]


@dataclass(frozen=True)
class Injection:
    name: str
    ages: tuple[int, int]  # order ages (as-of minus arrival) that can carry it, for spreading quotas
    eligible: Eligible
    apply: Apply
    # Placed only for a profile that asks for it (Context.optional_injections); listed last, so that a
    # profile without it draws the same random numbers as before it existed (the same bytes).
    optional: bool = False


def _active(o: Order) -> list[Line]:
    return [ln for ln in o.lines if not ln.cancelled]


def _single_shiplines(o: Order) -> list[tuple[Shipment, int]]:
    """(shipment, index of the ship line) for lines shipped in exactly one shipment."""
    count: dict[int, int] = {}
    for s in o.shipments:
        for sl in s.lines:
            count[sl.line.no] = count.get(sl.line.no, 0) + 1
    return [(s, k) for s in o.shipments for k, sl in enumerate(s.lines) if count[sl.line.no] == 1]


def _choose(rng: random.Random, options: list) -> object | None:
    return options[int(rng.random() * len(options))] if options else None


def _erp_ok(o: Order) -> bool:
    return o.in_erp and not o.cancelled and o.released_at is not None


def _delta(rng: random.Random, qty: int) -> int:
    """A quantity error: one or two units either way, never reaching zero."""
    d = 1 + int(rng.random() * 2)
    return -d if qty > d and rng.random() < 0.5 else d


# -- order-to-cash ---------------------------------------------------------------------------


def _released_not_in_wms(ctx: Context, o: Order, rng: random.Random, chunk: list[Order]) -> Target | None:
    if not _erp_ok(o) or o.wms_at is None:
        return None
    assert o.released_at is not None
    age = ctx.as_of - o.released_at
    return () if 6 * HOUR <= age <= 44 * HOUR else None  # 4h past its window, 4h short of stuck


def _apply_not_in_wms(ctx: Context, o: Order, target: Target, rng: random.Random) -> None:
    o.wms_at = None
    o.shipments = []


def _stuck(ctx: Context, o: Order, rng: random.Random, chunk: list[Order]) -> Target | None:
    if not _erp_ok(o) or o.wms_at is None:
        return None
    assert o.released_at is not None
    if ctx.calendar is not None and not ctx.calendar.late(o.released_at, ctx.as_of - 12 * HOUR, RELEASE_BD):
        return None  # a business-day clock: 60 calendar hours over a weekend are not yet late
    return () if ctx.as_of - o.released_at >= 60 * HOUR else None


def _apply_stuck(ctx: Context, o: Order, target: Target, rng: random.Random) -> None:
    o.shipments = []
    o.wms_status = "SHORT"  # short-picked, waiting for stock


def _recent(ctx: Context, o: Order) -> list[tuple[Shipment, int]]:
    """Single-shipment lines of a posted order whose shipments all left 6-60 hours ago.

    Once the injection stops the order's billing (an unposted line leaves it incomplete; a
    posted quantity difference blocks billing), none of its lines is old enough to be
    shipped-not-invoiced, whatever event that rule ages from.
    """
    if not _erp_ok(o) or not o.shipments:
        return []
    as_of = ctx.as_of
    if any(sl.posted_at is None for s in o.shipments for sl in s.lines):
        return []
    first = min(s.shipped_at for s in o.shipments)
    if ctx.calendar is not None:
        if ctx.calendar.late(first, as_of + 12 * HOUR, INVOICE_BD):
            return []  # a business-day invoice clock: old enough to be late by then
    elif first < as_of - 60 * HOUR:
        return []
    return [(s, k) for s, k in _single_shiplines(o) if s.shipped_at <= as_of - 6 * HOUR]


def _shipped_not_posted(ctx: Context, o: Order, rng: random.Random, chunk: list[Order]) -> Target | None:
    if len(_active(o)) < 2 or sum(len(s.lines) for s in o.shipments) < 2:
        return None  # another line stays posted, so the ERP order reads shipped, not stuck
    return _choose(rng, _recent(ctx, o))  # type: ignore[return-value]


def _apply_not_posted(ctx: Context, o: Order, target: Target, rng: random.Random) -> None:
    s, k = target
    s.lines[k].posted_at = None


def _posted_not_shipped(ctx: Context, o: Order, rng: random.Random, chunk: list[Order]) -> Target | None:
    """A posted line of a shipment with other lines (which the WMS did confirm), in an order with
    another line: the shipment and the order stay shipped, only this line was never confirmed."""
    if len(_active(o)) < 2:
        return None
    return _choose(rng, [(s, k) for s, k in _recent(ctx, o) if len(s.lines) >= 2])  # type: ignore[return-value]


def _apply_posted_not_shipped(ctx: Context, o: Order, target: Target, rng: random.Random) -> None:
    s, k = target
    s.lines[k].wms_missing = True  # the ERP posted the goods issue; the WMS (and so our 856) never shipped it
    o.billing_block = True  # not billed: the goods are still in the warehouse, finance holds the order


def _ship_qty(ctx: Context, o: Order, rng: random.Random, chunk: list[Order]) -> Target | None:
    return _choose(rng, _recent(ctx, o))  # type: ignore[return-value]


def _apply_ship_qty(ctx: Context, o: Order, target: Target, rng: random.Random) -> None:
    s, k = target
    sl = s.lines[k]
    sl.erp_qty = sl.qty + _delta(rng, sl.qty)
    o.billing_block = True  # the ERP will not bill a delivery whose posted quantity differs


def _billed_single(o: Order, edi: bool | None = False) -> list[tuple[Shipment, int]]:
    if not _erp_ok(o) or o.billed_at is None or (edi is not None and o.edi != edi):
        return []
    return _single_shiplines(o)


def _invoice_without_shipment(ctx: Context, o: Order, rng: random.Random, chunk: list[Order]) -> Target | None:
    if len(_active(o)) < 2:
        return None
    options = [(s, k) for s, k in _billed_single(o) if len(s.lines) >= 2]
    return _choose(rng, options)  # type: ignore[return-value]


def _apply_invoice_without_shipment(ctx: Context, o: Order, target: Target, rng: random.Random) -> None:
    s, k = target
    line = s.lines.pop(k).line
    line.cancelled = True  # rejected in the ERP before picking...
    line.bill_anyway = True  # ...and billed all the same
    o.target = (line,)


def _billed_line(ctx: Context, o: Order, rng: random.Random, chunk: list[Order]) -> Target | None:
    """A line of a billed web/phone order shipped in one shipment (so it is one invoice line)."""
    return _choose(rng, _billed_single(o))  # type: ignore[return-value]


def _apply_invoice_qty(ctx: Context, o: Order, target: Target, rng: random.Random) -> None:
    s, k = target
    line = s.lines[k].line
    line.inv_qty_delta = _delta(rng, s.lines[k].erp_qty)


def _apply_invoice_amount(ctx: Context, o: Order, target: Target, rng: random.Random) -> None:
    s, k = target
    sl = s.lines[k]
    cents = (sl.erp_qty * sl.line.price + 50) // 100
    delta = max(50, cents * (3 + int(rng.random() * 8)) // 100)
    sl.line.inv_amount_delta = delta if rng.random() < 0.6 or delta >= cents else -delta


def _shipped_not_invoiced(ctx: Context, o: Order, rng: random.Random, chunk: list[Order]) -> Target | None:
    done = complete_at(o)
    if done is None or done > ctx.as_of - 80 * HOUR:
        return None
    options = _billed_single(o, edi=None)
    if ctx.calendar is not None:
        cal = ctx.calendar
        options = [(s, k) for s, k in options if cal.late(s.shipped_at, ctx.as_of - 12 * HOUR, INVOICE_BD)]
    return _choose(rng, options)  # type: ignore[return-value]


def _apply_not_invoiced(ctx: Context, o: Order, target: Target, rng: random.Random) -> None:
    s, k = target
    s.lines[k].line.bill_skip = True


def _apply_duplicate_invoice(ctx: Context, o: Order, target: Target, rng: random.Random) -> None:
    s, k = target
    s.lines[k].line.bill_twice = True


def _duplicate_po(ctx: Context, o: Order, rng: random.Random, chunk: list[Order]) -> Target | None:
    if o.edi or not o.in_erp or o.cancelled or o.inject or o.lookalike:
        return None
    start = chunk[0].i
    for _ in range(12):
        j = int(rng.random() * (o.i - start))
        other = chunk[j] if j < len(chunk) else None
        if other is None or other is o or other.i >= o.i:
            continue
        if other.edi or not other.in_erp or other.cancelled or other.po is None or other.inject or other.lookalike:
            continue
        return (other,)
    return None


def _apply_duplicate_po(ctx: Context, o: Order, target: Target, rng: random.Random) -> None:
    (first,) = target
    first.inject = "duplicate-customer-po:first"
    o.customer = first.customer  # the same customer's PO keyed a second time
    o.po = first.po
    assert first.po is not None
    lower = first.po.lower()
    o.po_erp = lower if lower != first.po and rng.random() < 0.5 else first.po


# -- EDI ------------------------------------------------------------------------------------


def _edi_missing(ctx: Context, o: Order, rng: random.Random, chunk: list[Order]) -> Target | None:
    if not o.edi or not o.in_erp or o.t850 is None or o.t850 > ctx.as_of - 24 * HOUR:
        return None
    return ()


def _apply_edi_missing(ctx: Context, o: Order, target: Target, rng: random.Random) -> None:
    o.released_at = None
    o.wms_at = None
    o.shipments = []


def _edi_line(ctx: Context, o: Order, rng: random.Random, chunk: list[Order]) -> Target | None:
    if not o.edi or not o.in_erp:
        return None
    return (_choose(rng, o.lines),)


def _apply_edi_qty(ctx: Context, o: Order, target: Target, rng: random.Random) -> None:
    (line,) = target
    line.edi_qty = line.qty + _delta(rng, line.qty)


def _apply_edi_price(ctx: Context, o: Order, target: Target, rng: random.Random) -> None:
    (line,) = target
    pct = 3 + int(rng.random() * 8)
    delta = max(500, (line.price * pct // 100) // 100 * 100)  # whole cents, at least 0.05
    line.edi_price = line.price - delta if line.price > 2 * delta and rng.random() < 0.5 else line.price + delta


def _asn_qty(ctx: Context, o: Order, rng: random.Random, chunk: list[Order]) -> Target | None:
    if not o.edi:
        return None
    options = [(s, k) for s in o.shipments if s.asn_at is not None for k in range(len(s.lines))]
    return _choose(rng, options)  # type: ignore[return-value]


def _apply_asn_qty(ctx: Context, o: Order, target: Target, rng: random.Random) -> None:
    s, k = target
    sl = s.lines[k]
    sl.asn_qty = sl.qty + _delta(rng, sl.qty)


def _edi_invoice(ctx: Context, o: Order, rng: random.Random, chunk: list[Order]) -> Target | None:
    if invoice_sent_at(o) is None or (invoice_sent_at(o) or 0) > ctx.as_of:
        return None
    return _choose(rng, _billed_single(o, edi=True))  # type: ignore[return-value]


def _apply_edi_invoice(ctx: Context, o: Order, target: Target, rng: random.Random) -> None:
    s, k = target
    s.lines[k].line.edi_inv_delta = _delta(rng, s.lines[k].erp_qty)


def _documents(ctx: Context, o: Order, older: int) -> list[Target]:
    """The outbound 856s and 810 of an EDI order sent at least `older` seconds before as-of."""
    if not o.edi:
        return []
    limit = ctx.as_of - older
    docs: list[Target] = [("856", s) for s in o.shipments if s.asn_at is not None and s.asn_at <= limit]
    sent = invoice_sent_at(o)
    if sent is not None and sent <= limit:
        docs.append(("810", None))
    return docs


def _edi_rejected(ctx: Context, o: Order, rng: random.Random, chunk: list[Order]) -> Target | None:
    return _choose(rng, _documents(ctx, o, 6 * HOUR))  # type: ignore[return-value]


def _edi_ack_missing(ctx: Context, o: Order, rng: random.Random, chunk: list[Order]) -> Target | None:
    return _choose(rng, _documents(ctx, o, 48 * HOUR))  # type: ignore[return-value]


def _ack(status: str) -> Apply:
    def apply(ctx: Context, o: Order, target: Target, rng: random.Random) -> None:
        kind, s = target
        if kind == "856":
            s.asn_ack = status
        else:
            o.inv_ack = status

    return apply


# -- transport ------------------------------------------------------------------------------


def _shipment(pred: Callable[[Context, Shipment], bool]) -> Eligible:
    def eligible(ctx: Context, o: Order, rng: random.Random, chunk: list[Order]) -> Target | None:
        if not o.in_erp:
            return None
        return _choose(rng, [(s,) for s in o.shipments if pred(ctx, s)])  # type: ignore[return-value]

    return eligible


def _apply_no_tracking(ctx: Context, o: Order, target: Target, rng: random.Random) -> None:
    target[0].tracking = None


def _apply_not_in_tms(ctx: Context, o: Order, target: Target, rng: random.Random) -> None:
    target[0].tms = False


def _apply_no_pod(ctx: Context, o: Order, target: Target, rng: random.Random) -> None:
    target[0].delivered_at = None
    target[0].pod = None


def _apply_carrier(ctx: Context, o: Order, target: Target, rng: random.Random) -> None:
    s = target[0]
    others = [c for c in CARRIERS if c.parcel == s.carrier.parcel and c is not s.carrier]
    s.tms_carrier = others[int(rng.random() * len(others))]


def _tms_oldest(ctx: Context) -> int:
    """How old a shipment missing in the TMS may be: 96 h, or (a warehouse closed over a long weekend has
    shipped nothing for days) up to half a day short of the 5-day POD window."""
    return 96 * HOUR if ctx.calendar is None else 5 * DAY - 12 * HOUR


ANY = (0, 14 * DAY)
SHIPPED = (30 * HOUR, 14 * DAY)  # an order ships 4-40h after release
BILLED = (60 * HOUR, 14 * DAY)  # ...and is billed within about a day of its last shipment
INJECTIONS: tuple[Injection, ...] = (
    # scarcest candidates first, so that they are not taken by the easy ones
    Injection("edi-order-missing-in-erp", (26 * HOUR, 14 * DAY), _edi_missing, _apply_edi_missing),
    Injection("edi-ack-missing", (80 * HOUR, 14 * DAY), _edi_ack_missing, _ack("-")),
    Injection("edi-rejected", (36 * HOUR, 14 * DAY), _edi_rejected, _ack("R")),
    Injection("edi-invoice-mismatch", BILLED, _edi_invoice, _apply_edi_invoice),
    Injection("asn-qty-mismatch", SHIPPED, _asn_qty, _apply_asn_qty),
    Injection("edi-order-qty-mismatch", ANY, _edi_line, _apply_edi_qty),
    Injection("edi-order-price-mismatch", ANY, _edi_line, _apply_edi_price),
    Injection("ship-qty-mismatch", (16 * HOUR, 90 * HOUR), _ship_qty, _apply_ship_qty),
    Injection("shipped-not-posted", (16 * HOUR, 90 * HOUR), _shipped_not_posted, _apply_not_posted),
    Injection("released-not-in-wms", (8 * HOUR, 44 * HOUR), _released_not_in_wms, _apply_not_in_wms),
    Injection("order-stuck-after-release", (70 * HOUR, 14 * DAY), _stuck, _apply_stuck),
    Injection("shipped-not-invoiced", (110 * HOUR, 14 * DAY), _shipped_not_invoiced, _apply_not_invoiced),
    Injection("invoice-without-shipment", BILLED, _invoice_without_shipment, _apply_invoice_without_shipment),
    Injection("duplicate-invoice", BILLED, _billed_line, _apply_duplicate_invoice),
    Injection("invoice-qty-mismatch", BILLED, _billed_line, _apply_invoice_qty),
    Injection("invoice-amount-mismatch", BILLED, _billed_line, _apply_invoice_amount),
    Injection("duplicate-customer-po", ANY, _duplicate_po, _apply_duplicate_po),
    Injection("shipment-not-in-tms", (50 * HOUR, 120 * HOUR),
              _shipment(lambda c, s: s.tms and c.as_of - _tms_oldest(c) <= s.shipped_at <= c.as_of - 36 * HOUR),
              _apply_not_in_tms),
    Injection("no-proof-of-delivery", (7 * DAY, 14 * DAY),
              _shipment(lambda c, s: s.tms and s.delivered_at is not None and s.shipped_at <= c.as_of - 6 * DAY),
              _apply_no_pod),
    Injection("carrier-mismatch", SHIPPED,
              _shipment(lambda c, s: s.tms and s.shipped_at <= c.as_of - 6 * HOUR), _apply_carrier),
    Injection("shipped-without-tracking", SHIPPED,
              _shipment(lambda c, s: s.shipped_at <= c.as_of - 6 * HOUR), _apply_no_tracking),
    Injection("posted-not-shipped", (16 * HOUR, 90 * HOUR), _posted_not_shipped, _apply_posted_not_shipped,
              optional=True),
)
ORDER_TYPES = tuple(inj.name for inj in INJECTIONS)


def totals(orders: int, optional: frozenset[str] = frozenset()) -> dict[str, int]:
    """How many of each order-level type a sample of `orders` orders carries (optional types: those asked for)."""
    return {inj.name: max(MIN_PER_TYPE, round(RATES[inj.name] * orders)) if not inj.optional or inj.name in optional
            else 0 for inj in INJECTIONS}


# Types whose candidates are recent shipments: when the warehouse has been closed for a long weekend
# before as-of, those shipments are older by the days it was closed (whole windows move back), and
# the ones on a business-day clock need older still (the lower bound moves back further).
RECENT_SHIPMENTS = frozenset({"ship-qty-mismatch", "shipped-not-posted", "shipment-not-in-tms", "posted-not-shipped"})
NOT_BEFORE_CLOSED = {"order-stuck-after-release": 1 * DAY, "shipped-not-invoiced": 2 * DAY,
                     "released-not-in-wms": None, "duplicate-customer-po": None}


def plan_quotas(orders: int, chunks: list[tuple[int, int, int]], as_of: int, closed: int = 0,
                optional: frozenset[str] = frozenset()) -> list[dict[str, int]]:
    """Split each type's total over chunks (count, first arrival, last arrival) by eligible time.

    `closed`: seconds the warehouse has been shut just before as-of (a profile with a work calendar).
    """
    plans: list[dict[str, int]] = [{} for _ in chunks]
    planned = totals(orders, optional)
    for inj in INJECTIONS:
        total = planned[inj.name]
        lo, hi = as_of - inj.ages[1], as_of - inj.ages[0]
        if closed and inj.name in RECENT_SHIPMENTS:
            lo, hi = lo - closed, hi - closed
        elif closed and inj.ages[0] > 0 and NOT_BEFORE_CLOSED.get(inj.name, 0) is not None:
            hi -= closed + (NOT_BEFORE_CLOSED.get(inj.name) or 0)
        weights = []
        for count, first, last in chunks:
            span = max(last - first, 1)
            overlap = max(0, min(last, hi) - max(first, lo))
            weights.append(count * overlap / span)
        if sum(weights) == 0:
            weights = [float(c) for c, _, _ in chunks]
        shares = [total * w / sum(weights) for w in weights]
        counts = [int(s) for s in shares]
        rest = total - sum(counts)
        for k in sorted(range(len(shares)), key=lambda k: (counts[k] - shares[k], k))[:rest]:
            counts[k] += 1
        for plan, n in zip(plans, counts, strict=True):
            plan[inj.name] = n
    return plans


def inject_chunk(ctx: Context, chunk: list[Order], quotas: dict[str, int], carry: dict[str, int],
                 rng: random.Random) -> dict[str, int]:
    """Apply this chunk's injections (plus what earlier chunks could not place); return the shortfall."""
    for o in chunk:
        o.billed_at = billing_time(ctx, o)
    order_list = list(chunk)
    rng.shuffle(order_list)
    n = len(order_list)
    short: dict[str, int] = {}
    for inj in INJECTIONS:
        want = quotas.get(inj.name, 0) + carry.get(inj.name, 0)
        if want <= 0 or n == 0:
            short[inj.name] = max(want, 0)
            continue
        start = int(rng.random() * n)
        placed = 0
        for step in range(n):
            if placed >= want:
                break
            o = order_list[(start + step) % n]
            if o.inject is not None or o.lookalike is not None:
                continue
            target = inj.eligible(ctx, o, rng, chunk)
            if target is None:
                continue
            o.inject = inj.name
            o.target = target
            inj.apply(ctx, o, target, rng)
            placed += 1
        short[inj.name] = want - placed
    _lookalike_same_po(chunk, rng)
    for o in chunk:
        o.billed_at = billing_time(ctx, o)
    return short


def _lookalike_same_po(chunk: list[Order], rng: random.Random) -> None:
    """A few PO numbers reused by a different customer: not a duplicate (the key includes the customer)."""
    phone = [o for o in chunk if o.channel == "PHONE" and o.in_erp and not o.cancelled and o.po
             and o.inject is None and o.lookalike is None]
    for _ in range(max(1, len(chunk) // 150)):
        if len(phone) < 2:
            return
        a = phone.pop(int(rng.random() * len(phone)))
        b = phone.pop(int(rng.random() * len(phone)))
        if a.customer is b.customer:
            continue
        b.po, b.po_erp = a.po, a.po_erp
        a.lookalike = b.lookalike = "same-po-other-customer"
