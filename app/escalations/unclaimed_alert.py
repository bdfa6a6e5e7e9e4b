"""The team alert for an enterprise escalation nobody claimed within its window: queued in the
transaction that marks the escalation overflowed, so it is sent once per escalation."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from app.config_file import EscalationConfig
from app.db.models import Account, Conversation, Escalation, as_utc
from app.integrations.alerts import ENTERPRISE_UNCLAIMED, alert_payload, enqueue_alert, thread_link

ENTERPRISE = "enterprise"


def queue_unclaimed_alert(
    *, session: Session, config: EscalationConfig, escalation_id: int, now: datetime
) -> bool:
    """Queue the alert if the escalation is an enterprise one and a channel is configured."""
    channel = config.alerts.enterprise_unclaimed
    escalation = session.get(Escalation, escalation_id)
    if channel is None or escalation is None or escalation.tier != ENTERPRISE:
        return False
    account = session.get_one(Account, escalation.account_id)
    conversation = session.get_one(Conversation, escalation.conversation_id)
    waited = max(0, int((now - as_utc(escalation.created_at)).total_seconds() // 60))
    window = config.claim_window_minutes(escalation.tier)
    enqueue_alert(
        session=session,
        key=f"{ENTERPRISE_UNCLAIMED}:{escalation_id}",
        payload=alert_payload(
            event=ENTERPRISE_UNCLAIMED,
            team_id=escalation.team_id,
            channel=channel,
            title=f"Enterprise escalation #{escalation_id} from {account.name} is unclaimed",
            fields=[
                ("Waiting", f"{waited} min (window {window} min)"),
                ("Skill", escalation.skill),
            ],
            link=thread_link(conversation.channel_id, conversation.thread_ts),
        ),
        now=now,
    )
    return True
