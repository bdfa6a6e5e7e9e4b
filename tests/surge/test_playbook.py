from __future__ import annotations

import pytest

from app.config_file import PolicyConfig, parse_config
from app.errors import StartupError
from app.surge.playbook import playbook_effect, playbook_reply, surge_policy
from tests.test_config_file import VALID

OUTAGE = parse_config(VALID).surge.playbooks["outage"]


@pytest.mark.parametrize(
    ("intent", "tier", "fired", "replies"),
    [
        ("outage", "pro", ["confidence"], True),  # the outage itself: the playbook answers
        ("bug_report", "free", [], True),
        ("outage", "enterprise", ["confidence"], False),  # enterprise still gets a person
        ("how_to", "pro", [], False),  # a different problem: the usual matrix
        ("outage", "pro", ["intent"], False),  # should never happen, but intent wins
    ],
)
def test_outage_playbook_effects(intent: str, tier: str, fired: list[str], replies: bool) -> None:
    effect = playbook_effect(playbook=OUTAGE, intent=intent, tier=tier, fired=fired)
    assert effect.reply_with_playbook is replies
    assert effect.reason
    assert effect.to_a_person is (tier == "enterprise")


def test_enterprise_reports_of_the_surge_go_to_a_person_even_when_nothing_else_fired() -> None:
    effect = playbook_effect(playbook=OUTAGE, intent="outage", tier="enterprise", fired=[])
    assert effect.to_a_person and not effect.reply_with_playbook


def test_reply_fills_the_status_page() -> None:
    text = playbook_reply(OUTAGE, status_url="https://status.example.com", note="ETA 30 min.")
    assert "https://status.example.com" in text and "ETA 30 min." in text
    assert "{" not in playbook_reply(OUTAGE, status_url=None, note=None)


def test_temporary_thresholds() -> None:
    release = parse_config(VALID).surge.playbooks["release"]
    policy = surge_policy(PolicyConfig(), release)
    assert policy.confidence.threshold == 0.3
    assert policy.sentiment.threshold == PolicyConfig().sentiment.threshold
    assert surge_policy(PolicyConfig(), OUTAGE) == PolicyConfig()


def test_playbooks_are_validated() -> None:
    bad = VALID + "surge:\n  playbooks:\n    outage: {covers_intents: [meltdown]}\n"
    with pytest.raises(
        StartupError, match=r"surge\.playbooks\.outage\.covers_intents\[0\]: unknown intent"
    ):
        parse_config(bad)
