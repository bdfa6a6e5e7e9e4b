"""Each scripted scenario plays to its end through the real app, and leaves what it promises."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, col, select

from app.db.models import Conversation, CsatRating, Escalation, Surge, TriageDecision
from sandbox.actions import SandboxError
from sandbox.server import SandboxServer


def play(server: SandboxServer, scenario: str) -> dict[str, object]:
    assert server.player is not None
    server.player.start(scenario)
    status = server.player.wait(timeout=120)
    assert status["running"] is False and status["error"] is None, status
    assert status["steps"], "a scenario narrates its steps"
    return status


def rows(server: SandboxServer, model: type) -> list:  # type: ignore[type-arg]
    assert server.local.runtime is not None
    with Session(server.local.runtime.engine) as session:
        return list(session.exec(select(model).order_by(col(model.id))))


def test_how_to_is_answered_and_contained(sandbox_server: SandboxServer) -> None:
    play(sandbox_server, "how_to")
    [conversation] = rows(sandbox_server, Conversation)
    assert conversation.contained_at is not None
    assert rows(sandbox_server, Escalation) == []


def test_pleasantries_get_nothing_and_the_question_an_answer(
    sandbox_server: SandboxServer,
) -> None:
    play(sandbox_server, "pleasantries")
    standin = sandbox_server.local.standin
    said = {m["text"]: m["ts"] for m in standin.messages_in("C0INITECH")}
    for pleasantry in ("good morning team :wave:", "thanks so much! :pray:"):
        assert standin.messages_in("C0INITECH", said[pleasantry]) == []
    [answer] = standin.messages_in("C0INITECH", said["How do I export a board to CSV?"])
    assert "answer_solved" in json.dumps(answer["blocks"])


def test_a_follow_up_joins_the_open_conversation_and_shows_on_the_card(
    sandbox_server: SandboxServer,
) -> None:
    play(sandbox_server, "follow_up")
    [conversation] = rows(sandbox_server, Conversation)
    [escalation] = rows(sandbox_server, Escalation)
    assert escalation.conversation_id == conversation.id
    standin = sandbox_server.local.standin
    channel = conversation.channel_id
    said = {m["text"]: m["ts"] for m in standin.messages_in(channel)}
    follow_up = said["The invoice number is INV-2291, dated March 3rd"]
    assert standin.messages_in(channel, follow_up) == []  # no reply to the follow-up
    card = standin.find_message(str(escalation.card_channel), str(escalation.card_ts))
    assert card is not None and "INV-2291" in json.dumps(card["blocks"])


def test_billing_dispute_is_claimed_resolved_and_rated(sandbox_server: SandboxServer) -> None:
    status = play(sandbox_server, "billing_dispute")
    [escalation] = rows(sandbox_server, Escalation)
    assert (escalation.status, escalation.claimed_by) == ("resolved", "U0AGENT1")
    assert [r.rating for r in rows(sandbox_server, CsatRating)] == [5]
    steps = status["steps"]
    assert isinstance(steps, list) and steps[1]["channel"] == "C0BILLING"  # the page follows


def test_angry_enterprise_customer_reaches_a_senior_agent(sandbox_server: SandboxServer) -> None:
    play(sandbox_server, "angry_enterprise")
    [decision] = rows(sandbox_server, TriageDecision)
    assert decision.escalate and decision.sentiment < 0
    [escalation] = rows(sandbox_server, Escalation)
    assert escalation.status == "claimed"
    assert sandbox_server.local.config.agent(str(escalation.claimed_by)).senior  # type: ignore[union-attr]


def test_spanish_cancellation_is_answered_in_spanish(sandbox_server: SandboxServer) -> None:
    play(sandbox_server, "spanish_cancellation")
    [decision] = rows(sandbox_server, TriageDecision)
    assert (decision.intent, decision.language, decision.escalate) == ("cancellation", "es", True)
    [escalation] = rows(sandbox_server, Escalation)
    assert escalation.status == "pending"  # left for the visitor to claim
    [root] = sandbox_server.local.standin.messages_in("C0GLOBEX")
    [transition] = sandbox_server.local.standin.messages_in("C0GLOBEX", root["ts"])
    assert "Gracias" in transition["text"] or "equipo" in transition["text"]


def test_outage_surge_runs_its_playbook_and_reviews_it(sandbox_server: SandboxServer) -> None:
    play(sandbox_server, "outage_surge")
    [surge] = rows(sandbox_server, Surge)
    assert surge.playbook == "outage" and surge.ended_at is not None
    fired = [d.fired_triggers.split(",") for d in rows(sandbox_server, TriageDecision)]
    assert any("playbook" in triggers for triggers in fired)
    leads = json.dumps(sandbox_server.local.standin.messages_in("C0LEADS"))
    assert "review" in leads.lower()


def test_one_scenario_at_a_time_and_only_known_ones(sandbox_server: SandboxServer) -> None:
    assert sandbox_server.player is not None
    with pytest.raises(SandboxError, match="no scenario"):
        sandbox_server.player.start("nothing")
    sandbox_server.player.start("how_to")
    with pytest.raises(SandboxError, match="still playing"):
        sandbox_server.player.start("how_to")
    assert sandbox_server.player.wait(timeout=120)["error"] is None
