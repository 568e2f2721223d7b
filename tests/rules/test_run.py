"""Rules inside `recon run`: skipped rules, the exceptions table and files, and the sample's answer key."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from recon import api
from recon.cli import main
from recon.errors import EXIT_INCOMPLETE
from recon.rules.contract import COLUMN_NAMES
from recon.sample.generate import generate
from recon.score import score_files

CONFIG = """
sources:
  wms_shipments:
    system: wms
    entity: shipment_lines
    path: wms.csv
    columns: {shipment_id: sid, order_id: oid, line_no: ln, qty: qty, status: st, shipped_at: at, tracking_no: trk}
ownership: {shipment_lines: wms}
rules: [bundled]
parameters: {post_window: 1h}
"""
WMS = """
sid,oid,ln,qty,st,at,trk
S1,O'1,1,5,SHIPPED,2024-03-08T10:00:00Z,
S2,O2,1,3,SHIPPED,2024-03-08T10:00:00Z,T2
"""

MINE = """
pack: mine
workflow: mine
title: Mine
rules:
  - {id: x, kind: check, title: X, table: wms.shipment_lines, keys: [shipment_id], require: trackng_no IS NOT NULL,
     outcome: {exception: x, severity: low}}
"""


def test_run_writes_the_exceptions_and_skips_rules_without_tables(make_project: Callable[..., Path],
                                                                  tmp_path: Path) -> None:
    config = make_project(CONFIG, {"wms.csv": WMS})
    ctx = api.run(config, as_of="2024-03-10T12:00:00Z", out=tmp_path / "out", run_id="r1")
    rules = ctx.summary["rules"]
    assert rules["by_type"] == {"shipped-without-tracking": 1}
    skipped = {r["rule_id"]: r["reason"] for r in rules["rules"] if r["status"] == "skipped"}
    assert skipped["shipment-posted-in-erp"] == "no source loads erp.shipment_lines"
    assert any("shipment-posted-in-erp skipped" in w for w in rules["warnings"])
    with open(tmp_path / "out" / "exceptions.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    # the contract, the order chain (recon.events), then the analyst's view
    assert list(rows[0]) == [*COLUMN_NAMES, "correlation_id", "status", "reason_code"]
    assert [(r["exception_type"], r["shipment_id"], r["left_lineage"]) for r in rows] == [
        ("shipped-without-tracking", "S1", "wms.csv:2")]  # the line in the file, header = line 1
    table = pq.read_table(tmp_path / "out" / "exceptions.parquet")
    assert table.column_names == [*COLUMN_NAMES, "correlation_id", "status", "reason_code"] and table.num_rows == 1
    assert ctx.db.scalar("SELECT count(*) FROM main.exceptions") == 1


def test_rule_progress_is_called_before_each_rule(make_project: Callable[..., Path], tmp_path: Path) -> None:
    config = make_project(CONFIG, {"wms.csv": WMS})
    calls: list[tuple[str, int, int]] = []
    ctx = api.run(config, as_of="2024-03-10T12:00:00Z", out=tmp_path / "out", run_id="r1",
                  rule_progress=lambda rule_id, i, n: calls.append((rule_id, i, n)))
    ids = [r["rule_id"] for r in ctx.summary["rules"]["rules"]]
    assert calls == [(rule_id, i, len(ids)) for i, rule_id in enumerate(ids)]  # skipped rules too


def test_the_progress_bar_names_the_rule_running_and_quiet_runs_get_no_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib
    import io

    from rich.console import Console

    run_cli = importlib.import_module("recon.cli.run")  # the CLI imports its commands lazily
    screen = io.StringIO()
    monkeypatch.setattr(run_cli, "stderr_console", lambda: Console(file=screen, force_terminal=True, width=100))
    with run_cli._progress_display(True, run_cli.RunEvents(run_cli.EventLog(None), "r")) as (on_file, on_rule):
        on_file("erp_orders", "orders.csv", 0, 1)
        on_rule("shipment-posted-in-erp", 2, 17)
    assert "rules: shipment-posted-in-erp" in screen.getvalue() and "2/17" in screen.getvalue()
    drawn = screen.getvalue()
    with run_cli._progress_display(False, run_cli.RunEvents(run_cli.EventLog(None), "r")) as (on_file, on_rule):
        on_rule("shipment-posted-in-erp", 3, 17)  # --quiet, --json, --log-format or no terminal: nothing drawn
    assert screen.getvalue() == drawn


def test_rules_on_a_table_that_failed_to_load_are_not_evaluated(make_project: Callable[..., Path],
                                                                 tmp_path: Path) -> None:
    """An incomplete table would make everything it lacks look missing: leave the rule out, and say why."""
    erp = ("  erp_posts:\n    system: erp\n    entity: shipment_lines\n    path: erp/*.csv\n"
           "    columns: {shipment_id: sid, order_id: oid, line_no: ln, qty: qty}\n")
    config = make_project(CONFIG.replace("ownership:", erp + "ownership:"), {"wms.csv": WMS})
    ctx = api.run(config, as_of="2024-03-10T12:00:00Z", out=tmp_path / "out", run_id="r2")
    reasons = {r["rule_id"]: r["reason"] for r in ctx.summary["rules"]["rules"]}
    assert reasons["shipment-posted-in-erp"] == "source erp_posts (erp.shipment_lines): no file matches 'erp/*.csv'"
    assert ctx.summary["rules"]["by_type"] == {"shipped-without-tracking": 1}
    assert ctx.summary["complete"] is False and ctx.exit_code == EXIT_INCOMPLETE
    not_evaluated = {r["rule"]: r["reason"] for r in ctx.summary["not_evaluated"]}
    # Every rule reading erp.shipment_lines (the 945 rule of the EDI pack too), none other.
    assert {"shipment-posted-in-erp", "warehouse-advice-posted"} <= set(not_evaluated)
    assert all(reason.startswith("source erp_posts (erp.shipment_lines): ") for reason in not_evaluated.values())


def test_bad_rules_stop_the_run_before_any_data_is_read(make_project: Callable[..., Path], tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text(MINE, encoding="utf-8")
    config = make_project(CONFIG.replace("rules: [bundled]", "rules: [bundled, mine.yaml, nothing/*.yaml]"),
                          {"wms.csv": WMS})
    result = CliRunner().invoke(main, ["run", "--config", str(config), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "unknown column 'trackng_no'" in result.output and "did you mean 'tracking_no'?" in result.output
    assert "no rule pack matches 'nothing/*.yaml'" in result.output
    assert not (tmp_path / "o").exists()
    validate = CliRunner().invoke(main, ["validate", "--config", str(config)])
    assert validate.exit_code == 2 and "trackng_no" in validate.output


@pytest.mark.parametrize("seed", [3, 11])
def test_the_sample_answer_key_is_found_exactly(tmp_path: Path, seed: int) -> None:
    """Precision and recall 1.0 for every exception type, look-alikes included."""
    generate(tmp_path / "sample", orders=400, seed=seed, as_of=datetime(2026, 11, 20, 6, tzinfo=UTC))
    api.run(tmp_path / "sample" / "recon.yaml", out=tmp_path / "out", run_id="r")
    result = score_files(tmp_path / "sample" / "truth.csv", tmp_path / "out" / "exceptions.csv")
    imperfect = {t.exception_type: (t.missed, t.false_alarms) for t in result.types if not t.perfect}
    assert result.perfect, imperfect
    assert len(result.types) == 24  # with uom-not-convertible and in-transit-overdue (#22)


def test_reruns_write_identical_files(tmp_path: Path) -> None:
    generate(tmp_path / "sample", orders=200, seed=5, as_of=datetime(2026, 11, 20, 6, tzinfo=UTC))
    outputs = []
    for n in (1, 2):
        api.run(tmp_path / "sample" / "recon.yaml", out=tmp_path / f"out{n}", run_id="same")
        outputs.append((tmp_path / f"out{n}" / "exceptions.csv").read_bytes())
    assert outputs[0] == outputs[1]
    summary = json.loads((tmp_path / "out1" / "summary.json").read_text())
    assert summary["rules"]["rules_failed"] == 0
    # The sample has no ERP returns extract (and sends no 180): the one rule that reads returns is
    # not applicable, and says why; every other bundled rule runs.
    skipped = {r["rule_id"]: r["reason"] for r in summary["rules"]["rules"] if r["status"] == "skipped"}
    assert skipped == {"return-authorization-in-erp": "no source loads erp.returns"}
