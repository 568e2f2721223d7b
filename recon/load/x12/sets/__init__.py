"""Transaction sets -> rows of canonical entities (see DESIGN.md, "Canonical model").

One module per transaction set or family (`orders`: 850/940, `order_acks`: 855, `shipments`:
856/945, `invoices`: 810, `functional_acks`: 997/999, `stock`: 846, `deliveries`: 214,
`returns`: 180), what they share in `base`, the table layouts in `schema`, and `registry`,
which maps a transaction set id to its mapper. Sets without a mapper get a reference and date
for edi_documents from `unmapped`.

Each mapper is a single loop over the set's segments that dispatches on the segment id through
a dict of small integer codes (one dict lookup and a few int compares per segment, no
per-segment function call), keeps the set's header values in locals, and hands its rows over
as tuples or lists in the `schema.HEADS`/`schema.LINES` order. Lists that later segments fill
in are indexed by named slot constants, never by bare numbers.

Rows of a set are collected locally and only handed over when the whole set mapped; a set
that lacks its beginning segment or its business key raises `base.Reject` and contributes no
rows (a finding says why), while its neighbours load normally.

All values are strings (numbers as plain decimals, dates 'YYYY-MM-DD', timestamps
'YYYY-MM-DD HH:MM:SS'); `_source_row` is the 1-based position of the segment the row came
from (ISA = 1), counted over the whole file.
"""
