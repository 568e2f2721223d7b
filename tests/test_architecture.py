"""The shape of the package: which package may import which, and few imports hidden in functions.

Both are read from the source with `ast`, so nothing is imported: the graph is what the files say.
A package is a folder of recon/ (load, rules, report, store, spark, cli, config, ...) or a module
at its top (api, db, steps, ...). Edges are the imports at module level, including those under
`if TYPE_CHECKING:` (a cycle hidden from the interpreter is still a cycle for the reader).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

RECON = Path(__file__).resolve().parents[1] / "recon"

# Dependencies that must not exist, whatever else changes: the rule compiler is pure (it learns
# columns from recon.catalogue, not from the loader) and engine-free; the store records what the
# steps hand it; nothing below the library's entry point imports it back.
FORBIDDEN = {("rules", "load"), ("rules", "spark"), ("store", "load"), ("report", "api"), ("store", "api"),
             ("spark", "api")}
# Forbidden edges still present, each with the module that makes it and the work that removes it
# (none now). Delete an entry when that work lands: the test then fails if the edge comes back.
KNOWN: dict[tuple[str, str], set[str]] = {}
# A ratchet: the function-level imports of recon modules in recon/ may only go down (#13: at most
# 5). The 5 left: the X12 parser's worker pool, two intra-package cycles (rules.loader <->
# rules.checks, config.checks <-> config.schema), the config schema's DuckDB-backed memory-limit
# check (so compiling rules loads no DuckDB) and rules.registry's project loader.
MAX_FUNCTION_LEVEL = 5


def module_name(path: Path) -> str:
    parts = list(path.relative_to(RECON.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "recon"


def resolve(node: ast.Import | ast.ImportFrom, importer: str, is_package: bool) -> Iterator[str]:
    """The recon modules an import statement names (`from recon import api` names recon.api)."""
    if isinstance(node, ast.Import):
        yield from (a.name for a in node.names if a.name == "recon" or a.name.startswith("recon."))
        return
    if node.level:
        base = importer.split(".")
        base = base[: len(base) - node.level + (1 if is_package else 0)]
        module = ".".join([*base, node.module] if node.module else base)
    else:
        module = node.module or ""
    if module != "recon" and not module.startswith("recon."):
        return
    for alias in node.names:
        candidate = f"{module}.{alias.name}"
        folder = RECON.parent.joinpath(*candidate.split("."))
        yield candidate if folder.with_suffix(".py").is_file() or folder.is_dir() else module


def sources() -> Iterator[tuple[Path, str, ast.Module]]:
    for path in sorted(RECON.rglob("*.py")):
        yield path, module_name(path), ast.parse(path.read_text(encoding="utf-8"), str(path))


def module_level_imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """Imports not inside a function or class body (module-level `if` and `try` blocks count)."""
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If | ast.Try | ast.With):
            stack.extend(ast.iter_child_nodes(node))


def function_level_imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(fn):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    yield node


def package_graph() -> dict[tuple[str, str], list[str]]:
    """(package, package it imports) → the `module -> module` imports that make the edge."""
    edges: dict[tuple[str, str], list[str]] = {}
    for path, name, tree in sources():
        for node in module_level_imports(tree):
            for target in resolve(node, name, path.name == "__init__.py"):
                a, b = package_of(name), package_of(target)
                if a != b:
                    edges.setdefault((a, b), []).append(f"{name} -> {target} (line {node.lineno})")
    return edges


def cycles(edges: set[tuple[str, str]]) -> list[list[str]]:
    """The strongly connected components with more than one package (Tarjan)."""
    graph: dict[str, list[str]] = {}
    for a, b in sorted(edges):
        graph.setdefault(a, []).append(b)
        graph.setdefault(b, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle_between_packages():
    edges = package_graph()
    found = cycles(set(edges))
    detail = [f"{' <-> '.join(c)}: " + "; ".join(m for (a, b), ms in edges.items() if a in c and b in c for m in ms)
              for c in found]
    assert not found, "import cycles between packages:\n" + "\n".join(detail)


def test_no_forbidden_dependency():
    edges = package_graph()
    present = {edge: [m for m in edges[edge] if m.split(" (line")[0] not in KNOWN.get(edge, set())]
               for edge in FORBIDDEN if edge in edges}
    present = {edge: ms for edge, ms in present.items() if ms}
    assert not present, "\n".join(f"{a} must not import {b}: {'; '.join(ms)}" for (a, b), ms in present.items())


def test_few_imports_hidden_in_functions():
    """An import inside a function hides a dependency (often a cycle); a few are fine where a heavy,
    optional part (Spark) must not load for everyone."""
    hidden = [f"{name}:{node.lineno} imports {', '.join(sorted(set(targets)))}"
              for path, name, tree in sources() for node in function_level_imports(tree)
              if (targets := list(resolve(node, name, path.name == "__init__.py")))]
    assert len(hidden) <= MAX_FUNCTION_LEVEL, f"{len(hidden)} function-level imports of recon modules:\n" + \
        "\n".join(hidden)


def test_the_checks_see_what_they_claim():
    """The helpers find a cycle and the imports of a real module (so the tests above can fail)."""
    assert cycles({("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")}) == [["a", "b", "c"]]
    assert cycles({("a", "b"), ("b", "c")}) == []
    tree = ast.parse("from recon import api\nfrom .x import y\nif T:\n    import recon.db\ndef f():\n"
                     "    from recon.load import loader\n")
    top = [t for n in module_level_imports(tree) for t in resolve(n, "recon.report.outputs", False)]
    assert sorted(top) == ["recon.api", "recon.db", "recon.report.x"]
    inner = [t for n in function_level_imports(tree) for t in resolve(n, "recon.report.outputs", False)]
    assert inner == ["recon.load.loader"]
    assert ("report", "rules") in package_graph()  # the reports read the exceptions contract


# Modules of a few hundred lines with one job (../shared/STYLE.md). Data tables are exempt: the
# problem-code catalogue is one entry per code and reads best in one place.
MAX_MODULE_LINES = 600
CATALOGUES = {"problems/codes.py"}


def test_modules_stay_small():
    long = {str(p.relative_to(RECON)): n for p in RECON.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert set(long) <= CATALOGUES, f"split these modules (more than {MAX_MODULE_LINES} lines): {long}"
