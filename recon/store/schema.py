"""DDL of the state store: one DuckDB file that remembers every run and its exceptions.

The store holds facts only (runs, their inputs and counts, the exceptions each run found, the
acknowledgements people made). Lifecycle statuses (new, open, resolved, reopened) are not
stored: they are computed from these facts by `recon.store.lifecycle`, so a backfilled or
replaced run can never leave a stale status behind.

The store is attached to a connection under the catalog name `ALIAS`, never as the default
catalog, so the run's own tables (`erp.orders`, `main.exceptions`) and the store's tables
(`recon_state.main.exceptions`) cannot be confused even when a system is called `state`.
"""

from __future__ import annotations

from recon.sql import ident

ALIAS = "recon_state"
SCHEMA_VERSION = 1

# The contract columns of an exception (docs/exceptions.md), with the types the store keeps.
# Copied rather than imported from the rule engine: the store must read runs written by older
# engines, and a column the engine adds later must not break recording (it is simply not kept).
EXCEPTION_COLUMNS: dict[str, str] = {
    "run_id": "VARCHAR",
    "exception_id": "VARCHAR",
    "rule_id": "VARCHAR",
    "workflow": "VARCHAR",
    "exception_type": "VARCHAR",
    "severity": "VARCHAR",
    "owner": "VARCHAR",
    "fix_in": "VARCHAR",
    "order_id": "VARCHAR",
    "line_no": "VARCHAR",  # INTEGER before line numbers became text: widened on open (state.py)
    "shipment_id": "VARCHAR",
    "invoice_id": "VARCHAR",
    "item_id": "VARCHAR",
    "site": "VARCHAR",
    "lot": "VARCHAR",
    "customer_id": "VARCHAR",
    "customer_po": "VARCHAR",
    "document": "VARCHAR",
    "field": "VARCHAR",
    "left_value": "VARCHAR",
    "right_value": "VARCHAR",
    "difference": "DECIMAL(18,4)",
    "value_at_risk": "DECIMAL(18,2)",
    "currency": "VARCHAR",
    "as_of": "TIMESTAMPTZ",
    "event_at": "TIMESTAMPTZ",
    "age_hours": "DECIMAL(12,1)",
    "message": "VARCHAR",
    "left_lineage": "VARCHAR",
    "right_lineage": "VARCHAR",
    # Not a contract column: true for an exception carried forward from the run before because its
    # rule was not evaluated (a failed source, an unmapped field); it was not re-checked.
    "unverified": "BOOLEAN",
    # Not contract columns: what the analyst had said of the exception when the run was recorded
    # (explained, acked, reopened: `recon resolve`, `recon ack`; NULL when nothing), so that
    # `recon diff` can report a change of status between two runs.
    "analyst_status": "VARCHAR",
    "reason_code": "VARCHAR",
    # Not a contract column: the order chain the exception is on (recon.events.correlate), so
    # `recon trace` and `recon query` can gather a chain's exceptions whatever key they carry.
    "correlation_id": "VARCHAR",
}
# Columns of `exceptions` that state files written by an older recon lack (added when one is opened for writing).
ADDED_EXCEPTION_COLUMNS = {"unverified": "BOOLEAN", "analyst_status": "VARCHAR", "reason_code": "VARCHAR",
                           "correlation_id": "VARCHAR"}
# Columns set when a run is recorded, never copied from an earlier run's row (carried-forward rows
# get this run's values); older state files may lack them.
RECORDED_COLUMNS = ("unverified", "analyst_status", "reason_code")
# The analyst's word on an exception, over `main.exception_status` (recon.store.step).
ANALYST_STATUS_SQL = ("CASE WHEN explained THEN 'explained' WHEN acked THEN 'acked' "
                      "WHEN explanation_changed THEN 'reopened' END")

# name -> column definitions; order matters only for readability of `DESCRIBE`.
TABLES: dict[str, str] = {
    "meta": "key VARCHAR PRIMARY KEY, value VARCHAR",
    # One row per recorded run. `fingerprint` = sha256(config_hash | inputs_hash | as_of): a rerun with
    # the same fingerprint replaces the earlier row (and its exceptions) instead of adding a second one.
    "runs": """
        run_id VARCHAR PRIMARY KEY, started_at TIMESTAMPTZ, ended_at TIMESTAMPTZ, as_of TIMESTAMPTZ,
        status VARCHAR, exit_code INTEGER, error VARCHAR,
        config_path VARCHAR, config_hash VARCHAR, rule_packs VARCHAR, inputs_hash VARCHAR, fingerprint VARCHAR,
        replaced_run_id VARCHAR, recon_version VARCHAR, host VARCHAR, user_name VARCHAR,
        files BIGINT, rows_read BIGINT, rows_loaded BIGINT, rows_rejected BIGINT, sources_failed INTEGER,
        exceptions BIGINT""",
    "run_inputs": """
        run_id VARCHAR, source VARCHAR, file VARCHAR, size_bytes BIGINT, sha256 VARCHAR,
        modified_at TIMESTAMPTZ""",
    "run_sources": """
        run_id VARCHAR, source VARCHAR, system VARCHAR, entity VARCHAR, files INTEGER, rows_read BIGINT,
        rows_loaded BIGINT, rows_rejected BIGINT, status VARCHAR, problems VARCHAR""",
    "run_rejects": "run_id VARCHAR, source VARCHAR, field VARCHAR, reason VARCHAR, rows BIGINT",
    # The run's operating metrics (recon.report.metrics, docs/operations.md), one row per value: `dimension`
    # and `member` say what it is of ('' for the whole run; 'workflow'/'order-to-cash', 'site'/'P100'...),
    # `bucket` an age bucket ('' otherwise); a ratio keeps its numerator and denominator. NULL value: not measured.
    "run_metrics": """
        run_id VARCHAR, metric VARCHAR, dimension VARCHAR, member VARCHAR, bucket VARCHAR, value DOUBLE,
        numerator DOUBLE, denominator DOUBLE, unit VARCHAR""",
    "exceptions": ", ".join(f"{ident(n)} {t}" for n, t in EXCEPTION_COLUMNS.items()),
    # A known issue: listed in every report, kept outside the failure bar while `until` >= the run's as-of date.
    "acks": """
        exception_id VARCHAR PRIMARY KEY, until DATE, note VARCHAR, created_at TIMESTAMPTZ, created_by VARCHAR""",
    # Who acked or un-acked what and when: acks are decisions, so their history is kept.
    "ack_log": """
        logged_at TIMESTAMPTZ, action VARCHAR, exception_id VARCHAR, until DATE, note VARCHAR, by_user VARCHAR""",
    # An explanation (`recon resolve`): the reason code and the fingerprint of the compared values it
    # was given for. While a run finds the same fingerprint the exception is `explained`; a different
    # one reopens it (the row stays, so the history of the decision is kept).
    "resolutions": """
        exception_id VARCHAR PRIMARY KEY, reason_code VARCHAR, note VARCHAR, until DATE, fingerprint VARCHAR,
        run_id VARCHAR, created_at TIMESTAMPTZ, created_by VARCHAR""",
    # A pairing the engine could not make (`recon match`): the rule treats the two keys as one.
    "manual_matches": """
        rule_id VARCHAR, left_key VARCHAR, right_key VARCHAR, note VARCHAR, created_at TIMESTAMPTZ,
        created_by VARCHAR, PRIMARY KEY (rule_id, left_key, right_key)""",
    # Every analyst decision (resolve, match, ack and their removal): who, when, why.
    "audit_log": """
        logged_at TIMESTAMPTZ, action VARCHAR, subject VARCHAR, reason_code VARCHAR, until DATE, note VARCHAR,
        by_user VARCHAR""",
}
# Tables of decisions people made: never cleared when a run is recorded or replaced.
DECISION_TABLES = frozenset({"meta", "acks", "ack_log", "resolutions", "manual_matches", "audit_log"})


def qualified(table: str, alias: str = ALIAS) -> str:
    """`recon_state.main.runs`: the store's tables are always addressed through their catalog."""
    return f"{ident(alias)}.main.{ident(table)}"


def create_statements(alias: str = ALIAS) -> list[str]:
    """Idempotent DDL for every table, in a fixed order; columns added since a file was created are added."""
    statements = [
        f"CREATE TABLE IF NOT EXISTS {qualified(name, alias)} ({' '.join(cols.split())})"
        for name, cols in TABLES.items()
    ]
    statements += [f"ALTER TABLE {qualified('exceptions', alias)} ADD COLUMN IF NOT EXISTS {ident(name)} {duck_type}"
                   for name, duck_type in ADDED_EXCEPTION_COLUMNS.items()]
    return statements
