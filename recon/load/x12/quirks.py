"""Partner quirks as configuration.

Every trading partner bends X12 a little: one puts the customer in N1*ST instead of N1*BY,
another sends its own item number as VN, a 3PL reports stock as QTY*17 rather than QTY*33.
Those differences belong in recon.yaml (the `x12:` block of a source), not in `if partner ==`
branches in the mapper. `X12Options` is that block; `partners` overrides it per partner id.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, field_validator

DEFAULT_ITEM_QUALIFIERS = ["VP", "BP", "IN", "SK", "UP", "EN"]
DEFAULT_MAX_FILE_MB = 1024


def _clean_codes(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [v.strip().upper() for v in values if v and v.strip()]


class X12PartnerOptions(BaseModel):
    """Overrides for one trading partner; a field left out falls back to the source-wide value."""

    model_config = ConfigDict(extra="forbid")

    customer_party: str | None = Field(None, description="N1 qualifier that holds the customer (BY, ST, BT...)")
    item_qualifiers: list[str] | None = Field(
        None, description="Product id qualifiers that hold our item number, first present wins"
    )
    item_fallback: bool | None = Field(
        None, description="When none of item_qualifiers is present, use the first product id on the line"
    )
    site_parties: list[str] | None = Field(None, description="N1 qualifiers whose id (or name) is the site")
    tracking_refs: list[str] | None = Field(
        None, description="REF/N9/L11 qualifiers that hold the tracking number, first present wins"
    )
    stock_qty_qualifiers: list[str] | None = Field(
        None, description="846 QTY01 qualifiers that hold the stock quantity, first present wins"
    )

    _upper = field_validator("item_qualifiers", "site_parties", "tracking_refs", "stock_qty_qualifiers")(
        _clean_codes
    )

    @field_validator("customer_party")
    @classmethod
    def _upper_party(cls, v: str | None) -> str | None:
        return v.strip().upper() if v else v


class X12Options(BaseModel):
    """Source-wide X12 mapping options (the `x12:` block of a source in recon.yaml)."""

    model_config = ConfigDict(extra="forbid")

    our_ids: list[str] = Field(
        default_factory=list,
        description="ISA06/GS02 sender ids that are us: such documents are outbound, all others inbound",
    )
    customer_party: str = Field("BY", description="N1 qualifier that holds the customer")
    item_qualifiers: list[str] = Field(default_factory=lambda: list(DEFAULT_ITEM_QUALIFIERS))
    item_fallback: bool = True
    site_parties: list[str] = Field(default_factory=lambda: ["WH", "SF"])
    tracking_refs: list[str] = Field(default_factory=lambda: ["CN", "2I", "BM"])
    stock_qty_qualifiers: list[str] = Field(default_factory=lambda: ["33", "17"])
    partners: dict[str, X12PartnerOptions] = Field(
        default_factory=dict, description="Per-partner overrides keyed by ISA or GS partner id"
    )
    max_file_mb: int = Field(
        DEFAULT_MAX_FILE_MB, ge=1,
        description="A larger file is refused unread (X12-FILE-TOO-LARGE), a guard against runaway exports: "
                    "files of 32 MiB or more are parsed in parts of 16 MiB, but a file that cannot be cut at "
                    "interchanges (not ASCII, one interchange) is decoded whole",
    )

    _upper = field_validator("item_qualifiers", "site_parties", "tracking_refs", "stock_qty_qualifiers")(
        _clean_codes
    )

    @field_validator("our_ids")
    @classmethod
    def _strip_ids(cls, v: list[str]) -> list[str]:
        return [x.strip() for x in v if x and x.strip()]

    @field_validator("customer_party")
    @classmethod
    def _upper_party(cls, v: str) -> str:
        return v.strip().upper()

    @field_validator("partners")
    @classmethod
    def _strip_keys(cls, v: dict[str, X12PartnerOptions]) -> dict[str, X12PartnerOptions]:
        return {k.strip(): p for k, p in v.items()}

    def resolve(self, *partner_ids: str | None) -> ResolvedOptions:
        """The effective options for a document exchanged with the first partner id that has overrides."""
        override = None
        for pid in partner_ids:
            if pid and pid in self.partners:
                override = self.partners[pid]
                break

        def pick(name: str):
            value = getattr(override, name) if override is not None else None
            return getattr(self, name) if value is None else value

        qualifiers = tuple(pick("item_qualifiers"))
        return ResolvedOptions(
            customer_party=pick("customer_party"),
            item_qualifiers=qualifiers,
            item_rank={q: i for i, q in reversed(list(enumerate(qualifiers)))},
            item_fallback=bool(pick("item_fallback")),
            site_parties=tuple(pick("site_parties")),
            tracking_refs=tuple(pick("tracking_refs")),
            stock_qty_qualifiers=tuple(pick("stock_qty_qualifiers")),
        )


@dataclass(frozen=True, slots=True)
class ResolvedOptions:
    """Options for one partner, flattened into tuples so the hot mapping loops read plain attributes."""

    customer_party: str
    item_qualifiers: tuple[str, ...]
    item_rank: dict[str, int]  # qualifier -> priority (0 is best), for one dict lookup per product id
    item_fallback: bool
    site_parties: tuple[str, ...]
    tracking_refs: tuple[str, ...]
    stock_qty_qualifiers: tuple[str, ...]
