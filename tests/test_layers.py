"""The import graph: apps import only downward (DESIGN.md, docs/architecture.md), so a change in a
lower layer never needs one above, and a newcomer finds each rule in one place."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "ntm"
LAYERS = [
    {"core"},
    {"units", "accounts"},  # grants point at units; unit pages are scoped by grants
    {"criteria"},
    {"figures"},
    {"evaluations"},
    {"recognition", "plans", "funding", "community", "ocop", "practices"},
    {"reports", "portal", "api", "demo"},
]
LAYER = {app: i for i, apps in enumerate(LAYERS) for app in apps}


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module = path.relative_to(ROOT.parent).with_suffix("").parts
    found = set()
    for node in ast.walk(tree):  # every import, also those inside functions
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module[: len(module) - node.level]
                names = [".".join((*base, node.module or ""))]
            else:
                names = [node.module or ""]
        for name in names:
            parts = name.split(".")
            if parts[0] == "ntm" and len(parts) > 1 and parts[1] in LAYER:
                found.add(parts[1])
    return found


def app_files():
    for app in LAYER:
        folder = ROOT / app
        if not folder.exists():
            continue
        for path in folder.rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            yield app, path


def test_every_app_is_placed_in_a_layer():
    apps = {p.name for p in ROOT.iterdir() if (p / "apps.py").exists()}
    assert apps <= set(LAYER), f"place these apps in a layer: {sorted(apps - set(LAYER))}"


def test_apps_import_only_downward():
    upward = []
    for app, path in app_files():
        for other in imported_apps(path):
            if LAYER[other] > LAYER[app]:
                upward.append(f"{path.relative_to(ROOT.parent)} ({app}) imports ntm.{other}")
    assert not upward, "\n".join(upward)


def test_no_app_imports_management_commands_of_another():
    offenders = [str(path.relative_to(ROOT.parent)) for app, path in app_files()
                 if "management" not in path.parts and ".management.commands" in path.read_text(encoding="utf-8")]
    assert not offenders, offenders
