"""Loading on Spark: Spark's readers, then the same mapping SQL as DuckDB's loader, transpiled.

Per file, a reader (`recon.spark.readers`) makes a Spark view of text cells with `_source_row`
and a view of the rows it could not split into cells. The mapping, casting and key
normalisation are `recon.load.mapping`'s DuckDB SQL, transpiled; rejects, lineage and the row
balance (read = loaded + rejected) follow `recon.load.loader.Loader`, which this class extends,
so only the data-moving steps differ:

- good rows are written as Parquet under `<work_dir>/tables/<system>.<entity>/`; at the end each
  table becomes a Spark temp view (`erp__orders`, for the rules) and a DuckDB view over the same
  files (`erp.orders`, for reports and SLOs), so nothing is copied to the driver;
- rejects are written as Parquet too and read into `main.rejects`; `main.loads` is as on DuckDB.

X12 files are parsed by the same Python parser on the executors (`recon.spark.x12`).
"""

from __future__ import annotations

import itertools
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlglot
from sqlglot import exp

from recon.config import Project, Source
from recon.db import Database
from recon.errors import InputError, Problem
from recon.formats import format_of
from recon.load.loader import FileLoad, Loader, LoadReport, missing_columns
from recon.load.mapping import mapped_select, plan_fields, rejects_select
from recon.load.readers import UnreadableFile
from recon.model import ENTITIES, LINEAGE_COLUMNS
from recon.spark import guard
from recon.spark.readers import COUNTED, PARSE_COLUMNS, SparkReaders, bq, first_line
from recon.spark.transpile import spark_type, table_view, to_spark
from recon.spark.x12 import SparkX12
from recon.sql import ident, literal

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


class QuotingSpansLines(Exception):
    """A CSV file has lines whose quotes Spark's per-line split cannot resolve (read it on the driver)."""


@dataclass
class Table:
    """The Parquet parts of one `<system>.<entity>` table and its columns (DuckDB types), in order."""

    system: str
    entity: str
    parts: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    # The Spark schema of each part recon wrote itself: reading a part back with its schema given
    # spares Spark a job that reads a Parquet footer to infer it (one per part, per table).
    schemas: dict[str, Any] = field(default_factory=dict)


class SparkLoader(SparkX12, SparkReaders, Loader):
    """`Loader` with Spark doing the reading, mapping and writing; bookkeeping stays in the run's DuckDB."""

    def __init__(self, project: Project, db: Database, spark: SparkSession, run_id: str, work_dir: Path, *,
                 strict: bool = False, progress: Any = None, as_of: Any = None) -> None:
        super().__init__(project, db, run_id, strict=strict, progress=progress, as_of=as_of)
        self.spark = spark
        self.work_dir = work_dir
        self.tables: dict[str, Table] = {}
        self.reject_parts: list[str] = []
        self._counter = itertools.count(1)
        self._db_lock = threading.Lock()  # one DuckDB connection, several loading threads
        self.parallel = 4

    # -- sources and files ------------------------------------------------------------------------

    def load_all(self, only: list[str] | None = None) -> LoadReport:
        """Sources load concurrently (Spark plans one while it runs another), reported in config order."""
        sources = [(n, s) for n, s in self.project.config.sources.items() if not only or n in only]
        reports = {n: LoadReport() for n, _ in sources}
        try:
            with ThreadPoolExecutor(max_workers=self.parallel) as pool:
                for future in [pool.submit(self.load_source, n, s, reports[n]) for n, s in sources]:
                    future.result()
        finally:
            self.publish()
        report = LoadReport()
        for name, _ in sources:
            report.files += reports[name].files
            report.findings += reports[name].findings
            report.source_files.update(reports[name].source_files)
        if self.strict and report.failed:
            raise InputError([f.problem for f in report.failed if f.problem])
        return report

    def _record(self, load: FileLoad) -> None:
        with self._db_lock:
            super()._record(load)

    def _duck(self, sql: str) -> list[tuple[Any, ...]]:
        with self._db_lock:
            return self.db.rows(sql)

    def load_source(self, name: str, source: Source, report: LoadReport) -> None:
        fmt = format_of(source)
        if fmt.spark is None:  # a format Spark cannot read: the source fails (I024), the run goes on
            problem = Problem.of("I024", engine="Spark", format=fmt.name, file=source.path,
                                 path=f"sources.{name}.format")
            report.files.append(FileLoad(name, source.system, source.entity or "*", source.path, fmt.name,
                                         status="failed", problem=problem))
            self._record(report.files[-1])
            return
        if not fmt.is_edi:
            super().load_source(name, source, report)
            return
        selection = self.select_files(name, source, report)  # None: the failed source is recorded
        if selection is None:
            return
        for load in getattr(self, fmt.spark)(name, source, selection.paths, report):  # the format's method (load_x12)
            self._record(load)

    def load_file(self, name: str, source: Source, fmt: str, path: Path, display: str) -> FileLoad:
        assert source.entity is not None
        started = time.perf_counter()
        load = FileLoad(name, source.system, source.entity, display, fmt)
        try:
            raw = self.read(fmt, path, display, source)
        except UnreadableFile as exc:
            load.status, load.problem = "failed", exc.problem
            return load
        problem = missing_columns(source, raw.columns, display, name)
        if problem:
            load.status, load.problem = "failed", problem
            return load
        try:
            try:
                self.insert_mapped(load, source, raw.view, raw.rejects, raw.rows_read, suspect=raw.suspect)
            except QuotingSpansLines:
                raw = self.read_csv_on_driver(path, display, source)
                self.insert_mapped(load, source, raw.view, raw.rejects, raw.rows_read)
        except UnreadableFile as exc:
            load.status, load.problem = "failed", exc.problem
        load.seconds = time.perf_counter() - started
        return load

    def _name(self, stem: str) -> str:
        return f"_{stem}_{next(self._counter)}"

    # -- mapping ----------------------------------------------------------------------------------

    def insert_mapped(self, load: FileLoad, source: Source, raw_table: str, parse_rejects: str | None,
                      rows_read: int, passthrough: dict[str, str] | None = None, *,
                      suspect: str | None = None) -> None:
        """`Loader.insert_mapped` on Spark: the transpiled mapping SQL, Parquet out, counts from the files.

        Two Spark jobs for a clean file, three with rejects: the mapped rows are written once with
        a `_bad` flag (which also fixes each row's `_rid`), then the good rows; DuckDB counts both
        from the Parquet footers, and the row balance is checked on those counts. `suspect` names
        a column of the raw view that is true on a line the reader could not split on its own;
        the same count finds them, and QuotingSpansLines is raised before anything is published.
        """
        spark = self.spark
        passthrough = passthrough or {}
        plans = plan_fields(self.project.config, source, load.entity)
        table = self.tables.setdefault(f"{load.system}.{load.entity}", Table(load.system, load.entity))
        if not table.columns:
            table.columns = dict(ENTITIES[load.entity].columns)
        for p in plans:
            table.columns.setdefault(p.name, p.duck_type)
        for name, duck_type in passthrough.items():
            table.columns.setdefault(name, duck_type)
        mapped, bad = self._name("mapped"), self._name("bad")
        duck_sql = mapped_select(plans, raw_table, (*passthrough, *PARSE_COLUMNS, *([suspect] if suspect else [])))
        flagged = (f"SELECT *, _parse_reason IS NULL AND ({bad_row_condition(plans)}) AS _bad "
                   f"FROM ({duck_sql}) AS m")
        seq = next(self._counter)
        stage = self.work_dir / "mapped" / f"part{seq}"
        what = f"the mapping of {load.file}"
        try:
            frame = spark.sql(guard.check(to_spark(flagged), what))
        except guard.SqlRefused as exc:
            raise UnreadableFile(exc.problem) from None
        except Exception as exc:
            raise UnreadableFile(Problem.of("I005", reason=first_line(exc), file=load.file,
                                            path=f"sources.{load.source}.columns")) from None
        frame.write.mode("overwrite").parquet(str(stage))
        suspects = f"count(*) FILTER (WHERE {ident(suspect)})" if suspect else "0"
        total, bad_rows, parse_bad, odd = (int(n or 0) for n in self._duck(
            f"SELECT count(*), count(*) FILTER (WHERE _bad), count(*) FILTER (WHERE _parse_reason IS NOT NULL), "
            f"{suspects} FROM read_parquet({_files(stage)})")[0]) if _files(stage) != "[]" else (0, 0, 0, 0)
        if odd:
            shutil.rmtree(stage, ignore_errors=True)
            spark.catalog.dropTempView(raw_table)
            raise QuotingSpansLines(odd)
        spark.read.schema(frame.schema).parquet(str(stage)).createOrReplaceTempView(mapped)
        load_id = self.load_id(load.source)
        file_sql = "m._source_file" if "_source_file" in passthrough else literal(load.file)
        names = [p.name for p in plans] + [c for c in passthrough if c not in LINEAGE_COLUMNS]
        cols = ", ".join(f"m.{bq(n)}" for n in names)
        part = self.work_dir / "tables" / f"{load.system}.{load.entity}" / f"part{seq}"
        good = spark.sql(
            f"SELECT {cols}, {literal(load_id)} AS _load_id, {file_sql} AS _source_file, m._source_row "
            f"FROM {bq(mapped)} m WHERE NOT m._bad AND m._parse_reason IS NULL")
        good.write.mode("overwrite").parquet(str(part))
        table.parts.append(str(part))
        table.schemas[str(part)] = good.schema
        extra = 0
        if parse_rejects is not None:
            extra = int(spark.sql(f"SELECT count(*) FROM {bq(parse_rejects)}").first()[0])  # type: ignore[index]
        if bad_rows or parse_bad or extra:
            self._write_rejects(seq, load, plans, mapped, bad, parse_rejects if extra else None, passthrough)
        for view in (mapped, bad, raw_table, *([parse_rejects] if parse_rejects else [])):
            spark.catalog.dropTempView(view)
        load.rows_loaded = self._rows(part)
        load.rows_rejected = bad_rows + parse_bad + extra
        # A mapped row is a raw row (the mapping is a projection), so read = mapped + rejected elsewhere.
        load.rows_read = total + extra if rows_read == COUNTED else rows_read
        if load.rows_read != load.rows_loaded + load.rows_rejected:
            raise AssertionError(
                f"{load.file}: {load.rows_read} rows read but {load.rows_loaded} loaded + "
                f"{load.rows_rejected} rejected; a row was lost, which is a bug in recon"
            )

    def _write_rejects(self, seq: int, load: FileLoad, plans: list[Any], mapped: str, bad: str,
                       parse_rejects: str | None, passthrough: dict[str, str]) -> None:
        """The file's rejects as Parquet: unsplittable rows, then cells that do not type (rejects_select)."""
        spark = self.spark
        spark.sql(f"SELECT * FROM {bq(mapped)} WHERE _bad").createOrReplaceTempView(bad + "_rows")
        try:
            spark.sql(guard.check(to_spark(rejects_select(plans, bad + "_rows")), f"the rejects of {load.file}")) \
                .createOrReplaceTempView(bad)
        except guard.SqlRefused as exc:
            raise UnreadableFile(exc.problem) from None
        load_id = self.load_id(load.source)
        meta = (f"{literal(load_id)} AS load_id, {literal(load.source)} AS source, "
                f"{literal(load.system)} AS system, {literal(load.entity)} AS entity")
        file_sql = "m._source_file" if "_source_file" in passthrough else literal(load.file)
        parts = [
            f"SELECT {meta}, {file_sql} AS file, m._source_row AS row, m._parse_field AS field, "
            f"m._parse_raw AS raw_value, m._parse_reason AS reason, 0 AS _part, CAST(0 AS BIGINT) AS _rid "
            f"FROM {bq(mapped)} m WHERE m._parse_reason IS NOT NULL",
            f"SELECT {meta}, {file_sql} AS file, b._source_row AS row, b.field, b.raw_value, b.reason, 2 AS _part, "
            f"b._rid FROM {bq(bad)} b JOIN {bq(bad + '_rows')} m ON b._rid = m._rid",
        ]
        if parse_rejects is not None:
            parts.append(f"SELECT {meta}, {literal(load.file)} AS file, CAST(_source_row AS BIGINT) AS row, field, "
                         f"raw_value, reason, 1 AS _part, CAST(0 AS BIGINT) AS _rid FROM {bq(parse_rejects)}")
        folder = self.work_dir / "rejects" / f"part{seq}"
        spark.sql(f"SELECT *, {seq} AS _seq FROM ({' UNION ALL '.join(parts)})") \
            .coalesce(1).write.mode("overwrite").parquet(str(folder))
        self.reject_parts.append(str(folder))
        spark.catalog.dropTempView(bad + "_rows")

    def _rows(self, folder: Path) -> int:
        """Rows in the Parquet files Spark wrote into `folder`, from their footers (no Spark job)."""
        files = _files(folder)
        if files == "[]":
            return 0
        return int(self._duck(f"SELECT coalesce(sum(num_rows), 0) FROM parquet_file_metadata({files})")[0][0])

    def empty_table(self, source: Source, load: FileLoad, passthrough: dict[str, str]) -> None:
        """The table a load with no rows leaves (DuckDB creates it too), without running Spark."""
        plans = plan_fields(self.project.config, source, load.entity)
        table = self.tables.setdefault(f"{load.system}.{load.entity}", Table(load.system, load.entity))
        table.columns = table.columns or dict(ENTITIES[load.entity].columns)
        for p in plans:
            table.columns.setdefault(p.name, p.duck_type)
        for name, duck_type in passthrough.items():
            table.columns.setdefault(name, duck_type)

    def add_table_part(self, system: str, entity: str, part: str | None) -> None:
        """A Parquet folder written elsewhere (X12 findings) as a part of `<system>.<entity>` (None: empty)."""
        table = self.tables.setdefault(f"{system}.{entity}", Table(system, entity))
        table.columns = table.columns or dict(ENTITIES[entity].columns)
        if part is not None:
            table.parts.append(part)

    # -- publishing -------------------------------------------------------------------------------

    def publish(self) -> None:
        """Each loaded table as a Spark temp view and a DuckDB view; rejects into main.rejects."""
        from pyspark.sql import functions as F

        for table in self.tables.values():
            frames = [(self.spark.read.schema(table.schemas[p]) if p in table.schemas else self.spark.read).parquet(p)
                      for p in table.parts]
            if not frames:
                schema = ", ".join(f"{bq(c)} {spark_type(t)}" for c, t in table.columns.items())
                frames = [self.spark.createDataFrame([], schema)]
            frame = frames[0]
            for other in frames[1:]:
                frame = frame.unionByName(other, allowMissingColumns=True)
            present = set(frame.columns)
            frame.select(*(F.col(bq(c)).cast(spark_type(t)).alias(c) if c in present
                           else F.lit(None).cast(spark_type(t)).alias(c) for c, t in table.columns.items())) \
                .createOrReplaceTempView(table_view(table.system, table.entity))
            files = [str(f) for p in table.parts for f in sorted(Path(p).glob("*.parquet"))]
            self.db.execute(f"CREATE SCHEMA IF NOT EXISTS {ident(table.system)}")
            if files:
                source = f"read_parquet([{', '.join(literal(f) for f in files)}], union_by_name = true)"
                cols = ", ".join(f"CAST({ident(c)} AS {t}) AS {ident(c)}" if c in present
                                 else f"CAST(NULL AS {t}) AS {ident(c)}" for c, t in table.columns.items())
                self.db.execute(f"CREATE OR REPLACE VIEW {ident(table.system)}.{ident(table.entity)} AS "
                                f"SELECT {cols} FROM {source}")
            else:
                cols = ", ".join(f"{ident(c)} {t}" for c, t in table.columns.items())
                self.db.execute(f"CREATE TABLE IF NOT EXISTS {ident(table.system)}.{ident(table.entity)} ({cols})")
        files = [str(f) for p in self.reject_parts for f in sorted(Path(p).glob("*.parquet"))]
        if files:
            self.db.execute(
                "INSERT INTO main.rejects SELECT load_id, source, system, entity, file, \"row\", field, raw_value, "
                f"reason FROM read_parquet([{', '.join(literal(f) for f in files)}]) "
                "ORDER BY _seq, _part, \"row\", _rid, field")

    @property
    def present(self) -> set[str]:
        return set(self.tables)


def bad_row_condition(plans: list[Any]) -> str:
    """DuckDB SQL: the row has a reject, i.e. any WHERE of `rejects_select` holds (read from it, not rewritten).

    `rejects_select` is one SELECT per kind of unusable cell; a row is bad when any of their
    conditions holds. Taking the conditions from its text keeps one definition of a reject.
    """
    tree = sqlglot.parse_one(rejects_select(plans, "m"), read="duckdb")
    conditions = [s.args["where"].this.sql(dialect="duckdb") for s in tree.find_all(exp.Select)
                  if s.args.get("where") is not None]
    return " OR ".join(f"({c})" for c in conditions) or "FALSE"


def _files(folder: Path) -> str:
    """A DuckDB list literal of the Parquet files in a folder Spark wrote."""
    return "[" + ", ".join(literal(str(f)) for f in sorted(Path(folder).glob("*.parquet"))) + "]"


__all__ = ["SparkLoader", "Table"]
