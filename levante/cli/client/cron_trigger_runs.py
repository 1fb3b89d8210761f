"""``levante cron-trigger-fire/history/preview``: a trigger's runs, past, now and next.

``fire`` starts the trigger's workflow once now (its schedule and remaining
count stay as they are) and prints the execution as ``execution-get`` does;
``history`` lists each fire time with what happened (started which execution,
skipped by the overlap policy, missed during downtime, paused at that time,
failed to start and why); ``preview`` lists the next fire times in UTC and
in the trigger's zone.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from levante.cli.client import executions
from levante.cli.client.base import UsageError, add_command
from levante.cli.client.http import ApiClient, ClientError
from levante.cli.client.output import Column, print_list, print_one

HISTORY_COLUMNS = (
    Column("Fire time", "scheduled_at"),
    Column("Fired by", "fired_by"),
    Column("Outcome", "outcome"),
    Column("Execution ID", "execution_id", lambda r, _lister: r.get("execution_id") or "<none>"),
    Column("Reason", "detail", lambda r, _lister: r.get("detail") or ""),
    Column("Recorded at", "recorded_at"),
)
PREVIEW_COLUMNS = (
    Column("Fire time (UTC)", "scheduled_at"),
    Column("Local time", "local_time"),
    Column("Due at (with jitter)", "due_at"),
)
#: Rows of ``cron-trigger-history`` shown by default, and the server's maximum.
HISTORY_LIMIT = 100
HISTORY_MAX = 1000
#: Fire times ``cron-trigger-preview`` shows by default, and the server's maximum.
PREVIEW_COUNT = 10
PREVIEW_MAX = 1000


def register(subparsers: Any) -> None:
    """Add ``cron-trigger-fire``, ``cron-trigger-history`` and ``cron-trigger-preview``."""
    parser = add_command(subparsers, "cron-trigger-fire", fire,
                         "Start a cron trigger's workflow once now (schedule unchanged).",
                         output=True)
    parser.add_argument("cron_trigger", help="cron trigger name or ID")

    parser = add_command(subparsers, "cron-trigger-history", history,
                         "Show a cron trigger's fire times and what happened, newest first.",
                         output=True)
    parser.add_argument("cron_trigger", help="cron trigger name or ID")
    parser.add_argument("--limit", type=int, default=HISTORY_LIMIT,
                        help=f"most fire times shown (default {HISTORY_LIMIT}, "
                        f"at most {HISTORY_MAX})")

    parser = add_command(subparsers, "cron-trigger-preview", preview,
                         "Show a cron trigger's next fire times.", output=True)
    parser.add_argument("cron_trigger", help="cron trigger name or ID")
    parser.add_argument("--count", type=int, default=PREVIEW_COUNT,
                        help=f"how many fire times (default {PREVIEW_COUNT}, "
                        f"at most {PREVIEW_MAX})")


def _between(value: int, low: int, high: int, option: str) -> int:
    if not low <= value <= high:
        raise UsageError(f"{option} must be between {low} and {high}, got {value}")
    return value


def fire(client: ApiClient, args: argparse.Namespace) -> int:
    """Start the trigger once now; print the execution it started."""
    record = client.post(f"cron_triggers/{args.cron_trigger}/fire")
    execution_id = record.get("execution_id") if isinstance(record, dict) else None
    if not execution_id:
        raise ClientError(f"the server started no execution for cron trigger "
                          f"{args.cron_trigger}: {record!r}")
    execution = client.get(f"executions/{execution_id}")
    print_one(args, executions.COLUMNS, execution, sys.stdout)
    return 0


def history(client: ApiClient, args: argparse.Namespace) -> int:
    """List the trigger's fire times with their outcome, execution and reason."""
    limit = _between(args.limit, 1, HISTORY_MAX, "--limit")
    body = client.get(f"cron_triggers/{args.cron_trigger}/history", {"limit": limit})
    print_list(args, HISTORY_COLUMNS, body.get("history") or [], sys.stdout)
    return 0


def preview(client: ApiClient, args: argparse.Namespace) -> int:
    """List the trigger's next fire times (UTC, its own zone, and when due with jitter)."""
    count = _between(args.count, 1, PREVIEW_MAX, "--count")
    body = client.get(f"cron_triggers/{args.cron_trigger}/preview", {"count": count})
    if body.get("paused"):
        print(f"cron trigger {body.get('name', args.cron_trigger)} is paused: it fires none of "
              "these until resumed (resuming recomputes them from then)", file=sys.stderr)
    print_list(args, PREVIEW_COLUMNS, body.get("next_execution_times") or [], sys.stdout)
    return 0
