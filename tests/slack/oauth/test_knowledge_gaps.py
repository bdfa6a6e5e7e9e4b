"""Knowledge gaps with two workspaces installed: each installation's digest and hot-topic flag
show its own gaps only, in its own channel, posted with its own token."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import select

from app.db.engine import session_scope
from app.db.models import Escalation, utcnow
from app.knowledge_gaps.drafts import OfflineDrafter
from app.knowledge_gaps.queue import GAP_TAG, record_gap
from app.slack.gap_notifier import SlackGapNotifier
from app.slack.workspaces import installed_workspaces
from app.worker.knowledge_gap_jobs import post_weekly_digest
from app.worker.scheduler import build_scheduler
from standins.local_slack import LocalSlack
from tests.slack.oauth.conftest import TWO_WORKSPACES, installed_twice
from tests.slack.oauth.test_isolation import acme_says

# the same question twice, each its own conversation (not a follow-up joining the first)
HOT_AT_TWO = (
    TWO_WORKSPACES
    + "reports: {gap_flag_threshold: 2}\n"
    + "policy: {follow_up_window_minutes: 0}\n"
)


@pytest.fixture
def gap_workspaces(database_url: str, tmp_path: Path) -> Iterator[LocalSlack]:
    with installed_twice(database_url, tmp_path, HOT_AT_TWO) as local:
        yield local


def _two_gaps_in_alpha(slack: LocalSlack) -> None:
    """Two of Alpha's escalations resolved as knowledge gaps on the same question."""
    for _ in range(2):
        sent = acme_says(
            slack, "Cancel our contract please, we are leaving", installation="T0ALPHA"
        )
        assert slack.wait_processed(sent.event_id) == "done"
    assert slack.runtime is not None
    now = utcnow()
    with session_scope(slack.runtime.engine) as session:
        session.execute(
            update(Escalation).values(status="resolved", resolution_tag=GAP_TAG, resolved_at=now)
        )
        ids = session.exec(select(Escalation.id)).all()
    assert len(ids) == 2
    with session_scope(slack.runtime.engine) as session:
        for escalation_id in ids:
            assert escalation_id is not None
            assert record_gap(session=session, escalation_id=escalation_id, now=now) is not None


def _posts_in(slack: LocalSlack, channel: str) -> list[tuple[str | None, str]]:
    return [
        (call.team_id, str(call.args.get("text")))
        for call in slack.standin.calls_to("chat.postMessage")
        if call.args["channel"] == channel and call.ok
    ]


def test_the_digest_of_each_workspace_shows_its_own_gaps(gap_workspaces: LocalSlack) -> None:
    slack = gap_workspaces
    assert slack.runtime is not None
    _two_gaps_in_alpha(slack)
    before_a, before_b = len(_posts_in(slack, "C0LEADSA")), len(_posts_in(slack, "C0LEADSB"))
    reported = {
        w.runtime.team.team_id: post_weekly_digest(
            engine=w.runtime.engine,
            config=w.runtime.config,
            team_id=w.runtime.team.team_id,
            notifier=SlackGapNotifier(w.client),
            drafter=OfflineDrafter(),
            now=utcnow() + timedelta(minutes=5),
        )
        for w in installed_workspaces(slack.runtime)()
    }
    assert reported == {"T0ALPHA": 2, "T0BETA": 0}
    digest = _posts_in(slack, "C0LEADSA")[before_a:]
    assert digest and all(team == "T0ALPHA" for team, _ in digest)
    assert _posts_in(slack, "C0LEADSB")[before_b:] == []


def test_a_hot_topic_is_flagged_to_its_own_workspace_by_the_worker(
    gap_workspaces: LocalSlack,
) -> None:
    slack = gap_workspaces
    assert slack.runtime is not None
    _two_gaps_in_alpha(slack)
    before_a, before_b = len(_posts_in(slack, "C0LEADSA")), len(_posts_in(slack, "C0LEADSB"))
    job = build_scheduler(slack.runtime, installed_workspaces(slack.runtime)).get_job(
        "flag_hot_gap_topics"
    )
    assert job is not None
    job.func()
    job.func()  # flagged once
    [(team, text)] = _posts_in(slack, "C0LEADSA")[before_a:]
    assert team == "T0ALPHA" and text.startswith("2 knowledge gaps on ")
    assert _posts_in(slack, "C0LEADSB")[before_b:] == []
