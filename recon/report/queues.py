"""Exception queues: one CSV per owner team, so operations, finance and IT each get their work list.

Each file has the contract columns in the contract's order, then `status` (new, open, reopened,
explained or acked: what the team does with the row), `ack_until`, `ack_note`, `reason_code` and
`reason_note` (`recon resolve`), and is sorted like
exceptions.csv (severity, workflow, type, business key), so a team can diff today's file with
yesterday's. The owner is data, so it is turned into a safe file name here, never pasted into
a path (and quoted as a literal in SQL). `recon.report.outputs` writes the files.
"""

from __future__ import annotations

import re

QUEUE_DIR = "exceptions"
UNASSIGNED = "unassigned"
# The work-list columns after the contract's, over the reporting view (recon.report.summary):
# without a run store every exception reads as new, as the report counts it.
STATUS = ("CASE WHEN explained THEN 'explained' WHEN acked THEN 'acked' WHEN explanation_changed THEN 'reopened' "
          "WHEN lifecycle IN ('open', 'reopened') THEN lifecycle ELSE 'new' END")
STATUS_SQL = f"{STATUS} AS status, ack_until, ack_note, reason_code, reason_note"
QUEUE_EXTRA_COLUMNS = ("status", "ack_until", "ack_note", "reason_code", "reason_note")


def slug(owner: str | None) -> str:
    """A file name stem for an owner: lower case letters, digits, dot, dash and underscore."""
    stem = re.sub(r"[^a-z0-9._-]+", "-", (owner or UNASSIGNED).strip().lower()).strip("-.")
    return stem or UNASSIGNED


def queue_file(owner: str | None) -> str:
    """Where an owner's queue goes, relative to the run's output folder."""
    return f"{QUEUE_DIR}/{slug(owner)}.csv"


def owner_key(owner: str | None) -> str:
    """An owner as summary.json's `exceptions.by_owner` names it."""
    return owner or UNASSIGNED


def queue_files(owners: list[str | None]) -> dict[str, str]:
    """owner → its queue file, for the owners in this order; "Ops" and "ops" get two files."""
    written: dict[str, str] = {}
    used: set[str] = set()
    for owner in owners:
        name = queue_file(owner)
        n = 2
        while name in used:
            name = f"{QUEUE_DIR}/{slug(owner)}-{n}.csv"
            n += 1
        used.add(name)
        written[owner_key(owner)] = name
    return written
