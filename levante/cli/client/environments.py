"""``levante environment-*``: environments, as the ``mistral`` CLI has them."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from levante.cli.client.base import (
    UsageError,
    act_on_many,
    add_command,
    add_list_arguments,
    list_query,
    load_content,
    read_text,
)
from levante.cli.client.http import ApiClient
from levante.cli.client.output import Column, print_list, print_one


def _variables(resource: dict[str, Any], _lister: bool) -> str:
    variables = resource.get("variables")
    if isinstance(variables, str):
        try:
            variables = json.loads(variables)
        except ValueError:
            return variables
    return json.dumps(variables, indent=4)


COLUMNS = (
    Column("Name", "name"),
    Column("Description", "description", lambda r, _l: r.get("description") or "<none>"),
    Column("Variables", "variables", _variables),
    Column("Scope", "scope"),
    Column("Created at", "created_at"),
    Column("Updated at", "updated_at", lambda r, _l: r.get("updated_at") or "<none>"),
)
#: Lists leave out the variables, as ``mistral`` does.
LIST_COLUMNS = tuple(c for c in COLUMNS if c.field != "variables")
EXPORT_COLUMNS = (
    Column("name", "name"),
    Column("description", "description"),
    Column("scope", "scope"),
    Column("variables", "variables", lambda r, _l: json.dumps(_parsed(r.get("variables")))),
)


def register(subparsers: Any) -> None:
    """Add ``environment-create/list/get/update/delete``."""
    parser = add_command(subparsers, "environment-create", create, "Create new environment.",
                         output=True)
    parser.add_argument("file", help="environment file in JSON or YAML")

    parser = add_command(subparsers, "environment-list", list_environments,
                         "List all environments.", output=True)
    add_list_arguments(parser)

    parser = add_command(subparsers, "environment-get", get, "Show specific environment.",
                         output=True)
    parser.add_argument("environment", help="environment name")
    parser.add_argument("--export", action="store_true",
                        help="show the environment in a form suitable for import")

    parser = add_command(subparsers, "environment-update", update, "Update environment.",
                         output=True)
    parser.add_argument("file", help="environment file in JSON or YAML")

    parser = add_command(subparsers, "environment-delete", delete, "Delete environment(s).")
    parser.add_argument("environment", nargs="+", help="name of environment(s)")


def _parsed(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _body(path: str, *, require_variables: bool) -> dict[str, Any]:
    data = load_content(read_text(path), path)
    if not isinstance(data, dict):
        raise UsageError(f"{path}: expected a mapping with name and variables")
    if not data.get("name"):
        raise UsageError(f"{path}: the environment needs a name")
    if require_variables and not data.get("variables"):
        raise UsageError(f"{path}: the environment needs variables")
    if isinstance(data.get("variables"), dict):
        data["variables"] = json.dumps(data["variables"])
    return data


def create(client: ApiClient, args: argparse.Namespace) -> int:
    """Create an environment from a JSON or YAML file."""
    resource = client.post("environments", json=_body(args.file, require_variables=True))
    print_one(args, COLUMNS, resource, sys.stdout)
    return 0


def list_environments(client: ApiClient, args: argparse.Namespace) -> int:
    """List environments (without their variables)."""
    items = client.list("environments", "environments", list_query(args, LIST_COLUMNS))
    print_list(args, LIST_COLUMNS, items, sys.stdout)
    return 0


def get(client: ApiClient, args: argparse.Namespace) -> int:
    """Show one environment (``--export``: as a file for environment-create)."""
    resource = client.get(f"environments/{args.environment}")
    print_one(args, EXPORT_COLUMNS if args.export else COLUMNS, resource, sys.stdout)
    return 0


def update(client: ApiClient, args: argparse.Namespace) -> int:
    """Update an environment from a JSON or YAML file."""
    resource = client.put("environments", json=_body(args.file, require_variables=False))
    print_one(args, COLUMNS, resource, sys.stdout)
    return 0


def delete(client: ApiClient, args: argparse.Namespace) -> int:
    """Delete each named environment."""
    return act_on_many(
        args.environment,
        lambda name: client.delete(f"environments/{name}"),
        "Request to delete environment %s has been accepted.",
        "Unable to delete the specified environment(s).",
    )
