"""The parallel parse (worker processes, large files cut at interchanges) equals the serial parse.

Same tables (rows, row order, `_source_row`), same findings in the same order (duplicate
control numbers across files and across parts of a file included), same file summaries.
The size thresholds are lowered so that these small files take the parallel path and are cut.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from recon.load.x12 import X12Options, X12Result, parallel, parse_x12_files
from tests.load.x12.helpers import FIXTURES, po_interchange, write


def _big_file() -> str:
    """Many interchanges with defects spread over them, so that several parts carry findings."""
    parts = ["leading junk\n"]
    for control in range(1, 31):
        text = po_interchange(control=control, sets=3)
        if control == 4:
            text = text.replace("SE*5*0002", "SE*6*0002")  # set rejected: SE01 count
        if control == 9:
            text = po_interchange(control=3, sets=3)  # ISA13 duplicate of an earlier part
        if control == 12:
            # group control 2 reused from interchange 2
            text = text.replace("*20240105*1200*12*X*", "*20240105*1200*2*X*").replace("GE*1*12", "GE*1*2")
        if control == 15:
            text = text.replace("ST*850*0003", "ST*204*0003").replace("SE*5*0003", "SE*5*0003")  # not mapped
        if control == 18:
            parts.append("ISA*00*garbage~\n")  # unreadable ISA: skipped up to the next one
        if control == 21:
            text = text.replace("BEG*00*SA*PO-2**20240105", "BEG*00*SA***20240105")  # no PO number
        if control == 27:
            text = text.replace("ST*850*0001", "ST*204*0001")
        parts.append(text)
    parts.append(po_interchange(control=31, sets=3).replace("IEA*1*000000031~\n", ""))  # truncated
    return "".join(parts)


def _files(tmp_path: Path) -> list[Path]:
    big = write(tmp_path, _big_file(), "big.edi")
    again = write(tmp_path, po_interchange(control=21, sets=3) + po_interchange(control=40, sets=3), "again.edi")
    fixtures = sorted(p for p in FIXTURES.iterdir() if p.suffix == ".edi")
    missing = tmp_path / "missing.edi"
    empty = write(tmp_path, "", "empty.edi")
    return [*fixtures[:6], big, missing, *fixtures[6:], again, empty]


def _parse(paths: list[Path], workers: int | None) -> X12Result:
    return parse_x12_files(paths, X12Options(our_ids=["DISTCO"]), {p: p.name for p in paths},
                           workers=workers, parallel_min_bytes=0)


def test_parallel_parse_equals_serial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "PART_MIN_BYTES", 1500)
    monkeypatch.setattr(parallel, "BALANCE", 0.5)  # always cut
    monkeypatch.setattr(parallel, "_part_bytes", lambda sizes, workers: 1500)  # however many fixtures there are
    paths = _files(tmp_path)
    tasks = parallel._plan(paths, [p.name for p in paths], X12Options(), str(tmp_path), 2)
    assert sum(1 for t in tasks if t.path.endswith("big.edi")) >= 4, "the big file is cut into parts"

    serial = _parse(paths, None)
    par = _parse(paths, 2)

    codes = {f.code for f in serial.findings}
    assert {"X12-ISA13-DUPLICATE", "X12-GS06-DUPLICATE", "X12-SE01-COUNT", "X12-SET-NOT-MAPPED",
            "X12-ISA-UNREADABLE", "X12-IEA-MISSING", "X12-LEADING-DATA", "X12-FILE-UNREADABLE"} <= codes
    assert [f.to_dict() for f in par.findings] == [f.to_dict() for f in serial.findings]
    assert [f.to_dict() for f in par.files] == [f.to_dict() for f in serial.files]
    assert par.segments == serial.segments
    assert sorted(par.tables) == sorted(serial.tables)
    for entity, table in serial.tables.items():
        assert par.tables[entity].schema == table.schema, entity
        assert par.tables[entity].equals(table), entity


def test_files_are_cut_only_when_whole_files_leave_a_worker_idle() -> None:
    mib = 1024 * 1024
    # four files as in the 1M-order sample: whole files are within 15% of an even split
    assert parallel._part_bytes([99 * mib, 22 * mib, 71 * mib, 120 * mib], 2) > 120 * mib
    # one large file: cut into parts of about a quarter of a worker's share
    assert parallel._part_bytes([300 * mib, 5 * mib], 2) == 305 * mib // 8


def test_small_input_stays_in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pool(*args: object, **kwargs: object) -> X12Result:
        raise AssertionError("no worker processes for a small input")

    monkeypatch.setattr(parallel, "parse_parallel", no_pool)
    path = write(tmp_path, po_interchange(), "small.edi")
    result = parse_x12_files([path], workers=2)
    assert result.tables["orders"].num_rows == 1


def test_pool_failure_falls_back_to_serial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> X12Result:
        raise parallel.BrokenProcessPool("a worker died")

    monkeypatch.setattr(parallel, "parse_parallel", broken)
    path = write(tmp_path, po_interchange(), "small.edi")
    result = parse_x12_files([path], workers=2, parallel_min_bytes=0)
    assert result.tables["orders"].num_rows == 1
