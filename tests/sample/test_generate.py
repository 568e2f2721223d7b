"""The generator on its own: bytes, determinism, every type injected, the shapes of each system."""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recon.config import load_project
from recon.sample import TRUTH_COLUMNS, TYPES, generate
from recon.sample.stock import mixed
from recon.sample.windows import MIN_PER_TYPE
from recon.sample.world import build_world

from .conftest import AS_OF


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def truth_rows(folder: Path) -> list[dict[str, str]]:
    with (folder / "truth.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    for name in ("a", "b"):
        generate(tmp_path / name, orders=250, seed=3, as_of=AS_OF, chunk_size=100)
    a, b = files_of(tmp_path / "a"), files_of(tmp_path / "b")
    assert list(a) == list(b)
    assert all(a[k] == b[k] for k in a), [k for k in a if a[k] != b[k]]


def test_different_seeds_differ(tmp_path: Path) -> None:
    generate(tmp_path / "a", orders=200, seed=1, as_of=AS_OF)
    generate(tmp_path / "b", orders=200, seed=2, as_of=AS_OF)
    a, b = files_of(tmp_path / "a"), files_of(tmp_path / "b")
    differing = [k for k in a if a[k] != b.get(k)]
    assert "truth.csv" in differing and "erp/orders.csv" in differing and "edi/inbound_850.x12" in differing


def test_every_exception_type_is_injected_a_few_times(sample_dir: Path) -> None:
    counts = Counter(r["exception_type"] for r in truth_rows(sample_dir))
    assert set(counts) == set(TYPES)
    assert min(counts.values()) >= MIN_PER_TYPE


def test_truth_rows_fill_exactly_their_key_columns(sample_dir: Path) -> None:
    rows = truth_rows(sample_dir)
    assert list(rows[0]) == list(TRUTH_COLUMNS)
    for r in rows:
        keys = TYPES[r["exception_type"]]
        filled = {c for c in TRUTH_COLUMNS[1:] if r[c]}
        # a stock key of an item without lots has an empty lot: the key allows it; the classic 856
        # names no PO lines, so an ASN mismatch is keyed by shipment and item only
        optional = {"stock-variance": {"lot"}, "asn-qty-mismatch": {"customer_po", "line_no"}}.get(
            r["exception_type"], set())
        assert filled == set(keys) or filled == set(keys) - optional, r
    assert len({tuple(r.values()) for r in rows}) == len(rows), "truth rows are unique"


def test_truth_keys_are_canonical(sample_dir: Path) -> None:
    for r in truth_rows(sample_dir):
        assert not r["order_id"].startswith("0") and not r["invoice_id"].startswith("0")
        assert r["customer_po"] == r["customer_po"].upper()
        assert r["site"] in ("", "P100", "P200", "P300")
        assert r["shipment_id"] == "" or r["shipment_id"].startswith("SH")


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**31), orders=st.integers(200, 300), hour=st.integers(0, 23))
def test_every_type_for_any_seed_and_hour(tmp_path_factory: pytest.TempPathFactory, seed: int, orders: int,
                                          hour: int) -> None:
    out = tmp_path_factory.mktemp("any")
    result = generate(out, orders=orders, seed=seed, as_of=AS_OF.replace(hour=hour))
    assert set(result.truth) == set(TYPES)
    assert not result.shortfall


def test_a_world_without_a_free_mixed_item_still_injects_every_type(tmp_path: Path) -> None:
    """Seed 2176 at 200 orders has no mixed (cases in the ERP, eaches in the WMS) item: found by the
    property above. The missing conversion goes to another item the ERP keeps in cases."""
    assert not any(mixed(item) for item in build_world(2176, 200).items)
    result = generate(tmp_path, orders=200, seed=2176, as_of=AS_OF)
    assert set(result.truth) == set(TYPES)
    assert not result.shortfall


def test_recon_yaml_is_a_valid_config(sample_dir: Path) -> None:
    project = load_project(sample_dir / "recon.yaml")
    config = project.config
    assert config.as_of == AS_OF
    assert {s.system for s in config.sources.values()} == {"erp", "wms", "tms", "edi"}
    assert config.lookups["wms_facility"] == {"DC-EAST": "P100", "DC-CENTRAL": "P200", "DC-WEST": "P300"}


def test_erp_files_look_like_an_erp(sample_dir: Path) -> None:
    lines = (sample_dir / "erp/orders.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("VBELN;AUART;KUNNR")
    first = lines[1].split(";")
    assert len(first[0]) == 10 and first[0].startswith("00")  # zero-padded document number
    assert len(first[5]) == 8 and first[5].isdigit()  # YYYYMMDD
    items = (sample_dir / "erp/order_items.csv").read_text(encoding="utf-8").splitlines()[1].split(";")
    assert items[4].endswith(".000")  # 12.000
    assert len(items[2]) == 18  # MATNR
    stock = (sample_dir / "erp/stock.csv").read_text(encoding="utf-8")
    assert ";;" in stock  # an empty CHARG for items without lots


def test_wms_files_are_json_lines_with_offsets(sample_dir: Path) -> None:
    rows = [json.loads(line) for line in (sample_dir / "wms/shipments.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {r["facility"] for r in rows} == {"DC-EAST", "DC-CENTRAL", "DC-WEST"}
    offsets = {r["shipped_at"][-6:] for r in rows}
    assert {"-05:00", "-06:00", "-08:00"} <= offsets
    # no lot: the key is missing, null or empty, all three
    lot_forms = {("lot" in r, r.get("lot")) for r in rows if not r.get("lot")}
    assert lot_forms == {(False, None), (True, None), (True, "")}
    assert not any(r["order_ref"].startswith("0") for r in rows)


def test_tms_file_uses_names_utc_and_some_lower_case_refs(sample_dir: Path) -> None:
    with (sample_dir / "tms/shipments.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert "Old Dominion Freight Line" in {r["Carrier"] for r in rows}
    assert any(r["Shipment Ref"].startswith("sh") for r in rows)
    assert all(r["Pickup (UTC)"] == "" or r["Pickup (UTC)"][2] == "/" for r in rows)


def test_look_alikes_are_present(sample_dir: Path) -> None:
    orders = (sample_dir / "erp/orders.csv").read_text(encoding="utf-8")
    assert ";po-7" in orders  # a PO keyed in lower case
    assert ";90;" in orders  # cancelled orders (never in the WMS)
    names = {line.split(";")[3] for line in orders.splitlines()[1:]}
    assert "Acme Corporation" in names
    assert "N1*BY*ACME CORP.*92*" in (sample_dir / "edi/inbound_850.x12").read_text(encoding="utf-8")
    assert "AK5*E~" in (sample_dir / "edi/inbound_997.x12").read_text(encoding="utf-8")  # accepted with errors
    billing = (sample_dir / "erp/billing.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert len({line.split(";")[0] for line in billing}) < len({line.split(";")[4] for line in billing}), \
        "some invoices are consolidated over several orders"


def test_shortfall_is_reported_not_hidden(tmp_path: Path) -> None:
    result = generate(tmp_path, orders=20, seed=1, as_of=AS_OF)
    assert result.shortfall  # 20 orders cannot carry 3 of each of 21 types, and the result says so
    assert sum(result.truth.values()) >= 1


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate(tmp_path, orders=0, seed=1, as_of=AS_OF)
    with pytest.raises(ValueError):
        generate(tmp_path, orders=10, seed=1, as_of=datetime(2026, 11, 20))


def test_chunks_keep_numbers_unique(make_sample: Callable[..., Path]) -> None:
    folder = make_sample(seed=5, orders=600, chunk_size=97)
    invoices = [line.split(";")[0] + line.split(";")[1]
                for line in (folder / "erp/billing.csv").read_text(encoding="utf-8").splitlines()[1:]]
    duplicates = {k for k, n in Counter(invoices).items() if n > 1}
    injected = {(r["invoice_id"], r["line_no"]) for r in truth_rows(folder)
                if r["exception_type"] == "duplicate-invoice"}
    assert {(k[:10].lstrip("0"), k[10:].lstrip("0")) for k in duplicates} == injected
    owner: dict[str, set[str]] = {}
    for line in (folder / "wms/shipments.jsonl").read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        owner.setdefault(r["shipment_id"], set()).add(r["order_ref"])
    assert all(len(orders) == 1 for orders in owner.values()), "a shipment id is never reused by another order"


def test_as_of_in_another_zone_is_the_same_instant(tmp_path: Path) -> None:
    from zoneinfo import ZoneInfo

    generate(tmp_path / "utc", orders=100, seed=4, as_of=AS_OF)
    generate(tmp_path / "chi", orders=100, seed=4, as_of=AS_OF.astimezone(ZoneInfo("America/Chicago")))
    a, b = files_of(tmp_path / "utc"), files_of(tmp_path / "chi")
    assert a["truth.csv"] == b["truth.csv"] and a["erp/orders.csv"] == b["erp/orders.csv"]
    assert datetime.fromisoformat("2026-11-20T00:00:00-06:00").astimezone(UTC) == AS_OF
