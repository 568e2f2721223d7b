"""How a reference is normalised for linking: the SQL macros `recon trace` and the chain graph share.

Matching is tolerant in the ways extracts differ, and in no other: whitespace removed, case
folded, leading zeros ignored, and an alphabetic prefix (`SO-`, `PO`, `SH-`) kept apart from the
number (`SO-1042` is not `PO-1042`). A value is one node of the chain graph: its family (order,
shipment, ...) and its prefix and number, `order:SO1042`.
"""

from __future__ import annotations

from recon.db import Database

MACROS = (
    # Fast path: a value of capitals and digits only is its own normal form (one cheap match instead of
    # a replace and upper; in the 100k-order sample 92 % of order ids, POs, shipments and tracking numbers).
    r"CREATE OR REPLACE TEMP MACRO trace_norm(x) AS CASE WHEN regexp_full_match(CAST(x AS VARCHAR), '[0-9A-Z]*') "
    r"THEN CAST(x AS VARCHAR) ELSE upper(regexp_replace(CAST(x AS VARCHAR), '\s+', '', 'g')) END",
    # Letters directly before the first digit (separators allowed between): the system's prefix.
    r"CREATE OR REPLACE TEMP MACRO trace_prefix(x) AS "
    r"regexp_extract(trace_norm(x), '^([A-Z]+)[-_/#.:]*[0-9]', 1)",
    r"CREATE OR REPLACE TEMP MACRO trace_rest(x) AS CASE WHEN trace_prefix(x) <> '' "
    r"THEN regexp_replace(trace_norm(x), '^[A-Z]+[-_/#.:]*', '') ELSE trace_norm(x) END",
    r"CREATE OR REPLACE TEMP MACRO trace_core(x) AS "
    r"CASE WHEN regexp_full_match(trace_rest(x), '0+') THEN '0' ELSE ltrim(trace_rest(x), '0') END",
    # A reference as a node of the chain graph, from its trace_norm text `n` (normalised once per
    # value by the caller: the macros expand inline): `order:SO1042`; nothing for an empty or
    # all-zero value. The same key as trace_prefix(x) || trace_core(x), in two regular expressions.
    # Fast path first: capitals then digits and capitals, the first digit not 0 (`10000017`, `SH1000018`),
    # is already the key: it has no separator, no leading zero and is not all zeros.
    r"CREATE OR REPLACE TEMP MACRO chain_key(family, n) AS CASE "
    r"WHEN regexp_full_match(n, '[A-Z]*[1-9][0-9A-Z]*') THEN family || ':' || n "
    r"WHEN n = '' OR regexp_full_match(n, '([A-Z]+[-_/#.:]*)?0+') THEN NULL "
    r"WHEN regexp_matches(n, '^[A-Z]+[-_/#.:]*[0-9]') "
    r"THEN family || ':' || regexp_replace(n, '^([A-Z]+)[-_/#.:]*0*([0-9])', '\1\2') "
    r"ELSE family || ':' || regexp_replace(n, '^0+(.)', '\1') END",
    r"CREATE OR REPLACE TEMP MACRO chain_node(family, x) AS chain_key(family, trace_norm(x))",
    # An EDI document (transaction set, partner, control number without leading zeros) as a node:
    # control numbers are unique per trading partner, not across them.
    r"CREATE OR REPLACE TEMP MACRO chain_doc(ts, partner, ctl) AS "
    r"CASE WHEN trim(CAST(ts AS VARCHAR)) <> '' AND trim(CAST(ctl AS VARCHAR)) <> '' THEN "
    r"'edi:' || upper(trim(CAST(ts AS VARCHAR))) || ':' || coalesce(upper(trim(CAST(partner AS VARCHAR))), '') "
    r"|| ':' || regexp_replace(trim(CAST(ctl AS VARCHAR)), '^0+(.)', '\1') END",
)


def install(db: Database) -> None:
    """The macros into `db`'s session (temporary: nothing is kept with the run's tables)."""
    for macro in MACROS:
        db.execute(macro)


__all__ = ["MACROS", "install"]
