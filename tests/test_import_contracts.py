"""The floors and rooms of docs/architecture.md hold: the import contracts of pyproject.toml
(`[tool.importlinter]`, run here as CI runs them), and no module that imports itself through
others, and the benchmarks and examples stand on the project, not on its tests.

`lint-imports` names the chain of imports behind a broken contract; its `acyclic_siblings`
contract finds cycles between the modules or subpackages of one package. A cycle through a
package's `__init__` (a module importing its own package, which imports it back) is no cycle
between siblings, so the second test looks at every module of the project's import graph.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("rules", "crawler", "spiders", "pipelines")


def test_import_contracts_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--no-cache", "--no-logo"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_no_module_imports_itself():
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    assert "crawler.reports.store.base" in graph.modules  # the graph is the project's
    cycles: dict[frozenset[str], str] = {}
    for module in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back:  # module -> imported -> ... -> module
                cycles.setdefault(frozenset(back), " -> ".join((module, *back)))
    assert not cycles, "import cycles:\n" + "\n".join(sorted(cycles.values()))


def test_benchmarks_and_examples_do_not_import_the_tests():
    """What they share with the tests lives in a package (the stand-in sites: crawler/demo/) or
    in bench/ (the fault scenarios the fault suite asserts on)."""
    found = []
    scripts = sorted([*(ROOT / "bench").glob("*.py"), *(ROOT / "examples").glob("*.py")])
    assert scripts
    for path in scripts:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            found += [f"{path.relative_to(ROOT)} imports {n}" for n in names
                      if n.split(".")[0] == "tests"]
    assert not found, "\n".join(found)
