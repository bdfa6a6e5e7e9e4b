""" "That solved it" and "I still need help" under an answer: who may click, and what changes."""

from __future__ import annotations

from typing import Any

from app.messages import transition_text
from standins.local_slack import OUR_TEAM, Customer, LocalSlack
from tests.slack.conftest import Rows
from tests.slack.test_triage_flow import bot_replies, decisions

INITECH = "C0INITECH"


def _answered(slack: LocalSlack) -> tuple[Customer, str, dict[str, Any]]:
    customer = slack.customer_of(INITECH)
    sent = slack.say(
        INITECH, user=customer.user_id, team=customer.team_id, text="How do I export to CSV?"
    )
    [answer] = slack.standin.wait_for(lambda: bot_replies(slack, INITECH, sent.ts))
    assert any(b["type"] == "actions" for b in answer["blocks"])
    return customer, sent.ts, answer


def _click(
    slack: LocalSlack, answer: dict[str, Any], action_id: str, *, user: str, team: str
) -> None:
    assert slack.sender is not None
    [value] = [
        e["value"]
        for b in answer["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == action_id
    ]
    result = slack.sender.block_action(
        user=user,
        user_team=team,
        action_id=action_id,
        value=value,
        channel=INITECH,
        message_ts=answer["ts"],
        message=answer,
    )
    assert result.status == 200


def test_solved_contains_the_conversation_and_removes_the_buttons(
    slack: LocalSlack, rows: Rows
) -> None:
    customer, _root, answer = _answered(slack)
    _click(slack, answer, "answer_solved", user=customer.user_id, team=customer.team_id)
    update = slack.standin.wait_for(lambda: slack.standin.calls_to("chat.update"))[0]
    assert update.ok and "marked this as solved" in update.args["text"]
    assert all(b["type"] != "actions" for b in update.args["blocks"])
    [conversation] = rows.conversations()
    assert conversation.status == "contained" and conversation.contained_at is not None
    # A second click changes nothing and says so, to that person only.
    _click(slack, answer, "answer_solved", user=customer.user_id, team=customer.team_id)
    [notice] = slack.standin.wait_for(lambda: slack.standin.ephemerals_for(customer.user_id))
    assert "Already marked as solved" in notice["text"]


def test_still_need_help_escalates_with_the_repeat_trigger(slack: LocalSlack, rows: Rows) -> None:
    customer, root, answer = _answered(slack)
    _click(slack, answer, "answer_needs_help", user=customer.user_id, team=customer.team_id)
    slack.standin.wait_for(lambda: len(bot_replies(slack, INITECH, root)) == 2)
    handoff = bot_replies(slack, INITECH, root)[1]
    assert handoff["text"] == transition_text(
        "technical", language="en", customer=f"<@{customer.user_id}>"
    )
    _, repeat = slack.standin.wait_for(
        lambda: len(decisions(slack)) == 2 and decisions(slack)[1].reply_ts and decisions(slack)
    )
    assert repeat.escalate and "repeat" in repeat.fired_triggers.split(",")
    assert repeat.reply_ts == handoff["ts"]
    assert rows.conversations()[0].status == "escalated"
    # Clicking again (or "solved" now) does not escalate twice.
    _click(slack, answer, "answer_needs_help", user=customer.user_id, team=customer.team_id)
    slack.standin.wait_for(lambda: slack.standin.ephemerals_for(customer.user_id))
    assert len(decisions(slack)) == 2
    assert len(bot_replies(slack, INITECH, root)) == 2


def test_only_the_customers_organisation_may_answer(slack: LocalSlack, rows: Rows) -> None:
    _customer, _root, answer = _answered(slack)
    slack.standin.add_user("U0OUTSIDER", team_id="T0OTHERCO", name="outsider")
    _click(slack, answer, "answer_solved", user="U0OUTSIDER", team="T0OTHERCO")
    _click(slack, answer, "answer_needs_help", user="U0AGENT1", team=OUR_TEAM)
    slack.standin.wait_for(lambda: slack.standin.ephemerals_for("U0AGENT1"))
    [refusal] = slack.standin.ephemerals_for("U0OUTSIDER")
    assert "Only the customer who asked" in refusal["text"]
    assert rows.conversations()[0].status == "answered"
    assert len(decisions(slack)) == 1
    assert slack.standin.calls_to("chat.update") == []


def test_a_colleague_of_the_customer_may_answer(slack: LocalSlack, rows: Rows) -> None:
    customer, _root, answer = _answered(slack)
    slack.standin.add_user("U0COLLEAGUE", team_id=customer.team_id, name="colleague")
    _click(slack, answer, "answer_solved", user="U0COLLEAGUE", team=customer.team_id)
    slack.standin.wait_for(lambda: rows.conversations()[0].status == "contained")


def test_tampered_button_value_is_refused_visibly(slack: LocalSlack, rows: Rows) -> None:
    customer, _root, answer = _answered(slack)
    assert slack.sender is not None
    slack.sender.block_action(
        user=customer.user_id,
        user_team=customer.team_id,
        action_id="answer_solved",
        value="not-a-number",
        channel=INITECH,
        message_ts=answer["ts"],
        message=answer,
    )
    [notice] = slack.standin.wait_for(lambda: slack.standin.ephemerals_for(customer.user_id))
    assert "no longer valid" in notice["text"]
    slack.sender.block_action(
        user=customer.user_id,
        user_team=customer.team_id,
        action_id="answer_solved",
        value="99999",
        channel=INITECH,
        message_ts=answer["ts"],
        message=answer,
    )
    slack.standin.wait_for(lambda: len(slack.standin.ephemerals_for(customer.user_id)) == 2)
    assert "no longer exists" in slack.standin.ephemerals_for(customer.user_id)[1]["text"]
    assert rows.conversations()[0].status == "answered"


def test_a_handoff_reply_that_failed_to_post_is_posted_by_the_worker(
    slack: LocalSlack, rows: Rows
) -> None:
    from datetime import timedelta

    from app.conversations.intake import BotIdentity
    from app.db.models import utcnow
    from app.slack.client import build_web_client
    from app.worker.escalation_jobs import post_missing_cards, post_missing_handoff_replies

    assert slack.runtime is not None
    customer, root, answer = _answered(slack)
    slack.standin.fail_next("chat.postMessage", status=500, times=3, channel=INITECH)
    _click(slack, answer, "answer_needs_help", user=customer.user_id, team=customer.team_id)
    slack.standin.wait_for(lambda: len(decisions(slack)) == 2)
    slack.standin.wait_for(
        lambda: len([c for c in slack.standin.calls_to("chat.postMessage") if c.status == 500]) == 3
    )
    assert len(bot_replies(slack, INITECH, root)) == 1  # only the answer so far
    client = build_web_client(slack.runtime.settings)
    later = utcnow() + timedelta(minutes=3)
    bot = BotIdentity("T0OURS", "U0BOT")
    assert (
        post_missing_handoff_replies(runtime=slack.runtime, client=client, bot=bot, now=later) == 1
    )
    assert (
        post_missing_handoff_replies(runtime=slack.runtime, client=client, bot=bot, now=later) == 0
    )
    assert len(bot_replies(slack, INITECH, root)) == 2
    post_missing_cards(runtime=slack.runtime, client=client, now=later)
    assert [m for m in slack.standin.messages_in("C0TECH") if m.get("bot_id")]
    assert rows.conversations()[0].status == "escalated"


def test_a_handoff_reply_slack_took_before_its_click_failed_is_recorded_not_posted_again(
    slack: LocalSlack,
) -> None:
    """The click's process posted the hand-off message, then died before recording it: the
    worker finds the message by its key in the thread and records it."""
    from datetime import timedelta

    from app.conversations.flow import reply_key
    from app.conversations.intake import BotIdentity
    from app.db.models import utcnow
    from app.slack.client import build_web_client
    from app.slack.sent_lookup import REPLY_EVENT, keyed_metadata
    from app.worker.escalation_jobs import post_missing_handoff_replies

    assert slack.runtime is not None
    customer, root, answer = _answered(slack)
    slack.standin.fail_next("chat.postMessage", status=500, times=3, channel=INITECH)
    _click(slack, answer, "answer_needs_help", user=customer.user_id, team=customer.team_id)
    slack.standin.wait_for(lambda: len(decisions(slack)) == 2)
    slack.standin.wait_for(
        lambda: len([c for c in slack.standin.calls_to("chat.postMessage") if c.status == 500]) == 3
    )
    handoff = decisions(slack)[1]
    assert handoff.reply_ts is None
    client = build_web_client(slack.runtime.settings)
    # What the dead process's post left in Slack: the message, carrying the decision's key.
    posted = client.chat_postMessage(
        channel=INITECH,
        thread_ts=root,
        text="A person from our team will join",
        metadata=keyed_metadata(REPLY_EVENT, reply_key(handoff.id)),
    )["ts"]
    later = utcnow() + timedelta(minutes=3)
    bot = BotIdentity("T0OURS", "U0BOT")
    assert (
        post_missing_handoff_replies(runtime=slack.runtime, client=client, bot=bot, now=later) == 1
    )
    assert len(bot_replies(slack, INITECH, root)) == 2  # the answer and that message, no other
    assert decisions(slack)[1].reply_ts == posted
