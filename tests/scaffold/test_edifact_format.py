"""`recon init` recognises an EDIFACT file by its UNA/UNB, whatever its suffix (the format's signatures)."""

from __future__ import annotations

from pathlib import Path

from recon.scaffold.profile import classify
from tests.load.edifact.helpers import FIXTURES


def test_edifact_is_recognised_by_content(tmp_path: Path) -> None:
    for fixture in ("orders_d96a.edifact", "ordrsp_d01b.edifact"):  # with and without UNA
        path = tmp_path / f"{fixture}.txt"
        path.write_bytes(b"\xef\xbb\xbf" + (FIXTURES / fixture).read_bytes())
        assert classify(path) == "edifact"
