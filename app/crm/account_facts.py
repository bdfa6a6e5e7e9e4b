"""Account facts for handoff cards (tier, ARR, owner) read from HubSpot or Salesforce, cached in
the process, with the config file as the fallback.

Reads happen only when a card is built, which is after the ack; each request has a short timeout
and a failed read is remembered for a while too, so a CRM that is down costs one timeout per
account per ``FAILURE_TTL``, not one per card. Fields read:

- HubSpot ``GET /crm/v3/objects/companies/{id}?properties=tier,arr,hubspot_owner_id``, then the
  owner's name from ``GET /crm/v3/owners/{ownerId}``;
- Salesforce ``SELECT Id, Tier__c, ARR__c, Owner.Name FROM Account WHERE Id = '…'``.

``tier`` / ``Tier__c`` and ``arr`` / ``ARR__c`` are custom fields: an empty one falls back to the
config file's value.
"""

from __future__ import annotations

import logging
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.config import Settings
from app.config_file import AccountConfig
from app.delivery.outcomes import DeliveryError
from app.integrations.crm_settings import CrmSettings, hubspot_settings, salesforce_settings
from app.integrations.http_json import JsonApi
from app.integrations.hubspot import hubspot_error
from app.integrations.salesforce import API_VERSION, salesforce_error

logger = logging.getLogger(__name__)

TTL_SECONDS = 15 * 60.0
FAILURE_TTL_SECONDS = 60.0
TIMEOUT_SECONDS = 1.5
TIERS = ("free", "pro", "enterprise")
HUBSPOT_PROPERTIES = ("tier", "arr", "hubspot_owner_id")
SALESFORCE_QUERY = "SELECT Id, Tier__c, ARR__c, Owner.Name FROM Account WHERE Id = '{id}'"


@dataclass(frozen=True)
class AccountFacts:
    tier: str
    arr: float | None
    owner: str | None
    source: str  # hubspot | salesforce | config


def config_facts(account: AccountConfig) -> AccountFacts:
    return AccountFacts(tier=account.tier, arr=account.arr, owner=None, source="config")


def _number(value: object) -> float | None:
    try:
        return float(str(value)) if value not in (None, "") else None
    except ValueError:
        return None


def _tier(value: object, fallback: str) -> str:
    text = str(value or "").strip().lower()
    return text if text in TIERS else fallback


class AccountFactsReader:
    """Reads and caches account facts; ``facts`` never raises."""

    def __init__(
        self,
        *,
        hubspot: CrmSettings,
        salesforce: CrmSettings,
        timeout: float = TIMEOUT_SECONDS,
        ttl: float = TTL_SECONDS,
        failure_ttl: float = FAILURE_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._hubspot = hubspot
        self._salesforce = salesforce
        self._timeout = timeout
        self._ttl = ttl
        self._failure_ttl = failure_ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, AccountFacts | None]] = {}

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> AccountFactsReader:
        return cls(
            hubspot=hubspot_settings(settings), salesforce=salesforce_settings(settings), **kwargs
        )

    def facts(self, account: AccountConfig) -> AccountFacts:
        """The CRM's facts when one is configured for the account and answers, else the config's."""
        fallback = config_facts(account)
        source = self._source(account)
        if source is None:
            return fallback
        now = self._clock()
        with self._lock:
            cached = self._cache.get(source)
        if cached is not None and cached[0] > now:
            return cached[1] or fallback
        try:
            read: AccountFacts | None = self._read(account, fallback)
        except DeliveryError as exc:
            logger.warning("account facts for %s not read, using the config file: %s", source, exc)
            read = None
        with self._lock:
            self._cache[source] = (now + (self._ttl if read else self._failure_ttl), read)
        return read or fallback

    def _source(self, account: AccountConfig) -> str | None:
        if self._hubspot.enabled and account.hubspot_company_id:
            return f"hubspot:{account.hubspot_company_id}"
        if self._salesforce.enabled and account.salesforce_account_id:
            return f"salesforce:{account.salesforce_account_id}"
        return None

    def _read(self, account: AccountConfig, fallback: AccountFacts) -> AccountFacts:
        if self._hubspot.enabled and account.hubspot_company_id:
            return self._read_hubspot(account.hubspot_company_id, fallback)
        assert account.salesforce_account_id is not None
        return self._read_salesforce(account.salesforce_account_id, fallback)

    def _get(self, crm: CrmSettings, path: str, read_error: Callable[[Any], str]) -> Any:
        assert crm.base_url is not None and crm.token is not None
        return JsonApi(crm.name, crm.base_url, crm.token, self._timeout, read_error).call(
            "GET", path
        )

    def _read_hubspot(self, company_id: str, fallback: AccountFacts) -> AccountFacts:
        query = urllib.parse.urlencode({"properties": ",".join(HUBSPOT_PROPERTIES)})
        company = self._get(
            self._hubspot, f"/crm/v3/objects/companies/{company_id}?{query}", hubspot_error
        )
        properties = (company or {}).get("properties") or {}
        owner = None
        owner_id = properties.get("hubspot_owner_id")
        if owner_id:
            found = self._get(self._hubspot, f"/crm/v3/owners/{owner_id}", hubspot_error) or {}
            name = " ".join(str(found.get(k) or "") for k in ("firstName", "lastName")).strip()
            owner = name or found.get("email") or None
        return AccountFacts(
            tier=_tier(properties.get("tier"), fallback.tier),
            arr=_number(properties.get("arr")) or fallback.arr,
            owner=owner,
            source="hubspot",
        )

    def _read_salesforce(self, account_id: str, fallback: AccountFacts) -> AccountFacts:
        soql = urllib.parse.quote(SALESFORCE_QUERY.format(id=account_id))  # id: letters/digits
        found = self._get(
            self._salesforce, f"/services/data/{API_VERSION}/query?q={soql}", salesforce_error
        )
        records = (found or {}).get("records") or []
        if not records:
            raise DeliveryError(f"Salesforce has no Account {account_id}")
        record = records[0]
        return AccountFacts(
            tier=_tier(record.get("Tier__c"), fallback.tier),
            arr=_number(record.get("ARR__c")) or fallback.arr,
            owner=(record.get("Owner") or {}).get("Name") or None,
            source="salesforce",
        )


_installed: AccountFactsReader | None = None


def install_reader(reader: AccountFactsReader | None) -> None:
    """The process's reader (set at start-up from the settings)."""
    global _installed
    _installed = reader


def account_facts(account: AccountConfig) -> AccountFacts:
    """The account's facts through the process's reader, or the config's without one."""
    reader = _installed
    return reader.facts(account) if reader is not None else config_facts(account)
