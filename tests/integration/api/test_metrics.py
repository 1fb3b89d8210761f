"""``/metrics`` of a running server: Prometheus text that follows what the engine did."""

from __future__ import annotations

import re
import time
import urllib.request

from tests.integration.api.server import LevanteServer

SAMPLE = re.compile(r'^([a-z_]+)(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? (-?[0-9.e+-]+|\+Inf)$')


def scrape(server: LevanteServer) -> dict[str, float]:
    """Every sample of ``/metrics`` by name and labels; checks the exposition syntax."""
    with urllib.request.urlopen(f"{server.url}/metrics", timeout=10) as answer:
        assert answer.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        text = answer.read().decode()
    samples = {}
    for line in text.splitlines():
        if line.startswith("# "):
            assert line.startswith(("# HELP ", "# TYPE ")), line
            continue
        match = SAMPLE.match(line)
        assert match, f"not a Prometheus sample: {line!r}"
        samples[line.rsplit(" ", 1)[0]] = float(line.rsplit(" ", 1)[1])
    return samples


def test_metrics_follow_executions_and_actions(server: LevanteServer) -> None:
    before = scrape(server)
    assert 'levante_queue_depth{claimed="false"}' in before
    assert before["levante_timer_lag_seconds"] >= 0
    finished = 'levante_action_duration_seconds_count{state="SUCCESS"}'
    shown = server.mistral_json("run-action", "std.echo", '{"output": 1}', "--save-result")
    deadline = time.monotonic() + 30
    after = scrape(server)
    while after[finished] < before[finished] + 1 and time.monotonic() < deadline:
        time.sleep(0.2)
        after = scrape(server)
    assert after[finished] >= before[finished] + 1, shown
    inf = 'levante_action_duration_seconds_bucket{state="SUCCESS",le="+Inf"}'
    assert after[inf] == after[finished]
    assert after['levante_workflow_executions{state="SUCCESS"}'] >= 0
