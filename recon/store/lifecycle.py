"""Exception lifecycle computed in SQL from the runs and the exceptions each run found.

Runs form one line ordered by (as_of, started_at). For an exception id and a run:

- `new`       present now, never present in any earlier run;
- `open`      present now and in the run just before (still open; `hours_open` since `open_since`);
- `reopened`  present now, absent from the run just before, present in some earlier run;
- `resolved`  absent now, present in the run just before (`hours_open` = how long it was open).

The computation is "gaps and islands" over presence: each unbroken streak of runs in which an id
is present is an island; its first run opens it and the run after its last resolves it. It is a
pure function of two relations, so the same SQL serves the nightly run (history plus the run
being recorded), a dry run (which records nothing) and `recon history` (every run at once), and a
backfilled or replaced run can never leave a stale status behind.

Every function here returns SQL text; `recon.db.Database` runs it.
"""

from __future__ import annotations

STATUSES = ("new", "open", "reopened", "resolved")


def statuses_sql(runs: str, presence: str) -> str:
    """One row per (run, exception id) with its lifecycle status in that run.

    `runs`: run_id, as_of, started_at: the runs of the line (failed runs left out by the caller).
    `presence`: run_id, exception_id, exception_type, workflow, rule_id, severity, owner: what each run found.

    Columns: run_id, seq, exception_id, exception_type, workflow, rule_id, severity, status,
    first_seen_run, first_seen_at, open_since, hours_open, times_opened, owner (the owner queue the
    exception was in when last found: a resolved one keeps it, for MTTR per owner).
    """
    return f"""
WITH r AS (
    SELECT run_id, as_of, row_number() OVER (ORDER BY as_of, started_at, run_id) AS seq FROM {runs}
),
p AS (
    SELECT r.seq, e.exception_id, any_value(e.exception_type) AS exception_type,
           any_value(e.workflow) AS workflow, any_value(e.rule_id) AS rule_id, any_value(e.severity) AS severity,
           any_value(e.owner) AS owner
    FROM {presence} e JOIN r ON r.run_id = e.run_id
    WHERE e.exception_id IS NOT NULL
    GROUP BY r.seq, e.exception_id
),
streak AS (
    SELECT *, seq - row_number() OVER (PARTITION BY exception_id ORDER BY seq) AS grp FROM p
),
islands AS (
    SELECT exception_id, grp, min(seq) AS start_seq, max(seq) AS end_seq,
           row_number() OVER (PARTITION BY exception_id ORDER BY min(seq)) AS island_no,
           min(min(seq)) OVER (PARTITION BY exception_id) AS first_seq
    FROM streak GROUP BY exception_id, grp
),
present AS (
    SELECT s.seq, s.exception_id, s.exception_type, s.workflow, s.rule_id, s.severity, s.owner,
           CASE WHEN i.start_seq < s.seq THEN 'open' WHEN i.island_no = 1 THEN 'new' ELSE 'reopened' END AS status,
           i.start_seq, i.first_seq, i.island_no
    FROM streak s JOIN islands i ON i.exception_id = s.exception_id AND i.grp = s.grp
),
resolved AS (
    SELECT i.end_seq + 1 AS seq, i.exception_id, last.exception_type, last.workflow, last.rule_id, last.severity,
           last.owner, 'resolved' AS status, i.start_seq, i.first_seq, i.island_no
    FROM islands i JOIN p last ON last.exception_id = i.exception_id AND last.seq = i.end_seq
    WHERE i.end_seq < (SELECT max(seq) FROM r)
),
every AS (SELECT * FROM present UNION ALL SELECT * FROM resolved)
SELECT cur.run_id, cur.seq, e.exception_id, e.exception_type, e.workflow, e.rule_id, e.severity, e.status,
       first.run_id AS first_seen_run, first.as_of AS first_seen_at, opened.as_of AS open_since,
       round(date_diff('second', opened.as_of, cur.as_of) / 3600.0, 1) AS hours_open,
       e.island_no AS times_opened, e.owner
FROM every e
JOIN r cur ON cur.seq = e.seq
JOIN r opened ON opened.seq = e.start_seq
JOIN r first ON first.seq = e.first_seq
"""


def run_status_sql(statuses: str, run_id_param: str = "?") -> str:
    """The statuses of one run, sorted so that files built from it are byte-stable."""
    return (f"SELECT * EXCLUDE (seq) FROM {statuses} WHERE run_id = {run_id_param} "
            "ORDER BY CASE status WHEN 'new' THEN 0 WHEN 'reopened' THEN 1 WHEN 'open' THEN 2 ELSE 3 END, "
            "exception_type, exception_id")


def counts_by_run_sql(statuses: str) -> str:
    """Per run: how many exceptions were new, open, reopened and resolved."""
    cols = ", ".join(f"count(*) FILTER (WHERE status = '{s}') AS {s}" for s in STATUSES)
    return f"SELECT run_id, {cols} FROM {statuses} GROUP BY run_id"


def counts_by_type_sql(statuses: str) -> str:
    """Per run and exception type: lifecycle counts (the trend lines of `recon history`)."""
    cols = ", ".join(f"count(*) FILTER (WHERE status = '{s}') AS {s}" for s in STATUSES)
    return f"SELECT run_id, seq, exception_type, {cols} FROM {statuses} GROUP BY run_id, seq, exception_type"


def mean_time_to_resolve_sql(statuses: str, up_to_seq: str | None = None) -> str:
    """Mean hours from open to resolved per exception type, over every resolution so far.

    A reopened exception that is resolved again counts twice: each streak is a resolution.
    """
    where = "status = 'resolved'" + (f" AND seq <= {up_to_seq}" if up_to_seq else "")
    return (f"SELECT exception_type, round(avg(hours_open), 1) AS mttr_hours, count(*) AS resolutions "
            f"FROM {statuses} WHERE {where} GROUP BY exception_type ORDER BY exception_type")
