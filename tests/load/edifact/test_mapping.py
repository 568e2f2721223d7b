"""Each message type onto the canonical tables (fixtures written from the UN/EDIFACT layouts)."""

from __future__ import annotations

from pathlib import Path

from recon.load.edifact.messages.base import date_time
from tests.load.edifact.helpers import FIXTURES, codes, parse, parse_text, rows


def _one(name: str):
    result = parse(FIXTURES / name, our_ids=["DISTCO"])
    assert codes(result) == [], [f.message for f in result.findings]
    return result


def test_orders() -> None:
    result = _one("orders_d96a.edifact")
    (order,) = rows(result, "orders")
    assert (order["order_id"], order["customer_id"], order["customer_name"], order["customer_po"]) == (
        "PO-1001", "C100", "ACME GMBH", "PO-1001")
    assert (order["ordered_at"], order["requested_delivery_at"], order["currency"], order["total_amount"]) == (
        "2024-01-05", "2024-01-10 14:30:00", "EUR", "78.25")
    assert (order["transaction_set"], order["direction"], order["ship_to_id"]) == ("850", "inbound", "4000001000002")
    lines = rows(result, "order_lines")
    assert [(r["line_no"], r["item_id"], r["qty"], r["uom"], r["unit_price"]) for r in lines] == [
        ("1", "SKU-1", "12", "PCE", "3.50"), ("2", "SKU-2", "5", None, "7.25")]
    assert lines[0]["item_ids"] == "EN:4000862141404;SA:SKU-1" and lines[0]["description"] == "WIDGET 10+ PACK"
    (doc,) = rows(result, "edi_documents")
    assert (doc["transaction_set"], doc["functional_id"], doc["implementation"], doc["version"]) == (
        "850", "ORDERS", "ORDERS:D:96A:UN:EAN008", "D96A")
    assert (doc["control_number"], doc["group_control"], doc["interchange_control"], doc["segment_count"]) == (
        "1", "100", "100", "21")


def test_ordrsp_line_actions() -> None:
    acks = rows(_one("ordrsp_d01b.edifact"), "order_acks")
    assert [(r["line_no"], r["status"], r["qty"], r["ack_qty"]) for r in acks] == [
        ("1", "IA", "12", "12"), ("2", "IC", "5", "3"), ("3", "IR", "4", None)]
    assert {(r["order_id"], r["seller_order_id"], r["acked_at"]) for r in acks} == {("PO-1001", "SO-5001",
                                                                                    "2024-01-06")}


def test_desadv_in_a_group() -> None:
    result = _one("desadv_d96a.edifact")
    lines = rows(result, "shipment_lines")
    assert [(r["shipment_id"], r["order_id"], r["line_no"], r["item_id"], r["qty"]) for r in lines] == [
        ("SH-9001", "PO-1001", "1", "SKU-1", "12"), ("SH-9001", "PO-1001", "2", "SKU-2", "3")]
    # RFF+ON:PO-1001:1 of each line names the PO line it ships (what the line-level ASN check pairs on)
    assert [(r["customer_po"], r["order_line_no"]) for r in lines] == [("PO-1001", "1"), ("PO-1001", "2")]
    first = lines[0]
    assert (first["shipped_at"], first["carrier"], first["tracking_no"], first["bol_no"], first["sscc"]) == (
        "2024-01-07 15:30:00", "UPSN", "TRK123", "BOL-55", "340123450000000018")
    assert (first["site"], first["status"], first["transaction_set"]) == ("WH-NORTH", "SHIPPED", "856")
    (doc,) = rows(result, "edi_documents")
    assert (doc["group_control"], doc["direction"], doc["gs_sender"]) == ("30", "outbound", "DISTCO")


def test_invoic_decimal_comma_and_charges() -> None:
    lines = rows(_one("invoic_d93a.edifact"), "invoice_lines")
    assert [(r["line_no"], r["qty"], r["amount"], r["unit_price"]) for r in lines] == [
        ("1", "12", "42.00", "3.50"), ("2", "3", "21.00", "7.00")]
    assert lines[1]["line_allowances"] == "1.05"
    assert {(r["invoice_id"], r["order_id"], r["invoiced_at"], r["invoice_total"], r["invoice_charges"])
            for r in lines} == {("INV-3001", "PO-1001", "2024-01-08", "65.95", "5.00")}


def test_contrl_and_aperak() -> None:
    acks = rows(_one("contrl_v4.edifact"), "edi_acks")
    assert [(r["acked_group_control"], r["acked_control_number"], r["acked_transaction_set"], r["status"])
            for r in acks] == [("400", "INV1", "810", "A"), ("400", "INV2", "810", "R")]
    assert acks[1]["errors"] == "UCM 13; UCS 5/12"
    (ap,) = rows(_one("aperak_d96a.edifact"), "edi_acks")
    assert (ap["status"], ap["acked_control_number"], ap["acked_transaction_set"], ap["errors"]) == (
        "R", "1", "856", "ERC 12")


def test_unmapped_message_lands_in_edi_documents(tmp_path: Path) -> None:
    text = "UNB+UNOC:3+A+B+240105:1200+1'UNH+1+IFTSTA:D:96A:UN'BGM+23+X'UNT+3+1'UNZ+1+1'"
    path = tmp_path / "iftsta.edifact"
    path.write_text(text)
    result = parse(path)
    assert codes(result) == ["EDIFACT-MESSAGE-NOT-MAPPED"]
    assert [r["transaction_set"] for r in rows(result, "edi_documents")] == ["IFTSTA"]


def test_missing_bgm_rejects_the_message(tmp_path: Path) -> None:
    text = (FIXTURES / "orders_d96a.edifact").read_text().replace("BGM+220+PO-1001+9'\n", "DTM+4:20240105:102'\n")
    path = tmp_path / "nobgm.edifact"
    path.write_text(text)
    result = parse(path)
    assert codes(result) == ["EDIFACT-MISSING-SEGMENT"] and not rows(result, "orders")
    assert result.files[0].rejected_sets == 1


def test_dtm_formats() -> None:
    assert date_time("20240105", "102") == "2024-01-05"
    assert date_time("240105", "101") == "2024-01-05"
    assert date_time("202401051430", "203") == "2024-01-05 14:30:00"
    assert date_time("20240105143015", "204") == "2024-01-05 14:30:15"
    assert date_time("2401051430", "201") == "2024-01-05 14:30:00"
    assert date_time("20240105-20240110", "718") == "2024-01-05"
    assert date_time("05012024", "4") == "2024-01-05"
    assert date_time("20241305", "102") is None
    assert date_time("202401", "610") is None


def test_mea_aba_gives_the_unit_of_a_quantity_without_one(tmp_path: Path) -> None:
    """MEA+ABA (unit of measure used for ordered quantities) is the unit of the line's QTY when the
    QTY names none, before or after it; the QTY's own unit wins; MEA+PD (the corpus's articles per
    layer) measures the product and gives none."""
    text = (FIXTURES / "orders_d96a.edifact").read_text().replace(
        "QTY+21:12:PCE'", "MEA+ABA++KGM'\nQTY+21:12:PCE'").replace(
        "QTY+21:5'", "MEA+PD+LAY:4+NAR:6'\nQTY+21:5'\nMEA+ABA++MTR'").replace("UNT+21+1", "UNT+24+1")
    lines = rows(parse_text(tmp_path, text, our_ids=["DISTCO"]), "order_lines")
    assert [(r["qty"], r["uom"]) for r in lines] == [("12", "PCE"), ("5", "MTR")]
    pd_only = (FIXTURES / "orders_d96a.edifact").read_text().replace(
        "QTY+21:5'", "MEA+PD+LAY:4+NAR:6'\nQTY+21:5'").replace("UNT+21+1", "UNT+22+1")
    assert [r["uom"] for r in rows(parse_text(tmp_path, pd_only, "pd.edifact"), "order_lines")] == ["PCE", None]
    acks = (FIXTURES / "ordrsp_d01b.edifact").read_text().replace(
        "QTY+21:5'QTY+113:3'", "MEA+ABA++KGM'QTY+21:5'QTY+113:3'").replace("UNT+20+7", "UNT+21+7")
    found = rows(parse_text(tmp_path, acks, "ack.edifact"), "order_acks")
    assert [(r["line_no"], r["uom"]) for r in found] == [("1", "PCE"), ("2", "KGM"), ("3", None)]
