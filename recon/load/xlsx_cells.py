"""Cells of an xlsx sheet that hold no value a reader can trust: error values and uncomputed formulas.

python-calamine reads both as empty cells, so `#DIV/0!` would load as NULL without a word. The
sheet's XML says what they are: an error cell has `t="e"` and its error as value; a formula
that was never computed (written by a program, not saved by Excel) has no `<v>`. Two regular
expressions over the sheet XML find just those cells, without walking every cell in Python.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_ERROR = re.compile(rb'<c\b([^>]*\bt="e"[^>]*)>\s*(?:<f\b[^>]*(?:/>|>[^<]*</f>)\s*)?<v>([^<]*)</v>')
_UNCACHED = re.compile(rb'<c\b([^>]*)>\s*<f\b[^>]*(?:/>|>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>')
_REF = re.compile(rb'\br="([A-Z]+)([0-9]+)"')


@dataclass(frozen=True)
class BadCell:
    row: int  # the sheet row, 1-based
    column: int  # 0-based
    ref: str  # Sheet1!C7
    value: str | None  # the error value, or None for a formula without a value
    reason: str


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _sheet_part(book: zipfile.ZipFile, sheet: str | int) -> tuple[str, str]:
    """(sheet name, path of its XML part in the package) for a sheet name or 0-based index."""
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    sheets = [(s.get("name") or "", s.get(f"{_REL}id") or "") for s in workbook.iter(f"{_MAIN}sheet")]
    name, rel_id = sheets[sheet] if isinstance(sheet, int) else next(s for s in sheets if s[0] == sheet)
    rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    target = next(r.get("Target") or "" for r in rels if r.get("Id") == rel_id)
    part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    return name, part


def bad_cells(path: Path, sheet: str | int) -> list[BadCell]:
    """Error cells and formulas without a cached value in one sheet; [] when the package cannot be read so."""
    try:
        with zipfile.ZipFile(path) as book:
            name, part = _sheet_part(book, sheet)
            xml = book.read(part)
    except (KeyError, StopIteration, IndexError, zipfile.BadZipFile, ElementTree.ParseError):
        return []
    found: dict[tuple[int, int], BadCell] = {}
    for match in _ERROR.finditer(xml):
        ref = _REF.search(match.group(1))
        if ref:
            value = match.group(2).decode("utf-8", "replace")
            cell = f"{name}!{ref.group(1).decode()}{ref.group(2).decode()}"
            found[(int(ref.group(2)), _column_index(ref.group(1).decode()))] = BadCell(
                int(ref.group(2)), _column_index(ref.group(1).decode()), cell, value,
                f"error value {value} in cell {cell}")
    for match in _UNCACHED.finditer(xml):
        ref = _REF.search(match.group(1))
        if ref:
            cell = f"{name}!{ref.group(1).decode()}{ref.group(2).decode()}"
            key = (int(ref.group(2)), _column_index(ref.group(1).decode()))
            found.setdefault(key, BadCell(
                key[0], key[1], cell, None,
                f"formula without a computed value in cell {cell} (open and save the file in Excel)"))
    return [found[k] for k in sorted(found)]
