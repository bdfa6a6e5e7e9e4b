"""``escalation-bot demo``: a scripted conversation through the real app and the Slack stand-in,
printed as a transcript (what the customer wrote, what the bot posted where, with buttons)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any, TextIO

from sqlmodel import Session, col, select

from app.config import Settings
from app.db.models import TriageDecision
from sandbox.transcript import indent, render_message
from standins.local_slack import OUR_TEAM, LocalSlack
from standins.slack.standin import RecordedCall

POSTING_METHODS = ("chat.postMessage", "chat.update", "chat.postEphemeral", "views.publish")


class _Printer:
    def __init__(self, local: LocalSlack, out: TextIO) -> None:
        self._local = local
        self._out = out
        self._seen_calls = 0
        self._seen_responses = 0
        self._names = local.standin_channel_names()

    def _people(self) -> dict[str, str]:
        users = self._local.standin.workspace.users
        return {uid: user.real_name or user.name for uid, user in users.items()}

    def step(self, title: str) -> None:
        self._out.write(f"\n-- {title}\n")

    def person(self, who: str, channel: str, text: str, *, in_thread: bool) -> None:
        where = f"#{self._names.get(channel, channel)}" + (" (thread)" if in_thread else "")
        self._out.write(f"  {who} in {where}:\n{indent(text)}\n")
        self.bot_activity()

    def decision(self) -> None:
        """The latest triage decision, as a lead would audit it."""
        assert self._local.runtime is not None
        with Session(self._local.runtime.engine) as session:
            row = session.exec(
                select(TriageDecision).order_by(col(TriageDecision.id).desc())
            ).first()
        if row is None:
            return
        verdict = "escalate" if row.escalate else "answer"
        fired = ", ".join(
            f"{t['type']} ({t['reason']})" for t in json.loads(row.triggers) if t["fired"]
        )
        self._out.write(
            f"  decision: {verdict}; intent {row.intent}, sentiment {row.sentiment:+.2f}, "
            f"language {row.language}, answer confidence {row.confidence:.2f}"
            + (f"\n  triggers: {fired}\n" if fired else "\n")
        )

    def note(self, text: str) -> None:
        self._out.write(f"  ({text})\n")

    def bot_activity(self) -> None:
        calls = self._local.standin.calls
        for call in calls[self._seen_calls :]:
            if call.method in POSTING_METHODS and call.ok:
                self._out.write(self._describe(call))
        self._seen_calls = len(calls)
        posts = self._local.standin.response_url_posts()
        for post in posts[self._seen_responses :]:
            self._out.write("  bot replied (only the person who asked sees it):\n")
            self._out.write(indent(render_message(post.payload, self._people())) + "\n")
        self._seen_responses = len(posts)

    def _describe(self, call: RecordedCall) -> str:
        args = call.args
        channel = str(args.get("channel") or "")
        where = f"#{self._names.get(channel, channel)}"
        if call.method == "chat.postMessage":
            head = f"bot posted in {where}" + (" (thread)" if args.get("thread_ts") else "")
        elif call.method == "chat.update":
            head = f"bot updated its message in {where}"
        elif call.method == "chat.postEphemeral":
            who = self._people().get(str(args.get("user")), str(args.get("user")))
            head = f"bot told @{who} only, in {where}"
        else:
            who = self._people().get(str(args.get("user_id")), str(args.get("user_id")))
            head = f"bot published the App Home of @{who}"
            return f"  {head}:\n{indent(render_message(args.get('view') or {}, self._people()))}\n"
        return f"  {head}:\n{indent(render_message(args, self._people()))}\n"


def run_demo(settings: Settings, *, out: TextIO) -> int:
    with tempfile.TemporaryDirectory(prefix="escalation-demo-") as folder:
        database_url = f"sqlite:///{Path(folder) / 'demo.db'}"
        with LocalSlack(database_url=database_url, config_path=settings.escalation_config) as local:
            _script(local, out)
    return 0


def _script(local: LocalSlack, out: TextIO) -> None:
    printer = _Printer(local, out)
    by_tier = {account.tier: account for account in local.config.accounts}
    first = local.config.accounts[0]
    out.write(
        "Demo: customers ask for help in their Slack Connect channels; the bot answers from the\n"
        "knowledge base or brings in the support team, and records why.\n"
        f"The real app runs at {local.app_url}; Slack is a local stand-in.\n"
    )
    free = by_tier.get("free", first)
    customer = local.customer_of(free.channel, name="Sam")
    printer.step(f"{free.name} ({free.tier}) asks a routine question")
    text = "how do I export a board to CSV?"
    sent = local.say(free.channel, user=customer.user_id, team=customer.team_id, text=text)
    printer.person(f"Sam ({free.name})", free.channel, text, in_thread=False)
    printer.decision()

    printer.step("Sam presses [ That solved it ]")
    answer = _last_bot_message(local, free.channel, sent.ts)
    _press(local, answer, "answer_solved", customer.user_id, customer.team_id, free.channel)
    local.standin.wait_for(lambda: local.standin.calls_to("chat.update"), timeout=10)
    printer.bot_activity()

    pro = by_tier.get("pro", first)
    maria = local.customer_of(pro.channel, name="Maria")
    printer.step(f"{pro.name} ({pro.tier}) disputes a charge, in Spanish")
    text = "Nos han cobrado dos veces la factura de mayo. Quiero un reembolso."
    local.say(pro.channel, user=maria.user_id, team=maria.team_id, text=text)
    printer.person(f"Maria ({pro.name})", pro.channel, text, in_thread=False)
    printer.decision()
    _agent_takes_it(local, printer, pro.channel)

    enterprise = by_tier.get("enterprise", first)
    jordan = local.customer_of(enterprise.channel, name="Jordan")
    printer.step(f"{enterprise.name} ({enterprise.tier}) asks, then says it did not help")
    text = "Where can I see who changed our workspace permissions? Need the audit log"
    root = local.say(enterprise.channel, user=jordan.user_id, team=jordan.team_id, text=text)
    printer.person(f"Jordan ({enterprise.name})", enterprise.channel, text, in_thread=False)
    printer.decision()
    text = "I tried that and it still doesn't show anything for last week"
    local.say(
        enterprise.channel,
        user=jordan.user_id,
        team=jordan.team_id,
        text=text,
        thread_ts=root.ts,
    )
    printer.person(f"Jordan ({enterprise.name})", enterprise.channel, text, in_thread=True)
    printer.decision()

    printer.step("Slack retries a delivery (same event_id)")
    assert local.sender is not None
    retry = local.sender.message(
        enterprise.channel,
        jordan.user_id,
        root.event["text"],
        user_team=jordan.team_id,
        ts=root.ts,
        event_id=root.event_id,
        retry_num=1,
    )
    printer.note(f"HTTP {retry.result.status}: acknowledged, already handled; nothing posted")
    printer.bot_activity()

    if local.config.leads:
        printer.step("A support lead runs /escalation-stats 7d")
        local.sender.slash_command(
            "/escalation-stats",
            "7d",
            user=local.config.leads[0],
            user_team=OUR_TEAM,
            channel=local.config.leads_channel,
        )
        local.standin.wait_for(local.standin.response_url_posts, timeout=10)
        printer.bot_activity()

    conversations, messages = local.counts()
    out.write(
        f"\nStored: {conversations} conversations, {messages} messages and every decision "
        "with its triggers; each Slack event handled once.\n"
    )


def _agent_takes_it(local: LocalSlack, printer: _Printer, customer_channel: str) -> None:
    """An agent claims the newest handoff card and resolves it through the modal."""
    assert local.sender is not None
    card_channel, card = _newest_card(local)
    agent = next(
        (a.user for a in local.config.agents if card_channel in _channels_of(local, a.user)), None
    )
    agent = agent or local.config.agents[0].user
    printer.step(f"@{agent.lower()} presses [ Claim ] on the card")
    posts = _ok_posts(local)
    _press(local, card, "claim_escalation", agent, OUR_TEAM, card_channel)
    local.standin.wait_for(
        lambda: _ok_posts(local) > posts, timeout=10
    )  # the customer is told who joined
    printer.bot_activity()
    printer.step(f"@{agent.lower()} resolves it: [ Resolve ] -> tag 'Policy exception' -> Resolve")
    claimed = next(m for m in local.standin.messages_in(card_channel) if m["ts"] == card["ts"])
    _press(local, claimed, "resolve_escalation", agent, OUR_TEAM, card_channel)
    [modal] = local.standin.wait_for(local.standin.opened_views, timeout=10)
    before_resolve = _ok_posts(local)
    local.sender.view_submission(
        user=agent,
        user_team=OUR_TEAM,
        callback_id=modal["callback_id"],
        private_metadata=modal["private_metadata"],
        values={
            "tag": {
                "tag": {"type": "radio_buttons", "selected_option": {"value": "policy_exception"}}
            },
            "note": {
                "note": {"type": "plain_text_input", "value": "Refunded the duplicate charge."}
            },
        },
    )
    local.standin.wait_for(
        lambda: _ok_posts(local) > before_resolve, timeout=10
    )  # the closing message
    printer.bot_activity()


def _ok_posts(local: LocalSlack) -> int:
    return sum(1 for call in local.standin.calls_to("chat.postMessage") if call.ok)


def _channels_of(local: LocalSlack, user: str) -> set[str]:
    agent = local.config.agent(user)
    return {local.config.skills[s].channel for s in agent.skills} if agent else set()


def _newest_card(local: LocalSlack) -> tuple[str, dict[str, Any]]:
    internal = {cfg.channel for cfg in local.config.skills.values()} | {
        local.config.overflow_channel
    }
    cards = [
        (channel, message)
        for channel in internal
        for message in local.standin.messages_in(channel)
        if "claim_escalation" in json.dumps(message.get("blocks") or [])
    ]
    return max(cards, key=lambda item: float(item[1]["ts"]))


def _last_bot_message(local: LocalSlack, channel: str, thread_ts: str) -> dict[str, Any]:
    replies = [m for m in local.standin.messages_in(channel, thread_ts) if m.get("bot_id")]
    return replies[-1]


def _press(
    local: LocalSlack, message: dict[str, Any], action_id: str, user: str, team: str, channel: str
) -> None:
    assert local.sender is not None
    [value] = [
        element["value"]
        for block in message.get("blocks") or []
        if block.get("type") == "actions"
        for element in block["elements"]
        if element["action_id"] == action_id
    ]
    local.sender.block_action(
        user=user,
        user_team=team,
        action_id=action_id,
        value=value,
        channel=channel,
        message_ts=message["ts"],
        message=message,
    )
