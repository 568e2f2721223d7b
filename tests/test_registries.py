"""The registries are the one list: config validation, the rule schema and the CLI offer exactly their names.

Each test reads what a user can type (a pydantic literal, a click choice) and compares it with
the registry, so a list spelt out by hand somewhere else fails here.
"""

from __future__ import annotations

import typing
from pathlib import Path

import click
import pytest
from pydantic import ValidationError

from recon import catalogue
from recon.cli import main as cli_main
from recon.config import load_project
from recon.config.schema import EngineOptions, Source
from recon.db import Database
from recon.engines import ENGINES, dialect_names
from recon.errors import ConfigError
from recon.formats import FORMATS, format_of, infer
from recon.model import ENTITIES, LINEAGE_COLUMNS
from recon.rules import fuzzy
from recon.rules.kinds import KINDS, Pack
from recon.rules.loader import load_rules
from recon.rules.schema import FuzzyLevel
from recon.rules.scorers import SCORERS, python_scorers, spark_functions
from recon.spark.transpile import UDF_NAMES, to_spark

ROOT = Path(__file__).resolve().parents[1]


def literal_values(model: type, field: str) -> list[str]:
    """The values a Literal field (or an optional one) accepts."""
    annotation = model.model_fields[field].annotation  # type: ignore[attr-defined]
    literals = [a for a in typing.get_args(annotation) if typing.get_origin(a) is typing.Literal]
    return list(typing.get_args(literals[0] if literals else annotation))


def cli_choices(command: str, option: str) -> list[str]:
    group = cli_main
    for part in command.split():
        group = group.get_command(click.Context(group), part)  # type: ignore[attr-defined]
    param = next(p for p in group.params if option in p.opts)
    assert isinstance(param.type, click.Choice)
    return list(param.type.choices)


# -- scorers -------------------------------------------------------------------------------------------

def test_rule_schema_accepts_exactly_the_registered_scorers() -> None:
    assert literal_values(FuzzyLevel, "scorer") == list(SCORERS)
    with pytest.raises(ValidationError, match="Input should be 'exact'"):
        FuzzyLevel(field="name", scorer="soundex", threshold=80)


@pytest.mark.parametrize("name", list(SCORERS))
def test_every_scorer_runs_in_duckdb_and_scores_equal_text_100(name: str) -> None:
    scorer = SCORERS[name]
    db = Database()
    fuzzy.register(db, python_scorers([name]))
    same = db.scalar(f"SELECT {scorer.sql(repr('Acme Corp'), repr('Acme Corp'))}")
    other = db.scalar(f"SELECT {scorer.sql(repr('Acme Corp'), repr('Zenith Ltd'))}")
    assert same == pytest.approx(100.0)
    assert other is None or other < 100.0
    level = {"field": "name", "scorer": name} | ({"threshold": 80} if scorer.threshold else {})
    FuzzyLevel.model_validate(level)
    with pytest.raises(ValidationError, match="threshold"):
        FuzzyLevel.model_validate({**level, "threshold": None} if scorer.threshold else {**level, "threshold": 80})


def test_every_function_a_scorer_needs_on_spark_is_registered_there() -> None:
    """Each DuckDB-only function the scorers call is renamed by the transpiler and has a Spark UDF."""
    everything = spark_functions(list(SCORERS))
    for name, scorer in SCORERS.items():
        spark_sql = to_spark(f"SELECT {scorer.sql('a', 'b')} FROM t")
        for function in scorer.spark_udfs:
            assert function in everything
            assert UDF_NAMES.get(function, function).lower() in spark_sql.lower(), name
        if scorer.duckdb_udf is not None:  # a Python scorer keeps its UDF's name on Spark
            assert scorer.duckdb_udf[0] in scorer.spark_udfs
            assert scorer.duckdb_udf[0] not in spark_functions([])


def test_rules_docs_name_every_scorer() -> None:
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    missing = [name for name in SCORERS if f"`{name}`" not in text and f"`scorer: {name}`" not in text]
    assert not missing, f"docs/rules.md does not mention the scorers {missing}"


# -- engines -------------------------------------------------------------------------------------------

def test_config_and_cli_offer_exactly_the_registered_engines() -> None:
    assert literal_values(EngineOptions, "name") == list(ENGINES)
    assert cli_choices("run", "--engine") == list(ENGINES)
    assert cli_choices("explain", "--dialect") == dialect_names()
    with pytest.raises(ValidationError, match="Input should be 'duckdb' or 'spark'"):
        EngineOptions(name="flink")  # type: ignore[arg-type]


def test_every_engine_has_a_runner_and_its_sql_dialect() -> None:
    for engine in ENGINES.values():
        assert callable(engine.runner())  # imports the engine's module, not pyspark itself
        if engine.transpile is None:
            assert engine.dialect == "duckdb"
        else:
            assert engine.transpile()("SELECT 1 AS x") == "SELECT 1 AS x"


def test_config_docs_name_every_engine() -> None:
    text = (ROOT / "docs" / "config.md").read_text(encoding="utf-8")
    spelt = " \\| ".join(ENGINES)
    assert f"`name: {spelt}`" in text


# -- formats -------------------------------------------------------------------------------------------

def test_config_accepts_exactly_the_registered_formats_with_did_you_mean(tmp_path: Path) -> None:
    assert literal_values(Source, "format") == list(FORMATS)
    config = tmp_path / "recon.yaml"
    config.write_text("sources:\n  orders:\n    system: erp\n    entity: orders\n    path: o.csv\n"
                      "    format: jsonll\n    columns: {order_id: id}\nengine: sparc\n")
    with pytest.raises(ConfigError) as caught:
        load_project(config)
    hints = {p.path: p.hint for p in caught.value.problems}
    assert hints["sources.orders.format"] == "did you mean 'jsonl'?"
    assert hints["engine.name"] == "did you mean 'spark'?"


def test_each_suffix_names_one_format_and_unknown_suffixes_read_as_csv() -> None:
    suffixes = [s for f in FORMATS.values() for s in f.suffixes]
    assert len(suffixes) == len(set(suffixes))
    for fmt in FORMATS.values():
        for suffix in fmt.suffixes:
            assert infer(f"in/extract{suffix.upper()}") is fmt
    assert format_of(Source(system="erp", entity="orders", path="in/*.dat")).name == "csv"
    assert format_of(Source(system="erp", entity="orders", path="in/a.edi", format="csv")).name == "csv"
    assert format_of(Source(system="edi", path="in/*.x12")).is_edi


def test_every_format_resolves_its_loader_and_spark_reader() -> None:
    from recon.spark.load import SparkLoader

    for fmt in FORMATS.values():
        assert callable((fmt.read or fmt.load)())  # type: ignore[misc]
        assert fmt.spark is None or callable(getattr(SparkLoader, fmt.spark)), fmt.name
        if fmt.is_edi:
            assert set(fmt.entities or ()) <= set(ENTITIES)
            assert fmt.options_key in Source.model_fields  # its options block is a key of a source
            assert fmt.options_model is not None and fmt.options_model()().model_dump() is not None


def test_x12_declares_the_columns_its_parser_makes() -> None:
    """The catalogue knows X12's columns from the format's data; they must be what the parser produces."""
    from recon.load.edi import FINDINGS, PASSTHROUGH
    from recon.load.x12 import COLUMNS

    x12 = FORMATS["x12"]
    # The parser's tables, and the findings table recon.load.edi fills from its findings.
    assert set(x12.entities or ()) == {e for e in COLUMNS if e in ENTITIES} | {FINDINGS}
    assert x12.extra_columns(FINDINGS) == {}
    for entity in set(x12.entities or ()) - {FINDINGS}:
        made = [c for c in COLUMNS[entity] if c not in ENTITIES[entity].fields]
        made += [c for c in PASSTHROUGH if c not in LINEAGE_COLUMNS]
        assert list(x12.extra_columns(entity)) == made, entity


# -- the catalogue -------------------------------------------------------------------------------------

def test_catalogue_answers_canonical_lineage_mapped_and_format_columns(tmp_path: Path) -> None:
    config = tmp_path / "recon.yaml"
    config.write_text(
        "sources:\n"
        "  wms:\n    system: wms\n    entity: shipment_lines\n    path: s.csv\n"
        "    columns: {shipment_id: a, order_id: b, line_no: c, dock: d, weight: {column: w, type: decimal}}\n"
        "  partner:\n    system: gateway\n    path: in/*.edi\n")
    known = catalogue.extras(load_project(config).config)
    wms = catalogue.columns("wms.shipment_lines", known)
    assert list(wms)[:len(ENTITIES["shipment_lines"].fields)] == list(ENTITIES["shipment_lines"].fields)
    assert {k: wms[k] for k in LINEAGE_COLUMNS} == LINEAGE_COLUMNS
    assert (wms["dock"], wms["weight"]) == ("VARCHAR", "DECIMAL(18,4)")
    gateway = catalogue.columns("gateway.shipment_lines", known)
    assert gateway["sscc"] == "VARCHAR" and gateway["_set_control"] == "VARCHAR"
    assert "sscc" in catalogue.columns("edi.shipment_lines", catalogue.extras(None))  # before any config
    assert "sscc" not in catalogue.columns("erp.shipment_lines", known)
    assert catalogue.columns("wms.nonsense", known) == {}


def test_rules_package_imports_nothing_from_load_or_spark() -> None:
    """The compiler and checks learn columns from recon.catalogue; compiling touches no loader or DuckDB."""
    import subprocess
    import sys

    code = (
        "import importlib, pkgutil, sys, recon.rules\n"
        "from recon.config.schema import Config\n"
        "from recon.rules.compiler import CompileContext\n"
        "CompileContext.from_config(Config())\n"
        "assert 'duckdb' not in sys.modules, 'the compiler imported duckdb'\n"
        "for m in pkgutil.iter_modules(recon.rules.__path__): importlib.import_module('recon.rules.' + m.name)\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('recon.load', 'recon.spark')))\n"
        "assert not bad, bad\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr


def test_config_docs_name_every_format() -> None:
    row = next(line for line in (ROOT / "docs" / "config.md").read_text(encoding="utf-8").splitlines()
               if line.startswith("| `format` |"))
    assert [name for name in FORMATS if f"`{name}`" not in row] == []


# -- rule kinds ----------------------------------------------------------------------------------------

def test_packs_accept_exactly_the_registered_rule_kinds(tmp_path: Path) -> None:
    rule_union = typing.get_args(typing.get_args(Pack.model_fields["rules"].annotation)[0])[0]
    models = typing.get_args(rule_union)
    assert [literal_values(m, "kind")[0] for m in models] == list(KINDS)
    assert [KINDS[name].model for name in KINDS] == list(models)
    pack = tmp_path / "p.yaml"
    pack.write_text("pack: p\nworkflow: w\ntitle: P\nrules:\n  - {id: r, kind: reconcile, title: R}\n")
    with pytest.raises(ConfigError) as caught:
        load_rules([pack])
    assert [p.message for p in caught.value.problems] == ["`kind` must be match, duplicate or check"]


def test_every_rule_kind_resolves_its_compiler_and_checker_and_is_documented() -> None:
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert f"# {' | '.join(KINDS)}" in text
    for name, kind in KINDS.items():
        for part in ("statement", "stats_ctes", "stats_units"):
            assert callable(getattr(kind.compiler(), part)), (name, part)
        assert callable(kind.checker().run)
        assert f"**{name}**" in text


def test_architecture_doc_names_files_that_exist() -> None:
    """The recipes walk through real files: a moved or renamed module fails here (new files say `(new)`)."""
    import re

    missing = []
    for line in (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8").splitlines():
        for path in re.findall(r"`(recon/[\w/]+(?:\.py)?)`", line):
            if "new)" not in line and ", new" not in line and "<" not in path and not (ROOT / path).exists():
                missing.append(path)
    assert missing == []


def test_a_source_in_a_format_spark_cannot_read_fails_with_i024(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A format without a Spark reader (`spark=None`) fails its source on Spark, named, and the run goes on."""
    from dataclasses import replace

    from recon.load.loader import LoadReport
    from recon.spark.load import SparkLoader

    monkeypatch.setitem(FORMATS, "xlsx", replace(FORMATS["xlsx"], spark=None))
    config = tmp_path / "recon.yaml"
    config.write_text("sources:\n  orders:\n    system: erp\n    entity: orders\n    path: o.xlsx\n"
                      "    columns: {order_id: id}\n")
    project = load_project(config)
    report = LoadReport()
    loader = SparkLoader(project, Database(), None, "run", tmp_path)  # type: ignore[arg-type]  # never reached
    loader.load_source("orders", project.config.sources["orders"], report)
    assert [(f.status, f.problem.code if f.problem else None) for f in report.files] == [("failed", "I024")]
    assert report.files[0].problem.render().endswith(  # type: ignore[union-attr]
        "the Spark engine cannot read format xlsx (run this config with engine: duckdb)")
