"""The sandbox's page and JSON API: everything a visitor does reaches the real app as Slack would
send it, and what the app posts comes back rendered."""

from __future__ import annotations

import re
from typing import Any
from urllib.request import urlopen

from sandbox.server import SandboxServer
from tests.sandbox.conftest import SandboxApi, eventually

INITECH, BILLING, LEADS = "C0INITECH", "C0BILLING", "C0LEADS"
AGENT, LEAD = "U0AGENT1", "U0LEAD1"


def customer_of(api: SandboxApi, channel: str) -> str:
    people = api.get("/api/sidebar")["people"]
    return str(
        next(p["id"] for p in people if p["role"] == "customer" and channel in p["channels"])
    )


def feed(api: SandboxApi, channel: str, user: str) -> list[dict[str, Any]]:
    return list(api.get(f"/api/channel?channel={channel}&user={user}")["messages"])


def thread(api: SandboxApi, channel: str, ts: str, user: str) -> list[dict[str, Any]]:
    return list(api.get(f"/api/thread?channel={channel}&ts={ts}&user={user}")["messages"])


def control(html: str, action_id: str) -> dict[str, str]:
    """The data attributes of a rendered button, as the page reads them."""
    match = re.search(
        rf'data-action-id="({action_id}[^"]*)" data-block-id="([^"]*)" '
        r'data-type="button" data-value="([^"]*)"',
        html,
    )
    assert match, f"no {action_id} button in {html[:300]}"
    return {"action_id": match[1], "block_id": match[2], "value": match[3]}


def press(api: SandboxApi, user: str, channel: str, message: dict[str, Any], action: str) -> None:
    api.post(
        "/api/click",
        {
            "user": user,
            "channel": channel,
            "message_ts": message["ts"],
            **control(message["html"], action),
        },
    )


def ask(api: SandboxApi, user: str, channel: str, text: str) -> dict[str, Any]:
    """Post at the top of the channel; the message once the bot has replied in its thread."""
    api.post("/api/post", {"user": user, "channel": channel, "text": text})
    return eventually(
        lambda: next(
            (
                m
                for m in feed(api, channel, user)
                if m["author"] != "Support Assistant" and m["reply_count"]
            ),
            None,
        )
    )


def test_the_page_its_files_and_unknown_paths(sandbox_server: SandboxServer) -> None:
    with urlopen(sandbox_server.url) as response:  # noqa: S310 (a local URL)
        page = response.read().decode()
    assert '<script src="/sandbox.js"></script>' in page
    assert "http" not in page.split("<body>")[1].replace("http-equiv", "")  # nothing remote
    with urlopen(sandbox_server.url + "sandbox.js") as response:  # noqa: S310
        assert response.headers["Content-Type"].startswith("text/javascript")
    status, payload = SandboxApi(sandbox_server.url).call("/api/nothing")
    assert (status, payload["ok"]) == (404, False)


def test_the_sidebar_lists_shared_and_agent_channels_and_people(api: SandboxApi) -> None:
    sidebar = api.get("/api/sidebar")
    kinds = {c["id"]: c["kind"] for c in sidebar["channels"]}
    assert kinds["C0ACME"] == kinds[INITECH] == "customer"
    assert kinds[BILLING] == kinds[LEADS] == kinds["C0OVERFLOW"] == "internal"
    roles = {p["id"]: p["role"] for p in sidebar["people"]}
    assert roles[AGENT] == "agent" and roles[LEAD] == "lead"
    assert sum(role == "customer" for role in roles.values()) == 3
    assert {s["id"] for s in sidebar["scenarios"]} >= {"how_to", "billing_dispute", "outage_surge"}


def test_a_question_is_answered_in_its_thread_and_the_answer_buttons_work(
    api: SandboxApi,
) -> None:
    sam = customer_of(api, INITECH)
    root = ask(api, sam, INITECH, "How do I export a board to <CSV> & JSON?")
    assert root["role"] == "customer"
    assert "&lt;CSV&gt; &amp; JSON" in root["html"]  # escaped like any customer text
    [answer] = thread(api, INITECH, root["ts"], sam)
    assert answer["role"] == "bot" and "Export" in answer["html"]
    press(api, sam, INITECH, answer, "answer_solved")
    eventually(lambda: "marked this as solved" in thread(api, INITECH, root["ts"], sam)[0]["html"])


def test_refusals_say_why(api: SandboxApi) -> None:
    sam = customer_of(api, INITECH)
    status, payload = api.call("/api/post", {"user": sam, "channel": BILLING, "text": "hi"})
    assert status == 400 and "is not in #support-billing" in payload["error"]
    status, payload = api.call("/api/post", {"user": sam, "channel": INITECH, "text": "  "})
    assert status == 400 and "Write something" in payload["error"]
    status, payload = api.call("/api/post", {"user": "U0NOBODY", "channel": INITECH, "text": "x"})
    assert status == 400 and "U0NOBODY" in payload["error"]
    status, payload = api.call("/api/post", {"user": sam, "channel": "C0NONE", "text": "x"})
    assert status == 400 and "no channel" in payload["error"]
    status, payload = api.call("/api/submit", {"user": sam, "view_id": "V0", "values": []})
    assert status == 400 and "values" in payload["error"]


def test_claim_and_resolve_through_the_modal_then_the_customer_rates_it(api: SandboxApi) -> None:
    sam = customer_of(api, INITECH)
    root = ask(api, sam, INITECH, "We were charged twice for May. Please refund the duplicate.")
    card = eventually(lambda: next(iter(feed(api, BILLING, AGENT)), None))
    assert "Initech" in card["html"]

    press(api, sam, BILLING, card, "claim_escalation")  # not an agent: refused, privately
    refusal = eventually(lambda: [m for m in feed(api, BILLING, sam) if m["private"]])
    assert "agents" in refusal[0]["html"]
    assert not [m for m in feed(api, BILLING, AGENT) if m["private"]]

    press(api, AGENT, BILLING, card, "claim_escalation")
    card = eventually(
        lambda: next(
            (m for m in feed(api, BILLING, AGENT) if "resolve_escalation" in m["html"]), None
        )
    )
    press(api, AGENT, BILLING, card, "resolve_escalation")
    modal = eventually(lambda: api.get(f"/api/modal?user={AGENT}")["modal"])
    assert "Resolve escalation" in modal["title"] and 'name="tag.tag"' in modal["html"]
    assert api.get(f"/api/modal?user={sam}")["modal"] is None  # only the agent sees it

    note = {"note": {"note": {"type": "plain_text_input", "value": "Refunded."}}}
    result = api.post("/api/submit", {"user": AGENT, "view_id": modal["view_id"], "values": note})
    assert result == {"ok": False, "errors": {"tag": "Pick why it needed a human"}}
    tag = {"tag": {"tag": {"type": "radio_buttons", "selected_option": {"value": "edge_case"}}}}
    result = api.post(
        "/api/submit", {"user": AGENT, "view_id": modal["view_id"], "values": {**note, **tag}}
    )
    assert result == {"ok": True, "errors": {}}
    assert api.get(f"/api/modal?user={AGENT}")["modal"] is None

    survey = eventually(
        lambda: next(
            (m for m in thread(api, INITECH, root["ts"], sam) if "csat_rating" in m["html"]), None
        )
    )
    press(api, sam, INITECH, survey, "csat_rating_5")
    eventually(
        lambda: any("You rated it 5/5" in m["html"] for m in thread(api, INITECH, root["ts"], sam))
    )


def test_slash_commands_answer_only_the_person_who_ran_them(api: SandboxApi) -> None:
    api.post("/api/post", {"user": LEAD, "channel": LEADS, "text": "/escalation-stats 30d"})
    report = eventually(lambda: [m for m in feed(api, LEADS, LEAD) if m["private"]])
    assert "Escalation KPIs, last 30 days" in report[0]["html"]
    assert feed(api, LEADS, AGENT) == []

    api.post("/api/post", {"user": AGENT, "channel": LEADS, "text": "/escalation-stats"})
    refusal = eventually(lambda: [m for m in feed(api, LEADS, AGENT) if m["private"]])
    assert "for support leads" in refusal[0]["html"]

    api.post("/api/post", {"user": AGENT, "channel": LEADS, "text": "/escalation-nothing"})
    unknown = eventually(lambda: [m for m in feed(api, LEADS, AGENT) if m["private"]][1:])
    assert "/escalation-nothing is not a valid command" in unknown[0]["html"]


def test_each_person_has_their_own_app_home(api: SandboxApi) -> None:
    api.post("/api/home", {"user": LEAD})
    home = eventually(lambda: api.get(f"/api/home?user={LEAD}")["html"])
    assert "Escalation KPIs" in home
    [chart] = re.findall(r'src="(/api/files/[^"]+)"', home)
    with urlopen(api.base_url + chart) as response:  # noqa: S310 (a local URL)
        assert response.headers["Content-Type"] == "image/png"
        assert response.read().startswith(b"\x89PNG")

    api.post("/api/home", {"user": AGENT})
    home = eventually(lambda: (h := api.get(f"/api/home?user={AGENT}"))["html"] and h)
    assert "Escalation KPIs" not in home["html"]
    switch = control(home["html"], "shift_off")
    api.post("/api/click", {"user": AGENT, "view_id": home["view_id"], **switch})
    eventually(lambda: "shift_on" in api.get(f"/api/home?user={AGENT}")["html"])


def test_a_static_select_reassigns_the_card(api: SandboxApi) -> None:
    sam = customer_of(api, INITECH)
    ask(api, sam, INITECH, "We were charged twice for May. Please refund the duplicate.")
    card = eventually(lambda: next(iter(feed(api, BILLING, AGENT)), None))
    select = re.search(
        r'data-action-id="(reassign_escalation)" data-block-id="([^"]*)" data-type="static_select"',
        card["html"],
    )
    assert select and '<option value="technical">technical</option>' in card["html"]
    choice = {"text": {"type": "plain_text", "text": "technical"}, "value": "technical"}
    api.post(
        "/api/click",
        {
            "user": AGENT,
            "channel": BILLING,
            "message_ts": card["ts"],
            "action_id": select[1],
            "block_id": select[2],
            "selected_option": choice,
        },
    )
    moved = eventually(lambda: next(iter(feed(api, "C0TECH", "U0AGENT2")), None))
    assert "Initech" in moved["html"] and "claim_escalation" in moved["html"]
