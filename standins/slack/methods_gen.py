"""Derive Slack Web API method names and required arguments from the spec and from slack_sdk.

Regenerate the method list with ``python -m standins.slack.methods_gen``.
"""

from __future__ import annotations

import argparse
import ast
import inspect
import json
import sys
from pathlib import Path
from typing import Any

from slack_sdk.web import client as sdk_client

REPO_ROOT = Path(__file__).resolve().parents[2]
METHODS_FILE = Path(__file__).with_name("methods.txt")
SPEC_RELATIVE_PATH = Path("slack") / "web_api_openapi_v2.json"


def shared_dir(repo_root: Path = REPO_ROOT) -> Path:
    """The project's shared reference folder, beside the checkout."""
    return repo_root.parent / "shared"


def default_spec_path(repo_root: Path = REPO_ROOT) -> Path:
    """Where Slack's OpenAPI (Swagger 2.0) spec lives."""
    return shared_dir(repo_root) / SPEC_RELATIVE_PATH


def load_spec(spec_path: Path) -> dict[str, Any]:
    """The parsed spec document."""
    spec: dict[str, Any] = json.loads(spec_path.read_text(encoding="utf-8"))
    return spec


def spec_method_names(spec: dict[str, Any]) -> set[str]:
    """Method names from the spec's paths (``/chat.postMessage`` -> ``chat.postMessage``)."""
    return {path.lstrip("/") for path in spec["paths"]}


def spec_required_args(spec: dict[str, Any]) -> dict[str, set[str]]:
    """Per method, the parameters the spec marks required (the token excluded)."""
    required: dict[str, set[str]] = {}
    for path, operations in spec["paths"].items():
        names = required.setdefault(path.lstrip("/"), set())
        for operation in operations.values():
            for param in operation.get("parameters", []):
                if param.get("required") and param["name"] != "token":
                    names.add(param["name"])
    return required


def spec_method_errors(spec: dict[str, Any]) -> dict[str, set[str]]:
    """Per method, the error codes the spec lists (empty when it lists none)."""
    errors: dict[str, set[str]] = {}
    for path, operations in spec["paths"].items():
        codes = errors.setdefault(path.lstrip("/"), set())
        for operation in operations.values():
            schema = operation.get("responses", {}).get("default", {}).get("schema", {})
            codes.update(schema.get("properties", {}).get("error", {}).get("enum", []))
    return errors


def _sdk_api_calls() -> dict[str, list[str]]:
    """Map each method name the WebClient calls to the WebClient functions that call it."""
    tree = ast.parse(inspect.getsource(sdk_client))
    web_client = next(
        node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "WebClient"
    )
    calls: dict[str, list[str]] = {}
    for function in web_client.body:
        if not isinstance(function, ast.FunctionDef):
            continue
        for node in ast.walk(function):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "api_call"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                calls.setdefault(node.args[0].value, []).append(function.name)
    return calls


def sdk_method_names() -> set[str]:
    """Every method name that the installed ``slack_sdk.WebClient`` calls."""
    return set(_sdk_api_calls())


def sdk_required_args() -> dict[str, set[str]]:
    """Per method, the WebClient parameters without a default."""
    required: dict[str, set[str]] = {}
    for method, functions in _sdk_api_calls().items():
        names = required.setdefault(method, set())
        for function_name in functions:
            signature = inspect.signature(getattr(sdk_client.WebClient, function_name))
            names.update(
                name
                for name, param in signature.parameters.items()
                if name != "self"
                and param.default is inspect.Parameter.empty
                and param.kind not in (param.VAR_POSITIONAL, param.VAR_KEYWORD)
            )
    return required


def render_method_names(spec: dict[str, Any]) -> str:
    """The content of ``methods.txt``: the union of spec and sdk names, sorted."""
    names = spec_method_names(spec) | sdk_method_names()
    return "".join(f"{name}\n" for name in sorted(names))


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check`` compare) the method list file."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spec", type=Path, default=default_spec_path())
    parser.add_argument("--output", type=Path, default=METHODS_FILE)
    parser.add_argument("--check", action="store_true", help="fail if the file is out of date")
    args = parser.parse_args(argv)
    if not args.spec.is_file():
        print(f"spec not found: {args.spec}", file=sys.stderr)
        return 2
    content = render_method_names(load_spec(args.spec))
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.is_file() else ""
        if current != content:
            print(
                f"{args.output} is out of date; run python -m standins.slack.methods_gen",
                file=sys.stderr,
            )
            return 1
        return 0
    args.output.write_text(content, encoding="utf-8")
    print(f"wrote {content.count(chr(10))} method names to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
