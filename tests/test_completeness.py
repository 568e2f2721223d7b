"""Incomplete runs: a failed or short source never looks green and resolves nothing it did not check.

The main scenario is the one a new user meets: a night's ERP billing extract is moved away. The
run still loads and checks everything else, but says so everywhere (exit 5, summary, report,
e-mail, terminal) and carries the invoice rules' open exceptions forward unverified.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recon import api
from recon.cli import main
from recon.errors import EXIT_BAR_BROKEN, EXIT_INCOMPLETE, EXIT_OK
from recon.report import email as mail
from recon.sample import generate

AS_OF = "2026-11-20T06:00:00+00:00"
INVOICE_RULES = {"invoice-matches-shipment", "invoice-amount-is-qty-times-price", "invoice-line-unique",
                 "edi-invoice-matches-erp"}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    generate(out, orders=120, seed=11, as_of=datetime.fromisoformat(AS_OF))
    return out


def _copy(sample: Path, tmp_path: Path) -> Path:
    shutil.copytree(sample, tmp_path / "site")
    return tmp_path / "site" / "recon.yaml"


def _run(config: Path, out: Path, *extra: str) -> tuple[int, dict]:
    result = CliRunner().invoke(main, ["run", "--config", str(config), "--as-of", AS_OF, "--out", str(out), "--quiet",
                                       *extra])
    assert "Traceback" not in result.output, result.output
    return result.exit_code, json.loads((out / "summary.json").read_text(encoding="utf-8"))


def _state_rows(config: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(config.parent / "recon-state.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_a_moved_away_extract_makes_the_night_incomplete_and_resolves_nothing(sample: Path, tmp_path: Path) -> None:
    config = _copy(sample, tmp_path)
    code, first = _run(config, tmp_path / "night1")
    assert code == EXIT_OK and first["complete"] is True and first["not_evaluated"] == []
    invoice_ids = {r[0] for r in _state_rows(config, "SELECT exception_id FROM exceptions WHERE rule_id IN "
                                                      f"({', '.join(repr(r) for r in INVOICE_RULES)})")}
    assert invoice_ids, "the sample injects invoice exceptions"

    (config.parent / "erp" / "billing.csv").rename(tmp_path / "billing.csv")
    result = CliRunner().invoke(main, ["run", "--config", str(config), "--as-of", AS_OF, "--out",
                                       str(tmp_path / "night2"), "--quiet"])
    assert result.exit_code == EXIT_INCOMPLETE, result.output
    assert ": INCOMPLETE (1 source failed, 4 rules not evaluated);" in result.output
    assert "; ok;" not in result.output and "not checked: source erp_billing" in result.output
    summary = json.loads((tmp_path / "night2" / "summary.json").read_text(encoding="utf-8"))
    assert summary["complete"] is False
    assert [f["source"] for f in summary["failed_sources"]] == ["erp_billing"]
    assert "no file matches 'erp/billing.csv'" in summary["failed_sources"][0]["reason"]
    assert {r["rule"] for r in summary["not_evaluated"]} == INVOICE_RULES
    assert summary["lifecycle"]["resolved"] == 0 and summary["lifecycle"]["unverified"] == len(invoice_ids)
    assert summary["lifecycle"]["mttr_hours"] == {}
    # The other sources still loaded and their rules still ran.
    ran = {r["rule_id"] for r in summary["rules"]["rules"] if r["status"] == "ok"}
    assert {"shipment-posted-in-erp", "released-order-reaches-wms"} <= ran
    # The earlier invoice exceptions are still open in the state, recorded for night 2 and marked unverified.
    night2 = summary["run_id"]
    carried = _state_rows(config, f"SELECT exception_id, unverified FROM exceptions WHERE run_id = '{night2}' "
                                  f"AND rule_id IN ({', '.join(repr(r) for r in INVOICE_RULES)})")
    assert {r[0] for r in carried} == invoice_ids and all(r[1] for r in carried)
    report = (tmp_path / "night2" / "report.html").read_text(encoding="utf-8")
    assert "INCOMPLETE RUN: not everything was checked" in report and "source erp_billing" in report
    assert "rule invoice-line-unique not evaluated" in report and "Within the bar</b>" not in report
    subject = mail.subject(summary, "[recon]", "2026-11-20")
    assert subject.startswith("[recon] 2026-11-20: INCOMPLETE, not everything was checked:")
    assert "INCOMPLETE RUN" in mail.plain_text(summary, "out")

    # The extract is back: the same invoice exceptions are open (never resolved, never "reopened").
    (tmp_path / "billing.csv").rename(config.parent / "erp" / "billing.csv")
    code, third = _run(config, tmp_path / "night3")
    assert code == EXIT_OK and third["complete"] is True
    assert third["lifecycle"]["reopened"] == 0 and third["lifecycle"]["resolved"] == 0
    assert third["lifecycle"]["unverified"] == 0


def test_allow_incomplete_warns_and_incomplete_wins_over_the_bar(sample: Path, tmp_path: Path) -> None:
    config = _copy(sample, tmp_path)
    (config.parent / "erp" / "billing.csv").unlink()
    code, summary = _run(config, tmp_path / "a", "--fail-on", "high", "--dry-run")
    assert code == EXIT_INCOMPLETE and summary["verdict"]["passed"] is False  # both true: 5 wins
    code, summary = _run(config, tmp_path / "b", "--fail-on", "high", "--dry-run", "--allow-incomplete")
    assert code == EXIT_BAR_BROKEN and summary["complete"] is False
    code, summary = _run(config, tmp_path / "c", "--dry-run", "--allow-incomplete")
    assert code == EXIT_OK and summary["complete"] is False


def _expect(config: Path, source: str, block: str) -> None:
    text = config.read_text(encoding="utf-8")
    anchor = f"  {source}:\n"
    assert anchor in text
    config.write_text(text.replace(anchor, f"{anchor}    expect: {block}\n", 1), encoding="utf-8")


def test_a_stale_file_makes_the_run_incomplete(sample: Path, tmp_path: Path) -> None:
    config = _copy(sample, tmp_path)
    _expect(config, "erp_billing", "{max_age: 26h}")
    as_of = datetime.fromisoformat(AS_OF).timestamp()
    os.utime(config.parent / "erp" / "billing.csv", (as_of - 3600, as_of - 3600))
    code, summary = _run(config, tmp_path / "fresh", "--dry-run")
    assert code == EXIT_OK and summary["complete"] is True
    os.utime(config.parent / "erp" / "billing.csv", (as_of - 3 * 86400, as_of - 3 * 86400))
    code, summary = _run(config, tmp_path / "stale", "--dry-run")
    assert code == EXIT_INCOMPLETE and summary["complete"] is False
    (failure,) = summary["failed_sources"]
    assert failure["source"] == "erp_billing" and failure["reason"].startswith("stale: the newest file was written 3.0")
    assert {r["rule"] for r in summary["not_evaluated"]} == INVOICE_RULES


def test_a_stale_timestamp_column_makes_the_run_incomplete(sample: Path, tmp_path: Path) -> None:
    config = _copy(sample, tmp_path)
    _expect(config, "erp_billing", "{max_age: 1h, age_column: invoiced_at}")
    code, summary = _run(config, tmp_path / "o", "--dry-run")
    assert code == EXIT_INCOMPLETE
    assert summary["failed_sources"][0]["reason"].startswith("stale: the newest invoiced_at is ")
    _expect(config, "erp_orders", "{max_age: 30d, age_column: ordered_at}")
    code, summary = _run(config, tmp_path / "p", "--dry-run")
    assert [f["source"] for f in summary["failed_sources"]] == ["erp_billing"]


def test_an_empty_file_against_min_rows_makes_the_run_incomplete(sample: Path, tmp_path: Path) -> None:
    config = _copy(sample, tmp_path)
    _expect(config, "erp_billing", "{min_rows: 1}")
    billing = config.parent / "erp" / "billing.csv"
    billing.write_text(billing.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    code, summary = _run(config, tmp_path / "o", "--dry-run")
    assert code == EXIT_INCOMPLETE
    assert summary["failed_sources"][0] == {"source": "erp_billing", "reason": "0 rows read, expected at least 1",
                                            "required": True, "tables": ["erp.invoice_lines"]}


def test_an_optional_source_leaves_its_rules_out_but_the_run_complete(sample: Path, tmp_path: Path) -> None:
    config = _copy(sample, tmp_path)
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("  erp_billing:\n", "  erp_billing:\n    required: false\n", 1), encoding="utf-8")
    (config.parent / "erp" / "billing.csv").unlink()
    code, summary = _run(config, tmp_path / "o", "--dry-run")
    assert code == EXIT_OK and summary["complete"] is True
    assert summary["failed_sources"][0]["required"] is False
    assert {r["rule"] for r in summary["not_evaluated"]} == INVOICE_RULES


def test_an_unmapped_field_is_named_by_validate_and_not_evaluated_by_run(sample: Path, tmp_path: Path) -> None:
    config = _copy(sample, tmp_path)
    lines = config.read_text(encoding="utf-8").splitlines(keepends=True)
    config.write_text("".join(line for line in lines if not line.startswith("      released_at: {expr")),
                      encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--config", str(config)])
    assert result.exit_code == 0, result.output
    for rule in ("released-order-reaches-wms", "released-order-ships"):
        assert f"rule {rule} will not be evaluated: missing erp.orders.released_at" in result.output
    strict = CliRunner().invoke(main, ["validate", "--config", str(config), "--strict"])
    assert strict.exit_code == 2 and "missing erp.orders.released_at" in strict.output
    as_json = json.loads(CliRunner().invoke(main, ["validate", "--config", str(config), "--json"]).output)
    broken = {c["rule"]: c["missing_fields"] for c in as_json["coverage"] if c["status"] == "not-evaluated"}
    assert broken == {"released-order-reaches-wms": ["erp.orders.released_at"],
                      "released-order-ships": ["erp.orders.released_at"]}
    code, summary = _run(config, tmp_path / "o", "--dry-run")
    assert code == EXIT_INCOMPLETE and summary["failed_sources"] == []
    assert {r["rule"]: r["reason"] for r in summary["not_evaluated"]} == {
        "released-order-reaches-wms": "missing erp.orders.released_at",
        "released-order-ships": "missing erp.orders.released_at"}
    # A site that never has the field says so once: the rules are skipped, the night is complete.
    config.write_text(config.read_text(encoding="utf-8") + "skip_rules: [released-order-reaches-wms, "
                      "released-order-ships]\n", encoding="utf-8")
    code, summary = _run(config, tmp_path / "p", "--dry-run")
    assert code == EXIT_OK and summary["complete"] is True


def test_format_without_type_is_a_lint(make_project, tmp_path: Path) -> None:
    config = make_project("""
        sources:
          erp_orders:
            system: erp
            entity: orders
            path: orders.csv
            columns:
              order_id: VBELN
              created: {column: ERDAT, format: "%Y%m%d"}
        rules: []
        """, {"orders.csv": "VBELN,ERDAT\n1,20240101\n"})
    result = CliRunner().invoke(main, ["validate", "--config", str(config)])
    assert result.exit_code == 0
    assert "[W002]" in result.output and "extra field 'created' has format but no type" in result.output


def test_budget_tiers_and_load_budgets(sample: Path, tmp_path: Path) -> None:
    config = _copy(sample, tmp_path)
    (config.parent / "erp" / "billing.csv").unlink()
    budgets = """budgets:
  - {measure: failed_sources, max: 0, level: warn}
  - {measure: not_evaluated, max: 10}
  - {measure: rejected_rows, source: erp_orders, max: 0}
  - {measure: rejected_rows, max_rate: "50%", level: warn}
"""
    config.write_text(config.read_text(encoding="utf-8").replace("budgets:\n", budgets, 1), encoding="utf-8")
    code, summary = _run(config, tmp_path / "o", "--dry-run", "--allow-incomplete")
    checks = {(c["name"], c["measure"]): c for c in summary["verdict"]["checks"]}
    failed = checks[("failed sources", "failed_sources")]
    assert (failed["actual"], failed["status"], failed["level"]) == (1, "broken", "warn")
    assert checks[("not evaluated", "not_evaluated")]["actual"] == 4
    assert checks[("rejected rows of source erp_orders", "rejected_rows")]["status"] == "ok"
    assert checks[("rejected rows of every source", "rejects_rate")]["status"] == "ok"
    assert summary["verdict"]["passed"] is True and code == EXIT_OK  # a warn-tier break leaves the exit code


def test_the_cron_line_and_json_log_say_incomplete(sample: Path, tmp_path: Path) -> None:
    config = _copy(sample, tmp_path)
    (config.parent / "erp" / "billing.csv").unlink()
    result = CliRunner().invoke(main, ["run", "--config", str(config), "--as-of", AS_OF, "--out", str(tmp_path / "o"),
                                       "--quiet", "--dry-run", "--log-format", "json"])
    assert result.exit_code == EXIT_INCOMPLETE
    events = [json.loads(line) for line in result.stderr.splitlines()]
    names = [e["event"] for e in events]
    assert names.count("rule_not_evaluated") == 4 and names.count("source_incomplete") == 1
    assert events[-1]["event"] == "run_end" and events[-1]["complete"] is False and events[-1]["exit_code"] == 5


def test_log_events_stream_while_the_run_goes(sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """source_loaded and rule_run are written as they happen, not after the run; a heartbeat shows life."""
    import io
    import time

    from recon.cli.runlog import EventLog, RunEvents

    stream = io.StringIO()
    log = EventLog("json", stream)
    seen_at_reports: list[list[str]] = []
    real = api.outputs_step

    def spy(*args: object, **kwargs: object) -> object:
        seen_at_reports.append([json.loads(line)["event"] for line in stream.getvalue().splitlines()])
        return real(*args, **kwargs)

    monkeypatch.setattr(api, "outputs_step", spy)
    events = RunEvents(log, "r", interval=0.05)

    def slow_rule(rule_id: str, index: int, total: int) -> None:
        events.on_rule(rule_id, index, total)
        if index == 0:
            time.sleep(0.2)  # a slow rule: the heartbeat must speak meanwhile

    with events:
        api.run(_copy(sample, tmp_path), as_of=AS_OF, out=tmp_path / "o", dry_run=True, progress=events.on_file,
                rule_progress=slow_rule, source_done=events.on_source, rule_done=events.on_rule_done)
    (before,) = seen_at_reports
    assert before.count("source_loaded") == 12 and before.count("rule_run") >= 17
    assert any(e == "progress" for e in before)
    stamps = [json.loads(line)["ts"] for line in stream.getvalue().splitlines()]
    assert len(set(stamps)) > 3 and stamps == sorted(stamps)


def test_as_of_in_the_past_measures_age_from_as_of(sample: Path, tmp_path: Path) -> None:
    """max_age is relative to as-of, not to the clock: a backfill of an old night is not stale."""
    config = _copy(sample, tmp_path)
    _expect(config, "erp_billing", "{max_age: 2d}")
    when = datetime(2026, 11, 19, 12, tzinfo=UTC).timestamp()
    os.utime(config.parent / "erp" / "billing.csv", (when, when))
    code, summary = _run(config, tmp_path / "o", "--dry-run")
    assert code == EXIT_OK and summary["complete"] is True


def test_a_reused_isa13_across_two_files_of_one_run_is_an_exception(make_project, tmp_path: Path) -> None:
    from tests.load.x12.helpers import po_interchange

    config = make_project("""
        sources:
          partners:
            system: edi
            path: edi/*.x12
            format: x12
        rules: [bundled/edi]
        """, {"edi/a.x12": po_interchange(control=7), "edi/b.x12": po_interchange(control=7)})
    code, summary = _run(config, tmp_path / "o")
    assert code == EXIT_OK and summary["complete"] is True
    (source,) = summary["sources"]
    assert (source["files"], source["entity"]) == (2, "*")  # two files, not one load per table
    assert "edi.edi_findings" in source["tables"] and "edi.orders" in source["tables"]
    rows = list(csv.DictReader((tmp_path / "o" / "exceptions.csv").open(encoding="utf-8")))
    reused = [r for r in rows if "X12-ISA13-DUPLICATE" in r["left_value"]]
    assert len(reused) == 1, rows
    (row,) = reused
    assert (row["exception_type"], row["owner"], row["rule_id"]) == ("edi-envelope-warning", "it", "edi-envelope-clean")
    assert row["document"].startswith("edi/b.x12 segment 1 ") and row["left_lineage"] == "edi/b.x12:1"
    assert summary["exceptions"]["by_type"]["edi-envelope-warning"]["count"] == 1


def test_any_finding_code_becomes_an_exception(make_project, tmp_path: Path) -> None:
    """Codes are carried generically: a truncated interchange (no IEA) is an error exception of its file."""
    from tests.load.x12.helpers import po_interchange

    cut = po_interchange(control=3).replace("IEA*1*000000003~\n", "")
    config = make_project("""
        sources:
          partners: {system: edi, path: edi/*.x12, format: x12}
        rules: [bundled/edi]
        """, {"edi/cut.x12": cut})
    code, summary = _run(config, tmp_path / "o")
    rows = list(csv.DictReader((tmp_path / "o" / "exceptions.csv").open(encoding="utf-8")))
    errors = [r for r in rows if r["exception_type"] == "edi-envelope-error"]
    assert [r["left_value"].split(":")[0] for r in errors] == ["X12-IEA-MISSING"]
    assert code == EXIT_OK and summary["exceptions"]["by_type"]["edi-envelope-error"]["count"] == 1
    assert errors[0]["severity"] == "high" and errors[0]["left_lineage"].startswith("edi/cut.x12:")


PROPERTY_CONFIG = """
sources:
  erp_orders: {system: erp, entity: orders, path: erp.csv, columns: {order_id: id, customer_id: customer}}
  wms_orders: {system: wms, entity: orders, path: wms.csv, columns: {order_id: id, customer_id: customer}}
  tms_legs: {system: tms, entity: deliveries, path: tms.csv, columns: {shipment_id: id, tracking_no: tracking}}
rules: [pack.yaml]
"""
PROPERTY_PACK = """
pack: prop
workflow: prop
title: property
rules:
  - id: erp-in-wms
    kind: match
    title: ERP order in the WMS
    left: {table: erp.orders}
    right: {table: wms.orders}
    keys: [order_id]
    missing_right: {exception: not-in-wms, severity: high}
  - id: erp-has-customer
    kind: check
    title: ERP order has a customer
    table: erp.orders
    keys: [order_id]
    require: "customer_id IS NOT NULL"
    outcome: {exception: no-customer, severity: low}
  - id: leg-tracked
    kind: check
    title: Leg has a tracking number
    table: tms.deliveries
    keys: [shipment_id]
    require: "tracking_no IS NOT NULL"
    outcome: {exception: untracked, severity: low}
"""
SOURCE_FILES = {"erp_orders": "erp.csv", "wms_orders": "wms.csv", "tms_legs": "tms.csv"}
NIGHT1 = {"erp.csv": "id,customer\n1,C1\n2,\n3,C3\n", "wms.csv": "id,customer\n1,C1\n",
          "tms.csv": "id,tracking\nS1,\nS2,1Z\n"}
NIGHT2 = {"erp.csv": "id,customer\n1,C1\n2,C2\n", "wms.csv": "id,customer\n1,C1\n2,C2\n",
          "tms.csv": "id,tracking\nS1,1Z\nS2,1Z\n"}  # every night-1 exception fixed, where it can be seen


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(missing=st.sets(st.sampled_from(sorted(SOURCE_FILES))), fixed=st.booleans())
def test_no_exception_is_resolved_by_a_run_that_did_not_evaluate_its_rule(missing: set[str], fixed: bool) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "recon.yaml").write_text(PROPERTY_CONFIG, encoding="utf-8")
        (root / "pack.yaml").write_text(PROPERTY_PACK, encoding="utf-8")
        for name, text in NIGHT1.items():
            (root / name).write_text(text, encoding="utf-8")
        api.run(root / "recon.yaml", as_of="2026-11-19T06:00:00Z", out=root / "n1")
        for name, text in (NIGHT2 if fixed else NIGHT1).items():
            (root / name).write_text(text, encoding="utf-8")
        for source in missing:
            (root / SOURCE_FILES[source]).unlink()
        ctx = api.run(root / "recon.yaml", as_of="2026-11-20T06:00:00Z", out=root / "n2", allow_incomplete=True)
        skipped = {r["rule"] for r in ctx.summary["not_evaluated"]}
        statuses = ctx.db.rows("SELECT rule_id, status, unverified FROM main.exception_status")
        assert not [r for r in statuses if r[0] in skipped and r[1] == "resolved"]
        assert all(r[2] for r in statuses if r[0] in skipped)  # what is carried is marked unverified
        assert ctx.summary["complete"] is (not missing)
        if fixed and not missing:
            assert ctx.summary["lifecycle"]["resolved"] == 4
        ctx.db.close()
