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
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat

BOM = "\ufeff"
ISA_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)
"""Fixed widths of ISA01..ISA16; the ISA is 106 characters including its terminator."""

_WS = " \t\r\n"


class IsaError(ValueError):
    """The ISA cannot be read, so the delimiters of that interchange are unknown."""


@dataclass(frozen=True, slots=True)
class Delimiters:
    """The delimiters one ISA declares."""

    element: str
    component: str
    repetition: str | None
    segment: str  # "\n" when the terminator is a line break
    line_terminated: bool

    def describe(self) -> dict[str, str | None]:
        return {
            "element": self.element,
            "component": self.component,
            "repetition": self.repetition,
            "segment": "line break" if self.line_terminated else self.segment,
        }


@dataclass(slots=True)
class Issue:
    """A tokenizer-level problem, turned into a Finding by the caller (which knows the file name)."""

    code: str
    severity: str
    message: str
    element: str | None = None
    position: int | None = None
    segment_id: str | None = "ISA"


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

    def elements(self, i: int) -> list[str]:
        """Segment i split into elements (element 0 is the segment id)."""
        if i == 0 and self.isa is not None:
            return self.isa
        assert self.delimiters is not None
        return self.raw[i].split(self.delimiters.element)


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
    wherever they are (concatenated files carry one per part).
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    if BOM in text:
        text = text.replace(BOM, "")
    return text.rstrip("\x00\x1a" + _WS)


def sniff(text: str) -> str:
    """'x12', 'edifact', 'empty' or 'unknown', from the first non-blank characters."""
    head = text.lstrip(_WS + "\x00")[:3]
    if not head:
        return "empty"
    if head in ("UNA", "UNB"):
        return "edifact"
    if head == "ISA" or _find_isa(text, 0) >= 0:
        return "x12"
    return "unknown"


def read_isa(text: str, p: int) -> tuple[Delimiters, list[str], int, list[Issue]]:
    """Read the ISA starting at `text[p]`.

    Returns the delimiters, the 17 ISA strings, the index where the body (GS...) starts and
    any issues. The delimiters are found by counting 16 element separators rather than by
    fixed offsets 3/104/105, so an ISA with wrong padding (non-breaking spaces, trimmed ids)
    or one wrapped across lines is still readable; its wrong length is reported as an issue.
    """
    n = len(text)
    if p + 4 > n:
        raise IsaError("file ends inside the ISA segment")
    elem = text[p + 3]
    if elem.isalnum() or elem.isspace():
        raise IsaError(f"no element separator after 'ISA' (found {elem!r})")
    limit = min(n, p + 400)
    idx = p + 3
    for count in range(2, 17):
        idx = text.find(elem, idx + 1, limit)
        if idx < 0:
            raise IsaError(f"the ISA has only {count - 1} of its 16 elements")
    comp_i = idx + 1
    if comp_i >= n:
        raise IsaError("file ends before ISA16 (component separator)")
    comp = text[comp_i]
    term_i = comp_i + 1
    term = text[term_i] if term_i < n else ""
    line_terminated = False
    body_start = term_i + 1
    if term in ("\r", "\n"):
        k = term_i
        while k < n and text[k] in "\r\n":
            k += 1
        c = text[k] if k < n else ""
        nxt = text[k + 1] if k + 1 < n else ""
        if c and not c.isalnum() and not c.isspace() and c not in (elem, comp) and (nxt.isalnum() or nxt in "\r\n"):
            # Fixed-width wrapping put the line break right after ISA16; the real terminator
            # starts the next line ("...*>\n~GS*...").
            term, body_start = c, k + 1
        else:
            term, line_terminated, body_start = "\n", True, term_i
    elif term == "":
        raise IsaError("file ends right after ISA16: no segment terminator")
    elif term.isalnum() or term.isspace() or term in (elem, comp):
        raise IsaError(f"the character after ISA16 ({term!r}) cannot be a segment terminator")

    isa_text = text[p:term_i]
    if not line_terminated and ("\n" in isa_text or "\r" in isa_text):
        isa_text = isa_text.replace("\r", "").replace("\n", "")
    isa = isa_text.split(elem)
    version = isa[12].strip()
    if not (len(version) == 5 and version.isdecimal()):
        raise IsaError(f"ISA12 (version) {isa[12]!r} is not 5 digits: the ISA elements are misaligned")

    issues: list[Issue] = []
    repetition = None
    if version >= "00402":
        # Many senders keep the pre-00402 "U" in ISA11; that simply means "no repetitions".
        r = isa[11]
        if len(r) == 1 and not r.isalnum() and not r.isspace() and r not in (elem, comp, term):
            repetition = r
    control = isa[13].strip()
    if not control.isdecimal():
        issues.append(
            Issue("X12-ISA13-INVALID", "warning", f"ISA13 control number {isa[13]!r} is not numeric", "ISA13")
        )
    if comp.isalnum() or comp.isspace():
        issues.append(
            Issue(
                "X12-ISA16-INVALID",
                "warning",
                f"ISA16 component separator {comp!r} is a letter, digit or space",
                "ISA16",
            )
        )
    length = len(isa_text) + 1
    if length != 106 or not isa_text.isascii():
        issues.append(_length_issue(isa, isa_text, term, length))
    delims = Delimiters(elem, comp, repetition, term, line_terminated)
    return delims, isa, body_start, issues


def _length_issue(isa: list[str], isa_text: str, term: str, length: int) -> Issue:
    """Say exactly which ISA elements have the wrong width or non-ASCII padding."""
    nbytes = len(isa_text.encode("utf-8")) + len(term.encode("utf-8"))
    bad = []
    for i, width in enumerate(ISA_WIDTHS, start=1):
        value = isa[i] if i < len(isa) else ""
        if len(value) != width or not value.isascii():
            bad.append(f"ISA{i:02d}")
    detail = []
    if not isa_text.isascii():
        odd = sorted({f"U+{ord(ch):04X}" for ch in isa_text if ord(ch) > 127})
        detail.append(f"non-ASCII characters {', '.join(odd)}")
    if bad:
        detail.append("wrong width or padding in " + ", ".join(bad))
    return Issue(
        "X12-ISA-LENGTH",
        "warning",
        f"ISA is {length} characters / {nbytes} bytes, 106 expected ({'; '.join(detail)}); "
        "delimiters were read by counting element separators",
        bad[0] if bad else None,
    )


def _find_isa(text: str, start: int) -> int:
    """The next plausible ISA start at or after `start` (a cheap check; read_isa decides)."""
    i = text.find("ISA", start)
    while i >= 0:
        after = text[i + 3 : i + 4]
        before = text[i - 1] if i > 0 else "\n"
        if after and not after.isalnum() and not after.isspace() and not before.isalnum():
            return i
        i = text.find("ISA", i + 1)
    return -1


def _next_isa(text: str, start: int, d: Delimiters) -> int:
    """Where the next interchange starts: an 'ISA' that begins a segment under delimiters `d`."""
    i = text.find("ISA", start)
    n = len(text)
    while i >= 0:
        after = text[i + 3] if i + 3 < n else ""
        if after and not after.isalnum() and not after.isspace():
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
        i = text.find("ISA", i + 1)
    return -1


@lru_cache(maxsize=64)
def _line_strip_re(component: str) -> re.Pattern[str]:
    # Trailing blanks and a dangling component separator before a line break, indentation after it.
    extra = re.escape(component) if not component.isalnum() else ""
    return re.compile(rf"[ \t{extra}]*\n[ \t]*")


@lru_cache(maxsize=64)
def _char_strip_re(term: str) -> re.Pattern[str]:
    t = re.escape(term)
    return re.compile(rf"[ \t]*{t}[ \t]*")


ENVELOPE_IDS = ("ST", "SE", "GS", "GE", "IEA", "ISB", "ISE", "TA1")


@lru_cache(maxsize=64)
def _envelope_re(term: str, element: str) -> re.Pattern[str]:
    ids = "|".join(ENVELOPE_IDS)
    return re.compile(f"{re.escape(term)}(?:{ids}){re.escape(element)}")


def split_body(body: str, d: Delimiters) -> tuple[list[str], list[int] | None]:
    """Split the text after an ISA into segment strings, stripping layout whitespace.

    Layout is detected with a few C-level scans (a tab anywhere, a blank before a terminator)
    plus `min()` over the split segments, which sorts any segment that starts with a blank or
    control character first; only when one of them hits does a regex clean the text.

    Also returns the indexes (counting the ISA as 0) of the segments that may be envelope
    segments, found with one regex over the text and `str.count` of terminators between hits,
    so that the envelope walker does not have to look at every segment in Python. None when
    empty segments were dropped (the text offsets no longer map to indexes simply).
    """
    if d.line_terminated:
        term = "\n"
        if "\r" in body:
            body = body.replace("\r\n", "\n").replace("\r", "\n")
        comp = d.component
        if "\t" in body or " \n" in body or (not comp.isalnum() and comp + "\n" in body):
            body = _line_strip_re(comp).sub("\n", body)
        body = body.strip(_WS)
        if body.endswith(comp) and not comp.isalnum():
            body = body.rstrip(comp)
    else:
        term = d.segment
        if "\n" in body:
            body = body.replace("\n", "")
        if "\r" in body:
            body = body.replace("\r", "")
        if term not in " \t" and ("\t" in body or " " + term in body):
            body = _char_strip_re(term).sub(term.replace("\\", r"\\"), body)  # a backslash terminator is legal
        body = body.strip(" \t")
    pieces = body.split(term)
    if pieces and not pieces[-1]:
        pieces.pop()
    raw = list(filter(None, pieces))
    exact = len(raw) == len(pieces)
    if raw and min(raw)[0] <= " ":
        # Indentation after a terminator ("~ N1*..."): rare, so only now pay per segment.
        raw = [seg.strip(" \t\x00") for seg in raw]
        if not all(raw):
            raw = list(filter(None, raw))
            exact = False
    if not exact:
        return raw, None
    envelope = [1] if raw and raw[0][:2] in ("GS", "ST", "IE", "IS", "TA", "SE", "GE") else []
    count = 1  # the ISA is index 0, the body's first segment index 1
    last = 0
    for m in _envelope_re(term, d.element).finditer(body):
        pos = m.start() + 1
        count += body.count(term, last, pos)
        last = pos
        envelope.append(count)
    return raw, envelope


def split_segments(raw: list[str], element: str) -> list[list[str]]:
    """Segment strings to element lists, in C (map + str.split), for one transaction set."""
    return list(map(str.split, raw, repeat(element)))


def interchange_spans(
    text: str, start: int
) -> Iterator[tuple[int, int, tuple[Delimiters, list[str], int, list[Issue]] | None, IsaError | None]]:
    """Where each interchange starts and ends: (start, next start or -1, read_isa's result or None, error).

    `start` is the first plausible ISA. An unreadable ISA is skipped up to the next ISA that can
    be read. `tokenize` cuts the text with exactly these spans; the parallel parser uses them to
    split a large file at interchange boundaries.
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
            yield p, nxt, None, exc
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
    """
    fmt = sniff(text)
    if fmt == "empty":
        return TokenizedFile("empty", [], 0, "file is empty"), iter(())
    if fmt == "edifact":
        return TokenizedFile("edifact", [], 0, "EDIFACT is not supported yet (only ANSI X12 is)"), iter(())
    start = _find_isa(text, 0)
    if start < 0:
        return TokenizedFile("unknown", [], 0, "no ISA interchange header found: not an X12 file"), iter(())
    result = TokenizedFile("x12", [], 0)
    lead = text[:start].strip(_WS + "\x00")
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
    return result, _interchanges(text, start, result)


def _interchanges(text: str, start: int, result: TokenizedFile) -> Iterator[Interchange]:
    position = 1
    for index, (p, nxt, read, error) in enumerate(interchange_spans(text, start)):
        ic = Interchange(index, p, None, None, [], position)
        if read is None:
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
        body = text[body_start : nxt if nxt >= 0 else len(text)]
        segments, envelope = split_body(body, d)
        segments.insert(0, d.element.join(isa))
        ic.envelope = envelope
        ic.delimiters = d
        ic.isa = isa
        ic.raw = segments
        ic.issues.extend(issues)
        ic.has_component = d.component in body
        ic.has_repetition = d.repetition is not None and d.repetition in body
        del body
        position += len(segments)
        yield ic
    result.segments = position - 1
