from __future__ import annotations

from pathlib import Path

import pytest

from app.config_file import load_config, parse_config
from app.errors import StartupError

VALID = """\
accounts:
  - name: Acme Corp
    channel: C0ACME
    tier: enterprise
    language: en
    crm_id: "0017000000abc"
    arr: 120000
skills:
  billing: {channel: C0BILLING}
  technical: {channel: C0TECH}
  account_management: {channel: C0AM}
  trust: {channel: C0TRUST}
  general: {channel: C0GENERAL}
overflow_channel: C0OVERFLOW
leads_channel: C0LEADS
agents:
  - {user: U0AGENT1, skills: [billing, general], languages: [en, es]}
leads: [U0LEAD1]
"""


def test_example_config_is_valid(example_config_path: Path) -> None:
    config = load_config(example_config_path)
    assert config.account_for_channel("C0ACME") is not None
    assert config.skills["billing"].channel == "C0BILLING"
    assert config.is_agent("U0AGENT1")
    assert config.is_lead("U0LEAD1")


def test_the_documented_shape_is_accepted() -> None:
    config = parse_config(VALID)
    acme = config.account_for_channel("C0ACME")
    assert acme is not None and acme.tier == "enterprise" and acme.arr == 120000
    assert config.agents[0].languages == ["en", "es"]
    assert config.account_for_channel("C0NOPE") is None


@pytest.mark.parametrize(
    ("written", "mode"), [("", "answer"), ("triage", "triage"), ("off", "off"), ('"off"', "off")]
)
def test_channel_mode(written: str, mode: str) -> None:
    text = VALID.replace(
        "    language: en",
        f"    language: en\n    mode: {written}" if written else "    language: en",
    )
    acme = parse_config(text).account_for_channel("C0ACME")
    assert acme is not None and acme.mode == mode


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("tier: enterprise", "tier: platinum", ":4: accounts[0].tier: Input should be"),
        ("channel: C0ACME", "channel: acme-support", ":3: accounts[0].channel: String should"),
        ("arr: 120000", "arr: -5", ":7: accounts[0].arr: Input should be greater"),
        ("overflow_channel: C0OVERFLOW\n", "", ":1: overflow_channel: is required"),
        ("skills: [billing, general]", "skills: [billing, sales]", ":17: agents[0].skills[1]: "),
        ("leads: [U0LEAD1]", "leads: [U0LEAD1]\nsurprise: 1", ":19: surprise: Extra inputs"),
        ("    language: en", "    language: english", ":5: accounts[0].language: String"),
        ("    language: en", "    language: en\n    mode: quiet", ":6: accounts[0].mode: Input"),
    ],
)
def test_errors_name_the_key_and_line(old: str, new: str, expected: str) -> None:
    with pytest.raises(StartupError) as caught:
        parse_config(VALID.replace(old, new), source="escalation.yml")
    message = str(caught.value)
    assert message.startswith("escalation.yml:")
    assert expected in message


def test_unknown_skill_message_lists_the_known_ones() -> None:
    with pytest.raises(StartupError, match=r"unknown skill 'sales'.*billing"):
        parse_config(VALID.replace("skills: [billing, general]", "skills: [billing, sales]"))


def test_duplicate_channel_is_refused_at_its_line() -> None:
    doubled = VALID.replace(
        "skills:\n",
        "  - {name: Other, channel: C0ACME, tier: free}\nskills:\n",
        1,
    )
    with pytest.raises(StartupError) as caught:
        parse_config(doubled, source="c.yml")
    assert str(caught.value).startswith("c.yml:8: accounts[1].channel: channel C0ACME already")


def test_broken_yaml_names_the_line() -> None:
    with pytest.raises(StartupError, match=r"^c.yml:3: not valid YAML"):
        parse_config("accounts:\n  - name: x\n   tier: [free\n", source="c.yml")


def test_not_a_mapping() -> None:
    with pytest.raises(StartupError, match="must be a mapping"):
        parse_config("- just\n- a list\n")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(StartupError, match="ESCALATION_CONFIG: cannot read"):
        load_config(tmp_path / "absent.yml")


def test_policy_defaults_and_overrides() -> None:
    config = parse_config(VALID)
    assert config.policy.sentiment.threshold == -0.5
    assert "billing_dispute" in config.policy.intent.always_escalate
    tuned = parse_config(VALID + "policy:\n  sentiment: {threshold: -0.7}\n")
    assert tuned.policy.sentiment.threshold == -0.7


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ("  sentiment: {threshold: -1.5}\n", ":20: policy.sentiment.threshold: Input should be"),
        ("  confidence: {threshold: 2}\n", ":20: policy.confidence.threshold: Input should be"),
        (
            "  intent:\n    always_escalate: [billing_dispute, refund_everything]\n",
            ":21: policy.intent.always_escalate[1]: unknown intent 'refund_everything'",
        ),
        ("  account: {platinum: {always_escalate: true}}\n", ":20: policy.account.platinum"),
    ],
)
def test_policy_errors_name_the_key(policy: str, expected: str) -> None:
    with pytest.raises(StartupError) as caught:
        parse_config(VALID + "policy:\n" + policy, source="c.yml")
    assert expected in str(caught.value)


def test_intents_can_be_added_and_remapped() -> None:
    config = parse_config(VALID + "intents: {feature_request: general, data_export: technical}\n")
    assert config.taxonomy.skill_for("feature_request") == "general"
    assert config.taxonomy.skill_for("data_export") == "technical"
    with pytest.raises(StartupError, match=r"intents\.refund: unknown skill 'finance'"):
        parse_config(VALID + "intents: {refund: finance}\n")


def test_knowledge_base_path_is_relative_to_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "kb").mkdir()
    path = tmp_path / "escalation.yml"
    path.write_text(VALID + "knowledge_base: {path: kb}\n")
    assert load_config(path).knowledge_base.path == (tmp_path / "kb").resolve()


def test_bug_reports_and_alerts() -> None:
    config = parse_config(
        VALID
        + "bug_reports:\n  trackers: [linear, jira]\n  linear: {label_ids: [lbl-1]}\n"
        + "  jira: {project_key: SUP, labels: [from-support]}\n"
        + "alerts:\n  bug_fingerprint: C0ENGBUGS\n  churn_signal: C0CHURN\n"
    )
    assert config.bug_reports.trackers == ["linear", "jira"]
    assert config.bug_reports.jira.issue_type == "Bug"
    assert (config.alerts.bug_fingerprint, config.alerts.churn_signal) == ("C0ENGBUGS", "C0CHURN")
    assert config.alerts.enterprise_unclaimed is None
    defaults = parse_config(VALID)
    assert defaults.bug_reports.trackers == [] and defaults.alerts.bug_fingerprint is None


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("bug_reports:\n  trackers: [github]\n", r":20: bug_reports\.trackers\[0\]: "),
        ('alerts:\n  bug_fingerprint: "eng bugs"\n', r":20: alerts\.bug_fingerprint: "),
        ("bug_reports:\n  jira: {labels: [two words]}\n", r":20: bug_reports\.jira\.labels\[0\]"),
    ],
)
def test_bug_report_and_alert_errors_name_the_key(extra: str, expected: str) -> None:
    with pytest.raises(StartupError, match=expected):
        parse_config(VALID + extra)


def test_crm_ids_and_alert_channels() -> None:
    config = parse_config(
        VALID.replace(
            "    arr: 120000\n",
            '    arr: 120000\n    hubspot_company_id: "9876543210"\n'
            '    salesforce_account_id: "001Dn00000AbCdEfGH"\n',
        )
        + "alerts: {churn_signal: C0CSALERTS, enterprise_unclaimed: C0SUPLEADS}\n"
    )
    [acme] = config.accounts
    assert (acme.hubspot_company_id, acme.salesforce_account_id) == (
        "9876543210",
        "001Dn00000AbCdEfGH",
    )
    assert config.alerts.churn_signal == "C0CSALERTS"
    assert config.alerts.bug_fingerprint is None


def test_a_bad_crm_id_or_alert_channel_names_its_line() -> None:
    with pytest.raises(StartupError, match=r":8: accounts\[0\]\.salesforce_account_id: String"):
        parse_config(
            VALID.replace(
                "    arr: 120000\n", '    arr: 120000\n    salesforce_account_id: "x\' OR 1"\n'
            )
        )
    with pytest.raises(StartupError, match=r":20: alerts\.churn_signal: String"):
        parse_config(VALID + "alerts:\n  churn_signal: '#cs-alerts'\n")


WORKSPACES = (
    VALID
    + """\
workspaces:
  T0ALPHA:
    accounts:
      - {name: Alpha Customer, channel: C0ALPHACUST, tier: pro}
    skills:
      billing: {channel: C0BILLA}
      general: {channel: C0GENA}
    overflow_channel: C0OVERA
    leads_channel: C0LEADSA
    agents:
      - {user: U0AGENTA, skills: [billing]}
    leads: [U0LEADA]
"""
)


def test_each_workspace_gets_its_own_team_and_shares_the_rest() -> None:
    config = parse_config(WORKSPACES)
    alpha = config.for_team("T0ALPHA")
    assert [a.channel for a in alpha.accounts] == ["C0ALPHACUST"]
    assert alpha.leads_channel == "C0LEADSA" and alpha.is_lead("U0LEADA")
    assert not alpha.is_lead("U0LEAD1") and alpha.account_for_channel("C0ACME") is None
    assert alpha.policy == config.policy and alpha.sla == config.sla
    single = config.for_team("single")
    assert single is config and single.account_for_channel("C0ALPHACUST") is None
    unknown = config.for_team("T0UNLISTED")
    assert unknown.accounts == [] and unknown.agents == [] and unknown.leads == []


def test_a_workspace_may_send_its_bug_reports_to_its_own_tracker_team_or_project() -> None:
    config = parse_config(
        WORKSPACES
        + "    bug_reports:\n      jira: {project_key: ALPHA, labels: [alpha]}\n"
        + "bug_reports:\n  trackers: [linear, jira]\n  linear: {team_id: team-top}\n"
        + "  jira: {project_key: TOP}\n"
    )
    alpha = config.for_team("T0ALPHA").bug_reports
    assert alpha.trackers == ["linear", "jira"]  # the choice of trackers is shared
    assert (alpha.jira.project_key, alpha.jira.labels) == ("ALPHA", ["alpha"])
    assert alpha.linear.team_id == "team-top"  # not given: the top-level one
    assert config.for_team("single").bug_reports.jira.project_key == "TOP"
    assert config.for_team("T0UNLISTED").bug_reports == config.bug_reports
    with pytest.raises(
        StartupError, match=r":32: workspaces\.T0ALPHA\.bug_reports\.trackers: Extra"
    ):
        parse_config(WORKSPACES + "    bug_reports:\n      trackers: [jira]\n")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("T0ALPHA:", "alpha:", ":20: workspaces.alpha.[key]: String should match"),
        ("C0ALPHACUST", "C0ACME", ":22: workspaces.T0ALPHA.accounts[0].channel: channel C0ACME"),
        ("skills: [billing]}", "skills: [trust]}", ":29: workspaces.T0ALPHA.agents[0].skills[0]"),
        ("    leads_channel: C0LEADSA\n", "", ":20: workspaces.T0ALPHA.leads_channel: is required"),
    ],
)
def test_workspace_errors_name_the_key_and_line(old: str, new: str, expected: str) -> None:
    with pytest.raises(StartupError) as caught:
        parse_config(WORKSPACES.replace(old, new), source="escalation.yml")
    assert str(caught.value).startswith("escalation.yml" + expected), str(caught.value)
