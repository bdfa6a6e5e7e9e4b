"""Routing: skill channel, language, tier and ARR, overflow, unknown skills, order, reasons."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection

import pytest

from app.config_file import EscalationConfig, parse_config
from app.routing.router import HIGH_VALUE_ARR, RoutingDecision, route

SKILLS = """\
skills:
  billing: {channel: C0BILLING}
  technical: {channel: C0TECH}
  account_management: {channel: C0AM}
  trust: {channel: C0TRUST}
  general: {channel: C0GENERAL}
"""
AGENTS = """\
agents:
  - {user: U0BILL1, skills: [billing], languages: [en, es]}
  - {user: U0BILL2, skills: [billing, general], languages: [en], senior: true}
  - {user: U0BILL3, skills: [billing], languages: [de]}
  - {user: U0TECH1, skills: [technical], languages: [en, ja], senior: true}
  - {user: U0GEN1, skills: [general], languages: [en, fr]}
"""
CHANNELS = "overflow_channel: C0OVERFLOW\nleads_channel: C0LEADS\n"
CONFIG = parse_config(SKILLS + AGENTS + CHANNELS)
EVERYONE = ("U0BILL1", "U0BILL2", "U0BILL3", "U0TECH1", "U0GEN1")


def decide(
    skill: str = "billing",
    language: str = "en",
    tier: str = "pro",
    arr: float | None = None,
    on_shift: Collection[str] = EVERYONE,
    config: EscalationConfig = CONFIG,
) -> RoutingDecision:
    return route(
        skill=skill, language=language, tier=tier, arr=arr, config=config, on_shift=on_shift
    )


def test_routes_to_the_skill_channel_and_agents_speaking_the_language() -> None:
    decision = decide()
    assert decision.skill == "billing"
    assert decision.channel == "C0BILLING"
    assert decision.mentions == ("U0BILL1", "U0BILL2")
    assert not decision.overflow
    assert decision.reasons and all(reason.strip() for reason in decision.reasons)


@pytest.mark.parametrize(
    ("skill", "channel"),
    [("technical", "C0TECH"), ("general", "C0GENERAL"), ("billing", "C0BILLING")],
)
def test_each_skill_has_its_channel(skill: str, channel: str) -> None:
    decision = decide(skill=skill)
    assert decision.channel == channel and decision.skill == skill
    agents = {agent.user: agent for agent in CONFIG.agents}
    assert decision.mentions
    assert all(skill in agents[user].skills for user in decision.mentions)


@pytest.mark.parametrize(
    ("language", "mentions"),
    [("es", ("U0BILL1",)), ("de", ("U0BILL3",)), ("ES", ("U0BILL1",)), ("de-AT", ("U0BILL3",))],
)
def test_only_agents_speaking_the_customers_language(
    language: str, mentions: tuple[str, ...]
) -> None:
    assert decide(language=language).mentions == mentions


def test_language_nobody_speaks_falls_back_to_everyone_with_the_skill() -> None:
    decision = decide(language="ja")
    assert decision.channel == "C0BILLING" and not decision.overflow
    assert decision.mentions == ("U0BILL1", "U0BILL2", "U0BILL3")
    assert any("ja" in reason and "not covered" in reason for reason in decision.reasons)


def test_language_spoken_only_by_an_agent_off_shift_falls_back() -> None:
    decision = decide(language="es", on_shift=["U0BILL2", "U0BILL3"])
    assert decision.mentions == ("U0BILL2", "U0BILL3")
    assert any("not covered" in reason for reason in decision.reasons)


def test_enterprise_accounts_go_to_senior_agents_first() -> None:
    decision = decide(tier="enterprise")
    assert decision.mentions == ("U0BILL2",)
    assert any("enterprise" in r and "senior" in r for r in decision.reasons)


def test_high_arr_counts_like_enterprise() -> None:
    assert decide(tier="pro", arr=HIGH_VALUE_ARR).mentions == ("U0BILL2",)
    assert decide(tier="free", arr=HIGH_VALUE_ARR * 3).mentions == ("U0BILL2",)
    below = decide(tier="pro", arr=HIGH_VALUE_ARR - 1)
    assert below.mentions == ("U0BILL1", "U0BILL2")
    assert not any("senior" in reason for reason in below.reasons)
    assert any("ARR" in r and "senior" in r for r in decide(arr=HIGH_VALUE_ARR).reasons)


def test_seniors_are_chosen_among_agents_speaking_the_language() -> None:
    decision = decide(tier="enterprise", language="es")  # the senior speaks no Spanish
    assert decision.mentions == ("U0BILL1",)
    assert any("no senior" in reason for reason in decision.reasons)


def test_enterprise_without_a_senior_on_shift_still_mentions_the_others() -> None:
    decision = decide(tier="enterprise", on_shift=["U0BILL1", "U0BILL3"])
    assert decision.mentions == ("U0BILL1",)
    assert not decision.overflow


def test_pro_accounts_are_not_limited_to_seniors() -> None:
    assert decide(skill="technical", tier="pro").mentions == ("U0TECH1",)
    assert decide(tier="pro").mentions == ("U0BILL1", "U0BILL2")


@pytest.mark.parametrize("on_shift", [(), ("U0BILL1", "U0GEN1"), ("U0NOBODY",)])
def test_overflow_when_nobody_with_the_skill_is_on_shift(on_shift: tuple[str, ...]) -> None:
    decision = decide(skill="technical", on_shift=on_shift)
    assert decision.overflow
    assert decision.channel == "C0OVERFLOW"
    assert decision.mentions == ()
    assert decision.skill == "technical"
    assert "no technical agent on shift" in decision.reasons


def test_overflow_reason_names_the_skill_in_words() -> None:
    decision = decide(skill="account_management")
    assert decision.overflow
    assert "no account management agent on shift" in decision.reasons


def test_unknown_skill_goes_to_general() -> None:
    decision = decide(skill="sales")
    assert decision.skill == "general" and decision.channel == "C0GENERAL"
    assert decision.mentions == ("U0BILL2", "U0GEN1")
    assert not decision.overflow
    assert any("sales" in reason for reason in decision.reasons)


def test_unknown_skill_without_general_overflows() -> None:
    skills = SKILLS.replace("  general: {channel: C0GENERAL}\n", "")
    agents = "agents:\n  - {user: U0BILL1, skills: [billing]}\n"
    config = parse_config(skills + agents + CHANNELS)
    decision = decide(skill="sales", config=config)
    assert decision.overflow and decision.channel == "C0OVERFLOW"
    assert decision.mentions == ()
    assert any("sales" in reason for reason in decision.reasons)


def test_mentions_follow_config_order_whatever_the_shift_order() -> None:
    forward = decide(language="ja", on_shift=list(EVERYONE))
    backward = decide(language="ja", on_shift=list(reversed(EVERYONE)))
    as_set = decide(language="ja", on_shift=set(EVERYONE))
    assert forward == backward == as_set
    assert forward.mentions == ("U0BILL1", "U0BILL2", "U0BILL3")


def test_reordering_the_config_reorders_the_mentions() -> None:
    lines = AGENTS.splitlines(keepends=True)
    reordered = parse_config(SKILLS + lines[0] + "".join(reversed(lines[1:])) + CHANNELS)
    assert decide(config=reordered).mentions == ("U0BILL2", "U0BILL1")


def test_every_decision_has_reasons() -> None:
    for skill in ("billing", "technical", "trust", "sales"):
        for tier in ("free", "pro", "enterprise"):
            for language in ("en", "ja", "pt"):
                assert decide(skill=skill, tier=tier, language=language).reasons


def test_decision_is_frozen() -> None:
    decision = decide()
    with pytest.raises(dataclasses.FrozenInstanceError):
        decision.channel = "C0OTHER"  # type: ignore[misc]
