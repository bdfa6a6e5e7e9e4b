"""Claim order: first come, first served normally; by the playbook's tier order, then age, while
a surge playbook runs. The agents' queue, the customer's place and the sweep follow it."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from app.config_file import parse_config
from app.db.engine import session_scope
from app.db.models import Account, Conversation, Escalation, utcnow
from app.escalations.overflow import _due
from app.routing.claim_order import claim_priority, claim_queue, queue_ahead, waiting_queue
from app.surge.service import start_surge
from tests.test_config_file import VALID

CONFIG = parse_config(VALID)
NOW = utcnow()


def _waiting(engine: Engine, specs: list[tuple[str, int]]) -> list[int]:
    """One pending technical escalation per (tier, minutes waiting); returns their ids."""
    ids = []
    with session_scope(engine) as session:
        for n, (tier, minutes) in enumerate(specs):
            account = Account(name=f"{tier.title()} {n}", channel_id=f"C0Q{n}", tier=tier)
            session.add(account)
            session.flush()
            assert account.id is not None
            conversation = Conversation(
                account_id=account.id,
                channel_id=f"C0Q{n}",
                thread_ts=f"{n}.0",
                customer_user_id="U0C",
                customer_team_id="T0C",
            )
            session.add(conversation)
            session.flush()
            assert conversation.id is not None
            created = NOW - timedelta(minutes=minutes)
            escalation = Escalation(
                conversation_id=conversation.id,
                account_id=account.id,
                skill="technical",
                language="en",
                tier=tier,
                routed_channel="C0TECH",
                card_ts=f"{n}.5",
                claim_deadline=created + timedelta(minutes=CONFIG.claim_window_minutes(tier)),
                created_at=created,
            )
            session.add(escalation)
            session.flush()
            assert escalation.id is not None
            ids.append(escalation.id)
    return ids


def _surge(engine: Engine, playbook: str = "outage", at: datetime = NOW) -> None:
    with session_scope(engine) as session:
        assert start_surge(
            team_id="single",
            session=session,
            config=CONFIG,
            playbook=playbook,
            source="manual",
            started_by="U0LEAD1",
            status_url=None,
            note=None,
            now=at,
        ).changed


SPECS = [("free", 50), ("pro", 40), ("enterprise", 10), ("free", 30), ("enterprise", 20)]


def _order_and_places(engine: Engine) -> tuple[list[int], list[int]]:
    with session_scope(engine) as session:
        priority = claim_priority(team_id="single", session=session, config=CONFIG)
        order = [
            e.id or 0 for e in waiting_queue(team_id="single", session=session, priority=priority)
        ]
        rows = session.exec(select(Escalation).order_by(col(Escalation.id))).all()
        places = [queue_ahead(session=session, escalation=e, priority=priority) for e in rows]
    return order, places


def test_first_come_first_served_without_a_playbook(engine: Engine) -> None:
    free_old, pro, ent_new, free_new, ent_old = _waiting(engine, SPECS)
    order, places = _order_and_places(engine)
    assert order == [free_old, pro, free_new, ent_old, ent_new]
    assert places == [0, 1, 4, 2, 3]


def test_a_running_playbook_orders_by_tier_then_age(engine: Engine) -> None:
    free_old, pro, ent_new, free_new, ent_old = _waiting(engine, SPECS)
    _surge(engine)
    order, places = _order_and_places(engine)
    assert order == [ent_old, ent_new, pro, free_old, free_new]
    assert places == [3, 2, 1, 4, 0]
    with session_scope(engine) as session:
        queue = claim_queue(team_id="single", session=session, config=CONFIG, now=NOW, limit=3)
    assert queue.playbook == "outage" and queue.total == 5
    assert [(r.escalation_id, r.tier, r.minutes_waiting) for r in queue.rows] == [
        (ent_old, "enterprise", 20),
        (ent_new, "enterprise", 10),
        (pro, "pro", 40),
    ]


def test_a_playbook_with_its_own_priority_puts_that_tier_first(engine: Engine) -> None:
    config = parse_config(
        VALID + "\nsurge:\n  playbooks:\n    billing_cycle:\n      priority: [pro, enterprise]\n"
    )
    free_old, pro, ent_new, free_new, ent_old = _waiting(engine, SPECS)
    _surge(engine, "billing_cycle")
    with session_scope(engine) as session:
        priority = claim_priority(team_id="single", session=session, config=config)
        order = [e.id for e in waiting_queue(team_id="single", session=session, priority=priority)]
    assert priority == ("pro", "enterprise")
    assert order == [pro, ent_old, ent_new, free_old, free_new]  # unlisted tiers last, by age


def test_the_claim_window_sweep_reminds_in_claim_order_while_surging(engine: Engine) -> None:
    free_old, pro, ent_new, free_new, ent_old = _waiting(engine, SPECS)
    later = NOW + timedelta(hours=2)  # every window has passed
    by_deadline = [pro, ent_old, ent_new, free_old, free_new]
    assert _due(engine, later, step="overflow", config=CONFIG) == by_deadline
    _surge(engine)
    by_claim_order = [ent_old, ent_new, pro, free_old, free_new]
    assert _due(engine, later, step="overflow", config=CONFIG) == by_claim_order
