"""``levante server``: one Levante node — REST API v2, engine, executor and scheduler.

Migrates the database at start, then serves with uvicorn until SIGTERM or
Ctrl-C; both stop accepting connections and let in-flight requests (each one
transaction) finish before the process exits.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from types import FrameType
from typing import Any

from levante.home import default_url

#: Mistral's port, so clients' defaults work unchanged.
DEFAULT_PORT = 8989
DEFAULT_HOST = "127.0.0.1"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``server`` sub-command."""
    parser = subparsers.add_parser(
        "server",
        help="run the Levante server (Mistral-compatible REST API v2)",
        description=(
            "Serve the REST API v2 that python-mistralclient (the `mistral` command) talks "
            "to. The database is migrated first. Stop with SIGTERM or Ctrl-C."
        ),
    )
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help=f"address to listen on ({DEFAULT_HOST})"
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port to listen on ({DEFAULT_PORT})"
    )
    parser.add_argument(
        "--db",
        default=None,
        metavar="URL",
        help=f"database URL: sqlite:///PATH or postgresql://... (default {default_url()})",
    )
    parser.add_argument(
        "--role",
        default="all",
        metavar="ROLES",
        help="what this node does, comma-separated: api, engine (takes over dead nodes' "
        "work), executor, scheduler (timers, cron); default all. Without api no port is "
        "opened.",
    )
    parser.add_argument(
        "--executor-name",
        default=None,
        metavar="NAME",
        help="run the actions of tasks whose 'target' is NAME (and untargeted ones)",
    )
    parser.add_argument(
        "--lease-seconds",
        type=float,
        default=None,
        metavar="S",
        help="a dead node's work is taken over after S seconds without its heartbeat (10)",
    )
    parser.add_argument(
        "--heartbeat-seconds",
        type=float,
        default=None,
        metavar="S",
        help="seconds between heartbeats and looks for dead nodes (2)",
    )
    parser.add_argument(
        "--cron-history-rows",
        type=int,
        default=None,
        metavar="N",
        help="cron trigger history kept per trigger: its newest N fire times (1000)",
    )
    parser.add_argument(
        "--cron-history-days",
        type=float,
        default=None,
        metavar="D",
        help="cron trigger history older than D days is dropped (90)",
    )
    parser.add_argument(
        "--log-level",
        default="info",
        choices=("debug", "info", "warning", "error"),
        help="log verbosity (info)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Migrate the database and serve until stopped; 0 on a clean stop, 1 if it cannot start."""
    import uvicorn
    from sqlalchemy.exc import SQLAlchemyError

    from levante.api.app import create_app
    from levante.api.context import ApiContext
    from levante.node.cluster import Role, RoleError
    from levante.store import Database

    try:
        config = _node_config(args)
    except (RoleError, ValueError) as error:
        print(f"levante server: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(level=args.log_level.upper(), format=LOG_FORMAT)
    log = logging.getLogger("levante.server")
    database = Database(args.db)
    try:
        database.migrate()
    except SQLAlchemyError as error:
        print(f"levante server: cannot prepare the database {database!r}: {error}", file=sys.stderr)
        return 1
    roles = ",".join(sorted(config.roles))
    if Role.API not in config.roles:
        log.info("database %r ready; node with roles %s (no REST API)", database, roles)
        try:
            asyncio.run(_run_node(database, config))
        finally:
            database.dispose()
        log.info("stopped")
        return 0
    app = create_app(ApiContext(db=database))
    uvicorn_config = uvicorn.Config(
        app,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        log_config=None,
        timeout_graceful_shutdown=30,
    )
    server = uvicorn.Server(uvicorn_config)
    log.info("database %r ready; roles %s; REST API at http://%s:%d/v2",
             database, roles, args.host, args.port)
    # uvicorn stops gracefully on SIGTERM/SIGINT, then re-raises the signal to the handler
    # that was installed before it; a no-op one makes a requested stop exit with status 0.
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop_signal, _stop_requested)
    try:
        asyncio.run(_serve(server, database, app.state.levante, config))
    finally:
        database.dispose()
    log.info("stopped")
    return 0 if server.started else 1


def _node_config(args: argparse.Namespace) -> Any:
    """The node's settings from the command line (raises RoleError / ValueError)."""
    from levante.node import NodeConfig
    from levante.node.cluster import parse_roles

    lease = NodeConfig.lease_seconds if args.lease_seconds is None else args.lease_seconds
    beat = (NodeConfig.heartbeat_interval if args.heartbeat_seconds is None
            else args.heartbeat_seconds)
    if lease <= 0 or beat <= 0:
        raise ValueError("--lease-seconds and --heartbeat-seconds must be positive")
    if beat >= lease:
        raise ValueError(
            f"--heartbeat-seconds ({beat:g}) must be shorter than --lease-seconds "
            f"({lease:g}), or live nodes would be taken for dead"
        )
    return NodeConfig(
        roles=parse_roles(args.role),
        executor_name=args.executor_name or None,
        lease_seconds=lease,
        heartbeat_interval=beat,
        cron_history=_cron_history(args),
    )


def _cron_history(args: argparse.Namespace) -> Any:
    """The history retention from ``--cron-history-rows/-days`` (ValueError if out of range)."""
    import datetime as dt

    from levante.scheduler.retention import HistoryRetention

    rows, days = args.cron_history_rows, args.cron_history_days
    if rows is not None and rows < 1:
        raise ValueError(f"--cron-history-rows must be at least 1, got {rows}")
    if days is not None and days <= 0:
        raise ValueError(f"--cron-history-days must be positive, got {days:g}")
    return HistoryRetention(
        rows_per_trigger=HistoryRetention.rows_per_trigger if rows is None else rows,
        max_age=HistoryRetention.max_age if days is None else dt.timedelta(days=days),
    )


async def _serve(server: Any, database: Any, ctx: Any, config: Any) -> None:
    """Run the engine node (executor, timers) beside the API in one event loop."""
    from levante.node import Node
    from levante.node.gateway import RuntimeGateway
    from levante.node.process import settle_heap

    async with Node(database, config) as node:
        ctx.engine = RuntimeGateway(
            node.runtime, runner=node.executor, loop=asyncio.get_running_loop(),
            registry=ctx.actions,
        )
        settle_heap()
        await server.serve()


async def _run_node(database: Any, config: Any) -> None:
    """Run a node without the REST API until SIGTERM or Ctrl-C."""
    from levante.node import Node
    from levante.node.process import settle_heap

    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(stop_signal, stopped.set)
    async with Node(database, config):
        settle_heap()
        await stopped.wait()


def _stop_requested(signum: int, frame: FrameType | None) -> None:
    """Called by uvicorn after its graceful shutdown: the stop was asked for, nothing to do."""
