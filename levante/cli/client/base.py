"""What every Mistral-named command shares: ``--url``, list paging, input files, errors.

A command is a handler ``(client, args) -> exit status`` registered with
:func:`add_command`; the wrapper opens the client, and turns a refusal from
the server (its ``faultstring``), an unreachable server or an unusable
argument into one line on stderr and exit status 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml

from levante.cli.client.http import ApiClient, ClientError, ServerError, server_url
from levante.cli.client.output import Column, add_output_arguments, api_fields

Handler = Callable[[ApiClient, argparse.Namespace], int | None]

#: Page size of the execution, task and action-execution lists, as in ``mistral``.
EXECUTION_LIST_LIMIT = 100


class UsageError(ClientError):
    """An argument that cannot be used (unreadable file, invalid JSON), with the reason."""


def add_command(
    subparsers: Any, name: str, handler: Handler, summary: str, *, output: bool = False
) -> argparse.ArgumentParser:
    """Add sub-command ``name`` running ``handler``; ``output`` adds ``-f`` and ``-c``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name, help=summary, description=summary
    )
    parser.add_argument(
        "--url", default=None,
        help="Levante server URL, with or without /v2 (default: $LEVANTE_URL, else "
        "http://127.0.0.1:8989)",
    )
    if output:
        add_output_arguments(parser)
    parser.set_defaults(func=_runner(name, handler))
    return parser


def _runner(name: str, handler: Handler) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            with ApiClient(server_url(args.url)) as client:
                return int(handler(client, args) or 0)
        except (ClientError, ValueError) as error:
            print(f"levante {name}: {error}", file=sys.stderr)
            return 1

    return run


def add_list_arguments(parser: argparse.ArgumentParser, *, executions: bool = False) -> None:
    """Mistral's list options: ``--marker --limit --sort_keys --sort_dirs --filter``."""
    parser.add_argument("--marker", default="", nargs="?",
                        help="id of the last item of the previous page")
    parser.add_argument("--limit", type=int, nargs="?",
                        default=EXECUTION_LIST_LIMIT if executions else None,
                        help="maximum number of items")
    parser.add_argument("--sort_keys", default="created_at", nargs="?",
                        help="comma-separated sort keys (default: created_at)")
    parser.add_argument("--sort_dirs", default="asc", nargs="?",
                        help="comma-separated sort directions (default: asc)")
    parser.add_argument("--filter", dest="filters", action="append", default=[],
                        metavar="FIELD=VALUE",
                        help="filter, e.g. state=ERROR or created_at=gt:2024-01-01; repeatable")
    if executions:
        parser.add_argument("--oldest", action="store_true",
                            help="show the oldest entries instead of the newest")


def list_query(args: argparse.Namespace, columns: Sequence[Column] | None = None) -> dict[str, Any]:
    """The query string of a list command (paging, sorting, filters, fields)."""
    query: dict[str, Any] = {
        "marker": args.marker or None,
        "limit": args.limit if args.limit and args.limit > 0 else None,
        "sort_keys": args.sort_keys or None,
        "sort_dirs": args.sort_dirs or None,
    }
    if columns:
        query["fields"] = ",".join(api_fields(columns))
    for item in args.filters:
        field, sep, value = item.partition("=")
        if not sep or not field:
            raise UsageError(f"invalid filter {item!r}: write FIELD=VALUE, e.g. state=ERROR")
        query[field] = value
    return query


def list_newest(
    client: ApiClient, args: argparse.Namespace, path: str, collection: str,
    columns: Sequence[Column] | None = None, extra: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """A list of executions: the newest page, shown oldest first, unless paging is asked for."""
    newest = (not args.marker and args.sort_dirs == "asc" and args.sort_keys == "created_at"
              and not args.oldest)
    query = list_query(args, columns)
    if newest:
        query["sort_dirs"] = "desc"
    query.update(extra or {})
    items = client.list(path, collection, query)
    if newest:
        items.reverse()
    return items


def read_text(path: str) -> str:
    """The text of a definition or data file."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise UsageError(f"{path} is not UTF-8 text: {error}") from None


def send_definition(
    client: ApiClient, method: str, path: str, file: str, query: dict[str, Any] | None = None
) -> Any:
    """Send a definition file as text; the server's messages name the file, not ``<text>``."""
    text = read_text(file)
    try:
        answer = client.request(method, path, text=text, query=query)
    except ServerError as error:
        raise ServerError(error.status, error.message.replace("<text>", file)) from None
    if isinstance(answer, dict) and isinstance(answer.get("error"), str):
        answer = {**answer, "error": answer["error"].replace("<text>", file)}
    return answer


def load_json(value: str | None, what: str) -> Any:
    """A JSON argument: a file holding JSON, or JSON text itself (as ``mistral`` takes it)."""
    if not value:
        return None
    path = Path(value)
    text = read_text(value) if path.is_file() else value
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        source = str(path) if path.is_file() else "the argument"
        raise UsageError(
            f"{what}: {source} is neither an existing file nor valid JSON "
            f"({error.msg} at line {error.lineno}, column {error.colno})"
        ) from None


def load_json_object(value: str | None, what: str) -> dict[str, Any]:
    """Like :func:`load_json`, and the value must be an object (``{}`` when absent)."""
    data = load_json(value, what)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UsageError(f"{what}: expected a JSON object, got {type(data).__name__}")
    return data


def load_content(text: str, what: str) -> Any:
    """YAML or JSON text (JSON is YAML); ``{}`` for empty text."""
    if not text.strip():
        return {}
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise UsageError(f"{what} is neither valid YAML nor JSON: {error}") from None


def load_file_or_content(value: str | None, what: str) -> Any:
    """A YAML/JSON argument that may be a file name (``--env`` of rerun and update)."""
    if not value:
        return None
    text = read_text(value) if Path(value).is_file() else value
    return load_content(text, what)


def act_on_many(
    names: Iterable[str], action: Callable[[str], None], accepted: str, failed: str
) -> int:
    """Run ``action`` on each name, reporting each; 1 if any failed (as ``mistral`` does)."""
    ok = True
    for name in names:
        try:
            action(name)
            print(accepted % name)
        except ClientError as error:
            ok = False
            print(f"{name}: {error}", file=sys.stderr)
    if not ok:
        print(failed, file=sys.stderr)
        return 1
    return 0
