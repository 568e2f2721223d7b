"""Heat map shaping (pure): colour levels, workflow strips, site × day columns and buckets."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from recon.report.heatmap import (
    EARLIER,
    LEVELS,
    NO_SITE,
    NO_VALUE,
    OTHER_SITES,
    OTHER_TYPES,
    PALETTE,
    UNDATED,
    Cell,
    bands,
    day_columns,
    level,
    site_day_grid,
    type_site_grid,
)


@given(st.floats(0, 1e9), st.floats(0.01, 1e9))
def test_level_is_zero_only_for_nothing_at_risk_and_the_largest_is_the_top_band(value, other):
    top = max(value, other)
    scale = bands(top)
    lv = level(value, scale)
    assert (lv == 0) == (value == 0)
    assert 0 <= lv <= LEVELS
    assert level(top, scale) == LEVELS


@given(st.floats(0.01, 1e8), st.floats(0.01, 1e8), st.floats(0.01, 1e8))
def test_level_never_decreases_with_the_value(a, b, top):
    scale = bands(max(a, b, top))
    low, high = sorted((a, b))
    assert level(low, scale) <= level(high, scale)


def test_bands_are_decades_ending_with_the_largest_values_decade():
    scale = bands(197_900.0)
    assert [b.low for b in scale] == [0.0, 100.0, 1000.0, 10000.0, 100000.0]
    assert scale[-1].high is None and scale[0].high == 100.0
    assert level(0.01, scale) == 1 and level(2_000, scale) == 3 and level(197_900, scale) == LEVELS
    assert bands(0) == []


def test_colour_follows_value_not_count_and_empty_differs_from_no_value():
    grid = site_day_grid([("S1", date(2026, 11, 20), 3, 99.0), ("S2", date(2026, 11, 20), 2, 13_100.0),
                          ("S3", date(2026, 11, 20), 4, 0.0)], as_of=date(2026, 11, 20))
    few_but_dear, many_but_cheap = grid.cell("S2", "2026-11-20"), grid.cell("S1", "2026-11-20")
    assert few_but_dear.level > many_but_cheap.level
    assert grid.cell("S3", "2026-11-20").colour == NO_VALUE
    assert grid.cell("S1", "2026-11-19") == Cell() and Cell().colour == PALETTE[0]
    assert grid.rows == ["S2", "S1", "S3"]  # by value at risk


def test_type_site_grid_is_a_true_grid_capped_with_other_rows_and_columns():
    points = [("o2c", f"type-{i}", f"site-{j}", 1, float(100 * i + j)) for i in range(15) for j in range(8)]
    grid = type_site_grid(points, max_rows=12, max_columns=5)
    assert len(grid.rows) == 12 and grid.rows[-1] == OTHER_TYPES and grid.rows[0] == "type-14"
    assert len(grid.columns) == 5 and grid.columns[-1] == OTHER_SITES and grid.columns[0] == "site-7"
    assert grid.hidden_rows == 4 and grid.hidden_columns == 4
    assert grid.cell(OTHER_TYPES, OTHER_SITES).count == 4 * 4
    assert sum(c.count for c in grid.row_totals.values()) == 15 * 8
    assert round(sum(c.value_at_risk for c in grid.cells.values()), 2) == round(sum(p[4] for p in points), 2)
    assert grid.row_notes["type-3"] == "o2c"


def test_day_columns_window_earlier_and_undated():
    days = [date(2026, 11, 1), date(2026, 11, 18), None, date(2026, 11, 20)]
    columns, start = day_columns(days, date(2026, 11, 20), width=3)
    assert columns == [EARLIER, "2026-11-18", "2026-11-19", "2026-11-20", UNDATED]
    assert start == date(2026, 11, 18)
    assert day_columns([], date(2026, 11, 20)) == ([], None)
    assert day_columns([None], date(2026, 11, 20)) == ([UNDATED], None)


def test_site_day_grid_buckets_rows_and_totals():
    grid = site_day_grid([
        ("DC-EAST", date(2026, 11, 20), 3, 30.0), (None, date(2026, 11, 19), 1, 10.0),
        ("DC-EAST", date(2026, 10, 1), 2, 5.0), ("DC-WEST", None, 1, 0.0), ("DC-EAST", date(2026, 10, 2), 1, 1.0),
    ], as_of=date(2026, 11, 20), width=2)
    assert grid.rows == ["DC-EAST", NO_SITE, "DC-WEST"]  # by value at risk
    assert grid.columns == [EARLIER, "2026-11-19", "2026-11-20", UNDATED]
    assert grid.cell("DC-EAST", EARLIER) == Cell(3, 6.0, level(6.0, grid.scale))
    assert grid.cell("DC-WEST", "2026-11-19") == Cell()
    assert grid.row_totals["DC-EAST"] == Cell(6, 36.0)
    assert grid.column_totals["2026-11-19"] == Cell(1, 10.0)
