"""Which files a source's glob names, and how we show them to people.

A leaf module: the loader reads these files, the run store hashes them and validation checks them.
"""

from __future__ import annotations

import glob
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from recon.errors import Problem, did_you_mean

# `{date:%Y%m%d}` in a source path: the part of the file name that carries the snapshot's date.
DATE_FIELD = re.compile(r"\{date:([^{}]*)\}")
# strptime directives a file-name date may use, and the text each matches.
_DIRECTIVES = {"%Y": r"\d{4}", "%y": r"\d{2}", "%m": r"\d{2}", "%d": r"\d{2}", "%j": r"\d{3}",
               "%H": r"\d{2}", "%M": r"\d{2}", "%S": r"\d{2}", "%b": r"[A-Za-z]{3}", "%%": "%"}


def display_path(path: Path, root: Path) -> str:
    """Paths relative to the config's folder when they live under it: shorter and machine-independent."""
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def expand(pattern: Path) -> list[Path]:
    """Files matching a glob, sorted so that load order (and so lineage) is the same on every run."""
    text = str(pattern)
    if not glob.has_magic(text):
        return [pattern] if pattern.is_file() else []
    return sorted(Path(p) for p in glob.glob(text, recursive=True) if Path(p).is_file())


def date_format_problem(fmt: str) -> str | None:
    """Why a `{date:...}` format cannot name files (None when it can): it must hold a day."""
    tokens = set(re.findall(r"%.", fmt))
    unknown = sorted(tokens - set(_DIRECTIVES))
    if unknown:
        known = " ".join(k for k in _DIRECTIVES if k != "%%")
        return f"{unknown[0]} is not supported in a file-name date (use {known})"
    if not {"%Y", "%y"} & tokens:
        return "the date needs a year (%Y or %y)"
    if "%j" not in tokens and not ({"%m", "%b"} & tokens and "%d" in tokens):
        return "the date needs a month and a day (%m %d) or a day of the year (%j)"
    return None


def _date_regex(fmt: str) -> str:
    out, i = [], 0
    while i < len(fmt):
        token = fmt[i:i + 2]
        if token in _DIRECTIVES:
            out.append(_DIRECTIVES[token])
            i += 2
        else:
            out.append(re.escape(fmt[i]))
            i += 1
    return "".join(out)


@dataclass(frozen=True)
class Selection:
    """The files a source reads this run, with the date each file's name carries (dated paths only)."""

    paths: list[Path]
    dates: dict[Path, date]
    candidates: int  # files the glob matched before selecting by date
    missing: str | None = None  # why no snapshot was chosen although files matched


def source_files(pattern: Path, select: str = "all", as_of: date | None = None) -> Selection:
    """The files of a source path; a `{date:FMT}` part picks snapshots by their date against `as_of`.

    `all` takes every dated file (oldest first), `as_of` the one of the as-of date and
    `latest_not_after_as_of` the newest not after it. Names whose date part does not parse (or
    is not a real date) are not snapshots and are left out.
    """
    text = str(pattern)
    found = DATE_FIELD.search(text)
    if found is None:
        paths = expand(pattern)
        return Selection(paths, {}, len(paths))
    fmt = found.group(1)
    paths = expand(Path(DATE_FIELD.sub("*", text)))
    name_re = _path_regex(text, fmt)
    dates: dict[Path, date] = {}
    for path in paths:
        match = name_re.fullmatch(str(path))
        if match is None:
            continue
        try:
            dates[path] = datetime.strptime(match.group("date"), fmt).date()
        except ValueError:
            continue
    dated = sorted(dates, key=lambda p: (dates[p], str(p)))
    if paths and not dated:
        return Selection([], dates, len(paths), f"no file name carries a date as {fmt}")
    if select == "all" or as_of is None:
        return Selection(dated, dates, len(paths))
    eligible = [p for p in dated if (dates[p] == as_of if select == "as_of" else dates[p] <= as_of)]
    if not eligible:
        newest = max(dates.values()).isoformat() if dates else None
        why = (f"no snapshot dated {as_of.isoformat()}" if select == "as_of"
               else f"no snapshot dated on or before {as_of.isoformat()}")
        return Selection([], dates, len(paths), f"{why} (newest: {newest})" if newest else why)
    chosen = eligible[-1]
    same_day = [p for p in eligible if dates[p] == dates[chosen]]
    return Selection(same_day, dates, len(paths))


def _path_regex(pattern: str, fmt: str) -> re.Pattern[str]:
    """A path pattern with its first `{date:FMT}` as the named group `date` and glob wildcards as regex."""
    match = DATE_FIELD.search(pattern)
    assert match is not None
    rest = DATE_FIELD.sub("*", pattern[match.end():])
    return re.compile(f"{_glob_regex(pattern[:match.start()])}(?P<date>{_date_regex(fmt)}){_glob_regex(rest)}")


def _glob_regex(text: str) -> str:
    """Glob wildcards as regex (`*` and `?` within a name, `**/` across folders); the rest literal."""
    text = text.replace("**/", "\0")
    out = "".join("[^/]*" if c == "*" else "[^/]" if c == "?" else "(?:.*/)?" if c == "\0" else re.escape(c)
                  for c in text)
    return out


def no_match_problem(source: str, pattern: Path, root: Path, raw_pattern: str) -> Problem:
    """Say what is there instead, so a wrong folder or extension is obvious."""
    parent = pattern.parent
    while glob.has_magic(str(parent)):
        parent = parent.parent
    hint = None
    if parent.is_dir():
        present = sorted(p.name for p in parent.iterdir())[:8]
        close = did_you_mean(pattern.name, present) if not glob.has_magic(pattern.name) else None
        hint = close or (f"{display_path(parent, root)}/ holds: {', '.join(present)}" if present else
                         f"{display_path(parent, root)}/ is empty")
    else:
        hint = f"folder {display_path(parent, root)} does not exist"
    return Problem.of("I002", pattern=raw_pattern, path=f"sources.{source}.path", hint=hint)
