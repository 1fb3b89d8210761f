"""``levante run FILE``: run a workflow embedded, with live progress, no server needed.

The engine, the store and the language are imported by the functions that run
the workflow, not at the top: ``levante`` imports this module to parse ``run``'s
arguments (and show its help), which should not cost their start-up.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from levante.cli.progress import ProgressView, final_report

if TYPE_CHECKING:
    from levante.store import Database


def register(subparsers: Any) -> None:
    """Add the ``run`` sub-command."""
    parser = subparsers.add_parser(
        "run",
        help="run a workflow embedded (no server), showing progress",
        description="Run a workflow from FILE in this process and wait for it to end. "
        "Exit status 0 when it succeeds, 1 when it ends in ERROR or CANCELLED.",
    )
    parser.add_argument("file", type=Path, help="YAML file with one or several workflows")
    parser.add_argument("--workflow", "-w", help="which workflow, when the file has several")
    parser.add_argument("--input", "-i", help="workflow input: JSON text or @file.json")
    parser.add_argument("--env", "-e", help="environment: JSON text or @file.json")
    parser.add_argument(
        "--db",
        help="database: a file path or URL; default a temporary SQLite database. "
        "With a path the run is kept and can be resumed.",
    )
    parser.add_argument(
        "--execution-id",
        help="id for the execution; running again with the same id and --db resumes it",
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="no live progress")
    parser.add_argument(
        "--output-format", "-f", choices=("table", "json"), default="table",
        help="final report as tables (default) or JSON",
    )
    parser.set_defaults(func=run_command)


class UsageError(Exception):
    """A command-line argument that cannot be used, with the reason."""


def _json_argument(value: str | None, what: str) -> dict[str, Any]:
    if not value:
        return {}
    text = value
    if value.startswith("@"):
        path = Path(value[1:])
        try:
            text = path.read_text()
        except OSError as exc:
            raise UsageError(f"--{what}: cannot read {path}: {exc.strerror}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"--{what}: not valid JSON ({exc.msg} at line {exc.lineno}, "
                         f"column {exc.colno})") from exc
    if not isinstance(data, dict):
        raise UsageError(f"--{what}: expected a JSON object, found {type(data).__name__}")
    return data


def _database_url(value: str | None, scratch: Path) -> str:
    if not value:
        return f"sqlite:///{scratch / 'levante.db'}"
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).resolve()}"


def _choose_workflow(text: str, file: Path, wanted: str | None) -> str:
    from levante.lang import parse_workflows

    names = list(parse_workflows(text, file=str(file)).workflows)
    if wanted:
        if wanted not in names:
            raise UsageError(
                f"{file} has no workflow '{wanted}'; it has: {', '.join(names)}"
            )
        return wanted
    if len(names) > 1:
        raise UsageError(
            f"{file} has {len(names)} workflows ({', '.join(names)}); choose one with --workflow"
        )
    return names[0]


def run_command(args: argparse.Namespace) -> int:
    """Run the workflow, print the report, return 0 on SUCCESS and 1 otherwise."""
    from levante.lang import ValidationError
    from levante.store import Database

    try:
        workflow_input = _json_argument(args.input, "input")
        env = _json_argument(args.env, "env")
        text = args.file.read_text()
        workflow = _choose_workflow(text, args.file, args.workflow)
    except ValidationError as exc:
        print(f"levante run: {args.file} is not a valid workflow file:\n{exc}", file=sys.stderr)
        return 2
    except UsageError as exc:
        print(f"levante run: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"levante run: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="levante-run-") as scratch:
        db = Database(_database_url(args.db, Path(scratch)))
        try:
            db.migrate()
            return asyncio.run(_run(db, args, workflow, text, workflow_input, env))
        finally:
            db.dispose()


async def _run(
    db: Database, args: argparse.Namespace, workflow: str, text: str,
    workflow_input: dict[str, Any], env: dict[str, Any],
) -> int:
    from levante.cli.snapshots import load_snapshot
    from levante.engine.errors import EngineError
    from levante.engine.states import FINAL_WORKFLOW_STATES
    from levante.node import Node
    from levante.node.process import settle_heap
    from levante.store import StoreError

    async with Node(db) as node:
        settle_heap()
        params: dict[str, Any] = {"env": env} if env else {}
        try:
            execution = await node.in_db(
                lambda: node.runtime.start_workflow(
                    workflow,
                    workflow_input,
                    params=params,
                    execution_id=args.execution_id,
                    definition_text=text,
                )
            )
        except (EngineError, StoreError) as exc:
            print(f"levante run: cannot start {workflow}: {exc}", file=sys.stderr)
            return 2
        execution_id = execution["id"]
        view = ProgressView(sys.stderr, enabled=not args.quiet)
        while True:
            snapshot = await node.in_db(lambda: load_snapshot(db, execution_id))
            view.show(snapshot)
            if snapshot.state in FINAL_WORKFLOW_STATES:
                break
            await asyncio.sleep(0.2)
        view.close()
    print(final_report(snapshot, args.output_format))
    return 0 if snapshot.state == "SUCCESS" else 1
