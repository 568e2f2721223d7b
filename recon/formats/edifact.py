"""UN/EDIFACT as a source format: ORDERS, ORDRSP, DESADV, INVOIC, CONTRL and APERAK onto the canonical entities.

The parser is `recon.load.edifact` inside the one EDI parse (docs/edi.md): an EDIFACT source
feeds the same tables, with the same extra columns, as an X12 source (a glob may even mix
both), so rule packs and `recon validate` see one EDI layout. Its options sit under `edifact:`.
"""

from __future__ import annotations

from recon.formats.spec import DocumentType, SourceFormat
from recon.formats.x12 import X12
from recon.lazyref import lazy

_MESSAGES: dict[str, DocumentType] = {
    "ORDERS": DocumentType("purchase order", "R"), "ORDRSP": DocumentType("order response", "R"),
    "ORDCHG": DocumentType("order change", "R"), "DESADV": DocumentType("despatch advice (ASN)", "S"),
    "INVOIC": DocumentType("invoice", "I"), "CONTRL": DocumentType("syntax and service report"),
    "APERAK": DocumentType("application error and acknowledgement"), "IFTSTA": DocumentType("transport status", "S"),
    "INVRPT": DocumentType("inventory report"), "RECADV": DocumentType("receiving advice", "S"),
}

EDIFACT = SourceFormat(
    "edifact", (".edifact", ".edf"),
    "UN/EDIFACT interchanges (ORDERS, ORDRSP, DESADV, INVOIC, CONTRL, APERAK; docs/edi.md)",
    load=lazy("recon.load.edi:load_edifact_source"), spark="load_edifact",
    options_key="edifact", options_model=lazy("recon.load.edifact.options:EdifactOptions"),
    entities=X12.entities, extras=X12.extras, default_system="edi", documents=_MESSAGES,
    signatures=(b"UNA", b"UNB"),
)

__all__ = ["EDIFACT"]
