"""The real ``mistral`` CLI: member-*, code-source-* and dynamic-action-* commands."""

from __future__ import annotations

from pathlib import Path

from tests.integration.api.server import LevanteServer


def test_member_lifecycle(server: LevanteServer) -> None:
    path = server.log_path.parent / "shared_wf.yaml"
    path.write_text("version: '2.0'\nshared_wf:\n  tasks:\n    t:\n      action: std.noop\n")
    workflow_id = server.mistral_json("workflow-create", str(path))[0]["ID"]
    created = server.mistral_json("member-create", workflow_id, "workflow", "project-b")
    assert (created["Resource ID"], created["Member ID"], created["Status"]) == (
        workflow_id,
        "project-b",
        "pending",
    )
    listed = server.mistral_json("member-list", workflow_id, "workflow")
    assert [m["Member ID"] for m in listed] == ["project-b"]
    shown = server.mistral_json("member-get", workflow_id, "workflow", "-m", "project-b")
    assert shown["Resource Type"] == "workflow"
    again = server.mistral("member-create", workflow_id, "workflow", "project-b", ok=False)
    assert "Duplicate" in again.stderr
    updated = server.mistral_json(
        "member-update", workflow_id, "workflow", "-m", "project-b", "-s", "accepted"
    )
    assert updated["Status"] == "accepted"
    deleted = server.mistral("member-delete", workflow_id, "workflow", "project-b")
    assert "has been accepted" in deleted.stdout
    server.mistral("member-get", workflow_id, "workflow", "-m", "project-b", ok=False)


def test_code_source_and_dynamic_action_lifecycle(server: LevanteServer, examples: Path) -> None:
    code = str(examples / "my_actions.py")
    created = server.mistral_json("code-source-create", "my_actions", code)
    assert (created["Name"], created["Scope"]) == ("my_actions", "private")
    assert "my_actions" in {c["Name"] for c in server.mistral_json("code-source-list")}
    assert server.mistral_json("code-source-get", "my_actions")["ID"] == created["ID"]
    content = server.mistral("code-source-get-content", "my_actions").stdout
    assert "class Shout" in content

    action = server.mistral_json("dynamic-action-create", "shout", "Shout", "my_actions")
    assert (action["Name"], action["Class"], action["Code source name"]) == (
        "shout",
        "Shout",
        "my_actions",
    )
    assert server.mistral_json("dynamic-action-get", "shout")["Code source ID"] == created["ID"]
    assert "shout" in {a["Name"] for a in server.mistral_json("dynamic-action-list")}
    renamed = server.mistral_json("dynamic-action-update", "shout", "--class-name", "Yell")
    assert renamed["Class"] == "Yell"

    changed = server.log_path.parent / "my_actions_v2.py"
    changed.write_text((examples / "my_actions.py").read_text() + "\n\nLOUDNESS = 11\n")
    server.mistral_json("code-source-update", "my_actions", str(changed))
    status, body = server.request("GET", "/v2/code_sources/my_actions")
    assert (status, body["version"]) == (200, 2)
    assert "LOUDNESS = 11" in body["content"]

    assert "has been accepted" in server.mistral("dynamic-action-delete", "shout").stdout
    server.mistral("dynamic-action-get", "shout", ok=False)
    assert "has been accepted" in server.mistral("code-source-delete", "my_actions").stdout
    server.mistral("code-source-get", "my_actions", ok=False)
