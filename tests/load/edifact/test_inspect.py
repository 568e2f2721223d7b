"""`recon edi inspect` on EDIFACT files: interchanges, groups, messages, findings; --json; exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from rich.console import Console

from recon.cli.edi import edi
from recon.load.x12.inspect import inspect_files, render_inspect
from tests.load.edifact.helpers import FIXTURES, write


def test_clean_edifact_files_exit_0() -> None:
    paths = [str(p) for p in sorted(FIXTURES.glob("*.edifact"))]
    result = CliRunner().invoke(edi, ["inspect", "--our-id", "DISTCO", *paths], terminal_width=100)
    assert result.exit_code == 0, result.output
    for expected in ("orders_d96a.edifact", "1×ORDERS", "1×DESADV", "1×CONTRL", "edifact", "6 file(s)",
                     "shipment_lines 2"):
        assert expected in result.output, expected


def test_json_names_groups_messages_and_findings(tmp_path: Path) -> None:
    text = (FIXTURES / "desadv_d96a.edifact").read_bytes().replace(b"UNT+26+1'", b"UNT+25+1'")
    bad = write(tmp_path, text, "bad.edifact")
    result = CliRunner().invoke(edi, ["inspect", "--json", str(bad)])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    f = report["files"][0]
    assert (f["format"], f["groups"], f["set_counts"], f["rejected_sets"]) == (
        "edifact", [["300", "30", "DESADV"]], {"DESADV": 1}, 1)
    assert f["interchanges"][0]["version"] == "UNOC:3" and f["interchanges"][0]["segment_terminator"] == "'"
    (finding,) = report["findings"]
    assert (finding["code"], finding["interchange_control"], finding["group_control"], finding["set_control"],
            finding["segment_position"]) == ("EDIFACT-UNT-COUNT", "300", "30", "1", 29)


def test_narrow_output_labels_edifact_envelopes(tmp_path: Path) -> None:
    text = (FIXTURES / "orders_d96a.edifact").read_text().replace("UNZ+1+100", "UNZ+1+101")
    bad = write(tmp_path, text, "bad.edifact")
    console = Console(record=True, width=80)
    render_inspect(inspect_files([bad], display_names={bad: "bad.edifact"}), console)
    out = " ".join(console.export_text().split())
    assert "bad.edifact: UNB 100; 1×ORDERS" in out
    assert "EDIFACT-UNZ-REFERENCE" in out and "UNB 100 segment 24 UNZ (UNZ0020)" in out
