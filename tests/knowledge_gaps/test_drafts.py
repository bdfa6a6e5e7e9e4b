"""Offline article drafts: a Markdown skeleton in the knowledge base's own format."""

from __future__ import annotations

from datetime import UTC, datetime

from app.knowledge.articles import parse_article
from app.knowledge_gaps.drafts import ArticleDrafter, DraftRequest, OfflineDrafter, slugify
from app.knowledge_gaps.queue import GapEntry, TopicGroup

TOPIC = "billing_question:export-invoic-quickbook"
NOTE = "Go to Settings > Billing and click Export. Pick the QuickBooks format. Import the file."


def request(**changes: object) -> DraftRequest:
    base = DraftRequest(
        topic=TOPIC,
        intent="billing_question",
        questions=(
            "How do I export my invoices to QuickBooks? We close the month on Friday.",
            "Can we export invoices into QuickBooks Online?",
        ),
        notes=(NOTE,),
    )
    return DraftRequest(**{**base.__dict__, **changes})  # type: ignore[arg-type]


def test_the_draft_is_an_article_the_knowledge_base_can_load() -> None:
    drafter: ArticleDrafter = OfflineDrafter()
    text = drafter.draft(request())
    article = parse_article(slugify("x"), text)
    assert article.title == "How do I export my invoices to QuickBooks"
    assert (
        article.url == "https://help.example.com/articles/how-do-i-export-my-invoices-to-quickbooks"
    )
    assert article.tags == ("billing_question", "export", "invoices", "quickbooks")
    assert "TODO" in text  # the url and the answer are for a person to finish
    assert drafter.draft(request()) == text  # deterministic


def test_the_draft_quotes_the_questions_and_seeds_the_answer_with_the_notes() -> None:
    text = OfflineDrafter().draft(request())
    sections = [line for line in text.splitlines() if line.startswith("## ")]
    assert sections == ["## The question", "## Answer", "## Steps"]
    question_part = text.split("## The question")[1].split("## Answer")[0]
    assert "Can we export invoices into QuickBooks Online?" in question_part
    assert "We close the month on Friday." in question_part
    answer_part = text.split("## Answer")[1].split("## Steps")[0]
    assert f"> {NOTE}" in answer_part
    steps = text.split("## Steps")[1].strip().splitlines()
    assert steps == [
        "1. Go to Settings > Billing and click Export.",
        "2. Pick the QuickBooks format.",
        "3. Import the file.",
    ]


def test_steps_come_from_the_notes_own_list_when_there_is_one() -> None:
    notes = ("Walked them through it:\n- Open Settings\n- Click Billing\n2) Export as QBO",)
    text = OfflineDrafter().draft(request(notes=notes))
    steps = text.split("## Steps")[1].strip().splitlines()
    assert steps == ["1. Open Settings", "2. Click Billing", "3. Export as QBO"]


def test_without_notes_the_answer_and_steps_are_placeholders() -> None:
    text = OfflineDrafter().draft(request(notes=()))
    assert "> " not in text.split("## Answer")[1]
    assert text.split("## Steps")[1].strip().splitlines()[0].startswith("1. TODO")


def test_customer_text_is_plain_markdown_without_slack_markup() -> None:
    hostile = "<!channel> <@U0CUST> *urgent* `rm -rf` [click](https://evil.example) &lt;script&gt;"
    text = OfflineDrafter().draft(request(questions=(hostile,)))
    assert "<!channel>" not in text and "<@U0CUST>" not in text
    assert text.count("<script>") == text.count(r"\<script>") == 1  # escaped, in the quote
    assert "@channel" in text
    assert r"\*urgent\*" in text and r"\`rm -rf\`" in text and r"\[click\]" in text
    parse_article("hostile", text)


def test_no_question_text_still_gives_a_loadable_draft() -> None:
    text = OfflineDrafter().draft(request(topic="feedback:*", intent="feedback", questions=("",)))
    article = parse_article("empty", text)
    assert article.title == "Feedback: general"


def test_a_request_from_a_topic_group_keeps_distinct_notes() -> None:
    at = datetime(2025, 6, 2, tzinfo=UTC)

    def entry(gap_id: int, question: str, note: str | None) -> GapEntry:
        return GapEntry(gap_id, gap_id, "billing_question", TOPIC, question, note, "C0A", "1.1", at)

    group = TopicGroup(
        topic=TOPIC,
        intent="billing_question",
        gaps=(entry(1, "Export invoices?", NOTE), entry(2, "Invoices export", f" {NOTE} ")),
    )
    drafted = DraftRequest.of(group)
    assert drafted.questions == ("Export invoices?", "Invoices export")
    assert drafted.notes == (NOTE,)
