"""`recon validate` says a problem repeated across a source's files once, with the count."""

from __future__ import annotations

from click.testing import CliRunner

from recon.cli import main

CONFIG = """
sources:
  erp_lines:
    system: erp
    entity: order_lines
    path: erp/VBAP_*.csv
    columns: {order_id: VBELN, line_no: POSNR, qty: KWMNEG}
"""


def test_a_column_missing_from_fifty_daily_files_is_one_line(make_project):
    files = {f"erp/VBAP_{i:02}.csv": "VBELN,POSNR,KWMENG\n1,10,1\n" for i in range(50)}
    files["erp/VBAP_99.csv"] = "VBELN,POSNR,KWMNEG\n1,10,1\n"  # this one has it
    result = CliRunner().invoke(main, ["validate", "--config", str(make_project(CONFIG, files))],
                                terminal_width=400)
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if "[I004]" in line]
    assert len(lines) == 1
    assert "in 50 files: erp/VBAP_00.csv, erp/VBAP_01.csv, erp/VBAP_02.csv, …" in lines[0]
    assert "did you mean 'KWMENG'" in lines[0]


def test_a_problem_of_one_file_still_names_it(make_project):
    files = {"erp/VBAP_01.csv": "VBELN,POSNR,KWMENG\n1,10,1\n", "erp/VBAP_02.csv": "VBELN,POSNR,KWMNEG\n"}
    result = CliRunner().invoke(main, ["validate", "--config", str(make_project(CONFIG, files))],
                                terminal_width=400)
    (line,) = [line for line in result.output.splitlines() if "[I004]" in line]
    assert line.endswith("in erp/VBAP_01.csv)")
