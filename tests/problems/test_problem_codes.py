"""The problem-code catalogue: every code used in recon/ is registered, once, and documented.

The scan reads recon/ as Python syntax trees, so a code is found wherever it is written: the
first argument of a call (`Problem("C001", ...)`, `Problem.of("C001", ...)`, `doc.problem(...)`,
`self.add(...)`, `warn("X12-...")`), a `code=` keyword, a variable or parameter named like
`code`, and every `X12-...` or `EDIFACT-...` string.
"""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from recon.cli import main
from recon.errors import ConfigError, InputError, LockedError, Problem
from recon.problems import (
    CATALOGUE,
    ENTRIES,
    LOCATION_KEYS,
    RAISED,
    REGENERATE,
    REGISTER_IN,
    UnknownCode,
    duplicates,
    lookup,
    template_fields,
)
from recon.problems import docs as problem_docs

RECON = Path(__file__).resolve().parents[2] / "recon"
LETTER_CODE = re.compile(r"^[A-Z]\d{3}$")
FINDING_CODE = re.compile(r"^(?:X12|EDIFACT)-[A-Z0-9]+(?:-[A-Z0-9]+)*$")
HOW_TO_FIX = (f"register each code: add an entry in {REGISTER_IN} (code, name, title, message template, "
              f"what it means, hint), then run `{REGENERATE}` to regenerate docs/problem-codes.md. "
              "A code means one thing: if a code is already catalogued with another meaning, pick a new one.")


@dataclass(frozen=True)
class Use:
    code: str
    where: str
    fields: frozenset[str] | None  # keyword fields of a Problem.of-style call; None when not checkable
    is_of: bool
    message: str | None = None  # a message written at the call instead of the template; \0 for a value


def _const(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _is_code(text: str | None) -> bool:
    return text is not None and bool(LETTER_CODE.match(text) or FINDING_CODE.match(text))


def _names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Tuple):
        return [n for t in target.elts for n in _names(t)]
    return []


def _written_message(call: ast.Call, skip_first: bool) -> str | None:
    """The message text a call writes itself (a string or f-string), values replaced by \\0."""
    candidates = [*call.args[1 if skip_first else 0:], *(k.value for k in call.keywords if k.arg == "message")]
    for arg in candidates:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return arg.value
        if isinstance(arg, ast.JoinedStr):
            return "".join(v.value if isinstance(v, ast.Constant) else "\0" for v in arg.values)
    return None


def _codes_in(node: ast.AST) -> list[str]:
    """Codes an expression evaluates to: a literal, or each branch of `"R090" if x else "R013"`."""
    if isinstance(node, ast.IfExp):
        return [*_codes_in(node.body), *_codes_in(node.orelse)]
    text = _const(node)
    return [text] if text is not None and _is_code(text) else []


def scan_source(text: str, name: str) -> Iterator[Use]:
    """Every problem or finding code written in one module."""
    tree = ast.parse(text)
    for node in ast.walk(tree):
        where = f"{name}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Call):
            func = node.func
            is_of = isinstance(func, ast.Attribute) and func.attr == "of"
            keywords = {k.arg for k in node.keywords}
            for first in _codes_in(node.args[0]) if node.args else []:
                checkable = None not in keywords and (is_of or bool(keywords - set(LOCATION_KEYS) - {"message"}))
                fields = frozenset(k for k in keywords if k not in LOCATION_KEYS) if checkable else None
                yield Use(first, where, fields, is_of,  # type: ignore[arg-type]
                          None if is_of or checkable else _written_message(node, skip_first=True))
            for kw in node.keywords:
                if kw.arg == "code":
                    for code in _codes_in(kw.value):
                        if LETTER_CODE.match(code):
                            yield Use(code, where, None, False, _written_message(node, skip_first=False))
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                pairs = (zip(target.elts, node.value.elts, strict=False)
                         if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple)
                         else [(target, node.value)])
                for named, value in pairs:
                    text = _const(value)
                    if text and LETTER_CODE.match(text) and any("code" in n for n in _names(named)):
                        yield Use(text, where, None, False)
        elif isinstance(node, ast.arguments):
            positional = [*node.posonlyargs, *node.args]
            pairs = list(zip(positional[len(positional) - len(node.defaults):], node.defaults, strict=True))
            pairs += [(a, d) for a, d in zip(node.kwonlyargs, node.kw_defaults, strict=True) if d is not None]
            for arg, default in pairs:
                value = _const(default)
                if value and LETTER_CODE.match(value) and "code" in arg.arg:
                    yield Use(value, where, None, False)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and FINDING_CODE.match(node.value):
            yield Use(node.value, where, None, False)


def scan(root: Path = RECON) -> list[Use]:
    uses: list[Use] = []
    for path in sorted(root.rglob("*.py")):
        uses += scan_source(path.read_text(encoding="utf-8"), str(path.relative_to(root.parent)))
    return uses


def test_every_code_used_in_recon_is_catalogued() -> None:
    uses = scan()
    assert len({u.code for u in uses}) > 100  # the scan sees the codes (it would pass vacuously otherwise)
    missing = sorted({f"  {u.where}: {u.code}" for u in uses if u.code not in CATALOGUE})
    assert not missing, "problem codes used in recon/ but not in the catalogue:\n" + "\n".join(missing) + \
        "\n" + HOW_TO_FIX


def test_catalogue_has_no_duplicate_codes_or_names() -> None:
    found = duplicates()
    assert not found, "\n".join(f"  {d.code} is registered {len(d.names)} times ({', '.join(d.names)})"
                                for d in found) + f"\neach code and name must appear once in {REGISTER_IN}"


def test_problem_of_calls_pass_exactly_the_template_fields() -> None:
    wrong = []
    for use in scan():
        if use.fields is None or use.code not in CATALOGUE:
            continue
        entry = CATALOGUE[use.code]
        if entry.template is None:
            continue  # an X12 finding: its message is written where it is found
        need = template_fields(entry.template) | template_fields(entry.hint)
        required = template_fields(entry.template)
        if not required <= use.fields or not use.fields <= need:
            wrong.append(f"  {use.where}: {use.code} takes {sorted(need)}, the call passes {sorted(use.fields)}")
    assert not wrong, "calls whose fields do not match the catalogue's template:\n" + "\n".join(wrong)


def _template_pattern(template: str) -> re.Pattern[str]:
    parts = []
    for literal, name, _spec, _conversion in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if name is not None:
            parts.append(".*")
    return re.compile("".join(parts), re.DOTALL)


def test_messages_written_at_a_call_fit_the_catalogued_template() -> None:
    """A call that still writes its message (instead of `Problem.of(code, **fields)`) must say what the
    catalogue says the code means: a code used with another message is a code with two meanings."""
    wrong = []
    for use in scan():
        entry = CATALOGUE.get(use.code)
        if use.message is None or entry is None or entry.template is None:
            continue
        literal = "".join(part for part, *_ in string.Formatter().parse(entry.template))
        if not re.search("[A-Za-z]{2,}", literal):  # "{what}: {reason}" would fit any message
            wrong.append(f"  {use.where}: {use.code} is catalogued as {entry.template!r}, which any message fits: "
                         f"build it with Problem.of({use.code!r}, ...) and the template's fields")
        elif not _template_pattern(entry.template).fullmatch(use.message):
            shown = use.message.replace("\0", "{…}")
            wrong.append(f"  {use.where}: {use.code} is catalogued as {entry.template!r}; this call says {shown!r}")
    assert not wrong, ("codes used with a message that is not theirs:\n" + "\n".join(wrong) +
                       f"\nif the meaning differs, use a new code; {HOW_TO_FIX}")


def test_entries_are_well_formed() -> None:
    for entry in ENTRIES:
        assert LETTER_CODE.match(entry.code) or FINDING_CODE.match(entry.code), entry.code
        assert entry.title and entry.means and entry.name, entry.code
        assert not (template_fields(entry.template) | template_fields(entry.hint)) & set(LOCATION_KEYS), entry.code
        if FINDING_CODE.match(entry.code):
            assert entry.template is None and entry.raised in ("error", "warning"), entry.code
        else:
            assert entry.template is not None and entry.raised in RAISED, entry.code
            values = dict.fromkeys(template_fields(entry.template) | template_fields(entry.hint), 1)
            assert entry.message(**values) and (entry.hint is None or entry.default_hint(**values)), entry.code


def test_the_scan_finds_codes_however_they_are_written() -> None:
    source = '''
Problem("Z001", "x")
Problem.of("Z002", key=1, file="f")
doc.problem("Z003", loc, key=k)
warn("X12-NEW-THING", "m")
Finding(code="Z004")
code, where = "Z005", "here"
def f(message, code="Z006"): ...
label = "X12-IN-A-TABLE"
Site(0, "P100", "DC-EAST")
self.add("Z007" if denied else "Z008", loc, f"{what}: {exc}")
unreadable(display, "the file is empty", code="Z009")
'''
    uses = {u.code: u for u in scan_source(source, "m.py")}
    assert set(uses) == {"Z001", "Z002", "Z003", "X12-NEW-THING", "Z004", "Z005", "Z006", "X12-IN-A-TABLE",
                         "Z007", "Z008", "Z009"}
    assert uses["Z002"].fields == {"key"} and uses["Z003"].fields == {"key"} and uses["Z001"].fields is None
    assert uses["Z001"].message == "x" and uses["Z007"].message == "\0: \0"
    assert uses["Z009"].message == "the file is empty" and uses["Z002"].message is None
    assert uses["Z005"].where == "m.py:7" and uses["X12-IN-A-TABLE"].where == "m.py:9"  # after an assignment


def test_problem_of_formats_the_template_and_the_default_hint() -> None:
    p = Problem.of("C002", key="qty", first=3, second=9, file="recon.yaml", line=9, path="sources.a.qty")
    assert p.render() == ("[C002] recon.yaml:9 sources.a.qty: key 'qty' appears twice (lines 3 and 9); "
                          "the last one would win")
    assert Problem.of("C010", name="Mars/Base").hint == "use an IANA name such as Europe/Berlin"
    assert Problem.of("C010", name="Mars/Base", hint=None).hint is None
    given = "did you mean 'Europe/Paris'?"
    assert Problem.of("C010", name="Mars/Base", hint=given).hint == given
    assert Problem.of("U003", code="C0111").message == "no problem code 'C0111'"  # a field may be called code
    with pytest.raises(UnknownCode, match=r"recon/problems/codes\.py"):
        lookup("Z999")
    with pytest.raises(KeyError):
        Problem.of("C002", key="qty")


def test_raised_exit_codes_match_the_error_classes() -> None:
    from recon.cli.options import InternalError
    from recon.environment import EnvironmentProblem
    from recon.report.email import DeliveryError
    from recon.sample.generate import SampleTargetError
    from recon.score import ScoreInputError
    from recon.store.acks import AckError
    from recon.store.state import StateError

    one = [Problem("C001", "x")]
    made = {"ConfigError": ConfigError(one), "InputError": InputError(one), "LockedError": LockedError(one),
            "StateError": StateError(one), "AckError": AckError(one), "ScoreInputError": ScoreInputError(one),
            "DeliveryError": DeliveryError("E001", where="h:25", reason="x"),
            "SampleTargetError": SampleTargetError(one), "EnvironmentProblem": EnvironmentProblem(one),
            "InternalError": InternalError(one)}
    assert set(made) == set(RAISED) - {"source"}
    for name, error in made.items():
        assert str(error.exit_code) == RAISED[name], name


def test_generated_docs_are_up_to_date() -> None:
    """After changing recon/problems, run `recon problems docs`."""
    assert problem_docs.DOCS_FILE.read_text(encoding="utf-8") == problem_docs.render(), \
        f"docs/problem-codes.md is stale: run `{REGENERATE}`"


def test_docs_list_every_code() -> None:
    text = problem_docs.render()
    for entry in ENTRIES:
        assert f"| `{entry.code}` |" in text, entry.code


def test_cli_docs_check_and_show(tmp_path: Path) -> None:
    out = tmp_path / "codes.md"
    runner = CliRunner()
    assert runner.invoke(main, ["problems", "docs", "--out", str(out), "--check"]).exit_code == 1
    assert runner.invoke(main, ["problems", "docs", "--out", str(out)]).exit_code == 0
    assert runner.invoke(main, ["problems", "docs", "--out", str(out), "--check"]).exit_code == 0
    shown = runner.invoke(main, ["problems", "show", "r012"])
    assert shown.exit_code == 0 and "R012" in shown.output and "unknown column" in shown.output
    unknown = runner.invoke(main, ["problems", "show", "C0111"])
    assert unknown.exit_code == 2 and "[U003]" in unknown.output and "did you mean 'C011'?" in unknown.output


def test_codes_that_meant_several_things_are_told_apart(tmp_path: Path) -> None:
    from recon.config.yamlfile import read_yaml
    from recon.rules.loader import read_pack

    files = {"missing.yaml": None, "latin.yaml": "a: caf\xe9".encode("latin-1"), "broken.yaml": b"a: [\n"}
    codes = {}
    for name, data in files.items():
        if data is not None:
            (tmp_path / name).write_bytes(data)
        with pytest.raises(ConfigError) as caught:
            read_yaml(tmp_path / name)
        codes[name] = caught.value.problems[0].code
    assert codes == {"missing.yaml": "C001", "latin.yaml": "C006", "broken.yaml": "C007"}

    listed = tmp_path / "list.yaml"
    listed.write_text("- just a list\n", encoding="utf-8")
    kindless = tmp_path / "kind.yaml"
    kindless.write_text("pack: p\nworkflow: w\ntitle: t\nrules:\n  - {id: a, kind: compare, title: T}\n",
                        encoding="utf-8")
    assert [p.code for p in read_pack(listed, {})[3]] == ["R007"]
    problems = read_pack(kindless, {})[3]
    assert [(p.code, p.message, p.line) for p in problems] == [
        ("R006", "`kind` must be match, duplicate or check", 5)]
