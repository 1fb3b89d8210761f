"""``levante execution-report`` and ``levante item-history``: per-host answers.

``execution-report ID`` prints each task of an execution and, for a
with-items task, each iteration with the item it ran for (the host), its
state, duration and error (or the end of its output), failed ones first, under
summary lines (``Items: 18 succeeded, 2 failed``). ``item-history WORKFLOW
TASK`` prints, for each item value seen in that task's runs, its last state,
when, and its recent states; ``--never-succeeded`` keeps the hosts that were
never upgraded successfully. Both read Levante's REST extensions
(``/v2/executions/{id}/items``, ``/v2/workflows/{name}/tasks/{task}/items``).
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.parse
from typing import Any, TextIO

from levante.cli.client.base import add_command
from levante.cli.client.http import ApiClient
from levante.cli.client.output import box_table


def register(subparsers: Any) -> None:
    """Add ``execution-report`` and ``item-history``."""
    parser = add_command(
        subparsers, "execution-report", execution_report,
        "Show each task and each with-items item (host) of an execution, failed first.",
    )
    parser.add_argument("execution", help="workflow execution id")
    parser.add_argument("--errors-only", action="store_true",
                        help="only failed tasks and failed items")
    parser.add_argument("--no-output", action="store_true",
                        help="do not show the end of each item's output")
    _format_argument(parser)

    parser = add_command(
        subparsers, "item-history", item_history,
        "Show each item (host) ever seen by a with-items task across runs: last state, "
        "when, recent trend.",
    )
    parser.add_argument("workflow", help="workflow name")
    parser.add_argument("task", help="task name (a with-items task)")
    parser.add_argument("--never-succeeded", action="store_true",
                        help="only items that never succeeded in the runs read")
    parser.add_argument("--runs", type=int, default=None,
                        help="read only the newest RUNS runs of the task (default: all)")
    parser.add_argument("--trend", type=int, default=5,
                        help="how many recent states to show per item (default: 5)")
    parser.add_argument("--namespace", default=None, help="the workflow's namespace")
    _format_argument(parser)


def _format_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-f", "--format", choices=("text", "json"), default="text",
                        help="output format (json: the REST answer as is)")


def execution_report(client: ApiClient, args: argparse.Namespace) -> int:
    """Print the per-item report of one execution."""
    query = {"errors_only": "true"} if args.errors_only else None
    body = client.get(f"executions/{args.execution}/items", query)
    if args.format == "json":
        sys.stdout.write(json.dumps(body, indent=2) + "\n")
    else:
        write_report(body, sys.stdout, show_output=not args.no_output)
    return 0


def item_history(client: ApiClient, args: argparse.Namespace) -> int:
    """Print the item history of one task of one workflow."""
    query: dict[str, Any] = {"trend": str(args.trend)}
    if args.never_succeeded:
        query["never_succeeded"] = "true"
    if args.runs is not None:
        query["runs"] = str(args.runs)
    if args.namespace is not None:
        query["namespace"] = args.namespace
    path = "workflows/{}/tasks/{}/items".format(
        urllib.parse.quote(args.workflow, safe=""), urllib.parse.quote(args.task, safe="")
    )
    body = client.get(path, query)
    if args.format == "json":
        sys.stdout.write(json.dumps(body, indent=2) + "\n")
    else:
        write_history(body, sys.stdout)
    return 0


def show_value(value: Any) -> str:
    """An item value on one line: text as is, anything else as compact JSON."""
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)


def seconds(value: float | None) -> str:
    """A duration as ``1.2s`` (``-`` when unknown)."""
    return "-" if value is None else f"{value:.1f}s"


def write_report(body: dict[str, Any], out: TextIO, *, show_output: bool = True) -> None:
    """The per-item report as text: summaries, then each task and its items."""
    execution = body["execution"]
    out.write(f"Execution {execution['id']} ({execution['workflow_name']}): "
              f"{execution['state']}\n")
    if execution.get("state_info") and execution["state"] == "ERROR":
        out.write(f"  {_first_line(execution['state_info'])}\n")
    out.write(f"Tasks: {body['summary']['tasks']}\n")
    if any(task["with_items"] for task in body["tasks"]):
        out.write(f"Items: {body['summary']['items']}\n")
    for task in body["tasks"]:
        out.write(f"\ntask {task['name']} [{task['state']}] {seconds(task['duration'])}")
        if task["with_items"]:
            out.write(f" with-items: {task['summary']}")
        out.write("\n")
        if task.get("state_info") and task["state"] == "ERROR" and not task["with_items"]:
            out.write(f"  error: {_first_line(task['state_info'])}\n")
        width = max((len(show_value(item["value"])) for item in task["items"]), default=0)
        for item in task["items"]:
            out.write(f"  {item['state']:<9} {show_value(item['value']):<{width}} "
                      f"{seconds(item['duration']):>7}")
            if item.get("error"):
                out.write(f"  error: {_elided(item['error'])}")
            out.write("\n")
            if show_output and item.get("output_tail") and item["state"] != "ERROR":
                for line in str(item["output_tail"]).splitlines():
                    out.write(f"      | {line}\n")


def write_history(body: dict[str, Any], out: TextIO) -> None:
    """The item history as a table, failing items first."""
    out.write(f"Item history of {body['workflow_name']}.{body['task_name']} "
              f"({body['task_runs']} runs read): {body['summary']}\n")
    rows = [
        [show_value(entry["value"]), entry["last_state"], entry["last_at"] or "-",
         " ".join(entry["trend"]), f"{entry['succeeded']}/{entry['runs']}",
         _elided(entry["last_error"] or "")]
        for entry in body["items"]
    ]
    headings = ["Item", "Last state", "When", "Trend (newest first)", "Succeeded", "Last error"]
    out.write(box_table(headings, rows) + "\n")


def _elided(text: str, length: int = 400, head: int = 60) -> str:
    """An error on one line; when too long, its middle is cut: the reason is usually at the end.

    (An SSH failure starts with the whole command and ends with the exit status and stderr.)
    """
    line = " ".join(str(text).split())
    return line if len(line) <= length else f"{line[:head]} ... {line[head + 5 - length:]}"


def _first_line(text: str, length: int = 160) -> str:
    line = str(text).strip().splitlines()[0] if str(text).strip() else ""
    return line if len(line) <= length else line[: length - 3] + "..."
