"""``levante workflow-*`` and ``workbook-*`` against a real server."""

from __future__ import annotations

from pathlib import Path

from tests.integration.cli_client.conftest import LevanteCli


def test_workflow_create_list_get_and_definition(levante: LevanteCli, examples: Path) -> None:
    created = levante("workflow-create", str(examples / "hello.yaml"))
    assert "| hello_wf |" in created.out and 'name, greeting="Hello"' in created.out
    assert created.out.startswith("+---") and "| ID " in created.out
    listed = {w["Name"]: w for w in levante.json("workflow-list")}
    assert listed["hello_wf"]["Tags"] == "demo"
    assert listed["hello_wf"]["Scope"] == "private"
    shown = levante.json("workflow-get", "hello_wf")
    assert shown["ID"] == listed["hello_wf"]["ID"]
    assert levante.json("workflow-get", shown["ID"])["Name"] == "hello_wf"
    definition = levante("workflow-get-definition", "hello_wf").out
    assert definition.strip() == (examples / "hello.yaml").read_text().strip()


def test_column_selection_and_value_format(levante: LevanteCli, examples: Path) -> None:
    levante("workflow-create", "--namespace", "columns", str(examples / "hello.yaml"))
    value = levante("workflow-get", "hello_wf", "--namespace", "columns",
                    "-f", "value", "-c", "Name", "-c", "Namespace").out
    assert value.splitlines() == ["hello_wf", "columns"]
    as_yaml = levante("workflow-get", "hello_wf", "--namespace", "columns", "-f", "yaml",
                      "-c", "Scope").out
    assert as_yaml.strip() == "Scope: private"
    unknown = levante("workflow-list", "-c", "Colour", ok=False)
    assert "no column 'Colour'" in unknown.err and "'Name'" in unknown.err


def test_duplicate_workflow_is_a_conflict(levante: LevanteCli, examples: Path) -> None:
    levante("workflow-create", "--namespace", "dup", str(examples / "hello.yaml"))
    again = levante("workflow-create", "--namespace", "dup", str(examples / "hello.yaml"),
                    ok=False)
    assert again.status == 1 and again.out == ""
    assert "Duplicate" in again.err and "hello_wf" in again.err and "already exists" in again.err


def test_invalid_yaml_is_refused_with_the_file_and_line(
    levante: LevanteCli, examples: Path
) -> None:
    path = str(examples / "broken_yaml.yaml")
    refused = levante("workflow-create", path, ok=False)
    assert refused.err.startswith("levante workflow-create: ")
    assert f"{path}:9:" in refused.err and "invalid YAML" in refused.err
    assert "broken_wf" not in {w["Name"] for w in levante.json("workflow-list")}


def test_workflow_validate_reports_the_error_and_line(levante: LevanteCli, examples: Path) -> None:
    path = str(examples / "unknown_target.yaml")
    invalid = levante.json("workflow-validate", path)
    assert invalid["Valid"] is False
    assert f"{path}:9:" in invalid["Error"] and "no task named 'nowhere'" in invalid["Error"]
    assert levante.json("workflow-validate", str(examples / "hello.yaml"))["Valid"] is True


def test_workflow_update_changes_the_definition(levante: LevanteCli, examples: Path) -> None:
    levante("workflow-create", "--namespace", "upd", str(examples / "hello.yaml"))
    updated = levante.json("workflow-update", "--namespace", "upd",
                           str(examples / "hello_v2.yaml"))
    assert [(w["Name"], w["Input"]) for w in updated] == [("hello_wf", "name")]
    assert updated[0]["Updated at"] is not None
    definition = levante("workflow-get-definition", "hello_wf", "--namespace", "upd").out
    assert "Hi, <% $.name %>" in definition


def test_unknown_workflow_and_delete(levante: LevanteCli, examples: Path) -> None:
    unknown = levante("workflow-get", "no_such_wf", ok=False)
    assert "Workflow not found" in unknown.err and "no_such_wf" in unknown.err
    levante("workflow-create", "--namespace", "scratch", str(examples / "hello.yaml"))
    deleted = levante("workflow-delete", "hello_wf", "--namespace", "scratch")
    assert deleted.out.strip() == "Request to delete workflow hello_wf has been accepted."
    again = levante("workflow-delete", "hello_wf", "--namespace", "scratch", ok=False)
    assert "Unable to delete the specified workflow(s)." in again.err


def test_missing_definition_file_is_a_usage_error(levante: LevanteCli, tmp_path: Path) -> None:
    missing = levante("workflow-create", str(tmp_path / "nothing.yaml"), ok=False)
    assert "cannot read" in missing.err and "nothing.yaml" in missing.err


def test_workbook_create_list_get_update_validate_and_delete(
    levante: LevanteCli, examples: Path
) -> None:
    created = levante.json("workbook-create", str(examples / "tools_workbook.yaml"))
    assert (created["Name"], created["Tags"], created["Scope"]) == ("tools", "tools", "private")
    assert "tools" in {w["Name"] for w in levante.json("workbook-list")}
    assert levante.json("workbook-get", "tools")["Created at"] == created["Created at"]
    assert "tools.noop" in {w["Name"] for w in levante.json("workflow-list")}
    assert "name: tools" in levante("workbook-get-definition", "tools").out
    duplicate = levante("workbook-create", str(examples / "tools_workbook.yaml"), ok=False)
    assert "Duplicate" in duplicate.err
    updated = levante.json("workbook-update", str(examples / "tools_workbook.yaml"), "--public")
    assert (updated["Name"], updated["Scope"]) == ("tools", "public")
    assert levante.json("workbook-get", "tools")["Scope"] == "public"
    assert levante.json("workbook-validate", str(examples / "tools_workbook.yaml"))["Valid"]
    invalid = levante.json("workbook-validate", str(examples / "broken_yaml.yaml"))
    assert invalid["Valid"] is False and "broken_yaml.yaml:9:" in invalid["Error"]
    deleted = levante("workbook-delete", "tools")
    assert "Request to delete workbook tools has been accepted." in deleted.out
    assert "tools" not in {w["Name"] for w in levante.json("workbook-list")}
    assert "Workbook not found" in levante("workbook-get", "tools", ok=False).err
