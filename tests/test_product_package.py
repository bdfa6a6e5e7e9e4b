"""The product package is the bot only: the stand-ins and the sandbox stay in the checkout."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

from setuptools import find_packages

from tests.conftest import REPO_ROOT

CHECKOUT_PACKAGES = ("standins", "sandbox")


def _pyproject() -> dict[str, object]:
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_wheel_finds_app_packages_only() -> None:
    find = _pyproject()["tool"]["setuptools"]["packages"]["find"]  # type: ignore[index]
    packages = find_packages(where=REPO_ROOT, include=find["include"])
    assert "app" in packages
    assert all(package.split(".")[0] == "app" for package in packages), packages
    assert not [p for p in packages if "sandbox" in p or "standin" in p], packages


def test_package_data_holds_no_stand_in_or_sandbox_file() -> None:
    data = _pyproject()["tool"]["setuptools"]["package-data"]  # type: ignore[index]
    assert set(data) == {"app"}
    files = {path for pattern in data["app"] for path in (REPO_ROOT / "app").glob(pattern)}
    assert files
    assert not [p for p in data["app"] if "sandbox" in p or "standin" in p]
    assert not [f for f in files if f.suffix in (".html", ".css", ".js") or f.suffix == ".txt"]


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_app_never_imports_the_stand_ins_or_the_sandbox() -> None:
    offenders = {
        str(path.relative_to(REPO_ROOT)): sorted(
            name for name in _imported_modules(path) if name.split(".")[0] in CHECKOUT_PACKAGES
        )
        for path in (REPO_ROOT / "app").rglob("*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_only_the_cli_hook_names_the_sandbox_package() -> None:
    mentions = sorted(
        str(path.relative_to(REPO_ROOT))
        for path in (REPO_ROOT / "app").rglob("*.py")
        if "sandbox.commands" in path.read_text(encoding="utf-8")
        or "standins" in path.read_text(encoding="utf-8")
    )
    assert mentions == ["app/cli.py"]
