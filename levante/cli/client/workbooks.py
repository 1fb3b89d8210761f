"""``levante workbook-*``: workbooks, as the ``mistral`` CLI has them."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from levante.cli.client.base import add_command, add_list_arguments, send_definition
from levante.cli.client.definitions import DefinitionCommands, scope
from levante.cli.client.http import ApiClient
from levante.cli.client.output import Column, print_one, tags_of

COLUMNS = (
    Column("Name", "name"),
    Column("Namespace", "namespace"),
    Column("Tags", "tags", tags_of),
    Column("Scope", "scope"),
    Column("Created at", "created_at"),
    Column("Updated at", "updated_at"),
)
WORKBOOKS = DefinitionCommands("workbook", "workbooks", COLUMNS)


def register(subparsers: Any) -> None:
    """Add ``workbook-create/list/get/get-definition/update/delete/validate``."""
    parser = add_command(subparsers, "workbook-create", create, "Create new workbook.",
                         output=True)
    parser.add_argument("definition", help="workbook definition file (YAML)")
    parser.add_argument("--public", action="store_true", help="mark the workbook public")
    parser.add_argument("--namespace", nargs="?", default="",
                        help="namespace to create the workbook within")

    parser = add_command(subparsers, "workbook-list", WORKBOOKS.list, "List all workbooks.",
                         output=True)
    add_list_arguments(parser)

    parser = add_command(subparsers, "workbook-get", WORKBOOKS.get, "Show specific workbook.",
                         output=True)
    parser.add_argument("workbook", help="workbook name")
    parser.add_argument("--namespace", nargs="?", default="",
                        help="namespace to get the workbook from")

    parser = add_command(subparsers, "workbook-get-definition", get_definition,
                         "Show workbook definition.")
    parser.add_argument("name", help="workbook name")

    parser = add_command(subparsers, "workbook-update", update, "Update workbook.",
                         output=True)
    parser.add_argument("definition", help="workbook definition file (YAML)")
    parser.add_argument("--namespace", nargs="?", default=None,
                        help="namespace to update the workbook in")
    parser.add_argument("--public", action="store_true", help="mark the workbook public")

    parser = add_command(subparsers, "workbook-delete", WORKBOOKS.delete, "Delete workbook(s).")
    parser.add_argument("workbook", nargs="+", help="name of workbook(s)")
    parser.add_argument("--namespace", nargs="?", default=None,
                        help="namespace to delete the workbook(s) from")

    parser = add_command(subparsers, "workbook-validate", WORKBOOKS.validate,
                         "Validate workbook.", output=True)
    parser.add_argument("definition", help="workbook definition file (YAML)")


def create(client: ApiClient, args: argparse.Namespace) -> int:
    """POST the workbook's text."""
    return _send(client, args, "POST")


def get_definition(client: ApiClient, args: argparse.Namespace) -> int:
    """Print the workbook's YAML text."""
    sys.stdout.write(client.get(f"workbooks/{args.name}").get("definition") or "\n")
    return 0


def update(client: ApiClient, args: argparse.Namespace) -> int:
    """PUT the workbook's new text."""
    return _send(client, args, "PUT")


def _send(client: ApiClient, args: argparse.Namespace, method: str) -> int:
    resource = send_definition(client, method, "workbooks", args.definition,
                               {"scope": scope(args), "namespace": args.namespace})
    print_one(args, COLUMNS, resource, sys.stdout)
    return 0
