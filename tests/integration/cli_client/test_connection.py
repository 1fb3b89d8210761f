"""Which server the CLI talks to, and what it says when there is none."""

from __future__ import annotations

import subprocess
import sys

import pytest

from levante.cli.client.http import server_url
from tests.integration.api.server import LevanteServer, free_port
from tests.integration.cli_client.conftest import LevanteCli


def test_server_url_accepts_the_url_with_or_without_v2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LEVANTE_URL", raising=False)
    assert server_url(None) == "http://127.0.0.1:8989/v2"
    assert server_url("http://10.0.0.5:8989/") == "http://10.0.0.5:8989/v2"
    assert server_url("http://10.0.0.5:8989/v2/") == "http://10.0.0.5:8989/v2"
    monkeypatch.setenv("LEVANTE_URL", "http://127.0.0.1:9999")
    assert server_url(None) == "http://127.0.0.1:9999/v2"
    assert server_url("http://127.0.0.1:7777/v2") == "http://127.0.0.1:7777/v2"


def test_url_with_v2_suffix_and_from_the_environment(
    levante_server: LevanteServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_suffix = LevanteCli(f"{levante_server.url}/v2")
    assert "std.noop" in with_suffix("action-list", "-f", "value", "-c", "Name").out
    monkeypatch.setenv("LEVANTE_URL", levante_server.url)
    from levante.cli.main import main

    assert main(["action-get", "std.noop", "-f", "value", "-c", "Name"]) == 0


def test_no_server_says_how_to_start_one() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    done = subprocess.run(
        [sys.executable, "-m", "levante", "workflow-list", "--url", url],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert f"no Levante server at {url}" in done.stderr
    assert "start one with `levante server`" in done.stderr
    assert "Traceback" not in done.stderr
