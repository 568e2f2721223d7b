"""`recon edi inspect`: the report, its rendering and the command's exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from rich.console import Console

from recon.cli.edi import edi
from recon.load.x12.inspect import inspect_files, render_inspect

from .helpers import FIXTURES, po_interchange, write


def test_report_of_clean_files() -> None:
    report = inspect_files([FIXTURES / "850_tilde_lf.edi", FIXTURES / "997.edi"])
    assert report["exit_code"] == 0
    assert report["summary"]["files"] == 2 and report["summary"]["transaction_sets"] == 3
    assert report["summary"]["errors"] == 0 and report["findings"] == []
    first = report["files"][0]
    assert first["set_counts"] == {"850": 1} and first["interchanges"][0]["control"] == "000000101"
    assert first["interchanges"][0]["segment_terminator"] == "~"
    assert report["rows"]["order_lines"] == 3 and report["rows"]["edi_acks"] == 2
    json.dumps(report)  # JSON-able as is


def test_report_with_findings_and_unreadable(tmp_path: Path) -> None:
    bad = write(tmp_path, po_interchange().replace("SE*5*0001", "SE*9*0001"), "bad.edi")
    report = inspect_files([bad])
    assert report["exit_code"] == 1
    assert report["files"][0]["errors"] == 1 and report["files"][0]["rejected_sets"] == 1
    assert report["findings"][0]["code"] == "X12-SE01-COUNT"
    report = inspect_files([bad, tmp_path / "missing.edi"])
    assert report["exit_code"] == 2 and report["summary"]["unreadable_files"] == 1


def test_render_prints_files_findings_and_rows(tmp_path: Path) -> None:
    bad = write(tmp_path, po_interchange().replace("SE*5*0001", "SE*9*0001"), "bad.edi")
    edifact = write(tmp_path, b"UNA:+.? 'UNB+UNOA:3+S+R+200101:1200+1'", "orders.edifact")
    console = Console(record=True, width=200)
    render_inspect(inspect_files([FIXTURES / "855.edi", bad, edifact, tmp_path / "nope.edi"]), console)
    out = console.export_text()
    for expected in ("855.edi", "2×855", "X12-SE01-COUNT", "EDIFACT-UNZ-MISSING", "unreadable: file not found",
                     "order_acks 5", "1 rejected"):
        assert expected in out, expected


def test_cli_exit_0_when_clean() -> None:
    result = CliRunner().invoke(edi, ["inspect", str(FIXTURES / "850_tilde_lf.edi"), str(FIXTURES / "810.edi")])
    assert result.exit_code == 0, result.output
    assert "1×850" in result.output and "1×810" in result.output


def test_cli_exit_1_with_findings_and_json(tmp_path: Path) -> None:
    bad = write(tmp_path, po_interchange().replace("GE*1*1", "GE*2*1"), "bad.edi")
    result = CliRunner().invoke(edi, ["inspect", "--json", str(bad)])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert [f["code"] for f in report["findings"]] == ["X12-GE01-COUNT"]
    assert report["findings"][0]["file"] == str(bad)


def test_cli_exit_2_when_a_file_cannot_be_read(tmp_path: Path) -> None:
    empty = write(tmp_path, b"", "empty.edi")
    result = CliRunner().invoke(edi, ["inspect", str(FIXTURES / "850_tilde_lf.edi"), str(empty)])
    assert result.exit_code == 2, result.output
    assert "file is empty" in result.output


def test_cli_our_id_sets_direction() -> None:
    result = CliRunner().invoke(edi, ["inspect", "--json", "--our-id", "BIGBOX", str(FIXTURES / "850_tilde_lf.edi")])
    assert result.exit_code == 0
    assert json.loads(result.output)["rows"]["orders"] == 1


def test_registered_in_the_recon_command() -> None:
    from recon.cli import main

    result = CliRunner().invoke(main, ["edi", "inspect", str(FIXTURES / "997.edi")])
    assert result.exit_code == 0, result.output
    assert "2×997" in result.output


def test_file_summary_shape() -> None:
    from recon.load.x12 import parse_x12_files

    fs = parse_x12_files([FIXTURES / "multi_interchange.edi"]).files[0]
    (control, version, sender, receiver), _ = fs.interchanges
    assert (control, version, sender, receiver) == ("000000901", "00401", "BIGBOX", "DISTCO")
    assert fs.groups[0] == ("000000901", "21", "PO") and fs.readable and fs.error is None
    assert fs.to_dict()["interchanges"][1]["element_separator"] == "|"
