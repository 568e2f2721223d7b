"""A file over `x12.max_file_mb` is refused unread with a named finding, in process and in workers,
and through the loader it is an unreadable file (exit 3 under --strict), never an exhausted machine."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

from click.testing import CliRunner

from recon.cli import main
from recon.load.x12 import X12Options, parse_x12_files

from .helpers import po_interchange


def big_file(tmp_path: Path, megabytes: float, name: str = "big.edi") -> Path:
    """Interchanges of 20 small 850s each until the file passes `megabytes` MiB."""
    path = tmp_path / name
    block = po_interchange(control=1, sets=20)
    count = int(megabytes * 1024 * 1024 / len(block)) + 1
    with path.open("w", encoding="ascii", newline="") as fh:
        for control in range(1, count + 1):
            fh.write(po_interchange(control=control, sets=20))
    return path


def test_a_file_over_the_limit_is_refused_without_being_read(tmp_path: Path) -> None:
    path = big_file(tmp_path, 1.2)
    parse_x12_files([path], X12Options(max_file_mb=1))  # imports and first-use caches, not measured
    tracemalloc.start()
    result = parse_x12_files([path], X12Options(max_file_mb=1), {path: "big.edi"})
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    [summary] = result.files
    assert not summary.readable and "over the limit of 1 MiB (x12.max_file_mb)" in (summary.error or "")
    assert [f.code for f in result.findings] == ["X12-FILE-TOO-LARGE"] and result.findings[0].file == "big.edi"
    assert result.segments == 0 and all(t.num_rows == 0 for t in result.tables.values())
    assert peak < path.stat().st_size // 4  # the file was never read into memory


def test_the_limit_holds_in_worker_processes_and_spares_the_other_files(tmp_path: Path) -> None:
    big, small = big_file(tmp_path, 1.2), tmp_path / "small.edi"
    small.write_text(po_interchange(control=7), encoding="ascii")
    names = {big: "big.edi", small: "small.edi"}
    result = parse_x12_files([big, small], X12Options(max_file_mb=1), names, workers=2, parallel_min_bytes=0)
    assert [(f.path, f.readable) for f in result.files] == [("big.edi", False), ("small.edi", True)]
    assert [f.code for f in result.findings] == ["X12-FILE-TOO-LARGE"]
    assert result.tables["orders"].num_rows == 1


def test_a_file_under_the_limit_parses(tmp_path: Path) -> None:
    path = big_file(tmp_path, 0.5)
    result = parse_x12_files([path], X12Options(max_file_mb=1), {path: "big.edi"})
    assert result.files[0].readable and result.findings == []
    assert result.tables["orders"].num_rows > 1000


def test_run_reports_the_refused_file_and_exits_3_under_strict(make_project, tmp_path: Path) -> None:
    config = make_project(
        "sources:\n  edi_in:\n    system: edi\n    format: x12\n    path: edi/*.edi\n    x12: {max_file_mb: 1}\n")
    (tmp_path / "edi").mkdir()
    big_file(tmp_path / "edi", 1.2)
    result = CliRunner().invoke(main, ["run", "--config", str(config), "--out", str(tmp_path / "o"), "--strict",
                                       "--as-of", "2026-11-20T06:00:00"])
    assert result.exit_code == 3, result.output
    assert "edi/big.edi" in result.output and "x12.max_file_mb" in result.output
