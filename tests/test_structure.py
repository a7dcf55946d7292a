"""The layering the code relies on (docs/architecture.md): contacts_app is the ground
floor, restore and cleaned build on it; inside contacts_app the domain sits at the root
and the web edge, the API edge, the admin, the job machinery and the plumbing each have
a room; the domain of every app imports no web, API or admin module; no import circle;
tasks import services, never the reverse; no module hides an import inside a function
to dodge a cycle; no services module grows past 300 lines."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("contacts_app", "restore", "cleaned")


def modules(place: str):
    for path in sorted((ROOT / place).rglob("*.py")):
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


# contacts_app's rooms. The domain is the app's root (and services/); each edge and the
# plumbing is a subpackage.
DOMAIN_ROOT_MODULES = {
    "__init__",
    "apps",
    "models",
    "archive_models",
    "lifecycle",
    "associations",
    "deliverability",
    "automations",
    "audit",
    "notices",  # telling a user something happened (R13), like audit: a write every kind of job uses
    "selectors",
    "filters",  # the one contact filter: pages, API, select-all, and exports re-run in workers
    "job_models",  # what every background job row holds; the machinery in jobs/ works on it
    "webhook_models",  # outgoing webhooks (W): endpoints, the outbox, deliveries
    "privacy_models",  # the suppression list and erasure jobs (G1, G2)
    "access_request",  # G3: everything held about a contact, sections registered by each app
    "signals",
    "tasks",  # Celery's discovery looks for <app>.tasks: thin, calls services
}
# templatetags: where Django looks for template filters (part of the web edge).
ROOMS = {"services", "web", "api", "admin", "jobs", "lib", "management", "migrations", "templatetags"}
EDGES = ("contacts_app.web", "contacts_app.api", "contacts_app.admin", "contacts_app.templatetags")
# The domain of the apps above: what their views, API, admin and webhooks call.
APP_DOMAIN = {
    "restore": ("models", "selectors", "sql", "services", "privacy"),
    "cleaned": ("models", "selectors", "classification", "services", "privacy"),
}
APP_EDGES = (
    "views",
    "form_views",
    "public_forms",
    "urls",
    "forms",
    "api",
    "admin",
    "webhooks",
    "panels",
    "parsing",
    "signing",
    "templatetags",
)


def in_module(name: str, prefixes: tuple[str, ...]) -> bool:
    """`name` is one of these modules or inside one (contacts_app.webhook_models is not
    inside contacts_app.web)."""
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_structure_contacts_app_root_holds_only_the_domain():
    root = ROOT / "contacts_app"
    modules_at_root = {p.stem for p in root.glob("*.py")}
    packages = {p.name for p in root.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert modules_at_root - DOMAIN_ROOT_MODULES == set()
    assert packages - ROOMS == set()


def domain_modules():
    for path, tree in modules("contacts_app"):
        rel = path.relative_to(ROOT / "contacts_app").parts
        if len(rel) == 1 or rel[0] == "services":
            yield path, tree
    for app, names in APP_DOMAIN.items():
        for path, tree in modules(app):
            rel = path.relative_to(ROOT / app).parts
            if rel[0].removesuffix(".py") in names:
                yield path, tree


def test_structure_the_domain_imports_no_web_api_or_admin_module():
    edges = EDGES + tuple(f"{app}.{edge}" for app in APPS for edge in APP_EDGES)
    found = {}
    for path, tree in domain_modules():
        names = imported(tree) | {
            f"{module_name(path).rsplit('.', n.level)[0]}.{n.module or ''}".rstrip(".")
            for n in ast.walk(tree)
            if isinstance(n, ast.ImportFrom) and n.level
        }
        bad = sorted(m for m in names if in_module(m, edges) and m.split(".")[1] != "tasks")
        if bad:
            found[str(path.relative_to(ROOT))] = bad
    assert found == {}


def test_structure_plumbing_sits_below_everything_and_the_job_machinery_below_the_apps():
    """lib imports nothing else of the project; jobs may use the domain's audit log,
    notices and models, never an edge (web, API, admin) nor the apps above."""
    for path, tree in modules("contacts_app/lib"):
        own = {m for m in imported(tree) if m.split(".")[0] in APPS + ("config",)}
        assert {m for m in own if not m.startswith("contacts_app.lib")} == set(), path
    for path, tree in modules("contacts_app/jobs"):
        bad = {m for m in imported(tree) if in_module(m, EDGES) or m.split(".")[0] in ("restore", "cleaned", "config")}
        assert bad == set(), path


def test_structure_no_import_circle():
    """Module-level imports between the project's modules form no circle (a package's
    __init__ importing its own submodule is not one: Python loads the package first)."""
    known = {module_name(p) for app in APPS + ("config",) for p, _ in modules(app)}
    graph: dict[str, set[str]] = {}
    for app in APPS + ("config",):
        for path, tree in modules(app):
            name = module_name(path)
            targets = set()
            for node in tree.body:
                if isinstance(node, ast.ImportFrom):
                    base = node.module or ""
                    if node.level:
                        pkg = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
                        pkg = pkg.rsplit(".", node.level - 1)[0] if node.level > 1 else pkg
                        base = f"{pkg}.{base}".rstrip(".")
                    targets.add(base)
                    targets.update(f"{base}.{a.name}" for a in node.names)
                elif isinstance(node, ast.Import):
                    targets.update(a.name for a in node.names)
            graph[name] = {t for t in targets if t in known and t != name}
    # Tarjan's strongly connected components: any with more than one module is a circle.
    index, low, stack, on_stack, circles = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert circles == []


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


DOCS = ("docs/architecture.md", "docs/decisions.md", "docs/scaling.md", "README.md")
PLACE = re.compile(
    r"^((?:contacts_app|restore|cleaned|config|static|bench|tests|templates|bin)/[\w/.-]+?)(?:\.(\w+))?$"
)
FILE_AND_NAMES = re.compile(r"`((?:contacts_app|restore|cleaned|config)/[\w/]+\.py)`((?:[ ,]*(?:and )?`\w+`)+)")


def defines(path: Path, name: str) -> bool:
    """A def, a class, an assignment, or a quoted name (a constraint, a setting key)."""
    pattern = rf"^\s*(?:async )?(?:def|class) {name}\b|^\s*{name}\b\s*[:=]|[\"']{name}[\"']"
    return bool(re.search(pattern, path.read_text(), re.M))


def test_structure_docs_name_only_files_and_functions_that_exist():
    """docs/architecture.md places every rule in a file and a function: each named file
    exists, and each `file.py` `name` (or `path/module.name`) names something there."""
    wrong = []
    for doc in DOCS:
        text = (ROOT / doc).read_text()
        for token in re.findall(r"`([^`]+)`", text):
            for part in re.split(r"[\s,()]+", token):
                match = PLACE.match(part)
                if not match or (ROOT / part).exists():
                    continue
                path, attr = match.groups()
                found = next((c for c in (ROOT / f"{path}.py", ROOT / path) if c.exists()), None)
                if found is None or (attr and found.suffix == ".py" and not defines(found, attr)):
                    wrong.append(f"{doc}: {part}")
        for path, names in FILE_AND_NAMES.findall(text):
            for name in re.findall(r"`(\w+)`", names):
                if not (ROOT / path).exists() or not defines(ROOT / path, name):
                    wrong.append(f"{doc}: {path} {name}")
    assert wrong == []


def test_structure_no_module_rebinds_the_gettext_alias():
    """A module that imports gettext as `_` never assigns `_` (a loop or unpacking
    variable named `_` makes every `_()` of that function fail)."""
    found = []
    for app in APPS:
        for path, tree in modules(app):
            aliases = {a.asname for n in tree.body if isinstance(n, ast.ImportFrom) for a in n.names}
            if "_" not in aliases:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []
