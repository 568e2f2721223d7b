"""The invoice line amount filled for a whole chunk in Arrow equals the per-line `multiply`, text and all."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from recon.load.x12 import X12Options, parse_x12_files
from recon.load.x12.amounts import fill_amounts
from recon.load.x12.values import multiply

_VALUE = st.one_of(
    st.none(),
    st.from_regex(r"\A[0-9]{1,10}\Z"),  # whole numbers, leading zeros included
    st.from_regex(r"\A[0-9]{1,10}\.[0-9]{1,9}\Z"),  # plain decimals: 0.00 and products below 1E-6 too
    st.from_regex(r"\A[0-9]{0,20}(\.[0-9]{0,20})?\Z"),  # '5.', '.5', '', and 18+ digits together
    st.from_regex(r"\A[+-]?[0-9 .eE]{0,8}\Z"),  # signs, blanks, exponents: not plain
    st.sampled_from(["١٢", "x", "0", "0.0000001", "999999999", "999999999.9", "NaN", "Infinity"]),
)


def _expected(amount: str | None, qty: str | None, price: str | None) -> str | None:
    if amount is not None:
        return amount
    return multiply(qty, price) if qty is not None and price is not None else None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), st.just("12.5")), _VALUE, _VALUE), min_size=1, max_size=40))
def test_filled_amounts_equal_the_per_line_product(rows: list[tuple[str | None, str | None, str | None]]) -> None:
    amount, qty, price = (pa.array(list(col), type=pa.string()) for col in zip(*rows, strict=True))
    filled = fill_amounts(amount, qty, price, pa.default_memory_pool()).to_pylist()
    assert filled == [_expected(a, q, p) for a, q, p in rows]


def test_scales_mix_in_one_chunk() -> None:
    """Rows of different scales are cut apart and put back in their own order."""
    qty = pa.array(["3", "3.0", "0", "0.001", "0.0001", "2", None, "7"])
    price = pa.array(["1.25", "1.25", "1.25", "0.001", "0.001", "5", "1", None])
    got = fill_amounts(pa.nulls(8, pa.string()), qty, price, pa.default_memory_pool()).to_pylist()
    assert got == ["3.75", "3.750", "0.00", "0.000001", "0.0000001", "10", None, None]


def test_an_810_line_amount_is_quantity_times_price(tmp_path) -> None:
    isa = "ISA*00*          *00*          *ZZ*ACME           *ZZ*BIGBOX         *240105*1200*^*00501*000000001*0*P*>"
    body = ["BIG*20240107*INV1*20240105*PO1", "IT1*1*3*EA*1.25**VP*A", "IT1*2*2.5*EA*abc**VP*B",
            "IT1*3*4*EA***VP*C", "CTT*3"]
    segs = [isa, "GS*IN*ACME*BIGBOX*20240105*1200*1*X*005010", "ST*810*0001", *body,
            f"SE*{len(body) + 2}*0001", "GE*1*1", "IEA*1*000000001"]
    path = tmp_path / "inv.x12"
    path.write_text("~\n".join(segs) + "~\n", encoding="ascii")
    lines = parse_x12_files([path], X12Options(our_ids=["ACME"])).tables["invoice_lines"]
    assert lines.column("amount").to_pylist() == ["3.75", None, None]
