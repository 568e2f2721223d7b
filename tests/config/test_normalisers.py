"""A `replace` normaliser's pattern and replacement are checked by DuckDB when the config is read.

Before, a pattern DuckDB's RE2 refuses validated, then failed the source's load when its first
file was mapped; on an X12 source it ended the run with an internal error.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from recon.cli import main
from recon.config import load_project
from recon.db import Database
from recon.errors import ConfigError
from recon.normalise import compile_steps

BASE = """\
sources:
  erp_orders:
    system: erp
    entity: orders
    path: orders.csv
    columns:
      order_id: {column: ORDER_NO, normalise: [STEP]}
"""


def _config(tmp_path: Path, step: str) -> Path:
    path = tmp_path / "recon.yaml"
    path.write_text(BASE.replace("STEP", step))
    (tmp_path / "orders.csv").write_text("ORDER_NO\nSO-1\n")
    return path


def test_a_pattern_duckdb_accepts_validates_and_rewrites_with_its_groups(tmp_path: Path) -> None:
    config = load_project(_config(tmp_path, r'{replace: {pattern: "^SO-(\\d+)$", with: "\\1"}}')).config
    steps = config.sources["erp_orders"].columns["order_id"].normalise
    assert Database().scalar(f"SELECT {compile_steps(repr('SO-0042'), steps, {})}") == "0042"


@pytest.mark.parametrize(("step", "words"), [
    ('{replace: {pattern: "(", with: ""}}', "missing ): ("),
    ('{replace: {pattern: "(?<=A)B", with: ""}}', "invalid perl operator: (?<"),
    (r'{replace: {pattern: "SO-", with: "\\1"}}', "Rewrite schema requests 1 matches"),
    ('{replace: {pattern: null, with: ""}}', "replace takes {pattern: REGEX, with: TEXT}"),
])
def test_a_pattern_or_replacement_duckdb_refuses_is_a_config_problem(tmp_path: Path, step: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_project(_config(tmp_path, step))
    (problem,) = caught.value.problems
    assert problem.code == "C005" and words in problem.message, problem.message
    assert problem.path.startswith("sources.erp_orders.columns.order_id.normalise"), problem.path


def test_an_x12_source_with_a_refused_pattern_stops_at_validation_not_an_internal_error(tmp_path: Path) -> None:
    (tmp_path / "edi").mkdir()
    (tmp_path / "recon.yaml").write_text(
        "sources:\n  edi:\n    system: edi\n    path: edi/*.x12\n    format: x12\n"
        '    normalise:\n      customer_po: [{replace: {pattern: "(", with: ""}}]\n'
    )
    result = CliRunner().invoke(main, ["run", "--config", str(tmp_path / "recon.yaml"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert "C005" in result.output and "missing ): (" in result.output
    assert "internal error" not in result.output
