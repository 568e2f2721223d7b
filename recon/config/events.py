"""`events:` in recon.yaml: which timestamp of which table is which business event, and which
columns are references that link an order chain (recon.events builds both after loading).

Everything has a default (recon.events.spec), so a config without `events:` gets an event
table and correlation ids; the section only adds to or replaces them:

    events:
      tables:
        wms.shipment_lines: {picked: picked_at, shipped: shipped_at}   # replaces that table's defaults
        erp.shipment_lines: {goods-issue-posted: shipped_at}
        returns: {}                                                     # every system's returns: no events
      references: {bol_no: shipment, pro_no: tracking}                  # more columns that link a chain
      requires: {invoiced: [shipped]}                                   # gaps `recon trace` highlights
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

EVENT_TYPE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
FAMILY = re.compile(r"[a-z][a-z0-9_]*")


class Events(BaseModel):
    """Event declarations per table (`entity` for every system, `system.entity` for one), extra
    reference columns by family, and which events a chain needs before another (its gaps)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    tables: dict[str, dict[str, str]] = Field(default_factory=dict)  # table -> {event type: timestamp column}
    references: dict[str, str] = Field(default_factory=dict)  # column -> family (order, shipment, ...)
    requires: dict[str, list[str]] = Field(default_factory=dict)  # event type -> types expected before it

    @field_validator("tables", mode="before")
    @classmethod
    def _none_is_empty(cls, value: object) -> object:
        if isinstance(value, dict):
            return {k: ({} if v is None else v) for k, v in value.items()}
        return value

    @field_validator("tables", mode="after")
    @classmethod
    def _event_types(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        for table, declared in value.items():
            for event in declared:
                if not EVENT_TYPE.fullmatch(event):
                    raise ValueError(f"{table}: event type {event!r} must be kebab-case (order-received)")
        return value

    @field_validator("references", mode="after")
    @classmethod
    def _families(cls, value: dict[str, str]) -> dict[str, str]:
        for column, family in value.items():
            if not FAMILY.fullmatch(family):
                raise ValueError(f"reference {column!r}: family {family!r} must be a lower-case name (order, shipment)")
        return value

    @field_validator("requires", mode="after")
    @classmethod
    def _required_types(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for event, before in value.items():
            for name in (event, *before):
                if not EVENT_TYPE.fullmatch(name):
                    raise ValueError(f"requires: {name!r} is not an event type (kebab-case)")
        return value


__all__ = ["Events"]
