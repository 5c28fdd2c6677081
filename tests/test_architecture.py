"""The layout's rules, checked on the source: imports run one way, so each thing stays where its name says."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("portal", "patterns")
VIEWS = ("portal.views.", "portal.wizard.views", "portal.api.views", "patterns.views", "patterns.curation_views")
FORMATS = ("portal.exports", "portal.api")
CATALOG_INTERNALS = (
    "patterns.models", "patterns.draft", "patterns.loader", "patterns.publishing", "patterns.ranking.recommender",
    "patterns.content",
)  # fmt: skip


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_imports() -> dict[str, set[str]]:
    """module -> the project modules it imports (anywhere in it, function bodies included)."""
    modules = {
        _module_name(path): path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    }
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                candidates = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            elif isinstance(node, ast.Import):
                candidates = [alias.name for alias in node.names]
            else:
                continue
            imported.update(c for c in candidates if c in modules and c != name)
        graph[name] = imported
    return graph


GRAPH = project_imports()


def _edges(source: tuple[str, ...] | str, target: tuple[str, ...] | str) -> list[str]:
    return sorted(
        f"{module} -> {imported}"
        for module, imports in GRAPH.items()
        if module.startswith(source)
        for imported in imports
        if imported.startswith(target)
    )


def test_the_import_graph_has_no_circles() -> None:
    state: dict[str, str] = {}
    cycles: list[list[str]] = []

    def visit(module: str, trail: list[str]) -> None:
        state[module] = "open"
        for imported in sorted(GRAPH[module]):
            if state.get(imported) == "open":
                cycles.append([*trail[trail.index(imported) :], imported] if imported in trail else [module, imported])
            elif imported not in state:
                visit(imported, [*trail, imported])
        state[module] = "done"

    for module in sorted(GRAPH):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_the_catalog_never_imports_the_architects_app() -> None:
    assert _edges("patterns", "portal") == []


def test_the_portal_reads_the_catalog_only_through_the_published_read_model() -> None:
    allowed = ("portal.management.commands.benchmark",)  # it measures building a snapshot from the draft
    assert [edge for edge in _edges("portal", CATALOG_INTERNALS) if not edge.startswith(allowed)] == []


def test_a_page_never_imports_another_page() -> None:
    assert _edges(VIEWS, VIEWS) == []


def test_writes_and_reads_never_import_formats_pages_or_forms() -> None:
    lower = ("portal.services", "portal.selectors", "portal.records")
    assert _edges(lower, (*FORMATS, *VIEWS, "portal.forms", "portal.wizard")) == []
    assert _edges(("portal.selectors", "portal.records"), "portal.services") == []


def test_no_product_module_is_over_400_lines() -> None:
    """A module past 400 lines holds two subjects; the vocabulary's data (the questions and their answers) aside."""
    data = {"patterns/requirements.py"}
    long = {
        str(path.relative_to(ROOT)): count
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
        and str(path.relative_to(ROOT)) not in data
        and (count := len(path.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert long == {}
