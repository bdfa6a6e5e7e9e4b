"""The App Home tab with the agent's shift: status, a switch, skills and languages, activity."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from app.metrics.activity import ActivitySummary
from app.slack.blocks.handoff_card import fit_escaped

SHIFT_ON_ACTION = "shift_on"
SHIFT_OFF_ACTION = "shift_off"
FIELD_LIMIT = 2000

_ROLE_LINES = {
    "lead": "You are a support lead: run `/escalation-stats` in any channel for the numbers.",
    "agent": "You are a support agent: escalations for your skills arrive in your team's channel.",
    "member": "The bot answers customers in shared channels and brings in the support team.",
}


def agent_home_view(
    *,
    role: str,
    on_shift: bool | None,
    skills: list[str],
    languages: list[str],
    summary: ActivitySummary,
    open_escalations: int,
) -> View:
    """The Home tab; the shift part shows for agents and for anyone on the roster."""
    blocks: list[Block] = [
        HeaderBlock(text="Support escalations"),
        _section(_ROLE_LINES.get(role, _ROLE_LINES["member"])),
    ]
    if role == "agent" or on_shift is not None:
        blocks.extend(_shift_blocks(on_shift, skills, languages))
    blocks.extend(
        [
            DividerBlock(),
            SectionBlock(
                fields=[
                    _mrkdwn(f"*Conversations, last {summary.days} days*\n{summary.conversations}"),
                    _mrkdwn(f"*Customer messages*\n{summary.customer_messages}"),
                    _mrkdwn(f"*Open escalations*\n{open_escalations}"),
                ]
            ),
            ContextBlock(elements=[_mrkdwn("Updated each time you open this tab.")]),
        ]
    )
    return View(type="home", blocks=blocks)


def _shift_blocks(on_shift: bool | None, skills: list[str], languages: list[str]) -> list[Block]:
    if on_shift is None:
        return [_section("You are not on the agent roster yet: ask a support lead to add you.")]
    status = (
        ":large_green_circle: *You are on shift*: new escalations for your skills can reach you."
        if on_shift
        else ":white_circle: *You are off shift*: you won't be mentioned on new escalations."
    )
    switch = ButtonElement(
        text="Go off shift" if on_shift else "Go on shift",
        action_id=SHIFT_OFF_ACTION if on_shift else SHIFT_ON_ACTION,
        value="off" if on_shift else "on",
        style=None if on_shift else "primary",
    )
    return [
        DividerBlock(),
        SectionBlock(text=_mrkdwn(status), accessory=switch),
        SectionBlock(
            fields=[
                _mrkdwn(f"*Skills*\n{_listing(skills)}"),
                _mrkdwn(f"*Languages*\n{_listing(languages)}"),
            ]
        ),
    ]


def _listing(items: list[str]) -> str:
    return fit_escaped(", ".join(items), FIELD_LIMIT - 20) if items else "_none_"


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=_mrkdwn(text))


def _mrkdwn(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=text)
