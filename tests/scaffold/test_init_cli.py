"""`recon init` end to end: on the bundled sample's extracts (recon.yaml removed) it writes a
config that validates and, once its TODOs are answered, scores precision = recall = 1.0."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from recon.cli import main
from recon.formats import FORMATS

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
AS_OF = "2026-11-20T06:00:00+00:00"


@pytest.fixture(scope="module")
def initialised(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """The sample's extract folders copied without recon.yaml (truth.csv is the answer key, not an
    extract, so it stays out), then `recon init --json` in that folder."""
    root = tmp_path_factory.mktemp("site")
    for folder in ("erp", "wms", "tms", "edi"):
        shutil.copytree(SAMPLE / folder, root / folder)
    result = CliRunner().invoke(main, ["init", str(root), "--config", str(root / "recon.yaml"), "--json"])
    assert result.exit_code == 0, result.output
    return root, json.loads(result.stdout)


def answer_todos(config: Path, out: Path) -> list[str]:
    """What a person does with the TODOs: fill each lookup stub and the time zone with the site's
    own answers (here: the sample's own recon.yaml). Returns the TODO kinds answered."""
    site = yaml.safe_load((SAMPLE / "recon.yaml").read_text())
    answers = {str(k).upper(): str(v) for table in site["lookups"].values() for k, v in table.items()}
    data = yaml.safe_load(config.read_text())
    for table in data.get("lookups", {}).values():
        for key in table:
            table[key] = answers.get(str(key).upper(), table[key])
    data["timezone"] = site["timezone"]
    out.write_text(yaml.safe_dump(data, sort_keys=False))
    return sorted(data.get("lookups", {}))


def test_init_maps_every_extract_and_lists_only_statuses_and_time_zone_as_todo(initialised) -> None:
    root, report = initialised
    tables = {(s["system"], s["entity"]) for s in report["sources"]}
    assert tables == {("erp", "orders"), ("erp", "order_lines"), ("erp", "shipment_lines"), ("erp", "invoice_lines"),
                      ("erp", "stock"), ("erp", "uom_conversions"), ("erp", "transfers"), ("wms", "orders"),
                      ("wms", "shipment_lines"), ("wms", "stock"), ("tms", "deliveries"), ("edi", None)}
    assert report["unclassified"] == []
    assert all(t.startswith("timezone:") or (t.startswith("lookups.") and "_status:" in t)
               for t in report["todos"]), report["todos"]
    # every rule the sample's hand-written config runs, init's runs too (a rule needing a table that
    # neither loads, such as erp.returns, is skipped by both)
    site = yaml.safe_load((SAMPLE / "recon.yaml").read_text())["sources"]
    loaded = {f"{s['system']}.{s['entity']}" for s in site.values() if "entity" in s}
    loaded |= {f"edi.{e}" for e in FORMATS["x12"].entities or ()}
    skipped = [r for r in report["rules"] if not r["runs"]]
    assert all(not set(r["needs_tables"]) <= loaded for r in skipped), skipped
    assert len(skipped) < len(report["rules"]) / 4
    assert report["problems"] == []
    text = (root / "recon.yaml").read_text()
    assert text.count("TODO") >= len(report["todos"])


def test_the_written_config_validates_with_its_files(initialised) -> None:
    root, _ = initialised
    result = CliRunner().invoke(main, ["validate", "--config", str(root / "recon.yaml")])
    assert result.exit_code == 0, result.output


def test_site_and_carrier_codes_are_learnt_by_joining_the_systems(initialised) -> None:
    root, _ = initialised
    lookups = yaml.safe_load((root / "recon.yaml").read_text())["lookups"]
    site = yaml.safe_load((SAMPLE / "recon.yaml").read_text())["lookups"]
    assert lookups["wms_site"] == site["wms_facility"]
    assert lookups["tms_carrier"] == {k.upper(): v for k, v in site["tms_carrier"].items()}


@pytest.mark.parametrize("answered", [False, True], ids=["as-written", "todos-answered"])
def test_the_run_scores_perfectly_as_written_and_after_its_todos(initialised, tmp_path: Path, answered: bool) -> None:
    root, report = initialised
    config = root / "recon.yaml"
    if answered:
        config = root / "answered.yaml"
        names = answer_todos(root / "recon.yaml", config)
        assert {f"lookups.{n}" for n in names} >= {t.split(":")[0] for t in report["todos"] if t.startswith("lookups.")}
    runner = CliRunner()
    run = runner.invoke(main, ["run", "--config", str(config), "--as-of", AS_OF, "--out", str(tmp_path / "out"),
                               "--quiet", "--state", str(tmp_path / "state.duckdb")])
    assert run.exit_code in (0, 1), run.output
    score = runner.invoke(main, ["score", "--truth", str(SAMPLE / "truth.csv"), "--exceptions",
                                 str(tmp_path / "out" / "exceptions.csv"), "--json"])
    result = json.loads(score.stdout)
    assert score.exit_code == 0, score.stdout
    assert result["total"]["precision"] == 1.0 and result["total"]["recall"] == 1.0


def test_an_existing_config_is_not_replaced_without_force(initialised) -> None:
    root, _ = initialised
    before = (root / "recon.yaml").read_text()
    result = CliRunner().invoke(main, ["init", str(root / "erp"), "--config", str(root / "recon.yaml")])
    assert result.exit_code == 2 and "--force" in result.output
    assert (root / "recon.yaml").read_text() == before


def test_dry_run_prints_the_config_and_writes_nothing(tmp_path: Path) -> None:
    shutil.copytree(SAMPLE / "erp", tmp_path / "erp")
    result = CliRunner().invoke(main, ["init", str(tmp_path), "--config", str(tmp_path / "recon.yaml"), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "recon.yaml").exists()
    config = yaml.safe_load(result.stdout)
    assert sorted(config["sources"]) == ["erp_billing", "erp_goods_issues", "erp_material_uom", "erp_order_items",
                                         "erp_orders", "erp_stock", "erp_transfers"]
    assert "rule coverage" in result.stderr and "skipped" in result.stderr  # no WMS: its rules are skipped
