"""The queue while a playbook runs, as people see it: agents get the claim order (tier, then
age) in App Home; customers see their place and wait, edited in place as the queue moves, with
"Follow up later" as the primary action."""

from __future__ import annotations

import json
from typing import Any

from app.db.models import utcnow
from app.messages import render
from app.slack.client import build_web_client
from app.worker.escalation_jobs import refresh_customer_wait_lines
from standins.local_slack import LocalSlack
from tests.slack.test_handoff import escalate, escalations, latest, press
from tests.slack.test_surge import surge_command
from tests.slack.test_triage_flow import bot_replies

ACME, GLOBEX, INITECH, BILLING = "C0ACME", "C0GLOBEX", "C0INITECH", "C0BILLING"
REFUND = "I want a refund for the duplicate charge on our invoice"


def _transition(slack: LocalSlack, channel: str, root: str) -> dict[str, Any]:
    reply = bot_replies(slack, channel, root)[0]  # the first bot message: the transition
    return latest(slack, channel, reply["ts"], root)


def _follow_up_button(message: dict[str, Any]) -> dict[str, Any] | None:
    for block in message["blocks"]:
        for element in block.get("elements") or []:
            if element.get("action_id") == "follow_up_later":
                return dict(element)
    return None


def test_the_queue_moves_in_claim_order_and_customers_see_it(slack: LocalSlack) -> None:
    assert slack.runtime is not None and slack.sender is not None
    assert "Started the billing_cycle playbook" in surge_command(slack, "start billing_cycle")
    _free, free_root = escalate(slack, INITECH, REFUND)
    _pro, pro_root = escalate(slack, GLOBEX, REFUND)
    _ent, ent_root = escalate(slack, ACME, REFUND)
    free, pro, ent = escalations(slack)
    assert (free.tier, pro.tier, ent.tier) == ("free", "pro", "enterprise")

    # Follow up later is the primary action while the playbook runs.
    first = _transition(slack, INITECH, free_root)
    assert (_follow_up_button(first) or {}).get("style") == "primary"
    # Nobody was ahead of the free and pro customers when they wrote; now others are.
    third = render("queue.position", language="en", n="3")
    second = render("queue.position", language="en", n="2")
    assert third not in json.dumps(first["blocks"])
    client = build_web_client(slack.runtime.settings)
    edited = refresh_customer_wait_lines(runtime=slack.runtime, client=client, now=utcnow())
    assert edited == 2  # the enterprise customer's line did not change
    assert third in json.dumps(_transition(slack, INITECH, free_root)["blocks"])
    assert second in json.dumps(_transition(slack, GLOBEX, pro_root)["blocks"])
    assert "queue" not in json.dumps(_transition(slack, ACME, ent_root)["blocks"])
    assert refresh_customer_wait_lines(runtime=slack.runtime, client=client, now=utcnow()) == 0

    # Agents see the same order in App Home.
    slack.sender.event({"type": "app_home_opened", "user": "U0AGENT1", "tab": "home"})
    view = slack.standin.wait_for(lambda: slack.standin.published_home("U0AGENT1"))
    listing = json.dumps(view["blocks"])
    assert "claim by tier, then by age" in listing
    assert listing.index(f"#{ent.id}") < listing.index(f"#{pro.id}") < listing.index(f"#{free.id}")

    # The enterprise customer is claimed: their wait line and buttons go, the free customer
    # moves up without waiting for the worker.
    card_ts = slack.standin.wait_for(lambda: escalations(slack)[2].card_ts)
    ent_card = latest(slack, escalations(slack)[2].card_channel or BILLING, card_ts)
    press(slack, ent_card, "claim_escalation", user="U0AGENT1", channel=BILLING)
    slack.standin.wait_for(
        lambda: second in json.dumps(_transition(slack, INITECH, free_root)["blocks"])
    )
    claimed = slack.standin.wait_for(
        lambda: (m := _transition(slack, ACME, ent_root)) and _follow_up_button(m) is None and m
    )
    assert "Expected wait" not in json.dumps(claimed["blocks"])
    assert _follow_up_button(_transition(slack, GLOBEX, pro_root)) is not None


def test_without_a_playbook_the_queue_is_first_come_first_served(slack: LocalSlack) -> None:
    assert slack.runtime is not None and slack.sender is not None
    _free, free_root = escalate(slack, INITECH, REFUND)
    escalate(slack, ACME, REFUND)
    message = _transition(slack, INITECH, free_root)
    assert (_follow_up_button(message) or {}).get("style") is None
    client = build_web_client(slack.runtime.settings)
    assert refresh_customer_wait_lines(runtime=slack.runtime, client=client, now=utcnow()) == 0
    slack.sender.event({"type": "app_home_opened", "user": "U0AGENT1", "tab": "home"})
    view = slack.standin.wait_for(lambda: slack.standin.published_home("U0AGENT1"))
    free, ent = escalations(slack)
    listing = json.dumps(view["blocks"])
    assert "Oldest first" in listing
    assert listing.index(f"#{free.id}") < listing.index(f"#{ent.id}")
