"""The installation and OAuth-state tables of slack_sdk's SQLAlchemy stores, registered on the
app's metadata so that the schema check sees them (the migration creates them)."""

from __future__ import annotations

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlmodel import SQLModel

INSTALLATIONS_TABLE = SQLAlchemyInstallationStore.default_installations_table_name
BOTS_TABLE = SQLAlchemyInstallationStore.default_bots_table_name
STATES_TABLE = SQLAlchemyOAuthStateStore.default_table_name

installations = SQLAlchemyInstallationStore.build_installations_table(
    SQLModel.metadata, INSTALLATIONS_TABLE
)
bots = SQLAlchemyInstallationStore.build_bots_table(SQLModel.metadata, BOTS_TABLE)
oauth_states = SQLAlchemyOAuthStateStore.build_oauth_states_table(SQLModel.metadata, STATES_TABLE)
