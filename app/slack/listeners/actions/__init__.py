"""Block Kit button listeners."""

from __future__ import annotations

import re

from slack_bolt import App

from app.slack.blocks.agent_home import SHIFT_OFF_ACTION, SHIFT_ON_ACTION
from app.slack.blocks.answer import NEEDS_HELP_ACTION, SOLVED_ACTION
from app.slack.blocks.csat import COMMENT_ACTION, RATING_ACTION
from app.slack.blocks.customer_handoff import FOLLOW_UP_BY_EMAIL_ACTION, FOLLOW_UP_LATER_ACTION
from app.slack.blocks.gap_digest import ARTICLE_WRITTEN_ACTION
from app.slack.blocks.handoff_card import (
    BUG_REPORT_ACTION,
    CLAIM_ACTION,
    REASSIGN_ACTION,
    RESOLVE_ACTION,
)
from app.slack.listeners.actions.answer_needs_help import answer_needs_help
from app.slack.listeners.actions.answer_solved import answer_solved
from app.slack.listeners.actions.claim_escalation import claim_escalation
from app.slack.listeners.actions.create_bug_report import create_bug_report
from app.slack.listeners.actions.csat_comment import csat_comment
from app.slack.listeners.actions.csat_rating import csat_rating
from app.slack.listeners.actions.follow_up_by_email import follow_up_by_email
from app.slack.listeners.actions.follow_up_later import follow_up_later
from app.slack.listeners.actions.gap_article_written import gap_article_written
from app.slack.listeners.actions.notify_surge_customers import notify_surge_customers
from app.slack.listeners.actions.reassign_escalation import reassign_escalation
from app.slack.listeners.actions.resolve_escalation import resolve_escalation
from app.slack.listeners.actions.shift_toggle import shift_off, shift_on
from app.slack.listeners.actions.start_surge_playbook import start_surge_playbook
from app.slack.surge_alerts import NOTIFY_CUSTOMERS_ACTION, START_PLAYBOOK_ACTION


def register(app: App) -> None:
    app.action(SOLVED_ACTION)(answer_solved)
    app.action(NEEDS_HELP_ACTION)(answer_needs_help)
    app.action(CLAIM_ACTION)(claim_escalation)
    app.action(RESOLVE_ACTION)(resolve_escalation)
    app.action(REASSIGN_ACTION)(reassign_escalation)
    app.action(BUG_REPORT_ACTION)(create_bug_report)
    app.action(FOLLOW_UP_LATER_ACTION)(follow_up_later)
    app.action(FOLLOW_UP_BY_EMAIL_ACTION)(follow_up_by_email)
    app.action(SHIFT_ON_ACTION)(shift_on)
    app.action(SHIFT_OFF_ACTION)(shift_off)
    app.action(re.compile(rf"^{RATING_ACTION}_\d$"))(csat_rating)
    app.action(COMMENT_ACTION)(csat_comment)
    app.action(ARTICLE_WRITTEN_ACTION)(gap_article_written)
    app.action(START_PLAYBOOK_ACTION)(start_surge_playbook)
    app.action(NOTIFY_CUSTOMERS_ACTION)(notify_surge_customers)
