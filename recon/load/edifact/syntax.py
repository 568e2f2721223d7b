"""EDIFACT syntax (ISO 9735, versions 1-4): separators, character sets, segments.

An interchange may start with the service string advice `UNA` (exactly six characters after
the tag: component separator, element separator, decimal mark, release character, repetition
separator (reserved, a space, before version 4) and segment terminator). Without UNA the
defaults apply: `:` `+` `.` `?` `*` (version 4) `'`, or, for the level-B character set when the
character after `UNB` is IS3 (0x1D), the information separators IS1/IS3/IS4.

The character set is named by the syntax identifier (UNB S001/0001): UNOA/UNOB are ISO 646
(ASCII), UNOC ISO 8859-1, UNOD 8859-2, UNOE 8859-5, UNOF 8859-7 ... UNOW and UNOY ISO 10646
(UTF-8). The file is decoded with the first UNB's character set; bytes that the declared set
cannot hold (a UTF-8 file declared UNOA, common in practice) are decoded as UTF-8, then Latin-1,
and reported, never a crash.

A release character escapes the next character (`?+` is a plus inside a value, `??` a question
mark). Escaped characters are replaced by private-use placeholders before the text is split
(whole-string `str.replace`, in C), so splitting stays `str.split`; `unescape` restores them
once a value has been cut out. Line breaks between segments, or inside them (fixed-width
wrapping), carry no meaning when the terminator is not itself a line break, and are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from recon.load.blocks import Validity

UTF8_BOM = b"\xef\xbb\xbf"
BOM = "\ufeff"
_BLANK = b" \t\r\n\x00"

CHARSETS: dict[str, str] = {
    "UNOA": "ascii", "UNOB": "ascii", "UNOC": "latin-1", "UNOD": "iso8859-2", "UNOE": "iso8859-5",
    "UNOF": "iso8859-7", "UNOG": "iso8859-3", "UNOH": "iso8859-4", "UNOI": "iso8859-6", "UNOJ": "iso8859-8",
    "UNOK": "iso8859-9", "UNOL": "iso8859-15", "UNOW": "utf-8", "UNOY": "utf-8", "KECA": "euc-kr",
}
"""Syntax identifier (UNB S001/0001) -> Python codec. UNOX (ISO 2022 code extension) has no
single codec: such a file is decoded as UTF-8/Latin-1 and reported."""

SYNTAX_VERSIONS = frozenset({"1", "2", "3", "4"})

# Placeholders for released (escaped) characters: Unicode private-use code points, which no
# EDIFACT character set can carry, so they cannot collide with data.
P_RELEASE, P_TERM, P_ELEM, P_COMP, P_REP = "\ue000", "\ue001", "\ue002", "\ue003", "\ue004"
PLACEHOLDERS = P_RELEASE + P_TERM + P_ELEM + P_COMP + P_REP


@dataclass(frozen=True, slots=True)
class Separators:
    """The service characters of one interchange (UNA, or the defaults)."""

    component: str = ":"
    element: str = "+"
    decimal: str = "."
    release: str | None = "?"
    repetition: str | None = None
    terminator: str = "'"

    def unescape_table(self, with_component: bool) -> dict[int, str]:
        """str.translate table turning placeholders back into the characters they stand for."""
        table = {ord(P_RELEASE): self.release or "", ord(P_TERM): self.terminator, ord(P_ELEM): self.element,
                 ord(P_REP): self.repetition or ""}
        if with_component:
            table[ord(P_COMP)] = self.component
        return table


DEFAULT = Separators()
LEVEL_B = Separators("\x1f", "\x1d", ".", None, None, "\x1c")


@dataclass(slots=True)
class SyntaxIssue:
    """A problem found while reading the service string advice or decoding (becomes a Finding)."""

    code: str
    severity: str
    message: str
    element: str | None = None


@dataclass(slots=True)
class Tokens:
    """A file cut into segment strings (escaped characters still as placeholders).

    `segments[k]` is segment `k + first_position` of the file (1-based, the UNA counts as
    segment 1 when there is one), with its tag first. `escaped` says whether any placeholder
    occurs, so the common file without release characters never pays for unescaping.
    """

    separators: Separators
    segments: list[str]
    first_position: int
    una: bool
    charset: str | None  # the syntax identifier (UNB S001/0001), e.g. UNOC
    syntax_version: str | None
    escaped: bool
    issues: list[SyntaxIssue] = field(default_factory=list)
    una_segment: str = "UNA:+.? "
    """What a later UNA in the file reads as, once tokenized (placeholders included): the first
    UNA's, or the advice of the separators in use. recon reads a whole file with the separators
    of its start, so a later UNA (before a further interchange) must repeat them; one that
    declares others is reported (EDIFACT-UNA-MISMATCH), not obeyed."""


def is_edifact(data: bytes) -> bool:
    """Whether the bytes start (after a BOM and blanks) with an EDIFACT UNA or UNB (or, the UNB lost, UNG/UNH)."""
    head = data[:64]
    if head.startswith(UTF8_BOM):
        head = head[3:]
    head = head.lstrip(_BLANK)
    sep = head[3:4]
    if head[:3] == b"UNA":  # six service characters follow: printable, not letters or digits
        return len(head) >= 9 and all((32 <= b < 127 and not chr(b).isalnum()) or b == 32 for b in head[3:9])
    if head[:3] == b"UNB":  # then the element separator: printable, or IS3 (0x1D) of level B
        return sep == b"\x1d" or (bool(sep) and 32 < sep[0] < 127 and not sep.isalnum())
    return head[:3] in (b"UNG", b"UNH") and head[3:4] in (b"+", b"\x1d")  # the default element separators


def _una(text: str) -> tuple[Separators, list[SyntaxIssue]]:
    """Separators from the six characters after `UNA`; the defaults (and an issue) when unusable."""
    chars = text[3:9]
    if len(chars) < 6:
        return DEFAULT, [SyntaxIssue("EDIFACT-UNA-INVALID", "error", f"UNA is cut short ({text[:9]!r}); the "
                                     "default separators are used", "UNA")]
    comp, elem, dec, rel, rep, term = chars
    separators = [comp, elem, term] + ([rel] if rel != " " else []) + ([rep] if rep != " " else [])
    problems = []
    if len(set(separators)) != len(separators):
        problems.append("two service characters are the same")
    if any(c.isalnum() for c in separators):
        problems.append("a service character is a letter or digit")
    if dec not in ".,":
        problems.append(f"decimal mark {dec!r} is neither '.' nor ','")
    if problems:
        return DEFAULT, [SyntaxIssue("EDIFACT-UNA-INVALID", "error", f"UNA {chars!r}: {'; '.join(problems)}; "
                                     "the default separators are used", "UNA")]
    return Separators(comp, elem, dec if dec in ".," else ".", None if rel == " " else rel,
                      None if rep == " " else rep, term), []


def _syntax_identifier(data: bytes, una_len: int, seps: Separators) -> tuple[str | None, str | None]:
    """UNB S001: the syntax identifier (UNOC...) and version number, read from the raw bytes."""
    start = data.find(b"UNB", una_len)
    if start < 0:
        return None, None
    elem = data[start + 3 : start + 4]
    stop = len(data)
    for sep in (seps.element, seps.terminator):
        k = data.find(sep.encode("latin-1"), start + 4)
        if 0 <= k < stop:
            stop = k
    s001 = data[start + 4 : stop].decode("latin-1").strip()
    if not elem:
        return None, None
    parts = s001.split(seps.component)
    return parts[0].strip() or None, (parts[1].strip() if len(parts) > 1 else None) or None


def decode(data: bytes, charset: str | None) -> tuple[str, list[SyntaxIssue]]:
    """The bytes as text in the declared character set (see the module docstring for fallbacks)."""
    codec, issues = _declared(charset)
    try:
        text = data.decode(codec)
        if codec == "latin-1" and not data.isascii():
            # A UTF-8 file declared UNOC: valid multi-byte UTF-8 is no accident in Latin-1 text.
            try:
                utf8 = data.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                issues.append(_utf8_declared_latin1(charset))
                text = utf8
    except UnicodeDecodeError as exc:
        try:
            text = data.decode("utf-8")
            used = "UTF-8"
        except UnicodeDecodeError:
            text = data.decode("latin-1")
            used = "Latin-1"
        issues += _undecodable(charset, codec, exc.start, data[exc.start], used)
    if BOM in text:
        text = text.replace(BOM, "")
    return text, issues


def choose_codec(charset: str | None, validity: Validity) -> tuple[str, list[SyntaxIssue]]:
    """The codec `decode` would use for bytes whose first pass is `validity` (over the declared
    codec, `declared_codec`, and UTF-8), and the issues it would report: for a file read in blocks."""
    codec, issues = _declared(charset)
    error = validity.errors[codec]
    if error is None:
        if codec == "latin-1" and not validity.ascii and validity.valid("utf-8"):
            issues.append(_utf8_declared_latin1(charset))
            return "utf-8", issues
        return codec, issues
    used = "utf-8" if validity.valid("utf-8") else "latin-1"
    issues += _undecodable(charset, codec, error[0], error[1], "UTF-8" if used == "utf-8" else "Latin-1")
    return used, issues


def declared_codec(charset: str | None) -> str:
    """The Python codec of a syntax identifier (UTF-8 for an unknown one)."""
    return CHARSETS.get(charset or "") or "utf-8"


def _declared(charset: str | None) -> tuple[str, list[SyntaxIssue]]:
    issues: list[SyntaxIssue] = []
    codec = CHARSETS.get(charset or "")
    if codec is None:
        if charset is not None:
            issues.append(SyntaxIssue("EDIFACT-CHARSET", "warning", f"syntax identifier {charset!r} is not a "
                                      "known character set; the file was read as UTF-8 (or Latin-1)", "UNB0001"))
        codec = "utf-8"
    return codec, issues


def _utf8_declared_latin1(charset: str | None) -> SyntaxIssue:
    return SyntaxIssue("EDIFACT-CHARSET", "warning", f"UNB declares {charset} (ISO 8859-1) but the file is UTF-8; "
                       "it was read as UTF-8", "UNB0001")


def _undecodable(charset: str | None, codec: str, offset: int, byte: int, used: str) -> list[SyntaxIssue]:
    if charset is not None and codec != "utf-8":
        return [SyntaxIssue("EDIFACT-CHARSET", "warning", f"byte 0x{byte:02X} at offset {offset} is outside "
                            f"{charset} ({codec}); the file was read as {used}", "UNB0001")]
    if codec == "utf-8" and charset is not None:
        return [SyntaxIssue("EDIFACT-CHARSET", "warning", f"the file is not valid UTF-8 as {charset} declares; "
                            "it was read as Latin-1", "UNB0001")]
    return []


@dataclass(frozen=True, slots=True)
class Service:
    """What the head of a file says about all of it: separators, character set, syntax version.

    Read once from the start of the file (`service`); a part of a large file cut at an
    interchange (`recon.load.edifact.cuts`) is tokenized with its file's `Service`, so that it
    reads exactly as it does inside the whole file.
    """

    separators: Separators
    una: bool
    una_len: int
    charset: str | None
    version: str | None
    issues: tuple[SyntaxIssue, ...]
    una_segment: str  # see Tokens.una_segment


def service(data: bytes) -> Service:
    """The service characters, character set and syntax version of a file from its first bytes.

    `data` starts at the file's first segment (BOM and leading blanks removed).
    """
    issues: list[SyntaxIssue] = []
    una = data[:3] == b"UNA"
    if una:
        seps, una_issues = _una(data[:9].decode("latin-1"))
        issues += una_issues
        una_len = 9
    else:
        seps, una_len = DEFAULT, 0
        k = data.find(b"UNB")
        if k >= 0 and data[k + 3 : k + 4] == b"\x1d":
            seps = LEVEL_B
    charset, version = _syntax_identifier(data, una_len, seps)
    if charset is None and data.find(b"UNB") >= 0:  # no UNB at all: the walker reports EDIFACT-UNB-MISSING
        issues.append(SyntaxIssue("EDIFACT-UNB-INVALID", "error", "no syntax identifier (UNB S001) was found",
                                  "UNB0001"))
    elif charset is not None and version not in SYNTAX_VERSIONS:
        issues.append(SyntaxIssue("EDIFACT-UNB-INVALID", "warning", f"syntax version {version!r} is not 1-4; "
                                  "the interchange was read with syntax version 4 rules", "UNB0002"))
    if version == "4" and not una and seps is DEFAULT:
        seps = Separators(repetition="*")
    declared = "UNA" + (data[3:8].decode("latin-1") if una else _advice(seps))
    una_segment = replace_released(declared, seps) if seps.release is not None else declared
    return Service(seps, una, una_len, charset, version, tuple(issues), una_segment)


def strip_start(data: bytes) -> bytes:
    """The bytes from the file's first segment on (a UTF-8 BOM and leading blanks removed)."""
    if data.startswith(UTF8_BOM):
        data = data[3:]
    return data.lstrip(_BLANK)


def tokenize(data: bytes, part_of: Service | None = None) -> Tokens:
    """Bytes of one file -> separators, character set and segment strings. Never raises.

    With `part_of`, `data` is a part of a file that starts at an interchange (see
    `recon.load.edifact.cuts`): it is read with the file's service characters and character
    set, and the file-level issues are left to the first part, which reads the head.
    """
    data = strip_start(data)
    head = service(data) if part_of is None else part_of
    seps, una = head.separators, head.una and part_of is None
    issues = list(head.issues) if part_of is None else []
    text, decode_issues = decode(data[head.una_len:] if una else data, head.charset)
    if part_of is None:
        issues += decode_issues
    escaped = seps.release is not None and seps.release in text
    segments = split_text(drop_layout(text, seps, escaped), seps.terminator, None)
    return Tokens(seps, segments, 2 if una else 1, una, head.charset, head.version, escaped, issues,
                  head.una_segment)


def drop_layout(text: str, seps: Separators, escaped: bool) -> str:
    """Released characters as placeholders (when `escaped`), then the line breaks that are layout removed.

    Release first: a release character before a line break releases the break, not what follows
    it. The streaming reader (`recon.load.edifact.stream`) applies this to text cut anywhere but
    inside a run of release characters, which gives the same text piece by piece.
    """
    if escaped:
        text = replace_released(text, seps)
    term = seps.terminator
    if term not in "\r\n":
        if "\n" in text or "\r" in text:
            text = text.replace("\r", "").replace("\n", "")
    elif "\r" in text:
        text = text.replace("\r", "")
    return text


def split_text(text: str, term: str, lstrip: bool | None) -> list[str]:
    """Text (after `drop_layout`) -> segment strings, blank segments dropped.

    Segments are stripped of leading blanks when `lstrip`, or (None) when the text shows
    indented or terminator-led layout. Only a first segment can start with a blank without a
    terminator before it, so a piece of a file that does not start the file is always stripped.
    """
    if lstrip is None:
        lstrip = term + " " in text or term + "\t" in text or (term + "\n" in text and term != "\n")
    segments = text.split(term)
    if lstrip:  # indented or terminator-led layouts
        segments = [seg.lstrip(" \t\n") for seg in segments]
    if segments and not segments[-1]:  # the end after the last terminator
        segments.pop()
    if "" in segments:  # blank segments (two terminators in a row)
        segments = list(filter(None, segments))
    return segments


def replace_released(text: str, seps: Separators) -> str:
    """Released characters (`?+`, `??` ...) replaced by their placeholders, in C (`str.replace`)."""
    rel = seps.release
    assert rel is not None
    text = text.replace(rel + rel, P_RELEASE).replace(rel + seps.terminator, P_TERM)
    text = text.replace(rel + seps.element, P_ELEM).replace(rel + seps.component, P_COMP)
    if seps.repetition is not None:
        text = text.replace(rel + seps.repetition, P_REP)
    return text


def _advice(seps: Separators) -> str:
    """The five characters a UNA declaring `seps` carries before its terminator."""
    return f"{seps.component}{seps.element}{seps.decimal}{seps.release or ' '}{seps.repetition or ' '}"


def unescape(value: str, table: dict[int, str]) -> str:
    """A value with its placeholders turned back into the released characters."""
    return value.translate(table)


def escape(value: str, seps: Separators = DEFAULT) -> str:
    """The inverse of reading: a value with every service character released (for writers and tests)."""
    rel = seps.release or "?"
    out = value.replace(rel, rel + rel)
    for ch in (seps.terminator, seps.element, seps.component, seps.repetition):
        if ch and ch != rel:
            out = out.replace(ch, rel + ch)
    return out


__all__ = ["CHARSETS", "DEFAULT", "LEVEL_B", "PLACEHOLDERS", "Separators", "Service", "SyntaxIssue", "Tokens",
           "choose_codec", "declared_codec", "decode", "drop_layout", "escape", "is_edifact", "replace_released",
           "service", "split_text", "strip_start", "tokenize", "unescape"]
