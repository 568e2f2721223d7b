"""The operating metrics of a run: auto-match rate, duplicate rate, inventory variance, MTTR,
exception ageing and SLO attainment (docs/operations.md, "Operating metrics", defines each).

A metric is a list of `Metric` rows: one value of one metric for the whole run (`dimension` '')
or for one member of a dimension (a workflow, an entity, a site, an owner, a named SLO), with the
numerator and denominator of a ratio kept beside it so that a trend can be re-aggregated and a
reader can check the arithmetic. A value of None means "not measured" and always comes with a
note saying why: a metric is never silently missing.

Where the numbers come from (all of it SQL over the run's DuckDB, so the Spark engine, which
leaves its tables there as views, gets the same metrics):
- the rule engine's per-rule counts (`records_compared`, `records_matched`: the SQL companion
  query of each rule, recon.rules.compile_parts) for auto-match and duplicate rates;
- `<system>.stock` and the book system's order lines for inventory variance;
- the run's exceptions and the store's lifecycle (`main.exception_status`) for MTTR and ageing;
- the summary's SLO results (name -> entry with a `status`) for attainment: any named SLO,
  whatever pair of events it measures.

The `*_sql` functions return SQL text; the others run it through `recon.db.Database`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from recon.config.schema import Config
from recon.config.units import Units
from recon.db import Database
from recon.rules import units as uom
from recon.rules.schema import SideUnits
from recon.sql import ident, table_name

TREND_POINTS = 8  # runs shown in a trend (this one and up to 7 before it)
# (label, lower hours inclusive, upper hours exclusive): how long an exception has been wrong.
AGE_BUCKETS: tuple[tuple[str, float, float | None], ...] = (
    ("<1d", 0, 24), ("1-3d", 24, 72), ("3-7d", 72, 168), ("7-30d", 168, 720), (">30d", 720, None))
UNKNOWN_AGE = "unknown"  # an exception without an event time has no age
OVER_7D_HOURS = 168
UNASSIGNED = "unassigned"
# What each metric is, in the order reports list them; the trend shows each overall value (and each
# member of the entity dimension, since duplicate rates of different entities do not add up).
LABELS: dict[str, str] = {
    "auto_match_rate": "auto-match rate",
    "duplicate_rate": "duplicate rate",
    "inventory_variance_value": "inventory variance",
    "inventory_variance_share": "inventory variance, share of stock value",
    "inventory_variance_units": "inventory variance in units",
    "mttr_hours": "mean time to resolve",
    "exceptions_aged": "open exceptions by age",
    "exceptions_over_7d": "open exceptions older than 7 days",
    "slo_attainment": "SLO attainment",
}
TREND_DIMENSIONS = ("", "entity")
# The entities whose duplicate rate is reported under a business name (others keep their entity name).
ENTITY_NAMES = {"orders": "orders", "invoice_lines": "invoices", "edi_documents": "EDI documents"}


@dataclass(frozen=True)
class Metric:
    """One value of one metric: the row kept in the state's `run_metrics` and in summary.json."""

    metric: str
    value: float | None
    unit: str = "ratio"
    dimension: str = ""
    member: str = ""
    bucket: str = ""
    numerator: float | None = None
    denominator: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.metric, self.dimension, self.member, self.bucket)


def _ratio(metric: str, part: float | None, whole: float | None, **where: str) -> Metric:
    value = round(part / whole, 6) if whole and part is not None else None
    return Metric(metric, value, "ratio", numerator=part, denominator=whole, **where)


def _num(value: Any) -> float | None:
    return None if value is None else round(float(value), 6)


# -- from the rule engine's counts ------------------------------------------------------------------

def rule_metrics(rules: Mapping[str, Any] | None, matching: Mapping[str, Any]) -> tuple[list[Metric], list[str]]:
    """Auto-match rate (the summary's `matching` section, so the report's first screen and the trend
    can never disagree) and duplicate rate (duplicate rules, per entity of their table).

    Auto-match: of the records the rules that ran compared (business keys for a match rule, rows for
    a check, rows for a duplicate rule), those that needed nobody: matched within tolerance, meeting
    the check, unique on their key. Overall and per workflow. Duplicate rate: of the records a
    duplicate rule checked, those sharing their key with another record (both copies count: which
    one is the duplicate is what the analyst decides).
    """
    notes: list[str] = []
    out = [_ratio("auto_match_rate", _num(matching.get("records_matched")), _num(matching.get("records_compared")))]
    out += [_ratio("auto_match_rate", _num(w.get("records_matched")), _num(w.get("records_compared")),
                   dimension="workflow", member=name)
            for name, w in sorted((matching.get("by_workflow") or {}).items()) if w.get("rules_run")]
    if out[0].value is None:
        notes.append("auto-match rate: no rule that ran reported the records it compared")
    entries = [e for e in (rules or {}).get("rules", []) if e.get("status") == "ok"]
    if entries and all(e.get("kind") is None for e in entries):
        return out, [*notes, "duplicate rate: this run's rule report does not say which rules look for "
                             "duplicates (written by an older recon)"]
    by_entity: dict[str, list[Mapping[str, Any]]] = {}
    for e in entries:
        if e.get("kind") == "duplicate" and e.get("table"):
            entity = str(e["table"]).split(".")[-1]
            by_entity.setdefault(ENTITY_NAMES.get(entity, entity), []).append(e)
    for name, group in sorted(by_entity.items()):
        compared = _total(group, "records_compared")
        matched = _total(group, "records_matched")
        part = None if compared is None or matched is None else compared - matched
        out.append(_ratio("duplicate_rate", part, compared, dimension="entity", member=name))
    if not by_entity:
        notes.append("duplicate rate of orders and invoices: no duplicate rule ran")
    return out, notes


def _total(entries: Sequence[Mapping[str, Any]], key: str) -> float | None:
    values = [e.get(key) for e in entries]
    return None if any(v is None for v in values) else float(sum(values))  # type: ignore[arg-type]


EDI_KEY = ("direction", "partner_id", "transaction_set", "control_number")


def edi_duplicates_sql(tables: Sequence[str]) -> str:
    """EDI documents (every `<system>.edi_documents`) sharing direction, partner, transaction set and
    control number with another one, and all documents: a control number reused."""
    key = ", ".join(EDI_KEY)
    union = " UNION ALL ".join(f"SELECT {key} FROM {t}" for t in tables)
    return (f"SELECT count(*) FILTER (WHERE n > 1), count(*) FROM "
            f"(SELECT count(*) OVER (PARTITION BY {key}) AS n FROM ({union}))")


def systems_with(db: Database, entity: str) -> list[str]:
    """The systems (schemas) of the run's database that hold a table of `entity`, sorted."""
    return [r[0] for r in db.rows(
        "SELECT DISTINCT table_schema FROM information_schema.tables WHERE table_name = ? "
        "AND table_catalog = current_database() ORDER BY 1", [entity])]


def edi_duplicate_metrics(db: Database, rows: Sequence[Metric]) -> tuple[list[Metric], list[str]]:
    """The EDI documents' duplicate rate by control number, unless a duplicate rule over them ran."""
    name = ENTITY_NAMES["edi_documents"]
    if any(m.metric == "duplicate_rate" and m.member == name for m in rows):
        return [], []
    tables = [f"{ident(system)}.edi_documents" for system in systems_with(db, "edi_documents")]
    usable = [t for t in tables if set(EDI_KEY) <= {c for c, _ in db.columns(t)}]
    if not usable:
        return [], ["duplicate rate of EDI documents: no edi_documents table with "
                    f"{', '.join(EDI_KEY)} was loaded"]
    shared, total = db.rows(edi_duplicates_sql(usable))[0]
    return [_ratio("duplicate_rate", float(shared), float(total), dimension="entity", member=name)], []


# -- inventory variance -----------------------------------------------------------------------------

def stock_systems(db: Database, config: Config) -> tuple[str | None, str | None]:
    """(book, physical): the systems whose stock is compared. Physical is the system of record for
    stock (`ownership: {stock: ...}`, else `wms`); book is `erp`, else the first other system
    with a stock table. (None, None) when fewer than two systems loaded stock."""
    systems = systems_with(db, "stock")
    owner = config.owner_of("stock")
    physical = owner if owner in systems else "wms" if "wms" in systems else None
    others = [s for s in systems if s != physical]
    book = "erp" if "erp" in others else others[0] if others else None
    return (book, physical) if book and physical else (None, None)


def inventory_sql(book: str, physical: str, prices: bool, units: Units,
                  conversion_tables: Sequence[str] = (), transfers: str | None = None,
                  receipts: str | None = None) -> str:
    """Per site and overall (GROUPING SETS): the variance in units and value, the stock value.

    Both sides are brought to each item's base unit first, with the run's unit conversions (the
    ones the bundled rules use, recon.rules.units), then summed per (item_id, site, lot); a key on
    one side only counts as zero on the other. Without that, an ERP that books an item in cases
    against a WMS counting eaches would show most of its stock as variance. A key whose two sides
    still end in different units cannot be compared: it is `unconvertible`, left out of every
    figure (the stock rule reports it as uom-not-convertible). The unit value of an item is the
    highest per-base-unit price of the book system's order lines for it in the run's currency
    (`$currency`; lines without a currency count as in it): the valuation the bundled inventory
    pack gives a stock-variance. Items without one are `unvalued`. Stock value is the system of
    record's quantity on hand (negative counts as none) at that value. With a `transfers` table
    (`<system>.transfers`), goods shipped to a site by the run's as-of time (`$as_of`) and not
    received by then count with the system of record's stock there, as the bundled stock rule
    counts them: a variance they explain is none. `receipts` (the system of record's own
    `transfers`) are its receipts: a transfer it received before the book system did is in its
    stock already, not in transit.
    """
    stock_units = SideUnits()

    def side(system: str, in_transit: bool = False) -> str:
        stock = table_name(system, "stock")
        if in_transit and transfers is not None:
            system_, _, entity = transfers.partition(".")
            as_of = "CAST($as_of AS TIMESTAMPTZ)"
            received = ""
            if receipts is not None:
                r_system, _, r_entity = receipts.partition(".")
                received = (f" AND NOT coalesce((SELECT max(r.received_at) FROM {table_name(r_system, r_entity)} AS r "
                            f"WHERE r.transfer_id = t.transfer_id AND r.item_id = t.item_id) <= {as_of}, FALSE)")
            stock = (f"(SELECT item_id, site, lot, qty, uom FROM {stock} UNION ALL "
                     f"SELECT item_id, to_site, lot, qty, uom FROM {table_name(system_, entity)} AS t "
                     f"WHERE shipped_at <= {as_of} AND (received_at IS NULL OR received_at > {as_of}){received})")
        rows = uom.converted_source(stock, stock_units, units)
        return (f"SELECT item_id, site, coalesce(CAST(lot AS VARCHAR), '') AS lot, "
                f"sum({uom.converted('qty', units)}) AS qty, {uom.aggregated()} AS unit "
                f"FROM {rows} AS s GROUP BY 1, 2, 3")

    price_rows = uom.converted_source(table_name(book, "order_lines"), SideUnits(fields=[], per_unit=["unit_price"]),
                                      units)
    price = (f"SELECT item_id, max({uom.per_base_unit('unit_price')}) AS price FROM {price_rows} AS o "
             "WHERE unit_price IS NOT NULL AND coalesce(currency, $currency) = $currency GROUP BY item_id"
             if prices else "SELECT NULL AS item_id, NULL::DOUBLE AS price WHERE false")
    conversions = ",\n     ".join(uom.conversion_ctes(units, conversion_tables))
    return f"""
WITH {conversions},
     b AS ({side(book)}),
     p AS ({side(physical, in_transit=True)}),
     pr AS ({price}),
     j AS (SELECT coalesce(b.item_id, p.item_id) AS item_id, coalesce(b.site, p.site) AS site,
                  coalesce(b.qty, 0) AS book_qty, coalesce(p.qty, 0) AS physical_qty,
                  b.unit IS NOT NULL AND p.unit IS NOT NULL AND b.unit <> p.unit AS unconvertible
           FROM b FULL OUTER JOIN p ON b.item_id = p.item_id AND b.site IS NOT DISTINCT FROM p.site AND b.lot = p.lot)
SELECT grouping(site) = 1 AS overall, coalesce(CAST(site AS VARCHAR), '') AS site,
       sum(abs(book_qty - physical_qty) * price) FILTER (WHERE NOT unconvertible) AS variance_value,
       sum(greatest(physical_qty, 0) * price) FILTER (WHERE NOT unconvertible) AS stock_value,
       sum(abs(book_qty - physical_qty)) FILTER (WHERE NOT unconvertible) AS variance_units,
       count(*) FILTER (WHERE price IS NULL AND book_qty <> physical_qty AND NOT unconvertible) AS unvalued,
       count(*) FILTER (WHERE unconvertible) AS unconvertible
FROM j LEFT JOIN pr USING (item_id)
GROUP BY GROUPING SETS ((), (site))
ORDER BY overall DESC, site"""


def inventory_metrics(db: Database, config: Config, failed_tables: Iterable[str] = (),
                      as_of: str | None = None) -> tuple[list[Metric], list[str]]:
    """Inventory variance (value, units, share of stock value) overall and by site, goods in transit
    as of `as_of` (the run's, ISO 8601) counted at their destination."""
    book, physical = stock_systems(db, config)
    if book is None or physical is None:
        return [Metric("inventory_variance_value", None, config.currency)], [
            "inventory variance: needs stock from two systems (the system of record for stock and a book system)"]
    failed = sorted({f"{book}.stock", f"{physical}.stock"} & set(failed_tables))
    if failed:
        return [Metric("inventory_variance_value", None, config.currency)], [
            f"inventory variance: {', '.join(failed)} did not load completely"]
    prices = db.table_exists(book, "order_lines")
    conversions = [t for t in (f"{system}.uom_conversions" for system in systems_with(db, "uom_conversions"))
                   if t not in set(failed_tables)]
    usable = [t for t in (f"{book}.transfers", f"{physical}.transfers")
              if db.table_exists(*t.split(".")) and t not in set(failed_tables)]
    transfers = usable[0] if usable and as_of is not None else None
    receipts = f"{physical}.transfers" if transfers == f"{book}.transfers" and len(usable) == 2 else None
    sql = inventory_sql(book, physical, prices, config.units, conversions, transfers, receipts)
    params: dict[str, Any] = {"currency": config.currency} if prices else {}
    if transfers is not None:
        params["as_of"] = as_of
    out: list[Metric] = []
    unvalued = unconvertible = 0
    for overall, site, value, stock, qty, missing, apart in db.rows(sql, params or None):
        where = {} if overall else {"dimension": "site", "member": site}
        out.append(Metric("inventory_variance_value", _num(value or 0), config.currency, **where))
        out.append(_ratio("inventory_variance_share", _num(value or 0), _num(stock), **where))
        out.append(Metric("inventory_variance_units", _num(qty or 0), "units", **where))
        if overall:
            unvalued, unconvertible = int(missing or 0), int(apart or 0)
    notes = [f"inventory variance: {book}.stock against {physical}.stock (system of record), in base units"
             + (f", goods in transit ({transfers}) counted at their destination" if transfers else "")]
    if unvalued:
        notes.append(f"inventory variance: {unvalued} item/site/lot differences have no unit price in "
                     f"{config.currency} and count in units only")
    if unconvertible:
        notes.append(f"inventory variance: {unconvertible} item/site/lot stocks are in units that do not convert "
                     "to each other and are left out (uom-not-convertible)")
    return out, notes


# -- lifecycle: MTTR and ageing ---------------------------------------------------------------------

def age_bucket_sql(hours: str) -> str:
    """The AGE_BUCKETS label of an age in hours."""
    whens = " ".join(f"WHEN {hours} < {upper} THEN '{label}'" for label, _, upper in AGE_BUCKETS if upper)
    return f"CASE WHEN {hours} IS NULL THEN '{UNKNOWN_AGE}' {whens} ELSE '{AGE_BUCKETS[-1][0]}' END"


def ageing_sql(exceptions: str) -> str:
    """Exceptions found by this run, counted per age bucket, overall and per owner."""
    return (f"SELECT grouping(owner) = 1 AS overall, coalesce(owner, '{UNASSIGNED}') AS owner, "
            f"{age_bucket_sql('age_hours')} AS bucket, count(*) AS n, "
            f"count(*) FILTER (WHERE age_hours >= {OVER_7D_HOURS}) AS old "
            f"FROM {exceptions} GROUP BY GROUPING SETS ((bucket), (owner, bucket)) "
            f"ORDER BY overall DESC, owner, {_bucket_order('bucket')}")


def _bucket_order(column: str) -> str:
    labels = [label for label, _, _ in AGE_BUCKETS] + [UNKNOWN_AGE]
    return f"list_position({labels!r}, {column})"


def mttr_sql(statuses: str, owner: bool) -> str:
    """Hours open of the exceptions this run resolved, summed and counted, overall and per owner."""
    who = f"coalesce(owner, '{UNASSIGNED}')" if owner else f"'{UNASSIGNED}'"
    return (f"SELECT grouping(o) = 1 AS overall, o AS owner, sum(hours_open) AS hours, count(*) AS n "
            f"FROM (SELECT {who} AS o, hours_open FROM {statuses} WHERE status = 'resolved') "
            f"GROUP BY GROUPING SETS ((), (o)) ORDER BY ALL")


def lifecycle_metrics(db: Database, exceptions: str, statuses: str | None) -> tuple[list[Metric], list[str]]:
    """MTTR (hours from the run that found an exception to the run that no longer found it, mean over
    this run's resolutions) and the exceptions found by age bucket, overall and per owner."""
    out: list[Metric] = []
    notes: list[str] = []
    old: dict[str, int] = {}
    for overall, owner, bucket, n, aged in db.rows(ageing_sql(exceptions)):  # overall first
        where = {} if overall else {"dimension": "owner", "member": owner}
        out.append(Metric("exceptions_aged", float(n), "count", bucket=bucket, **where))
        old[owner if not overall else ""] = old.get(owner if not overall else "", 0) + int(aged)
    out.append(Metric("exceptions_over_7d", float(old.get("", 0)), "count"))
    out += [Metric("exceptions_over_7d", float(n), "count", dimension="owner", member=o)
            for o, n in sorted(old.items()) if o]
    if statuses is None:
        return [*out, Metric("mttr_hours", None, "hours")], ["mean time to resolve: no run history (a dry run "
                                                             "without a state, or a re-render of an older run)"]
    present = {c for c, _ in db.columns(statuses)}
    if not {"status", "hours_open"} <= present:
        return [*out, Metric("mttr_hours", None, "hours")], ["mean time to resolve: the lifecycle has no hours open"]
    has_owner = "owner" in present
    resolved = db.rows(mttr_sql(statuses, has_owner))
    total = next((r for r in resolved if r[0]), None)
    n = int(total[3]) if total else 0
    out.append(Metric("mttr_hours", round(float(total[2]) / n, 2) if n else None, "hours",
                      numerator=_num(total[2]) if n else None, denominator=float(n)))
    if has_owner:
        out += [Metric("mttr_hours", round(float(h) / c, 2), "hours", dimension="owner", member=o,
                       numerator=_num(h), denominator=float(c)) for overall, o, h, c in resolved if not overall and c]
    if not n:
        notes.append("mean time to resolve: this run resolved nothing")
    return out, notes


# -- SLO attainment ---------------------------------------------------------------------------------

def slo_metrics(results: Mapping[str, Mapping[str, Any]]) -> tuple[list[Metric], list[str]]:
    """SLO attainment: of the named SLOs judged this run (status `met` or `missed`), the share met;
    each judged SLO is 1 (met) or 0 (missed). Reads only each entry's `status`, so it works for any
    named SLO (a workflow clock or any pair of events)."""
    judged = {name: entry.get("status") for name, entry in sorted(results.items())
              if entry.get("status") in ("met", "missed")}
    met = sum(1 for s in judged.values() if s == "met")
    out = [_ratio("slo_attainment", float(met), float(len(judged)))]
    out += [Metric("slo_attainment", 1.0 if s == "met" else 0.0, "ratio", dimension="slo", member=name)
            for name, s in judged.items()]
    skipped = sorted(name for name, entry in results.items() if name not in judged)
    listed = ", ".join(f"{n} ({results[n].get('status')})" for n in skipped)
    notes = [f"SLO attainment: not judged: {listed}"] if skipped else []
    return out, notes


# -- the section ------------------------------------------------------------------------------------

def compute(db: Database, config: Config, *, rules: Mapping[str, Any] | None, matching: Mapping[str, Any],
            slo: Mapping[str, Mapping[str, Any]], exceptions: str, statuses: str | None,
            failed_tables: Iterable[str] = (), as_of: str | None = None) -> tuple[list[Metric], list[str]]:
    """Every metric of a fresh run, in a fixed order (`as_of`: the run's, ISO 8601)."""
    rows: list[Metric] = []
    notes: list[str] = []
    ruled = rule_metrics(rules, matching)
    for part in (ruled, edi_duplicate_metrics(db, ruled[0]), inventory_metrics(db, config, failed_tables, as_of),
                 lifecycle_metrics(db, exceptions, statuses), slo_metrics(slo)):
        rows += part[0]
        notes += part[1]
    return rows, notes


def trend(history: Sequence[Mapping[str, Any]], run_id: str, as_of: str,
          rows: Sequence[Metric], points: int = TREND_POINTS) -> list[dict[str, Any]]:
    """One series per trended value (the overall value of each metric, each entity's duplicate rate),
    oldest run first, this run last: `history` is the earlier runs' rows (run_id, as_of, metric,
    dimension, member, bucket, value), the last `points` - 1 runs of it are used."""
    runs: list[tuple[str, str]] = []
    for row in history:
        point = (str(row["run_id"]), str(row["as_of"]))
        if point not in runs and point[0] != run_id:
            runs.append(point)
    runs = runs[-(points - 1):] if points > 1 else []
    values = {(str(r["run_id"]), r["metric"], r["dimension"], r["member"]): r["value"]
              for r in history if not r.get("bucket")}
    current = {m.key[:3]: m for m in rows if not m.bucket and m.dimension in TREND_DIMENSIONS}
    order = list(LABELS)
    out = []
    for key in sorted(current, key=lambda k: (order.index(k[0]) if k[0] in order else len(order), k[1], k[2])):
        metric = current[key]
        points = [{"run_id": r, "as_of": a, "value": _num(values.get((r, *key)))} for r, a in runs]
        points.append({"run_id": run_id, "as_of": as_of, "value": metric.value})
        label = LABELS.get(key[0], key[0].replace("_", " ")) + (f": {key[2]}" if key[2] else "")
        out.append({"metric": key[0], "dimension": key[1], "member": key[2], "label": label, "unit": metric.unit,
                    "points": points})
    return out


def stored_trend(history: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The trends over recorded runs' rows (recon.store.metrics.history), the newest run last."""
    if not history:
        return []
    last = history[-1]
    newest = [r for r in history if r["run_id"] == last["run_id"]]
    earlier = [r for r in history if r["run_id"] != last["run_id"]]
    runs = len({r["run_id"] for r in history})
    return trend(earlier, str(last["run_id"]), str(last["as_of"]), rows_of({"values": newest}), points=runs)


def section(rows: Sequence[Metric], notes: Sequence[str], series: list[dict[str, Any]]) -> dict[str, Any]:
    """summary.json's `metrics`: every value, why any is missing, and the trends."""
    return {"values": [m.as_dict() for m in rows], "notes": list(notes), "trend": series}


def rows_of(section_: Mapping[str, Any] | None) -> list[Metric]:
    """The Metric rows of a stored summary's `metrics` section (unknown keys ignored)."""
    fields = set(Metric.__dataclass_fields__)
    return [Metric(**{k: v for k, v in r.items() if k in fields}) for r in (section_ or {}).get("values", [])]


def history_of(section_: Mapping[str, Any] | None, run_id: str) -> list[dict[str, Any]]:
    """The earlier runs' points of a stored `metrics` section's trend, as history rows."""
    out = []
    for series in (section_ or {}).get("trend", []):
        for p in series.get("points", []):
            if p.get("run_id") != run_id:
                out.append({"run_id": p["run_id"], "as_of": p["as_of"], "metric": series["metric"],
                            "dimension": series["dimension"], "member": series["member"], "bucket": "",
                            "value": p["value"]})
    return sorted(out, key=lambda r: (r["as_of"], r["run_id"]))


__all__ = ["AGE_BUCKETS", "LABELS", "TREND_POINTS", "Metric", "compute", "history_of", "rows_of", "section",
           "slo_metrics", "trend"]
