"""Hand-built loaded tables for the events tests: a few rows per system, as the loader leaves them."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from recon.catalogue import ensure_table
from recon.config.schema import Config
from recon.db import Database

LINEAGE = {"_load_id": "t", "_source_file": "f.csv"}


@pytest.fixture
def db() -> Database:
    database = Database(None)
    yield database
    database.close()


@pytest.fixture
def insert(db: Database) -> Callable[..., None]:
    """insert("wms.shipment_lines", {"shipment_id": "SH1", ...}, ...): rows into a canonical table."""
    rows_seen: dict[str, int] = {}

    def add(table: str, *rows: dict[str, object], extra: dict[str, str] | None = None) -> None:
        system, entity = table.split(".")
        ensure_table(db, system, entity, extra)
        for row in rows:
            rows_seen[table] = rows_seen.get(table, 0) + 1
            values = {**LINEAGE, "_source_row": rows_seen[table], **row}
            cols = ", ".join(f'"{c}"' for c in values)
            db.execute(f"INSERT INTO {table} ({cols}) VALUES ({', '.join('?' for _ in values)})", list(values.values()))

    return add


def config(**sections: object) -> Config:
    """A config with ownership like the sample's (the WMS owns shipment lines) and `sections`."""
    return Config.model_validate({"ownership": {"orders": "erp", "shipment_lines": "wms"}, **sections})
