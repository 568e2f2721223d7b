"""Heat map shaping (pure): colour levels, workflow strips, site × day columns and buckets."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from recon.report.heatmap import (
    EARLIER,
    LEVELS,
    NO_SITE,
    UNDATED,
    Cell,
    day_columns,
    level,
    site_day_grid,
    workflow_strips,
)


@given(st.integers(0, 10**6), st.integers(0, 10**6))
def test_level_is_zero_only_for_nothing_and_never_above_the_top(count, other):
    top = max(count, other)
    lv = level(count, top)
    assert (lv == 0) == (count == 0)
    assert 0 <= lv <= LEVELS
    if count and count == top:
        assert lv == LEVELS


@given(st.integers(1, 10**5), st.integers(1, 10**5), st.integers(1, 10**5))
def test_level_never_decreases_with_the_count(a, b, top):
    top = max(a, b, top)
    low, high = sorted((a, b))
    assert level(low, top) <= level(high, top)


def test_log_scale_keeps_small_cells_visible_next_to_a_huge_one():
    assert level(1, 1000) == 1 and level(30, 1000) == 3 and level(1000, 1000) == 5


def test_workflow_strips_hottest_type_first_totals_and_padding():
    strips = workflow_strips([
        ("order-to-cash", "shipped-not-posted", 2, 100.0), ("order-to-cash", "invoice-qty-mismatch", 9, 5.0),
        ("edi", "edi-rejected", 1, 0.0), ("order-to-cash", "duplicate-invoice", 2, 300.0),
    ])
    assert [s.workflow for s in strips] == ["edi", "order-to-cash"]
    o2c = strips[1]
    assert [name for name, _ in o2c.cells] == ["invoice-qty-mismatch", "duplicate-invoice", "shipped-not-posted"]
    assert o2c.total == Cell(13, 405.0)
    assert o2c.cells[0][1].level == LEVELS
    lines = o2c.rows(2)
    assert [len(line) for line in lines] == [2, 2] and lines[1][1] is None


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
    assert grid.rows == ["DC-EAST", "DC-WEST", NO_SITE]
    assert grid.columns == [EARLIER, "2026-11-19", "2026-11-20", UNDATED]
    assert grid.cell("DC-EAST", EARLIER) == Cell(3, 6.0, level(3, 3))
    assert grid.cell("DC-WEST", "2026-11-19") == Cell()
    assert grid.row_totals["DC-EAST"] == Cell(6, 36.0)
    assert grid.column_totals["2026-11-19"] == Cell(1, 10.0)
