"""The X12 files are valid 004010: fixed-width ISA, counts and control numbers that add up."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from recon.load.x12 import X12Options, parse_x12_files
from recon.sample.world import OUR_ISA_ID


def interchanges(path: Path) -> list[list[list[str]]]:
    segments = [s.strip() for s in path.read_text(encoding="utf-8").split("~") if s.strip()]
    out: list[list[list[str]]] = []
    for seg in segments:
        if seg.startswith("ISA"):
            out.append([])
        out[-1].append(seg.split("*"))
    return out


def test_envelopes_add_up(sample_dir: Path) -> None:
    files = sorted((sample_dir / "edi").glob("*.x12"))
    assert [f.name for f in files] == ["inbound_850.x12", "inbound_997.x12", "outbound_810.x12", "outbound_856.x12"]
    isa_seen: Counter[tuple[str, str, str]] = Counter()
    for path in files:
        text = path.read_text(encoding="utf-8")
        for line in text.splitlines():
            if line.startswith("ISA"):
                assert len(line) == 106, line  # 105 characters and the segment terminator
        for ic in interchanges(path):
            isa, gs, ge, iea = ic[0], ic[1], ic[-2], ic[-1]
            isa_seen[(isa[6].strip(), isa[8].strip(), isa[13])] += 1
            assert gs[0] == "GS" and ge[0] == "GE" and iea[0] == "IEA"
            assert iea[1] == "1" and iea[2] == isa[13]
            assert ge[2] == gs[6]
            sets, start = 0, None
            for k, seg in enumerate(ic):
                if seg[0] == "ST":
                    start = k
                elif seg[0] == "SE":
                    assert start is not None
                    assert int(seg[1]) == k - start + 1 and seg[2] == ic[start][2]
                    sets += 1
            assert int(ge[1]) == sets
    assert max(isa_seen.values()) == 1, "ISA13 is never reused between the same sender and receiver"


def test_the_x12_parser_finds_nothing_wrong(sample_dir: Path) -> None:
    files = sorted((sample_dir / "edi").glob("*.x12"))
    result = parse_x12_files(files, X12Options(our_ids=[OUR_ISA_ID]))
    assert [f.to_dict() for f in result.findings] == []
    docs = result.tables["edi_documents"].to_pylist()
    assert {d["transaction_set"] for d in docs} == {"850", "856", "810", "997"}
    outbound = [(d["transaction_set"], d["control_number"]) for d in docs if d["direction"] == "outbound"]
    assert len(outbound) == len(set(outbound)) and {t for t, _ in outbound} == {"856", "810"}
    assert all(d["direction"] == "inbound" for d in docs if d["transaction_set"] in ("850", "997"))
