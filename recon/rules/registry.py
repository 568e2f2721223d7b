"""Which rule packs a project uses, and the registry of their rules for listing, docs and explain.

`rules:` in recon.yaml lists pack files or globs relative to the config; the word `bundled`
(or `bundled/<pack>`) names the packs shipped in recon's `rules/` folder. Without a `rules:`
section every bundled pack is used.
"""

from __future__ import annotations

import glob
from pathlib import Path
from typing import Any

from recon.config import Project
from recon.config.schema import Config
from recon.config.yamlfile import YamlDocument
from recon.engines import ENGINES
from recon.environment import EnvironmentProblem
from recon.errors import ConfigError, Problem, did_you_mean
from recon.rules.compiler import CompileContext, CompiledRule, compile_rule
from recon.rules.loader import LoadedRule, RuleSet, load_rules

PACKAGE_DIR = Path(__file__).resolve().parents[1]


def bundled_dir(package: Path = PACKAGE_DIR) -> Path:
    """Where the bundled packs are for the `recon` package at `package`: the top-level `rules/` of a
    source checkout (an editable install), their source of truth; else the copy a built wheel carries
    as `recon/packs/` (see setup.py). A `rules/` beside an installed package is someone else's."""
    checkout = package.parent
    if (checkout / "rules").is_dir() and (checkout / "pyproject.toml").is_file():
        return checkout / "rules"
    return package / "packs"


BUNDLED_DIR = bundled_dir()
CASES_DIR = BUNDLED_DIR / "cases"


BUNDLED_ORDER = ("order-to-cash", "edi", "transport", "inventory")  # the order of the data flow


def bundled_packs(folder: Path | None = None) -> list[Path]:
    """recon's own packs, in the order of the data flow.

    None found is a broken installation, not a project without rules: a run would load nothing,
    check nothing and report a clean night, so it is a named problem (V020) instead.
    """
    folder = BUNDLED_DIR if folder is None else folder
    rank = {name: i for i, name in enumerate(BUNDLED_ORDER)}
    packs = sorted(folder.glob("*.yaml"), key=lambda p: (rank.get(p.stem, len(rank)), p.stem))
    if not packs:
        raise EnvironmentProblem([Problem.of("V020", folder=str(folder))], title="recon's installation is incomplete")
    return packs


def pack_paths(entries: list[str] | None, root: Path, doc: YamlDocument | None = None) -> tuple[list[Path],
                                                                                                list[Problem]]:
    """The pack files named by `rules:` entries, in order, each once; a problem per entry matching nothing."""
    if entries is None:
        return bundled_packs(), []
    paths: list[Path] = []
    problems: list[Problem] = []
    for i, entry in enumerate(entries):
        found: list[Path]
        if entry == "bundled":
            found = bundled_packs()
        elif entry.startswith("bundled/"):
            name = entry.removeprefix("bundled/").removesuffix(".yaml")
            found = [p for p in bundled_packs() if p.stem == name]
            if not found:
                hint = did_you_mean(name, [p.stem for p in bundled_packs()]) or (
                    "bundled packs: " + ", ".join(p.stem for p in bundled_packs()))
                problems.append(_entry_problem(doc, i, "R021", hint, name=name))
                continue
        else:
            pattern = Path(entry).expanduser()
            pattern = pattern if pattern.is_absolute() else root / pattern
            found = (sorted(Path(p) for p in glob.glob(str(pattern), recursive=True)) if glob.has_magic(entry)
                     else [pattern] if pattern.is_file() else [])
            if not found:
                problems.append(_entry_problem(doc, i, "R022", ..., entry=entry))
        for path in found:
            if path.resolve() not in {p.resolve() for p in paths}:
                paths.append(path)
    return paths, problems


def _entry_problem(doc: YamlDocument | None, index: int, code: str, hint: Any, **fields: Any) -> Problem:
    """A problem with the `rules:` entry at `index` of the config (located in it when there is one)."""
    if doc is not None:
        return doc.problem(code, ("rules", index), hint=hint, **fields)
    return Problem.of(code, path=f"rules[{index}]", hint=hint, **fields)


def load_project_rules(project: Project | None) -> RuleSet:
    """The rules a project runs (bundled when no project), checked; raises ConfigError listing all problems."""
    if project is None:
        return load_rules(bundled_packs())
    paths, problems = pack_paths(project.config.rules, project.root, project.doc)
    try:
        ruleset = load_rules(paths, project.config, project.doc)
    except ConfigError as exc:
        raise ConfigError([*problems, *exc.problems], title=exc.title) from None
    if problems:
        raise ConfigError(problems, title="rule packs are not valid")
    return ruleset


def ruleset_for(config: str | None) -> tuple[RuleSet, Config | None]:
    """The rules of `--config` (or of ./recon.yaml, $RECON_CONFIG); the bundled packs when there is none."""
    from recon.config import config_path, load_project

    path = config_path(config)
    if config is None and not path.is_file():
        return load_project_rules(None), None
    project = load_project(path)
    return load_project_rules(project), project.config


def case_files(ruleset: RuleSet) -> list[Path]:
    """Case files of the rules in use: `cases/<rule-id>*.yaml` beside each pack."""
    folders = list(dict.fromkeys(path.parent / "cases" for path, _ in ruleset.packs))
    ids = set(ruleset.ids())
    out: list[Path] = []
    for folder in folders:
        for path in sorted(folder.glob("*.yaml")):
            if path.stem.split("--")[0] in ids:
                out.append(path)
    return out


def explain(ruleset: RuleSet, rule_id: str, config: Config | None = None, dialect: str = "duckdb") -> CompiledRule:
    """The compiled SQL of one rule (transpiled with sqlglot when another dialect is asked for)."""
    loaded = find(ruleset, rule_id)
    compiled = compile_rule(loaded, CompileContext.from_config(config))
    if dialect == "duckdb":
        return compiled
    import sqlglot

    engine = next((e for e in ENGINES.values() if e.dialect == dialect and e.transpile is not None), None)
    if engine is not None:  # what that engine runs: its own transpiler (sqlglot plus its fixes)
        sql = engine.transpile()(compiled.sql, pretty=True)  # type: ignore[misc]
    else:
        sql = sqlglot.transpile(compiled.sql, read="duckdb", write=dialect, pretty=True)[0]
    return CompiledRule(compiled.rule_id, sql, compiled.tables, compiled.lookup_tables, compiled.scorers)


def find(ruleset: RuleSet, rule_id: str) -> LoadedRule:
    loaded = ruleset.get(rule_id)
    if loaded is None:
        hint = did_you_mean(rule_id, ruleset.ids()) or ...
        raise ConfigError([Problem.of("R020", rule=rule_id, hint=hint)], title="unknown rule")
    return loaded
