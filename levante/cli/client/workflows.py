"""``levante workflow-*``: workflow definitions, as the ``mistral`` CLI has them."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from levante.cli.client.base import add_command, add_list_arguments, send_definition
from levante.cli.client.definitions import DefinitionCommands, scope
from levante.cli.client.http import ApiClient
from levante.cli.client.output import Column, cut_in_list, print_list, tags_of

COLUMNS = (
    Column("ID", "id"),
    Column("Name", "name"),
    Column("Namespace", "namespace"),
    Column("Project ID", "project_id"),
    Column("Tags", "tags", tags_of),
    Column("Input", "input", cut_in_list("input")),
    Column("Scope", "scope"),
    Column("Created at", "created_at"),
    Column("Updated at", "updated_at"),
)
WORKFLOWS = DefinitionCommands("workflow", "workflows", COLUMNS)


def register(subparsers: Any) -> None:
    """Add ``workflow-create/list/get/get-definition/update/delete/validate``."""
    parser = add_command(subparsers, "workflow-create", create, "Create new workflow(s).",
                         output=True)
    parser.add_argument("definition", help="workflow definition file (YAML)")
    _namespace(parser, "namespace to create the workflow within")
    parser.add_argument("--public", action="store_true", help="mark the workflow public")

    parser = add_command(subparsers, "workflow-list", WORKFLOWS.list, "List all workflows.",
                         output=True)
    add_list_arguments(parser)

    parser = add_command(subparsers, "workflow-get", WORKFLOWS.get, "Show specific workflow.",
                         output=True)
    parser.add_argument("workflow", help="workflow ID or name")
    _namespace(parser, "namespace to get the workflow from")

    parser = add_command(subparsers, "workflow-get-definition", get_definition,
                         "Show workflow definition.")
    parser.add_argument("identifier", help="workflow ID or name")
    _namespace(parser, "namespace to get the workflow from")

    parser = add_command(subparsers, "workflow-update", update, "Update workflow(s).",
                         output=True)
    parser.add_argument("definition", help="workflow definition file (YAML)")
    parser.add_argument("--id", help="workflow ID")
    _namespace(parser, "namespace of the workflow")
    parser.add_argument("--public", action="store_true", help="mark the workflow public")

    parser = add_command(subparsers, "workflow-delete", WORKFLOWS.delete, "Delete workflow(s).")
    parser.add_argument("workflow", nargs="+", help="name or ID of workflow(s)")
    parser.add_argument("--namespace", nargs="?", default=None,
                        help="namespace to delete the workflow from")

    parser = add_command(subparsers, "workflow-validate", WORKFLOWS.validate,
                         "Validate workflow.", output=True)
    parser.add_argument("definition", help="workflow definition file (YAML)")


def _namespace(parser: argparse.ArgumentParser, text: str) -> None:
    parser.add_argument("--namespace", nargs="?", default="", help=text)


def create(client: ApiClient, args: argparse.Namespace) -> int:
    """POST the definition; list the workflows it created."""
    body = send_definition(client, "POST", "workflows", args.definition,
                           {"scope": scope(args), "namespace": args.namespace})
    print_list(args, COLUMNS, body.get("workflows", []), sys.stdout)
    return 0


def get_definition(client: ApiClient, args: argparse.Namespace) -> int:
    """Print the workflow's YAML text."""
    resource = client.get(f"workflows/{args.identifier}", {"namespace": args.namespace})
    sys.stdout.write(resource.get("definition") or "\n")
    return 0


def update(client: ApiClient, args: argparse.Namespace) -> int:
    """PUT the definition (of one workflow with ``--id``)."""
    query = {"namespace": args.namespace, "scope": scope(args)}
    if args.id:
        resource = send_definition(client, "PUT", f"workflows/{args.id}", args.definition, query)
        print_list(args, COLUMNS, [resource], sys.stdout)
    else:
        body = send_definition(client, "PUT", "workflows", args.definition, query)
        print_list(args, COLUMNS, body.get("workflows", []), sys.stdout)
    return 0
