"""What `recon init` learns from one extract file: its format (by content for EDI), reader options
and, per column, a profile of its values. The only module of recon.scaffold that reads files.

Tabular files are read by the loader's own readers (recon.formats), so what init sees is what
`recon run` will load; the profile is one SQL statement over a sample of the text cells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recon.config.schema import ReaderOptions
from recon.db import Database
from recon.formats import FORMATS, edi_formats, infer
from recon.sql import ident, literal

SAMPLE_ROWS = 20_000  # values profiled per file: enough to see padding, case and formats
MAX_VALUES = 200  # a column with at most this many distinct values keeps them (codes, statuses)

DATE_FORMATS = ("%Y%m%d", "%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d")
TIMESTAMP_FORMATS = ("%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S",
                     "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%Y%m%d%H%M%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M",
                     "%Y/%m/%d %H:%M:%S")
TIME_FORMATS = ("%H%M%S", "%H:%M:%S", "%H:%M")


@dataclass(frozen=True)
class ColumnProfile:
    """The values of one column, as far as mapping it needs to know."""

    name: str
    filled: int  # non-empty values in the sample
    distinct: int
    examples: tuple[str, ...]  # a few distinct values, sorted
    values: tuple[str, ...] | None  # every distinct value when there are at most MAX_VALUES
    digits: bool  # every value is digits only
    zero_padded: bool  # digits only, and some values have leading zeros
    has_lower: bool  # some value has a lower-case letter
    has_letters: bool
    numeric: bool  # every value reads as a number
    iso_time: bool  # every value reads as an ISO date or timestamp
    offsets: bool  # ISO timestamps that carry a UTC offset (or Z)
    formats: tuple[str, ...]  # strptime formats every value matches (dates, timestamps)
    time_formats: tuple[str, ...]  # time-of-day formats every value matches
    decimal_comma: bool = False  # numbers written 12,5 (a comma not followed by exactly three digits)
    thousands_comma: bool = False  # numbers written 1,234.50


@dataclass(frozen=True)
class FileProfile:
    """One file: how to read it, and its columns (tabular) or its envelopes (EDI)."""

    path: Path
    format: str | None  # a recon.formats name; None when the file could not be classified
    rows: int = 0
    options: dict[str, Any] = field(default_factory=dict)  # reader options init must write down
    columns: tuple[ColumnProfile, ...] = ()
    parties: tuple[tuple[str, str], ...] = ()  # EDI: (sender, receiver) per interchange
    documents: tuple[str, ...] = ()  # EDI: document types seen (850, 856, ...)
    problem: str | None = None  # why the file could not be read or classified
    table: str | None = None  # its text cells, kept in the scaffold's database (recon.scaffold.joins)

    def column(self, name: str) -> ColumnProfile:
        return next(c for c in self.columns if c.name == name)


def content_format(head: bytes) -> str | None:
    """An EDI format recognised by how the file starts (X12 `ISA`), whatever its suffix."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    for fmt in edi_formats():
        if any(text.startswith(sig) for sig in fmt.signatures):
            return fmt.name
    if text.startswith(b"PAR1"):
        return "parquet"
    if text.startswith(b"PK\x03\x04"):
        return "xlsx" if "xlsx" in FORMATS else None
    return None


def classify(path: Path) -> str | None:
    """The format of a file: by content for EDI and binary formats, else by suffix, else text shape."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    by_content = content_format(head)
    if by_content:
        return by_content
    fmt = infer(str(path))
    if fmt is not None and not fmt.is_edi:
        return fmt.name
    if b"\x00" in head:
        return None  # binary that no format claims
    text = head.decode("utf-8", errors="replace").lstrip()
    if text.startswith("{"):
        return "jsonl" if "\n{" in text or text.count("\n") <= 1 else "json"
    if text.startswith("["):
        return "json"
    first = text.splitlines()[0] if text else ""
    return "csv" if any(d in first for d in ",;\t|") else None


def encoding_of(path: Path) -> str:
    """utf-8 when the start of the file decodes as UTF-8, else latin-1 (what Western ERPs write)."""
    with path.open("rb") as fh:
        head = fh.read(1 << 16)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end of the sample
            return "latin-1"
    return "utf-8"


def csv_options(db: Database, path: Path) -> dict[str, Any]:
    """Delimiter and header from DuckDB's sniffer, encoding from the bytes: the options to write down."""
    options: dict[str, Any] = {}
    encoding = encoding_of(path)
    if encoding != "utf-8":
        options["encoding"] = encoding
    try:
        sniffed = db.dicts(f"SELECT Delimiter, HasHeader FROM sniff_csv({literal(str(path))}, "
                           f"encoding = {literal('latin-1' if encoding != 'utf-8' else 'utf-8')}, "
                           "sample_size = 20000)")[0]
    except Exception:  # the loader's own header reading decides, and reports what it finds
        return options
    if sniffed["Delimiter"] and sniffed["Delimiter"] != ",":
        options["delimiter"] = sniffed["Delimiter"]
    if sniffed["HasHeader"] is False:
        options["header"] = False
    return options


def profile_file(db: Database, path: Path, display: str) -> FileProfile:
    """Read and profile one file; a file that cannot be read or classified says why."""
    try:
        fmt = classify(path)
    except OSError as exc:
        return FileProfile(path, None, problem=str(exc))
    if fmt is None:
        return FileProfile(path, None, problem="not a format recon reads (CSV, JSON, JSONL, Parquet, xlsx, X12)")
    if FORMATS[fmt].is_edi:
        return _edi_profile(path, fmt)
    options = csv_options(db, path) if fmt == "csv" else {}
    reader = FORMATS[fmt].read
    assert reader is not None
    try:
        raw = reader()(db, path, display, ReaderOptions(**options))
    except Exception as exc:  # an unreadable file is listed with the reader's reason, never guessed
        problem = getattr(exc, "problem", None)
        return FileProfile(path, fmt, options=options, problem=problem.message if problem else str(exc))
    columns = profile_columns(db, raw.table, [c for c in raw.columns if not c.startswith("_")])
    return FileProfile(path, fmt, rows=raw.rows_read, options=options, columns=columns, table=raw.table)


def _column_sql(c: str) -> str:
    v = f"nullif(trim({ident(c)}), '')"
    fmts = ", ".join(f"bool_and(try_strptime({v}, {literal(f)}) IS NOT NULL) FILTER (WHERE {v} IS NOT NULL)"
                     for f in (*DATE_FORMATS, *TIMESTAMP_FORMATS, *TIME_FORMATS))
    return (f"[count({v})::VARCHAR, count(DISTINCT {v})::VARCHAR]::VARCHAR[], "
            f"list(DISTINCT {v} ORDER BY {v}) FILTER (WHERE {v} IS NOT NULL), "
            f"[bool_and(regexp_full_match({v}, '[0-9]+')), bool_or(regexp_full_match({v}, '0[0-9]+')), "
            f"bool_or(regexp_matches({v}, '[a-z]')), bool_or(regexp_matches({v}, '[A-Za-z]')), "
            f"bool_and(TRY_CAST(replace({v}, ',', '') AS DECIMAL(38, 6)) IS NOT NULL), "
            f"bool_and(TRY_CAST({v} AS TIMESTAMPTZ) IS NOT NULL AND regexp_matches({v}, '^\\d{{4}}-\\d\\d-\\d\\d')) "
            f"FILTER (WHERE {v} IS NOT NULL), "  # blanks are no evidence against ISO times
            f"bool_and(regexp_matches({v}, '([+-]\\d\\d:?\\d\\d|Z)$')), "
            f"bool_and(regexp_full_match({v}, '-?[0-9]+(,[0-9]+)?')) "
            f"AND bool_or(regexp_matches({v}, ',([0-9]{{1,2}}|[0-9]{{4,}})$')), "
            f"bool_and(regexp_full_match({v}, '-?([0-9]{{1,3}}(,[0-9]{{3}})+|[0-9]+)(\\.[0-9]+)?')) "
            f"AND bool_or(regexp_matches({v}, '[0-9],[0-9]{{3}}')), {fmts}]")


def profile_columns(db: Database, table: str, columns: list[str]) -> tuple[ColumnProfile, ...]:
    """One statement over a sample of the table's text cells; a profile per column."""
    if not columns:
        return ()
    select = ", ".join(_column_sql(c) for c in columns)
    row = db.rows(f"SELECT {select} FROM (SELECT * FROM {table} LIMIT {SAMPLE_ROWS})")[0]
    out = []
    every = (*DATE_FORMATS, *TIMESTAMP_FORMATS, *TIME_FORMATS)
    for i, name in enumerate(columns):
        counts, distinct_values, flags = row[3 * i], row[3 * i + 1] or [], row[3 * i + 2]
        filled, distinct = int(counts[0]), int(counts[1])
        flags = [bool(f) if f is not None else False for f in flags]
        matched = [f for f, ok in zip(every, flags[9:], strict=True) if ok and filled]
        out.append(ColumnProfile(
            name=name, filled=filled, distinct=distinct, examples=tuple(distinct_values[:5]),
            values=tuple(distinct_values) if distinct <= MAX_VALUES else None,
            digits=flags[0] and filled > 0, zero_padded=flags[0] and flags[1], has_lower=flags[2],
            has_letters=flags[3], numeric=flags[4] and filled > 0, iso_time=flags[5] and filled > 0,
            offsets=flags[6] and filled > 0,
            formats=tuple(f for f in matched if f not in TIME_FORMATS),
            time_formats=tuple(f for f in matched if f in TIME_FORMATS),
            decimal_comma=flags[7] and filled > 0, thousands_comma=flags[8] and filled > 0))
    return tuple(out)


def _edi_profile(path: Path, fmt: str) -> FileProfile:
    """The parties of each interchange and the document types, read from the envelopes' text
    (X12: ISA06 sender, ISA08 receiver, ST01 set); other EDI formats are listed without them."""
    data = path.read_bytes()
    parties: list[tuple[str, str]] = []
    documents: set[str] = set()
    if fmt == "x12":
        separators = set()
        for match in re.finditer(rb"ISA([^A-Za-z0-9\s])", data):
            elements = data[match.start(): match.start() + 120].split(match.group(1))
            if len(elements) > 8:
                pair = (elements[6].decode("latin-1").strip(), elements[8].decode("latin-1").strip())
                if pair not in parties:
                    parties.append(pair)
                separators.add(match.group(1))
        for sep in separators:
            documents.update(m.group(1).decode() for m in re.finditer(rb"ST" + re.escape(sep) + rb"(\d{3})", data))
    return FileProfile(path, fmt, parties=tuple(parties), documents=tuple(sorted(documents)))
