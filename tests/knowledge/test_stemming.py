from concurrent.futures import ThreadPoolExecutor

import pytest

from app.knowledge.articles import Article
from app.knowledge.index import KnowledgeIndex
from app.knowledge.stemming import ALGORITHMS, algorithm_of, stem, stems
from app.triage.language import SUPPORTED_LANGUAGES


@pytest.mark.parametrize(
    ("words", "language", "expected"),
    [
        (["invoices", "invoicing", "invoiced", "invoice"], "en", "invoic"),
        (["exporting", "exported", "exports"], None, "export"),
        (["facturas", "factura", "facturar"], "es", "factur"),
        (["rechnungen", "rechnung"], "de", "rechnung"),
        (["factures", "facture"], "fr", "factur"),
        (["faturas", "fatura"], "pt-BR", "fatur"),
        (["fatture", "fattura"], "it", "fattur"),
        (["facturen", "factuur"], "nl", "factuur"),
    ],
)
def test_forms_of_a_word_share_a_stem(
    words: list[str], language: str | None, expected: str
) -> None:
    assert set(stems(words, language)) == {expected}


def test_every_supported_language_has_a_stemmer() -> None:
    assert {algorithm_of(code) for code in SUPPORTED_LANGUAGES} <= set(ALGORITHMS.values())
    assert algorithm_of("ja") == algorithm_of(None) == algorithm_of("xx") == "english"
    assert algorithm_of("PT_br") == "portuguese"
    assert stem("パスワード", "ja") == "パスワード"
    assert stem("billing") == "bill" and stem("running") == "run"


def test_stems_are_the_same_from_many_threads() -> None:
    words = [
        f"{root}{suffix}"
        for root in ("export", "invoic", "connect")
        for suffix in ("ing", "ed", "s")
    ] * 200
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda word: stem(word, "en"), words))
    assert results == [stem(word, "en") for word in words]
    assert set(results) == {"export", "invoic", "connect"}


def test_the_index_matches_stems_and_quotes_the_article_as_written() -> None:
    article = Article(
        slug="gizmos",
        title="Exporting gizmos",
        url="https://help.example.com/gizmos",
        body="Every gizmo is exported nightly. Exports include the gizmo's owners.",
    )
    index = KnowledgeIndex.build([article])
    hits = index.search("gizmo export")
    assert [hit.article.slug for hit in hits] == ["gizmos"]
    assert "exported nightly" in hits[0].snippet and "Exports include" in hits[0].snippet
    assert index.search("importing") == []
