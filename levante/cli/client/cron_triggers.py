"""``levante cron-trigger-*``: cron triggers, as the ``mistral`` CLI has them, plus Levante's.

``create/list/get/delete`` take Mistral's arguments unchanged. Levante adds the
trigger options of the REST resource (``--time-zone``, ``--overlap-policy``,
``--missed-run-policy``, ``--missed-run-limit``, ``--jitter``, ``--paused``),
shown by ``get`` and ``list`` only when set, and ``pause``, ``resume`` and
``update`` (change in place); ``fire``, ``history`` and ``preview`` are in
:mod:`levante.cli.client.cron_trigger_runs`.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from levante.cli.client import cron_trigger_runs
from levante.cli.client.base import (
    UsageError,
    act_on_many,
    add_command,
    add_list_arguments,
    list_query,
    load_json_object,
)
from levante.cli.client.http import ApiClient
from levante.cli.client.output import Column, Resource, print_list, print_one

COLUMNS = (
    Column("Name", "name"),
    Column("Workflow", "workflow_name"),
    Column("Params", "workflow_params"),
    Column("Pattern", "pattern"),
    Column("Next execution time", "next_execution_time"),
    Column("Remaining executions", "remaining_executions"),
    Column("Created at", "created_at"),
    Column("Updated at", "updated_at"),
)
#: Levante's options and the value the server means when it leaves a field out.
EXTRA_DEFAULTS: dict[str, Any] = {
    "time_zone": "UTC",
    "overlap_policy": "allow",
    "missed_run_policy": "run_once",
    "missed_run_limit": None,
    "jitter_seconds": 0,
    "paused": False,
}


def _or_default(field: str) -> Any:
    return lambda resource, _lister: resource.get(field, EXTRA_DEFAULTS[field])


EXTRA_COLUMNS = tuple(
    Column(heading, field, _or_default(field))
    for heading, field in (
        ("Time zone", "time_zone"),
        ("Overlap policy", "overlap_policy"),
        ("Missed run policy", "missed_run_policy"),
        ("Missed run limit", "missed_run_limit"),
        ("Jitter seconds", "jitter_seconds"),
        ("Paused", "paused"),
    )
)
OVERLAP_POLICIES = ("allow", "forbid", "replace")
MISSED_RUN_POLICIES = ("run_once", "skip", "run_all")
FIRST_TIME_FORMAT = "%Y-%m-%d %H:%M"
#: What ``update --count none`` / ``--missed-run-limit none`` parse to: sent as ``null``.
NO_LIMIT = "none"


def register(subparsers: Any) -> None:
    """Add ``cron-trigger-create/list/get/delete/update/pause/resume`` (and the run commands)."""
    parser = add_command(subparsers, "cron-trigger-create", create, "Create new trigger.",
                         output=True)
    parser.add_argument("name", help="cron trigger name")
    parser.add_argument("workflow_identifier", help="workflow name or ID")
    parser.add_argument("workflow_input", nargs="?",
                        help="workflow input: a JSON file or JSON text")
    parser.add_argument("--params", help="workflow params: a JSON file or JSON text")
    parser.add_argument("--pattern", metavar="<* * * * *>", help="cron pattern")
    parser.add_argument("--first-time", metavar="<YYYY-MM-DD HH:MM>",
                        help="date and time of the first execution (local time, or the "
                        "trigger's --time-zone, unless --utc)")
    parser.add_argument("--count", type=int, metavar="<integer>",
                        help="number of wanted executions")
    parser.add_argument("--utc", action="store_true", help="times given are UTC")
    _add_option_arguments(parser)
    parser.add_argument("--paused", action="store_true",
                        help="create the trigger paused (it fires once resumed)")

    parser = add_command(subparsers, "cron-trigger-list", list_triggers,
                         "List all cron triggers.", output=True)
    add_list_arguments(parser)

    parser = add_command(subparsers, "cron-trigger-get", get, "Show specific cron trigger.",
                         output=True)
    parser.add_argument("cron_trigger", help="cron trigger name")

    parser = add_command(subparsers, "cron-trigger-delete", delete, "Delete trigger(s).")
    parser.add_argument("cron_trigger", nargs="+", help="name of cron trigger(s)")

    parser = add_command(subparsers, "cron-trigger-update", update,
                         "Change a cron trigger in place (unchanged options stay).", output=True)
    parser.add_argument("cron_trigger", help="cron trigger name or ID")
    parser.add_argument("--pattern", metavar="<* * * * *>",
                        help="new cron pattern (next execution time recomputed from now)")
    parser.add_argument("--input", dest="workflow_input", metavar="JSON|@FILE",
                        help="new workflow input: JSON text, or @file / a file holding JSON")
    parser.add_argument("--params", metavar="JSON|@FILE",
                        help="new workflow params: JSON text, or @file / a file holding JSON")
    parser.add_argument("--count", type=_int_or_none, metavar="<integer>|none",
                        help="new number of remaining executions (at least 1; none: no limit)")
    _add_option_arguments(parser, limit_type=_int_or_none)

    for name, handler, summary in (
        ("cron-trigger-pause", pause, "Pause a cron trigger: it does not fire until resumed."),
        ("cron-trigger-resume", resume,
         "Resume a paused cron trigger from now (times passed while paused do not run; "
         "the history lists them as paused)."),
    ):
        parser = add_command(subparsers, name, handler, summary, output=True)
        parser.add_argument("cron_trigger", help="cron trigger name or ID")

    cron_trigger_runs.register(subparsers)


def _int_or_none(text: str) -> int | str:
    """An integer argument of ``update``, or ``none`` to remove the limit."""
    if text.strip().lower() == "none":
        return NO_LIMIT
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer or none, got {text!r}") from None


def _add_option_arguments(parser: argparse.ArgumentParser, *,
                          limit_type: Callable[[str], Any] = int) -> None:
    """Levante's trigger options, shared by ``create`` and ``update`` (REST field names)."""
    parser.add_argument("--time-zone", metavar="<IANA name>",
                        help="time zone of the pattern, e.g. Europe/Paris (default: UTC)")
    parser.add_argument("--overlap-policy", choices=OVERLAP_POLICIES,
                        help="when the previous execution still runs: start anyway (allow, "
                        "the default), skip this run (forbid) or cancel it (replace)")
    parser.add_argument("--missed-run-policy", choices=MISSED_RUN_POLICIES,
                        help="fire times missed during downtime: run once now (run_once, the "
                        "default), skip them, or run each (run_all, up to --missed-run-limit)")
    parser.add_argument("--missed-run-limit", type=limit_type, metavar="<integer>",
                        help="most missed runs started by run_all (default 10)")
    parser.add_argument("--jitter", type=int, metavar="SECONDS", dest="jitter_seconds",
                        help="start each run after a random delay of up to SECONDS")


def _options(args: argparse.Namespace) -> dict[str, Any]:
    """The REST fields of the option arguments that were given."""
    fields = ("time_zone", "overlap_policy", "missed_run_policy", "missed_run_limit",
              "jitter_seconds")
    given = {name: getattr(args, name) for name in fields if getattr(args, name) is not None}
    return {name: None if value == NO_LIMIT else value for name, value in given.items()}


def json_argument(value: str | None, what: str) -> dict[str, Any]:
    """A JSON object argument: JSON text, a file holding JSON, or ``@file``."""
    if value and value.startswith("@"):
        value = value[1:]
        if not value:
            raise UsageError(f"{what}: write @FILE with a file name after the @")
    return load_json_object(value, what)


def _to_utc(text: str | None, utc: bool, zone_name: str | None) -> str | None:
    """``--first-time`` in UTC (the server's time).

    It is read as UTC with ``--utc``, else in the trigger's time zone when the
    client knows it, else in this machine's local time (as ``mistral`` does).
    """
    if not text:
        return None
    try:
        moment = datetime.strptime(text, FIRST_TIME_FORMAT)
    except ValueError:
        raise UsageError(f"--first-time {text!r}: write it as YYYY-MM-DD HH:MM") from None
    if utc:
        return moment.strftime(FIRST_TIME_FORMAT)
    zone = _zone(zone_name)
    aware = moment.replace(tzinfo=zone) if zone is not None else moment.astimezone()
    return aware.astimezone(UTC).strftime(FIRST_TIME_FORMAT)


def _zone(name: str | None) -> ZoneInfo | None:
    """The named time zone, or ``None`` (the server refuses a name it does not know)."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def columns_for(args: argparse.Namespace, resources: Sequence[Resource]) -> list[Column]:
    """Mistral's columns, plus each of Levante's that a resource sets (all with ``-c``)."""
    if args.columns:
        return [*COLUMNS, *EXTRA_COLUMNS]
    shown = [c for c in EXTRA_COLUMNS if any(c.field in r for r in resources)]
    return [*COLUMNS, *shown]


def show_trigger(args: argparse.Namespace, resource: Resource) -> None:
    """Print one trigger as ``cron-trigger-get`` does."""
    print_one(args, columns_for(args, [resource]), resource, sys.stdout)


def create(client: ApiClient, args: argparse.Namespace) -> int:
    """Create a cron trigger for a workflow."""
    body: dict[str, Any] = {
        "name": args.name,
        "pattern": args.pattern,
        "first_execution_time": _to_utc(args.first_time, args.utc, args.time_zone),
        "remaining_executions": args.count,
        **_options(args),
    }
    if args.paused:
        body["paused"] = True
    try:
        uuid.UUID(args.workflow_identifier)
        body["workflow_id"] = args.workflow_identifier
    except ValueError:
        body["workflow_name"] = args.workflow_identifier
    workflow_input = json_argument(args.workflow_input, "workflow input")
    if workflow_input:
        body["workflow_input"] = json.dumps(workflow_input)
    params = json_argument(args.params, "--params")
    if params:
        body["workflow_params"] = json.dumps(params)
    show_trigger(args, client.post("cron_triggers", json=body))
    return 0


def list_triggers(client: ApiClient, args: argparse.Namespace) -> int:
    """List cron triggers (whole resources, so that Levante's options can be shown)."""
    items = client.list("cron_triggers", "cron_triggers", list_query(args))
    print_list(args, columns_for(args, items), items, sys.stdout)
    return 0


def get(client: ApiClient, args: argparse.Namespace) -> int:
    """Show one cron trigger."""
    show_trigger(args, client.get(f"cron_triggers/{args.cron_trigger}"))
    return 0


def delete(client: ApiClient, args: argparse.Namespace) -> int:
    """Delete each named cron trigger."""
    return act_on_many(
        args.cron_trigger,
        lambda name: client.delete(f"cron_triggers/{name}"),
        "Request to delete cron trigger %s has been accepted.",
        "Unable to delete the specified cron trigger(s).",
    )


def update(client: ApiClient, args: argparse.Namespace) -> int:
    """Change a trigger's pattern, input, params, count or options; show the result."""
    body: dict[str, Any] = _options(args)
    if args.pattern is not None:
        body["pattern"] = args.pattern
    if args.workflow_input is not None:
        body["workflow_input"] = json_argument(args.workflow_input, "--input")
    if args.params is not None:
        body["workflow_params"] = json_argument(args.params, "--params")
    if args.count is not None:
        body["remaining_executions"] = None if args.count == NO_LIMIT else args.count
    if not body:
        raise UsageError("nothing to change: give --pattern, --input, --params, --count or an "
                         "option such as --time-zone or --overlap-policy")
    show_trigger(args, client.put(f"cron_triggers/{args.cron_trigger}", json=body))
    return 0


def pause(client: ApiClient, args: argparse.Namespace) -> int:
    """Pause a trigger; show it."""
    show_trigger(args, client.put(f"cron_triggers/{args.cron_trigger}", json={"paused": True}))
    return 0


def resume(client: ApiClient, args: argparse.Namespace) -> int:
    """Resume a paused trigger; show it (with its recomputed next execution time)."""
    show_trigger(args, client.put(f"cron_triggers/{args.cron_trigger}", json={"paused": False}))
    return 0
