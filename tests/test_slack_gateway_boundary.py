"""The Slack gateway is the one way out to the Web API: outside ``app/slack/gateway.py`` no module
of ``app/`` calls a Web API method of a client or catches ``SlackApiError``, and only the Slack
wiring, the web entry point and the installation tables import ``slack_sdk`` or ``slack_bolt``.

Read with ``ast``: every call and every ``except`` counts, wherever it is in a module.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import REPO_ROOT
from tests.test_import_layers import imported_modules, module_name

APP = REPO_ROOT / "app"

GATEWAY = "slack/gateway.py"
#: Where ``slack_sdk`` and ``slack_bolt`` may be imported (folders end with ``/``).
SLACK_LIBRARIES_ALLOWED = ("slack/", "web/", "db/installation_tables.py")
SLACK_LIBRARIES = frozenset({"slack_sdk", "slack_bolt"})

#: Attribute calls named like Web API methods (``chat_postMessage``, ``users_info`` ...).
WEB_API_METHOD = re.compile(
    r"^(chat|views|reactions|conversations|users|files|auth|oauth|team|apps|bots)_[a-zA-Z]"
)


def _modules(root: Path) -> Iterator[tuple[str, ast.AST, Path]]:
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        yield relative, ast.parse(path.read_text(encoding="utf-8"), filename=str(path)), path


def _names_slack_api_error(node: ast.expr | None) -> bool:
    if isinstance(node, ast.Tuple):
        return any(_names_slack_api_error(item) for item in node.elts)
    if isinstance(node, ast.Name):
        return node.id == "SlackApiError"
    if isinstance(node, ast.Attribute):
        return node.attr == "SlackApiError"
    return False


def gateway_bypasses(root: Path) -> list[str]:
    """``file:line: what`` for every Web API call and ``SlackApiError`` handler outside the
    gateway."""
    found: list[str] = []
    for relative, tree, _path in _modules(root):
        if relative == GATEWAY:
            continue
        where = f"{root.name}/{relative}"
        for node in ast.walk(tree):
            if isinstance(node, ast.ExceptHandler) and _names_slack_api_error(node.type):
                found.append(f"{where}:{node.lineno}: catches SlackApiError")
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and WEB_API_METHOD.match(node.func.attr)
            ):
                found.append(f"{where}:{node.lineno}: calls {node.func.attr}")
    return found


def slack_library_imports(root: Path) -> list[str]:
    """``file:line: imports x`` for every import of a Slack library where none belongs."""
    found: list[str] = []
    for relative, tree, path in _modules(root):
        if relative.startswith(SLACK_LIBRARIES_ALLOWED):
            continue
        module = module_name(path, root=root)
        is_package = path.name == "__init__.py"
        for line, imported in imported_modules(tree, module=module, is_package=is_package):
            if imported.split(".")[0] in SLACK_LIBRARIES:
                found.append(f"{root.name}/{relative}:{line}: imports {imported}")
    return found


def test_only_the_gateway_calls_the_web_api_or_catches_its_errors() -> None:
    assert gateway_bypasses(APP) == []


def test_only_the_slack_wiring_imports_the_slack_libraries() -> None:
    assert slack_library_imports(APP) == []


def test_the_checks_find_what_they_forbid(tmp_path: Path) -> None:
    root = tmp_path / "app"
    (root / "slack").mkdir(parents=True)
    (root / "worker").mkdir()
    (root / "slack" / "gateway.py").write_text(
        "from slack_sdk.errors import SlackApiError\n"
        "def post(client):\n"
        "    try:\n"
        "        client.chat_postMessage(channel='C', text='t')\n"
        "    except SlackApiError:\n"
        "        pass\n"
    )
    (root / "slack" / "adapter.py").write_text(
        "from slack_sdk import errors\n"
        "def react(client):\n"
        "    try:\n"
        "        client.reactions_add(channel='C', timestamp='1', name='eyes')\n"
        "    except (ValueError, errors.SlackApiError):\n"
        "        pass\n"
        "    return client.team_id\n"
    )
    (root / "worker" / "job.py").write_text(
        "import slack_bolt\nfrom slack_sdk.models.blocks import Block\n"
        "def job(client):\n    client.users_info(user='U')\n"
    )
    assert sorted(gateway_bypasses(root)) == [
        "app/slack/adapter.py:4: calls reactions_add",
        "app/slack/adapter.py:5: catches SlackApiError",
        "app/worker/job.py:4: calls users_info",
    ]
    assert slack_library_imports(root) == [
        "app/worker/job.py:1: imports slack_bolt",
        "app/worker/job.py:2: imports slack_sdk.models.blocks",
    ]
