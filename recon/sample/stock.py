"""Stock on hand at as-of: ERP book stock per item/plant/lot, WMS stock per bin, and transfers.

The WMS holds a key in one to three bins, so its rows must be summed per item, site and lot
before they are compared with the ERP's single row. Items without lots have no lot on either
side (the ERP writes an empty CHARG, the WMS leaves the key out, writes null or ""), which the
loader turns into the same NULL. Variances are injected on a few keys, half on each side.

Units: half the items the ERP keeps in cases (CS) are counted in eaches by the WMS (`mixed`),
so their bins are the ERP's quantity times the pack size, and the ERP's material units
(`erp/material_uom.csv`) say how many eaches a case holds; one such item's row is missing there
(uom-not-convertible). Transfers (`erp/transfers.csv`): the ERP books a transfer at the receiving
site when it ships, the WMS when it arrives, so an open transfer's quantity is missing from the
receiving site's bins: fully explained (no exception), partly explained (stock-variance), or
shipped too long ago (in-transit-overdue); received transfers change nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from recon.sample.clock import Clock
from recon.sample.extracts import qty3
from recon.sample.windows import DAY, MIN_PER_TYPE, RATES, WINDOWS
from recon.sample.world import SITES, Item, World

FIRST_TRANSFER = 700_001
TRANSFER_SHARE = 0.01  # of the stock keys without a variance, for each kind of transfer


def mixed(item: Item) -> bool:
    """Does the WMS count this item in eaches while the ERP keeps it in cases?"""
    return item.uom == "CS" and item.index % 2 == 0


def pack(item: Item) -> int:
    """Eaches in one case of a mixed item."""
    return (6, 12, 24)[item.index % 3]


def on_shelves(bins: tuple[int, ...] | list[int], in_transit: int) -> list[int]:
    """The WMS's bin quantities once `in_transit` units are taken off the last bins first: goods in
    transit are on no shelf yet, so the sample's WMS counts them nowhere."""
    left = list(bins)
    for b in range(len(left) - 1, -1, -1):
        taken = min(in_transit, left[b])
        left[b] -= taken
        in_transit -= taken
    return left


@dataclass(frozen=True)
class StockKey:
    """One item/site/lot: the ERP's book quantity and the WMS's bins (a variance makes them differ)."""

    item: int  # item index
    site: int  # site index
    lot: str | None
    erp_qty: int
    bins: tuple[int, ...]
    variance: bool


def stock_plan(world: World, seed: int) -> list[StockKey]:
    """Every stock key with its quantities; the same seed gives the same plan whatever writes it."""
    rng = random.Random(f"recon-sample:stock:{seed}")
    keys: list[tuple[int, int, str | None]] = []
    for item in world.items:
        for site in SITES:
            lots = world.lots.get((item.index, site.index)) or [None]
            for lot in lots:
                keys.append((item.index, site.index, lot))
    n_var = min(len(keys), max(MIN_PER_TYPE, round(RATES["stock-variance"] * len(keys))))
    chosen: dict[int, int] = {}
    while len(chosen) < n_var:
        k = int(rng.random() * len(keys))
        if k not in chosen:
            chosen[k] = 1 + int(rng.random() * 12)
    plan: list[StockKey] = []
    for k, (item_index, site_index, lot) in enumerate(keys):
        qty = 4 + int(rng.random() * 800)
        bins = 1 + int(rng.random() * 3)
        split = [qty // bins] * bins
        split[0] += qty - sum(split)
        erp_qty = qty
        if k in chosen:
            delta = chosen[k]
            if rng.random() < 0.5:
                erp_qty = qty + delta if rng.random() < 0.5 or qty <= delta else qty - delta
            else:
                split[-1] += delta if rng.random() < 0.5 or split[-1] <= delta else -delta
        plan.append(StockKey(item_index, site_index, lot, erp_qty, tuple(split), k in chosen))
    return plan


@dataclass
class StockOut:
    """The stock extracts and what they inject: truth as (type, keys) pairs."""

    erp: list[str]
    wms: list[str]
    uom: list[str]
    transfers: list[str]
    variances: list[tuple[str, str, str]]  # stock-variance (item, site, lot)
    unconvertible: list[str]  # uom-not-convertible (item)
    overdue: list[str]  # in-transit-overdue (transfer id)


def unconvertible_items(world: World, plan: list[StockKey]) -> list[Item]:
    """The mixed items whose conversion the ERP lacks: a few with stock and no variance on it."""
    varied = {k.item for k in plan if k.variance}
    free = {k.item for k in plan} - varied
    chosen = [item for item in world.items if mixed(item) and item.index in free]
    if not chosen:
        # A small world can have no mixed item free of variances (5 seeds in 2,000 at 200 orders):
        # an item the ERP keeps in another unit is then counted in eaches by the WMS instead
        # (`counted_in_eaches`), so the type is still injected rather than silently missing.
        chosen = [item for item in world.items if item.uom != "EA" and item.index in free]
    return chosen[:MIN_PER_TYPE]


def counted_in_eaches(item: Item, odd: set[int]) -> bool:
    """Does the WMS count this item in eaches: a mixed item, or one whose conversion is missing."""
    return mixed(item) or item.index in odd


@dataclass(frozen=True)
class Transfer:
    """One stock transfer line: which stock key it goes to and what happened to it by as-of."""

    id: str
    key: int  # index in the stock plan: the receiving item/site/lot
    qty: int  # in the item's ERP unit
    origin: int  # site index it ships from
    shipped: int
    received: int | None  # the ERP's receipt (None: not posted by as-of)
    kind: str  # explained, partly, overdue, received, wms_first (the WMS received it, the ERP not yet)
    short: int  # how much the receiving key's bins lack (in ERP units): the goods not on a shelf yet


# The transfers every profile writes; `wms_first` only where the WMS's receipts are an extract.
KINDS = ("explained", "partly", "overdue", "received")


def transfer_plan(world: World, plan: list[StockKey], seed: int, as_of: int, skip: set[int],
                  kinds: tuple[str, ...] = KINDS) -> list[Transfer]:
    """The transfers to inject, drawn in `kinds` order (a kind added last leaves the others as they were)."""
    rng = random.Random(f"recon-sample:transfers:{seed}")
    free = [k for k, key in enumerate(plan) if not key.variance and key.item not in skip and key.erp_qty >= 20]
    n = max(MIN_PER_TYPE, round(TRANSFER_SHARE * len(free)))
    out: list[Transfer] = []
    number = FIRST_TRANSFER
    for kind in kinds:
        for _ in range(min(n, len(free))):
            k = free.pop(int(rng.random() * len(free)))
            key = plan[k]
            qty = 1 + int(rng.random() * (key.erp_qty // 3))
            # four draws whatever the kind (the classic sample's transfers stay as they were)
            days = {"explained": 0.2 + rng.random() * 3, "partly": 0.2 + rng.random() * 3,
                    "overdue": WINDOWS.in_transit_overdue / DAY + 1 + rng.random() * 4,
                    "received": 4 + rng.random() * 6}.get(kind, 1.0) + (rng.random() * 2 if kind == "wms_first" else 0)
            shipped = as_of - int(days * DAY)
            received = shipped + int((0.5 + rng.random()) * DAY) if kind == "received" else None
            origin = (key.site + 1 + int(rng.random() * (len(SITES) - 1))) % len(SITES)
            short = 0
            if kind in ("explained", "partly", "overdue"):
                short = qty + (1 + int(rng.random() * 5) if kind == "partly" else 0)
            out.append(Transfer(f"T-{number}", k, qty, origin, shipped, received, kind, short))
            number += 1
    return out


def _transfers(world: World, plan: list[StockKey], seed: int, as_of: int, company: Clock, skip: set[int]
               ) -> tuple[list[str], dict[int, int], list[tuple[int, str]]]:
    """Transfer rows, how much each stock key's bins lack (in ERP units), and (key, kind) of the injected ones."""
    rows: list[str] = []
    short: dict[int, int] = {}
    injected: list[tuple[int, str]] = []
    for t in transfer_plan(world, plan, seed, as_of, skip):
        key = plan[t.key]
        item = world.items[key.item]
        received = company.iso(t.received) if t.received is not None else ""
        rows.append(f"{t.id};{item.number:018d};{key.lot or ''};{qty3(t.qty)};{item.uom};{SITES[t.origin].plant};"
                    f"{SITES[key.site].plant};{company.iso(t.shipped)};{received}")
        if t.kind != "received":
            short[t.key] = t.short
            injected.append((t.key, t.kind if t.kind != "overdue" else t.id))
    return rows, short, injected


def stock_rows(world: World, seed: int, as_of: int, company: Clock, site_clocks: tuple[Clock, ...]) -> StockOut:
    """The stock, unit and transfer extracts with what they inject; small enough to build at once."""
    plan = stock_plan(world, seed)
    odd = unconvertible_items(world, plan)
    odd_ids = {i.index for i in odd}
    transfers, short, injected = _transfers(world, plan, seed, as_of, company, odd_ids)
    out = StockOut([], [], [], transfers, [], [str(i.number) for i in odd],
                   [kind for _, kind in injected if kind.startswith("T-")])
    partly = {k for k, kind in injected if kind == "partly"}
    out.uom = [f"{item.number:018d};CS;{pack(item)};EA" for item in world.items if mixed(item) and item not in odd]
    day = company.ymd(as_of)
    for k, key in enumerate(plan):
        item_index, lot = key.item, key.lot
        item = world.items[item_index]
        site = SITES[key.site]
        if key.variance or k in partly:
            out.variances.append((str(item.number), site.plant, lot or ""))
        out.erp.append(f"{item.number:018d};{site.plant};0001;{lot or ''};{qty3(key.erp_qty)};{item.uom};{day}")
        stamp = site_clocks[key.site].iso(as_of)
        bins = on_shelves(key.bins, short.get(k, 0))
        factor, unit = (pack(item), ',"uom":"EA"') if counted_in_eaches(item, odd_ids) else (1, "")
        for b, bin_qty in enumerate(bins):
            aisle = "ABCDEFGH"[(item_index + b) % 8]
            no_lot = ("", ',"lot":null', ',"lot":""')[(item_index + b) % 3]
            lot_json = f',"lot":"{lot}"' if lot else no_lot
            out.wms.append(
                f'{{"facility":"{site.facility}","bin":"{aisle}-{item_index % 40 + 1:02d}-{b + 1}",'
                f'"sku":"{item.number}"{lot_json},"on_hand":{bin_qty * factor}{unit},"snapshot_at":"{stamp}"}}'
            )
    return out
