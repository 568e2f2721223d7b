"""Reading config and rule packs within limits: alias bombs, deep nesting and huge files are named
problems found in milliseconds and a few MB, never a hang, an exhausted machine or a RecursionError."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recon.cli import main
from recon.config import yamlfile
from recon.config.yamlfile import MAX_ALIAS_NODES, MAX_DEPTH, expanded_size, read_yaml
from recon.errors import ConfigError

LIMIT_CODES = {"C007", "Y001", "Y002", "Y003"}  # not YAML, or one of the limits


def bomb(levels: int, fan_out: int = 9) -> str:
    lines = ["a0: &a0 [" + ", ".join(['"lol"'] * fan_out) + "]"]
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * fan_out) + "]")
    return "\n".join(lines) + "\n"


def codes(exc: ConfigError) -> set[str]:
    return {p.code for p in exc.problems}


def bounded_read(path: Path) -> tuple[yamlfile.YamlDocument | ConfigError, float, int]:
    """read_yaml's result (or its error), seconds taken and peak bytes allocated."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result: yamlfile.YamlDocument | ConfigError = read_yaml(path)
    except ConfigError as exc:
        result = exc
    finally:
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return result, elapsed, peak


def test_the_351_byte_bomb_is_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "recon.yaml"
    path.write_text(bomb(9))
    result, elapsed, peak = bounded_read(path)
    assert isinstance(result, ConfigError) and codes(result) == {"Y003"}
    problem = result.problems[0]
    assert problem.line == 2 and problem.file == str(path) and "aliases expand" in problem.message
    assert elapsed < 1 and peak < 5_000_000


def test_aliases_within_the_budget_load_with_lines_at_the_alias(tmp_path: Path) -> None:
    path = tmp_path / "recon.yaml"
    path.write_text(
        "defaults: &csv\n"
        "  format: csv\n"
        "  delimiter: ';'\n"
        "sources:\n"
        "  a:\n"
        "    <<: *csv\n"
        "    delimiter: ','\n"
        "  b:\n"
        "    options: *csv\n"
    )
    doc = read_yaml(path)
    assert doc.data["sources"]["a"] == {"format": "csv", "delimiter": ","}
    assert doc.data["sources"]["b"]["options"] == {"format": "csv", "delimiter": ";"}
    assert doc.duplicates == []  # a key overriding a merged one is not a copy-paste duplicate
    assert doc.line_of(("sources", "b", "options", "format")) == 9  # where the alias is used
    assert doc.line_of(("sources", "a", "delimiter")) == 7


def test_expanded_size_counts_each_alias_expansion(tmp_path: Path) -> None:
    import yaml

    node = yaml.compose(bomb(2, fan_out=3))
    # a0: 3 scalars + seq; a1: 3×a0 + seq; a2: 3×a1 + seq; plus 3 keys and the root mapping
    distinct, expanded = expanded_size(node)
    assert distinct == 4 + 1 + 1 + 3 + 1
    assert expanded == 4 + (1 + 3 * 4) + (1 + 3 * 13) + 3 + 1


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000,
                                  "".join(" " * i + f"k{i}:\n" for i in range(1000)) + " " * 1000 + "v\n",
                                  "{a: " * 10_000 + "1" + "}" * 10_000])
def test_deep_nesting_is_a_named_problem_not_a_recursion_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "recon.yaml"
    path.write_text(text)
    result, elapsed, _ = bounded_read(path)
    assert isinstance(result, ConfigError) and codes(result) == {"Y002"}, result
    assert f"more than {MAX_DEPTH} levels" in result.problems[0].message
    assert elapsed < 2


def test_nesting_at_the_limit_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "recon.yaml"
    path.write_text("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    assert read_yaml(path).data is not None


def test_a_file_over_the_size_limit_is_refused_before_parsing(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlfile, "MAX_BYTES", 1000)
    path = tmp_path / "recon.yaml"
    path.write_text("sources:\n" + "".join(f"  s{i}: {{path: x{i}.csv}}\n" for i in range(100)))
    with pytest.raises(ConfigError) as caught:
        read_yaml(path)
    assert codes(caught.value) == {"Y001"} and "at most 1,000" in caught.value.problems[0].message


def test_validate_names_the_bomb_with_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "recon.yaml"
    path.write_text(bomb(9))
    result = CliRunner().invoke(main, ["validate", "--config", str(path)])
    assert result.exit_code == 2 and "[Y003]" in result.output and "recon.yaml:2" in result.output


def test_a_rule_pack_bomb_is_refused_too(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "bomb.yaml").write_text(bomb(9))
    (tmp_path / "recon.yaml").write_text(
        "sources:\n  erp_orders:\n    system: erp\n    entity: orders\n    path: o.csv\n"
        "    columns: {order_id: id}\nrules: [rules/bomb.yaml]\n"
    )
    (tmp_path / "o.csv").write_text("id\n1\n")
    result = CliRunner().invoke(main, ["validate", "--config", str(tmp_path / "recon.yaml")])
    assert result.exit_code == 2 and "[Y003]" in result.output and "bomb.yaml:2" in result.output


# A document of random shape: nested lists and maps, anchors, and aliases to earlier anchors.
@st.composite
def hostile_yaml(draw: st.DrawFn) -> str:
    levels = draw(st.integers(0, 12))
    fan_out = draw(st.integers(1, 12))
    depth = draw(st.integers(0, 3 * MAX_DEPTH))
    flow = draw(st.booleans())
    parts = [bomb(levels, fan_out) if levels else "a0: 1\n"]
    nested = ("[" * depth + "x" + "]" * depth) if flow else "".join(" " * i + f"k{i}:\n" for i in range(depth)) + (
        " " * depth + "v")
    parts.append(("deep: " + nested + "\n") if flow else ("deep:\n" + "".join(" " + line + "\n"
                                                                              for line in nested.splitlines())))
    parts.append(draw(st.text(alphabet="&*[]{}:,- ab\n'\"!<", max_size=200)))
    return "".join(draw(st.permutations(parts)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=hostile_yaml())
def test_fuzz_the_loader_stays_within_time_and_memory(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_text(text)
    result, elapsed, peak = bounded_read(path)
    if isinstance(result, ConfigError):
        assert codes(result) <= LIMIT_CODES and all(p.file == str(path) for p in result.problems)
    else:
        distinct, expanded = expanded_size(_compose(text))
        assert expanded - distinct <= MAX_ALIAS_NODES
    assert elapsed < 2 and peak < 20_000_000


def _compose(text: str) -> object:
    import yaml

    return yaml.compose(text, Loader=yaml.CSafeLoader)
