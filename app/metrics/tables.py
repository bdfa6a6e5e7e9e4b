"""The tables the metrics read, as SQLAlchemy Core tables (the queries aggregate, never load)."""

from __future__ import annotations

from sqlmodel import SQLModel

from app.db import models

_TABLES = SQLModel.metadata.tables
ACCOUNTS = _TABLES[models.Account.__tablename__]
CONVERSATIONS = _TABLES[models.Conversation.__tablename__]
ESCALATIONS = _TABLES[models.Escalation.__tablename__]
CSAT_RATINGS = _TABLES[models.CsatRating.__tablename__]
DAY_COUNTS = _TABLES[models.ConversationDayCount.__tablename__]
