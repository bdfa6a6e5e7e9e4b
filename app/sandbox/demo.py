"""``escalation-bot demo``: a scripted conversation through the real app and the Slack stand-in,
printed as a transcript (what the customer wrote, what the bot posted where, with buttons)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TextIO

from app.config import Settings
from app.sandbox.local_slack import OUR_TEAM, LocalSlack
from app.sandbox.slack_standin import RecordedCall
from app.sandbox.transcript import indent, render_message

POSTING_METHODS = ("chat.postMessage", "chat.update", "chat.postEphemeral", "views.publish")


class _Printer:
    def __init__(self, local: LocalSlack, out: TextIO) -> None:
        self._local = local
        self._out = out
        self._seen_calls = 0
        self._seen_responses = 0
        self._names = local.standin_channel_names()
        self._people = {
            uid: user.real_name or user.name for uid, user in local.standin.workspace.users.items()
        }

    def step(self, title: str) -> None:
        self._out.write(f"\n-- {title}\n")

    def person(self, who: str, channel: str, text: str, *, in_thread: bool) -> None:
        where = f"#{self._names.get(channel, channel)}" + (" (thread)" if in_thread else "")
        self._out.write(f"  {who} in {where}:\n{indent(text)}\n")
        self.bot_activity()

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
            self._out.write(indent(render_message(post.payload, self._people)) + "\n")
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
            who = self._people.get(str(args.get("user")), str(args.get("user")))
            head = f"bot told @{who} only, in {where}"
        else:
            who = self._people.get(str(args.get("user_id")), str(args.get("user_id")))
            head = f"bot published the App Home of @{who}"
            return f"  {head}:\n{indent(render_message(args.get('view') or {}, self._people))}\n"
        return f"  {head}:\n{indent(render_message(args, self._people))}\n"


def run_demo(settings: Settings, *, out: TextIO) -> int:
    with tempfile.TemporaryDirectory(prefix="escalation-demo-") as folder:
        database_url = f"sqlite:///{Path(folder) / 'demo.db'}"
        with LocalSlack(database_url=database_url, config_path=settings.escalation_config) as local:
            _script(local, out)
    return 0


def _script(local: LocalSlack, out: TextIO) -> None:
    account = local.config.accounts[0]
    agent = local.config.agents[0].user if local.config.agents else None
    lead = local.config.leads[0] if local.config.leads else None
    customer = local.customer_of(account.channel, name="Jordan")
    printer = _Printer(local, out)
    out.write(
        f"Demo: {account.name} ({account.tier}) asks for help in its Slack Connect channel.\n"
        f"The real app runs at {local.app_url}; Slack is a local stand-in.\n"
    )

    printer.step("A customer asks a question")
    text = "Hi team! Our CSV export of the Q3 Roadmap board fails with 'Export timed out'."
    first = local.say(account.channel, user=customer.user_id, team=customer.team_id, text=text)
    printer.person(f"Jordan ({account.name})", account.channel, text, in_thread=False)

    printer.step("The customer adds detail in the thread")
    text = "It's about 4,000 cards, if that matters."
    local.say(
        account.channel,
        user=customer.user_id,
        team=customer.team_id,
        text=text,
        thread_ts=first.ts,
    )
    printer.person(f"Jordan ({account.name})", account.channel, text, in_thread=True)

    if agent is not None:
        printer.step("An agent joins the thread")
        text = "Thanks Jordan, I'm checking the export queue now."
        local.say(account.channel, user=agent, team=OUR_TEAM, text=text, thread_ts=first.ts)
        printer.person(f"@{agent.lower()} (support agent)", account.channel, text, in_thread=True)

    printer.step("Slack retries the first delivery (same event_id)")
    assert local.sender is not None
    retry = local.sender.message(
        account.channel,
        customer.user_id,
        first.event["text"],
        user_team=customer.team_id,
        ts=first.ts,
        event_id=first.event_id,
        retry_num=1,
    )
    printer.note(f"HTTP {retry.result.status}: acknowledged, already handled; nothing posted")
    printer.bot_activity()

    if lead is not None:
        printer.step("A support lead runs /escalation-stats 7d")
        local.sender.slash_command(
            "/escalation-stats",
            "7d",
            user=lead,
            user_team=OUR_TEAM,
            channel=local.config.leads_channel,
        )
        local.standin.wait_for(lambda: local.standin.response_url_posts(), timeout=10)
        printer.bot_activity()

    conversations, messages = local.counts()
    out.write(
        f"\nStored: {conversations} conversation, {messages} messages "
        "(customer, bot and staff), each Slack event once.\n"
    )
