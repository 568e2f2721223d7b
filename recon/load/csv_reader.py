"""CSV into text cells, every physical line loaded, rejected or accounted for, on its true number.

Two passes over the file, both DuckDB's CSV reader: the records (`read_csv` with the dialect
fixed, never sniffed, rejects stored instead of failing the file) and the
physical lines (one column, no quoting: where the blank lines are, how many lines there are).
When every non-blank line is exactly one record, which is the case for nearly every extract,
record k is the k-th non-blank line and DuckDB's rejects name their true lines: that is the fast
path. When they disagree (an unclosed quote merged lines, a quoted field spans lines, a
one-column file has blank lines) the file is split again from its lines in SQL: each line is
classified with regular expressions (a whole record; one that opens a quote it does not close;
one inside a quoted field; one that closes it), an opening line joins the lines up to its
closing line into one record numbered by its first line, and a line that fits none of these is
one reject with its own number. A stray quote so costs exactly its own line.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from recon.config.schema import ReaderOptions
from recon.db import Database
from recon.load.lines import (
    LineCount,
    check_not_utf16,
    encoding_of,
    first_line,
    physical_lines,
    size_args,
    too_long_reason,
    unreadable,
)
from recon.sql import ident, literal

_CANDIDATES = (",", ";", "\t", "|")
_PY_ENCODINGS = {"utf-8": "utf-8-sig", "utf-16": "utf-16", "latin-1": "latin-1"}


@dataclass(frozen=True)
class Dialect:
    delimiter: str
    quote: str  # '' means fields are never quoted
    escape: str


@dataclass(frozen=True)
class Header:
    names: list[str]  # one per column of the file, in order
    lines: int  # lines before the first record: skipped lines and the header line


@dataclass
class ParsedCsv:
    table: str
    rejects: str
    columns: list[str]
    records: int
    lines: LineCount
    scratch: tuple[str, ...] = ()


def _first_lines(path: Path, encoding: str, n: int, limit: int) -> list[str]:
    """The first `n` lines as text (a header is read by Python's csv module, one line, no loop over rows)."""
    out = []
    py_encoding = _PY_ENCODINGS[encoding]
    if py_encoding == "utf-16":  # as DuckDB reads it: little-endian unless a byte order mark says otherwise
        with open(path, "rb") as raw:
            if raw.read(2) not in (b"\xff\xfe", b"\xfe\xff"):
                py_encoding = "utf-16-le"
    with open(path, encoding=py_encoding, errors="replace", newline="") as handle:
        for _ in range(n):
            line = handle.readline(limit)
            if not line:
                break
            out.append(line.rstrip("\r\n"))
    return out


def resolve_dialect(options: ReaderOptions, head: str) -> Dialect:
    """Options win; a missing delimiter is the candidate the header line holds most of.

    Nothing is sniffed: DuckDB's sniffer, meeting one stray quote, decides the file is unquoted
    (every `"Smith, John"` then splits in two) or picks another delimiter, and with the options
    given it still sniffs and can fail the file. Quoting is `"` and escaping doubles the quote
    (RFC 4180) unless configured; the Spark engine decides the same way.
    """
    quote = options.quote if options.quote is not None else '"'
    delimiter = options.delimiter or max(_CANDIDATES, key=head.count)
    escape = options.escape if options.escape is not None else quote
    return Dialect(delimiter, quote, escape)


def read_header(path: Path, display: str, options: ReaderOptions, dialect: Dialect, first: list[str]) -> Header:
    skip = options.skip
    if len(first) <= skip:
        what = "header" if options.header else "data"
        raise unreadable(display, "I020", what=what + (f" after the {skip} skipped lines" if skip else ""))
    text = first[skip]
    cells = next(csv.reader([text], delimiter=dialect.delimiter, quotechar=dialect.quote or None,
                            escapechar=None if dialect.escape in ("", dialect.quote) else dialect.escape,
                            doublequote=dialect.escape == dialect.quote, quoting=csv.QUOTE_MINIMAL if dialect.quote
                            else csv.QUOTE_NONE), [])
    if not options.header:
        return Header([f"column{i}" for i in range(max(len(cells), 1))], skip)
    if not text.strip():
        raise unreadable(display, "I022", header_line=skip + 1)
    return Header([c.strip() or f"column{i}" for i, c in enumerate(cells)], skip + 1)


def check_duplicates(display: str, names: list[str], wanted: list[str] | None) -> None:
    """Two header cells with one name (DuckDB compares names case-insensitively): say which, if read."""
    seen: dict[str, int] = {}
    asked = None if wanted is None else {w.lower() for w in wanted}
    for i, name in enumerate(names):
        key = name.lower()
        if key in seen and (asked is None or key in asked):
            raise unreadable(display, "I021", first=seen[key] + 1, first_name=names[seen[key]], second=i + 1,
                             second_name=name)
        seen.setdefault(key, i)


def _projection(names: list[str], wanted: list[str] | None) -> list[tuple[int, str]]:
    """(position, name) of the columns to keep: the wanted ones present, or all."""
    if wanted is None:
        return list(enumerate(names))
    present = {n.lower(): i for i, n in reversed(list(enumerate(names)))}
    return [(present[w.lower()], names[present[w.lower()]]) for w in dict.fromkeys(wanted) if w.lower() in present]


def _select(chosen: list[tuple[int, str]], cell: Callable[[int], str]) -> str:
    return ", ".join(f"{cell(i)} AS {ident(n)}" for i, n in chosen) if chosen else "NULL AS _no_column"


def csv_header(path: Path, display: str, options: ReaderOptions,
               wanted: list[str] | None = None) -> tuple[Dialect, Header]:
    """The dialect and header of a CSV file, with its file-level problems (I003, I020-I023) raised.

    Both engines start here, so a file is empty, UTF-16 or has a duplicate header on Spark exactly
    when it has on DuckDB.
    """
    encoding = encoding_of(display, options.encoding)
    check_not_utf16(path, display, options.encoding)
    first = _first_lines(path, encoding, options.skip + 1, options.max_line_size)
    head = first[options.skip] if len(first) > options.skip else ""
    dialect = resolve_dialect(options, head)
    header = read_header(path, display, options, dialect, first)
    check_duplicates(display, header.names, wanted)
    return dialect, header


def parse_csv(db: Database, path: Path, display: str, options: ReaderOptions,
              wanted: list[str] | None = None) -> ParsedCsv:
    encoding = encoding_of(display, options.encoding)
    dialect, header = csv_header(path, display, options, wanted)
    chosen = _projection(header.names, wanted)
    fast = _fast(db, path, display, options, dialect, header, chosen, encoding)
    if fast is not None:
        return fast
    return _slow(db, path, display, options, dialect, header, chosen)


def csv_columns(db: Database, path: Path, display: str, options: ReaderOptions) -> list[str]:
    """The header of a CSV file, for checking a mapping before loading."""
    encoding = encoding_of(display, options.encoding)
    check_not_utf16(path, display, options.encoding)
    first = _first_lines(path, encoding, options.skip + 1, options.max_line_size)
    head = first[options.skip] if len(first) > options.skip else ""
    return read_header(path, display, options, resolve_dialect(options, head), first).names


def _read_args(path: Path, options: ReaderOptions, dialect: Dialect, width: int, encoding: str) -> str:
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
    return ", ".join([
        literal(str(path)), "auto_detect = false", f"header = {literal(options.header)}", f"skip = {options.skip}",
        f"columns = {{{columns}}}", f"delim = {literal(dialect.delimiter)}", f"quote = {literal(dialect.quote)}",
        f"escape = {literal(dialect.escape)}", f"encoding = {literal(encoding)}",
        size_args(path, options.max_line_size), "null_padding = false",
    ])


def _fast(db: Database, path: Path, display: str, options: ReaderOptions, dialect: Dialect, header: Header,
          chosen: list[tuple[int, str]], encoding: str) -> ParsedCsv | None:
    """DuckDB's records, numbered by the non-blank lines; None when records and lines do not pair up."""
    lines = physical_lines(db, path, display, options.encoding, options.max_line_size, text=False)
    scan, errors, staged = db.temp_name("rejects_scan"), db.temp_name("rejects_errors"), db.temp_name("staged")
    try:
        db.execute(
            f"CREATE TEMP TABLE {staged} AS SELECT {_select(chosen, lambda i: f'c{i}')} FROM read_csv("
            f"{_read_args(path, options, dialect, len(header.names), encoding)}, store_rejects = true, "
            f"rejects_scan = {literal(scan)}, rejects_table = {literal(errors)})"
        )
    except Exception as exc:  # duckdb raises several types; all mean the file is unreadable
        db.drop(staged, scan, errors)
        lines.drop(db)
        raise unreadable(display, "I001", format="CSV", reason=first_line(exc)) from None
    h = header.lines
    good = db.scalar(f"SELECT count(*) FROM {staged}")
    blank = db.scalar(f"SELECT count(*) FROM {lines.table} WHERE blank AND _line > {h}")
    bad_lines = db.rows(
        f"SELECT count(DISTINCT e.line), count(DISTINCT e.line) FILTER (WHERE e.line <= {h} OR e.line > {lines.total} "
        f"OR l.blank) FROM {errors} e LEFT JOIN {lines.table} l ON l._line = e.line"
    )[0]
    long_ok = all(db.scalar(f"SELECT count(*) FROM {errors} WHERE line = {n}") for n in lines.too_long)
    if good + bad_lines[0] != lines.total - h - blank or bad_lines[1] or not long_ok:
        db.drop(staged, scan, errors)
        lines.drop(db)
        return None
    rejects = db.temp_name("parse_rejects")
    long_reason = literal(too_long_reason(options.max_line_size))
    # One reject row per bad line (DuckDB may report a line twice, once per missing column),
    # naming the header's column where DuckDB names its own (c0, c1…).
    db.execute(
        f"CREATE TEMP TABLE {rejects} AS SELECT line::BIGINT AS _source_row, "
        f"min([{', '.join(literal(n) for n in header.names)}][TRY_CAST(ltrim(column_name, 'c') AS INT) + 1]) AS field, "
        f"CASE WHEN bool_or(error_type = 'LINE SIZE OVER MAXIMUM') "
        f"THEN left(ltrim(min(csv_line), chr(13) || chr(10)), 200) || '…' "
        f"ELSE ltrim(min(csv_line), chr(13) || chr(10)) END AS raw_value, "
        f"arg_min(CASE WHEN error_type IN ('MISSING COLUMNS', 'TOO MANY COLUMNS') "
        f"THEN 'wrong column count (' || error_message || ')' WHEN error_type = 'LINE SIZE OVER MAXIMUM' "
        f"THEN {long_reason} ELSE lower(error_type::VARCHAR) || ': ' || error_message END, "
        f"coalesce(column_idx, -1)) AS reason "
        f"FROM {errors} GROUP BY line ORDER BY line"
    )
    db.drop(scan, errors)
    count = LineCount(lines.total, h, blank)
    columns = header.names
    table = db.temp_name("raw")
    if blank == 0 and bad_lines[0] == 0:  # the usual case: line numbers follow the rows, no join, sort or copy
        lines.drop(db)
        db.execute(f"CREATE TEMP VIEW {table} AS SELECT (rowid + {h + 1})::BIGINT AS _source_row, * FROM {staged}")
        return ParsedCsv(table, rejects, columns, good, count, (staged,))
    # Good rows keep file order (rowid); their lines are the non-blank lines not rejected.
    db.execute(
        f"""CREATE TEMP TABLE {table} AS
        WITH kept AS (SELECT _line, row_number() OVER (ORDER BY _line) - 1 AS idx FROM {lines.table}
                      WHERE _line > {h} AND NOT blank AND _line NOT IN (SELECT _source_row FROM {rejects}))
        SELECT kept._line AS _source_row, s.* EXCLUDE (_idx) FROM (SELECT rowid AS _idx, * FROM {staged}) s
        JOIN kept ON kept.idx = s._idx ORDER BY kept._line"""
    )
    db.drop(staged)
    lines.drop(db)
    return ParsedCsv(table, rejects, columns, good + bad_lines[0], count)


def _rx(text: str) -> str:
    """Characters as RE2 escapes, safe inside and outside a character class."""
    return "".join(f"\\x{{{ord(c):x}}}" for c in text)


def _patterns(d: Dialect) -> dict[str, str]:
    """Whole-line patterns: a record, a line opening a quote it does not close, inside one, closing one."""
    dl = _rx(d.delimiter)
    if not d.quote:
        return {"field": f"[^{dl}\\n]*"}
    q, e = _rx(d.quote), _rx(d.escape)
    inside = f"(?:[^{q}]|{q}{q})*" if d.escape in ("", d.quote) else f"(?:[^{q}{e}]|{e}(?s:.))*"
    field = f"(?:{q}{inside}{q}|(?:[^{q}{dl}\\n][^{dl}\\n]*)?)"
    return {
        "field": field,
        "record": f"{field}(?:{dl}{field})*",
        "opens": f"(?:{field}{dl})*{q}{inside}",
        "inside": inside,
        "closes": f"{inside}{q}(?:{dl}{field})*",
    }


def _cell(d: Dialect, f: str) -> str:
    """One field's value from its text as matched: quotes removed, escapes undone, empty is NULL."""
    if not d.quote:
        return f"nullif({f}, '')"
    body = f"substr({f}, 2, length({f}) - 2)"
    if d.escape in ("", d.quote):
        unescaped = f"replace({body}, {literal(d.quote * 2)}, {literal(d.quote)})"
    else:
        unescaped = f"regexp_replace({body}, {literal(_rx(d.escape) + '(.)')}, '\\1', 'gs')"
    return f"CASE WHEN {f} = '' THEN NULL WHEN starts_with({f}, {literal(d.quote)}) THEN {unescaped} ELSE {f} END"


def _unescaped_quotes(d: Dialect) -> str:
    """The line without its escaped quotes: a line holding no other quote lies wholly inside a quoted field."""
    if d.escape in ("", d.quote):
        return f"replace(text, {literal(d.quote * 2)}, '')"
    return f"regexp_replace(text, {literal(_rx(d.escape) + '(?s:.)')}, '', 'g')"


_MARK = "chr(31)"  # the unit separator marks delimiters outside quotes; a record holding one is split by regex


def _fields(d: Dialect, p: dict[str, str]) -> str:
    """A record's fields, quotes still on: a list of texts.

    With doubled-quote escaping, splitting on the quote alternates outside and inside parts (an
    escaped quote is an empty outside part), so the delimiters of the outside parts are the
    field boundaries; that is plain string work, ten times faster than a regex extracting each
    field, which remains for other escapes and for records holding the marker character.
    """
    by_regex = (f"regexp_extract_all({literal(d.delimiter)} || text, "
                f"{literal(_rx(d.delimiter) + '(' + p['field'] + ')')}, 1)")
    delim = literal(d.delimiter)
    if not d.quote:
        return f"string_split(text, {delim})"
    if d.escape not in ("", d.quote):
        return by_regex
    q = literal(d.quote)
    marked = (f"array_to_string(list_transform(string_split(text, {q}), lambda part, i: CASE WHEN i % 2 = 1 "
              f"THEN replace(part, {delim}, {_MARK}) ELSE part END), {q})")
    return (f"CASE WHEN NOT contains(text, {q}) THEN string_split(text, {delim}) WHEN contains(text, {_MARK}) "
            f"THEN {by_regex} ELSE string_split({marked}, {_MARK}) END")


def _spans(db: Database, cls: str, spans: str, record: str | None, fields: str, width: int) -> None:
    """Records over several lines: (first, last, text) from a line with an odd number of quotes to the next one.

    Each such pair of consecutive odd lines, joined with the lines between, is a candidate; it
    is a record if the joined text is one with the header's number of fields (a stray quote
    that swallows the next record's opening quote makes a record of the wrong width, so the
    stray line is rejected alone and the record after it keeps its lines). Candidates that
    chain (one's last line is the next one's first) are taken alternately from the top, as a
    reader going down the file would.
    """
    db.execute(f"CREATE TEMP TABLE {spans} (first BIGINT, last BIGINT, text VARCHAR)")
    if record is None or not db.scalar(f"SELECT count(*) FROM {cls} WHERE odd AND NOT long"):
        return
    db.execute(
        f"""INSERT INTO {spans}
        WITH cand AS (SELECT * FROM (SELECT _line AS first, lead(_line) OVER (ORDER BY _line) AS last
                                     FROM {cls} WHERE odd) WHERE last IS NOT NULL),
             mid AS (SELECT o.first, string_agg(coalesce(c.text, ''), chr(10) ORDER BY c._line) AS body
                     FROM {cls} c ASOF JOIN cand o ON c._line > o.first
                     WHERE c._line < o.last GROUP BY o.first),
             joined AS (SELECT cand.first, cand.last,
                               f.text || chr(10) || coalesce(mid.body || chr(10), '') || l.text AS text
                        FROM cand JOIN {cls} f ON f._line = cand.first JOIN {cls} l ON l._line = cand.last
                        LEFT JOIN mid ON mid.first = cand.first),
             ok AS (SELECT *, coalesce(first <> lag(last) OVER (ORDER BY first), true) AS starts
                    FROM joined WHERE coalesce(regexp_full_match(text, {literal(record)}), false)
                          AND len({fields}) = {width}),
             chained AS (SELECT *, sum(starts::INT) OVER (ORDER BY first) AS chain FROM ok)
        SELECT first, last, text FROM (
            SELECT *, row_number() OVER (PARTITION BY chain ORDER BY first) AS n FROM chained) WHERE n % 2 = 1"""
    )


def _slow(db: Database, path: Path, display: str, options: ReaderOptions, dialect: Dialect, header: Header,
          chosen: list[tuple[int, str]]) -> ParsedCsv:
    """The file split from its physical lines in SQL (see the module docstring)."""
    lines = physical_lines(db, path, display, options.encoding, options.max_line_size, text=True)
    p, h, width = _patterns(dialect), header.lines, len(header.names)
    if dialect.quote:
        # One regular expression per line holding a quote (is it a whole record?); an odd number
        # of quotes (escaped ones aside) is what a line opening or closing a quoted field has.
        quoted = f"text IS NOT NULL AND contains(text, {literal(dialect.quote)})"
        whole = f"CASE WHEN {quoted} THEN regexp_full_match(text, {literal(p['record'])}) ELSE text IS NOT NULL END"
        left = _unescaped_quotes(dialect)
        odd = f"coalesce((length({left}) - length(replace({left}, {literal(dialect.quote)}, ''))) % 2 = 1, false)"
        tests = f"{whole} AS whole, {odd} AS odd"
    else:
        tests = "text IS NOT NULL AS whole, false AS odd"
    long_rows = " UNION ALL ".join(f"SELECT {n}::BIGINT, NULL, false, true, false, true"
                                   for n in lines.too_long if n > h)
    cls, spans, recs = db.temp_name("csv_lines"), db.temp_name("csv_spans"), db.temp_name("csv_records")
    db.execute(
        f"CREATE TEMP TABLE {cls} AS SELECT _line, text, text IS NULL AS blank, false AS long, {tests} "
        f"FROM {lines.table} WHERE _line > {h}" + (f" UNION ALL {long_rows}" if long_rows else "")
    )
    lines.drop(db)
    _spans(db, cls, spans, p.get("record"), _fields(dialect, p), width)
    placed = db.temp_name("csv_placed")
    db.execute(
        f"CREATE TEMP TABLE {placed} AS SELECT c.*, coalesce(c._line <= s.last, false) AS spanned, "
        f"c._line = s.first AS span_start, s.text AS span_text, s.last - s.first AS span_rest "
        f"FROM {cls} c ASOF LEFT JOIN {spans} s ON c._line >= s.first"
    )
    db.drop(cls, spans)
    db.execute(
        f"""CREATE TEMP TABLE {recs} AS
        SELECT _line AS _source_row, span_text AS text, NULL::VARCHAR AS reason, span_rest AS continuation
        FROM {placed} WHERE span_start
        UNION ALL
        SELECT _line, text, CASE WHEN long THEN {literal(too_long_reason(options.max_line_size))}
                                 WHEN whole THEN NULL
                                 WHEN odd THEN 'unterminated quoted field (no closing quote)'
                                 ELSE 'malformed quoted field (a quote inside an unquoted value or after a '
                                      || 'closing quote)' END, 0
        FROM {placed} WHERE NOT spanned AND NOT blank ORDER BY 1"""
    )
    blank = db.scalar(f"SELECT count(*) FROM {placed} WHERE blank AND NOT spanned")
    db.drop(placed)
    continuation, records = db.rows(f"SELECT coalesce(sum(continuation), 0)::BIGINT, count(*) FROM {recs}")[0]
    cells = db.temp_name("csv_cells")
    db.execute(
        f"CREATE TEMP TABLE {cells} AS SELECT _source_row, text, reason, CASE WHEN reason IS NULL THEN "
        f"{_fields(dialect, p)} END AS cells FROM {recs}"
    )
    db.drop(recs)
    table, rejects = db.temp_name("raw"), db.temp_name("parse_rejects")
    db.execute(
        f"CREATE TEMP TABLE {table} AS SELECT _source_row, "
        f"{_select(chosen, lambda i: _cell(dialect, f'cells[{i + 1}]'))} FROM {cells} "
        f"WHERE reason IS NULL AND len(cells) = {width} ORDER BY _source_row"
    )
    db.execute(
        f"CREATE TEMP TABLE {rejects} AS SELECT _source_row, CASE WHEN reason IS NULL AND len(cells) < {width} "
        f"THEN list_min([{', '.join(literal(n) for n in header.names)}][len(cells) + 1:]) END AS field, "
        f"text AS raw_value, "
        f"coalesce(reason, 'wrong column count (Expected Number of Columns: {width} Found: ' || len(cells) || ')') "
        f"AS reason FROM {cells} WHERE reason IS NOT NULL OR len(cells) <> {width} ORDER BY _source_row"
    )
    db.drop(cells)
    count = LineCount(lines.total, h, blank, continuation)
    if count.records != records:
        raise AssertionError(f"{display}: {lines.total} lines but {h} header + {blank} blank + {continuation} "
                             f"continuation + {records} records; a line was lost, which is a bug in recon")
    return ParsedCsv(table, rejects, header.names, records, count)
