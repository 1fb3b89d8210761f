"""The same server on PostgreSQL: the CLI's everyday commands round-trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.api.server import LevanteServer

pytestmark = pytest.mark.postgres


def test_definitions_and_triggers_on_postgresql(pg_server: LevanteServer, examples: Path) -> None:
    created = pg_server.mistral_json("workflow-create", str(examples / "nightly.yaml"))
    assert [w["Name"] for w in created] == ["nightly_wf"]
    again = pg_server.mistral("workflow-create", str(examples / "nightly.yaml"), ok=False)
    assert "Duplicate" in again.stderr
    assert "nightly_wf" in {w["Name"] for w in pg_server.mistral_json("workflow-list")}
    filtered = pg_server.mistral_json("workflow-list", "--filter", "tags=demo")
    assert "nightly_wf" not in {w["Name"] for w in filtered}
    trigger = pg_server.mistral_json(
        "cron-trigger-create",
        "pg_nightly",
        "nightly_wf",
        '{"name": "pg"}',
        "--pattern",
        "0 1 * * *",
    )
    assert trigger["Next execution time"].endswith("01:00:00")
    assert [t["Name"] for t in pg_server.mistral_json("cron-trigger-list")] == ["pg_nightly"]
    pg_server.mistral("cron-trigger-delete", "pg_nightly")
    env = pg_server.mistral_json("environment-create", str(examples / "staging_env.json"))
    assert env["Name"] == "staging"
    pg_server.mistral("environment-delete", "staging")
    pg_server.mistral("workflow-delete", "nightly_wf")
    assert "nightly_wf" not in {w["Name"] for w in pg_server.mistral_json("workflow-list")}
