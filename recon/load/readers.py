"""Read one extract file into a scratch table of text cells, keeping every row accounted for.

Each reader yields a temp table with `_source_row` (the line, record or sheet row a person would
look for) and one VARCHAR column per source column, plus a temp table of rows it could not
split into cells (`_source_row, field, raw_value, reason`). Typing and mapping happen later in
SQL over that table, the same way for every format.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from recon.config.explode import ExplodePath
from recon.config.schema import ReaderOptions
from recon.db import Database
from recon.formats import FORMATS
from recon.load.csv_reader import check_duplicates, csv_columns, parse_csv
from recon.load.explode import explode as explode_records
from recon.load.lines import (
    DUCKDB_ENCODINGS,
    LineCount,
    Lines,
    UnreadableFile,
    check_not_utf16,
    first_line,
    physical_lines,
    too_long_reason,
    unreadable,
)
from recon.load.xlsx_cells import bad_cells
from recon.sql import ident, literal

__all__ = ["DUCKDB_ENCODINGS", "RawFile", "UnreadableFile", "header_of"]

REJECT_COLUMNS = "_source_row BIGINT, field VARCHAR, raw_value VARCHAR, reason VARCHAR"


@dataclass
class RawFile:
    table: str  # a table or a view
    rejects: str
    columns: list[str]  # every column of the file, read or not
    rows_read: int
    rows_exploded: int = 0  # rows an `explode:` added: a record exploding into n rows adds n - 1
    scratch: tuple[str, ...] = ()  # tables behind a view, to drop with it
    lines: LineCount | None = None  # where every physical line went (CSV, JSONL)

    def drop(self, db: Database) -> None:
        db.drop(self.table, self.rejects, *self.scratch)


def _columns_of(db: Database, source_sql: str) -> list[str]:
    return [r[0] for r in db.rows(f"DESCRIBE SELECT * FROM {source_sql}")]


def _projection(db: Database, source_sql: str, wanted: list[str] | None) -> tuple[list[str], str]:
    """The file's columns, and the select list that reads only the wanted ones that are present.

    Cells of columns no mapping reads are never copied or kept. A wanted column the file lacks
    is left out here; the loader reports it with the columns that are there.
    """
    columns = _columns_of(db, source_sql)
    if wanted is None:
        return columns, "*"
    present = {c.lower(): c for c in columns}
    chosen = [present[w.lower()] for w in dict.fromkeys(wanted) if w.lower() in present]
    return columns, ", ".join(ident(c) for c in chosen) if chosen else "NULL AS _no_column"


def read_csv(db: Database, path: Path, display: str, options: ReaderOptions,
             wanted: list[str] | None = None) -> RawFile:
    """Records on their true physical lines; see `recon.load.csv_reader`."""
    parsed = parse_csv(db, path, display, options, wanted)
    return RawFile(table=parsed.table, rejects=parsed.rejects, columns=parsed.columns, rows_read=parsed.records,
                   scratch=parsed.scratch, lines=parsed.lines)


def _lines_table(db: Database, path: Path, display: str, options: ReaderOptions) -> Lines:
    """One row per line of the file (`_line`, `text`); lines over `max_line_size` listed apart."""
    check_not_utf16(path, display, options.encoding)
    return physical_lines(db, path, display, options.encoding, options.max_line_size,
                          extra=f"{IS_OBJECT} AS _is_object")


# A valid JSON text that starts with `{` is an object: cheaper than asking json_type (a second parse).
# Computed once per line as the lines are read, into the column `_is_object` the steps below test.
IS_OBJECT = "(json_valid(text) AND regexp_matches(text, '^\\s*\\{'))"
# Blank lines are skipped, not rejected. CASE tests it only for lines that are not objects.
_REJECTED = "CASE WHEN _is_object THEN false WHEN text IS NULL OR trim(text) = '' THEN false ELSE true END"
# Enough rows to find every wanted key of a usual file without reading it all (any rows will do:
# a key found in some rows is in the file; only a key found in none needs the whole file).
_KEY_PROBE_ROWS = 10_000


def _json_keys(db: Database, objects: str) -> list[str]:
    """Every top-level key of the file's objects, in order of first appearance (one more parse per line)."""
    return [
        r[0]
        for r in db.rows(
            f"SELECT k FROM (SELECT unnest(json_keys(text::JSON)) AS k, _source_row FROM {objects} "
            f"WHERE _is_object) GROUP BY k ORDER BY min(_source_row), k"
        )
    ]


def _json_objects_to_raw(db: Database, objects: str, display: str, wanted: list[str] | None,
                         scratch: tuple[str, ...], explode: ExplodePath | None = None) -> RawFile:
    """From (_source_row, text, _is_object) JSON texts to one text column per key the mapping reads.

    Each line is parsed twice: `json_valid` as it is read (`_is_object`), then one
    `json_extract_string` with every wanted path (one call per key parsed it once per key:
    bench/notes.md, 0.78 -> 0.28 CPU s). The cells are a view the mapping reads once, not a
    table: storing a dozen text columns per line cost more than parsing them (bench/notes.md,
    "Loads: raw text only on rejected rows"), so `objects` and `scratch` live as long as the
    view. Keys are listed from the whole file (a third parse) only when the mapping needs all
    of them or a wanted key never has a value, which is when the loader must say what the file
    holds.
    """
    rejects = db.temp_name("parse_rejects")
    db.execute(
        f"CREATE TEMP TABLE {rejects} AS SELECT _source_row, NULL::VARCHAR AS field, left(text, 200) AS raw_value, "
        f"CASE WHEN json_valid(text) THEN 'not a JSON object' ELSE 'not valid JSON' END AS reason "
        f"FROM {objects} WHERE {_REJECTED}"
    )
    if explode is not None:  # nested records: one row per element of the path (recon.load.explode)
        parse_bad = db.scalar(f"SELECT count(*) FROM {rejects}")
        out = explode_records(db, objects, "_is_object", rejects, explode, wanted)
        db.drop(*scratch)
        return RawFile(table=out.table, rejects=rejects, columns=out.columns, rows_read=out.records + parse_bad,
                       rows_exploded=out.rows - out.records_exploded)
    keys = _json_keys(db, objects) if wanted is None else list(dict.fromkeys(wanted))
    paths = ", ".join(literal("$." + _json_key(k)) for k in keys)
    selects = ", ".join(f"_v[{i}] AS {ident(k)}" for i, k in enumerate(keys, start=1))
    table = db.temp_name("raw")
    db.execute(
        f"CREATE TEMP VIEW {table} AS SELECT _source_row{', ' + selects if selects else ''} FROM "
        f"(SELECT _source_row{f', json_extract_string(text, [{paths}]) AS _v' if keys else ''} FROM {objects} "
        f"WHERE _is_object)"
    )
    columns = keys
    if wanted is not None and keys:
        counts = ", ".join(f"count({ident(k)})" for k in keys)
        probe = f"(SELECT * FROM {table} LIMIT {_KEY_PROBE_ROWS})"
        if not all(db.rows(f"SELECT {counts} FROM {probe}")[0]) and \
                not all(db.rows(f"SELECT {counts} FROM {table}")[0]):
            columns = _json_keys(db, objects)  # a key with no value anywhere may be absent: list what is there
    rows = db.scalar(f"SELECT count(*) FROM {objects} WHERE _is_object") + db.scalar(f"SELECT count(*) FROM {rejects}")
    return RawFile(table=table, rejects=rejects, columns=columns, rows_read=rows, scratch=scratch)


def _json_key(key: str) -> str:
    return '"' + key.replace('"', '\\"') + '"'


def read_jsonl(db: Database, path: Path, display: str, options: ReaderOptions,
               wanted: list[str] | None = None, explode: ExplodePath | None = None) -> RawFile:
    """One object per line; a blank line is accounted as blank, a line over `max_line_size` is a reject."""
    lines = _lines_table(db, path, display, options)
    numbered = db.temp_name("numbered")
    db.execute(f"CREATE TEMP VIEW {numbered} AS SELECT _line AS _source_row, text, _is_object FROM {lines.table}")
    # A line that starts with `{` is not blank: only the others pay for trim's copy of the line.
    blank = db.scalar(f"SELECT count(*) FROM {lines.table} WHERE text IS NULL OR "
                      f"(NOT starts_with(text, '{{') AND trim(text) = '')")
    raw = _json_objects_to_raw(db, numbered, display, wanted, (numbered, lines.table, *lines.scratch), explode)
    if lines.too_long:
        reason = literal(too_long_reason(options.max_line_size))
        db.execute(f"INSERT INTO {raw.rejects} SELECT line, NULL, NULL, {reason} FROM "
                   f"unnest({[int(n) for n in lines.too_long]}::BIGINT[]) t(line)")
        raw.rows_read += len(lines.too_long)
    raw.lines = LineCount(lines.total, blank=blank)
    return raw


def read_json(db: Database, path: Path, display: str, options: ReaderOptions,
              wanted: list[str] | None = None, explode: ExplodePath | None = None) -> RawFile:
    staged, objects = db.temp_name("staged"), db.temp_name("objects")
    try:
        db.execute(f"CREATE TEMP TABLE {staged} AS SELECT json::VARCHAR AS text "
                   f"FROM read_json_objects({literal(str(path))}, format = 'array')")
        db.execute(f"CREATE TEMP TABLE {objects} AS SELECT (rowid + 1)::BIGINT AS _source_row, text, "
                   f"{IS_OBJECT} AS _is_object FROM {staged}")
        db.drop(staged)
    except Exception as exc:
        raise unreadable(display, "I001", "for one object per line use format: jsonl",
                         format="a JSON array of records", reason=first_line(exc)) from None
    return _json_objects_to_raw(db, objects, display, wanted, (objects,), explode)


def read_parquet(db: Database, path: Path, display: str, options: ReaderOptions,
                 wanted: list[str] | None = None) -> RawFile:
    staged = db.temp_name("staged")
    try:
        columns, select = _projection(db, f"read_parquet({literal(str(path))})", wanted)
        db.execute(
            f"CREATE TEMP TABLE {staged} AS SELECT {select}, file_row_number "
            f"FROM read_parquet({literal(str(path))}, file_row_number = true)"
        )
    except Exception as exc:
        raise unreadable(display, "I001", format="Parquet", reason=first_line(exc)) from None
    read = [c for c, _ in db.columns(staged) if c not in ("file_row_number", "_no_column")]
    table = db.temp_name("raw")
    casts = "".join(f", CAST({ident(c)} AS VARCHAR) AS {ident(c)}" for c in read)
    db.execute(f"CREATE TEMP TABLE {table} AS SELECT (file_row_number + 1)::BIGINT AS _source_row{casts} "
               f"FROM {staged}")
    db.drop(staged)
    rejects = db.temp_name("parse_rejects")
    db.execute(f"CREATE TEMP TABLE {rejects} ({REJECT_COLUMNS})")
    return RawFile(table=table, rejects=rejects, columns=columns, rows_read=db.scalar(f"SELECT count(*) FROM {table}"))


def read_xlsx(db: Database, path: Path, display: str, options: ReaderOptions,
              wanted: list[str] | None = None) -> RawFile:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        sheet_ref = options.sheet if options.sheet is not None else 0
        sheet = book.get_sheet_by_index(sheet_ref) if isinstance(sheet_ref, int) else book.get_sheet_by_name(sheet_ref)
        rows = sheet.to_python(skip_empty_area=False)
    except Exception as exc:
        names = None
        with contextlib.suppress(Exception):
            names = CalamineWorkbook.from_path(str(path)).sheet_names
        hint = f"sheets in the file: {', '.join(names)}" if names else None
        raise unreadable(display, "I001", hint, format="xlsx", reason=first_line(exc)) from None
    rows = rows[options.skip:]
    if options.header:
        if not rows:
            raise unreadable(display, "I008")
        header = [str(h).strip() if h not in (None, "") else f"column{i}" for i, h in enumerate(rows[0], 1)]
        body, first = rows[1:], options.skip + 2
    else:
        width = max((len(r) for r in rows), default=0)
        header, body, first = [f"column{i}" for i in range(1, width + 1)], rows, options.skip + 1
    check_duplicates(display, header, wanted)  # as for CSV: name both columns, never pick one silently
    # skip_empty_area=False: rows[0] is the sheet's row 1, so a row's number is its sheet row.
    read = None if wanted is None else {w.lower() for w in wanted}
    bad = [c for c in bad_cells(path, sheet_ref) if c.row >= first and c.column < len(header)
           and (read is None or header[c.column].lower() in read)]
    bad_rows = {c.row for c in bad}
    numbered = [(first + i, r) for i, r in enumerate(body)
                if first + i not in bad_rows and any(c not in (None, "") for c in r)]
    arrays = [pa.array([n for n, _ in numbered], pa.int64())]
    for j in range(len(header)):
        arrays.append(pa.array([_cell_text(r[j]) if j < len(r) else None for _, r in numbered], pa.string()))
    table = db.temp_name("raw")
    db.register_arrow(table, pa.Table.from_arrays(arrays, names=["_source_row", *header]))
    rejects = db.temp_name("parse_rejects")
    db.execute(f"CREATE TEMP TABLE {rejects} ({REJECT_COLUMNS})")
    if bad:  # one reject per row, naming its first bad cell
        first_bad = {c.row: c for c in reversed(bad)}
        cells = [first_bad[r] for r in sorted(first_bad)]
        found = db.temp_name("bad_cells")
        db.register_arrow(found, pa.table({
            "_source_row": pa.array([c.row for c in cells], pa.int64()),
            "field": [header[c.column] for c in cells], "raw_value": [c.value for c in cells],
            "reason": [c.reason for c in cells]}))
        db.execute(f"INSERT INTO {rejects} SELECT * FROM {found}")
        db.drop(found)
    return RawFile(table=table, rejects=rejects, columns=header, rows_read=len(numbered) + len(bad_rows))


def _cell_text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def header_of(db: Database, path: Path, display: str, fmt: str, options: ReaderOptions,
              explode: ExplodePath | None = None, wanted: list[str] | None = None) -> list[str]:
    """The source columns of a file, read cheaply, for checking a mapping before loading.

    A nested source (`explode`) has addresses, not a header: those of `wanted` some row holds,
    then every key of the record and of each level's elements.
    """
    if explode is not None:
        reader = read_json if fmt == "json" else read_jsonl
        raw = reader(db, path, display, options, wanted, explode)
        raw.drop(db)
        return raw.columns
    if fmt == "csv":
        return csv_columns(db, path, display, options)
    if fmt == "parquet":
        try:
            return _columns_of(db, f"read_parquet({literal(str(path))})")
        except Exception as exc:
            raise unreadable(display, "I001", format="Parquet", reason=first_line(exc)) from None
    reader = FORMATS[fmt].read  # the format's reader (recon.formats), the whole file read for its columns
    assert reader is not None, f"format {fmt} has no per-file reader"
    raw = reader()(db, path, display, options)
    raw.drop(db)
    return raw.columns
