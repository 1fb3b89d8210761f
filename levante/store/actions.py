"""Repository of action executions: the hot path of every task and with-items iteration.

Bulk insert of a task's iterations, result acceptance as a conditional update
(the first result wins), the next IDLE iteration found by an index seek, and
the results read once, in item order. Functions take the Session of the
caller's transaction and never commit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, bindparam, literal_column, select, update
from sqlalchemy.orm import Session

from levante.store.models import ActionExecution, TaskExecution
from levante.store.rows import chunked, complete_rows, sync_loaded
from levante.store.sql import dialect_name, lock_for_update, lock_rows
from levante.store.states import ActionState

# Rendered inline (not as a parameter) so that SQLite can use the partial index on IDLE rows.
_IDLE = literal_column("'IDLE'")


@dataclass(frozen=True)
class ActionResult:
    """What an executor reports for one action execution."""

    action_execution_id: str
    state: str
    """``SUCCESS``, ``ERROR`` or ``CANCELLED``."""
    output: Any = None
    """As Mistral stores it: ``{"result": ...}``."""
    state_info: str | None = None


@dataclass(frozen=True)
class AcceptedResult:
    """A result that was accepted, with what the engine needs to go on."""

    action_execution_id: str
    task_execution_id: str | None
    workflow_execution_id: str | None
    item_index: int
    attempt: int
    state: str


@dataclass(frozen=True)
class ItemResult:
    """One iteration's outcome, as read when its task finishes."""

    action_execution_id: str
    item_index: int
    state: str
    output: Any
    state_info: str | None


@dataclass(frozen=True)
class PromotedAction:
    """An iteration moved from IDLE to RUNNING: it now needs a queue entry."""

    action_execution_id: str
    item_index: int
    target: str | None


def load_action_executions(session: Session, ids: Sequence[str]) -> list[ActionExecution]:
    """The action executions with these ids (missing ones left out), in the order given."""
    found: dict[str, ActionExecution] = {}
    for chunk in chunked(list(ids)):
        for row in session.scalars(select(ActionExecution).where(ActionExecution.id.in_(chunk))):
            found[row.id] = row
    return [found[i] for i in ids if i in found]


def insert_action_executions(session: Session, rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Insert many action executions with one ``executemany``; returns their ids in order.

    Each row maps column names to values (ids and timestamps are filled in).
    A with-items task creates all the iterations of an attempt this way.
    """
    if not rows:
        return []
    table = ActionExecution.__table__
    complete = complete_rows(table, rows)
    session.execute(table.insert(), complete)
    return [row["id"] for row in complete]


def actions_of_task(
    session: Session, task_execution_id: str, attempt: int | None = None
) -> list[ActionExecution]:
    """Action executions of a task (optionally of one attempt) in (attempt, item) order."""
    statement = select(ActionExecution).where(
        ActionExecution.task_execution_id == task_execution_id
    )
    if attempt is not None:
        statement = statement.where(ActionExecution.attempt == attempt)
    statement = statement.order_by(ActionExecution.attempt, ActionExecution.item_index)
    return list(session.scalars(statement))


def accept_action_result(
    session: Session,
    action_execution_id: str,
    state: str,
    output: Any = None,
    state_info: str | None = None,
) -> bool:
    """Record an action's result if it is still RUNNING; ``True`` only for the first result.

    A conditional ``UPDATE ... WHERE state = 'RUNNING'`` checked by rowcount: a
    duplicate report, a late report after a cancel, or a concurrent second
    report on another node gets ``False`` and must be ignored.
    """
    table = ActionExecution.__table__
    statement = (
        update(table)
        .where(table.c.id == action_execution_id, table.c.state == ActionState.RUNNING.value)
        .values(state=state, output=output, state_info=state_info, accepted=True)
    )
    accepted = bool(session.execute(statement).rowcount)  # type: ignore[attr-defined]
    if accepted:
        values = {"state": state, "output": output, "state_info": state_info, "accepted": True}
        sync_loaded(session, ActionExecution, action_execution_id, values)
    return accepted


def accept_action_results(
    session: Session, results: Sequence[ActionResult]
) -> list[AcceptedResult]:
    """Accept a batch of results in one transaction; returns only those accepted.

    Rows still RUNNING are updated with one ``executemany``; the rest (already
    finished, cancelled, unknown, or a repeated id in the batch) are left
    alone. On PostgreSQL the tasks of the batch are locked first, then the
    action rows, each in id order: the documented lock order, so a result batch
    and a cancel of the same workflow cannot deadlock each other.
    """
    by_id: dict[str, ActionResult] = {}
    for result in results:
        by_id.setdefault(result.action_execution_id, result)
    table = ActionExecution.__table__
    ids = sorted(by_id)
    if dialect_name(session) == "postgresql":
        task_ids: set[str] = set()
        for chunk in chunked(ids):
            found = select(table.c.task_execution_id).where(table.c.id.in_(chunk)).distinct()
            task_ids.update(t for t in session.scalars(found) if t is not None)
        lock_rows(session, TaskExecution, task_ids)
    accepted: list[AcceptedResult] = []
    for chunk in chunked(ids):
        statement = lock_for_update(
            select(
                table.c.id,
                table.c.task_execution_id,
                table.c.workflow_execution_id,
                table.c.item_index,
                table.c.attempt,
            )
            .where(table.c.id.in_(chunk), table.c.state == ActionState.RUNNING.value)
            .order_by(table.c.id)
        )
        for row in session.execute(statement):
            accepted.append(AcceptedResult(*row, state=by_id[row.id].state))
    if not accepted:
        return []
    statement = (
        update(table)
        .where(table.c.id == bindparam("_id"), table.c.state == ActionState.RUNNING.value)
        .values(
            state=bindparam("_state"),
            output=bindparam("_output"),
            state_info=bindparam("_state_info"),
            accepted=True,
        )
    )
    params = [
        {
            "_id": item.action_execution_id,
            "_state": item.state,
            "_output": by_id[item.action_execution_id].output,
            "_state_info": by_id[item.action_execution_id].state_info,
        }
        for item in accepted
    ]
    session.execute(statement, params)
    for param in params:
        values = {
            "state": param["_state"],
            "output": param["_output"],
            "state_info": param["_state_info"],
            "accepted": True,
        }
        sync_loaded(session, ActionExecution, param["_id"], values)
    return accepted


def next_idle_action(session: Session, task_execution_id: str, attempt: int) -> str | None:
    """Id of the IDLE iteration with the lowest item index for a task attempt, if any.

    An index seek on the partial index of IDLE rows: its cost does not grow
    with the number of iterations already finished.
    """
    return session.scalar(idle_query(task_execution_id, attempt).limit(1))


def promote_idle_actions(
    session: Session, task_execution_id: str, attempt: int, limit: int = 1
) -> list[PromotedAction]:
    """Move up to ``limit`` IDLE iterations (lowest item index first) to RUNNING.

    The caller enqueues them in the same transaction. Concurrent promoters on
    PostgreSQL skip each other's rows, so no iteration is promoted twice.
    """
    table = ActionExecution.__table__
    candidates = lock_for_update(
        select(table.c.id, table.c.item_index, table.c.target)
        .where(
            table.c.task_execution_id == task_execution_id,
            table.c.attempt == attempt,
            table.c.state == _IDLE,
        )
        .order_by(table.c.item_index)
        .limit(limit),
        skip_locked=True,
    )
    promoted = [PromotedAction(*row) for row in session.execute(candidates)]
    if promoted:
        ids = [item.action_execution_id for item in promoted]
        session.execute(
            update(table)
            .where(table.c.id.in_(ids), table.c.state == _IDLE)
            .values(state=ActionState.RUNNING.value)
        )
        for action_id in ids:
            sync_loaded(session, ActionExecution, action_id, {"state": ActionState.RUNNING.value})
    return promoted


def idle_query(task_execution_id: str, attempt: int) -> Select[tuple[str]]:
    """The query behind ``next_idle_action`` (without its LIMIT), for inspection."""
    table = ActionExecution.__table__
    return (
        select(table.c.id)
        .where(
            table.c.task_execution_id == task_execution_id,
            table.c.attempt == attempt,
            table.c.state == _IDLE,
        )
        .order_by(table.c.item_index)
    )


def task_results(session: Session, task_execution_id: str, attempt: int) -> list[ItemResult]:
    """Every iteration's outcome for one attempt of a task, in item order (read at its end)."""
    table = ActionExecution.__table__
    statement = (
        select(table.c.id, table.c.item_index, table.c.state, table.c.output, table.c.state_info)
        .where(table.c.task_execution_id == task_execution_id, table.c.attempt == attempt)
        .order_by(table.c.item_index)
    )
    return [ItemResult(*row) for row in session.execute(statement)]
