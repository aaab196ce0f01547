"""The layers import one way: ``sim`` never imports ``analysis``; only the command line imports
``analysis.commands``; and no two project modules import each other, directly or round a cycle,
at module level or inside a function (a lazy import still ties two modules together).

The import graph is read from the source with :mod:`ast`, so a test run imports nothing extra.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _modules() -> dict[str, Path]:
    mods = {}
    for package in ("sim", "analysis"):
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).with_suffix("")
            parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
            mods[".".join(parts)] = path
    return mods


def import_graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports at run time (``from a.b import c`` counts ``a.b``
    and, if it is a module, ``a.b.c``; imports under ``if TYPE_CHECKING:`` do not count)."""
    mods = _modules()
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for name, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # Imports under ``if TYPE_CHECKING:`` never run; they serve annotations only.
        typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
                       and getattr(block.test, "id", getattr(block.test, "attr", None)) == "TYPE_CHECKING"
                       for stmt in block.body for n in ast.walk(stmt)}
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            graph[name].update(t for t in targets if t in mods and t != name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan 1972), iteratively."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            v, children = work[-1]
            w = next(children, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    found.append(sorted(comp))
    return found


def test_cycle_finder_finds_a_planted_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_sim_never_imports_analysis():
    graph = import_graph()
    bad = {m: sorted(t for t in ts if t.split(".")[0] == "analysis") for m, ts in graph.items() if m.startswith("sim")}
    assert {m: ts for m, ts in bad.items() if ts} == {}


def test_only_the_command_line_imports_commands():
    graph = import_graph()
    bad = {m: sorted(t for t in ts if t.startswith("analysis.commands"))
           for m, ts in graph.items() if m != "analysis.cli" and not m.startswith("analysis.commands")}
    assert {m: ts for m, ts in bad.items() if ts} == {}


def test_commands_do_not_import_each_other():
    graph = import_graph()
    bad = {m: sorted(t for t in ts if t.startswith("analysis.commands.") and t != m)
           for m, ts in graph.items() if m.startswith("analysis.commands.")}
    assert {m: ts for m, ts in bad.items() if ts} == {}


def test_no_import_cycles():
    assert cycles(import_graph()) == []


@pytest.mark.parametrize("module", ["sim.registry", "analysis.cli"])
def test_light_modules_import_no_numpy_at_module_level(module):
    """The registry and the command line are read by ``bargain --help``: their module-level
    imports stay light (heavy libraries are imported where a method or command runs)."""
    path = _modules()[module]
    top = [n for n in ast.parse(path.read_text(encoding="utf-8")).body if isinstance(n, (ast.Import, ast.ImportFrom))]
    names = {a.name.split(".")[0] for n in top if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module.split(".")[0] for n in top if isinstance(n, ast.ImportFrom) and n.module}
    assert not names & {"numpy", "scipy", "pandas", "matplotlib", "numba", "pyarrow"}
