"""Schemathesis against the OpenAPI description that a real ``levante server`` serves.

A bounded run (time and examples per operation capped, fixed seed): every
operation of ``/openapi.json`` gets generated requests, valid and invalid, and
no answer may be a 5xx. The number of requests sent is printed (``-s``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.api.server import LevanteServer

SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))
#: Seconds the run may take; the suite's budget for it.
MAX_TIME = 15
#: Examples per operation and phase.
MAX_EXAMPLES = 10


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LevanteServer]:
    """A server of its own: the fuzzer writes all kinds of records."""
    folder = tmp_path_factory.mktemp("fuzz-server")
    running = LevanteServer(f"sqlite:///{folder / 'levante.db'}", folder / "server.log").start()
    yield running
    assert running.stop() == 0, running.log()


def test_fuzzed_requests_never_get_a_server_error(
    fuzz_server: LevanteServer, tmp_path: Path
) -> None:
    report = tmp_path / "run.ndjson"
    done = subprocess.run(
        [
            SCHEMATHESIS,
            "run",
            f"{fuzz_server.url}/openapi.json",
            "--checks",
            "not_a_server_error",
            "--max-examples",
            str(MAX_EXAMPLES),
            "--max-time",
            str(MAX_TIME),
            "--seed",
            "7",
            "--request-timeout",
            "20",
            "--report",
            "ndjson",
            "--report-ndjson-path",
            str(report),
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=MAX_TIME + 120,
    )
    statuses = list(_response_statuses(report))
    server_errors = [s for s in statuses if s >= 500]
    print(f"schemathesis sent {len(statuses)} requests; {len(server_errors)} got a 5xx")
    assert len(statuses) > 200, done.stdout[-3000:]
    assert not server_errors, done.stdout[-6000:] + "\n" + fuzz_server.log()[-6000:]
    assert "Server error" not in done.stdout, done.stdout[-6000:]


def _response_statuses(report: Path) -> Iterator[int]:
    for line in report.read_text().splitlines():
        event = json.loads(line)
        finished = event.get("ScenarioFinished")
        if not finished:
            continue
        interactions = (finished.get("recorder") or {}).get("interactions") or {}
        for interaction in interactions.values():
            response = interaction.get("response")
            if response:
                yield int(response["status_code"])
