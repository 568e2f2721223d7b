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

from rich.markup import escape

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


def markup(value: Any, *, multiline: bool = False) -> str:
    """`value` as text safe inside rich markup: `plain()`, then rich's escape of `[`."""
    return escape(plain(value, multiline=multiline))


def lines(value: Any) -> list[str]:
    """Multi-line text (an error message) as safe lines: the newlines are the text's own, kept."""
    return [plain(line) for line in str(value).splitlines()]
