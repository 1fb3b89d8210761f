"""``levante workbook-*``: workbooks, as the ``mistral`` CLI has them."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from levante.cli.client.base import (
    act_on_many,
    add_command,
    add_list_arguments,
    list_query,
    send_definition,
)
from levante.cli.client.http import ApiClient
from levante.cli.client.output import Column, print_list, print_one, tags_of
from levante.cli.client.workflows import VALIDATION_COLUMNS

COLUMNS = (
    Column("Name", "name"),
    Column("Namespace", "namespace"),
    Column("Tags", "tags", tags_of),
    Column("Scope", "scope"),
    Column("Created at", "created_at"),
    Column("Updated at", "updated_at"),
)


def register(subparsers: Any) -> None:
    """Add ``workbook-create/list/get/get-definition/update/delete/validate``."""
    parser = add_command(subparsers, "workbook-create", create, "Create new workbook.",
                         output=True)
    parser.add_argument("definition", help="workbook definition file (YAML)")
    parser.add_argument("--public", action="store_true", help="mark the workbook public")
    parser.add_argument("--namespace", nargs="?", default="",
                        help="namespace to create the workbook within")

    parser = add_command(subparsers, "workbook-list", list_workbooks, "List all workbooks.",
                         output=True)
    add_list_arguments(parser)

    parser = add_command(subparsers, "workbook-get", get, "Show specific workbook.",
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

    parser = add_command(subparsers, "workbook-delete", delete, "Delete workbook(s).")
    parser.add_argument("workbook", nargs="+", help="name of workbook(s)")
    parser.add_argument("--namespace", nargs="?", default=None,
                        help="namespace to delete the workbook(s) from")

    parser = add_command(subparsers, "workbook-validate", validate, "Validate workbook.",
                         output=True)
    parser.add_argument("definition", help="workbook definition file (YAML)")


def _scope(args: argparse.Namespace) -> str:
    return "public" if args.public else "private"


def create(client: ApiClient, args: argparse.Namespace) -> int:
    """POST the workbook's text."""
    resource = send_definition(client, "POST", "workbooks", args.definition,
                               {"scope": _scope(args), "namespace": args.namespace})
    print_one(args, COLUMNS, resource, sys.stdout)
    return 0


def list_workbooks(client: ApiClient, args: argparse.Namespace) -> int:
    """List workbooks."""
    print_list(args, COLUMNS, client.list("workbooks", "workbooks", list_query(args, COLUMNS)),
               sys.stdout)
    return 0


def get(client: ApiClient, args: argparse.Namespace) -> int:
    """Show one workbook."""
    resource = client.get(f"workbooks/{args.workbook}", {"namespace": args.namespace})
    print_one(args, COLUMNS, resource, sys.stdout)
    return 0


def get_definition(client: ApiClient, args: argparse.Namespace) -> int:
    """Print the workbook's YAML text."""
    sys.stdout.write(client.get(f"workbooks/{args.name}").get("definition") or "\n")
    return 0


def update(client: ApiClient, args: argparse.Namespace) -> int:
    """PUT the workbook's new text."""
    resource = send_definition(client, "PUT", "workbooks", args.definition,
                              {"scope": _scope(args), "namespace": args.namespace})
    print_one(args, COLUMNS, resource, sys.stdout)
    return 0


def delete(client: ApiClient, args: argparse.Namespace) -> int:
    """Delete each named workbook (its workflows stay, as in Mistral)."""
    return act_on_many(
        args.workbook,
        lambda name: client.delete(f"workbooks/{name}", {"namespace": args.namespace}),
        "Request to delete workbook %s has been accepted.",
        "Unable to delete the specified workbook(s).",
    )


def validate(client: ApiClient, args: argparse.Namespace) -> int:
    """Ask the server whether the workbook is valid."""
    result = send_definition(client, "POST", "workbooks/validate", args.definition)
    print_one(args, VALIDATION_COLUMNS, result, sys.stdout)
    return 0
