"""``levante action-execution-*`` and ``run-action``, as the ``mistral`` CLI has them."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from levante.cli.client.base import (
    add_command,
    add_list_arguments,
    list_newest,
    load_json,
    load_json_object,
)
from levante.cli.client.http import ApiClient
from levante.cli.client.output import Column, or_none, print_list, print_one, print_text

COLUMNS = (
    Column("ID", "id"),
    Column("Name", "name"),
    Column("Workflow name", "workflow_name"),
    Column("Workflow namespace", "workflow_namespace"),
    Column("Task name", "task_name"),
    Column("Task ID", "task_execution_id"),
    Column("State", "state"),
    Column("State info", "state_info"),
    Column("Accepted", "accepted"),
    Column("Created at", "created_at"),
    Column("Updated at", "updated_at", or_none("updated_at")),
)
#: Lists leave out the state info, as ``mistral`` does.
LIST_COLUMNS = tuple(c for c in COLUMNS if c.field != "state_info")


def register(subparsers: Any) -> None:
    """Add ``action-execution-list/get/get-input/get-output/update`` and ``run-action``."""
    parser = add_command(subparsers, "action-execution-list", list_action_executions,
                         "List all action executions.", output=True)
    add_list_arguments(parser, executions=True)
    parser.add_argument("task_execution_id", nargs="?", help="only this task's executions")

    parser = add_command(subparsers, "action-execution-get", get,
                         "Show specific action execution.", output=True)
    parser.add_argument("action_execution", help="action execution ID")

    for name, handler, summary in (
        ("action-execution-get-output", get_output, "Show action execution output data."),
        ("action-execution-get-input", get_input, "Show action execution input data."),
    ):
        parser = add_command(subparsers, name, handler, summary)
        parser.add_argument("id", help="action execution ID")

    parser = add_command(subparsers, "action-execution-update", update,
                         "Update specific action execution (report an async result).",
                         output=True)
    parser.add_argument("id", help="action execution ID")
    parser.add_argument("--state", choices=("PAUSED", "RUNNING", "SUCCESS", "ERROR",
                                            "CANCELLED"), help="action execution state")
    parser.add_argument("--output", help="action execution output: a JSON file or JSON text")

    parser = add_command(subparsers, "run-action", run_action,
                         "Create new action execution or just run a specific action.",
                         output=True)
    parser.add_argument("name", help="action name to execute")
    parser.add_argument("input", nargs="?", help="action input: a JSON file or JSON text")
    parser.add_argument("-s", "--save-result", action="store_true",
                        help="save the result into the database")
    parser.add_argument("--run-sync", action="store_true", help="run the action synchronously")
    parser.add_argument("-t", "--target", help="run the action on this executor")
    parser.add_argument("--namespace", nargs="?", default="", help="namespace of the action")


def list_action_executions(client: ApiClient, args: argparse.Namespace) -> int:
    """List action executions (of one task execution when given)."""
    path = (f"tasks/{args.task_execution_id}/action_executions" if args.task_execution_id
            else "action_executions")
    items = list_newest(client, args, path, "action_executions")
    print_list(args, LIST_COLUMNS, items, sys.stdout)
    return 0


def get(client: ApiClient, args: argparse.Namespace) -> int:
    """Show one action execution."""
    print_one(args, COLUMNS, client.get(f"action_executions/{args.action_execution}"),
              sys.stdout)
    return 0


def get_output(client: ApiClient, args: argparse.Namespace) -> int:
    """Print the action execution's output as indented JSON."""
    print_text(client.get(f"action_executions/{args.id}").get("output"), sys.stdout)
    return 0


def get_input(client: ApiClient, args: argparse.Namespace) -> int:
    """Print the action execution's input as indented JSON."""
    print_text(client.get(f"action_executions/{args.id}").get("input"), sys.stdout)
    return 0


def update(client: ApiClient, args: argparse.Namespace) -> int:
    """Report the state and output of an asynchronous action."""
    output = load_json(args.output, "--output")
    if not args.state and output is None:
        raise ValueError("give --state or --output (or both)")
    body: dict[str, Any] = {}
    if args.state:
        body["state"] = args.state
    if output is not None:
        body["output"] = output
    print_one(args, COLUMNS, client.put(f"action_executions/{args.id}", json=body), sys.stdout)
    return 0


def run_action(client: ApiClient, args: argparse.Namespace) -> int:
    """Run an action; print its output, or the saved action execution when run async."""
    body: dict[str, Any] = {"name": args.name}
    action_input = load_json_object(args.input, "action input")
    if action_input:
        body["input"] = json.dumps(action_input)
    params: dict[str, Any] = {}
    if args.save_result:
        params["save_result"] = True
    if args.run_sync:
        params["run_sync"] = True
    if args.target:
        params["target"] = args.target
    if params:
        body["params"] = json.dumps(params)
    if args.namespace:
        body["workflow_namespace"] = args.namespace
    execution = client.post("action_executions", json=body)
    if args.save_result and not args.run_sync:
        print_one(args, COLUMNS, execution, sys.stdout)
    else:
        print(execution.get("output"))
    return 0
