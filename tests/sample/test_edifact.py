"""`recon sample --edifact-share`: EDIFACT partners carry the same documents, and the rules find the same truth."""

from __future__ import annotations

from pathlib import Path

import pytest

from recon.load.x12.inspect import inspect_files
from recon.sample import generate
from recon.sample.edi import EDI_FILES, EDIFACT_FILES
from recon.sample.generate import edifact_partners

from .conftest import AS_OF
from .test_rules import problems, run_and_score


@pytest.mark.parametrize(("share", "seed"), [(0.5, 7), (1.0, 11)])
def test_a_sample_with_edifact_partners_scores_perfectly(tmp_path: Path, share: float, seed: int) -> None:
    folder = tmp_path / "sample"
    generate(folder, orders=400, seed=seed, as_of=AS_OF, edifact_share=share)
    edifact = [folder / name for name in EDIFACT_FILES]
    assert all(p.stat().st_size > 0 for p in edifact)
    assert all((folder / name).exists() is (share < 1.0) for name in EDI_FILES)
    report = inspect_files(edifact)
    assert report["exit_code"] == 0, report["findings"][:5]
    assert report["summary"]["rejected_sets"] == 0 and report["rows"]["edi_acks"] > 0
    result = run_and_score(folder, tmp_path / "run")
    assert result.perfect, problems(result)
    assert result.total.truth >= 66


def test_share_zero_writes_what_the_generator_always_wrote(tmp_path: Path) -> None:
    generate(tmp_path / "a", orders=120, seed=5, as_of=AS_OF)
    generate(tmp_path / "b", orders=120, seed=5, as_of=AS_OF, edifact_share=0.0)
    a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert a == sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert all((tmp_path / "a" / p).read_bytes() == (tmp_path / "b" / p).read_bytes() for p in a)
    assert not any(str(p).endswith(".edifact") for p in a)


def test_edifact_partners_are_spread_evenly() -> None:
    assert edifact_partners(4, 0.0) == frozenset()
    assert edifact_partners(4, 0.5) == {1, 3}
    assert edifact_partners(4, 0.25) == {3}
    assert edifact_partners(4, 1.0) == {0, 1, 2, 3}
    with pytest.raises(ValueError, match="edifact_share"):
        generate(Path("/nonexistent"), orders=1, seed=1, as_of=AS_OF, edifact_share=1.5)
