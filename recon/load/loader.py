"""Load every configured source into `<system>.<entity>` tables, with lineage and rejects.

For each file: read it into text cells (readers), map and type the cells in one SQL statement
(mapping), insert the usable rows and record the unusable ones with file, row, field and reason.
Rows read = rows loaded + rows rejected is checked for every file, every run. A file that cannot
be read at all fails its source; the other sources still load unless `strict`.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from recon import files as filesys
from recon.asof import parse_as_of
from recon.catalogue import ensure_table
from recon.config import Project, Source
from recon.config.sourcesql import missing_in, parse_condition
from recon.db import Database
from recon.errors import InputError, Problem, did_you_mean
from recon.formats import FORMATS, format_of
from recon.load.latest import SUPERSEDED_DDL, supersede
from recon.load.lines import LineCount
from recon.load.lookups import joined_select, load_order
from recon.load.mapping import FieldPlan, flagged_select, plan_fields, read_columns, rejects_select
from recon.load.pivot import PIVOTED_DDL, event_columns, folded_select, keyed_select, pivot_select
from recon.load.readers import RawFile, UnreadableFile
from recon.model import ENTITIES, LINEAGE_COLUMNS
from recon.sql import ident, literal

REJECTS_DDL = """CREATE TABLE IF NOT EXISTS main.rejects (
    load_id VARCHAR, source VARCHAR, system VARCHAR, entity VARCHAR, file VARCHAR,
    "row" BIGINT, field VARCHAR, raw_value VARCHAR, reason VARCHAR)"""
LOADS_DDL = """CREATE TABLE IF NOT EXISTS main.loads (
    load_id VARCHAR, source VARCHAR, system VARCHAR, entity VARCHAR, file VARCHAR, format VARCHAR,
    rows_read BIGINT, rows_loaded BIGINT, rows_rejected BIGINT, status VARCHAR, error VARCHAR, seconds DOUBLE,
    rows_filtered BIGINT, rows_superseded BIGINT, rows_pivoted BIGINT, rows_exploded BIGINT)"""

# The message that stops a straight insert at its first row with a reject (Loader._insert_clean).
_HAS_REJECT = "recon: this file has a reject; it is mapped into a table first"

Progress = Callable[[str, str, int, int], None]
Reader = Callable[..., RawFile]  # (db, path, display, options, wanted) -> RawFile
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
    rows_filtered: int = 0  # not part of the entity by the source's `where`: neither loaded nor rejected
    rows_superseded: int = 0  # older copies of a key under `latest_by`, kept in main.superseded
    rows_pivoted: int = 0  # events folded into their key's row by `pivot`, kept in main.pivoted
    rows_exploded: int = 0  # rows `explode` added: a record exploding into n rows adds n - 1 (none: a reject)
    snapshot: str | None = None  # the file name's date, when `select:` chose this file by it

    @property
    def rows_out(self) -> int:
        """Where the rows went: loaded, filtered, superseded, pivoted or rejected."""
        return self.rows_loaded + self.rows_filtered + self.rows_superseded + self.rows_pivoted + self.rows_rejected

    @property
    def balanced(self) -> bool:
        """Rows read (+ the rows an explode added) = loaded + filtered + superseded + pivoted + rejected."""
        return self.rows_read + self.rows_exploded == self.rows_out

    def imbalance(self) -> str:
        """The internal error's text when rows do not balance (a bug in recon, never the data's fault)."""
        added = f" + {self.rows_exploded} added by explode" if self.rows_exploded else ""
        return (f"{self.file}: {self.rows_read} rows read{added} but {self.rows_loaded} loaded + "
                f"{self.rows_filtered} filtered + {self.rows_superseded} superseded + {self.rows_pivoted} pivoted + "
                f"{self.rows_rejected} rejected; a row was lost, which is a bug in recon")

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
            # Only when there are any, so summaries of sources without filters stay as they were.
            for key, value in (("rows_filtered", f.rows_filtered), ("rows_superseded", f.rows_superseded),
                               ("rows_pivoted", f.rows_pivoted), ("rows_exploded", f.rows_exploded)):
                if value:
                    row[key] = int(row.get(key, 0)) + value  # type: ignore[call-overload]
            if f.snapshot:
                row.setdefault("snapshots", []).append(f"{f.file} ({f.snapshot})")  # type: ignore[union-attr]
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
    db.execute(SUPERSEDED_DDL)


def missing_columns(source: Source, present: list[str], display: str, source_name: str) -> Problem | None:
    """A mapped column absent from the file, with did-you-mean and the columns that are there."""
    if source.pivot is not None:  # its mapping reads the pivot's columns; the file holds the events'
        return _condition_columns(source, present, display, source_name)
    read = [s.column if s.column is not None else s.on for s in source.column_specs().values()]
    missing = [c for c in read if c is not None and c not in present]
    if not missing:
        return _condition_columns(source, present, display, source_name)
    hints = [h for h in (did_you_mean(m, present) for m in missing) if h]
    hint = "; ".join(hints) if hints else None
    shown = ", ".join(present[:30]) + (" …" if len(present) > 30 else "")
    return Problem.of("I004", noun="columns" if len(missing) > 1 else "column",
                      columns=", ".join(repr(m) for m in missing), present=shown,
                      file=display, path=f"sources.{source_name}.columns", hint=hint)


def _condition_columns(source: Source, present: list[str], display: str, source_name: str) -> Problem | None:
    """A column the source's `where` (or `pivot`) reads that the file lacks (I030)."""
    if source.where is None and source.pivot is None:
        return None
    what = "pivot" if source.pivot is not None else "where"
    wanted = event_columns(source) if source.pivot is not None else parse_condition(source.where or "").columns
    missing = missing_in(tuple(wanted), present)
    if not missing:
        return None
    hints = [h for h in (did_you_mean(m, present) for m in missing) if h]
    shown = ", ".join(present[:30]) + (" …" if len(present) > 30 else "")
    return Problem.of("I030", what=what, noun="columns" if len(missing) > 1 else "column",
                      columns=", ".join(repr(m) for m in missing), present=shown, file=display,
                      path=f"sources.{source_name}.{what}", hint="; ".join(hints) or None)


def check_lines(load: FileLoad, lines: LineCount) -> None:
    """Every physical line is a header, blank or continuation line, or a record loaded, filtered or rejected."""
    load.lines = lines
    if lines.records + load.rows_exploded != load.rows_out:
        added = f" (+ {load.rows_exploded} rows added by explode)" if load.rows_exploded else ""
        raise AssertionError(
            f"{load.file}: {lines.total} lines = {lines.header} header + {lines.blank} blank + "
            f"{lines.continuation} continuation + {lines.records} records{added}, but {load.rows_loaded} loaded + "
            f"{load.rows_filtered} filtered + {load.rows_superseded} superseded + {load.rows_pivoted} pivoted + "
            f"{load.rows_rejected} rejected; a line was lost, which is a bug in recon"
        )


class Loader:
    def __init__(self, project: Project, db: Database, run_id: str, *, strict: bool = False,
                 progress: Progress | None = None, as_of: datetime | None = None,
                 on_source: SourceDone | None = None) -> None:
        self.project = project
        self.db = db
        self.run_id = run_id
        self.strict = strict
        self.progress = progress
        self.on_source = on_source  # called as each source has loaded, with its loads (a log streams them)
        config = project.config
        self.as_of = as_of or parse_as_of(config.as_of, config.timezone)
        # Snapshot files are chosen by the as-of day where the site lives, not in UTC.
        self.as_of_date = self.as_of.astimezone(ZoneInfo(config.timezone)).date()
        self.loaded: set[str] = set()  # sources with a file loaded: what lookups may read
        ensure_bookkeeping(db)

    def load_all(self, only: list[str] | None = None) -> LoadReport:
        report = LoadReport()
        sources = self.project.config.sources
        for name in load_order(sources):  # a lookup source before the sources that read it
            if only and name not in only:
                continue
            self.load_source(name, sources[name], report)
            if self.on_source is not None:
                loads = [f for f in report.files if f.source == name]
                self.on_source(name, loads, report.source_files.get(name, len(loads)))
        position = {name: i for i, name in enumerate(sources)}
        report.files.sort(key=lambda f: position.get(f.source, len(position)))  # reported in config order
        if self.strict and report.failed:
            raise InputError([f.problem for f in report.failed if f.problem])
        return report

    def select_files(self, name: str, source: Source, report: LoadReport) -> filesys.Selection | None:
        """The files the source reads this run; None (and a failed source recorded) when there are none."""
        selection = filesys.source_files(self.project.resolve(source.path), source.select, self.as_of_date)
        if selection.paths:
            return selection
        pattern = self.project.resolve(filesys.DATE_FIELD.sub("*", source.path))
        if selection.missing:
            problem = Problem.of("I032", reason=selection.missing, count=selection.candidates, pattern=source.path,
                                 path=f"sources.{name}.path")
        else:
            problem = filesys.no_match_problem(name, pattern, self.project.root, source.path)
        report.files.append(FileLoad(name, source.system, source.entity or "*", source.path, format_of(source).name,
                                     status="failed", problem=problem))
        self._record(report.files[-1])
        return None

    def load_source(self, name: str, source: Source, report: LoadReport) -> None:
        spec = format_of(source)
        fmt = spec.name
        selection = self.select_files(name, source, report)
        if selection is None:
            return
        paths = selection.paths
        if spec.load is not None:  # an EDI format loads the whole glob at once, into several entities
            for load in spec.load()(self, name, source, paths, report):
                self._record(load)
            return
        if source.pivot is not None:
            loads = self.load_events(name, source, fmt, paths)
        else:
            loads = []
            for i, path in enumerate(paths):
                display = filesys.display_path(path, self.project.root)
                if self.progress:
                    self.progress(name, display, i, len(paths))
                loads.append(self.load_file(name, source, fmt, path, display))
        for load, path in zip(loads, paths, strict=True):
            if source.select != "all" and path in selection.dates:
                load.snapshot = selection.dates[path].isoformat()
        if source.latest_by is not None:
            self.keep_latest(name, source, loads, selection)
        if any(f.status == "ok" for f in loads):
            self.loaded.add(name)
        for load in loads:
            report.files.append(load)
            self._record(load)

    def load_events(self, name: str, source: Source, fmt: str, paths: list[Path]) -> list[FileLoad]:
        """A `pivot:` source: every file's events gathered (filtered, parse rejects recorded), then folded."""
        assert source.pivot is not None and source.entity is not None
        db = self.db
        wanted = event_columns(source)
        events = db.temp_name("events")
        cells = ", ".join(f"{ident(c)} VARCHAR" for c in wanted)
        db.execute(f"CREATE TEMP TABLE {events} ({cells}, _source_file VARCHAR, _ordinal INTEGER, _source_row BIGINT)")
        meta = (f"{literal(self.load_id(name))}, {literal(name)}, {literal(source.system)}, "
                f"{literal(source.entity)}")
        loads: list[FileLoad] = []
        for i, path in enumerate(paths):
            display = filesys.display_path(path, self.project.root)
            if self.progress:
                self.progress(name, display, i, len(paths))
            load = FileLoad(name, source.system, source.entity, display, fmt)
            loads.append(load)
            started = time.perf_counter()
            try:
                raw = self.reader(fmt, source)(db, path, display, source.options, wanted)
            except UnreadableFile as exc:
                load.status, load.problem = "failed", exc.problem
                continue
            try:
                problem = missing_columns(source, raw.columns, display, name)
                if problem:
                    load.status, load.problem = "failed", problem
                    continue
                if source.where is not None:
                    load.rows_filtered = self._count_filtered(load, source.where, raw.table)
                keep = f"WHERE coalesce(({source.where}), false)" if source.where is not None else ""
                db.execute(f"INSERT INTO {events} SELECT {', '.join(ident(c) for c in wanted)}, {literal(display)}, "
                           f"{i}, _source_row FROM {ident(raw.table)} {keep}")
                db.execute(f"INSERT INTO main.rejects SELECT {meta}, {literal(display)}, _source_row, field, "
                           f"raw_value, reason FROM {raw.rejects} ORDER BY _source_row")
                load.rows_read = raw.rows_read
                load.rows_exploded = raw.rows_exploded
                load.rows_rejected = int(db.scalar(f"SELECT count(*) FROM {raw.rejects}"))
                load.lines = raw.lines
            except UnreadableFile as exc:
                load.status, load.problem = "failed", exc.problem
            finally:
                raw.drop(db)
                load.seconds = time.perf_counter() - started
        done = [f for f in loads if f.status == "ok"]
        try:
            if done:
                self._fold(name, source, events, done)
        except UnreadableFile as exc:  # the folding failed on these cells: every file of the source fails
            for load in done:
                load.status, load.problem = "failed", exc.problem
        finally:
            db.drop(events)
        return loads

    def _fold(self, name: str, source: Source, events: str, loads: list[FileLoad]) -> None:
        """Fold the gathered events into one row per key, map it, and count per file where each event went."""
        assert source.pivot is not None and source.entity is not None
        db = self.db
        keyed, pivoted, empty = db.temp_name("keyed"), db.temp_name("pivoted"), db.temp_name("none")
        try:
            try:
                keys_sql = keyed_select(source.pivot, events, source.options.null_values)
                db.execute(f"CREATE TEMP TABLE {keyed} AS {keys_sql}")
                db.execute(f"CREATE TEMP TABLE {pivoted} AS {pivot_select(source.pivot, keyed)}")
            except duckdb.OutOfMemoryException:  # the run's memory, not the mapping: the run says which setting
                raise
            except Exception as exc:  # the config's SQL over the data's cells: a named problem, not a crash
                raise UnreadableFile(Problem.of("I031", what="pivot", reason=str(exc).splitlines()[0],
                                                file=source.path, path=f"sources.{name}.pivot")) from None
            db.execute(PIVOTED_DDL)
            meta = (self.load_id(name), name, source.system, source.entity)
            db.execute(f"INSERT INTO main.pivoted {folded_select(source.pivot, keyed, meta)}")
            db.execute(f"CREATE TEMP TABLE {empty} (_source_row BIGINT, field VARCHAR, raw_value VARCHAR, "
                       "reason VARCHAR)")
            whole = FileLoad(name, source.system, source.entity, source.path, loads[0].format)
            keys = int(db.scalar(f"SELECT count(*) FROM {pivoted}"))
            self.insert_mapped(whole, source.model_copy(update={"where": None}), pivoted, empty, keys,
                               passthrough={"_source_file": "VARCHAR"})
            per_file = {f: (int(r), int(p)) for f, r, p in db.rows(
                f"SELECT _source_file, count(*) FILTER (WHERE _rank = 1), count(*) FILTER (WHERE _rank > 1) "
                f"FROM {keyed} GROUP BY 1")}
            target = ensure_table(db, source.system, source.entity)
            loaded = {f: int(n) for f, n in db.rows(
                f"SELECT _source_file, count(*) FROM {target} WHERE _load_id = ? GROUP BY 1", [meta[0]])}
        finally:
            db.drop(keyed, pivoted, empty)
        for load in loads:
            kept, folded = per_file.get(load.file, (0, 0))
            load.rows_loaded = loaded.get(load.file, 0)
            load.rows_rejected += kept - load.rows_loaded
            load.rows_pivoted = folded
            if load.lines is not None:
                check_lines(load, load.lines)
            if not load.balanced:
                raise AssertionError(load.imbalance())

    def keep_latest(self, name: str, source: Source, loads: list[FileLoad], selection: filesys.Selection) -> None:
        """`latest_by`: the source's older copies of each key leave the table for main.superseded."""
        assert source.latest_by is not None and source.entity is not None
        done = [f for f in loads if f.status == "ok"]
        if not done:
            return
        target = ensure_table(self.db, source.system, source.entity)
        dates = {filesys.display_path(p, self.project.root): d for p, d in selection.dates.items()}
        keys = source.latest_by.keys or list(ENTITIES[source.entity].keys)
        meta = (self.load_id(name), name, source.system, source.entity)
        counts = supersede(self.db, target, meta, keys, source.latest_by.by,
                           [(f.file, dates.get(f.file)) for f in done])
        for load in done:
            moved = counts.get(load.file, 0)
            load.rows_superseded += moved
            load.rows_loaded -= moved

    def load_id(self, source_name: str) -> str:
        return f"{self.run_id}:{source_name}"

    def load_file(self, name: str, source: Source, fmt: str, path: Path, display: str) -> FileLoad:
        assert source.entity is not None
        started = time.perf_counter()
        load = FileLoad(name, source.system, source.entity, display, fmt)
        try:
            raw = self.reader(fmt, source)(self.db, path, display, source.options, read_columns(source))
        except UnreadableFile as exc:
            load.status, load.problem = "failed", exc.problem
            return load
        problem = missing_columns(source, raw.columns, display, name)
        if problem:
            raw.drop(self.db)
            load.status, load.problem = "failed", problem
            return load
        load.rows_exploded = raw.rows_exploded
        lineage = {"_source_path": "VARCHAR"} if source.explode is not None else None
        try:
            self.insert_mapped(load, source, raw.table, raw.rejects, raw.rows_read, lineage,
                               release=functools.partial(self.db.drop, raw.table, *raw.scratch))
        except UnreadableFile as exc:
            load.status, load.problem = "failed", exc.problem
        finally:
            raw.drop(self.db)
        if raw.lines is not None and load.status == "ok":
            check_lines(load, raw.lines)
        load.seconds = time.perf_counter() - started
        return load

    def reader(self, fmt: str, source: Source) -> Reader:
        """The format's file reader, told the source's `explode:` path when it has one (JSON, JSONL)."""
        read = FORMATS[fmt].read
        assert read is not None, f"format {fmt} reads whole sources"
        path = source.explode_path()
        return read() if path is None else functools.partial(read(), explode=path)

    def insert_mapped(self, load: FileLoad, source: Source, raw_table: str, parse_rejects: str,
                      rows_read: int, passthrough: dict[str, str] | None = None,
                      release: Callable[[], None] | None = None) -> None:
        """Map, type and insert one raw table; record rejects; check the row balance.

        `passthrough` names lineage columns already in the raw table (X12 control numbers, and
        `_source_file` when one table holds rows of several files) with their types. `release`
        drops the raw table once the mapped one holds everything: the raw cells, the mapped rows
        and the canonical copy never all stand in memory at once (at 1M rows that made the tables
        spill, and the run pay for a checkpoint). A file whose every row maps is inserted straight
        from the mapping (`_insert_clean`); one with a reject is mapped into a temp table first,
        which keeps the raw text of the rejected rows for their messages.
        """
        db = self.db
        passthrough = passthrough or {}
        plans = plan_fields(self.project.config, source, load.entity)
        if source.where is not None:
            load.rows_filtered = self._count_filtered(load, source.where, raw_table)
        rows_in = int(db.scalar(f"SELECT count(*) FROM {ident(raw_table)}"))
        joined = self._join_lookups(load, source, raw_table) if source.lookups() else None
        raw_table = joined or raw_table
        extras = {p.name: p.duck_type for p in plans if p.name not in ENTITIES[load.entity].fields}
        extras.update({k: v for k, v in passthrough.items() if k not in LINEAGE_COLUMNS})
        target = ensure_table(db, load.system, load.entity, extras)
        load_id = self.load_id(load.source)
        file_sql = "_source_file" if "_source_file" in passthrough else literal(load.file)
        names = [p.name for p in plans] + [c for c in passthrough if c not in LINEAGE_COLUMNS]
        cols = ", ".join(ident(n) for n in names)
        into = f"INSERT INTO {target} ({cols}, _load_id, _source_file, _source_row)"
        flagged_sql = flagged_select(plans, raw_table, tuple(passthrough), where=source.where)
        total = self._insert_clean(f"{into} SELECT {cols}, {literal(load_id)}, {file_sql}, "
                                   f"CASE WHEN _bad THEN error({literal(_HAS_REJECT)}) ELSE _source_row END "
                                   f"FROM ({flagged_sql}) AS _mapped", rows_in - load.rows_filtered)
        mapped, bad = db.temp_name("mapped"), db.temp_name("bad")
        bad_rows = 0
        if total is None:  # a reject, or a mapping that makes or folds rows: map into a table first
            total, bad_rows = self._map_to_table(load, mapped, bad, flagged_sql, plans, joined)
            if release is not None:
                release()
            if total + load.rows_filtered != rows_in:
                db.drop(mapped, bad)  # a mapping that makes rows or folds them (unnest, an aggregate)
                raise UnreadableFile(Problem.of("I040", file=load.file, path=f"sources.{load.source}.columns"))
            # A plain scan keeps insertion order, so a file without rejects needs no filter and no sort.
            keep = "WHERE NOT _bad ORDER BY rowid" if bad_rows else ""
            db.execute(f"{into} SELECT {cols}, {literal(load_id)}, {file_sql}, _source_row FROM {mapped} {keep}")
        else:
            if joined:
                db.execute(f"DROP VIEW IF EXISTS {ident(joined)}")
            if release is not None:
                release()
        meta = f"{literal(load_id)}, {literal(load.source)}, {literal(load.system)}, {literal(load.entity)}"
        db.execute(
            f"INSERT INTO main.rejects SELECT {meta}, {literal(load.file)}, _source_row, field, raw_value, reason "
            f"FROM {parse_rejects} ORDER BY _source_row"
        )
        reject_file = "m._source_file" if "_source_file" in passthrough else literal(load.file)
        # A nested row's reject says which element it was (`stops[2].shipment_ids[0]`); two reasons for
        # one cell (a line number with a NUL byte) are ordered by their text, not left to the join.
        reason = ("b.reason || coalesce(' (at ' || m._source_path || ')', '')" if "_source_path" in passthrough
                  else "b.reason")
        if bad_rows:
            db.execute(
                f"INSERT INTO main.rejects SELECT {meta}, {reject_file}, b._source_row, b.field, b.raw_value, "
                f"{reason} FROM {bad} b JOIN {mapped} m ON m.rowid = b._rid ORDER BY b._rid, b.field, b.reason"
            )
        parse_bad = db.scalar(f"SELECT count(*) FROM {parse_rejects}")
        load.rows_loaded = total - bad_rows
        load.rows_rejected = bad_rows + parse_bad
        load.rows_read = rows_read
        db.drop(mapped, bad)
        if not load.balanced:
            raise AssertionError(load.imbalance())

    def _insert_clean(self, insert_sql: str, expected: int) -> int | None:
        """Run the mapping's INSERT straight into the canonical table; None (and nothing kept) if it cannot stand.

        Most files have no reject: mapping them into a temp table and copying that table into the
        canonical one stored every cell twice (bench/notes.md, "Loads: straight into the canonical
        table"). `insert_sql` raises on the first row with a reject, so the rows it inserts are all
        the mapped rows; a count other than `expected` (a mapping that makes or folds rows) or any
        error (a reject, an expression that fails on the cells) rolls the insert back, and the
        caller maps into a table, which finds the rejects and reports the errors as before.
        """
        db = self.db
        db.execute("BEGIN TRANSACTION")
        try:
            inserted = int(db.scalar(insert_sql))
        except duckdb.OutOfMemoryException:  # the run's memory, not the mapping: the run says which setting
            db.execute("ROLLBACK")
            raise
        except duckdb.Error:
            db.execute("ROLLBACK")
            return None
        db.execute("COMMIT" if inserted == expected else "ROLLBACK")
        return inserted if inserted == expected else None

    def _map_to_table(self, load: FileLoad, mapped: str, bad: str, flagged_sql: str, plans: list[FieldPlan],
                      joined: str | None) -> tuple[int, int]:
        """Map every row into temp table `mapped` and its rejects into `bad`: (rows mapped, rows with a reject).

        The rejects are read from the bad rows only (the others keep no raw text); the mapped
        table's rowid is the row id: rows keep the raw table's (file) order.
        """
        db = self.db
        try:
            db.execute(f"CREATE TEMP TABLE {mapped} AS {flagged_sql}")
        except duckdb.OutOfMemoryException:  # the run's memory, not the mapping: the run says which setting
            raise
        except Exception as exc:
            raise UnreadableFile(Problem.of("I005", reason=str(exc).splitlines()[0], file=load.file,
                                            path=f"sources.{load.source}.columns")) from None
        finally:  # the mapped table holds what the lookups found: their view is read no more
            if joined:
                db.execute(f"DROP VIEW IF EXISTS {ident(joined)}")
        total, bad_rows = db.rows(f"SELECT count(*), count(*) FILTER (WHERE _bad) FROM {mapped}")[0]
        if bad_rows:
            flagged = db.temp_name("flagged")
            db.execute(f"CREATE TEMP VIEW {flagged} AS SELECT rowid AS _mapped_row, * FROM {mapped} WHERE _bad")
            db.execute(f"CREATE TEMP TABLE {bad} AS {rejects_select(plans, flagged, row_id='_mapped_row')}")
            db.execute(f"DROP VIEW {flagged}")
        return int(total), int(bad_rows)

    def _join_lookups(self, load: FileLoad, source: Source, raw_table: str) -> str:
        """A view of the raw cells with each lookup field's value found in its (loaded) lookup source."""
        for spec in source.lookups().values():
            if spec.lookup not in self.loaded:
                raise UnreadableFile(Problem.of("I033", lookup=spec.lookup, file=load.file,
                                                path=f"sources.{load.source}.columns"))
        view = self.db.temp_name("joined")
        load_ids = {name: self.load_id(name) for name in self.loaded}
        self.db.execute(f"CREATE TEMP VIEW {ident(view)} AS "
                        f"{joined_select(self.project.config, source, raw_table, load_ids)}")
        return view

    def _count_filtered(self, load: FileLoad, where: str, raw_table: str) -> int:
        """Rows of the file the source's `where` leaves out (NULL counts as false); I031 if it cannot run."""
        try:
            return int(self.db.scalar(f"SELECT count(*) FROM {ident(raw_table)} WHERE NOT coalesce(({where}), false)"))
        except duckdb.OutOfMemoryException:  # the run's memory, not the mapping: the run says which setting
            raise
        except Exception as exc:  # the condition is the config's, the cells the data's: a named problem
            raise UnreadableFile(Problem.of("I031", what="where", reason=str(exc).splitlines()[0], file=load.file,
                                            path=f"sources.{load.source}.where")) from None

    def _record(self, load: FileLoad) -> None:
        self.db.execute(
            "INSERT INTO main.loads VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [self.load_id(load.source), load.source, load.system, load.entity, load.file, load.format,
             load.rows_read, load.rows_loaded, load.rows_rejected, load.status,
             load.problem.render() if load.problem else None, round(load.seconds, 6),
             load.rows_filtered, load.rows_superseded, load.rows_pivoted, load.rows_exploded],
        )


__all__ = ["LINEAGE_COLUMNS", "FileLoad", "LoadReport", "Loader", "ensure_table", "missing_columns"]
