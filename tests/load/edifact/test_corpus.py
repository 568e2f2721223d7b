"""The shared public corpus (../shared/edi-corpus): every file, X12 and EDIFACT, meets its MANIFEST verdict."""

from __future__ import annotations

from pathlib import Path

import pytest

from recon.load.x12.conformance import check

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "edi-corpus"
if not CORPUS.is_dir():
    CORPUS = Path("/work/shared/edi-corpus")


@pytest.mark.skipif(not (CORPUS / "MANIFEST.tsv").is_file(), reason="the shared EDI corpus is not on this machine")
def test_corpus_conformance(capsys: pytest.CaptureFixture[str]) -> None:
    assert check(CORPUS) == 0, capsys.readouterr().out
    out = capsys.readouterr().out
    assert "files as expected" in out
