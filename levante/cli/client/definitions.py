"""What ``workflow-*`` and ``workbook-*`` share: list, get, delete and validate one collection.

Both resources are YAML definitions behind a REST collection
(``/v2/workflows``, ``/v2/workbooks``); their commands differ in columns,
words and in what create and update answer, which stay in
:mod:`~levante.cli.client.workflows` and :mod:`~levante.cli.client.workbooks`.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

from levante.cli.client.base import act_on_many, list_query, send_definition
from levante.cli.client.http import ApiClient
from levante.cli.client.output import Column, print_list, print_one

#: What ``workflow-validate`` and ``workbook-validate`` show.
VALIDATION_COLUMNS = (Column("Valid", "valid"), Column("Error", "error"))


def scope(args: argparse.Namespace) -> str:
    """The REST ``scope`` of ``--public``."""
    return "public" if args.public else "private"


@dataclass(frozen=True)
class DefinitionCommands:
    """The handlers common to one kind of definition, bound to its REST collection.

    ``noun`` (``workflow``, ``workbook``) is also the name of the positional
    argument of ``get`` and ``delete``.
    """

    noun: str
    collection: str
    columns: tuple[Column, ...]

    def list(self, client: ApiClient, args: argparse.Namespace) -> int:
        """List the collection (paging, sorting and filters from the list options)."""
        query = list_query(args, self.columns)
        print_list(args, self.columns, client.list(self.collection, self.collection, query),
                   sys.stdout)
        return 0

    def get(self, client: ApiClient, args: argparse.Namespace) -> int:
        """Show one definition's attributes."""
        resource = client.get(f"{self.collection}/{getattr(args, self.noun)}",
                              {"namespace": args.namespace})
        print_one(args, self.columns, resource, sys.stdout)
        return 0

    def delete(self, client: ApiClient, args: argparse.Namespace) -> int:
        """Delete each one named, reporting each as ``mistral`` does."""
        return act_on_many(
            getattr(args, self.noun),
            lambda name: client.delete(f"{self.collection}/{name}", {"namespace": args.namespace}),
            f"Request to delete {self.noun} %s has been accepted.",
            f"Unable to delete the specified {self.noun}(s).",
        )

    def validate(self, client: ApiClient, args: argparse.Namespace) -> int:
        """Ask the server whether the definition is valid (exit 0 either way, as ``mistral``)."""
        result = send_definition(client, "POST", f"{self.collection}/validate", args.definition)
        print_one(args, VALIDATION_COLUMNS, result, sys.stdout)
        return 0
