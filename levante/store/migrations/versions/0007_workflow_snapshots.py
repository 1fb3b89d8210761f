"""workflow snapshots: an execution's definition text stored once per checksum

Every workflow execution kept the whole text of the file it runs in its
``spec`` column: a thousand runs of the cloud-cron cookbook's workflow wrote
it a thousand times (1.4 KB each, escaped as JSON on every start). The text
now lives in ``workflow_snapshots`` under its SHA-256, and a new execution's
``spec`` names it (workflow, namespace, checksum). Existing rows keep their
inline text, which readers still accept; the downgrade puts the text back
into the rows that name a snapshot.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``workflow_snapshots``."""
    op.create_table(
        "workflow_snapshots",
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("checksum", name=op.f("pk_workflow_snapshots")),
    )


def downgrade() -> None:
    """Put each snapshot's text back into the executions that name it, then drop the table."""
    connection = op.get_bind()
    value = "CAST(:spec AS JSONB)" if connection.dialect.name == "postgresql" else ":spec"
    texts = dict(connection.execute(sa.text(
        "SELECT checksum, definition FROM workflow_snapshots")).all())
    rows = connection.execute(sa.text(
        "SELECT id, spec FROM workflow_executions WHERE spec IS NOT NULL")).all()
    for execution_id, spec in rows:
        snapshot = json.loads(spec) if isinstance(spec, str) else dict(spec)
        if "definition" in snapshot or snapshot.get("checksum") not in texts:
            continue
        snapshot["definition"] = texts[snapshot["checksum"]]
        connection.execute(sa.text(f"UPDATE workflow_executions SET spec = {value} WHERE id = :id"),
                           {"spec": json.dumps(snapshot), "id": execution_id})
    op.drop_table("workflow_snapshots")
