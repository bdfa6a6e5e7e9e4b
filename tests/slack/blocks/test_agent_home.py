from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from app.metrics.activity import ActivitySummary
from app.slack.blocks.agent_home import SHIFT_OFF_ACTION, SHIFT_ON_ACTION, agent_home_view

SUMMARY = ActivitySummary(
    days=7, since=datetime(2024, 5, 1, tzinfo=UTC), conversations=31, customer_messages=118
)


def render(**overrides: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "role": "agent",
        "on_shift": True,
        "skills": ["billing", "technical"],
        "languages": ["en", "de"],
        "summary": SUMMARY,
        "open_escalations": 4,
    }
    kwargs.update(overrides)
    payload = agent_home_view(**kwargs).to_dict()
    assert View(**payload).to_dict() == payload
    for raw in payload["blocks"]:
        parsed = Block.parse(raw)
        assert parsed is not None
        assert parsed.to_dict() == raw
    return payload


def buttons(payload: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        b["accessory"] for b in payload["blocks"] if b.get("accessory", {}).get("type") == "button"
    ]


def test_agent_on_shift_can_go_off_shift() -> None:
    payload = render(on_shift=True)
    assert payload["type"] == "home"
    [button] = buttons(payload)
    assert button["action_id"] == SHIFT_OFF_ACTION == "shift_off"
    assert "on shift" in str(payload["blocks"])


def test_agent_off_shift_can_go_on_shift() -> None:
    [button] = buttons(render(on_shift=False))
    assert button["action_id"] == SHIFT_ON_ACTION == "shift_on"


def test_agent_sees_skills_and_languages_escaped() -> None:
    text = str(render(skills=["billing", "<!channel>"], languages=["en", "de"])["blocks"])
    assert "billing, &lt;!channel&gt;" in text
    assert "<!channel>" not in text
    assert "en, de" in text


def test_everyone_sees_activity_numbers() -> None:
    for role in ("agent", "lead", "member"):
        fields = [
            f["text"]
            for b in render(role=role, on_shift=None)["blocks"]
            for f in b.get("fields", [])
        ]
        assert "*Conversations, last 7 days*\n31" in fields
        assert "*Customer messages*\n118" in fields
        assert "*Open escalations*\n4" in fields


def test_non_agents_get_no_shift_switch() -> None:
    for role in ("lead", "member"):
        payload = render(role=role, on_shift=None, skills=[], languages=[])
        assert buttons(payload) == []
        assert "Skills" not in str(payload["blocks"])


def test_agent_missing_from_the_roster_gets_no_switch() -> None:
    payload = render(on_shift=None)
    assert buttons(payload) == []
    assert "roster" in str(payload["blocks"])


def test_many_skills_are_cut_to_the_field_limit() -> None:
    payload = render(skills=[f"skill_{i}" for i in range(1000)])
    for b in payload["blocks"]:
        for field in b.get("fields", []):
            assert len(field["text"]) <= 2000
