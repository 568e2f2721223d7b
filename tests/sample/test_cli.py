"""recon sample from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from recon.cli import main


def test_sample_writes_a_project_and_summarises_it(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = CliRunner().invoke(main, ["sample", "--out", str(out), "--orders", "120", "--seed", "3",
                                       "--as-of", "2026-11-20T06:00:00Z"])
    assert result.exit_code == 0, result.output
    assert (out / "recon.yaml").is_file() and (out / "truth.csv").is_file()
    assert "erp/orders.csv" in result.output and "truth" in result.output


def test_sample_json(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["sample", "--out", str(tmp_path), "--orders", "300", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["orders"] == 300 and data["seed"] == 7 and data["as_of"] == "2026-11-20T06:00:00+00:00"
    assert data["files"]["erp/orders.csv"] > 250 and len(data["truth"]) == 24 and data["shortfall"] == {}


def test_bad_as_of_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["sample", "--out", str(tmp_path), "--as-of", "next tuesday"])
    assert result.exit_code == 2
    assert "--as-of 'next tuesday'" in result.output and "Traceback" not in result.output


def test_orders_must_be_positive(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["sample", "--out", str(tmp_path), "--orders", "0"])
    assert result.exit_code == 2


def test_a_real_projects_config_is_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "recon.yaml").write_text("version: 1\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["sample", "--out", str(tmp_path), "--orders", "50"])
    assert result.exit_code == 2 and "--force" in result.output
    assert (tmp_path / "recon.yaml").read_text(encoding="utf-8") == "version: 1\n"
    assert not (tmp_path / "erp").exists()
    forced = CliRunner().invoke(main, ["sample", "--out", str(tmp_path), "--orders", "50", "--force"])
    assert forced.exit_code == 0, forced.output
    again = CliRunner().invoke(main, ["sample", "--out", str(tmp_path), "--orders", "50"])
    assert again.exit_code == 0, "a sample's own recon.yaml may be regenerated"
