"""The bot's own identity, from Bolt's authorization (auth.test) of the request."""

from __future__ import annotations

from slack_bolt import BoltContext

from app.conversations.intake import BotIdentity


def bot_identity(context: BoltContext) -> BotIdentity:
    result = context.authorize_result
    team_id = (result.team_id if result else None) or context.team_id or ""
    user_id = (result.bot_user_id if result else None) or context.bot_user_id or ""
    return BotIdentity(team_id=team_id, user_id=user_id)
