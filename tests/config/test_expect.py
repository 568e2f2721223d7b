"""Source expectations (`required`, `expect:`) and `skip_rules` as config: what validates and what
is a named problem at the right line (the run's use of them is tested in tests/test_completeness.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from recon.config import load_project
from recon.errors import ConfigError

CSV_SOURCE = """\
sources:
  erp_orders:
    system: erp
    entity: orders
    path: orders.csv
    columns: {{order_id: ORDER_NO, released_at: {{column: RELEASED, type: timestamp}}}}
{extra}
"""

X12_SOURCE = """\
sources:
  partner:
    system: edi
    path: "edi/*.x12"
{extra}
"""


def project(tmp_path: Path, template: str, extra: str):
    path = tmp_path / "recon.yaml"
    path.write_text(template.format(extra=extra))
    return load_project(path)


def problems(tmp_path: Path, template: str, extra: str) -> list[tuple[str, int | None, str]]:
    with pytest.raises(ConfigError) as caught:
        project(tmp_path, template, extra)
    return [(p.code, p.line, p.message) for p in caught.value.problems]


def test_defaults_a_source_is_required_and_expects_nothing(tmp_path: Path) -> None:
    source = project(tmp_path, CSV_SOURCE, "").config.sources["erp_orders"]
    assert source.required is True
    assert source.expect.model_dump() == {
        "min_rows": None, "max_age": None, "age_column": None, "min_files": None, "max_files": None,
    }
    assert project(tmp_path, CSV_SOURCE, "").config.skip_rules == []


def test_expectations_parse_durations_as_hours(tmp_path: Path) -> None:
    extra = ("    required: false\n"
             "    expect: {min_rows: 1, max_age: 2d, age_column: released_at, min_files: 1, max_files: 3}\n"
             "skip_rules: [order-released-not-shipped]")
    config = project(tmp_path, CSV_SOURCE, extra).config
    source = config.sources["erp_orders"]
    assert source.required is False
    assert (source.expect.min_rows, source.expect.max_age, source.expect.age_column) == (1, 48.0, "released_at")
    assert (source.expect.min_files, source.expect.max_files) == (1, 3)
    assert config.skip_rules == ["order-released-not-shipped"]


def test_age_column_must_be_mapped_by_the_source(tmp_path: Path) -> None:
    found = problems(tmp_path, CSV_SOURCE, "    expect: {max_age: 26h, age_column: relased_at}")
    assert [(code, line) for code, line, _ in found] == [("C021", 7)]
    assert "'relased_at' is not mapped by this source" in found[0][2]
    with pytest.raises(ConfigError) as caught:
        project(tmp_path, CSV_SOURCE, "    expect: {max_age: 26h, age_column: relased_at}")
    assert caught.value.problems[0].hint == "did you mean 'released_at'?"


def test_an_edi_source_is_dated_by_a_field_of_its_documents(tmp_path: Path) -> None:
    ok = project(tmp_path, X12_SOURCE, "    expect: {max_age: 1d, age_column: document_date}")
    assert ok.config.sources["partner"].expect.age_column == "document_date"
    found = problems(tmp_path, X12_SOURCE, "    expect: {max_age: 1d, age_column: shipped_at}")
    assert [code for code, _, _ in found] == ["C021"]


@pytest.mark.parametrize(("expect", "words"), [
    ("{age_column: released_at}", "age_column needs max_age"),
    ("{min_files: 3, max_files: 2}", "min_files 3 is above max_files 2"),
    ("{max_age: soon}", "is not a duration"),
    ("{min_rows: -1}", "greater than or equal to 0"),
    ("{max_files: 0}", "greater than or equal to 1"),
])
def test_inconsistent_expectations_are_invalid_values(tmp_path: Path, expect: str, words: str) -> None:
    found = problems(tmp_path, CSV_SOURCE, f"    expect: {expect}")
    assert len(found) == 1 and found[0][0] == "C005" and words in found[0][2], found


def test_a_misspelt_expectation_suggests_the_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        project(tmp_path, CSV_SOURCE, "    expect: {min_row: 1}")
    (problem,) = caught.value.problems
    assert problem.code == "C003" and problem.hint == "did you mean 'min_rows'?" and problem.line == 7
