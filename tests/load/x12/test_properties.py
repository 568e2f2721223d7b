"""Properties: any choice of delimiters and layout gives the same rows; nothing ever raises."""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recon.load.x12 import parse_x12_files
from recon.load.x12.values import implied2, multiply, plain_number

from .helpers import FIXTURES

# Delimiter candidates: punctuation that never occurs in the document's data.
POOL = list("!\"#$%&'*+/;<=>?@^`{|}~\\")

BODY = [
    ["BEG", "00", "SA", "PO-7", "", "20240105"],
    ["CUR", "BY", "USD"],
    ["N1", "BY", "BIG BOX STORES", "92", "C042"],
    ["N1", "ST", "DC 7", "92", "DC7"],
    ["PO1", "1", "10", "EA", "12.5", "PE", "VP", "SKU-1", "UP", "012345678905"],
    ["PID", "F", "", "", "", "RED WIDGET"],
    ["PO1", "2", "5", "CA", "100", "", "BP", "B-77"],
    ["CTT", "2"],
]


LAYOUT_AFTER = ["\n", "\r\n", "", " ", "\r\n    ", "\n\t", "\n  \t", " \r\n", "\r\n\r\n", "\n\n  "]
"""What may follow a segment terminator: line breaks, indentation with blanks or tabs, blank lines."""
LAYOUT_BEFORE = ["", "", " ", "\t", "  "]
"""What may stand between a segment's last element and its terminator."""


def render(elem: str, comp: str, term: str, rep: str | None, layout: str, bom: bool, wrap: int,
           mix: list[tuple[str, str]] | None) -> bytes:
    """The reference 850 with the given delimiters; `mix` is (before, after) layout per segment.

    With layout "line" the line break is the terminator: `before` is a trailing blank and the
    line-break part of `after` becomes the terminator (indentation kept). With "none" there
    is no layout at all and `wrap` cuts the text into fixed-width lines.
    """
    version = "00501" if rep else "00401"
    isa = [
        "ISA", "00", " " * 10, "00", " " * 10, "ZZ", f"{'BIGBOX':<15}", "ZZ", f"{'DISTCO':<15}", "240105", "1200",
        rep or "U", version, "000000042", "0", "P", comp,
    ]
    segs = [isa, ["GS", "PO", "BIGBOX", "DISTCO", "20240105", "1200", "42", "X", "004010"], ["ST", "850", "0001"]]
    segs += BODY
    segs += [["SE", str(len(BODY) + 2), "0001"], ["GE", "1", "42"], ["IEA", "1", "000000042"]]
    lines = [elem.join(s) for s in segs]
    mix = mix or [("", "\n")] * len(lines)
    if layout == "line":  # the line break is the terminator
        breaks = [after if after[:1] in ("\r", "\n") else "\n" + after.strip(" ") for _, after in mix]
        text = "".join(s + before + brk for s, (before, _), brk in zip(lines, mix, breaks, strict=True))
    elif layout == "none":
        text = "".join(s + term for s in lines)
        if wrap:
            text = "\n".join(text[i : i + wrap] for i in range(0, len(text), wrap))
    else:
        text = "".join(s + before + term + after for s, (before, after) in zip(lines, mix, strict=True))
    data = text.encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if bom else data


def rows_of(data: bytes) -> tuple[dict, list]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.edi"
        path.write_bytes(data)
        result = parse_x12_files([path], display_names={path: "x.edi"})
    tables = {k: t.to_pylist() for k, t in result.tables.items()}
    return tables, [(f.code, f.message) for f in result.findings]


BASELINE, BASE_FINDINGS = rows_of(render("*", ">", "~", None, "mixed", False, 0, None))


@st.composite
def styles(draw: st.DrawFn) -> tuple:
    chosen = draw(st.lists(st.sampled_from(POOL), min_size=4, max_size=4, unique=True))
    elem, comp, term, rep = chosen
    use_rep = draw(st.booleans())
    layout = draw(st.sampled_from(["none", "mixed", "mixed", "line"]))
    wrap = draw(st.sampled_from([0, 0, 40, 79, 80, 81, 132])) if layout == "none" else 0
    n = len(BODY) + 6
    pick = st.tuples(st.sampled_from(LAYOUT_BEFORE), st.sampled_from(LAYOUT_AFTER))
    # one layout for the whole file, or a different one after every segment
    mix = [draw(pick)] * n if draw(st.booleans()) else draw(st.lists(pick, min_size=n, max_size=n))
    return elem, comp, term, rep if use_rep else None, layout, draw(st.booleans()), wrap, mix


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(styles())
def test_any_delimiters_and_layout_give_the_same_rows(style: tuple) -> None:
    assert BASE_FINDINGS == []
    assert len(BASELINE["order_lines"]) == 2
    tables, findings = rows_of(render(*style))
    assert findings == []
    assert tables == BASELINE


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    rows_of(data)


REFERENCE = (FIXTURES / "856_sopi.edi").read_bytes()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(REFERENCE) - 1), st.integers(0, 3), st.binary(max_size=3)), max_size=6))
def test_damaged_files_never_raise_and_keep_lineage(edits: list[tuple[int, int, bytes]]) -> None:
    data = bytearray(REFERENCE)
    for pos, delete, insert in edits:
        data[pos : pos + delete] = insert
    tables, findings = rows_of(bytes(data))
    for table in tables.values():
        for row in table:
            assert row["_source_row"] >= 1 and row["_source_file"] == "x.edi"
    # a damaged file that now starts like an EDIFACT interchange (UNA/UNB) is read as one
    assert all(code.startswith(("X12-", "EDIFACT-")) for code, _ in findings)


@given(
    st.integers(0, 6).flatmap(
        lambda places: st.decimals(
            allow_nan=False, allow_infinity=False, places=places, min_value=-(10**9), max_value=10**9
        )
    )
)
def test_plain_number_keeps_the_value(value: Decimal) -> None:
    for text in {str(value), format(value, "f"), f"{value:E}"}:
        out = plain_number(text)
        assert out is not None and "E" not in out.upper()
        assert Decimal(out) == value


@given(st.integers(-10**12, 10**12))
def test_implied_decimals(n: int) -> None:
    assert Decimal(implied2(str(n))) == Decimal(n) / 100


def _decimal_product(a: str, b: str) -> str | None:
    """The reference `multiply` was: Decimal's product in plain notation, None when either is not a number."""
    try:
        return format(Decimal(str(Decimal(a) * Decimal(b))), "f")
    except ArithmeticError:  # InvalidOperation, and Overflow ('1E9000' x '1E991000' raised it before)
        return None


_NUMBER_TEXT = st.one_of(
    st.from_regex(r"\A[0-9]{0,16}(\.[0-9]{0,12})?\Z"),  # plain, with leading/trailing zeros, '5.', '.5'
    st.from_regex(r"\A[+-]?[0-9 .eE]{0,8}\Z"),  # signs, blanks, exponents ('1E9000' x '1E991000' overflows)
)


@settings(max_examples=300, deadline=None)
@given(_NUMBER_TEXT, _NUMBER_TEXT)
def test_multiply_equals_decimal_product(a: str, b: str) -> None:
    """Decimal's own digits and scale ('6' x '2.25' = '13.50'); None, never an exception, for what is no number."""
    expected = _decimal_product(a, b) if a and b else None
    assert multiply(a, b) == expected
