"""Block Kit and mrkdwn as the sandbox page shows them: escaped, linked safely, interactive."""

from __future__ import annotations

from app.slack.blocks.resolve_modal import resolve_modal
from sandbox.blockkit_html import blocks_html, message_html, mrkdwn_html, text_html

NAMES = {"U0AGENT1": "Alex Kim", "C0BILLING": "support-billing"}


def test_customer_text_is_escaped_never_markup() -> None:
    rendered = mrkdwn_html("&lt;script&gt;alert(1)&lt;/script&gt; & <img src=x onerror=alert(1)>")
    assert "<script>" not in rendered and "<img" not in rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in rendered


def test_mrkdwn_styles_mentions_channels_dates_and_links() -> None:
    rendered = mrkdwn_html(
        "*Claimed* by <@U0AGENT1> in <#C0BILLING> _today_ ~old~ `code` "
        "<!date^1700000000^{date}|Nov 14> <https://example.com/a?b=1&amp;c=2|the docs> <!here>",
        NAMES,
    )
    assert "<b>Claimed</b>" in rendered
    assert '<span class="mention">@Alex Kim</span>' in rendered
    assert '<span class="mention">#support-billing</span>' in rendered
    assert "<i>today</i>" in rendered and "<s>old</s>" in rendered
    assert "<code>code</code>" in rendered
    assert "Nov 14" in rendered and "date^" not in rendered
    assert '<a href="https://example.com/a?b=1&amp;c=2"' in rendered and ">the docs</a>" in rendered
    assert '<span class="mention">@here</span>' in rendered


def test_unsafe_links_are_shown_as_text() -> None:
    rendered = mrkdwn_html("<javascript:alert(1)|click me>")
    assert "<a" not in rendered and "click me" in rendered


def test_quotes_code_blocks_and_line_breaks() -> None:
    rendered = mrkdwn_html("first\n&gt; quoted *bold*\n```\n*not bold*\n```\nlast")
    assert rendered.startswith("first<blockquote>quoted <b>bold</b></blockquote>")
    assert "<pre>*not bold*</pre>" in rendered
    assert rendered.endswith("<br>last")


def test_plain_text_is_not_formatted() -> None:
    assert text_html({"type": "plain_text", "text": "*a* <b>"}) == "*a* &lt;b&gt;"


def test_sections_fields_context_header_divider_and_buttons() -> None:
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Acme <Corp>"}},
        {
            "type": "section",
            "block_id": "summary",
            "text": {"type": "mrkdwn", "text": "Summary"},
            "fields": [{"type": "mrkdwn", "text": "*Intent*\nbilling"}],
            "accessory": {
                "type": "button",
                "action_id": "claim_escalation",
                "value": "7",
                "style": "primary",
                "text": {"type": "plain_text", "text": "Claim"},
            },
        },
        {"type": "divider"},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "by <@U0AGENT1>"}]},
        {
            "type": "actions",
            "block_id": "acts",
            "elements": [
                {
                    "type": "static_select",
                    "action_id": "reassign_escalation",
                    "placeholder": {"type": "plain_text", "text": "Reassign"},
                    "options": [
                        {"text": {"type": "plain_text", "text": "technical"}, "value": "technical"}
                    ],
                },
                {
                    "type": "button",
                    "action_id": "docs",
                    "url": "https://example.com",
                    "text": {"type": "plain_text", "text": "Docs"},
                },
            ],
        },
        {"type": "video"},
    ]
    rendered = blocks_html(blocks, NAMES)
    assert '<h3 class="bk-header">Acme &lt;Corp&gt;</h3>' in rendered
    assert '<div class="bk-field"><b>Intent</b><br>billing</div>' in rendered
    assert (
        'data-action-id="claim_escalation" data-block-id="summary" data-type="button" '
        'data-value="7">Claim</button>'
    ) in rendered
    assert "bk-primary" in rendered
    assert '<hr class="bk-divider">' in rendered
    assert "by <span" in rendered and "@Alex Kim" in rendered
    assert 'data-action-id="reassign_escalation" data-block-id="acts"' in rendered
    assert '<option value="technical">technical</option>' in rendered
    assert '<a class="bk-button bk-default" href="https://example.com"' in rendered
    assert "[video block]" in rendered


def test_images_from_uploaded_files_and_urls() -> None:
    blocks = [
        {"type": "image", "slack_file": {"id": "F0CHART"}, "alt_text": "trend <chart>"},
        {"type": "image", "image_url": "javascript:alert(1)", "alt_text": "bad"},
    ]
    rendered = blocks_html(blocks, file_url=lambda file_id: f"/api/files/{file_id}")
    assert '<img class="bk-img" src="/api/files/F0CHART" alt="trend &lt;chart&gt;">' in rendered
    assert "javascript:" not in rendered and "[image: bad]" in rendered


def test_a_message_without_blocks_shows_its_text_and_ignores_rich_text() -> None:
    message = {
        "text": "I was charged *twice*",
        "blocks": [{"type": "rich_text", "elements": []}],
    }
    assert message_html(message) == '<div class="bk-section">I was charged <b>twice</b></div>'


def test_the_resolve_modal_renders_its_inputs_and_errors() -> None:
    view = resolve_modal(42, account_name="Acme <Corp>").to_dict()
    rendered = blocks_html(view["blocks"], errors={"tag": "Pick why it needed a human"})
    assert "Acme &lt;Corp&gt;" in rendered
    assert rendered.count('type="radio" name="tag.tag"') >= 2
    assert 'data-input-type="radio_buttons"' in rendered
    assert '<textarea class="bk-text-input" data-action-id="note" data-block-id="note"' in rendered
    assert 'data-required="true"' in rendered and 'data-required="false"' in rendered
    assert '<div class="bk-error">Pick why it needed a human</div>' in rendered
    assert "(optional)" in rendered
