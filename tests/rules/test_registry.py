"""The bundled packs: complete docs and cases, the agreed exception types and keys, fresh generated docs."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot

from recon.rules import docs
from recon.rules.compiler import compile_rule
from recon.rules.registry import BUNDLED_DIR, CASES_DIR, load_project_rules
from recon.sample.windows import ALL_TYPES, NOT_INJECTED


def test_every_bundled_rule_has_a_doc_and_a_case_file() -> None:
    ruleset = load_project_rules(None)
    assert len(ruleset.rules) >= 17
    for loaded in ruleset.rules:
        assert loaded.rule.doc is not None, loaded.id
        assert (CASES_DIR / f"{loaded.id}.yaml").is_file(), f"no case file for {loaded.id}"


def test_case_files_name_bundled_rules() -> None:
    ids = set(load_project_rules(None).ids())
    for path in CASES_DIR.glob("*.yaml"):
        assert path.stem.split("--")[0] in ids, path.name


def test_contract_exception_types_and_business_keys() -> None:
    """Every agreed exception type is raised by a bundled rule, keyed by exactly the agreed columns."""
    found: dict[str, set[frozenset[str]]] = {}
    for loaded in load_project_rules(None).rules:
        for outcome in docs.outcomes(loaded):
            found.setdefault(outcome["exception"], set()).add(frozenset(outcome["key"]))
    agreed = {**ALL_TYPES, **NOT_INJECTED}
    assert set(found) == set(agreed)
    for name, keys in agreed.items():
        assert found[name] == {frozenset(keys)}, name


def test_generated_docs_are_up_to_date() -> None:
    """Run `recon rules docs` after changing a pack or the contract."""
    ruleset = load_project_rules(None)
    folder = BUNDLED_DIR.parent / "docs"
    assert (folder / "rules.md").read_text(encoding="utf-8") == docs.render_rules_md(ruleset)
    assert (folder / "exceptions.md").read_text(encoding="utf-8") == docs.render_exceptions_md(ruleset)


def test_every_bundled_rule_transpiles_to_spark() -> None:
    for loaded in load_project_rules(None).rules:
        sql = compile_rule(loaded).sql
        assert sqlglot.transpile(sql, read="duckdb", write="spark"), loaded.id


def test_bundled_packs_come_from_the_checkout_else_from_the_wheels_copy(tmp_path) -> None:
    from recon.rules.registry import PACKAGE_DIR, bundled_dir

    assert bundled_dir() == BUNDLED_DIR == PACKAGE_DIR.parent / "rules"  # the tests run from a checkout
    site = tmp_path / "site-packages"
    (site / "recon" / "packs").mkdir(parents=True)
    (site / "rules").mkdir()  # another distribution's top-level `rules` package: not ours
    assert bundled_dir(site / "recon") == site / "recon" / "packs"


def test_setup_py_copies_every_file_of_the_packs_folder_into_the_wheel() -> None:
    """setup.py copies rules/*.yaml and rules/cases/*.yaml as recon/packs/; anything else would be left out."""
    files = {p.relative_to(BUNDLED_DIR) for p in BUNDLED_DIR.rglob("*") if p.is_file()}
    copied = {p.relative_to(BUNDLED_DIR) for pattern in ("*.yaml", "cases/*.yaml") for p in BUNDLED_DIR.glob(pattern)}
    assert files == copied
    setup = (BUNDLED_DIR.parent / "setup.py").read_text(encoding="utf-8")
    assert '("*.yaml", "cases/*.yaml")' in setup and '"recon" / "packs"' in setup


def test_an_installation_without_bundled_packs_is_a_named_problem(tmp_path, monkeypatch) -> None:
    """A run over no rules would check nothing and report a clean night: a broken install says so."""
    from click.testing import CliRunner

    from recon.cli import main
    from recon.environment import EnvironmentProblem
    from recon.rules import registry

    empty = tmp_path / "packs"
    empty.mkdir()
    with pytest.raises(EnvironmentProblem) as caught:
        registry.bundled_packs(empty)
    assert [p.code for p in caught.value.problems] == ["V020"]
    assert str(empty) in caught.value.problems[0].message

    monkeypatch.setattr(registry, "BUNDLED_DIR", empty)
    sample = Path(__file__).resolve().parents[2] / "sample_data" / "recon.yaml"
    result = CliRunner().invoke(main, ["run", "--config", str(sample), "--out", str(tmp_path / "out"),
                                       "--state", str(tmp_path / "state.duckdb"), "--quiet"])
    assert result.exit_code == 2, result.output
    assert "V020" in result.output and str(empty) in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
