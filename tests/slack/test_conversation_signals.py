"""Conversation-level signals in Slack: the third request of a conversation, and a question
that would get the answer that did not help a few days ago, go to a person."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from standins.local_slack import LocalSlack
from tests.conftest import example_config_text
from tests.slack.conftest import Rows
from tests.slack.test_answer_feedback import _click
from tests.slack.test_triage_flow import INITECH, ask, decisions, is_handoff


@pytest.fixture
def ungrouped(database_url: str, tmp_path: Path) -> Iterator[LocalSlack]:
    text = example_config_text()
    assert "  follow_up_window_minutes: 2\n" in text
    config = tmp_path / "escalation.yml"
    config.write_text(text.replace("follow_up_window_minutes: 2", "follow_up_window_minutes: 0"))
    with LocalSlack(database_url=database_url, config_path=config) as local:
        yield local


def test_the_same_answer_again_goes_to_a_person(ungrouped: LocalSlack) -> None:
    rows = Rows(ungrouped)
    _ts, first = ask(ungrouped, INITECH, "How do I export a board to CSV?")
    assert not is_handoff(first)

    _ts, again = ask(ungrouped, INITECH, "how can i export my board as a csv file??")

    assert is_handoff(again)
    assert len(rows.conversations()) == 2
    repeat = decisions(ungrouped)[-1]
    assert repeat.fired_triggers == "repeat"
    reasons = [t["reason"] for t in json.loads(repeat.triggers) if t["fired"]]
    assert reasons == ["the customer was given this answer today and it solved nothing"]


def test_an_answer_marked_solved_may_be_given_again(ungrouped: LocalSlack) -> None:
    rows = Rows(ungrouped)
    _ts, first = ask(ungrouped, INITECH, "How do I export a board to CSV?")
    assert not is_handoff(first)
    customer = ungrouped.customer_of(INITECH)
    _click(ungrouped, first, "answer_solved", user=customer.user_id, team=customer.team_id)
    ungrouped.standin.wait_for(lambda: rows.conversations()[0].status == "contained")

    _ts, again = ask(ungrouped, INITECH, "how can i export my board as a csv file??")

    assert not is_handoff(again)


def test_the_third_request_of_a_conversation_goes_to_a_person(slack: LocalSlack) -> None:
    rows = Rows(slack)
    _ts, first = ask(slack, INITECH, "How do I export a board to CSV?")
    _ts, second = ask(slack, INITECH, "how do i reset my password? the link isnt arriving")
    assert not is_handoff(first) and not is_handoff(second)

    _ts, third = ask(slack, INITECH, "And can I change the owner of a workspace?")

    assert is_handoff(third)
    [conversation] = rows.conversations()
    assert conversation.status == "escalated"
    last = decisions(slack)[-1]
    assert "repeat" in last.fired_triggers.split(",")
    assert any(
        t["reason"] == "request 3 of this conversation (a person from 3)"
        for t in json.loads(last.triggers)
    )
