"""The physical lines of a text file, numbered as an editor numbers them.

CSV and JSONL readers account for rows on these lines, not on a parser's records: a parser that
merges lines (an unclosed quote) or skips them (blank lines) must not move a row's line number
or lose a line. DuckDB's CSV reader with no delimiter, quote or escape yields one row per line
(a blank line is NULL) and, with `store_rejects`, names each line longer than `max_line_size`
instead of failing the file; those lines are put back in their place by number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recon.db import Database
from recon.errors import Problem
from recon.sql import literal

DUCKDB_ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "utf-16": "utf-16", "latin-1": "latin-1", "latin1": "latin-1",
                    "iso-8859-1": "latin-1"}
_LONG = "LINE SIZE OVER MAXIMUM"


class UnreadableFile(Exception):
    """The file cannot be read at all; carries a Problem with a hint for the user."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.render())
        self.problem = problem


def unreadable(display: str, code: str, hint: Any = ..., **fields: Any) -> UnreadableFile:
    """The catalogued problem `code` about the file `display` (the catalogue's hint unless one is given)."""
    return UnreadableFile(Problem.of(code, file=display, hint=hint, **fields))


@dataclass(frozen=True)
class LineCount:
    """Where every physical line of a file went: `total = header + blank + continuation + records`.

    `header` counts the skipped lines and the header line, `blank` the empty lines between
    records, `continuation` the second and later lines of records spanning several lines (a
    quoted field with line breaks); every other line is a record, loaded or rejected.
    """

    total: int
    header: int = 0
    blank: int = 0
    continuation: int = 0

    @property
    def records(self) -> int:
        return self.total - self.header - self.blank - self.continuation


@dataclass
class Lines:
    table: str  # (_line BIGINT, text VARCHAR) or (_line BIGINT, blank BOOLEAN), in line order
    total: int
    too_long: list[int] = field(default_factory=list)
    scratch: tuple[str, ...] = ()

    def drop(self, db: Database) -> None:
        db.drop(self.table, *self.scratch)


def encoding_of(display: str, encoding: str) -> str:
    duck = DUCKDB_ENCODINGS.get(encoding.lower())
    if duck is None:
        supported = ", ".join(sorted(set(DUCKDB_ENCODINGS.values())))
        raise unreadable(display, "I003", encoding=encoding, supported=supported)
    return duck


def check_not_utf16(path: Path, display: str, encoding: str) -> None:
    """A UTF-16 file read as UTF-8 or Latin-1 decodes as text full of NUL bytes: say what it is instead
    (and a big-endian one read as UTF-16, which would decode as garbage: I025).

    Half the bytes of mostly-ASCII UTF-16 text are NUL, in every other position; a byte order
    mark is the other giveaway. Real UTF-8 or Latin-1 extracts hold almost no NUL bytes.
    """
    with open(path, "rb") as handle:
        head = handle.read(4096)
    evens, odds = head[0::2].count(0), head[1::2].count(0)
    nul_heavy = len(head) >= 4 and max(evens, odds) >= len(head) // 4
    if encoding_of(display, encoding) == "utf-16":
        # DuckDB reads UTF-16 little-endian whatever the byte order mark says: a big-endian file
        # would load as one line of other characters, and its rows would be silently lost.
        if head.startswith(b"\xfe\xff") or (not head.startswith(b"\xff\xfe") and nul_heavy and evens > odds):
            raise unreadable(display, "I025")
        return
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or nul_heavy:
        raise unreadable(display, "I023", encoding=encoding)


def physical_lines(db: Database, path: Path, display: str, encoding: str, max_line_size: int, *,
                   text: bool = True, extra: str = "") -> Lines:
    """One row per physical line, `_line` from 1; only `blank` (is the line empty) when `text` is false.

    Lines longer than `max_line_size` bytes are listed in `too_long` and have no row. `extra`
    adds columns computed from the line as it is read (`text`, not yet NULL when empty), so a
    test every reader step needs is made once.
    """
    duck = encoding_of(display, encoding)
    staged, scan, errors = db.temp_name("lines_raw"), db.temp_name("lines_scan"), db.temp_name("lines_errors")
    value = "nullif(text, '') AS text" if text else "coalesce(text, '') = '' AS blank"
    value += f", {extra}" if extra else ""
    try:
        db.execute(
            f"CREATE TEMP TABLE {staged} AS SELECT {value} FROM read_csv({literal(str(path))}, header = false, "
            f"columns = {{'text': 'VARCHAR'}}, delim = '\\0', quote = '', escape = '', auto_detect = false, "
            f"encoding = {literal(duck)}, {size_args(path, max_line_size)}, store_rejects = true, "
            f"rejects_scan = {literal(scan)}, rejects_table = {literal(errors)})"
        )
    except Exception as exc:
        db.drop(staged, scan, errors)
        hint = "try options: {encoding: latin-1}" if "unicode" in str(exc).lower() else None
        raise unreadable(display, "I009", hint, reason=first_line(exc)) from None
    bad_encoding = db.scalar(f"SELECT min(line) FROM {errors} WHERE error_type = 'INVALID ENCODING'")
    if bad_encoding is not None:
        db.drop(staged, scan, errors)
        raise unreadable(display, "I007", bad_line=bad_encoding, encoding=encoding)
    too_long = [r[0] for r in db.rows(f"SELECT DISTINCT line FROM {errors} WHERE error_type = '{_LONG}' ORDER BY 1")]
    db.drop(scan, errors)
    kept = db.scalar(f"SELECT count(*) FROM {staged}")
    total = kept + len(too_long)
    table = db.temp_name("lines")
    if not too_long:  # the usual case: rowid is the line, no copy
        db.execute(f"CREATE TEMP VIEW {table} AS SELECT (rowid + 1)::BIGINT AS _line, * FROM {staged}")
        return Lines(table, total, [], (staged,))
    listed = ", ".join(str(n) for n in too_long)
    db.execute(
        f"""CREATE TEMP TABLE {table} AS
        WITH kept AS (SELECT range + 1 AS line, row_number() OVER (ORDER BY range) - 1 AS idx
                      FROM range({total}) WHERE range + 1 NOT IN ({listed}))
        SELECT kept.line::BIGINT AS _line, s.* EXCLUDE (_idx) FROM (SELECT rowid AS _idx, * FROM {staged}) s
        JOIN kept ON kept.idx = s._idx ORDER BY kept.line"""
    )
    db.drop(staged)
    return Lines(table, total, too_long)


def size_args(path: Path, max_line_size: int) -> str:
    """read_csv's line limit and a buffer that holds every line of the file.

    The buffer is twice the limit: DuckDB's own buffer for a 16 MB limit is so large that a file
    of tens of MB is one buffer, scanned by one thread (measured: 1.8x slower). But DuckDB drops
    a line longer than its buffer without a reject (DuckDB 2.0), so when some stretch of half a
    buffer holds no line break at all (a line may be longer than the buffer), the buffer is the
    whole file: slower, never a lost line.
    """
    buffer = 2 * max_line_size
    with open(path, "rb") as handle:
        while chunk := handle.read(buffer // 2):
            if len(chunk) == buffer // 2 and b"\n" not in chunk:
                buffer = max(buffer, path.stat().st_size + 1)
                break
    return f"max_line_size = {max_line_size}, buffer_size = {buffer}"


def too_long_reason(max_line_size: int) -> str:
    return f"line longer than max_line_size ({max_line_size} bytes)"


def first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
