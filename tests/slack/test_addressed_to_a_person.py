"""Messages written to a person, not to support: no new conversation, no card, no bot reply."""

from __future__ import annotations

from standins.local_slack import OUR_TEAM, LocalSlack
from tests.slack.conftest import Rows
from tests.slack.test_handoff import BILLING, card_in, cards_in, escalate, escalations, press
from tests.slack.test_triage_flow import GLOBEX, INITECH, ask, bot_replies, decisions

AGENT = "U0AGENT1"


def test_a_message_to_a_colleague_of_the_customer_is_left_alone(
    slack: LocalSlack, rows: Rows
) -> None:
    customer = slack.customer_of(INITECH)
    sent = slack.say(
        INITECH,
        user=customer.user_id,
        team=customer.team_id,
        text="<@U0MARIA> can you check the invoice before Friday?",
    )
    assert [e.status for e in rows.events()] == ["done"]
    assert bot_replies(slack, INITECH, sent.ts) == []
    assert rows.conversations() == [] and rows.escalations() == [] and decisions(slack) == []


def test_a_message_to_an_agent_without_a_conversation_opens_none(
    slack: LocalSlack, rows: Rows
) -> None:
    customer = slack.customer_of(INITECH)
    sent = slack.say(
        INITECH,
        user=customer.user_id,
        team=customer.team_id,
        text=f"<@{AGENT}> quick one, are we still on for the call?",
    )
    assert [e.status for e in rows.events()] == ["done"]
    assert bot_replies(slack, INITECH, sent.ts) == []
    assert rows.conversations() == [] and rows.escalations() == []


def test_a_message_to_the_agent_who_claimed_joins_their_conversation(
    slack: LocalSlack, rows: Rows
) -> None:
    customer, root = escalate(slack, GLOBEX, "You charged us twice this month, I want a refund")
    press(slack, card_in(slack, BILLING), "claim_escalation", user=AGENT, channel=BILLING)
    slack.standin.wait_for(lambda: escalations(slack)[0].status == "claimed")
    sent = slack.say(
        GLOBEX,
        user=customer.user_id,
        team=customer.team_id,
        text=f"<@{AGENT}> here is the second receipt, it shows the double charge",
    )
    stored = slack.standin.wait_for(lambda: [m for m in rows.messages() if m.slack_ts == sent.ts])
    [conversation] = rows.conversations()
    assert [m.conversation_id for m in stored] == [conversation.id]
    assert len(escalations(slack)) == 1 and len(decisions(slack)) == 1
    assert bot_replies(slack, GLOBEX, sent.ts) == []
    assert len(cards_in(slack, BILLING)) == 1
    assert root != sent.ts


def test_answering_an_agent_in_an_answered_thread_is_not_asking_the_bot_again(
    slack: LocalSlack, rows: Rows
) -> None:
    customer = slack.customer_of(INITECH)
    root, _ = ask(slack, INITECH, "How do I export a board to CSV?")
    slack.say(INITECH, user=AGENT, team=OUR_TEAM, text="Did that work for you?", thread_ts=root)
    slack.say(
        INITECH,
        user=customer.user_id,
        team=customer.team_id,
        text="almost, the export has no comments column, is that expected",
        thread_ts=root,
    )
    slack.standin.wait_for(lambda: len(rows.messages()) == 4)
    assert len(bot_replies(slack, INITECH, root)) == 1
    assert len(decisions(slack)) == 1 and rows.escalations() == []
    assert rows.conversations()[0].status == "answered"
