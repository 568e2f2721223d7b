"""Parse X12 files in worker processes: the same result as the serial parse, in less wall time and memory.

The parse is pure Python, so it runs on one core; a night's drop is a few files of very
different sizes. Here each file, or each part of a large file cut at interchange (ISA)
boundaries, is a task for a process pool:

* a worker parses its task with the serial parser and writes each entity's rows as an Arrow
  IPC file (every 64k rows, so its rows never pile up), then returns only its findings, file
  summary and segment count; its memory is freed when the pool ends;
* the parent memory-maps the IPC files (the files are unlinked at once; the mappings keep them
  until the tables are dropped) and concatenates them in file order, so rows, row order and
  `_source_row` are those of the serial parse;
* duplicate control numbers across files and parts: a worker records each check as a
  `PendingDuplicate` at the place its finding would go, and the parent replays them in file
  order against one registry (`duplicates.resolve_pending`): same findings, same order;
* a part of a file counts segment positions from 1; the parent adds the segments of the parts
  before it to findings, registry positions and `_source_row`.

A large file is only cut where character and byte offsets agree (an ASCII file, or the ASCII
ISAs of a UTF-8 or Latin-1 one, each part decoded with the whole file's codec) and only where
the serial tokenizer itself starts a readable interchange after a readable one. An EDIFACT file
is cut before an interchange that follows a UNZ (`recon.load.edifact.cuts`), each part after the
first read with the file's service characters. Anything else is parsed whole.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc as ipc

from recon.load.blocks import BOM, Validity, read_range
from recon.load.edifact import cuts as edifact_cuts
from recon.load.edifact import stream as edifact_stream
from recon.load.edifact.options import EdifactOptions
from recon.load.edifact.parser import unmapped_finding as unmapped_message_finding
from recon.load.edifact.syntax import Service, is_edifact
from recon.load.x12 import processes, stream
from recon.load.x12.duplicates import PendingDuplicate, Registry, resolve_pending
from recon.load.x12.isa import Delimiters, bad_delimiter
from recon.load.x12.parser import _gc_paused, _Parser, empty_tables, unmapped_finding
from recon.load.x12.quirks import X12Options
from recon.load.x12.result import FileSummary, Finding, InterchangeSummary, X12Result, astuple_fields
from recon.load.x12.sets.schema import COLUMNS
from recon.load.x12.tokenizer import decode, first_isa, interchange_spans

PARALLEL_MIN_BYTES = 8 * 1024 * 1024
"""Below this total size the files are parsed in process: starting workers would cost more than it
saves (about 1.7 CPU s for two workers forked from the fork server, which imports the parse once;
about 3.4 where workers are spawned and each imports it; bench/notes.md, x12w8)."""

PART_MIN_BYTES = 16 * 1024 * 1024
"""A file is cut into parts of at least this size (and about total / (4 x workers), so that
two workers finish close together); smaller files are one task."""

BALANCE = 1.15
"""Files are only cut when whole files would leave the workers unbalanced: when the busiest
worker (files handed out largest first) would get more than BALANCE x its fair share of bytes.
Cutting costs a read and an interchange scan of the file in the parent (~0.4 s per 100 MB)."""

BOUNDED_BYTES = 32 * 1024 * 1024
"""A file at least this large is always cut into parts of at most PART_MAX_BYTES and parsed part by
part in a worker process, even with one worker: the serial parse holds a file's text and one
interchange's segment lists at once (about 25 x the file), a part's worker about 25 x the part, and
the parent only memory-maps the rows the workers wrote. Only a file that cannot be cut (not ASCII,
or one interchange) is still parsed whole."""

PART_MAX_BYTES = 16 * 1024 * 1024
"""The largest part a file of BOUNDED_BYTES or more is cut into (about 400 MB of worker memory)."""

STREAM_BLOCK_BYTES = 32 * 1024 * 1024
"""The file is read in blocks of this size to find its cut points (it is never read whole)."""

STREAM_BLOCK_MAX_BYTES = 4 * STREAM_BLOCK_BYTES
"""A block grows (doubling) to hold an interchange larger than it, up to this size: beyond it the
scan stops, so that a file of one huge interchange is never read whole here; the task that
holds that interchange reads it block by block (`stream`) when it qualifies."""

_MARGIN = 4096
"""Within a block, an interchange is only trusted when the next one starts this far before the
block's end: read_isa and the search for the next ISA then see the same text as in the whole file."""

_ISA_MIN_SPAN = 400
"""read_isa looks up to 400 characters ahead: an interchange shorter than that is never the
last one of a part, so that it reads the same whether the next one follows or not."""


@dataclass(slots=True)
class _Task:
    index: int
    path: str
    name: str
    options: X12Options
    directory: str
    start: int = 0  # character (= byte, ASCII files only) range of a part; whole file when part is False
    stop: int = -1
    part: bool = False
    last: bool = False
    size: int = 0
    edifact: EdifactOptions | None = None  # how the EDIFACT files among the paths are read
    head: Service | None = None  # an EDIFACT file's service characters, which its parts are read with
    codec: str = "ascii"  # what an X12 file's parts are decoded with (`cut_plan`)
    stream_min_bytes: int = field(default_factory=lambda: stream.STREAM_MIN_BYTES)  # a larger part is streamed
    switches: tuple[int, ...] = field(default_factory=processes.switches)  # the parent's `processes.SWITCHES`


@dataclass(slots=True)
class _TaskResult:
    files: list[FileSummary]
    findings: list  # Finding | PendingDuplicate, in parse order
    segments: int
    unmapped: Counter[str] = field(default_factory=Counter)
    tables: dict[str, str] = field(default_factory=dict)  # entity -> IPC file
    cpu: float = 0.0  # CPU seconds the task took in its worker (for benchmarks)
    worker: int = 0  # the worker's process id
    worker_cpu: float = 0.0  # CPU seconds of the worker process so far


class _Spill:
    """Writes an entity's Arrow chunks to one IPC file per entity as the parser flushes them."""

    def __init__(self, directory: str, index: int) -> None:
        self.directory = directory
        self.index = index
        self.writers: dict[str, ipc.RecordBatchFileWriter] = {}
        self.paths: dict[str, str] = {}

    def __call__(self, entity: str, table: pa.Table) -> None:
        writer = self.writers.get(entity)
        if writer is None:
            path = os.path.join(self.directory, f"{self.index:05d}.{entity}.arrow")
            writer = self.writers[entity] = ipc.new_file(path, table.schema)
            self.paths[entity] = path
        writer.write_table(table)

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()


def _run(task: _Task) -> _TaskResult:
    """One task, in a worker process."""
    started = time.process_time()
    processes.set_switches(task.switches)
    spill = _Spill(task.directory, task.index)
    parser = _Parser(task.options, {Path(task.path): task.name}, Registry(deferred=True), spill, task.edifact)
    unmapped: Counter[str] = Counter()
    with _gc_paused():
        if not task.part:
            parser.parse_file(Path(task.path))
        else:
            summary = FileSummary(path=task.name, readable=False)
            parser.files.append(summary)
            if not _stream_part(parser, task, summary, unmapped):
                _parse_part(parser, task, summary, unmapped)
        parser.flush_all()
    spill.close()
    return _result(task, parser, spill, unmapped, started)


def _parse_part(parser: _Parser, task: _Task, summary: FileSummary, unmapped: Counter[str]) -> None:
    """A part read whole: its bytes decoded (X12) or tokenized (EDIFACT) as inside the whole file."""
    with open(task.path, "rb") as fh:
        fh.seek(task.start)
        data = fh.read(task.stop - task.start if task.stop >= 0 else -1)
    if task.head is not None:  # EDIFACT: the first part reads the head itself
        parser.edifact.parse(task.name, summary, data, task.head if task.start else None, unmapped)
    else:
        # Only the end of the file is stripped as `decode` does; inside, the text reads as in the serial parse.
        text = _decode_part(data, task.codec, task.last)
        del data
        parser.parse_text(task.name, summary, text, unmapped)


def _stream_part(parser: _Parser, task: _Task, summary: FileSummary, unmapped: Counter[str]) -> bool:
    """Parse a large part of one interchange block by block (`stream`), as `parse_file` does a file; False
    when the part is small or does not qualify (it is then read whole)."""
    if task.size < task.stream_min_bytes:
        return False
    path = Path(task.path)
    if task.head is not None:
        eplan = edifact_stream.plan(path, task.start, task.stop, task.head if task.start else None)
        if eplan is None:
            return False
        parser.edifact.parse_stream(path, task.name, summary, eplan, unmapped)
        return True
    xplan = stream.plan(path, task.start, task.stop, task.codec)
    if xplan is None:
        return False
    parser.parse_stream(path, task.name, summary, xplan, unmapped)
    return True


def _result(task: _Task, parser: _Parser, spill: _Spill, unmapped: Counter[str], started: float) -> _TaskResult:
    # Plain tuples pickle in C; a worker has one pending check per interchange and group and one
    # summary per interchange (at 1M orders, dataclasses took ~1 s per worker to pickle).
    findings = [tuple(f) if isinstance(f, PendingDuplicate) else f for f in parser.findings]
    for summary in parser.files:
        summary.interchanges = [astuple_fields(i) for i in summary.interchanges]  # type: ignore[misc]
    return _TaskResult(parser.files, findings, parser.segments, unmapped, spill.paths,
                       time.process_time() - started, os.getpid(), time.process_time())


def stream_cuts(path: Path, part_bytes: int, block_bytes: int = STREAM_BLOCK_BYTES) -> list[int]:
    """Where to cut a file into parts (`cut_plan` without the codec)."""
    return cut_plan(path, part_bytes, block_bytes)[0]


def cut_plan(path: Path, part_bytes: int, block_bytes: int = STREAM_BLOCK_BYTES) -> tuple[list[int], str]:
    """Where to cut a file into parts: starts of readable interchanges after readable ones; and the parts' codec.

    The file is read block by block (never whole): each block is walked with the serial
    tokenizer's own `interchange_spans`, and the walk resumes in the next block at the first
    interchange that ends too close to the block's end to be read as in the whole file. An
    interchange larger than a block makes the block grow, up to STREAM_BLOCK_MAX_BYTES (then no
    cut follows it).

    A file that is not ASCII is walked as Latin-1, where a character is a byte, so the offsets
    found are byte offsets; it is cut only at an interchange whose ISA and the one before it are
    ASCII (every delimiter, the "ISA" and the layout before it then read alike in the codec the
    whole-file path decodes with, `tokenizer.decode`: UTF-8 when all the file is UTF-8, else
    Latin-1), and the parts are decoded with that codec (`codec`, found by a first pass, `Validity`).
    """
    size = _size(path)
    cuts: list[int] = []
    last_cut = 0
    prev_p, prev_ok = -1, False
    force = False  # the next interchange is cut before whatever the sizes: it follows a huge one
    base, start, block = 0, -1, block_bytes  # start -1: the block begins before the first ISA
    validity = Validity(["utf-8"])
    with open(path, "rb") as fh:
        while True:
            fh.seek(base)
            data = fh.read(block)
            if base + len(data) > validity.fed:
                validity.feed(data[validity.fed - base :])
            final = base + len(data) >= size
            if data.isascii():
                text = decode(data) if final else data.decode("ascii")
            else:
                text = data.decode("latin-1")
                text = text.rstrip(_END) if final else text
                if _ISA_NOT_ASCII.search(text):
                    return [], "ascii"  # an ISA whose element separator is not ASCII: it may read otherwise decoded
            del data
            first = first_isa(text) if start < 0 else start
            if first < 0:
                if final:
                    break
                block *= 2
                continue
            resume, resume_read = -1, None
            for p, nxt, read, _error in interchange_spans(text, first):
                if not final and (nxt < 0 or nxt > len(text) - _MARGIN):
                    resume, resume_read = p, read  # this interchange may end beyond the block: read it again
                    break
                ok = read is not None and text[p : read[2]].isascii()
                at = base + p
                if ok and prev_ok and at - prev_p > _ISA_MIN_SPAN and (
                    force or (at - last_cut >= part_bytes and size - at >= part_bytes // 2)
                ):
                    cuts.append(at)
                    last_cut = at
                prev_p, prev_ok, force = at, ok, False
            if final or resume < 0:
                break
            if resume == first:  # not even one interchange fits in the block
                if block < STREAM_BLOCK_MAX_BYTES:
                    block *= 2
                    continue
                # One huge interchange: a part of its own (its task streams it, `stream`), from its ISA to
                # the next ISA that starts a segment as the tokenizer finds it (`_next_isa`).
                at = base + resume
                ok = resume_read is not None and text[resume : resume_read[2]].isascii()
                end = _interchange_end(fh, base + resume_read[2], resume_read[0], block_bytes) if ok else -1
                if end < 0:
                    break  # it runs to the end of the file, or its end cannot be told: no cut after it
                if prev_ok and at - prev_p > _ISA_MIN_SPAN and at > last_cut:
                    cuts.append(at)
                    last_cut = at
                prev_p, prev_ok, force = at, True, True
                base, start, block = end, 0, block_bytes
                continue
            base, start, block = base + resume, 0, block_bytes
        if validity.ascii and validity.fed >= size:
            return cuts, "ascii"
        if not cuts:
            return cuts, "ascii"
        fh.seek(validity.fed)
        while data := fh.read(block_bytes):
            validity.feed(data)
    validity.feed(b"", True)
    if validity.ascii:
        return cuts, "ascii"
    return cuts, "utf-8" if validity.valid("utf-8") else "latin-1"


def _interchange_end(fh: BinaryIO, body: int, d: Delimiters, block_bytes: int) -> int:
    """The byte offset of the next ISA after `body` (the text after a huge interchange's ISA) that starts a
    segment under its delimiters `d`, as `tokenizer._next_isa` finds it; -1 when there is none, or when it
    cannot be told here (layout before a candidate longer than `_MARGIN`, a non-ASCII character after "ISA")."""
    blanks = " \t" if d.line_terminated else " \t\r\n"
    tail = b""
    pos = checked = body  # the next byte to read; candidates before `checked` were judged
    for data in read_range(fh, body, -1, block_bytes):
        window = tail + data
        origin = pos - len(tail)
        pos += len(data)
        text = window.decode("latin-1")
        i = text.find("ISA", checked - origin)
        while 0 <= i < len(text) - 3:  # the character after the candidate is in this window
            checked = origin + i + 1
            after = text[i + 3]
            if after >= "\x80":
                return -1
            if not bad_delimiter(after):
                j = i - 1
                while j >= 0 and text[j] in blanks:
                    j -= 1
                if j < 0:
                    return -1
                if (text[j] in "\r\n") if d.line_terminated else (text[j] == d.segment):
                    return origin + i
            i = text.find("ISA", i + 1)
        tail = window[-_MARGIN:]
    return -1


_END = "\x00\x1a \t\r\n"  # what `tokenizer.decode` strips from the end of a file
_ISA_NOT_ASCII = re.compile("ISA[^\x00-\x7f]")


def _decode_part(data: bytes, codec: str, last: bool) -> str:
    """A part's text as it reads inside the whole file's text: decoded with the file's codec, BOMs
    dropped, and only the end of the file (the last part) stripped as `tokenizer.decode` strips it."""
    if codec == "ascii":
        return decode(data) if last else data.decode("ascii")
    text = data.decode(codec)
    if BOM in text:
        text = text.replace(BOM, "")
    return text.rstrip(_END) if last else text


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _plan_file(index: int, path: Path, name: str, size: int, options: X12Options, directory: str,
               part_bytes: int) -> list[_Task]:
    """The tasks of one file: the whole file, or its parts when it is large, ASCII and can be cut."""
    cuts: list[int] = []
    head: Service | None = None
    codec = "ascii"
    if size >= part_bytes * 3 // 2 and size <= options.max_file_mb * 1024 * 1024:  # else refused unread
        try:
            if _is_edifact(path):
                cuts, head = edifact_cuts.stream_cuts(path, part_bytes, STREAM_BLOCK_BYTES)
            else:
                cuts, codec = cut_plan(path, part_bytes)
        except OSError:
            cuts = []
    if not cuts:
        return [_Task(index * 10_000, str(path), name, options, directory, size=size)]
    bounds = [0, *cuts, -1]
    return [
        _Task(index * 10_000 + i, str(path), name, options, directory, start, stop, True, stop < 0,
              (stop if stop >= 0 else size) - start, head=head, codec=codec)
        for i, (start, stop) in enumerate(pairwise(bounds))
    ]


def _is_edifact(path: Path) -> bool:
    with open(path, "rb") as fh:
        return is_edifact(fh.read(64))


def _part_bytes(sizes: Sequence[int], workers: int) -> int:
    """The size of the parts large files are cut into; larger than any file when no cut is needed."""
    loads = [0] * workers
    for size in sorted(sizes, reverse=True):
        loads[loads.index(min(loads))] += size
    if max(loads) <= BALANCE * sum(sizes) / workers:
        part = max(sizes, default=0) + 1
    else:
        part = max(PART_MIN_BYTES, sum(sizes) // (4 * workers))
    # Large files are cut for memory as well as for balance (BOUNDED_BYTES).
    return min(part, PART_MAX_BYTES) if max(sizes, default=0) >= BOUNDED_BYTES else part


def _plan(paths: Sequence[Path], names: Sequence[str], options: X12Options, directory: str,
          workers: int) -> list[_Task]:
    """Every task, in file order (what the merge follows)."""
    sizes = [_size(p) for p in paths]
    part_bytes = _part_bytes(sizes, workers)
    return [task for i, (path, name, size) in enumerate(zip(paths, names, sizes, strict=True))
            for task in _plan_file(i, path, name, size, options, directory, part_bytes)]


def _read(path: str) -> pa.Table:
    """An IPC file as a memory-mapped table; the file is unlinked (the mapping keeps its data)."""
    with pa.memory_map(path) as source:
        table = ipc.open_file(source).read_all()
    os.unlink(path)
    return table


def parse_parallel(
    paths: Sequence[Path], options: X12Options, display_names: Mapping[Path, str], workers: int,
    edifact: EdifactOptions | None = None,
) -> X12Result:
    """`parse_x12_files` in `workers` processes; the result is identical to the serial parse.

    Files are planned and submitted largest first, so the workers start on the first file's
    parts while the next file is being cut; the pool hands each task to whichever worker is
    free. The merge then follows file order.
    """
    names = []
    for path in paths:
        name = display_names.get(path)
        if name is None:
            name = display_names.get(str(path))  # type: ignore[call-overload]
        names.append(name if name is not None else str(path))
    sizes = [_size(p) for p in paths]
    part_bytes = _part_bytes(sizes, workers)
    directory = tempfile.mkdtemp(prefix="recon-x12-")
    try:
        planned: list[list[tuple[_Task, Future[_TaskResult]]]] = [[] for _ in paths]
        with processes.pool(workers) as pool:
            with processes.plain_main():  # workers start on the first submits
                for i in sorted(range(len(paths)), key=lambda k: -sizes[k]):
                    for task in _plan_file(i, paths[i], names[i], sizes[i], options, directory, part_bytes):
                        task.edifact = edifact
                        planned[i].append((task, pool.submit(_run, task)))
            done = [(task, future.result()) for file_tasks in planned for task, future in file_tasks]
        return _merge([t for t, _ in done], [r for _, r in done])
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _merge(tasks: list[_Task], results: list[_TaskResult]) -> X12Result:
    registry = Registry()
    state = [False]
    findings: list[Finding] = []
    files: list[FileSummary] = []
    segments = 0
    offsets: list[int] = []
    offset = 0
    merged: FileSummary | None = None
    unmapped: Counter[str] = Counter()
    for res in results:
        for summary in res.files:
            summary.interchanges = [InterchangeSummary(*t) for t in summary.interchanges]  # type: ignore[misc]
    for i, (task, res) in enumerate(zip(tasks, results, strict=True)):
        if not task.part or task.start == 0:
            offset = 0
        offsets.append(offset)
        findings.extend(resolve_pending(res.findings, registry, state, offset))
        segments += res.segments
        if not task.part:
            files.extend(res.files)
            continue
        summary = res.files[0]
        if task.start == 0:
            merged = summary
            merged.size_bytes = Path(task.path).stat().st_size
            unmapped = Counter()
        else:
            assert merged is not None
            merged.segments += summary.segments
            merged.interchanges.extend(summary.interchanges)
            merged.groups.extend(summary.groups)
            for ts, controls in summary.sets.items():
                merged.sets.setdefault(ts, []).extend(controls)
            merged.rejected_sets += summary.rejected_sets
            merged.loaded_sets += summary.loaded_sets
        unmapped.update(res.unmapped)
        offset += res.segments
        if task.last or i + 1 == len(tasks) or tasks[i + 1].path != task.path or tasks[i + 1].start == 0:
            assert merged is not None
            files.append(merged)
            if unmapped:
                report = unmapped_message_finding if task.head is not None else unmapped_finding
                findings.append(report(task.name, unmapped))
    empty = empty_tables()
    tables: dict[str, pa.Table] = {}
    for entity in COLUMNS:
        parts = []
        for res, shift in zip(results, offsets, strict=True):
            path = res.tables.get(entity)
            if path is None:
                continue
            table = _read(path)
            if shift:
                k = table.schema.get_field_index("_source_row")
                table = table.set_column(k, "_source_row", pc.add(table.column(k), shift))
            parts.append(table)
        if not parts:
            tables[entity] = empty[entity]
        else:
            tables[entity] = parts[0] if len(parts) == 1 else pa.concat_tables(parts)
    return X12Result(tables=tables, findings=findings, files=files, segments=segments)


def should_parallelise(paths: Sequence[Path], workers: int, min_bytes: int = PARALLEL_MIN_BYTES) -> bool:
    """Worker processes for two or more workers and enough bytes, and for any file of BOUNDED_BYTES."""
    sizes = [_size(Path(p)) for p in paths]
    if any(size >= BOUNDED_BYTES for size in sizes):
        return True
    return workers >= 2 and sum(sizes) >= min_bytes


__all__ = ["BOUNDED_BYTES", "PARALLEL_MIN_BYTES", "PART_MAX_BYTES", "BrokenProcessPool", "parse_parallel",
           "should_parallelise", "stream_cuts"]
