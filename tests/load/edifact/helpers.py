"""Helpers for the EDIFACT tests: a small interchange builder and parse shortcuts.

Messages are written from the standard's segment layouts; the builder adds UNH/UNT (with the
right segment count), optional UNG/UNE and UNB/UNZ, so a test that breaks an envelope does so
by editing one visible string.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from recon.load.edifact import EdifactOptions
from recon.load.x12 import X12Result, parse_x12_files

FIXTURES = Path(__file__).parent / "fixtures"


def message(mtype: str, ref: str, body: list[str], version: str = "D:96A:UN") -> list[str]:
    return [f"UNH+{ref}+{mtype}:{version}", *body, f"UNT+{len(body) + 2}+{ref}"]


def interchange(messages: list[list[str]], *, ref: str = "1", sender: str = "BUYER", receiver: str = "DISTCO",
                syntax: str = "UNOC:3", una: str | None = "UNA:+.? '", group: tuple[str, str] | None = None,
                term: str = "'", sep: str = "\n") -> str:
    """One interchange (text); `group` = (UNG 0038 message type, 0048 reference) wraps the messages."""
    segs = [f"UNB+{syntax}+{sender}:14+{receiver}:14+240105:1200+{ref}"]
    body = [s for m in messages for s in m]
    if group is not None:
        segs.append(f"UNG+{group[0]}+{sender}+{receiver}+240105:1200+{group[1]}+UN+D:96A")
        segs.extend(body)
        segs.append(f"UNE+{len(messages)}+{group[1]}")
    else:
        segs.extend(body)
    segs.append(f"UNZ+{1 if group else len(messages)}+{ref}")
    text = sep.join(s + term for s in segs) + sep
    return (una + sep if una else "") + text


ORDER_BODY = [
    "BGM+220+PO-1001+9",
    "DTM+137:20240105:102",
    "DTM+2:202401101430:203",
    "NAD+BY+C100::9++ACME GMBH",
    "NAD+SU+DISTCO::9",
    "NAD+DP+4000001000002::9++ACME LAGER NORD",
    "CUX+2:EUR:9",
    "LIN+1++4000862141404:EN",
    "PIA+1+SKU-1:SA",
    "IMD+F++:::WIDGET 10?+ PACK",
    "QTY+21:12:PCE",
    "PRI+AAA:3.50",
    "LIN+2++4000862141411:EN",
    "PIA+1+SKU-2:SA",
    "QTY+21:5",
    "PRI+AAB:7.25:CT",
    "UNS+S",
    "MOA+86:78.25",
    "CNT+2:2",
]


def write(tmp_path: Path, text: str | bytes, name: str = "in.edifact") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


def parse(paths: list[Path] | Path, **options: Any) -> X12Result:
    if isinstance(paths, Path):
        paths = [paths]
    return parse_x12_files(paths, display_names={p: p.name for p in paths}, edifact=EdifactOptions(**options))


def parse_text(tmp_path: Path, text: str | bytes, name: str = "in.edifact", **options: Any) -> X12Result:
    return parse(write(tmp_path, text, name), **options)


def rows(result: X12Result, entity: str) -> list[dict[str, Any]]:
    return result.tables[entity].to_pylist()


def codes(result: X12Result) -> list[str]:
    return [f.code for f in result.findings]
