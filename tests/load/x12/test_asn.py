"""The 856 ship notices read in Arrow (`load.x12.asn`) give exactly what `map_856` gives.

Each input is parsed as the reference (the 856s left to the mapper, one interchange at a time) and
with the Arrow read taking every block however small, small interchanges batched into blocks of a
drawn size; tables column by column, findings and file summaries must be the same. The generated
sets mix what the read takes (S/O/I chains, header context at every level, LIN with LT pairs, plain
numbers) with everything it must leave to the mapper (other HL shapes: S/O/P/I, S/T/P/O/I, items
under a pack, LIN before any HL, parents that are missing, wrong or repeated ids; REF/MAN/DTM at item
level, MAN at a tare level; PL pairs, odd or incomplete id pairs; dirty quantities; bad BSN or DTM
dates and times; blank mandatory elements; a component separator in the text; non-ASCII values).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recon.load.x12 import X12Options, asn, columnar, parse_x12_files
from recon.load.x12.sets import registry
from recon.load.x12.sets.base import SetContext

from .helpers import FIXTURES, assert_both_ways_same, assert_fallback_is_the_reference, assert_text_both_ways_same
from .test_columnar import CORPUS, _files

OPTIONS = X12Options(our_ids=["ACME"])


@pytest.fixture(autouse=True)
def _columnar_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(columnar, "MIN_SEGMENTS", 0)


def test_fixtures_and_corpus() -> None:
    """Each file alone, then the fixtures together cut into 50-segment blocks."""
    for path in _files(FIXTURES) + (_files(CORPUS) if CORPUS.is_dir() else []):
        assert_both_ways_same(asn, [path])
    assert_both_ways_same(asn, _files(FIXTURES), block_segments=50)


def _interchange(bodies: list[list[str]], control: int = 1, e: str = "*", component: str = ">",
                 term: str = "~\n") -> str:
    isa = ["ISA", "00", " " * 10, "00", " " * 10, "ZZ", f"{'ACME':<15}", "ZZ", f"{'BIGBOX':<15}", "240105", "1200",
           "^", "00501", f"{control:09d}", "0", "P", component]
    out = [e.join(isa), e.join(["GS", "SH", "ACME", "BIGBOX", "20240105", "1200", str(control), "X", "005010"])]
    for n, body in enumerate(bodies, start=1):
        out += [e.join(["ST", "856", f"{n:04d}"]), *(s.replace("*", e) for s in body),
                e.join(["SE", str(len(body) + 2), f"{n:04d}"])]
    out += [e.join(["GE", str(len(bodies)), str(control)]), e.join(["IEA", "1", f"{control:09d}"])]
    return term.join(out) + term


def _plain(n: int, items: int = 2) -> list[str]:
    body = [f"BSN*00*ASN{n}*20240106*1400*0001", "HL*1**S", "TD5**2*UPSN", f"REF*BM*BOL{n}", "DTM*011*20240106*1530",
            "N1*SF*ACME DC*92*DC01", "N1*ST*STORE 7*92*S007", "HL*2*1*O", f"PRF*PO{n}", f"REF*VN*SO{n}"]
    for k in range(items):
        body += [f"HL*{k + 3}*2*I", f"LIN*{k + 1}*VP*SKU{k}*LT*L{k}", f"SN1**{k + 2}*EA"]
    return [*body, f"CTT*{items}"]


def _mapper_calls(path: Path, options: X12Options, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The control numbers of the 856s `map_856` maps when `path` is parsed (the others were read in Arrow)."""
    mapped: list[str] = []
    original = registry.MAPPERS["856"]

    def spy(c: SetContext) -> tuple[str | None, str | None]:
        mapped.append(c.sc)
        return original.map(c)

    with monkeypatch.context() as m:
        m.setitem(registry.MAPPERS, "856", original._replace(map=spy))
        parse_x12_files([path], options)
    return mapped


def test_a_plain_856_takes_no_mapper_call(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not a vacuous comparison: the plain sets are read in Arrow, the one with a pack level by the mapper."""
    packed = _plain(3)
    packed.insert(10, "HL*9*2*P")
    packed[11] = "HL*3*9*I"
    path = tmp_path / "asn.edi"
    path.write_text(_interchange([_plain(1), _plain(2, 3), packed]))
    result = assert_both_ways_same(asn, [path], OPTIONS)
    assert _mapper_calls(path, OPTIONS, monkeypatch) == ["0003"]
    rows = result.tables["shipment_lines"].to_pylist()
    assert len(rows) == 7
    first = rows[0]
    assert (first["order_id"], first["customer_po"], first["lot"], first["site"], first["tracking_no"]) == (
        "SO1", "PO1", "L0", "DC01", "BOL1")
    assert (first["shipped_at"], first["carrier"], first["ship_to_id"], first["qty"]) == (
        "2024-01-06 15:30:00", "UPSN", "S007", "2")


def test_context_repeated_at_both_levels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """First-wins (N1 ship-to and site) and last-wins (PRF, DTM*011, MAN, REF by tracking rank) values set at
    both header levels: read in Arrow and by the mapper alike."""
    body = _plain(1)
    body[1:1] = ["REF*CN*PRO0", "N1*ST**92*", "MAN*GM*SSCC0"]
    body[10:10] = ["N1*ST*OTHER*92*S9", "N1*SF*SECOND*92*DC02", "N1*SF**92*", "DTM*011*20240108", "PRF*PO9",
                   "REF*2I*TRK9", "MAN*GM*SSCC9", "TD5**2**M*CARR9"]
    path = tmp_path / "asn.edi"
    path.write_text(_interchange([body, _plain(2)]))
    options = X12Options(our_ids=["ACME"], tracking_refs=["2I", "CN"])
    assert _mapper_calls(path, options, monkeypatch) == []
    rows = assert_both_ways_same(asn, [path], options).tables["shipment_lines"].to_pylist()
    got = {k: rows[0][k] for k in ("ship_to_id", "ship_to_name", "site", "shipped_at", "customer_po", "sscc",
                                   "tracking_no", "carrier", "pro_no")}
    assert got == {"ship_to_id": "S007", "ship_to_name": "STORE 7", "site": "DC01", "shipped_at": "2024-01-08",
                   "customer_po": "PO1", "sscc": "SSCC9", "tracking_no": "TRK9", "carrier": "CARR9", "pro_no": "PRO0"}


# Segments drawn for each level; the plain ones come several times over, so that about a third of the
# sets take the Arrow read and the rest exercise its refusals.
HEADER = st.sampled_from(
    ["TD5**2*UPSN", "TD5**2**M*CARR", "TD5**2", "REF*BM*BOL1", "REF*CN*PRO1", "REF*2I*TRK", "REF*VN*SO1",
     "REF*VN*", "REF*LT*HLOT", "REF*BM*BOL2", "REF*CN*", "DTM*011*20240106*1530", "DTM*011*20240107",
     "DTM*011**1200", "DTM*017*20240108", "N1*ST*STORE*92*S1", "N1*ST**92*", "N1*ST*NAMEONLY", "N1*SF*DC*92*W1",
     "N1*WH*WAREHOUSE", "N1*SF**92*", "MAN*GM*00012345", "MAN*CP*PKG1", "MAN*UC*1", "PRF*PO1", "PRF*PO2",
     "TD1*CTN*4"] * 8
    + ["DTM*011*20240231", "DTM*011*20240106*2599", "DTM*011*240106", "N1*ST*STÖRE*92*S1", "REF*", "N3*", "PRF*",
       "MAN*UC*"]
)
ITEM_LIN = st.sampled_from(
    ["LIN*1*VP*SKU1", "LIN*2*VP*SKU2*UP*0123", "LIN*A7*VP*SKU3*LT*LOT3", "LIN**BP*B1", "LIN*5*LT*L5*VP*S5"]
    * 8 + ["LIN*6*VP*S6*PL*001", "LIN*7*VP*", "LIN*8*VP*S8*UP", "LIN*9*VP*S9*UP*1*BP*2", "LIN*10*LT", "LIN*4",
                "LIN*11*VP*S11**X", "LIN*12**X*VP*S12"]
)
ITEM_SN1 = st.sampled_from(
    ["SN1**3*EA", "SN1*9*2.5*CA**4", "SN1**10*EA***AC", "SN1*X1*1*LB"] * 10
    + ["SN1**1,5*EA", "SN1**.5*EA", "SN1**1*EA**x", "SN1", "SN1***EA", "SN1*X1*1"]
)
ITEM_EXTRA = st.sampled_from([[]] * 30 + [["PID*F****DESC"]] * 5
                             + [["REF*LT*ILOT"], ["MAN*GM*9"], ["DTM*011*20240109"]])
PURPOSES = st.sampled_from(["00"] * 20 + ["01", "03", " "])
BSN_DATES = st.sampled_from(["20240106"] * 20 + ["240106", "20240231", ""])
BSN_TIMES = st.sampled_from(["1400", "091530"] * 10 + ["2561", "14", ""])


@st.composite
def ship_notice(draw: st.DrawFn, n: int) -> list[str]:
    """One 856 body: BSN, a chain of header HLs with their segments, items under the last (or a mess)."""
    shape = draw(st.sampled_from(["SOI"] * 12 + ["SI", "SOPI", "STPOI", "flat", "SOIO"]))
    bsn = ["BSN", draw(PURPOSES), draw(st.sampled_from([f"ASN{n}"] * 20 + [""])), draw(BSN_DATES), draw(BSN_TIMES)]
    body = ["*".join(bsn[: draw(st.sampled_from([5] * 20 + [4, 3]))])]
    if draw(st.integers(0, 30)) == 0:
        body.insert(0, "REF*BM*EARLY")  # BSN not right after ST
    if draw(st.integers(0, 9)) == 0:
        body += ["REF*CN*BEFOREHL"]  # context before the first HL (the mapper's header context)
    levels = {"SOI": "SO", "SI": "S", "SOPI": "SOP", "STPOI": "STPO", "flat": "", "SOIO": "SO"}[shape]
    ids = [str(k) for k in range(1, len(levels) + 1)]
    if draw(st.integers(0, 30)) == 0 and len(ids) > 1:
        ids[-1] = ids[0]  # a repeated HL id
    parent = ""
    for hl_id, level in zip(ids, levels, strict=True):
        wrong = draw(st.integers(0, 40)) == 0
        body.append(f"HL*{hl_id}*{'7' if wrong else parent}*{level}")
        body += draw(st.lists(HEADER, max_size=4))
        parent = hl_id
    for k in range(draw(st.integers(0 if shape != "SOI" else 1, 3))):
        if shape != "flat":
            body.append(f"HL*{10 + k}*{parent if draw(st.integers(0, 40)) else ''}*I")
        lin, sn1 = draw(ITEM_LIN), draw(ITEM_SN1)
        body += draw(st.sampled_from([[lin, sn1]] * 30 + [[sn1, lin], [lin], [sn1], [lin, sn1, sn1]]))
        body += draw(ITEM_EXTRA)
    if shape == "SOIO":  # a second order after the items
        body += ["HL*20*1*O", "PRF*PO9", "HL*21*20*I", "LIN*1*VP*Z", "SN1**1*EA"]
    return [*body, "CTT*1"]


@st.composite
def files(draw: st.DrawFn) -> tuple[str, X12Options]:
    parts = []
    for control in range(1, draw(st.integers(1, 4)) + 1):
        e, component, term = draw(st.sampled_from([("*", ">", "~\n"), ("|", ":", "~"), ("*", "^", "\n")]))
        bodies = [draw(ship_notice(control * 10 + k)) for k in range(draw(st.integers(1, 3)))]
        if draw(st.integers(0, 15)) == 0:  # a component separator in a value: the mapper warns, the read stands back
            bodies[0].insert(1, f"REF*ZZ*A{component}B")
        parts.append(_interchange(bodies, control, e, component, term))
    options = X12Options(our_ids=["ACME"], site_parties=draw(st.sampled_from([["WH", "SF"], ["SF"], ["ST", "WH"], []])),
                         tracking_refs=draw(st.sampled_from([["CN", "2I", "BM"], ["BM", "CN"], ["2I"], []])))
    return "".join(parts), options


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=files(), block=st.sampled_from([1, 15, 40, 65_536]))
def test_generated_ship_notices(doc: tuple[str, X12Options], block: int) -> None:
    assert_text_both_ways_same(asn, doc[0], doc[1], block_segments=block)


def test_a_failing_read_leaves_the_mapper_to_it(monkeypatch: pytest.MonkeyPatch) -> None:
    assert_fallback_is_the_reference(monkeypatch, asn, "_read", _files(FIXTURES))
