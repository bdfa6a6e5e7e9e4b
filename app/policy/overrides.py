"""``--set policy.sentiment.threshold=-0.5``: dotted overrides of the policy, re-validated."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml
from pydantic import ValidationError

from app.config_file import PolicyConfig


class OverrideError(ValueError):
    """An override that does not name a policy key or gives it an invalid value."""


def apply_overrides(policy: PolicyConfig, assignments: Iterable[str]) -> PolicyConfig:
    data: dict[str, Any] = policy.model_dump()
    for assignment in assignments:
        key, sep, raw = assignment.partition("=")
        if not sep:
            raise OverrideError(f"{assignment!r}: expected KEY=VALUE")
        path = key.strip().split(".")
        if path[0] == "policy":
            path = path[1:]
        if not path or not all(path):
            raise OverrideError(f"{key!r}: name a policy key, e.g. policy.sentiment.threshold")
        try:
            value = yaml.safe_load(raw)
        except yaml.YAMLError:
            raise OverrideError(f"{key}: cannot read value {raw!r}") from None
        node = data
        for part in path[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                raise OverrideError(f"{key}: no such policy key")
            node = child
        if path[-1] not in node and path[0] != "account":
            raise OverrideError(f"{key}: no such policy key")
        node[path[-1]] = value
    try:
        return PolicyConfig.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        raise OverrideError(f"policy.{where}: {error['msg']}") from None
