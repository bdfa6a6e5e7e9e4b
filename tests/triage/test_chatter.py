"""Chatter: pleasantries in every supported language are told apart from requests."""

from __future__ import annotations

import pytest

from app.triage.chatter import ChatterKind, chatter_kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("thanks!", ChatterKind.THANKS),
        ("Thank you so much for the quick help :pray:", ChatterKind.THANKS),
        ("Vielen Dank!", ChatterKind.THANKS),
        ("Obrigado pela ajuda", ChatterKind.THANKS),
        ("ありがとうございます!", ChatterKind.THANKS),
        ("🙏🙏🔥", ChatterKind.EMOJI_ONLY),
        (":thumbsup:", ChatterKind.EMOJI_ONLY),
        ("good morning team :wave:", ChatterKind.GREETING),
        ("buenos días a todos", ChatterKind.GREETING),
        ("ok", ChatterKind.ACKNOWLEDGEMENT),
        ("joining the call now", ChatterKind.JOINING),
        ("Welcome <@U123>!", ChatterKind.WELCOME),
        ("thaaanks!!", ChatterKind.THANKS),
        ("perfect, tyvm :raised_hands:", ChatterKind.THANKS),
        ("dankje!", ChatterKind.THANKS),
        ("no worries, all good", ChatterKind.ACKNOWLEDGEMENT),
        ("okkk cool", ChatterKind.ACKNOWLEDGEMENT),
        ("了解しました", ChatterKind.ACKNOWLEDGEMENT),
        ("d'accord, nickel", ChatterKind.ACKNOWLEDGEMENT),
        ("have a nice weekend everyone!", ChatterKind.FAREWELL),
        ("talk soon, take care", ChatterKind.FAREWELL),
        ("schönes Wochenende euch", ChatterKind.FAREWELL),
        ("bonne soirée à tous", ChatterKind.FAREWELL),
        ("お疲れ様でした", ChatterKind.FAREWELL),
        ("hopping on the zoom in a sec", ChatterKind.JOINING),
        ("that did the trick", ChatterKind.ACKNOWLEDGEMENT),
        ("works now :tada:", ChatterKind.ACKNOWLEDGEMENT),
        ("ya funciona, gracias", ChatterKind.THANKS),
        ("jetzt klappt es, danke", ChatterKind.THANKS),
        ("ça fonctionne maintenant, merci", ChatterKind.THANKS),
        ("werkt nu, bedankt", ChatterKind.THANKS),
        ("ありがとうございます、助かりました", ChatterKind.THANKS),
        ("+1", ChatterKind.ACKNOWLEDGEMENT),
        ("lgtm", ChatterKind.ACKNOWLEDGEMENT),
        ("ok thanks, will let you know", ChatterKind.THANKS),
        ("happy friday everyone!", ChatterKind.FAREWELL),
        ("good morning! hope everyone had a nice weekend", ChatterKind.FAREWELL),
    ],
)
def test_pleasantries_are_chatter(text: str, kind: ChatterKind) -> None:
    assert chatter_kind(text) is kind


@pytest.mark.parametrize(
    "text",
    [
        "thanks, but the export still fails",
        "thanks for nothing",
        "call me",
        "hi, I need a refund",
        "hi?",
        "ok so the sync is broken again",
        "not good",
        "third time asking",
        "thanks https://status.example.com",
        "thaaanks, the webhook still 500s",
        "have a look at the invoice",
        "no it still does not work",
        "plus the export is empty",
        "not fixed",
        "no funciona",
        "es funktioniert nicht",
        "non funziona",
        "het werkt niet",
        "still not working",
        "did not work",
        "+1 the export is broken for us too",
        "i'll check with my team whether we renew",
        "hi what is the export limit",
        "ok let me know when the outage is over",
        "",
    ],
)
def test_requests_are_not_chatter(text: str) -> None:
    assert chatter_kind(text) is None
