"""Which trackers bug reports go to: the config file chooses (``bug_reports.trackers``), the
environment holds the credentials; a tracker chosen without credentials is off and reported."""

from __future__ import annotations

from dataclasses import dataclass

from app.config import Settings
from app.config_file import EscalationConfig
from app.integrations.settings import jira_settings, linear_settings


@dataclass(frozen=True)
class Trackers:
    """The trackers that will get bug reports, with what each needs from the config."""

    names: tuple[str, ...]  # "linear", "jira", in the config's order
    problems: tuple[str, ...] = ()  # misconfigurations, one readable line each

    @property
    def enabled(self) -> bool:
        return bool(self.names)


def bug_trackers(settings: Settings, config: EscalationConfig) -> Trackers:
    """The chosen trackers that are configured, and what is wrong with the others."""
    linear, jira = linear_settings(settings), jira_settings(settings)
    chosen = list(dict.fromkeys(config.bug_reports.trackers))
    names: list[str] = []
    problems: list[str] = []
    for tracker in chosen:
        if tracker == "linear":
            missing = [
                name
                for name, value in (
                    ("LINEAR_API_KEY", linear.linear_api_key),
                    ("LINEAR_TEAM_ID", linear.linear_team_id or config.bug_reports.linear.team_id),
                )
                if not value
            ]
        else:
            missing = [
                name
                for name in jira.missing()
                if not (name == "JIRA_PROJECT_KEY" and config.bug_reports.jira.project_key)
            ]
        if missing:
            problems.append(
                f"bug_reports.trackers lists {tracker}, but {', '.join(missing)} "
                f"{'is' if len(missing) == 1 else 'are'} not set: {tracker} is off"
            )
        else:
            names.append(tracker)
    partial = [m for m in jira.missing() if m != "JIRA_PROJECT_KEY"]
    if "jira" not in chosen and 0 < len(partial) < 3:
        problems.append(f"Jira is partly configured ({', '.join(partial)} not set): it is off")
    return Trackers(names=tuple(names), problems=tuple(problems))
