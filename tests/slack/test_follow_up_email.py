"""'Email me instead' after 'Follow up later': the address comes from the customer's Slack
profile, the choice and the email are stored before anything is sent, the email reaches the
local SMTP server once, an SMTP outage is retried by the worker, and refusals are visible."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select

from app.db.models import utcnow
from app.db.outbox_table import OutboxEvent
from app.escalations.email_follow_up import EMAIL_KIND
from app.messages import render
from app.slack.client import build_web_client
from app.worker.outbox_jobs import deliver_outbox, outbox_senders
from standins.local_slack import OUR_TEAM, LocalSlack
from tests.slack.test_handoff import card_in, escalate, escalations, latest, press
from tests.slack.test_triage_flow import bot_replies
from tests.smtp_server import SmtpServer, smtp_server

__all__ = ["smtp_server"]

GLOBEX, BILLING = "C0GLOBEX", "C0BILLING"


@pytest.fixture
def mail_slack(
    database_url: str, example_config_path: Path, smtp_server: SmtpServer
) -> Iterator[LocalSlack]:
    with LocalSlack(
        database_url=database_url,
        config_path=example_config_path,
        smtp_url=smtp_server.url,
        smtp_from="support@example.com",
    ) as local:
        yield local


def emails(slack: LocalSlack) -> list[OutboxEvent]:
    """The outbox rows of the follow-up emails (their payload holds to, subject, body)."""
    assert slack.runtime is not None
    with Session(slack.runtime.engine) as session:
        query = select(OutboxEvent).where(col(OutboxEvent.kind) == EMAIL_KIND)
        return list(session.exec(query.order_by(col(OutboxEvent.id))))


def worker_sends_emails(slack: LocalSlack, *, now: datetime) -> int:
    """One pass of the worker's outbox sweep (its senders as the settings configure them); how
    many follow-up emails it delivered."""
    assert slack.runtime is not None
    senders = outbox_senders(slack.runtime, build_web_client(slack.runtime.settings))
    before = sum(e.status == "delivered" for e in emails(slack))
    deliver_outbox(slack.runtime, senders, lambda: [], now=now)
    return sum(e.status == "delivered" for e in emails(slack)) - before


def email_me_instead(slack: LocalSlack, message: dict[str, Any], customer: Any) -> None:
    press(
        slack,
        message,
        "follow_up_by_email",
        user=customer.user_id,
        team=customer.team_id,
        channel=GLOBEX,
    )


def _chose_follow_up(slack: LocalSlack, *, email: str | None) -> tuple[Any, dict[str, Any], str]:
    customer, root = escalate(slack, GLOBEX, "I want a refund for the duplicate charge")
    slack.standin.add_user(
        customer.user_id, team_id=customer.team_id, name="maria", real_name="Maria", email=email
    )
    transition = bot_replies(slack, GLOBEX, root)[0]
    press(
        slack,
        transition,
        "follow_up_later",
        user=customer.user_id,
        team=customer.team_id,
        channel=GLOBEX,
    )
    offered = slack.standin.wait_for(
        lambda: (
            (m := latest(slack, GLOBEX, transition["ts"], root))
            and "follow_up_by_email" in json.dumps(m["blocks"])
            and m
        )
    )
    return customer, offered, root


def test_the_customer_chooses_email_and_gets_it_once(
    mail_slack: LocalSlack, smtp_server: SmtpServer
) -> None:
    slack = mail_slack
    customer, offered, root = _chose_follow_up(slack, email="maria@globex.example")
    email_me_instead(slack, offered, customer)
    slack.standin.wait_for(lambda: smtp_server.inbox.messages)
    [message] = smtp_server.inbox.messages
    [escalation] = escalations(slack)
    assert message["To"] == "maria@globex.example"
    assert message["Subject"] == f"Your support request #{escalation.id}"
    chosen = render("follow_up.email_chosen", language="en", window="2 hours")
    updated = slack.standin.wait_for(
        lambda: (
            (m := latest(slack, GLOBEX, offered["ts"], root))
            and chosen in json.dumps(m["blocks"])
            and m
        )
    )
    assert "follow_up_by_email" not in json.dumps(updated["blocks"])
    [stored] = slack.standin.wait_for(lambda: [e for e in emails(slack) if e.status == "delivered"])
    assert stored.attempts == 1 and escalation.follow_up_by == "email"
    assert json.loads(stored.payload)["to"] == "maria@globex.example"
    card = slack.standin.wait_for(
        lambda: (
            (c := latest(slack, BILLING, escalations(slack)[0].card_ts or ""))
            and "maria@globex.example" in json.dumps(c["blocks"])
            and c
        )
    )
    assert "follow-up by email" in json.dumps(card["blocks"])

    # A second click changes nothing and says so; the worker has nothing left to send.
    email_me_instead(slack, offered, customer)
    [again] = slack.standin.wait_for(lambda: slack.standin.ephemerals_for(customer.user_id))
    assert chosen in again["text"]
    assert slack.runtime is not None
    assert worker_sends_emails(slack, now=utcnow()) == 0
    assert len(smtp_server.inbox.messages) == 1


def test_an_smtp_outage_is_retried_by_the_worker(
    mail_slack: LocalSlack, smtp_server: SmtpServer
) -> None:
    slack = mail_slack
    smtp_server.inbox.refuse = True
    customer, offered, _root = _chose_follow_up(slack, email="maria@globex.example")
    email_me_instead(slack, offered, customer)
    [stored] = slack.standin.wait_for(lambda: [e for e in emails(slack) if e.last_error])
    assert stored.status == "pending" and "451" in (stored.last_error or "")
    assert "maria" not in (stored.last_error or "")
    smtp_server.inbox.refuse = False
    assert slack.runtime is not None
    now = utcnow()
    assert worker_sends_emails(slack, now=now) == 0  # paused
    later = now + timedelta(minutes=2)  # past the outbox's first pause (30-45 s)
    assert worker_sends_emails(slack, now=later) == 1
    assert worker_sends_emails(slack, now=later) == 0
    assert [m["To"] for m in smtp_server.inbox.messages] == ["maria@globex.example"]
    [sent] = emails(slack)
    assert (sent.status, sent.attempts) == ("delivered", 2)


def test_no_email_on_the_profile_is_told_and_nothing_is_stored(
    mail_slack: LocalSlack, smtp_server: SmtpServer
) -> None:
    slack = mail_slack
    customer, offered, _root = _chose_follow_up(slack, email=None)
    email_me_instead(slack, offered, customer)
    [refusal] = slack.standin.wait_for(lambda: slack.standin.ephemerals_for(customer.user_id))
    assert refusal["text"] == render("follow_up.email_missing", language="en")
    assert emails(slack) == [] and escalations(slack)[0].follow_up_by is None
    assert smtp_server.inbox.messages == []


def test_someone_else_cannot_choose_email_for_the_customer(
    mail_slack: LocalSlack, smtp_server: SmtpServer
) -> None:
    slack = mail_slack
    _customer, offered, _root = _chose_follow_up(slack, email="maria@globex.example")
    press(slack, offered, "follow_up_by_email", user="U0AGENT1", channel=GLOBEX)
    [refusal] = slack.standin.wait_for(lambda: slack.standin.ephemerals_for("U0AGENT1"))
    assert "Only the customer" in refusal["text"]
    assert emails(slack) == [] and smtp_server.inbox.messages == []


def test_without_smtp_settings_no_email_option_is_offered(slack: LocalSlack) -> None:
    customer, root = escalate(slack, GLOBEX, "I want a refund for the duplicate charge")
    transition = bot_replies(slack, GLOBEX, root)[0]
    press(
        slack,
        transition,
        "follow_up_later",
        user=customer.user_id,
        team=customer.team_id,
        channel=GLOBEX,
    )
    slack.standin.wait_for(lambda: escalations(slack)[0].follow_up_later)
    message = slack.standin.wait_for(
        lambda: (
            (m := latest(slack, GLOBEX, transition["ts"], root))
            and "follow_up_later" not in json.dumps(m["blocks"])
            and m
        )
    )
    assert "follow_up_by_email" not in json.dumps(message["blocks"])


def test_the_agents_reply_in_the_thread_reaches_the_customer_by_email(
    mail_slack: LocalSlack, smtp_server: SmtpServer
) -> None:
    slack = mail_slack
    assert slack.runtime is not None
    customer, offered, root = _chose_follow_up(slack, email="maria@globex.example")
    email_me_instead(slack, offered, customer)
    slack.standin.wait_for(lambda: smtp_server.inbox.messages)  # the confirmation
    press(slack, card_in(slack, BILLING), "claim_escalation", user="U0AGENT1", channel=BILLING)
    slack.standin.wait_for(lambda: escalations(slack)[0].status == "claimed")

    reply = slack.say(
        GLOBEX,
        user="U0AGENT1",
        team=OUR_TEAM,
        text="Refunded: see <https://billing.example.com/r/42|your receipt> &amp; thanks",
        thread_ts=root,
    )
    # Slack delivers the same message again: still one email.
    assert slack.sender is not None
    again = slack.sender.message(
        GLOBEX,
        "U0AGENT1",
        "Refunded: see <https://billing.example.com/r/42|your receipt> &amp; thanks",
        user_team=OUR_TEAM,
        ts=reply.ts,
        thread_ts=root,
    )
    slack.wait_processed(again.event_id)
    assert worker_sends_emails(slack, now=utcnow()) == 1
    assert worker_sends_emails(slack, now=utcnow()) == 0

    [_confirmation, emailed] = smtp_server.inbox.messages
    [escalation] = escalations(slack)
    assert emailed["To"] == "maria@globex.example"
    assert emailed["Subject"] == f"Re: Your support request #{escalation.id}"
    body = emailed.get_payload(decode=True).decode()
    assert "Refunded: see your receipt (https://billing.example.com/r/42) & thanks" in body

    # The customer's own messages are not mailed back to them.
    slack.say(GLOBEX, user=customer.user_id, team=customer.team_id, text="Thanks!", thread_ts=root)
    assert worker_sends_emails(slack, now=utcnow()) == 0
    assert len(smtp_server.inbox.messages) == 2


def test_an_agents_reply_is_not_emailed_to_a_customer_followed_up_in_slack(
    mail_slack: LocalSlack, smtp_server: SmtpServer
) -> None:
    slack = mail_slack
    _customer, _offered, root = _chose_follow_up(slack, email="maria@globex.example")
    press(slack, card_in(slack, BILLING), "claim_escalation", user="U0AGENT1", channel=BILLING)
    slack.standin.wait_for(lambda: escalations(slack)[0].status == "claimed")
    slack.say(GLOBEX, user="U0AGENT1", team=OUR_TEAM, text="On it, Maria.", thread_ts=root)
    assert emails(slack) == [] and smtp_server.inbox.messages == []
