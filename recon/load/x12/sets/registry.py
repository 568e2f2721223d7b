"""Transaction set id -> mapper: the one table the parser, the separator check and the docs read.

Adding a set is one new module (a `map_*` function and its `SetMapper`) plus one line here.
A set that is not listed still lands in edi_documents (see `unmapped`).
"""

from __future__ import annotations

from recon.load.x12.sets import deliveries, functional_acks, invoices, order_acks, orders, returns, shipments, stock
from recon.load.x12.sets.base import SetMapper

MAPPERS: dict[str, SetMapper] = {m.transaction_set: m for m in (
    orders.PURCHASE_ORDER,  # 850
    orders.WAREHOUSE_SHIPPING_ORDER,  # 940
    order_acks.PURCHASE_ORDER_ACK,  # 855
    shipments.SHIP_NOTICE,  # 856
    shipments.WAREHOUSE_SHIPPING_ADVICE,  # 945
    invoices.INVOICE,  # 810
    functional_acks.FUNCTIONAL_ACK,  # 997
    functional_acks.IMPLEMENTATION_ACK,  # 999
    stock.INVENTORY_ADVICE,  # 846
    deliveries.CARRIER_STATUS,  # 214
    returns.RETURN_AUTHORIZATION,  # 180
)}

MAPPED_SETS: dict[str, str] = {ts: ", ".join(m.entities) for ts, m in MAPPERS.items()}
"""Transaction set id -> the tables it fills, as text (for messages and docs)."""
