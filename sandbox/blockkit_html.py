"""Block Kit and mrkdwn as HTML, for the sandbox's Slack-like page.

Pure functions: every piece of text is escaped, links keep only http(s) and mailto targets, and
interactive elements carry ``data-`` attributes that the page turns into ``block_actions`` and
``view_submission`` payloads. Unknown blocks show as a labelled placeholder rather than vanish.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

Names = Mapping[str, str]
FileUrl = Callable[[str], str]

_TOKEN = re.compile(r"<([^<>]+)>")
_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_([^_\n]+)_(?![\w_])")
_STRIKE = re.compile(r"(?<![\w~])~([^~\n]+)~(?![\w~])")
_CODE = re.compile(r"`([^`\n]+)`")
_SAFE_SCHEMES = ("http://", "https://", "mailto:")


def _no_file(file_id: str) -> str:
    return ""


def _attr(value: object) -> str:
    return html.escape(str(value), quote=True)


def safe_href(url: str) -> str | None:
    """The URL when it is safe to link to (http, https, mailto), else None."""
    return url if url.lower().startswith(_SAFE_SCHEMES) else None


def mrkdwn_html(text: str, names: Names | None = None) -> str:
    """Slack mrkdwn as HTML: mentions, channel links, dates, links, bold, italic, strike,
    code, code blocks, quotes and line breaks. ``text`` is Slack-escaped (``&amp; &lt; &gt;``)."""
    known = names or {}
    pieces = text.split("```")
    rendered: list[str] = []
    for index, piece in enumerate(pieces):
        if index % 2 == 1 and index < len(pieces) - 1:
            code = _inline(piece.strip("\n"), known, styled=False).replace("\n", "<br>")
            rendered.append(f"<pre>{code}</pre>")
        else:
            rendered.append(_lines(("```" if index % 2 == 1 else "") + piece, known))
    return "".join(rendered)


def _lines(text: str, names: Names) -> str:
    rendered = ""
    for number, line in enumerate(text.split("\n")):
        if line.startswith(("&gt;", ">")):
            quoted = line.removeprefix("&gt;").removeprefix(">").lstrip()
            rendered += f"<blockquote>{_inline(quoted, names)}</blockquote>"
            continue
        if number and not rendered.endswith("</blockquote>"):
            rendered += "<br>"
        rendered += _inline(line, names)
    return rendered


def _inline(text: str, names: Names, *, styled: bool = True) -> str:
    parts: list[str] = []
    position = 0
    for match in _TOKEN.finditer(text):
        parts.append(_styled(text[position : match.start()], styled))
        parts.append(_token(match.group(1), names))
        position = match.end()
    parts.append(_styled(text[position:], styled))
    return "".join(parts)


def _styled(text: str, styled: bool) -> str:
    escaped = html.escape(html.unescape(text), quote=False)
    if not styled:
        return escaped
    escaped = _CODE.sub(r"<code>\1</code>", escaped)
    escaped = _BOLD.sub(r"<b>\1</b>", escaped)
    escaped = _ITALIC.sub(r"<i>\1</i>", escaped)
    return _STRIKE.sub(r"<s>\1</s>", escaped)


def _token(token: str, names: Names) -> str:
    target, _, label = token.partition("|")
    target, label = html.unescape(target), html.unescape(label)
    if target.startswith("@"):
        user = target[1:]
        return f'<span class="mention">@{html.escape(label or names.get(user, user))}</span>'
    if target.startswith("#"):
        channel = target[1:]
        shown = label or names.get(channel, channel)
        return f'<span class="mention">#{html.escape(shown)}</span>'
    if target.startswith("!date^"):
        return html.escape(label or target)
    if target.startswith("!"):
        special = target[1:].split("^")[0]
        return f'<span class="mention">@{html.escape(label or special)}</span>'
    href = safe_href(target)
    if href is None:
        return html.escape(label or target)
    return (
        f'<a href="{_attr(href)}" target="_blank" rel="noopener noreferrer">'
        f"{html.escape(label or target)}</a>"
    )


def text_html(obj: Any, names: Names | None = None) -> str:
    """A text object (``plain_text`` or ``mrkdwn``) or a bare string, as HTML."""
    if isinstance(obj, Mapping):
        text = str(obj.get("text") or "")
        if obj.get("type") == "mrkdwn":
            return mrkdwn_html(text, names)
        return html.escape(text)
    return html.escape(str(obj or ""))


def blocks_html(
    blocks: Iterable[Mapping[str, Any]],
    names: Names | None = None,
    *,
    file_url: FileUrl = _no_file,
    errors: Mapping[str, str] | None = None,
) -> str:
    """Message, modal or App Home blocks as HTML (``errors`` by block id, for modals)."""
    rendered = [_block(block, names or {}, file_url, errors or {}) for block in blocks]
    return "".join(rendered)


def message_html(
    message: Mapping[str, Any], names: Names | None = None, *, file_url: FileUrl = _no_file
) -> str:
    """A message: its blocks (rich text from a person's client included), else its text."""
    blocks = [b for b in message.get("blocks") or [] if b.get("type") != "rich_text"]
    if blocks:
        return blocks_html(blocks, names, file_url=file_url)
    return f'<div class="bk-section">{mrkdwn_html(str(message.get("text") or ""), names)}</div>'


def _block(
    block: Mapping[str, Any], names: Names, file_url: FileUrl, errors: Mapping[str, str]
) -> str:
    kind = block.get("type")
    block_id = _attr(block.get("block_id") or "")
    if kind == "section":
        return _section(block, names, file_url, block_id)
    if kind == "header":
        return f'<h3 class="bk-header">{text_html(block.get("text"), names)}</h3>'
    if kind == "divider":
        return '<hr class="bk-divider">'
    if kind == "context":
        items = "".join(_context_element(e, names, file_url) for e in block.get("elements") or [])
        return f'<div class="bk-context">{items}</div>'
    if kind == "actions":
        items = "".join(_element(e, names, block_id) for e in block.get("elements") or [])
        return f'<div class="bk-actions" data-block-id="{block_id}">{items}</div>'
    if kind == "image":
        title = block.get("title")
        caption = f'<div class="bk-image-title">{text_html(title, names)}</div>' if title else ""
        return f'<figure class="bk-image">{caption}{_image(block, file_url)}</figure>'
    if kind == "input":
        return _input(block, names, block_id, errors.get(str(block.get("block_id") or "")))
    return f'<div class="bk-unknown">[{html.escape(str(kind))} block]</div>'


def _section(block: Mapping[str, Any], names: Names, file_url: FileUrl, block_id: str) -> str:
    parts: list[str] = []
    if block.get("text"):
        parts.append(f'<div class="bk-text">{text_html(block.get("text"), names)}</div>')
    fields = block.get("fields") or []
    if fields:
        cells = "".join(f'<div class="bk-field">{text_html(f, names)}</div>' for f in fields)
        parts.append(f'<div class="bk-fields">{cells}</div>')
    accessory = block.get("accessory")
    side = ""
    if isinstance(accessory, Mapping):
        if accessory.get("type") == "image":
            side = f'<div class="bk-accessory">{_image(accessory, file_url)}</div>'
        else:
            side = f'<div class="bk-accessory">{_element(accessory, names, block_id)}</div>'
    body = "".join(parts)
    return (
        f'<div class="bk-section" data-block-id="{block_id}">'
        f'<div class="bk-section-body">{body}</div>{side}</div>'
    )


def _context_element(element: Mapping[str, Any], names: Names, file_url: FileUrl) -> str:
    if element.get("type") == "image":
        return _image(element, file_url, small=True)
    return f"<span>{text_html(element, names)}</span>"


def _image(element: Mapping[str, Any], file_url: FileUrl, *, small: bool = False) -> str:
    alt = _attr(element.get("alt_text") or "")
    slack_file = element.get("slack_file")
    src: str | None = None
    if isinstance(slack_file, Mapping) and slack_file.get("id"):
        src = file_url(str(slack_file["id"])) or None
    elif element.get("image_url"):
        src = safe_href(str(element["image_url"]))
    css = "bk-img-small" if small else "bk-img"
    if not src:
        return f'<span class="{css} bk-img-missing">[image: {alt}]</span>'
    return f'<img class="{css}" src="{_attr(src)}" alt="{alt}">'


def _data(element: Mapping[str, Any], block_id: str) -> str:
    action_id = _attr(element.get("action_id") or "")
    return f'data-action-id="{action_id}" data-block-id="{block_id}"'


def _element(element: Mapping[str, Any], names: Names, block_id: str) -> str:
    kind = element.get("type")
    if kind == "button":
        label = text_html(element.get("text"), names)
        style = _attr(element.get("style") or "default")
        url = safe_href(str(element.get("url") or ""))
        if url:
            return (
                f'<a class="bk-button bk-{style}" href="{_attr(url)}" target="_blank" '
                f'rel="noopener noreferrer">{label}</a>'
            )
        value = _attr(element.get("value") or "")
        return (
            f'<button type="button" class="bk-button bk-{style}" {_data(element, block_id)} '
            f'data-type="button" data-value="{value}">{label}</button>'
        )
    if kind == "static_select":
        return _select(element, names, block_id, interactive=True)
    return f'<span class="bk-unknown">[{html.escape(str(kind))}]</span>'


def _options(element: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return options


def _select(element: Mapping[str, Any], names: Names, block_id: str, *, interactive: bool) -> str:
    placeholder = html.escape(str((element.get("placeholder") or {}).get("text") or "Select"))
    initial = (element.get("initial_option") or {}).get("value")
    choices = [f'<option value="" disabled{"" if initial else " selected"}>{placeholder}</option>']
    for option in _options(element):
        value = str(option.get("value") or "")
        chosen = " selected" if value == initial else ""
        label = text_html(option.get("text"), names)
        choices.append(f'<option value="{_attr(value)}"{chosen}>{label}</option>')
    role = "data-type" if interactive else "data-input-type"
    return (
        f'<select class="bk-select" {_data(element, block_id)} {role}="static_select">'
        f"{''.join(choices)}</select>"
    )


def _input(block: Mapping[str, Any], names: Names, block_id: str, error: str | None) -> str:
    element = block.get("element") or {}
    kind = element.get("type")
    data = _data(element, block_id)
    if kind == "plain_text_input":
        placeholder = _attr((element.get("placeholder") or {}).get("text") or "")
        initial = html.escape(str(element.get("initial_value") or ""))
        limit = element.get("max_length")
        max_length = f' maxlength="{int(limit)}"' if isinstance(limit, int) else ""
        tag = "textarea" if element.get("multiline") else "input"
        attrs = f'class="bk-text-input" {data} data-input-type="plain_text_input"'
        attrs += f' placeholder="{placeholder}"{max_length}'
        control = (
            f"<textarea {attrs}>{initial}</textarea>"
            if tag == "textarea"
            else f'<input type="text" {attrs} value="{_attr(element.get("initial_value") or "")}">'
        )
    elif kind in ("radio_buttons", "checkboxes"):
        input_type = "radio" if kind == "radio_buttons" else "checkbox"
        group = _attr(f"{block.get('block_id')}.{element.get('action_id')}")
        choices = []
        for option in _options(element):
            label = text_html(option.get("text"), names)
            plain = _attr((option.get("text") or {}).get("text") or "")
            choices.append(
                f'<label class="bk-choice"><input type="{input_type}" name="{group}" '
                f'{data} data-input-type="{_attr(kind)}" data-label="{plain}" '
                f'value="{_attr(option.get("value") or "")}"> {label}</label>'
            )
        control = f'<div class="bk-choices">{"".join(choices)}</div>'
    elif kind == "static_select":
        control = _select(element, names, block_id, interactive=False)
    else:
        control = f'<span class="bk-unknown">[{html.escape(str(kind))} input]</span>'
    optional = bool(block.get("optional"))
    label = text_html(block.get("label"), names)
    hint = block.get("hint")
    parts = [
        f'<label class="bk-label">{label}'
        + ('<span class="bk-optional"> (optional)</span>' if optional else "")
        + "</label>",
        control,
    ]
    if hint:
        parts.append(f'<div class="bk-hint">{text_html(hint, names)}</div>')
    parts.append(f'<div class="bk-error">{html.escape(error or "")}</div>')
    required = "false" if optional else "true"
    return (
        f'<div class="bk-input" data-block-id="{block_id}" data-required="{required}">'
        f"{''.join(parts)}</div>"
    )
