"""manifest.yml is a valid Slack app manifest and matches what the app listens to."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft7Validator
from referencing import Registry, Resource

from app.slack.oauth.install_flow import REDIRECT_PATH
from tests.conftest import REPO_ROOT, shared_path


def _validator() -> Draft7Validator:
    folder = shared_path("slack", "manifest-schema")
    root = json.loads((folder / "manifest.schema.json").read_text())
    resources = []
    for path in sorted((folder / "schemas").glob("*.json")):
        schema = json.loads(path.read_text())
        resource = Resource.from_contents(schema, default_specification=_draft7())
        if "$id" in schema:
            resources.append((schema["$id"], resource))
        resources.append((path.name, resource))
    registry: Registry[Any] = Registry().with_resources(resources)
    for ref in _remote_refs(root):
        name = ref.rsplit("/", 1)[-1].split("#", 1)[0]
        local = folder / "schemas" / name
        if local.exists():
            registry = registry.with_resource(
                ref.split("#", 1)[0],
                Resource.from_contents(json.loads(local.read_text()), _draft7()),
            )
    return Draft7Validator(root, registry=registry)


def _draft7() -> Any:
    from referencing.jsonschema import DRAFT7

    return DRAFT7


def _remote_refs(node: Any) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("http"):
                found.append(value)
            else:
                found.extend(_remote_refs(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(_remote_refs(item))
    return found


def _errors(validator: Draft7Validator, manifest: Any) -> list[str]:
    return [error.message for error in validator.iter_errors(manifest)]


def test_validator_knows_good_from_bad() -> None:
    folder = shared_path("slack", "manifest-schema")
    validator = _validator()
    good = json.loads((folder / "example.v1.manifest.valid.json").read_text())
    bad = json.loads((folder / "example.v1.manifest.invalid.json").read_text())
    assert _errors(validator, good) == []
    assert _errors(validator, bad) != []


def test_manifest_is_valid() -> None:
    manifest = yaml.safe_load((REPO_ROOT / "manifest.yml").read_text())
    assert _errors(_validator(), manifest) == []


def test_manifest_matches_the_listeners() -> None:
    manifest = yaml.safe_load(Path(REPO_ROOT / "manifest.yml").read_text())
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert {"message.channels", "message.groups", "app_home_opened"} <= events
    commands = {c["command"] for c in manifest["features"]["slash_commands"]}
    assert {"/escalation-stats", "/escalation-surge"} <= commands
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"chat:write", "commands", "channels:history", "groups:history"} <= scopes
    assert "files:write" in scopes  # the leads' dashboard uploads its trend chart


def test_manifest_names_the_oauth_redirect_and_token_rotation() -> None:
    manifest = yaml.safe_load((REPO_ROOT / "manifest.yml").read_text())
    host = manifest["settings"]["event_subscriptions"]["request_url"].removesuffix("/slack/events")
    assert manifest["oauth_config"]["redirect_urls"] == [host + REDIRECT_PATH]
    assert manifest["settings"]["token_rotation_enabled"] is False  # a single bot token's default
