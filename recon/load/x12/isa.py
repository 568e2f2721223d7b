"""The ISA segment: where each interchange declares its delimiters, and how to read it.

X12 declares its own delimiters in every ISA: the element separator is the character right
after "ISA", the component separator is ISA16, the repetition separator is ISA11 (from
version 00402 on) and the segment terminator is the character right after ISA16. This module
reads them (tolerating wrong padding, wrapping and blanks before the terminator) and knows
nothing about the rest of the file.
"""

from __future__ import annotations

from dataclasses import dataclass

ISA_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)
"""Fixed widths of ISA01..ISA16; the ISA is 106 characters including its terminator."""

LAYOUT = " \t\r\n\x0b\x0c"
"""Characters that are layout between segments, never delimiters. Not `str.isspace()`: that
also holds for the information separators 0x1C..0x1F, which real senders use as delimiters."""


def bad_delimiter(c: str) -> bool:
    """A letter, digit or layout character cannot delimit anything (the data is made of them)."""
    return not c or c.isalnum() or c in LAYOUT


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


def read_isa(text: str, p: int, tag: int = 3) -> tuple[Delimiters, list[str], int, list[Issue]]:
    """Read the ISA starting at `text[p]`.

    Returns the delimiters, the 17 ISA strings, the index where the body (GS...) starts and
    any issues. The delimiters are found by counting 16 element separators rather than by
    fixed offsets 3/104/105, so an ISA with wrong padding (non-breaking spaces, trimmed ids)
    or one wrapped across lines is still readable; its wrong length is reported as an issue.
    `tag` is the length of the segment tag: 3, or less for a damaged tag (`SA*00*...`, see
    recover.py), which is then read as "ISA".

    Blanks between ISA16 and the terminator are layout: `...*> \r\n` is a line-break
    terminated file with a trailing blank on each line, `...*> ~` a `~` file with one.
    """
    n = len(text)
    if p + tag + 1 > n:
        raise IsaError("file ends inside the ISA segment")
    elem = text[p + tag]
    if bad_delimiter(elem):
        raise IsaError(f"no element separator after 'ISA' (found {elem!r})")
    limit = min(n, p + 400)
    idx = p + tag
    for count in range(2, 17):
        idx = text.find(elem, idx + 1, limit)
        if idx < 0:
            raise IsaError(f"the ISA has only {count - 1} of its 16 elements")
    comp_i = idx + 1
    if comp_i >= n:
        raise IsaError("file ends before ISA16 (component separator)")
    comp = text[comp_i]
    term_i = comp_i + 1
    while term_i < n and text[term_i] in " \t":
        term_i += 1  # blanks before the terminator or the line break are layout
    term = text[term_i] if term_i < n else ""
    line_terminated = False
    body_start = term_i + 1
    if term in ("\r", "\n"):
        k = term_i
        while k < n and text[k] in "\r\n":
            k += 1
        c = text[k] if k < n else ""
        nxt = text[k + 1] if k + 1 < n else ""
        if not bad_delimiter(c) and c not in (elem, comp) and (nxt.isalnum() or nxt in "\r\n"):
            # Fixed-width wrapping put the line break right after ISA16; the real terminator
            # starts the next line ("...*>\n~GS*...").
            term, body_start = c, k + 1
        else:
            term, line_terminated, body_start = "\n", True, term_i
    elif term == "":
        raise IsaError("file ends right after ISA16: no segment terminator")
    elif bad_delimiter(term) or term in (elem, comp):
        raise IsaError(f"the character after ISA16 ({term!r}) cannot be a segment terminator")

    isa_text = text[p : comp_i + 1]
    if "\n" in isa_text or "\r" in isa_text:
        isa_text = isa_text.replace("\r", "").replace("\n", "")
    isa = isa_text.split(elem)
    isa[0] = "ISA"
    if tag != 3:
        isa_text = "ISA" + isa_text[tag:]
    version = isa[12].strip()
    if not (len(version) == 5 and version.isdecimal()):
        raise IsaError(f"ISA12 (version) {isa[12]!r} is not 5 digits: the ISA elements are misaligned")

    issues: list[Issue] = []
    repetition = None
    if version >= "00402":
        # Many senders keep the pre-00402 "U" in ISA11; that simply means "no repetitions".
        r = isa[11]
        if len(r) == 1 and not bad_delimiter(r) and r not in (elem, comp, term):
            repetition = r
    control = isa[13].strip()
    if not control.isdecimal():
        issues.append(
            Issue("X12-ISA13-INVALID", "warning", f"ISA13 control number {isa[13]!r} is not numeric", "ISA13")
        )
    if bad_delimiter(comp):
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


