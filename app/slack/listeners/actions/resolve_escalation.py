"""**Resolve** on a claimed card: opens the resolution modal for the owner."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from app.db.engine import session_scope
from app.db.models import Account, Escalation
from app.escalations.handoff import build_card
from app.slack.blocks.resolve_modal import resolve_modal
from app.slack.gateway import SlackGateway, SlackRefusedError
from app.slack.listeners.actions.clicks import click_of, escalation_id_or_refuse, tell
from app.slack.middleware.runtime import runtime_of


def resolve_escalation(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    ack()
    click = click_of(body, action)
    runtime = runtime_of(context)
    escalation_id = escalation_id_or_refuse(client, click, runtime)
    if escalation_id is None:
        return
    refusal = None
    account_name = ""
    bug = {"bug_reports": False, "possible_bug": False, "bug_reported": False}
    if not runtime.config.is_agent(click.user_id):
        refusal = "Only support agents can resolve escalations."
    else:
        with session_scope(runtime.engine) as session:
            escalation = session.get(Escalation, escalation_id)
            if escalation is None:
                refusal = "This escalation no longer exists."
            elif escalation.status == "resolved":
                refusal = f"Already resolved by <@{escalation.resolved_by}>."
            elif escalation.claimed_by != click.user_id:
                refusal = "Only the agent who claimed it can resolve it."
            else:
                account = session.get(Account, escalation.account_id)
                account_name = account.name if account else ""
                card = build_card(session, escalation, runtime.config, thread_url=None)
                bug = {
                    "bug_reports": card.bug_reports,
                    "possible_bug": card.possible_bug is not None,
                    "bug_reported": card.bug_reported,
                }
    if refusal is not None:
        tell(client, click, refusal)
        return
    trigger_id = str(body.get("trigger_id") or "")
    try:
        SlackGateway(client).open_view(
            trigger_id=trigger_id,
            view=resolve_modal(escalation_id, account_name=account_name, **bug),
        )
    except SlackRefusedError as refused:
        tell(client, click, f"I couldn't open the resolution form ({refused.error}). Try again.")
