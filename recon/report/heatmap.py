"""The reconciliation heat maps: where exceptions pile up, as grids of coloured cells.

Two views answer the questions an operations lead starts with: which workflow and which kind of
disagreement (workflow × exception type), and where and when (site × day). Shaping is pure:
it takes aggregated points and returns rows of cells with a colour level, so the HTML template
only lays them out. Levels grow with the logarithm of the count because exception counts are
skewed (one broken interface can produce hundreds): a linear scale would paint every other
cell the palest colour.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

LEVELS = 5
# Light to dark (ColorBrewer OrRd): readable labels on every level, distinct when printed in grey.
PALETTE = ("#ffffff", "#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000")
NO_SITE = "(no site)"
EARLIER = "earlier"
UNDATED = "undated"


@dataclass(frozen=True)
class Cell:
    count: int = 0
    value_at_risk: float = 0.0
    level: int = 0

    @property
    def colour(self) -> str:
        return PALETTE[self.level]

    @property
    def text_colour(self) -> str:
        return "#ffffff" if self.level >= 4 else "#1f2328"


@dataclass(frozen=True)
class Strip:
    """One workflow and its exception types, hottest first."""

    workflow: str
    total: Cell
    cells: list[tuple[str, Cell]]

    def rows(self, width: int) -> list[list[tuple[str, Cell] | None]]:
        """The cells cut into lines of `width`, the last padded, so the table stays rectangular."""
        lines: list[list[tuple[str, Cell] | None]] = []
        for start in range(0, max(len(self.cells), 1), width):
            line: list[tuple[str, Cell] | None] = list(self.cells[start:start + width])
            lines.append(line + [None] * (width - len(line)))
        return lines


@dataclass(frozen=True)
class Grid:
    """Rows × columns of cells with totals; empty cells are level 0."""

    rows: list[str]
    columns: list[str]
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)
    row_totals: dict[str, Cell] = field(default_factory=dict)
    column_totals: dict[str, Cell] = field(default_factory=dict)

    def cell(self, row: str, column: str) -> Cell:
        return self.cells.get((row, column), Cell())


def level(count: int, max_count: int, levels: int = LEVELS) -> int:
    """0 for nothing, 1..levels by log(1 + count) relative to the largest cell."""
    if count <= 0 or max_count <= 0:
        return 0
    return max(1, min(levels, math.ceil(levels * math.log1p(count) / math.log1p(max_count))))


def _add(a: Cell, count: int, value: float) -> Cell:
    return Cell(a.count + int(count), round(a.value_at_risk + float(value), 2))


def _levelled(cells: dict[str, Cell], max_count: int) -> dict[str, Cell]:
    return {k: Cell(c.count, c.value_at_risk, level(c.count, max_count)) for k, c in cells.items()}


def workflow_strips(points: Iterable[tuple[str, str, int, float]]) -> list[Strip]:
    """(workflow, exception_type, count, value) → one strip per workflow, in name order.

    Types within a workflow are sorted by count, then value, then name, so the hottest cell is
    first and the order is stable for equal counts. Colour is relative to the largest type cell.
    """
    by_workflow: dict[str, dict[str, Cell]] = {}
    for workflow, exception_type, count, value in points:
        types = by_workflow.setdefault(workflow or "(none)", {})
        types[exception_type] = _add(types.get(exception_type, Cell()), count, value)
    max_count = max((c.count for types in by_workflow.values() for c in types.values()), default=0)
    strips = []
    for workflow in sorted(by_workflow):
        types = _levelled(by_workflow[workflow], max_count)
        ordered = sorted(types.items(), key=lambda kv: (-kv[1].count, -kv[1].value_at_risk, kv[0]))
        total = Cell(sum(c.count for c in types.values()), round(sum(c.value_at_risk for c in types.values()), 2))
        strips.append(Strip(workflow, total, ordered))
    return strips


def day_columns(days: Iterable[date | None], as_of: date, width: int = 14) -> tuple[list[str], date | None]:
    """The day columns of the site × day map: up to `width` days ending at the as-of date.

    Returns the column labels (`earlier` first when older days exist, `undated` last when some
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
                  width: int = 14) -> Grid:
    """(site, day, count, value) → a Grid with sites as rows (alphabetical, no site last)."""
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
    rows = sorted({r for r, _ in raw}, key=lambda r: (r == NO_SITE, r))
    max_count = max((c.count for c in raw.values()), default=0)
    cells = {k: Cell(c.count, c.value_at_risk, level(c.count, max_count)) for k, c in raw.items()}
    row_totals = {r: Cell(sum(c.count for (rr, _), c in raw.items() if rr == r),
                          round(sum(c.value_at_risk for (rr, _), c in raw.items() if rr == r), 2)) for r in rows}
    column_totals = {col: Cell(sum(c.count for (_, cc), c in raw.items() if cc == col),
                               round(sum(c.value_at_risk for (_, cc), c in raw.items() if cc == col), 2))
                     for col in columns}
    return Grid(rows, columns, cells, row_totals, column_totals)


def points_by_workflow_sql(relation: str) -> str:
    return (f"SELECT coalesce(workflow, '(none)'), exception_type, count(*), coalesce(sum(value_at_risk), 0) "
            f"FROM {relation} GROUP BY ALL ORDER BY ALL")


def points_by_site_day_sql(relation: str) -> str:
    """Days in the config's time zone (bound as the one parameter): a shift that ends at 23:30
    local time belongs to that day, not to the next UTC day."""
    return (f"SELECT site, CAST(timezone(?, event_at) AS DATE) AS day, count(*), coalesce(sum(value_at_risk), 0) "
            f"FROM {relation} GROUP BY ALL ORDER BY ALL")
