"""Ten agents press Claim at the same moment: exactly one owner, nine told who it was."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.messages import render
from standins.local_slack import LocalSlack
from tests.conftest import example_config_text
from tests.slack.test_handoff import BILLING, GLOBEX, card_in, escalate, escalations, latest, press
from tests.slack.test_triage_flow import bot_replies

AGENTS = [f"U0BILL{n:02d}" for n in range(10)]


@pytest.fixture
def ten_agents(database_url: str, tmp_path: Path) -> Iterator[LocalSlack]:
    agents = "\n".join(
        f"  - {{user: {user}, skills: [billing], languages: [en, es]}}" for user in AGENTS
    )
    text = example_config_text().replace("agents:\n", f"agents:\n{agents}\n", 1)
    config = tmp_path / "escalation.yml"
    config.write_text(text)
    with LocalSlack(database_url=database_url, config_path=config) as local:
        yield local


def test_ten_concurrent_claims_give_one_owner(ten_agents: LocalSlack) -> None:
    slack = ten_agents
    _customer, root = escalate(slack, GLOBEX, "Quiero un reembolso, nos cobraron dos veces")
    card = card_in(slack, BILLING)
    barrier = threading.Barrier(len(AGENTS))
    statuses: list[int] = []

    def click(user: str) -> None:
        barrier.wait()
        statuses.append(press(slack, card, "claim_escalation", user=user, channel=BILLING))

    threads = [threading.Thread(target=click, args=(user,)) for user in AGENTS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * len(AGENTS)

    slack.standin.wait_for(
        lambda: sum(len(slack.standin.ephemerals_for(u)) for u in AGENTS) == len(AGENTS) - 1,
        timeout=15,
    )
    [escalation] = escalations(slack)
    owner = escalation.claimed_by
    assert owner in AGENTS and escalation.status == "claimed"
    losers = [u for u in AGENTS if u != owner]
    for user in losers:
        [notice] = slack.standin.ephemerals_for(user)
        assert notice["text"] == f"Already claimed by <@{owner}>."
    assert slack.standin.ephemerals_for(owner or "") == []
    # The card shows the owner, updated in place; the customer hears who joined, once.
    slack.standin.wait_for(
        lambda: owner in json.dumps(latest(slack, BILLING, card["ts"])["blocks"])
    )
    joined = render("joined", language="es", agent=f"<@{owner}>")
    slack.standin.wait_for(
        lambda: [m for m in bot_replies(slack, GLOBEX, root) if m["text"] == joined]
    )
    assert len([m for m in bot_replies(slack, GLOBEX, root) if m["text"] == joined]) == 1
