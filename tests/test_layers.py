"""The layer rules of the house (README "Layout"), as assertions on every module's imports.

- the pure core imports no Flask, no SQLAlchemy and nothing of the app outside the core;
- doors (api, openrosa, web) import no models, no SQL, no database: they call services;
- services, queries and the event log import no Flask and no door;
- nothing in app/ imports the demo county (demo/), which only demos, tests and benchmarks use.
"""
import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[1] / "app"


def imports_of(path: Path) -> set[str]:
    """The absolute names a module imports (relative imports resolved against its package)."""
    package = ".".join(path.relative_to(APP.parent).with_suffix("").parts)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[:len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def modules(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (APP / folder).rglob("*.py"))


def offenders(paths: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    """'module: import' for every import of a forbidden package (or one below it)."""
    return [f"{path.relative_to(APP.parent)}: {name}" for path in paths for name in sorted(imports_of(path))
            if any(name == f or name.startswith(f + ".") for f in forbidden)]


DOORS = ("api", "openrosa", "web")
RULES = {
    "core": (modules("core"), ("flask", "sqlalchemy", "geoalchemy2", "werkzeug", "marshmallow", "app.services",
                               "app.models", "app.queries", "app.http", "app.extensions", "app.api", "app.openrosa",
                               "app.web", "app.workers")),
    "doors": (modules(*DOORS), ("sqlalchemy", "geoalchemy2", "app.models", "app.queries", "app.extensions")),
    "services": (modules("services", "queries") + [APP / "events.py"],
                 ("flask", "app.http", "app.api", "app.openrosa", "app.web", "app.workers")),
    "app": (modules("."), ("demo",)),
}


@pytest.mark.parametrize("layer", RULES)
def test_each_layer_imports_only_what_it_may(layer):
    paths, forbidden = RULES[layer]
    assert paths, f"no modules found for {layer}"
    assert offenders(paths, forbidden) == []


def test_the_check_sees_a_forbidden_import(tmp_path):
    door = tmp_path / "app" / "api" / "sneaky.py"
    door.parent.mkdir(parents=True)
    door.write_text("from ..models import Household\nfrom sqlalchemy import select\n")
    global APP
    kept, APP = APP, tmp_path / "app"
    try:
        assert offenders([door], RULES["doors"][1]) == ["app/api/sneaky.py: app.models",
                                                        "app/api/sneaky.py: app.models.Household",
                                                        "app/api/sneaky.py: sqlalchemy",
                                                        "app/api/sneaky.py: sqlalchemy.select"]
    finally:
        APP = kept
