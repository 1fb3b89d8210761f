"""Every workflow, workbook and action example of Mistral's reference and cookbook validates."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from levante.lang import ValidationError, parse_any, parse_workflows
from levante.lang.spec import ActionsDocument, WorkbookSpec, WorkflowsDocument

DATA = Path(__file__).parent / "data"
EXAMPLES = Path(__file__).parents[3] / "examples"


def _files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.yaml"))


@pytest.mark.parametrize("path", _files(DATA / "reference"), ids=lambda p: p.stem)
def test_reference_example_validates(path: Path) -> None:
    parse_any(path.read_text(), str(path))


@pytest.mark.parametrize("path", _files(DATA / "upstream"), ids=lambda p: p.stem)
def test_upstream_test_resource_validates(path: Path) -> None:
    parse_any(path.read_text(), str(path))


@pytest.mark.parametrize("path", _files(EXAMPLES), ids=lambda p: p.stem)
def test_bundled_example_validates(path: Path) -> None:
    parse_any(path.read_text(), str(path))


@pytest.mark.parametrize("path", _files(DATA / "reference_tasks"), ids=lambda p: p.stem)
def test_reference_task_snippet_validates_inside_a_workflow(path: Path) -> None:
    snippet = path.read_text()
    names = _task_names(snippet)
    stubs = "".join(f"    {n}:\n      action: std.noop\n" for n in _missing_targets(snippet, names))
    text = "version: '2.0'\nwf:\n  tasks:\n" + textwrap.indent(snippet, "    ") + stubs
    parse_workflows(text, str(path))


def _task_names(snippet: str) -> set[str]:
    return {
        line.rstrip(":")
        for line in snippet.splitlines()
        if line and not line.startswith((" ", "#"))
    }


def _missing_targets(snippet: str, names: set[str]) -> list[str]:
    commands = {"fail", "succeed", "pause", "noop"}
    targets = []
    for line in snippet.splitlines():
        item = line.strip()
        if item.startswith("- ") and item[2:].isidentifier():
            target = item[2:]
            if target not in names and target not in commands and target not in targets:
                targets.append(target)
    return targets


def test_document_kinds_are_detected() -> None:
    assert isinstance(parse_any((DATA / "reference/create_vm.yaml").read_text()), WorkflowsDocument)
    assert isinstance(
        parse_any((DATA / "reference/workbook_namespacing.yaml").read_text()), WorkbookSpec
    )
    assert isinstance(
        parse_any((DATA / "reference/adhoc_action_error_email.yaml").read_text()), ActionsDocument
    )


def test_first_cloud_cron_update_kernel_validates() -> None:
    doc = parse_workflows((DATA / "cookbook/update_kernel.yaml").read_text())
    workflow = doc.workflows["upgrade_kernel"]
    upgrade = workflow.tasks["upgrade"]
    assert upgrade.action == "std.ssh_proxied"
    assert upgrade.with_items is not None
    assert upgrade.with_items.variables == ("host",)
    assert upgrade.with_items.sources == ("<% $.hosts %>",)
    assert workflow.tasks["get_hosts"].keep_result is False
    assert workflow.start_tasks() == ("get_hosts",)


def test_second_cloud_cron_update_kernel_as_printed_is_refused_at_the_stray_line() -> None:
    path = DATA / "cookbook/update_kernel_with_email_as_printed.yaml"
    with pytest.raises(ValidationError) as caught:
        parse_any(path.read_text(), "update_kernel.yaml")
    (error,) = caught.value.errors
    lines = path.read_text().splitlines()
    assert lines[error.location.line - 1].strip() == "-- Thanks"
    header_line = next(i for i, text in enumerate(lines, 1) if text.strip() == "body: |")
    assert f"block scalar `body: |` that started at line {header_line} ended" in error.message
    assert "indent it" in (error.hint or "")
    assert str(error).startswith(f"update_kernel.yaml:{error.location.line}:")


def test_second_cloud_cron_update_kernel_validates_once_the_line_is_indented() -> None:
    doc = parse_workflows((DATA / "cookbook/update_kernel_with_email.yaml").read_text())
    email = doc.workflows["upgrade_kernel"].tasks["send_success_email"]
    assert isinstance(email.input, dict)
    assert email.input["body"].endswith("-- Thanks\n")
    assert email.input["to_addrs"] == ["<% $.email_info.to_email %>"]


def test_copied_non_breaking_space_is_pointed_at() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_any((DATA / "nbsp_after_version.yaml").read_text(), "wf.yaml")
    (error,) = caught.value.errors
    assert error.location is not None and error.location.line == 3
    assert "non-breaking space" in error.message
