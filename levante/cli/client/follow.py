"""``execution-create --wait``: follow an execution over the REST API until it ends.

Each poll reads the execution and its tasks; for with-items tasks (known from
the workflow's definition) it also reads the task's action executions (or
sub-workflow executions), to count iterations. When the execution has ended,
every failed action or sub-workflow execution of a with-items or failed task
is listed with its input and error, so the report says which item failed and
why.

The live line and the task table are those of ``levante run``
(:mod:`levante.cli.progress`).
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, TextIO

from levante.cli.client.http import ApiClient, ClientError
from levante.cli.progress import ProgressView, Snapshot, TaskLine, final_report, table

#: States an execution does not leave.
FINAL_STATES = frozenset({"SUCCESS", "ERROR", "CANCELLED"})
#: Seconds between two polls.
POLL_SECONDS = 0.3
#: Failed items listed in the report (the others are counted).
MAX_FAILED_ITEMS = 50
_TIME = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class FailedItem:
    """An action execution (or sub-workflow execution) that failed: task, input, error."""

    task: str
    execution_id: str
    input: Any
    error: str | None


def follow(
    client: ApiClient, execution: dict[str, Any], *, output_format: str = "table",
    quiet: bool = False, progress: TextIO | None = None, poll_seconds: float = POLL_SECONDS,
) -> int:
    """Show progress until the execution ends, print the report; 0 on SUCCESS, else 1."""
    execution_id = str(execution["id"])
    iterated = with_items_tasks(client, execution)
    view = ProgressView(progress or sys.stderr, enabled=not quiet)
    try:
        while True:
            snapshot = read_snapshot(client, execution_id, iterated)
            view.show(snapshot)
            if snapshot.state in FINAL_STATES:
                break
            time.sleep(poll_seconds)
    except KeyboardInterrupt:
        view.close()
        print(
            f"stopped following execution {execution_id}; it goes on running "
            f"(see `levante execution-get {execution_id}`)",
            file=sys.stderr,
        )
        return 130
    view.close()
    failed = failed_items(client, snapshot)
    print(report(snapshot, failed, output_format))
    return 0 if snapshot.state == "SUCCESS" else 1


def with_items_tasks(client: ApiClient, execution: dict[str, Any]) -> set[str]:
    """Names of the with-items tasks of the execution's workflow (empty if unknown)."""
    name = execution.get("workflow_name")
    ident = execution.get("workflow_id") or name
    if not ident:
        return set()
    # Imported here: every execution command imports this module, only following needs YAQL.
    from levante.lang import ValidationError, parse_workflows

    try:
        workflow = client.get(f"workflows/{ident}",
                              {"namespace": execution.get("workflow_namespace") or ""})
        document = parse_workflows(str(workflow.get("definition") or ""))
    except (ClientError, ValidationError):
        return set()
    spec = document.workflows.get(str(workflow.get("name") or name))
    if spec is None:
        return set()
    return {t.name for t in spec.tasks.values() if t.with_items is not None}


def read_snapshot(client: ApiClient, execution_id: str, iterated: set[str]) -> Snapshot:
    """The execution and its tasks now, with iteration counts of with-items tasks."""
    execution = client.get(f"executions/{execution_id}")
    tasks = client.list_all(f"executions/{execution_id}/tasks", "tasks",
                            {"sort_keys": "created_at", "sort_dirs": "asc"})
    lines = [_task_line(client, task, task.get("name") in iterated) for task in tasks]
    return Snapshot(
        id=execution_id,
        name=str(execution.get("workflow_name") or ""),
        state=str(execution.get("state")),
        state_info=execution.get("state_info"),
        output=_json(execution.get("output")),
        tasks=lines,
    )


def _task_line(client: ApiClient, task: dict[str, Any], with_items: bool) -> TaskLine:
    count = succeeded = failed = 0
    if with_items:
        actions = _runs_of(client, task["id"], "id,state")
        count = len(actions)
        succeeded = sum(a.get("state") == "SUCCESS" for a in actions)
        failed = sum(a.get("state") == "ERROR" for a in actions)
    return TaskLine(
        id=task["id"], name=task.get("name") or "", state=task.get("state") or "",
        state_info=task.get("state_info"), items_count=count, items_succeeded=succeeded,
        items_failed=failed, seconds=_seconds(task.get("started_at"), task.get("finished_at")),
        with_items=with_items,
    )


def _runs_of(client: ApiClient, task_id: str, fields: str) -> list[dict[str, Any]]:
    """The action executions of a task, or its sub-workflow executions when it has none."""
    actions = client.list_all(f"tasks/{task_id}/action_executions", "action_executions",
                              {"fields": fields})
    if actions:
        return actions
    return client.list_all("executions", "executions",
                           {"task_execution_id": task_id, "fields": fields})


def failed_items(client: ApiClient, snapshot: Snapshot) -> list[FailedItem]:
    """The failed action executions of with-items tasks and of failed tasks."""
    items: list[FailedItem] = []
    for task in snapshot.tasks:
        if not (task.with_items or task.state == "ERROR"):
            continue
        if task.with_items and not task.items_failed and task.state != "ERROR":
            continue
        for action in _runs_of(client, task.id, "id,state,input,state_info"):
            if action.get("state") == "ERROR" and len(items) < MAX_FAILED_ITEMS:
                items.append(FailedItem(task.name, action["id"], _json(action.get("input")),
                                        action.get("state_info")))
    return items


def report(snapshot: Snapshot, failed: list[FailedItem], output_format: str = "table") -> str:
    """The final report: state, output, tasks, then the failed items with their errors."""
    if output_format in ("json", "yaml"):
        data = json.loads(final_report(snapshot, "json"))
        data["failed_items"] = [asdict(item) for item in failed]
        if output_format == "yaml":
            import yaml

            return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).rstrip()
        return json.dumps(data, indent=2, default=str)
    text = final_report(snapshot)
    if not failed:
        return text
    rows = [
        (item.task, item.execution_id, json.dumps(item.input, default=str),
         " ".join(str(item.error or "").split()))
        for item in failed
    ]
    return f"{text}\n\nFailed actions:\n" + table(
        ("task", "execution", "input", "error"), rows
    )


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _seconds(started: str | None, finished: str | None) -> float | None:
    if not started or not finished:
        return None
    return (datetime.strptime(finished, _TIME) - datetime.strptime(started, _TIME)).total_seconds()
