"""No personal data reaches HubSpot, Salesforce or the alert channel: generated e-mail
addresses, phone numbers, card numbers and keys in a customer's message never appear in any
request the stand-ins receive."""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import unquote_plus

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.crm.recording import signal_payload
from app.crm.signals import detect_signals
from app.db.models import Account
from app.integrations.alerts import alert_payload
from app.integrations.hubspot import HubSpotSender
from app.integrations.salesforce import SalesforceSender
from app.redaction import luhn_valid
from app.slack.blocks.team_alert import team_alert_blocks
from app.triage.signals import SentimentLabel, Signals
from standins.vendors.hubspot import DEFAULT_TOKEN as HUBSPOT_TOKEN
from standins.vendors.hubspot import HubSpotStandin
from standins.vendors.salesforce import DEFAULT_TOKEN as SALESFORCE_TOKEN
from standins.vendors.salesforce import SalesforceStandin

COMPANY, ACCOUNT = "424242", "001Dn00000AbCdEfGH"
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
CANCELLATION = Signals(
    intent="cancellation",
    intent_confidence=0.9,
    sentiment=-0.7,
    sentiment_label=SentimentLabel.VERY_NEGATIVE,
    language="en",
    frustration=True,
)

_lower_digits = "abcdefghijklmnopqrstuvwxyz0123456789"
emails = st.builds(
    lambda local, domain, tld: f"{local}@{domain}.{tld}",
    st.text(_lower_digits + "._+-", min_size=1, max_size=20).filter(lambda s: s[0].isalnum()),
    st.text(_lower_digits, min_size=1, max_size=15),
    st.text("abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=6),
)
phones = st.one_of(
    st.from_regex(r"\+[1-9]\d{0,2} \d{3} \d{3} \d{4}", fullmatch=True),
    st.from_regex(r"\(\d{3}\) \d{3}-\d{4}", fullmatch=True),
    st.from_regex(r"\d{3}-\d{3}-\d{4}", fullmatch=True),
)


def _with_check_digit(body: str) -> str:
    return next(body + d for d in "0123456789" if luhn_valid(body + d))


cards = st.builds(
    lambda digits, sep: sep.join(digits[i : i + 4] for i in range(0, 16, 4)),
    st.from_regex(r"[3-6]\d{14}", fullmatch=True).map(_with_check_digit),
    st.sampled_from(["", " ", "-"]),
)
_alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
keys = st.one_of(
    st.text(_alnum, min_size=20, max_size=40).map(lambda s: "sk-" + s),
    st.text(_alnum, min_size=20, max_size=40).map(lambda s: "xoxb-1234-" + s),
    st.text(_alnum, min_size=36, max_size=36).map(lambda s: "ghp_" + s),
    st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=16, max_size=16).map(
        lambda s: "AKIA" + s
    ),
)


@pytest.fixture(scope="module")
def standins() -> Iterator[tuple[HubSpotStandin, SalesforceStandin]]:
    with (
        HubSpotStandin(companies={COMPANY: {"name": "Acme"}}) as hubspot,
        SalesforceStandin(accounts={ACCOUNT: {"Name": "Acme"}}) as salesforce,
    ):
        yield hubspot, salesforce


def _readable(query: str, raw: bytes) -> str:
    """A request's query and body as text, with URL, JSON and HTML escapes undone (so nothing
    hides in them)."""
    body = json.dumps(json.loads(raw), ensure_ascii=False) if raw else ""
    return html.unescape(unquote_plus(query) + "\n" + body)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(email=emails, phone=phones, card=cards, key=keys, n=st.integers(0, 10**9))
def test_no_personal_data_in_any_request(
    standins: tuple[HubSpotStandin, SalesforceStandin],
    email: str,
    phone: str,
    card: str,
    key: str,
    n: int,
) -> None:
    hubspot, salesforce = standins
    text = (
        f"We will cancel our subscription. Write to {email} or call {phone}. "
        f"Refund the card {card}. Our key is {key} ."
    )
    [signal] = detect_signals(
        signals=CANCELLATION, text=text, tier="enterprise", escalate=True, fired=("intent",)
    )
    account = Account(name=f"Acme ({email})", channel_id="C0ACME", tier="enterprise")
    body = signal_payload(signal, account=account, thread_url="https://x.test/t", detected_at=NOW)
    seen = len(hubspot.requests), len(salesforce.requests)
    HubSpotSender(token=HUBSPOT_TOKEN, api_url=hubspot.url)(
        {**body, "company_id": COMPANY}, f"k{n}"
    )
    SalesforceSender(token=SALESFORCE_TOKEN, instance_url=salesforce.url)(
        {**body, "account_id": ACCOUNT}, f"k{n}"
    )
    alert = alert_payload(
        event="churn_signal",
        team_id="single",
        channel="C0ALERTS",
        title=body["account"],
        quote=signal.excerpt,
    )
    sent = [
        _readable(r.query, r.raw)
        for r in hubspot.requests[seen[0] :] + salesforce.requests[seen[1] :]
    ]
    sent.append(_readable("", json.dumps([b.to_dict() for b in team_alert_blocks(alert)]).encode()))
    assert len(sent) >= 4
    for readable in sent:
        for secret in (email, phone, card, key):
            assert secret not in readable
