"""Per-item outcomes of tasks: what each with-items iteration (each host) did.

An iteration is the latest action execution (or sub-workflow execution) of
one ``item_index`` of a task. Its *value* is the item it ran for: the
engine records it in the row's ``runtime_context`` (``item``); rows written
before that show the with-items variables found in the action's input (the
cookbook's ``host``), else the whole input.

:func:`task_items` reads one task's iterations (report); :func:`item_history`
reads every run of one task of one workflow (item history), newest first,
through the ``(workflow_name, name, created_at)`` index of task executions
and the ``task_execution_id`` indexes of actions and sub-workflows: no scan
of other workflows' rows.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from levante.store.models import ActionExecution, TaskExecution, WorkflowExecution
from levante.store.snapshots import with_definition
from levante.store.types import utc_now

#: How much of an item's output the report shows (its end: where errors are).
TAIL_LINES = 5
TAIL_CHARS = 400
#: Iteration states, failed ones first (the order of the report).
STATE_ORDER = ("ERROR", "CANCELLED", "RUNNING", "PAUSED", "WAITING", "IDLE", "SUCCESS")
#: How the summary line words each state.
STATE_WORDS = {
    "SUCCESS": "succeeded",
    "ERROR": "failed",
    "CANCELLED": "cancelled",
    "RUNNING": "running",
    "PAUSED": "paused",
    "WAITING": "waiting",
    "IDLE": "waiting",
    "SKIPPED": "skipped",
}
FINISHED = ("SUCCESS", "ERROR", "CANCELLED", "SKIPPED")
_VARIABLE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s+in\s")
_IN_CHUNK = 500


@dataclass(frozen=True)
class ItemRun:
    """One iteration of a task: the latest attempt at one item."""

    index: int
    value: Any
    state: str
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    execution_id: str
    kind: str
    """``action`` or ``workflow``: what ``execution_id`` names."""
    error: str | None = None
    output_tail: str | None = None

    def duration(self, now: dt.datetime | None = None) -> float | None:
        """Seconds from start to end (to ``now`` while it runs)."""
        if self.started_at is None:
            return None
        end = self.finished_at or (now or utc_now())
        return round((_aware(end) - _aware(self.started_at)).total_seconds(), 3)

    def as_dict(self) -> dict[str, Any]:
        """The item as the REST API shows it."""
        return {
            "index": self.index,
            "value": self.value,
            "state": self.state,
            "started_at": _text(self.started_at),
            "finished_at": _text(self.finished_at),
            "duration": self.duration(),
            f"{self.kind}_execution_id": self.execution_id,
            "error": self.error,
            "output_tail": self.output_tail,
        }


def failed_first(items: Iterable[ItemRun]) -> list[ItemRun]:
    """Items ordered failed first, then by state as in STATE_ORDER, then by index."""
    rank = {state: n for n, state in enumerate(STATE_ORDER)}
    return sorted(items, key=lambda item: (rank.get(item.state, len(rank)), item.index))


def count_states(states: Iterable[str]) -> dict[str, int]:
    """How many of each state."""
    counts: dict[str, int] = {}
    for state in states:
        counts[state] = counts.get(state, 0) + 1
    return counts


def summary_line(counts: Mapping[str, int]) -> str:
    """``18 succeeded, 2 failed`` (succeeded first, then failures, then the rest)."""
    order = ["SUCCESS", *(state for state in STATE_ORDER if state != "SUCCESS")]
    rank = {state: n for n, state in enumerate(order)}
    words: dict[str, int] = {}
    for state in sorted(counts, key=lambda state: (rank.get(state, len(rank)), state)):
        word = STATE_WORDS.get(state, state.lower())
        words[word] = words.get(word, 0) + counts[state]
    return ", ".join(f"{n} {word}" for word, n in words.items() if n) or "nothing ran"


def with_items_variables(spec: Mapping[str, Any] | None, task_name: str) -> list[str]:
    """The variable names of the task's ``with-items`` (may be empty).

    ``spec`` is a definition's spec (with ``tasks``) or an execution's snapshot
    (the definition's text, with the workflow's name).
    """
    tasks = _tasks_of_spec(spec)
    task = tasks.get(task_name) if isinstance(tasks, Mapping) else None
    if not isinstance(task, Mapping):
        return []
    clause = task.get("with-items", task.get("with_items"))
    clauses = clause if isinstance(clause, list) else [clause]
    names = []
    for text in clauses:
        match = _VARIABLE.match(text) if isinstance(text, str) else None
        if match:
            names.append(match.group(1))
    return names


def _tasks_of_spec(spec: Mapping[str, Any] | None) -> Any:
    spec = spec or {}
    if "tasks" in spec or not isinstance(spec.get("definition"), str):
        return spec.get("tasks") or {}
    try:
        document = yaml.safe_load(spec["definition"])
    except yaml.YAMLError:
        return {}
    if not isinstance(document, Mapping):
        return {}
    name = str(spec.get("workflow") or "")
    workflow = document.get(name)
    if workflow is None:
        workflow = (document.get("workflows") or {}).get(name.rpartition(".")[2])
    return workflow.get("tasks") or {} if isinstance(workflow, Mapping) else {}


def item_value(
    runtime_context: Mapping[str, Any] | None,
    given_input: Mapping[str, Any] | None,
    variables: Sequence[str],
) -> Any:
    """What an iteration ran for: the recorded item, else its variables in the input."""
    context = runtime_context or {}
    if "item" in context:
        item = context["item"]
        if isinstance(item, Mapping) and len(variables) == 1 and set(item) == set(variables):
            return item[variables[0]]
        return item
    given = given_input or {}
    found = {name: given[name] for name in variables if name in given}
    if len(found) == 1 and len(variables) == 1:
        return next(iter(found.values()))
    return found or dict(given)


def value_key(value: Any) -> str:
    """A stable text key for an item value (values are JSON)."""
    return json.dumps(value, sort_keys=True, default=str)


def task_items(
    session: Session, task: TaskExecution, variables: Sequence[str], *, outputs: bool = True
) -> list[ItemRun]:
    """The task's iterations, one per item index (its latest attempt), by index."""
    return _items_of(session, [task], variables, outputs=outputs).get(task.id, [])


def tail(value: Any) -> str | None:
    """The end of an output: its last lines, at most TAIL_CHARS characters."""
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    lines = text.rstrip("\n").splitlines()[-TAIL_LINES:]
    shown = "\n".join(lines)
    return shown if len(shown) <= TAIL_CHARS else "..." + shown[-TAIL_CHARS:]


# --- history -----------------------------------------------------------------------------


@dataclass
class ItemHistory:
    """What one item value did across the runs of a task, newest first."""

    value: Any
    runs: list[tuple[ItemRun, str]] = field(default_factory=list)
    """(iteration, workflow execution id), newest first."""

    def as_dict(self, trend: int) -> dict[str, Any]:
        """The history entry as the REST API shows it."""
        last, execution_id = self.runs[0]
        states = [run.state for run, _ in self.runs]
        return {
            "value": self.value,
            "last_state": last.state,
            "last_at": _text(last.finished_at or last.started_at),
            "last_execution_id": execution_id,
            "last_error": last.error,
            "trend": states[:trend],
            "runs": len(states),
            "succeeded": states.count("SUCCESS"),
            "ever_succeeded": "SUCCESS" in states,
        }


def item_history(
    session: Session,
    workflow_name: str,
    task_name: str,
    *,
    namespace: str | None = None,
    runs: int | None = None,
) -> tuple[int, list[ItemHistory]]:
    """Every item value seen in the runs of ``task_name`` of ``workflow_name``, newest first.

    ``runs`` bounds how many task runs (newest first) are read. Returns the
    number of task runs read and one history per value, in first-seen order.
    """
    statement = (
        select(TaskExecution)
        .where(TaskExecution.workflow_name == workflow_name, TaskExecution.name == task_name)
        .order_by(TaskExecution.created_at.desc(), TaskExecution.id.desc())
    )
    if namespace is not None:
        statement = statement.where(TaskExecution.workflow_namespace == namespace)
    if runs is not None:
        statement = statement.limit(runs)
    tasks = list(session.scalars(statement))
    variables = _variables_by_workflow(session, tasks, task_name)
    groups: dict[tuple[str, ...], list[TaskExecution]] = {}
    for task in tasks:
        groups.setdefault(variables[task.workflow_id], []).append(task)
    by_task: dict[str, list[ItemRun]] = {}
    for names, group in groups.items():
        by_task.update(_items_of(session, group, names, outputs=False))
    histories: dict[str, ItemHistory] = {}
    for task in tasks:
        for item in by_task.get(task.id, []):
            entry = histories.setdefault(value_key(item.value), ItemHistory(item.value))
            entry.runs.append((item, task.workflow_execution_id))
    return len(tasks), list(histories.values())


# --- reading rows ------------------------------------------------------------------------


def _items_of(
    session: Session, tasks: Sequence[TaskExecution], variables: Sequence[str], *, outputs: bool
) -> dict[str, list[ItemRun]]:
    found: dict[str, dict[int, ItemRun]] = {}
    action_tasks = [task.id for task in tasks if task.type != "WORKFLOW"]
    workflow_tasks = [task.id for task in tasks if task.type == "WORKFLOW"]
    for chunk in _chunks(action_tasks):
        for row in session.execute(_action_rows(chunk, outputs)):
            found.setdefault(row.task_execution_id, {})[row.item_index] = _action_item(
                row, variables, outputs
            )
    for chunk in _chunks(workflow_tasks):
        for row in session.execute(_workflow_rows(chunk, outputs)):
            index = int((row.runtime_context or {}).get("index", 0))
            found.setdefault(row.task_execution_id, {})[index] = _workflow_item(
                row, index, variables, outputs
            )
    return {
        task_id: [items[index] for index in sorted(items)] for task_id, items in found.items()
    }


def _action_rows(task_ids: list[str], outputs: bool) -> Any:
    a = ActionExecution
    columns = [a.id, a.task_execution_id, a.item_index, a.state, a.state_info, a.created_at,
               a.updated_at, a.runtime_context, a.input]
    if outputs:
        columns.append(a.output)
    # Ascending attempts: the last row seen for an index is its latest attempt.
    return (
        select(*columns)
        .where(a.task_execution_id.in_(task_ids))
        .order_by(a.task_execution_id, a.attempt, a.item_index, a.created_at, a.id)
    )


def _workflow_rows(task_ids: list[str], outputs: bool) -> Any:
    w = WorkflowExecution
    columns = [w.id, w.task_execution_id, w.state, w.state_info, w.created_at, w.finished_at,
               w.updated_at, w.runtime_context, w.input]
    if outputs:
        columns.append(w.output)
    return (
        select(*columns)
        .where(w.task_execution_id.in_(task_ids), w.spec.is_not(None))
        .order_by(w.task_execution_id, w.created_at, w.id)
    )


def _action_item(row: Any, variables: Sequence[str], outputs: bool) -> ItemRun:
    result = (row.output or {}).get("result") if outputs else None
    error = (row.state_info or tail(result)) if row.state == "ERROR" else None
    return ItemRun(
        index=int(row.item_index),
        value=item_value(row.runtime_context, row.input, variables),
        state=row.state,
        started_at=row.created_at,
        finished_at=row.updated_at if row.state in FINISHED else None,
        execution_id=row.id,
        kind="action",
        error=error,
        output_tail=tail(result),
    )


def _workflow_item(row: Any, index: int, variables: Sequence[str], outputs: bool) -> ItemRun:
    return ItemRun(
        index=index,
        value=item_value(row.runtime_context, row.input, variables),
        state=row.state,
        started_at=row.created_at,
        finished_at=(row.finished_at or row.updated_at) if row.state in FINISHED else None,
        execution_id=row.id,
        kind="workflow",
        error=row.state_info if row.state == "ERROR" else None,
        output_tail=tail(row.output) if outputs else None,
    )


def _variables_by_workflow(
    session: Session, tasks: Sequence[TaskExecution], task_name: str
) -> dict[str | None, tuple[str, ...]]:
    """The with-items variables per workflow definition, from one execution's spec each."""
    one_execution: dict[str | None, str] = {}
    for task in tasks:
        one_execution.setdefault(task.workflow_id, task.workflow_execution_id)
    variables: dict[str | None, tuple[str, ...]] = {}
    for workflow_id, execution_id in one_execution.items():
        spec = session.scalar(
            select(WorkflowExecution.spec).where(WorkflowExecution.id == execution_id)
        )
        variables[workflow_id] = tuple(with_items_variables(with_definition(session, spec),
                                                            task_name))
    return variables


def _chunks(ids: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(ids), _IN_CHUNK):
        yield ids[start:start + _IN_CHUNK]


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _text(moment: dt.datetime | None) -> str | None:
    return _aware(moment).strftime("%Y-%m-%d %H:%M:%S") if moment is not None else None
