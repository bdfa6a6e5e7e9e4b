"""The wait estimate (median claim time scaled by the queue per agent) and its wording."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import timedelta

import pytest

from app.messages import SUPPORTED_LANGUAGES, render
from app.routing.wait_estimate import MAX_WAIT, MIN_WAIT, estimate_wait, wait_text

TEN_MINUTES = [60.0, 600.0, 6000.0]  # median 600 s; the mean would be 2220 s


def estimate(
    samples: Sequence[float] = TEN_MINUTES, queue_ahead: int = 0, agents: int = 1
) -> timedelta | None:
    return estimate_wait(
        recent_claim_seconds=samples, queue_ahead=queue_ahead, agents_on_shift=agents
    )


@pytest.mark.parametrize("samples", [[], [600.0], [600.0, 700.0]])
def test_unknown_with_fewer_than_three_claims(samples: list[float]) -> None:
    assert estimate(samples) is None


@pytest.mark.parametrize("agents", [0, -1])
def test_unknown_with_nobody_on_shift(agents: int) -> None:
    assert estimate(agents=agents) is None


def test_non_finite_samples_do_not_count() -> None:
    assert estimate([math.nan, math.inf, 600.0, 600.0]) is None
    assert estimate([math.nan, 300.0, 600.0, 900.0]) == timedelta(minutes=10)


def test_negative_samples_count_as_zero() -> None:
    assert estimate([-5000.0, 600.0, 600.0]) == timedelta(minutes=10)
    assert estimate([-5000.0, -1.0, 600.0]) == MIN_WAIT


def test_median_claim_time_with_nobody_ahead() -> None:
    assert estimate() == timedelta(minutes=10)


@pytest.mark.parametrize(
    ("queue_ahead", "agents", "minutes"),
    [(0, 3, 10), (1, 1, 20), (2, 1, 30), (2, 2, 20), (6, 3, 30), (3, 2, 25)],
)
def test_scales_with_the_queue_per_agent(queue_ahead: int, agents: int, minutes: int) -> None:
    assert estimate(queue_ahead=queue_ahead, agents=agents) == timedelta(minutes=minutes)


def test_longer_queue_longer_wait_more_agents_shorter_wait() -> None:
    by_queue = [estimate(queue_ahead=q, agents=2) for q in range(5)]
    assert None not in by_queue and len(set(by_queue)) == len(by_queue)
    assert by_queue == sorted(by_queue)  # type: ignore[type-var]
    by_agents = [estimate(queue_ahead=4, agents=n) for n in (1, 2, 4)]
    assert None not in by_agents and len(set(by_agents)) == len(by_agents)
    assert by_agents == sorted(by_agents, reverse=True)  # type: ignore[type-var]


def test_clamped_to_at_least_a_minute_and_at_most_eight_hours() -> None:
    assert estimate([1.0, 2.0, 3.0]) == MIN_WAIT == timedelta(minutes=1)
    assert estimate([0.0, 0.0, 0.0], queue_ahead=5) == MIN_WAIT
    assert estimate([3600.0] * 3, queue_ahead=50) == MAX_WAIT == timedelta(hours=8)


def test_negative_queue_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="queue_ahead"):
        estimate(queue_ahead=-1)


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (1, "about 5 minutes"),
        (7, "about 5 minutes"),
        (10, "about 10 minutes"),
        (12.4, "about 10 minutes"),
        (13, "about 15 minutes"),
        (87, "about 85 minutes"),
        (89, "about 90 minutes"),
        (90, "about 2 hours"),
        (149, "about 2 hours"),
        (150, "about 3 hours"),
        (480, "about 8 hours"),
    ],
)
def test_english_wording_rounds_to_friendly_numbers(minutes: float, text: str) -> None:
    assert wait_text(timedelta(minutes=minutes), language="en") == text


@pytest.mark.parametrize(
    ("language", "ten_minutes", "two_hours", "unknown"),
    [
        ("en", "about 10 minutes", "about 2 hours", "within business hours"),
        ("es", "unos 10 minutos", "unas 2 horas", "dentro del horario laboral"),
        ("de", "etwa 10 Minuten", "etwa 2 Stunden", "innerhalb unserer Geschäftszeiten"),
        ("fr", "environ 10 minutes", "environ 2 heures", "pendant nos heures ouvrées"),
        ("pt", "cerca de 10 minutos", "cerca de 2 horas", "dentro do horário comercial"),
        ("ja", "約10分", "約2時間", "営業時間内にご連絡いたします"),
    ],
)
def test_wording_in_each_language(
    language: str, ten_minutes: str, two_hours: str, unknown: str
) -> None:
    assert wait_text(timedelta(minutes=10), language=language) == ten_minutes
    assert wait_text(timedelta(hours=2), language=language) == two_hours
    assert wait_text(None, language=language) == unknown


def test_every_supported_language_has_distinct_wording_from_english() -> None:
    english = wait_text(timedelta(minutes=10), language="en")
    for language in SUPPORTED_LANGUAGES:
        if language != "en":
            assert wait_text(timedelta(minutes=10), language=language) != english


def test_other_languages_read_english() -> None:
    assert wait_text(timedelta(minutes=10), language="it") == "about 10 minutes"
    assert wait_text(None, language="it") == "within business hours"


def test_overrides_change_the_wording() -> None:
    overrides = {"en": {"wait.minutes": "roughly {n} min", "wait.unknown": "soon"}}
    assert wait_text(timedelta(minutes=10), language="en", overrides=overrides) == "roughly 10 min"
    assert wait_text(None, language="en", overrides=overrides) == "soon"
    assert wait_text(timedelta(hours=3), language="en", overrides=overrides) == "about 3 hours"


def test_fits_the_wait_sentence() -> None:
    wait = wait_text(estimate(), language="en")
    assert render("wait", language="en", wait=wait) == "Expected wait: about 10 minutes."
