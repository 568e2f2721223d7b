"""The CLI on nested JSON: `recon validate` names the crashing unnest mapping; `recon run` explodes and balances."""

from __future__ import annotations

import json

from click.testing import CliRunner

from recon.cli import main

NESTED = """
sources:
  tms_loads:
    system: tms
    entity: deliveries
    path: tms/loads.jsonl
    explode: stops[].shipment_ids[]
    columns:
      shipment_id: stops.shipment_ids
      load_id: load_id
      delivered_at: stops.delivered_at
rules: []
"""
UNNEST = """
sources:
  tms_loads:
    system: tms
    entity: deliveries
    path: tms/loads.jsonl
    columns:
      shipment_id: {expr: "unnest(json_extract_string(stops, '$[*].shipment_ids[*]'))"}
      load_id: load_id
rules: []
"""
LOADS = [{"load_id": f"L{i}", "stops": [{"delivered_at": "2026-12-01T10:00:00Z", "shipment_ids": [f"S{i}-{j}"
                                                                                                for j in range(i)]}]}
         for i in range(4)]
FILES = {"tms/loads.jsonl": "\n".join(json.dumps(r) for r in LOADS) + "\n"}


def test_validate_refuses_the_unnest_mapping_with_a_named_problem(make_project):
    result = CliRunner().invoke(main, ["validate", "--config", str(make_project(UNNEST, FILES))], terminal_width=400)
    assert result.exit_code == 2
    assert "[C041]" in result.output and "sources.tms_loads.columns.shipment_id.expr" in result.output
    assert "explode:" in result.output
    assert "internal error" not in result.output


def test_run_explodes_and_summary_balances(make_project, tmp_path):
    config = make_project(NESTED, FILES)
    validated = CliRunner().invoke(main, ["validate", "--config", str(config)], terminal_width=400)
    assert validated.exit_code == 0, validated.output
    result = CliRunner().invoke(main, ["run", "--config", str(config), "--out", str(tmp_path / "out"),
                                       "--allow-incomplete"], terminal_width=400)
    assert result.exit_code == 0, result.output
    (source,) = json.loads((tmp_path / "out" / "summary.json").read_text())["sources"]
    # Loads L0..L3 hold 0, 1, 2 and 3 shipments: 4 records, 6 rows, L0 rejected as exploding to nothing.
    assert (source["rows_read"], source["rows_loaded"], source["rows_rejected"], source["rows_exploded"]) == \
        (4, 6, 1, 3)
    assert "exploded" in result.output
