"""`parse_x12_files`: files in, canonical Arrow tables + findings out.

The orchestration is deliberately boring: read bytes, decode, tokenize, walk envelopes, map
each well-formed set, collect rows per entity, build one Arrow table per entity at the end.
Nothing in here raises for bad input; every problem becomes a Finding with a stable code.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pyarrow as pa

from recon.load.edifact import stream as edifact_stream
from recon.load.edifact.options import EdifactOptions
from recon.load.edifact.parser import EdifactFiles
from recon.load.edifact.syntax import is_edifact
from recon.load.x12 import asn, columnar, stream
from recon.load.x12.duplicates import Registry
from recon.load.x12.envelope import EnvelopeWalker, TxSet
from recon.load.x12.quirks import ResolvedOptions, X12Options
from recon.load.x12.result import FileSummary, Finding, InterchangeSummary, X12Result, unmapped_finding
from recon.load.x12.sets.base import Reject, SetContext, SetMapper, check_separators
from recon.load.x12.sets.mandatory import check_mandatory
from recon.load.x12.sets.orders import order_rows
from recon.load.x12.sets.registry import MAPPED_SETS, MAPPERS
from recon.load.x12.sets.schema import COLUMNS, LINES
from recon.load.x12.sets.unmapped import other_reference
from recon.load.x12.tables import _columns_table, _Rows, _table, empty_tables
from recon.load.x12.tokenizer import Block, Interchange, Issue, decode, tokenize_lazily


def parse_x12_files(
    paths: Iterable[Path | str],
    options: X12Options | None = None,
    display_names: Mapping[Path, str] | None = None,
    *,
    workers: int | None = None,
    parallel_min_bytes: int | None = None,
    edifact: EdifactOptions | None = None,
) -> X12Result:
    """Parse X12 files into canonical entity tables.

    `display_names` maps a path to the name used in `_source_file` and in findings (the loader
    passes the path as written in recon.yaml, so lineage does not depend on the working
    directory). Duplicate control numbers are detected across all files of one call.

    With `workers` > 1 and at least `parallel_min_bytes` of files (default 8 MiB), files and
    parts of large files are parsed in that many worker processes (see
    `recon.load.x12.parallel`); the result is identical to the serial parse, whose tables then
    are memory-mapped Arrow files rather than Python memory. With `workers` given (even 1), a
    file of `parallel.BOUNDED_BYTES` or more takes that path, cut into parts of at most
    `parallel.PART_MAX_BYTES`, so that its parse needs memory for one part, not for the file.
    Should the pool fail (a worker killed, no temporary directory), the files are parsed in
    process instead.

    A file that starts with UNA/UNB is EDIFACT and is read by `recon.load.edifact` with
    `edifact` (default: the X12 options' ids, partners and size limit) into the same tables.
    """
    options = options or X12Options()
    display_names = display_names or {}
    paths = [Path(p) for p in paths]
    if workers is not None:  # the caller allows worker processes (the loader; not a Spark executor)
        from recon.load.x12 import parallel

        min_bytes = parallel.PARALLEL_MIN_BYTES if parallel_min_bytes is None else parallel_min_bytes
        if parallel.should_parallelise(paths, workers, min_bytes):
            try:
                return parallel.parse_parallel(paths, options, display_names, max(1, workers), edifact)
            except (parallel.BrokenProcessPool, OSError):
                pass
    parser = _Parser(options, display_names, edifact_options=edifact)
    with _gc_paused():
        for path in paths:
            parser.parse_file(path)
        return parser.result()


def oversized(path: Path, options: X12Options) -> str | None:
    """Why `path` is refused unread (larger than `x12.max_file_mb`), or None.

    A file is read and decoded whole before it is cut into interchanges, and its rows are held
    until they are loaded: memory grows with the file. A file far beyond any night's drop (a
    runaway export, a concatenation gone wrong) is refused by its size before a byte is read,
    rather than taking the machine's memory down with the run.
    """
    size = path.stat().st_size
    limit = options.max_file_mb * 1024 * 1024
    if size <= limit:
        return None
    return (f"file is {size / 1024 / 1024:,.0f} MiB, over the limit of {options.max_file_mb:,} MiB (x12.max_file_mb); "
            "split it at interchange boundaries, or raise the limit where memory allows")


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of small lists are created.

    Allocating the element lists of a big file triggers a generation-0 collection every 700
    allocations and, as the heap grows, full collections that walk everything already parsed:
    that alone cost more than half the run time (2M segments: 8.7 s -> 4 s). The parser
    creates no reference cycles, so nothing is lost by pausing; the previous state is restored.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Parser:
    def __init__(self, options: X12Options, display_names: Mapping[Path, str], registry: Registry | None = None,
                 spill: Callable[[str, pa.Table], None] | None = None,
                 edifact_options: EdifactOptions | None = None) -> None:
        self.options = options
        self.edifact = EdifactFiles(self, edifact_options or EdifactOptions.from_x12(options))
        self.spill = spill  # where flushed Arrow chunks go instead of `chunks` (a worker writes them to disk)
        self.our_ids = frozenset(options.our_ids)
        self.display_names = display_names
        self.store: dict[str, _Rows] = {name: _Rows() for name in COLUMNS}
        self.chunks: dict[str, list[pa.Table]] = {name: [] for name in COLUMNS}
        self.findings: list[Finding] = []
        self.files: list[FileSummary] = []
        self.registry = registry if registry is not None else Registry()
        self.segments = 0
        self._resolved: dict[tuple[str | None, str | None], ResolvedOptions] = {}
        self._block: columnar.Block | None = None  # the columnar lines of the block being mapped

    # -- files --------------------------------------------------------------------------------

    def _name(self, path: Path) -> str:
        name = self.display_names.get(path)
        if name is None:
            name = self.display_names.get(str(path))  # type: ignore[call-overload]
        return name if name is not None else str(path)

    def _file_finding(self, code: str, name: str, message: str, severity: str = "error") -> None:
        self.findings.append(Finding(code=code, severity=severity, file=name, message=message))  # type: ignore[arg-type]

    def parse_file(self, path: Path) -> None:
        name = self._name(path)
        summary = FileSummary(path=name, readable=False)
        self.files.append(summary)
        try:
            too_large = oversized(path, self.options)
            if too_large:
                summary.format = "unknown"
                summary.error = too_large
                self._file_finding("X12-FILE-TOO-LARGE", name, too_large)
                return
            if path.stat().st_size >= stream.STREAM_MIN_BYTES:
                plan = stream.plan(path)
                if plan is not None:
                    summary.size_bytes = path.stat().st_size
                    self.parse_stream(path, name, summary, plan)
                    return
                edifact_plan = edifact_stream.plan(path)
                if edifact_plan is not None:
                    summary.size_bytes = path.stat().st_size
                    self.edifact.parse_stream(path, name, summary, edifact_plan)
                    return
            data = path.read_bytes()
        except FileNotFoundError:
            summary.error = "file not found"
        except IsADirectoryError:
            summary.error = "is a directory, not a file"
        except OSError as exc:
            summary.error = f"cannot read file: {exc.strerror or exc}"
        if summary.error:
            summary.format = "unknown"
            self._file_finding("X12-FILE-UNREADABLE", name, summary.error)
            return
        summary.size_bytes = len(data)
        if is_edifact(data):
            self.edifact.parse(name, summary, data)
            return
        text = decode(data)
        del data  # the bytes, the text and the segment strings need not all be alive at once
        self.parse_text(name, summary, text)

    def parse_text(self, name: str, summary: FileSummary, text: str, unmapped: Counter[str] | None = None) -> None:
        """Everything after decoding: a whole file, or (with `unmapped` given) one part of a file.

        Interchanges are cut into segments one at a time (`tokenize_lazily`) and mapped before
        the next, so only one interchange's segment strings are alive at once. For a part, the
        sets not mapped are counted into `unmapped` and the caller reports them once for the file.
        """
        part = unmapped is not None
        tok, interchanges = tokenize_lazily(text)
        summary.format = tok.format
        if tok.format == "empty":
            summary.error = tok.error
            self._file_finding("X12-FILE-EMPTY", name, tok.error or "file is empty")
            return
        if tok.format == "unknown":
            summary.error = tok.error
            self._file_finding("X12-NOT-X12", name, tok.error or "not an X12 file")
            return
        summary.readable = True
        for issue in tok.issues:
            self._issue(issue, name, None)
        if unmapped is None:
            unmapped = Counter()
        batch: list[Interchange] = []
        held = 0
        for ic in interchanges:
            if len(ic.raw) >= BLOCK_SEGMENTS:  # a large interchange is a block (or several) of its own
                self._batch(batch, name, summary, unmapped)
                batch, held = [], 0
                self._interchange(ic, name, summary, unmapped)
                ic.raw, ic.array = [], None  # mapped: the rows hold what they need, the segment strings can go
                continue
            batch.append(ic)
            held += len(ic.raw)
            if held >= BLOCK_SEGMENTS:
                self._batch(batch, name, summary, unmapped)
                batch, held = [], 0
        self._batch(batch, name, summary, unmapped)
        summary.segments = tok.segments  # known once every interchange was cut
        self.segments += tok.segments
        if unmapped and not part:
            self.findings.append(unmapped_finding(name, unmapped))

    def parse_stream(self, path: Path, name: str, summary: FileSummary, plan: stream.Plan,
                     unmapped: Counter[str] | None = None) -> None:
        """A file (or part, `unmapped` as for `parse_text`) of one large interchange, block by block (`stream`):
        the result of `parse_text`, in bounded memory."""
        summary.format = "x12"
        summary.readable = True
        d = plan.delimiters
        blocks = stream.segment_blocks(path, plan)
        segments, envelope, suspects, text = next(blocks, ([], [], [], ""))
        segments.insert(0, d.element.join(plan.isa))
        ic = Interchange(0, 0, d, plan.isa, segments, 1, envelope=envelope, suspects=suspects)
        ic.issues.extend(plan.issues)
        ic.has_component = d.component in text
        ic.has_repetition = d.repetition is not None and d.repetition in text
        del text
        part = unmapped is not None
        if unmapped is None:
            unmapped = Counter()
        self._interchange(ic, name, summary, unmapped, blocks)
        summary.segments = ic.base + len(ic.raw)
        self.segments += summary.segments
        ic.raw = []
        if unmapped and not part:
            self.findings.append(unmapped_finding(name, unmapped))

    def _issue(self, issue: Issue, name: str, ic: Interchange | None, findings: list[Finding] | None = None) -> None:
        control = (ic.isa[13].strip() or None) if ic is not None and ic.isa is not None else None
        position = issue.position
        if position is None and ic is not None:
            position = ic.first_position
        (self.findings if findings is None else findings).append(
            Finding(
                code=issue.code,
                severity=issue.severity,  # type: ignore[arg-type]
                file=name,
                message=issue.message,
                interchange_control=control,
                segment_position=position if issue.segment_id else None,
                segment_id=issue.segment_id,
                element=issue.element,
            )
        )

    # -- interchanges and sets ----------------------------------------------------------------

    def _interchange(self, ic: Interchange, name: str, summary: FileSummary, unmapped: Counter[str],
                     more: Iterator[Block] | None = None) -> None:
        """Walk one interchange and map its sets; `more`: the further blocks of a streamed one (`stream`).

        The sets are mapped block by block as the walk closes them, and their segment strings
        released; the mappers' findings are kept apart and follow the walk's, so the findings
        come in the same order whether the interchange was streamed or not.
        """
        walker = self._open(ic, name, summary, self.findings)
        if walker is None:
            return
        mapped: list[Finding] = []
        for sets in walker.walk_blocks(more if more is not None else iter(())):
            block = self._prepare([(ic, sets)], name)
            self._map_sets(ic, sets, name, summary, unmapped, mapped)
            if block is not None:
                self._block = None
                self._add_block(block)
        self._close(walker, summary)
        self.findings.extend(mapped)

    def _batch(self, ics: list[Interchange], name: str, summary: FileSummary, unmapped: Counter[str]) -> None:
        """Walk a few small interchanges of one file, then map their sets with ONE columnar block.

        Why: a columnar block's fixed cost exceeds what one small interchange saves (bench/notes.md, "X12
        throughput: many small interchanges as one columnar block"). Each interchange's findings are kept
        apart (issues and walk, then mappers'), so all comes out as from `_interchange` one at a time.
        """
        if not ics:
            return
        walked: list[tuple[Interchange, EnvelopeWalker | None, list[TxSet], list[Finding]]] = []
        for ic in ics:
            findings: list[Finding] = []
            walker = self._open(ic, name, summary, findings)
            sets = [] if walker is None else [tx for block in walker.walk_blocks(iter(())) for tx in block]
            walked.append((ic, walker, sets, findings))
        block = self._prepare([(ic, sets) for ic, walker, sets, _ in walked if walker is not None], name)
        for ic, walker, sets, findings in walked:
            self.findings.extend(findings)
            if walker is None:
                continue
            mapped: list[Finding] = []
            self._map_sets(ic, sets, name, summary, unmapped, mapped)
            self._close(walker, summary)
            self.findings.extend(mapped)
        if block is not None:
            self._block = None
            self._add_block(block)
        for ic in ics:
            ic.raw, ic.array = [], None  # mapped: the rows hold what they need, the segment strings can go

    def _open(self, ic: Interchange, name: str, summary: FileSummary, findings: list[Finding],
              ) -> EnvelopeWalker | None:
        """The interchange's tokenizer issues into `findings`, its summary, and its walker (None: no ISA to walk)."""
        for issue in ic.issues:
            self._issue(issue, name, ic, findings)
        if ic.delimiters is None or ic.isa is None:
            return None
        walker = EnvelopeWalker(name, ic, self.registry, findings)
        info = walker.info
        d = ic.delimiters
        summary.interchanges.append(
            InterchangeSummary(
                control=info.control, version=info.version, sender=info.sender, receiver=info.receiver,
                date=info.date, test_indicator=info.test_indicator,
                segment_terminator="line break" if d.line_terminated else d.segment,
                element_separator=d.element, component_separator=d.component, repetition_separator=d.repetition,
            )
        )
        return walker

    def _close(self, walker: EnvelopeWalker, summary: FileSummary) -> None:
        summary.groups.extend((walker.info.control, g.control, g.functional_id) for g in walker.groups)

    def _prepare(self, walked: list[tuple[Interchange, list[TxSet]]], name: str) -> columnar.Block | None:
        """The columnar block of the walked sets (`self._block`, which `_map` consults), or None."""
        try:
            block = columnar.prepare_many(walked, lambda tx: self._group_values(tx, name)[2])
        except Exception:  # a columnar bug must not cost the load: the mappers give the same rows
            block = None
        if block is not None:
            block.held = {kind.entity: len(self.store[kind.entity].lines) for kind in block.kinds}
        self._block = block
        return block

    def _map_sets(self, ic: Interchange, sets: list[TxSet], name: str, summary: FileSummary, unmapped: Counter[str],
                  mapped: list[Finding]) -> None:
        """Map the walked sets of one interchange in order, their findings into `mapped`."""
        for tx in sets:
            summary.sets.setdefault(tx.transaction_set or "?", []).append(tx.control)
            if not tx.ok:
                summary.rejected_sets += 1
                continue
            if self._map(tx, name, unmapped, mapped):
                summary.loaded_sets += 1
            else:
                summary.rejected_sets += 1
            # The set's segment strings are no longer needed: dropping them now lets the
            # allocator reuse their memory for the rows of the next sets.
            start, stop = tx.start - ic.base, min(tx.end + 1 - ic.base, len(ic.raw))
            ic.raw[start:stop] = [None] * (stop - start)  # type: ignore[list-item]

    def _group_values(self, tx: TxSet, name: str) -> tuple:
        """Direction, partner, resolved options and the edi_documents head of the set's group.

        Computed once per functional group and cached on it: every set of a group shares them.
        """
        info, group = tx.interchange, tx.group
        assert group is not None  # sets outside a group are rejected by the envelope walker
        if group.cache is not None:
            return group.cache
        outbound = info.sender in self.our_ids or group.sender in self.our_ids
        if outbound:
            partner, gs_partner = info.receiver, group.receiver
        else:
            partner, gs_partner = info.sender, group.sender
        key = (partner, gs_partner)
        resolved = self._resolved.get(key)
        if resolved is None:
            resolved = self._resolved[key] = self.options.resolve(partner, gs_partner)
        direction = "outbound" if outbound else "inbound"
        head = (
            direction, partner or None, group.control, info.control, info.sender, info.receiver,
            group.functional_id, group.version, group.sender, group.receiver, group.timestamp, info.test_indicator,
            name, info.control,
        )
        group.cache = (direction, partner or None, resolved, head)
        return group.cache

    def _context(self, tx: TxSet, name: str, mapper: SetMapper | None, segs: list[list[str]] | None = None,
                 ) -> SetContext:
        """The set's mapping context (its segments split, or `segs`), its separators checked for its mapper."""
        direction, partner, resolved, _ = self._group_values(tx, name)
        c = SetContext(tx, name, resolved, direction, partner, segs)
        if mapper is not None and (tx.ic.has_component or tx.ic.has_repetition):
            check_separators(c, mapper.reads)
        return c

    def _map(self, tx: TxSet, name: str, unmapped: Counter[str], findings: list[Finding]) -> bool:
        doc_head = self._group_values(tx, name)[3]
        mapper = MAPPERS.get(tx.transaction_set)
        if mapper is not None and self._block is not None:
            fields = self._block.header(tx)
            if fields is not None:
                self._map_header(tx, name, fields, doc_head)
                return True
            segs = self._block.segments(tx)
            if segs is not None and self._map_columnar(tx, mapper, segs, name, doc_head, findings):
                return True
        c = self._context(tx, name, mapper)
        try:
            if mapper is not None:
                reference, document_date = mapper.map(c)
            else:
                unmapped[tx.transaction_set] += 1
                reference, document_date = other_reference(c)
        except Reject as r:
            c.summarise()
            findings.extend(c.findings)
            findings.append(c.finding(r.code, "error", r.message, r.index, r.element))
            return False
        except Exception as exc:  # a mapper bug must cost one set, not the night's load
            c.summarise()
            findings.extend(c.findings)
            findings.append(c.finding(
                "X12-INTERNAL-ERROR", "error",
                f"the {tx.transaction_set} mapper failed ({type(exc).__name__}: {exc}); the set was rejected; "
                "please report this with the file",
                0, None,
            ))
            return False
        self._mapped(c, reference, document_date, doc_head, findings)
        return True

    def _mapped(self, c: SetContext, reference: str | None, document_date: str | None, doc_head: tuple,
                findings: list[Finding]) -> None:
        """A set the mapper accepted: its mandatory elements checked, its findings, rows and document stored."""
        check_mandatory(c)
        if c.findings:
            c.summarise()
            findings.extend(c.findings)
        self.add_rows(c.rows)
        tx = c.tx
        self.add_document(doc_head, (tx.transaction_set, tx.control, reference or None, document_date,
                                     tx.implementation or None, str(tx.end - tx.start + 1), c.base, tx.control))

    def _map_columnar(self, tx: TxSet, mapper: SetMapper, segs: list[list[str]], name: str, doc_head: tuple,
                      findings: list[Finding]) -> bool:
        """Map a set whose lines the columnar pass holds (`columnar`): the mapper on its stubbed segments.

        False (nothing kept, nothing reported) unless the mapper accepted the set and every line
        row it made is an untouched stub: the caller then maps the set the reference way.
        """
        block = self._block
        assert block is not None
        c = self._context(tx, name, mapper, segs)
        try:
            reference, document_date = mapper.map(c)
        except Exception:  # a reject or a mapper bug: the reference way says what it says
            return False
        entity, count = block.lines(tx)
        head, lines = c.rows.pop(entity, (None, []))
        # Untouched stubs are rows of Nones: `list.count` compares them in C (a fifth of `any(map(any, ...))`).
        if head is None or len(lines) != count or lines.count(_EMPTY[entity]) != count:
            return False
        block.take(tx, head)
        self._mapped(c, reference, document_date, doc_head, findings)
        return True

    def _map_header(self, tx: TxSet, name: str, fields: tuple, doc_head: tuple) -> None:
        """Store a set the block read in Arrow (an 850's header, `headers`; an 856 whole, `asn`): the rows and
        document the mapper and `_mapped` would store, with no findings (the set was chosen so)."""
        block = self._block
        assert block is not None
        direction, partner, resolved, _ = self._group_values(tx, name)
        base, icc = tx.ic.first_position + tx.start, tx.interchange.control
        if tx.transaction_set == "856":
            head, reference, when = asn.shipment_head(fields, partner, name, icc, tx.control)
        else:
            head, order = order_rows(fields, None, resolved, "850", partner, direction, name, icc, tx.control, base)
            self.add_rows({"orders": (None, [order])})
            reference, when = fields[0], fields[3]
        block.take(tx, head)
        self.add_document(doc_head, (tx.transaction_set, tx.control, reference or None, when,
                                     tx.implementation or None, str(tx.end - tx.start + 1), base, tx.control))

    def add_rows(self, rows: dict[str, tuple[tuple | None, list]]) -> None:
        """Store one document's rows: per entity its head (HEADS order, or None) and lines (LINES order)."""
        store = self.store
        for entity, (head, lines) in rows.items():
            if lines:
                stored = store[entity]
                if head is not None:
                    stored.heads.append(head)
                    stored.counts.append(len(lines))
                stored.lines.extend(map(tuple, lines))  # tuple(t) is t; pending lists become tuples
                if len(stored.lines) >= FLUSH_ROWS and (self._block is None or entity not in self._block.held):
                    self._flush(entity)

    def add_document(self, head: tuple, line: tuple) -> None:
        """Store one edi_documents row: `head` shared with the previous document when it is the same object."""
        docs = self.store["edi_documents"]
        if docs.heads and docs.heads[-1] is head:
            docs.counts[-1] += 1
        else:
            docs.heads.append(head)
            docs.counts.append(1)
        docs.lines.append(line)
        if len(docs.lines) >= FLUSH_ROWS:  # a file of a million small documents: their rows too become chunks
            self._flush("edi_documents")

    # -- tables -------------------------------------------------------------------------------

    def _add_block(self, block: columnar.Block) -> None:
        """Store a block's columnar lines together with the rows the mappers made meanwhile, in file order.

        The entity's Python rows held before the block come first; the block's own (sets mapped
        the reference way, other set types of the entity) and its columnar lines (of every kind:
        one per set of delimiters) are ordered by `_source_row`, which increases through a file.
        """
        tables: dict[str, list[pa.Table]] = {}
        for entity, arrays, heads, counts in block.tables():
            tables.setdefault(entity, []).append(_columns_table(entity, arrays, heads, counts))
        for entity, parts in tables.items():
            table = parts[0]
            if len(parts) > 1:  # kinds of one entity (interchanges with other delimiters): one table, in file order
                table = pa.concat_tables(parts)
                table = table.take(pa.array(np.argsort(table["_source_row"].to_numpy(), kind="stable")))
            rows = self.store[entity]
            if rows.lines:
                held = _table(entity, rows)
                keys = held["_source_row"].to_numpy().copy()
                keys[: block.held[entity]] = -1
                order = np.argsort(np.concatenate([keys, table["_source_row"].to_numpy()]), kind="stable")
                table = pa.concat_tables([held, table]).take(pa.array(order))
                self.store[entity] = _Rows()
            self._store_chunk(entity, table)
        for entity in block.held:  # rows the block left in Python: flushed as usual once there are enough
            if len(self.store[entity].lines) >= FLUSH_ROWS:
                self._flush(entity)

    def _flush(self, entity: str) -> None:
        """Move the entity's Python rows into an Arrow chunk, so they never pile up in Python."""
        table = _table(entity, self.store[entity])
        self.store[entity] = _Rows()
        self._store_chunk(entity, table)

    def _store_chunk(self, entity: str, table: pa.Table) -> None:
        if self.spill is not None:
            self.spill(entity, table)
        else:
            self.chunks[entity].append(table)

    def flush_all(self) -> None:
        """Spill mode: hand over every entity's remaining rows (entities without rows write nothing)."""
        for entity in COLUMNS:
            if self.store[entity].lines:
                self._flush(entity)

    def result(self) -> X12Result:
        tables = {}
        for entity in COLUMNS:
            chunks = self.chunks[entity]
            if self.store[entity].lines or not chunks:
                self._flush(entity)
            tables[entity] = chunks[0] if len(chunks) == 1 else pa.concat_tables(chunks)
        return X12Result(tables=tables, findings=self.findings, files=self.files, segments=self.segments)


_EMPTY = {entity: [None] * len(names) for entity, names in LINES.items()}
"""Per entity, the row a line stub makes (`_map_columnar`)."""

BLOCK_SEGMENTS = 65_536
"""Segments of small interchanges walked before their sets are mapped as one columnar block (`_Parser._batch`):
bounded memory (their segment strings are alive until the block is mapped), few blocks per file. An
interchange of this size or more is a block of its own. The tests set it low to cut blocks anywhere."""

FLUSH_ROWS = 65_536
"""Rows of one entity kept as Python tuples before they become an Arrow chunk: bounded memory
(a 2M-segment file peaks at about half of what building the tables at the end needs) and a
working set that stays in cache."""


__all__ = ["MAPPED_SETS", "empty_tables", "parse_x12_files"]
