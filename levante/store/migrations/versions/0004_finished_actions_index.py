"""finished actions index: action executions that finished, by time (for /metrics)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

INDEX = "ix_action_executions_finished"
FINISHED = "state IN ('SUCCESS', 'ERROR', 'CANCELLED')"


def upgrade() -> None:
    """A partial index on ``updated_at`` of finished action executions."""
    with op.batch_alter_table("action_executions", schema=None) as batch_op:
        batch_op.create_index(
            INDEX,
            ["updated_at"],
            unique=False,
            sqlite_where=sa.text(FINISHED),
            postgresql_where=sa.text(FINISHED),
        )


def downgrade() -> None:
    """Drop the finished-actions index."""
    with op.batch_alter_table("action_executions", schema=None) as batch_op:
        batch_op.drop_index(INDEX)
