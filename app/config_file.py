"""The YAML config file (accounts, skills, agents, leads): its schema and a loader whose errors
name the key and the line."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from app.errors import StartupError
from app.intents import DEFAULT_TAXONOMY, IntentSpec, Taxonomy
from app.knowledge import SAMPLE_KB_PATH
from app.messages import validate_overrides
from app.team_scope import SINGLE_WORKSPACE_TEAM_ID

Tier = Literal["free", "pro", "enterprise"]
#: What the bot does in a customer's channel: answer from the knowledge base and hand off
#: (``answer``), only hand every request to a person with a card and never reply (``triage``),
#: or nothing at all (``off``).
ChannelMode = Literal["answer", "triage", "off"]
ChannelId = Annotated[str, Field(pattern=r"^[CG][A-Z0-9]{2,}$")]
UserId = Annotated[str, Field(pattern=r"^[UW][A-Z0-9]{2,}$")]
LanguageCode = Annotated[str, Field(pattern=r"^[a-z]{2}$")]
TeamId = Annotated[str, Field(pattern=r"^[TE][A-Z0-9]{2,}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AccountConfig(_Strict):
    """A customer; its Slack Connect channel belongs to it alone."""

    name: str = Field(min_length=1, max_length=200)
    channel: ChannelId
    tier: Tier
    language: LanguageCode = "en"
    crm_id: str | None = Field(default=None, max_length=100)
    arr: float | None = Field(default=None, ge=0)
    hubspot_company_id: str | None = Field(default=None, pattern=r"^[0-9]{1,20}$")
    salesforce_account_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9]{15,18}$")
    mode: ChannelMode = "answer"

    @field_validator("mode", mode="before")
    @classmethod
    def _unquoted_off(cls, value: object) -> object:
        """YAML reads an unquoted ``off`` as false."""
        return "off" if value is False else value


class AlertsConfig(_Strict):
    """Team channels for alerts, per event type (each optional: no channel, no alert)."""

    churn_signal: ChannelId | None = None
    enterprise_unclaimed: ChannelId | None = None
    bug_fingerprint: ChannelId | None = None


class SkillConfig(_Strict):
    """Where the escalations needing a skill are posted."""

    channel: ChannelId


class AgentConfig(_Strict):
    user: UserId
    skills: list[str] = Field(min_length=1)
    languages: list[LanguageCode] = Field(default_factory=lambda: ["en"])
    senior: bool = False


Threshold = Annotated[float, Field(ge=-1.0, le=1.0)]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]


class SentimentTriggerConfig(_Strict):
    """Escalate when the customer is upset: sentiment at or below the threshold, or frustration
    cues (asking again, "still broken", insults to the product) that lexicons miss."""

    threshold: Threshold = -0.5
    frustration_escalates: bool = True


class ConfidenceTriggerConfig(_Strict):
    """Escalate when the knowledge base does not answer the question well enough."""

    # The calibrated probability that the top article answers the question
    threshold: Probability = 0.5


class IntentTriggerConfig(_Strict):
    """Intents that always go to a human, whatever the other signals say."""

    always_escalate: list[str] = Field(
        default_factory=lambda: sorted(DEFAULT_TAXONOMY.always_escalate)
    )


class TierRuleConfig(_Strict):
    """Per-tier rule: always escalate, or stricter thresholds than the defaults."""

    always_escalate: bool = False
    sentiment_threshold: Threshold | None = None
    confidence_threshold: Probability | None = None


class RepeatTriggerConfig(_Strict):
    """Escalate when the customer asks again after a bot answer or says it did not help, when
    a conversation reaches its ``max_asks``-th request, or when the knowledge base would give a
    customer the article they were already given, unsolved, within ``same_answer_days``."""

    enabled: bool = True
    max_asks: int = Field(default=3, ge=2, le=20)
    same_answer_days: int = Field(default=7, ge=0, le=90)  # 0: never compare


def _default_tier_rules() -> dict[Tier, TierRuleConfig]:
    return {
        "enterprise": TierRuleConfig(sentiment_threshold=-0.2, confidence_threshold=0.7),
        "pro": TierRuleConfig(),
        "free": TierRuleConfig(),
    }


class PolicyConfig(_Strict):
    """The trigger matrix: which signals hand a conversation to a human."""

    sentiment: SentimentTriggerConfig = Field(default_factory=SentimentTriggerConfig)
    confidence: ConfidenceTriggerConfig = Field(default_factory=ConfidenceTriggerConfig)
    intent: IntentTriggerConfig = Field(default_factory=IntentTriggerConfig)
    account: dict[Tier, TierRuleConfig] = Field(default_factory=_default_tier_rules)
    repeat: RepeatTriggerConfig = Field(default_factory=RepeatTriggerConfig)
    # Chatter (thanks, greetings, emoji-only ...) gets no reply and no card; at most this
    # emoji reaction, e.g. "eyes" or "+1" (none by default)
    chatter_reaction: str | None = Field(default=None, pattern=r"^[a-z0-9_+\-']{1,100}$")
    # A customer's next top-level message within this many minutes of their last one joins
    # that conversation (open, answered or escalated) instead of opening another; 0: never
    follow_up_window_minutes: int = Field(default=2, ge=0, le=120)


def _default_claim_windows() -> dict[Tier, int]:
    return {"enterprise": 5, "pro": 15, "free": 60}


class SlaConfig(_Strict):
    """How long an escalation may wait for a claim before it overflows (minutes, per tier), and
    the follow-up window when the customer chose "Follow up later"."""

    claim_window_minutes: dict[Tier, Annotated[int, Field(ge=1, le=7 * 24 * 60)]] = Field(
        default_factory=_default_claim_windows
    )
    async_minutes: int = Field(default=120, ge=1, le=7 * 24 * 60)


class KpiTargetsConfig(_Strict):
    """Monthly targets shown beside the actual KPIs (rates and shares in [0, 1])."""

    escalation_rate_max: Probability | None = None
    containment_rate_min: Probability | None = None
    resolution_hours_median_max: float | None = Field(default=None, gt=0)
    csat_mean_min: float | None = Field(default=None, ge=1, le=5)
    repeat_rate_max: Probability | None = None


class ReportsConfig(_Strict):
    """Reports, digests and the KPI definitions that take a parameter."""

    repeat_window_days: int = Field(default=14, ge=1, le=365)
    gap_digest_cron: str = "0 9 * * mon"  # crontab (UTC): the weekly knowledge-gap digest
    leads_digest_cron: str = "0 8 * * mon"  # crontab (UTC): the weekly KPI digest to leads
    gap_flag_threshold: int = Field(default=5, ge=2, le=1000)  # gaps on a topic in 7 days
    csat_survey_hours: int = Field(default=72, ge=1, le=24 * 30)  # a survey expires after
    targets: KpiTargetsConfig = Field(default_factory=KpiTargetsConfig)

    @field_validator("gap_digest_cron", "leads_digest_cron")
    @classmethod
    def _crontab(cls, value: str) -> str:
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(value)
        except ValueError as exc:
            raise ValueError(f"not a crontab expression ({exc})") from None
        return value


def _all_tiers() -> list[Tier]:
    return ["enterprise", "pro", "free"]


class PlaybookConfig(_Strict):
    """What changes while a surge playbook runs."""

    # Pre-written reply for messages about the surge itself ({status_url} and {note} are filled)
    reply: str | None = None
    # Intents the playbook answers with its reply instead of escalating (e.g. outage reports)
    covers_intents: list[str] = Field(default_factory=list)
    # Tiers that still get a person for covered messages (outage default: enterprise)
    escalate_tiers: list[Tier] = Field(default_factory=list)
    # Temporary threshold changes while it runs
    sentiment_threshold: Threshold | None = None
    confidence_threshold: Probability | None = None
    banner: str | None = None  # a line added to transition messages
    priority: list[Tier] = Field(default_factory=_all_tiers)
    # The acknowledgement a lead may post once to every customer channel of ``notice_tiers``
    # while the playbook runs ({status_url} and {note} are filled)
    notice: str | None = Field(default=None, max_length=2000)
    notice_tiers: list[Tier] = Field(default_factory=_all_tiers)


def _default_playbooks() -> dict[str, PlaybookConfig]:
    return {
        "outage": PlaybookConfig(
            reply=(
                "We're aware of an issue affecting the service and our engineers are on it. "
                "Updates: {status_url}. We'll post here as soon as it's resolved. {note}"
            ),
            covers_intents=["outage", "bug_report"],
            escalate_tiers=["enterprise"],
            banner="We're handling an incident right now, so replies may take a little longer.",
            notice=(
                "Heads-up: we're aware of an issue affecting the service and our engineers are "
                "working on it. Updates: {status_url}. No need to report it separately; we'll "
                "post here as soon as it's resolved. {note}"
            ),
        ),
        "release": PlaybookConfig(
            covers_intents=[],
            confidence_threshold=0.3,
            banner="We've just shipped a release and are watching questions closely.",
        ),
        "billing_cycle": PlaybookConfig(
            covers_intents=[],
            banner="It's our busiest billing week; thanks for your patience.",
        ),
    }


class SurgeDetectionConfig(_Strict):
    multiple: float = Field(default=3.0, ge=1.5, le=100)  # against the same hour of past weeks
    min_messages: int = Field(default=12, ge=1)  # per 5-minute window
    min_channels: int = Field(default=3, ge=1)
    auto_start: bool = False  # start the outage playbook without asking a lead


class SurgeCalendarEvent(_Strict):
    """A known busy period (a release, a renewal cycle): the worker starts the playbook at
    ``start`` and stops it at ``end`` (or after ``duration_minutes``), each event once."""

    playbook: str = Field(min_length=1, max_length=40)
    start: AwareDatetime
    end: AwareDatetime | None = None
    duration_minutes: int | None = Field(default=None, ge=1, le=14 * 24 * 60)
    status_url: str | None = Field(default=None, max_length=500, pattern=r"^https?://")
    note: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _one_end(self) -> SurgeCalendarEvent:
        if (self.end is None) == (self.duration_minutes is None):
            raise ValueError("give either end or duration_minutes")
        if self.end is not None and self.end <= self.start:
            raise ValueError("end must be after start")
        return self

    @property
    def ends_at(self) -> datetime:
        if self.end is not None:
            return self.end
        assert self.duration_minutes is not None
        return self.start + timedelta(minutes=self.duration_minutes)

    @property
    def key(self) -> str:
        """Names this event in the database, so it starts once whatever the workers do."""
        return f"{self.playbook}@{self.start.astimezone(UTC).isoformat()}"


class SurgeConfig(_Strict):
    detection: SurgeDetectionConfig = Field(default_factory=SurgeDetectionConfig)
    playbooks: dict[str, PlaybookConfig] = Field(default_factory=_default_playbooks)
    calendar: list[SurgeCalendarEvent] = Field(default_factory=list)


class KnowledgeBaseConfig(_Strict):
    """A folder of Markdown articles (front matter: title, url); relative to the config file."""

    path: Path = SAMPLE_KB_PATH
    # The answer-confidence model written by `escalation-bot calibrate` (default: the one fitted
    # on the sample knowledge base)
    calibration: Path | None = None


Tracker = Literal["linear", "jira"]


class LinearTrackerConfig(_Strict):
    team_id: str | None = Field(default=None, min_length=1)  # default: LINEAR_TEAM_ID
    label_ids: list[str] = Field(default_factory=list)


class JiraTrackerConfig(_Strict):
    project_key: str | None = Field(default=None, pattern=r"^[A-Z][A-Z0-9_]{1,9}$")
    issue_type: str = Field(default="Bug", min_length=1, max_length=60)
    labels: list[Annotated[str, Field(pattern=r"^\S{1,255}$")]] = Field(default_factory=list)


class TrackerDestinationsConfig(_Strict):
    """Where one workspace's bug report issues go (a ``workspaces:`` entry's ``bug_reports``):
    each tracker given here replaces the top-level one for that workspace."""

    linear: LinearTrackerConfig | None = None
    jira: JiraTrackerConfig | None = None


class BugReportsConfig(TrackerDestinationsConfig):
    """Where bug reports go (credentials come from the environment) and when leads hear of a
    widespread one."""

    trackers: list[Tracker] = Field(default_factory=list)
    linear: LinearTrackerConfig = Field(default_factory=LinearTrackerConfig)
    jira: JiraTrackerConfig = Field(default_factory=JiraTrackerConfig)
    alert_accounts: int = Field(default=3, ge=2, le=1000)  # accounts with the same error …
    alert_window_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)  # … within this window


class WorkspaceConfig(_Strict):
    """One installation's own support team: its customers, channels (alerts included), agents
    and leads, and optionally its own bug tracker team or project. Every other key (policy, SLA,
    reports, surge, messages, knowledge base, which trackers) is shared."""

    accounts: list[AccountConfig] = Field(default_factory=list)
    skills: dict[str, SkillConfig]
    overflow_channel: ChannelId
    leads_channel: ChannelId
    agents: list[AgentConfig] = Field(default_factory=list)
    leads: list[UserId] = Field(default_factory=list)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    kb_channel: ChannelId | None = None  # where the knowledge-gap digest goes (default: leads)
    # Its own Linear team / Jira project for bug reports (default: the top-level ones)
    bug_reports: TrackerDestinationsConfig | None = None


class EscalationConfig(WorkspaceConfig):
    """The whole config file: the top-level team (a single bot token's workspace) and the
    shared keys."""

    intents: dict[str, str] = Field(default_factory=dict)  # intent id -> skill (adds or overrides)
    knowledge_base: KnowledgeBaseConfig = Field(default_factory=KnowledgeBaseConfig)
    policy: PolicyConfig = Field(default_factory=PolicyConfig)
    sla: SlaConfig = Field(default_factory=SlaConfig)
    surge: SurgeConfig = Field(default_factory=SurgeConfig)
    reports: ReportsConfig = Field(default_factory=lambda: ReportsConfig())
    # Link for the CRM id on handoff cards, e.g. https://acme.lightning.force.com/{crm_id}
    crm_url_template: str | None = Field(default=None, pattern=r"^https?://.*\{crm_id\}")
    # Customer-facing wording per language (en, es, de, fr, pt, ja built in): key -> template
    messages: dict[LanguageCode, dict[str, str]] = Field(default_factory=dict)
    bug_reports: BugReportsConfig = Field(default_factory=BugReportsConfig)
    # Several workspaces (OAuth installs): team id -> that workspace's own team (WORKSPACE_KEYS)
    workspaces: dict[TeamId, WorkspaceConfig] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> EscalationConfig:
        owners: dict[str, str] = {}
        _check_team(self, (), owners, self.intents)
        for team_id, workspace in self.workspaces.items():
            _check_team(workspace, ("workspaces", team_id), owners, self.intents)
        try:
            validate_overrides(self.messages)
        except ValueError as exc:
            key = str(exc).split(":", 1)[0].split(".")
            raise _LocatedError(tuple(key), str(exc).split(": ", 1)[-1]) from None
        known_intents = set(self.taxonomy.ids)
        for position, intent in enumerate(self.policy.intent.always_escalate):
            if intent not in known_intents:
                raise _LocatedError(
                    ("policy", "intent", "always_escalate", position),
                    f"unknown intent {intent!r} (intents are: {', '.join(sorted(known_intents))})",
                )
        for name, playbook in self.surge.playbooks.items():
            for position, intent in enumerate(playbook.covers_intents):
                if intent not in known_intents:
                    raise _LocatedError(
                        ("surge", "playbooks", name, "covers_intents", position),
                        f"unknown intent {intent!r}",
                    )
        for index, event in enumerate(self.surge.calendar):
            if event.playbook not in self.surge.playbooks:
                raise _LocatedError(
                    ("surge", "calendar", index, "playbook"),
                    f"unknown playbook {event.playbook!r} "
                    f"(playbooks are: {', '.join(sorted(self.surge.playbooks))})",
                )
        return self

    def for_team(self, team_id: str) -> EscalationConfig:
        """The config one installation works with: its ``workspaces`` entry in place of the
        top-level team keys. The single-workspace team uses the top level; an installation
        without an entry has no accounts, agents or leads (the bot stays out of its channels)."""
        if team_id == SINGLE_WORKSPACE_TEAM_ID:
            return self
        workspace = self.workspaces.get(team_id)
        if workspace is None:
            return self.model_copy(
                update={"accounts": [], "agents": [], "leads": [], "workspaces": {}}
            )
        own = workspace.bug_reports
        bug_reports = self.bug_reports.model_copy(
            update={
                "linear": (own and own.linear) or self.bug_reports.linear,
                "jira": (own and own.jira) or self.bug_reports.jira,
            }
        )
        return self.model_copy(
            update={**dict(workspace), "bug_reports": bug_reports, "workspaces": {}}
        )

    @property
    def taxonomy(self) -> Taxonomy:
        """The default intents with this file's additions and skill overrides."""
        specs = []
        for intent, skill in self.intents.items():
            try:
                base = DEFAULT_TAXONOMY.get(intent)
                specs.append(IntentSpec(intent, skill, base.always_escalate, base.description))
            except KeyError:
                specs.append(IntentSpec(intent, skill, False, intent.replace("_", " ")))
        return DEFAULT_TAXONOMY.extended(specs)

    def account_for_channel(self, channel: str) -> AccountConfig | None:
        return next((a for a in self.accounts if a.channel == channel), None)

    def is_agent(self, user_id: str) -> bool:
        return any(agent.user == user_id for agent in self.agents)

    def is_lead(self, user_id: str) -> bool:
        return user_id in self.leads

    def agent(self, user_id: str) -> AgentConfig | None:
        return next((agent for agent in self.agents if agent.user == user_id), None)

    def claim_window_minutes(self, tier: str) -> int:
        return self.sla.claim_window_minutes.get(tier, 60)  # type: ignore[call-overload, no-any-return]


def _check_team(
    team: EscalationConfig | WorkspaceConfig,
    prefix: tuple[str, ...],
    owners: dict[str, str],
    intents: dict[str, str],
) -> None:
    """A team's accounts own distinct channels (across every workspace), and its agents and
    the intents name skills it has."""
    skills = ", ".join(sorted(team.skills))
    for index, account in enumerate(team.accounts):
        if account.channel in owners:
            raise _LocatedError(
                (*prefix, "accounts", index, "channel"),
                f"channel {account.channel} already belongs to account {owners[account.channel]!r}",
            )
        owners[account.channel] = account.name
    for intent, skill in intents.items():
        if skill not in team.skills:
            where = f" in workspace {prefix[-1]}" if prefix else ""
            raise _LocatedError(
                ("intents", intent), f"unknown skill {skill!r}{where} (skills are: {skills})"
            )
    for index, agent in enumerate(team.agents):
        for position, skill in enumerate(agent.skills):
            if skill not in team.skills:
                raise _LocatedError(
                    (*prefix, "agents", index, "skills", position),
                    f"unknown skill {skill!r} (skills are: {skills})",
                )


class _LocatedError(ValueError):
    """A cross-field error that knows which key it is about."""

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message


def load_config(path: Path) -> EscalationConfig:
    """Read and validate the config file; a problem is a StartupError naming file, line, key.

    Relative paths inside it (the knowledge base and its calibration) are resolved against the
    file's folder."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise StartupError(f"ESCALATION_CONFIG: cannot read {path}: {exc.strerror}") from None
    config = parse_config(text, source=str(path))
    kb = config.knowledge_base
    resolved = KnowledgeBaseConfig(
        path=(path.parent / kb.path).resolve(),
        calibration=(path.parent / kb.calibration).resolve() if kb.calibration else None,
    )
    return config.model_copy(update={"knowledge_base": resolved})


def parse_config(text: str, *, source: str = "<config>") -> EscalationConfig:
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        problem = getattr(exc, "problem", None) or str(exc)
        raise StartupError(f"{where}: not valid YAML: {problem}") from None
    if not isinstance(data, dict):
        raise StartupError(
            f"{source}: the config must be a mapping of keys (accounts, skills, ...)"
        )
    try:
        return EscalationConfig.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        located = error.get("ctx", {}).get("error")
        if isinstance(located, _LocatedError):
            loc: Sequence[str | int] = located.loc
            message = located.message
        else:
            loc = error["loc"]
            message = error["msg"]
            if error["type"] == "missing":
                message = "is required"
        key = _dotted(loc)
        line = _line_of(root, loc)
        return _raise(f"{source}:{line}: {key}: {message}")


def _raise(message: str) -> EscalationConfig:
    raise StartupError(message)


def _dotted(loc: Sequence[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _line_of(node: yaml.Node | None, loc: Sequence[str | int]) -> int:
    """1-based line of the deepest YAML node on the error's path."""
    line = 1 if node is None else node.start_mark.line + 1
    for part in loc:
        child: Any = None
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == str(part):
                    child = value_node
                    line = key_node.start_mark.line + 1
                    break
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            child = node.value[part]
            line = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return line
