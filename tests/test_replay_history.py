"""``escalation-bot replay --days N``: stored history under the current policy and a change."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.config import EXAMPLE_CONFIG, load_settings
from app.config_file import EscalationConfig, load_config
from app.db.accounts import sync_accounts
from app.db.engine import make_engine, session_scope
from app.db.models import Account, Conversation, Message, TriageDecision, utcnow
from app.db.schema import upgrade
from app.db.triage_history import TriagedMessage, triaged_messages
from app.operator_commands import InputError, run_history_replay
from app.policy.history_replay import thread_contexts
from app.policy.overrides import OverrideError
from app.triage.engine import TriageEngine
from app.triage.factory import build_triage_engine
from tests.test_cli import run_cli

GLOBEX, INITECH, ACME = "C0GLOBEX", "C0INITECH", "C0ACME"
UMBRELLA = "C0UMBRELLA"  # an account of another installation, not in the config any more
OTHER_TEAM = "T0OTHER"
EXPORT = "how do I export a board to csv"
PASSWORD = "how do I reset my password"
STILL_BROKEN = "that did not work, the export is still broken"


@pytest.fixture(scope="module")
def config() -> EscalationConfig:
    return load_config(EXAMPLE_CONFIG)


@pytest.fixture(scope="module")
def triage_engine(config: EscalationConfig) -> TriageEngine:
    return build_triage_engine(load_settings(), config, offline_only=True)


@dataclass
class _History:
    session: Session
    now: datetime
    thread: int = 0

    def account(self, channel: str) -> Account:
        return self.session.exec(select(Account).where(Account.channel_id == channel)).one()

    def conversation(self, channel: str, *, team_id: str = "single") -> Conversation:
        self.thread += 1
        conversation = Conversation(
            team_id=team_id,
            account_id=self.account(channel).id,
            channel_id=channel,
            thread_ts=f"{1_700_000_000 + 1_000 * self.thread}.000100",
            customer_user_id="U0CUSTOMER",
        )
        self.session.add(conversation)
        self.session.flush()
        return conversation

    def triaged(
        self,
        conversation: Conversation,
        text: str,
        *,
        days_ago: float,
        escalate: bool,
        intent: str,
        reply: int = 0,
        sentiment: float = 0.0,
        backend: str = "offline",
        fallback_reason: str | None = None,
    ) -> None:
        """A customer message (the thread's opening one, or its ``reply``-th reply) and the
        decision recorded for it."""
        assert conversation.id is not None
        at = self.now - timedelta(days=days_ago)
        ts = f"{float(conversation.thread_ts) + 10 * reply:.6f}"  # replies come later
        message = Message(
            conversation_id=conversation.id,
            slack_ts=ts,
            user_id="U0CUSTOMER",
            author="customer",
            text=text,
            created_at=at,
        )
        self.session.add(message)
        self.session.flush()
        self.session.add(
            TriageDecision(
                conversation_id=conversation.id,
                message_id=message.id,
                escalate=escalate,
                triggers="[]",
                intent=intent,
                sentiment=sentiment,
                language="en",
                confidence=0.0,
                backend=backend,
                fallback_reason=fallback_reason,
                created_at=at,
            )
        )
        self.session.flush()


def seed_history(engine: Engine, config: EscalationConfig) -> None:
    """Seven customer messages triaged in the last 30 days, one before, one of another team."""
    with session_scope(engine) as session:
        sync_accounts(session=session, accounts=config.accounts)
        session.add(Account(team_id=OTHER_TEAM, name="Umbrella", channel_id=UMBRELLA, tier="pro"))
        session.flush()
        history = _History(session, utcnow())
        # the bot of the time escalated a plain thank-you
        history.triaged(
            history.conversation(GLOBEX), "thanks!", days_ago=2, escalate=True, intent="feedback"
        )
        answered = history.conversation(GLOBEX)
        history.triaged(answered, EXPORT, days_ago=3, escalate=False, intent="how_to")
        history.triaged(
            answered, STILL_BROKEN, days_ago=2.9, escalate=True, intent="bug_report", reply=1
        )
        history.triaged(
            history.conversation(GLOBEX),
            "I want a refund for the double charge on our invoice",
            days_ago=5,
            escalate=True,
            intent="billing_dispute",
            backend="openai",
        )
        # escalated by a stricter confidence bar of the time
        history.triaged(
            history.conversation(INITECH),
            PASSWORD,
            days_ago=6,
            escalate=True,
            intent="account_access",
            backend="offline",
            fallback_reason="openai: timeout",
        )
        # answered 35 days ago (outside the window), asked again in the thread yesterday
        older = history.conversation(INITECH)
        history.triaged(older, PASSWORD, days_ago=35, escalate=False, intent="account_access")
        history.triaged(
            older, STILL_BROKEN, days_ago=1, escalate=True, intent="bug_report", reply=1
        )
        history.triaged(
            history.conversation(ACME),
            "please cancel our plan",
            days_ago=4,
            escalate=True,
            intent="cancellation",
        )
        # long ago: not replayed
        history.triaged(
            history.conversation(ACME), EXPORT, days_ago=40, escalate=False, intent="how_to"
        )
        history.triaged(
            history.conversation(UMBRELLA, team_id=OTHER_TEAM),
            EXPORT,
            days_ago=1,
            escalate=False,
            intent="how_to",
        )


@pytest.fixture
def database_file(database_url: str, config: EscalationConfig) -> Iterator[str]:
    """The seeded history, on SQLite (and PostgreSQL when TEST_DATABASE_URL is set)."""
    engine = make_engine(database_url)
    upgrade(engine)
    seed_history(engine, config)
    yield database_url
    engine.dispose()


def _history(url: str, *, team_id: str | None = "single") -> list[TriagedMessage]:
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            return triaged_messages(
                session=session, since=utcnow() - timedelta(days=30), team_id=team_id
            )
    finally:
        engine.dispose()


def test_the_query_returns_the_window_and_the_threads_earlier_requests(
    database_file: str,
) -> None:
    rows = _history(database_file)
    in_window = [row for row in rows if row.in_window]
    assert len(in_window) == 7
    assert [row.text for row in rows if not row.in_window] == [PASSWORD]  # the 35-day-old ask
    assert all(row.team_id == "single" for row in rows)
    assert {row.channel_id for row in in_window} == {GLOBEX, INITECH, ACME}
    contexts = thread_contexts(rows)
    follow_up = next(r for r in in_window if r.text == STILL_BROKEN and r.channel_id == INITECH)
    assert contexts[follow_up.decision_id].after_bot_answer
    assert contexts[follow_up.decision_id].earlier_asks == 1
    assert len(_history(database_file, team_id=None)) == len(rows) + 1  # Umbrella's too


def test_history_under_the_current_policy_and_the_recorded_drift(
    database_file: str, triage_engine: TriageEngine, config: EscalationConfig
) -> None:
    out = io.StringIO()
    result = run_history_replay(
        _history(database_file),
        [],
        [],
        out,
        engine=triage_engine,
        config=config,
        days=30,
        team_id="single",
    )
    assert result.messages == 7
    assert result.recorded == {"escalated": 6, "answered": 1}
    assert result.before == {"escalated": 4, "answered": 2, "chatter": 1}
    assert result.after == result.before  # no change asked for
    assert result.chatter_cards_avoided == 1  # the escalated "thanks!"
    assert result.drift[("escalated", "answered")] == 1  # the password question
    assert result.drift[("escalated", "chatter")] == 1
    assert sum(n for (then, now), n in result.drift.items() if then == now) == 5
    assert result.recorded_backends == {"offline": 6, "openai": 1}
    assert result.recorded_fallbacks == 1
    assert "offline 6, openai 1 (1 of them offline after a model failure)" in out.getvalue()
    report = out.getvalue()
    assert "Replayed 7 triaged customer messages of the last 30 days (team single)" in report
    assert re.search(r"^escalations\s+6 \(85\.7%\)\s+4 \(57\.1%\)\s+4 \(57\.1%\)$", report, re.M)
    assert re.search(r"^answered without a person\s+1 \(14\.3%\)\s+2 \(28\.6%\)", report, re.M)
    assert re.search(r"^chatter cards avoided\s+1 ", report, re.M)
    assert re.search(r"^  same outcome\s+5 of 7$", report, re.M)
    assert re.search(r"^  escalated then, answered now\s+1$", report, re.M)
    assert re.search(r"^  escalated then, chatter now\s+1$", report, re.M)
    assert re.search(r"^  intent differs\s+\d+ of 6 requests$", report, re.M)
    assert "changes: none" in report


def test_a_mode_change_per_channel(
    database_file: str, triage_engine: TriageEngine, config: EscalationConfig
) -> None:
    out = io.StringIO()
    result = run_history_replay(
        _history(database_file),
        [],
        [f"{GLOBEX}=triage", f"{INITECH}=off"],
        out,
        engine=triage_engine,
        config=config,
        days=30,
    )
    # Globex in triage mode: its answered question goes to a person too; Initech says nothing
    assert result.after == {"escalated": 4, "chatter": 1, "off": 2}
    globex, initech = result.channel_changes
    assert (globex.channel, globex.from_mode, globex.to_mode) == (GLOBEX, "answer", "triage")
    assert globex.messages == 4
    assert (globex.before["escalated"], globex.after["escalated"]) == (2, 3)
    assert (globex.before["answered"], globex.after["answered"]) == (1, 0)
    assert (initech.before["escalated"], initech.after["escalated"]) == (1, 0)
    assert (initech.before["answered"], initech.after["answered"]) == (1, 0)
    report = out.getvalue()
    assert f"changes: {GLOBEX}: answer -> triage, {INITECH}: answer -> off" in report
    assert (
        f"  {GLOBEX} (Globex): answer -> triage, 4 messages: escalations 2 -> 3 (+1), "
        "answered 1 -> 0 (-1)" in report
    )
    assert re.search(r"^bot off in the channel\s+-\s+0 \(0\.0%\)\s+2 \(28\.6%\)$", report, re.M)


def test_a_threshold_change_and_every_workspace(
    database_file: str, triage_engine: TriageEngine, config: EscalationConfig
) -> None:
    out = io.StringIO()
    result = run_history_replay(
        _history(database_file, team_id=None),
        ["policy.confidence.threshold=1"],
        [],
        out,
        engine=triage_engine,
        config=config,
        days=30,
    )
    # Umbrella's channel is in no account of the config: the bot stays out of it now
    assert result.messages == 8
    assert result.before == {"escalated": 4, "answered": 2, "chatter": 1, "off": 1}
    # no answer is certain enough any more: every request goes to a person
    assert result.after == {"escalated": 6, "chatter": 1, "off": 1}
    assert "every workspace" in out.getvalue()
    assert "changes: policy.confidence.threshold=1" in out.getvalue()


def test_bad_mode_changes_are_named(
    database_file: str, triage_engine: TriageEngine, config: EscalationConfig
) -> None:
    history = _history(database_file)
    for change, message in [
        ("C0NOWHERE=off", "--mode C0NOWHERE: no account"),
        (f"{GLOBEX}=sleep", "the mode is answer, triage or off, not 'sleep'"),
        (GLOBEX, "expected CHANNEL=answer|triage|off"),
    ]:
        with pytest.raises(InputError, match=re.escape(message)):
            run_history_replay(
                history, [], [change], io.StringIO(), engine=triage_engine, config=config, days=7
            )
    with pytest.raises(OverrideError, match="no such policy key"):
        run_history_replay(
            history,
            ["policy.nothing=1"],
            [],
            io.StringIO(),
            engine=triage_engine,
            config=config,
            days=7,
        )


def test_replay_days_from_the_shell(database_file: str, tmp_path: Path) -> None:
    env = {"DATABASE_URL": database_file, "LOG_LEVEL": "WARNING"}
    result = run_cli(
        "replay", "--days", "30", "--team", "single", "--mode", f"{GLOBEX}=triage", env=env
    )
    assert result.returncode == 0, result.stderr
    assert "Replayed 7 triaged customer messages of the last 30 days (team single)" in result.stdout
    assert re.search(r"^chatter cards avoided\s+1 ", result.stdout, re.M)
    assert f"{GLOBEX} (Globex): answer -> triage, 4 messages" in result.stdout

    both = tmp_path / "past.jsonl"
    both.write_text('{"text": "hello"}\n')
    for args, message in [
        (("replay",), "exactly one of FILE or --days N"),
        (("replay", str(both), "--days", "7"), "exactly one of FILE or --days N"),
        (("replay", "--days", "0"), "--days must be at least 1"),
        (("replay", str(both), "--mode", f"{GLOBEX}=off"), "use them with --days N"),
        (("replay", "--days", "7", "--mode", "C0NOWHERE=off"), "--mode C0NOWHERE: no account"),
    ]:
        refused = run_cli(*args, env=env)
        assert refused.returncode == 2, (args, refused.stdout)
        assert message in refused.stderr
