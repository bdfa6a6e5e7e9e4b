"""What a running playbook does to one message's decision. Plain data in and out.

While an outage playbook runs, a customer reporting the outage gets the pre-written reply
(acknowledge, status page, a promise of updates) instead of joining the queue, unless their tier
still escalates (enterprise by default) or the message fires a trigger that always needs a
person (an always-escalate intent). Customers reporting a different problem go through the usual
matrix, with the playbook's temporary thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.config_file import PlaybookConfig, PolicyConfig


@dataclass(frozen=True)
class PlaybookEffect:
    reply_with_playbook: bool  # answer with the playbook's reply instead of the decision
    reason: str
    to_a_person: bool = False  # the account's tier gets a person for the surge's reports


def surge_policy(policy: PolicyConfig, playbook: PlaybookConfig) -> PolicyConfig:
    """The policy with the playbook's temporary thresholds."""
    update: dict[str, object] = {}
    if playbook.sentiment_threshold is not None:
        update["sentiment"] = policy.sentiment.model_copy(
            update={"threshold": playbook.sentiment_threshold}
        )
    if playbook.confidence_threshold is not None:
        update["confidence"] = policy.confidence.model_copy(
            update={"threshold": playbook.confidence_threshold}
        )
    return policy.model_copy(update=update) if update else policy


def playbook_effect(
    *,
    playbook: PlaybookConfig,
    intent: str,
    tier: str,
    fired: list[str],
) -> PlaybookEffect:
    if playbook.reply is None or intent not in playbook.covers_intents:
        return PlaybookEffect(False, "not about the surge")
    if tier in playbook.escalate_tiers:
        return PlaybookEffect(False, f"{tier} accounts still get a person", to_a_person=True)
    if "intent" in fired:
        return PlaybookEffect(False, "an always-escalate intent")
    return PlaybookEffect(True, f"{intent} during the surge: the playbook's reply")


def playbook_reply(playbook: PlaybookConfig, *, status_url: str | None, note: str | None) -> str:
    return fill_playbook_text(playbook.reply or "", status_url=status_url, note=note)


def fill_playbook_text(template: str, *, status_url: str | None, note: str | None) -> str:
    """A playbook's reply or notice with the surge's status page and note (plain text)."""
    text = template.replace("{status_url}", status_url or "our status page")
    return " ".join(text.replace("{note}", note or "").split())
