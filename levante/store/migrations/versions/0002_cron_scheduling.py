"""cron scheduling: trigger policies, due time, and the fire-time history

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add Levante's trigger options and ``cron_trigger_runs``."""
    with op.batch_alter_table("cron_triggers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("time_zone", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column(
                "overlap_policy",
                sa.String(length=16),
                server_default=sa.text("'allow'"),
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column(
                "missed_run_policy",
                sa.String(length=16),
                server_default=sa.text("'run_once'"),
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("missed_run_limit", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("jitter_seconds", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
        batch_op.add_column(
            sa.Column("paused", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("due_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("last_execution_id", sa.String(length=36), nullable=True))
    op.execute("UPDATE cron_triggers SET due_at = next_execution_time")
    with op.batch_alter_table("cron_triggers", schema=None) as batch_op:
        batch_op.alter_column("due_at", existing_type=sa.DateTime(), nullable=False)
        batch_op.create_index(batch_op.f("ix_cron_triggers_due_at"), ["due_at"], unique=False)

    op.create_table(
        "cron_trigger_runs",
        sa.Column("trigger_id", sa.String(length=36), nullable=False),
        sa.Column("trigger_name", sa.String(length=200), nullable=False),
        sa.Column("project_id", sa.String(length=80), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("fired_by", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("execution_id", sa.String(length=36), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cron_trigger_runs")),
        sa.UniqueConstraint(
            "trigger_id",
            "scheduled_at",
            name=op.f("uq_cron_trigger_runs_trigger_id_scheduled_at"),
        ),
    )


def downgrade() -> None:
    """Drop the history and the trigger options."""
    op.drop_table("cron_trigger_runs")
    with op.batch_alter_table("cron_triggers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cron_triggers_due_at"))
        for column in (
            "last_execution_id",
            "due_at",
            "paused",
            "jitter_seconds",
            "missed_run_limit",
            "missed_run_policy",
            "overlap_policy",
            "time_zone",
        ):
            batch_op.drop_column(column)
