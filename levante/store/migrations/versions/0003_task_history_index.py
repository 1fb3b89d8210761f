"""task history index: the runs of one task of one workflow, by time

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

INDEX = "ix_task_executions_workflow_name_name_created_at"


def upgrade() -> None:
    """Index task executions by (workflow_name, name, created_at) for item history."""
    with op.batch_alter_table("task_executions", schema=None) as batch_op:
        batch_op.create_index(INDEX, ["workflow_name", "name", "created_at"], unique=False)


def downgrade() -> None:
    """Drop the item-history index."""
    with op.batch_alter_table("task_executions", schema=None) as batch_op:
        batch_op.drop_index(INDEX)
