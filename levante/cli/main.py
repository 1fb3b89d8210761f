"""The ``levante`` command: one sub-command per module in ``COMMAND_MODULES``.

Each module exposes ``register(subparsers)``, which adds its sub-command(s) and
sets ``func`` (called with the parsed arguments, returning the exit status).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

COMMAND_MODULES: tuple[str, ...] = (
    "levante.cli.validate",
    "levante.cli.server",
    "levante.cli.cluster",
    "levante.cli.run",
    "levante.cli.lab",
    "levante.cli.client.workflows",
    "levante.cli.client.workbooks",
    "levante.cli.client.executions",
    "levante.cli.client.tasks",
    "levante.cli.client.action_executions",
    "levante.cli.client.actions",
    "levante.cli.client.cron_triggers",
    "levante.cli.client.environments",
    "levante.cli.client.items",
)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, with every registered sub-command."""
    parser = argparse.ArgumentParser(
        prog="levante",
        description="Levante: Mistral-compatible workflows for IT operations.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``levante`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
