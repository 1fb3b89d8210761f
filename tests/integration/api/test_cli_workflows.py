"""The real ``mistral`` CLI against ``levante server``: workflow-* and workbook-* commands."""

from __future__ import annotations

from pathlib import Path

from tests.integration.api.server import LevanteServer


def test_workflow_create_list_get_and_definition(server: LevanteServer, examples: Path) -> None:
    created = server.mistral_json("workflow-create", str(examples / "greet.yaml"))
    assert [(w["Name"], w["Input"], w["Scope"]) for w in created] == [
        ("greet_wf", 'name, greeting="Hello"', "private")
    ]
    assert created[0]["Tags"] == "demo"
    listed = {w["Name"]: w for w in server.mistral_json("workflow-list")}
    assert listed["greet_wf"]["ID"] == created[0]["ID"]
    shown = server.mistral_json("workflow-get", "greet_wf")
    assert shown["ID"] == created[0]["ID"]
    assert shown["Project ID"] == "<default-project>"
    by_id = server.mistral_json("workflow-get", created[0]["ID"])
    assert by_id["Name"] == "greet_wf"
    definition = server.mistral("workflow-get-definition", "greet_wf").stdout
    assert definition.strip() == (examples / "greet.yaml").read_text().strip()


def test_workflow_create_twice_is_a_conflict(server: LevanteServer, examples: Path) -> None:
    server.mistral("workflow-create", str(examples / "two_workflows.yaml"))
    again = server.mistral("workflow-create", str(examples / "two_workflows.yaml"), ok=False)
    assert "Duplicate" in again.stderr and "first_wf" in again.stderr


def test_each_workflow_of_a_file_keeps_its_own_definition(server: LevanteServer) -> None:
    second = server.mistral("workflow-get-definition", "second_wf").stdout
    assert "second_wf:" in second and "first_wf" not in second
    assert "version: '2.0'" in second


def test_invalid_yaml_and_invalid_spec_are_refused_with_their_line(
    server: LevanteServer, examples: Path
) -> None:
    bad_yaml = server.mistral("workflow-create", str(examples / "bad_yaml.yaml"), ok=False)
    assert "invalid YAML" in bad_yaml.stderr and ":9:" in bad_yaml.stderr
    bad_spec = server.mistral("workflow-create", str(examples / "bad_spec.yaml"), ok=False)
    assert "nowhere" in bad_spec.stderr and ":9:" in bad_spec.stderr
    names = [w["Name"] for w in server.mistral_json("workflow-list")]
    assert "broken_wf" not in names and "bad_wf" not in names


def test_workflow_validate(server: LevanteServer, examples: Path) -> None:
    invalid = server.mistral_json("workflow-validate", str(examples / "bad_spec.yaml"))
    assert invalid["Valid"] is False
    assert "no task named 'nowhere'" in invalid["Error"]
    valid = server.mistral_json("workflow-validate", str(examples / "greet.yaml"))
    assert valid["Valid"] is True


def test_workflow_update_changes_definition_and_input(
    server: LevanteServer, examples: Path
) -> None:
    updated = server.mistral_json("workflow-update", str(examples / "greet_v2.yaml"))
    assert [(w["Name"], w["Input"]) for w in updated] == [("greet_wf", "name")]
    assert updated[0]["Updated at"] is not None
    assert "Hi, <% $.name %>" in server.mistral("workflow-get-definition", "greet_wf").stdout


def test_workflow_update_of_an_unknown_workflow_is_not_found(
    server: LevanteServer, examples: Path
) -> None:
    refused = server.mistral("workflow-update", str(examples / "bad_yaml.yaml"), ok=False)
    assert "invalid YAML" in refused.stderr
    missing = server.mistral("workflow-update", str(examples / "adhoc_actions.yaml"), ok=False)
    assert missing.returncode == 1


def test_workflow_get_unknown_and_delete(server: LevanteServer) -> None:
    unknown = server.mistral("workflow-get", "no_such_wf", ok=False)
    assert "Workflow not found" in unknown.stderr
    server.mistral("workflow-create", "--namespace", "scratch", _file(server, "tmp_wf"))
    deleted = server.mistral("workflow-delete", "tmp_wf", "--namespace", "scratch")
    assert "Request to delete workflow tmp_wf has been accepted." in deleted.stdout
    gone = server.mistral("workflow-delete", "tmp_wf", "--namespace", "scratch", ok=False)
    assert "not found" in gone.stdout + gone.stderr


def test_workflows_in_namespaces_are_separate(server: LevanteServer) -> None:
    server.mistral("workflow-create", "--namespace", "ns_a", _file(server, "same_name"))
    server.mistral("workflow-create", "--namespace", "ns_b", _file(server, "same_name"))
    in_a = server.mistral_json("workflow-list", "--filter", "namespace=ns_a")
    assert [(w["Name"], w["Namespace"]) for w in in_a] == [("same_name", "ns_a")]
    shown = server.mistral_json("workflow-get", "same_name", "--namespace", "ns_b")
    assert shown["Namespace"] == "ns_b"


def test_workbook_commands(server: LevanteServer, examples: Path) -> None:
    book = str(examples / "ops_workbook.yaml")
    created = server.mistral_json("workbook-create", book)
    assert (created["Name"], created["Tags"]) == ("ops", "ops")
    assert [b["Name"] for b in server.mistral_json("workbook-list")] == ["ops"]
    assert server.mistral_json("workbook-get", "ops")["Scope"] == "private"
    definition = server.mistral("workbook-get-definition", "ops").stdout
    assert definition.strip() == (examples / "ops_workbook.yaml").read_text().strip()
    names = {w["Name"] for w in server.mistral_json("workflow-list")}
    assert {"ops.check", "ops.report"} <= names
    assert server.mistral_json("action-get", "ops.shout")["Input"] == "word"
    assert server.mistral_json("workbook-validate", book)["Valid"] is True
    invalid = server.mistral_json("workbook-validate", str(examples / "bad_spec.yaml"))
    assert invalid["Valid"] is False
    assert server.mistral_json("workbook-update", book)["Name"] == "ops"
    deleted = server.mistral("workbook-delete", "ops")
    assert "has been accepted" in deleted.stdout
    assert "ops" not in [b["Name"] for b in server.mistral_json("workbook-list")]
    # As in Mistral, the workbook's workflows stay.
    assert "ops.check" in {w["Name"] for w in server.mistral_json("workflow-list")}


def _file(server: LevanteServer, name: str) -> str:
    path = server.log_path.parent / f"{name}.yaml"
    path.write_text(f"version: '2.0'\n{name}:\n  tasks:\n    only:\n      action: std.noop\n")
    return str(path)
