"""EDI sources (X12 and EDIFACT): parse every file of the glob at once, then load each entity like any other table.

Parsing all files in one call lets the parser see control numbers reused across files. Each
entity's rows come back as text columns named by canonical field, so they go through the same
typing, normalisation, rejects and row balance as CSV rows. A transaction set the parser
rejected (bad envelope, wrong SE01 count) is recorded in `rejects` with its file and segment
position and counted against `edi_documents`, so sets read = sets loaded + sets rejected.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from recon import files as filesys
from recon.catalogue import ensure_table
from recon.config import Source
from recon.config.schema import ColumnSpec
from recon.errors import Problem
from recon.formats.x12 import ENVELOPE_COLUMNS
from recon.load.edifact import EdifactOptions
from recon.load.loader import FileLoad
from recon.load.readers import REJECT_COLUMNS, UnreadableFile
from recon.load.x12 import Finding, X12Options, parse_x12_files
from recon.model import ENTITIES
from recon.sql import ident

if TYPE_CHECKING:
    from recon.load.loader import Loader, LoadReport

def parse_workers(loader: Loader) -> int:
    """Worker processes for the parse: the CPUs, or fewer when `engine.threads` says so."""
    cpus = os.cpu_count() or 1
    threads = loader.project.config.engine.threads
    return max(1, min(cpus, threads) if threads else cpus)


# Lineage the parser adds to every row: its file (one table holds a whole glob) and its envelope.
PASSTHROUGH = {"_source_file": "VARCHAR", **dict.fromkeys(ENVELOPE_COLUMNS, "VARCHAR")}
FINDINGS = "edi_findings"  # the entity every finding of the parse lands in, for the bundled EDI pack's rules
FINDING_FIELDS = tuple(ENTITIES[FINDINGS].fields)


def load_findings(loader: Loader, name: str, source: Source, findings: list[Any], fmt: str = "x12") -> FileLoad:
    """Every finding of the parse as a row of `<system>.edi_findings`, whatever its code.

    Lineage is the finding's own file and segment position (`_source_row`), so an exception built
    on it points at the segment to open. The rows are not input rows: the load counts none read.
    """
    db = loader.db
    target = ensure_table(db, source.system, FINDINGS)
    columns = {f: [getattr(x, f) for x in findings] for f in FINDING_FIELDS}
    table = pa.table({**{f: pa.array(v, pa.int64() if f == "segment_position" else pa.string())
                         for f, v in columns.items()},
                      "_load_id": pa.array([loader.load_id(name)] * len(findings), pa.string()),
                      "_source_file": pa.array(columns["file"], pa.string()),
                      "_source_row": pa.array(columns["segment_position"], pa.int64())})
    raw = db.temp_name("findings")
    db.register_arrow(raw, table)
    cols = ", ".join(ident(c) for c in table.column_names)
    db.execute(f"INSERT INTO {target} ({cols}) SELECT {cols} FROM {raw} ORDER BY _source_file, _source_row, code")
    db.drop(raw)
    return FileLoad(name, source.system, FINDINGS, source.path, fmt)


def load_x12_source(loader: Loader, name: str, source: Source, paths: list[Path],
                    report: LoadReport) -> Iterator[FileLoad]:
    """An X12 source (`x12:` options); EDIFACT files in its glob are read with the same ids and partners."""
    options = X12Options.model_validate(source.x12 or {})
    return _load_edi(loader, name, source, paths, report, "x12", options, EdifactOptions.from_x12(options))


def load_edifact_source(loader: Loader, name: str, source: Source, paths: list[Path],
                        report: LoadReport) -> Iterator[FileLoad]:
    """An EDIFACT source (`edifact:` options); X12 files in its glob are read with the same ids and partners."""
    options = EdifactOptions.model_validate(getattr(source, "edifact", None) or {})
    x12 = X12Options(our_ids=options.our_ids, partners=options.partners, max_file_mb=options.max_file_mb)
    return _load_edi(loader, name, source, paths, report, "edifact", x12, options)


def rejected_documents(findings: list[Finding]) -> list[tuple[object, ...]]:
    """The reject rows of a parse: one per rejected transaction set or message, one per stray EDIFACT segment.

    (segment position, element, document type, reason naming the code and the file), so that
    documents read = documents loaded + documents rejected, and no segment goes unaccounted.
    """
    seen = set()
    out = []
    for f in findings:
        if f.severity != "error" or (f.set_control is None and f.code not in STRAY_CODES):
            continue
        key = (f.file, f.interchange_control, f.group_control, f.set_control,
               f.segment_position if f.set_control is None else None)
        if key in seen:
            continue
        seen.add(key)
        out.append((f.segment_position, f.element, f.transaction_set or f.segment_id,
                    f"{f.code}: {f.message} ({f.file})"))
    return out


STRAY_CODES = frozenset({"EDIFACT-STRAY-SEGMENT", "EDIFACT-UNT-UNEXPECTED"})
"""Error findings outside any message that reject a segment (each becomes a reject row)."""


def _load_edi(loader: Loader, name: str, source: Source, paths: list[Path], report: LoadReport, fmt: str,
              options: X12Options, edifact: EdifactOptions) -> Iterator[FileLoad]:
    db, root = loader.db, loader.project.root
    displays = {p: filesys.display_path(p, root) for p in paths}
    if loader.progress:
        loader.progress(name, source.path, 0, len(paths))
    started = time.perf_counter()
    result = parse_x12_files(paths, options, displays, workers=parse_workers(loader), edifact=edifact)
    for summary in result.files:
        if not summary.readable:
            load = FileLoad(name, source.system, "edi_documents", summary.path, fmt, status="failed",
                            problem=Problem.of("I006", reason=summary.error or "not an EDI file", file=summary.path))
            report.files.append(load)
            yield load
    report.findings.extend(f.to_dict() for f in result.findings)
    report.source_files[name] = len(result.files)
    findings = load_findings(loader, name, source, result.findings, fmt)
    # The parse of every file is shared by all the source's tables: its time is recorded once, on the
    # findings row (the parse makes the findings), so the source's rows in main.loads sum to its load.
    findings.seconds = time.perf_counter() - started
    report.files.append(findings)
    yield findings
    rejected = rejected_documents(result.findings)
    for entity in sorted(result.tables):
        # Taken out of the result: once loaded, the entity's Arrow rows (memory-mapped when the
        # parse ran in workers) are released before the next entity is read.
        table = result.tables.pop(entity)
        if entity not in ENTITIES:
            continue
        started = time.perf_counter()
        load = FileLoad(name, source.system, entity, source.path, fmt)
        fields = [c for c in table.column_names if not c.startswith("_")]
        specs = {f: ColumnSpec(column=f) for f in fields}
        entity_source = source.model_copy(update={"entity": entity, "columns": specs})
        raw, rejects = db.temp_name("raw"), db.temp_name("parse_rejects")
        # A copy into a temp table, not a view over the Arrow rows: the mapping numbers rows with
        # row_number() OVER (), and a parallel scan of a many-chunk Arrow table does not keep
        # their order (measured: a view loaded the rows of a file's parts out of order).
        db.register_arrow(raw, table)
        rows_read, columns = table.num_rows, table.column_names
        del table  # the temp table holds the rows now; the Arrow rows (memory-mapped pages) can go
        db.execute(f"CREATE TEMP TABLE {rejects} ({REJECT_COLUMNS})")
        if entity == "edi_documents" and rejected:
            for row in rejected:
                db.execute(f"INSERT INTO {rejects} VALUES (?, ?, ?, ?)", list(row))
            rows_read += len(rejected)
        passthrough = {c: t for c, t in PASSTHROUGH.items() if c in columns}
        try:
            loader.insert_mapped(load, entity_source, raw, rejects, rows_read, passthrough,
                                 release=functools.partial(db.drop, raw))
        except UnreadableFile as exc:  # the source's normalisers over these cells: this entity fails, not the run
            load.status, load.problem = "failed", exc.problem
        finally:
            db.drop(raw, rejects)
            load.seconds = time.perf_counter() - started
        report.files.append(load)
        yield load
