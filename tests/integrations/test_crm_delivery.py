"""What the outbox promises for every CRM, run against each stand-in: no second record after a
crash, retries on server errors and timeouts, dead letters with the CRM's reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from app.delivery.outbox import LEASE
from tests.integrations.conftest import Crm
from tests.integrations.crm_fixtures import (
    NOW,
    ProcessDied,
    deliver,
    dies_after_sending,
    enqueue_one,
    payload,
    stored,
)


def test_a_crash_after_the_create_before_the_record_writes_no_second_record(
    engine: Engine, crm: Crm
) -> None:
    outbox_id = enqueue_one(engine, crm.kind, payload(**crm.ids))
    with pytest.raises(ProcessDied):
        deliver(engine, crm.kind, dies_after_sending(crm.sender()))
    [record] = crm.records()
    assert stored(engine, outbox_id).status == "delivering"
    # the next worker takes the row over once the lease ran out
    assert deliver(engine, crm.kind, crm.sender(), NOW + LEASE).delivered == [outbox_id]
    assert len(crm.records()) == 1
    assert stored(engine, outbox_id).external_id == record.id


def test_server_errors_and_timeouts_are_retried(engine: Engine, crm: Crm) -> None:
    outbox_id = enqueue_one(engine, crm.kind, payload(**crm.ids))
    crm.standin.mode = "error_500"
    assert deliver(engine, crm.kind, crm.sender()).retried == [outbox_id]
    assert f"{crm.name} answered HTTP 500" in (stored(engine, outbox_id).last_error or "")
    crm.standin.mode = "hang"
    later = NOW + timedelta(hours=1)
    assert deliver(engine, crm.kind, crm.sender(timeout=0.2), later).retried == [outbox_id]
    assert f"{crm.name} unreachable" in (stored(engine, outbox_id).last_error or "")
    crm.standin.mode = "ok"
    tomorrow = NOW + timedelta(days=1)
    assert deliver(engine, crm.kind, crm.sender(), tomorrow).delivered == [outbox_id]
    assert len(crm.records()) == 1


def test_an_unknown_customer_is_dead_lettered_with_the_reason(engine: Engine, crm: Crm) -> None:
    outbox_id = enqueue_one(engine, crm.kind, payload(**crm.unknown_ids))
    assert deliver(engine, crm.kind, crm.sender()).dead == [outbox_id]
    event = stored(engine, outbox_id)
    assert event.status == "dead"
    assert crm.unknown_error in (event.last_error or "")
    assert crm.records() == []


def test_a_wrong_token_is_dead_lettered(engine: Engine, crm: Crm) -> None:
    outbox_id = enqueue_one(engine, crm.kind, payload(**crm.ids))
    assert deliver(engine, crm.kind, crm.sender(token="wrong-token")).dead == [outbox_id]
    assert crm.bad_token_error in (stored(engine, outbox_id).last_error or "")
    assert crm.records() == []
