"""The shapes of two source semantics in recon.yaml: `latest_by` and `pivot` (docs/config.md)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LatestBy(_Strict):
    """Latest record wins: of the rows sharing `keys`, only the newest is current (docs/config.md).

    `by` orders the copies: `file` (the later file in name order, then the later row), `file_date`
    (the date in the file name, from a `{date:...}` path), or a mapped field (its highest value).
    Exports that re-send a record with a new status would otherwise count it twice.
    """

    keys: list[str] | None = None  # canonical fields; default: the entity's key fields
    by: str = "file"


class Pivot(_Strict):
    """An event log folded into one row per key (docs/config.md, "Event logs").

    `fields` maps each new column to `first(EXPR)`, `last(EXPR)`, `min(EXPR)`, `max(EXPR)` or
    `count(EXPR)`, each optionally followed by `where CONDITION`, all over the source's own
    columns; `columns:` then maps the key columns and these new columns like any other.
    """

    by: list[str] = Field(min_length=1)  # the source columns that key one output row
    fields: dict[str, str] = Field(min_length=1)
    order_by: str | None = None  # orders first/last; default: file order, then line


__all__ = ["LatestBy", "Pivot"]
