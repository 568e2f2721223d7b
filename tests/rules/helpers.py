"""Run one bundled rule over tiny tables built in a fresh DuckDB, as the tests need it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from recon.config.schema import Config
from recon.db import Database
from recon.rules.cases import build_tables
from recon.rules.loader import LoadedRule, load_rules
from recon.rules.registry import bundled_packs
from recon.rules.runner import lookup_tables, run_rules

AS_OF = datetime(2024, 3, 10, 12, tzinfo=UTC)
OWNERSHIP = {"orders": "erp", "order_lines": "erp", "shipment_lines": "wms", "invoice_lines": "erp",
             "deliveries": "tms", "stock": "wms", "edi_documents": "edi", "edi_acks": "edi"}


def config(**parameters: Any) -> Config:
    return Config(parameters=parameters, ownership=OWNERSHIP)


def bundled_rule(rule_id: str, cfg: Config | None = None) -> LoadedRule:
    loaded = load_rules(bundled_packs(), cfg or config()).get(rule_id)
    assert loaded is not None, rule_id
    return loaded


def run_rule(rule_id: str, tables: dict[str, list[dict[str, Any]]], cfg: Config | None = None,
             as_of: datetime = AS_OF) -> list[dict[str, Any]]:
    cfg = cfg or config()
    loaded = bundled_rule(rule_id, cfg)
    db = Database()
    try:
        rule = loaded.rule
        needed = [*rule.tables(), *sorted(lookup_tables(rule))]
        build_tables(db, tables, needed)
        report = run_rules(db, [loaded], as_of=as_of, run_id="test", config=cfg)
        assert [r.status for r in report.results] == ["ok"], report.warnings
        return db.dicts("SELECT * FROM main.exceptions")
    finally:
        db.close()


def keys_of(rows: list[dict[str, Any]], *columns: str) -> set[tuple[Any, ...]]:
    return {(r["exception_type"], *(r[c] for c in columns)) for r in rows}


def without_lineage(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Rows as comparable tuples, minus lineage (row numbers move when rows are shuffled)."""
    return [tuple(v for k, v in r.items() if not k.endswith("_lineage")) for r in rows]
