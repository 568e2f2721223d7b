"""Many small interchanges of one file mapped as ONE columnar block (`parser._Parser._batch`).

Each input is parsed as the reference (columnar pass off, one interchange at a time) and with the
columnar pass taking every block however small, the small interchanges batched into blocks of a
drawn size (1 segment: every interchange alone; large: the whole file one block); tables column by
column, findings and file summaries must be the same. The generated files mix interchanges with
different element/component/repetition separators and terminators, 850/810/856/997 sets, and
malformed interchanges (wrong SE count, no IEA, a damaged ISA, a set without BEG) among good ones.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recon.load.x12 import X12Options, columnar, parallel, parse_x12_files, parser

from .helpers import assert_both_ways_same, assert_text_both_ways_same, isa

# (element, component, repetition, terminator): one file may hold interchanges of several partners.
DELIMITERS = [("*", ">", "U", "~\n"), ("|", ":", "^", "~"), ("^", "\\", "U", "'\n"), ("*", ":", "!", "\n"),
              ("*", ">", "U", "~")]


def _po(n: int, lines: int, e: str, dirty: bool = False) -> list[str]:
    segs = [f"BEG{e}00{e}SA{e}PO{n}{e}{e}20240105", f"CUR{e}BY{e}USD", f"N1{e}BY{e}BUYER{e}92{e}C{n}",
            f"DTM{e}002{e}20240115"]
    for k in range(1, lines + 1):
        qty = "3." if dirty and k == 1 else str(k)
        segs += [e.join(["PO1", str(k), qty, "EA", f"{k}.5", "", "VP", f"SKU{n}-{k}"]), f"PID{e}F{e}{e}{e}{e}ITEM {k}"]
    return [*segs, f"CTT{e}{lines}"]


def _invoice(n: int, lines: int, e: str) -> list[str]:
    segs = [f"BIG{e}20240107{e}INV{n}{e}{e}PO{n}", f"CUR{e}SE{e}USD"]
    for k in range(1, lines + 1):
        segs += [e.join(["IT1", str(k), str(k), "EA", "2.25", "", "VP", f"SKU{n}-{k}"]), f"PID{e}F{e}{e}{e}{e}D{k}"]
    return [*segs, f"TDS{e}1000", f"CTT{e}{lines}"]


def _asn(n: int, e: str) -> list[str]:
    return [f"BSN{e}00{e}ASN{n}{e}20240106{e}1400", f"HL{e}1{e}{e}S", f"HL{e}2{e}1{e}O",
            f"PRF{e}PO{n}", f"HL{e}3{e}2{e}I", f"LIN{e}1{e}VP{e}SKU{n}-1", f"SN1{e}{e}3{e}EA", f"CTT{e}3"]


def _ack(n: int, e: str) -> list[str]:
    return [f"AK1{e}PO{e}{n}", f"AK9{e}A{e}1{e}1{e}1"]


DEFECTS = ["none", "none", "none", "se-count", "no-iea", "damaged-isa", "no-beg", "dirty-line", "separator",
           "blank-pid", "blank-n1"]
"""Per interchange: fine, or one defect (the blank ones make segments the mandatory check reports: the
tokenizer's suspects, which the block must place by file position)."""


@st.composite
def interchange(draw: st.DrawFn, control: int) -> tuple[list[str], str]:
    """One interchange's segments and terminator: a PO group, maybe IN/SH/FA groups, maybe one defect."""
    e, comp, rep, term = draw(st.sampled_from(DELIMITERS))
    defect = draw(st.sampled_from(DEFECTS))
    groups: list[tuple[str, str, list[list[str]]]] = [
        ("PO", "850", [_po(control * 10 + k, draw(st.integers(0, 4)), e, defect == "dirty-line" and k == 0)
                       for k in range(draw(st.integers(1, 3)))])]
    if draw(st.booleans()):
        groups.append(("IN", "810", [_invoice(control * 10 + k, draw(st.integers(1, 3)), e)
                                     for k in range(draw(st.integers(1, 2)))]))
    if draw(st.booleans()):
        groups.append(("SH", "856", [_asn(control, e)]))
    if draw(st.booleans()):
        groups.append(("FA", "997", [_ack(control, e)]))
    if defect == "no-beg":
        groups[0][2][0].pop(0)
    if defect == "blank-pid":  # PID01 is mandatory: the set's lines go the reference way
        groups[0][2][-1].insert(-1, f"PID{e}{e}{e}{e}{e}NO TYPE")
    if defect == "blank-n1":  # N101 is mandatory: the set's header goes the reference way
        groups[0][2][-1].insert(1, f"N1{e}{e}NOBODY")
    if defect == "separator":  # a component separator in a line's value: the mapper warns, so the reference way
        groups[0][2][0].append(f"PID{e}F{e}{e}{e}{e}A{comp}B")
    head = isa("ACME", "BIGBOX", control, e=e, comp=comp, rep=rep, version="00501")
    if defect == "damaged-isa":
        head = "IS" + head[3:]
    segs = [head]
    for g, (fid, ts, bodies) in enumerate(groups, start=1):
        gctl = control * 10 + g
        segs.append(e.join(["GS", fid, "ACME", "BIGBOX", "20240105", "1200", str(gctl), "X", "005010"]))
        for n, body in enumerate(bodies, start=1):
            count = len(body) + 2 + (1 if defect == "se-count" and g == 1 else 0)
            segs += [e.join(["ST", ts, f"{n:04d}"]), *body, e.join(["SE", str(count), f"{n:04d}"])]
        segs.append(e.join(["GE", str(len(bodies)), str(gctl)]))
    if defect != "no-iea":
        segs.append(e.join(["IEA", str(len(groups)), f"{control:09d}"]))
    return segs, term


@st.composite
def files(draw: st.DrawFn) -> str:
    parts = [draw(interchange(control)) for control in range(1, draw(st.integers(2, 7)) + 1)]
    return "".join(term.join(segs) + term for segs, term in parts)


OPTIONS = X12Options(our_ids=["BIGBOX"])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=files(), block=st.sampled_from([1, 7, 20, 45, 90, 65_536]))
def test_generated_files_batched(text: str, block: int) -> None:
    assert_text_both_ways_same(columnar, text, OPTIONS, block)


def _file(tmp_path: Path, n: int = 12) -> Path:
    """Twelve interchanges: two partners' delimiters alternating, a defect in the middle."""
    out = []
    for control in range(1, n + 1):
        e, comp, rep, term = DELIMITERS[control % 2]
        bodies = [_po(control * 10 + k, 3, e) for k in range(3)]
        segs = [isa("ACME", "BIGBOX", control, e=e, comp=comp, rep=rep, version="00501"),
                e.join(["GS", "PO", "ACME", "BIGBOX", "20240105", "1200", str(control), "X", "005010"])]
        for k, body in enumerate(bodies, start=1):
            count = len(body) + 2 + (control == n // 2)  # the middle interchange's sets have a wrong SE count
            segs += [e.join(["ST", "850", f"{k:04d}"]), *body, e.join(["SE", str(count), f"{k:04d}"])]
        segs += [e.join(["GE", str(len(bodies)), str(control)]), e.join(["IEA", "1", f"{control:09d}"])]
        out.append(term.join(segs) + term)
    path = tmp_path / "many.edi"
    path.write_text("".join(out), encoding="utf-8")
    return path


def test_a_block_holds_several_interchanges(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not a vacuous comparison: the block spans interchanges of both delimiter sets, one kind per set of
    delimiters, and the columnar pass takes their clean sets."""
    blocks: list[Any] = []
    original = columnar.prepare_many

    def spy(walked: list, *args: Any, **kwargs: Any) -> Any:
        block = original(walked, *args, **kwargs)
        blocks.append((len(walked), block))
        return block

    path = _file(tmp_path)
    assert_both_ways_same(columnar, [path], OPTIONS, 120)
    monkeypatch.setattr(columnar, "prepare_many", spy)
    monkeypatch.setattr(columnar, "MIN_SEGMENTS", 0)
    monkeypatch.setattr(parser, "BLOCK_SEGMENTS", 120)  # 3 interchanges of 43 segments per block
    result = parse_x12_files([path], OPTIONS)
    assert [n for n, _ in blocks] == [3, 3, 3, 3]
    block = blocks[0][1]
    assert block is not None and len(block.kinds) == 2  # "*" and "|" element separators
    assert all(kind.clean.all() and kind.taken.all() for kind in block.kinds)
    taken = sum(int(kind.taken.sum()) for _, b in blocks for kind in b.kinds)
    assert taken == 33  # 12 x 3 sets, less the middle interchange's three (wrong SE count: rejected)
    assert result.tables["order_lines"].num_rows == 99
    assert "X12-SE01-COUNT" in {f.code for f in result.findings}


def test_a_failing_batched_pass_leaves_the_block_to_the_mappers(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = _file(tmp_path)
    expected = parse_x12_files([path], OPTIONS)

    def raising(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("prepare_many bug")

    monkeypatch.setattr(columnar, "MIN_SEGMENTS", 0)
    monkeypatch.setattr(columnar, "prepare_many", raising)
    got = parse_x12_files([path], OPTIONS)
    for entity, table in expected.tables.items():
        assert got.tables[entity].equals(table), entity
    assert [f.to_dict() for f in got.findings] == [f.to_dict() for f in expected.findings]


def test_blocks_inside_the_parts_of_a_cut_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file cut into parts (`parallel`), each part batched into blocks that end anywhere: the serial
    reference's tables, findings and summaries. The workers take this process's block size and threshold
    (`processes.SWITCHES`)."""
    path = _file(tmp_path, 30)
    names = {path: path.name}
    monkeypatch.setattr(parser, "BLOCK_SEGMENTS", 0)
    expected = parse_x12_files([path], OPTIONS, names)
    monkeypatch.setattr(parallel, "PART_MIN_BYTES", 1500)
    monkeypatch.setattr(parallel, "BALANCE", 0.5)  # always cut
    monkeypatch.setattr(parallel, "_part_bytes", lambda sizes, workers: 7_000)
    monkeypatch.setattr(columnar, "MIN_SEGMENTS", 0)
    monkeypatch.setattr(parser, "BLOCK_SEGMENTS", 100)
    tasks = parallel._plan([path], [path.name], OPTIONS, str(tmp_path), 2)
    assert sum(1 for t in tasks if t.part) >= 3, "the file is cut into parts"
    got = parse_x12_files([path], OPTIONS, names, workers=2, parallel_min_bytes=0)
    for entity, table in expected.tables.items():
        assert got.tables[entity].to_pylist() == table.to_pylist(), entity
    assert [f.to_dict() for f in got.findings] == [f.to_dict() for f in expected.findings]
    assert [f.to_dict() for f in got.files] == [f.to_dict() for f in expected.files]
