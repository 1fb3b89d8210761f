"""How the Mistral-named commands print resources: tables, JSON, YAML or bare values.

A command describes its columns once (:class:`Column`: a heading, the API
field it reads, how it is shown); :func:`print_list` and :func:`print_one`
render resources in the format chosen with ``-f`` and keep only the
``-c`` columns. Headings are Mistral's, so ``-c 'State info'`` and the JSON
keys of ``-f json`` are the same as with the ``mistral`` CLI.
"""

from __future__ import annotations

import argparse
import json
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

import yaml

FORMATS = ("table", "json", "yaml", "value")

Resource = dict[str, Any]


@dataclass(frozen=True)
class Column:
    """One column: its heading, the API field it comes from, and how it is shown."""

    heading: str
    field: str | None
    show: Callable[[Resource, bool], Any] | None = None

    def value(self, resource: Resource, *, lister: bool) -> Any:
        """The cell for ``resource`` (``lister``: shortened for a list)."""
        if self.show is not None:
            return self.show(resource, lister)
        return resource.get(self.field) if self.field else None


def api_fields(columns: Sequence[Column]) -> list[str]:
    """The API fields the columns read (for a list's ``fields`` query)."""
    return [c.field for c in columns if c.field]


def cut(text: Any, length: int = 25) -> Any:
    """Shorten a long text for a list, as Mistral does (``first 25 chars...``)."""
    if isinstance(text, str) and len(text) > length:
        return f"{text[:length]}..."
    return text


def wrap(text: str, width: int = 25) -> str:
    """Break a long text into lines of ``width``."""
    return textwrap.fill(text, width) if len(text) > width else text


def tags_of(resource: Resource, _lister: bool = False) -> str:
    """The ``Tags`` cell: comma-separated, ``<none>`` when there are none."""
    return wrap(", ".join(resource.get("tags") or [])) or "<none>"


def or_none(field: str) -> Callable[[Resource, bool], Any]:
    """A cell showing ``<none>`` for an empty value."""
    return lambda resource, _lister: resource.get(field) or "<none>"


def cut_in_list(field: str) -> Callable[[Resource, bool], Any]:
    """A cell shown in full by a show command and cut in a list."""
    return lambda resource, lister: cut(resource.get(field)) if lister else resource.get(field)


def add_output_arguments(parser: argparse.ArgumentParser) -> None:
    """``-f/--format`` and ``-c/--column``, as the ``mistral`` CLI has them."""
    group = parser.add_argument_group("output")
    group.add_argument(
        "-f", "--format", dest="output_format", choices=FORMATS, default="table",
        help="output format (default: table)",
    )
    group.add_argument(
        "-c", "--column", dest="columns", action="append", default=[], metavar="COLUMN",
        help="show only this column (by its heading); repeat for several",
    )


def _selected(columns: Sequence[Column], wanted: Sequence[str]) -> list[Column]:
    if not wanted:
        return list(columns)
    by_heading = {c.heading.lower(): c for c in columns}
    by_field = {c.field.lower(): c for c in columns if c.field}
    chosen: list[Column] = []
    for name in wanted:
        column = by_heading.get(name.lower()) or by_field.get(name.lower())
        if column is None:
            choices = ", ".join(repr(c.heading) for c in columns)
            raise ValueError(f"no column {name!r}; the columns are {choices}")
        chosen.append(column)
    return chosen


def print_list(
    args: argparse.Namespace, columns: Sequence[Column], resources: Sequence[Resource],
    stream: TextIO,
) -> None:
    """Print resources as a list (one row each)."""
    chosen = _selected(columns, args.columns)
    rows = [[c.value(r, lister=True) for c in chosen] for r in resources]
    headings = [c.heading for c in chosen]
    fmt = args.output_format
    if fmt == "json":
        stream.write(json.dumps([dict(zip(headings, row, strict=True)) for row in rows],
                                indent=2, default=str) + "\n")
    elif fmt == "yaml":
        stream.write(yaml.safe_dump([dict(zip(headings, row, strict=True)) for row in rows],
                                    sort_keys=False, default_flow_style=False, allow_unicode=True))
    elif fmt == "value":
        for row in rows:
            stream.write(" ".join(_text(v) for v in row) + "\n")
    else:
        stream.write(box_table(headings, rows) + "\n")


def print_one(
    args: argparse.Namespace, columns: Sequence[Column], resource: Resource, stream: TextIO
) -> None:
    """Print one resource as a Field/Value table (or a JSON/YAML object)."""
    chosen = _selected(columns, args.columns)
    pairs = [(c.heading, c.value(resource, lister=False)) for c in chosen]
    fmt = args.output_format
    if fmt == "json":
        stream.write(json.dumps(dict(pairs), indent=2, default=str) + "\n")
    elif fmt == "yaml":
        stream.write(yaml.safe_dump(dict(pairs), sort_keys=False, default_flow_style=False,
                                    allow_unicode=True))
    elif fmt == "value":
        for _, value in pairs:
            stream.write(_text(value) + "\n")
    else:
        stream.write(box_table(["Field", "Value"], [list(p) for p in pairs]) + "\n")


def _text(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, dict | list):
        return json.dumps(value, default=str)
    return str(value)


def box_table(headings: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A table framed with ``+---+`` rules; cells may span several lines."""
    cells = [[_text(v).splitlines() or [""] for v in row] for row in rows]
    head = [[h] for h in headings]
    widths = [
        max(len(line) for row in [head, *cells] for line in row[i]) for i in range(len(headings))
    ]
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    out = [rule, *_row_lines(head, widths), rule]
    for row in cells:
        out.extend(_row_lines(row, widths))
    if cells:
        out.append(rule)
    return "\n".join(out)


def _row_lines(row: Sequence[list[str]], widths: Sequence[int]) -> list[str]:
    height = max(len(cell) for cell in row)
    lines = []
    for i in range(height):
        parts = [(cell[i] if i < len(cell) else "").ljust(w) for cell, w in zip(row, widths,
                                                                              strict=True)]
        lines.append("| " + " | ".join(parts) + " |")
    return lines


def print_text(value: Any, stream: TextIO) -> None:
    """Print a JSON-string field (input, output, result) pretty, as ``mistral`` does."""
    if value is None or value == "":
        stream.write("\n")
        return
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            stream.write(value + ("" if value.endswith("\n") else "\n"))
            return
    stream.write(json.dumps(value, indent=4) + "\n")
