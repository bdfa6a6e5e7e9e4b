"""The customer's thread is told who joined, then closed with a message and the hand-off survey:
each stored with the claim or resolution, posted once with its key, and a post Slack refused
is left to the worker, which posts it later (once, in order)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlmodel import Session, select

from app.db.models import CsatRating, Escalation, utcnow
from app.db.outbox_table import OutboxEvent
from app.escalations.thread_notices import KIND, NOTICE_GRACE
from app.slack.client import build_web_client
from app.worker.outbox_jobs import deliver_outbox, outbox_senders
from standins.local_slack import LocalSlack
from tests.slack.test_handoff import BILLING, GLOBEX, card_in, claim_and_resolve, escalate, press

REFUND = "Nos cobraron dos veces la factura, quiero un reembolso"
AGENT = "U0AGENT1"


@dataclass(frozen=True)
class Notice:
    """A thread notice as its outbox row has it."""

    kind: str
    key: str
    status: str
    attempts: int
    ts: str | None
    error: str | None


def _notices(slack: LocalSlack) -> list[Notice]:
    assert slack.runtime is not None
    with Session(slack.runtime.engine) as session:
        rows = session.exec(
            select(OutboxEvent).where(OutboxEvent.kind == KIND).order_by(OutboxEvent.id)  # type: ignore[arg-type]
        )
        return [
            Notice(
                json.loads(row.payload)["notice"],
                row.idempotency_key,
                row.status,
                row.attempts,
                row.external_id,
                row.last_error,
            )
            for row in rows
        ]


def _keyed_replies(slack: LocalSlack, thread_ts: str) -> list[dict[str, Any]]:
    """Our messages in the customer's thread that carry a key, oldest first."""
    return [
        m
        for m in slack.standin.messages_in(GLOBEX, thread_ts)
        if m.get("bot_id") and (m.get("metadata") or {}).get("event_payload", {}).get("key")
    ]


def _key(message: dict[str, Any]) -> str:
    return str(message["metadata"]["event_payload"]["key"])


def _worker_pass(slack: LocalSlack, *, later: timedelta) -> int:
    assert slack.runtime is not None
    senders = outbox_senders(slack.runtime, build_web_client(slack.runtime.settings))
    return deliver_outbox(slack.runtime, senders, lambda: [], now=utcnow() + later)


def test_claim_and_resolution_tell_the_thread_once_each_in_order(slack: LocalSlack) -> None:
    _customer, thread_ts = escalate(slack, GLOBEX, REFUND, "Maria")
    card = card_in(slack, BILLING)
    claim_and_resolve(slack, card, channel=BILLING, agent=AGENT, tag="edge_case")
    notices = slack.standin.wait_for(
        lambda: (rows := _notices(slack)) and all(n.status == "delivered" for n in rows) and rows
    )
    assert slack.runtime is not None
    with Session(slack.runtime.engine) as session:
        [escalation] = session.exec(select(Escalation))
        [rating] = session.exec(select(CsatRating))
    assert [n.kind for n in notices] == ["joined", "closing", "survey"]
    joined, closing, survey = _keyed_replies(slack, thread_ts)[1:]  # after the hand-off message
    assert f"<@{AGENT}>" in joined["text"]
    assert [_key(m) for m in (joined, closing, survey)] == [n.key for n in notices]
    assert [n.ts for n in notices] == [joined["ts"], closing["ts"], survey["ts"]]
    assert notices[0].key.startswith(f"joined:{escalation.id}:")
    assert notices[1].key == f"closing:{escalation.id}"
    buttons = [e["action_id"] for b in survey["blocks"] for e in b.get("elements", [])]
    assert buttons and all(a.startswith("csat_rating") for a in buttons)
    assert notices[2].key == f"survey:{rating.id}" and rating.survey_ts == survey["ts"]
    # The click's own posts need no look in the thread; the worker finds nothing to do.
    assert slack.standin.calls_to("conversations.replies") == []
    assert _worker_pass(slack, later=NOTICE_GRACE * 2) == 0


def test_a_post_slack_refused_is_posted_by_the_worker_once(slack: LocalSlack) -> None:
    _customer, thread_ts = escalate(slack, GLOBEX, REFUND, "Maria")
    card = card_in(slack, BILLING)
    slack.standin.fail_next("chat.postMessage", status=200, error="fatal_error", channel=GLOBEX)
    press(slack, card, "claim_escalation", user=AGENT, channel=BILLING)
    [notice] = slack.standin.wait_for(
        lambda: (
            (rows := _notices(slack))
            and (rows[0].attempts, rows[0].status) == (1, "pending")
            and rows
        )
    )
    assert notice.status == "pending" and "fatal_error" in str(notice.error)
    assert len(_keyed_replies(slack, thread_ts)) == 1  # only the hand-off message

    assert _worker_pass(slack, later=timedelta(0)) == 0  # fresh: left to the click's process
    assert _worker_pass(slack, later=NOTICE_GRACE * 2) == 1
    [notice] = _notices(slack)
    joined = _keyed_replies(slack, thread_ts)[-1]
    assert (notice.status, notice.ts, _key(joined)) == ("delivered", joined["ts"], notice.key)
    assert [c.args["ts"] for c in slack.standin.calls_to("conversations.replies")] == [thread_ts]
    assert _worker_pass(slack, later=NOTICE_GRACE * 2) == 0


def test_the_notices_after_a_refused_one_wait_with_it(slack: LocalSlack) -> None:
    """Slack refuses the closing message: the survey is not posted before it."""
    _customer, thread_ts = escalate(slack, GLOBEX, REFUND, "Maria")
    card = card_in(slack, BILLING)
    press(slack, card, "claim_escalation", user=AGENT, channel=BILLING)
    slack.standin.wait_for(lambda: [n.status for n in _notices(slack)] == ["delivered"])
    slack.standin.fail_next("chat.postMessage", status=200, error="fatal_error", channel=GLOBEX)
    # (its claim click again changes nothing; then the resolution)
    claim_and_resolve(slack, card, channel=BILLING, agent=AGENT, tag="edge_case")
    slack.standin.wait_for(
        lambda: [(n.attempts, n.status) for n in _notices(slack)][1:2] == [(1, "pending")]
    )
    _joined, closing, survey = _notices(slack)
    assert (closing.status, survey.status, survey.attempts) == ("pending", "pending", 0)
    assert _worker_pass(slack, later=NOTICE_GRACE * 2) == 2
    keys = [_key(m) for m in _keyed_replies(slack, thread_ts)]
    assert keys[-2:] == [closing.key, survey.key]


def test_a_notice_slack_refuses_for_good_is_dead_lettered_with_its_error(
    slack: LocalSlack,
) -> None:
    _customer, _thread_ts = escalate(slack, GLOBEX, REFUND, "Maria")
    card = card_in(slack, BILLING)
    slack.standin.fail_next("chat.postMessage", status=200, error="is_archived", channel=GLOBEX)
    press(slack, card, "claim_escalation", user=AGENT, channel=BILLING)
    # (the claim runs after the ack: its notice may not be stored yet when first looked for)
    [notice] = slack.standin.wait_for(
        lambda: (rows := _notices(slack)) and rows[0].status == "dead" and rows
    )
    assert notice.attempts == 1 and "is_archived" in str(notice.error)
    assert _worker_pass(slack, later=NOTICE_GRACE * 2) == 0  # not tried again
