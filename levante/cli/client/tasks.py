"""``levante task-*``: task executions, as the ``mistral`` CLI has them."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from levante.cli.client.base import (
    add_command,
    add_list_arguments,
    list_newest,
    load_file_or_content,
)
from levante.cli.client.executions import duration
from levante.cli.client.http import ApiClient
from levante.cli.client.output import (
    Column,
    cut_in_list,
    or_none,
    print_list,
    print_one,
    print_text,
)

COLUMNS = (
    Column("ID", "id"),
    Column("Name", "name"),
    Column("Workflow name", "workflow_name"),
    Column("Workflow namespace", "workflow_namespace"),
    Column("Workflow Execution ID", "workflow_execution_id"),
    Column("State", "state"),
    Column("State info", "state_info", cut_in_list("state_info")),
    Column("Created at", "created_at"),
    Column("Started at", "started_at", or_none("started_at")),
    Column("Finished at", "finished_at", or_none("finished_at")),
    Column("Duration", None, lambda r, _l: duration(r.get("started_at"), r.get("finished_at"))),
)


def register(subparsers: Any) -> None:
    """Add ``task-list/get/get-result/get-published/rerun``."""
    parser = add_command(subparsers, "task-list", list_tasks, "List all tasks.", output=True)
    add_list_arguments(parser, executions=True)
    parser.add_argument("workflow_execution", nargs="?",
                        help="only the tasks of this workflow execution")

    parser = add_command(subparsers, "task-get", get, "Show specific task.", output=True)
    parser.add_argument("task", help="task identifier")

    parser = add_command(subparsers, "task-get-result", get_result, "Show task output data.")
    parser.add_argument("id", help="task ID")

    parser = add_command(subparsers, "task-get-published", get_published,
                         "Show task published variables.")
    parser.add_argument("id", help="task ID")

    parser = add_command(subparsers, "task-rerun", rerun, "Rerun an existing task.",
                         output=True)
    parser.add_argument("id", help="task identifier")
    parser.add_argument("--resume", action="store_true",
                        help="rerun only failed or unstarted iterations of a with-items task")
    parser.add_argument("-e", "--env", help="environment variables: a file or JSON/YAML text")


def list_tasks(client: ApiClient, args: argparse.Namespace) -> int:
    """List task executions (of one workflow execution when given)."""
    path = f"executions/{args.workflow_execution}/tasks" if args.workflow_execution else "tasks"
    print_list(args, COLUMNS, list_newest(client, args, path, "tasks", COLUMNS), sys.stdout)
    return 0


def get(client: ApiClient, args: argparse.Namespace) -> int:
    """Show one task execution."""
    print_one(args, COLUMNS, client.get(f"tasks/{args.task}"), sys.stdout)
    return 0


def get_result(client: ApiClient, args: argparse.Namespace) -> int:
    """Print the task's result as indented JSON."""
    print_text(client.get(f"tasks/{args.id}").get("result"), sys.stdout)
    return 0


def get_published(client: ApiClient, args: argparse.Namespace) -> int:
    """Print the variables the task published."""
    task = client.get(f"tasks/{args.id}")
    print_text(task.get("published"), sys.stdout)
    if task.get("published_global"):
        print_text(task["published_global"], sys.stdout)
    return 0


def rerun(client: ApiClient, args: argparse.Namespace) -> int:
    """Run a failed task again (all iterations, or with ``--resume`` only the failed ones)."""
    body: dict[str, Any] = {"id": args.id, "state": "RUNNING", "reset": not args.resume}
    env = load_file_or_content(args.env, "--env")
    if env:
        body["env"] = json.dumps(env)
    print_one(args, COLUMNS, client.put(f"tasks/{args.id}", json=body), sys.stdout)
    return 0
