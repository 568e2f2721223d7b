"""Exception queues: one CSV per owner team, so operations, finance and IT each get their work list.

Each file has exactly the contract columns in the contract's order and is sorted like
exceptions.csv (severity, workflow, type, business key), so a team can diff today's file with
yesterday's. The owner is data, so it is bound as a parameter and turned into a safe file name
here, never pasted into SQL or a path.
"""

from __future__ import annotations

import re
from pathlib import Path

from recon.db import Database
from recon.rules.contract import COLUMN_NAMES, order_by
from recon.sql import ident

QUEUE_DIR = "exceptions"
UNASSIGNED = "unassigned"


def slug(owner: str | None) -> str:
    """A file name stem for an owner: lower case letters, digits, dot, dash and underscore."""
    stem = re.sub(r"[^a-z0-9._-]+", "-", (owner or UNASSIGNED).strip().lower()).strip("-.")
    return stem or UNASSIGNED


def queue_file(owner: str | None) -> str:
    """Where an owner's queue goes, relative to the run's output folder."""
    return f"{QUEUE_DIR}/{slug(owner)}.csv"


def sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _select(relation: str, where: str = "") -> str:
    cols = ", ".join(ident(c) for c in COLUMN_NAMES)
    return f"SELECT {cols} FROM {relation} {where} ORDER BY {order_by()}"


def write_exception_files(db: Database, out_dir: Path, relation: str) -> list[str]:
    """exceptions.csv and exceptions.parquet, for runs where the rules step did not write them.

    Returns the paths written, relative to `out_dir`.
    """
    db.execute(f"COPY ({_select(relation)}) TO '{sql_path(out_dir / 'exceptions.csv')}' (HEADER, DELIMITER ',')")
    db.execute(f"COPY ({_select(relation)}) TO '{sql_path(out_dir / 'exceptions.parquet')}' (FORMAT PARQUET)")
    return ["exceptions.csv", "exceptions.parquet"]


def write_queues(db: Database, out_dir: Path, relation: str) -> dict[str, str]:
    """One `exceptions/<owner>.csv` per owner present; returns owner → relative path.

    Files of owners that have no exceptions this run are removed, so a stale queue from an
    earlier run into the same folder cannot be mistaken for today's work.
    """
    folder = out_dir / QUEUE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.csv"):
        old.unlink()
    owners = [r[0] for r in db.rows(f"SELECT DISTINCT owner FROM {relation} ORDER BY owner NULLS LAST")]
    written: dict[str, str] = {}
    used: set[str] = set()
    for owner in owners:
        name = queue_file(owner)
        n = 2
        while name in used:  # "Ops" and "ops" must not overwrite each other
            name = f"{QUEUE_DIR}/{slug(owner)}-{n}.csv"
            n += 1
        used.add(name)
        where = "WHERE owner IS NULL" if owner is None else "WHERE owner = ?"
        db.execute(f"COPY ({_select(relation, where)}) TO '{sql_path(out_dir / name)}' (HEADER, DELIMITER ',')",
                   [] if owner is None else [owner])
        written[owner or UNASSIGNED] = name
    return written
