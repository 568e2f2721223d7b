"""Plain 856 ship notices of a columnar block read in Arrow: shipment lines as columns, no mapper call.

Why: the 856 was the one large set type with no column-wise path; every set went through
`sets.shipments.map_856`, its split, its context, its mandatory check and row bookkeeping, about
140 µs of Python per 21-segment set (the 300k sample's `outbound_856.x12`: 87,288 sets, 1.83M
segments, the largest X12 file; bench/notes.md, "X12 throughput: the 856 in Arrow"). Here the
segments of every 856 of a block are cut into elements once (`split_pattern`), the HL tree is
checked as arrays, and each set's context (PRF, REF, TD5, DTM*011, N1, MAN) is picked per set with
numpy (the first or last segment of a kind per set, as the mapper's assignments in turn leave it).

`map_856` stays the reference. A set is read here only when the mapper provably reads it the same
way and without a word: ASCII; one BSN right after ST with BSN01/03/04 non-blank, BSN02 non-empty,
a valid date and time; a chain of "header" HLs (the first without a parent, each next one the
child of the one before) followed by one or more item HLs, all children of the chain's last HL,
with distinct non-empty ids; each item HL holding exactly a LIN then an SN1 (no REF, MAN... at
item level) and no LIN/SN1 above the items; a LIN of 0-2 complete id pairs (an `LT` pair is its
lot) with no `PL` element; SN102/SN105 empty or plain numbers; DTM*011 dates and times valid; no MAN at a tare
level; no mandatory suspect in the set; no component or repetition separator in the interchange.
Every other set goes the mapper's way, and an exception here leaves every 856 of the block to it
(tests/load/x12/test_asn.py compares both ways).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from recon.load.x12.masks import NULL_TEXT as _NULL
from recon.load.x12.masks import mask as _mask
from recon.load.x12.masks import match as _match
from recon.load.x12.masks import none_if_empty as _none_if_empty
from recon.load.x12.masks import nonempty as _nonempty
from recon.load.x12.quirks import ResolvedOptions
from recon.load.x12.values import hms, ymd

MIN_SEGMENTS = 0
"""Segments of 856 sets in a block below which they are left to the mapper (the columnar pass's own
threshold already keeps small blocks out). The tests set it high to compare."""

_NUMBER = r"^(?:[0-9]+(?:\.[0-9]+)?)?$"
_NOT_BLANK = "[^ \\t\\n\\r\\x0b\\x0c]"
"""A character `str.isspace` rejects, in ASCII (the mandatory check's blank beginning-segment element)."""
_MAPPED = ("HL", "LIN", "SN1", "MAN", "PRF", "REF", "TD5", "DTM", "N1", "BSN")


class ShipKind:
    """The 856 sets of one block with one element separator: which were read here, their rows as columns.

    Quacks like `columnar._Kind` for `columnar.Block`: `headers` (per set, (shipment_id, purpose,
    asn_date) or None), `clean` (never: there are no stubs), the line columns of every read set.
    """

    entity = "shipment_lines"

    def __init__(self, text: pa.Array, e: str, set_of: np.ndarray, flat_start: np.ndarray, sizes: np.ndarray,
                 starts: np.ndarray, suspects: np.ndarray, options: list[ResolvedOptions], elements: type,
                 items: Callable[..., tuple[pa.Array, pa.Array, pa.Array]]) -> None:
        n_sets = len(sizes)
        self.flat_start, self.sizes = flat_start, sizes
        self.clean = np.zeros(n_sets, dtype=bool)
        self.taken = np.zeros(n_sets, dtype=bool)
        self.heads: list[tuple] = []
        self.headers: list[tuple | None] = [None] * n_sets
        self.line_set = np.empty(0, dtype=np.int64)
        self.counts = np.zeros(n_sets, dtype=np.int64)
        self.arrays: dict[str, pa.Array] = {}
        if len(text) < MIN_SEGMENTS or not n_sets:
            return
        try:
            headers, line_set, arrays = _read(text, e, set_of, flat_start, sizes, starts, suspects, options,
                                              elements, items)
        except Exception:  # a bug here must not cost the load: the mapper reads every set
            return
        self.headers, self.line_set, self.arrays = headers, line_set, arrays
        self.counts = np.bincount(line_set, minlength=n_sets)


def _read(text: pa.Array, e: str, set_of: np.ndarray, flat_start: np.ndarray, sizes: np.ndarray,
          starts: np.ndarray, suspects: np.ndarray, options: list[ResolvedOptions], elements: type,
          items: Callable[..., tuple[pa.Array, pa.Array, pa.Array]],
          ) -> tuple[list[tuple | None], np.ndarray, dict[str, pa.Array]]:
    """(per set its fields or None, each row's set, the rows' columns in `LINES` order) of the readable sets."""
    n_sets = len(sizes)
    n_segs = len(text)
    el = _Columns(elements(text, e))
    tag = el[0]
    pos = np.arange(n_segs, dtype=np.int64) - flat_start[set_of]
    body = (pos > 0) & (pos < sizes[set_of] - 1)  # not ST, not SE

    def bad(mask: np.ndarray) -> np.ndarray:
        """Sets with at least one segment under `mask`."""
        return np.bincount(set_of[mask], minlength=n_sets) > 0

    ok = ~bad(~_mask(pc.string_is_ascii(text)))
    if len(suspects):
        lo, hi = np.searchsorted(suspects, starts, "left"), np.searchsorted(suspects, starts + sizes, "left")
        ok &= hi == lo
    code = pc.fill_null(pc.index_in(tag, value_set=pa.array(_MAPPED)), -1).to_numpy(zero_copy_only=False)
    hl, lin, sn1, man, prf, ref, td5, dtm, n1, bsn = ((code == k) & body for k in range(len(_MAPPED)))

    # BSN: exactly one, right after ST; the values the mapper reads without a word.
    ok &= np.bincount(set_of[bsn], minlength=n_sets) == 1
    ok &= ~bad(bsn & (pos != 1))
    bsn_at = np.flatnonzero(bsn)
    b_set = set_of[bsn_at]
    b = {k: el[k].take(pa.array(bsn_at)) for k in (1, 2, 3, 4)}
    good = _match(b[1], _NOT_BLANK) & _match(b[3], _NOT_BLANK) & _match(b[4], _NOT_BLANK) & _nonempty(b[2])
    asn_date = _convert(b[3], ymd)
    asn_time = _convert(b[4], hms)
    good &= _mask(pc.is_valid(asn_date)) & _mask(pc.is_valid(asn_time))
    ok[b_set[~good]] = False
    asn_stamp = pc.binary_join_element_wise(asn_date, asn_time, " ")

    # The HL tree: a chain of header HLs, then item HLs (a LIN and an SN1 each) under the chain's last one.
    hl_at = np.flatnonzero(hl)
    n_hl = len(hl_at)
    hl_set = set_of[hl_at]
    hl_id, hl_parent, hl_level = (el[k].take(pa.array(hl_at)) for k in (1, 2, 3))
    section = np.cumsum(hl) - 1  # each segment's latest HL (index into hl_at), maybe of an earlier set
    in_section = (section >= 0) & (hl_set[np.maximum(section, 0)] == set_of) if n_hl else np.zeros(n_segs, bool)
    in_section &= body
    sec = np.where(in_section, section, -1)
    mapped_other = man | prf | ref | td5 | dtm | n1
    per_hl = {name: np.bincount(sec[m & in_section], minlength=n_hl)
              for name, m in (("lin", lin), ("sn1", sn1), ("other", mapped_other | bsn))}
    itemish = (per_hl["lin"] + per_hl["sn1"]) > 0
    ok &= ~bad((lin | sn1) & ~in_section)  # a LIN/SN1 before any HL: its context is the header's
    first_hl = np.concatenate([[True], hl_set[1:] != hl_set[:-1]]) if n_hl else np.empty(0, bool)
    previous_itemish = np.concatenate([[False], itemish[:-1]]) if n_hl else np.empty(0, bool)
    previous_itemish[first_hl] = False
    # Once an item HL came, every later HL of the set is an item HL (header HLs only at the top).
    ok &= ~bad_hl(previous_itemish & ~itemish, hl_set, n_sets)
    ok &= np.bincount(hl_set[itemish], minlength=n_sets) > 0
    ok &= np.bincount(hl_set[~itemish], minlength=n_sets) > 0
    item_good = (per_hl["lin"] == 1) & (per_hl["sn1"] == 1) & (per_hl["other"] == 0)
    ok &= ~bad_hl(itemish & ~item_good, hl_set, n_sets)
    # LIN before SN1 in each item section.
    lin_at, sn1_at = np.flatnonzero(lin & in_section), np.flatnonzero(sn1 & in_section)
    lin_of = np.full(n_hl, -1, dtype=np.int64)
    sn1_of = np.full(n_hl, -1, dtype=np.int64)
    lin_of[sec[lin_at]] = lin_at
    sn1_of[sec[sn1_at]] = sn1_at
    ok &= ~bad_hl(item_good & (lin_of > sn1_of), hl_set, n_sets)
    # Ids and parents: non-empty distinct ids; the first HL without a parent, each header HL the child of
    # the one before it, each item HL the child of the last header HL.
    ok &= ~bad_hl(~_nonempty(hl_id), hl_set, n_sets)
    if n_hl:
        codes = pc.dictionary_encode(hl_id).indices.to_numpy(zero_copy_only=False).astype(np.int64)
        order = np.lexsort((codes, hl_set))
        same = (hl_set[order][1:] == hl_set[order][:-1]) & (codes[order][1:] == codes[order][:-1])
        ok[hl_set[order][1:][same]] = False
        previous = np.maximum(np.arange(n_hl) - 1, 0)
        last_header = np.full(n_sets, -1, dtype=np.int64)
        header_hl = np.flatnonzero(~itemish)
        last_header[hl_set[header_hl[_last_per_set(hl_set[header_hl])]]] = header_hl[
            _last_per_set(hl_set[header_hl])]
        wanted = np.where(itemish, last_header[hl_set], previous)
        parent_is = _mask(pc.equal(hl_parent, hl_id.take(pa.array(np.maximum(wanted, 0)))))
        parent_ok = np.where(first_hl, ~_nonempty(hl_parent), parent_is & (wanted >= 0))
        ok &= ~bad_hl(~parent_ok, hl_set, n_sets)
        tare = _mask(pc.equal(hl_level, "T"))
        ok &= ~bad(man & in_section & tare[np.maximum(sec, 0)])

    # The header context: the segments above the first item HL, folded in order as the mapper copies them down.
    head = body & ~(in_section & itemish[np.maximum(sec, 0)]) if n_hl else body
    # LIN/SN1 of the items: 0-2 complete id pairs, no LT/PL element, plain numbers.
    lin_at = lin_at[ok[set_of[lin_at]]]
    ln = el.n[lin_at]
    lel = {k: el[k].take(pa.array(lin_at)) for k in range(1, 6)}
    lin_bad = ~((ln == 2) | (ln == 4) | (ln == 6))
    pairs = np.where(ln >= 6, 2, np.where(ln >= 4, 1, 0))
    lin_bad |= (pairs >= 1) & ~(_nonempty(lel[2]) & _nonempty(lel[3]))
    lin_bad |= (pairs >= 2) & ~(_nonempty(lel[4]) & _nonempty(lel[5]))
    for k in range(1, 6):  # a PL pair: its value is stripped (`str.strip`), left to the mapper
        lin_bad |= _mask(pc.equal(lel[k], "PL"))
    sn1_at = sn1_at[ok[set_of[sn1_at]]]
    sel = {k: el[k].take(pa.array(sn1_at)) for k in (1, 2, 3, 5, 8)}
    sn1_bad = ~(_match(sel[2], _NUMBER) & _match(sel[5], _NUMBER))
    ok[set_of[lin_at[lin_bad]]] = False
    ok[set_of[sn1_at[sn1_bad]]] = False
    # DTM*011: every one is read (and would be warned about), the last one kept.
    dtm011 = dtm & head & _mask(pc.equal(el[1], "011"))
    d_at = np.flatnonzero(dtm011)
    d_date, d_time = el[2].take(pa.array(d_at)), el[3].take(pa.array(d_at))
    shipped_date, shipped_time = _convert(d_date, ymd), _convert(d_time, hms)
    d_bad = (_nonempty(d_date) & ~_mask(pc.is_valid(shipped_date))) | (
        _nonempty(d_time) & ~_mask(pc.is_valid(shipped_time)))
    ok[set_of[d_at[d_bad]]] = False

    headers: list[tuple | None] = [None] * n_sets
    keep_b = ok[b_set]
    line_keep = ok[set_of[lin_at]]
    lin_at, sn1_at = lin_at[line_keep], sn1_at[ok[set_of[sn1_at]]]
    if not keep_b.any() or not len(lin_at):
        return headers, np.empty(0, dtype=np.int64), {}
    line_set = set_of[lin_at]
    take_b = pa.array(keep_b)
    for k, sid, pur, when in zip(b_set[keep_b].tolist(), b[2].filter(take_b).to_pylist(),
                                 b[1].filter(take_b).to_pylist(), asn_date.filter(take_b).to_pylist(), strict=True):
        headers[k] = (sid, pur or None, when)

    # Per set context values (null: the mapper's None), then per row.
    def last(mask: np.ndarray, values: pa.Array, first: bool = False) -> pa.Array:
        """Per set, `values` (one per segment) at its last (or first) segment under `mask & head`."""
        hits = np.flatnonzero(mask & head)
        pick = _first_per_set(set_of[hits]) if first else _last_per_set(set_of[hits])
        index = np.full(n_sets, -1, dtype=np.int64)
        index[set_of[hits[pick]]] = hits[pick]
        return values.take(pa.array(index, mask=index < 0))

    e1, e2 = el[1], el[2]
    ref_v = ref & _nonempty(e2)
    q_ref = {q: ref_v & _mask(pc.equal(e1, q)) for q in ("LT", "VN", "BM", "CN")}
    customer_po = _none_if_empty(last(prf, e1))
    seller_order = last(q_ref["VN"], e2)
    lot = last(q_ref["LT"], e2)
    bol, pro = last(q_ref["BM"], e2), last(q_ref["CN"], e2)
    carrier_v = pc.if_else(pc.equal(el[3], ""), el[5], el[3])
    carrier = last(td5 & _nonempty(carrier_v), carrier_v)
    n1_4or2 = pc.if_else(pc.equal(el[4], ""), e2, el[4])
    n1_named = n1 & _nonempty(n1_4or2)
    st = n1_named & _mask(pc.equal(e1, "ST"))
    ship_to_id, ship_to_name = _none_if_empty(last(st, el[4], True)), _none_if_empty(last(st, e2, True))
    man_v = _none_if_empty(el[2])
    sscc = last(man & _mask(pc.is_in(e1, value_set=pa.array(["GM", "UC"]))), man_v)
    pkg = last(man & _mask(pc.equal(e1, "CP")), man_v)
    stamp = pc.if_else(pc.equal(d_time, ""), shipped_date, pc.binary_join_element_wise(shipped_date, shipped_time, " "))
    seg_stamp = np.full(n_segs, -1, dtype=np.int64)
    seg_stamp[d_at] = np.arange(len(d_at))
    shipped = last(dtm011, stamp.take(pa.array(np.maximum(seg_stamp, 0))) if len(d_at) else
                   pa.nulls(n_segs, pa.string()))
    # Site and tracking depend on the set's options (its partner): per distinct options.
    distinct: dict[int, int] = {}
    opt_of_set = np.array([distinct.setdefault(id(o), len(distinct)) for o in options], dtype=np.int64)
    firsts = {distinct[id(o)]: o for o in reversed(options)}
    site = pa.nulls(n_sets, pa.string())
    track = pa.nulls(n_sets, pa.string())
    mine_seg = opt_of_set[set_of]
    for k, opts in firsts.items():
        mine = mine_seg == k
        mine_set = pa.array(opt_of_set == k)
        if opts.site_parties:
            party = n1_named & mine & _mask(pc.is_in(e1, value_set=pa.array(list(opts.site_parties), pa.string())))
            site = pc.if_else(mine_set, last(party, n1_4or2, True), site)
        ranks = {q: n for n, q in enumerate(opts.tracking_refs)}
        best = pa.nulls(n_sets, pa.string())
        for q in sorted((q for q in ranks if q not in ("LT", "VN")), key=ranks.__getitem__, reverse=True):
            found = last(ref_v & mine & _mask(pc.equal(e1, q)), e2)
            best = pc.coalesce(found, best)
        track = pc.if_else(mine_set, best, track)

    rows = pa.array(line_set)
    lel = {k: el[k].take(pa.array(lin_at)) for k in range(1, 6)}
    sel = {k: el[k].take(pa.array(sn1_at)) for k in (1, 2, 3, 5, 8)}
    ln = el.n[lin_at]
    pairs = np.where(ln >= 6, 2, np.where(ln >= 4, 1, 0))
    item, qual, ids = items(lel[2], lel[3], lel[4], lel[5], pairs, line_set, options)
    line_ref_raw = pc.if_else(pc.equal(lel[1], ""), sel[1], lel[1])
    digits = _mask(pc.match_substring_regex(line_ref_raw, "^[0-9]+$"))
    ordinal = np.arange(len(line_set)) - np.searchsorted(line_set, line_set, "left") + 1
    line_no = pc.if_else(pa.array(digits), line_ref_raw, pa.array(ordinal).cast(pa.string()))
    line_ref = pc.if_else(pa.array(digits), _NULL, _none_if_empty(line_ref_raw))
    bsn_of = np.full(n_sets, -1, dtype=np.int64)
    bsn_of[b_set[keep_b]] = np.flatnonzero(keep_b)  # a read set has one BSN
    per_set_stamp = asn_stamp.take(pa.array(bsn_of, mask=bsn_of < 0))
    # The lot of a LIN's first LT pair (the mapper's scan of its qualifier positions), else the context's.
    lin_lot = pc.if_else(pc.equal(lel[2], "LT"), lel[3], pc.if_else(
        pa.array(ln >= 6) if len(ln) else pa.array([], pa.bool_()), pc.if_else(pc.equal(lel[4], "LT"), lel[5], _NULL),
        _NULL))
    none = pa.nulls(len(line_set), pa.string())
    arrays = {
        "order_id": pc.coalesce(seller_order, customer_po).take(rows),
        "line_no": line_no, "item_id": item, "qty": _none_if_empty(sel[2]),
        "lot": pc.coalesce(_none_if_empty(lin_lot), lot.take(rows)),
        "site": site.take(rows),
        "shipped_at": pc.coalesce(shipped, per_set_stamp).take(rows),
        "carrier": carrier.take(rows), "tracking_no": pc.coalesce(pkg, track).take(rows),
        "uom": _none_if_empty(sel[3]), "qty_ordered": _none_if_empty(sel[5]), "line_status": _none_if_empty(sel[8]),
        "line_ref": line_ref, "item_qualifier": qual, "item_ids": ids, "customer_po": customer_po.take(rows),
        "sscc": sscc.take(rows), "tare_sscc": none, "bol_no": bol.take(rows), "pro_no": pro.take(rows),
        "ship_to_id": ship_to_id.take(rows), "ship_to_name": ship_to_name.take(rows), "order_line_no": none,
        "_source_row": pa.array(starts[line_set] + pos[lin_at], pa.int64()),
    }
    return headers, line_set, arrays


def shipment_head(fields: tuple, partner: str | None, name: str, icc: str | None, control: str | None,
                  ) -> tuple[tuple, str, str | None]:
    """(shipment_lines head, reference, document date) of a set read here, as `map_856` emits and returns them."""
    shipment_id, purpose, asn_date = fields
    status = "CANCELLED" if purpose in ("01", "03") else "SHIPPED"
    return (shipment_id, status, "856", purpose, asn_date, partner, name, icc, control), shipment_id, asn_date


class _Columns:
    """`columnar._Elements` with each element's column cut once (the read asks for most of them several times)."""

    def __init__(self, elements: Any) -> None:
        self.elements, self.n = elements, elements.n
        self.cut: dict[int, pa.Array] = {}

    def __getitem__(self, k: int) -> pa.Array:
        hit = self.cut.get(k)
        if hit is None:
            hit = self.cut[k] = self.elements[k]
        return hit


def bad_hl(mask: np.ndarray, hl_set: np.ndarray, n_sets: int) -> np.ndarray:
    """Sets with at least one HL under `mask`."""
    return np.bincount(hl_set[mask], minlength=n_sets) > 0


def _convert(raw: pa.Array, fn: Callable[[str], str | None]) -> pa.Array:
    """`fn` of each value, asked once per distinct value (a block's sets share few dates and times)."""
    distinct = pc.unique(raw)
    converted = pa.array([fn(v) for v in distinct.to_pylist()], pa.string())
    return converted.take(pc.index_in(raw, value_set=distinct))


def _last_per_set(sets: np.ndarray) -> np.ndarray:
    """Indexes (into `sets`, nondecreasing) of the last entry of each set present."""
    if not len(sets):
        return np.empty(0, dtype=np.int64)
    return np.flatnonzero(np.append(sets[1:] != sets[:-1], True))


def _first_per_set(sets: np.ndarray) -> np.ndarray:
    """Indexes (into `sets`, nondecreasing) of the first entry of each set present."""
    if not len(sets):
        return np.empty(0, dtype=np.int64)
    return np.flatnonzero(np.insert(sets[1:] != sets[:-1], 0, True))
