"""Fuzzy matching: blocked candidates only, best one-to-one, ties reported, rapidfuzz as an Arrow UDF."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from recon.db import Database
from recon.load.loader import ensure_table
from recon.rules import fuzzy
from recon.rules.loader import load_rules
from recon.rules.runner import run_rules
from tests.rules.helpers import AS_OF

PACK = """
pack: t
workflow: edi
title: T
rules:
  - id: names
    kind: match
    title: Names
    left: {table: edi.orders}
    right: {table: erp.orders}
    keys: [customer_po]
    fuzzy:
      - {field: customer_id, scorer: exact}
      - {field: customer_name, scorer: SCORER, threshold: 80}
    missing_right: {exception: unmatched, severity: low}
    missing_left: {exception: extra, severity: low}
    compare:
      - {field: customer_name, exception: renamed, severity: low}
    ambiguous: {exception: ambiguous, severity: low}
"""


def run(tmp_path: Path, left: list[tuple], right: list[tuple], scorer: str = "token_set_ratio") -> list[dict]:
    path = tmp_path / "p.yaml"
    path.write_text(PACK.replace("SCORER", scorer), encoding="utf-8")
    ruleset = load_rules([path])
    db = Database()
    for table, rows in (("edi.orders", left), ("erp.orders", right)):
        target = ensure_table(db, *table.split("."))
        for i, (po, cid, name) in enumerate(rows):
            db.execute(f"INSERT INTO {target} (order_id, customer_po, customer_id, customer_name, _source_file, "
                       "_source_row) VALUES (?, ?, ?, ?, ?, ?)", [f"{table}{i}", po, cid, name, table, i + 1])
    run_rules(db, ruleset.rules, as_of=AS_OF, run_id="t")
    return db.dicts("SELECT exception_type, customer_po, left_value, right_value, message FROM main.exceptions "
                    "ORDER BY exception_type, customer_po")


def test_id_first_then_name_one_to_one(tmp_path: Path) -> None:
    left = [("P1", "C1", "ACME CORP."), ("P2", None, "BLUEBIRD HARDWARE"), ("P3", None, "Nobody At All")]
    right = [("P1", "C1", "Acme Corporation"), ("P2", "C2", "Bluebird Hardware Inc."), ("P3", "C9", "Zeta Ltd")]
    found = run(tmp_path, left, right)
    types = [(r["exception_type"], r["customer_po"]) for r in found]
    # P1 pairs by id (names differ: compared, reported as renamed); P2 by name; P3 nothing qualifies
    assert types == [("extra", "P3"), ("renamed", "P1"), ("renamed", "P2"), ("unmatched", "P3")]


def test_candidates_are_blocked_by_the_keys(tmp_path: Path) -> None:
    """The same name under another PO is never a candidate."""
    found = run(tmp_path, [("P1", None, "Acme")], [("P2", None, "Acme")])
    assert sorted(r["exception_type"] for r in found) == ["extra", "unmatched"]


def test_best_candidate_wins_and_each_row_is_used_once(tmp_path: Path) -> None:
    left = [("P1", None, "Harbor Plumbing Supply"), ("P1", None, "Harbor Plumbing Supply Inc")]
    right = [("P1", None, "Harbor Plumbing Supply Inc"), ("P1", None, "Harbor Plumbing Supply")]
    assert run(tmp_path, left, right, scorer="ratio") == []


def test_ties_are_reported_as_ambiguous(tmp_path: Path) -> None:
    left = [("P1", None, "Acme")]
    right = [("P1", None, "Acme"), ("P1", None, "acme")]
    found = run(tmp_path, left, right)
    assert [r["exception_type"] for r in found] == ["ambiguous", "extra"]


@pytest.mark.parametrize("scorer", ["jaro_winkler", "levenshtein", "damerau_levenshtein", "jaccard", "jaro",
                                    "ratio", "partial_ratio", "token_sort_ratio", "WRatio", "QRatio"])
def test_every_scorer_runs(tmp_path: Path, scorer: str) -> None:
    found = run(tmp_path, [("P1", None, "Bluebird Hardware")], [("P1", None, "Bluebird Hardware")], scorer)
    assert found == []


def test_rapidfuzz_udf_scores_vectors_and_keeps_nulls() -> None:
    score = fuzzy.scorer_function("token_set_ratio")
    out = score(pa.array(["Acme Corp", None, "abc"]), pa.array(["ACME corp.", "x", None]))
    assert out.to_pylist()[0] == 100.0 and out.to_pylist()[1:] == [None, None]
    db = Database()
    fuzzy.register(db, ["token_set_ratio"])
    fuzzy.register(db, ["token_set_ratio"])  # registering twice is harmless
    assert db.rows("SELECT recon_rf_token_set_ratio('Bluebird Hardware', 'BLUEBIRD HARDWARE INC'), "
                   "recon_rf_token_set_ratio(NULL, 'x')") == [(100.0, None)]


def test_database_registers_python_functions_vectorized_or_row_wise_and_replaces_them() -> None:
    db = Database()
    db.register_function("twice", lambda a: pc.multiply(a, 2), ["BIGINT"], "BIGINT")
    assert db.rows("SELECT twice(x) FROM range(3) AS t(x)") == [(0,), (2,), (4,)]
    db.register_function("twice", lambda a: a * 3, ["BIGINT"], "BIGINT", vectorized=False)  # replaced
    assert db.rows("SELECT twice(2), twice(NULL)") == [(6, None)]  # a NULL argument: NULL, fn not called
