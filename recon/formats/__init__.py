"""The registry of source formats: csv, parquet, jsonl, json, xlsx, x12 and edifact register the same way.

Config validation (the `format:` choices, the options block, which sources need `entity:`),
the loader, `recon validate`'s header checks, the Spark loader, the rule catalogue's extra
columns and `recon trace`'s document names all read `FORMATS`. A new format is one module
declaring a `SourceFormat` (see `recon.formats.spec`) plus one line in `_REGISTERED`;
docs/architecture.md walks through it.
"""

from __future__ import annotations

from pathlib import Path

from recon.formats import edifact, tabular, x12
from recon.formats.spec import DocumentType, SourceFormat

_REGISTERED = (
    tabular.CSV,
    tabular.PARQUET,
    tabular.JSONL,
    tabular.JSON,
    tabular.XLSX,
    x12.X12,
    edifact.EDIFACT,
)

FORMATS: dict[str, SourceFormat] = {f.name: f for f in _REGISTERED}
DEFAULT_FORMAT = "csv"  # a path whose suffix no format claims is read as delimited text


def infer(path: str) -> SourceFormat | None:
    """The format a path's suffix names (`.edi` is x12), None when no format claims it."""
    suffix = Path(path.lower()).suffix
    return next((f for f in FORMATS.values() if suffix in f.suffixes), None)


def format_of(source: object) -> SourceFormat:
    """A source's format: `format:` when given, else inferred from its path, else csv."""
    name = getattr(source, "format", None)
    if name is not None:
        return FORMATS[name]
    return infer(str(getattr(source, "path", ""))) or FORMATS[DEFAULT_FORMAT]


def edi_formats() -> list[SourceFormat]:
    return [f for f in FORMATS.values() if f.is_edi]


def documents() -> dict[str, DocumentType]:
    """Every document type of every EDI format, by its code (X12 set `850`, EDIFACT message `ORDERS`)."""
    return {code: doc for f in edi_formats() for code, doc in f.documents.items()}


__all__ = ["DEFAULT_FORMAT", "FORMATS", "DocumentType", "SourceFormat", "documents", "edi_formats", "format_of",
           "infer"]
