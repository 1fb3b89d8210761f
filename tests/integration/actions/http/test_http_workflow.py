"""``std.http`` inside workflows run by ``levante run`` (engine, executor, real peer)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from levante.cli.main import main
from tests.integration.actions.http.peer import HttpPeer, running_http_peer

WORKFLOW = """
version: '2.0'
check_fleet:
  input:
    - base
  tasks:
    post_report:
      action: std.http
      input:
        url: <% $.base %>/echo
        method: POST
        json:
          updated: 20
        headers:
          X-Run: levante
      publish:
        sent: <% json_parse(task().result.content.body) %>
        run_header: <% task().result.content.headers.get('X-Run') %>
        status: <% task().result.status %>
      on-success: [poll_each]
    poll_each:
      with-items: n in <% range(1, 26) %>
      action: std.http url=<% $.base + '/echo?n=' + str($.n) %>
      publish:
        polled: <% task().result.select($.content.query[0][1]) %>
"""

FAILING = """
version: '2.0'
notify:
  input:
    - base
  tasks:
    call:
      action: std.http url=<% $.base %>/status/503
      on-error: [handled]
    handled:
      action: std.echo output=<% task(call).result.status %>
      publish:
        failed_status: <% task(call).result.status %>
"""


@pytest.fixture(scope="module")
def peer() -> Iterator[HttpPeer]:
    with running_http_peer() as running:
        yield running


@pytest.fixture(autouse=True)
def loopback_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEVANTE_HTTP_DENIED_CIDRS", "none")


def run(tmp_path: Path, text: str, base: str, capsys: pytest.CaptureFixture[str]) -> dict:
    path = tmp_path / "wf.yaml"
    path.write_text(text)
    status = main(["run", str(path), "--input", json.dumps({"base": base}), "-q", "-f", "json"])
    report = json.loads(capsys.readouterr().out)
    report["exit_status"] = status
    return report


def test_workflow_posts_json_and_polls_with_items(
    tmp_path: Path, peer: HttpPeer, capsys: pytest.CaptureFixture[str]
) -> None:
    report = run(tmp_path, WORKFLOW, peer.base_url, capsys)
    assert report["exit_status"] == 0, report
    assert report["state"] == "SUCCESS"
    output = report["output"]
    assert output["sent"] == {"updated": 20}
    assert output["run_header"] == "levante"
    assert output["status"] == 200
    assert output["polled"] == [str(n) for n in range(1, 26)]


def test_error_status_fails_the_task_with_the_response_for_on_error(
    tmp_path: Path, peer: HttpPeer, capsys: pytest.CaptureFixture[str]
) -> None:
    report = run(tmp_path, FAILING, peer.base_url, capsys)
    tasks = {t["name"]: t for t in report["tasks"]}
    assert tasks["call"]["state"] == "ERROR"
    assert report["output"]["failed_status"] == 503
