"""Spark's readers: a file becomes a Spark view of text cells with `_source_row`, plus its bad rows.

Each reader makes the view the mapping SQL reads (`RawView`): one text column per source
column, `_source_row` (the line, record or row a person would look for) and
`_parse_field/_raw/_reason`, set on rows that could not be split into cells. Line numbers are
computed without a shuffle: rows of one file split keep their order, so a row's line is its
position in its split plus the rows of the splits before it. Formats Spark cannot read (xlsx)
go through the DuckDB path's reader on the driver.

`SparkReaders` is a mixin of `recon.spark.load.SparkLoader`, which provides the session, the
run's DuckDB and view names.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from recon.config import Source
from recon.db import Database
from recon.errors import Problem
from recon.formats import FORMATS
from recon.load.csv_reader import csv_header
from recon.load.lines import check_not_utf16, too_long_reason
from recon.load.mapping import read_columns
from recon.load.readers import UnreadableFile
from recon.sql import ident, literal

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

SPARK_ENCODINGS = {"utf-8": "UTF-8", "utf8": "UTF-8", "utf-16": "UTF-16", "latin-1": "ISO-8859-1",
                   "latin1": "ISO-8859-1", "iso-8859-1": "ISO-8859-1"}
# monotonically_increasing_id() is the partition's index << 33 plus the row's place in the partition.
ROW_IN_PARTITION = (1 << 33) - 1
LINE_ENDS_CHUNK = 16 * 1024 * 1024  # the bytes `lines_before` counts at a time
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
    # A boolean column of the view, true on a line Spark's per-line split cannot be trusted with
    # (see `SparkReaders.read_csv`); the loader then reads the file on the driver instead.
    suspect: str | None = None


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (Spark's can run to pages of JVM stack)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _re(text: str) -> str:
    return re.escape(text)


SUSPECT = "_quote_suspect"


def split_starts(frame: DataFrame) -> list[int] | None:
    """The byte offsets at which Spark splits the file `frame` reads, one per partition, from its plan (no job).

    None when the plan is not one file scan whose every partition holds exactly one split (then
    a row's place in its partition would not be its place in its split); the caller counts.
    """
    try:
        leaves = frame._jdf.queryExecution().executedPlan().collectLeaves()
        if leaves.size() != 1:
            return None
        starts = []
        for partition in leaves.apply(0).inputRDD().partitions():
            files = partition.files()
            if len(files) != 1:
                return None
            starts.append(int(files[0].start()))
    except Exception:  # py4j: not a FileSourceScanExec of this Spark; the caller counts instead
        return None
    return sorted(starts) if starts else None


def lines_before(path: Path, starts: list[int]) -> dict[int, int]:
    """For each split start, the lines Hadoop's line reader gives the splits before it.

    That reader ends a line at \\n, \\r or \\r\\n; a split after the first skips its first
    (partial) line, which the split before reads to its end, so the lines before a split starting
    at byte s are those starting at or before s: the first line plus every line end completed by
    byte s (a \\r\\n astride s ends after it). Counted in C (bytes.count), chunk by chunk.
    """
    result: dict[int, int] = {}
    ends, pos, last = 0, 0, b""
    with path.open("rb") as f:
        for start in sorted(starts):
            while pos < start:
                chunk = f.read(min(LINE_ENDS_CHUNK, start - pos))
                if not chunk:
                    break
                ends += chunk.count(b"\n") + chunk.count(b"\r") - chunk.count(b"\r\n")
                if last == b"\r" and chunk[:1] == b"\n":
                    ends -= 1  # a \r\n across two chunks, counted once by each
                pos, last = pos + len(chunk), chunk[-1:]
            astride = last == b"\r" and f.read(1) == b"\n"
            f.seek(pos)
            result[start] = 0 if start == 0 else 1 + ends - astride
    return result


class SparkReaders:
    """The readers of `SparkLoader`: `read` picks one by format and returns a `RawView`."""

    spark: SparkSession
    db: Database
    work_dir: Path
    _db_lock: threading.Lock
    _name: Callable[[str], str]

    def read(self, fmt: str, path: Path, display: str, source: Source) -> RawView:
        """The file as a raw view, read by Spark where it has a reader, else on the driver."""
        method = FORMATS[fmt].spark  # the format's Spark reader, a method of this class (recon.formats)
        assert method is not None, f"format {fmt} has no Spark reader"
        if method == "read_on_driver":
            return self.read_on_driver(fmt, path, display, source)
        return getattr(self, method)(path, display, source)  # type: ignore[no-any-return]

    @property
    def no_parse_problem(self) -> list[Any]:
        from pyspark.sql import functions as F

        return [F.lit(None).cast("string").alias(c) for c in PARSE_COLUMNS]

    def lines(self, path: Path, encoding: str) -> DataFrame:
        """Every line of a text file with its 1-based line number, in parallel, without a shuffle or a pre-pass.

        A row's line is its place in its file split plus the lines of the splits before it. The
        splits come from the query's physical plan and the lines before each are counted on the
        driver (`lines_before`, a byte count at disk speed), so the file is read once, by the query
        that maps it. Spark's text source keeps a line's bytes as they are, so a Latin-1 file is
        read by it too (its line ends are the same bytes) and each line decoded after the split;
        Spark's CSV source, which decodes by itself, drops blank and blank-looking lines and would
        number every line after one too low. A UTF-16 file's line ends are two bytes, which the
        text source cannot cut at: it is read whole and cut after decoding (`_utf16_lines`).
        """
        from pyspark.sql import functions as F

        spark_encoding = SPARK_ENCODINGS.get(encoding.lower())
        if spark_encoding is None:
            raise UnreadableFile(Problem.of("I003", encoding=encoding, file=str(path),
                                            supported=", ".join(sorted(set(SPARK_ENCODINGS)))))
        if spark_encoding == "UTF-16":
            return self._utf16_lines(path)
        text = self.spark.read.text(str(path))
        value = (F.col("value") if spark_encoding == "UTF-8"
                 else F.decode(F.col("value").cast("binary"), spark_encoding).alias("value"))
        framed = text.select(value, F.col("_metadata.file_block_start").alias("_blk"),
                             F.monotonically_increasing_id().alias("_mid"))
        starts = split_starts(framed)
        if starts == [0]:  # one split, one partition: ids count from 0
            return framed.select((F.col("_mid") + 1).alias("_line"), "value")
        if starts is not None:
            # The id's low 33 bits are the row's place in its partition, which holds this one split.
            place = F.col("_mid").bitwiseAND(F.lit(ROW_IN_PARTITION))
            unknown = F.raise_error(F.concat(F.lit(f"{path}: a file split Spark did not plan, at byte "),
                                             F.col("_blk").cast("string")))
            first: Any = unknown
            for start, before in lines_before(path, starts).items():
                first = F.when(F.col("_blk") == start, F.lit(before + 1)).otherwise(first)
            return framed.select((place + first).cast("bigint").alias("_line"), "value")
        stats = sorted(framed.groupBy("_blk").agg(F.count("*").alias("n"), F.min("_mid").alias("m")).collect())
        offset, delta = 0, None
        for row in stats:
            shift = F.lit(offset - row["m"] + 1)
            delta = shift if delta is None else F.when(F.col("_blk") == row["_blk"], shift).otherwise(delta)
            offset += row["n"]
        if delta is None:
            return self.spark.createDataFrame([], "_line BIGINT, value STRING")
        return framed.select((F.col("_mid") + delta).alias("_line"), "value")

    def _utf16_lines(self, path: Path) -> DataFrame:
        """A UTF-16 file's lines, numbered: the file read whole, decoded, and cut at \\r\\n, \\r or \\n.

        Decoded as the DuckDB path reads it: little-endian (a big-endian file fails before, I025),
        its byte order mark dropped. One task reads the file: UTF-16 extracts are rare and small
        next to UTF-8 ones.
        """
        from pyspark.sql import functions as F

        with path.open("rb") as f:
            charset = "UTF-16" if f.read(2) == b"\xff\xfe" else "UTF-16LE"  # "UTF-16" drops the mark
        whole = self.spark.read.format("binaryFile").load(str(path))
        text = F.decode(F.col("content"), charset)
        # Hadoop's (and DuckDB's) lines: no line after a final line end.
        body = F.regexp_replace(text, "(\\r\\n|\\r|\\n)\\z", "")  # \z, not $: $ also matches before a last line end
        parts = F.when(text == "", F.array()).otherwise(F.split(body, "\\r\\n|\\r|\\n", -1))
        return (whole.select(F.posexplode(parts).alias("_pos", "value"))
                .select((F.col("_pos") + 1).cast("bigint").alias("_line"), "value"))

    def read_csv(self, path: Path, display: str, source: Source) -> RawView:
        from pyspark.sql import functions as F

        options = source.options
        # The DuckDB path's header reading: the same dialect, the same file-level problems.
        dialect, header = csv_header(path, display, options, read_columns(source))
        delimiter, quote, escape = dialect.delimiter, dialect.quote, dialect.escape
        columns = header.names
        limit = options.max_line_size
        lines = self.lines(path, options.encoding).where(
            (F.col("_line") > header.lines) & (F.trim(F.col("value")) != ""))
        schema = ", ".join(f"{bq(f'c{i}')} STRING" for i in range(len(columns)))
        csv_options = {"sep": delimiter, "quote": quote, "escape": escape, "mode": "PERMISSIVE"}
        # Quoted sections are removed before counting delimiters; inside them a quote is doubled
        # ("") when the escape is the quote itself, else escaped (\").
        q, e, d = _re(quote), _re(escape), _re(delimiter)
        inner = f"[^{q}]|{q}{q}" if escape == quote else f"[^{q}{e}]|{e}."
        quoted = f"{q}(?:{inner})*{q}" if quote else None
        unquoted = F.regexp_replace("value", quoted, "") if quoted else F.col("value")
        found = F.size(F.split(unquoted, d, -1))
        # A line is split here only when every quote in it belongs to a whole quoted field (from a
        # delimiter or the line's start to a delimiter or its end). Any other quote (a field that
        # goes on over the next lines, a stray or unterminated quote, a quote inside a value) is
        # what the DuckDB reader resolves across lines (recon.load.csv_reader); such a file is read
        # on the driver by that very reader, so both engines load it the same way.
        if quote:
            chunk = f"(?:[^{q}]++|{q}{q})*+" if escape == quote else f"(?:[^{q}{e}]++|{e}.)*+"
            whole_fields = f"(?<=^|{d}){q}{chunk}{q}(?={d}|$)"
            suspect = F.regexp_replace("value", whole_fields, "").contains(quote)
        else:
            suspect = F.lit(False)
        parsed = lines.select(F.col("_line").alias("_source_row"), "value", found.alias("_found"),
                              F.from_csv("value", schema, csv_options).alias("_p"), suspect.alias(SUSPECT))
        view = self._name("raw")
        too_long = F.octet_length("value") > limit
        ok = (F.col("_found") == len(columns)) & ~too_long
        expected = F.lit(len(columns))
        # DuckDB names the alphabetically first of the missing columns.
        missing = F.slice(F.array(*(F.lit(c) for c in columns)), (F.col("_found") + 1).cast("int"),
                          (expected - F.col("_found")).cast("int"))
        field_name = F.array_min(missing)
        parsed.select(
            "_source_row", *(F.when(ok, F.col(f"_p.c{i}")).alias(c) for i, c in enumerate(columns)),
            F.when(~too_long & (F.col("_found") < expected), field_name).alias("_parse_field"),
            F.when(too_long, F.concat(F.substring(F.ltrim(F.col("value")), 1, 200), F.lit("\u2026")))
            .when(~ok, F.col("value")).alias("_parse_raw"),
            F.when(too_long, F.lit(too_long_reason(limit)))
            .when(~ok, F.concat(F.lit("wrong column count (Expected Number of Columns: "), expected.cast("string"),
                                F.lit(" Found: "), F.col("_found").cast("string"), F.lit(")"))).alias("_parse_reason"),
            SUSPECT,
        ).createOrReplaceTempView(view)
        return RawView(view, None, columns, COUNTED, SUSPECT)

    def read_csv_on_driver(self, path: Path, display: str, source: Source) -> RawView:
        """A CSV file whose quoting spans or breaks lines, read by the DuckDB engine's reader on the driver.

        That reader puts every physical line into a record (numbered by its first line) or a
        reject of its own (recon.load.csv_reader). Its cells and rejects go to Spark as Parquet in
        the work folder, not through Python, so a large file costs a DuckDB scan, not memory.
        """
        with self._db_lock:
            reader = FORMATS["csv"].read
            assert reader is not None, "csv has a per-file reader"
            raw = reader()(self.db, path, display, source.options)
            folder = self.work_dir / "driver" / self._name("csv")
            folder.mkdir(parents=True)
            try:
                for name, table in (("cells", raw.table), ("rejects", raw.rejects)):
                    self.db.execute(f"COPY (SELECT * FROM {ident(table)} ORDER BY _source_row) TO "
                                    f"{literal(str(folder / (name + '.parquet')))} (FORMAT parquet)")
                rejected = int(self.db.scalar(f"SELECT count(*) FROM {ident(raw.rejects)}"))
            finally:
                raw.drop(self.db)
        view, rejects = self._name("raw"), self._name("parse_rejects")
        self.spark.read.parquet(str(folder / "cells.parquet")).select("*", *self.no_parse_problem) \
            .createOrReplaceTempView(view)
        if not rejected:
            return RawView(view, None, raw.columns, raw.rows_read)
        self.spark.read.parquet(str(folder / "rejects.parquet")).createOrReplaceTempView(rejects)
        return RawView(view, rejects, raw.columns, raw.rows_read)

    def read_json_lines(self, path: Path, display: str, source: Source) -> RawView:
        from pyspark.sql import functions as F

        check_not_utf16(path, display, source.options.encoding)  # as the DuckDB path: I023, I025
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
            raise UnreadableFile(Problem.of("I001", format="a JSON array of records", reason=first_line(exc),
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

    def read_parquet(self, path: Path, display: str, source: Source | None = None) -> RawView:
        from pyspark.sql import functions as F
        from pyspark.sql.types import TimestampType

        try:
            frame = self.spark.read.parquet(str(path))
            fields = frame.schema.fields
        except Exception as exc:
            raise UnreadableFile(Problem.of("I001", format="Parquet", reason=first_line(exc), file=display)) from None

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
            reader = FORMATS[fmt].read
            assert reader is not None, f"format {fmt} has no per-file reader"
            raw = reader()(self.db, path, display, source.options)
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
