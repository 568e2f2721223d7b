"""The transaction-set registry: one entry per mapped set, consistent with the tables and the docs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from recon.load.x12 import COLUMNS, MAPPED_SETS
from recon.load.x12.sets.base import SetContext, SetMapper
from recon.load.x12.sets.registry import MAPPERS
from recon.load.x12.sets.schema import LINES, slot
from recon.load.x12.sets.unmapped import OTHER_REFERENCES

from .helpers import codes, parse_text, rows

DOCS = Path(__file__).resolve().parents[3] / "docs" / "edi.md"


def test_each_entry_is_filed_under_its_own_set_id_and_fills_known_tables() -> None:
    for ts, mapper in MAPPERS.items():
        assert mapper.transaction_set == ts
        assert mapper.entities and set(mapper.entities) <= set(COLUMNS), ts
        assert mapper.reads and all(re.fullmatch(r"[A-Z][A-Z0-9]{1,2}", s) for s in mapper.reads), ts
    assert {ts: ", ".join(m.entities) for ts, m in MAPPERS.items()} == MAPPED_SETS
    assert not set(OTHER_REFERENCES) & set(MAPPERS), "a set is either mapped or only referenced"


@pytest.mark.parametrize("ts", sorted(MAPPERS))
def test_docs_describe_every_mapped_set_with_the_tables_it_fills(ts: str) -> None:
    headings = [line for line in DOCS.read_text(encoding="utf-8").splitlines() if line.startswith("### ")]
    mine = [h for h in headings if re.search(rf"\b{ts}\b", h)]
    assert mine, f"docs/edi.md has no section for {ts}"
    assert mine[0].rsplit("→", 1)[1].strip() == MAPPED_SETS[ts]


def test_registering_a_mapper_is_all_a_new_set_needs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A set id the parser did not know: one registry entry and its rows load, with lineage."""
    text = (
        "ISA*00*          *00*          *ZZ*CARRIER        *ZZ*ACME           *240105*1200*^*00501*000000001*0*P*>~"
        "GS*QO*CARRIER*ACME*20240105*1200*1*X*005010~ST*869*0001~BSI*SHIP1*20240106~SE*3*0001~"
        "GE*1*1~IEA*1*000000001~"
    )
    before = parse_text(tmp_path, text)
    assert "X12-SET-NOT-MAPPED" in codes(before)
    assert before.tables["deliveries"].num_rows == 0

    def map_869(c: SetContext) -> tuple[str | None, str | None]:
        el = c.segs[1]
        row = [None] * len(LINES["deliveries"])
        for name, value in (("shipment_id", el[1]), ("_source_file", c.file), ("_source_row", c.base + 1),
                            ("_interchange_control", c.icc), ("_set_control", c.sc)):
            row[slot("deliveries", name)] = value
        c.emit("deliveries", None, [row])
        return el[1], c.date(el[2], 1, "BSI02")

    monkeypatch.setitem(MAPPERS, "869", SetMapper("869", map_869, frozenset({"BSI"}), ("deliveries",)))
    after = parse_text(tmp_path, text)
    assert "X12-SET-NOT-MAPPED" not in codes(after)
    assert rows(after, "deliveries", lineage=True) == [{
        **dict.fromkeys(COLUMNS["deliveries"]), "shipment_id": "SHIP1", "_source_file": "in.edi",
        "_source_row": 4, "_interchange_control": "000000001", "_set_control": "0001",
    }]
    assert rows(after, "edi_documents")[0]["reference"] == "SHIP1"
