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

from recon.config.schema import ReaderOptions
from recon.db import Database
from recon.errors import Problem
from recon.sql import ident, literal

REJECT_COLUMNS = "_source_row BIGINT, field VARCHAR, raw_value VARCHAR, reason VARCHAR"
DUCKDB_ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "utf-16": "utf-16", "latin-1": "latin-1", "latin1": "latin-1",
                    "iso-8859-1": "latin-1"}


class UnreadableFile(Exception):
    """The file cannot be read at all; carries a Problem with a hint for the user."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.render())
        self.problem = problem


@dataclass
class RawFile:
    table: str  # a table or a view
    rejects: str
    columns: list[str]  # every column of the file, read or not
    rows_read: int
    scratch: tuple[str, ...] = ()  # tables behind a view, to drop with it

    def drop(self, db: Database) -> None:
        db.drop(self.table, self.rejects, *self.scratch)


def infer_format(path: str) -> str | None:
    suffix = Path(path.lower()).suffix
    return {
        ".csv": "csv", ".txt": "csv", ".tsv": "csv", ".parquet": "parquet", ".pq": "parquet",
        ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".xlsx": "xlsx", ".xlsm": "xlsx",
        ".edi": "x12", ".x12": "x12",
    }.get(suffix)


def _unreadable(display: str, message: str, hint: str | None = None, code: str = "I001") -> UnreadableFile:
    return UnreadableFile(Problem(code, message, file=display, hint=hint))


def _csv_args(path: Path, options: ReaderOptions) -> str:
    encoding = DUCKDB_ENCODINGS.get(options.encoding.lower())
    args = [
        literal(str(path)),
        "all_varchar = true",
        f"header = {literal(options.header)}",
        f"skip = {options.skip}",
        f"encoding = {literal(encoding or 'utf-8')}",
        "null_padding = false",
    ]
    if options.delimiter is not None:
        args.append(f"delim = {literal(options.delimiter)}")
    if options.quote is not None:
        args.append(f"quote = {literal(options.quote)}")
    if options.escape is not None:
        args.append(f"escape = {literal(options.escape)}")
    return ", ".join(args)


def _columns_of(db: Database, source_sql: str) -> list[str]:
    return [r[0] for r in db.rows(f"DESCRIBE SELECT * FROM {source_sql}")]


def _csv_header_scan(path: Path, options: ReaderOptions) -> str:
    """A CSV scan for its header only: bad lines are the full scan's business (store_rejects)."""
    return f"read_csv({_csv_args(path, options)}, ignore_errors = true)"


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
    if options.encoding.lower() not in DUCKDB_ENCODINGS:
        raise _unreadable(
            display, f"encoding {options.encoding!r} is not supported",
            "supported: " + ", ".join(sorted(set(DUCKDB_ENCODINGS.values()))), code="I003",
        )
    scan, errors = db.temp_name("rejects_scan"), db.temp_name("rejects_errors")
    staged = db.temp_name("staged")
    try:
        columns, select = _projection(db, _csv_header_scan(path, options), wanted)
        db.execute(
            f"CREATE TEMP TABLE {staged} AS SELECT {select} FROM read_csv({_csv_args(path, options)}, "
            f"store_rejects = true, rejects_scan = {literal(scan)}, rejects_table = {literal(errors)})"
        )
    except Exception as exc:  # duckdb raises several types; all mean the file is unreadable
        raise _unreadable(display, f"cannot read as CSV: {_first_line(exc)}", _csv_hint(exc)) from None
    bad_encoding = db.scalar(f"SELECT min(line) FROM {errors} WHERE error_type = 'INVALID ENCODING'")
    if bad_encoding is not None:
        db.drop(staged, scan, errors)
        raise UnreadableFile(Problem.of("I007", bad_line=bad_encoding, encoding=options.encoding, file=display))
    good = db.scalar(f"SELECT count(*) FROM {staged}")
    # One reject row per bad line (DuckDB may report a line twice, once per missing column).
    rejects = db.temp_name("parse_rejects")
    db.execute(
        f"CREATE TEMP TABLE {rejects} AS SELECT line::BIGINT AS _source_row, "
        f"min(column_name) AS field, min(csv_line) AS raw_value, "
        f"arg_min(CASE WHEN error_type IN ('MISSING COLUMNS', 'TOO MANY COLUMNS') "
        f"THEN 'wrong column count (' || error_message || ')' "
        f"ELSE lower(error_type::VARCHAR) || ': ' || error_message END, column_idx) AS reason "
        f"FROM {errors} GROUP BY line"
    )
    bad = db.scalar(f"SELECT count(*) FROM {rejects}")
    first_line = options.skip + (2 if options.header else 1)
    # Good rows keep file order (rowid); their line numbers are the data lines not rejected.
    table = db.temp_name("raw")
    if bad == 0:  # the usual case: line numbers follow the rows, no join, sort or copy needed
        db.execute(f"CREATE TEMP VIEW {table} AS SELECT (rowid + {first_line})::BIGINT AS _source_row, * "
                   f"FROM {staged}")
        db.drop(scan, errors)
        return RawFile(table=table, rejects=rejects, columns=columns, rows_read=good, scratch=(staged,))
    db.execute(
        f"""CREATE TEMP TABLE {table} AS
        WITH lines AS (SELECT range::BIGINT + {first_line} AS line FROM range({good + bad})),
             kept AS (SELECT line, row_number() OVER (ORDER BY line) - 1 AS idx FROM lines
                      WHERE line NOT IN (SELECT _source_row FROM {rejects}))
        SELECT kept.line AS _source_row, s.* FROM (SELECT rowid AS _idx, * FROM {staged}) s
        JOIN kept ON kept.idx = s._idx ORDER BY kept.line"""
    )
    db.execute(f"ALTER TABLE {table} DROP COLUMN _idx")
    db.drop(staged, scan, errors)
    return RawFile(table=table, rejects=rejects, columns=columns, rows_read=good + bad)


def _lines_table(db: Database, path: Path, display: str, encoding: str) -> str:
    """One row per line of the file, as text; `rowid + 1` is the line number."""
    lines = db.temp_name("lines")
    try:
        db.execute(
            f"CREATE TEMP TABLE {lines} AS SELECT * FROM read_csv({literal(str(path))}, header = false, "
            f"columns = {{'text': 'VARCHAR'}}, delim = '\\0', quote = '', escape = '', auto_detect = false, "
            f"encoding = {literal(DUCKDB_ENCODINGS.get(encoding.lower(), 'utf-8'))})"
        )
    except Exception as exc:
        hint = "try options: {encoding: latin-1}" if "unicode" in str(exc).lower() else None
        raise UnreadableFile(Problem.of("I009", reason=_first_line(exc), file=display, hint=hint)) from None
    return lines


# A valid JSON text that starts with `{` is an object: cheaper than asking json_type (a second parse).
_IS_OBJECT = "(json_valid(text) AND regexp_matches(text, '^\\s*\\{'))"
# Blank lines are skipped, not rejected. CASE tests it only for lines that are not objects.
_REJECTED = f"CASE WHEN {_IS_OBJECT} THEN false WHEN text IS NULL OR trim(text) = '' THEN false ELSE true END"


def _json_keys(db: Database, objects: str) -> list[str]:
    """Every top-level key of the file's objects, in order of first appearance (one more parse per line)."""
    return [
        r[0]
        for r in db.rows(
            f"SELECT k FROM (SELECT unnest(json_keys(text::JSON)) AS k, _source_row FROM {objects} "
            f"WHERE {_IS_OBJECT}) GROUP BY k ORDER BY min(_source_row), k"
        )
    ]


def _json_objects_to_raw(db: Database, objects: str, display: str, wanted: list[str] | None,
                         scratch: tuple[str, ...]) -> RawFile:
    """From (_source_row, text) JSON texts to one text column per key the mapping reads.

    Each line is parsed twice: `json_valid`, then one `json_extract_string` with every wanted
    path (one call per key parsed it once per key: bench/notes.md, 0.78 -> 0.28 CPU s). Keys are
    listed from the whole file (a third parse) only when the mapping needs all of them or a
    wanted key never has a value, which is when the loader must say what the file holds.
    """
    rejects = db.temp_name("parse_rejects")
    db.execute(
        f"CREATE TEMP TABLE {rejects} AS SELECT _source_row, NULL::VARCHAR AS field, left(text, 200) AS raw_value, "
        f"CASE WHEN json_valid(text) THEN 'not a JSON object' ELSE 'not valid JSON' END AS reason "
        f"FROM {objects} WHERE {_REJECTED}"
    )
    keys = _json_keys(db, objects) if wanted is None else list(dict.fromkeys(wanted))
    paths = ", ".join(literal("$." + _json_key(k)) for k in keys)
    selects = ", ".join(f"_v[{i}] AS {ident(k)}" for i, k in enumerate(keys, start=1))
    table = db.temp_name("raw")
    db.execute(
        f"CREATE TEMP TABLE {table} AS SELECT _source_row{', ' + selects if selects else ''} FROM "
        f"(SELECT _source_row{f', json_extract_string(text, [{paths}]) AS _v' if keys else ''} FROM {objects} "
        f"WHERE {_IS_OBJECT})"
    )
    columns = keys
    if wanted is not None and keys:
        counts = db.rows(f"SELECT {', '.join(f'count({ident(k)})' for k in keys)} FROM {table}")[0]
        if not all(counts):  # a key with no value anywhere may be absent: list what is there
            columns = _json_keys(db, objects)
    rows = db.scalar(f"SELECT count(*) FROM {table}") + db.scalar(f"SELECT count(*) FROM {rejects}")
    db.drop(*scratch)
    return RawFile(table=table, rejects=rejects, columns=columns, rows_read=rows)


def _json_key(key: str) -> str:
    return '"' + key.replace('"', '\\"') + '"'


def read_jsonl(db: Database, path: Path, display: str, options: ReaderOptions,
               wanted: list[str] | None = None) -> RawFile:
    lines = _lines_table(db, path, display, options.encoding)
    numbered = db.temp_name("numbered")
    db.execute(f"CREATE TEMP VIEW {numbered} AS SELECT (rowid + 1)::BIGINT AS _source_row, text FROM {lines}")
    return _json_objects_to_raw(db, numbered, display, wanted, (numbered, lines))


def read_json(db: Database, path: Path, display: str, options: ReaderOptions,
              wanted: list[str] | None = None) -> RawFile:
    staged, objects = db.temp_name("staged"), db.temp_name("objects")
    try:
        db.execute(f"CREATE TEMP TABLE {staged} AS SELECT json::VARCHAR AS text "
                   f"FROM read_json_objects({literal(str(path))}, format = 'array')")
        db.execute(f"CREATE TEMP TABLE {objects} AS SELECT (rowid + 1)::BIGINT AS _source_row, text FROM {staged}")
        db.drop(staged)
    except Exception as exc:
        raise _unreadable(
            display, f"cannot read as a JSON array of records: {_first_line(exc)}",
            "for one object per line use format: jsonl",
        ) from None
    return _json_objects_to_raw(db, objects, display, wanted, (objects,))


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
        raise _unreadable(display, f"cannot read as Parquet: {_first_line(exc)}") from None
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
        raise _unreadable(display, f"cannot read as xlsx: {_first_line(exc)}", hint) from None
    rows = rows[options.skip:]
    if options.header:
        if not rows:
            raise UnreadableFile(Problem.of("I008", file=display))
        header = [str(h).strip() if h not in (None, "") else f"column{i}" for i, h in enumerate(rows[0], 1)]
        body, first = rows[1:], options.skip + 2
    else:
        width = max((len(r) for r in rows), default=0)
        header, body, first = [f"column{i}" for i in range(1, width + 1)], rows, options.skip + 1
    numbered = [(first + i, r) for i, r in enumerate(body) if any(c not in (None, "") for c in r)]
    arrays = [pa.array([n for n, _ in numbered], pa.int64())]
    for j in range(len(header)):
        arrays.append(pa.array([_cell_text(r[j]) if j < len(r) else None for _, r in numbered], pa.string()))
    table = db.temp_name("raw")
    db.register_arrow(table, pa.Table.from_arrays(arrays, names=["_source_row", *header]))
    rejects = db.temp_name("parse_rejects")
    db.execute(f"CREATE TEMP TABLE {rejects} ({REJECT_COLUMNS})")
    return RawFile(table=table, rejects=rejects, columns=header, rows_read=len(numbered))


def _cell_text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


READERS = {"csv": read_csv, "jsonl": read_jsonl, "json": read_json, "parquet": read_parquet, "xlsx": read_xlsx}


def header_of(db: Database, path: Path, display: str, fmt: str, options: ReaderOptions) -> list[str]:
    """The source columns of a file, read cheaply, for checking a mapping before loading."""
    if fmt == "csv":
        try:
            return _columns_of(db, _csv_header_scan(path, options))
        except Exception as exc:
            raise _unreadable(display, f"cannot read as CSV: {_first_line(exc)}", _csv_hint(exc)) from None
    if fmt == "parquet":
        try:
            return _columns_of(db, f"read_parquet({literal(str(path))})")
        except Exception as exc:
            raise _unreadable(display, f"cannot read as Parquet: {_first_line(exc)}") from None
    raw = READERS[fmt](db, path, display, options)
    raw.drop(db)
    return raw.columns


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _csv_hint(exc: BaseException) -> str | None:
    text = str(exc).lower()
    if "unicode" in text or "invalid encoding" in text:
        return "try options: {encoding: latin-1}"
    if "delimiter" in text or "sniff" in text:
        return "set options: {delimiter: ';'}"
    return None
