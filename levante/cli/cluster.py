"""``levante cluster-status``: the cluster's nodes, roles, heartbeats and the work each holds.

Asks a server's ``GET /v2/cluster`` (``--url``), or with ``--db`` reads the
database directly (useful when no node serves the API).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from levante.cli.client.base import add_command
from levante.cli.client.http import ApiClient
from levante.cli.client.output import Column, print_list

COLUMNS = (
    Column("ID", "id"),
    Column("Host", "host"),
    Column("PID", "pid"),
    Column("Roles", "roles", lambda r, _lister: ",".join(r["roles"])),
    Column("Executor name", "executor_name", lambda r, _lister: r["executor_name"] or ""),
    Column("Heartbeat at", "heartbeat_at"),
    Column("Heartbeat age (s)", "heartbeat_age", lambda r, _lister: f"{r['heartbeat_age']:.1f}"),
    Column("Alive", "alive", lambda r, _lister: "yes" if r["alive"] else "NO (being taken over)"),
    Column("Claimed actions", "claimed_actions"),
    Column("Claimed timers", "claimed_timers"),
)


def register(subparsers: Any) -> None:
    """Add ``cluster-status``."""
    parser = add_command(
        subparsers, "cluster-status", show_status,
        "Show the cluster's nodes: roles, executor names, heartbeats and the work each holds.",
        output=True,
    )
    parser.add_argument(
        "--db", default=None, metavar="URL",
        help="read this database directly instead of asking a server",
    )
    parser.set_defaults(func=_dispatch(parser.get_default("func")))


def _dispatch(through_api: Any) -> Any:
    """``--db`` reads the database; otherwise the command asks the server."""

    def run(args: argparse.Namespace) -> int:
        if args.db:
            return _from_database(args)
        return int(through_api(args))

    return run


def show_status(client: ApiClient, args: argparse.Namespace) -> int:
    """Print the status a server reports."""
    _print(args, client.get("/cluster"))
    return 0


def _from_database(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from levante.api.cluster import read_cluster_status
    from levante.store import Database

    database = Database(args.db)
    try:
        with database.read() as session:
            status = read_cluster_status(session).as_dict()
    except SQLAlchemyError as error:
        reason = str(error).splitlines()[0]
        print(f"levante cluster-status: cannot read {database!r}: {reason}", file=sys.stderr)
        return 1
    finally:
        database.dispose()
    _print(args, status)
    return 0


def _print(args: argparse.Namespace, status: dict[str, Any]) -> None:
    print_list(args, COLUMNS, status["nodes"], sys.stdout)
    if args.output_format == "table":
        print(
            f"{len(status['nodes'])} node(s); {status['queued_actions']} action(s) queued, "
            f"{status['orphaned_actions']} held by unregistered nodes; "
            f"{status['timers']} timer(s) set"
        )
