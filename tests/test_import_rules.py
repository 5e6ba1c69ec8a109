"""Two rules about imports, checked on the source so that they stay kept:

- only a ``urls.py`` imports a views module of the project. Views are the outer layer:
  what another module needs from one (a chart, a response, a read) belongs in a module
  that both can import, not in a view;
- settings import no app of the project. They load before the app registry, and an app
  imported from them reaches its models (and everything they import) too early.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
# Not the project's code: the virtualenv, the tests themselves, generated migrations.
SKIPPED_DIRS = {".venv", "tests", "migrations", "node_modules", "__pycache__"}
PROJECT_PACKAGES = frozenset(
    entry.name for entry in ROOT.iterdir() if (entry / "__init__.py").is_file() and entry.name != "tests"
)


def project_modules() -> Iterator[tuple[Path, str]]:
    """Every .py file of the project with its dotted module name."""
    for directory, subdirectories, files in os.walk(ROOT):
        subdirectories[:] = [
            name for name in subdirectories if name not in SKIPPED_DIRS and not name.startswith(".")
        ]
        for name in files:
            if name.endswith(".py"):
                path = Path(directory, name)
                yield path, module_name(path)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def module_path(module: str) -> Path | None:
    """The file of a project module; None for anything else (a name inside a module)."""
    base = ROOT.joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def imported_names(path: Path, module: str) -> set[str]:
    """The dotted names ``path`` imports anywhere in it (in functions too): for
    ``from a.b import c`` both ``a.b`` and ``a.b.c``, relative imports made absolute."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def views_module(name: str) -> str | None:
    """The project's views module that ``name`` is or is in, if any."""
    parts = name.split(".")
    if parts[0] not in PROJECT_PACKAGES or "views" not in parts[1:]:
        return None
    return ".".join(parts[: parts.index("views", 1) + 1])


def test_only_urls_modules_import_views() -> None:
    offenders = sorted(
        {
            f"{path.relative_to(ROOT)} imports {views}"
            for path, module in project_modules()
            if path.name != "urls.py"
            for name in imported_names(path, module)
            if (views := views_module(name)) is not None
        }
    )
    assert offenders == []


def test_the_views_rule_sees_the_urls_modules_imports() -> None:
    # Guard against a check that passes because it sees nothing.
    urls = ROOT / "runs" / "urls.py"
    assert "runs.views" in {views_module(name) for name in imported_names(urls, "runs.urls")}


def test_settings_import_no_app() -> None:
    """Settings may import modules of their own package (``backpainlog``, itself an app
    for its templates and commands) that import no app either; never an app's module."""
    settings_module, own_package = "backpainlog.settings", "backpainlog"
    apps = {app for app in settings.INSTALLED_APPS if app.split(".")[0] in PROJECT_PACKAGES}

    def app_of(name: str) -> str | None:
        owners = [app for app in apps if name == app or name.startswith(f"{app}.")]
        return max(owners, key=len, default=None)

    offenders, seen, pending = set(), {settings_module}, [settings_module]
    while pending:
        module = pending.pop()
        path = module_path(module)
        if path is None:
            continue
        for name in sorted(imported_names(path, module)):
            if name.split(".")[0] not in PROJECT_PACKAGES or name in seen:
                continue
            seen.add(name)
            app = app_of(name)
            if app is not None and app != own_package:
                offenders.add(f"{module} imports from the {app} app")
            else:
                pending.append(name)
    assert sorted(offenders) == []
