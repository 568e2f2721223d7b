"""Manual matches: pairings an analyst recorded (`recon match`) that a match rule treats as one key.

A payment booked to another invoice number, a shipment re-keyed in the ERP: the engine cannot
pair such rows, and reporting them every night as one missing-left and one missing-right
exception is noise the analyst has already investigated. The pairing is kept in the state and
copied into the run's database as `main.manual_matches` (rule_id, left_key, right_key) before the
rules run. A rule with pairings gets one more CTE: its right side with the key of each paired row
replaced by the left row's key (taken from the left side itself, so types never need guessing).
The full outer join then pairs them like any other key, and the fields are compared as usual: a
quantity that differs still surfaces as a mismatch.

A key is written as its values in the rule's key order, after the keys' normalisers, joined by
`|` (`SO-1001|10` for keys [order_id, line_no]); a missing value is empty. Pure SQL builders.
"""

from __future__ import annotations

from recon.sql import ident, literal

TABLE = "main.manual_matches"
COLUMNS = "rule_id VARCHAR, left_key VARCHAR, right_key VARCHAR, note VARCHAR"
SEPARATOR = "|"


def key_text(alias: str, keys: list[str]) -> str:
    """The `|`-joined text of one row's key columns (`k__<name>`), as `recon match` takes it."""
    parts = ", ".join(f"coalesce(CAST({alias}.{ident('k__' + k)} AS VARCHAR), '')" for k in keys)
    return f"concat_ws({literal(SEPARATOR)}, {parts})"


def mapped_side_sql(rule_id: str, keys: list[str], left: str = '"l_side"', right: str = '"r_side"') -> str:
    """The right side with each manually paired row carrying its left partner's key.

    A pairing whose left key is not on the left side this run changes nothing (the right row stays
    missing on the left, as it is)."""
    cols = [ident("k__" + k) for k in keys]
    replaced = ", ".join(f"coalesce(m.{c}, r.{c}) AS {c}" for c in cols)
    left_keys = ", ".join(f"l.{c}" for c in cols)
    return (f"SELECT r.* REPLACE ({replaced})\n  FROM {right} AS r LEFT JOIN (\n"
            f"    SELECT DISTINCT mm.right_key, {left_keys} FROM {TABLE} AS mm\n"
            f"    JOIN {left} AS l ON mm.left_key = {key_text('l', keys)}\n"
            f"    WHERE mm.rule_id = {literal(rule_id)}) AS m\n"
            f"  ON m.right_key = {key_text('r', keys)}")


def split_key(text: str, keys: list[str]) -> list[str] | None:
    """The values of a key as `recon match` got it, or None when their number is not the rule's."""
    values = text.split(SEPARATOR)
    return values if len(values) == len(keys) else None
