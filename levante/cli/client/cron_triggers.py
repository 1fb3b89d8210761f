"""``levante cron-trigger-*``: cron triggers, as the ``mistral`` CLI has them."""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

from levante.cli.client.base import (
    UsageError,
    act_on_many,
    add_command,
    add_list_arguments,
    list_query,
    load_json_object,
)
from levante.cli.client.http import ApiClient
from levante.cli.client.output import Column, print_list, print_one

COLUMNS = (
    Column("Name", "name"),
    Column("Workflow", "workflow_name"),
    Column("Params", "workflow_params"),
    Column("Pattern", "pattern"),
    Column("Next execution time", "next_execution_time"),
    Column("Remaining executions", "remaining_executions"),
    Column("Created at", "created_at"),
    Column("Updated at", "updated_at"),
)
FIRST_TIME_FORMAT = "%Y-%m-%d %H:%M"


def register(subparsers: Any) -> None:
    """Add ``cron-trigger-create/list/get/delete``."""
    parser = add_command(subparsers, "cron-trigger-create", create, "Create new trigger.",
                         output=True)
    parser.add_argument("name", help="cron trigger name")
    parser.add_argument("workflow_identifier", help="workflow name or ID")
    parser.add_argument("workflow_input", nargs="?",
                        help="workflow input: a JSON file or JSON text")
    parser.add_argument("--params", help="workflow params: a JSON file or JSON text")
    parser.add_argument("--pattern", metavar="<* * * * *>", help="cron pattern")
    parser.add_argument("--first-time", metavar="<YYYY-MM-DD HH:MM>",
                        help="date and time of the first execution (local time unless --utc)")
    parser.add_argument("--count", type=int, metavar="<integer>",
                        help="number of wanted executions")
    parser.add_argument("--utc", action="store_true", help="times given are UTC")

    parser = add_command(subparsers, "cron-trigger-list", list_triggers,
                         "List all cron triggers.", output=True)
    add_list_arguments(parser)

    parser = add_command(subparsers, "cron-trigger-get", get, "Show specific cron trigger.",
                         output=True)
    parser.add_argument("cron_trigger", help="cron trigger name")

    parser = add_command(subparsers, "cron-trigger-delete", delete, "Delete trigger(s).")
    parser.add_argument("cron_trigger", nargs="+", help="name of cron trigger(s)")


def _to_utc(text: str | None, utc: bool) -> str | None:
    """``--first-time`` in UTC (the server's time), converted from local time unless ``utc``."""
    if not text:
        return None
    try:
        moment = datetime.strptime(text, FIRST_TIME_FORMAT)
    except ValueError:
        raise UsageError(f"--first-time {text!r}: write it as YYYY-MM-DD HH:MM") from None
    if utc:
        return moment.strftime(FIRST_TIME_FORMAT)
    offset = -(time.altzone if time.daylight and time.localtime().tm_isdst > 0 else time.timezone)
    return (moment - timedelta(seconds=offset)).strftime(FIRST_TIME_FORMAT)


def create(client: ApiClient, args: argparse.Namespace) -> int:
    """Create a cron trigger for a workflow."""
    body: dict[str, Any] = {
        "name": args.name,
        "pattern": args.pattern,
        "first_execution_time": _to_utc(args.first_time, args.utc),
        "remaining_executions": args.count,
    }
    try:
        uuid.UUID(args.workflow_identifier)
        body["workflow_id"] = args.workflow_identifier
    except ValueError:
        body["workflow_name"] = args.workflow_identifier
    workflow_input = load_json_object(args.workflow_input, "workflow input")
    if workflow_input:
        body["workflow_input"] = json.dumps(workflow_input)
    params = load_json_object(args.params, "--params")
    if params:
        body["workflow_params"] = json.dumps(params)
    print_one(args, COLUMNS, client.post("cron_triggers", json=body), sys.stdout)
    return 0


def list_triggers(client: ApiClient, args: argparse.Namespace) -> int:
    """List cron triggers."""
    items = client.list("cron_triggers", "cron_triggers", list_query(args, COLUMNS))
    print_list(args, COLUMNS, items, sys.stdout)
    return 0


def get(client: ApiClient, args: argparse.Namespace) -> int:
    """Show one cron trigger."""
    print_one(args, COLUMNS, client.get(f"cron_triggers/{args.cron_trigger}"), sys.stdout)
    return 0


def delete(client: ApiClient, args: argparse.Namespace) -> int:
    """Delete each named cron trigger."""
    return act_on_many(
        args.cron_trigger,
        lambda name: client.delete(f"cron_triggers/{name}"),
        "Request to delete cron trigger %s has been accepted.",
        "Unable to delete the specified cron trigger(s).",
    )
