"""End to end: the bundled rule packs find exactly the injected discrepancies, nothing else.

This is the contract between `recon sample` and the rule packs: windows and tolerances in
docs/sample.md are the packs' defaults, and every look-alike must stay quiet.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from recon import api
from recon.sample import generate
from recon.sample.generate import FILES
from recon.score import Score, score_files

from .conftest import AS_OF

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"


def problems(result: Score) -> dict[str, object]:
    return {t.exception_type: {"missed": t.missed, "unexpected": t.false_alarms}
            for t in result.types if not t.perfect}


def run_and_score(folder: Path, out: Path) -> Score:
    ctx = api.run(folder / "recon.yaml", out=out)
    rules = ctx.summary["rules"]
    assert rules["rules_failed"] == 0 and rules["rules_run"] > 0, rules["warnings"]
    return score_files(folder / "truth.csv", out / "exceptions.csv")


@pytest.mark.parametrize(("seed", "as_of", "chunk_size"), [
    (7, AS_OF, 5000),
    (11, AS_OF, 5000),
    (23, datetime(2026, 3, 9, 15, 30, tzinfo=UTC), 5000),  # the week US clocks moved forward, mid-afternoon
    (31, datetime(2026, 7, 4, 1, 0, tzinfo=UTC), 97),  # small chunks: several interchanges per partner and hour
])
def test_bundled_rules_find_exactly_the_truth(make_sample: Callable[..., Path], tmp_path: Path, seed: int,
                                              as_of: datetime, chunk_size: int) -> None:
    folder = make_sample(seed=seed, as_of=as_of, chunk_size=chunk_size)
    result = run_and_score(folder, tmp_path / "run")
    assert result.perfect, problems(result)
    assert result.total.truth >= 66


def test_committed_sample_data_is_what_the_generator_writes(tmp_path: Path) -> None:
    generate(tmp_path, orders=300, seed=7, as_of=AS_OF)
    stale = [name for name in (*FILES, "truth.csv", "recon.yaml")
             if (tmp_path / name).read_bytes() != (SAMPLE_DATA / name).read_bytes()]
    assert not stale, (
        f"sample_data/ is out of date ({', '.join(stale)}); regenerate it with: recon sample --out sample_data "
        "--orders 300 --seed 7 --as-of 2026-11-20T06:00:00+00:00"
    )


def test_committed_sample_data_scores_perfectly(tmp_path: Path) -> None:
    result = run_and_score(SAMPLE_DATA, tmp_path / "demo")
    assert result.perfect, problems(result)
