"""Text from data, made safe to print on a terminal.

Everything `recon` prints may carry values from untrusted extracts: keys, names, file names, EDI
elements, messages quoting them. Two things go wrong when such a value reaches the terminal as is:

- rich reads `[...]` as markup: `[/]` in a customer id crashes the printer (MarkupError) and
  `[link=http://evil]x[/link]` becomes a clickable hyperlink;
- control characters are obeyed by the terminal: ESC sequences clear the screen, set the window
  title or rewrite earlier lines; CR and bidi overrides ("Trojan source") make a line read
  differently from what it holds.

So every printer passes data through one of these two functions: `markup()` for text that goes
into rich markup (console.print with markup, table cells, titles), `plain()` for text printed
without markup (click.echo, markup=False). Control characters are shown as Python escapes
(`\\x1b`, `\\r`, `\\u202e`), so the reader sees that they are there. JSON output needs neither:
json.dumps escapes control characters itself and nobody renders it as markup.
"""

from __future__ import annotations

import re
from typing import Any

# C0 controls (newline and tab included: a value is one line of one cell), DEL, C1 controls, and
# the invisible format characters that reorder or hide text (bidi embeddings, overrides, isolates,
# zero-width joiners, the BOM, the line and paragraph separators).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def _shown(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char) or (
        f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def plain(value: Any, *, multiline: bool = False) -> str:
    """`value` as text with every control or invisible format character shown as an escape
    (newlines kept with `multiline`, for text whose lines are meant: SQL, a rule's docs)."""
    text = str(value)
    if multiline:
        return "\n".join(_UNSAFE.sub(_shown, line) for line in text.split("\n"))
    return _UNSAFE.sub(_shown, text)


# What rich reads as a tag after `[` (rich.markup.RE_TAGS): only there do backslashes pair up.
_TAG_AFTER = re.compile(r"[a-z#/@][^[]*?]")
_BRACKETS = re.compile(r"(\\*)(\[|\Z)")


def markup(value: Any, *, multiline: bool = False) -> str:
    """`value` as text safe inside rich markup: `plain()`, then every `[` escaped.

    rich's own `escape` leaves `\\[` alone (printed as `[`, the backslash lost) and backslashes at
    the end (which then escape the closing tag that follows). rich halves the backslashes before a
    tag-like `[` and drops one before any other `[`, so each case gets the count that prints the
    data as it is."""
    text = plain(value, multiline=multiline)

    def escaped(match: re.Match[str]) -> str:
        slashes = len(match.group(1))
        if not match.group(2):  # the end: the markup around it may go on with a tag
            return "\\" * (2 * slashes)
        tag_like = _TAG_AFTER.match(text, match.end()) is not None
        return "\\" * (2 * slashes + 1 if tag_like else slashes + 1) + "["

    return _BRACKETS.sub(escaped, text)


def lines(value: Any) -> list[str]:
    """Multi-line text (an error message) as safe lines: the newlines are the text's own, kept."""
    return [plain(line) for line in str(value).splitlines()]
