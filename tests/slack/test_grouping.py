"""Grouping: a customer's follow-up top-level messages within the window join their open
conversation instead of opening another; the card shows them and nothing is lost."""

from __future__ import annotations

import json

from standins.local_slack import LocalSlack
from tests.slack.conftest import Rows
from tests.slack.test_handoff import BILLING, card_in, cards_in, escalate, escalations
from tests.slack.test_triage_flow import ask, bot_replies, decisions, is_handoff

ACME, INITECH = "C0ACME", "C0INITECH"


def card_text(card: dict[str, object]) -> str:
    return json.dumps(card["blocks"], ensure_ascii=False)


def test_a_follow_up_joins_the_escalated_conversation_and_shows_on_its_card(
    slack: LocalSlack, rows: Rows
) -> None:
    customer, first_ts = escalate(slack, INITECH, "I want a refund for last month's invoice")
    card = card_in(slack, BILLING)
    assert "Follow-ups from the customer" not in card_text(card)

    follow_up = slack.say(
        INITECH,
        user=customer.user_id,
        team=customer.team_id,
        text="It was charged twice on the 3rd, <b>invoice</b> #4411",
    )

    [conversation] = rows.conversations()
    assert conversation.thread_ts == first_ts and conversation.status == "escalated"
    stored = [(m.slack_ts, m.author, m.joined) for m in rows.messages() if m.author == "customer"]
    assert stored == [(first_ts, "customer", False), (follow_up.ts, "customer", True)]
    assert len(escalations(slack)) == 1 and len(decisions(slack)) == 1
    assert bot_replies(slack, INITECH, follow_up.ts) == []  # the agent answers, not the bot
    assert len(cards_in(slack, BILLING)) == 1  # no second card
    updated = slack.standin.wait_for(
        lambda: next(
            (c for c in cards_in(slack, BILLING) if "Follow-ups from the customer" in card_text(c)),
            None,
        )
    )
    text = card_text(updated)
    assert "Follow-ups from the customer (1)" in text
    assert "charged twice on the 3rd, &lt;b&gt;invoice&lt;/b&gt; #4411" in text  # escaped


def test_a_follow_up_after_an_answer_is_triaged_and_answered_in_its_own_thread(
    slack: LocalSlack, rows: Rows
) -> None:
    first_ts, answer = ask(slack, INITECH, "how do i reset my password? the link isnt arriving")
    assert not is_handoff(answer)

    second_ts, reply = ask(slack, INITECH, "and how do I export a board to CSV?")

    assert not is_handoff(reply)  # more of the request: answered, not "asked again"
    [conversation] = rows.conversations()
    assert conversation.thread_ts == first_ts and conversation.status == "answered"
    joined = [m for m in rows.messages() if m.joined]
    assert [m.slack_ts for m in joined] == [second_ts]
    assert [d.escalate for d in decisions(slack)] == [False, False]
    assert escalations(slack) == []


def test_a_follow_up_saying_the_answer_did_not_help_goes_to_a_person(
    slack: LocalSlack, rows: Rows
) -> None:
    _first_ts, answer = ask(slack, INITECH, "how do i reset my password? the link isnt arriving")
    assert not is_handoff(answer)

    _second_ts, reply = ask(slack, INITECH, "that didn't work, it's still not arriving")

    assert is_handoff(reply)
    [conversation] = rows.conversations()
    assert conversation.status == "escalated"
    [escalation] = escalations(slack)
    assert escalation.conversation_id == conversation.id
    posted = slack.standin.wait_for(lambda: escalations(slack)[0].card_channel)
    card = card_in(slack, posted)
    assert "still not arriving" in card_text(card)
    repeat = next(d for d in decisions(slack) if d.escalate)
    assert "repeat" in repeat.fired_triggers.split(",")
    assert "Follow-up: that didn't work" in (repeat.summary or "")


def test_a_reply_in_a_joined_messages_thread_stays_in_the_conversation(
    slack: LocalSlack, rows: Rows
) -> None:
    customer, _first_ts = escalate(slack, INITECH, "I want a refund for last month's invoice")
    follow_up = slack.say(
        INITECH, user=customer.user_id, team=customer.team_id, text="Invoice #4411, by the way"
    )
    slack.say(
        INITECH,
        user=customer.user_id,
        team=customer.team_id,
        text="the amount was 120 EUR",
        thread_ts=follow_up.ts,
    )

    [conversation] = rows.conversations()
    texts = [m.text for m in rows.messages() if m.conversation_id == conversation.id]
    assert "the amount was 120 EUR" in texts
    assert len(escalations(slack)) == 1


def test_the_same_message_delivered_twice_joins_once(slack: LocalSlack, rows: Rows) -> None:
    assert slack.sender is not None
    customer, _first_ts = escalate(slack, INITECH, "I want a refund for last month's invoice")
    text = "It was charged twice"
    ts = slack.standin.add_message(INITECH, user=customer.user_id, text=text, team=customer.team_id)
    for _ in range(2):  # two deliveries of one message (not a retry of one event)
        sent = slack.sender.message(
            INITECH, customer.user_id, text, user_team=customer.team_id, ts=ts
        )
        assert slack.wait_processed(sent.event_id) == "done"

    assert len(rows.conversations()) == 1
    assert [m.slack_ts for m in rows.messages() if m.joined] == [ts]
    assert len(escalations(slack)) == 1


def test_another_customer_of_the_account_opens_their_own_conversation(
    slack: LocalSlack, rows: Rows
) -> None:
    escalate(slack, INITECH, "I want a refund for last month's invoice")
    colleague = slack.customer_of(INITECH, name="Sam")
    slack.say(
        INITECH,
        user=colleague.user_id,
        team=colleague.team_id,
        text="Separately: we were charged twice for March, please refund",
    )

    assert len(rows.conversations()) == 2
    assert not any(m.joined for m in rows.messages())
    assert len(escalations(slack)) == 2
