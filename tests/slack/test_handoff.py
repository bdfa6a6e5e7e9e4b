"""Routing and the handoff: the right channel and agents, the card, claim once, resolve,
reassign, follow up later, overflow after the claim window, and the customer's side."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from app.db.models import Escalation, as_utc
from app.escalations.overflow import sweep_overflow
from app.messages import render, transition_text
from app.slack.agent_desk import SlackAgentDesk
from app.slack.client import build_web_client
from standins.local_slack import OUR_TEAM, Customer, LocalSlack
from standins.slack.signed_requests import SlackRequestSender
from tests.slack.test_triage_flow import bot_replies

ACME, GLOBEX, INITECH = "C0ACME", "C0GLOBEX", "C0INITECH"
BILLING, TECH, TRUST, AM = "C0BILLING", "C0TECH", "C0TRUST", "C0AM"
OVERFLOW, LEADS = "C0OVERFLOW", "C0LEADS"


def escalations(slack: LocalSlack) -> list[Escalation]:
    assert slack.runtime is not None
    with Session(slack.runtime.engine) as session:
        return list(session.exec(select(Escalation).order_by(Escalation.id)))  # type: ignore[arg-type]


def cards_in(slack: LocalSlack, channel: str) -> list[dict[str, Any]]:
    return [m for m in slack.standin.messages_in(channel) if m.get("bot_id")]


def escalate(
    slack: LocalSlack, channel: str, text: str, name: str = "Jordan"
) -> tuple[Customer, str]:
    customer = slack.customer_of(channel, name=name)
    sent = slack.say(channel, user=customer.user_id, team=customer.team_id, text=text)
    slack.standin.wait_for(lambda: bot_replies(slack, channel, sent.ts))
    return customer, sent.ts


def press(
    slack: LocalSlack,
    card: dict[str, Any],
    action_id: str,
    *,
    user: str,
    channel: str,
    team: str = OUR_TEAM,
    selected: str | None = None,
    sender: SlackRequestSender | None = None,
) -> int:
    """Click a button (or choose ``selected`` in a select) on a message, as Slack sends it (to
    ``sender``'s app, by default the local one)."""
    sender = sender or slack.sender
    assert sender is not None
    for block in card["blocks"]:
        elements = [
            *(block.get("elements") or []),
            *([block["accessory"]] if block.get("accessory") else []),
        ]
        for element in elements:
            if element.get("action_id") != action_id:
                continue
            result = sender.block_action(
                user=user,
                user_team=team,
                action_id=action_id,
                value=element.get("value"),
                block_id=block.get("block_id"),
                channel=channel,
                message_ts=card["ts"],
                message=card,
                action_type="static_select" if selected else "button",
                selected_option=(
                    {"value": selected, "text": {"type": "plain_text", "text": selected}}
                    if selected
                    else None
                ),
            )
            return result.status
    raise AssertionError(f"no {action_id} on the message")


def card_in(slack: LocalSlack, channel: str) -> dict[str, Any]:
    """The one card in the channel, once the app has recorded it (recorded after posting)."""
    [card] = slack.standin.wait_for(lambda: cards_in(slack, channel))
    slack.standin.wait_for(lambda: any(e.card_ts == card["ts"] for e in escalations(slack)))
    return card


def claim_and_resolve(
    slack: LocalSlack, card: dict[str, Any], *, channel: str, agent: str, tag: str, note: str = ""
) -> None:
    """An agent claims the card, opens the resolution form and submits it."""
    assert slack.sender is not None
    press(slack, card, "claim_escalation", user=agent, channel=channel)
    claimed = slack.standin.wait_for(
        lambda: (
            "resolve_escalation" in json.dumps(latest(slack, channel, card["ts"])["blocks"])
            and latest(slack, channel, card["ts"])
        )
    )
    press(slack, claimed, "resolve_escalation", user=agent, channel=channel)
    modal = slack.standin.wait_for(
        lambda: next(
            (
                v
                for v in slack.standin.opened_views()
                if v["callback_id"] == "resolve_escalation_modal"
            ),
            None,
        )
    )
    values: dict[str, Any] = {
        "tag": {"tag": {"type": "radio_buttons", "selected_option": {"value": tag}}}
    }
    if note:
        values["note"] = {"note": {"type": "plain_text_input", "value": note}}
    result = slack.sender.view_submission(
        user=agent,
        user_team=OUR_TEAM,
        callback_id="resolve_escalation_modal",
        private_metadata=modal["private_metadata"],
        values=values,
    )
    assert result.status == 200


def latest(
    slack: LocalSlack, channel: str, ts: str, thread_ts: str | None = None
) -> dict[str, Any]:
    """The message as it is now (after updates)."""
    return next(m for m in slack.standin.messages_in(channel, thread_ts) if m["ts"] == ts)


def test_routed_by_skill_and_language_to_the_agents_who_match(slack: LocalSlack) -> None:
    escalate(slack, GLOBEX, "Nos cobraron dos veces la factura, quiero un reembolso", "Maria")
    card = card_in(slack, BILLING)
    assert "<@U0AGENT1>" in json.dumps(card["blocks"])
    [escalation] = escalations(slack)
    assert (escalation.skill, escalation.language, escalation.tier) == ("billing", "es", "pro")
    assert escalation.routed_channel == BILLING and not escalation.overflow
    assert escalation.mentions == "U0AGENT1"
    assert json.loads(escalation.routing_reasons)  # the decision's reasons are stored
    assert escalation.card_channel == BILLING and escalation.card_ts == card["ts"]


def test_enterprise_goes_to_senior_agents_first(slack: LocalSlack) -> None:
    escalate(slack, ACME, "I think someone accessed our workspace without permission")
    card = card_in(slack, TRUST)
    assert "<@U0AGENT2>" in json.dumps(card["blocks"])
    [escalation] = escalations(slack)
    assert any("senior" in reason for reason in json.loads(escalation.routing_reasons))


def test_nobody_on_shift_sends_the_card_to_overflow(slack: LocalSlack) -> None:
    assert slack.sender is not None
    slack.sender.block_action(user="U0AGENT3", user_team=OUR_TEAM, action_id="shift_off")
    home = slack.standin.wait_for(lambda: slack.standin.published_home("U0AGENT3"))
    assert "shift_on" in json.dumps(home["blocks"])  # the switch now offers to come back
    escalate(slack, INITECH, "Please cancel our subscription at the end of the month")
    card = card_in(slack, OVERFLOW)
    assert cards_in(slack, AM) == []
    [escalation] = escalations(slack)
    assert escalation.overflow and escalation.routed_channel == OVERFLOW
    assert "no account management agent on shift" in escalation.routing_reasons
    assert "no account management agent on shift" in json.dumps(card["blocks"])


def test_the_card_carries_what_the_agent_needs(slack: LocalSlack) -> None:
    escalate(
        slack,
        ACME,
        "Someone accessed our workspace without permission, see <https://app.northwind.example/audit?id=7>",
    )
    card = card_in(slack, TRUST)
    blocks = json.dumps(card["blocks"])
    assert "Acme Corp" in blocks and "enterprise" in blocks
    assert "security" in blocks
    assert "intent" in blocks and "always goes to a human" in blocks  # trigger with its reason
    assert "https://crm.example.com/accounts/0017000000abc" in blocks
    assert "$120,000" in blocks
    assert "https://app.northwind.example/audit?id=7" in blocks
    assert "https://oursupport.slack.com/archives/C0ACME/p" in blocks  # the customer's thread
    actions = [
        e["action_id"] for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert "claim_escalation" in actions and "reassign_escalation" in actions
    assert "resolve_escalation" not in actions


def test_customer_hears_the_transition_with_a_wait_and_can_follow_up_later(
    slack: LocalSlack,
) -> None:
    customer, root = escalate(slack, GLOBEX, "Quiero un reembolso del cargo duplicado", "Maria")
    [transition] = bot_replies(slack, GLOBEX, root)
    assert transition["text"] == transition_text(
        "billing", language="es", customer=f"<@{customer.user_id}>"
    )
    unknown = render("wait.unknown", language="es")
    assert unknown in json.dumps(transition["blocks"], ensure_ascii=False)  # no claim history
    before = as_utc(escalations(slack)[0].claim_deadline)
    status = press(
        slack,
        transition,
        "follow_up_later",
        user=customer.user_id,
        team=customer.team_id,
        channel=GLOBEX,
    )
    assert status == 200
    slack.standin.wait_for(lambda: escalations(slack)[0].follow_up_later)
    escalation = escalations(slack)[0]
    window = as_utc(escalation.created_at) + timedelta(minutes=120)
    assert as_utc(escalation.claim_deadline) == window > before

    def chosen() -> dict[str, Any] | None:
        message = latest(slack, GLOBEX, transition["ts"], root)
        return None if "follow_up_later" in json.dumps(message["blocks"]) else message

    updated = slack.standin.wait_for(chosen)
    assert render("follow_up.chosen", language="es", window="2 horas") in json.dumps(
        updated["blocks"], ensure_ascii=False
    )


@pytest.mark.parametrize("tag", ["ai_knowledge_gap", "edge_case", "policy_exception", "other"])
def test_claim_then_resolve_with_a_tag(slack: LocalSlack, tag: str) -> None:
    assert slack.sender is not None
    _customer, root = escalate(slack, GLOBEX, "Quiero un reembolso de la factura")
    card = card_in(slack, BILLING)
    assert press(slack, card, "claim_escalation", user="U0AGENT1", channel=BILLING) == 200
    joined = render("joined", language="es", agent="<@U0AGENT1>")
    slack.standin.wait_for(
        lambda: any(m["text"] == joined for m in bot_replies(slack, GLOBEX, root))
    )
    claimed = slack.standin.wait_for(
        lambda: (
            "resolve_escalation" in json.dumps(latest(slack, BILLING, card["ts"])["blocks"])
            and latest(slack, BILLING, card["ts"])
        )
    )
    assert "U0AGENT1" in json.dumps(claimed["blocks"])
    assert press(slack, claimed, "resolve_escalation", user="U0AGENT1", channel=BILLING) == 200
    [modal] = slack.standin.wait_for(slack.standin.opened_views)
    assert modal["callback_id"] == "resolve_escalation_modal"
    escalation_id = modal["private_metadata"]
    values = {
        "tag": {"tag": {"type": "radio_buttons", "selected_option": {"value": tag}}},
        "note": {"note": {"type": "plain_text_input", "value": f"note for {tag}"}},
    }
    result = slack.sender.view_submission(
        user="U0AGENT1",
        user_team=OUR_TEAM,
        callback_id="resolve_escalation_modal",
        private_metadata=escalation_id,
        values=values,
    )
    assert result.status == 200 and result.body in ("", "{}")
    closing = render("closing", language="es")
    slack.standin.wait_for(
        lambda: any(m["text"] == closing for m in bot_replies(slack, GLOBEX, root))
    )
    [row] = escalations(slack)
    assert (row.status, row.resolution_tag, row.resolved_by) == ("resolved", tag, "U0AGENT1")
    assert row.resolution_note == f"note for {tag}"
    resolved_card = slack.standin.wait_for(
        lambda: (
            not [b for b in latest(slack, BILLING, card["ts"])["blocks"] if b["type"] == "actions"]
            and latest(slack, BILLING, card["ts"])
        )
    )
    assert "U0AGENT1" in json.dumps(resolved_card["blocks"])
    # Submitting the modal again changes nothing and says why, in the modal.
    values["tag"]["tag"]["selected_option"] = {"value": "other" if tag != "other" else "edge_case"}
    again = slack.sender.view_submission(
        user="U0AGENT1",
        user_team=OUR_TEAM,
        callback_id="resolve_escalation_modal",
        private_metadata=escalation_id,
        values=values,
    )
    assert again.status == 200 and "Already resolved" in again.body
    assert escalations(slack)[0].resolution_tag == tag


def test_only_the_owner_opens_the_resolution_form(slack: LocalSlack) -> None:
    escalate(slack, GLOBEX, "Quiero un reembolso")
    card = card_in(slack, BILLING)
    press(slack, card, "claim_escalation", user="U0AGENT1", channel=BILLING)
    claimed = slack.standin.wait_for(
        lambda: (
            "resolve_escalation" in json.dumps(latest(slack, BILLING, card["ts"])["blocks"])
            and latest(slack, BILLING, card["ts"])
        )
    )
    press(slack, claimed, "resolve_escalation", user="U0AGENT3", channel=BILLING)
    [notice] = slack.standin.wait_for(lambda: slack.standin.ephemerals_for("U0AGENT3"))
    assert "Only the agent who claimed it" in notice["text"]
    assert slack.standin.opened_views() == []


def test_resolution_needs_a_tag(slack: LocalSlack) -> None:
    assert slack.sender is not None
    escalate(slack, GLOBEX, "Quiero un reembolso")
    [escalation] = escalations(slack)
    result = slack.sender.view_submission(
        user="U0AGENT1",
        user_team=OUR_TEAM,
        callback_id="resolve_escalation_modal",
        private_metadata=str(escalation.id),
        values={"note": {"note": {"type": "plain_text_input", "value": "done"}}},
    )
    assert result.status == 200 and result.json()["response_action"] == "errors"
    assert escalations(slack)[0].status == "pending"


def test_people_who_are_not_agents_are_refused(slack: LocalSlack) -> None:
    customer, _root = escalate(slack, GLOBEX, "Quiero un reembolso")
    card = card_in(slack, BILLING)
    press(
        slack,
        card,
        "claim_escalation",
        user=customer.user_id,
        team=customer.team_id,
        channel=BILLING,
    )
    press(slack, card, "claim_escalation", user="U0LEAD1", channel=BILLING)
    [refusal] = slack.standin.wait_for(lambda: slack.standin.ephemerals_for(customer.user_id))
    assert "Only support agents" in refusal["text"]
    slack.standin.wait_for(lambda: slack.standin.ephemerals_for("U0LEAD1"))
    assert escalations(slack)[0].status == "pending" and escalations(slack)[0].claimed_by is None
    assert latest(slack, BILLING, card["ts"]) == card  # the card is untouched


def test_reassign_moves_the_card_to_the_other_skill(slack: LocalSlack) -> None:
    escalate(slack, GLOBEX, "Quiero un reembolso")
    card = card_in(slack, BILLING)
    press(
        slack, card, "reassign_escalation", user="U0AGENT1", channel=BILLING, selected="technical"
    )
    new_card = card_in(slack, TECH)
    assert "claim_escalation" in json.dumps(new_card["blocks"])
    slack.standin.wait_for(lambda: escalations(slack)[0].card_ts == new_card["ts"])
    [escalation] = escalations(slack)
    assert (escalation.skill, escalation.card_channel, escalation.card_ts) == (
        "technical",
        TECH,
        new_card["ts"],
    )
    retired = slack.standin.wait_for(
        lambda: (
            "reassigned" in latest(slack, BILLING, card["ts"])["text"]
            and latest(slack, BILLING, card["ts"])
        )
    )
    assert "claim_escalation" not in json.dumps(retired.get("blocks") or [])


def test_overflow_after_the_window_then_the_leads_once(slack: LocalSlack) -> None:
    assert slack.runtime is not None
    escalate(slack, ACME, "Cancel our contract please")  # enterprise: 5 minute window
    [escalation] = escalations(slack)
    created = as_utc(escalation.created_at)
    desk = SlackAgentDesk(build_web_client(slack.runtime.settings))

    def sweep(minutes: int) -> int:
        return sweep_overflow(
            engine=slack.runtime.engine,  # type: ignore[union-attr]
            config=slack.runtime.config,  # type: ignore[union-attr]
            desk=desk,
            now=created + timedelta(minutes=minutes),
        )

    assert sweep(4) == 0 and cards_in(slack, OVERFLOW) == []
    assert sweep(6) == 1
    [overflow_card] = cards_in(slack, OVERFLOW)
    assert "<@U0LEAD1>" in json.dumps(overflow_card["blocks"])
    assert sweep(7) == 0  # not twice
    assert sweep(12) == 1
    [alert] = cards_in(slack, LEADS)
    assert "still unclaimed" in alert["text"]
    assert sweep(30) == 0
    assert len(cards_in(slack, OVERFLOW)) == 1 and len(cards_in(slack, LEADS)) == 1
    # Claiming from the overflow copy updates both cards.
    press(slack, overflow_card, "claim_escalation", user="U0AGENT3", channel=OVERFLOW)
    slack.standin.wait_for(lambda: escalations(slack)[0].claimed_by == "U0AGENT3")
    slack.standin.wait_for(lambda: len(slack.standin.calls_to("chat.update")) >= 2)


def test_claimed_escalations_do_not_overflow(slack: LocalSlack) -> None:
    assert slack.runtime is not None
    escalate(slack, ACME, "Cancel our contract please")
    card = card_in(slack, AM)
    press(slack, card, "claim_escalation", user="U0AGENT3", channel=AM)
    slack.standin.wait_for(lambda: escalations(slack)[0].status == "claimed")
    desk = SlackAgentDesk(build_web_client(slack.runtime.settings))
    later = as_utc(escalations(slack)[0].created_at) + timedelta(hours=3)
    assert (
        sweep_overflow(
            engine=slack.runtime.engine, config=slack.runtime.config, desk=desk, now=later
        )
        == 0
    )


def test_a_channel_the_bot_left_falls_back_to_overflow_and_tells_the_leads(
    slack: LocalSlack,
) -> None:
    slack.standin.remove_bot_from_channel(BILLING)
    escalate(slack, GLOBEX, "Quiero un reembolso")
    card = card_in(slack, OVERFLOW)
    assert "not_in_channel" in json.dumps(card["blocks"])
    [notice] = slack.standin.wait_for(lambda: cards_in(slack, LEADS))
    assert "invite me" in notice["text"]
    assert escalations(slack)[0].card_channel == OVERFLOW


def test_a_card_that_failed_to_post_is_posted_by_the_worker(slack: LocalSlack) -> None:
    assert slack.runtime is not None
    slack.standin.fail_next("chat.postMessage", status=500, times=3, channel=BILLING)
    _customer, root = escalate(slack, GLOBEX, "Quiero un reembolso")
    assert cards_in(slack, BILLING) == []
    [escalation] = escalations(slack)
    assert escalation.card_ts is None  # stored before posting, nothing lost
    assert len(bot_replies(slack, GLOBEX, root)) == 1  # the customer was told once
    from app.conversations.intake import BotIdentity
    from app.worker.escalation_jobs import post_missing_cards
    from app.worker.event_retry import retry_unfinished_events

    client = build_web_client(slack.runtime.settings)
    later = as_utc(escalation.created_at) + timedelta(minutes=2)
    retry_unfinished_events(
        runtime=slack.runtime, client=client, bot=BotIdentity("T0OURS", "U0BOT"), now=later
    )
    post_missing_cards(runtime=slack.runtime, client=client, now=later)
    assert len(cards_in(slack, BILLING)) == 1
    assert escalations(slack)[0].card_ts is not None
    assert len(bot_replies(slack, GLOBEX, root)) == 1


def test_a_rate_limited_card_is_retried_and_posted_once(slack: LocalSlack) -> None:
    slack.standin.fail_next("chat.postMessage", status=429, times=1, channel=BILLING)
    escalate(slack, GLOBEX, "Quiero un reembolso")
    card = card_in(slack, BILLING)
    assert escalations(slack)[0].card_ts == card["ts"]
    statuses = [
        c.status for c in slack.standin.calls_to("chat.postMessage") if c.args["channel"] == BILLING
    ]
    assert statuses == [429, 200]


def test_a_click_on_a_card_whose_escalation_is_gone(slack: LocalSlack) -> None:
    assert slack.runtime is not None
    escalate(slack, GLOBEX, "Quiero un reembolso")
    card = card_in(slack, BILLING)
    with Session(slack.runtime.engine) as session:
        row = session.exec(select(Escalation)).one()
        session.delete(row)
        session.commit()
    press(slack, card, "claim_escalation", user="U0AGENT1", channel=BILLING)
    [notice] = slack.standin.wait_for(lambda: slack.standin.ephemerals_for("U0AGENT1"))
    assert "no longer exists" in notice["text"]
