"""The parallel parse (worker processes, large files cut at interchanges) equals the serial parse.

Same tables (rows, row order, `_source_row`), same findings in the same order (duplicate
control numbers across files and across parts of a file included), same file summaries.
The size thresholds are lowered so that these small files take the parallel path and are cut.
"""

from __future__ import annotations

import functools
import os
import resource
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recon.load.x12 import X12Options, X12Result, asn, parallel, parse_x12_files, parser, processes, stream
from tests.load.x12.helpers import FIXTURES, planned_parts, po_interchange, record_plans, same_result, write


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


@functools.cache
def _big_path() -> Path:
    """The big file on disk once per session (hypothesis examples share it)."""
    return write(Path(tempfile.mkdtemp(prefix="recon-x12-big-")), _big_file(), "big.edi")


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


def test_files_are_cut_when_whole_files_leave_a_worker_idle_or_are_large() -> None:
    mib = 1024 * 1024
    # four files of under BOUNDED_BYTES within 15% of an even split: not cut
    assert parallel._part_bytes([30 * mib, 28 * mib, 25 * mib, 27 * mib], 2) > 30 * mib
    # one large file: cut, for balance and for memory, into parts of at most PART_MAX_BYTES
    assert parallel._part_bytes([300 * mib, 5 * mib], 2) == parallel.PART_MAX_BYTES
    assert parallel._part_bytes([99 * mib, 22 * mib, 71 * mib, 120 * mib], 2) == parallel.PART_MAX_BYTES


@settings(max_examples=15, deadline=None)
@given(block=st.integers(min_value=600, max_value=20_000), part=st.integers(min_value=800, max_value=6_000))
def test_cut_points_do_not_depend_on_the_block_the_file_is_read_in(block: int, part: int) -> None:
    path = _big_path()
    whole = parallel.stream_cuts(path, part, block_bytes=path.stat().st_size + 1)
    assert whole, "the file is cut"
    assert parallel.stream_cuts(path, part, block_bytes=block) == whole
    text = path.read_text()
    assert all(text.startswith("ISA", c) for c in whole)


def test_a_large_file_is_parsed_in_parts_with_one_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Bounded memory: above BOUNDED_BYTES the parent reads blocks, a worker parses one part at a time."""
    paths = _files(tmp_path)
    serial = _parse(paths, None)
    monkeypatch.setattr(parallel, "BOUNDED_BYTES", 8_000)
    monkeypatch.setattr(parallel, "PART_MAX_BYTES", 1_500)
    monkeypatch.setattr(parallel, "STREAM_BLOCK_BYTES", 4_096)
    planned = planned_parts(monkeypatch)
    result = parse_x12_files(paths, X12Options(our_ids=["DISTCO"]), {p: p.name for p in paths}, workers=1)
    assert max(map(len, planned)) >= 4, "the big file is cut into parts"
    assert [f.to_dict() for f in result.findings] == [f.to_dict() for f in serial.findings]
    assert [f.to_dict() for f in result.files] == [f.to_dict() for f in serial.files]
    for entity, table in serial.tables.items():
        assert result.tables[entity].equals(table), entity


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


@pytest.mark.parametrize("encoding", ["utf-8", "latin-1"])
def test_a_large_non_ascii_file_is_cut_into_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  encoding: str) -> None:
    """A UTF-8 file (a BOM, multi-byte names) or a Latin-1 one is cut at its ASCII ISAs like an ASCII file,
    each part decoded with the whole file's codec: the serial result, and never the file read whole."""
    text = _big_file().replace("PO-2", "PO-Ü日2" if encoding == "utf-8" else "PO-Ü2")
    data = ("\ufeff" + text).encode("utf-8") if encoding == "utf-8" else text.encode("latin-1")
    path = write(tmp_path, data, "big.edi")
    serial = _parse([path], None)
    assert any("Ü" in (po or "") for po in serial.tables["orders"].column("customer_po").to_pylist())
    monkeypatch.setattr(parallel, "BOUNDED_BYTES", 8_000)
    monkeypatch.setattr(parallel, "PART_MAX_BYTES", 1_500)
    monkeypatch.setattr(parallel, "STREAM_BLOCK_BYTES", 4_096)
    planned = planned_parts(monkeypatch)
    result = parse_x12_files([path], X12Options(our_ids=["DISTCO"]), {path: path.name}, workers=1)
    tasks = planned[0]
    assert len(tasks) >= 4, "the file is cut into parts"
    assert {t.codec for t in tasks} == {encoding}
    assert [f.to_dict() for f in result.findings] == [f.to_dict() for f in serial.findings]
    assert [f.to_dict() for f in result.files] == [f.to_dict() for f in serial.files]
    for entity, table in serial.tables.items():
        assert result.tables[entity].equals(table), entity


def test_an_isa_with_a_non_ascii_separator_stops_the_cutting(tmp_path: Path) -> None:
    """Decoded, such an ISA may start an interchange where the bytes show none: the file is not cut."""
    text = _big_file()
    k = text.index("ISA*", len(text) // 2)
    text = text[:k] + text[k:].replace("ISA*", "ISA\u2026", 1).replace("*", "\u2026", 16)
    path = write(tmp_path, text.encode("utf-8"), "big.edi")
    assert parallel.cut_plan(path, 1_500, 4_096) == ([], "ascii")


def test_a_huge_interchange_among_others_is_a_part_of_its_own_and_streamed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An interchange larger than the largest cut-scan block gets a part of its own (cuts at its ISA and at the
    next one), that part is read block by block (`stream`), and the result is the serial parse's."""
    small = "".join(po_interchange(control=c, sets=3) for c in range(1, 4))
    huge = po_interchange(control=50, sets=120)
    tail = "".join(po_interchange(control=c, sets=2) for c in range(60, 62))
    path = write(tmp_path, small + huge + tail, "mixed.edi")
    serial = _parse([path], None)
    for name, value in {"BOUNDED_BYTES": 1_000, "PART_MAX_BYTES": 1_000, "STREAM_BLOCK_BYTES": 1_024,
                        "STREAM_BLOCK_MAX_BYTES": 4_096}.items():
        monkeypatch.setattr(parallel, name, value)
    monkeypatch.setattr(stream, "STREAM_MIN_BYTES", 10_000)
    assert len(huge) > 2 * 4_096
    cuts = parallel.stream_cuts(path, 1_000, 1_024)
    assert len(small) in cuts and len(small) + len(huge) in cuts, cuts
    tasks = parallel._plan([path], [path.name], X12Options(our_ids=["DISTCO"]), str(tmp_path), 1)
    (giant,) = [t for t in tasks if t.start == len(small)]
    planned = record_plans(monkeypatch, stream, {"BLOCK_CHARS": 2_000})
    monkeypatch.setattr(stream, "STREAM_MIN_BYTES", 10_000)
    alone = parallel._run(giant)  # in this process: its part was streamed
    assert planned == [True] and alone.files[0].loaded_sets == 120
    result = parse_x12_files([path], X12Options(our_ids=["DISTCO"]), {path: path.name}, workers=1)
    same_result(result, serial)


def _thresholds_after_run(task: parallel._Task) -> tuple[int, int, int]:
    """In a worker: parse a task, then report the module sizes the parse ran with."""
    parallel._run(task)
    return asn.MIN_SEGMENTS, parser.BLOCK_SEGMENTS, stream.BLOCK_CHARS


def test_workers_parse_with_the_parents_thresholds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A test or a benchmark that sets a fast read's threshold (`asn.MIN_SEGMENTS`) in this process gets it
    in the workers too: a worker starts from the modules as imported, so each task carries the values."""
    path = write(tmp_path, po_interchange(), "small.edi")
    monkeypatch.setattr(asn, "MIN_SEGMENTS", 10**12)
    monkeypatch.setattr(parser, "BLOCK_SEGMENTS", 7)
    monkeypatch.setattr(stream, "BLOCK_CHARS", 12_345)
    (task,) = parallel._plan([path], [path.name], X12Options(), str(tmp_path), 1)
    with processes.pool(1) as pool:
        assert pool.submit(_thresholds_after_run, task).result() == (10**12, 7, 12_345)


def test_workers_are_forked_from_a_server_that_imported_the_parse() -> None:
    """No worker imports pyarrow and the parse itself (~0.9 CPU s each when spawned): the fork server did once."""
    with processes.pool(2) as pool:
        assert pool.submit(eval, "'recon.load.x12.parser' in __import__('sys').modules").result()
        assert pool.submit(eval, "'duckdb' in __import__('sys').modules").result() is False


def test_the_workers_cpu_counts_as_this_process_childrens() -> None:
    """The workers are the fork server's children: it is waited for after the pool, so that `time` and
    `getrusage` (the benchmarks) count their CPU, and no process is left behind."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with processes.pool(1) as pool:
        used = pool.submit(eval, "(sum(range(3 * 10**6)), __import__('time').process_time())[1]").result()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime >= used > 0


def test_a_worker_that_dies_breaks_the_pool() -> None:
    """What `parse_x12_files` falls back to the serial parse on (`BrokenProcessPool`) still comes."""
    with processes.pool(1) as pool, pytest.raises(parallel.BrokenProcessPool):
        pool.submit(os._exit, 3).result()
