"""The intent taxonomy: which intents exist, which skill handles each, which always escalate.

The defaults are plain data (:data:`DEFAULT_INTENTS`) so that configuration can extend or
override them with :meth:`Taxonomy.extended`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

HOW_TO = "how_to"
BUG_REPORT = "bug_report"
OUTAGE = "outage"
DATA_LOSS = "data_loss"
BILLING_DISPUTE = "billing_dispute"
BILLING_QUESTION = "billing_question"
CANCELLATION = "cancellation"
LEGAL = "legal"
SECURITY = "security"
ACCOUNT_ACCESS = "account_access"
FEATURE_REQUEST = "feature_request"
INTEGRATION = "integration"
HUMAN_REQUEST = "human_request"
FEEDBACK = "feedback"

SKILL_BILLING = "billing"
SKILL_ACCOUNT_MANAGEMENT = "account_management"
SKILL_TRUST = "trust"
SKILL_TECHNICAL = "technical"
SKILL_GENERAL = "general"


@dataclass(frozen=True, slots=True)
class IntentSpec:
    """One intent of the taxonomy."""

    id: str
    skill: str
    always_escalate: bool
    description: str


DEFAULT_INTENTS: tuple[IntentSpec, ...] = (
    IntentSpec(HOW_TO, SKILL_TECHNICAL, False, "How do I do X with the product"),
    IntentSpec(BUG_REPORT, SKILL_TECHNICAL, False, "Something in the product misbehaves"),
    IntentSpec(OUTAGE, SKILL_TECHNICAL, False, "The service is down or unreachable"),
    IntentSpec(DATA_LOSS, SKILL_TECHNICAL, True, "Data, projects or records lost, wiped, gone"),
    IntentSpec(BILLING_DISPUTE, SKILL_BILLING, True, "Refund, chargeback or contested charge"),
    IntentSpec(BILLING_QUESTION, SKILL_BILLING, False, "Invoices, prices, payment methods"),
    IntentSpec(CANCELLATION, SKILL_ACCOUNT_MANAGEMENT, True, "Cancel, not renew, close account"),
    IntentSpec(LEGAL, SKILL_TRUST, True, "Contracts, GDPR and privacy requests, legal threats"),
    IntentSpec(SECURITY, SKILL_TRUST, True, "Incidents, vulnerabilities, compliance reports"),
    IntentSpec(ACCOUNT_ACCESS, SKILL_TECHNICAL, False, "Login, password, SSO, sign-up, invites"),
    IntentSpec(FEATURE_REQUEST, SKILL_TECHNICAL, False, "Asks for a capability the product lacks"),
    IntentSpec(INTEGRATION, SKILL_TECHNICAL, False, "API, webhooks, third-party connectors"),
    IntentSpec(HUMAN_REQUEST, SKILL_GENERAL, True, "The customer asks for a person"),
    IntentSpec(FEEDBACK, SKILL_GENERAL, False, "Praise, thanks, opinions"),
)

#: Intent of a message with no words to classify (empty, only emoji or a reaction).
FALLBACK_INTENT = FEEDBACK


@dataclass(frozen=True, slots=True)
class Taxonomy:
    """An ordered, validated set of :class:`IntentSpec`."""

    intents: tuple[IntentSpec, ...] = DEFAULT_INTENTS

    def __post_init__(self) -> None:
        ids = [spec.id for spec in self.intents]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate intent ids in taxonomy: {sorted(ids)}")
        if not ids:
            raise ValueError("a taxonomy needs at least one intent")

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(spec.id for spec in self.intents)

    @property
    def skill_map(self) -> Mapping[str, str]:
        return MappingProxyType({spec.id: spec.skill for spec in self.intents})

    @property
    def always_escalate(self) -> frozenset[str]:
        return frozenset(spec.id for spec in self.intents if spec.always_escalate)

    def get(self, intent_id: str) -> IntentSpec:
        for spec in self.intents:
            if spec.id == intent_id:
                return spec
        raise KeyError(intent_id)

    def skill_for(self, intent_id: str) -> str:
        return self.get(intent_id).skill

    def is_always_escalate(self, intent_id: str) -> bool:
        return intent_id in self.always_escalate

    def extended(self, specs: Iterable[IntentSpec]) -> Taxonomy:
        """A new taxonomy where ``specs`` replace intents of the same id or are appended."""
        by_id = {spec.id: spec for spec in self.intents}
        added: list[IntentSpec] = []
        for spec in specs:
            if spec.id in by_id:
                by_id[spec.id] = spec
            else:
                added.append(spec)
        return Taxonomy((*(by_id[spec.id] for spec in self.intents), *added))


DEFAULT_TAXONOMY = Taxonomy()
INTENT_IDS: tuple[str, ...] = DEFAULT_TAXONOMY.ids
DEFAULT_SKILL_MAP: Mapping[str, str] = DEFAULT_TAXONOMY.skill_map
ALWAYS_ESCALATE_INTENTS: frozenset[str] = DEFAULT_TAXONOMY.always_escalate
