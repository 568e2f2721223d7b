"""An EDIFACT file -> rows of the canonical tables + findings, inside the one EDI parse.

`recon.load.x12.parser` reads each file's bytes and hands an EDIFACT file (one that starts with
UNA/UNB) to `EdifactFiles.parse`, which shares the parse's row store, findings, file summaries
and duplicate registry: a source's glob may mix X12 and EDIFACT files, duplicates are found
across all of them, and the loader, `recon edi inspect`, the parallel parse and Spark need no
EDIFACT code of their own. Rows use the X12 table layout (`recon.load.x12.sets.schema`).
"""

from __future__ import annotations

import re
import weakref
from collections import Counter
from collections.abc import Iterator
from itertools import repeat
from pathlib import Path
from typing import Protocol

from recon.load.edifact import stream
from recon.load.edifact.envelope import Group, Interchange, Message, Walker
from recon.load.edifact.messages.base import MessageContext, Reject, document_code
from recon.load.edifact.messages.registry import DIRECTORIES, MAPPERS
from recon.load.edifact.options import EdifactOptions
from recon.load.edifact.syntax import P_COMP, PLACEHOLDERS, Service, Tokens, tokenize
from recon.load.x12.envelope import Registry
from recon.load.x12.quirks import ResolvedOptions
from recon.load.x12.result import FileSummary, Finding, InterchangeSummary

_PLACEHOLDER = re.compile(f"[{PLACEHOLDERS}]")
SERVICE_MESSAGES = frozenset({"CONTRL", "AUTACK", "KEYMAN"})


class Host(Protocol):
    """What the EDI parse (`recon.load.x12.parser._Parser`) lends the EDIFACT reader: its findings,
    duplicate registry, segment count and row store."""

    findings: list[Finding]
    registry: Registry
    segments: int

    def add_rows(self, rows: dict[str, tuple[tuple | None, list]]) -> None: ...

    def add_document(self, head: tuple, line: tuple) -> None: ...


class EdifactFiles:
    """Parses EDIFACT files into the host parse's store (one per parse, for the options cache)."""

    def __init__(self, host: Host, options: EdifactOptions) -> None:
        # A weak reference: the host parse owns this reader, and a cycle between them would keep the
        # parse's rows and Arrow chunks alive after its result was handed over (the cyclic collector
        # is paused while parsing and runs rarely), so the loader could not release them entity by
        # entity, and every further parse in the process grew the memory (and the page faults).
        self.host = weakref.proxy(host)
        self.options = options
        self.our_ids = frozenset(options.our_ids)
        self._resolved: dict[tuple[str | None, str | None], ResolvedOptions] = {}

    def parse(self, name: str, summary: FileSummary, data: bytes, part_of: Service | None = None,
              unmapped: Counter[str] | None = None) -> None:
        """One file, or (with `part_of`, the file's head) one part of a file cut at an interchange.

        With `unmapped` given (every part of a file, the first too), the messages without a mapper
        are counted into it and the caller reports them once for the file (`unmapped_finding`).
        """
        self._read(name, summary, tokenize(data, part_of), iter(()), unmapped)

    def parse_stream(self, path: Path, name: str, summary: FileSummary, plan: stream.Plan,
                     unmapped: Counter[str] | None = None) -> None:
        """A large file (or part) block by block (`stream`): the result of `parse`, in memory for a block."""
        tokens, more = stream.tokens(path, plan)
        self._read(name, summary, tokens, more, unmapped)

    def _read(self, name: str, summary: FileSummary, tokens: Tokens, more: Iterator[list[str]],
              unmapped: Counter[str] | None) -> None:
        """Walk and map a file's segments: `tokens.segments`, then (a file read in blocks) the blocks of `more`.

        Each block's closed messages are mapped before the next block is read; the mappers'
        findings follow the walk's, so the findings come in the same order either way.
        """
        host = self.host
        summary.format = "edifact"
        summary.readable = True
        for issue in tokens.issues:
            host.findings.append(Finding(issue.code, issue.severity, name, issue.message,  # type: ignore[arg-type]
                                         segment_position=1, segment_id="UNA" if tokens.una else "UNB",
                                         element=issue.element))
        seps = tokens.separators
        table = seps.unescape_table(with_component=False) if tokens.escaped else None
        walker = Walker(name, tokens.segments, tokens.first_position, seps.element, seps.component,
                        seps.unescape_table(with_component=True) if tokens.escaped else None,
                        host.registry, host.findings, tokens.una_segment, seps.terminator)
        part = unmapped is not None
        if unmapped is None:
            unmapped = Counter()
        mapped: list[Finding] = []
        for messages in walker.walk_blocks(more):
            for msg in messages:
                summary.sets.setdefault(msg.type or "?", []).append(msg.ref)
                if msg.ok and self._map(msg, walker, tokens, table, name, unmapped, mapped):
                    summary.loaded_sets += 1
                else:
                    summary.rejected_sets += 1
        host.findings.extend(mapped)
        for ic in walker.interchanges:
            summary.interchanges.append(InterchangeSummary(
                control=ic.control or "", version=ic.syntax, sender=ic.sender, receiver=ic.receiver, date=ic.date,
                test_indicator=ic.test_indicator, segment_terminator=seps.terminator, element_separator=seps.element,
                component_separator=seps.component, repetition_separator=seps.repetition))
        for ic, g in walker.groups:
            summary.groups.append((ic.control or "", g.control, g.message_type))
        summary.segments = walker.base + len(walker.raw) + (1 if tokens.una else 0)
        host.segments += summary.segments
        if unmapped and not part:
            host.findings.append(unmapped_finding(name, unmapped))

    # -- one message --------------------------------------------------------------------------

    def _segments(self, msg: Message, walker: Walker, tokens: Tokens,
                  table: dict[int, str] | None) -> tuple[list[list[str]], bool]:
        """The message's segments split into elements, released characters restored (but the component
        separator, which stays a placeholder until composites are split: see `_restore_components`)."""
        raw = walker.raw[msg.start - walker.base : msg.end + 1 - walker.base]
        elem = tokens.separators.element
        segs = list(map(str.split, raw, repeat(elem)))
        comp_escaped = False
        if table is not None:
            for k, s in enumerate(raw):
                if _PLACEHOLDER.search(s):
                    segs[k] = [v.translate(table) for v in segs[k]]
                    comp_escaped = comp_escaped or P_COMP in s
        return segs, comp_escaped

    def _partner(self, msg: Message) -> tuple[str, str | None, ResolvedOptions]:
        ic, group = msg.interchange, msg.group
        outbound = ic.sender in self.our_ids or (group is not None and group.sender in self.our_ids)
        if outbound:
            partner, app_partner = ic.receiver, group.receiver if group else None
        else:
            partner, app_partner = ic.sender, group.sender if group else None
        key = (partner, app_partner)
        resolved = self._resolved.get(key)
        if resolved is None:
            resolved = self._resolved[key] = self.options.resolve(partner, app_partner)
        return ("outbound" if outbound else "inbound"), partner or None, resolved

    def _map(self, msg: Message, walker: Walker, tokens: Tokens, table: dict[int, str] | None, name: str,
             unmapped: Counter[str], findings: list[Finding]) -> bool:
        host = self.host
        direction, partner, resolved = self._partner(msg)
        segs, comp_escaped = self._segments(msg, walker, tokens, table)
        c = MessageContext(msg, segs, tokens.first_position, tokens.separators.component, name, resolved, direction,
                           partner)
        mapper = MAPPERS.get(msg.type)
        version = msg.identifier.split(":")[1:2]
        if (mapper is not None and msg.type not in SERVICE_MESSAGES and version == ["D"]
                and msg.directory not in DIRECTORIES):
            c.warn("EDIFACT-DIRECTORY-UNSUPPORTED", f"{msg.type} of directory {msg.directory} (S009 "
                   f"{msg.identifier}); recon follows D.93A-D.01B: the message was mapped with their segments", 0,
                   "UNH0054")
        try:
            if mapper is not None:
                reference, document_date = mapper.map(c)
            else:
                unmapped[msg.type] += 1
                reference, document_date = None, None
        except Reject as r:
            c.summarise()
            findings.extend(c.findings)
            findings.append(c.finding(r.code, "error", r.message, r.index, r.element))
            return False
        except Exception as exc:  # a mapper bug must cost one message, not the night's load
            c.summarise()
            findings.extend(c.findings)
            findings.append(c.finding(
                "EDIFACT-INTERNAL-ERROR", "error", f"the {msg.type} mapper failed ({type(exc).__name__}: {exc}); "
                "the message was rejected; please report this with the file", 0))
            return False
        if c.findings:
            c.summarise()
            findings.extend(c.findings)
        if comp_escaped:
            _restore_components(c, tokens.separators.component)
        host.add_rows(c.rows)
        host.add_document(self._document_head(msg, direction, partner, name), (
            document_code(msg.type), msg.ref, reference or None, document_date, msg.identifier or None,
            str(msg.end - msg.start + 1), c.base, msg.ref,
        ))
        return True

    def _document_head(self, msg: Message, direction: str, partner: str | None, name: str) -> tuple:
        """The edi_documents head (HEADS order) shared by the messages of one group and type."""
        ic: Interchange = msg.interchange
        group: Group | None = msg.group
        holder: Group | Interchange = group if group is not None else ic
        if holder.cache is None:
            holder.cache = {}
        cache = holder.cache
        key = (msg.type, msg.directory)
        head = cache.get(key)
        if head is None:
            head = (
                direction, partner, group.control if group else ic.control, ic.control, ic.sender, ic.receiver,
                msg.type, msg.directory or None, group.sender if group else None, group.receiver if group else None,
                (group.timestamp if group and group.timestamp else ic.timestamp), ic.test_indicator, name, ic.control,
            )
            cache[key] = head
        return head


def unmapped_finding(name: str, unmapped: Counter[str]) -> Finding:
    """The one per-file warning that lists the message types without a mapper."""
    listed = ", ".join(f"{n} x {t}" for t, n in sorted(unmapped.items()))
    return Finding("EDIFACT-MESSAGE-NOT-MAPPED", "warning", name, f"messages not mapped to a canonical entity "
                   f"({listed}); they are listed in edi_documents only")


def _restore_components(c: MessageContext, component: str) -> None:
    """Turn the placeholder of a released component separator back into the separator in every row value."""
    def fix(v: object) -> object:
        return v.replace(P_COMP, component) if isinstance(v, str) else v

    for entity, (head, lines) in list(c.rows.items()):
        c.rows[entity] = (tuple(map(fix, head)) if head is not None else None,
                          [tuple(map(fix, line)) for line in lines])


__all__ = ["EdifactFiles", "unmapped_finding"]
