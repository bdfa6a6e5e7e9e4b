"""Imports only point down the layers: each package of ``app/`` imports packages of the layers
below its own, never one above it nor one beside it in its layer.

Every import counts: at the top of a module, inside a function, under ``if TYPE_CHECKING:``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from pathlib import Path

from tests.conftest import REPO_ROOT

APP = REPO_ROOT / "app"

#: Top to bottom. A package (a folder of ``app/``, or a module directly in it) may import the
#: packages of the layers below its own; the packages of one layer are peers and import none of
#: each other. A new package must be placed here.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("__main__",),
    ("cli",),
    # entry points: the HTTP app, the scheduler process, the operator's offline commands
    ("web", "worker", "operator_commands"),
    # Bolt wiring, listeners, Block Kit, the gateway to the Web API
    ("slack",),
    # a running installation: settings, config, engine, triage, integrations put together
    ("runtime",),
    # domain services, the inbound flow above the hand-off above what the hand-off uses
    ("conversations",),
    ("escalations",),
    ("routing", "csat", "knowledge_gaps"),
    ("surge",),
    ("metrics", "policy", "crm", "bugs"),
    ("integrations", "mail"),
    # the outbox: what leaves the process, stored, then delivered once
    ("delivery",),
    ("triage",),
    # what the domain services share: the bot's replies as data, who may act for a customer
    ("domain",),
    # tables, migrations, queries
    ("db",),
    # the config file's schema
    ("config_file",),
    # the customer-facing message catalogue, the intent taxonomy, the knowledge base
    ("messages", "intents", "knowledge"),
    ("config",),
    ("errors", "jsonl", "team_scope", "process_identity", "logging_setup", "redaction"),
)


def module_name(path: Path, *, root: Path) -> str:
    """``app/db/models.py`` -> ``app.db.models``; a package's ``__init__.py`` -> the package."""
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_of(module: str) -> str | None:
    """``app.db.models`` -> ``db``, ``app.cli`` -> ``cli``; the root package itself -> None."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def imported_modules(tree: ast.AST, *, module: str, is_package: bool) -> Iterator[tuple[int, str]]:
    """(line, module) of every import in ``tree``, relative ones resolved against ``module``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                keep = len(base) - node.level + (1 if is_package else 0)
                prefix = ".".join(base[:keep])
                target = f"{prefix}.{node.module}" if node.module else prefix
            else:
                target = node.module or ""
            if "." not in target:  # ``from app import db``: the names are the packages
                for alias in node.names:
                    yield node.lineno, f"{target}.{alias.name}"
            else:
                yield node.lineno, target


def checked_modules(
    root: Path, *, excluded_packages: frozenset[str], excluded_modules: frozenset[str]
) -> Iterator[Path]:
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        package = relative.parts[0].removesuffix(".py")
        if package in excluded_packages or relative.as_posix() in excluded_modules:
            continue
        yield path


def layer_violations(
    root: Path,
    layers: Sequence[Sequence[str]],
    *,
    excluded_packages: frozenset[str] = frozenset(),
    excluded_modules: frozenset[str] = frozenset(),
) -> list[str]:
    """``file:line: what is wrong`` for every import of a package above or beside the
    importer's, or of a package with no layer."""
    rank = {package: index for index, layer in enumerate(layers) for package in layer}
    found: list[str] = []
    for path in checked_modules(
        root, excluded_packages=excluded_packages, excluded_modules=excluded_modules
    ):
        module = module_name(path, root=root)
        importer = package_of(module)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        for line, imported in imported_modules(tree, module=module, is_package=is_package):
            if imported.split(".")[0] != root.name:
                continue
            target = package_of(imported)
            if target is None or target == importer or target in excluded_packages:
                continue
            where = f"{path.relative_to(root.parent).as_posix()}:{line}"
            if importer is None:
                found.append(f"{where}: the root package imports {target}")
            elif target not in rank:
                found.append(f"{where}: {importer} imports {target}, which has no layer")
            elif importer not in rank:
                found.append(f"{where}: {importer} has no layer (it imports {target})")
            elif rank[target] < rank[importer]:
                found.append(f"{where}: {importer} imports {target}, a layer above it")
            elif rank[target] == rank[importer]:
                found.append(f"{where}: {importer} imports {target}, beside it in its layer")
    return found


def unplaced_packages(
    root: Path, layers: Sequence[Sequence[str]], *, excluded_packages: frozenset[str] = frozenset()
) -> list[str]:
    """The packages under ``root`` that no layer names."""
    placed = {package for layer in layers for package in layer}
    packages = {
        path.relative_to(root).parts[0].removesuffix(".py")
        for path in root.rglob("*.py")
        if path.relative_to(root).as_posix() != "__init__.py"
    }
    return sorted(packages - placed - excluded_packages)


def test_imports_point_down_the_layers() -> None:
    violations = layer_violations(APP, LAYERS)
    assert violations == [], "\n".join(violations)


def test_every_package_has_a_layer() -> None:
    assert unplaced_packages(APP, LAYERS) == []


def test_the_layers_name_each_package_once_and_only_packages_that_exist() -> None:
    named = [package for layer in LAYERS for package in layer]
    assert len(named) == len(set(named))
    missing = [p for p in named if not (APP / p).is_dir() and not (APP / f"{p}.py").is_file()]
    assert missing == []


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "app"
    for name, text in {"__init__.py": "", **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


FAKE_LAYERS = (("top",), ("left", "right"), ("bottom",))


def test_the_check_names_an_upward_import_wherever_it_is(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "top/__init__.py": "from app.left import thing\nimport app.bottom.rows\n",
            "left/__init__.py": "",
            "left/thing.py": "from app.bottom import rows\n",
            "right/__init__.py": "",
            "bottom/__init__.py": "",
            "bottom/rows.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n"
                "    from app.top import Card\n"
                "def later():\n"
                "    import app.left.thing\n"
                "    from ..right import other\n"
                "    from . import sibling\n"
            ),
        },
    )
    assert layer_violations(root, FAKE_LAYERS) == [
        "app/bottom/rows.py:3: bottom imports top, a layer above it",
        "app/bottom/rows.py:5: bottom imports left, a layer above it",
        "app/bottom/rows.py:6: bottom imports right, a layer above it",
    ]


def test_the_check_refuses_an_import_beside_and_one_of_a_package_with_no_layer(
    tmp_path: Path,
) -> None:
    root = _tree(
        tmp_path,
        {
            "left.py": "from app import right\n",
            "right.py": "from app.stray import x\n",
            "stray/__init__.py": "",
        },
    )
    assert layer_violations(root, FAKE_LAYERS) == [
        "app/left.py:1: left imports right, beside it in its layer",
        "app/right.py:1: right imports stray, which has no layer",
    ]
    assert unplaced_packages(root, FAKE_LAYERS) == ["stray"]


def test_the_check_skips_what_is_excluded(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "bottom/__init__.py": "",
            "bottom/seed.py": "from app.top import x\n",
            "top.py": "from app.stand_in import y\n",
            "stand_in/__init__.py": "from app.top import z\n",
        },
    )
    assert (
        layer_violations(
            root,
            FAKE_LAYERS,
            excluded_packages=frozenset({"stand_in"}),
            excluded_modules=frozenset({"bottom/seed.py"}),
        )
        == []
    )
    assert unplaced_packages(root, FAKE_LAYERS, excluded_packages=frozenset({"stand_in"})) == []
