"""The worker in OAuth mode: its jobs run once per installation, with that installation's token,
config and rows."""

from __future__ import annotations

from datetime import timedelta

from app.db.models import as_utc, utcnow
from app.slack.workspaces import installation_clients, installed_workspaces
from app.worker.escalation_jobs import sweep_claim_windows
from app.worker.event_retry import retry_unfinished_events
from app.worker.outbox_jobs import deliver_outbox, outbox_senders
from app.worker.report_jobs import post_leads_digest
from standins.local_slack import LocalSlack
from tests.slack.conftest import Rows
from tests.slack.oauth.test_isolation import acme_says, escalate_in_alpha


def test_every_installation_is_a_workspace_with_its_own_token_and_config(
    two_workspaces: LocalSlack,
) -> None:
    assert two_workspaces.runtime is not None
    workspaces = installed_workspaces(two_workspaces.runtime)()
    assert [w.runtime.team.team_id for w in workspaces] == ["T0ALPHA", "T0BETA"]
    assert [w.runtime.config.leads_channel for w in workspaces] == ["C0LEADSA", "C0LEADSB"]
    assert [w.bot.user_id for w in workspaces] == ["UB0ALPHA", "UB0BETA"]
    for workspace in workspaces:
        workspace.client.auth_test()
    teams = [c.team_id for c in two_workspaces.standin.calls_to("auth.test")[-2:]]
    assert teams == ["T0ALPHA", "T0BETA"]


def test_weekly_digest_goes_to_each_workspace_with_its_own_numbers(
    two_workspaces: LocalSlack,
) -> None:
    slack = two_workspaces
    assert slack.runtime is not None
    escalate_in_alpha(slack)
    for workspace in installed_workspaces(slack.runtime)():
        post_leads_digest(
            runtime=workspace.runtime, client=workspace.client, now=utcnow() + timedelta(hours=1)
        )
    digests = {
        call.args["channel"]: (call.team_id, str(call.args.get("blocks")))
        for call in slack.standin.calls_to("chat.postMessage")
        if call.args["channel"] in ("C0LEADSA", "C0LEADSB")
    }
    assert digests["C0LEADSA"][0] == "T0ALPHA" and "1 conversations" in digests["C0LEADSA"][1]
    assert digests["C0LEADSB"][0] == "T0BETA" and "No conversations" in digests["C0LEADSB"][1]


def test_claim_window_sweep_acts_on_each_workspace_for_its_own_escalations(
    two_workspaces: LocalSlack,
) -> None:
    slack = two_workspaces
    assert slack.runtime is not None
    escalate_in_alpha(slack)  # enterprise: a 5-minute claim window
    [escalation] = Rows(slack).escalations()
    later = as_utc(escalation.created_at) + timedelta(minutes=6)
    alpha, beta = installed_workspaces(slack.runtime)()
    assert sweep_claim_windows(runtime=beta.runtime, client=beta.client, now=later) == 0
    assert sweep_claim_windows(runtime=alpha.runtime, client=alpha.client, now=later) == 1
    [overflow] = [
        c for c in slack.standin.calls_to("chat.postMessage") if c.args["channel"] == "C0OVERA"
    ]
    assert overflow.team_id == "T0ALPHA" and overflow.ok


def test_a_reminder_left_to_the_outbox_sweep_goes_out_in_its_own_installation(
    two_workspaces: LocalSlack,
) -> None:
    slack = two_workspaces
    assert slack.runtime is not None
    escalate_in_alpha(slack)
    [escalation] = Rows(slack).escalations()
    later = as_utc(escalation.created_at) + timedelta(minutes=6)
    slack.standin.fail_next(
        "chat.postMessage", status=200, error="internal_error", channel="C0OVERA"
    )
    alpha, _beta = installed_workspaces(slack.runtime)()
    assert sweep_claim_windows(runtime=alpha.runtime, client=alpha.client, now=later) == 0
    senders = outbox_senders(slack.runtime, installation_clients(slack.runtime))
    assert deliver_outbox(slack.runtime, senders, lambda: [], now=later + timedelta(minutes=2))
    [overflow] = [
        c
        for c in slack.standin.calls_to("chat.postMessage")
        if c.args["channel"] == "C0OVERA" and c.ok
    ]
    assert overflow.team_id == "T0ALPHA"  # Alpha's token, Alpha's overflow channel
    [card] = [m for m in slack.standin.messages_in("C0OVERA") if m.get("bot_id")]
    assert Rows(slack).escalations()[0].overflow_card_ts == card["ts"]


def test_a_failed_event_is_finished_by_its_own_installation(
    two_workspaces: LocalSlack,
) -> None:
    slack = two_workspaces
    assert slack.runtime is not None
    slack.standin.fail_next("chat.postMessage", status=500, times=3)
    sent = acme_says(slack, "How do I export a board to CSV?", installation="T0ALPHA")
    [event] = Rows(slack).events()
    assert event.status == "failed"
    assert event.team_id == "T0ALPHA"  # stored under the installation it was authorized for
    alpha, beta = installed_workspaces(slack.runtime)()
    assert (
        retry_unfinished_events(
            runtime=beta.runtime, client=beta.client, bot=beta.bot, now=utcnow()
        )
        == 0
    )
    assert (
        retry_unfinished_events(
            runtime=alpha.runtime, client=alpha.client, bot=alpha.bot, now=utcnow()
        )
        == 1
    )
    [reply] = [
        c
        for c in slack.standin.calls_to("chat.postMessage")
        if c.ok and c.args.get("thread_ts") == sent.ts
    ]
    assert reply.team_id == "T0ALPHA"
