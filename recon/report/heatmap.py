"""The reconciliation heat maps: where the money at risk piles up, as true grids of coloured cells.

Two grids answer the questions finance and operations start with: which kind of disagreement
where (exception type × site) and where and when (site × day). A cell's colour follows its value
at risk, in decade bands below the largest cell (`bands`), because one exception of 200k matters
more than fifty of 3.00; its count is printed as the second figure. A cell with exceptions but no
value at risk is grey, a cell without exceptions is blank, so "nothing" never looks like "little".

Shaping is pure: it takes aggregated points and returns a `Grid`, capped to a number of rows and
columns (the rest summed into an "other" row or column) so the e-mailed page has a size bound
whatever the data. The template only lays the grid out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

LEVELS = 5
# Light to dark (ColorBrewer OrRd): readable labels on every level, distinct when printed in grey.
PALETTE = ("#ffffff", "#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000")
NO_VALUE = "#e6e8eb"  # exceptions, but nothing at risk (e.g. a missing EDI acknowledgement)
NO_SITE = "(no site)"
EARLIER = "older"
UNDATED = "no date"
OTHER_SITES = "other sites"
OTHER_TYPES = "other types"
TOTAL = "total"


@dataclass(frozen=True)
class Cell:
    count: int = 0
    value_at_risk: float = 0.0
    level: int = 0

    @property
    def colour(self) -> str:
        if self.count and not self.level:
            return NO_VALUE
        return PALETTE[self.level]

    @property
    def text_colour(self) -> str:
        return "#ffffff" if self.level >= 4 else "#1f2328"


@dataclass(frozen=True)
class Band:
    """One colour of the legend: values in [low, high) (high None: no upper end)."""

    level: int
    low: float
    high: float | None

    @property
    def colour(self) -> str:
        return PALETTE[self.level]


def bands(max_value: float, levels: int = LEVELS) -> list[Band]:
    """Decade bands ending with the largest value's decade: 197.9k gives <100, 100-1k, 1k-10k,
    10k-100k and 100k+. Round numbers a reader can compare across days; empty for no value."""
    if max_value <= 0:
        return []
    top = 10.0 ** math.floor(math.log10(max_value))
    if top > max_value:  # log10 rounded up just below a power of ten
        top /= 10
    edges = [top / 10 ** (levels - 1 - i) for i in range(1, levels)]  # the lower edges of levels 2..levels
    lows = [0.0, *edges]
    return [Band(i + 1, lows[i], lows[i + 1] if i + 1 < levels else None) for i in range(levels)]


def level(value: float, scale: Sequence[Band]) -> int:
    """0 for nothing at risk, else the band `value` falls in."""
    if value <= 0 or not scale:
        return 0
    return max((b.level for b in scale if value >= b.low), default=1)


@dataclass(frozen=True)
class Grid:
    """Rows × columns of cells with totals; a missing cell is empty. `hidden_rows`/`hidden_columns`
    count what the caps summed into the "other" row or column."""

    rows: list[str]
    columns: list[str]
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)
    row_totals: dict[str, Cell] = field(default_factory=dict)
    column_totals: dict[str, Cell] = field(default_factory=dict)
    scale: list[Band] = field(default_factory=list)
    row_notes: dict[str, str] = field(default_factory=dict)
    hidden_rows: int = 0
    hidden_columns: int = 0

    def cell(self, row: str, column: str) -> Cell:
        return self.cells.get((row, column), Cell())


def _add(a: Cell, count: int, value: float) -> Cell:
    return Cell(a.count + int(count), round(a.value_at_risk + float(value), 2))


def _sum(cells: Iterable[Cell]) -> Cell:
    total = Cell()
    for c in cells:
        total = _add(total, c.count, c.value_at_risk)
    return total


def _ranked(keys: Iterable[str], raw: dict[tuple[str, str], Cell], axis: int) -> list[str]:
    """Keys by value at risk, then count, then name: the heaviest first, stable for ties."""
    totals = {k: _sum(c for key, c in raw.items() if key[axis] == k) for k in keys}
    return sorted(totals, key=lambda k: (-totals[k].value_at_risk, -totals[k].count, k))


def _shape(raw: dict[tuple[str, str], Cell], rows: list[str], columns: list[str], *,
           max_rows: int, max_columns: int | None, other_row: str, other_column: str,
           row_notes: dict[str, str] | None = None) -> Grid:
    """Cap rows and columns (the rest go to `other_row`/`other_column`), then level every cell."""
    hidden_rows = max(0, len(rows) - max_rows)
    if hidden_rows:
        kept = set(rows[:max_rows - 1])
        hidden_rows += 1
        rows = [*rows[:max_rows - 1], other_row]
    else:
        kept = set(rows)
    hidden_columns = 0
    if max_columns is not None and len(columns) > max_columns:
        hidden_columns = len(columns) - max_columns + 1
        kept_cols = set(columns[:max_columns - 1])
        columns = [*columns[:max_columns - 1], other_column]
    else:
        kept_cols = set(columns)
    capped: dict[tuple[str, str], Cell] = {}
    for (r, c), cell in raw.items():
        key = (r if r in kept else other_row, c if c in kept_cols else other_column)
        capped[key] = _add(capped.get(key, Cell()), cell.count, cell.value_at_risk)
    scale = bands(max((c.value_at_risk for c in capped.values()), default=0.0))
    cells = {k: Cell(c.count, c.value_at_risk, level(c.value_at_risk, scale)) for k, c in capped.items()}
    row_totals = {r: _sum(c for (rr, _), c in capped.items() if rr == r) for r in rows}
    column_totals = {col: _sum(c for (_, cc), c in capped.items() if cc == col) for col in columns}
    return Grid(rows, columns, cells, row_totals, column_totals, scale, row_notes or {}, hidden_rows, hidden_columns)


def type_site_grid(points: Iterable[tuple[str | None, str, str | None, int, float]], *, max_rows: int = 12,
                   max_columns: int = 5) -> Grid:
    """(workflow, exception_type, site, count, value) → exception types (rows) × sites (columns).

    Rows and columns are ordered by value at risk, heaviest first; past `max_rows` types and
    `max_columns` sites the rest are summed into "other types" and "other sites". Each row notes
    its workflow.
    """
    raw: dict[tuple[str, str], Cell] = {}
    notes: dict[str, str] = {}
    for workflow, exception_type, site, count, value in points:
        key = (exception_type or "(none)", site or NO_SITE)
        raw[key] = _add(raw.get(key, Cell()), count, value)
        notes.setdefault(key[0], workflow or "(none)")
    rows = _ranked({r for r, _ in raw}, raw, 0)
    columns = _ranked({c for _, c in raw}, raw, 1)
    return _shape(raw, rows, columns, max_rows=max_rows, max_columns=max_columns, other_row=OTHER_TYPES,
                  other_column=OTHER_SITES, row_notes=notes)


def day_columns(days: Iterable[date | None], as_of: date, width: int = 7) -> tuple[list[str], date | None]:
    """The day columns of the site × day map: up to `width` days ending at the as-of date.

    Returns the column labels (`older` first when older days exist, `no date` last when some
    exceptions have no event time) and the first day shown, so callers can bucket older days.
    """
    seen = set(days)
    dated = sorted(d for d in seen if d is not None)
    if not dated:
        return ([UNDATED] if None in seen else []), None
    end = max(as_of, dated[-1])
    start = max(dated[0], end - timedelta(days=width - 1))
    columns = [EARLIER] if dated[0] < start else []
    columns += [(start + timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]
    if None in seen:
        columns.append(UNDATED)
    return columns, start


def site_day_grid(points: Sequence[tuple[str | None, date | None, int, float]], as_of: date,
                  width: int = 7, max_rows: int = 10) -> Grid:
    """(site, day, count, value) → sites (rows, by value at risk) × days; past `max_rows` sites the
    rest are summed into "other sites"."""
    columns, start = day_columns((p[1] for p in points), as_of, width)
    raw: dict[tuple[str, str], Cell] = {}
    for site, day, count, value in points:
        row = site or NO_SITE
        if day is None:
            column = UNDATED
        elif start is not None and day < start:
            column = EARLIER
        else:
            column = day.isoformat()
        raw[(row, column)] = _add(raw.get((row, column), Cell()), count, value)
    rows = _ranked({r for r, _ in raw}, raw, 0)
    return _shape(raw, rows, columns, max_rows=max_rows, max_columns=None, other_row=OTHER_SITES,
                  other_column=OTHER_SITES)


def points_by_type_site_sql(relation: str) -> str:
    return (f"SELECT min(workflow), exception_type, site, count(*), coalesce(sum(value_at_risk), 0) "
            f"FROM {relation} GROUP BY exception_type, site ORDER BY ALL")


def points_by_site_day_sql(relation: str) -> str:
    """Days in the config's time zone (bound as the one parameter): a shift that ends at 23:30
    local time belongs to that day, not to the next UTC day."""
    return (f"SELECT site, CAST(timezone(?, event_at) AS DATE) AS day, count(*), coalesce(sum(value_at_risk), 0) "
            f"FROM {relation} GROUP BY ALL ORDER BY ALL")
