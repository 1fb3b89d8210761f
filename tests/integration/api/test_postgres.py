"""The same server on PostgreSQL: the CLI's everyday commands round-trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.api.server import LevanteServer

pytestmark = pytest.mark.postgres


def test_definitions_and_triggers_on_postgresql(pg_server: LevanteServer, examples: Path) -> None:
    # The CLI creates (its views of the answers are the point); the checks
    # around it read over HTTP, which is what the CLI would have asked.
    created = pg_server.mistral_json("workflow-create", str(examples / "nightly.yaml"))
    assert [w["Name"] for w in created] == ["nightly_wf"]
    again = pg_server.mistral("workflow-create", str(examples / "nightly.yaml"), ok=False)
    assert "Duplicate" in again.stderr
    assert "nightly_wf" in workflow_names(pg_server, "")
    assert "nightly_wf" not in workflow_names(pg_server, "?tags=demo")
    trigger = pg_server.mistral_json(
        "cron-trigger-create",
        "pg_nightly",
        "nightly_wf",
        '{"name": "pg"}',
        "--pattern",
        "0 1 * * *",
    )
    assert trigger["Next execution time"].endswith("01:00:00")
    _, triggers = pg_server.request("GET", "/v2/cron_triggers")
    assert [t["name"] for t in triggers["cron_triggers"]] == ["pg_nightly"]
    assert pg_server.request("DELETE", "/v2/cron_triggers/pg_nightly")[0] == 204
    env = pg_server.mistral_json("environment-create", str(examples / "staging_env.json"))
    assert env["Name"] == "staging"
    assert pg_server.request("DELETE", "/v2/environments/staging")[0] == 204
    pg_server.mistral("workflow-delete", "nightly_wf")
    assert "nightly_wf" not in workflow_names(pg_server, "")


def workflow_names(server: LevanteServer, query: str) -> set[str]:
    """The names ``GET /v2/workflows`` lists (``query``: its query string, with ``?``)."""
    status, body = server.request("GET", f"/v2/workflows{query}")
    assert status == 200, body
    return {w["name"] for w in body["workflows"]}
