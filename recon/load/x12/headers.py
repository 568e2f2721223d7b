"""The headers of plain 850 sets read in Arrow, so that such a set costs no mapper call.

Why: once the columnar pass (`columnar`) maps an 850's lines, what remains per set is the
mapper run over the set's stubbed segments, its context, its mandatory check and the row
bookkeeping: about 40 µs of Python per set, most of an 850's cost (bench/notes.md, "X12
throughput: array-driven 850 headers"). Here the header segments of every columnar 850 of a
block are split once with `split_pattern`, and BEG, the header N1/CUR/DTM and CTT are picked per
set with numpy (first or last of a tag per set, before or after the first line); the parser
then only assembles the set's three row tuples (with `sets.orders.order_rows`, as the mapper).

`map_850` stays the reference. A set is read here only when its header is one the mapper reads
without a word and this module provably reads the same way: a single BEG right after ST with
plain (letters and digits) BEG01/BEG02, a non-empty BEG03 and an 8-digit BEG05 that `values.ymd`
takes; header DTM 010/002 without a time and with an empty or valid date; no AMT, no stray
PO1/PID segment; the last CTT01 equal to the line count, or no CTT; no segment of the set among
the tokenizer's mandatory suspects; no component or repetition separator in the interchange
(no separator warning to give). Any other set goes the stub mapper way, and anything that
raises here leaves every set of the block to it (tests/load/x12/test_headers.py compares both).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from recon.load.x12.masks import match as _match
from recon.load.x12.masks import nonempty as _nonempty
from recon.load.x12.values import ymd

MIN_SEGMENTS = 0
"""Segments of columnar 850 sets in a block below which their headers are left to the mapper (the
columnar pass's own threshold already keeps small blocks out). The tests set it high to compare."""

_PLAIN = r"^[0-9A-Za-z]+$"
_DATE8 = r"^[0-9]{8}$"


def read_850(text: pa.Array, element: str, set_of: np.ndarray, flat_start: np.ndarray, line_pos: np.ndarray,
             pid_pos: np.ndarray, line_set: np.ndarray, counts: np.ndarray, clean: np.ndarray,
             starts: np.ndarray, sizes: np.ndarray, suspects: Sequence[int], elements: type,
             ) -> list[tuple | None]:
    """The header values of each clean 850 of a block, from its segments `text` (the sets one after another).

    `set_of`: each segment's set; `flat_start`: each set's first segment in `text`; `line_pos` /
    `pid_pos`: the PO1 / PID segments' positions in `text` (`line_set`: their sets); `counts`: lines
    per set; `clean`: the sets whose lines the columnar pass maps; `starts`: each set's ST index in
    the interchange (`sizes`: its segments); `elements`: `columnar._Elements`. Per set, None (the
    mapper reads it) or its fields (order_id, purpose, po_type, ordered_at, currency, req_ship,
    req_delivery, parties, BEG's index in the set, lines) with `parties` the first header N1
    (name, id) per qualifier, as `map_850` collects them.
    """
    n_sets = len(flat_start)
    ok = clean.copy()
    other = np.ones(len(set_of), dtype=bool)
    other[line_pos] = False
    other[pid_pos] = False
    at = np.flatnonzero(other)
    at_set = set_of[at]
    el = elements(text.take(pa.array(at)), element)
    tag = el[0]

    def is_tag(t: str) -> np.ndarray:
        return _equals(tag, t)

    first_line = np.full(n_sets, np.iinfo(np.int64).max, dtype=np.int64)
    has_lines = counts > 0
    first_line[has_lines] = line_pos[np.searchsorted(line_set, np.flatnonzero(has_lines))]
    before = at < first_line[at_set]
    position = at - flat_start[at_set]

    # Sets the mapper would read differently or warn about: the stub mapper way.
    stray = is_tag("AMT") | is_tag("PO1") | is_tag("PID")
    ok &= np.bincount(at_set[stray], minlength=n_sets) == 0
    beg = is_tag("BEG")
    ok &= np.bincount(at_set[beg], minlength=n_sets) == 1
    beg_at = np.flatnonzero(beg)
    ok[at_set[beg_at[position[beg_at] != 1]]] = False
    b_set = at_set[beg_at]
    purpose, po_type, order_id, beg05 = el[1].take(pa.array(beg_at)), el[2].take(pa.array(beg_at)), \
        el[3].take(pa.array(beg_at)), el[5].take(pa.array(beg_at))
    good = _match(purpose, _PLAIN) & _match(po_type, _PLAIN) & _match(beg05, _DATE8)
    good &= _nonempty(order_id)
    ordered_at = _dates(beg05)
    good &= np.array([d is not None for d in ordered_at], dtype=bool)
    ok[b_set[~good]] = False

    dtm = is_tag("DTM") & before & (el.n > 2)
    q = el[1]
    dtm_ship = dtm & _equals(q, "010")
    dtm_delivery = dtm & _equals(q, "002")
    dated = np.flatnonzero(dtm_ship | dtm_delivery)
    if len(dated):
        d_raw = el[2].take(pa.array(dated))
        d_val = _dates(d_raw)
        timed = (el.n[dated] > 3) & _nonempty(el[3].take(pa.array(dated)))
        bad = timed | (_nonempty(d_raw) & np.array([v is None for v in d_val], dtype=bool))
        ok[at_set[dated[bad]]] = False
    else:
        d_val = []
    by_dated = dict(zip(dated.tolist(), d_val, strict=True))

    ctt = np.flatnonzero(is_tag("CTT"))
    if len(ctt):
        last = _last_per_set(at_set[ctt])
        ctt_last = ctt[last]
        said = el[1].take(pa.array(ctt_last)).to_pylist()
        wrong = np.array([s != str(n) for s, n in zip(said, counts[at_set[ctt_last]].tolist(), strict=True)],
                         dtype=bool)
        ok[at_set[ctt_last[wrong]]] = False

    if len(suspects):
        s = np.asarray(suspects, dtype=np.int64)
        lo, hi = np.searchsorted(s, starts, "left"), np.searchsorted(s, starts + sizes, "left")
        ok &= hi == lo

    fields: list[tuple | None] = [None] * n_sets
    keep = ok[b_set]
    if not keep.any():
        return fields
    cur = np.flatnonzero(is_tag("CUR") & before)
    cur = cur[_last_per_set(at_set[cur])]
    currency = dict(zip(at_set[cur].tolist(), el[2].take(pa.array(cur)).to_pylist(), strict=True))
    req_ship = _last_value(dtm_ship, at_set, by_dated)
    req_delivery = _last_value(dtm_delivery, at_set, by_dated)
    n1 = np.flatnonzero(is_tag("N1") & before & (el.n > 1))
    parties: dict[int, dict[str, tuple[str, str]]] = {}
    if len(n1):
        take = pa.array(n1)
        for k, qual, name, ident in zip(at_set[n1].tolist(), el[1].take(take).to_pylist(),
                                        el[2].take(take).to_pylist(), el[4].take(take).to_pylist(), strict=True):
            p = parties.setdefault(k, {})
            if qual not in p:
                p[qual] = (name, ident)
    no_parties: dict[str, tuple[str, str]] = {}
    kept = pa.array(keep)
    for k, oid, pur, typ, when, beg_i in zip(
        b_set[keep].tolist(), order_id.filter(kept).to_pylist(), purpose.filter(kept).to_pylist(),
        po_type.filter(kept).to_pylist(), [d for d, k in zip(ordered_at, keep.tolist(), strict=True) if k],
        position[beg_at[keep]].tolist(), strict=True,
    ):
        fields[k] = (oid, pur, typ, when, currency.get(k) or None, req_ship.get(k), req_delivery.get(k),
                     parties.get(k, no_parties), beg_i, int(counts[k]))
    return fields


def _equals(a: pa.Array, value: str) -> np.ndarray:
    return pc.equal(a, value).to_numpy(zero_copy_only=False)


def _dates(raw: pa.Array) -> list[str | None]:
    """`values.ymd` of each value, asked once per distinct value (a block's sets share few dates)."""
    distinct = pc.unique(raw)
    converted = pa.array([ymd(v) for v in distinct.to_pylist()], pa.string())
    return converted.take(pc.index_in(raw, value_set=distinct)).to_pylist()


def _last_per_set(sets: np.ndarray) -> np.ndarray:
    """Indexes (into `sets`, nondecreasing) of the last entry of each set present."""
    if not len(sets):
        return np.empty(0, dtype=np.int64)
    return np.flatnonzero(np.append(sets[1:] != sets[:-1], True))


def _last_value(mask: np.ndarray, at_set: np.ndarray, values: dict[int, str | None]) -> dict[int, str | None]:
    """Per set, the value of its last segment under `mask` (the mapper assigns each in turn)."""
    hits = np.flatnonzero(mask)
    last = hits[_last_per_set(at_set[hits])]
    return {k: values[i] for k, i in zip(at_set[last].tolist(), last.tolist(), strict=True)}
