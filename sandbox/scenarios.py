"""Scripted conversations a sandbox visitor can watch, then take over: each step goes through the
same actions as the page (signed events, clicks, modals, slash commands) and waits for the app."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.slack.blocks.answer import SOLVED_ACTION
from app.slack.blocks.csat import RATING_ACTION
from app.slack.blocks.handoff_card import CLAIM_ACTION, RESOLVE_ACTION
from app.slack.blocks.resolve_modal import NOTE_ACTION, NOTE_BLOCK, TAG_ACTION, TAG_BLOCK
from sandbox.actions import Sandbox, SandboxError
from sandbox.people import Person

logger = logging.getLogger(__name__)

Message = dict[str, Any]


@dataclass(frozen=True)
class Step:
    """What the narrator says, and where to look."""

    text: str
    channel: str
    thread_ts: str | None = None


class Script:
    """The moves of a scenario, paced for someone watching."""

    def __init__(
        self,
        sandbox: Sandbox,
        *,
        pause: float,
        on_step: Callable[[Step], None],
        timeout: float = 20.0,
    ) -> None:
        self.sandbox = sandbox
        self.config = sandbox.local.config
        self._pause = pause
        self._on_step = on_step
        self._timeout = timeout

    def narrate(self, text: str, channel: str, thread_ts: str | None = None) -> None:
        self._on_step(Step(text, channel, thread_ts))
        time.sleep(self._pause)

    # -- people and places --------------------------------------------------------------------

    def customer(self, tier: str) -> tuple[Person, str]:
        """The customer of the first account of ``tier`` (else the first account), and its
        channel."""
        accounts = self.config.accounts
        account = next((a for a in accounts if a.tier == tier), accounts[0])
        person = next(p for p in self.sandbox.people.values() if account.channel in p.channels)
        return person, account.channel

    def agent_for(self, channel: str) -> Person:
        agents = [p for p in self.sandbox.people.values() if p.role == "agent"]
        return next((a for a in agents if channel in a.channels), agents[0])

    def lead(self) -> Person:
        return next(p for p in self.sandbox.people.values() if p.role == "lead")

    # -- moves --------------------------------------------------------------------------------

    def opening(self, tier: str, caption: str, text: str) -> tuple[Person, str, str]:
        """The customer of ``tier`` writes at the top of their channel after ``caption``
        (``{name}`` is their name); the customer, the channel and the message's ts."""
        customer, channel = self.customer(tier)
        self.narrate(caption.format(name=customer.name), channel)
        return customer, channel, self.say(customer, channel, text)

    def say(self, person: Person, channel: str, text: str, thread_ts: str | None = None) -> str:
        """Post and wait until the app has handled the event; the message's ts."""
        posted = self.sandbox.post(
            user=person.user_id, channel=channel, text=text, thread_ts=thread_ts
        )
        assert posted is not None
        self.sandbox.local.wait_processed(posted.event_id, timeout=self._timeout)
        return posted.ts

    def command(self, person: Person, channel: str, text: str, *, posts: int = 0) -> None:
        """Run a slash command; wait for the bot to post ``posts`` messages in the channel."""
        before = len(self.sandbox.standin.messages_in(channel))
        self.sandbox.post(user=person.user_id, channel=channel, text=text)
        if posts:
            self.wait_for(lambda: len(self.sandbox.standin.messages_in(channel)) >= before + posts)

    def wait_for(self, predicate: Callable[[], Any]) -> Any:
        return self.sandbox.standin.wait_for(predicate, timeout=self._timeout)

    def message_with(
        self, channel: str, action_id: str, *, thread_ts: str | None = None, after: str = "0"
    ) -> Message:
        """The newest message carrying ``action_id`` (a prefix), once it is there."""

        def find() -> Message | None:
            found = self.sandbox.standin.messages_in(channel, thread_ts)
            return next(
                (
                    m
                    for m in reversed(found)
                    if float(m["ts"]) > float(after) and _element(m, action_id) is not None
                ),
                None,
            )

        return dict(self.wait_for(find))

    def card(self, after: str) -> tuple[str, Message]:
        """The handoff card posted after ``after``, in whichever agent channel it went to."""
        internal = [cfg.channel for cfg in self.config.skills.values()]
        internal.append(self.config.overflow_channel)

        def find() -> tuple[str, Message] | None:
            for channel in internal:
                for message in self.sandbox.standin.messages_in(channel):
                    if float(message["ts"]) > float(after) and _element(message, CLAIM_ACTION):
                        return channel, message
            return None

        channel, message = self.wait_for(find)
        return channel, message

    def press(
        self, person: Person, channel: str, message: Message, action_id: str, *, wait: bool = True
    ) -> Message:
        """Press a button on a message; unless ``wait`` is false, wait until the app has
        changed the message in answer, and return it as it is then."""
        found = _element(message, action_id)
        if found is None:
            raise SandboxError(f"no {action_id} button on that message")
        element, block_id = found
        self.sandbox.click(
            user=person.user_id,
            action_id=str(element["action_id"]),
            block_id=block_id,
            value=element.get("value"),
            channel=channel,
            message_ts=message["ts"],
        )
        if not wait:
            return message

        def changed() -> Message | None:
            now = self.sandbox.standin.find_message(channel, message["ts"])
            return now if now is not None and now != message else None

        return dict(self.wait_for(changed))

    def claim(self, agent: Person, channel: str, card: Message) -> Message:
        """Claim the card; the card as updated (with Resolve)."""
        claimed = self.press(agent, channel, card, CLAIM_ACTION)
        if _element(claimed, RESOLVE_ACTION) is None:
            raise SandboxError(f"{agent.name} could not claim the card")
        return claimed

    def resolve(self, agent: Person, channel: str, card: Message, *, tag: str, note: str) -> None:
        """Press Resolve, fill in the modal, submit it."""
        self.press(agent, channel, card, RESOLVE_ACTION, wait=False)  # opens a modal
        modal = self.wait_for(lambda: self.sandbox.open_modal(agent.user_id))
        values = {
            TAG_BLOCK: {TAG_ACTION: {"type": "radio_buttons", "selected_option": {"value": tag}}},
            NOTE_BLOCK: {NOTE_ACTION: {"type": "plain_text_input", "value": note}},
        }
        errors = self.sandbox.submit_view(user=agent.user_id, view_id=modal["id"], values=values)
        if errors:
            raise SandboxError(f"the resolution form was refused: {errors}")


def _element(message: Message | None, action_id: str) -> tuple[Message, str] | None:
    """The interactive element whose action id starts with ``action_id``, and its block id."""
    for block in (message or {}).get("blocks") or []:
        elements = list(block.get("elements") or [])
        if block.get("accessory"):
            elements.append(block["accessory"])
        for element in elements:
            if str(element.get("action_id") or "").startswith(action_id):
                return element, str(block.get("block_id") or "")
    return None


# -- the scenarios ------------------------------------------------------------------------------


def how_to(script: Script) -> None:
    customer, channel, ts = script.opening(
        "free",
        "{name} asks a routine question in their Slack Connect channel.",
        "How do I export a board to CSV?",
    )
    answer = script.message_with(channel, SOLVED_ACTION, thread_ts=ts)
    script.narrate(
        "The bot answers in the thread from the knowledge base and cites the article.",
        channel,
        ts,
    )
    script.press(customer, channel, answer, SOLVED_ACTION)
    script.narrate(
        f"{customer.name} presses “That solved it”: the conversation is contained.", channel, ts
    )


def pleasantries(script: Script) -> None:
    customer, channel, ts = script.opening(
        "free", "{name} says good morning in their channel.", "good morning team :wave:"
    )
    script.narrate("A greeting is not a request: no reply, no card, nobody is pinged.", channel, ts)
    ts = script.say(customer, channel, "thanks so much! :pray:")
    script.narrate("Neither is a thank-you, in any of the bot's languages.", channel, ts)
    ts = script.say(customer, channel, "How do I export a board to CSV?")
    script.message_with(channel, SOLVED_ACTION, thread_ts=ts)
    script.narrate("A real question is answered as usual.", channel, ts)


def follow_up(script: Script) -> None:
    customer, channel, ts = script.opening(
        "pro",
        "{name} asks for a corrected invoice.",
        "We were billed for 12 seats but we only have 8 users. Please fix our invoice.",
    )
    card_channel, card = script.card(after=ts)
    script.narrate("Billing goes to a person: a card in the billing channel.", card_channel)
    script.say(customer, channel, "The invoice number is INV-2291, dated March 3rd")
    script.wait_for(
        lambda: (
            "Follow-ups from the customer"
            in json.dumps(script.sandbox.standin.find_message(card_channel, card["ts"]) or {})
        )
    )
    script.narrate(
        "A second message a minute later is more of the same request: it joins the open "
        "conversation, no second card or reply; the card shows it.",
        card_channel,
    )


def billing_dispute(script: Script) -> None:
    customer, channel, ts = script.opening(
        "free",
        "{name} disputes a charge.",
        "We were charged twice for our May invoice. Please refund the duplicate charge.",
    )
    card_channel, card = script.card(after=ts)
    script.narrate(
        "Money always goes to a person: the customer is told someone is coming, "
        "and the handoff card lands in the billing channel.",
        card_channel,
    )
    agent = script.agent_for(card_channel)
    card = script.claim(agent, card_channel, card)
    script.narrate(f"{agent.name} claims it; the customer is told who joined.", channel, ts)
    script.say(
        agent,
        channel,
        f"Hi {customer.name}, sorry about that. I can see the duplicate charge and I'm "
        "refunding it now.",
        thread_ts=ts,
    )
    script.resolve(
        agent, card_channel, card, tag="policy_exception", note="Refunded the duplicate charge."
    )
    survey = script.message_with(channel, RATING_ACTION, thread_ts=ts)
    script.narrate("Resolved through the modal: the customer gets a one-tap survey.", channel, ts)
    script.press(customer, channel, survey, f"{RATING_ACTION}_5")
    script.narrate(f"{customer.name} rates the hand-off 5 out of 5.", channel, ts)


def angry_enterprise(script: Script) -> None:
    _customer, channel, ts = script.opening(
        "enterprise",
        "{name}, an enterprise customer, is out of patience.",
        "This is the THIRD time this week our sync has failed and nobody answers. "
        "Completely unacceptable, we are losing data!",
    )
    card_channel, card = script.card(after=ts)
    script.narrate(
        "Anger and the enterprise tier escalate at once; senior agents are mentioned first.",
        card_channel,
    )
    agent = script.agent_for(card_channel)
    script.claim(agent, card_channel, card)
    script.narrate(
        f"{agent.name} claims it. Take over: reply in the customer's thread as {agent.name}, "
        "then resolve it from the card.",
        channel,
        ts,
    )


def spanish_cancellation(script: Script) -> None:
    _customer, channel, ts = script.opening(
        "pro",
        "{name} writes in Spanish to cancel.",
        "Hola, queremos cancelar nuestra suscripción a final de mes.",
    )
    card_channel, _card = script.card(after=ts)
    script.narrate(
        "Cancellations always reach a person; the customer is answered in Spanish.", channel, ts
    )
    script.narrate("The card waits for an agent: claim it yourself.", card_channel)


def outage_surge(script: Script) -> None:
    lead = script.lead()
    leads_channel = script.config.leads_channel
    free, free_channel = script.customer("free")
    pro, pro_channel = script.customer("pro")
    script.narrate("Reports of an outage come in from several accounts.", free_channel)
    script.say(free, free_channel, "Is the app down? Nothing loads for us, everything is broken")
    script.say(pro, pro_channel, "¿La aplicación está caída? No carga nada, error 502")
    script.narrate(f"{lead.name} starts the outage playbook.", leads_channel)
    script.command(
        lead,
        leads_channel,
        "/escalation-surge start outage https://status.example.com Sync is delayed",
        posts=1,
    )
    ts = script.say(free, free_channel, "Is the app down? We get errors on every page")
    script.narrate(
        "While it runs, outage reports get the playbook's reply with the status page.",
        free_channel,
        ts,
    )
    enterprise, enterprise_channel = script.customer("enterprise")
    ts = script.say(
        enterprise,
        enterprise_channel,
        "Is the app down? Nothing loads for us, everything is broken",
    )
    script.narrate("Enterprise accounts still get a person.", enterprise_channel, ts)
    script.command(lead, leads_channel, "/escalation-surge stop", posts=1)
    script.narrate("Stopping posts the post-surge review to the leads.", leads_channel)


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    play: Callable[[Script], None]


SCENARIOS = (
    Scenario("how_to", "A how-to answered from the knowledge base", how_to),
    Scenario("pleasantries", "Good morning and thanks: the bot stays quiet", pleasantries),
    Scenario("follow_up", "A follow-up joins the open conversation", follow_up),
    Scenario(
        "billing_dispute", "A billing dispute, escalated, claimed and resolved", billing_dispute
    ),
    Scenario("angry_enterprise", "An angry enterprise customer", angry_enterprise),
    Scenario("spanish_cancellation", "A cancellation in Spanish", spanish_cancellation),
    Scenario("outage_surge", "An outage surge and its playbook", outage_surge),
)


@dataclass
class Playback:
    """The scenario playing (or last played) and its steps so far."""

    scenario: str | None = None
    title: str = ""
    steps: list[Step] = field(default_factory=list)
    running: bool = False
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "title": self.title,
            "running": self.running,
            "error": self.error,
            "steps": [step.__dict__ for step in self.steps],
        }


class ScenarioPlayer:
    """Plays one scenario at a time in a background thread."""

    def __init__(self, sandbox: Sandbox, *, pause: float = 1.5) -> None:
        self._sandbox = sandbox
        self._pause = pause
        self._lock = threading.Lock()
        self._playback = Playback()
        self._thread: threading.Thread | None = None

    @staticmethod
    def menu() -> list[dict[str, str]]:
        return [{"id": s.id, "title": s.title} for s in SCENARIOS]

    def start(self, scenario_id: str) -> None:
        scenario = next((s for s in SCENARIOS if s.id == scenario_id), None)
        if scenario is None:
            raise SandboxError(f"There is no scenario {scenario_id!r}.")
        with self._lock:
            if self._playback.running:
                raise SandboxError(f"“{self._playback.title}” is still playing.")
            self._playback = Playback(scenario.id, scenario.title, running=True)
            self._thread = threading.Thread(
                target=self._play, args=(scenario,), name="sandbox-scenario", daemon=True
            )
            self._thread.start()

    def status(self) -> dict[str, Any]:
        with self._lock:
            return self._playback.as_json()

    def wait(self, timeout: float) -> dict[str, Any]:
        """Wait for the scenario to finish; its final status."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self.status()

    def _step(self, step: Step) -> None:
        with self._lock:
            self._playback.steps.append(step)

    def _play(self, scenario: Scenario) -> None:
        error = None
        try:
            scenario.play(Script(self._sandbox, pause=self._pause, on_step=self._step))
        except (SandboxError, TimeoutError, AssertionError) as exc:
            error = str(exc) or type(exc).__name__
            logger.warning("scenario %s stopped: %s", scenario.id, error)
        with self._lock:
            self._playback.running = False
            self._playback.error = error
