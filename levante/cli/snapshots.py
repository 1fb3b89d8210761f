"""``levante run``'s view of its execution: a progress ``Snapshot`` read from the database.

Kept apart from :mod:`levante.cli.progress` so that the client commands, which
build their snapshots from the REST API, do not import SQLAlchemy.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from levante.cli.progress import ItemLine, Snapshot, TaskLine
from levante.store import Database
from levante.store.models import ActionExecution, TaskExecution, WorkflowExecution

_W = WorkflowExecution.__table__.c
_T = TaskExecution.__table__.c
_A = ActionExecution.__table__.c

#: Items listed per with-items task in the final report (failed ones first).
MAX_ITEMS_SHOWN = 50


def load_snapshot(db: Database, execution_id: str, *, with_items: bool = False) -> Snapshot:
    """Read the execution and its task executions (and, once it ended, the item details)."""
    with db.read() as session:
        wf = session.execute(
            select(_W.id, _W.name, _W.state, _W.state_info, _W.output).where(
                _W.id == execution_id
            )
        ).one()
        ended = wf.state in ("SUCCESS", "ERROR", "CANCELLED")
        task_rows = session.execute(
            select(
                _T.id, _T.name, _T.state, _T.state_info, _T.items_count, _T.items_succeeded,
                _T.items_failed, _T.started_at, _T.finished_at, _T.runtime_context,
            )
            .where(_T.workflow_execution_id == execution_id)
            .order_by(_T.created_at, _T.id)
        ).all()
        tasks = [_task_line(row) for row in task_rows]
        items: list[ItemLine] = []
        if with_items or ended:
            for task in tasks:
                if task.with_items:
                    items.extend(_items_of(session, task))
    return Snapshot(wf.id, wf.name, wf.state, wf.state_info, wf.output, tasks, items)


def _task_line(row: Any) -> TaskLine:
    # The engine marks with-items tasks in runtime_context, as Mistral does.
    with_items = "with_items" in (row.runtime_context or {})
    seconds = None
    if row.started_at and row.finished_at:
        seconds = (row.finished_at - row.started_at).total_seconds()
    return TaskLine(
        row.id, row.name, row.state, row.state_info, row.items_count or 0,
        row.items_succeeded or 0, row.items_failed or 0, seconds, with_items,
    )


def _items_of(session: Any, task: TaskLine) -> list[ItemLine]:
    latest = (
        select(func.max(_A.attempt)).where(_A.task_execution_id == task.id).scalar_subquery()
    )
    rows = session.execute(
        select(_A.item_index, _A.state, _A.input, _A.state_info)
        .where(_A.task_execution_id == task.id, _A.attempt == latest)
        .order_by(_A.item_index)
    ).all()
    lines = [ItemLine(task.name, r.item_index, r.state, r.input, r.state_info) for r in rows]
    failed = [line for line in lines if line.state == "ERROR"]
    others = [line for line in lines if line.state != "ERROR"]
    return (failed + others)[:MAX_ITEMS_SHOWN]
