from __future__ import annotations

import threading

from sqlalchemy.engine import Engine
from sqlmodel import select

from app.config_file import AccountConfig
from app.db.accounts import account_for_channel, sync_accounts
from app.db.conversations import (
    add_message,
    conversation_for_thread,
    joinable_conversation,
    joined_messages,
    messages_of,
    open_conversation,
)
from app.db.engine import session_scope
from app.db.models import Account, Conversation

ACME = AccountConfig(name="Acme", channel="C0ACME", tier="enterprise", arr=120000)


def _account_id(engine: Engine) -> int:
    with session_scope(engine) as session:
        sync_accounts(session=session, accounts=[ACME])
        account = account_for_channel(session=session, channel_id="C0ACME")
        assert account is not None and account.id is not None
        return account.id


def test_sync_accounts_inserts_then_updates(engine: Engine) -> None:
    with session_scope(engine) as session:
        assert sync_accounts(session=session, accounts=[ACME]) == 1
    with session_scope(engine) as session:
        assert sync_accounts(session=session, accounts=[ACME]) == 0
        changed = ACME.model_copy(update={"tier": "pro", "arr": 9000.0})
        assert sync_accounts(session=session, accounts=[changed]) == 1
    with session_scope(engine) as session:
        rows = session.exec(select(Account)).all()
        assert [(r.tier, r.arr) for r in rows] == [("pro", 9000.0)]


def test_a_config_of_thousands_of_accounts_is_synced_whole_then_left_alone(
    engine: Engine,
) -> None:
    many = [
        AccountConfig(name=f"Customer {n}", channel=f"C0MANY{n:05d}", tier="pro")
        for n in range(1200)
    ]
    with session_scope(engine) as session:
        assert sync_accounts(session=session, accounts=many) == 1200
    with session_scope(engine) as session:
        assert sync_accounts(session=session, accounts=many) == 0
        moved = [many[0], many[700].model_copy(update={"tier": "enterprise"})]
        assert sync_accounts(session=session, accounts=moved) == 1
    with session_scope(engine) as session:
        assert len(session.exec(select(Account)).all()) == 1200
        changed = account_for_channel(session=session, channel_id="C0MANY00700")
        assert changed is not None and changed.tier == "enterprise"


def test_processes_starting_together_sync_the_same_accounts_without_a_conflict(
    engine: Engine,
) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def start_up() -> None:
        barrier.wait()
        try:
            with session_scope(engine) as session:
                sync_accounts(session=session, accounts=[ACME])
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=start_up) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with session_scope(engine) as session:
        rows = session.exec(select(Account)).all()
        assert [(r.channel_id, r.tier) for r in rows] == [("C0ACME", "enterprise")]


def test_one_conversation_per_thread_even_under_a_race(engine: Engine) -> None:
    account_id = _account_id(engine)
    created: list[bool] = []
    barrier = threading.Barrier(5)

    def open_it() -> None:
        barrier.wait()
        with session_scope(engine) as session:
            _conversation, was_created = open_conversation(
                session=session,
                account_id=account_id,
                channel_id="C0ACME",
                thread_ts="100.1",
                customer_user_id="U0CUST",
                customer_team_id="T0CUST",
            )
            created.append(was_created)

    threads = [threading.Thread(target=open_it) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with session_scope(engine) as session:
        assert len(session.exec(select(Conversation)).all()) == 1
    assert created.count(True) == 1


def test_messages_are_recorded_once_and_keep_unicode(engine: Engine) -> None:
    account_id = _account_id(engine)
    text = "Ça ne marche pas 😡 — 请帮忙 " + "x" * 40_000
    with session_scope(engine) as session:
        conversation, _ = open_conversation(
            session=session,
            account_id=account_id,
            channel_id="C0ACME",
            thread_ts="100.1",
            customer_user_id="U0CUST",
            customer_team_id=None,
        )
        first = add_message(
            session=session,
            conversation=conversation,
            slack_ts="100.1",
            author="customer",
            text=text,
            user_id="U0CUST",
            team_id="T0CUST",
        )
        again = add_message(
            session=session,
            conversation=conversation,
            slack_ts="100.1",
            author="customer",
            text=text,
            user_id="U0CUST",
            team_id="T0CUST",
        )
        assert first is not None and again is None
        conversation_id = conversation.id
    assert conversation_id is not None
    with session_scope(engine) as session:
        stored = messages_of(session=session, conversation_id=conversation_id)
        assert [m.text for m in stored] == [text]


def _conversation_with_message(engine: Engine, account_id: int, ts: str, status: str) -> int:
    with session_scope(engine) as session:
        conversation, _ = open_conversation(
            session=session,
            account_id=account_id,
            channel_id="C0ACME",
            thread_ts=ts,
            customer_user_id="U0CUST",
            customer_team_id="T0CUST",
        )
        conversation.status = status
        add_message(
            session=session,
            conversation=conversation,
            slack_ts=ts,
            author="customer",
            text="first",
            user_id="U0CUST",
            team_id="T0CUST",
        )
        session.flush()
        assert conversation.id is not None
        return conversation.id


def _customer_says(
    engine: Engine, conversation_id: int, ts: str, text: str, *, joined: bool = False
) -> None:
    with session_scope(engine) as session:
        add_message(
            session=session,
            conversation=session.get_one(Conversation, conversation_id),
            slack_ts=ts,
            author="customer",
            text=text,
            user_id="U0CUST",
            team_id="T0CUST",
            joined=joined,
        )


def _joinable(engine: Engine, account_id: int, ts: str, *, user: str = "U0CUST") -> int | None:
    with session_scope(engine) as session:
        found = joinable_conversation(
            session=session,
            account_id=account_id,
            channel_id="C0ACME",
            customer_user_id=user,
            slack_ts=ts,
            window_seconds=120,
        )
        return found.id if found is not None else None


def test_a_top_level_message_within_the_window_of_the_customers_last_one_may_join(
    engine: Engine,
) -> None:
    account_id = _account_id(engine)
    first = _conversation_with_message(engine, account_id, "1700000000.000100", "escalated")
    assert _joinable(engine, account_id, "1700000119.000000") == first
    assert _joinable(engine, account_id, "1700000120.000100") == first  # the window's edge
    assert _joinable(engine, account_id, "1700000120.000200") is None  # too late
    assert _joinable(engine, account_id, "1700000060.000000", user="U0OTHER") is None
    assert _joinable(engine, account_id, "1700000000.000100") is None  # itself
    # a thread reply of the customer's in the conversation moves the window on
    _customer_says(engine, first, "1700000100.000000", "more")
    assert _joinable(engine, account_id, "1700000200.000000") == first


def test_a_closed_conversation_is_not_joined_and_the_latest_open_one_wins(
    engine: Engine,
) -> None:
    account_id = _account_id(engine)
    _conversation_with_message(engine, account_id, "1700000000.000100", "contained")
    assert _joinable(engine, account_id, "1700000030.000000") is None
    answered = _conversation_with_message(engine, account_id, "1700000010.000000", "answered")
    assert _joinable(engine, account_id, "1700000030.000000") == answered


def test_a_joined_message_finds_its_conversation_as_a_thread(engine: Engine) -> None:
    account_id = _account_id(engine)
    first = _conversation_with_message(engine, account_id, "1700000000.000100", "escalated")
    _customer_says(engine, first, "1700000050.000000", "joined", joined=True)
    with session_scope(engine) as session:
        found = conversation_for_thread(
            session=session, channel_id="C0ACME", thread_ts="1700000050.000000"
        )
        assert found is not None and found.id == first
        assert [m.text for m in joined_messages(session=session, conversation_id=first)] == [
            "joined"
        ]
        assert (
            conversation_for_thread(
                session=session, channel_id="C0OTHER", thread_ts="1700000050.000000"
            )
            is None
        )
