"""What a source format is: the record every format registers in `recon.formats.FORMATS`.

A format is data plus lazy references to its code (`recon.lazyref`), so config validation,
`recon validate` and the rule catalogue can ask about formats without importing a reader.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from recon.lazyref import Loader


@dataclass(frozen=True)
class DocumentType:
    """One kind of business document an EDI format carries (an X12 transaction set, an EDIFACT message)."""

    name: str | None  # what `recon trace` calls it ("purchase order"); None: not named
    reference: str | None = None  # which reference its `edi_documents.reference` holds: R order, S shipment, I invoice


@dataclass(frozen=True)
class SourceFormat:
    """One file format a source may have (`format:` in recon.yaml, or inferred from the path's suffix).

    A *tabular* format feeds the one entity a source names (`entity:`, `columns:`) and reads one
    file at a time: `read()` returns `read(db, path, display, options, wanted) -> RawFile`
    (recon.load.readers). An *EDI* format (`entities` given) maps itself: one source feeds every
    entity in `entities`, adding `extras` columns beyond the canonical fields, and `load()`
    returns `load(loader, name, source, paths, report) -> Iterator[FileLoad]` (recon.load.edi).
    Its partner options sit under the source's `options_key` and are checked by `options_model()`.
    `spark` names the `recon.spark.load.SparkLoader` method that reads a file (tabular) or
    loads the source (EDI) on Spark; None when the Spark engine cannot read the format.
    """

    name: str
    suffixes: tuple[str, ...]  # lower case, with the dot; the first format claiming a suffix wins
    summary: str  # one line for docs and messages
    read: Loader | None = None
    load: Loader | None = None
    spark: str | None = None
    options_key: str = "options"  # the source key holding this format's options
    options_model: Loader | None = None  # None: recon.config.schema.ReaderOptions under `options:`
    entities: tuple[str, ...] | None = None  # None: the source's `entity:`
    extras: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # entity -> column -> DuckDB type
    default_system: str | None = None  # the system its tables are known under before any config names one
    documents: Mapping[str, DocumentType] = field(default_factory=dict)
    signatures: tuple[bytes, ...] = ()  # how a file of it starts (`recon init` classifies EDI by content)

    def __post_init__(self) -> None:
        if (self.read is None) == (self.load is None):
            raise ValueError(f"format {self.name}: give read (one file at a time) or load (a whole source)")
        if self.entities is None and (self.extras or self.load is not None):
            raise ValueError(f"format {self.name}: only a format that names its entities adds columns or loads "
                             "a whole source")

    @property
    def is_edi(self) -> bool:
        """Maps itself onto several entities (no `entity:` or `columns:` in the source)."""
        return self.entities is not None

    def extra_columns(self, entity: str) -> dict[str, str]:
        return dict(self.extras.get(entity, {}))


__all__ = ["DocumentType", "SourceFormat"]
