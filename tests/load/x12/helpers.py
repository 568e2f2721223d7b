"""Helpers for the X12 tests: fixture paths, a tiny interchange builder, rows as dicts.

The fixtures in tests/load/x12/fixtures are small hand-written files (see their README); the
builder here makes one-off interchanges for envelope defects, where the defect is easiest to
read right in the test ("SE*5*0001" -> "SE*6*0001").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from recon.load.x12 import X12Options, X12Result, parse_x12_files

FIXTURES = Path(__file__).parent / "fixtures"

PO_BODY = [
    "BEG*00*SA*PO-1**20240105",
    "N1*BY*ACME*92*C1",
    "PO1*1*2*EA*3.5**VP*SKU-1",
]


def isa(sender: str = "BIGBOX", receiver: str = "DISTCO", control: int = 1, *, e: str = "*", comp: str = ">",
        rep: str = "U", version: str = "00401") -> str:
    fields = ["ISA", "00", " " * 10, "00", " " * 10, "ZZ", f"{sender:<15}", "ZZ", f"{receiver:<15}", "240105",
              "1200", rep, version, f"{control:09d}", "0", "P", comp]
    text = e.join(fields)
    assert len(text) == 105
    return text


def build(groups: list[tuple[str, int, list[tuple[str, str, list[str]]]]], *, sender: str = "BIGBOX",
          receiver: str = "DISTCO", control: int = 1, e: str = "*", comp: str = ">", rep: str = "U",
          version: str = "00401") -> list[str]:
    """Segments of one well-formed interchange: groups are (GS01, GS06, [(ST01, ST02, body)])."""
    segs = [isa(sender, receiver, control, e=e, comp=comp, rep=rep, version=version)]
    for fid, gctl, sets in groups:
        segs.append(e.join(["GS", fid, sender, receiver, "20240105", "1200", str(gctl), "X", "004010"]))
        for ts, ctl, body in sets:
            segs.append(e.join(["ST", ts, ctl]))
            segs.extend(body)
            segs.append(e.join(["SE", str(len(body) + 2), ctl]))
        segs.append(e.join(["GE", str(len(sets)), str(gctl)]))
    segs.append(e.join(["IEA", str(len(groups)), f"{control:09d}"]))
    return segs


def po_interchange(control: int = 1, sets: int = 1, **kw: Any) -> str:
    """An interchange with one PO group (GS06 = control) of `sets` small 850s (ST02 0001, ...), '~' + LF."""
    bodies = [("850", f"{n:04d}", [s.replace("PO-1", f"PO-{n}") for s in PO_BODY]) for n in range(1, sets + 1)]
    return "~\n".join(build([("PO", control, bodies)], control=control, **kw)) + "~\n"


def write(tmp_path: Path, text: str | bytes, name: str = "in.edi") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


def parse(*paths: Path, options: X12Options | None = None) -> X12Result:
    return parse_x12_files(list(paths), options, {p: p.name for p in paths})


def parse_text(tmp_path: Path, text: str | bytes, options: X12Options | None = None, name: str = "in.edi") -> X12Result:
    return parse(write(tmp_path, text, name), options=options)


def rows(result: X12Result, entity: str, *, lineage: bool = False) -> list[dict[str, Any]]:
    out = result.tables[entity].to_pylist()
    if not lineage:
        out = [{k: v for k, v in r.items() if not k.startswith("_")} for r in out]
    return out


def codes(result: X12Result) -> list[str]:
    return [f.code for f in result.findings]

