"""ANSI X12 EDI: tokenizer, envelope checks and mapping onto recon's canonical entities.

A pure library (no click, no DuckDB): the loader calls `parse_x12_files` and stores the Arrow
tables it returns; `recon edi inspect` uses `recon.load.x12.inspect`. See docs/edi.md.

    from recon.load.x12 import parse_x12_files, X12Options
    result = parse_x12_files([Path("in/po.edi")], X12Options(our_ids=["ACME"]))
    result.tables["order_lines"]  # pyarrow.Table, all value columns strings + lineage
    result.findings               # envelope and mapping problems, never exceptions
"""

from recon.load.x12.parser import empty_tables, parse_x12_files
from recon.load.x12.quirks import X12Options, X12PartnerOptions
from recon.load.x12.result import FileSummary, Finding, InterchangeSummary, X12Result
from recon.load.x12.sets.registry import MAPPED_SETS
from recon.load.x12.sets.schema import COLUMNS, LINEAGE

__all__ = [
    "COLUMNS",
    "LINEAGE",
    "MAPPED_SETS",
    "FileSummary",
    "Finding",
    "InterchangeSummary",
    "X12Options",
    "X12PartnerOptions",
    "X12Result",
    "empty_tables",
    "parse_x12_files",
]
