"""cron triggers: drop the schedule unique key (twin triggers collided while firing)

The key over (input hash, workflow, pattern, project, params hash, remaining
executions, first time) came from upstream. ``remaining_executions`` counts
down as a trigger fires, so a trigger with count 5 became identical to its
twin with count 4 after one run, and the firing transaction's UPDATE failed
on every retry (holding back every trigger in the batch). The API refuses
true duplicates at creation instead (``levante.api.cron_triggers``).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

CONSTRAINT = "uq_cron_triggers_schedule"
COLUMNS = [
    "workflow_input_hash",
    "workflow_name",
    "pattern",
    "project_id",
    "workflow_params_hash",
    "remaining_executions",
    "first_execution_time",
]


def upgrade() -> None:
    """Drop ``uq_cron_triggers_schedule``."""
    with op.batch_alter_table("cron_triggers", schema=None) as batch_op:
        batch_op.drop_constraint(CONSTRAINT, type_="unique")


def downgrade() -> None:
    """Restore ``uq_cron_triggers_schedule`` (fails while twin triggers exist)."""
    with op.batch_alter_table("cron_triggers", schema=None) as batch_op:
        batch_op.create_unique_constraint(CONSTRAINT, COLUMNS)
