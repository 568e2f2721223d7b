"""The shape of a `derive:` step in recon.yaml (its SQL is checked against the catalogue by recon.derive)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_TABLE = r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$"


class Derive(_Strict):
    """A `derive:` step: read-only SQL over the loaded tables, run after loading and before the rules.

    `update: erp.orders` sets fields of the rows the SELECT names by key (`on`, default the
    entity's keys): an order cancelled only by zeroing every line's quantity gets its status.
    `create: wms.shipment_lines` fills a table no source loads from the SELECT, for rules to read
    (per-carton rows summed to order lines). The SQL is checked against the catalogue before
    anything runs (recon.derive).
    """

    update: str | None = Field(None, pattern=_TABLE)
    create: str | None = Field(None, pattern=_TABLE)
    on: list[str] | None = None  # update: the columns joining the SELECT's rows to the table's
    sql: str

    @model_validator(mode="before")
    @classmethod
    def _on_is_a_key(cls, value: Any) -> Any:
        if isinstance(value, dict) and True in value and "on" not in value:  # YAML 1.1: bare `on` is true
            value = {("on" if k is True else k): v for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _one_target(self) -> Derive:
        if (self.update is None) == (self.create is None):
            raise ValueError("give exactly one of update (a loaded table) or create (a new table)")
        if self.create is not None and self.on is not None:
            raise ValueError("on applies to update: (the columns that name the rows to change)")
        return self

    @property
    def target(self) -> str:
        return self.update or self.create or ""


__all__ = ["Derive"]
