"""The boundaries between layers, read from the imports of every module (no import runs).

engine/     pure: the calendars' pure parts only; no db, services, I/O, SQL, Prefect
calendars/  never the engine (or anything above it)
db/         the only place with SQL; never services, notifications, entry points
notifications/  mail: never services or entry points
intake/     a council's files read into planned cases: the engine only; no db, SQL, services
reports/    output adapters (XLSX, charts, SEN2 XML): never the store, mail or entry points
services/   the application layer: never the entry points, never Prefect
cli/, flows/, web/  entry points: the store and the mail only through services/
and no import cycle inside any package.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("engine", "calendars", "db", "notifications", "services", "cli", "flows", "web",
            "demo", "intake", "reports")
ENTRY_POINTS = ("cli", "flows", "web")
# What each package may not import (top-level names).
FORBIDDEN: dict[str, set[str]] = {
    "engine": {"db", "services", "notifications", "cli", "flows", "web", "demo",
               "sqlalchemy", "prefect", "smtplib", "socket", "requests", "httpx"},
    "calendars": {"engine", "db", "services", "notifications", "cli", "flows", "web",
                  "sqlalchemy", "prefect"},
    "db": {"services", "notifications", "cli", "flows", "web", "prefect"},
    "notifications": {"services", "cli", "flows", "web"},
    "services": {"cli", "flows", "web", "prefect"},
    "cli": {"db", "notifications", "intake"},
    "flows": {"db", "notifications", "cli", "intake"},
    "web": {"db", "notifications", "cli", "flows", "intake"},
    "demo": {"services", "cli", "flows", "web", "sqlalchemy"},
    "intake": {"db", "services", "notifications", "cli", "flows", "web", "demo", "sqlalchemy",
               "prefect"},
    # output adapters (tables, workbooks, charts, SEN2 XML): the services' results only
    "reports": {"db", "notifications", "cli", "flows", "web", "prefect", "sqlalchemy"},
}
# Outside db/, SQLAlchemy may appear only as the types a unit of work is passed around as.
SQLALCHEMY_TYPES = {("sqlalchemy", "Engine"), ("sqlalchemy.orm", "Session")}


def modules() -> Iterator[tuple[str, Path]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield package, path


def imports(path: Path) -> Iterator[tuple[str, tuple[str, ...], int]]:
    """(module, names imported from it, line) for every import in ``path``."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, (), node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, tuple(a.name for a in node.names), node.lineno


def test_every_package_imports_only_what_its_layer_allows():
    crossings = []
    for package, path in modules():
        for module, _, line in imports(path):
            if module.split(".")[0] in FORBIDDEN[package]:
                crossings.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert crossings == []


def test_no_sql_outside_db():
    found = []
    for package, path in modules():
        if package == "db":
            continue
        for module, names, line in imports(path):
            if module.split(".")[0] != "sqlalchemy":
                continue
            if not names or any((module, name) not in SQLALCHEMY_TYPES for name in names):
                found.append(f"{path.relative_to(ROOT)}:{line} imports {module} {names}")
    assert found == []


@pytest.mark.parametrize("package", PACKAGES)
def test_no_import_cycles_inside_a_package(package):
    graph: dict[str, set[str]] = {}
    for owner, path in modules():
        if owner != package:
            continue
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        graph[name] = {m for m, _, _ in imports(path)
                       if m.split(".")[0] == package and m != name}
    cycles = []

    def visit(node: str, trail: tuple[str, ...]) -> None:
        for nxt in graph.get(node, ()):
            if nxt in trail:
                cycles.append(" -> ".join((*trail[trail.index(nxt):], nxt)))
            elif nxt in graph and nxt not in done:
                visit(nxt, (*trail, nxt))
        done.add(node)

    done: set[str] = set()
    for start in sorted(graph):
        visit(start, (start,))
    assert cycles == []


def test_the_layering_test_catches_a_crossing(tmp_path):
    """The rule is not vacuous: a cli module importing db is reported."""
    bad = tmp_path / "bad.py"
    bad.write_text("from db.session import unit_of_work\n")
    assert [m for m, _, _ in imports(bad) if m.split(".")[0] in FORBIDDEN["cli"]] == [
        "db.session"]
