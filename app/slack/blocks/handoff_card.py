"""The handoff card in a skill's agent channel: one escalation, its context, its actions."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    Option,
    SectionBlock,
    StaticSelectElement,
)

from app.escalations.card import (
    RESOLUTION_TAGS,
    CardState,
    HandoffCard,
    TriggerLine,
    sentiment_word,
)
from app.slack.mrkdwn import escape, truncate

CLAIM_ACTION = "claim_escalation"
RESOLVE_ACTION = "resolve_escalation"
REASSIGN_ACTION = "reassign_escalation"
BUG_REPORT_ACTION = "create_bug_report"
REASSIGN_BLOCK_PREFIX = "reassign:"

HEADER_LIMIT = 150
SECTION_LIMIT = 3000
#: Follow-up messages quoted on the card (the latest ones).
MAX_FOLLOW_UPS = 5
FIELD_LIMIT = 2000
CONTEXT_LIMIT = 2000
OPTION_TEXT_LIMIT = 75
OPTION_VALUE_LIMIT = 150
MAX_OPTIONS = 100
MAX_TRIGGERS = 8
MAX_MENTIONS = 20
URL_LIMIT = 1000

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,30}$")


def reassign_block_id(escalation_id: int) -> str:
    """The block id of the card's actions: the reassign select's options carry only the skill."""
    return f"{REASSIGN_BLOCK_PREFIX}{escalation_id}"


def parse_reassign_block_id(block_id: str) -> int | None:
    """The escalation id from :func:`reassign_block_id`, or None when it is not one."""
    prefix, _, rest = block_id.partition(":")
    if f"{prefix}:" != REASSIGN_BLOCK_PREFIX or not rest.isdigit():
        return None
    return int(rest)


def handoff_card_text(card: HandoffCard) -> str:
    """The notification fallback text, e.g. ``Escalation: Acme Corp (enterprise), billing``."""
    text = f"Escalation: {card.account_name} ({card.tier}), {card.intent}"
    return fit_escaped(text, SECTION_LIMIT)


def handoff_card_blocks(card: HandoffCard) -> list[Block]:
    """The card's blocks for its current state (open, claimed or resolved)."""
    blocks: list[Block] = [
        HeaderBlock(text=truncate(f"{card.account_name} ({card.tier})", HEADER_LIMIT)),
        SectionBlock(text=_mrkdwn(fit_escaped(card.summary, SECTION_LIMIT) or "_No summary._")),
    ]
    if card.follow_ups:
        blocks.append(SectionBlock(text=_mrkdwn(_follow_ups_text(card.follow_ups))))
    blocks.append(SectionBlock(fields=_fields(_signal_fields(card))))
    if card.triggers:
        blocks.append(SectionBlock(text=_mrkdwn(_triggers_text(card.triggers))))
        if card.caught_by:
            blocks.append(_context(f"Caught by: {fit_escaped(card.caught_by, CONTEXT_LIMIT - 20)}"))
    blocks.append(SectionBlock(fields=_fields(_account_fields(card))))
    links = _links(card)
    if links:
        blocks.append(ContextBlock(elements=[_mrkdwn(link) for link in links]))
    mentions = " ".join(_mention(u) for u in card.mentions[:MAX_MENTIONS])
    if mentions:
        blocks.append(SectionBlock(text=_mrkdwn(truncate(mentions, SECTION_LIMIT))))
    if card.routing_note:
        blocks.append(_context(f"_{fit_escaped(card.routing_note, CONTEXT_LIMIT - 2)}_"))
    if card.follow_up_email:
        address = fit_escaped(card.follow_up_email, CONTEXT_LIMIT - 80)
        blocks.append(_context(f":email: The customer asked for a follow-up by email: {address}"))
    elif card.follow_up_later:
        blocks.append(
            _context(":hourglass: The customer asked for a follow-up later, not a live chat.")
        )
    blocks.extend(_state_blocks(card))
    return blocks


def _follow_ups_text(follow_ups: tuple[str, ...]) -> str:
    """The customer's follow-up messages, quoted, newest last; the oldest give way when the
    section would overflow (every one is in the channel, under its own thread)."""
    heading = f"*Follow-ups from the customer ({len(follow_ups)})*"
    shown = follow_ups[-MAX_FOLLOW_UPS:]
    budget = (SECTION_LIMIT - len(heading) - 80) // len(shown)
    quotes = [
        ">" + fit_escaped(" ".join(text.split()), budget - 1).replace("\n", "\n>") for text in shown
    ]
    more = len(follow_ups) - len(shown)
    earlier = [f"_…and {more} earlier, in the channel_"] if more else []
    return "\n".join([heading, *earlier, *quotes])


def fit_escaped(text: str, limit: int, *, marker: str = "…") -> str:
    """Escape ``text`` for mrkdwn and cut it to ``limit`` characters without splitting an entity."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    budget = max(0, limit - len(marker))
    kept: list[str] = []
    size = 0
    for char in text:
        piece = escape(char)
        if size + len(piece) > budget:
            break
        kept.append(piece)
        size += len(piece)
    return "".join(kept).rstrip() + marker


def slack_date(moment: datetime) -> str:
    """A date Slack shows in the reader's time zone, with a UTC fallback."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    fallback = aware.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(aware.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def safe_url(url: str) -> bool:
    """An http(s) URL that can go inside ``<url|text>`` without breaking out of it."""
    if len(url) > URL_LIMIT or not url.lower().startswith(("https://", "http://")):
        return False
    if any(ch in url for ch in "<>|") or any(ch.isspace() or ord(ch) < 32 for ch in url):
        return False
    return bool(urlsplit(url).netloc)


def format_arr(arr: float) -> str:
    """``120000`` → ``$120,000``."""
    return f"${arr:,.0f}" if math.isfinite(arr) else "unknown"


def _signal_fields(card: HandoffCard) -> list[str]:
    return [
        f"*Intent*\n{fit_escaped(card.intent, FIELD_LIMIT - 10)}",
        f"*Skill*\n{fit_escaped(card.skill, FIELD_LIMIT - 10)}",
        f"*Sentiment*\n{card.sentiment:.2f} ({sentiment_word(card.sentiment)})",
        f"*Answer confidence*\n{card.confidence:.2f}",
        f"*Language*\n{fit_escaped(card.language, FIELD_LIMIT - 12)}",
    ]


def _account_fields(card: HandoffCard) -> list[str]:
    fields = [f"*Tier*\n{fit_escaped(card.tier, FIELD_LIMIT - 10)}"]
    if card.arr is not None:
        fields.append(f"*ARR*\n{format_arr(card.arr)}")
    if card.owner:
        fields.append(f"*Owner*\n{fit_escaped(card.owner, FIELD_LIMIT - 11)}")
    crm = _crm(card)
    if crm:
        fields.append(f"*CRM*\n{crm}")
    return fields


def _crm(card: HandoffCard) -> str | None:
    label = fit_escaped(card.crm_id, 200) if card.crm_id else None
    if card.crm_url and safe_url(card.crm_url):
        return f"<{card.crm_url}|{label or 'Open in CRM'}>"
    return label


def _triggers_text(triggers: tuple[TriggerLine, ...]) -> str:
    text = "*Why it escalated*"
    budget = SECTION_LIMIT - 40  # room for the "…and N more" line
    shown = 0
    for trigger in triggers[:MAX_TRIGGERS]:
        line = _trigger_line(trigger)
        if len(text) + 1 + len(line) > budget:
            break
        text += "\n" + line
        shown += 1
    if shown < len(triggers):
        text += f"\n_…and {len(triggers) - shown} more_"
    return text


def _trigger_line(trigger: TriggerLine) -> str:
    kind = fit_escaped(trigger.type, 40)
    value = fit_escaped(trigger.value, 80)
    threshold = fit_escaped(trigger.threshold, 80)
    reason = fit_escaped(trigger.reason, 200)
    return f"• *{kind}*: {value} (threshold {threshold}) — {reason}"


def _links(card: HandoffCard) -> list[str]:
    links: list[str] = []
    if card.page_url:
        if safe_url(card.page_url):
            links.append(f"Page: <{card.page_url}>")
        else:
            links.append(f"Page: {fit_escaped(card.page_url, CONTEXT_LIMIT - 6)}")
    if card.thread_url and safe_url(card.thread_url):
        links.append(f"<{card.thread_url}|Open the customer's thread>")
    return links


def _state_blocks(card: HandoffCard) -> list[Block]:
    bug = _bug_blocks(card)
    if card.state is CardState.OPEN:
        return [*bug, _actions(card, _button("Claim", CLAIM_ACTION, card.escalation_id))]
    if card.state is CardState.CLAIMED:
        claimed = f"Claimed by {_who(card.claimed_by)}"
        if card.claimed_at is not None:
            claimed += f" at {slack_date(card.claimed_at)}"
        return [
            _context(claimed),
            *bug,
            _actions(card, _button("Resolve", RESOLVE_ACTION, card.escalation_id)),
        ]
    return [*_resolved_blocks(card), *bug]


def _bug_blocks(card: HandoffCard) -> list[Block]:
    """The bug report's line: its issue links, "filed", or the error the conversation shows."""
    if card.bug_links:
        links = " · ".join(
            f"<{link.url}|{fit_escaped(f'{link.tracker} {link.label}', 80)}>"
            if safe_url(link.url)
            else fit_escaped(f"{link.tracker} {link.label}", 80)
            for link in card.bug_links
        )
        return [_context(f":lady_beetle: Bug report: {links}")]
    if card.bug_reported:
        return [
            _context(":lady_beetle: Bug report filed: the link follows once the tracker has it.")
        ]
    if card.bug_reports and card.possible_bug and card.state is not CardState.RESOLVED:
        error = fit_escaped(card.possible_bug.replace("`", "'"), 200)
        return [_context(f":warning: Possible bug: `{error}`")]
    return []


def bug_report_button(card: HandoffCard) -> ButtonElement | None:
    """**Create bug report**, emphasised when the conversation shows an error."""
    if not card.bug_reports or card.bug_reported or card.state is CardState.RESOLVED:
        return None
    return ButtonElement(
        text="Create bug report",
        action_id=BUG_REPORT_ACTION,
        value=str(card.escalation_id),
        style="primary" if card.possible_bug else None,
    )


def _resolved_blocks(card: HandoffCard) -> list[Block]:
    line = f"Resolved by {_who(card.resolved_by)}"
    if card.resolution_tag:
        label = RESOLUTION_TAGS.get(card.resolution_tag)
        line += f" · {label or fit_escaped(card.resolution_tag, 80)}"
    if card.resolved_at is not None:
        line += f" · {slack_date(card.resolved_at)}"
    blocks: list[Block] = [SectionBlock(text=_mrkdwn(line))]
    if card.resolution_note and card.resolution_note.strip():
        note = card.resolution_note.strip()
        budget = SECTION_LIMIT - 1 - note.count("\n")  # each line gets a ">" prefix
        quoted = ">" + fit_escaped(note, budget).replace("\n", "\n>")
        blocks.append(SectionBlock(text=_mrkdwn(quoted)))
    return blocks


def _actions(card: HandoffCard, button: ButtonElement) -> ActionsBlock:
    select = _reassign_select(card)
    elements: list[ButtonElement | StaticSelectElement] = [button]
    bug_button = bug_report_button(card)
    if bug_button is not None:
        elements.append(bug_button)
    if select is not None:
        elements.append(select)
    return ActionsBlock(block_id=reassign_block_id(card.escalation_id), elements=elements)


def _reassign_select(card: HandoffCard) -> StaticSelectElement | None:
    skills = [
        skill
        for skill in dict.fromkeys(card.reassign_skills)
        if skill and skill != card.skill and len(skill) <= OPTION_VALUE_LIMIT
    ][:MAX_OPTIONS]
    if not skills:
        return None
    return StaticSelectElement(
        action_id=REASSIGN_ACTION,
        placeholder="Reassign to…",
        options=[Option(value=s, text=truncate(s, OPTION_TEXT_LIMIT)) for s in skills],
    )


def _button(text: str, action_id: str, escalation_id: int) -> ButtonElement:
    return ButtonElement(text=text, action_id=action_id, value=str(escalation_id), style="primary")


def _mention(user_id: str) -> str:
    return f"<@{user_id}>" if _USER_ID.match(user_id) else fit_escaped(user_id, 40)


def _who(user_id: str | None) -> str:
    return _mention(user_id) if user_id else "someone"


def _fields(texts: list[str]) -> list[MarkdownTextObject]:
    return [_mrkdwn(truncate(text, FIELD_LIMIT)) for text in texts[:10]]


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[_mrkdwn(truncate(text, CONTEXT_LIMIT))])


def _mrkdwn(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=text)
