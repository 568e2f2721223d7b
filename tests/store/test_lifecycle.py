"""The lifecycle SQL against a plain Python statement of the rules, on hand-made and random histories."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from recon.db import Database
from recon.store.lifecycle import mean_time_to_resolve_sql, statuses_sql

BASE = datetime(2026, 11, 1, 6, tzinfo=UTC)


def compute(presence: list[set[str]], gaps: list[int], insert_order: list[int] | None = None) -> Database:
    """Runs r0..rN at BASE + cumulative gaps (hours), inserted in `insert_order`; statuses into _s."""
    db = Database()
    db.execute("CREATE TABLE runs (run_id VARCHAR, as_of TIMESTAMPTZ, started_at TIMESTAMPTZ)")
    db.execute("CREATE TABLE presence (run_id VARCHAR, exception_id VARCHAR, exception_type VARCHAR, "
               "workflow VARCHAR, rule_id VARCHAR, severity VARCHAR, owner VARCHAR)")
    at = BASE
    stamps = []
    for gap in gaps:
        at += timedelta(hours=gap)
        stamps.append(at)
    order = insert_order or list(range(len(presence)))
    for k in order:
        # started_at deliberately unrelated to as_of: the line is ordered by as_of (a backfill sorts in).
        db.execute("INSERT INTO runs VALUES (?, ?, ?)", [f"r{k}", stamps[k], BASE + timedelta(minutes=order.index(k))])
        for eid in sorted(presence[k]):
            db.execute("INSERT INTO presence VALUES (?, ?, ?, 'w', 'rule', 'high', ?)",
                       [f"r{k}", eid, f"t-{eid[0]}", f"owner-{eid[0]}"])
    db.execute(f"CREATE TABLE _s AS {statuses_sql('runs', 'presence')}")
    return db


def expected(presence: list[set[str]], gaps: list[int]) -> dict[tuple[str, str], tuple[str, float]]:
    """(run, id) -> (status, hours_open), straight from the definitions in recon.store.lifecycle."""
    hours = [sum(gaps[: k + 1]) for k in range(len(gaps))]
    out: dict[tuple[str, str], tuple[str, float]] = {}
    since: dict[str, int] = {}
    for k, now in enumerate(presence):
        before = presence[k - 1] if k else set()
        ever = set().union(*presence[:k]) if k else set()
        for eid in now:
            if eid in before:
                status = "open"
            else:
                since[eid] = k
                status = "reopened" if eid in ever else "new"
            out[(f"r{k}", eid)] = (status, float(hours[k] - hours[since[eid]]))
        for eid in before - now:
            out[(f"r{k}", eid)] = ("resolved", float(hours[k] - hours[since[eid]]))
    return out


def actual(db: Database) -> dict[tuple[str, str], tuple[str, float]]:
    return {(r, e): (s, float(h)) for r, e, s, h in db.rows("SELECT run_id, exception_id, status, hours_open FROM _s")}


def test_three_runs_new_open_resolved_reopened_with_ages():
    presence = [{"a1", "b1"}, {"a1", "c1"}, {"b1", "c1"}]
    db = compute(presence, [0, 24, 24])
    got = actual(db)
    assert got[("r0", "a1")] == ("new", 0.0)
    assert got[("r1", "a1")] == ("open", 24.0)
    assert got[("r1", "b1")] == ("resolved", 24.0)
    assert got[("r1", "c1")] == ("new", 0.0)
    assert got[("r2", "b1")] == ("reopened", 0.0)
    assert got[("r2", "c1")] == ("open", 24.0)
    assert got[("r2", "a1")] == ("resolved", 48.0)
    first = dict(db.rows("SELECT exception_id, first_seen_at FROM _s WHERE run_id = 'r2' AND status <> 'resolved'"))
    assert first == {"b1": BASE, "c1": BASE + timedelta(hours=24)}  # b1: first seen at r0, reopened at r2
    mttr = db.rows(mean_time_to_resolve_sql("_s"))
    assert mttr == [("t-a", 48.0, 1), ("t-b", 24.0, 1)]


def test_backfilled_run_sorts_by_as_of_not_by_when_it_ran():
    presence = [{"x1"}, set(), {"x1"}]
    db = compute(presence, [0, 24, 24], insert_order=[0, 2, 1])  # r1 recorded last, as a backfill
    assert actual(db) == expected(presence, [0, 24, 24])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sets(st.sampled_from(["a1", "a2", "b1", "c1"]), max_size=4), min_size=1, max_size=6),
       st.randoms(use_true_random=False))
def test_sql_agrees_with_the_definitions(presence: list[set[str]], rnd: random.Random) -> None:
    gaps = [0] + [rnd.choice([1, 6, 24, 72]) for _ in presence[1:]]
    order = list(range(len(presence)))
    rnd.shuffle(order)
    assert actual(compute(presence, gaps, order)) == expected(presence, gaps)


def test_every_status_keeps_the_owner_the_exception_was_last_found_in():
    """MTTR per owner needs the owner of an exception that is gone: the resolved row keeps it."""
    db = compute([{"a1", "b1"}, {"a1"}, set()], [0, 24, 24])
    rows = db.rows("SELECT exception_id, status, owner FROM _s ORDER BY ALL")
    assert {r[1] for r in rows} >= {"new", "open", "resolved"}
    assert all(owner == f"owner-{eid[0]}" for eid, _, owner in rows)
