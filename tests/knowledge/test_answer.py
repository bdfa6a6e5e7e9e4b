from __future__ import annotations

import re

import pytest

from app.knowledge import (
    DEFAULT_MIN_CONFIDENCE,
    MAX_EXCERPT_CHARS,
    SAMPLE_KB_PATH,
    Answer,
    Article,
    Citation,
    KnowledgeIndex,
    Retrieval,
    compose_answer,
    load_articles,
)
from app.knowledge.answer import CITATION_SCORE_SHARE, MAX_CITATIONS, truncate
from tests.knowledge.test_index import OFF_TOPIC, QUESTIONS


@pytest.fixture(scope="module")
def index() -> KnowledgeIndex:
    return KnowledgeIndex.build(load_articles(SAMPLE_KB_PATH).articles)


def _answer(index: KnowledgeIndex, question: str) -> tuple[Retrieval, Answer]:
    retrieval = index.retrieve(question)
    answer = compose_answer(question, retrieval, min_confidence=DEFAULT_MIN_CONFIDENCE)
    assert answer is not None, question
    return retrieval, answer


def _split(answer: Answer) -> tuple[str, str]:
    lead_in, excerpt = answer.text.split("\n\n", 1)
    return lead_in, excerpt


def _article(slug: str, title: str, body: str, language: str = "en") -> Article:
    return Article(
        slug=slug,
        title=title,
        url=f"https://help.example.com/{slug}",
        body=body,
        language=language,
    )


@pytest.mark.parametrize(("question", "slug"), QUESTIONS, ids=[q[1] for q in QUESTIONS])
def test_answer_shape_for_every_question(index: KnowledgeIndex, question: str, slug: str) -> None:
    retrieval, answer = _answer(index, question)
    top = retrieval.hits[0]
    assert top.article.slug == slug
    lead_in, excerpt = _split(answer)
    assert "\n" not in lead_in and top.article.title in lead_in
    assert 0 < len(excerpt) <= MAX_EXCERPT_CHARS
    assert excerpt in answer.text
    assert answer.confidence == retrieval.confidence
    assert answer.citations[0] == Citation(title=top.article.title, url=top.article.url)
    assert 1 <= len(answer.citations) <= MAX_CITATIONS
    assert len(set(answer.citations)) == len(answer.citations)
    cited = {hit.article.url: hit.score for hit in retrieval.hits}
    for citation in answer.citations:
        assert cited[citation.url] >= CITATION_SCORE_SHARE * top.score


@pytest.mark.parametrize(("question", "slug"), QUESTIONS, ids=[q[1] for q in QUESTIONS])
def test_answer_is_plain_text_from_the_article(
    index: KnowledgeIndex, question: str, slug: str
) -> None:
    retrieval, answer = _answer(index, question)
    for marker in ("**", "__", "`", "](", "<http", "<@", "<!", "&lt;"):
        assert marker not in answer.text
    assert not re.search(r"^\s*#", answer.text, re.MULTILINE)
    _, excerpt = _split(answer)
    body_words = set(re.findall(r"\w+", retrieval.hits[0].article.body.lower()))
    assert set(re.findall(r"\w+", excerpt.lower())) <= body_words


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Hi team, how do I reset my password? I forgot it", "Click Forgot password?"),
        ("users get 'user is not assigned to this application' error", "assign the user"),
        ("how do we upgrade from Free to Pro?", "Choose the new plan"),
        ("how do we verify the webhook signature?", "HMAC SHA-256"),
        ("we keep getting 429 errors from the API", "Retry-After"),
        ("Can we pay by bank transfer instead of card?", "Bank transfer is available"),
        ("¿Cómo descargo mis facturas?", "Descargar PDF"),
    ],
)
def test_answer_picks_the_relevant_passage(
    index: KnowledgeIndex, question: str, expected: str
) -> None:
    _, answer = _answer(index, question)
    assert expected in _split(answer)[1]


def test_steps_keep_their_introduction(index: KnowledgeIndex) -> None:
    _, answer = _answer(index, "we keep getting 429 errors from the API, how to handle it?")
    excerpt = _split(answer)[1]
    assert excerpt.splitlines()[0].endswith("To handle it well:")
    assert excerpt.splitlines()[1].startswith("1. ")


def test_lead_in_follows_the_article_language(index: KnowledgeIndex) -> None:
    spanish = _split(_answer(index, "¿Cómo descargo mis facturas?")[1])[0]
    german = _split(_answer(index, "Wie richte ich die Zwei-Faktor-Authentifizierung ein?")[1])[0]
    english = _split(_answer(index, "Where can I download our invoices as PDF?")[1])[0]
    assert len({spanish, german, english}) == 3
    assert "artículo" in spanish and "Hilfeartikel" in german and "help article" in english


def test_several_relevant_articles_are_cited(index: KnowledgeIndex) -> None:
    _, answer = _answer(index, "SAML SSO login with Okta fails with a signature error")
    urls = [citation.url for citation in answer.citations]
    assert urls[0].endswith("/sso-troubleshooting")
    assert any(url.endswith("/saml-sso-setup") for url in urls)


@pytest.mark.parametrize("question", OFF_TOPIC)
def test_no_answer_off_topic(index: KnowledgeIndex, question: str) -> None:
    retrieval = index.retrieve(question)
    assert compose_answer(question, retrieval, min_confidence=DEFAULT_MIN_CONFIDENCE) is None


def test_no_answer_below_the_threshold(index: KnowledgeIndex) -> None:
    question = "how do I reset my password"
    retrieval = index.retrieve(question)
    assert compose_answer(question, retrieval, min_confidence=retrieval.confidence) is not None
    above = min(1.0, retrieval.confidence + 0.01)
    assert compose_answer(question, retrieval, min_confidence=above) is None


def test_no_answer_without_hits() -> None:
    empty = Retrieval(hits=(), confidence=1.0, terms=("reset",))
    assert compose_answer("reset", empty, min_confidence=0.0) is None


def test_compose_answer_is_pure(index: KnowledgeIndex) -> None:
    question = "how do I connect Jira"
    retrieval = index.retrieve(question)
    before = Retrieval(
        hits=retrieval.hits,
        confidence=retrieval.confidence,
        terms=retrieval.terms,
        features=retrieval.features,
    )
    first = compose_answer(question, retrieval, min_confidence=0.0)
    assert first == compose_answer(question, retrieval, min_confidence=0.0)
    assert retrieval == before


def test_long_passage_is_cut_on_a_sentence_boundary() -> None:
    sentence = "The gizmo exporter writes every gizmo record to a file in the chosen format. "
    body = f"Intro paragraph.\n\n{sentence * 20}\n\nClosing words."
    index = KnowledgeIndex.build([_article("gizmo", "Gizmo exporter", body)])
    question = "gizmo exporter file format"
    answer = compose_answer(question, index.retrieve(question), min_confidence=0.0)
    assert answer is not None
    excerpt = _split(answer)[1]
    assert MAX_EXCERPT_CHARS - len(sentence) < len(excerpt) <= MAX_EXCERPT_CHARS
    assert excerpt.endswith("format.")
    assert excerpt.startswith("The gizmo exporter")


def test_passage_from_the_matching_section() -> None:
    body = (
        "Widgets help you track things.\n\n"
        "## Rename a widget\n\n"
        "Open the widget menu and choose a new label for it.\n\n"
        "## Archive a widget\n\n"
        "To archive a widget:\n\n"
        "1. Open the widget.\n"
        "2. Click Archive.\n\n"
        "Archived widgets can be restored for 30 days."
    )
    index = KnowledgeIndex.build(
        [_article("widgets", "Widgets", body), _article("other", "Other", "Unrelated text.")]
    )
    question = "how do I archive a widget"
    answer = compose_answer(question, index.retrieve(question), min_confidence=0.0)
    assert answer is not None
    assert _split(answer)[1] == "To archive a widget:\n1. Open the widget.\n2. Click Archive."
    assert answer.citations == [Citation(title="Widgets", url="https://help.example.com/widgets")]


def test_truncate() -> None:
    assert truncate("  Short text.  ", 50) == "Short text."
    text = "First sentence here. Second sentence is longer than the rest. Third."
    assert truncate(text, 40) == "First sentence here."
    steps = "1. Open the page\n2. Click the button\n3. Confirm the dialog box"
    assert truncate(steps, 40) == "1. Open the page\n2. Click the button"
    words = "word " * 100
    cut = truncate(words, 60)
    assert len(cut) <= 60 and cut.endswith("…") and cut[:-1].strip().endswith("word")
    unbroken = "x" * 100
    assert truncate(unbroken, 30) == "x" * 29 + "…"
    for limit in (10, 33, 77, 600):
        assert len(truncate(text * 30, limit)) <= limit
