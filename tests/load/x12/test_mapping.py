"""Each transaction set lands in its canonical entity with the right values and lineage."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from recon.load.x12 import COLUMNS, LINEAGE, X12Options, X12PartnerOptions, empty_tables
from recon.model import ENTITIES

from .helpers import FIXTURES, build, codes, parse, parse_text, rows


def _parse(name: str, options: X12Options | None = None):
    result = parse(FIXTURES / name, options=options)
    assert [f for f in result.findings if f.severity == "error"] == []
    return result


def _pick(row: dict, *keys: str) -> tuple:
    return tuple(row[k] for k in keys)


# -- schema -----------------------------------------------------------------------------------


def test_every_entity_is_present_with_string_columns_and_lineage() -> None:
    result = _parse("850_tilde_lf.edi")
    assert set(result.tables) == set(COLUMNS)
    for entity, table in result.tables.items():
        assert table.column_names == [*COLUMNS[entity], *LINEAGE]
        for field in table.schema:
            expected = pa.int64() if field.name == "_source_row" else pa.string()
            assert field.type == expected, (entity, field.name)
    assert empty_tables()["orders"].schema == result.tables["orders"].schema


@pytest.mark.parametrize("entity", sorted(COLUMNS))
def test_canonical_fields_of_the_model_are_all_produced(entity: str) -> None:
    if entity in ENTITIES:
        missing = set(ENTITIES[entity].fields) - set(COLUMNS[entity])
        assert not missing, f"{entity} lacks canonical fields {missing}"


def test_lineage_columns() -> None:
    result = _parse("850_tilde_lf.edi")
    lines = rows(result, "order_lines", lineage=True)
    assert [r["_source_row"] for r in lines] == [12, 14, 16]  # the PO1 segments, ISA = 1
    assert {r["_source_file"] for r in lines} == {"850_tilde_lf.edi"}
    assert {(r["_interchange_control"], r["_set_control"]) for r in lines} == {("000000101", "0001")}
    order = rows(result, "orders", lineage=True)[0]
    assert order["_source_row"] == 4  # BEG


def test_display_names_name_the_file(tmp_path: Path) -> None:
    from recon.load.x12 import parse_x12_files

    path = FIXTURES / "850_tilde_lf.edi"
    result = parse_x12_files([path], display_names={path: "edi/in/po.edi"})
    assert {r["_source_file"] for r in rows(result, "order_lines", lineage=True)} == {"edi/in/po.edi"}
    assert result.files[0].path == "edi/in/po.edi"


# -- 850 / 940 ----------------------------------------------------------------------------------


def test_850_orders_and_lines() -> None:
    result = _parse("850_tilde_lf.edi")
    (order,) = rows(result, "orders")
    assert _pick(order, "order_id", "customer_po", "customer_id", "customer_name", "ordered_at", "channel") == (
        "PO-1001", "PO-1001", "C042", "BIG BOX STORES", "2024-01-05", "EDI"
    )
    assert _pick(order, "ship_to_id", "ship_to_name", "currency", "requested_ship_at", "requested_delivery_at") == (
        "DC7", "BIG BOX DC 7", "USD", "2024-01-10", "2024-01-15 08:00:00"
    )
    assert _pick(order, "line_count", "total_amount", "direction", "partner_id", "status") == (
        "3", "626.5", "inbound", "BIGBOX", None
    )
    lines = rows(result, "order_lines")
    assert [_pick(r, "line_no", "item_id", "item_qualifier", "qty", "uom", "unit_price") for r in lines] == [
        ("1", "SKU-1", "VP", "10", "EA", "12.5"),
        ("2", "SKU-2", "VP", "5", "CA", "100"),  # VP wins over BP: it comes first in item_qualifiers
        ("3", "098765432109", "UP", "3", "EA", "0.5"),  # no PO101: position; '.5' -> '0.5'
    ]
    assert lines[0]["item_ids"] == "VP:SKU-1;UP:012345678905"
    assert [r["description"] for r in lines] == ["RED WIDGET", "BLUE WIDGET", None]
    assert {r["order_id"] for r in lines} == {"PO-1001"} and {r["currency"] for r in lines} == {"USD"}


def test_850_cancellation_status(tmp_path: Path) -> None:
    text = "~".join(build([("PO", 1, [("850", "0001", ["BEG*01*SA*PO-9**20240105"])])])) + "~"
    assert rows(parse_text(tmp_path, text), "orders")[0]["status"] == "CANCELLED"


def test_940_warehouse_order() -> None:
    result = _parse("940.edi")
    (order,) = rows(result, "orders")
    assert _pick(order, "order_id", "customer_po", "customer_id", "site", "requested_ship_at", "transaction_set") == (
        "SO-5001", "PO-1001", "DC7", "DC03", "2024-01-10", "940"
    )
    lines = rows(result, "order_lines")
    assert [_pick(r, "line_no", "item_id", "item_qualifier", "qty", "uom", "lot", "site") for r in lines] == [
        ("1", "012345678905", "UA", "10", "EA", None, "DC03"),  # W0103 U.P.C. case code, first id present
        ("2", "SKU-2", "VN", "5", "CA", "L88", "DC03"),
    ]
    assert lines[0]["description"] == "RED WIDGET"


# -- 855 ----------------------------------------------------------------------------------------


def test_855_order_acks() -> None:
    acks = rows(_parse("855.edi"), "order_acks")
    assert [_pick(r, "order_id", "line_no", "item_id", "qty", "status", "ack_qty", "ack_uom") for r in acks] == [
        ("PO-1001", "1", "SKU-1", "10", "IA", "10", "EA"),
        ("PO-1001", "2", "SKU-2", "5", "IA", "3", "CA"),
        ("PO-1001", "2", "SKU-2", "5", "IB", "2", "CA"),  # part backordered: one row per ACK
        ("PO-1001", "3", "SKU-3", "3", None, None, None),  # a line without ACK is still listed
        ("PO-1002", None, None, None, "AT", None, None),  # header-only acknowledgment
    ]
    assert acks[0]["acked_at"] == "2024-01-06" and acks[0]["ack_date"] == "2024-01-10"
    assert acks[0]["seller_order_id"] == "SO-5001" and acks[0]["unit_price"] == "12.5"
    assert acks[-1]["acked_at"] == "2024-01-05 12:00:00"  # no BAK09: the group's date and time


# -- 856 / 945 ----------------------------------------------------------------------------------

SHIP_KEYS = ("shipment_id", "order_id", "line_no", "item_id", "qty", "lot", "sscc", "tare_sscc", "tracking_no")


def test_856_shape_s_o_i() -> None:
    lines = rows(_parse("856_soi.edi"), "shipment_lines")
    assert [_pick(r, *SHIP_KEYS) for r in lines] == [
        ("SH-9001", "PO-1001", "1", "SKU-1", "10", None, None, None, "1Z999"),
        ("SH-9001", "PO-1001", "2", "SKU-2", "5", None, None, None, "1Z999"),
    ]
    first = lines[0]
    assert _pick(first, "shipped_at", "carrier", "site", "status", "bol_no", "pro_no", "ship_to_id", "uom") == (
        "2024-01-11 14:00:00", "UPSN", "DC01", "SHIPPED", "BOL123", "1Z999", "DC7", "EA"
    )
    assert lines[1]["line_status"] == "CC" and first["asn_date"] == "2024-01-11"


def test_856_shape_s_o_p_i() -> None:
    lines = rows(_parse("856_sopi.edi"), "shipment_lines")
    assert [_pick(r, *SHIP_KEYS) for r in lines] == [
        ("SH-9001", "PO-1001", "1", "SKU-1", "6", None, "00012345600000000017", None, "1Z999"),
        ("SH-9001", "PO-1001", "1", "SKU-1", "4", None, "00012345600000000024", None, "1ZPKG2"),  # MAN*CP
        ("SH-9001", "PO-1001", "2", "SKU-2", "5", "L77", "00012345600000000024", None, "1ZPKG2"),
    ]


def test_856_shape_s_o_t_p_i() -> None:
    lines = rows(_parse("856_sotpi.edi"), "shipment_lines")
    assert [_pick(r, *SHIP_KEYS) for r in lines] == [
        ("SH-9001", "PO-1001", "1", "SKU-1", "10", "L55", "00012345600000000116", "00012345600000000109", "1Z999"),
        ("SH-9001", "PO-1002", "3", "SKU-3", "2", None, "00012345600000000130", "00012345600000000123", "1Z999"),
    ]


def test_856_hl_with_unknown_parent_is_a_warning(tmp_path: Path) -> None:
    body = ["BSN*00*SH-1*20240111*1430", "HL*1**S", "HL*2*9*O", "PRF*PO-1", "HL*3*2*I", "LIN**VP*A", "SN1**1*EA"]
    result = parse_text(tmp_path, "~".join(build([("SH", 1, [("856", "0001", body)])])) + "~")
    assert codes(result) == ["X12-HL-PARENT"]
    assert rows(result, "shipment_lines")[0]["order_id"] == "PO-1"


def test_856_seller_order_number_is_the_order(tmp_path: Path) -> None:
    """REF*VN (at the order or the item) names our order; PRF01 stays the buyer's PO."""
    body = ["BSN*00*SH-1*20240111*1430", "HL*1**S", "HL*2*1*O", "PRF*PO-1", "REF*VN*4500012",
            "HL*3*2*I", "LIN*1*VP*A", "SN1*1*1*EA", "HL*4*2*I", "LIN*2*VP*B", "REF*VN*4500099", "SN1*2*2*EA",
            "HL*5*1*O", "PRF*PO-2", "HL*6*5*I", "LIN*1*VP*C", "SN1*1*3*EA"]
    result = parse_text(tmp_path, "~".join(build([("SH", 1, [("856", "0001", body)])])) + "~")
    lines = rows(result, "shipment_lines")
    assert [_pick(r, "order_id", "customer_po", "line_no", "item_id") for r in lines] == [
        ("4500012", "PO-1", "1", "A"), ("4500099", "PO-1", "2", "B"), ("PO-2", "PO-2", "1", "C")]


def test_856_purchaser_order_line_is_order_line_no(tmp_path: Path) -> None:
    """A LIN's PL pair names the PO line it ships (order_line_no), whatever LIN01 numbers; the item
    is still the VP id; a LIN without PL has no order line (LIN01 is the ASN's own line id)."""
    body = ["BSN*00*SH-2*20240111*1430", "HL*1**S", "HL*2*1*O", "PRF*PO-7", "REF*VN*4500077",
            "HL*3*2*I", "LIN*1*PL*003*VP*A*LT*L9", "SN1**4*EA", "HL*4*2*I", "LIN*2*VP*B*PL*1", "SN1**2*EA",
            "HL*5*2*I", "LIN*3*VP*C", "SN1**1*EA"]
    result = parse_text(tmp_path, "~".join(build([("SH", 1, [("856", "0001", body)])])) + "~")
    lines = rows(result, "shipment_lines")
    cols = ("order_id", "customer_po", "line_no", "order_line_no", "item_id", "lot", "qty")
    assert [_pick(r, *cols) for r in lines] == [
        ("4500077", "PO-7", "1", "003", "A", "L9", "4"), ("4500077", "PO-7", "2", "1", "B", None, "2"),
        ("4500077", "PO-7", "3", None, "C", None, "1")]


def test_945_shipping_advice() -> None:
    lines = rows(_parse("945.edi"), "shipment_lines")
    assert [_pick(r, "shipment_id", "order_id", "line_no", "item_id", "qty", "qty_ordered", "lot") for r in lines] == [
        ("SH-9001", "SO-5001", "1", "012345678905", "10", "10", "LOT7"),
        ("SH-9001", "SO-5001", "2", "SKU-2", "4", "5", "LOT8"),
    ]
    first = lines[0]
    assert _pick(first, "shipped_at", "carrier", "tracking_no", "bol_no", "site", "customer_po", "line_status") == (
        "2024-01-11 14:30:00", "ABFS", "PRO456", "BOL123", "DC03", "PO-1001", "CC"
    )


# -- 810 ----------------------------------------------------------------------------------------


def test_810_invoice_lines_with_allowances_and_charges() -> None:
    lines = rows(_parse("810.edi"), "invoice_lines")
    cols = ("invoice_id", "line_no", "order_line_no", "item_id", "qty", "unit_price", "amount")
    assert [_pick(r, *cols) for r in lines] == [
        ("INV-7001", "1", "1", "SKU-1", "10", "12.5", "125.0"),
        ("INV-7001", "2", "2", "SKU-2", "5", "100", "500"),
        ("INV-7001", "3", None, "098765432109", "3", "0.5", "1.5"),
    ]
    assert [_pick(r, "line_allowances", "line_charges") for r in lines] == [
        ("2.50", None), ("1.00", "1.25"), (None, None)
    ]
    first = lines[0]
    assert _pick(first, "order_id", "invoiced_at", "currency", "invoice_total") == (
        "PO-1001", "2024-01-12", "USD", "623.00"  # TDS01 62300 with implied decimals
    )
    assert _pick(first, "invoice_allowances", "invoice_charges", "charges_detail") == (
        "3.00", "15.00", "C:D240:15.00;A:C000:3.00"
    )


@pytest.mark.parametrize(
    ("tds", "total"), [("62300", "623.00"), ("5", "0.05"), ("-150", "-1.50"), ("623.00", "623.00")]
)
def test_810_tds_implied_decimals(tmp_path: Path, tds: str, total: str) -> None:
    body = ["BIG*20240112*INV-1", "IT1*1*1*EA*1**VP*A", f"TDS*{tds}"]
    result = parse_text(tmp_path, "~".join(build([("IN", 1, [("810", "0001", body)])])) + "~")
    assert rows(result, "invoice_lines")[0]["invoice_total"] == total



def test_810_amount_beyond_decimal_range_is_no_amount_not_a_rejected_set(tmp_path: Path) -> None:
    """qty x price overflowing Decimal's exponent range rejected the set as X12-INTERNAL-ERROR before."""
    body = ["BIG*20240112*INV-1", "IT1*1*1E9000*EA*1E991000**VP*A", "IT1*2*2*EA*1.5**VP*B"]
    result = parse_text(tmp_path, "~".join(build([("IN", 1, [("810", "0001", body)])])) + "~")
    assert "X12-INTERNAL-ERROR" not in codes(result)
    lines = rows(result, "invoice_lines")
    assert [(r["line_no"], r["amount"]) for r in lines] == [("1", None), ("2", "3.0")]

# -- 997 / 999 ----------------------------------------------------------------------------------


def test_997_acks() -> None:
    acks = rows(_parse("997.edi"), "edi_acks")
    cols = ("acked_group_control", "acked_control_number", "acked_transaction_set", "status", "group_status")
    assert [_pick(r, *cols) for r in acks] == [("3", "0001", "856", "R", "R"), ("8", None, None, "A", "A")]
    assert acks[0]["errors"] == (
        "segment LIN at 15: error 8 segment has data element errors; "
        "element 3 (ref 234): error 7 invalid code value bad value 'XX'; set error 5 one or more segments in error"
    )
    assert _pick(acks[0], "acked_functional_id", "sets_included", "sets_received", "sets_accepted", "ack_type") == (
        "SH", "1", "1", "0", "997"
    )
    assert acks[0]["acked_at"] == "2024-01-05 12:00:00" and acks[0]["partner_id"] == "BIGBOX"


def test_999_implementation_ack() -> None:
    (ack,) = rows(_parse("999.edi"), "edi_acks")
    assert _pick(ack, "acked_group_control", "acked_control_number", "acked_transaction_set", "status", "ack_type") == (
        "8", "0001", "810", "E", "999"
    )
    assert "segment IT1 at 7" in ack["errors"] and "bad value 'X.Y'" in ack["errors"]


def test_997_without_ak1_is_rejected(tmp_path: Path) -> None:
    text = "~".join(build([("FA", 1, [("997", "0001", []), ("997", "0002", ["AK1*PO*5", "AK9*A*1*1*1"])])])) + "~"
    result = parse_text(tmp_path, text)
    assert codes(result) == ["X12-MISSING-SEGMENT"]
    assert result.findings[0].set_control == "0001" and result.findings[0].element == "AK1"
    assert [r["acked_group_control"] for r in rows(result, "edi_acks")] == ["5"]


# -- 846 / 214 / 180 / other --------------------------------------------------------------------


def test_846_stock() -> None:
    stock = rows(_parse("846.edi"), "stock")
    cols = ("item_id", "site", "lot", "qty", "uom", "qty_qualifier", "quantities", "as_of")
    assert [_pick(r, *cols) for r in stock] == [
        ("SKU-1", "DC03", "L1", "120", "EA", "33", "33:120;17:150", "2024-01-05 06:00:00"),
        ("SKU-2", "DC04", None, "40", "CA", "17", "17:40", "2024-01-05 06:00:00"),  # item-level N1*WH
    ]


def test_846_quantity_qualifier_is_configurable() -> None:
    stock = rows(_parse("846.edi", X12Options(stock_qty_qualifiers=["17"])), "stock")
    assert [r["qty"] for r in stock] == ["150", "40"]


def test_214_delivery() -> None:
    (d,) = rows(_parse("214.edi"), "deliveries")
    cols = ("shipment_id", "carrier", "tracking_no", "picked_up_at", "delivered_at", "status", "bol_no", "po_number")
    assert _pick(d, *cols) == (
        "SH-9001", "ABFS", "PRO123", "2024-01-11 15:00:00", "2024-01-12 10:30:00", "D1", "BOL123", "PO-1001"
    )
    assert _pick(d, "shipper_name", "consignee_name", "pod_signed_by", "freight_cost") == (
        "DIST DC", "BIG BOX DC 7", None, None
    )


def test_180_returns() -> None:
    ret = rows(_parse("180.edi"), "returns")
    cols = ("rma_id", "line_no", "order_id", "item_id", "qty", "uom", "disposition", "return_reason", "received_at")
    assert [_pick(r, *cols) for r in ret] == [
        ("RMA-3001", "1", "PO-1001", "SKU-1", "2", "EA", "DI", "DA", "2024-01-22"),
        ("RMA-3001", "2", "PO-1001", "SKU-2", "1", "CA", "RA", "WG", "2024-01-22"),
    ]


def test_unmapped_set_is_listed_in_edi_documents_only(tmp_path: Path) -> None:
    body = ["B3**INV-55*PO-1*PP**20240105*12417"]
    result = parse_text(tmp_path, "~".join(build([("IM", 1, [("210", "0001", body)])])) + "~")
    assert codes(result) == ["X12-SET-NOT-MAPPED"] and result.findings[0].severity == "warning"
    (doc,) = rows(result, "edi_documents")
    assert _pick(doc, "transaction_set", "reference", "document_date") == ("210", "INV-55", "2024-01-05")


def test_edi_documents_row_per_set() -> None:
    docs = rows(_parse("855.edi"), "edi_documents")
    cols = ("transaction_set", "control_number", "direction", "partner_id", "group_control", "interchange_control",
            "sender_id", "receiver_id", "reference", "document_date", "functional_id", "sent_at", "segment_count")
    assert [_pick(d, *cols) for d in docs] == [
        ("855", "0001", "inbound", "BIGBOX", "2", "000000102", "BIGBOX", "DISTCO", "PO-1001", "2024-01-06", "PR",
         "2024-01-05 12:00:00", "9"),
        ("855", "0002", "inbound", "BIGBOX", "2", "000000102", "BIGBOX", "DISTCO", "PO-1002", "2024-01-05", "PR",
         "2024-01-05 12:00:00", "3"),
    ]


# -- rejection and warnings inside a set --------------------------------------------------------


def test_set_without_its_key_is_rejected_and_neighbours_load(tmp_path: Path) -> None:
    sets = [
        ("850", "0001", ["BEG*00*SA***20240105", "PO1*1*1*EA*1**VP*A"]),  # BEG03 empty
        ("850", "0002", ["PO1*1*1*EA*1**VP*A"]),  # no BEG at all
        ("850", "0003", ["BEG*00*SA*PO-3**20240105", "PO1*1*1*EA*1**VP*A"]),
    ]
    result = parse_text(tmp_path, "~".join(build([("PO", 1, sets)])) + "~")
    assert codes(result) == ["X12-MISSING-ELEMENT", "X12-MISSING-SEGMENT"]
    missing_element, missing_segment = result.findings
    assert _pick(missing_element.to_dict(), "set_control", "element", "segment_position") == ("0001", "BEG03", 4)
    assert (missing_segment.set_control, missing_segment.element) == ("0002", "BEG")
    assert [r["order_id"] for r in rows(result, "order_lines")] == ["PO-3"]
    assert [r["control_number"] for r in rows(result, "edi_documents")] == ["0003"]
    assert result.files[0].rejected_sets == 2


def test_value_warnings(tmp_path: Path) -> None:
    body = [
        "BEG*00*SA*PO-1**20241341",  # no such date
        "PO1*1*ten*EA*1,5**VP*A",  # not numbers
        "PO1*2*1*EA*1**VP**UP*B",  # VP without an id
        "PO1*3*2E1*EA*1**VP*C",  # exponent: normalised
        "CTT*4",
    ]
    result = parse_text(tmp_path, "~".join(build([("PO", 1, [("850", "0001", body)])])) + "~")
    assert codes(result) == [
        "X12-ELEMENT-DATE", "X12-ELEMENT-NUMERIC", "X12-ELEMENT-NUMERIC", "X12-PAIR-INCOMPLETE", "X12-CTT-COUNT",
    ]
    assert all(f.severity == "warning" for f in result.findings)
    lines = rows(result, "order_lines")
    assert [_pick(r, "qty", "unit_price", "item_id") for r in lines] == [
        ("ten", "1,5", "A"), ("1", "1", "B"), ("20", "1", "C")
    ]
    assert rows(result, "orders")[0]["ordered_at"] is None
    assert result.findings[3].element == "PO107"


def test_separator_inside_a_value_is_a_warning(tmp_path: Path) -> None:
    body = ["BEG*00*SA*PO^1**20240105", "PO1*1*1*EA*1**VP*A>B"]
    text = "~".join(build([("PO", 1, [("850", "0001", body)])], rep="^", version="00501")) + "~"
    result = parse_text(tmp_path, text)
    assert codes(result) == ["X12-SEPARATOR-IN-VALUE", "X12-SEPARATOR-IN-VALUE"]
    assert [f.element for f in result.findings] == ["BEG03", "PO107"]
    assert rows(result, "orders")[0]["order_id"] == "PO^1"  # kept whole


def test_many_identical_warnings_are_summarised(tmp_path: Path) -> None:
    body = ["BEG*00*SA*PO-1**20240105"] + [f"PO1*{n}*x*EA*1**VP*A" for n in range(1, 31)]
    result = parse_text(tmp_path, "~".join(build([("PO", 1, [("850", "0001", body)])])) + "~")
    assert len(result.findings) == 11
    assert "and 20 more X12-ELEMENT-NUMERIC" in result.findings[-1].message


# -- options (partner quirks) -------------------------------------------------------------------


def test_our_ids_make_documents_outbound() -> None:
    inbound = rows(_parse("856_soi.edi"), "edi_documents")[0]
    outbound = rows(_parse("856_soi.edi", X12Options(our_ids=["DISTCO"])), "edi_documents")[0]
    assert (inbound["direction"], inbound["partner_id"]) == ("inbound", "DISTCO")
    assert (outbound["direction"], outbound["partner_id"]) == ("outbound", "BIGBOX")


def test_partner_overrides(tmp_path: Path) -> None:
    options = X12Options(
        our_ids=["DISTCO"],
        partners={"BIGBOX": X12PartnerOptions(customer_party="ST", item_qualifiers=["UP", "BP"])},
    )
    result = _parse("850_tilde_lf.edi", options)
    order = rows(result, "orders")[0]
    assert _pick(order, "customer_id", "customer_name") == ("DC7", "BIG BOX DC 7")
    assert [_pick(r, "item_id", "item_qualifier") for r in rows(result, "order_lines")] == [
        ("012345678905", "UP"), ("B-77", "BP"), ("098765432109", "UP")
    ]
    # another partner keeps the defaults
    other = _parse("850_tilde_lf.edi", X12Options(partners={"SOMEONE": X12PartnerOptions(customer_party="ST")}))
    assert rows(other, "orders")[0]["customer_id"] == "C042"


def test_item_fallback_can_be_switched_off() -> None:
    lines = rows(_parse("940.edi", X12Options(item_fallback=False)), "order_lines")
    assert [r["item_id"] for r in lines] == [None, None]
    assert lines[1]["item_ids"] == "VN:SKU-2"


def test_tracking_refs_order() -> None:
    lines = rows(_parse("856_soi.edi", X12Options(tracking_refs=["BM", "CN"])), "shipment_lines")
    assert {r["tracking_no"] for r in lines} == {"BOL123"}


def test_options_reject_unknown_keys() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        X12Options.model_validate({"our_id": ["X"]})
    with pytest.raises(ValidationError):
        X12Options.model_validate({"partners": {"P": {"customer": "ST"}}})
    opts = X12Options.model_validate({"customer_party": " st ", "item_qualifiers": ["vp", " up"]})
    assert opts.customer_party == "ST" and opts.item_qualifiers == ["VP", "UP"]


def test_997_without_ak9_and_940_without_n9_qualifier_are_warnings(tmp_path: Path) -> None:
    sets = [("997", "0001", ["AK1*PO*5", "AK2*850*0001", "AK5*A"])]
    result = parse_text(tmp_path, "~".join(build([("FA", 1, sets)])) + "~", name="ack.edi")
    assert codes(result) == ["X12-AK9-MISSING"] and result.findings[0].segment_position == 3
    assert rows(result, "edi_acks")[0]["status"] == "A"
    body = ["W05*N*SO-1", "N9**REF-1", "LX*1", "W01*1*EA**VN*A"]
    result = parse_text(tmp_path, "~".join(build([("OW", 1, [("940", "0001", body)])])) + "~", name="wo.edi")
    assert codes(result) == ["X12-QUALIFIER-MISSING"] and result.findings[0].element == "N901"
    assert rows(result, "orders")[0]["order_id"] == "SO-1"
