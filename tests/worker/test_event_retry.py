"""Events whose processing failed (Slack down) are finished later by the worker, once."""

from __future__ import annotations

from datetime import timedelta

from app.conversations.intake import BotIdentity
from app.db.models import utcnow
from app.slack.client import build_web_client
from app.worker.event_retry import prune_finished_events, retry_unfinished_events
from standins.local_slack import LocalSlack
from tests.slack.conftest import Rows

ACME = "C0ACME"


def test_failed_reply_is_retried_by_the_worker_without_duplicates(
    slack: LocalSlack, rows: Rows
) -> None:
    assert slack.runtime is not None
    # Slack answers 500 to the first post and to every retry the client makes.
    slack.standin.fail_next("chat.postMessage", status=500, times=3)
    jordan = slack.customer_of(ACME)
    sent = slack.say(ACME, user=jordan.user_id, team=jordan.team_id, text="Can't log in via SSO")
    [event] = rows.events()
    assert event.status == "failed" and event.attempts == 1
    assert "Slack API error" in (event.last_error or "") or "500" in (event.last_error or "")
    # The conversation and the customer's message were stored before the post was tried.
    assert len(rows.conversations()) == 1
    assert [m.author for m in rows.messages()] == ["customer"]

    client = build_web_client(slack.runtime.settings)
    bot = BotIdentity(team_id="T0OURS", user_id="U0BOT")
    finished = retry_unfinished_events(runtime=slack.runtime, client=client, bot=bot, now=utcnow())
    assert finished == 1
    assert [e.status for e in rows.events()] == ["done"]
    assert [m.author for m in rows.messages()] == ["customer", "bot"]
    replies = [m for m in slack.standin.messages_in(ACME, sent.ts) if m.get("bot_id")]
    assert len(replies) == 1

    # Nothing left to do: a second run posts nothing more.
    assert retry_unfinished_events(runtime=slack.runtime, client=client, bot=bot, now=utcnow()) == 0
    assert len([c for c in slack.standin.calls_to("chat.postMessage") if c.ok]) == 1


def test_event_left_unfinished_by_a_crash_is_picked_up_when_stale(
    slack: LocalSlack, rows: Rows
) -> None:
    assert slack.runtime is not None and slack.sender is not None
    jordan = slack.customer_of(ACME)
    # A process stored this delivery and died before processing it: simulate with the row only.
    from app.db.engine import session_scope
    from app.db.events import store_event

    event = {
        "type": "message",
        "channel": ACME,
        "user": jordan.user_id,
        "user_team": jordan.team_id,
        "text": "Where is my invoice?",
        "ts": slack.sender.new_ts(),
    }
    import json

    with session_scope(slack.runtime.engine) as session:
        store_event(
            session=session,
            event_id="EvCRASHED",
            team_id="T0OURS",
            event_type="message",
            payload=json.dumps({"event_id": "EvCRASHED", "event": event}),
        )
    client = build_web_client(slack.runtime.settings)
    bot = BotIdentity(team_id="T0OURS", user_id="U0BOT")
    # Still fresh: another process may be working on it.
    assert retry_unfinished_events(runtime=slack.runtime, client=client, bot=bot, now=utcnow()) == 0
    later = utcnow() + timedelta(minutes=5)
    assert retry_unfinished_events(runtime=slack.runtime, client=client, bot=bot, now=later) == 1
    assert [m.author for m in rows.messages()] == ["customer", "bot"]

    assert prune_finished_events(runtime=slack.runtime, now=utcnow() + timedelta(days=3)) == 1
    assert rows.events() == []


def test_event_waiting_in_the_web_process_is_processed_once_when_the_worker_took_it(
    slack: LocalSlack, rows: Rows
) -> None:
    """A delivery that waited so long in a busy web process that the worker's retry took it: the
    web process's late run finds it taken and leaves it, so the customer gets one reply."""
    import json

    from app.db.engine import session_scope
    from app.db.events import store_event
    from app.slack.event_processing import process_event

    assert slack.runtime is not None and slack.sender is not None
    jordan = slack.customer_of(ACME)
    event = {
        "type": "message",
        "channel": ACME,
        "user": jordan.user_id,
        "user_team": jordan.team_id,
        "text": "How do I export my data?",
        "ts": slack.sender.new_ts(),
    }
    stored_at = utcnow()
    with session_scope(slack.runtime.engine) as session:
        store_event(
            session=session,
            event_id="EvWAITED",
            team_id="T0OURS",
            event_type="message",
            payload=json.dumps({"event_id": "EvWAITED", "event": event}),
            received_at=stored_at,
        )
    client = build_web_client(slack.runtime.settings)
    bot = BotIdentity(team_id="T0OURS", user_id="U0BOT")
    later = utcnow() + timedelta(minutes=5)
    assert retry_unfinished_events(runtime=slack.runtime, client=client, bot=bot, now=later) == 1

    late_run = process_event(
        runtime=slack.runtime,
        client=client,
        bot=bot,
        event_id="EvWAITED",
        event=event,
        received_at=stored_at,
    )

    assert late_run is False
    assert [m.author for m in rows.messages()] == ["customer", "bot"]
    replies = [m for m in slack.standin.messages_in(ACME, event["ts"]) if m.get("bot_id")]
    assert len(replies) == 1
    assert [e.status for e in rows.events()] == ["done"]


def test_the_web_process_runs_its_own_delivery_when_nobody_took_it(
    slack: LocalSlack, rows: Rows
) -> None:
    jordan = slack.customer_of(ACME)
    sent = slack.say(ACME, user=jordan.user_id, team=jordan.team_id, text="Where is my invoice?")
    assert [e.status for e in rows.events()] == ["done"]
    replies = [m for m in slack.standin.messages_in(ACME, sent.ts) if m.get("bot_id")]
    assert len(replies) == 1
