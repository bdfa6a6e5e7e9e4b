"""How well the knowledge base answers labelled questions, and how well its confidence is
calibrated: the knowledge-base part of ``escalation-bot eval``.

A question is *answered* when its confidence reaches the threshold (below it, the trigger
matrix escalates on confidence); an answered question is *right* when its top article is the
labelled one. Pure: an index, questions and a threshold in, a ``KnowledgeReport`` out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.knowledge.calibration import (
    LabelledQuestion,
    Reliability,
    RetrievalFeatures,
    reliability,
)
from app.knowledge.index import KnowledgeIndex, Retrieval

_NOTHING_FOUND = RetrievalFeatures(0.0, 0.0, 0.0, 0.0, 1.0)


@dataclass(frozen=True, slots=True)
class KnowledgeReport:
    threshold: float
    answerable: int  # questions an article answers
    ranked_first: int  # ... whose article the index ranks first
    answered_right: int  # ... answered (confidence at the threshold or above) with that article
    uncovered: int  # questions no article answers
    uncovered_answered: int  # ... answered anyway (a wrong answer instead of a person)
    wrong_article_answered: int  # answerable questions answered with another article
    reliability: Reliability

    @property
    def containment(self) -> float:
        """Share of answerable questions answered, with the right article, without a person."""
        return self.answered_right / self.answerable if self.answerable else 0.0

    @property
    def top_article_accuracy(self) -> float:
        return self.ranked_first / self.answerable if self.answerable else 0.0

    @property
    def right_first_when_answered(self) -> float:
        """Of the answerable questions answered, the share answered with the right article."""
        answered = self.answered_right + self.wrong_article_answered
        return self.answered_right / answered if answered else 0.0

    @property
    def uncovered_escalated(self) -> float:
        if not self.uncovered:
            return 1.0
        return 1.0 - self.uncovered_answered / self.uncovered


def top_article(retrieval: Retrieval) -> str | None:
    return retrieval.hits[0].article.slug if retrieval.hits else None


def features_and_top(index: KnowledgeIndex, text: str) -> tuple[RetrievalFeatures, str | None]:
    """What calibration needs of one retrieval (see ``calibration.observe``)."""
    retrieval = index.retrieve(text)
    return retrieval.features or _NOTHING_FOUND, top_article(retrieval)


def evaluate_knowledge(
    index: KnowledgeIndex, questions: Iterable[LabelledQuestion], *, threshold: float
) -> KnowledgeReport:
    counts = dict.fromkeys(
        ("answerable", "first", "right", "uncovered", "uncovered_answered", "wrong"), 0
    )
    pairs: list[tuple[float, bool]] = []
    for question in questions:
        retrieval = index.retrieve(question.text)
        top = top_article(retrieval)
        answered = retrieval.confidence >= threshold
        correct = question.article is not None and top == question.article
        pairs.append((retrieval.confidence, correct))
        if question.article is None:
            counts["uncovered"] += 1
            counts["uncovered_answered"] += answered
            continue
        counts["answerable"] += 1
        counts["first"] += correct
        counts["right"] += answered and correct
        counts["wrong"] += answered and not correct
    return KnowledgeReport(
        threshold=threshold,
        answerable=counts["answerable"],
        ranked_first=counts["first"],
        answered_right=counts["right"],
        uncovered=counts["uncovered"],
        uncovered_answered=counts["uncovered_answered"],
        wrong_article_answered=counts["wrong"],
        reliability=reliability(pairs),
    )


def render_knowledge_report(name: str, report: KnowledgeReport) -> str:
    lines = [
        f"knowledge base: {name} (answer at confidence >= {report.threshold:.2f})",
        f"  answered, right article      {report.containment:.1%} "
        f"({report.answered_right}/{report.answerable} answerable questions)",
        f"  right article ranked first   {report.top_article_accuracy:.1%} "
        f"({report.ranked_first}/{report.answerable})",
        f"  right article when answered  {report.right_first_when_answered:.1%} "
        f"({report.answered_right}/{report.answered_right + report.wrong_article_answered})",
        f"  not covered, escalated       {report.uncovered_escalated:.1%} "
        f"({report.uncovered - report.uncovered_answered}/{report.uncovered})",
        f"  expected calibration error   {report.reliability.expected_calibration_error:.3f} "
        f"(Brier {report.reliability.brier_score:.3f})",
        "  reliability: confidence bin   questions  mean confidence  top article right",
    ]
    lines += [
        f"    {b.low:.1f}-{b.high:.1f}                   {b.count:>5}"
        + (f"  {b.mean_confidence:>15.2f}  {b.accuracy:>17.1%}" if b.count else "")
        for b in report.reliability.bins
    ]
    return "\n".join(lines)
