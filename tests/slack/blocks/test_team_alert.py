from __future__ import annotations

import json

from app.integrations.alerts import alert_payload
from app.slack.blocks.team_alert import team_alert_blocks, team_alert_text


def _render(**fields: object) -> str:
    payload = alert_payload(
        event="churn_signal",
        team_id="single",
        channel="C0X",
        title="T",
        **fields,  # type: ignore[arg-type]
    )
    return json.dumps([block.to_dict() for block in team_alert_blocks(payload)])


def test_customer_text_is_escaped_and_quoted() -> None:
    rendered = _render(quote="<!here> see <https://evil.test|this> & more\nsecond line")
    assert '"> &lt;!here&gt; see &lt;https://evil.test|this&gt; &amp; more' in rendered
    assert "\\n> second line" in rendered
    assert "<!here>" not in rendered


def test_fields_and_title_are_escaped() -> None:
    payload = alert_payload(
        event="e",
        team_id="single",
        channel="C0X",
        title="Acme <@U123>",
        fields=[("Evidence", "a <b> & c")],
    )
    assert team_alert_text(payload) == "Acme &lt;@U123&gt;"
    rendered = json.dumps([b.to_dict() for b in team_alert_blocks(payload)], ensure_ascii=False)
    assert "• *Evidence:* a &lt;b&gt; &amp; c" in rendered


def test_only_plain_http_links_become_links() -> None:
    assert "<https://slack.com/archives/C1/p1|Open the thread>" in _render(
        link="https://slack.com/archives/C1/p1"
    )
    assert "Open the thread" not in _render(link="https://x.test/a|b>")
    assert "Open the thread" not in _render(link="javascript:alert(1)")
