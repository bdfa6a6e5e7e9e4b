from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from app.config_file import AccountConfig
from app.db.accounts import account_for_channel, sync_accounts
from app.db.conversations import add_message, open_conversation
from app.db.engine import session_scope
from app.db.models import utcnow
from app.metrics.activity import activity_summary, parse_window_days


@pytest.mark.parametrize(("text", "days"), [("", 7), ("30", 30), ("30d", 30), (" 14 days ", 14)])
def test_window_parsing(text: str, days: int) -> None:
    assert parse_window_days(text) == days


@pytest.mark.parametrize("text", ["0d", "400d", "last week", "-3"])
def test_bad_windows(text: str) -> None:
    with pytest.raises(ValueError, match=r"window|read"):
        parse_window_days(text)


def test_summary_counts_in_the_window_per_tier(engine: Engine) -> None:
    accounts = [
        AccountConfig(name="A", channel="C0A", tier="enterprise"),
        AccountConfig(name="B", channel="C0B", tier="free"),
    ]
    now = utcnow()
    with session_scope(engine) as session:
        sync_accounts(session=session, accounts=accounts)
        for channel, ts, age_days in [("C0A", "1.1", 1), ("C0A", "2.1", 2), ("C0B", "3.1", 40)]:
            account = account_for_channel(session=session, channel_id=channel)
            assert account is not None and account.id is not None
            conversation, _ = open_conversation(
                session=session,
                account_id=account.id,
                channel_id=channel,
                thread_ts=ts,
                customer_user_id="U0C",
                customer_team_id="T0C",
            )
            conversation.created_at = now - timedelta(days=age_days)
            message = add_message(
                session=session,
                conversation=conversation,
                slack_ts=ts,
                author="customer",
                text="hi",
                user_id="U0C",
                team_id="T0C",
            )
            assert message is not None
            message.created_at = now - timedelta(days=age_days)
    with session_scope(engine) as session:
        week = activity_summary(session=session, days=7, now=now)
        quarter = activity_summary(session=session, days=90, now=now)
    assert (week.conversations, week.customer_messages) == (2, 2)
    assert week.conversations_by_tier == {"enterprise": 2}
    assert quarter.conversations_by_tier == {"enterprise": 2, "free": 1}
