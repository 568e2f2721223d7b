"""Loading on Spark: Spark's readers, then the same mapping SQL as DuckDB's loader, transpiled.

Per file, a reader makes a Spark view of text cells with `_source_row` (the line, record or row a
person would look for) and a view of the rows it could not split into cells. The mapping,
casting and key normalisation are `recon.load.mapping`'s DuckDB SQL, transpiled; rejects,
lineage and the row balance (read = loaded + rejected) follow `recon.load.loader.Loader`, which
this class extends, so only the data-moving steps differ:

- good rows are written as Parquet under `<work_dir>/tables/<system>.<entity>/`; at the end each
  table becomes a Spark temp view (`erp__orders`, for the rules) and a DuckDB view over the same
  files (`erp.orders`, for reports and SLOs), so nothing is copied to the driver;
- rejects are written as Parquet too and read into `main.rejects`; `main.loads` is as on DuckDB.

Line numbers are computed without a shuffle: rows of one file split keep their order, so a row's
line is its position in its split plus the rows of the splits before it. X12 files are parsed by
the same Python parser on the executors, one task per file (mapInArrow over a list of paths).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlglot
from sqlglot import exp

from recon.config import Project, Source
from recon.db import Database
from recon.errors import InputError, Problem
from recon.load import files as filesys
from recon.load.loader import FileLoad, Loader, LoadReport, missing_columns, source_format
from recon.load.mapping import mapped_select, plan_fields, rejects_select
from recon.load.readers import READERS, UnreadableFile
from recon.model import ENTITIES, LINEAGE_COLUMNS
from recon.spark.transpile import spark_type, table_view, to_spark
from recon.sql import ident, literal

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

SPARK_ENCODINGS = {"utf-8": "UTF-8", "utf8": "UTF-8", "utf-16": "UTF-16", "latin-1": "ISO-8859-1",
                   "latin1": "ISO-8859-1", "iso-8859-1": "ISO-8859-1"}
REJECT_SCHEMA = "_source_row BIGINT, field STRING, raw_value STRING, reason STRING"
_DELIMITERS = (",", ";", "\t", "|")
# Spark never splits a file smaller than spark.sql.files.openCostInBytes (4 MB by default).
SINGLE_SPLIT_BYTES = 4 * 1024 * 1024
# rows_read of a raw view counted with the mapping's own counts (one Spark job instead of three)
COUNTED = -1
PARSE_COLUMNS = ("_parse_field", "_parse_raw", "_parse_reason")


def bq(name: str) -> str:
    """A Spark SQL identifier."""
    return "`" + name.replace("`", "``") + "`"


@dataclass
class RawView:
    """A Spark view of text cells plus `_parse_field/_raw/_reason` (set on rows that could not be split).

    `rejects` names a view of further unsplittable rows, for the readers that find them on the
    driver (xlsx, X12 sets); `rows_read` is COUNTED when the mapping's counts give it.
    """

    view: str
    rejects: str | None
    columns: list[str]
    rows_read: int


@dataclass
class Table:
    """The Parquet parts of one `<system>.<entity>` table and its columns (DuckDB types), in order."""

    system: str
    entity: str
    parts: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)


class SparkLoader(Loader):
    """`Loader` with Spark doing the reading, mapping and writing; bookkeeping stays in the run's DuckDB."""

    def __init__(self, project: Project, db: Database, spark: SparkSession, run_id: str, work_dir: Path, *,
                 strict: bool = False, progress: Any = None) -> None:
        super().__init__(project, db, run_id, strict=strict, progress=progress)
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
        if (source_format(source) or "csv") != "x12":
            super().load_source(name, source, report)
            return
        paths = filesys.expand(self.project.resolve(source.path))
        if not paths:
            super().load_source(name, source, report)  # records the no-match problem
            return
        for load in self.load_x12(name, source, paths, report):
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
            self.insert_mapped(load, source, raw.view, raw.rejects, raw.rows_read)
        except UnreadableFile as exc:
            load.status, load.problem = "failed", exc.problem
        load.seconds = time.perf_counter() - started
        return load

    def _name(self, stem: str) -> str:
        return f"_{stem}_{next(self._counter)}"

    # -- readers ----------------------------------------------------------------------------------

    def read(self, fmt: str, path: Path, display: str, source: Source) -> RawView:
        if fmt == "csv":
            return self.read_csv(path, display, source)
        if fmt == "jsonl":
            return self.read_json_lines(path, display, source)
        if fmt == "json":
            return self.read_json_array(path, display, source)
        if fmt == "parquet":
            return self.read_parquet(path, display)
        return self.read_on_driver(fmt, path, display, source)

    @property
    def no_parse_problem(self) -> list[Any]:
        from pyspark.sql import functions as F

        return [F.lit(None).cast("string").alias(c) for c in PARSE_COLUMNS]

    def lines(self, path: Path, encoding: str) -> DataFrame:
        """Every line of a text file with its 1-based line number, in parallel and without a shuffle."""
        from pyspark.sql import functions as F

        spark_encoding = SPARK_ENCODINGS.get(encoding.lower())
        if spark_encoding is None:
            raise UnreadableFile(Problem.of("I003", encoding=encoding, file=str(path),
                                            supported=", ".join(sorted(set(SPARK_ENCODINGS)))))
        if spark_encoding == "UTF-8":
            text = self.spark.read.text(str(path))
        else:  # the text source is UTF-8 only; the CSV source decodes, with nothing as delimiter or quote
            text = (self.spark.read.option("encoding", spark_encoding).option("sep", "\u0000")
                    .option("quote", "\u0000").option("escape", "\u0000").schema("value STRING").csv(str(path)))
        framed = text.select("value", F.col("_metadata.file_block_start").alias("_blk"),
                             F.monotonically_increasing_id().alias("_mid"))
        if path.stat().st_size <= SINGLE_SPLIT_BYTES:  # one split, one partition: ids count from 0
            return framed.select((F.col("_mid") + 1).alias("_line"), "value")
        stats = sorted(framed.groupBy("_blk").agg(F.count("*").alias("n"), F.min("_mid").alias("m")).collect())
        offset, delta = 0, None
        for row in stats:
            shift = F.lit(offset - row["m"] + 1)
            delta = shift if delta is None else F.when(F.col("_blk") == row["_blk"], shift).otherwise(delta)
            offset += row["n"]
        if delta is None:
            return self.spark.createDataFrame([], "_line BIGINT, value STRING")
        return framed.select((F.col("_mid") + delta).alias("_line"), "value")

    def read_csv(self, path: Path, display: str, source: Source) -> RawView:
        from pyspark.sql import functions as F

        options = source.options
        first = self._first_lines(path, display, options.encoding, options.skip + 1)
        head = first[options.skip] if len(first) > options.skip else ""
        delimiter = options.delimiter or max(_DELIMITERS, key=lambda d: head.count(d))
        quote = options.quote if options.quote is not None else '"'
        escape = options.escape if options.escape is not None else quote
        tokens = next(csv.reader(io.StringIO(head), delimiter=delimiter, quotechar=quote or None,
                                 escapechar=None if escape == quote else escape), [])
        if options.header:
            columns = [t.strip() or f"column{i}" for i, t in enumerate(tokens)]
            body_from = options.skip + 2
        else:
            columns = [f"column{i}" for i in range(len(tokens))]
            body_from = options.skip + 1
        if not columns:
            raise UnreadableFile(Problem.of("I001", format="CSV", reason="the file has no header row", file=display))
        lines = self.lines(path, options.encoding).where(
            (F.col("_line") >= body_from) & (F.trim(F.col("value")) != ""))
        schema = ", ".join(f"{bq(f'c{i}')} STRING" for i in range(len(columns)))
        csv_options = {"sep": delimiter, "quote": quote, "escape": escape, "mode": "PERMISSIVE"}
        # Quoted sections are removed before counting delimiters; inside them a quote is doubled
        # ("") when the escape is the quote itself, else escaped (\").
        q, e = _re(quote), _re(escape)
        inner = f"[^{q}]|{q}{q}" if escape == quote else f"[^{q}{e}]|{e}."
        quoted = f"{q}(?:{inner})*{q}" if quote else None
        unquoted = F.regexp_replace("value", quoted, "") if quoted else F.col("value")
        found = F.size(F.split(unquoted, _re(delimiter), -1))
        parsed = lines.select(F.col("_line").alias("_source_row"), "value", found.alias("_found"),
                              F.from_csv("value", schema, csv_options).alias("_p"))
        view = self._name("raw")
        ok = F.col("_found") == len(columns)
        expected = F.lit(len(columns))
        # DuckDB names the alphabetically first of the missing columns.
        missing = F.slice(F.array(*(F.lit(c) for c in columns)), (F.col("_found") + 1).cast("int"),
                          (expected - F.col("_found")).cast("int"))
        field_name = F.array_min(missing)
        parsed.select(
            "_source_row", *(F.when(ok, F.col(f"_p.c{i}")).alias(c) for i, c in enumerate(columns)),
            F.when(F.col("_found") < expected, field_name).alias("_parse_field"),
            F.when(~ok, F.col("value")).alias("_parse_raw"),
            F.when(~ok, F.concat(F.lit("wrong column count (Expected Number of Columns: "), expected.cast("string"),
                                 F.lit(" Found: "), F.col("_found").cast("string"), F.lit(")"))).alias("_parse_reason"),
        ).createOrReplaceTempView(view)
        return RawView(view, None, columns, COUNTED)

    def _first_lines(self, path: Path, display: str, encoding: str, n: int) -> list[str]:
        try:
            with open(path, encoding=encoding, newline="") as handle:
                return [handle.readline().rstrip("\r\n") for _ in range(n)]
        except (OSError, UnicodeDecodeError, LookupError) as exc:
            raise UnreadableFile(Problem.of("I001", format="CSV", reason=exc, file=display,
                                            hint="try options: {encoding: latin-1}")) from None

    def read_json_lines(self, path: Path, display: str, source: Source) -> RawView:
        from pyspark.sql import functions as F

        lines = self.lines(path, source.options.encoding).where(F.trim(F.col("value")) != "")
        return self._json_objects(lines.select(F.col("_line").alias("_source_row"), F.col("value")))

    def read_json_array(self, path: Path, display: str, source: Source) -> RawView:
        from pyspark.sql import functions as F

        whole = self.spark.read.text(str(path), wholetext=True)
        items = whole.select(F.posexplode(F.from_json("value", "ARRAY<STRING>")).alias("pos", "value"))
        try:
            items = items.select((F.col("pos") + 1).cast("bigint").alias("_source_row"), "value").localCheckpoint()
            valid = whole.select(F.from_json("value", "ARRAY<STRING>").isNotNull().alias("ok")).first()
        except Exception as exc:
            raise UnreadableFile(Problem.of("I001", format="a JSON array of records", reason=_first(exc),
                                            file=display)) from None
        if valid is None or not valid["ok"]:
            raise UnreadableFile(Problem.of("I001", format="a JSON array of records", reason="not a JSON array",
                                            file=display, hint="for one object per line use format: jsonl"))
        return self._json_objects(items)

    def _json_objects(self, objects: DataFrame) -> RawView:
        """From (_source_row, JSON text) to one text column per top-level key, first-seen order."""
        from pyspark.sql import functions as F

        cells = objects.select("_source_row", "value",
                               F.from_json("value", "MAP<STRING,STRING>").alias("_m")).localCheckpoint()
        keys = [r["k"] for r in cells.where(F.col("_m").isNotNull())
                .select("_source_row", F.explode(F.map_keys("_m")).alias("k"))
                .groupBy("k").agg(F.min("_source_row").alias("first")).orderBy("first", "k").collect()]
        view = self._name("raw")
        is_json = F.get_json_object("value", "$").isNotNull() | (F.trim("value") == "null")
        bad = F.col("_m").isNull()
        cells.select(
            "_source_row", *(F.col("_m").getItem(k).alias(k) for k in keys),
            F.lit(None).cast("string").alias("_parse_field"),
            F.when(bad, F.substring("value", 1, 200)).alias("_parse_raw"),
            F.when(bad, F.when(is_json, "not a JSON object").otherwise("not valid JSON")).alias("_parse_reason"),
        ).createOrReplaceTempView(view)
        return RawView(view, None, keys, COUNTED)

    def read_parquet(self, path: Path, display: str) -> RawView:
        from pyspark.sql import functions as F
        from pyspark.sql.types import TimestampType

        try:
            frame = self.spark.read.parquet(str(path))
            fields = frame.schema.fields
        except Exception as exc:
            raise UnreadableFile(Problem.of("I001", format="Parquet", reason=_first(exc), file=display)) from None

        def text(f: Any) -> Any:
            # An instant keeps its offset, so the mapping reads it as the same instant DuckDB does.
            if isinstance(f.dataType, TimestampType):
                return F.date_format(F.col(f.name), "yyyy-MM-dd HH:mm:ss.SSSSSSXXX").alias(f.name)
            return F.col(f.name).cast("string").alias(f.name)

        view = self._name("raw")
        frame.select((F.col("_metadata.row_index") + 1).alias("_source_row"), *(text(f) for f in fields),
                     *self.no_parse_problem).createOrReplaceTempView(view)
        return RawView(view, None, [f.name for f in fields], COUNTED)

    def read_on_driver(self, fmt: str, path: Path, display: str, source: Source) -> RawView:
        """xlsx (no Spark reader): the DuckDB path's reader on the driver, handed to Spark as Arrow."""
        with self._db_lock:
            raw = READERS[fmt](self.db, path, display, source.options)
            try:
                table = self.db.arrow(f"SELECT * FROM {ident(raw.table)}")
                parse = self.db.arrow(f"SELECT * FROM {ident(raw.rejects)}")
            finally:
                raw.drop(self.db)
        view, rejects = self._name("raw"), self._name("parse_rejects")
        frame = self.spark.createDataFrame(table.to_pandas() if table.num_rows == 0 else table)
        frame.select("*", *self.no_parse_problem).createOrReplaceTempView(view)
        if parse.num_rows == 0:
            return RawView(view, None, raw.columns, raw.rows_read)
        self.spark.createDataFrame(parse).createOrReplaceTempView(rejects)
        return RawView(view, rejects, raw.columns, raw.rows_read)

    # -- mapping ----------------------------------------------------------------------------------

    def insert_mapped(self, load: FileLoad, source: Source, raw_table: str, parse_rejects: str | None,
                      rows_read: int, passthrough: dict[str, str] | None = None) -> None:
        """`Loader.insert_mapped` on Spark: the transpiled mapping SQL, Parquet out, counts from the files.

        Two Spark jobs for a clean file, three with rejects: the mapped rows are written once with
        a `_bad` flag (which also fixes each row's `_rid`), then the good rows; DuckDB counts both
        from the Parquet footers, and the row balance is checked on those counts.
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
        duck_sql = mapped_select(plans, raw_table, (*passthrough, *PARSE_COLUMNS))
        flagged = (f"SELECT *, _parse_reason IS NULL AND ({bad_row_condition(plans)}) AS _bad "
                   f"FROM ({duck_sql}) AS m")
        seq = next(self._counter)
        stage = self.work_dir / "mapped" / f"part{seq}"
        try:
            frame = spark.sql(to_spark(flagged))
        except Exception as exc:
            raise UnreadableFile(Problem.of("I005", reason=_first(exc), file=load.file,
                                            path=f"sources.{load.source}.columns")) from None
        frame.write.mode("overwrite").parquet(str(stage))
        total, bad_rows, parse_bad = (int(n or 0) for n in self._duck(
            f"SELECT count(*), count(*) FILTER (WHERE _bad), count(*) FILTER (WHERE _parse_reason IS NOT NULL) "
            f"FROM read_parquet({_files(stage)})")[0]) if _files(stage) != "[]" else (0, 0, 0)
        spark.read.parquet(str(stage)).createOrReplaceTempView(mapped)
        load_id = self.load_id(load.source)
        file_sql = "m._source_file" if "_source_file" in passthrough else literal(load.file)
        names = [p.name for p in plans] + [c for c in passthrough if c not in LINEAGE_COLUMNS]
        cols = ", ".join(f"m.{bq(n)}" for n in names)
        part = self.work_dir / "tables" / f"{load.system}.{load.entity}" / f"part{seq}"
        spark.sql(
            f"SELECT {cols}, {literal(load_id)} AS _load_id, {file_sql} AS _source_file, m._source_row "
            f"FROM {bq(mapped)} m WHERE NOT m._bad AND m._parse_reason IS NULL"
        ).write.mode("overwrite").parquet(str(part))
        table.parts.append(str(part))
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
        spark.sql(to_spark(rejects_select(plans, bad + "_rows"))).createOrReplaceTempView(bad)
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

    # -- X12 --------------------------------------------------------------------------------------

    def load_x12(self, name: str, source: Source, paths: list[Path], report: LoadReport) -> Iterator[FileLoad]:
        """`recon.load.edi.load_x12_source`, with the files parsed on the executors, one task per file."""
        from recon.config.schema import ColumnSpec
        from recon.load.edi import PASSTHROUGH
        from recon.load.x12 import COLUMNS, LINEAGE, Finding

        root = self.project.root
        if self.progress:
            self.progress(name, source.path, 0, len(paths))
        parsed = self._parse_x12(paths, [filesys.display_path(p, root) for p in paths], source.x12 or {})
        from pyspark.sql import functions as F

        groups = parsed.groupBy("_entity").agg(F.count("*").alias("n"), F.collect_list("_json").alias("j")).collect()
        sizes = {r["_entity"]: r["n"] for r in groups}
        meta = {r["_entity"]: r["j"] for r in groups}
        summaries = [json.loads(j) for j in meta.get("_file", [])]
        findings = [Finding(**json.loads(j)) for j in meta.get("_finding", [])]
        for summary in summaries:
            if not summary["readable"]:
                load = FileLoad(name, source.system, "edi_documents", summary["path"], "x12", status="failed",
                                problem=Problem.of("I006", reason=summary.get("error") or "not an X12 file",
                                                   file=summary["path"]))
                report.files.append(load)
                yield load
        report.findings.extend(f.to_dict() for f in findings)
        rejected = [f for f in findings if f.severity == "error" and f.set_control is not None]

        def one(entity: str) -> FileLoad:
            started = time.perf_counter()
            load = FileLoad(name, source.system, entity, source.path, "x12")
            names = [*COLUMNS[entity], *LINEAGE]
            fields = [c for c in names if not c.startswith("_")]
            entity_source = source.model_copy(update={"entity": entity,
                                                      "columns": {f: ColumnSpec(column=f) for f in fields}})
            raw, rejects = self._name("raw"), self._name("parse_rejects")
            rows = parsed.where(F.col("_entity") == entity).select(
                *(F.col(c).cast("bigint").alias(c) if c == "_source_row" else F.col(c) for c in names),
                *self.no_parse_problem)
            rows.createOrReplaceTempView(raw)
            reject_rows: list[tuple[Any, ...]] = []
            if entity == "edi_documents":
                seen = set()
                for f in rejected:
                    key = (f.file, f.interchange_control, f.group_control, f.set_control)
                    if key not in seen:
                        seen.add(key)
                        reject_rows.append((f.segment_position, f.element, f.transaction_set,
                                            f"{f.code}: {f.message} ({f.file})"))
            passthrough = {c: t for c, t in PASSTHROUGH.items() if c in names}
            if not sizes.get(entity) and not reject_rows:  # nothing arrived: an empty table, no Spark job
                self.empty_table(entity_source, load, passthrough)
            else:
                if reject_rows:
                    self.spark.createDataFrame(reject_rows, REJECT_SCHEMA).createOrReplaceTempView(rejects)
                self.insert_mapped(load, entity_source, raw, rejects if reject_rows else None, COUNTED, passthrough)
            load.seconds = time.perf_counter() - started
            return load

        # Entities are independent tables: load them concurrently, report them in name order.
        with ThreadPoolExecutor(max_workers=self.parallel) as pool:
            loads = list(pool.map(one, [e for e in sorted(COLUMNS) if e in ENTITIES]))
        for load in loads:
            report.files.append(load)
            yield load

    def _parse_x12(self, paths: list[Path], displays: list[str], options: dict[str, Any]) -> DataFrame:
        """One row per parsed entity row (wide, all text), plus `_file` and `_finding` rows as JSON."""
        from recon.load.x12 import COLUMNS, LINEAGE

        columns = sorted({c for e in COLUMNS for c in (*COLUMNS[e], *LINEAGE)} - {"_source_row"})
        schema = ", ".join(["_entity STRING", "_json STRING", "_source_row BIGINT",
                            *(f"{bq(c)} STRING" for c in columns)])
        files = self.spark.createDataFrame([(str(p), d) for p, d in zip(paths, displays, strict=True)],
                                           "path STRING, display STRING")
        files = files.repartition(max(1, min(len(paths), self.spark.sparkContext.defaultParallelism)))
        out = str(self.work_dir / "x12" / f"part{self._name('x12')}")
        files.mapInArrow(_x12_batches(options, columns), schema).write.mode("overwrite").parquet(out)
        return self.spark.read.parquet(out)

    # -- publishing -------------------------------------------------------------------------------

    def publish(self) -> None:
        """Each loaded table as a Spark temp view and a DuckDB view; rejects into main.rejects."""
        from pyspark.sql import functions as F

        for table in self.tables.values():
            frames = [self.spark.read.parquet(p) for p in table.parts]
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


def _x12_batches(options: dict[str, Any], columns: list[str]) -> Any:
    """The mapInArrow function: parse each file of the batch with recon's X12 parser (on an executor)."""

    def run(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        from recon.load.x12 import X12Options, parse_x12_files

        parsed_options = X12Options.model_validate(options)
        names = ["_entity", "_json", "_source_row", *columns]
        for batch in batches:
            for path, display in zip(batch.column("path").to_pylist(), batch.column("display").to_pylist(),
                                     strict=True):
                result = parse_x12_files([Path(path)], parsed_options, {Path(path): display})
                meta = [("_file", json.dumps(f.to_dict(), default=str)) for f in result.files]
                meta += [("_finding", json.dumps(f.to_dict(), default=str)) for f in result.findings]
                yield pa.RecordBatch.from_arrays(
                    [pa.array([m[0] for m in meta], pa.string()), pa.array([m[1] for m in meta], pa.string()),
                     pa.nulls(len(meta), pa.int64()), *(pa.nulls(len(meta), pa.string()) for _ in columns)],
                    names=names)
                for entity, table in result.tables.items():
                    n = table.num_rows
                    if not n:
                        continue
                    arrays = [pa.array([entity] * n, pa.string()), pa.nulls(n, pa.string()),
                              table.column("_source_row").cast(pa.int64()).combine_chunks()]
                    arrays += [table.column(c).cast(pa.string()).combine_chunks() if c in table.column_names
                               else pa.nulls(n, pa.string()) for c in columns]
                    yield pa.RecordBatch.from_arrays(arrays, names=names)

    return run


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


def _re(text: str) -> str:
    import re

    return re.escape(text)


def _first(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


__all__ = ["SparkLoader", "Table"]
