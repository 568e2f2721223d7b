"""Large EDIFACT files are parsed in bounded memory: cut before interchanges, the parts equal the whole.

Same tables (rows, row order, `_source_row`), same findings in the same order (duplicate
references across parts and files included), same file summaries as the serial parse of the
whole file. The size thresholds are lowered so that these small files are cut.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recon.load.edifact import EdifactOptions
from recon.load.edifact import cuts as edifact_cuts
from recon.load.x12 import X12Result, parallel, parse_x12_files
from tests.load.edifact.helpers import ORDER_BODY, interchange, message, write
from tests.load.x12.helpers import planned_parts

INVOIC = ["BGM+380+INV-7+9", "DTM+3:20240107:102", "RFF+ON:PO-1001", "CUX+2:EUR:4", "LIN+1++SKU-1:SA",
          "QTY+47:12:PCE", "MOA+203:42.00", "PRI+AAA:3.50", "UNS+S", "MOA+77:42.00"]


def _big_file() -> str:
    """Many interchanges with defects spread over them, so that several parts carry findings."""
    parts = []
    for ref in range(1, 41):
        msgs = [message("ORDERS", "1", ORDER_BODY), message("INVOIC", "2", INVOIC)]
        una = "UNA:+.? '" if ref in (1, 18) else None  # a repeated UNA in front of interchange 18
        text = interchange(msgs, ref=str(ref), una=una)
        if ref == 4:
            text = text.replace("UNT+21+1", "UNT+20+1")  # message rejected: UNT count
        if ref == 9:
            text = interchange(msgs, ref="3", una=una)  # duplicate of an earlier part's interchange
        if ref == 12:
            text = interchange(msgs, ref="12", group=("ORDERS", "7"))  # group 7 ...
        if ref == 13:
            text = interchange(msgs, ref="13", group=("ORDERS", "7"))  # ... reused; an INVOIC in an ORDERS group
        if ref == 15:
            text = interchange([*msgs, message("IFTSTA", "3", ["BGM+23+ST-1+9"])], ref="15")  # not mapped
        if ref == 21:
            text = text.replace("UNT+12+2'\n", "")  # message cut short by the UNZ
        if ref == 24:
            text = "FTX+AAI+++STRAY'\n" + text  # stray segment after interchange 23: no cut before 24
        if ref == 27:
            text = text.replace("WIDGET 10?+ PACK", "WIDGET?'S ?? PACK")  # released terminator and release
        if ref == 33:
            text = text.replace("UNZ+2+33", "UNZ+3+33")  # count wrong
        parts.append(text)
    parts.append(interchange([message("ORDERS", "1", ORDER_BODY)], ref="41").replace("UNZ+1+41'\n", ""))
    return "".join(parts)


@functools.cache
def _big_path() -> Path:
    return write(Path(tempfile.mkdtemp(prefix="recon-edifact-big-")), _big_file(), "big.edifact")


def _parse(paths: list[Path], workers: int | None) -> X12Result:
    return parse_x12_files(paths, display_names={p: p.name for p in paths}, workers=workers,
                           edifact=EdifactOptions(our_ids=["DISTCO"]))


def _same(a: X12Result, b: X12Result) -> None:
    assert [f.to_dict() for f in a.findings] == [f.to_dict() for f in b.findings]
    assert [f.to_dict() for f in a.files] == [f.to_dict() for f in b.files]
    assert a.segments == b.segments
    for entity, table in b.tables.items():
        assert a.tables[entity].schema == table.schema, entity
        assert a.tables[entity].equals(table), entity


def test_a_large_edifact_file_is_parsed_in_parts_equal_to_the_whole(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    big = write(tmp_path, _big_file(), "big.edifact")
    again = write(tmp_path, interchange([message("ORDERS", "1", ORDER_BODY)], ref="40"), "again.edifact")
    paths = [big, again]
    serial = _parse(paths, None)
    codes = {f.code for f in serial.findings}
    assert {"EDIFACT-UNT-COUNT", "EDIFACT-DUPLICATE-INTERCHANGE", "EDIFACT-DUPLICATE-GROUP",
            "EDIFACT-MESSAGE-NOT-IN-GROUP", "EDIFACT-MESSAGE-NOT-MAPPED", "EDIFACT-UNT-MISSING",
            "EDIFACT-STRAY-SEGMENT", "EDIFACT-UNZ-COUNT", "EDIFACT-UNZ-MISSING"} <= codes
    assert not {"EDIFACT-UNA-MISMATCH", "EDIFACT-UNB-MISSING"} & codes

    monkeypatch.setattr(parallel, "BOUNDED_BYTES", 8_000)
    monkeypatch.setattr(parallel, "PART_MAX_BYTES", 2_500)
    monkeypatch.setattr(parallel, "STREAM_BLOCK_BYTES", 4_096)
    monkeypatch.setattr(edifact_cuts, "MARGIN", 600)
    monkeypatch.setattr(edifact_cuts, "TAIL", 64)
    planned = planned_parts(monkeypatch)
    bounded = _parse(paths, 1)
    parts = max(planned, key=len)
    assert len(parts) >= 5, "the big file is cut into parts"
    text = big.read_text()
    starts = [t.start for t in parts[1:]]
    assert all(text.startswith(("UNB+", "UNA"), s) for s in starts)
    assert text.index("+240105:1200+24'") - len("UNB+UNOC:3+BUYER:14+DISTCO:14") not in starts, "no cut after a stray"
    _same(bounded, serial)


@settings(max_examples=15, deadline=None)
@given(block=st.integers(min_value=600, max_value=20_000), part=st.integers(min_value=800, max_value=6_000))
def test_cut_points_do_not_depend_on_the_block_the_file_is_read_in(block: int, part: int) -> None:
    path = _big_path()
    whole, head = edifact_cuts.stream_cuts(path, part, block_bytes=path.stat().st_size + 1)
    assert whole and head is not None, "the file is cut"
    assert edifact_cuts.stream_cuts(path, part, block_bytes=block)[0] == whole
    text = path.read_text()
    for c in whole:
        assert text.startswith(("UNB+", "UNA"), c)
        assert text[:c].rstrip().rsplit("'", 2)[-2].lstrip().startswith("UNZ+"), "cut right after a UNZ"


def test_files_that_cannot_be_cut_are_parsed_whole(tmp_path: Path) -> None:
    one = interchange([message("ORDERS", str(k), ORDER_BODY) for k in range(1, 60)])
    single = write(tmp_path, one, "single.edifact")  # one giant interchange: no UNZ before a UNB
    assert edifact_cuts.stream_cuts(single, 500, 4_096) == ([], None)
    many = "".join(interchange([message("ORDERS", "1", ORDER_BODY)], ref=str(r)) for r in range(1, 30))
    latin = write(tmp_path, many.replace("ACME GMBH", "BÄCKEREI").encode("latin-1"), "latin.edifact")
    assert edifact_cuts.stream_cuts(latin, 500, 4_096) == ([], None)  # not ASCII
    lines = write(tmp_path, many.replace("'", "\n").replace("UNA:+.? \n", "UNA:+.? \n"), "lines.edifact")
    assert edifact_cuts.stream_cuts(lines, 500, 4_096)[0] == []  # a line break terminates segments
