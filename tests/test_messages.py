"""Customer-facing templates: built-in languages, English fallback, overrides and validation."""

from __future__ import annotations

import string

import pytest

from app.config_file import parse_config
from app.errors import StartupError
from app.messages import (
    DEFAULT_TEMPLATES,
    PLACEHOLDERS,
    SUPPORTED_LANGUAGES,
    TEMPLATE_KEYS,
    format_window,
    render,
    transition_text,
    validate_overrides,
)

TRANSITION_SKILLS = ("billing", "technical", "account_management", "trust", "general")
SAMPLE_VALUES = {
    "customer": "<@U0CUSTOMER>",
    "agent": "<@U0AGENT1>",
    "wait": "WAIT-VALUE",
    "n": "17",
    "window": "WINDOW-VALUE",
    "reference": "#REF-VALUE",
}
BASE_CONFIG = """\
skills:
  general: {channel: C0GENERAL}
overflow_channel: C0OVERFLOW
leads_channel: C0LEADS
"""


def values_for(key: str) -> dict[str, str]:
    return {name: SAMPLE_VALUES[name] for name in PLACEHOLDERS[key]}


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_the_six_languages_are_built_in() -> None:
    assert set(SUPPORTED_LANGUAGES) == {"en", "es", "de", "fr", "pt", "ja"}
    assert set(DEFAULT_TEMPLATES) == set(SUPPORTED_LANGUAGES)


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_every_built_in_language_has_every_key(language: str) -> None:
    templates = DEFAULT_TEMPLATES[language]
    assert set(templates) == set(TEMPLATE_KEYS)
    for key, template in templates.items():
        assert template.strip(), key
        assert fields(template) <= PLACEHOLDERS[key], key


@pytest.mark.parametrize("language", [lang for lang in SUPPORTED_LANGUAGES if lang != "en"])
def test_built_in_languages_are_translated(language: str) -> None:
    for key in TEMPLATE_KEYS:
        own = render(key, language=language, overrides=None, **values_for(key))
        english = render(key, language="en", overrides=None, **values_for(key))
        assert own != english, key


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
@pytest.mark.parametrize("key", TEMPLATE_KEYS)
def test_placeholders_render_without_leftover_braces(language: str, key: str) -> None:
    text = render(key, language=language, overrides=None, **values_for(key))
    assert "{" not in text and "}" not in text
    for name in fields(DEFAULT_TEMPLATES[language][key]):
        assert SAMPLE_VALUES[name] in text


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_templates_use_the_values_they_are_for(language: str) -> None:
    for skill in TRANSITION_SKILLS:
        assert "{customer}" in DEFAULT_TEMPLATES[language][f"transition.{skill}"]
    for key, name in [("wait", "wait"), ("joined", "agent"), ("follow_up.chosen", "window")]:
        assert fields(DEFAULT_TEMPLATES[language][key]) == {name}
    for key in ("wait.minutes", "wait.hours"):
        assert fields(DEFAULT_TEMPLATES[language][key]) == {"n"}


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_each_escalation_type_has_its_own_wording(language: str) -> None:
    texts = [
        transition_text(skill, language=language, customer="<@U0C>") for skill in TRANSITION_SKILLS
    ]
    assert len(set(texts)) == len(TRANSITION_SKILLS)
    for text in texts:
        assert text.index("<@U0C>") < 20  # the customer is greeted first


def test_english_transition_for_billing() -> None:
    text = transition_text("billing", language="en", customer="<@U0C>")
    assert text.startswith("Thanks <@U0C>, ")
    assert "billing team" in text and "repeat" in text


def test_skills_without_a_template_use_the_general_one() -> None:
    general = transition_text("general", language="de", customer="<@U0C>")
    assert transition_text("sales", language="de", customer="<@U0C>") == general


@pytest.mark.parametrize("language", ["it", "nl", "zz", ""])
def test_other_languages_fall_back_to_english(language: str) -> None:
    for key in TEMPLATE_KEYS:
        expected = render(key, language="en", overrides=None, **values_for(key))
        assert render(key, language=language, overrides=None, **values_for(key)) == expected


@pytest.mark.parametrize(("language", "base"), [("pt-BR", "pt"), ("ES", "es"), ("fr_CA", "fr")])
def test_regional_codes_use_their_language(language: str, base: str) -> None:
    assert render("closing", language=language) == render("closing", language=base)


def test_values_are_inserted_literally() -> None:
    text = render("joined", language="en", agent="{customer} {0}")
    assert text.startswith("{customer} {0} from our team")


def test_render_needs_exactly_the_keys_values() -> None:
    with pytest.raises(TypeError, match="joined"):
        render("joined", language="en")
    with pytest.raises(TypeError, match="closing"):
        render("closing", language="en", agent="<@U0A>")
    with pytest.raises(KeyError, match=r"surge\.banner"):
        render("surge.banner", language="en")


def test_overrides_apply_per_language_and_key() -> None:
    overrides = {"es": {"closing": "¡Listo! Cerramos esta conversación."}}
    assert render("closing", language="es", overrides=overrides) == overrides["es"]["closing"]
    assert render("closing", language="en", overrides=overrides) == render("closing", language="en")
    assert render("follow_up.button", language="es", overrides=overrides) == render(
        "follow_up.button", language="es"
    )


def test_overrides_reach_transition_text() -> None:
    overrides = {"en": {"transition.trust": "Hi {customer}, our security team is on it."}}
    text = transition_text("trust", language="en", customer="<@U0C>", overrides=overrides)
    assert text == "Hi <@U0C>, our security team is on it."


def test_a_language_without_built_ins_can_be_configured() -> None:
    overrides = {"it": {"closing": "Conversazione risolta. Grazie!"}}
    assert render("closing", language="it", overrides=overrides) == overrides["it"]["closing"]
    assert render("follow_up.button", language="it", overrides=overrides) == "Follow up later"


def test_english_overrides_reach_fallback_languages_only() -> None:
    overrides = {"en": {"follow_up.button": "Get back to me later"}}
    assert render("follow_up.button", language="it", overrides=overrides) == "Get back to me later"
    assert render("follow_up.button", language="fr", overrides=overrides) == render(
        "follow_up.button", language="fr"
    )


def test_valid_overrides_pass_validation() -> None:
    validate_overrides({})
    validate_overrides({"en": {"wait": "Wait: {wait}", "closing": "Done."}, "it": {}})
    validate_overrides({lang: dict(templates) for lang, templates in DEFAULT_TEMPLATES.items()})


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"de": {"surge.banner": "Viel los"}},
            r"messages\.de\.surge\.banner: unknown template key",
        ),
        (
            {"fr": {"joined": "{agnet} est là"}},
            r"messages\.fr\.joined: unknown placeholder \{agnet\}",
        ),
        ({"en": {"closing": "Bye {customer}"}}, r"messages\.en\.closing: unknown placeholder"),
        ({"es": {"wait": "Espera: {}"}}, r"messages\.es\.wait: unknown placeholder \{\}"),
        ({"es": {"wait": "Espera: {0}"}}, r"messages\.es\.wait: unknown placeholder \{0\}"),
        ({"pt": {"joined": "{agent.name}"}}, r"messages\.pt\.joined: unknown placeholder"),
        ({"ja": {"wait.hours": "{n:>3}時間"}}, r"messages\.ja\.wait\.hours: placeholder \{n\}"),
        ({"en": {"wait": "Wait: {wait"}}, r"messages\.en\.wait: malformed template"),
    ],
)
def test_invalid_overrides_are_rejected(overrides: dict[str, dict[str, str]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_overrides(overrides)


def test_unvalidated_bad_override_still_fails_when_rendered() -> None:
    with pytest.raises(ValueError, match=r"messages\.en\.joined"):
        render("joined", language="en", overrides={"en": {"joined": "{who}"}}, agent="<@U0A>")


def test_validates_the_config_files_messages() -> None:
    with pytest.raises(StartupError, match=r"messages\.es\.joined: unknown placeholder \{agente\}"):
        parse_config(BASE_CONFIG + "messages:\n  es:\n    joined: '{agente} se ha unido'\n")
    good = parse_config(BASE_CONFIG + "messages:\n  es:\n    joined: '{agent} está aquí'\n")
    validate_overrides(good.messages)
    assert render("joined", language="es", overrides=good.messages, agent="Ana") == "Ana está aquí"


@pytest.mark.parametrize(
    ("language", "two_hours", "one_hour", "ninety_minutes", "one_minute"),
    [
        ("en", "2 hours", "1 hour", "90 minutes", "1 minute"),
        ("es", "2 horas", "1 hora", "90 minutos", "1 minuto"),
        ("de", "2 Stunden", "1 Stunde", "90 Minuten", "1 Minute"),
        ("fr", "2 heures", "1 heure", "90 minutes", "1 minute"),
        ("pt", "2 horas", "1 hora", "90 minutos", "1 minuto"),
        ("ja", "2時間", "1時間", "90分", "1分"),
        ("it", "2 hours", "1 hour", "90 minutes", "1 minute"),
    ],
)
def test_format_window(
    language: str, two_hours: str, one_hour: str, ninety_minutes: str, one_minute: str
) -> None:
    assert format_window(120, language=language) == two_hours
    assert format_window(60, language=language) == one_hour
    assert format_window(90, language=language) == ninety_minutes
    assert format_window(1, language=language) == one_minute


def test_format_window_needs_a_positive_duration() -> None:
    assert format_window(24 * 60, language="en") == "24 hours"
    with pytest.raises(ValueError):
        format_window(0, language="en")


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_follow_up_confirmation_names_the_window(language: str) -> None:
    window = format_window(120, language=language)
    text = render("follow_up.chosen", language=language, window=window)
    assert window in text and "{" not in text
