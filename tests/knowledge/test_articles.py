from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from app.knowledge import (
    SAMPLE_KB_PATH,
    Article,
    ArticleError,
    KnowledgeBaseError,
    load_articles,
    parse_article,
)
from app.knowledge.articles import markdown_to_text

GOOD = """---
title: Good article
url: https://help.example.com/articles/good
tags: [one, two]
---
A body with some words.
"""


def _write(folder: Path, name: str, content: str | bytes) -> None:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


def test_sample_kb_loads_without_problems() -> None:
    result = load_articles(SAMPLE_KB_PATH)
    assert result.problems == []
    assert len(result.articles) >= 20
    slugs = [article.slug for article in result.articles]
    assert len(set(slugs)) == len(slugs)
    assert slugs == sorted(slugs)


def test_sample_articles_are_complete() -> None:
    articles = load_articles(SAMPLE_KB_PATH).articles
    urls = [article.url for article in articles]
    assert len(set(urls)) == len(urls)
    for article in articles:
        assert article.url.startswith("https://help.northwind.example/"), article.slug
        assert article.url.rstrip("/").endswith(article.slug), article.slug
        assert article.title and article.tags, article.slug
        paragraphs = [block for block in article.body.split("\n\n") if block.strip()]
        assert len(paragraphs) >= 4, article.slug
        assert len(article.body) >= 800, article.slug
    with_steps = [
        a for a in articles if any(line.startswith("1. ") for line in a.body.splitlines())
    ]
    assert len(with_steps) >= 20


def test_sample_kb_has_other_languages() -> None:
    languages = {article.language for article in load_articles(SAMPLE_KB_PATH).articles}
    assert {"en", "es", "de"} <= languages


def test_article_fields() -> None:
    article = parse_article("good", GOOD)
    assert article == Article(
        slug="good",
        title="Good article",
        url="https://help.example.com/articles/good",
        body="A body with some words.",
        tags=("one", "two"),
        language="en",
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        article.title = "changed"  # type: ignore[misc]


def test_optional_fields_and_formats(tmp_path: Path) -> None:
    text = (
        "\ufeff---\r\ntitle: '  Spaced   title '\r\nurl: http://help.example.com/x\r\n"
        "tags: billing, invoices , billing\r\nlanguage: pt-BR\r\n---\r\nCorpo do artigo.\r\n"
    )
    _write(tmp_path, "crlf.md", text.encode("utf-8"))
    result = load_articles(tmp_path)
    assert result.problems == []
    (article,) = result.articles
    assert article.title == "Spaced title"
    assert article.tags == ("billing", "invoices")
    assert article.language == "pt-BR"
    assert article.body == "Corpo do artigo."


BROKEN = [
    ("no-front-matter.md", "Just a body, no metadata.\n", "no front matter"),
    ("unclosed.md", "---\ntitle: T\nurl: https://x.example/a\nBody\n", "not closed"),
    ("no-title.md", "---\nurl: https://x.example/a\n---\nBody\n", "'title'"),
    ("no-url.md", "---\ntitle: T\n---\nBody\n", "'url'"),
    ("empty-title.md", "---\ntitle: ''\nurl: https://x.example/a\n---\nBody\n", "'title'"),
    ("bad-url.md", "---\ntitle: T\nurl: javascript:alert(1)\n---\nBody\n", "url"),
    ("invalid-yaml.md", "---\ntitle: [unclosed\nurl: https://x.example/a\n---\nBody\n", "YAML"),
    ("colon-title.md", "---\ntitle: Plans: compared\nurl: https://x.example/a\n---\nB\n", "YAML"),
    ("list-meta.md", "---\n- a\n- b\n---\nBody\n", "mapping"),
    ("empty-body.md", "---\ntitle: T\nurl: https://x.example/a\n---\n  \n\n", "empty"),
    ("bad-tags.md", "---\ntitle: T\nurl: https://x.example/a\ntags: {a: 1}\n---\nB\n", "tags"),
    ("bad-lang.md", "---\ntitle: T\nurl: https://x.example/a\nlanguage: 12\n---\nB\n", "language"),
]


@pytest.mark.parametrize(("name", "content", "expected"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_article_is_skipped_and_reported(
    tmp_path: Path, name: str, content: str, expected: str
) -> None:
    _write(tmp_path, "good.md", GOOD)
    _write(tmp_path, name, content)
    result = load_articles(tmp_path)
    assert [article.slug for article in result.articles] == ["good"]
    assert len(result.problems) == 1
    assert result.problems[0].startswith(f"{name}: ")
    assert expected in result.problems[0]


def test_non_utf8_article_is_reported(tmp_path: Path) -> None:
    _write(tmp_path, "good.md", GOOD)
    _write(tmp_path, "latin1.md", GOOD.replace("some", "séme").encode("latin-1"))
    result = load_articles(tmp_path)
    assert [article.slug for article in result.articles] == ["good"]
    assert result.problems == [result.problems[0]]
    assert result.problems[0].startswith("latin1.md: ")
    assert "UTF-8" in result.problems[0]


def test_every_broken_file_is_reported(tmp_path: Path) -> None:
    for name, content, _ in BROKEN:
        _write(tmp_path, name, content)
    result = load_articles(tmp_path)
    assert result.articles == []
    assert sorted(problem.split(":")[0] for problem in result.problems) == sorted(
        name for name, _, _ in BROKEN
    )


def test_parse_article_raises_a_value_error() -> None:
    with pytest.raises(ArticleError, match="no front matter"):
        parse_article("x", "body only")
    assert issubclass(ArticleError, ValueError)


def test_only_markdown_files_directly_in_the_folder(tmp_path: Path) -> None:
    _write(tmp_path, "good.md", GOOD)
    _write(tmp_path, "notes.txt", "not an article")
    (tmp_path / "drafts").mkdir()
    _write(tmp_path / "drafts", "draft.md", GOOD)
    (tmp_path / "folder.md").mkdir()
    result = load_articles(tmp_path)
    assert [article.slug for article in result.articles] == ["good"]
    assert result.problems == []


def test_empty_folder_gives_an_empty_result(tmp_path: Path) -> None:
    result = load_articles(tmp_path)
    assert result.articles == [] and result.problems == []


def test_absent_folder_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(KnowledgeBaseError, match="nowhere") as caught:
        load_articles(missing)
    assert isinstance(caught.value, ValueError)
    assert str(missing) in str(caught.value)


def test_file_instead_of_folder_is_an_error(tmp_path: Path) -> None:
    _write(tmp_path, "good.md", GOOD)
    with pytest.raises(KnowledgeBaseError, match="not a folder"):
        load_articles(tmp_path / "good.md")


def test_markdown_to_text() -> None:
    markdown = (
        "## Set up\n"
        "1. Open **Settings > Billing** and click `Save`.\n"
        "- Read the [API guide](https://dev.example.com/api) and *this*.\n"
        "> Quoted __note__\n"
        "```\n"
        "curl https://api.example.com\n"
        "```\n"
        "snake_case_name and 2 * 3 stay.\n"
    )
    assert markdown_to_text(markdown) == (
        "Set up\n"
        "1. Open Settings > Billing and click Save.\n"
        "• Read the API guide (https://dev.example.com/api) and this.\n"
        "Quoted note\n"
        "curl https://api.example.com\n"
        "snake_case_name and 2 * 3 stay."
    )
