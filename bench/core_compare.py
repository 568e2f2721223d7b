"""The core comparison, written the four ways a user could pick, from the files to the discrepancies.

The comparison is recon's `shipment-posted-in-erp` rule (rules/order-to-cash.yaml): WMS shipment
lines (wms/shipments.jsonl, status SHIPPED, partial shipments summed per order line) against ERP
goods-issue postings (erp/goods_issues.csv, summed per order line, order number without its
leading zeros), with an absolute quantity tolerance of 0, and a finding only once the post window
(4 h) has passed since the line's last shipment. Two outcomes: `shipped-not-posted` (no posting at
all) and `ship-qty-mismatch`. Posting lines without a shipment are not findings (the rule has no
missing-left outcome).

Each function returns one row per discrepancy: (order_id, line_no, kind). The harness checks that
all four give the same rows, so a speed figure is never bought with a wrong answer.

- `recon`: recon's own loader (typing, normalisation, rejects, lineage) for the two sources, then
  that one compiled rule; recon's lookup of the unit price (erp.order_lines) is not loaded, so its
  value at risk is empty, as no alternative computes one either.
- `duckdb`: a hand-written DuckDB query over the files: what the engine itself costs, the floor.
- `pandas`: read_json/read_csv, groupby and merge, the way a pandas user writes it.
- `datacompy`: the same pandas reading and aggregation, then `datacompy.PandasCompare` on the
  two aggregated frames (datacompy compares rows 1:1 and cannot sum partial shipments itself).

Imports are lazy: datacompy lives in its own virtualenv (bench/.venv-compare, it pins pandas below
3.1), which has neither recon nor necessarily the product's pandas.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

RULE_ID = "shipment-posted-in-erp"
KINDS = ("shipped-not-posted", "ship-qty-mismatch")
POST_WINDOW = timedelta(hours=4)
WMS_FILE = "wms/shipments.jsonl"
ERP_FILE = "erp/goods_issues.csv"
# The two sources of the generated recon.yaml that the rule reads, by (system, entity).
RULE_TABLES = (("wms", "shipment_lines"), ("erp", "shipment_lines"))


def _sql_str(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def discrepancies_duckdb(data: Path, as_of: datetime, *, memory_limit: str | None = None) -> Any:
    """The floor: one hand-written DuckDB query, files in, discrepancies out (a pyarrow Table)."""
    import duckdb

    con = duckdb.connect()
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    sql = f"""
    WITH wms AS (
        SELECT order_ref AS order_id, line AS line_no, sum(qty) AS qty, max(shipped_at) AS last_shipped
        FROM read_json({_sql_str(data / WMS_FILE)}, format = 'newline_delimited')
        WHERE status = 'SHIPPED'
        GROUP BY ALL
    ), erp AS (
        SELECT CASE WHEN regexp_full_match(VGBEL, '0+') THEN '0' ELSE ltrim(VGBEL, '0') END AS order_id,
               CAST(VGPOS AS INTEGER) AS line_no, sum(CAST(MENGE AS DECIMAL(18, 3))) AS qty
        FROM read_csv({_sql_str(data / ERP_FILE)}, delim = ';', header = true, all_varchar = true)
        GROUP BY ALL
    )
    SELECT w.order_id, CAST(w.line_no AS INTEGER) AS line_no,
           CASE WHEN e.qty IS NULL THEN 'shipped-not-posted' ELSE 'ship-qty-mismatch' END AS kind
    FROM wms w LEFT JOIN erp e ON e.order_id = w.order_id AND e.line_no = w.line_no
    WHERE w.last_shipped < CAST(? AS TIMESTAMPTZ) - INTERVAL 4 HOUR
      AND (e.qty IS NULL OR abs(w.qty - e.qty) > 0)
    """
    try:
        return con.sql(sql, params=[as_of]).to_arrow_table()
    finally:
        con.close()


def _pandas_sides(data: Path) -> tuple[Any, Any]:
    """Both sides read and summed per order line with pandas (shared by the pandas and datacompy ways)."""
    import pandas as pd

    # dtype=False: keep JSON's own types (order numbers stay text, no guessing of date columns).
    wms = pd.read_json(data / WMS_FILE, lines=True, dtype=False)
    wms = wms[wms["status"] == "SHIPPED"]
    wms = wms.assign(order_id=wms["order_ref"], line_no=wms["line"],
                     shipped_at=pd.to_datetime(wms["shipped_at"], utc=True, format="ISO8601"))
    left = wms.groupby(["order_id", "line_no"], as_index=False).agg(
        qty=("qty", "sum"), last_shipped=("shipped_at", "max"))
    erp = pd.read_csv(data / ERP_FILE, sep=";", dtype=str, usecols=["VGBEL", "VGPOS", "MENGE"])
    stripped = erp["VGBEL"].str.lstrip("0")
    erp = erp.assign(order_id=stripped.where(stripped != "", "0"), line_no=erp["VGPOS"].astype("int64"),
                     qty=erp["MENGE"].astype("float64"))
    right = erp.groupby(["order_id", "line_no"], as_index=False).agg(qty=("qty", "sum"))
    return left, right


def discrepancies_pandas(data: Path, as_of: datetime) -> Any:
    """A plain pandas merge (a DataFrame)."""
    import pandas as pd

    left, right = _pandas_sides(data)
    both = left.merge(right, on=["order_id", "line_no"], how="left", suffixes=("_wms", "_erp"), indicator=True)
    due = both["last_shipped"] < pd.Timestamp(as_of) - POST_WINDOW
    missing = both["_merge"] == "left_only"
    mismatch = ~missing & ((both["qty_wms"] - both["qty_erp"]).abs() > 0)
    found = both[due & (missing | mismatch)]
    kind = missing[due & (missing | mismatch)].map({True: KINDS[0], False: KINDS[1]})
    return pd.DataFrame({"order_id": found["order_id"].astype(str), "line_no": found["line_no"].astype("int64"),
                         "kind": kind.astype(str)}).reset_index(drop=True)


def discrepancies_datacompy(data: Path, as_of: datetime) -> Any:
    """datacompy.PandasCompare on the aggregated sides (a DataFrame)."""
    import datacompy
    import pandas as pd

    left, right = _pandas_sides(data)
    cmp = datacompy.PandasCompare(left, right, join_columns=["order_id", "line_no"], abs_tol=0, rel_tol=0,
                                  df1_name="wms", df2_name="erp")
    cutoff = pd.Timestamp(as_of) - POST_WINDOW
    unposted = cmp.df1_unq_rows
    unposted = unposted[unposted["last_shipped"] < cutoff]
    # all_mismatch() carries only the compared columns; the age of a line comes from the WMS side.
    mismatched = cmp.all_mismatch().merge(left[["order_id", "line_no", "last_shipped"]], on=["order_id", "line_no"])
    mismatched = mismatched[mismatched["last_shipped"] < cutoff]
    return pd.concat([
        pd.DataFrame({"order_id": unposted["order_id"].astype(str), "line_no": unposted["line_no"].astype("int64"),
                      "kind": KINDS[0]}),
        pd.DataFrame({"order_id": mismatched["order_id"].astype(str),
                      "line_no": mismatched["line_no"].astype("int64"), "kind": KINDS[1]}),
    ], ignore_index=True)


class ReconComparison:
    """recon's loader for the rule's two sources, then the one compiled rule.

    Reading the config and checking the rule packs is setup (done once, untimed, like the
    alternatives' code); `__call__` is the timed part: a fresh database, loading, the rule and
    fetching the findings.
    """

    def __init__(self, config: Path, *, memory_limit: str | None = None) -> None:
        from recon.config import load_project
        from recon.rules.registry import load_project_rules

        self.project = load_project(config)
        self.memory_limit = memory_limit
        ruleset = load_project_rules(self.project)
        rule = ruleset.get(RULE_ID)
        if rule is None:
            raise LookupError(f"rule {RULE_ID} is not in the project's rule packs")
        self.rule = rule
        self.sources = [name for name, s in self.project.config.sources.items()
                        if (s.system, s.entity) in RULE_TABLES]
        if len(self.sources) != len(RULE_TABLES):
            raise LookupError(f"expected sources for {RULE_TABLES}, found {self.sources}")
        self.as_of = self.project.config.as_of

    def __call__(self, as_of: datetime) -> Any:
        from recon.db import Database
        from recon.load.loader import Loader
        from recon.rules.runner import run_rules

        engine = self.project.config.engine
        db = Database(None, memory_limit=self.memory_limit or engine.memory_limit, threads=engine.threads,
                      temp_directory=engine.temp_directory)
        try:
            Loader(self.project, db, "bench").load_all(only=self.sources)
            run_rules(db, [self.rule], as_of=as_of, run_id="bench", config=self.project.config)
            return db.con.sql("SELECT order_id, line_no, exception_type AS kind FROM main.exceptions").to_arrow_table()
        finally:
            db.close()


def discrepancies_recon(data: Path, as_of: datetime, *, memory_limit: str | None = None) -> Any:
    """recon's loader + the compiled rule, setup included (for tests; the harness times only the call)."""
    return ReconComparison(data / "recon.yaml", memory_limit=memory_limit)(as_of)


def as_rows(result: Any) -> list[tuple[str, int, str]]:
    """Discrepancies as sorted (order_id, line_no, kind) tuples, whatever the frame type."""
    records = result.to_pylist() if hasattr(result, "to_pylist") else result.to_dict("records")
    return sorted((str(r["order_id"]), int(r["line_no"]), str(r["kind"])) for r in records)


def by_kind(rows: list[tuple[str, int, str]]) -> dict[str, int]:
    out = dict.fromkeys(KINDS, 0)
    for _, _, kind in rows:
        out[kind] = out.get(kind, 0) + 1
    return out


METHODS = ("recon", "duckdb", "pandas", "datacompy")
