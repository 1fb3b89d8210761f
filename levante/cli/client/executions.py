"""``levante execution-*``: workflow executions, as the ``mistral`` CLI has them.

``execution-create --wait`` also follows the new execution until it ends
(see :mod:`levante.cli.client.follow`).
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from levante.cli.client.base import (
    act_on_many,
    add_command,
    add_list_arguments,
    list_newest,
    load_file_or_content,
    load_json_object,
)
from levante.cli.client.follow import follow
from levante.cli.client.http import ApiClient
from levante.cli.client.output import (
    Column,
    cut_in_list,
    or_none,
    print_list,
    print_one,
    print_text,
)

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def duration(started: str | None, finished: str | None) -> str:
    """``0:00:03`` between two API timestamps; ``...`` style while still running."""
    if not started:
        return ""
    start = datetime.strptime(started, TIME_FORMAT)
    if finished:
        return str(datetime.strptime(finished, TIME_FORMAT) - start)
    elapsed = datetime.now(UTC).replace(tzinfo=None) - start
    if elapsed < timedelta(seconds=2):
        return "..."
    return f"{elapsed - timedelta(microseconds=elapsed.microseconds)}..."


def _execution_duration(resource: dict[str, Any], _lister: bool) -> str:
    ended = resource.get("state") in ("ERROR", "SUCCESS")
    return duration(resource.get("created_at"), resource.get("updated_at") if ended else None)


COLUMNS = (
    Column("ID", "id"),
    Column("Workflow ID", "workflow_id"),
    Column("Workflow name", "workflow_name"),
    Column("Workflow namespace", "workflow_namespace"),
    Column("Description", "description"),
    Column("Task Execution ID", "task_execution_id", or_none("task_execution_id")),
    Column("Root Execution ID", "root_execution_id", or_none("root_execution_id")),
    Column("State", "state"),
    Column("State info", "state_info", cut_in_list("state_info")),
    Column("Created at", "created_at"),
    Column("Updated at", "updated_at", or_none("updated_at")),
    Column("Duration", None, _execution_duration),
)


def register(subparsers: Any) -> None:
    """Add ``execution-create/list/get/get-input/get-output/get-published/update/delete``."""
    parser = add_command(subparsers, "execution-create", create, "Create new execution.",
                         output=True)
    parser.add_argument("workflow_identifier", nargs="?", help="workflow ID or name")
    parser.add_argument("--namespace", nargs="?", default="", help="workflow namespace")
    parser.add_argument("workflow_input", nargs="?",
                        help="workflow input: a JSON file or JSON text")
    parser.add_argument("params", nargs="?",
                        help="additional parameters (e.g. env): a JSON file or JSON text")
    parser.add_argument("-d", "--description", default="", help="execution description")
    parser.add_argument("-s", dest="source_execution_id", nargs="?",
                        help="run again the workflow of this earlier execution")
    parser.add_argument("--wait", action="store_true",
                        help="follow the execution with live progress until it ends; "
                        "exit status 0 when it succeeds, 1 otherwise")
    parser.add_argument("--quiet", "-q", action="store_true",
                        help="with --wait: no live progress, only the final report")

    parser = add_command(subparsers, "execution-list", list_executions,
                         "List all executions.", output=True)
    add_list_arguments(parser, executions=True)
    parser.add_argument("--task", nargs="?", help="parent task execution ID")
    parser.add_argument("--rootsonly", action="store_true", help="only root executions")

    parser = add_command(subparsers, "execution-get", get, "Show specific execution.",
                         output=True)
    parser.add_argument("execution", help="execution identifier")

    for name, handler, summary in (
        ("execution-get-input", get_input, "Show execution input data."),
        ("execution-get-output", get_output, "Show execution output data."),
        ("execution-get-published", get_published,
         "Show workflow global published variables."),
    ):
        parser = add_command(subparsers, name, handler, summary)
        parser.add_argument("id", help="execution ID")

    parser = add_command(subparsers, "execution-update", update, "Update execution.",
                         output=True)
    parser.add_argument("id", help="execution identifier")
    parser.add_argument("-s", "--state", choices=("RUNNING", "PAUSED", "SUCCESS", "ERROR",
                                                  "CANCELLED"), help="execution state")
    parser.add_argument("-e", "--env", help="environment variables: a file or JSON/YAML text")
    parser.add_argument("-d", "--description", help="execution description")

    parser = add_command(subparsers, "execution-delete", delete, "Delete execution(s).")
    parser.add_argument("execution", nargs="+", help="ID of execution(s)")
    parser.add_argument("--force", action="store_true",
                        help="delete even running executions")


def _is_uuid(text: str | None) -> bool:
    try:
        uuid.UUID(str(text))
    except ValueError:
        return False
    return True


def create(client: ApiClient, args: argparse.Namespace) -> int:
    """Start an execution; with ``--wait``, follow it to its end."""
    if not args.workflow_identifier and not args.source_execution_id:
        raise ValueError("give a workflow name or ID (or -s SOURCE_EXECUTION_ID)")
    body: dict[str, Any] = {"description": args.description}
    if _is_uuid(args.source_execution_id):
        body["source_execution_id"] = args.source_execution_id
    if args.workflow_identifier:
        key = "workflow_id" if _is_uuid(args.workflow_identifier) else "workflow_name"
        body[key] = args.workflow_identifier
    if args.namespace:
        body["workflow_namespace"] = args.namespace
    workflow_input = load_json_object(args.workflow_input, "workflow input")
    if workflow_input:
        body["input"] = json.dumps(workflow_input)
    params = load_json_object(args.params, "params")
    if params:
        body["params"] = json.dumps(params)
    execution = client.post("executions", json=body)
    if not args.wait:
        print_one(args, COLUMNS, execution, sys.stdout)
        return 0
    return follow(client, execution, output_format=args.output_format, quiet=args.quiet)


def list_executions(client: ApiClient, args: argparse.Namespace) -> int:
    """List executions (the newest page, oldest first)."""
    extra: dict[str, Any] = {}
    if args.task:
        extra["task_execution_id"] = args.task
    if args.rootsonly:
        extra["nulls"] = "root_execution_id"
    items = list_newest(client, args, "executions", "executions", COLUMNS, extra)
    print_list(args, COLUMNS, items, sys.stdout)
    return 0


def get(client: ApiClient, args: argparse.Namespace) -> int:
    """Show one execution."""
    print_one(args, COLUMNS, client.get(f"executions/{args.execution}"), sys.stdout)
    return 0


def get_input(client: ApiClient, args: argparse.Namespace) -> int:
    """Print the execution's input as indented JSON."""
    print_text(client.get(f"executions/{args.id}").get("input"), sys.stdout)
    return 0


def get_output(client: ApiClient, args: argparse.Namespace) -> int:
    """Print the execution's output as indented JSON."""
    print_text(client.get(f"executions/{args.id}").get("output"), sys.stdout)
    return 0


def get_published(client: ApiClient, args: argparse.Namespace) -> int:
    """Print the execution's globally published variables."""
    print_text(client.get(f"executions/{args.id}").get("published_global"), sys.stdout)
    return 0


def update(client: ApiClient, args: argparse.Namespace) -> int:
    """Change the state, description or env of an execution."""
    body: dict[str, Any] = {}
    if args.state:
        body["state"] = args.state
    if args.description:
        body["description"] = args.description
    env = load_file_or_content(args.env, "--env")
    if env:
        body["params"] = {"env": env}
    if not body:
        raise ValueError("nothing to update: give --state, --env or --description")
    print_one(args, COLUMNS, client.put(f"executions/{args.id}", json=body), sys.stdout)
    return 0


def delete(client: ApiClient, args: argparse.Namespace) -> int:
    """Delete each execution."""
    query = {"force": "true"} if args.force else None
    return act_on_many(
        args.execution,
        lambda ident: client.delete(f"executions/{ident}", query),
        "Request to delete execution %s has been accepted.",
        "Unable to delete the specified execution(s).",
    )
