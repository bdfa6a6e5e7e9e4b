"""Knowledge-base articles: Markdown files with a YAML front matter, loaded from one folder.

An article file looks like::

    ---
    title: Resetting your password
    url: https://help.northwind.example/articles/reset-password
    tags: [account, password]      # optional
    language: en                   # optional, defaults to "en"
    ---
    Body in Markdown...

A broken file is skipped and reported in ``LoadResult.problems``; it never stops the rest of
the knowledge base from loading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFAULT_LANGUAGE = "en"
_FRONT_MATTER_FENCE = "---"
_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
# Markdown to plain text, applied in order to each line.
_MARKDOWN_RULES = [
    (re.compile(r"^\s{0,3}#{1,6}\s+"), ""),  # heading marker
    (re.compile(r"^\s{0,3}>\s?"), ""),  # block quote
    (re.compile(r"^(\s*)[-*+]\s+"), r"\1• "),  # bullet
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # image: its alt text
    (re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)"), r"\1 (\2)"),  # link: text (url)
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),  # strong
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])"), r"\1"),  # emphasis
]


class KnowledgeBaseError(ValueError):
    """The knowledge base as a whole is unusable (absent folder, no full-text search, ...)."""


@dataclass(frozen=True)
class Article:
    """One help-center article. ``body`` is the Markdown after the front matter."""

    slug: str
    title: str
    url: str
    body: str
    tags: tuple[str, ...] = ()
    language: str = DEFAULT_LANGUAGE


@dataclass(frozen=True)
class LoadResult:
    """The articles that loaded, in file-name order, and one line per file that did not."""

    articles: list[Article] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class ArticleError(ValueError):
    """Why one file is not a usable article (the message says what is wrong)."""


def load_articles(folder: Path) -> LoadResult:
    """Load every ``*.md`` file directly inside ``folder``.

    Raises ``KnowledgeBaseError`` when the folder does not exist or is not a directory; any
    problem with a single file is reported in the result instead.
    """
    if not folder.exists():
        raise KnowledgeBaseError(f"knowledge base folder {folder} does not exist")
    if not folder.is_dir():
        raise KnowledgeBaseError(f"knowledge base path {folder} is not a folder")
    articles: list[Article] = []
    problems: list[str] = []
    for path in sorted(folder.glob("*.md")):
        if not path.is_file():
            continue
        try:
            articles.append(parse_article(path.stem, _read_text(path)))
        except ArticleError as problem:
            problems.append(f"{path.name}: {problem}")
    return LoadResult(articles=articles, problems=problems)


def parse_article(slug: str, text: str) -> Article:
    """Parse the text of one article file; raises ``ArticleError`` saying what is wrong."""
    meta, body = _split_front_matter(text)
    title = _required_string(meta, "title")
    url = _required_string(meta, "url")
    if not url.startswith(("https://", "http://")):
        raise ArticleError(f"url must start with https:// or http://, got {url!r}")
    body = body.strip()
    if not body:
        raise ArticleError("the body after the front matter is empty")
    return Article(
        slug=slug,
        title=title,
        url=url,
        body=body,
        tags=_tags(meta.get("tags")),
        language=_language(meta.get("language")),
    )


def markdown_to_text(markdown: str) -> str:
    """Plain text of a Markdown fragment: no emphasis, code or heading markers; links as
    ``text (url)``; bullets as ``•``. Line structure is kept."""
    lines: list[str] = []
    for line in markdown.splitlines():
        if line.strip().startswith("```"):
            continue
        for pattern, replacement in _MARKDOWN_RULES:
            line = pattern.sub(replacement, line)
        lines.append(line.replace("`", "").rstrip())
    return "\n".join(lines).strip()


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ArticleError(f"cannot be read ({exc.strerror or exc})") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleError(f"is not valid UTF-8 (byte {exc.start})") from exc


def _split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != _FRONT_MATTER_FENCE:
        raise ArticleError("no front matter (the file must start with a '---' line)")
    fences = (i for i, line in enumerate(lines) if i > 0 and line.strip() == _FRONT_MATTER_FENCE)
    end = next(fences, None)
    if end is None:
        raise ArticleError("the front matter is not closed by a '---' line")
    try:
        meta = yaml.safe_load("".join(lines[1:end]))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        raise ArticleError(f"the front matter is not valid YAML{where}") from exc
    if not isinstance(meta, dict):
        raise ArticleError("the front matter must be a mapping of keys to values")
    return meta, "".join(lines[end + 1 :])


def _required_string(meta: dict[str, Any], key: str) -> str:
    value = meta.get(key)
    if value is None:
        raise ArticleError(f"the front matter has no {key!r}")
    if not isinstance(value, str) or not value.strip():
        raise ArticleError(f"{key!r} must be a non-empty string")
    return " ".join(value.split())


def _tags(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(tag, str | int) for tag in value):
        raise ArticleError("'tags' must be a list of strings")
    return tuple(dict.fromkeys(str(tag).strip() for tag in value if str(tag).strip()))


def _language(value: object) -> str:
    if value is None:
        return DEFAULT_LANGUAGE
    if not isinstance(value, str) or not _LANGUAGE_RE.match(value.strip()):
        raise ArticleError(f"'language' must be a language code such as 'en', got {value!r}")
    return value.strip()
