"""``levante validate FILE...``: check workflow, workbook and ad-hoc action files."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``validate`` sub-command."""
    parser = subparsers.add_parser(
        "validate",
        help="check workflow / workbook / action files without running them",
        description=(
            "Check Workflow Language v2 files (workflows, workbooks, ad-hoc actions). "
            "Prints '<file>: OK' for each valid file and every problem with its "
            "file:line:column otherwise. Exit status 0 when all files are valid, 1 if not."
        ),
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="YAML file(s) to check")
    parser.set_defaults(func=run)


def validate_file(path: str, out: TextIO, err: TextIO) -> bool:
    """Check one file, print the outcome, return whether it is valid."""
    # Imported here so that building the parser does not load the language (and YAQL).
    from levante.lang import ValidationError, parse_any

    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        print(f"{path}: cannot read the file: {exc}", file=out)
        return False
    try:
        parse_any(text, path)
    except ValidationError as exc:
        for error in exc.errors:
            line = str(error)
            if error.location is None:
                line = f"{path}: {line}"
            print(line, file=out)
        return False
    print(f"{path}: OK", file=out)
    return True


def run(args: argparse.Namespace) -> int:
    """Validate every file given; 0 if all are valid, 1 otherwise."""
    results = [validate_file(path, sys.stdout, sys.stderr) for path in args.files]
    return 0 if all(results) else 1
