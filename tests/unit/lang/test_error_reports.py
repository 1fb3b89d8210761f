"""Errors name the file, line, column, field path, what was expected and what was found."""

from __future__ import annotations

import pytest

from levante.lang import LangError, ValidationError, parse_workbook, parse_workflows
from levante.lang.spec import Location
from tests.unit.lang.helpers import errors_of

WF = """\
version: '2.0'
wf:
  tasks:
    upgrade:
      action: std.noop
      retry:
        count: -1
        delay: 10
      on-success:
        - report
        - notify: <% $.ok %>
    report:
      action: std.echo output=<% $.x +* %>
"""


def test_error_str_has_file_line_column_path_expected_and_found() -> None:
    errors = errors_of(WF)
    count = next(e for e in errors if e.path.endswith("retry.count"))
    assert count.path == "wf.tasks.upgrade.retry.count"
    assert count.location == Location("test.yaml", 7, 16)
    assert str(count) == (
        "test.yaml:7:16: wf.tasks.upgrade.retry.count: expected a "
        "non-negative integer or an expression, found -1"
    )


def test_several_errors_are_reported_at_once_in_text_order() -> None:
    errors = errors_of(WF)
    assert [e.location.line for e in errors if e.location] == sorted(
        e.location.line for e in errors if e.location
    )
    paths = [e.path for e in errors]
    assert "wf.tasks.upgrade.on-success[1]" in paths  # notify does not exist
    assert "wf.tasks.report.action" in paths  # broken expression
    assert len(errors) == 3


def test_unknown_transition_target_points_at_the_key_and_suggests() -> None:
    text = (
        WF.replace("notify", "reprot")
        .replace("<% $.x +* %>", "<% $.x %>")
        .replace("count: -1", "count: 1")
    )
    (error,) = errors_of(text)
    assert error.location == Location("test.yaml", 11, 11)
    assert error.message == "no task named 'reprot'"
    assert error.hint == "did you mean 'report'?"


def test_expression_error_column_points_into_the_string() -> None:
    text = WF.replace("count: -1", "count: 1").replace("notify", "report")
    errors = errors_of(text)
    (error,) = [e for e in errors if e.path == "wf.tasks.report.action"]
    assert "invalid YAQL expression" in error.message
    assert error.location is not None and error.location.line == 13
    assert error.location.column > 15


def test_unknown_key_lists_allowed_keys_and_suggests_the_close_one() -> None:
    (error,) = errors_of(
        "version: '2.0'\nwf:\n  tasks:\n    t1:\n      action: std.noop\n      wait_before: 1\n"
    )
    assert error.path == "wf.tasks.t1.wait_before"
    assert error.location == Location("test.yaml", 6, 7)
    assert "unknown key 'wait_before' in a task" in error.message
    assert "wait-before" in error.message
    assert error.hint == "did you mean 'wait-before'?"


def test_missing_version_is_reported() -> None:
    (error,) = errors_of("wf:\n  tasks:\n    t1:\n      action: std.noop\n")
    assert "'version' is required" in error.message


@pytest.mark.parametrize("version", ["'1.0'", "''", "null", "true"])
def test_unsupported_version_is_refused(version: str) -> None:
    (error,) = errors_of(f"version: {version}\nwf:\n  tasks:\n    t1:\n      action: a\n")
    assert error.path == "version"


@pytest.mark.parametrize("version", ["'2.0'", "2.0", "2"])
def test_supported_versions(version: str) -> None:
    parse_workflows(f"version: {version}\nwf:\n  tasks:\n    t1:\n      action: a\n")


def test_empty_document_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_workflows("", "empty.yaml")
    assert "empty document" in str(caught.value)


def test_document_without_workflows_is_refused() -> None:
    (error,) = errors_of("version: '2.0'\n")
    assert "no workflow" in error.message


def test_validation_error_is_a_value_error_with_all_errors() -> None:
    error = ValidationError(
        [LangError("b", Location("f", 2, 1)), LangError("a", Location("f", 1, 1))]
    )
    assert isinstance(error, ValueError)
    assert [e.message for e in error.errors] == ["a", "b"]
    assert str(error) == "f:1:1: a\nf:2:1: b"


def test_workbook_errors_have_full_paths() -> None:
    text = (
        "version: '2.0'\nname: wb\nworkflows:\n  wf1:\n    tasks:\n      t1:\n"
        "        action: std.noop\n        on-success: [nowhere]\n"
    )
    with pytest.raises(ValidationError) as caught:
        parse_workbook(text, "wb.yaml")
    (error,) = caught.value.errors
    assert error.path == "workflows.wf1.tasks.t1.on-success[0]"
    assert str(error).startswith("wb.yaml:8:22: workflows.wf1.tasks.t1.on-success[0]: ")
