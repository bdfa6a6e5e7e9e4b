"""Who may answer for a conversation: the customer, or a colleague from their organisation."""

from __future__ import annotations

from app.db.models import Conversation


def customer_may_act(conversation: Conversation, *, user_id: str, user_team: str | None) -> bool:
    if user_id == conversation.customer_user_id:
        return True
    return conversation.customer_team_id is not None and user_team == conversation.customer_team_id
