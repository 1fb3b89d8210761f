"""The ``levante`` command: one sub-command per entry of :data:`levante.cli.commands.COMMANDS`.

Only the command being run gets its real parser (its module's ``register``
adds its arguments and sets ``func``, called with the parsed arguments and
returning the exit status); the others are stand-ins that carry their name
and help, which is all ``levante --help`` shows. So start-up imports one
command's module, not all of them.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Any

from levante.cli.commands import COMMANDS


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; of the sub-commands, only ``command`` (if any) gets its arguments."""
    parser = argparse.ArgumentParser(
        prog="levante",
        description="Levante: Mistral-compatible workflows for IT operations.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for entry in COMMANDS:
        if entry.name == command:
            _register_one(subparsers, entry.name, entry.module)
        else:
            subparsers.add_parser(entry.name, help=entry.help, add_help=False)
    return parser


class _OneCommand:
    """What a module's ``register`` is given as its subparsers: only one of its commands is kept.

    The module's other commands get parsers of their own that are thrown away,
    so that ``register`` runs unchanged.
    """

    def __init__(self, subparsers: Any, name: str) -> None:
        self._subparsers = subparsers
        self._name = name
        self.added = False

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        """The real sub-parser for the kept command, a throw-away one for the others."""
        if name != self._name:
            return argparse.ArgumentParser(add_help=False)
        self.added = True
        parser: argparse.ArgumentParser = self._subparsers.add_parser(name, **kwargs)
        return parser


def _register_one(subparsers: Any, name: str, module: str) -> None:
    one = _OneCommand(subparsers, name)
    importlib.import_module(module).register(one)
    if not one.added:
        # The table and the module disagree: a bug of levante's, not of the user's.
        raise LookupError(f"levante.cli.commands lists {name!r} in {module}, "
                          "whose register() does not add it")


def command_named(argv: Sequence[str]) -> str | None:
    """The sub-command ``argv`` names: its first word that is not an option.

    ``levante`` itself has no option but ``-h``, so nothing before the command
    takes a value.
    """
    return next((word for word in argv if not word.startswith("-")), None)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``levante`` console script."""
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(command_named(words))
    args = parser.parse_args(words)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
