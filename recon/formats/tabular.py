"""The tabular formats: one file holds rows of one entity, mapped by the source's `columns:`.

Their readers are in `recon.load.readers` (DuckDB) and `recon.spark.load` (Spark); each reader
turns a file into text cells with a line number per row, so mapping, typing and rejects are the
same code for all of them.
"""

from __future__ import annotations

from recon.formats.spec import SourceFormat
from recon.lazyref import lazy

CSV = SourceFormat("csv", (".csv", ".txt", ".tsv"), "delimited text with a header row (DuckDB's CSV reader)",
                   read=lazy("recon.load.readers:read_csv"), spark="read_csv")
PARQUET = SourceFormat("parquet", (".parquet", ".pq"), "Parquet files",
                       read=lazy("recon.load.readers:read_parquet"), spark="read_parquet")
JSONL = SourceFormat("jsonl", (".jsonl", ".ndjson"), "one JSON object per line",
                     read=lazy("recon.load.readers:read_jsonl"), spark="read_json_lines")
JSON = SourceFormat("json", (".json",), "a JSON array of objects",
                    read=lazy("recon.load.readers:read_json"), spark="read_json_array")
XLSX = SourceFormat("xlsx", (".xlsx", ".xlsm"), "one sheet of an Excel workbook (options.sheet)",
                    read=lazy("recon.load.readers:read_xlsx"), spark="read_on_driver")

__all__ = ["CSV", "JSON", "JSONL", "PARQUET", "XLSX"]
