"""Reason codes: the catalogue of why an analyst may close or park an exception (`reason_codes:`).

An explanation is only useful to the next analyst, and to an auditor, when it is one of a short
list agreed by the team, not free text: "timing" and "posted next morning" must count as the same
reason. Each code says whether it *resolves* the exception (it leaves the work list and the bar
while its compared values stay as they were when it was explained) or only *parks* it (it stays
listed as acked, outside the bar until a date, as `recon ack` does).

The defaults below are always there; `reason_codes:` in recon.yaml adds codes or redefines one
of them (same name).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ReasonCode(BaseModel):
    """One reason an exception may be explained with."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str = Field(min_length=1)
    # True: the exception is `explained` (closed) while its values do not change. False: it is
    # parked (`acked`) and `recon resolve` needs --until, like `recon ack`.
    resolves: bool = True


DEFAULT_REASON_CODES: dict[str, ReasonCode] = {
    "timing": ReasonCode(description="Timing: the other side posts later (next morning, next cycle); "
                                     "expected to clear by itself", resolves=False),
    "data-entry": ReasonCode(description="Data-entry error in one system, checked and accepted (no system fix)"),
    "duplicate-confirmed": ReasonCode(description="A real duplicate, confirmed and handled with the customer "
                                                  "or supplier"),
    "written-off": ReasonCode(description="The difference is written off (approved, booked)"),
    "fixed-at-source": ReasonCode(description="Corrected in the system of record; the next extract carries "
                                              "the fix"),
    "known-issue": ReasonCode(description="A known defect with a ticket; parked until the fix ships",
                              resolves=False),
}

REASON_CODE_PATTERN = r"^[a-z][a-z0-9_-]*$"


def with_defaults(codes: dict[str, ReasonCode] | None) -> dict[str, ReasonCode]:
    """The defaults, overlaid by the config's own codes (a code of the same name replaces a default)."""
    return dict(sorted({**DEFAULT_REASON_CODES, **(codes or {})}.items()))
