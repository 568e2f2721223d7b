"""Every case of every bundled rule's case file, as its own test."""

from __future__ import annotations

from pathlib import Path

import pytest

from recon.rules.cases import case_config, case_rule, read_case_file, run_case
from recon.rules.registry import CASES_DIR, bundled_packs


def _cases() -> list[tuple[Path, int, str]]:
    out = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for i, case in enumerate(read_case_file(path).cases):
            out.append(pytest.param(path, i, id=f"{path.stem}: {case.name}"))
    return out


@pytest.mark.parametrize(("path", "index"), _cases())
def test_case(path: Path, index: int) -> None:
    cases = read_case_file(path)
    loaded = case_rule(path, cases, bundled_packs())
    result = run_case(loaded, cases.cases[index], cases.as_of, case_config(cases))
    assert result.ok, result.explain()
