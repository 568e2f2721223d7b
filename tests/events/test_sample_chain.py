"""A generated distributor (sample_data, from `recon sample`) with one broken link: an ASN whose PO,
shipment and tracking number no other system knows. It gets its own correlation id, and `recon
trace` shows the chain with its gaps, from the run's kept tables."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from recon import api
from recon.cli import main
from recon.db import Database
from recon.store import kept

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
LOST_PO, LOST_SHIPMENT, LOST_TRACKING = "ZZ404404", "SH9999901", "TRK9999901"


def _broken_asn(interchange: str) -> str:
    """The first ASN interchange of the file again, with a PO, shipment and tracking number nobody has."""
    text = re.sub(r"PRF\*[^*~]+", f"PRF*{LOST_PO}", interchange)
    text = re.sub(r"BSN\*00\*[^*~]+", f"BSN*00*{LOST_SHIPMENT}", text)
    text = re.sub(r"REF\*CN\*[^*~]+", f"REF*CN*{LOST_TRACKING}", text)
    text = re.sub(r"ST\*856\*\d+", "ST*856*9901", text)
    text = re.sub(r"SE\*(\d+)\*\d+", r"SE*\1*9901", text)
    text = re.sub(r"\*\d{9}\*0\*P\*", "*000009901*0*P*", text)
    text = re.sub(r"IEA\*1\*\d+", "IEA*1*000009901", text)
    text = re.sub(r"(GS\*SH\*[^*]+\*[^*]+\*\d+\*\d+\*)\d+", r"\g<1>9901", text)
    return re.sub(r"GE\*1\*\d+", "GE*1*9901", text)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sample")
    for part in ("erp", "wms", "tms", "edi"):
        shutil.copytree(SAMPLE / part, root / part)
    shutil.copy(SAMPLE / "recon.yaml", root / "recon.yaml")
    asns = root / "edi" / "outbound_856.x12"
    text = asns.read_text()
    first = text[:text.index("~", text.index("IEA*")) + 1]
    asns.write_text(text + ("" if text.endswith("\n") else "\n") + _broken_asn(first) + "\n")
    config = (root / "recon.yaml").read_text()
    assert "  ship_to_invoice: 72h\n" in config
    edi_ack = "  edi_ack: {from: asn-sent, to: ack-received, p95: 24h}\n"
    (root / "recon.yaml").write_text(config.replace("  ship_to_invoice: 72h\n", "  ship_to_invoice: 72h\n" + edi_ack))
    result = api.run(root / "recon.yaml", out=root / "out", state=root / "state.duckdb")
    assert result.events is not None and result.events.built is not None
    return root


def _kept(project: Path) -> Database:
    opened = kept.open_kept(project / "state.duckdb")
    assert opened is not None
    return opened[1]


def test_the_broken_asn_is_a_chain_of_its_own(project: Path) -> None:
    db = _kept(project)
    try:
        rows = dict(db.rows("SELECT node, correlation_id FROM main.correlation WHERE node IN (?, ?, ?)",
                            [f"order:{LOST_PO}", f"shipment:{LOST_SHIPMENT}", f"tracking:{LOST_TRACKING}"]))
        assert len(rows) == 3 and len(set(rows.values())) == 1
        lost = rows[f"order:{LOST_PO}"]
        assert db.scalar("SELECT count(*) FROM main.correlation WHERE correlation_id = ?", [lost]) == 4  # + the 856
        # every order of the ERP is on a chain, and none of them on the lost one
        assert db.scalar("SELECT count(*) FROM erp.orders o LEFT JOIN main.correlation c "
                         "ON c.node = 'order:' || o.order_id WHERE c.correlation_id IS NULL "
                         "OR c.correlation_id = ?", [lost]) == 0
        assert db.rows("SELECT DISTINCT event_type FROM main.events WHERE correlation_id = ?", [lost]) == [
            ("asn-sent",)]
    finally:
        db.close()


def test_trace_shows_the_gap(project: Path) -> None:
    args = ["trace", LOST_PO, "--config", str(project / "recon.yaml"), "--state", str(project / "state.duckdb")]
    out = CliRunner().invoke(main, [*args, "--json"])
    assert out.exit_code == 0, out.output
    [chain] = json.loads(out.output)["chains"]
    assert chain["correlation_id"] == f"order:{LOST_PO}"
    assert chain["gaps"] == [{"missing": "order-received", "needed_by": "asn-sent"},
                             {"missing": "shipped", "needed_by": "asn-sent"}]
    text = CliRunner().invoke(main, args)
    assert "2 gaps" in text.output and "no order-received before asn-sent" in text.output


def test_a_whole_chain_has_no_gap_and_carries_its_exceptions(project: Path) -> None:
    db = _kept(project)
    try:
        order = db.scalar("SELECT min(order_id) FROM erp.invoice_lines")
    finally:
        db.close()
    args = ["trace", order, "--config", str(project / "recon.yaml"), "--state", str(project / "state.duckdb")]
    data = json.loads(CliRunner().invoke(main, [*args, "--json", "--fields"]).output)
    [chain] = data["chains"]
    assert chain["gaps"] == []
    kinds = {e["event_type"] for e in chain["events"]}
    assert {"order-received", "order-released", "shipped", "goods-issue-posted", "invoiced"} <= kinds
    assert any(f["entity"] == "orders" and f["field"] == "customer_id" and f["system_of_record"] == "erp"
               for f in chain["fields"])


def test_the_edi_ack_slo_flags_the_unacknowledged_asn(project: Path) -> None:
    summary = json.loads((project / "out" / "summary.json").read_text())
    clock = summary["latency"]["edi_ack"]
    assert clock["label"] == "asn-sent → ack-received" and clock["pairs"] > 0
    assert clock["overdue"] >= 1
    args = ["query", "SELECT document FROM main.exceptions WHERE rule_id = 'slo.edi_ack' AND correlation_id = "
            f"'order:{LOST_PO}'", "--config", str(project / "recon.yaml"), "--state", str(project / "state.duckdb"),
            "--json"]
    out = CliRunner().invoke(main, args)
    assert out.exit_code == 0, out.output
    assert "856 9901" in out.output
