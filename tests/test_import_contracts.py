"""The floors and rooms of docs/architecture.md hold: the import contracts of pyproject.toml
(`[tool.importlinter]`, run here as CI runs them), and no module that imports itself through
others.

`lint-imports` names the chain of imports behind a broken contract; its `acyclic_siblings`
contract finds cycles between the modules or subpackages of one package. A cycle through a
package's `__init__` (a module importing its own package, which imports it back) is no cycle
between siblings, so the second test looks at every module of the project's import graph.
"""

from __future__ import annotations

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
