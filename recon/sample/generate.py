"""`generate()`: the chunked, streaming writer behind `recon sample`.

Orders are made in chunks of consecutive order numbers (a slice of the two weeks). A chunk is
generated, injected, billed, turned into ERP/WMS/TMS rows and X12 interchanges, appended to the
files and dropped; only counters (document numbers, control numbers), the injection shortfall
and the truth rows (a fraction of a percent of the orders) live across chunks. Memory is
bounded by the chunk size, not by --orders.

Each chunk draws from its own `random.Random` seeded with (seed, chunk number), so the same
seed, order count and as-of give the same bytes on every run.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO

from recon.sample import extracts as ex
from recon.sample.billing import FIRST_INVOICE, Invoice, build_invoices
from recon.sample.clock import Clock
from recon.sample.config import recon_yaml
from recon.sample.edi import EDI_FILES, Counters, edi_chunk
from recon.sample.inject import inject_chunk, plan_quotas
from recon.sample.orders import Context, Intake, make_order
from recon.sample.stock import stock_rows
from recon.sample.truth import Row, order_rows, row, write_truth
from recon.sample.world import COMPANY_ZONE, SITES, build_world

CHUNK = 5000
FIRST_SHIPMENT = 1_000_001
FILES = (
    ex.ERP_ORDERS, ex.ERP_ITEMS, ex.ERP_GOODS_ISSUES, ex.ERP_BILLING, ex.ERP_STOCK,
    ex.WMS_ORDERS, ex.WMS_SHIPMENTS, ex.WMS_STOCK, ex.TMS_SHIPMENTS, *EDI_FILES,
)
Progress = Callable[[int, int], None]


@dataclass
class SampleResult:
    out: Path
    orders: int
    seed: int
    as_of: datetime
    rows: dict[str, int] = field(default_factory=dict)  # data rows (X12: interchanges) per file
    truth: dict[str, int] = field(default_factory=dict)  # truth rows per exception type
    shortfall: dict[str, int] = field(default_factory=dict)  # injections that found no room
    seconds: float = 0.0


class _Files:
    """The open extract files; rows are appended chunk by chunk."""

    def __init__(self, out: Path) -> None:
        self.handles: dict[str, IO[str]] = {}
        self.rows: Counter[str] = Counter()
        for name in FILES:
            path = out / name
            path.parent.mkdir(parents=True, exist_ok=True)
            f = path.open("w", encoding="utf-8", newline="\n")
            self.handles[name] = f
            if name in ex.HEADERS:
                f.write(ex.HEADERS[name] + "\n")
            self.rows[name] += 0

    def lines(self, name: str, rows: list[str]) -> None:
        if rows:
            self.handles[name].write("\n".join(rows) + "\n")
            self.rows[name] += len(rows)

    def text(self, name: str, chunks: list[str]) -> None:
        if chunks:
            self.handles[name].write("".join(chunks))
            self.rows[name] += len(chunks)

    def close(self) -> None:
        for f in self.handles.values():
            f.close()


def generate(out: Path, *, orders: int, seed: int, as_of: datetime, chunk_size: int = CHUNK,
             progress: Progress | None = None) -> SampleResult:
    """Write a sample distributor's extracts, recon.yaml and truth.csv into `out`."""
    if orders < 1:
        raise ValueError("orders must be at least 1")
    if as_of.tzinfo is None:
        raise ValueError("as_of must carry a time zone")
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    a = int(as_of.timestamp())
    company = Clock(COMPANY_ZONE)
    world = build_world(seed, orders)
    ctx = Context(world=world, as_of=a, company=company, sites=tuple(Clock(s.zone) for s in SITES),
                  utc=Clock("UTC"), intake=Intake(a, company))
    bounds = [(start, min(start + chunk_size, orders)) for start in range(0, orders, chunk_size)]
    spans = [(end - start, ctx.intake.time_at(start / orders), ctx.intake.time_at(end / orders))
             for start, end in bounds]
    quotas = plan_quotas(orders, spans, a)
    files = _Files(out)
    truth: list[Row] = []
    carry: dict[str, int] = {}
    next_shipment, next_invoice = [FIRST_SHIPMENT], [FIRST_INVOICE]
    next_doc, next_load = [ex.FIRST_MATERIAL_DOC], [ex.FIRST_LOAD]
    counters = Counters()
    try:
        for c, (start, end) in enumerate(bounds):
            rng = random.Random(f"recon-sample:orders:{seed}:{c}")
            chunk = [make_order(ctx, rng, i, orders, next_shipment) for i in range(start, end)]
            carry = inject_chunk(ctx, chunk, quotas[c], carry, random.Random(f"recon-sample:inject:{seed}:{c}"))
            invoices = build_invoices(ctx, chunk, next_invoice)
            heads, items = ex.erp_orders(ctx, chunk)
            files.lines(ex.ERP_ORDERS, heads)
            files.lines(ex.ERP_ITEMS, items)
            files.lines(ex.ERP_GOODS_ISSUES, ex.erp_goods_issues(ctx, chunk, next_doc))
            files.lines(ex.ERP_BILLING, ex.erp_billing(ctx, invoices))
            wms_orders, wms_lines = ex.wms_rows(ctx, chunk)
            files.lines(ex.WMS_ORDERS, wms_orders)
            files.lines(ex.WMS_SHIPMENTS, wms_lines)
            files.lines(ex.TMS_SHIPMENTS, ex.tms_rows(ctx, chunk, next_load))
            edi = edi_chunk(ctx, chunk, invoices, counters, random.Random(f"recon-sample:edi:{seed}:{c}"))
            for name in EDI_FILES:
                files.text(name, edi[name])
            truth.extend(_chunk_truth(chunk, invoices))
            if progress:
                progress(end, orders)
        erp_stock, wms_stock, variances = stock_rows(world, seed, a, company, ctx.sites)
        files.lines(ex.ERP_STOCK, erp_stock)
        files.lines(ex.WMS_STOCK, wms_stock)
        truth.extend(row("stock-variance", item_id=i, site=s, lot=lot) for i, s, lot in variances)
    finally:
        files.close()
    write_truth(out / "truth.csv", truth)
    (out / "recon.yaml").write_text(recon_yaml(seed=seed, orders=orders, as_of=as_of), encoding="utf-8")
    counts = Counter(r[0] for r in set(truth))
    return SampleResult(out=out, orders=orders, seed=seed, as_of=as_of, rows=dict(files.rows),
                        truth=dict(sorted(counts.items())), shortfall={k: v for k, v in carry.items() if v > 0},
                        seconds=time.perf_counter() - started)


def _chunk_truth(chunk: list, invoices: list[Invoice]) -> list[Row]:
    """Truth rows of the chunk's injected orders (invoice numbers are known only after billing)."""
    placed: dict[tuple[int, int], list[tuple[Invoice, int]]] = {}
    edi_invoice: dict[int, Invoice] = {}
    injected = {o.i for o in chunk if o.inject is not None}
    for inv in invoices:
        for il in inv.lines:
            if il.order.i in injected:
                placed.setdefault((il.order.i, il.line.no), []).append((inv, il.no))
                if inv.edi_order is not None:
                    edi_invoice[inv.edi_order.i] = inv
    rows: list[Row] = []
    for o in chunk:
        if o.inject is not None:
            rows.extend(order_rows(o, placed, edi_invoice))
    return rows
