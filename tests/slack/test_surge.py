"""Surge playbooks in Slack: leads start and stop them; an outage report gets the playbook's reply;
enterprise and other problems still reach a person; the review is posted and stored."""

from __future__ import annotations

import json

from sqlmodel import Session, select

from app.db.models import Surge
from standins.local_slack import OUR_TEAM, LocalSlack
from tests.slack.test_handoff import escalations
from tests.slack.test_triage_flow import ask, decisions, is_handoff

ACME, INITECH = "C0ACME", "C0INITECH"


def surge_command(slack: LocalSlack, text: str, *, user: str = "U0LEAD1") -> str:
    assert slack.sender is not None
    result = slack.sender.slash_command(
        "/escalation-surge", text, user=user, user_team=OUR_TEAM, channel="C0LEADS"
    )
    assert result.status == 200
    return result.body


def surges(slack: LocalSlack) -> list[Surge]:
    assert slack.runtime is not None
    with Session(slack.runtime.engine) as session:
        return list(session.exec(select(Surge)))


def test_only_leads_may_start_a_surge(slack: LocalSlack) -> None:
    assert "only support leads" in surge_command(slack, "start outage", user="U0AGENT1")
    assert surges(slack) == []
    assert "Usage" in surge_command(slack, "begin")
    assert "Unknown playbook" in surge_command(slack, "start meltdown")


def test_outage_playbook_answers_outage_reports_and_keeps_people_for_the_rest(
    slack: LocalSlack,
) -> None:
    body = surge_command(slack, "start outage https://status.example.com Sync is delayed")
    assert "Started the outage playbook" in body
    [surge] = surges(slack)
    assert (surge.playbook, surge.status_url, surge.note) == (
        "outage",
        "https://status.example.com",
        "Sync is delayed",
    )
    assert "already running" in surge_command(slack, "start outage")

    _ts, reply = ask(slack, INITECH, "Is the app down? Nothing loads for us, everything is broken")
    assert "https://status.example.com" in reply["text"] and not is_handoff(reply)
    [decision] = decisions(slack)
    assert not decision.escalate and "playbook" in decision.fired_triggers.split(",")

    _ts, enterprise = ask(
        slack, ACME, "Is the app down? Nothing loads for us, everything is broken"
    )
    assert is_handoff(enterprise)
    banner = slack.runtime.config.surge.playbooks["outage"].banner  # type: ignore[union-attr]
    assert banner and banner in json.dumps(enterprise["blocks"], ensure_ascii=False)

    _ts, dispute = ask(slack, INITECH, "I want a refund for last month")
    assert is_handoff(dispute)

    body = surge_command(slack, "stop")
    assert "Stopped the outage playbook" in body
    review = slack.standin.wait_for(
        lambda: next(
            (m for m in slack.standin.messages_in("C0LEADS") if "review" in m.get("text", "")),
            None,
        )
    )
    # the refund request came right after Initech's outage report: it joined that conversation
    assert "Messages: 3; conversations: 2; escalations: 2" in review["text"]
    stored = json.loads(slack.standin.wait_for(lambda: surges(slack)[0].review) or "{}")
    assert stored["escalations"] == len(escalations(slack)) == 2
    assert stored["conversations"] == 2
    assert "No surge playbook is running" in surge_command(slack, "stop")


def test_a_surge_alert_starts_the_playbook_in_one_click_for_leads(slack: LocalSlack) -> None:
    from app.slack.client import build_web_client
    from app.slack.surge_alerts import SlackSurgeAlerts
    from app.surge.detector import SurgeSignal
    from tests.slack.test_handoff import press

    assert slack.runtime is not None
    alerts = SlackSurgeAlerts(build_web_client(slack.runtime.settings), channel="C0LEADS")
    signal = SurgeSignal(
        "volume", "", 60, 15.0, 4.0, "60 messages in 5 min from 20 channels, usually 15"
    )
    alerts.alert(signals=[signal], started_surge_id=None)
    [alert] = [m for m in slack.standin.messages_in("C0LEADS") if m.get("bot_id")]
    assert "usually 15" in json.dumps(alert["blocks"])
    press(slack, alert, "start_surge_playbook", user="U0AGENT1", channel="C0LEADS")
    [refusal] = slack.standin.wait_for(lambda: slack.standin.ephemerals_for("U0AGENT1"))
    assert "Only support leads" in refusal["text"] and surges(slack) == []
    press(slack, alert, "start_surge_playbook", user="U0LEAD1", channel="C0LEADS")
    slack.standin.wait_for(lambda: surges(slack))
    assert surges(slack)[0].playbook == "outage"
