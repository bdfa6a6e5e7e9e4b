"""CSAT: the hand-off survey after resolution, the lighter rating after "That solved it"."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlmodel import Session, select

from app.conversations.intake import BotIdentity
from app.db.models import CsatRating, utcnow
from app.db.outbox_table import DELIVERED, PENDING, OutboxEvent
from app.escalations.thread_notices import KIND as THREAD_NOTICE
from app.slack.client import build_web_client
from app.slack.workspaces import single_workspace
from app.worker.outbox_jobs import deliver_outbox, outbox_senders
from standins.local_slack import OUR_TEAM, Customer, LocalSlack
from tests.slack.test_answer_feedback import _answered, _click
from tests.slack.test_handoff import (
    BILLING,
    GLOBEX,
    card_in,
    claim_and_resolve,
    escalate,
    latest,
    press,
)
from tests.slack.test_triage_flow import bot_replies

INITECH = "C0INITECH"


def ratings(slack: LocalSlack) -> list[CsatRating]:
    assert slack.runtime is not None
    with Session(slack.runtime.engine) as session:
        return list(session.exec(select(CsatRating).order_by(CsatRating.id)))  # type: ignore[arg-type]


def _resolved(slack: LocalSlack) -> tuple[Customer, str, dict[str, Any]]:
    """An escalation claimed and resolved by an agent; returns the survey message."""
    assert slack.sender is not None
    customer, root = escalate(slack, GLOBEX, "Quiero un reembolso", "Maria")
    card = card_in(slack, BILLING)
    claim_and_resolve(slack, card, channel=BILLING, agent="U0AGENT1", tag="edge_case")
    survey = slack.standin.wait_for(
        lambda: next(
            (
                m
                for m in bot_replies(slack, GLOBEX, root)
                if "csat_rating" in json.dumps(m["blocks"])
            ),
            None,
        )
    )
    return customer, root, survey


def _rate(
    slack: LocalSlack, survey: dict[str, Any], value: int, *, user: str, team: str, channel: str
) -> None:
    assert slack.sender is not None
    [button] = [
        e
        for b in survey["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["value"].endswith(f":{value}")
    ]
    slack.sender.block_action(
        user=user,
        user_team=team,
        action_id=button["action_id"],
        value=button["value"],
        channel=channel,
        message_ts=survey["ts"],
        message=survey,
    )


def test_resolution_sends_a_survey_about_the_handoff(slack: LocalSlack) -> None:
    customer, root, survey = _resolved(slack)
    values = [
        e["value"].split(":")[1]
        for b in survey["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert values == ["1", "2", "3", "4", "5"]
    assert "hand-off" in survey["text"]
    slack.standin.wait_for(lambda: ratings(slack)[0].survey_ts)  # recorded after posting
    [row] = ratings(slack)
    assert (row.kind, row.rating, row.survey_ts) == ("escalation", None, survey["ts"])

    _rate(slack, survey, 4, user=customer.user_id, team=customer.team_id, channel=GLOBEX)
    slack.standin.wait_for(lambda: ratings(slack)[0].rating == 4)
    thanks = slack.standin.wait_for(
        lambda: (
            "csat_rating" not in json.dumps(latest(slack, GLOBEX, survey["ts"], root)["blocks"])
            and latest(slack, GLOBEX, survey["ts"], root)
        )
    )
    assert "4/5" in json.dumps(thanks["blocks"])
    # A second tap (from a stale copy) updates the answer, never adds one.
    _rate(slack, survey, 2, user=customer.user_id, team=customer.team_id, channel=GLOBEX)
    slack.standin.wait_for(lambda: ratings(slack)[0].rating == 2)
    assert len(ratings(slack)) == 1


def test_only_the_customers_team_may_answer(slack: LocalSlack) -> None:
    _customer, _root, survey = _resolved(slack)
    _rate(slack, survey, 5, user="U0AGENT1", team=OUR_TEAM, channel=GLOBEX)
    [refusal] = slack.standin.wait_for(lambda: slack.standin.ephemerals_for("U0AGENT1"))
    assert "Only the customer's team" in refusal["text"]
    assert ratings(slack)[0].rating is None


def test_an_expired_survey_is_closed(slack: LocalSlack) -> None:
    assert slack.runtime is not None
    customer, _root, survey = _resolved(slack)
    with Session(slack.runtime.engine) as session:
        row = session.exec(select(CsatRating)).one()
        row.expires_at = row.created_at - timedelta(minutes=1)
        session.add(row)
        session.commit()
    _rate(slack, survey, 5, user=customer.user_id, team=customer.team_id, channel=GLOBEX)
    [notice] = slack.standin.wait_for(lambda: slack.standin.ephemerals_for(customer.user_id))
    assert "closed" in notice["text"]
    assert ratings(slack)[0].rating is None


def test_a_comment_can_follow_the_rating(slack: LocalSlack) -> None:
    assert slack.sender is not None
    customer, root, survey = _resolved(slack)
    _rate(slack, survey, 3, user=customer.user_id, team=customer.team_id, channel=GLOBEX)
    thanks = slack.standin.wait_for(
        lambda: (
            "csat_comment" in json.dumps(latest(slack, GLOBEX, survey["ts"], root)["blocks"])
            and latest(slack, GLOBEX, survey["ts"], root)
        )
    )
    press(
        slack, thanks, "csat_comment", user=customer.user_id, team=customer.team_id, channel=GLOBEX
    )
    modal = slack.standin.wait_for(
        lambda: next(
            (v for v in slack.standin.opened_views() if v["callback_id"] == "csat_comment_modal"),
            None,
        )
    )
    result = slack.sender.view_submission(
        user=customer.user_id,
        user_team=customer.team_id,
        callback_id="csat_comment_modal",
        private_metadata=modal["private_metadata"],
        values={
            "comment": {
                "comment": {"type": "plain_text_input", "value": "Took a while, but solved."}
            }
        },
    )
    assert result.status == 200
    assert ratings(slack)[0].comment == "Took a while, but solved."


def test_contained_conversations_get_their_own_lighter_rating(slack: LocalSlack) -> None:
    customer, root, answer = _answered(slack)
    _click(slack, answer, "answer_solved", user=customer.user_id, team=customer.team_id)
    survey = slack.standin.wait_for(
        lambda: next(
            (
                m
                for m in bot_replies(slack, INITECH, root)
                if "csat_rating" in json.dumps(m["blocks"])
            ),
            None,
        )
    )
    _rate(slack, survey, 5, user=customer.user_id, team=customer.team_id, channel=INITECH)
    slack.standin.wait_for(lambda: ratings(slack) and ratings(slack)[0].rating == 5)
    [row] = ratings(slack)
    assert row.kind == "ai" and row.escalation_id is None


def _surveys(slack: LocalSlack, root: str) -> list[dict[str, Any]]:
    return [
        m for m in bot_replies(slack, INITECH, root) if "csat_rating" in json.dumps(m["blocks"])
    ]


def _survey_rows(slack: LocalSlack) -> list[OutboxEvent]:
    assert slack.runtime is not None
    with Session(slack.runtime.engine) as session:
        rows = session.exec(select(OutboxEvent).where(OutboxEvent.kind == THREAD_NOTICE))
        return [row for row in rows if row.idempotency_key.startswith("survey:")]


def test_a_contained_conversations_survey_slack_could_not_take_is_posted_once_by_the_sweep(
    slack: LocalSlack,
) -> None:
    """The survey after "That solved it" is an outbox row: Slack's hiccup leaves it pending,
    the worker's outbox sweep posts it once, and the rating knows its message."""
    assert slack.runtime is not None
    customer, root, answer = _answered(slack)
    slack.standin.fail_next("chat.postMessage", status=200, error="internal_error", channel=INITECH)
    _click(slack, answer, "answer_solved", user=customer.user_id, team=customer.team_id)
    slack.standin.wait_for(
        lambda: [r for r in _survey_rows(slack) if r.attempts == 1 and r.status == PENDING] or None
    )
    [row] = _survey_rows(slack)
    assert "internal_error" in (row.last_error or "")
    assert _surveys(slack, root) == []
    [rating] = ratings(slack)
    assert rating.kind == "ai" and rating.survey_ts is None

    client = build_web_client(slack.runtime.settings)
    workspaces = single_workspace(slack.runtime, client, BotIdentity("T0OURS", "U0BOT"))
    senders = outbox_senders(slack.runtime, client)
    later = utcnow() + timedelta(hours=1)  # past the row's backoff
    assert deliver_outbox(slack.runtime, senders, workspaces, now=later) == 1
    assert deliver_outbox(slack.runtime, senders, workspaces, now=later) == 0

    [survey] = _surveys(slack, root)
    [row] = _survey_rows(slack)
    assert row.status == DELIVERED and row.external_id == survey["ts"]
    [rating] = ratings(slack)
    assert rating.survey_ts == survey["ts"]
    _rate(slack, survey, 5, user=customer.user_id, team=customer.team_id, channel=INITECH)
    slack.standin.wait_for(lambda: ratings(slack)[0].rating == 5 or None)
