"""conversation counts per day, tier and intent, kept by triggers; covering KPI indexes

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26

``conversation_day_counts`` holds, per UTC day a conversation was opened, its installation
(``team_id``), the account's current tier and the intent ('' for none): how many conversations,
how many of them escalated (``escalated_at`` set) and how many contained (status ``contained``).
Triggers keep it in the transaction that inserts, updates or deletes a conversation, or changes
an account's tier, so it is exact at every commit; the KPI report reads whole days from it and
the partial days at a window's edges from ``conversations``.

``escalations.intent`` is the escalated conversation's intent, copied by triggers (on insert,
when the escalation's conversation changes, when the conversation's intent changes), so the
repeat-escalation KPI reads escalations alone. Covering indexes serve the KPI percentiles and
the repeat history; on SQLite, expression indexes on the resolution and claim durations let a
percentile be an ordered index scan with an offset (PostgreSQL has ``percentile_cont``).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "conversation_day_counts"
COVERING = {
    "ix_escalations_resolved_cover": ["resolved_at", "created_at", "tier", "skill"],
    "ix_escalations_claimed_cover": ["claimed_at", "created_at", "tier", "skill"],
}
# In LAG's partition order: the repeat history is read in order, without a sort.
REPEAT_HISTORY = (
    "ix_escalations_repeat_history",
    ["account_id", "intent", "created_at", "id", "tier", "skill"],
)
# SQLite only: the durations the KPI queries order by (app.metrics.percentiles), index-only.
DURATION_INDEXES = {
    "ix_escalations_resolution_seconds": "resolved_at",
    "ix_escalations_claim_seconds": "claimed_at",
}
SQLITE_DURATION = "round((julianday({later}) - julianday(created_at)) * 86400.0, 3)"
REPLACED = {
    "ix_escalations_resolved_at": ["resolved_at"],
    "ix_escalations_claimed_at": ["claimed_at"],
}

UPSERT = f"""INSERT INTO {TABLE} (day, team_id, tier, intent, conversations, escalated, contained)
{{select}}
ON CONFLICT (day, team_id, tier, intent) DO UPDATE SET
conversations = {TABLE}.conversations + excluded.conversations,
escalated = {TABLE}.escalated + excluded.escalated,
contained = {TABLE}.contained + excluded.contained"""

# One conversation row (NEW or OLD) counted with ``sign``, under its account's current tier.
ROW_SELECT = """SELECT {day}, {row}.team_id, a.tier, coalesce({row}.intent, ''), {sign},
CASE WHEN {row}.escalated_at IS NOT NULL THEN {sign} ELSE 0 END,
CASE WHEN {row}.status = 'contained' THEN {sign} ELSE 0 END
FROM accounts AS a WHERE a.id = {row}.account_id"""

# Every conversation of an account (its tier changed) counted with ``sign`` under ``tier``.
ACCOUNT_SELECT = """SELECT {day}, c.team_id, {tier}, coalesce(c.intent, ''), {sign} * count(*),
{sign} * sum(CASE WHEN c.escalated_at IS NOT NULL THEN 1 ELSE 0 END),
{sign} * sum(CASE WHEN c.status = 'contained' THEN 1 ELSE 0 END)
FROM conversations AS c WHERE c.account_id = {account}.id
GROUP BY {day}, c.team_id, coalesce(c.intent, '')"""

BACKFILL_SELECT = """SELECT {day}, c.team_id, a.tier, coalesce(c.intent, ''), count(*),
sum(CASE WHEN c.escalated_at IS NOT NULL THEN 1 ELSE 0 END),
sum(CASE WHEN c.status = 'contained' THEN 1 ELSE 0 END)
FROM conversations AS c JOIN accounts AS a ON a.id = c.account_id
WHERE c.id IS NOT NULL
GROUP BY {day}, c.team_id, a.tier, coalesce(c.intent, '')"""

CHANGED = """OLD.created_at IS NOT NEW.created_at OR OLD.account_id IS NOT NEW.account_id
OR OLD.team_id IS NOT NEW.team_id
OR OLD.intent IS NOT NEW.intent
OR (OLD.escalated_at IS NULL) <> (NEW.escalated_at IS NULL)
OR (OLD.status = 'contained') <> (NEW.status = 'contained')"""


def _day(dialect: str, column: str) -> str:
    """The UTC day of a timestamp column: SQLite stores UTC text, PostgreSQL timestamptz."""
    if dialect == "sqlite":
        return f"substr({column}, 1, 10)"
    return f"(({column}) AT TIME ZONE 'UTC')::date"


def _row(dialect: str, row: str, sign: int) -> str:
    select = ROW_SELECT.format(day=_day(dialect, f"{row}.created_at"), row=row, sign=sign)
    return UPSERT.format(select=select)


def _account(dialect: str, account: str, sign: int) -> str:
    select = ACCOUNT_SELECT.format(
        day=_day(dialect, "c.created_at"), tier=f"{account}.tier", account=account, sign=sign
    )
    return UPSERT.format(select=select)


def _sqlite_triggers() -> list[str]:
    return [
        f"CREATE TRIGGER {TABLE}_insert AFTER INSERT ON conversations BEGIN "
        f"{_row('sqlite', 'NEW', 1)}; END",
        f"CREATE TRIGGER {TABLE}_delete AFTER DELETE ON conversations BEGIN "
        f"{_row('sqlite', 'OLD', -1)}; END",
        f"CREATE TRIGGER {TABLE}_update AFTER UPDATE OF created_at, account_id, team_id, intent, "
        f"escalated_at, status ON conversations WHEN {CHANGED} BEGIN "
        f"{_row('sqlite', 'OLD', -1)}; {_row('sqlite', 'NEW', 1)}; END",
        f"CREATE TRIGGER {TABLE}_tier AFTER UPDATE OF tier ON accounts "
        f"WHEN OLD.tier IS NOT NEW.tier BEGIN "
        f"{_account('sqlite', 'OLD', -1)}; {_account('sqlite', 'NEW', 1)}; END",
    ]


def _postgresql_triggers() -> list[str]:
    changed = CHANGED.replace(" IS NOT ", " IS DISTINCT FROM ")
    return [
        f"""CREATE FUNCTION {TABLE}_conversation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {_row("postgresql", "OLD", -1)};
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {_row("postgresql", "NEW", 1)};
    END IF;
    RETURN NULL;
END $$""",
        f"""CREATE FUNCTION {TABLE}_tier() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {_account("postgresql", "OLD", -1)};
    {_account("postgresql", "NEW", 1)};
    RETURN NULL;
END $$""",
        f"CREATE TRIGGER {TABLE}_insert_delete AFTER INSERT OR DELETE ON conversations "
        f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_conversation()",
        f"CREATE TRIGGER {TABLE}_update AFTER UPDATE OF created_at, account_id, team_id, intent, "
        f"escalated_at, status ON conversations FOR EACH ROW WHEN ({changed}) "
        f"EXECUTE FUNCTION {TABLE}_conversation()",
        f"CREATE TRIGGER {TABLE}_tier AFTER UPDATE OF tier ON accounts FOR EACH ROW "
        f"WHEN (OLD.tier IS DISTINCT FROM NEW.tier) EXECUTE FUNCTION {TABLE}_tier()",
    ]


def _sqlite_intent_triggers() -> list[str]:
    of_conversation = "(SELECT c.intent FROM conversations AS c WHERE c.id = NEW.conversation_id)"
    return [
        f"CREATE TRIGGER escalations_intent_insert AFTER INSERT ON escalations BEGIN "  # noqa: S608
        f"UPDATE escalations SET intent = {of_conversation} WHERE id = NEW.id; END",
        f"CREATE TRIGGER escalations_intent_update AFTER UPDATE OF intent, conversation_id "  # noqa: S608
        f"ON escalations WHEN NEW.intent IS NOT {of_conversation} BEGIN "
        f"UPDATE escalations SET intent = {of_conversation} WHERE id = NEW.id; END",
        "CREATE TRIGGER conversations_intent_to_escalations AFTER UPDATE OF intent "
        "ON conversations WHEN OLD.intent IS NOT NEW.intent BEGIN "
        "UPDATE escalations SET intent = NEW.intent WHERE conversation_id = NEW.id; END",
    ]


def _postgresql_intent_triggers() -> list[str]:
    return [
        """CREATE FUNCTION escalations_intent() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.intent := (SELECT c.intent FROM conversations AS c WHERE c.id = NEW.conversation_id);
    RETURN NEW;
END $$""",
        """CREATE FUNCTION conversations_intent_to_escalations() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE escalations SET intent = NEW.intent WHERE conversation_id = NEW.id;
    RETURN NULL;
END $$""",
        "CREATE TRIGGER escalations_intent BEFORE INSERT OR UPDATE OF intent, conversation_id "
        "ON escalations FOR EACH ROW EXECUTE FUNCTION escalations_intent()",
        "CREATE TRIGGER conversations_intent_to_escalations AFTER UPDATE OF intent "
        "ON conversations FOR EACH ROW WHEN (OLD.intent IS DISTINCT FROM NEW.intent) "
        "EXECUTE FUNCTION conversations_intent_to_escalations()",
    ]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        TABLE,
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("team_id", sa.String(length=32), primary_key=True),
        sa.Column("tier", sa.String(length=16), primary_key=True),
        sa.Column("intent", sa.String(length=40), primary_key=True),
        sa.Column("conversations", sa.Integer(), nullable=False),
        sa.Column("escalated", sa.Integer(), nullable=False),
        sa.Column("contained", sa.Integer(), nullable=False),
    )
    # WHERE keeps SQLite from reading the upsert's ON as a join constraint.
    op.execute(UPSERT.format(select=BACKFILL_SELECT.format(day=_day(dialect, "c.created_at"))))
    triggers = _sqlite_triggers() if dialect == "sqlite" else _postgresql_triggers()
    for statement in triggers:
        op.execute(statement)
    with op.batch_alter_table("escalations") as batch:
        batch.add_column(sa.Column("intent", sa.String(length=40), nullable=True))
    op.execute(
        "UPDATE escalations SET intent = (SELECT c.intent FROM conversations AS c "
        "WHERE c.id = escalations.conversation_id)"
    )
    intent_triggers = (
        _sqlite_intent_triggers() if dialect == "sqlite" else _postgresql_intent_triggers()
    )
    for statement in intent_triggers:
        op.execute(statement)
    for name, columns in (*COVERING.items(), REPEAT_HISTORY):
        op.create_index(name, "escalations", columns)
    for name in REPLACED:
        op.drop_index(name, table_name="escalations")
    if dialect == "sqlite":
        for name, later in DURATION_INDEXES.items():
            duration = SQLITE_DURATION.format(later=later)
            op.execute(
                f"CREATE INDEX {name} ON escalations ({duration}, {later}, tier, skill, intent) "
                f"WHERE {later} IS NOT NULL"
            )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name in DURATION_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    for name, columns in REPLACED.items():
        op.create_index(name, "escalations", columns)
    for name in (*COVERING, REPEAT_HISTORY[0]):
        op.drop_index(name, table_name="escalations")
    if dialect == "sqlite":
        for trigger in ("insert", "delete", "update", "tier"):
            op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_{trigger}")
        for trigger in (
            "escalations_intent_insert",
            "escalations_intent_update",
            "conversations_intent_to_escalations",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    else:
        op.execute("DROP TRIGGER IF EXISTS escalations_intent ON escalations")
        op.execute("DROP TRIGGER IF EXISTS conversations_intent_to_escalations ON conversations")
        op.execute("DROP FUNCTION IF EXISTS escalations_intent()")
        op.execute("DROP FUNCTION IF EXISTS conversations_intent_to_escalations()")
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_insert_delete ON conversations")
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_update ON conversations")
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_tier ON accounts")
        op.execute(f"DROP FUNCTION IF EXISTS {TABLE}_conversation()")
        op.execute(f"DROP FUNCTION IF EXISTS {TABLE}_tier()")
    op.drop_table(TABLE)
    with op.batch_alter_table("escalations") as batch:
        batch.drop_column("intent")
