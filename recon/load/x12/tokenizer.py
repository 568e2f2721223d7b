"""X12 tokenizer: bytes -> interchanges -> segments -> elements.

X12 declares its own delimiters in every ISA: the element separator is the character right
after "ISA", the component separator is ISA16, the repetition separator is ISA11 (from
version 00402 on) and the segment terminator is the character right after ISA16. Real files
then add their own noise: byte-order marks, CRLF or LF after each terminator, a line break as
the terminator, indented "pretty" files, fixed-width wrapping at 80 columns, several
interchanges concatenated, junk before the first ISA.

Speed matters (nightly EDI drops run into millions of segments), so everything here works on
whole strings with C-level str methods (replace, split, find, count, a regex substitution only
when the text needs it) and never walks characters in Python. Segments stay strings; they are
split into elements one transaction set at a time (`split_segments`, `map` + `str.split`, in C)
when the mapper gets to that set.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat

import pyarrow as pa

from recon.load.x12 import candidates
from recon.load.x12.elements import empty_mandatory_tails
from recon.load.x12.isa import LAYOUT, Delimiters, IsaError, Issue, bad_delimiter, read_isa
from recon.load.x12.recover import cut_points, find_gs, recover

BOM = "\ufeff"
_WS = " \t\r\n"
EBCDIC_ISA = b"\xc9\xe2\xc1"
""""ISA" in the EBCDIC code pages (cp037, cp500, cp1140...): letters and digits sit at the same
code points in all of them."""


Block = tuple[list[str], "list[int] | None", "list[int] | None", str]
"""A further block of a streamed interchange: segments, envelope and mandatory candidates
(indexes in the interchange, None when unknown), and the block's text before layout removal."""


@dataclass(slots=True)
class Interchange:
    """One ISA..IEA stretch of a file, cut into segment strings.

    Segments are kept as strings (`raw`) and split into elements only one transaction set at
    a time by the mapper: a 2M-segment file then needs ~200 MB rather than well over 1 GB of
    element lists. `isa` holds the 17 ISA strings ("ISA", ISA01..ISA16, unstripped) and
    `raw[0]` the ISA re-joined. `first_position` is the 1-based position of the ISA counted
    over the whole file, so `raw[i]` is segment `first_position + i` of the file.
    """

    index: int
    offset: int
    delimiters: Delimiters | None
    isa: list[str] | None
    raw: list[str]
    first_position: int
    issues: list[Issue] = field(default_factory=list)
    has_component: bool = False
    has_repetition: bool = False
    envelope: list[int] | None = None  # indexes in `raw` of ST/SE/GS/GE/IEA/ISB/ISE/TA1 candidates
    suspects: list[int] | None = None  # indexes in `raw` that may lack a mandatory element (None: unknown)
    synthetic: bool = False  # raw[0] stands in for a missing ISA (recover.py): it is no segment of the file

    base: int = 0  # the index of raw[0]: a streamed interchange (`stream`) keeps a window of its segments
    array: pa.Array | None = None  # raw[1:] as Arrow strings (`candidates`), when the tokenizer made them


    def elements(self, i: int) -> list[str]:
        """Segment i split into elements (element 0 is the segment id)."""
        if i == 0 and self.isa is not None:
            return self.isa
        assert self.delimiters is not None
        return self.raw[i - self.base].split(self.delimiters.element)

    def advance(self, keep: int, block: Block) -> None:
        """Drop the segments before index `keep` and append the next block of a streamed interchange."""
        segments, _, suspects, text = block
        self.array = None  # it no longer lines up with the window
        drop = keep - self.base
        if drop > 0:
            del self.raw[:drop]
            self.base = keep
        self.raw.extend(segments)
        if self.suspects is not None and suspects is not None:
            del self.suspects[: bisect_left(self.suspects, keep)]
            self.suspects.extend(suspects)
        else:
            self.suspects = None  # a block whose offsets did not map to segments: the sets are scanned
        d = self.delimiters
        assert d is not None
        self.has_component = self.has_component or d.component in text
        self.has_repetition = self.has_repetition or (d.repetition is not None and d.repetition in text)


@dataclass(slots=True)
class TokenizedFile:
    """The tokenised content of one file."""

    format: str  # "x12" | "edifact" | "unknown" | "empty"
    interchanges: list[Interchange]
    segments: int
    error: str | None = None
    issues: list[Issue] = field(default_factory=list)


def decode(data: bytes) -> str:
    """Bytes to text without ever failing.

    UTF-8 is tried first (it is what modern gateways write, and it keeps a multi-byte
    terminator such as U+2026 one character); anything else is read as Latin-1, which maps
    every byte, so a stray 0xA0 never crashes a nightly run. Byte-order marks are dropped
    wherever they are (concatenated files carry one per part). A file that starts (after
    EBCDIC blanks and line breaks) with "ISA" in EBCDIC is decoded as EBCDIC (`decode_ebcdic`).
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    elif data.lstrip(b"\x40\x00\x0d\x15\x25\x05").startswith(EBCDIC_ISA):
        text = decode_ebcdic(data)
    else:
        # The trailing NULs, EOFs and layout go before decoding, from a view of the bytes: stripping
        # the decoded text would copy all of it once more (a 30 MB file: ~7,000 fresh pages, ~5 %
        # of the parse). They are ASCII, so this strips exactly what the text's rstrip would.
        end = len(data)
        while end and data[end - 1] in _TRAILING:
            end -= 1
        view = memoryview(data)[:end] if end < len(data) else data
        try:
            text = str(view, "utf-8")
        except UnicodeDecodeError:
            text = str(view, "latin-1")
    if BOM in text:
        text = text.replace(BOM, "")
    return text.rstrip("\x00\x1a" + _WS)  # the same object when nothing is left to strip


_TRAILING = frozenset(b"\x00\x1a \t\r\n")


def decode_ebcdic(data: bytes) -> str:
    """An EBCDIC interchange (mainframe gateways) as text.

    cp037 (US) and cp500 (international) differ only in a few punctuation characters, some of
    which are popular delimiters (`|`, `!`, `^`, `[`, `]`): cp037 is used unless it makes the
    element separator (the character after ISA) non-ASCII and cp500 does not. The EBCDIC
    new-line character (0x15, decoded as U+0085) ends a record like a line feed, so records of
    fixed length (80 columns, one segment or a slice of the stream per record) are then
    unwrapped by the same layout rules as any wrapped file.
    """
    text = data.decode("cp037")
    i = text.find("ISA")
    if i >= 0 and i + 3 < len(text) and not text[i + 3].isascii():
        alt = data.decode("cp500")
        if alt[i + 3].isascii():
            text = alt
    if "\x85" in text:
        text = text.replace("\x85", "\n")
    return text


def sniff(text: str) -> str:
    """'x12', 'edifact', 'empty' or 'unknown', from the first non-blank characters."""
    head = text.lstrip(_WS + "\x00")[:3]
    if not head:
        return "empty"
    if head in ("UNA", "UNB"):
        return "edifact"
    if head == "ISA" or _find_isa(text, 0) >= 0 or find_gs(text, 0, len(text)) >= 0:
        return "x12"
    return "unknown"


def _find_isa(text: str, start: int) -> int:
    """The next plausible ISA start at or after `start` (a cheap check; read_isa decides)."""
    i = _isa_at(text, start)
    while i >= 0:
        after = text[i + 3 : i + 4]
        before = text[i - 1] if i > 0 else "\n"
        if not bad_delimiter(after) and not before.isalnum():
            return i
        i = _isa_at(text, i + 1)
    return -1


def _next_isa(text: str, start: int, d: Delimiters) -> int:
    """Where the next interchange starts: an 'ISA' that begins a segment under delimiters `d`."""
    i = _isa_at(text, start)
    n = len(text)
    while i >= 0:
        after = text[i + 3] if i + 3 < n else ""
        if not bad_delimiter(after):
            j = i - 1
            if d.line_terminated:
                while j >= 0 and text[j] in " \t":
                    j -= 1
                if j < 0 or text[j] in "\r\n":
                    return i
            else:
                while j >= 0 and text[j] in _WS:
                    j -= 1
                if j < 0 or text[j] == d.segment:
                    return i
        i = _isa_at(text, i + 1)
    return -1


@lru_cache(maxsize=64)
def _literal(needle: str) -> re.Pattern[str]:
    return re.compile(re.escape(needle))


def _has(text: str, needle: str) -> bool:
    """`needle in text` for a needle of frequent characters (a blank and a terminator): `re`'s
    literal search takes 11 ms for 28 MB of X12 where `in` takes 29 (a single character stays `in`:
    that is memchr)."""
    return _literal(needle).search(text) is not None


def _isa_at(text: str, start: int) -> int:
    """`text.find("ISA", start)`, through `re`: its literal search scans X12 text twice as fast as
    `str.find` (12 against 24 ms for 28 MB, where I, S and A are everywhere), and a file of one
    interchange is scanned to its end for a second ISA."""
    m = _literal("ISA").search(text, start)
    return m.start() if m else -1


@lru_cache(maxsize=64)
def _line_strip_re(component: str) -> re.Pattern[str]:
    # Trailing blanks and a dangling component separator before a line break, indentation after it.
    extra = re.escape(component) if not component.isalnum() else ""
    return re.compile(rf"[ \t\x0b\x0c{extra}]*\n[ \t\x0b\x0c\n]*")


@lru_cache(maxsize=64)
def _char_strip_re(term: str) -> re.Pattern[str]:
    t = re.escape(term)
    return re.compile(rf"[ \t\x0b\x0c]*{t}[ \t\x0b\x0c]*")


ENVELOPE_IDS = ("ST", "SE", "GS", "GE", "IEA", "ISB", "ISE", "TA1")


@lru_cache(maxsize=64)
def _envelope_re(term: str, element: str) -> re.Pattern[str]:
    """A terminator and the start of an envelope segment, or of a segment with an empty mandatory element.

    An envelope match sets a group (`lastindex`), a mandatory one none. The tags are written as a
    prefix tree (`~(?:S(?:T|E|N1...)|G...)`): `re` tries the alternatives of a branch one by one,
    so at each of the millions of terminators it compares a few first characters, not 27 tags.
    """
    tails = empty_mandatory_tails(element, term)
    tails.update((tag, f"{re.escape(element)}()") for tag in ENVELOPE_IDS)
    return re.compile(re.escape(term) + _prefix_tree(tails))


def _prefix_tree(tails: dict[str, str]) -> str:
    """`(?:tag1 tail1|tag2 tail2|...)` with common first characters factored out, recursively."""
    by_first: dict[str, dict[str, str]] = {}
    for tag, tail in tails.items():
        by_first.setdefault(tag[:1], {})[tag[1:]] = tail
    alternatives = [
        rest[""] if first == "" else re.escape(first) + _prefix_tree(rest) for first, rest in by_first.items()
    ]
    return alternatives[0] if len(alternatives) == 1 else f"(?:{'|'.join(alternatives)})"


def remove_layout(body: str, d: Delimiters) -> str:
    """The text after an ISA with every layout character between segments removed.

    This is the one place layout goes: everything after it (the envelope search, the split
    into segments) sees `SEG~SEG~` (or `SEG\nSEG\n` when the line break is the terminator),
    whatever the sender did: CR, LF or CRLF after terminators, line breaks inside segments
    (fixed-width wrapping), blanks or tabs before or after a terminator, indentation, blank
    lines, and any mix of them inside one file. Each kind of layout is detected with a C-level
    `in` scan and only then removed (a regex substitution), so a file without it pays a few
    scans and nothing else.
    """
    if d.line_terminated:
        if "\r" in body:
            body = body.replace("\r\n", "\n").replace("\r", "\n")
        comp = d.component
        if (
            "\t" in body or "\x0b" in body or "\x0c" in body or _has(body, " \n") or _has(body, "\n ")
            or _has(body, "\n\n") or (not comp.isalnum() and _has(body, comp + "\n"))
        ):
            body = _line_strip_re(comp).sub("\n", body)
        body = body.strip(LAYOUT)
        if not comp.isalnum() and body.endswith(comp):
            body = body.rstrip(comp)
        return body
    term = d.segment
    if "\n" in body:
        body = body.replace("\n", "")
    if "\r" in body:
        body = body.replace("\r", "")
    if "\t" in body or "\x0b" in body or "\x0c" in body or _has(body, " " + term) or _has(body, term + " "):
        body = _char_strip_re(term).sub(term.replace("\\", r"\\"), body)  # a backslash terminator is legal
    return body.strip(" \t\x0b\x0c")


def split_body(body: str, d: Delimiters, arrays: list[pa.Array] | None = None,
               ) -> tuple[list[str], list[int] | None, bool, list[int] | None]:
    """Split the text after an ISA into segment strings (layout removed first, `remove_layout`).

    Also returns the indexes (counting the ISA as 0) of the segments that may be envelope
    segments, found with one regex over the text and `str.count` of terminators between hits,
    so that the envelope walker does not have to look at every segment in Python. None when
    the text offsets no longer map to indexes simply (empty segments were dropped, or a
    segment still had to be stripped of control characters): the walker then looks at every
    segment's tag, which is slower but finds the same envelope. The flag says whether
    segments follow an IEA (a second interchange whose ISA tag is damaged or missing may hide
    there: `recover.cut_points`). The last item lists, in the same pass and under the same
    condition, the indexes of the segments that may have an empty mandatory element
    (`elements.SEGMENTS`): the per-set check (`sets.mandatory`) then looks at those only.

    With `arrays` given (a list), a large interchange's candidates are found in Arrow instead
    (`candidates`: the same indexes) and its segments as an Arrow string array are appended to it.
    """
    body = remove_layout(body, d)
    term = "\n" if d.line_terminated else d.segment
    pieces = body.split(term)
    if pieces and not pieces[-1]:
        pieces.pop()
    segments = None
    if arrays is not None and len(pieces) >= candidates.MIN_SEGMENTS:
        try:  # the segments once more, in Arrow: the checks below and the candidates are asked of them
            segments = candidates.segment_array(pieces)
            shortest, lowest = candidates.shortest_and_lowest(segments) if segments is not None else (0, "")
        except Exception:  # a fast path must not cost the parse: the reference way below gives the same
            segments = None
    # Empty segments (two terminators in a row) are rare: a C-level scan for one is cheaper than
    # copying a list of a million segments to drop none.
    raw = list(filter(None, pieces)) if ("" in pieces if segments is None else shortest == 0) else pieces
    exact = len(raw) == len(pieces)
    iea = "IEA" + d.element
    n_iea = body.count(term + iea)
    extra_iea = n_iea > 1 or (n_iea == 1 and not raw[-1].startswith(iea))
    if raw and (min(raw) if segments is None or not exact else lowest)[0] <= " ":
        # A control character or NUL left before a segment: rare, so only now pay per segment.
        raw = [seg.strip(" \t\x00") for seg in raw]
        raw = list(filter(None, raw))
        exact = False
    if not exact:
        return raw, None, extra_iea, None
    envelope = [1] if raw and raw[0][:2] in ("GS", "ST", "IE", "IS", "TA", "SE", "GE") else []
    if segments is not None:
        try:
            found, suspected = candidates.find(segments, d.element)
            arrays.append(segments)  # type: ignore[union-attr]
            return raw, envelope + found, extra_iea, suspected
        except Exception:  # as above: the scan below
            pass
    suspects: list[int] = []  # the first segment (index 1) never is in a set's body: it is not looked at
    count = 1  # the ISA is index 0, the body's first segment index 1
    last = 0
    for m in _envelope_re(term, d.element).finditer(body):
        pos = m.start() + 1
        count += body.count(term, last, pos)
        last = pos
        (suspects if m.lastindex is None else envelope).append(count)
    return raw, envelope, extra_iea, suspects


def split_piece(piece: str, d: Delimiters, first_index: int) -> tuple[list[str], list[int] | None, list[int] | None]:
    """`split_body` for a piece of an interchange's text (cut right after a terminator, `stream`).

    Returns the segments and the envelope and mandatory candidates as indexes in the whole
    interchange, the piece's first segment being `first_index`. That first segment has no
    terminator before it in the piece, so the regex is matched against it alone, as it would
    have been in the whole text (the first piece keeps `split_body`'s own handling of index 1).
    """
    segments, envelope, _, suspects = split_body(piece, d)
    if envelope is None or suspects is None:
        return segments, None, None
    if first_index > 1:
        if envelope and envelope[0] == 1:
            del envelope[0]
        term = "\n" if d.line_terminated else d.segment
        m = _envelope_re(term, d.element).match(term + segments[0]) if segments else None
        if m is not None:
            (suspects if m.lastindex is None else envelope).insert(0, 1)
    shift = first_index - 1
    if shift:
        envelope = [i + shift for i in envelope]
        suspects = [i + shift for i in suspects]
    return segments, envelope, suspects


def split_segments(raw: list[str], element: str) -> list[list[str]]:
    """Segment strings to element lists, in C (map + str.split), for one transaction set."""
    return list(map(str.split, raw, repeat(element)))


def interchange_spans(
    text: str, start: int
) -> Iterator[tuple[int, int, tuple[Delimiters, list[str], int, list[Issue]] | None, IsaError | None]]:
    """Where each interchange starts and ends: (start, next start or -1, read_isa's result or None, error).

    `start` is the first plausible ISA. An unreadable ISA is read as far as `recover` can (its
    delimiters from the GS after it); when even that fails it is skipped up to the next ISA
    that can be read. `tokenize` cuts the text with exactly these spans; the parallel parser
    uses them to split a large file at interchange boundaries.
    """
    p = start
    while p >= 0:
        try:
            read = read_isa(text, p)
        except IsaError as exc:
            nxt = _find_isa(text, p + 3)
            while nxt >= 0:
                try:
                    read_isa(text, nxt)
                    break
                except IsaError:
                    nxt = _find_isa(text, nxt + 3)
            rescued = recover(text, p, nxt if nxt >= 0 else len(text), str(exc))
            yield p, nxt, rescued[1] if rescued else None, None if rescued else exc
            p = nxt
            continue
        nxt = _next_isa(text, read[2], read[0])
        yield p, nxt, read, None
        p = nxt


def first_isa(text: str) -> int:
    """Index of the first plausible ISA, -1 when there is none."""
    return _find_isa(text, 0)


def tokenize(text: str) -> TokenizedFile:
    """Split decoded text into interchanges of segments.

    Never raises for bad content: an unreadable ISA becomes an issue on that interchange and
    the tokenizer moves on to the next ISA it can read.
    """
    result, interchanges = tokenize_lazily(text)
    result.interchanges = list(interchanges)
    return result


def tokenize_lazily(text: str) -> tuple[TokenizedFile, Iterator[Interchange]]:
    """`tokenize`, one interchange at a time: the file's format and issues, and an iterator.

    The parser maps each interchange before the next is cut into segments, so a file of many
    interchanges never holds all its segment strings at once. `segments` of the returned
    TokenizedFile is set when the iterator is exhausted; `interchanges` stays empty.

    Text before the first ISA is searched for a group whose ISA is damaged or missing
    (`recover`): when there is one, it is the file's first interchange.
    """
    fmt = sniff(text)
    if fmt == "empty":
        return TokenizedFile("empty", [], 0, "file is empty"), iter(())
    if fmt == "edifact":  # the parser hands such files to recon.load.edifact before decoding them
        return TokenizedFile("unknown", [], 0, "an EDIFACT interchange (UNA/UNB), not X12"), iter(())
    start = _find_isa(text, 0)
    end = start if start >= 0 else len(text)
    gs = find_gs(text, 0, end)
    rescued = recover(text, 0, end) if gs >= 0 else None
    if start < 0 and rescued is None:
        if gs < 0:
            return TokenizedFile("unknown", [], 0, "no ISA interchange header found: not an X12 file"), iter(())
        # A GS is there but no terminator can be told from it (the group is cut off after GS08,
        # or its neighbours are letters): X12 with a defect, not "not X12" (exit 1, not 2).
        unreadable = TokenizedFile("x12", [], 0)
        unreadable.issues.append(Issue(
            "X12-ISA-UNREADABLE", "error",
            f"no ISA header, and the segment terminator cannot be told from the GS segment at character "
            f"{gs + 1} (nothing after its GS08, or a letter or digit around it): no set could be read",
            None, None, "GS",
        ))
        return unreadable, iter(())
    result = TokenizedFile("x12", [], 0)
    lead = text[: rescued[0] if rescued else start].strip(LAYOUT + "\x00")
    if lead:
        result.issues.append(
            Issue(
                "X12-LEADING-DATA",
                "warning",
                f"{len(lead)} characters before the first ISA were ignored ({lead[:30]!r}...)",
                None,
                None,
                None,
            )
        )
    return result, _interchanges(text, start, result, rescued)


def _interchanges(
    text: str, start: int, result: TokenizedFile, rescued: tuple[int, tuple, bool] | None
) -> Iterator[Interchange]:
    spans = interchange_spans(text, start) if start >= 0 else iter(())
    if rescued is not None:
        first = (rescued[0], start, rescued[1], None)
        spans = _chain_first(first, spans)
    position = 1
    index = 0
    for p, nxt, read, error in spans:
        if read is None:
            ic = Interchange(index, p, None, None, [], position)
            index += 1
            # Skip to the next ISA we can read; estimate how many segments were skipped so the
            # positions of later interchanges stay close to what an editor shows.
            chunk = text[p : nxt if nxt >= 0 else len(text)]
            skipped = max(1, chunk.count("~") or chunk.count("\n") + 1)
            ic.issues.append(
                Issue("X12-ISA-UNREADABLE", "error", f"unreadable ISA: {error}; the interchange was skipped")
            )
            position += skipped
            yield ic
            continue
        d, isa, body_start, issues = read
        synthetic = isa[13] == "" and any(i.code in ("X12-ISA-MISSING", "X12-ISA-UNREADABLE") for i in issues)
        body = text[body_start : nxt if nxt >= 0 else len(text)]
        arrays: list[pa.Array] = []
        segments, envelope, extra_iea, suspects = split_body(body, d, arrays)
        segments.insert(0, d.element.join(isa))
        has_component = d.component in body
        has_repetition = d.repetition is not None and d.repetition in body
        del body
        cuts = cut_points(segments, d) if extra_iea else []
        bounds = [(0, isa, issues, d, synthetic)]
        for k, cut_isa, cut_issues in cuts:
            cd = d if cut_isa is None else _with_component(d, cut_isa)
            bounds.append((k, cut_isa, cut_issues, cd, cut_isa is None))
        for j, (lo, ic_isa, ic_issues, ic_d, ic_synthetic) in enumerate(bounds):
            hi = bounds[j + 1][0] if j + 1 < len(bounds) else len(segments)
            if len(bounds) == 1:
                raw = segments
            elif ic_synthetic and lo > 0:
                raw = [segments[0], *segments[lo:hi]]
                envelope = suspects = None
            else:
                raw = segments[lo:hi]
                raw[0] = ic_d.element.join(ic_isa) if ic_isa is not None else raw[0]
                envelope = suspects = None
            if ic_isa is None:
                ic_isa = _stand_in_isa(raw, ic_d)
                raw[0] = ic_d.element.join(ic_isa)
            first = position - 1 if ic_synthetic else position
            ic = Interchange(index, p, ic_d, ic_isa, raw, first, synthetic=ic_synthetic)
            index += 1
            ic.envelope = envelope
            ic.suspects = suspects
            ic.array = arrays[0] if arrays and len(bounds) == 1 else None
            ic.issues.extend(ic_issues)
            if ic_synthetic:
                for issue in ic.issues:
                    issue.position = position
                    issue.segment_id = raw[1].split(ic_d.element, 1)[0] if len(raw) > 1 else None
            ic.has_component = has_component
            ic.has_repetition = has_repetition
            position += len(raw) - (1 if ic_synthetic else 0)
            yield ic
    result.segments = position - 1


def _chain_first(first: tuple, rest: Iterator[tuple]) -> Iterator[tuple]:
    yield first
    yield from rest


def _with_component(d: Delimiters, isa: list[str]) -> Delimiters:
    comp = isa[16].strip()[:1] if len(isa) > 16 else ""
    if bad_delimiter(comp) or comp in (d.element, d.segment):
        return d
    return Delimiters(d.element, comp, d.repetition, d.segment, d.line_terminated)


def _stand_in_isa(raw: list[str], d: Delimiters) -> list[str]:
    """ISA elements for a group found after an IEA with no ISA: sender, receiver, date from its GS."""
    gs = raw[1].split(d.element) if len(raw) > 1 else []

    def el(i: int) -> str:
        return gs[i].strip() if len(gs) > i else ""

    return ["ISA", "00", " " * 10, "00", " " * 10, "ZZ", f"{el(2):<15}", "ZZ", f"{el(3):<15}", el(4)[-6:],
            el(5)[:4], "U", "00401", "", "0", "P", d.component]
