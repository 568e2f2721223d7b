"""The columnar line mapping (`load.x12.columnar`) gives exactly what the per-set mappers give.

Each input is parsed twice: with the columnar pass off (the mappers alone, the reference) and
with it taking every block however small; tables are compared column by column (values, types
and row order), findings and file summaries as a whole.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recon.load.x12 import X12Options, columnar
from recon.load.x12.result import X12Result

from .helpers import FIXTURES, assert_both_ways_same, assert_fallback_is_the_reference, assert_text_both_ways_same

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "edi-corpus"
if not CORPUS.is_dir():
    CORPUS = Path("/work/shared/edi-corpus")


def assert_same(paths: list[Path], options: X12Options | None = None) -> X12Result:
    """Parse with and without the columnar pass and require identical output; returns the columnar one."""
    return assert_both_ways_same(columnar, paths, options)


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in (".edi", ".x12", ".txt", ".dat"))


def test_fixtures_each_and_together() -> None:
    files = _files(FIXTURES)
    assert files
    for path in files:
        assert_same([path])
    assert_same(files)  # rows of several files in one table: the file order holds too


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not on this machine")
def test_shared_corpus() -> None:
    files = _files(CORPUS)
    assert files
    for path in files:
        assert_same([path])


def test_the_columnar_pass_takes_clean_sets(tmp_path: Path) -> None:
    """Not a vacuous comparison: a clean 850 and 810 are mapped by the columnar pass, a dirty one is not."""
    path = tmp_path / "clean.edi"
    path.write_text(_interchange([_po(1, [_line(1, "3", "1.25", [("VP", "A"), ("UP", "0123")])]),
                                  _po(2, [_line(1, "3.", "1.25", [("VP", "A")])])],
                                 [_invoice(1, [_line(1, "2", "4.5", [("BP", "X")])])]))
    seen: list[tuple[str, list[bool]]] = []
    original = columnar.prepare_many

    def spy(*args, **kwargs):
        block = original(*args, **kwargs)
        if block is not None:
            seen.extend((k.entity, k.clean.tolist()) for k in block.kinds)
        return block

    columnar.prepare_many = spy
    try:
        result = assert_same([path])
    finally:
        columnar.prepare_many = original
    assert sorted(seen) == [("invoice_lines", [True]), ("order_lines", [True, False])]
    assert result.tables["order_lines"]["qty"].to_pylist() == ["3", "3"]  # "3." normalised the reference way


# -- generated sets -----------------------------------------------------------------------------

def _line(ref: str | int, qty: str, price: str, pairs: list[tuple[str, str]], extra: int = 0) -> list[str]:
    el = ["PO1", str(ref), qty, "EA", price, "PE"]
    for q, v in pairs:
        el += [q, v]
    return el + [""] * extra


def _po(n: int, lines: list[list[str]], pids: list[list[list[str]]] | None = None) -> list[str]:
    segs = [f"BEG*00*SA*PO{n}**20240105", "CUR*BY*USD", "N1*BY*BUYER*92*C1", "DTM*002*20240115"]
    for k, line in enumerate(lines):
        segs.append("*".join(line))
        for pid in (pids[k] if pids else [["PID", "F", "", "", "", f"ITEM {k}"]]):
            segs.append("*".join(pid))
    segs.append(f"CTT*{len(lines)}")
    return segs


def _invoice(n: int, lines: list[list[str]], sac: bool = False) -> list[str]:
    segs = [f"BIG*20240107*INV{n}**PO{n}", "CUR*SE*USD"]
    for k, line in enumerate(lines):
        segs.append("*".join(["IT1", *line[1:5], "", *line[6:]]))
        segs.append(f"PID*F****DESC {k}")
        if sac and k == 0:
            segs.append("SAC*A*C310***150")
    return [*segs, "TDS*10000", "SAC*C*D240***1500", f"CTT*{len(lines)}"]


def _interchange(orders: list[list[str]], invoices: list[list[str]], component: str = ">") -> str:
    isa = ["ISA", "00", " " * 10, "00", " " * 10, "ZZ", f"{'ACME':<15}", "ZZ", f"{'BIGBOX':<15}", "240105", "1200",
           "^", "00501", "000000001", "0", "P", component]
    out = ["*".join(isa)]
    groups = [("PO", "850", orders), ("IN", "810", invoices)]
    for g, (fid, ts, sets) in enumerate(groups, start=1):
        out.append(f"GS*{fid}*ACME*BIGBOX*20240105*1200*{g}*X*005010")
        for n, body in enumerate(sets, start=1):
            out += [f"ST*{ts}*{n:04d}", *body, f"SE*{len(body) + 2}*{n:04d}"]
        out.append(f"GE*{len(sets)}*{g}")
    out.append("IEA*2*000000001")
    return "~\n".join(out) + "~\n"


NUMBERS = st.sampled_from(["", "3", "12.5", "0.25", "3.", ".5", "-2", "1E3", "abc", " 4", "٣", "007", "1,5", "2.5.1"])
QUALS = st.sampled_from(["VP", "UP", "BP", "IN", "", "ZZ"])
IDS = st.sampled_from(["SKU-1", "0123", "", "A>B", "X^Y", "Ü1"])
REFS = st.sampled_from(["1", "2", "", "A1", "007", "١", "10"])
PID5 = st.sampled_from(["RED", "", "BLUE WIDGET", "A^B"])


@st.composite
def lines(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    pairs = draw(st.lists(st.tuples(QUALS, IDS), max_size=3))
    line = _line(draw(REFS), draw(NUMBERS), draw(NUMBERS), pairs, extra=draw(st.sampled_from([0, 0, 0, 1])))
    if draw(st.booleans()):
        line = line[: draw(st.integers(2, len(line)))]  # trailing elements dropped
    pids = draw(st.lists(st.sampled_from(["full", "short", "empty-05", "blank-01"]), max_size=3))
    shapes = {
        "full": ["PID", "F", "", "", "", draw(PID5)],
        "short": ["PID", "F", "08"],
        "empty-05": ["PID", "F", "", "", "", ""],
        "blank-01": ["PID", "", "", "", "", "DESC"],
    }
    return line, [shapes[p] for p in pids]


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, X12Options]:
    orders = []
    for n in range(1, draw(st.integers(1, 3)) + 1):
        drawn = draw(st.lists(lines(), max_size=4))
        body = _po(n, [d[0] for d in drawn], [d[1] for d in drawn])
        if draw(st.integers(0, 9)) == 0:
            body = body[1:]  # no BEG: the set is rejected
        if drawn and draw(st.integers(0, 5)) == 0:
            body.insert(1, "PID*F****BEFORE ANY LINE")
        orders.append(body)
    invoices = []
    for n in range(1, draw(st.integers(0, 2)) + 1):
        drawn = draw(st.lists(lines(), max_size=3))
        invoices.append(_invoice(n, [d[0] for d in drawn], sac=draw(st.booleans())))
    options = X12Options(our_ids=["ACME"], item_qualifiers=draw(st.sampled_from([["VP"], ["BP", "VP"], ["UP"], []])),
                         item_fallback=draw(st.booleans()))
    return _interchange(orders, invoices, component=draw(st.sampled_from([">", ":"]))), options


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_generated_sets(doc: tuple[str, X12Options]) -> None:
    assert_text_both_ways_same(columnar, *doc)


def test_a_failing_columnar_pass_leaves_the_mappers_to_it(monkeypatch: pytest.MonkeyPatch) -> None:
    assert_fallback_is_the_reference(monkeypatch, columnar, "prepare_many", _files(FIXTURES))
