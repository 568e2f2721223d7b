"""The 850 headers read in Arrow (`load.x12.headers`) give exactly what `map_850` gives.

Each input is parsed with the columnar pass on everywhere, once with the headers left to the
mapper (the reference) and once read in Arrow wherever a set qualifies; tables are compared
column by column, findings and file summaries as a whole. The generated headers mix what the
Arrow read takes with everything it must leave to the mapper (dates to warn about, times, a
second BEG, AMT, a CTT that disagrees, empty mandatory elements, separators in values).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recon.load.x12 import X12Options, columnar, headers, parse_x12_files
from recon.load.x12.result import X12Result
from recon.load.x12.sets import registry
from recon.load.x12.sets.base import SetContext

from .helpers import FIXTURES, assert_both_ways_same, assert_fallback_is_the_reference, assert_text_both_ways_same

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "edi-corpus"
if not CORPUS.is_dir():
    CORPUS = Path("/work/shared/edi-corpus")


@pytest.fixture(autouse=True)
def _columnar_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(columnar, "MIN_SEGMENTS", 0)


def assert_same(paths: list[Path], options: X12Options | None = None) -> X12Result:
    return assert_both_ways_same(headers, paths, options)


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in (".edi", ".x12", ".txt", ".dat"))


def test_fixtures_and_corpus() -> None:
    files = _files(FIXTURES) + (_files(CORPUS) if CORPUS.is_dir() else [])
    assert files
    for path in files:
        assert_same([path])
    assert_same(_files(FIXTURES))


def _interchange(bodies: list[list[str]], component: str = ">") -> str:
    isa = ["ISA", "00", " " * 10, "00", " " * 10, "ZZ", f"{'BIGBOX':<15}", "ZZ", f"{'ACME':<15}", "240105", "1200",
           "^", "00501", "000000001", "0", "P", component]
    out = ["*".join(isa), "GS*PO*BIGBOX*ACME*20240105*1200*1*X*005010"]
    for n, body in enumerate(bodies, start=1):
        out += [f"ST*850*{n:04d}", *body, f"SE*{len(body) + 2}*{n:04d}"]
    out += [f"GE*{len(bodies)}*1", "IEA*1*000000001"]
    return "~\n".join(out) + "~\n"


def _po(n: int, head: list[str], lines: int = 2, trailer: list[str] | None = None) -> list[str]:
    body = list(head)
    for k in range(1, lines + 1):
        body += [f"PO1*{k}*{k}*EA*1.5**VP*SKU{k}", f"PID*F****ITEM {k}"]
    return body + (trailer if trailer is not None else [f"CTT*{lines}"])


def test_a_plain_850_takes_no_mapper_call(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not a vacuous comparison: the plain set's header is read in Arrow, the one with a bad date by the mapper."""
    plain = ["BEG*00*SA*PO1**20240105", "CUR*BY*USD", "N1*BY*BUYER*92*C1", "N1*WH*DC*92*W7", "DTM*002*20240115"]
    path = tmp_path / "po.edi"
    path.write_text(_interchange([_po(1, plain), _po(2, ["BEG*00*SA*PO2**20240231"])]))
    result = assert_same([path], X12Options(our_ids=["ACME"]))
    mapped: list[str] = []
    original = registry.MAPPERS["850"]

    def spy(c: SetContext) -> tuple[str | None, str | None]:
        mapped.append(c.sc)
        return original.map(c)

    monkeypatch.setitem(registry.MAPPERS, "850", original._replace(map=spy))
    parse_x12_files([path], X12Options(our_ids=["ACME"]))
    assert mapped == ["0002"]
    orders_rows = result.tables["orders"].to_pylist()
    assert [r["site"] for r in orders_rows] == ["W7", None]
    assert orders_rows[0]["requested_delivery_at"] == "2024-01-15"


# Values the Arrow read takes come several times over (sampled_from picks uniformly), so that about
# half of the sets take it and the other half exercise its refusals.
DATES = st.sampled_from(["20240105", "20231130"] * 6
                        + ["240105", "20240231", "", " ", "2024010", "00000101", "2024-01-05", "٢٠٢٤٠١٠٥"])
PLAIN = st.sampled_from(["00", "01", "SA"] * 5 + ["", " ", "0 1", "Ü"])
ORDER_IDS = st.sampled_from(["PO1"] * 12 + ["", " ", "P>1"])
QUALS = st.sampled_from(["BY", "ST", "WH", "SF", "BT", ""])
NAMES = st.sampled_from(["NAME", ""] * 5 + ["A^B"])
TIMES = st.sampled_from(["1200", "99", ""])


@st.composite
def heads(draw: st.DrawFn) -> list[str]:
    beg = ["BEG", draw(PLAIN), draw(PLAIN), draw(ORDER_IDS), "", draw(DATES)]
    if draw(st.integers(0, 5)) == 0:
        beg = beg[: draw(st.integers(1, len(beg)))]
    segs = ["*".join(beg)]
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["N1", "N1", "N1", "CUR", "CUR", "DTM", "DTM", "REF", "N3", "N1short", "DTMtime",
                                     "AMT", "BEG", "CTT"]))
        segs.append({
            "N1": f"N1*{draw(QUALS)}*{draw(NAMES)}*92*{draw(st.sampled_from(['ID', '']))}",
            "N1short": f"N1*{draw(QUALS)}",
            "CUR": f"CUR*BY*{draw(st.sampled_from(['USD', '', 'EUR']))}",
            "DTM": f"DTM*{draw(st.sampled_from(['002', '010', '011']))}*{draw(DATES)}",
            "DTMtime": f"DTM*{draw(st.sampled_from(['002', '010']))}*20240105*{draw(TIMES)}",
            "REF": "REF*DP*001",
            "AMT": "AMT*TT*12.5",
            "BEG": "BEG*00*SA*PO9**20240105",
            "CTT": f"CTT*{draw(st.sampled_from(['2', '02', '3', '']))}",
            "N3": draw(st.sampled_from(["N3*1 MAIN ST"] * 4 + ["N3*"])),  # N301 empty: a mandatory warning
        }[kind])
    if draw(st.integers(0, 6)) == 0:
        segs.insert(0, "REF*DP*001")  # BEG not right after ST
    return segs


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, X12Options]:
    bodies = []
    for n in range(1, draw(st.integers(1, 4)) + 1):
        trailer = draw(st.sampled_from([None] * 6 + [[], ["CTT*3"], ["CTT*2", "DTM*002*20240301"], ["N1*BY*LATE*92*L"],
                                                    ["AMT*TT*1"], ["CTT*2", "CTT*x"]]))
        bodies.append(_po(n, draw(heads()), draw(st.integers(1, 3)), trailer))
    options = X12Options(our_ids=["ACME"], customer_party=draw(st.sampled_from(["BY", "ST", "BT"])),
                         site_parties=draw(st.sampled_from([["WH", "SF"], ["WH"], ["ST", "WH"], []])))
    return _interchange(bodies, component=draw(st.sampled_from([">", ":"]))), options


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_generated_headers(doc: tuple[str, X12Options]) -> None:
    assert_text_both_ways_same(headers, *doc)


def test_a_failing_header_read_leaves_the_mapper_to_it(monkeypatch: pytest.MonkeyPatch) -> None:
    assert_fallback_is_the_reference(monkeypatch, headers, "read_850", _files(FIXTURES))
