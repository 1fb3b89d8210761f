"""``levante action-list`` and ``action-get``: system and ad-hoc actions."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from levante.cli.client.base import add_command, add_list_arguments, list_query
from levante.cli.client.http import ApiClient
from levante.cli.client.output import Column, cut_in_list, print_list, print_one, tags_of

COLUMNS = (
    Column("ID", "id"),
    Column("Name", "name"),
    Column("Is system", "is_system"),
    Column("Input", "input", cut_in_list("input")),
    Column("Description", "description", cut_in_list("description")),
    Column("Tags", "tags", tags_of),
    Column("Created at", "created_at"),
    Column("Updated at", "updated_at"),
)


def register(subparsers: Any) -> None:
    """Add ``action-list`` and ``action-get``."""
    parser = add_command(subparsers, "action-list", list_actions, "List all actions.",
                         output=True)
    add_list_arguments(parser)
    parser.add_argument("--namespace", nargs="?", default="", help="namespace of the actions")

    parser = add_command(subparsers, "action-get", get, "Show specific action.", output=True)
    parser.add_argument("action", help="action name or ID")
    parser.add_argument("--namespace", nargs="?", default="", help="namespace of the action")


def list_actions(client: ApiClient, args: argparse.Namespace) -> int:
    """List actions (system ones and ad-hoc ones)."""
    query = list_query(args, COLUMNS)
    if args.namespace:
        query["namespace"] = args.namespace
    print_list(args, COLUMNS, client.list("actions", "actions", query), sys.stdout)
    return 0


def get(client: ApiClient, args: argparse.Namespace) -> int:
    """Show one action."""
    path = f"actions/{args.action}" + (f"/{args.namespace}" if args.namespace else "")
    print_one(args, COLUMNS, client.get(path), sys.stdout)
    return 0
