"""One catalogue entry, and the areas that group them in the docs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Entry:
    """One problem code.

    `template` is the message, formatted with the fields a raise site passes (`{key!r}`); `hint`
    is the default hint, a template too (a raise site may pass its own, such as a did-you-mean).
    `means` says what happened and what to do, for the docs. `raised` is how the problem reaches
    the user: an error class (its exit code is in `recon.problems.codes.RAISED`) or, for an X12
    finding, its severity.
    """

    code: str
    name: str
    title: str
    template: str | None
    means: str
    raised: str
    hint: str | None = None

    def message(self, **fields: Any) -> str:
        """The message with `fields` filled in (a KeyError names a missing field)."""
        return (self.template or "{message}").format(**fields)

    def default_hint(self, **fields: Any) -> str | None:
        return self.hint.format(**fields) if self.hint else None


@dataclass(frozen=True)
class Area:
    """A group of codes with one prefix, one section of docs/problem-codes.md."""

    prefix: str
    title: str
    intro: str
    entries: tuple[Entry, ...]


def area(prefix: str, title: str, intro: str, raised: str, *rows: tuple[Any, ...]) -> Area:
    """An area from compact rows: (code, name, title, template, means[, hint[, raised]])."""
    entries = []
    for row in rows:
        code, name, title_, template, means, *rest = row
        hint = rest[0] if rest else None
        entries.append(Entry(code, name, title_, template, means, rest[1] if len(rest) > 1 else raised, hint))
    return Area(prefix, title, intro, tuple(entries))
