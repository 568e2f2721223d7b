"""Which columns `system.entity` has, and of which DuckDB type: one answer for everyone who asks.

A loaded table has the canonical fields of its entity (recon.model), the lineage columns, the
extra columns the config maps for that system and entity (`columns:` beyond the canonical
fields, typed by their `type:`), and the extra columns its format adds (declared as data by the
format registry, recon.formats: X12's envelope and segment fields). Config validation, the rule
checks and the rule compiler read this module; the loader creates tables from it. It imports no
reader, parser or engine: asking which columns a table has touches no data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from recon.formats import edi_formats, format_of
from recon.model import ENTITIES, LINEAGE_COLUMNS, SYSTEMS_KNOWN, TEXT
from recon.sql import ident, table_name

if TYPE_CHECKING:
    from recon.config.schema import ColumnSpec, Config
    from recon.db import Database

Extras = Mapping[str, Mapping[str, str]]  # "system.entity" -> extra column -> DuckDB type

# The DuckDB type of a mapped column's declared `type:`.
EXTRA_TYPES = {
    "varchar": "VARCHAR", "decimal": "DECIMAL(18,4)", "integer": "BIGINT", "timestamp": "TIMESTAMPTZ",
    "date": "DATE", "boolean": "BOOLEAN",
}


def field_type(entity: str, name: str, spec: ColumnSpec) -> str:
    """A mapped field's type: declared, else the canonical field's, else text."""
    if spec.type:
        return EXTRA_TYPES[spec.type]
    return ENTITIES[entity].fields.get(name, TEXT)


def extras(config: Config | None) -> dict[str, dict[str, str]]:
    """Extra (non-canonical) columns per `system.entity`: from the config's mappings and the formats.

    An EDI format's columns are known under its default system (`edi.orders`) even before a config
    names a source, so bundled rule packs check without one.
    """
    out: dict[str, dict[str, str]] = {}
    for fmt in edi_formats():
        if fmt.default_system is not None:
            for entity in fmt.entities or ():
                out.setdefault(f"{fmt.default_system}.{entity}", {}).update(fmt.extra_columns(entity))
    if config is None:
        return out
    for step in config.derive.values():
        if step.update:  # the steps that changed a row (recon.derive)
            out.setdefault(step.update, {})["_derived"] = "VARCHAR"
    for source in config.sources.values():
        fmt = format_of(source)
        if fmt.is_edi:
            for entity in fmt.entities or ():
                out.setdefault(f"{source.system}.{entity}", {}).update(fmt.extra_columns(entity))
            continue
        if source.entity not in ENTITIES:
            continue
        table = f"{source.system}.{source.entity}"
        if source.explode is not None:  # each row's element of the nested record (recon.load.explode)
            out.setdefault(table, {})["_source_path"] = "VARCHAR"
        for name, spec in source.column_specs().items():
            if name not in ENTITIES[source.entity].fields:
                out.setdefault(table, {})[name] = field_type(source.entity, name, spec)
    return out


def columns(table: str, known: Extras | None = None) -> dict[str, str]:
    """Every column of `system.entity`: canonical fields, lineage, then extras (`known`, from `extras()`).

    Empty for an unknown entity.
    """
    entity = ENTITIES.get(table.partition(".")[2])
    if entity is None:
        return {}
    return {**entity.fields, **LINEAGE_COLUMNS, **dict((known or {}).get(table, {}))}


def known_systems(config: Config | None) -> set[str]:
    """The systems a rule may name: the well-known ones, every source's and every `derive: {create:}` table's."""
    systems = set(SYSTEMS_KNOWN)
    if config is not None:
        systems.update(s.system for s in config.sources.values())
        systems.update(d.create.split(".")[0] for d in config.derive.values() if d.create)
    return systems


def ensure_table(db: Database, system: str, entity: str, extra: Mapping[str, str] | None = None) -> str:
    """Create `<system>.<entity>` with the canonical columns (and any extras) if needed."""
    target = table_name(system, entity)
    db.execute(f"CREATE SCHEMA IF NOT EXISTS {ident(system)}")
    cols = ", ".join(f"{ident(n)} {t}" for n, t in ENTITIES[entity].columns.items())
    db.execute(f"CREATE TABLE IF NOT EXISTS {target} ({cols})")
    for name, duck_type in (extra or {}).items():
        db.execute(f"ALTER TABLE {target} ADD COLUMN IF NOT EXISTS {ident(name)} {duck_type}")
    return target


__all__ = ["EXTRA_TYPES", "Extras", "columns", "ensure_table", "extras", "field_type", "known_systems"]
