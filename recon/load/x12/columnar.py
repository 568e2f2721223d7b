"""The line segments of 850 and 810 sets (PO1/IT1 + PID) mapped in Arrow, a whole block of sets at once.

Why: an order or invoice line cost about 1 µs of Python (split into elements, the mapper's
checks, the row tuple, Arrow's conversion of it), most of an X12 parse. Here the line segments
of every 850/810 set of a walked block are cut into elements with `split_pattern`, checked with
RE2 and turned into the line columns with `take`; the PID description is attached to its line
with `searchsorted` (bench/notes.md, "X12 throughput: columnar line mapping").

The per-set Python mappers stay the reference and keep everything that is not a plain line. A
set is taken here only when every line of it is provably one the mapper maps without a word:
ASCII, at most two complete product id pairs, quantity and price plain numbers (or empty), no
separator inside a value, no segment the mandatory check could report. The mapper then runs on
the set with its line segments replaced by stubs (`sets.base.LINE_STUBS`): it reads the header
as always, makes an empty row per line stub and reports what it reports; the parser checks that
every row it made is an untouched stub, or maps the set the reference way. Anything else (a
dirty number, an odd id pair, a set that is rejected) goes the reference way too, so the rows,
findings and positions are the reference's (tests/load/x12/test_columnar.py compares both).
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import repeat

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from recon.load.x12 import asn, candidates, headers
from recon.load.x12.envelope import TxSet
from recon.load.x12.masks import NULL_TEXT as _NULL
from recon.load.x12.masks import mask as _mask
from recon.load.x12.masks import none_if_empty as _none_if_empty
from recon.load.x12.masks import nonempty as _nonempty
from recon.load.x12.quirks import ResolvedOptions
from recon.load.x12.sets.base import LINE_STUBS
from recon.load.x12.tokenizer import Interchange

KINDS = {"850": ("PO1", "order_lines"), "810": ("IT1", "invoice_lines")}
"""Transaction set -> (its line segment, the entity its lines fill)."""

MIN_SEGMENTS = 4096
"""Segments of 850/810 sets in a block below which the block is mapped the reference way only
(Arrow's fixed cost per call outweighs the gain on a small file). The tests set it to 0."""

_NUMBER = r"^(?:[0-9]+(?:\.[0-9]+)?)?$"
"""Empty, or a number the mapper keeps as it is (`isdecimal`, or one point between digits)."""


class Block:
    """The columnar lines of one walked block's 850/810 sets (of one interchange or several) and which took them."""

    def __init__(self) -> None:
        self.kinds: list[_Kind | asn.ShipKind] = []
        self.where: dict[int, tuple[_Kind, int]] = {}  # id(tx) -> (its kind, its number there)
        self.held: dict[str, int] = {}  # entity -> rows the parser held before the block

    def segments(self, tx: TxSet) -> list[list[str]] | None:
        """The set's segments for the mapper (line segments as stubs), or None: map it the reference way."""
        hit = self.where.get(id(tx))
        if hit is None:
            return None
        kind, k = hit
        if not kind.clean[k]:
            return None
        lo, hi = int(kind.flat_start[k]), int(kind.flat_start[k] + kind.sizes[k])
        return kind.segs[lo:hi].tolist()

    def header(self, tx: TxSet) -> tuple | None:
        """The set's header fields read in Arrow (`headers.read_850`), or None: the mapper reads them."""
        hit = self.where.get(id(tx))
        if hit is None or hit[0].headers is None:
            return None
        return hit[0].headers[hit[1]]

    def lines(self, tx: TxSet) -> tuple[str, int]:
        """(entity, number of lines) of a set `segments` gave stubs for."""
        kind, k = self.where[id(tx)]
        return kind.entity, int(kind.counts[k])

    def take(self, tx: TxSet, head: tuple) -> None:
        """The mapper accepted the stubs: the set's rows are its columnar lines under `head`."""
        kind, k = self.where[id(tx)]
        kind.taken[k] = True
        kind.heads.append(head)

    def tables(self) -> list[tuple[str, dict[str, pa.Array], list[tuple], np.ndarray]]:
        """Per kind with taken sets: (entity, line columns of the taken sets, their heads, lines per set)."""
        out = []
        for kind in self.kinds:
            if not kind.heads:
                continue
            keep = kind.taken[kind.line_set]
            index = None if keep.all() else pa.array(np.flatnonzero(keep))
            arrays = {n: a if index is None else a.take(index) for n, a in kind.arrays.items()}
            out.append((kind.entity, arrays, kind.heads, kind.counts[kind.taken]))
        return out


def prepare_many(walked: list[tuple[Interchange, list[TxSet]]], resolved: Callable[[TxSet], ResolvedOptions],
                 min_segments: int | None = None) -> Block | None:
    """The columnar lines of the walked sets' 850/810 sets, or None when they are left to the mappers.

    `walked`: one interchange's walked block (`parser._Parser._interchange`), or the walked sets of
    several small interchanges of one file or part (`parser._Parser._batch`), mapped as ONE block.

    Why: a partner's drop is usually many small interchanges (the 300k sample's 850 file: 1,563 of
    ~770 segments), each far below `MIN_SEGMENTS`; Arrow's fixed cost per call times the ~60 calls
    of a block made a per-interchange block slower than the mappers (bench/notes.md, "X12
    throughput: array-driven 850 headers"). Here the sets of every interchange go into one `_Kind`
    per transaction set type and delimiters (interchanges of one file may differ in their element,
    component and repetition separators; each distinct combination is a kind of its own), with
    positions counted over the file (`Interchange.first_position`), so the passes run once per block.
    An interchange whose positions are unknown (`suspects` None) keeps all its sets for the mappers.
    """
    groups: dict[tuple, list[tuple[Interchange, TxSet]]] = {}
    total = 0
    for ic, sets in walked:
        d = ic.delimiters
        if d is None or ic.suspects is None:  # positions unknown: the mandatory check scans every segment
            continue
        seps = (d.element, d.component if ic.has_component else None, d.repetition if ic.has_repetition else None)
        plain = seps[1] is None and seps[2] is None  # the 856 read gives no separator warnings: none to give
        for tx in sets:
            if (tx.ok and (tx.transaction_set in KINDS or (plain and tx.transaction_set == "856"))
                    and tx.start >= ic.base and tx.end + 1 - ic.base <= len(ic.raw)):
                groups.setdefault((tx.transaction_set, *seps), []).append((ic, tx))
                total += tx.end - tx.start + 1
    if total < (MIN_SEGMENTS if min_segments is None else min_segments) or not groups:
        return None
    block = Block()
    for (ts, *seps), members in groups.items():
        kind: _Kind | asn.ShipKind
        if ts == "856":
            starts, sizes, flat_start, set_of, _, _, text, suspects = _text(members)
            kind = asn.ShipKind(text, seps[0], set_of, flat_start, sizes, starts, suspects,
                                [resolved(tx) for _, tx in members], _Elements, _items)
        else:
            kind = _Kind(ts, seps[0], seps[1], seps[2], members, resolved)
        block.kinds.append(kind)
        for k, (_, tx) in enumerate(members):
            block.where[id(tx)] = (kind, k)
    return block


class _Kind:
    """The sets of one transaction set type in a block: their segments, line columns and cleanness."""

    def __init__(self, ts: str, e: str, component: str | None, repetition: str | None,
                 members: list[tuple[Interchange, TxSet]], resolved: Callable[[TxSet], ResolvedOptions]):
        tag, self.entity = KINDS[ts]
        txs = [tx for _, tx in members]
        n_sets = len(txs)
        starts, self.sizes, self.flat_start, set_of, raw, at, text, suspects = _text(members)
        sizes, flat_start = self.sizes, self.flat_start
        line_pos = np.flatnonzero(_mask(pc.starts_with(text, tag + e)))
        pid_pos = np.flatnonzero(_mask(pc.starts_with(text, "PID" + e)))
        self.line_set = line_set = set_of[line_pos]
        self.counts = np.bincount(line_set, minlength=n_sets)
        lines = text.take(pa.array(line_pos))
        pids = text.take(pa.array(pid_pos))
        el = _Elements(lines, e)
        ok = ((el.n <= 6) | (el.n == 8) | (el.n == 10)) & _mask(pc.string_is_ascii(lines))
        ref, qty, uom, price = el[1], el[2], el[3], el[4]
        ok &= _mask(pc.match_substring_regex(qty, _NUMBER)) & _mask(pc.match_substring_regex(price, _NUMBER))
        q1, v1, q2, v2 = el[6], el[7], el[8], el[9]
        pairs = np.where(el.n >= 10, 2, np.where(el.n >= 8, 1, 0))
        ok &= (pairs < 1) | (_nonempty(q1) & _nonempty(v1))
        ok &= (pairs < 2) | (_nonempty(q2) & _nonempty(v2))
        stub_bad = np.zeros(len(pid_pos), dtype=bool)
        for sep in (component, repetition):
            if sep is not None:  # the mapper would warn X12-SEPARATOR-IN-VALUE
                ok &= ~_mask(pc.match_substring(lines, sep))
                stub_bad |= _mask(pc.match_substring(pids, sep))
        # A stubbed segment the mandatory check would look at (the tokenizer's suspects): reference way.
        if len(suspects):
            line_abs = starts[line_set] + line_pos - flat_start[line_set]
            ok &= ~np.isin(line_abs, suspects)
            pid_set = set_of[pid_pos]
            stub_bad |= np.isin(starts[pid_set] + pid_pos - flat_start[pid_set], suspects)
        bad_sets = np.bincount(line_set[~ok], minlength=n_sets) + np.bincount(set_of[pid_pos[stub_bad]],
                                                                              minlength=n_sets)
        self.clean = (bad_sets == 0) & (self.counts > 0)
        self.taken = np.zeros(n_sets, dtype=bool)
        self.heads: list[tuple] = []
        self.headers: list[tuple | None] | None = None
        if (ts == "850" and self.clean.any() and len(at) >= headers.MIN_SEGMENTS
                and component is None and repetition is None):  # else the mapper's separator warnings
            try:
                self.headers = headers.read_850(text, e, set_of, flat_start, line_pos, pid_pos, line_set, self.counts,
                                                self.clean, starts, sizes, suspects, _Elements)
            except Exception:  # a bug here must not cost the load: the mapper reads every header
                self.headers = None
        # The mapper reads the clean sets whose header was not read here: only their segments are split.
        mapped = self.clean if self.headers is None else self.clean & np.fromiter(
            (f is None for f in self.headers), dtype=bool, count=n_sets)
        self.segs = _stub_segments(raw, at, line_pos, pid_pos, tag, e, mapped[set_of]) if mapped.any() \
            else np.empty(0, object)

        m = len(line_pos)
        ordinal = np.arange(m) - np.searchsorted(line_set, line_set, "left") + 1
        digits = pc.match_substring_regex(ref, "^[0-9]+$")
        line_no = pc.if_else(digits, ref, pa.array(ordinal).cast(pa.string()))
        line_ref = pc.if_else(pc.or_(digits, pc.equal(ref, "")), _NULL, ref)
        item, qual, ids = _items(q1, v1, q2, v2, pairs, line_set, [resolved(tx) for tx in txs])
        source_row = pa.array(starts[line_set] + line_pos - flat_start[line_set], pa.int64())
        description = _descriptions(pids, e, pid_pos, set_of, line_pos, line_set)
        none = pa.nulls(m, pa.string())
        if self.entity == "order_lines":
            self.arrays = {
                "line_no": line_no, "item_id": item, "qty": _none_if_empty(qty), "uom": _none_if_empty(uom),
                "unit_price": _none_if_empty(price), "lot": none, "line_ref": line_ref, "item_qualifier": qual,
                "item_ids": ids, "description": description, "_source_row": source_row,
            }
        else:
            self.arrays = {
                "line_no": line_no, "order_line_no": pc.if_else(digits, ref, _NULL), "item_id": item,
                "qty": _none_if_empty(qty), "amount": none, "uom": _none_if_empty(uom),
                "unit_price": _none_if_empty(price), "line_ref": line_ref, "item_qualifier": qual, "item_ids": ids,
                "description": description, "line_allowances": none, "line_charges": none,
                "_source_row": source_row,
            }


def _text(members: list[tuple[Interchange, TxSet]]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str],
                                                          np.ndarray, pa.Array, np.ndarray]:
    """The segments of `members`' sets one after another: (each set's ST as a file position, its segments, its
    first segment in `text`, each segment's set, `raw`, each segment's index there, `text`, the suspects).

    Positions are counted over the file (segment `first_position + i` is `raw[i - base]`), so that sets of
    several interchanges share one axis: `starts` for the suspects, `_source_row` for the rows.
    """
    txs = [tx for _, tx in members]
    n_sets = len(txs)
    starts = np.fromiter((ic.first_position + tx.start for ic, tx in members), np.int64, n_sets)
    sizes = np.fromiter((tx.end - tx.start + 1 for tx in txs), np.int64, n_sets)
    flat_start = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    set_of = np.repeat(np.arange(n_sets), sizes)
    ics = list({id(ic): ic for ic, _ in members}.values())
    ic = ics[0]
    if len(ics) == 1 and ic.array is not None and ic.base == 0:  # the tokenizer's Arrow copy (raw[1:])
        # Each segment's index in `raw`: the sets' segments one after another.
        at = np.arange(len(set_of), dtype=np.int64) - flat_start[set_of] + (starts - ic.first_position)[set_of]
        raw = ic.raw
        text = pc.take(ic.array, pa.array(at - 1), memory_pool=candidates.POOL)
    else:  # the sets' segment strings one after another (slices: copied in C)
        raw = []
        for owner, tx in members:
            raw += owner.raw[tx.start - owner.base : tx.end + 1 - owner.base]
        at = np.arange(len(raw), dtype=np.int64)
        text = pa.array(raw, pa.string(), memory_pool=candidates.POOL)
    # Each interchange's suspects as file positions, in file order (the interchanges come in file order).
    suspects = np.concatenate([np.asarray(x.suspects, dtype=np.int64) + x.first_position for x in ics
                               if x.suspects]) if any(x.suspects for x in ics) else np.empty(0, np.int64)
    return starts, sizes, flat_start, set_of, raw, at, text, suspects


class _Elements:
    """Element k of each segment of a string array ("" when the segment has fewer elements)."""

    def __init__(self, segments: pa.Array, element: str) -> None:
        parts = pc.split_pattern(segments, element)
        self.n = pc.list_value_length(parts).to_numpy(zero_copy_only=False)
        self.offsets = parts.offsets.to_numpy()[:-1].astype(np.int64)
        self.values = parts.flatten()
        self.base = int(parts.offsets[0].as_py()) if len(parts) else 0

    def __getitem__(self, k: int) -> pa.Array:
        short = self.n <= k
        if not short.any():  # every segment has element k: no nulls to fill
            return self.values.take(pa.array(self.offsets - self.base + k))
        return pc.fill_null(self.values.take(pa.array(self.offsets - self.base + k, mask=short)), "")


def _items(q1: pa.Array, v1: pa.Array, q2: pa.Array, v2: pa.Array, pairs: np.ndarray, line_set: np.ndarray,
           options: list[ResolvedOptions]) -> tuple[pa.Array, pa.Array, pa.Array]:
    """`values.pick_item` for lines of zero, one or two complete id pairs: (item_id, qualifier, ids text)."""
    r1 = np.full(len(pairs), -1, dtype=np.int64)
    r2 = r1.copy()
    fallback = np.zeros(len(pairs), dtype=bool)
    distinct: dict[int, int] = {}
    opt_of_set = np.array([distinct.setdefault(id(o), len(distinct)) for o in options], dtype=np.int64)
    line_opt = opt_of_set[line_set]
    firsts = {distinct[id(o)]: o for o in reversed(options)}
    for k, opts in firsts.items():
        sel = line_opt == k if len(firsts) > 1 else slice(None)
        fallback[sel] = opts.item_fallback
        if not opts.item_rank:
            continue
        keys = pa.array(list(opts.item_rank), pa.string())
        ranks = np.array(list(opts.item_rank.values()), dtype=np.int64)
        for q, r in ((q1, r1), (q2, r2)) if (pairs == 2).any() else ((q1, r1),):
            at = pc.fill_null(pc.index_in(q, value_set=keys), -1).to_numpy(zero_copy_only=False)
            r[sel] = np.where(at >= 0, ranks[at], -1)[sel]
    first = ((pairs == 1) & ((r1 >= 0) | fallback)) | (
        (pairs == 2) & (((r1 >= 0) & ((r2 < 0) | (r1 <= r2))) | ((r1 < 0) & (r2 < 0) & fallback)))
    second = (pairs == 2) & (r2 >= 0) & ~((r1 >= 0) & (r1 <= r2))
    is_first, is_second = pa.array(first), pa.array(second)
    item = pc.if_else(is_first, v1, pc.if_else(is_second, v2, _NULL))
    qual = pc.if_else(is_first, q1, pc.if_else(is_second, q2, _NULL))
    if not pairs.any():
        return item, qual, pa.nulls(len(pairs), pa.string())
    one = pc.binary_join_element_wise(q1, v1, ":")
    if (pairs == 1).all():
        return item, qual, one
    two = pc.binary_join_element_wise(one, pc.binary_join_element_wise(q2, v2, ":"), ";")
    if (pairs == 2).all():
        return item, qual, two
    return item, qual, pc.if_else(pa.array(pairs == 2), two, pc.if_else(pa.array(pairs == 1), one, _NULL))


def _descriptions(pids: pa.Array, e: str, pid_pos: np.ndarray, set_of: np.ndarray, line_pos: np.ndarray,
                  line_set: np.ndarray) -> pa.Array:
    """Per line, PID05 of the first PID of its loop that has a non-empty one (the mappers' rule)."""
    m = len(line_pos)
    if not len(pid_pos) or not m:
        return pa.nulls(m, pa.string())
    el = _Elements(pids, e)
    text = el[5]
    owner = np.searchsorted(line_pos, pid_pos, "right") - 1
    valid = (el.n > 5) & _nonempty(text) & (owner >= 0)
    valid &= line_set[np.maximum(owner, 0)] == set_of[pid_pos]  # a PID before the set's first line is no line's
    hits = np.flatnonzero(valid)
    index = np.full(m, -1, dtype=np.int64)
    if len(hits):
        owners = owner[hits]
        first = np.concatenate([[True], owners[1:] != owners[:-1]])
        index[owners[first]] = hits[first]
    return text.take(pa.array(index, mask=index < 0))


def _stub_segments(raw: list[str], at: np.ndarray, line_pos: np.ndarray, pid_pos: np.ndarray, tag: str, e: str,
                   wanted: np.ndarray) -> np.ndarray:
    """The segments (`raw[at[k]]`) as the mapper gets them: line and PID segments as stubs, every other one split
    where `wanted` (the segments of sets a mapper reads; the others are left as PID stubs, never read).

    An object array (`Block.segments` slices it into a list per set): filled and assigned by
    position in C, where a Python loop over the ~600k positions of a 1M-segment file cost 0.1 s.
    """
    segs = np.empty(len(at), dtype=object)
    segs.fill(LINE_STUBS["PID"])
    stub = np.empty(1, dtype=object)
    stub[0] = LINE_STUBS[tag]
    segs[line_pos] = stub
    other = wanted.copy()
    other[line_pos] = False
    other[pid_pos] = False
    positions = np.flatnonzero(other)
    if len(positions):
        picked = map(raw.__getitem__, at[positions].tolist())
        segs[positions] = np.fromiter(map(str.split, picked, repeat(e)), dtype=object, count=len(positions))
    return segs
