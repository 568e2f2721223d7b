"""The reference macros' fast paths give exactly what the general expressions give, on any text."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recon.db import Database
from recon.events import keys

# The general expressions, as they were before the fast paths: the reference the macros must equal.
NORM = r"upper(regexp_replace(CAST(x AS VARCHAR), '\s+', '', 'g'))"
KEY = (r"CASE WHEN _n = '' OR regexp_full_match(_n, '([A-Z]+[-_/#.:]*)?0+') THEN NULL "
       r"WHEN regexp_matches(_n, '^[A-Z]+[-_/#.:]*[0-9]') "
       r"THEN 'order:' || regexp_replace(_n, '^([A-Z]+)[-_/#.:]*0*([0-9])', '\1\2') "
       r"ELSE 'order:' || regexp_replace(_n, '^0+(.)', '\1') END")

# Capitals, digits (zeros often), lower case, separators, every kind of white space and a few others.
texts = st.text(alphabet=st.sampled_from("ABZso0001239-_/#.: \t\n\r\x0b\x0cÉß٣"), max_size=12)


@pytest.fixture(scope="module")
def db() -> Iterator[Database]:
    database = Database(None)
    keys.install(database)
    yield database
    database.close()


@settings(max_examples=300, deadline=None)
@given(values=st.lists(texts, min_size=1, max_size=20))
def test_normal_form_and_node_equal_the_general_expressions(db: Database, values: list[str]) -> None:
    rows = db.rows(f"""SELECT x, trace_norm(x), {NORM}, chain_key('order', trace_norm(x)), n_key
                       FROM (SELECT x, {KEY} AS n_key
                             FROM (SELECT x, {NORM} AS _n FROM (SELECT unnest($v) AS x)))""", {"v": values})
    for x, norm, expected_norm, key, expected_key in rows:
        assert (norm, key) == (expected_norm, expected_key), x


def test_canonical_values_take_the_fast_path_unchanged(db: Database) -> None:
    rows = db.rows("SELECT chain_node('order', x) FROM (SELECT unnest(['10000017', 'SH1000018', 'SO-01042', "
                   "'0', 'PO000', ' so 1042 ', '']) AS x)")
    assert [r[0] for r in rows] == ["order:10000017", "order:SH1000018", "order:SO1042", None, None,
                                    "order:SO1042", None]
