"""Load every configured source into `<system>.<entity>` tables, with lineage and rejects.

For each file: read it into text cells (readers), map and type the cells in one SQL statement
(mapping), insert the usable rows and record the unusable ones with file, row, field and reason.
Rows read = rows loaded + rows rejected is checked for every file, every run. A file that cannot
be read at all fails its source; the other sources still load unless `strict`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from recon import files as filesys
from recon.catalogue import ensure_table
from recon.config import Project, Source
from recon.db import Database
from recon.errors import InputError, Problem, did_you_mean
from recon.formats import FORMATS, format_of
from recon.load.lines import LineCount
from recon.load.mapping import mapped_select, plan_fields, read_columns, rejects_select
from recon.load.readers import UnreadableFile
from recon.model import ENTITIES, LINEAGE_COLUMNS
from recon.sql import ident, literal

REJECTS_DDL = """CREATE TABLE IF NOT EXISTS main.rejects (
    load_id VARCHAR, source VARCHAR, system VARCHAR, entity VARCHAR, file VARCHAR,
    "row" BIGINT, field VARCHAR, raw_value VARCHAR, reason VARCHAR)"""
LOADS_DDL = """CREATE TABLE IF NOT EXISTS main.loads (
    load_id VARCHAR, source VARCHAR, system VARCHAR, entity VARCHAR, file VARCHAR, format VARCHAR,
    rows_read BIGINT, rows_loaded BIGINT, rows_rejected BIGINT, status VARCHAR, error VARCHAR, seconds DOUBLE)"""

Progress = Callable[[str, str, int, int], None]
SourceDone = Callable[[str, list["FileLoad"], int], None]  # (source, its loads, files) once it has loaded


@dataclass
class FileLoad:
    source: str
    system: str
    entity: str
    file: str
    format: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    status: str = "ok"
    problem: Problem | None = None
    seconds: float = 0.0
    lines: LineCount | None = None  # physical lines of a CSV or JSONL file, all accounted for

    def to_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["problem"] = self.problem.to_dict() if self.problem else None
        return out


@dataclass
class LoadReport:
    files: list[FileLoad] = field(default_factory=list)
    findings: list[dict[str, object]] = field(default_factory=list)  # EDI envelope findings and the like
    # Files per source where one file feeds several tables (EDI): `files` holds one load per table.
    source_files: dict[str, int] = field(default_factory=dict)

    @property
    def failed(self) -> list[FileLoad]:
        return [f for f in self.files if f.status != "ok"]

    def by_source(self) -> list[dict[str, object]]:
        """Per source totals, in config order, for the terminal summary and summary.json.

        `tables` lists every `system.entity` the source fed; `entity` is `*` when it maps itself
        (an EDI source), and `files` counts files, not the loads of one file into several tables.
        """
        out: dict[str, dict[str, object]] = {}
        for f in self.files:
            row = out.setdefault(
                f.source,
                {"source": f.source, "system": f.system, "entity": f.entity, "files": 0, "rows_read": 0,
                 "rows_loaded": 0, "rows_rejected": 0, "status": "ok", "problems": [], "tables": []},
            )
            tables: list[str] = row["tables"]  # type: ignore[assignment]
            if f.entity != "*" and f"{f.system}.{f.entity}" not in tables:
                tables.append(f"{f.system}.{f.entity}")
            if f.source in self.source_files:
                row["entity"] = "*"
                row["files"] = self.source_files[f.source]
            else:
                row["files"] += 1  # type: ignore[operator]
            row["rows_read"] += f.rows_read  # type: ignore[operator]
            row["rows_loaded"] += f.rows_loaded  # type: ignore[operator]
            row["rows_rejected"] += f.rows_rejected  # type: ignore[operator]
            if f.status != "ok":
                row["status"] = "failed"
                if f.problem:
                    row["problems"].append(f.problem.render())  # type: ignore[union-attr]
        for row in out.values():
            row["tables"] = sorted(row["tables"])  # type: ignore[call-overload]
        return list(out.values())


def ensure_bookkeeping(db: Database) -> None:
    db.execute(REJECTS_DDL)
    db.execute(LOADS_DDL)


def missing_columns(source: Source, present: list[str], display: str, source_name: str) -> Problem | None:
    """A mapped column absent from the file, with did-you-mean and the columns that are there."""
    missing = [s.column for s in source.column_specs().values() if s.column is not None and s.column not in present]
    if not missing:
        return None
    hints = [h for h in (did_you_mean(m, present) for m in missing) if h]
    hint = "; ".join(hints) if hints else None
    shown = ", ".join(present[:30]) + (" …" if len(present) > 30 else "")
    return Problem.of("I004", noun="columns" if len(missing) > 1 else "column",
                      columns=", ".join(repr(m) for m in missing), present=shown,
                      file=display, path=f"sources.{source_name}.columns", hint=hint)


def check_lines(load: FileLoad, lines: LineCount) -> None:
    """Every physical line is a header, blank or continuation line, or a record loaded or rejected."""
    load.lines = lines
    if lines.records != load.rows_loaded + load.rows_rejected:
        raise AssertionError(
            f"{load.file}: {lines.total} lines = {lines.header} header + {lines.blank} blank + "
            f"{lines.continuation} continuation + {lines.records} records, but {load.rows_loaded} loaded + "
            f"{load.rows_rejected} rejected; a line was lost, which is a bug in recon"
        )


class Loader:
    def __init__(self, project: Project, db: Database, run_id: str, *, strict: bool = False,
                 progress: Progress | None = None, on_source: SourceDone | None = None) -> None:
        self.project = project
        self.db = db
        self.run_id = run_id
        self.strict = strict
        self.progress = progress
        self.on_source = on_source  # called as each source has loaded, with its loads (a log streams them)
        ensure_bookkeeping(db)

    def load_all(self, only: list[str] | None = None) -> LoadReport:
        report = LoadReport()
        for name, source in self.project.config.sources.items():
            if only and name not in only:
                continue
            self.load_source(name, source, report)
            if self.on_source is not None:
                loads = [f for f in report.files if f.source == name]
                self.on_source(name, loads, report.source_files.get(name, len(loads)))
        if self.strict and report.failed:
            raise InputError([f.problem for f in report.failed if f.problem])
        return report

    def load_source(self, name: str, source: Source, report: LoadReport) -> None:
        spec = format_of(source)
        fmt = spec.name
        pattern = self.project.resolve(source.path)
        paths = filesys.expand(pattern)
        entity = source.entity or "*"
        if not paths:
            problem = filesys.no_match_problem(name, pattern, self.project.root, source.path)
            report.files.append(FileLoad(name, source.system, entity, source.path, fmt, status="failed",
                                         problem=problem))
            self._record(report.files[-1])
            return
        if spec.load is not None:  # an EDI format loads the whole glob at once, into several entities
            for load in spec.load()(self, name, source, paths, report):
                self._record(load)
            return
        for i, path in enumerate(paths):
            display = filesys.display_path(path, self.project.root)
            if self.progress:
                self.progress(name, display, i, len(paths))
            load = self.load_file(name, source, fmt, path, display)
            report.files.append(load)
            self._record(load)

    def load_id(self, source_name: str) -> str:
        return f"{self.run_id}:{source_name}"

    def load_file(self, name: str, source: Source, fmt: str, path: Path, display: str) -> FileLoad:
        assert source.entity is not None
        started = time.perf_counter()
        load = FileLoad(name, source.system, source.entity, display, fmt)
        try:
            reader = FORMATS[fmt].read
            assert reader is not None, f"format {fmt} reads whole sources"
            raw = reader()(self.db, path, display, source.options, read_columns(source))
        except UnreadableFile as exc:
            load.status, load.problem = "failed", exc.problem
            return load
        problem = missing_columns(source, raw.columns, display, name)
        if problem:
            raw.drop(self.db)
            load.status, load.problem = "failed", problem
            return load
        try:
            self.insert_mapped(load, source, raw.table, raw.rejects, raw.rows_read)
        except UnreadableFile as exc:
            load.status, load.problem = "failed", exc.problem
        finally:
            raw.drop(self.db)
        if raw.lines is not None and load.status == "ok":
            check_lines(load, raw.lines)
        load.seconds = time.perf_counter() - started
        return load

    def insert_mapped(self, load: FileLoad, source: Source, raw_table: str, parse_rejects: str,
                      rows_read: int, passthrough: dict[str, str] | None = None) -> None:
        """Map, type and insert one raw table; record rejects; check the row balance.

        `passthrough` names lineage columns already in the raw table (X12 control numbers, and
        `_source_file` when one table holds rows of several files) with their types.
        """
        db = self.db
        passthrough = passthrough or {}
        plans = plan_fields(self.project.config, source, load.entity)
        extras = {p.name: p.duck_type for p in plans if p.name not in ENTITIES[load.entity].fields}
        extras.update({k: v for k, v in passthrough.items() if k not in LINEAGE_COLUMNS})
        target = ensure_table(db, load.system, load.entity, extras)
        mapped, bad = db.temp_name("mapped"), db.temp_name("bad")
        try:
            db.execute(f"CREATE TEMP TABLE {mapped} AS "
                       f"{mapped_select(plans, raw_table, tuple(passthrough), row_id=None)}")
        except Exception as exc:
            raise UnreadableFile(Problem.of("I005", reason=str(exc).splitlines()[0], file=load.file,
                                            path=f"sources.{load.source}.columns")) from None
        # The mapped table's rowid is the row id: rows keep the raw table's (file) order.
        db.execute(f"CREATE TEMP TABLE {bad} AS {rejects_select(plans, mapped, row_id='rowid')}")
        bad_rows = db.scalar(f"SELECT count(DISTINCT _rid) FROM {bad}")
        load_id = self.load_id(load.source)
        file_sql = "_source_file" if "_source_file" in passthrough else literal(load.file)
        names = [p.name for p in plans] + [c for c in passthrough if c not in LINEAGE_COLUMNS]
        cols = ", ".join(ident(n) for n in names)
        # A plain scan keeps insertion order, so a file without rejects needs no filter and no sort.
        keep = f"WHERE rowid NOT IN (SELECT _rid FROM {bad}) ORDER BY rowid" if bad_rows else ""
        db.execute(
            f"INSERT INTO {target} ({cols}, _load_id, _source_file, _source_row) "
            f"SELECT {cols}, {literal(load_id)}, {file_sql}, _source_row FROM {mapped} {keep}"
        )
        meta = f"{literal(load_id)}, {literal(load.source)}, {literal(load.system)}, {literal(load.entity)}"
        db.execute(
            f"INSERT INTO main.rejects SELECT {meta}, {literal(load.file)}, _source_row, field, raw_value, reason "
            f"FROM {parse_rejects} ORDER BY _source_row"
        )
        reject_file = "m._source_file" if "_source_file" in passthrough else literal(load.file)
        db.execute(
            f"INSERT INTO main.rejects SELECT {meta}, {reject_file}, b._source_row, b.field, b.raw_value, b.reason "
            f"FROM {bad} b JOIN {mapped} m ON m.rowid = b._rid ORDER BY b._rid, b.field"
        )
        total = db.scalar(f"SELECT count(*) FROM {mapped}")
        parse_bad = db.scalar(f"SELECT count(*) FROM {parse_rejects}")
        load.rows_loaded = total - bad_rows
        load.rows_rejected = bad_rows + parse_bad
        load.rows_read = rows_read
        db.drop(mapped, bad)
        if load.rows_read != load.rows_loaded + load.rows_rejected:
            raise AssertionError(
                f"{load.file}: {load.rows_read} rows read but {load.rows_loaded} loaded + "
                f"{load.rows_rejected} rejected; a row was lost, which is a bug in recon"
            )

    def _record(self, load: FileLoad) -> None:
        self.db.execute(
            "INSERT INTO main.loads VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [self.load_id(load.source), load.source, load.system, load.entity, load.file, load.format,
             load.rows_read, load.rows_loaded, load.rows_rejected, load.status,
             load.problem.render() if load.problem else None, round(load.seconds, 6)],
        )


__all__ = ["LINEAGE_COLUMNS", "FileLoad", "LoadReport", "Loader", "ensure_table", "missing_columns"]
