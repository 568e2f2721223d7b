"""What a parse returns: findings, per-file summaries and the result object.

These are plain dataclasses (no pydantic) because thousands of findings can be created on a
bad night and the loader, the CLI and the JSON report all want cheap, obvious objects.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields
from typing import Literal

import pyarrow as pa

Severity = Literal["error", "warning"]


def astuple_fields(obj: object) -> tuple:
    """The dataclass's field values in order, not copied (unlike dataclasses.astuple)."""
    return tuple(getattr(obj, f.name) for f in fields(obj))  # type: ignore[arg-type]


@dataclass(slots=True)
class Finding:
    """One problem found in an EDI file.

    `code` is stable (documented in docs/edi.md) so that rules, dashboards and tests can key on
    it; `message` is for people. Every finding names where it is, down to the segment position
    (1-based, counted over the whole file, ISA = 1) so an analyst can open the file and look.
    """

    code: str
    severity: Severity
    file: str
    message: str
    interchange_control: str | None = None
    group_control: str | None = None
    set_control: str | None = None
    transaction_set: str | None = None
    segment_position: int | None = None
    segment_id: str | None = None
    element: str | None = None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    def __reduce__(self) -> tuple[type, tuple]:
        # Pickled as a plain tuple of fields (the parallel parse sends findings between
        # processes): several times faster than the default for a slots dataclass.
        return (Finding, astuple_fields(self))


@dataclass(slots=True)
class InterchangeSummary:
    """One ISA envelope as found in a file."""

    control: str
    version: str
    sender: str
    receiver: str
    date: str | None = None
    test_indicator: str | None = None
    segment_terminator: str | None = None
    element_separator: str | None = None
    component_separator: str | None = None
    repetition_separator: str | None = None

    def __iter__(self) -> Iterator[str]:
        """Unpacks as the (control, version, sender, receiver) tuple the API promises."""
        return iter((self.control, self.version, self.sender, self.receiver))

    def __reduce__(self) -> tuple[type, tuple]:
        return (InterchangeSummary, astuple_fields(self))


@dataclass(slots=True)
class FileSummary:
    """Per-file outcome.

    `readable` is False only when nothing EDI-like could be read at all (missing, empty, not
    X12/EDIFACT, undecodable); the CLI exits 2 for that. `format` is "x12" or "edifact" (then
    interchanges are UNBs, groups UNGs, and `sets` maps message types to UNH references).
    """

    path: str
    readable: bool
    error: str | None = None
    format: str = "x12"
    size_bytes: int | None = None
    segments: int = 0
    interchanges: list[InterchangeSummary] = field(default_factory=list)
    groups: list[tuple[str, str, str]] = field(default_factory=list)  # (interchange, group control, GS01)
    sets: dict[str, list[str]] = field(default_factory=dict)  # transaction set -> control numbers
    rejected_sets: int = 0
    loaded_sets: int = 0

    def to_dict(self) -> dict[str, object]:
        d = asdict(self)
        d["groups"] = [list(g) for g in self.groups]
        return d


@dataclass
class X12Result:
    """Everything `parse_x12_files` produces.

    `tables` always holds every entity the mapper knows (possibly with zero rows) so that the
    loader can create the same DuckDB tables every night whether or not a given document type
    arrived.
    """

    tables: dict[str, pa.Table]
    findings: list[Finding]
    files: list[FileSummary]
    segments: int

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]


def unmapped_finding(name: str, unmapped: Counter[str]) -> Finding:
    """The one per-file warning that lists the transaction sets without a mapper."""
    listed = ", ".join(f"{n} x {ts}" for ts, n in sorted(unmapped.items()))
    return Finding(
        code="X12-SET-NOT-MAPPED", severity="warning", file=name,
        message=f"transaction sets not mapped to a canonical entity ({listed}); they are listed in edi_documents only",
    )
