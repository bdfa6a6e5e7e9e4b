"""The lead dashboard against the Slack stand-in on a migrated SQLite database: the trend chart
is uploaded and shown by file id, and the dashboard still renders when the upload fails."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.models.blocks import Block, ContextBlock, ImageBlock
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.config import Settings
from app.db.engine import make_engine
from app.db.models import Account, Conversation, Escalation, KnowledgeGap
from app.db.schema import upgrade
from app.slack.blocks.dashboard import (
    CHART_BLOCK_ID,
    CHART_UNAVAILABLE,
    MAX_BLOCKS,
    dashboard_blocks,
    trend_alt_text,
    without_chart,
)
from app.slack.chart_upload import upload_chart
from app.slack.client import build_web_client
from app.slack.lead_dashboard import build_lead_dashboard, rate_points
from standins.slack.standin import SlackStandin

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
LEAD = "U0LEAD"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
BY_AGE = [("< 15 min", 1), ("15-60 min", 0), ("1-4 h", 2), ("4-24 h", 0), ("> 1 day", 1)]


@pytest.fixture
def engine(sqlite_url: str) -> Iterator[Engine]:
    """A migrated SQLite database with a month of conversations, escalations and gaps."""
    engine = make_engine(sqlite_url)
    upgrade(engine)
    with Session(engine) as session:
        _seed(session)
        session.commit()
    yield engine
    engine.dispose()


def _seed(session: Session) -> None:
    account = Account(name="Acme", channel_id="C0ACME", tier="pro")
    session.add(account)
    session.flush()
    assert account.id is not None
    for index in range(12):
        at = NOW - timedelta(days=index * 2, hours=1)
        intent = ("billing_dispute", "outage", "how_to")[index % 3]
        escalated = index % 2 == 0
        conversation = Conversation(
            account_id=account.id,
            channel_id=account.channel_id,
            thread_ts=f"{index + 1}.0",
            customer_user_id="U0CUSTOMER",
            status="escalated" if escalated else "answered",
            intent=intent,
            created_at=at,
            escalated_at=at + timedelta(minutes=1) if escalated else None,
        )
        session.add(conversation)
        session.flush()
        if not escalated:
            continue
        assert conversation.id is not None
        escalation = Escalation(
            conversation_id=conversation.id,
            account_id=account.id,
            skill="general",
            language="en",
            tier="pro",
            status="pending" if index < 6 else "resolved",
            routed_channel="C0AGENTS",
            claim_deadline=at + timedelta(minutes=15),
            created_at=at + timedelta(minutes=1),
        )
        session.add(escalation)
        session.flush()
        if escalation.status == "resolved":
            assert escalation.id is not None
            session.add(
                KnowledgeGap(
                    escalation_id=escalation.id,
                    intent=intent,
                    topic=f"{intent}:topic",
                    question="How do I export invoices?",
                )
            )


@pytest.fixture
def standin() -> Iterator[SlackStandin]:
    with SlackStandin() as running:
        running.add_user(LEAD, team_id="T0OURS", name="lead")
        yield running


@pytest.fixture
def client(standin: SlackStandin) -> WebClient:
    """The bot's client as the app builds it (it retries 5xx answers twice)."""
    settings = Settings(slack_api_url=standin.url, slack_bot_token=standin.bot_token)
    return build_web_client(settings)


def _dicts(blocks: list[Block]) -> list[dict[str, Any]]:
    return [block.to_dict() for block in blocks]


def _publish(client: WebClient, standin: SlackStandin, blocks: list[Block]) -> dict[str, Any]:
    """Publish the blocks as the lead's home tab: the stand-in checks them as Slack does."""
    client.views_publish(user_id=LEAD, view={"type": "home", "blocks": _dicts(blocks)})
    home = standin.published_home(LEAD)
    assert home is not None
    return home


# -- build_lead_dashboard against the stand-in -------------------------------------------------


def test_the_dashboard_shows_the_uploaded_trend_chart(
    engine: Engine, client: WebClient, standin: SlackStandin
) -> None:
    with Session(engine) as session:
        blocks = build_lead_dashboard(session=session, client=client, now=NOW, team_id="single")

    images = [block for block in blocks if isinstance(block, ImageBlock)]
    assert len(images) == 1
    image = images[0].to_dict()
    file_id = image["slack_file"]["id"]
    content = standin.file_content(file_id)
    assert content is not None and content.startswith(PNG_SIGNATURE)
    assert "daily escalation rate" in image["alt_text"]
    assert "%" in image["alt_text"]
    assert len(blocks) <= MAX_BLOCKS
    text = json.dumps(_dicts(blocks))
    assert CHART_UNAVAILABLE not in text
    for intent in ("billing_dispute", "outage", "how_to"):
        assert intent in text
    assert "3 gaps waiting" in text  # the gaps of the three resolved escalations
    completed = standin.calls_to("files.completeUploadExternal")
    assert len(completed) == 1 and completed[0].ok
    assert "channel_id" not in completed[0].args and "channels" not in completed[0].args

    home = _publish(client, standin, blocks)
    assert any(block.get("slack_file") == {"id": file_id} for block in home["blocks"])


def test_the_dashboard_renders_without_the_chart_when_the_upload_fails(
    engine: Engine,
    client: WebClient,
    standin: SlackStandin,
    caplog: pytest.LogCaptureFixture,
) -> None:
    standin.fail_next("files.getUploadURLExternal", status=500, times=3)

    with caplog.at_level(logging.WARNING), Session(engine) as session:
        blocks = build_lead_dashboard(session=session, client=client, now=NOW, team_id="single")

    assert not any(isinstance(block, ImageBlock) for block in blocks)
    assert CHART_UNAVAILABLE in json.dumps(_dicts(blocks))
    assert len(standin.calls_to("files.getUploadURLExternal")) == 3
    assert standin.calls_to("files.completeUploadExternal") == []
    assert any("not uploaded" in record.getMessage() for record in caplog.records)
    _publish(client, standin, blocks)


def test_the_dashboard_renders_on_an_empty_database(
    sqlite_url: str, client: WebClient, standin: SlackStandin
) -> None:
    engine = make_engine(sqlite_url)
    upgrade(engine)
    try:
        with Session(engine) as session:
            blocks = build_lead_dashboard(session=session, client=client, now=NOW, team_id="single")
    finally:
        engine.dispose()
    text = json.dumps(_dicts(blocks))
    assert "No escalations in this period" in text
    assert "0 gaps waiting" in text
    image = next(block for block in blocks if isinstance(block, ImageBlock)).to_dict()
    assert "no conversations in this period" in image["alt_text"]
    _publish(client, standin, blocks)


# -- upload_chart ------------------------------------------------------------------------------


def test_upload_chart_returns_none_on_a_slack_error(
    client: WebClient, standin: SlackStandin
) -> None:
    standin.fail_next("files.completeUploadExternal", status=200, error="file_not_found")
    assert upload_chart(client, png=PNG_SIGNATURE, filename="t.png", title="T") is None


def test_upload_chart_returns_none_when_slack_is_unreachable() -> None:
    unreachable = WebClient(token="xoxb-test-token", base_url="http://127.0.0.1:9/api/", timeout=2)
    assert upload_chart(unreachable, png=PNG_SIGNATURE, filename="t.png", title="T") is None


# -- the blocks ----------------------------------------------------------------------------------


def test_dashboard_blocks_escape_labels_and_stay_valid(
    client: WebClient, standin: SlackStandin
) -> None:
    top = [(f"intent_{i}", 20 - i) for i in range(12)]  # more than a section shows
    blocks = dashboard_blocks(top_intents=top, by_age=BY_AGE, gap_queue_size=1, chart=None)

    text = json.dumps(_dicts(blocks))
    assert "&lt; 15 min" in text and "&gt; 1 day" in text
    assert "< 15 min" not in text
    assert "1 gap waiting" in text
    assert "(4 pending or claimed)" in text
    assert isinstance(blocks[-1], ContextBlock)
    assert len(blocks) <= MAX_BLOCKS
    _publish(client, standin, blocks)


def test_without_chart_replaces_only_the_image() -> None:
    blocks = dashboard_blocks(
        top_intents=[("outage", 2)], by_age=BY_AGE, gap_queue_size=0, chart="F0000000001"
    )
    assert blocks[-1].block_id == CHART_BLOCK_ID
    stripped = without_chart(blocks)
    assert _dicts(stripped[:-1]) == _dicts(blocks[:-1])
    assert CHART_UNAVAILABLE in json.dumps(stripped[-1].to_dict())


def test_rate_points_and_alt_text() -> None:
    rates = [(date(2026, 4, 29), 4, 1), (date(2026, 4, 30), 0, 0), (date(2026, 5, 1), 2, 2)]
    points = rate_points(rates)
    assert points == [
        (date(2026, 4, 29), 25.0),
        (date(2026, 4, 30), None),
        (date(2026, 5, 1), 100.0),
    ]
    alt = trend_alt_text(points, days=3)
    assert "25.0% on Apr 29" in alt
    assert "100.0% on May 01" in alt
    assert "average 62.5% over 2 days with conversations" in alt
