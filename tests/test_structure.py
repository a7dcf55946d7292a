"""The layering the code relies on (docs/architecture.md): contacts_app is the ground
floor, restore and cleaned build on it; tasks import services, never the reverse; no
module hides an import inside a function to dodge a cycle; no services module grows
past 300 lines."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("contacts_app", "restore", "cleaned")


def modules(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path, ast.parse(path.read_text(), filename=str(path))


def imported(tree, *, top_level_only: bool = False) -> set[str]:
    nodes = tree.body if top_level_only else ast.walk(tree)
    names = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_structure_contacts_app_imports_neither_restore_nor_cleaned():
    offenders = {
        str(path.relative_to(ROOT)): sorted(m for m in imported(tree) if m.split(".")[0] in ("restore", "cleaned"))
        for path, tree in modules("contacts_app")
    }
    assert {p: m for p, m in offenders.items() if m} == {}


def test_structure_restore_and_cleaned_do_not_import_each_other():
    for app, other in (("restore", "cleaned"), ("cleaned", "restore")):
        for path, tree in modules(app):
            assert not [m for m in imported(tree) if m.split(".")[0] == other], path


def test_structure_services_never_import_tasks():
    for app in APPS:
        for path, tree in modules(app):
            if "services" in path.parts:
                found = {m for m in imported(tree) if m.endswith("tasks")}
                relative = {
                    n.module
                    for n in ast.walk(tree)
                    if isinstance(n, ast.ImportFrom) and n.level and (n.module or "").endswith("tasks")
                }
                assert not found and not relative, path


def test_structure_no_app_import_hides_inside_a_function():
    """Imports of our own apps are at module level; the one exception is an app's
    ready() connecting signal receivers, which is how Django wants it."""
    for app in APPS:
        for path, tree in modules(app):
            for func in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
                if path.name == "apps.py" and func.name == "ready":
                    continue
                inner = [n for n in ast.walk(func) if isinstance(n, (ast.Import, ast.ImportFrom))]
                own = [
                    n
                    for n in inner
                    if isinstance(n, ast.ImportFrom) and (n.level or (n.module or "").split(".")[0] in APPS)
                ]
                assert not own, f"{path.relative_to(ROOT)}:{func.lineno} {func.name}"


def test_structure_no_services_module_over_300_lines():
    for app in APPS:
        for path in (ROOT / app / "services").glob("*.py"):
            assert len(path.read_text().splitlines()) <= 300, path
