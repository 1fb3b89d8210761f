"""Ad-hoc actions through a real node: ``levante server`` and the ``mistral`` CLI.

A workflow task using a workbook's ad-hoc action must run the base action with
the computed base input, and the task must see the result reshaped by the
ad-hoc action's output; ``run-action --save-result`` (run in the background by
the node's executor) must store the reshaped result too.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.api.server import LevanteServer

WORKBOOK = """\
version: '2.0'
name: adhoc_e2e
actions:
  greet:
    base: std.echo
    base-input:
      output: "Hello, <% $.name %><% $.punct %>"
    input: [name, {punct: '!'}]
    output:
      greeting: <% $ %>
  shout:
    base: greet
    base-input: {name: <% $.who %>}
    input: [who]
    output: <% $.greeting %>
workflows:
  flow:
    tasks:
      hello:
        action: greet
        input: {name: Ann}
        publish: {said: <% task().result.greeting %>}
        on-success: [loud]
      loud:
        action: shout who=Bob
        publish: {shouted: <% task().result %>}
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LevanteServer]:
    """A server (its own node and SQLite database) for this module."""
    folder = tmp_path_factory.mktemp("levante-adhoc")
    running = LevanteServer(f"sqlite:///{folder / 'levante.db'}", folder / "server.log").start()
    yield running
    assert running.stop() == 0, running.log()


def _until(server: LevanteServer, path: str, field: str = "state") -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        _, body = server.request("GET", path)
        if body[field] not in ("RUNNING", "IDLE") or time.monotonic() > deadline:
            return dict(body)
        time.sleep(0.1)


def test_a_workflow_task_runs_the_base_action_and_sees_the_shaped_result(
    server: LevanteServer, tmp_path: Path
) -> None:
    book = tmp_path / "adhoc_e2e.yaml"
    book.write_text(WORKBOOK)
    server.mistral("workbook-create", str(book))
    started = server.mistral_json("execution-create", "adhoc_e2e.flow", "{}")
    done = _until(server, f"/v2/executions/{started['ID']}")
    assert done["state"] == "SUCCESS", done
    _, tasks = server.request("GET", f"/v2/executions/{started['ID']}/tasks")
    by_name = {t["name"]: t for t in tasks["tasks"]}
    assert json.loads(by_name["hello"]["published"]) == {"said": "Hello, Ann!"}
    assert json.loads(by_name["loud"]["published"]) == {"shouted": "Hello, Bob!"}
    _, actions = server.request("GET", f"/v2/tasks/{by_name['hello']['id']}/action_executions")
    (listed,) = actions["action_executions"]
    _, action = server.request("GET", f"/v2/action_executions/{listed['id']}")
    # the row shows the ad-hoc action as the task called it; std.echo ran with the
    # base input (its result is the computed text), and the output shaped it
    assert action["name"] == "greet"
    assert json.loads(action["input"]) == {"name": "Ann"}
    assert json.loads(action["output"]) == {"result": {"greeting": "Hello, Ann!"}}


def test_run_action_with_save_result_applies_the_output(
    server: LevanteServer, tmp_path: Path
) -> None:
    path = tmp_path / "wrap_it.yaml"
    path.write_text(
        "version: '2.0'\nwrap_it:\n  base: std.echo\n  base-input:\n"
        "    output: <% $.word %>\n  input:\n    - word\n  output:\n    wrapped: <% $ %>\n"
    )
    server.mistral("action-create", str(path))
    now = server.mistral("run-action", "wrap_it", '{"word": "now"}')
    assert json.loads(now.stdout) == {"result": {"wrapped": "now"}}
    saved = server.mistral_json("run-action", "wrap_it", '{"word": "bg"}', "--save-result")
    done = _until(server, f"/v2/action_executions/{saved['ID']}")
    assert done["state"] == "SUCCESS", done
    assert done["name"] == "wrap_it"
    assert json.loads(done["input"]) == {"word": "bg"}
    assert json.loads(done["output"]) == {"result": {"wrapped": "bg"}}
