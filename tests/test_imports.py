"""No import cycles inside the hadoofus package.

Reads the source files (no import, no compiled extension needed), takes
every import of a hadoofus module, at the top or inside a function, as an
edge, and fails on any cycle. A package's __init__ runs before its
submodules anyway, so imports of an enclosing package are not edges.

    python tests/test_imports.py      # prints the graph and any cycle
"""

import ast
import os
import sys

PKG_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "hadoofus")


def _modules(root=PKG_DIR, package="hadoofus"):
    """{dotted module name: file path} of every .py file under root."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__")))
        rel = os.path.relpath(dirpath, root)
        parts = [package] + ([] if rel == "." else rel.split(os.sep))
        for f in sorted(filenames):
            if f.endswith(".py"):
                name = parts if f == "__init__.py" else parts + [f[:-3]]
                out[".".join(name)] = os.path.join(dirpath, f)
    return out


def import_graph(root=PKG_DIR, package="hadoofus"):
    """{module: set of hadoofus modules it imports}."""
    mods = _modules(root, package)
    graph = {}
    for name, path in mods.items():
        is_pkg = path.endswith("__init__.py")
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read(), path)
        targets = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    # "import a.b.c" runs a, a.b and a.b.c.
                    parts = a.name.split(".")
                    targets.update(".".join(parts[:i + 1]) for i in range(len(parts)))
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = name.split(".")
                    base = base[:len(base) - node.level + (1 if is_pkg else 0)]
                    base = ".".join(base + ([node.module] if node.module else []))
                else:
                    base = node.module
                parts = base.split(".")
                targets.update(".".join(parts[:i + 1]) for i in range(len(parts)))
                targets.update(base + "." + a.name for a in node.names)
        ancestors = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
        graph[name] = {t for t in targets if t in mods and t != name and t not in ancestors}
    return graph


def cycles(graph):
    """The strongly connected components of more than one module (and
    modules importing themselves): each one is an import cycle."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1 or v in graph.get(v, ()):
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles():
    graph = import_graph()
    assert "hadoofus.easy" in graph and "hadoofus.conf" in graph
    assert cycles(graph) == []


def test_the_checker_finds_a_cycle(tmp_path):
    pkg = tmp_path / "p"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("from . import a\n")
    (pkg / "a.py").write_text("from .b import f\n")
    (pkg / "b.py").write_text("def f():\n    from . import a\n")
    (pkg / "c.py").write_text("import p.a\nfrom p import b\n")
    graph = import_graph(str(pkg), "p")
    assert graph["p.c"] == {"p.a", "p.b"}
    assert cycles(graph) == [["p.a", "p.b"]]


if __name__ == "__main__":
    g = import_graph()
    for m in sorted(g):
        print("%-28s -> %s" % (m, ", ".join(sorted(g[m])) or "-"))
    found = cycles(g)
    for c in found:
        print("CYCLE:", " <-> ".join(c))
    sys.exit(1 if found else 0)
