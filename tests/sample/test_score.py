"""recon score: the match rule, the counts, and the exit codes, on tiny hand-made files."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from recon.cli import main
from recon.sample import TRUTH_COLUMNS
from recon.score import score

HEADER = ",".join(TRUTH_COLUMNS)
TRUTH = f"""{HEADER}
shipped-not-posted,10000042,2,,,,,,,,
duplicate-invoice,,1,,90000007,,,,,,
edi-rejected,,,,,,,,,,SH1000123
stock-variance,,,,,100234,P100,,,,
"""
EXCEPTIONS_HEADER = ("run_id,exception_id,rule_id,workflow,exception_type,severity,owner,fix_in,order_id,line_no,"
                     "shipment_id,invoice_id,item_id,site,lot,customer_id,customer_po,document,message")


def exceptions(*rows: str) -> str:
    return EXCEPTIONS_HEADER + "\n" + "".join(r + "\n" for r in rows)


PERFECT = exceptions(
    "r1,a,shipment-posted-in-erp,order-to-cash,shipped-not-posted,high,operations,erp,10000042,2,,,,,,,,,x",
    # context columns the truth row leaves empty do not matter
    "r1,b,invoice-line-unique,order-to-cash,duplicate-invoice,high,finance,erp,10000042,1,,90000007,,,,,,,x",
    "r1,c,edi-ack,edi,edi-rejected,high,it,edi,,,SH1000123,,,,,,,SH1000123,x",
    "r1,d,stock,inventory,stock-variance,medium,operations,erp,,,,,100234,P100,,,,,x",
)


def run(tmp_path: Path, truth: str, found: str, *args: str) -> tuple[int, str]:
    (tmp_path / "truth.csv").write_text(truth, encoding="utf-8")
    (tmp_path / "exceptions.csv").write_text(found, encoding="utf-8")
    result = CliRunner().invoke(main, ["score", "--truth", str(tmp_path / "truth.csv"),
                                       "--exceptions", str(tmp_path / "exceptions.csv"), *args])
    return result.exit_code, result.output


def test_perfect_run_exits_0(tmp_path: Path) -> None:
    code, out = run(tmp_path, TRUTH, PERFECT)
    assert code == 0, out
    assert "perfect" in out and "shipped-not-posted" in out


def test_a_false_positive_costs_precision(tmp_path: Path) -> None:
    found = PERFECT + "r1,e,shipment-posted-in-erp,order-to-cash,shipped-not-posted,high,o,erp,10000043,1,,,,,,,,,x\n"
    code, out = run(tmp_path, TRUTH, found, "--json")
    assert code == 1
    data = json.loads(out)
    by_type = {t["exception_type"]: t for t in data["types"]}
    t = by_type["shipped-not-posted"]
    assert (t["truth"], t["found"], t["tp"], t["fp"], t["fn"]) == (1, 2, 1, 1, 0)
    assert t["precision"] == 0.5 and t["recall"] == 1.0
    assert t["false_alarms"] == [{"order_id": "10000043", "line_no": "1"}]
    assert data["perfect"] is False and data["total"]["fp"] == 1


def test_a_miss_costs_recall(tmp_path: Path) -> None:
    found = "\n".join(line for line in PERFECT.splitlines() if "edi-rejected" not in line) + "\n"
    code, out = run(tmp_path, TRUTH, found, "--json")
    assert code == 1
    t = {t["exception_type"]: t for t in json.loads(out)["types"]}["edi-rejected"]
    assert (t["tp"], t["fp"], t["fn"], t["precision"], t["recall"]) == (0, 0, 1, 1.0, 0.0)
    assert t["missed"] == [{"document": "SH1000123"}]


def test_a_key_that_differs_is_both_a_miss_and_a_false_alarm(tmp_path: Path) -> None:
    found = PERFECT.replace(",10000042,2,", ",10000042,3,")
    code, out = run(tmp_path, TRUTH, found, "--details")
    assert code == 1
    assert "shipped-not-posted: missed: order_id=10000042, line_no=2" in out
    assert "shipped-not-posted: unexpected: order_id=10000042, line_no=3" in out


def test_an_unknown_type_found_is_a_false_positive(tmp_path: Path) -> None:
    found = PERFECT + "r1,f,x,x,made-up-type,low,o,erp,1,,,,,,,,,,x\n"
    code, out = run(tmp_path, TRUTH, found, "--json")
    t = {t["exception_type"]: t for t in json.loads(out)["types"]}["made-up-type"]
    assert code == 1 and (t["truth"], t["fp"], t["precision"]) == (0, 1, 0.0)


def test_several_exceptions_for_one_truth_row_are_all_correct() -> None:
    truth = pd.DataFrame([{"exception_type": "edi-invoice-mismatch", "invoice_id": "9", "line_no": "1"}])
    found = pd.DataFrame([
        {"exception_type": "edi-invoice-mismatch", "invoice_id": "9", "line_no": "1.0"},  # qty
        {"exception_type": "edi-invoice-mismatch", "invoice_id": "9", "line_no": "001"},  # amount
    ])
    result = score(truth, found)
    t = result.types[0]
    assert (t.tp, t.fp, t.fn, t.precision, t.recall) == (1, 0, 0, 1.0, 1.0)


def test_nothing_to_find_and_nothing_found_is_perfect() -> None:
    empty = pd.DataFrame(columns=["exception_type"])
    assert score(empty, empty).perfect


def test_missing_file_exits_2_with_a_message(tmp_path: Path) -> None:
    (tmp_path / "truth.csv").write_text(TRUTH, encoding="utf-8")
    result = CliRunner().invoke(main, ["score", "--truth", str(tmp_path / "truth.csv"),
                                       "--exceptions", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2
    assert "exceptions file not found" in result.output and "Traceback" not in result.output


def test_unreadable_files_exit_2(tmp_path: Path) -> None:
    for content, message in ((b"", "is empty"), (b"a,b\n1,2\n", "no exception_type column"),
                             (b"exception_type\n\xff\xfe\x00bad", "cannot be read")):
        (tmp_path / "bad.csv").write_bytes(content)
        (tmp_path / "truth.csv").write_text(TRUTH, encoding="utf-8")
        result = CliRunner().invoke(main, ["score", "--truth", str(tmp_path / "truth.csv"),
                                           "--exceptions", str(tmp_path / "bad.csv")])
        assert result.exit_code == 2, (content, result.output)
        assert message in result.output, result.output


def test_json_errors_are_json(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["score", "--truth", str(tmp_path / "a.csv"),
                                       "--exceptions", str(tmp_path / "b.csv"), "--json"])
    assert result.exit_code == 2
    data = json.loads(result.output)
    assert data["exit_code"] == 2 and len(data["problems"]) == 2


KEY = st.sampled_from(["", "1", "2", "10000042", "SH1000123", "P100"])
ROWS = st.lists(st.fixed_dictionaries({
    "exception_type": st.sampled_from(["a-type", "b-type"]), "order_id": KEY, "line_no": KEY, "document": KEY,
}), max_size=12)


@settings(max_examples=60, deadline=None)
@given(rows=ROWS)
def test_truth_scored_against_itself_is_perfect(rows: list[dict[str, str]]) -> None:
    frame = pd.DataFrame(rows, columns=["exception_type", "order_id", "line_no", "document"])
    assert score(frame, frame).perfect


@settings(max_examples=60, deadline=None)
@given(rows=ROWS.filter(lambda r: len(r) > 0), drop=st.integers(0, 11))
def test_counts_add_up(rows: list[dict[str, str]], drop: int) -> None:
    truth = pd.DataFrame(rows, columns=["exception_type", "order_id", "line_no", "document"])
    found = truth.drop(index=truth.index[drop % len(truth)])
    result = score(truth, found)
    for t in result.types:
        assert t.tp + t.fn == t.truth
        assert 0 <= t.fp <= t.found
        assert 0.0 <= t.precision <= 1.0 and 0.0 <= t.recall <= 1.0
    assert result.total.fp == 0  # dropping found rows never makes a false alarm
