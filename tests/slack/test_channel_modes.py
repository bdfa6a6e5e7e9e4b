"""Per-channel mode: ``answer`` (default), ``triage`` (cards only, no bot reply), ``off``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from standins.local_slack import LocalSlack
from tests.conftest import example_config_text
from tests.slack.conftest import Rows
from tests.slack.test_handoff import TECH, card_in
from tests.slack.test_triage_flow import GLOBEX, INITECH, bot_replies, decisions


@pytest.fixture
def modes(database_url: str, tmp_path: Path) -> Iterator[LocalSlack]:
    text = example_config_text()
    text = text.replace("    channel: C0INITECH\n", "    channel: C0INITECH\n    mode: triage\n", 1)
    text = text.replace("    channel: C0GLOBEX\n", "    channel: C0GLOBEX\n    mode: off\n", 1)
    config = tmp_path / "escalation.yml"
    config.write_text(text)
    with LocalSlack(database_url=database_url, config_path=config) as local:
        yield local


def test_triage_mode_hands_an_answerable_question_to_a_person_without_replying(
    modes: LocalSlack,
) -> None:
    rows = Rows(modes)
    customer = modes.customer_of(INITECH)
    sent = modes.say(
        INITECH,
        user=customer.user_id,
        team=customer.team_id,
        text="How do I export a board to CSV?",
    )
    card = card_in(modes, TECH)
    assert "Initech" in json.dumps(card["blocks"])
    [decision] = decisions(modes)
    assert decision.escalate and decision.fired_triggers == "mode"
    triggers = {t["type"]: t for t in json.loads(decision.triggers)}
    assert triggers["confidence"]["fired"] is False  # the knowledge base could have answered
    assert bot_replies(modes, INITECH, sent.ts) == []
    [conversation] = rows.conversations()
    assert conversation.status == "escalated"


def test_triage_mode_still_ignores_chatter(modes: LocalSlack) -> None:
    customer = modes.customer_of(INITECH)
    modes.say(INITECH, user=customer.user_id, team=customer.team_id, text="thanks!")
    assert [e.status for e in Rows(modes).events()] == ["done"]
    assert Rows(modes).conversations() == [] and decisions(modes) == []


def test_off_mode_does_nothing(modes: LocalSlack) -> None:
    customer = modes.customer_of(GLOBEX)
    sent = modes.say(
        GLOBEX, user=customer.user_id, team=customer.team_id, text="I want a refund, now"
    )
    rows = Rows(modes)
    assert [e.status for e in rows.events()] == ["done"]
    assert bot_replies(modes, GLOBEX, sent.ts) == []
    assert rows.conversations() == [] and rows.escalations() == [] and decisions(modes) == []
