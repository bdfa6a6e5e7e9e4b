"""The inbound message flow: record, triage, decide, then answer or hand off in the thread.

Persist before posting: the message and the decision are committed before anything is sent;
the reply is recorded after it is sent. A failure in between is retried (the stored decision is
re-used, never re-made) without duplicates.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, replace

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from app.config_file import EscalationConfig, PlaybookConfig
from app.conversations.addressing import Addressee, addressee
from app.conversations.history import repeat_context
from app.conversations.intake import Action, Author, BotIdentity, IncomingMessage, classify
from app.crm.recording import record_signals
from app.db.accounts import account_for_channel
from app.db.conversations import (
    add_message,
    conversation_for_thread,
    joinable_conversation,
    open_conversation,
)
from app.db.decisions import add_decision, decision_for_message
from app.db.engine import add_once, session_scope
from app.db.escalations import claimed_by_agent, escalation_for_decision, open_escalation_for
from app.db.messages import has_staff_message, message_by_ts
from app.db.models import Account, Conversation, Message, TriageDecision, utcnow
from app.domain.replies import BotReply, Posted, ReplyKind, ThreadReplier
from app.escalations.customer import handoff_reply
from app.escalations.email_follow_up import queue_reply_email
from app.escalations.handoff import AgentDesk, post_card, refresh_cards
from app.escalations.page_url import page_url
from app.escalations.service import open_escalation
from app.knowledge.answer import Answer, Citation
from app.messages import transition_text
from app.policy.matrix import Decision, RepeatContext, Trigger, decide
from app.surge.playbook import playbook_effect, playbook_reply, surge_policy
from app.surge.service import active_surge
from app.triage.chatter import ChatterKind, chatter_kind
from app.triage.engine import TriageEngine, TriageOutcome, extractive_summary
from app.triage.signals import Cue, SentimentLabel

logger = logging.getLogger(__name__)

FOLLOW_UP_STATUSES = ("answered", "contained", "resolved")


@dataclass(frozen=True)
class Outcome:
    action: str  # answered | escalated | recorded | duplicate | ignored
    reason: str
    conversation_id: int | None = None
    reply_ts: str | None = None


@dataclass(frozen=True)
class _Pending:
    """What step 1 found: the stored message, and whether it still needs triage or a reply."""

    conversation_id: int
    message_id: int
    team_id: str  # the installation the account belongs to
    account_id: int
    account_tier: str
    account_language: str
    customer_user_id: str
    follow_up: bool  # a reply in the thread after the bot answered
    joined: bool  # a top-level message that joined the conversation (not its first)
    decision: TriageDecision | None  # already decided (a retry): re-use it


def process_message(
    *,
    engine: Engine,
    config: EscalationConfig,
    triage: TriageEngine,
    message: IncomingMessage,
    bot: BotIdentity,
    replier: ThreadReplier,
    desk: AgentDesk,
) -> Outcome:
    intake = classify(message, bot=bot)
    if intake.action is Action.IGNORE:
        return Outcome("ignored", intake.reason)
    assert intake.author is not None and message.user is not None
    with session_scope(engine) as session:
        account = account_for_channel(session=session, channel_id=message.channel)
        configured = config.account_for_channel(account.channel_id) if account else None
        if account is None or configured is None:
            # no account, or one of another installation's workspace
            return Outcome("ignored", "channel belongs to no account")
        if configured.mode == "off":
            return Outcome("ignored", "the bot is off in this channel")
        triage_only = configured.mode == "triage"
        opening = intake.action is Action.OPEN
        chatter = _chatter(message) if opening else None
        to = _addressee(config, message, bot)
        if opening and chatter is None and to is not None:
            return _addressed(session, account, message, to)
        if chatter is None:
            found = _conversation(session, config, account, message, opening=opening)
            if found is None:
                return Outcome("ignored", "thread is not a conversation")
            conversation, joined = found
            stored = _store(session, conversation, message, intake.author, joined=joined)
            joined_escalated = joined and conversation.status == "escalated"
            pending = _pending(session, account, conversation, stored, intake.author)
            if isinstance(pending, _Pending) and _to_our_people(session, conversation, pending, to):
                return Outcome("recorded", "reply to one of our people", pending.conversation_id)
    if chatter is not None:
        return _acknowledge_chatter(config, replier, message, chatter)
    if joined_escalated:
        return _joined_escalation(engine, config, desk, conversation_id=conversation.id)
    if isinstance(pending, Outcome):
        return pending
    after_answer = pending.follow_up or pending.joined
    reply: BotReply | None = None
    if pending.decision is not None:
        decision_row = pending.decision
    elif pending.follow_up and _chatter(message) is not None:
        return Outcome("recorded", "chatter after an answer", pending.conversation_id)
    else:
        outcome = triage.triage(message.text, account_language=pending.account_language)
        if after_answer and _is_thanks(outcome, message.text):
            return Outcome("recorded", "thank-you after an answer", pending.conversation_id)
        # One transaction reads the history and any running playbook, records the decision and
        # builds its reply.
        with session_scope(engine) as session:
            decision_row = _decide(session, config, pending, outcome, message.text, triage_only)
            if decision_row.reply_ts is None and not triage_only:
                reply = _reply_for(session, decision_row, pending, config)
    if decision_row.reply_ts is None and not triage_only:
        if reply is None:
            with session_scope(engine) as session:
                reply = _reply_for(session, decision_row, pending, config)
        posted = replier.post_reply(
            channel=message.channel,
            thread_ts=message.root_ts,
            reply=reply,
            key=reply_key(decision_row.id),
            # A stored decision without its reply: the attempt that made it may have posted the
            # reply and failed before recording it.
            maybe_sent=pending.decision is not None,
        )
        record_reply(
            engine=engine,
            decision_id=decision_row.id,
            conversation_id=pending.conversation_id,
            posted=posted,
            bot=bot,
        )
    elif not decision_row.escalate:
        return Outcome("duplicate", "already answered", pending.conversation_id)
    if decision_row.escalate:
        _post_card(engine, config, desk, decision_row)
    action = "escalated" if decision_row.escalate else "answered"
    logger.info(
        "conversation %s %s (triggers: %s)",
        pending.conversation_id,
        action,
        decision_row.fired_triggers or "none",
    )
    return Outcome(action, decision_row.fired_triggers, pending.conversation_id)


def _decide(
    session: Session,
    config: EscalationConfig,
    pending: _Pending,
    outcome: TriageOutcome,
    text: str,
    triage_only: bool,
) -> TriageDecision:
    """Decide on a triaged request (its history, the policy, a running playbook) and record it."""
    confidence = outcome.confidence if outcome.answer is not None else 0.0
    repeat = _repeat_context(session, config, outcome, pending)
    surge = _running_playbook(session, config, team_id=pending.team_id)
    decision = decide(
        signals=outcome.signals,
        confidence=confidence,
        tier=pending.account_tier,
        policy=surge_policy(config.policy, surge.playbook) if surge else config.policy,
        repeat=repeat,
    )
    if surge is not None:
        outcome, decision = _apply_playbook(surge, outcome, decision, pending.account_tier)
    if triage_only:
        decision = _to_a_person(decision)
    return _record_decision(session, config, pending, outcome, decision, confidence, text)


def _addressee(
    config: EscalationConfig, message: IncomingMessage, bot: BotIdentity
) -> Addressee | None:
    return addressee(
        message.text,
        bot_user_id=bot.user_id,
        is_staff=lambda user: config.is_agent(user) or config.is_lead(user),
    )


def _addressed(
    session: Session, account: Account, message: IncomingMessage, to: Addressee
) -> Outcome:
    """A top-level message written to a person opens no conversation. Written to one of our
    agents, it is stored in the conversation that agent has claimed for this account, if any
    (Slack notifies the agent of the mention either way)."""
    if not to.ours:
        return Outcome("ignored", "addressed to a person of the customer's organisation")
    assert account.id is not None
    escalation = claimed_by_agent(session=session, account_id=account.id, agent=to.user_id)
    conversation = (
        session.get(Conversation, escalation.conversation_id) if escalation is not None else None
    )
    if conversation is None:
        return Outcome("ignored", "addressed to one of our people: no conversation of theirs")
    _store(session, conversation, message, Author.CUSTOMER)
    return Outcome("recorded", "addressed to the agent of this conversation", conversation.id)


def _to_a_person(decision: Decision) -> Decision:
    """In a channel in ``triage`` mode every request goes to a person, with the reasons kept."""
    if decision.escalate:
        return decision
    mode = Trigger("mode", True, "triage", None, "the channel is in triage mode: people answer")
    return Decision(escalate=True, triggers=(*decision.triggers, mode))


def _to_our_people(
    session: Session, conversation: Conversation, pending: _Pending, to: Addressee | None
) -> bool:
    """A follow-up in the thread that mentions one of our people, or that answers an agent who
    joined a thread the bot answered, is theirs: no triage, no new escalation."""
    if not pending.follow_up or pending.decision is not None:
        return False
    if to is not None and to.ours:
        return True
    return conversation.status == "answered" and has_staff_message(
        session=session, conversation_id=pending.conversation_id
    )


def _chatter(message: IncomingMessage) -> ChatterKind | None:
    """Thanks, greetings, emoji-only ...: not a request (a shared file always is one)."""
    return None if message.has_files else chatter_kind(message.text)


def _acknowledge_chatter(
    config: EscalationConfig, replier: ThreadReplier, message: IncomingMessage, kind: ChatterKind
) -> Outcome:
    """No conversation, no reply, no card: at most the configured emoji reaction."""
    reaction = config.policy.chatter_reaction
    if reaction is not None:
        replier.react(channel=message.channel, ts=message.ts, name=reaction)
    logger.info("chatter (%s) in %s: no conversation opened", kind.value, message.channel)
    return Outcome("ignored", f"chatter: {kind.value}")


@dataclass(frozen=True)
class _RunningPlaybook:
    playbook: PlaybookConfig
    status_url: str | None
    note: str | None


def _running_playbook(
    session: Session, config: EscalationConfig, *, team_id: str
) -> _RunningPlaybook | None:
    surge = active_surge(session=session, team_id=team_id)
    if surge is None or surge.playbook not in config.surge.playbooks:
        return None
    return _RunningPlaybook(config.surge.playbooks[surge.playbook], surge.status_url, surge.note)


def _apply_playbook(
    surge: _RunningPlaybook, outcome: TriageOutcome, decision: Decision, tier: str
) -> tuple[TriageOutcome, Decision]:
    """During a surge, reports of the surge itself get the playbook's reply instead of a queue."""
    effect = playbook_effect(
        playbook=surge.playbook,
        intent=outcome.signals.intent,
        tier=tier,
        fired=decision.fired_types,
    )
    if effect.to_a_person and not decision.escalate:
        note = Trigger("playbook", True, outcome.signals.intent, None, effect.reason)
        return outcome, Decision(escalate=True, triggers=(*decision.triggers, note))
    if not effect.reply_with_playbook:
        return outcome, decision
    reply = playbook_reply(surge.playbook, status_url=surge.status_url, note=surge.note)
    answered = replace(outcome, answer=Answer(text=reply, citations=[], confidence=1.0))
    note = Trigger("playbook", True, outcome.signals.intent, None, effect.reason)
    return answered, Decision(escalate=False, triggers=(*decision.triggers, note))


def _post_card(
    engine: Engine, config: EscalationConfig, desk: AgentDesk, decision_row: TriageDecision
) -> None:
    with session_scope(engine) as session:
        escalation = escalation_for_decision(session=session, decision_id=decision_row.id)
        escalation_id = escalation.id if escalation else None
    if escalation_id is not None:
        post_card(engine=engine, config=config, desk=desk, escalation_id=escalation_id)


def _joined_escalation(
    engine: Engine, config: EscalationConfig, desk: AgentDesk, *, conversation_id: int | None
) -> Outcome:
    """A follow-up that joined an escalated conversation is the agent's to read: no triage, no
    second card; the posted card is updated to show it."""
    with session_scope(engine) as session:
        assert conversation_id is not None
        escalation = open_escalation_for(session=session, conversation_id=conversation_id)
        escalation_id = escalation.id if escalation is not None else None
    if escalation_id is not None:
        refresh_cards(engine=engine, config=config, desk=desk, escalation_id=escalation_id)
    return Outcome("recorded", "joined the escalated conversation", conversation_id)


def _conversation(
    session: Session,
    config: EscalationConfig,
    account: Account,
    message: IncomingMessage,
    *,
    opening: bool,
) -> tuple[Conversation, bool] | None:
    """The message's conversation, and whether the message joins it as a follow-up top-level
    message. A customer's top-level message within the follow-up window of their last message
    joins that conversation; any other opens its own."""
    if not opening:
        found = conversation_for_thread(
            session=session, channel_id=message.channel, thread_ts=message.root_ts
        )
        return (found, False) if found is not None else None
    assert account.id is not None and message.user is not None
    # a retry finds where the first attempt put the message
    earlier = conversation_for_thread(
        session=session, channel_id=message.channel, thread_ts=message.ts
    )
    if earlier is not None:
        return earlier, earlier.thread_ts != message.ts
    joined = joinable_conversation(
        session=session,
        account_id=account.id,
        channel_id=message.channel,
        customer_user_id=message.user,
        slack_ts=message.ts,
        window_seconds=config.policy.follow_up_window_minutes * 60,
    )
    if joined is not None:
        return joined, True
    conversation, _ = open_conversation(
        session=session,
        account_id=account.id,
        channel_id=message.channel,
        thread_ts=message.root_ts,
        customer_user_id=message.user,
        customer_team_id=message.team,
        team_id=account.team_id,
        looked_up=True,  # ``earlier`` above
    )
    return conversation, False


def _store(
    session: Session,
    conversation: Conversation,
    message: IncomingMessage,
    author: Author,
    *,
    joined: bool = False,
) -> Message:
    added = add_message(
        session=session,
        conversation=conversation,
        slack_ts=message.ts,
        author=author.value,
        text=message.text,
        user_id=message.user,
        team_id=message.team,
        joined=joined,
    )
    if added is not None:
        session.flush()
        return added
    assert conversation.id is not None
    existing = message_by_ts(session=session, conversation_id=conversation.id, slack_ts=message.ts)
    assert existing is not None
    return existing


def _pending(
    session: Session,
    account: Account,
    conversation: Conversation,
    stored: Message,
    author: Author,
) -> _Pending | Outcome:
    assert conversation.id is not None and stored.id is not None
    if author is not Author.CUSTOMER:
        if author is Author.STAFF:
            queue_reply_email(
                session=session,
                conversation_id=conversation.id,
                message_id=stored.id,
                text=stored.text,
                now=utcnow(),
            )
        return Outcome("recorded", "staff message", conversation.id)
    opening = stored.slack_ts == conversation.thread_ts
    joined = stored.joined and conversation.status in ("open", "answered")
    follow_up = not opening and not stored.joined and conversation.status in FOLLOW_UP_STATUSES
    existing = decision_for_message(session=session, message_id=stored.id)
    if existing is None and not opening and not follow_up and not joined:
        return Outcome("recorded", f"conversation is {conversation.status}", conversation.id)
    return _Pending(
        conversation_id=conversation.id,
        message_id=stored.id,
        team_id=account.team_id,
        account_id=conversation.account_id,
        account_tier=account.tier,
        account_language=account.language,
        customer_user_id=conversation.customer_user_id,
        follow_up=follow_up,
        joined=joined,
        decision=existing,
    )


def _is_thanks(outcome: TriageOutcome, text: str) -> bool:
    """A positive note after an answer ("thanks, that worked!") is not asking again."""
    signals = outcome.signals
    return (
        signals.intent == "feedback"
        and signals.sentiment_label is SentimentLabel.POSITIVE
        and "?" not in text
        and not signals.frustration
    )


def _repeat_context(
    session: Session, config: EscalationConfig, outcome: TriageOutcome, pending: _Pending
) -> RepeatContext:
    """A reply in an answered thread asks again; a top-level message that joined the
    conversation is more of the request, unless it says the answer did not help. Either way
    the conversation's earlier requests and the customer's recent answers count too."""
    cues = outcome.signals.cues
    not_helped = Cue.STILL_BROKEN in cues or Cue.REPEAT_CONTACT in cues
    return repeat_context(
        session,
        config.policy,
        conversation_id=pending.conversation_id,
        account_id=pending.account_id,
        customer_user_id=pending.customer_user_id,
        answer=outcome.answer,
        after_bot_answer=pending.follow_up,
        said_not_helped=(pending.follow_up or pending.joined) and not_helped,
        now=utcnow(),
    )


def _record_decision(
    session: Session,
    config: EscalationConfig,
    pending: _Pending,
    outcome: TriageOutcome,
    decision: Decision,
    confidence: float,
    text: str,
) -> TriageDecision:
    signals = outcome.signals
    answer = None if decision.escalate or outcome.answer is None else outcome.answer
    row = add_decision(
        session=session,
        decision=TriageDecision(
            conversation_id=pending.conversation_id,
            message_id=pending.message_id,
            escalate=decision.escalate,
            fired_triggers=",".join(decision.fired_types),
            triggers=json.dumps(decision.as_record()),
            intent=signals.intent,
            sentiment=signals.sentiment,
            language=signals.language,
            frustration=signals.frustration,
            confidence=confidence,
            summary=_summary(session, pending, outcome.summary),
            backend=outcome.backend,
            fallback_reason=outcome.fallback_reason,
            answer=json.dumps(asdict(answer)) if answer is not None else None,
        ),
    )
    conversation = session.get(Conversation, pending.conversation_id)
    assert conversation is not None
    record_signals(
        session=session,
        config=config,
        conversation=conversation,
        account=session.get_one(Account, conversation.account_id),
        signals=signals,
        text=text,
        escalate=row.escalate,
        fired=decision.fired_types,
        now=utcnow(),
    )
    conversation.intent = row.intent
    conversation.language = row.language
    if row.escalate and conversation.status != "escalated":
        now = utcnow()
        conversation.status = "escalated"
        conversation.escalated_at = now
        account = session.get(Account, conversation.account_id)
        assert account is not None
        if open_escalation_for(session=session, conversation_id=pending.conversation_id) is None:
            open_escalation(
                session=session,
                config=config,
                conversation=conversation,
                account=account,
                skill=config.taxonomy.skill_map.get(row.intent, "general"),
                language=_customer_language(row.language, account.language),
                decision_id=row.id,
                page_url=page_url(text),
                now=now,
            )
    elif not row.escalate and conversation.status != "escalated":
        conversation.status = "answered"
    conversation.updated_at = utcnow()
    session.add(conversation)
    return row


def _customer_language(detected: str, account_language: str) -> str:
    """The message's language when it was recognised, else the account's."""
    return detected if len(detected) == 2 and detected.isalpha() else account_language


def _summary(session: Session, pending: _Pending, latest: str) -> str:
    """The decision's summary: for a follow-up, the original request comes first."""
    if not (pending.follow_up or pending.joined):
        return latest
    conversation = session.get(Conversation, pending.conversation_id)
    first = (
        message_by_ts(
            session=session,
            conversation_id=pending.conversation_id,
            slack_ts=conversation.thread_ts,
        )
        if conversation
        else None
    )
    if first is None:
        return latest
    return f"{extractive_summary(first.text, limit=150)}\nFollow-up: {latest}"


def _reply_for(
    session: Session, row: TriageDecision, pending: _Pending, config: EscalationConfig
) -> BotReply:
    assert row.id is not None
    skill = config.taxonomy.skill_map.get(row.intent, "general")
    if row.escalate or row.answer is None:
        escalation = escalation_for_decision(session=session, decision_id=row.id)
        if escalation is None:
            escalation = open_escalation_for(
                session=session, conversation_id=pending.conversation_id
            )
        if escalation is not None:
            return handoff_reply(
                session,
                config,
                escalation,
                customer_user_id=pending.customer_user_id,
                now=utcnow(),
            )
        return BotReply(
            kind=ReplyKind.HANDOFF,
            conversation_id=pending.conversation_id,
            customer_user_id=pending.customer_user_id,
            language=row.language,
            skill=skill,
            text=transition_text(
                skill,
                language=row.language,
                customer=f"<@{pending.customer_user_id}>",
                overrides=config.messages,
            ),
        )
    data = json.loads(row.answer)
    answer = Answer(
        text=data["text"],
        citations=[Citation(**c) for c in data["citations"]],
        confidence=data["confidence"],
    )
    return BotReply(
        kind=ReplyKind.ANSWER,
        conversation_id=pending.conversation_id,
        customer_user_id=pending.customer_user_id,
        language=row.language,
        skill=skill,
        answer=answer,
    )


def reply_key(decision_id: int | None) -> str:
    """The key marking the reply to a decision in its message metadata."""
    return f"reply:{decision_id}"


def record_reply(
    *,
    engine: Engine,
    decision_id: int | None,
    conversation_id: int,
    posted: Posted,
    bot: BotIdentity,
) -> None:
    """Record what the bot posted for a decision (after it was posted): three statements, no
    reads."""
    with session_scope(engine) as session:
        session.execute(
            update(TriageDecision)
            .where(col(TriageDecision.id) == decision_id)
            .values(reply_ts=posted.ts)
        )
        session.execute(
            update(Conversation)
            .where(col(Conversation.id) == conversation_id)
            .values(bot_reply_ts=posted.ts, updated_at=utcnow())
        )
        add_once(
            session,
            Message(
                conversation_id=conversation_id,
                slack_ts=posted.ts,
                author=Author.BOT.value,
                text=posted.text,
                user_id=bot.user_id,
                team_id=bot.team_id,
            ),
        )
