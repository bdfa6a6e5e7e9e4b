"""Who a sandbox visitor can write as: one customer per account, the agents and the leads of the
config file, each with a name and the channels they belong to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from app.config_file import EscalationConfig
from standins.local_slack import OUR_TEAM, LocalSlack

Role = Literal["customer", "agent", "lead"]

CUSTOMER_NAMES = ("Jordan", "María", "Sam", "Priya", "Kenji", "Lucas", "Amara", "Noah")
AGENT_NAMES = ("Alex Kim", "Bea Santos", "Chen Wu", "Dana Fox", "Emil Berg", "Farah Ali")
LEAD_NAMES = ("Lee Morgan", "Robin Ray", "Sasha Idris")


@dataclass(frozen=True)
class Person:
    """One identity of the sandbox."""

    user_id: str
    team_id: str
    name: str
    role: Role
    detail: str  # the account (customers) or the skills (agents)
    channels: tuple[str, ...]  # where this person may write; empty: everywhere internal

    @property
    def label(self) -> str:
        return f"{self.name} ({self.detail})"

    def may_write_in(self, channel: str) -> bool:
        """Customers write in their account's channel; our staff in every channel."""
        return channel in self.channels if self.role == "customer" else True

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.user_id,
            "name": self.name,
            "role": self.role,
            "label": self.label,
            "channels": list(self.channels),
        }


def _name(names: tuple[str, ...], index: int, fallback: str) -> str:
    return names[index] if index < len(names) else f"{fallback} {index + 1}"


def seed_people(local: LocalSlack) -> list[Person]:
    """Register the sandbox's people with the stand-in (real names for mentions)."""
    config: EscalationConfig = local.config
    people: list[Person] = []
    for index, account in enumerate(config.accounts):
        name = _name(CUSTOMER_NAMES, index, "Customer")
        customer = local.customer_of(account.channel, name=name)
        people.append(
            Person(
                customer.user_id,
                customer.team_id,
                name,
                "customer",
                f"{account.name}, {account.tier}",
                (account.channel,),
            )
        )
    for index, agent in enumerate(config.agents):
        name = _name(AGENT_NAMES, index, "Agent")
        local.standin.add_user(agent.user, team_id=OUR_TEAM, name=name.lower(), real_name=name)
        skills = tuple(config.skills[skill].channel for skill in agent.skills)
        people.append(
            Person(agent.user, OUR_TEAM, name, "agent", "agent: " + ", ".join(agent.skills), skills)
        )
    for index, lead in enumerate(config.leads):
        name = _name(LEAD_NAMES, index, "Lead")
        local.standin.add_user(lead, team_id=OUR_TEAM, name=name.lower(), real_name=name)
        people.append(Person(lead, OUR_TEAM, name, "lead", "support lead", (config.leads_channel,)))
    return people
