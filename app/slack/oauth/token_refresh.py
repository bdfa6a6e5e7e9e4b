"""Bolt's installation-store authorization, with token refresh serialised through the database.

Slack's rotating tokens come with a refresh token that is spent by ``oauth.v2.access``. Several
web processes (and the worker) may see the same expiring token at the same moment; only the one
holding the installation's lease refreshes it, the others wait and then read the fresh token.
"""

from __future__ import annotations

import logging
import time

from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Installation, InstallationStore
from sqlalchemy.engine import Engine

from app.db.token_leases import held_lease

logger = logging.getLogger(__name__)


def installation_key(installation: Installation) -> str:
    return f"{installation.enterprise_id or '-'}:{installation.team_id or '-'}"


def _expiring(installation: Installation, minutes: int) -> bool:
    horizon = time.time() + minutes * 60
    return any(
        expires_at is not None and expires_at <= horizon
        for expires_at in (installation.bot_token_expires_at, installation.user_token_expires_at)
    )


class SerializedTokenAuthorize(InstallationStoreAuthorize):
    """``InstallationStoreAuthorize`` whose refreshes take a per-installation database lease."""

    def __init__(
        self,
        *,
        engine: Engine,
        installation_store: InstallationStore,
        client_id: str,
        client_secret: str,
        client: WebClient,
        token_rotation_expiration_minutes: int,
    ) -> None:
        super().__init__(
            logger=logging.getLogger("slack_bolt.Authorize"),
            installation_store=installation_store,
            client_id=client_id,
            client_secret=client_secret,
            client=client,  # the rotator's oauth.v2.access honours SLACK_API_URL
            token_rotation_expiration_minutes=token_rotation_expiration_minutes,
        )
        self._engine = engine

    def _rotate_and_save_tokens_if_necessary(
        self, installation: Installation | None
    ) -> Installation | None:
        if installation is None or not _expiring(
            installation, self.token_rotation_expiration_minutes
        ):
            return None
        with held_lease(self._engine, key=installation_key(installation)):
            latest = self.installation_store.find_installation(
                enterprise_id=installation.enterprise_id,
                team_id=installation.team_id,
                user_id=installation.user_id if installation.user_token else None,
                is_enterprise_install=installation.is_enterprise_install,
            )
            if latest is None:
                return None
            if not _expiring(latest, self.token_rotation_expiration_minutes):
                logger.info("token of %s refreshed elsewhere", installation_key(installation))
                return latest
            refreshed = super()._rotate_and_save_tokens_if_necessary(latest)
            logger.info("token of %s refreshed", installation_key(installation))
            return refreshed
