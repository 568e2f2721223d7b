"""Message type -> mapper: the one table the parser and the docs read.

Adding a message is one new mapper (a `map_*` function and its `MessageMapper`) plus one line
here. A message type not listed still lands in edi_documents (`EDIFACT-MESSAGE-NOT-MAPPED`).
"""

from __future__ import annotations

from recon.load.edifact.messages import acks, despatch, invoices, orders
from recon.load.edifact.messages.base import MessageMapper

MAPPERS: dict[str, MessageMapper] = {m.message_type: m for m in (
    orders.ORDERS,
    orders.ORDRSP,
    despatch.DESADV,
    invoices.INVOIC,
    acks.CONTRL,
    acks.APERAK,
)}

MAPPED_MESSAGES: dict[str, str] = {t: ", ".join(m.entities) for t, m in MAPPERS.items()}
"""Message type -> the tables it fills, as text (for messages and docs)."""

DIRECTORIES = frozenset(f"D{y:02d}{r}" for y in (93, 94, 95, 96, 97, 98, 99, 0, 1) for r in "AB") - {"D93B"}
"""UN/EDIFACT directories the mappers follow (D.93A to D.01B; there was no D.93B). A message of
another directory is mapped all the same, with a warning: the segments read have been stable."""
