"""Partner quirks of EDIFACT sources: the `edifact:` block of a source in recon.yaml.

The same options as the `x12:` block (`recon.load.x12.quirks`), with EDIFACT's code lists as
defaults: NAD party qualifiers (3035), item number types (7143) and reference qualifiers (1153).
`partners` overrides them per UNB (or UNG) partner id.
"""

from __future__ import annotations

from pydantic import Field

from recon.load.x12.quirks import X12Options

DEFAULT_ITEM_QUALIFIERS = ["SA", "VP", "VN", "IN", "BP", "SRV", "EN", "UP", "MF"]


class EdifactOptions(X12Options):
    """Source-wide EDIFACT mapping options (the `edifact:` block of a source in recon.yaml)."""

    our_ids: list[str] = Field(
        default_factory=list,
        description="UNB S002 (or UNG S006) sender ids that are us: such messages are outbound, all others inbound",
    )
    customer_party: str = Field("BY", description="NAD 3035 qualifier that holds the customer")
    item_qualifiers: list[str] = Field(
        default_factory=lambda: list(DEFAULT_ITEM_QUALIFIERS),
        description="LIN/PIA 7143 item number types that hold our item number, first present wins",
    )
    site_parties: list[str] = Field(default_factory=lambda: ["WH", "SF"],
                                    description="NAD 3035 qualifiers whose id (or name) is the site")
    tracking_refs: list[str] = Field(default_factory=lambda: ["CN", "AAS", "SRN"],
                                     description="DESADV RFF 1153 qualifiers that hold the tracking number")

    @classmethod
    def from_x12(cls, x12: X12Options) -> EdifactOptions:
        """The options an X12 source's EDIFACT files are read with: its own ids, partners and size limit."""
        return cls(our_ids=list(x12.our_ids), partners=dict(x12.partners), max_file_mb=x12.max_file_mb,
                   customer_party=x12.customer_party)


__all__ = ["EdifactOptions"]
