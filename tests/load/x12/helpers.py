"""Helpers for the X12 tests: fixture paths, a tiny interchange builder, rows as dicts.

The fixtures in tests/load/x12/fixtures are small hand-written files (see their README); the
builder here makes one-off interchanges for envelope defects, where the defect is easiest to
read right in the test ("SE*5*0001" -> "SE*6*0001").
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from recon.load.x12 import X12Options, X12Result, parse_x12_files, parser

FIXTURES = Path(__file__).parent / "fixtures"

PO_BODY = [
    "BEG*00*SA*PO-1**20240105",
    "N1*BY*ACME*92*C1",
    "PO1*1*2*EA*3.5**VP*SKU-1",
]


def isa(sender: str = "BIGBOX", receiver: str = "DISTCO", control: int = 1, *, e: str = "*", comp: str = ">",
        rep: str = "U", version: str = "00401") -> str:
    fields = ["ISA", "00", " " * 10, "00", " " * 10, "ZZ", f"{sender:<15}", "ZZ", f"{receiver:<15}", "240105",
              "1200", rep, version, f"{control:09d}", "0", "P", comp]
    text = e.join(fields)
    assert len(text) == 105
    return text


def build(groups: list[tuple[str, int, list[tuple[str, str, list[str]]]]], *, sender: str = "BIGBOX",
          receiver: str = "DISTCO", control: int = 1, e: str = "*", comp: str = ">", rep: str = "U",
          version: str = "00401") -> list[str]:
    """Segments of one well-formed interchange: groups are (GS01, GS06, [(ST01, ST02, body)])."""
    segs = [isa(sender, receiver, control, e=e, comp=comp, rep=rep, version=version)]
    for fid, gctl, sets in groups:
        segs.append(e.join(["GS", fid, sender, receiver, "20240105", "1200", str(gctl), "X", "004010"]))
        for ts, ctl, body in sets:
            segs.append(e.join(["ST", ts, ctl]))
            segs.extend(body)
            segs.append(e.join(["SE", str(len(body) + 2), ctl]))
        segs.append(e.join(["GE", str(len(sets)), str(gctl)]))
    segs.append(e.join(["IEA", str(len(groups)), f"{control:09d}"]))
    return segs


def po_interchange(control: int = 1, sets: int = 1, **kw: Any) -> str:
    """An interchange with one PO group (GS06 = control) of `sets` small 850s (ST02 0001, ...), '~' + LF."""
    bodies = [("850", f"{n:04d}", [s.replace("PO-1", f"PO-{n}") for s in PO_BODY]) for n in range(1, sets + 1)]
    return "~\n".join(build([("PO", control, bodies)], control=control, **kw)) + "~\n"


def write(tmp_path: Path, text: str | bytes, name: str = "in.edi") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


def parse(*paths: Path, options: X12Options | None = None) -> X12Result:
    return parse_x12_files(list(paths), options, {p: p.name for p in paths})


def parse_text(tmp_path: Path, text: str | bytes, options: X12Options | None = None, name: str = "in.edi") -> X12Result:
    return parse(write(tmp_path, text, name), options=options)


def rows(result: X12Result, entity: str, *, lineage: bool = False) -> list[dict[str, Any]]:
    out = result.tables[entity].to_pylist()
    if not lineage:
        out = [{k: v for k, v in r.items() if not k.startswith("_")} for r in out]
    return out


def codes(result: X12Result) -> list[str]:
    return [f.code for f in result.findings]



def same_result(a: X12Result, b: X12Result) -> None:
    """Two parses gave the same tables, findings, file summaries and segment count (streamed vs whole)."""
    for entity, table in a.tables.items():
        assert table.equals(b.tables[entity]), entity
    assert a.findings == b.findings
    assert a.files == b.files
    assert a.segments == b.segments


def record_plans(monkeypatch: Any, module: Any, blocks: dict[str, int]) -> list[bool]:
    """Stream every file `module.plan` accepts (STREAM_MIN_BYTES 0, `blocks` set on `module`).

    Returns the list the plans are recorded into: whether each file qualified.
    """
    from recon.load.x12 import stream

    planned: list[bool] = []
    plan = module.plan

    def recording(path: Path, *args: Any) -> Any:
        p = plan(path, *args)
        planned.append(p is not None)
        return p

    monkeypatch.setattr(stream, "STREAM_MIN_BYTES", 0)
    for name, value in blocks.items():
        monkeypatch.setattr(module, name, value)
    monkeypatch.setattr(module, "plan", recording)
    return planned


def assert_bounded_memory(small: Path, large: Path, parse_one: Any, stream_on: Any) -> None:
    """The whole-file parse of `small` peaks above twice the file; once `stream_on()` (returning the
    recorded plans) streams them, Python's peak for `large` stays under half its size and grows by
    less than a quarter of the files' difference. tracemalloc traces Python, not Arrow's buffers."""
    import tracemalloc

    def peak(path: Path) -> int:
        tracemalloc.start()
        try:
            parse_one(path)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    sizes = small.stat().st_size, large.stat().st_size
    assert sizes[1] > 1_000_000
    assert peak(small) > 2 * sizes[0]  # the file's text, its segment strings and their lists
    planned = stream_on()
    peaks = peak(small), peak(large)
    assert planned == [True, True]
    assert peaks[1] < sizes[1] / 2, (peaks, sizes)
    assert peaks[1] - peaks[0] < (sizes[1] - sizes[0]) / 4, (peaks, sizes)  # five times the file, not the memory


def planned_parts(monkeypatch: Any) -> list[list[Any]]:
    """Record the tasks `parallel._plan_file` plans for each file, and fail any whole read of a file in
    the parent (`Path.read_bytes`): a large file must be read in blocks and parsed in parts."""
    from recon.load.x12 import parallel

    planned: list[list[Any]] = []
    real_plan = parallel._plan_file

    def plan(*args: Any, **kwargs: Any) -> list[Any]:
        tasks = real_plan(*args, **kwargs)
        planned.append(tasks)
        return tasks

    def whole_read(self: Path) -> bytes:
        raise AssertionError(f"{self} was read whole in the parent")

    monkeypatch.setattr(parallel, "_plan_file", plan)
    monkeypatch.setattr(Path, "read_bytes", whole_read)
    return planned


def parse_with_threshold(module: ModuleType, min_segments: int, paths: list[Path],
                         options: X12Options | None = None, block_segments: int | None = None) -> X12Result:
    """Parse with `module.MIN_SEGMENTS` (a fast path's size threshold) set for the call: 0 takes the fast
    path everywhere, a huge value never, so one input is parsed both ways.

    The reference (a huge value) also maps one interchange at a time (`parser.BLOCK_SEGMENTS` 0: no
    small interchanges batched into one block), so every fast parse is compared with the plain
    per-interchange parse; `block_segments` sets the batch size of the fast parse (default: the parser's).
    """
    saved, saved_block = module.MIN_SEGMENTS, parser.BLOCK_SEGMENTS
    module.MIN_SEGMENTS = min_segments
    if min_segments >= 10**12:
        parser.BLOCK_SEGMENTS = 0
    elif block_segments is not None:
        parser.BLOCK_SEGMENTS = block_segments
    try:
        return parse_x12_files(paths, options)
    finally:
        module.MIN_SEGMENTS, parser.BLOCK_SEGMENTS = saved, saved_block


def assert_fallback_is_the_reference(monkeypatch: pytest.MonkeyPatch, module: ModuleType, broken: str,
                                     paths: list[Path]) -> None:
    """With `module.<broken>` raising, a parse that takes the fast path everywhere still gives the reference's
    tables and findings: a bug in a fast path costs speed, never rows."""
    expected = parse_with_threshold(module, 10**12, paths)

    def raising(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"{broken} bug")

    monkeypatch.setattr(module, broken, raising)
    got = parse_with_threshold(module, 0, paths)
    for entity, table in expected.tables.items():
        assert got.tables[entity].equals(table), entity
    assert [f.to_dict() for f in got.findings] == [f.to_dict() for f in expected.findings]


def assert_both_ways_same(module: ModuleType, paths: list[Path], options: X12Options | None = None,
                          block_segments: int | None = None) -> X12Result:
    """Parse with `module`'s fast path nowhere and everywhere (small interchanges batched into blocks of
    `block_segments`); require the same tables (column by column), findings, file summaries and segment
    count. Returns the fast parse."""
    ref = parse_with_threshold(module, 10**12, paths, options)
    fast = parse_with_threshold(module, 0, paths, options, block_segments)
    assert ref.tables.keys() == fast.tables.keys()
    for entity, expected in ref.tables.items():
        got = fast.tables[entity]
        assert got.schema == expected.schema, entity
        assert got.num_rows == expected.num_rows, entity
        for name in expected.column_names:
            assert got[name].to_pylist() == expected[name].to_pylist(), f"{entity}.{name}"
    assert [f.to_dict() for f in fast.findings] == [f.to_dict() for f in ref.findings]
    assert [f.to_dict() for f in fast.files] == [f.to_dict() for f in ref.files]
    assert fast.segments == ref.segments
    return fast


def assert_text_both_ways_same(module: ModuleType, text: str, options: X12Options | None = None,
                               block_segments: int | None = None) -> X12Result:
    """`assert_both_ways_same` for a generated interchange's text, written to a temporary file (hypothesis
    examples cannot take pytest's tmp_path)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "gen.edi"
        path.write_text(text, encoding="utf-8")
        return assert_both_ways_same(module, [path], options, block_segments)
