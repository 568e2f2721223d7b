"""Stock on hand at as-of: ERP book stock per item/plant/lot, WMS stock per bin.

The WMS holds a key in one to three bins, so its rows must be summed per item, site and lot
before they are compared with the ERP's single row. Items without lots have no lot on either
side (the ERP writes an empty CHARG, the WMS leaves the key out, writes null or ""), which the
loader turns into the same NULL. Variances are injected on a few keys, half on each side.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from recon.sample.clock import Clock
from recon.sample.extracts import qty3
from recon.sample.windows import MIN_PER_TYPE, RATES
from recon.sample.world import SITES, World


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


def stock_rows(world: World, seed: int, as_of: int, company: Clock, site_clocks: tuple[Clock, ...]
               ) -> tuple[list[str], list[str], list[tuple[str, str, str]]]:
    """(ERP rows, WMS rows, variances as (item, site, lot)); small enough to build at once."""
    erp: list[str] = []
    wms: list[str] = []
    variances: list[tuple[str, str, str]] = []
    day = company.ymd(as_of)
    for key in stock_plan(world, seed):
        item_index, lot = key.item, key.lot
        item = world.items[item_index]
        site = SITES[key.site]
        if key.variance:
            variances.append((str(item.number), site.plant, lot or ""))
        erp.append(f"{item.number:018d};{site.plant};0001;{lot or ''};{qty3(key.erp_qty)};{item.uom};{day}")
        stamp = site_clocks[key.site].iso(as_of)
        for b, bin_qty in enumerate(key.bins):
            aisle = "ABCDEFGH"[(item_index + b) % 8]
            no_lot = ("", ',"lot":null', ',"lot":""')[(item_index + b) % 3]
            lot_json = f',"lot":"{lot}"' if lot else no_lot
            wms.append(
                f'{{"facility":"{site.facility}","bin":"{aisle}-{item_index % 40 + 1:02d}-{b + 1}",'
                f'"sku":"{item.number}"{lot_json},"on_hand":{bin_qty},"snapshot_at":"{stamp}"}}'
            )
    return erp, wms, variances
