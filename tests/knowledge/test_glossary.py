"""The support glossary: a question in another language finds the English article."""

from __future__ import annotations

import pytest
import yaml

from app.knowledge import SAMPLE_KB_PATH, Article, KnowledgeIndex, load_articles
from app.knowledge.glossary import (
    EMPTY_GLOSSARY,
    GLOSSARY_PATH,
    GlossaryError,
    load_glossary,
    parse_glossary,
)
from app.knowledge.index import tokenize

LANGUAGES = {"es", "de", "fr", "pt", "it", "nl", "ja"}


@pytest.fixture(scope="module")
def sample() -> KnowledgeIndex:
    return KnowledgeIndex.build(load_articles(SAMPLE_KB_PATH).articles)


def test_the_shipped_glossary_covers_every_language_of_the_bot() -> None:
    glossary = load_glossary(GLOSSARY_PATH, tokenize)
    assert glossary.english("factura") == ("invoice",)
    [japanese] = tokenize("パスワードをリセット")  # one term, folded as the index folds it
    assert {"password", "reset"} <= set(glossary.english(japanese))
    english, used = glossary.phrases_in(tokenize("réinitialiser mon mot de passe"))
    assert "password" in english and used == {"mot", "de", "passe"}
    assert glossary.english("invoice") == ()  # English words are not looked up


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("¿Cómo exporto todos mis datos a CSV?", "data-export"),
        ("Comment réinitialiser mon mot de passe ?", "reset-password"),
        ("パスワードをリセットするには?", "reset-password"),
        ("Como configuro o SSO com Okta?", "saml-sso-setup"),
    ],
)
def test_a_question_in_another_language_finds_the_english_article(
    sample: KnowledgeIndex, question: str, slug: str
) -> None:
    retrieval = sample.retrieve(question)
    assert retrieval.hits[0].article.slug == slug
    assert retrieval.confidence >= 0.5


def test_an_article_in_the_customer_s_language_still_comes_first(sample: KnowledgeIndex) -> None:
    retrieval = sample.retrieve("¿Dónde puedo descargar una factura?")
    assert retrieval.hits[0].article.slug == "descargar-facturas"
    assert "invoice" in retrieval.terms  # the English terms join the query


def test_without_a_glossary_the_foreign_question_finds_nothing_to_answer() -> None:
    articles = load_articles(SAMPLE_KB_PATH).articles
    bare = KnowledgeIndex.build(articles, glossary=EMPTY_GLOSSARY)
    assert bare.retrieve("Comment réinitialiser mon mot de passe ?").confidence < 0.5


def test_an_english_question_is_unchanged_by_the_glossary(sample: KnowledgeIndex) -> None:
    articles = load_articles(SAMPLE_KB_PATH).articles
    bare = KnowledgeIndex.build(articles, glossary=EMPTY_GLOSSARY)
    question = "how do I export all our boards to csv"
    assert sample.retrieve(question) == bare.retrieve(question)


def test_a_custom_knowledge_base_gets_the_glossary_too() -> None:
    article = Article(
        slug="invoices",
        title="Download invoices",
        url="https://help.example/invoices",
        body="Invoices are in Billing.",
    )
    index = KnowledgeIndex.build([article])
    assert index.retrieve("¿dónde descargo la factura?").hits[0].article.slug == "invoices"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({}, "expected a mapping under 'terms'"),
        ({"terms": {"invoice": ["factura"]}}, "expected a mapping of languages"),
        ({"terms": {"invoice": {"es": "factura"}}}, "expected a list of words"),
    ],
)
def test_a_malformed_glossary_is_refused_with_its_place(document: object, message: str) -> None:
    with pytest.raises(GlossaryError, match=message):
        parse_glossary(document, tokenize=tokenize)


def test_every_shipped_entry_has_all_seven_languages() -> None:
    document = yaml.safe_load(GLOSSARY_PATH.read_text(encoding="utf-8"))
    for english, languages in document["terms"].items():
        assert set(languages) == LANGUAGES, english
