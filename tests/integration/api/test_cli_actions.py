"""The real ``mistral`` CLI against ``levante server``: action-* and environment-* commands."""

from __future__ import annotations

from pathlib import Path

from tests.integration.api.server import LevanteServer


def test_action_list_shows_std_actions_with_their_input(server: LevanteServer) -> None:
    actions = {a["Name"]: a for a in server.mistral_json("action-list")}
    assert actions["std.echo"]["Input"] == "output, delay=0"
    assert actions["std.noop"]["Input"] == ""
    assert {"std.fail", "std.sleep"} <= set(actions)
    shown = server.mistral_json("action-get", "std.echo")
    assert (shown["ID"], shown["Is system"]) == ("std.echo", False)
    assert shown["Description"]


def test_action_list_pages_and_filters(server: LevanteServer) -> None:
    first = server.mistral_json("action-list", "--limit", "2", "--sort_keys", "name")
    assert len(first) == 2
    only_echo = server.mistral_json("action-list", "--filter", "name=std.echo")
    assert [a["Name"] for a in only_echo] == ["std.echo"]


def test_adhoc_action_lifecycle(server: LevanteServer, examples: Path) -> None:
    created = server.mistral_json("action-create", str(examples / "adhoc_actions.yaml"))
    assert [(a["Name"], a["Input"]) for a in created] == [("loud_echo", "text")]
    assert server.mistral_json("action-get", "loud_echo")["Description"].startswith("Echo with")
    definition = server.mistral("action-get-definition", "loud_echo").stdout
    assert "<% $.text %>!" in definition
    assert "loud_echo" in {a["Name"] for a in server.mistral_json("action-list")}
    duplicate = server.mistral("action-create", str(examples / "adhoc_actions.yaml"), ok=False)
    assert "Duplicate" in duplicate.stderr
    updated = server.mistral_json("action-update", str(examples / "adhoc_actions_v2.yaml"))
    assert updated[0]["Input"] == 'text, extra="None"'
    assert server.mistral_json("action-get", "loud_echo")["Description"] == "Echo twice as loud."
    deleted = server.mistral("action-delete", "loud_echo")
    assert "has been accepted" in deleted.stdout
    server.mistral("action-get", "loud_echo", ok=False)


def test_action_validate(server: LevanteServer, examples: Path) -> None:
    good = server.mistral_json("action-validate", str(examples / "adhoc_actions.yaml"))
    assert good["Valid"] is True
    bad = server.mistral_json("action-validate", str(examples / "bad_actions.yaml"))
    assert bad["Valid"] is False and bad["Error"]


def test_system_actions_cannot_be_deleted(server: LevanteServer) -> None:
    refused = server.mistral("action-delete", "std.echo", ok=False)
    assert "system action" in refused.stdout + refused.stderr


def test_environment_lifecycle(server: LevanteServer, examples: Path) -> None:
    created = server.mistral_json("environment-create", str(examples / "staging_env.json"))
    assert (created["Name"], created["Description"]) == ("staging", "The staging cloud")
    shown = server.mistral_json("environment-get", "staging")
    assert '"region": "eu-1"' in shown["Variables"]
    assert "staging" in {e["Name"] for e in server.mistral_json("environment-list")}
    again = server.mistral("environment-create", str(examples / "staging_env.json"), ok=False)
    assert "Duplicate" in again.stderr
    updated = server.mistral_json("environment-update", str(examples / "staging_env_v2.json"))
    assert updated["Description"] == "Staging, moved"
    assert '"eu-2"' in server.mistral_json("environment-get", "staging")["Variables"]
    assert "has been accepted" in server.mistral("environment-delete", "staging").stdout
    missing = server.mistral("environment-get", "staging", ok=False)
    assert "not found" in missing.stderr
