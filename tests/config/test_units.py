"""`units:` as config: codes normalised, synonyms on top of the X12/rec 20 table, inline conversions,
rounding, and the problems a bad block gives (the SQL that converts is tested in tests/rules)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from recon.config import load_project
from recon.config.units import Units
from recon.errors import ConfigError

BASE = """\
sources:
  erp_orders: {system: erp, entity: orders, path: orders.csv, columns: {order_id: ORDER_NO}}
units:
  UNITS
"""


def units(tmp_path: Path, text: str) -> Units:
    path = tmp_path / "recon.yaml"
    path.write_text(BASE.replace("UNITS", text))
    return load_project(path).config.units


def problem(tmp_path: Path, text: str) -> tuple[str, str]:
    with pytest.raises(ConfigError) as caught:
        units(tmp_path, text)
    (found,) = caught.value.problems
    return found.code, found.message


def test_builtin_synonyms_bring_x12_and_rec20_codes_to_one_spelling() -> None:
    default = Units()
    assert [default.canonical(c) for c in ("ca", " CS ", "PCE", "C62", "ea", "FOT", "KGM", "XYZ")] == [
        "CS", "CS", "EA", "EA", "EA", "FT", "KG", "XYZ"]
    assert default.default_base == "EA"


def test_config_synonyms_win_and_inline_conversions_read_from_to(tmp_path: Path) -> None:
    parsed = units(tmp_path, "{synonyms: {karton: cs, ct: bx}, decimals: {ft: 2}, default_base: ea,"
                             " conversions: [{item: 100231, from: ca, to: EA, factor: 12},"
                             " {from: DZ, to: EA, factor: 12}]}")
    assert parsed.canonical("Karton") == "CS" and parsed.canonical("CT") == "BX"
    assert parsed.decimals == {"FT": 2}
    first, wildcard = parsed.conversions
    assert (first.item, first.from_uom, first.to_uom, first.factor) == ("100231", "CA", "EA", Decimal(12))
    assert wildcard.item == "*"


@pytest.mark.parametrize(("text", "words"), [
    ("{conversions: [{from: CS, to: EA, factor: 0}]}", "greater than 0"),
    ("{conversions: [{from: CS, to: EA}]}", "factor"),
    ("{decimals: {FT: 6}}", "decimals of FT"),
    ("{synonyms: {KARTON: CA}}", "synonym target CA is itself a synonym of CS"),
    ("{default_base: ''}", "not empty"),
    ("{round: {FT: 2}}", "round"),
])
def test_a_bad_units_block_is_a_located_config_problem(tmp_path: Path, text: str, words: str) -> None:
    code, message = problem(tmp_path, text)
    assert code.startswith("C") and words in message, message
