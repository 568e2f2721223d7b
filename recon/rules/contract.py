"""The exceptions contract: columns, types, business key columns and sort order.

One definition feeds the table DDL, the compiler's output shape, the sort of every exception
file and `docs/exceptions.md`, so the documented contract and the files cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from recon.sql import ident


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str


KEY_COLUMNS: tuple[str, ...] = (
    "order_id", "line_no", "shipment_id", "invoice_id", "item_id", "site", "lot",
    "customer_id", "customer_po", "document",
)

COLUMNS: tuple[Column, ...] = (
    Column("run_id", "VARCHAR", "The run that found it."),
    Column("exception_id", "VARCHAR",
           "Stable id: the first 16 hex characters of sha256 of rule_id, exception_type and the business key "
           "values joined by `|` (an empty value for an absent one); identical across runs."),
    Column("rule_id", "VARCHAR", "The rule that found it (`recon explain RULE_ID` shows its SQL)."),
    Column("workflow", "VARCHAR", "order-to-cash, edi, transport, inventory, or a custom pack's workflow."),
    Column("exception_type", "VARCHAR", "Stable kebab-case name (see the catalogue below)."),
    Column("severity", "VARCHAR", "critical, high, medium or low."),
    Column("owner", "VARCHAR", "The queue that works it: operations, finance, it, or a configured name."),
    Column("fix_in", "VARCHAR",
           "The system to correct: the side that is not the system of record (config `ownership`)."),
    Column("order_id", "VARCHAR", "Business key (filled when part of the type's key, or as context)."),
    Column("line_no", "VARCHAR", "Business key: order line number (or invoice line for invoice types), as the "
           "source system writes it (`10`, `1.1`); whole numbers without leading zeros."),
    Column("shipment_id", "VARCHAR", "Business key."),
    Column("invoice_id", "VARCHAR", "Business key."),
    Column("item_id", "VARCHAR", "Business key."),
    Column("site", "VARCHAR", "Business key where the type's key has it (stock); otherwise context: the site of "
           "the rule's rows when they carry one, not part of exception_id."),
    Column("lot", "VARCHAR", "Business key (empty for stock without lots)."),
    Column("customer_id", "VARCHAR", "Business key."),
    Column("customer_po", "VARCHAR", "Business key."),
    Column("document", "VARCHAR", "Business key: an EDI document's reference (ASN or invoice number)."),
    Column("field", "VARCHAR", "The compared field of a mismatch (`qty, amount` when several fields of one "
           "pair disagree), or the field shown for other findings."),
    Column("left_value", "VARCHAR", "The rule's left-hand value, as text (numbers without trailing zeros, "
           "times in ISO 8601 UTC)."),
    Column("right_value", "VARCHAR", "The right-hand value, as text."),
    Column("difference", "DECIMAL(18,4)", "left - right for numbers; hours for times; empty for text."),
    Column("value_at_risk", "DECIMAL(18,2)", "What the finding is worth (the rule's expression, e.g. quantity "
           "difference × unit price), in `currency`."),
    Column("currency", "VARCHAR", "Currency of value_at_risk."),
    Column("as_of", "TIMESTAMPTZ", "The run's as-of time: every age is measured from it."),
    Column("event_at", "TIMESTAMPTZ", "When the clock started (release, shipment, document time...)."),
    Column("age_hours", "DECIMAL(12,1)", "Hours from event_at to as_of."),
    Column("message", "VARCHAR", "One readable sentence."),
    Column("left_lineage", "VARCHAR",
           "`file:row` of the left rows involved, `;`-joined, sorted, capped at 10 then `…(+N)`."),
    Column("right_lineage", "VARCHAR", "The same for the right rows."),
)

COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)
COLUMN_TYPES: dict[str, str] = {c.name: c.type for c in COLUMNS}
SEVERITY_RANK: dict[str, int] = {"critical": 0, "high": 1, "medium": 2, "low": 3}
LINEAGE_CAP = 10


def exceptions_ddl(table: str = "main.exceptions") -> str:
    cols = ", ".join(f"{ident(c.name)} {c.type}" for c in COLUMNS)
    return f"CREATE OR REPLACE TABLE {table} ({cols})"


def line_order(column: str) -> str:
    """ORDER BY terms for a text line number: by its dotted parts as numbers, so 2 < 10 and 1.2 < 1.10."""
    parts = [f"TRY_CAST(split_part({column}, '.', {i}) AS BIGINT) NULLS FIRST" for i in (1, 2, 3)]
    return ", ".join([*parts, f"{column} NULLS FIRST"])


def order_by() -> str:
    """Severity rank, workflow, type, business key, id: the order of every exception file."""
    cases = " ".join(f"WHEN '{s}' THEN {r}" for s, r in SEVERITY_RANK.items())
    keys = ", ".join(line_order(ident(k)) if k == "line_no" else f"{ident(k)} NULLS FIRST" for k in KEY_COLUMNS)
    return (f"CASE severity {cases} ELSE 9 END, workflow, exception_type, {keys}, "
            f"field NULLS FIRST, exception_id")
