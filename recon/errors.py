"""User-facing errors as a catalogue.

Every problem carries a catalogued code (`recon.problems`: one table of code, title, message
template and hint), where it is (file, line, YAML path or segment, field) and a hint, so the
CLI can print all of them at once and `--json` can emit the same objects. Library code raises
these, built with `Problem.of(code, **fields)`; only the CLI turns them into exit codes and text.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from difflib import get_close_matches
from typing import Any

from recon.problems import lookup

EXIT_OK = 0
EXIT_BAR_BROKEN = 1
EXIT_USAGE = 2
EXIT_INPUT = 3
EXIT_LOCKED = 4
# The run finished and wrote its reports, but a required source failed or fell short of its
# expectations, or a rule could not be evaluated: its verdict is not trustworthy, so this code wins
# over EXIT_BAR_BROKEN (docs/operations.md). `--allow-incomplete` turns it into a warning.
EXIT_INCOMPLETE = 5


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the user's config, rules or input, located as precisely as we can."""

    code: str
    message: str
    file: str | None = None
    line: int | None = None
    path: str | None = None  # YAML path such as sources.erp_orders.columns.qty
    field: str | None = None
    hint: str | None = None

    @classmethod
    def of(cls, code: str, /, *, file: str | None = None, line: int | None = None, path: str | None = None,
           field: str | None = None, hint: Any = ..., **fields: Any) -> Problem:
        """The catalogued problem `code`, its message formatted from `fields`.

        The hint is the catalogue's (formatted from the same fields) unless one is given; pass
        `hint=None` for none. An unknown code or a missing field is a programming error, caught
        by tests/test_problem_codes.py before it can reach a user.
        """
        entry = lookup(code)
        return cls(code, entry.message(**fields), file=file, line=line, path=path, field=field,
                   hint=entry.default_hint(**fields) if hint is ... else hint)

    def location(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file + (f":{self.line}" if self.line else ""))
        if self.path:
            parts.append(self.path)
        return " ".join(parts)

    def render(self) -> str:
        loc = self.location()
        text = f"{loc}: {self.message}" if loc else self.message
        if self.hint:
            text += f" ({self.hint})"
        return f"[{self.code}] {text}"

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass
class ReconError(Exception):
    """Base of every error the CLI reports without a traceback."""

    problems: list[Problem] = field(default_factory=list)
    exit_code: int = EXIT_USAGE
    title: str = "recon could not run"

    def __post_init__(self) -> None:
        super().__init__(self.render())

    def render(self) -> str:
        lines = [f"{self.title}:" if self.problems else self.title]
        lines += ["  " + p.render() for p in self.problems]
        return "\n".join(lines)


class ConfigError(ReconError):
    """The config or rule files are wrong: exit 2, nothing was loaded."""

    def __init__(self, problems: list[Problem], title: str = "configuration is not valid") -> None:
        super().__init__(problems=problems, exit_code=EXIT_USAGE, title=title)


class InputError(ReconError):
    """An input file could not be read (reported per source; fatal only under --strict)."""

    def __init__(self, problems: list[Problem], title: str = "input could not be read") -> None:
        super().__init__(problems=problems, exit_code=EXIT_INPUT, title=title)


class LockedError(ReconError):
    """Another run holds the state lock."""

    def __init__(self, problems: list[Problem], title: str = "another recon run is in progress") -> None:
        super().__init__(problems=problems, exit_code=EXIT_LOCKED, title=title)


def did_you_mean(word: str, candidates: list[str] | tuple[str, ...] | set[str]) -> str | None:
    """A 'did you mean X?' hint, case-insensitively, or None when nothing is close."""
    lowered = {c.lower(): c for c in candidates}
    match = get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return f"did you mean {lowered[match[0]]!r}?" if match else None
