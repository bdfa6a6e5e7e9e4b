"""What a conversation's history, and the customer's recent ones, say about a new request:
how many requests came before it, the sentiment across the thread, and whether the knowledge
base would give them an answer they were already given without it solving anything."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlmodel import Session

from app.config_file import PolicyConfig
from app.db.decisions import answers_given, conversation_sentiments
from app.db.models import as_utc
from app.knowledge.answer import Answer
from app.policy.matrix import RepeatContext


def repeat_context(
    session: Session,
    policy: PolicyConfig,
    *,
    conversation_id: int,
    account_id: int,
    customer_user_id: str,
    answer: Answer | None,
    after_bot_answer: bool,
    said_not_helped: bool,
    now: datetime,
) -> RepeatContext:
    sentiments = conversation_sentiments(session=session, conversation_id=conversation_id)
    return RepeatContext(
        after_bot_answer=after_bot_answer,
        said_not_helped=said_not_helped,
        earlier_asks=len(sentiments),
        earlier_sentiments=tuple(sentiments),
        same_answer_days_ago=_same_answer_days_ago(
            session,
            policy,
            account_id=account_id,
            customer_user_id=customer_user_id,
            conversation_id=conversation_id,
            answer=answer,
            now=now,
        ),
    )


def _same_answer_days_ago(
    session: Session,
    policy: PolicyConfig,
    *,
    account_id: int,
    customer_user_id: str,
    conversation_id: int,
    answer: Answer | None,
    now: datetime,
) -> int | None:
    """Days since the customer was given this answer's first article in another conversation
    they did not mark solved; None if they were not (or the comparison is off)."""
    days = policy.repeat.same_answer_days
    if days == 0 or answer is None or not answer.citations:
        return None
    article = answer.citations[0].url
    given = answers_given(
        session=session,
        account_id=account_id,
        customer_user_id=customer_user_id,
        since=now - timedelta(days=days),
        other_than=conversation_id,
    )
    for when, recorded in given:
        citations = json.loads(recorded).get("citations") or []
        if citations and citations[0].get("url") == article:
            return max(0, (now - as_utc(when)).days)
    return None
