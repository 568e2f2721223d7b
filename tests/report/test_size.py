"""The size budget: report.html stays under 100 KB whatever the data (Gmail clips at 102 KB and
cuts the end of a message, where the work lists are). Every list is capped and says how many more
rows the files hold; this renders a night far bigger than the caps and measures the page."""

from __future__ import annotations

import re

from recon.config.schema import Config
from recon.db import Database
from recon.report import context, html
from recon.report.outputs import render_html
from recon.rules.contract import exceptions_ddl

from .fixtures import RUN_ID, base_facts

BUDGET = 100_000
SITES = 12


def big_night(exceptions: int = 8000, sites: int = SITES) -> Database:
    """A 20k-order night's worth of exceptions: 12 sites, 40 types in 6 workflows, 9 owners, 30 days,
    long keys and messages, a third of them carried over and some acked."""
    db = Database()
    db.execute(exceptions_ddl("main.exceptions"))
    db.execute(f"""
        INSERT INTO main.exceptions (run_id, exception_id, rule_id, workflow, exception_type, severity, owner, fix_in,
            order_id, line_no, shipment_id, invoice_id, customer_id, site, field, left_value, right_value,
            value_at_risk, currency, as_of, event_at, age_hours, message)
        SELECT '{RUN_ID}', printf('%016x', i * 7919), 'rule-' || (i % 40), 'workflow-' || (i % 6),
               'exception-type-number-' || (i % 40), ['critical', 'high', 'medium', 'low'][1 + i % 4],
               'owner-team-' || (i % 9), ['erp', 'wms', 'tms', 'edi'][1 + i % 4],
               printf('%010d', 10000000 + i), 1 + i % 20, 'SH' || printf('%08d', i), 'INV' || printf('%08d', i),
               'CUST-' || (i % 500), 'SITE-' || (i % {sites}), 'quantity_shipped', CAST(i % 97 AS VARCHAR),
               CAST(i % 89 AS VARCHAR), CAST((i * 37) % 200000 AS DECIMAL(18, 2)) / 3, 'USD',
               TIMESTAMPTZ '2026-11-20 06:00:00+00', TIMESTAMPTZ '2026-11-20 06:00:00+00' - to_hours(i % 720),
               i % 720, 'order ' || printf('%010d', 10000000 + i) || ' line ' || (1 + i % 20)
                   || ': shipped a different quantity than the ERP posted; check the goods issue and the pick list'
        FROM range({exceptions}) AS t(i)""")
    db.execute("CREATE TABLE main.exception_status AS SELECT run_id, exception_id, "
               "['new', 'open', 'reopened'][1 + (hash(exception_id) % 3)::INT] AS status, "
               "(hash(exception_id) % 7 = 0) AS acked, DATE '2026-12-31' AS ack_until, "
               "'a long acknowledgement note explaining the known issue and who is on it' AS ack_note "
               "FROM main.exceptions")
    return db


def test_the_report_of_a_big_night_stays_under_the_size_budget():
    db = big_night()
    config = Config()
    facts = base_facts()
    sources = [{**facts.sources[0], "source": f"source-{i}", "rows_rejected": i % 3} for i in range(SITES * 2)]
    summary = context.build(db, facts.__class__(**{**facts.__dict__, "sources": sources}), config, "critical")
    page = render_html(db, summary, config)
    size = len(page.encode("utf-8"))
    assert size < BUDGET, f"report.html is {size:,} bytes"
    assert summary.exceptions["total"] == 8000
    # the page says what it left out and where it is
    assert f"{8000 - html.TOP_N:,} more are in exceptions.csv" in page
    assert "lighter types are summed in &ldquo;other types&rdquo;" in page
    assert "lighter sites are summed in &ldquo;other sites&rdquo;" in page
    ids = set(re.findall(r">([0-9a-f]{16})<", page))
    assert len(ids) >= html.TOP_N


def test_more_sites_do_not_grow_the_page():
    config = Config()
    sizes = []
    for sites in (3, 12, 40):
        db = big_night(exceptions=3000, sites=sites)
        summary = context.build(db, base_facts(), config, None)
        sizes.append(len(render_html(db, summary, config).encode("utf-8")))
    assert max(sizes) - min(sizes) < 6_000, sizes  # capped: rows past the cap go to "other sites"
