"""Writing ``Notify`` commands to the ``notifications`` outbox (the host side).

One row per target, in the caller's transaction: if the state change rolls
back, so does its notification. The engine's payload gets the row's times and
project here, as Mistral's webhook payload carries them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from levante.engine import commands as cmd
from levante.store import models
from levante.store.types import format_timestamp

OUTBOX: Table = models.Notification.__table__  # type: ignore[assignment]
_WF: Table = models.WorkflowExecution.__table__  # type: ignore[assignment]
_TASK: Table = models.TaskExecution.__table__  # type: ignore[assignment]
_FINAL = frozenset({"SUCCESS", "ERROR", "CANCELLED", "SKIPPED"})


def write_notifications(session: Session, c: cmd.Notify, now: dt.datetime) -> None:
    """Insert one outbox row per target of ``c``, due now."""
    payload = {**c.payload, **_times(session, c, now)}
    session.execute(OUTBOX.insert(), [{
        "event": c.event, "workflow_execution_id": c.workflow_execution_id,
        "task_execution_id": c.task_execution_id, "root_execution_id": c.root_execution_id,
        "payload": payload, "target": dict(target), "attempts": 0,
        "next_attempt_at": now, "last_error": None, "failed_at": None, "created_at": now,
    } for target in c.targets])


def _times(session: Session, c: cmd.Notify, now: dt.datetime) -> dict[str, Any]:
    """created_at / updated_at (and a task's started_at / finished_at) as of this change.

    Column changes of this transaction may still be held in memory, so the
    times this change sets are computed, not read.
    """
    state = c.payload.get("state")
    if c.task_execution_id is None:
        row = session.execute(select(_WF.c.created_at, _WF.c.project_id)
                              .where(_WF.c.id == c.workflow_execution_id)).first()
        created, project = (row[0], row[1]) if row else (now, None)
        return {"project_id": project, "created_at": format_timestamp(created),
                "updated_at": format_timestamp(now)}
    row = session.execute(select(_TASK.c.created_at, _TASK.c.project_id, _TASK.c.started_at)
                          .where(_TASK.c.id == c.task_execution_id)).first()
    created, project, started = (row[0], row[1], row[2]) if row else (now, None, None)
    if state == "RUNNING":
        started = now
    finished = now if state in _FINAL else None
    return {"project_id": project, "created_at": format_timestamp(created),
            "updated_at": format_timestamp(now), "started_at": _fmt(started),
            "finished_at": _fmt(finished)}


def _fmt(value: dt.datetime | None) -> str | None:
    return None if value is None else format_timestamp(value)
