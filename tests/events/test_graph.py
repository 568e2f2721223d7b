"""The chain graph of orders alone against a union-find in Python: the same chains, ids and row order."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from recon.catalogue import ensure_table
from recon.db import Database
from recon.events.build import build
from tests.events.conftest import config

# Few values, so that rows share references, bare numbers meet prefixed ones and prefixes collide.
VALUES = st.sampled_from(["SO-1", "SO1", "1", "01", "PO-1", "PO-2", "2", "SO-2", "3", "X3", "AB3", "0", "", None,
                          "so 2", "10", "SO-10"])
ROWS = st.lists(st.tuples(VALUES, VALUES), max_size=10)


def _chains(nodes_of_rows: list[list[str]]) -> dict[str, str]:
    """node -> chain id: components of the rows' nodes and the bridges (a bare number to the one prefixed
    value with that number), each named by its smallest node (one family: text order)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    def union(x: str, y: str) -> None:
        parent[find(x)] = find(y)

    for nodes in nodes_of_rows:
        for node in nodes:
            union(node, nodes[0])
    prefixed: dict[str, list[str]] = {}
    for node in list(parent):
        if m := re.fullmatch(r"([A-Z]+)([0-9].*)", node.split(":", 1)[1]):
            prefixed.setdefault(m.group(2), []).append(node)
    for node in list(parent):
        if len(prefixed.get(node.split(":", 1)[1], [])) == 1:
            union(node, prefixed[node.split(":", 1)[1]][0])
    members: dict[str, list[str]] = {}
    for node in parent:
        members.setdefault(find(node), []).append(node)
    return {node: min(group) for group in members.values() for node in group}


@settings(max_examples=40, deadline=None)
@given(erp=ROWS, wms=ROWS)
def test_order_chains_are_the_components_of_rows_and_bridges(erp: list[tuple[str | None, str | None]],
                                                              wms: list[tuple[str | None, str | None]]) -> None:
    db = Database(None)
    try:
        for system, rows in (("erp", erp), ("wms", wms)):
            ensure_table(db, system, "orders")
            for order_id, po in rows:
                db.execute(f"INSERT INTO {system}.orders (order_id, customer_po) VALUES (?, ?)", [order_id, po])
        build(db, config())
        nodes_of_rows = [[n for n in row if n is not None] for row in db.rows(
            "SELECT chain_node('order', order_id), chain_node('order', customer_po) FROM erp.orders UNION ALL "
            "SELECT chain_node('order', order_id), chain_node('order', customer_po) FROM wms.orders")]
        expected = _chains([n for n in nodes_of_rows if n])
        got = db.rows("SELECT node, correlation_id FROM main.correlation")
        assert got == sorted(expected.items())  # every node once, in text order, with its chain's smallest node
    finally:
        db.close()
