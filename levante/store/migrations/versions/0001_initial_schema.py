"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

#: JSON on SQLite, JSONB on PostgreSQL (as levante.store.types.JSONValue).
JSON = sa.JSON(none_as_null=True).with_variant(
    postgresql.JSONB(none_as_null=True, astext_type=sa.Text()), "postgresql"
)
#: 64-bit id that stays SQLite's auto-incrementing ROWID alias.
BIGINT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _parent_task_fk(*, inline: bool) -> list[sa.ForeignKeyConstraint]:
    """workflow_executions.task_execution_id -> task_executions.id (a cycle of tables).

    SQLite accepts the forward reference inside CREATE TABLE but cannot add a
    constraint later; PostgreSQL needs the referenced table first.
    """
    name = "fk_workflow_executions_task_execution_id_task_executions"
    sqlite = op.get_bind().dialect.name == "sqlite"
    if inline and sqlite:
        return [
            sa.ForeignKeyConstraint(
                ["task_execution_id"], ["task_executions.id"], name=name, ondelete="CASCADE"
            )
        ]
    if not inline and not sqlite:
        op.create_foreign_key(
            name,
            "workflow_executions",
            "task_executions",
            ["task_execution_id"],
            ["id"],
            ondelete="CASCADE",
        )
    return []


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "action_definitions",
        sa.Column("input", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("is_system", sa.Boolean(), nullable=False),
        sa.Column("workbook_name", sa.String(length=255), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("namespace", sa.String(length=255), nullable=False),
        sa.Column("definition", sa.Text(), nullable=True),
        sa.Column("spec", JSON, nullable=True),
        sa.Column("tags", JSON, nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("scope", sa.String(length=80), nullable=False),
        sa.Column("project_id", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_definitions")),
        sa.UniqueConstraint(
            "name",
            "namespace",
            "project_id",
            name=op.f("uq_action_definitions_name_namespace_project_id"),
        ),
    )
    with op.batch_alter_table("action_definitions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_action_definitions_project_id"), ["project_id"], unique=False
        )

    op.create_table(
        "code_sources",
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("namespace", sa.String(length=255), nullable=False),
        sa.Column("content", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("tags", JSON, nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("scope", sa.String(length=80), nullable=False),
        sa.Column("project_id", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_code_sources")),
        sa.UniqueConstraint(
            "name",
            "namespace",
            "project_id",
            name=op.f("uq_code_sources_name_namespace_project_id"),
        ),
    )
    with op.batch_alter_table("code_sources", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_code_sources_project_id"), ["project_id"], unique=False
        )

    op.create_table(
        "environments",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("variables", JSON, nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("scope", sa.String(length=80), nullable=False),
        sa.Column("project_id", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_environments")),
        sa.UniqueConstraint("name", "project_id", name=op.f("uq_environments_name_project_id")),
    )
    with op.batch_alter_table("environments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_environments_project_id"), ["project_id"], unique=False
        )

    op.create_table(
        "nodes",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("roles", JSON, nullable=True),
        sa.Column("executor_name", sa.String(length=255), nullable=True),
        sa.Column("lease_seconds", sa.Double(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nodes")),
    )
    op.create_table(
        "resource_members",
        sa.Column("resource_id", sa.String(length=80), nullable=False),
        sa.Column("resource_type", sa.String(length=50), nullable=False),
        sa.Column("project_id", sa.String(length=80), nullable=False),
        sa.Column("member_id", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resource_members")),
        sa.UniqueConstraint(
            "resource_id",
            "resource_type",
            "member_id",
            name=op.f("uq_resource_members_resource_id_resource_type_member_id"),
        ),
    )
    op.create_table(
        "workbooks",
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("namespace", sa.String(length=255), nullable=False),
        sa.Column("definition", sa.Text(), nullable=True),
        sa.Column("spec", JSON, nullable=True),
        sa.Column("tags", JSON, nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("scope", sa.String(length=80), nullable=False),
        sa.Column("project_id", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workbooks")),
        sa.UniqueConstraint(
            "name", "namespace", "project_id", name=op.f("uq_workbooks_name_namespace_project_id")
        ),
    )
    with op.batch_alter_table("workbooks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_workbooks_project_id"), ["project_id"], unique=False)

    op.create_table(
        "workflow_definitions",
        sa.Column("input", sa.Text(), nullable=True),
        sa.Column("is_system", sa.Boolean(), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=True),
        sa.Column("workbook_name", sa.String(length=255), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("namespace", sa.String(length=255), nullable=False),
        sa.Column("definition", sa.Text(), nullable=True),
        sa.Column("spec", JSON, nullable=True),
        sa.Column("tags", JSON, nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("scope", sa.String(length=80), nullable=False),
        sa.Column("project_id", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_definitions")),
        sa.UniqueConstraint(
            "name",
            "namespace",
            "project_id",
            name=op.f("uq_workflow_definitions_name_namespace_project_id"),
        ),
    )
    with op.batch_alter_table("workflow_definitions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workflow_definitions_project_id"), ["project_id"], unique=False
        )

    op.create_table(
        "workflow_executions",
        sa.Column("workflow_id", sa.String(length=80), nullable=True),
        sa.Column("spec", JSON, nullable=True),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("input", JSON, nullable=True),
        sa.Column("output", JSON, nullable=True),
        sa.Column("params", JSON, nullable=True),
        sa.Column("context", JSON, nullable=True),
        sa.Column("published_global", JSON, nullable=True),
        sa.Column("task_execution_id", sa.String(length=36), nullable=True),
        sa.Column("root_execution_id", sa.String(length=36), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("active_tasks", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=True),
        sa.Column("workflow_name", sa.String(length=255), nullable=True),
        sa.Column("workflow_namespace", sa.String(length=255), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("state_info", sa.Text(), nullable=True),
        sa.Column("tags", JSON, nullable=True),
        sa.Column("runtime_context", JSON, nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("scope", sa.String(length=80), nullable=False),
        sa.Column("project_id", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["root_execution_id"],
            ["workflow_executions.id"],
            name=op.f("fk_workflow_executions_root_execution_id_workflow_executions"),
            ondelete="SET NULL",
        ),
        *_parent_task_fk(inline=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_executions")),
    )
    with op.batch_alter_table("workflow_executions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workflow_executions_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_workflow_executions_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_workflow_executions_root_execution_id"),
            ["root_execution_id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_workflow_executions_state"), ["state"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_workflow_executions_task_execution_id"),
            ["task_execution_id"],
            unique=False,
        )

    op.create_table(
        "cron_triggers",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("pattern", sa.String(length=100), nullable=True),
        sa.Column("first_execution_time", sa.DateTime(), nullable=True),
        sa.Column("next_execution_time", sa.DateTime(), nullable=False),
        sa.Column("workflow_name", sa.String(length=255), nullable=False),
        sa.Column("workflow_id", sa.String(length=36), nullable=True),
        sa.Column("workflow_input", JSON, nullable=True),
        sa.Column("workflow_input_hash", sa.CHAR(length=64), nullable=True),
        sa.Column("workflow_params", JSON, nullable=True),
        sa.Column("workflow_params_hash", sa.CHAR(length=64), nullable=True),
        sa.Column("remaining_executions", sa.Integer(), nullable=True),
        sa.Column("trust_id", sa.String(length=80), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("scope", sa.String(length=80), nullable=False),
        sa.Column("project_id", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["workflow_id"],
            ["workflow_definitions.id"],
            name=op.f("fk_cron_triggers_workflow_id_workflow_definitions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cron_triggers")),
        sa.UniqueConstraint("name", "project_id", name=op.f("uq_cron_triggers_name_project_id")),
        sa.UniqueConstraint(
            "workflow_input_hash",
            "workflow_name",
            "pattern",
            "project_id",
            "workflow_params_hash",
            "remaining_executions",
            "first_execution_time",
            name="uq_cron_triggers_schedule",
        ),
    )
    with op.batch_alter_table("cron_triggers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cron_triggers_next_execution_time"),
            ["next_execution_time"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_cron_triggers_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_cron_triggers_workflow_name"), ["workflow_name"], unique=False
        )

    op.create_table(
        "dynamic_action_definitions",
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("namespace", sa.String(length=255), nullable=False),
        sa.Column("class_name", sa.String(length=255), nullable=False),
        sa.Column("code_source_id", sa.String(length=36), nullable=False),
        sa.Column("code_source_name", sa.String(length=255), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("scope", sa.String(length=80), nullable=False),
        sa.Column("project_id", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["code_source_id"],
            ["code_sources.id"],
            name=op.f("fk_dynamic_action_definitions_code_source_id_code_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dynamic_action_definitions")),
        sa.UniqueConstraint(
            "name",
            "namespace",
            "project_id",
            name=op.f("uq_dynamic_action_definitions_name_namespace_project_id"),
        ),
    )
    with op.batch_alter_table("dynamic_action_definitions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dynamic_action_definitions_code_source_id"),
            ["code_source_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_dynamic_action_definitions_project_id"), ["project_id"], unique=False
        )

    op.create_table(
        "event_triggers",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("workflow_id", sa.String(length=36), nullable=False),
        sa.Column("workflow_input", JSON, nullable=True),
        sa.Column("workflow_params", JSON, nullable=True),
        sa.Column("exchange", sa.String(length=80), nullable=False),
        sa.Column("topic", sa.String(length=80), nullable=False),
        sa.Column("event", sa.String(length=80), nullable=False),
        sa.Column("trust_id", sa.String(length=80), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("scope", sa.String(length=80), nullable=False),
        sa.Column("project_id", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["workflow_id"],
            ["workflow_definitions.id"],
            name=op.f("fk_event_triggers_workflow_id_workflow_definitions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_triggers")),
        sa.UniqueConstraint(
            "exchange",
            "topic",
            "event",
            "workflow_id",
            "project_id",
            name=op.f("uq_event_triggers_exchange_topic_event_workflow_id_project_id"),
        ),
    )
    with op.batch_alter_table("event_triggers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_triggers_project_id_workflow_id"),
            ["project_id", "workflow_id"],
            unique=False,
        )

    op.create_table(
        "task_executions",
        sa.Column("workflow_execution_id", sa.String(length=36), nullable=False),
        sa.Column("workflow_id", sa.String(length=80), nullable=True),
        sa.Column("type", sa.String(length=10), nullable=False),
        sa.Column("in_context", JSON, nullable=True),
        sa.Column("published", JSON, nullable=True),
        sa.Column("unique_key", sa.String(length=255), nullable=True),
        sa.Column("processed", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("has_next_tasks", sa.Boolean(), nullable=False),
        sa.Column("next_tasks", JSON, nullable=True),
        sa.Column("error_handled", sa.Boolean(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("items_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("items_started", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("items_succeeded", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("items_failed", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("items_cancelled", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("attempt", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("join_arrivals", JSON, nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=True),
        sa.Column("workflow_name", sa.String(length=255), nullable=True),
        sa.Column("workflow_namespace", sa.String(length=255), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("state_info", sa.Text(), nullable=True),
        sa.Column("tags", JSON, nullable=True),
        sa.Column("runtime_context", JSON, nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("scope", sa.String(length=80), nullable=False),
        sa.Column("project_id", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["workflow_execution_id"],
            ["workflow_executions.id"],
            name=op.f("fk_task_executions_workflow_execution_id_workflow_executions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_executions")),
        sa.UniqueConstraint(
            "workflow_execution_id",
            "unique_key",
            name=op.f("uq_task_executions_workflow_execution_id_unique_key"),
        ),
    )
    with op.batch_alter_table("task_executions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_task_executions_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_task_executions_workflow_execution_id_name"),
            ["workflow_execution_id", "name"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_task_executions_workflow_execution_id_state"),
            ["workflow_execution_id", "state"],
            unique=False,
        )

    op.create_table(
        "action_executions",
        sa.Column("task_execution_id", sa.String(length=36), nullable=True),
        sa.Column("workflow_execution_id", sa.String(length=36), nullable=True),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("input", JSON, nullable=True),
        sa.Column("output", JSON, nullable=True),
        sa.Column("is_sync", sa.Boolean(), nullable=True),
        sa.Column("last_heartbeat", sa.DateTime(), nullable=True),
        sa.Column("item_index", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("attempt", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("safe_rerun", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("target", sa.String(length=255), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=True),
        sa.Column("workflow_name", sa.String(length=255), nullable=True),
        sa.Column("workflow_namespace", sa.String(length=255), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("state_info", sa.Text(), nullable=True),
        sa.Column("tags", JSON, nullable=True),
        sa.Column("runtime_context", JSON, nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("scope", sa.String(length=80), nullable=False),
        sa.Column("project_id", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["task_execution_id"],
            ["task_executions.id"],
            name=op.f("fk_action_executions_task_execution_id_task_executions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workflow_execution_id"],
            ["workflow_executions.id"],
            name=op.f("fk_action_executions_workflow_execution_id_workflow_executions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_executions")),
    )
    _parent_task_fk(inline=False)

    with op.batch_alter_table("action_executions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_action_executions_idle",
            ["task_execution_id", "attempt", "state", "item_index"],
            unique=False,
            sqlite_where=sa.text("state = 'IDLE'"),
            postgresql_where=sa.text("state = 'IDLE'"),
        )
        batch_op.create_index(
            batch_op.f("ix_action_executions_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_action_executions_task_execution_id_attempt_item_index"),
            ["task_execution_id", "attempt", "item_index"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_action_executions_workflow_execution_id"),
            ["workflow_execution_id"],
            unique=False,
        )

    op.create_table(
        "timers",
        sa.Column("id", BIGINT_ID, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("workflow_execution_id", sa.String(length=36), nullable=True),
        sa.Column("task_execution_id", sa.String(length=36), nullable=True),
        sa.Column("action_execution_id", sa.String(length=36), nullable=True),
        sa.Column("payload", JSON, nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("unique_key", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_execution_id"],
            ["action_executions.id"],
            name=op.f("fk_timers_action_execution_id_action_executions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["task_execution_id"],
            ["task_executions.id"],
            name=op.f("fk_timers_task_execution_id_task_executions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workflow_execution_id"],
            ["workflow_executions.id"],
            name=op.f("fk_timers_workflow_execution_id_workflow_executions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timers")),
        sa.UniqueConstraint("unique_key", name=op.f("uq_timers_unique_key")),
    )
    with op.batch_alter_table("timers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_timers_action_execution_id"), ["action_execution_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_timers_due_at"), ["due_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_timers_task_execution_id"), ["task_execution_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_timers_workflow_execution_id"), ["workflow_execution_id"], unique=False
        )

    op.create_table(
        "work_queue",
        sa.Column("id", BIGINT_ID, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("action_execution_id", sa.String(length=36), nullable=True),
        sa.Column("target", sa.String(length=255), nullable=True),
        sa.Column("available_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_execution_id"],
            ["action_executions.id"],
            name=op.f("fk_work_queue_action_execution_id_action_executions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_queue")),
        sa.UniqueConstraint("action_execution_id", name=op.f("uq_work_queue_action_execution_id")),
    )
    with op.batch_alter_table("work_queue", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_work_queue_claimed_by"), ["claimed_by"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_work_queue_lease_until"), ["lease_until"], unique=False
        )
        batch_op.create_index(
            "ix_work_queue_ready",
            ["available_at"],
            unique=False,
            sqlite_where=sa.text("claimed_by IS NULL"),
            postgresql_where=sa.text("claimed_by IS NULL"),
        )


def downgrade() -> None:
    """Revert this revision."""
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(
            "fk_workflow_executions_task_execution_id_task_executions",
            "workflow_executions",
            type_="foreignkey",
        )
    with op.batch_alter_table("work_queue", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_work_queue_ready",
            sqlite_where=sa.text("claimed_by IS NULL"),
            postgresql_where=sa.text("claimed_by IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_work_queue_lease_until"))
        batch_op.drop_index(batch_op.f("ix_work_queue_claimed_by"))

    op.drop_table("work_queue")
    with op.batch_alter_table("timers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_timers_workflow_execution_id"))
        batch_op.drop_index(batch_op.f("ix_timers_task_execution_id"))
        batch_op.drop_index(batch_op.f("ix_timers_due_at"))
        batch_op.drop_index(batch_op.f("ix_timers_action_execution_id"))

    op.drop_table("timers")
    with op.batch_alter_table("action_executions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_executions_workflow_execution_id"))
        batch_op.drop_index(batch_op.f("ix_action_executions_task_execution_id_attempt_item_index"))
        batch_op.drop_index(batch_op.f("ix_action_executions_project_id"))
        batch_op.drop_index(
            "ix_action_executions_idle",
            sqlite_where=sa.text("state = 'IDLE'"),
            postgresql_where=sa.text("state = 'IDLE'"),
        )

    op.drop_table("action_executions")
    with op.batch_alter_table("task_executions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_executions_workflow_execution_id_state"))
        batch_op.drop_index(batch_op.f("ix_task_executions_workflow_execution_id_name"))
        batch_op.drop_index(batch_op.f("ix_task_executions_project_id"))

    op.drop_table("task_executions")
    with op.batch_alter_table("event_triggers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_triggers_project_id_workflow_id"))

    op.drop_table("event_triggers")
    with op.batch_alter_table("dynamic_action_definitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dynamic_action_definitions_project_id"))
        batch_op.drop_index(batch_op.f("ix_dynamic_action_definitions_code_source_id"))

    op.drop_table("dynamic_action_definitions")
    with op.batch_alter_table("cron_triggers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cron_triggers_workflow_name"))
        batch_op.drop_index(batch_op.f("ix_cron_triggers_project_id"))
        batch_op.drop_index(batch_op.f("ix_cron_triggers_next_execution_time"))

    op.drop_table("cron_triggers")
    with op.batch_alter_table("workflow_executions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workflow_executions_task_execution_id"))
        batch_op.drop_index(batch_op.f("ix_workflow_executions_state"))
        batch_op.drop_index(batch_op.f("ix_workflow_executions_root_execution_id"))
        batch_op.drop_index(batch_op.f("ix_workflow_executions_project_id"))
        batch_op.drop_index(batch_op.f("ix_workflow_executions_created_at"))

    op.drop_table("workflow_executions")
    with op.batch_alter_table("workflow_definitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workflow_definitions_project_id"))

    op.drop_table("workflow_definitions")
    with op.batch_alter_table("workbooks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workbooks_project_id"))

    op.drop_table("workbooks")
    op.drop_table("resource_members")
    op.drop_table("nodes")
    with op.batch_alter_table("environments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_environments_project_id"))

    op.drop_table("environments")
    with op.batch_alter_table("code_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_code_sources_project_id"))

    op.drop_table("code_sources")
    with op.batch_alter_table("action_definitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_definitions_project_id"))

    op.drop_table("action_definitions")
