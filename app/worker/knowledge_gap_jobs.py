"""Worker jobs of the knowledge-gap queue: the weekly digest and the hot-topic alert.

Both work for one installation (``team_id``: its gaps only, its config), take the clock (``now``)
and a :class:`Notifier` (Slack in production, anything in tests) and post to ``kb_channel``, or
to ``leads_channel`` when no knowledge-base channel is set. State
changes only once a message is posted: a failed post is tried again on the next run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.engine import Engine

from app.config_file import EscalationConfig
from app.db.engine import session_scope
from app.knowledge_gaps.drafts import ArticleDrafter, DraftRequest
from app.knowledge_gaps.queue import (
    FLAG_WINDOW,
    GapDigest,
    TopicCount,
    digest,
    flag_topic,
    mark_digested,
    previous_digest_at,
    recent_gaps,
    topics_to_flag,
    unflag_topic,
)
from app.slack.blocks import Block
from app.slack.blocks.gap_digest import (
    MAX_EXAMPLES,
    flag_label,
    gap_digest_blocks,
    gap_digest_text,
    gap_draft_blocks,
    gap_draft_text,
    gap_flag_blocks,
    gap_flag_text,
    shown_threads,
)

logger = logging.getLogger(__name__)

DIGEST_PERIOD = timedelta(days=7)  # the first digest looks this far back
MAX_DRAFTS = 5  # article drafts posted in the digest's thread, biggest topics first


class Notifier(Protocol):
    """Where the jobs' messages go."""

    def post_blocks(
        self,
        *,
        channel: str,
        text: str,
        blocks: Sequence[Block],
        thread_ts: str | None = None,
        key: str | None = None,
    ) -> str | None:
        """Post a message (in a thread if ``thread_ts``; marked with ``key`` if given); its
        ts, or None if it failed."""
        ...

    def keys_in_thread(self, *, channel: str, thread_ts: str) -> set[str] | None:
        """The keys of the messages in a thread, or None if it could not be read."""
        ...

    def permalink(self, *, channel: str, ts: str) -> str | None: ...

    def update(self, *, channel: str, ts: str, text: str, blocks: Sequence[Block]) -> bool: ...


def gap_channel(config: EscalationConfig) -> str:
    """Where knowledge-gap messages go: ``kb_channel``, else ``leads_channel``."""
    return config.kb_channel or config.leads_channel


def post_weekly_digest(
    *,
    engine: Engine,
    config: EscalationConfig,
    team_id: str,
    notifier: Notifier,
    drafter: ArticleDrafter,
    now: datetime,
    key: str | None = None,
    posted_ts: str | None = None,
) -> int:
    """Post the open gaps no digest has shown yet (created since the previous digest, or in the
    last 7 days for the first one), then draft articles for the biggest topics in its thread,
    then mark the gaps shown. Returns how many gaps were reported; with none, nothing is posted.

    The digest carries ``key`` (its slot's) and each draft a key derived from it. ``posted_ts``
    is a digest of that slot already in Slack, posted by a worker that died before it finished:
    it is not posted again, the drafts already in its thread are not posted again, the others
    are, and the gaps are marked. (The gaps are marked last, so a slot taken over always finds
    the same gaps: those created up to the slot's time that no finished digest has shown.)"""
    channel = gap_channel(config)
    with session_scope(engine) as session:
        since = previous_digest_at(session=session, team_id=team_id) or now - DIGEST_PERIOD
        report = digest(session=session, team_id=team_id, now=now, since=since)
    if report.is_empty:
        return 0
    ts = posted_ts or notifier.post_blocks(
        channel=channel,
        text=gap_digest_text(report),
        blocks=gap_digest_blocks(
            report, thread_links=_thread_links(notifier, shown_threads(report))
        ),
        key=key,
    )
    if ts is None:
        return 0
    already: set[str] = set()
    if posted_ts is not None and key is not None:
        found = notifier.keys_in_thread(channel=channel, thread_ts=posted_ts)
        if found is None:
            raise GapDigestThreadError(f"the thread of digest {key} could not be read")
        already = found
    _post_drafts(
        report,
        notifier=notifier,
        drafter=drafter,
        channel=channel,
        thread_ts=ts,
        key=key,
        already=already,
    )
    with session_scope(engine) as session:
        return mark_digested(session=session, gap_ids=report.gap_ids, now=now)


class GapDigestThreadError(Exception):
    """A digest taken over could not be finished now; its slot is tried again later."""


def _post_drafts(
    report: GapDigest,
    *,
    notifier: Notifier,
    drafter: ArticleDrafter,
    channel: str,
    thread_ts: str,
    key: str | None,
    already: set[str],
) -> None:
    biggest = sorted(report.topics, key=lambda t: (-t.count, t.topic))[:MAX_DRAFTS]
    for topic in biggest:
        draft_key = f"{key}#draft:{topic.topic}" if key else None
        if draft_key in already:
            continue
        try:
            markdown = drafter.draft(DraftRequest.of(topic))
        except Exception:  # a drafter backed by a remote model may fail: skip this draft only
            logger.exception("no article draft for topic %s", topic.topic)
            continue
        notifier.post_blocks(
            channel=channel,
            text=gap_draft_text(topic.label),
            blocks=gap_draft_blocks(label=topic.label, markdown=markdown),
            thread_ts=thread_ts,
            key=draft_key,
        )


def flag_hot_topics(
    *, engine: Engine, config: EscalationConfig, team_id: str, notifier: Notifier, now: datetime
) -> int:
    """Alert at once about each topic with ``reports.gap_flag_threshold`` unflagged gaps in the
    last 7 days. A topic is claimed (flagged) before its alert is posted, so two workers alert
    once; if the post fails the claim is undone. Returns how many alerts were posted."""
    threshold = config.reports.gap_flag_threshold
    with session_scope(engine) as session:
        hot = topics_to_flag(session=session, team_id=team_id, now=now, threshold=threshold)
    alerted = 0
    for flag in hot:
        with session_scope(engine) as session:
            claimed = flag_topic(
                session=session, team_id=team_id, topic=flag.topic, now=now, threshold=threshold
            )
        if claimed and _alert(engine, config, team_id, notifier, flag, now=now):
            alerted += 1
    return alerted


def _alert(
    engine: Engine,
    config: EscalationConfig,
    team_id: str,
    notifier: Notifier,
    flag: TopicCount,
    *,
    now: datetime,
) -> bool:
    with session_scope(engine) as session:
        examples = recent_gaps(
            session=session,
            team_id=team_id,
            topic=flag.topic,
            since=now - FLAG_WINDOW,
            now=now,
            limit=MAX_EXAMPLES,
        )
    links = _thread_links(notifier, ((gap.channel_id, gap.thread_ts) for gap in examples))
    days = FLAG_WINDOW.days
    ts = notifier.post_blocks(
        channel=gap_channel(config),
        text=gap_flag_text(flag, label=flag_label(flag, examples), window_days=days),
        blocks=gap_flag_blocks(flag, examples=examples, thread_links=links, window_days=days),
    )
    if ts is not None:
        return True
    with session_scope(engine) as session:
        unflag_topic(session=session, team_id=team_id, topic=flag.topic, flagged_at=now)
    return False


def _thread_links(
    notifier: Notifier, threads: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    links: dict[tuple[str, str], str] = {}
    for channel, ts in dict.fromkeys(threads):
        link = notifier.permalink(channel=channel, ts=ts)
        if link:
            links[(channel, ts)] = link
    return links
