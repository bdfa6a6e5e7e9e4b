"""Scenario fixtures: the real app over HTTP, the Slack stand-in, and signed requests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.db.models import Conversation, Escalation, Message, SlackEvent
from standins.local_slack import LocalSlack
from standins.openai_api import OpenAIStandin


@pytest.fixture
def slack(database_url: str, example_config_path: Path) -> Iterator[LocalSlack]:
    with LocalSlack(database_url=database_url, config_path=example_config_path) as local:
        yield local


@pytest.fixture
def model() -> Iterator[OpenAIStandin]:
    """The OpenAI-compatible stand-in (a hang outlasts the app's 1 s model timeout)."""
    with OpenAIStandin(hang_seconds=5.0) as standin:
        yield standin


@pytest.fixture
def slack_with_model(
    sqlite_url: str, example_config_path: Path, model: OpenAIStandin
) -> Iterator[LocalSlack]:
    """The app with the OpenAI backend on, talking to :func:`model`."""
    with LocalSlack(
        database_url=sqlite_url,
        config_path=example_config_path,
        openai_api_key=model.api_key,
        openai_base_url=model.base_url,
        openai_timeout_seconds=1.0,
        openai_max_retries=0,
    ) as local:
        yield local


class Rows:
    """Reads what the app stored (tests look at the database, never at the app's objects)."""

    def __init__(self, local: LocalSlack) -> None:
        assert local.runtime is not None
        self._engine = local.runtime.engine

    def conversations(self) -> list[Conversation]:
        with Session(self._engine) as session:
            return list(session.exec(select(Conversation).order_by(Conversation.id)))  # type: ignore[arg-type]

    def messages(self) -> list[Message]:
        with Session(self._engine) as session:
            return list(session.exec(select(Message).order_by(Message.id)))  # type: ignore[arg-type]

    def escalations(self) -> list[Escalation]:
        with Session(self._engine) as session:
            return list(session.exec(select(Escalation).order_by(Escalation.id)))  # type: ignore[arg-type]

    def events(self) -> list[SlackEvent]:
        with Session(self._engine) as session:
            return list(session.exec(select(SlackEvent)))


@pytest.fixture
def rows(slack: LocalSlack) -> Rows:
    return Rows(slack)
