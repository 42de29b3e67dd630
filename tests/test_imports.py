"""The package's import graph: no cycles, the maintainer tool behind its command, a light command line.

The graph is read from the source with ``ast``. An import at module level
(including class bodies and ``if``/``try`` blocks) runs when the module loads,
so those edges are the ones a cycle is made of. Imports inside functions are
lazy: they run after every module has loaded and cannot form a load-time
cycle, so the cycle check leaves them out; the rule about ``databuild``
counts them, since no run-time module may load it at all.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import bordermap

PACKAGE = Path(bordermap.__file__).parent
HEAVY = ("geopandas", "shapely", "pyogrio", "fiona", "folium", "matplotlib", "pyproj", "numpy", "pandas")


def import_graph(package: Path, name: str = "bordermap") -> dict[str, dict[str, bool]]:
    """Module -> {imported module of the same package: whether the import is at module level}."""
    modules = {(name if p.stem == "__init__" else f"{name}.{p.stem}"): p for p in sorted(package.glob("*.py"))}
    graph: dict[str, dict[str, bool]] = {}
    for module, path in modules.items():
        edges: dict[str, bool] = {}
        here = module if path.stem == "__init__" else module.rpartition(".")[0]

        def add(target: str, top: bool) -> None:
            if target in modules:
                edges[target] = edges.get(target, False) or top

        def visit(node: ast.AST, top: bool) -> None:
            for child in ast.iter_child_nodes(node):
                inner = top and not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
                if isinstance(child, ast.Import):
                    for alias in child.names:
                        parts = alias.name.split(".")
                        add(".".join(parts[:2]), top)
                elif isinstance(child, ast.ImportFrom):
                    base = child.module or ""
                    if child.level:
                        anchor = here.split(".")[: len(here.split(".")) - child.level + 1]
                        base = ".".join(anchor + ([child.module] if child.module else []))
                    if base == name:  # from . import x: a submodule, or a name the package defines
                        for alias in child.names:
                            sub = f"{name}.{alias.name}"
                            add(sub if sub in modules else name, top)
                    else:
                        add(".".join(base.split(".")[:2]), top)
                visit(child, inner)

        visit(ast.parse(path.read_text(encoding="utf-8")), True)
        edges.pop(module, None)
        graph[module] = edges
    return graph


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle as [a, b, ..., a], or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := walk(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (found := walk(start)):
            return found
    return None


def load_time_edges(graph: dict[str, dict[str, bool]]) -> dict[str, set[str]]:
    return {m: {t for t, top in targets.items() if top} for m, targets in graph.items()}


def test_the_package_has_no_import_cycle():
    cycle = find_cycle(load_time_edges(import_graph(PACKAGE)))
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_only_the_cli_imports_databuild_and_only_inside_its_command():
    graph = import_graph(PACKAGE)
    importers = sorted(m for m, targets in graph.items() if "bordermap.databuild" in targets)
    assert importers == ["bordermap.cli"]
    assert graph["bordermap.cli"]["bordermap.databuild"] is False, "cli.py imports databuild at module level"


def test_the_checker_finds_the_old_cycle_and_ignores_lazy_imports(tmp_path):
    pkg = tmp_path / "demo"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("__version__ = '1'\n")
    (pkg / "databuild.py").write_text("from . import events\n")
    (pkg / "events.py").write_text("import demo.sources\n\ndef load():\n    from .cli import x\n")
    (pkg / "sources.py").write_text("from .databuild import ADMIN1_FILE\nfrom . import __version__\n")
    (pkg / "cli.py").write_text("from . import __version__\n\ndef run():\n    from . import databuild\n")
    graph = import_graph(pkg, "demo")
    assert graph["demo.events"] == {"demo.sources": True, "demo.cli": False}
    assert graph["demo.sources"] == {"demo.databuild": True, "demo": True}
    cycle = find_cycle(load_time_edges(graph))
    assert cycle == ["demo.databuild", "demo.events", "demo.sources", "demo.databuild"]
    (pkg / "sources.py").write_text("def read():\n    from .databuild import ADMIN1_FILE\n")
    assert find_cycle(load_time_edges(import_graph(pkg, "demo"))) is None


def _loaded_after(code: str) -> dict:
    """Run ``code`` in a fresh interpreter; report which heavy libraries it loaded."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=os.environ.copy(),
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_importing_the_cli_loads_no_geo_library():
    assert _loaded_after("import bordermap.cli") == []


def test_help_and_version_load_no_geo_library():
    for flag in ("--help", "--version"):
        code = ("import contextlib, io\nfrom bordermap.cli import main\n"
                "with contextlib.redirect_stdout(io.StringIO()):\n"
                f"    try:\n        main([{flag!r}])\n    except SystemExit:\n        pass")
        assert _loaded_after(code) == [], flag


def test_package_attributes_load_on_first_use():
    code = ("import bordermap, sys\n"
            "assert 'geopandas' not in sys.modules\n"
            "assert issubclass(bordermap.SourceError, bordermap.BordermapError)\n"
            "import bordermap.build\n"  # the submodule must not hide the function of the same name
            "assert callable(bordermap.build) and bordermap.build.__module__ == 'bordermap.build'\n"
            "assert callable(bordermap.sources.load_boundaries)\n"
            "from bordermap import build, layers, recipe, render_html\n"
            "assert build is bordermap.build")
    loaded = set(_loaded_after(code))
    assert "geopandas" in loaded
    assert "folium" not in loaded  # pages are written without folium
