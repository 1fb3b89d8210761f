"""A client command run against a real server imports no SQLAlchemy, YAQL or engine.

Each command runs in a fresh interpreter (as ``levante`` does) and reports
what it printed, its exit status and which heavy packages ended up in
``sys.modules``. Building the parsers alone is checked in
tests/unit/cli/test_startup_imports.py.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.integration.api.server import LevanteServer
from tests.unit.cli.test_startup_imports import HEAVY

RUN_ONE = """
import contextlib, io, json, sys
from levante.cli.main import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    status = main(json.loads(sys.argv[2]))
heavy = tuple(json.loads(sys.argv[1]))
print(json.dumps({"status": status, "out": out.getvalue(),
                  "heavy": sorted(m for m in sys.modules if m.startswith(heavy))}))
"""


@pytest.mark.parametrize(("argv", "shown"), [
    (["action-list", "-f", "value", "-c", "Name"], "std.noop"),
    (["workflow-list", "-f", "json"], "["),
    (["workbook-list", "-f", "json"], "["),
    (["execution-list", "-f", "json"], "["),
    (["task-list", "-f", "json"], "["),
    (["cron-trigger-list", "-f", "json"], "["),
    (["environment-list", "-f", "json"], "["),
    (["cluster-status", "-f", "json"], "["),
])
def test_a_client_command_does_not_load_the_engine(
    levante_server: LevanteServer, argv: list[str], shown: str
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", RUN_ONE, json.dumps(HEAVY),
         json.dumps([*argv, "--url", levante_server.url])],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["status"] == 0, done.stderr
    assert shown in report["out"]
    assert report["heavy"] == []
