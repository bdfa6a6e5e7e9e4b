"""The sandbox page in headless Chromium: a visitor plays the customer, the agent and the lead
through the whole hand-off. Screenshots of each step go to ``test-artifacts/sandbox/``.

Needs Debian's ``chromium`` (``apt-get install chromium``; CI installs it). Without it the tests
are skipped, except in CI, where they fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from sandbox.server import SandboxServer
from tests.conftest import required_path
from tests.sandbox.conftest import REPO_ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO_ROOT / "test-artifacts" / "sandbox"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INITECH_CUSTOMER = "Sam (Initech, free)"
BILLING_AGENT = "Alex Kim (agent: billing, general)"
LEAD = "Lee Morgan (support lead)"


@pytest.fixture
def page(sandbox_server: SandboxServer, tmp_path: Path) -> Iterator[Page]:
    chromium = required_path(CHROMIUM, why="the browser tests need Debian's chromium package")
    expect.set_options(timeout=20_000)
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),  # a fresh profile each time
            executable_path=str(chromium),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 900},
        )
        try:
            page = context.new_page()
            page.set_default_timeout(20_000)
            page.goto(sandbox_server.url)
            expect(page.locator("#customer-channels a.channel")).to_have_count(3)
            yield page
        finally:
            context.close()


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def open_channel(page: Page, channel: str, *, as_person: str) -> None:
    page.click(f'#sidebar a[data-channel="{channel}"]')
    page.select_option("#persona", label=as_person)
    expect(page.locator("#channel-title")).not_to_be_empty()


def test_a_visitor_walks_a_handoff_from_customer_to_agent_to_lead(page: Page) -> None:
    # 1. The customer writes in their Slack Connect channel.
    open_channel(page, "C0INITECH", as_person=INITECH_CUSTOMER)
    page.fill("#composer-text", "We were charged twice for our May invoice. Please refund it.")
    page.press("#composer-text", "Enter")
    question = page.locator("#messages .message").first
    expect(question).to_contain_text("charged twice")
    expect(question.locator(".author")).to_have_text("Sam")
    screenshot(page, "01-customer-posts")

    # 2. The bot answers in the thread: someone from billing is coming.
    question.locator("a.replies").click()
    thread = page.locator("#thread-messages")
    expect(thread).to_contain_text("billing team")
    expect(thread.locator('button[data-action-id="follow_up_later"]')).to_be_visible()
    screenshot(page, "02-bot-replies-in-thread")

    # 3. The handoff card is in the billing agents' channel.
    open_channel(page, "C0BILLING", as_person=BILLING_AGENT)
    card = page.locator("#messages .message").first
    expect(card).to_contain_text("Initech (free)")
    expect(card).to_contain_text("billing_dispute")
    claim = card.locator('button[data-action-id="claim_escalation"]')
    expect(claim).to_be_visible()
    screenshot(page, "03-handoff-card")

    # 4. The agent claims it: the card changes in place.
    claim.click()
    resolve = card.locator('button[data-action-id="resolve_escalation"]')
    expect(resolve).to_be_visible()
    expect(card).to_contain_text("Alex Kim")
    screenshot(page, "04-agent-claims")

    # 5. Resolve opens the modal; a missing required choice is flagged before submitting.
    resolve.click()
    modal = page.locator("#modal")
    expect(modal).to_be_visible()
    expect(page.locator("#modal-title")).to_have_text("Resolve escalation")
    page.click("#modal-submit")
    expect(modal.locator('.bk-input[data-block-id="tag"] .bk-error')).to_have_text(
        "Please complete this required field."
    )
    modal.locator('input[value="policy_exception"]').check()
    expect(modal.locator('.bk-input[data-block-id="tag"] .bk-error')).to_be_empty()
    modal.locator("textarea").fill("Refunded the duplicate charge.")
    screenshot(page, "05-resolve-modal")
    page.click("#modal-submit")
    expect(page.locator("#modal-backdrop")).to_be_hidden()
    expect(card).to_contain_text("Resolved by")
    expect(card).to_contain_text("Refunded the duplicate charge.")
    screenshot(page, "06-resolved")

    # 6. The card's link leads to the customer's thread, where the customer rates the hand-off.
    card.get_by_text("Open the customer's thread").click()
    expect(page.locator('#sidebar a[data-channel="C0INITECH"]')).to_have_class("channel active")
    page.select_option("#persona", label=INITECH_CUSTOMER)
    rate = thread.locator('button[data-action-id="csat_rating_5"]')
    expect(rate).to_be_visible()
    rate.click()
    expect(thread).to_contain_text("You rated it 5/5")
    screenshot(page, "07-customer-rates")

    # 7. A lead runs /escalation-stats: only they see the report.
    open_channel(page, "C0LEADS", as_person=LEAD)
    page.fill("#composer-text", "/escalation-stats 30d")
    page.press("#composer-text", "Enter")
    report = page.locator("#messages .message.private")
    expect(report).to_contain_text("Escalation KPIs, last 30 days")
    expect(report).to_contain_text("Only visible to you")
    expect(report).to_contain_text("1 conversations, 1 escalations")
    screenshot(page, "08-lead-stats")

    # 8. The lead's App Home tab, with the trend chart.
    page.click("#home-link")
    expect(page.locator("#home")).to_contain_text("Escalation dashboard")
    chart = page.locator("#home img.bk-img")
    expect(chart).to_be_visible()
    assert chart.evaluate("image => image.naturalWidth") > 0
    chart.scroll_into_view_if_needed()
    screenshot(page, "09-lead-app-home")


def test_a_scenario_plays_in_front_of_the_visitor(page: Page) -> None:
    page.select_option("#scenario-select", "how_to")
    page.click("#scenario-play")
    expect(page.locator("#narration")).to_contain_text("take over")
    expect(page.locator("#thread-messages")).to_contain_text("marked this as solved")
    expect(page.locator('#sidebar a[data-channel="C0INITECH"]')).to_have_class("channel active")
    screenshot(page, "scenario-how-to")
