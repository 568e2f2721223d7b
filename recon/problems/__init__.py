"""The catalogue of problem codes: every code a user can see, what it means, and how to fix it.

A code means one thing, forever: users grep logs and scripts for it. So every code lives in one
table (`CATALOGUE`), raise sites build their problems from it (`Problem.of(code, **fields)` in
`recon.errors`), `docs/problem-codes.md` is generated from it (`recon problems docs`), and a test
fails for any code used in recon/ that is not registered here.

The entries are split by area: `recon.problems.codes` holds the problems that end a command or
fail a source (config, rules, input, state, ...); `recon.problems.x12` holds the X12 findings
that are reported beside the loaded data. This package imports nothing from recon, so
`recon.errors` can import it.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from recon.problems.codes import AREAS as PROBLEM_AREAS
from recon.problems.codes import RAISED
from recon.problems.edifact import AREAS as EDIFACT_AREAS
from recon.problems.entry import Area, Entry
from recon.problems.x12 import AREAS as X12_AREAS

# Where to register a new code, named by the failure message of the catalogue tests.
REGISTER_IN = ("recon/problems/codes.py (X12-* finding codes: recon/problems/x12.py, EDIFACT-*: "
               "recon/problems/edifact.py)")
REGENERATE = "recon problems docs"
LOCATION_KEYS = ("file", "line", "path", "field", "hint")

FINDING_AREAS: tuple[Area, ...] = (*X12_AREAS, *EDIFACT_AREAS)
AREAS: tuple[Area, ...] = (*PROBLEM_AREAS, *FINDING_AREAS)
ENTRIES: tuple[Entry, ...] = tuple(e for area in AREAS for e in area.entries)
CATALOGUE: dict[str, Entry] = {e.code: e for e in ENTRIES}


class UnknownCode(LookupError):
    """A code that is not in the catalogue: a programming error, caught by tests/test_problem_codes.py."""


def lookup(code: str) -> Entry:
    """The catalogue entry of `code`."""
    try:
        return CATALOGUE[code]
    except KeyError:
        raise UnknownCode(f"problem code {code!r} is not catalogued: add an entry in {REGISTER_IN}, "
                          f"then run `{REGENERATE}`") from None


def template_fields(template: str | None) -> set[str]:
    """The names a template needs (`{key!r}` needs `key`)."""
    if not template:
        return set()
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(template) if name}


@dataclass(frozen=True)
class Duplicate:
    code: str
    names: tuple[str, ...]


def duplicates() -> list[Duplicate]:
    """Codes (or names) registered more than once: each must mean one thing."""
    out: list[Duplicate] = []
    for attr in ("code", "name"):
        seen: dict[str, list[str]] = {}
        for e in ENTRIES:
            seen.setdefault(getattr(e, attr), []).append(e.code if attr == "name" else e.name)
        out += [Duplicate(k, tuple(v)) for k, v in seen.items() if len(v) > 1]
    return out


__all__ = ["AREAS", "CATALOGUE", "ENTRIES", "RAISED", "Area", "Entry", "UnknownCode", "lookup", "template_fields"]
