"""The house rules a newcomer relies on, checked on the source itself (AST, no imports run):
no import cycles between the project's modules (imports inside functions count; only
`if TYPE_CHECKING:` imports do not), no CLI libraries under `flows/`, pure `transforms/`, and
modules small enough to read."""

from __future__ import annotations

import ast
import statistics
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("mhsip", "alerts", "landing", "flows", "serving", "transforms", "expectations",
            "warehouse", "synthetic", "report")  # fmt: skip


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            parts = path.relative_to(REPO).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """Project modules that `path` imports at run time, anywhere in the file."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return {name for name in found if name in modules}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(path, modules) - {name} for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                connect(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            connect(node)
    return found


def test_no_import_cycles_between_the_projects_modules() -> None:
    graph = _graph()
    # a package's __init__ importing its own modules is not a cycle worth reporting
    for name in graph:
        graph[name] = {m for m in graph[name] if not name.startswith(f"{m}.")}
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_under_flows_imports_a_cli_library() -> None:
    offenders = []
    for path in sorted((REPO / "flows").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names] if isinstance(node, ast.Import)
                else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            )  # fmt: skip
            offenders += [
                f"{path.name}: {n}" for n in names if n.split(".")[0] in {"typer", "rich"}
            ]
    assert offenders == []


def test_transforms_read_no_files() -> None:
    """Transforms are pure: no YAML, file system or network library is imported there."""
    io_modules = {"yaml", "fsspec", "pathlib", "os", "shutil", "requests", "httpx", "duckdb"}
    offenders = []
    for path in sorted((REPO / "transforms").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                )
                offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in io_modules]
    assert offenders == []


def test_modules_stay_small() -> None:
    sizes = {
        name: len(path.read_text(encoding="utf-8").splitlines())
        for name, path in _modules().items()
        if path.name != "__init__.py" and "migrations" not in path.parts
    }
    assert statistics.median(sizes.values()) <= 150
    assert {name: lines for name, lines in sizes.items() if lines > 400} == {}


def test_every_module_imports() -> None:
    """Each module imports on its own (lazy imports included, as far as importing goes)."""
    import importlib

    failed = {}
    for name in _modules():
        if ".migrations." in name or name.endswith((".migrations", ".__main__")):
            continue  # Alembic loads migrations with its own context; __main__ runs the CLI
        try:
            importlib.import_module(name)
        except Exception as exc:  # pragma: no cover - reported below
            failed[name] = f"{type(exc).__name__}: {exc}"
    assert failed == {}
