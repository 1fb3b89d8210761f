"""Sub-workflow names resolve inside the caller's workbook first, then as written."""

from __future__ import annotations

from levante.engine.naming import subworkflow_candidates, workbook_of


def test_a_workbook_workflow_is_known_by_its_stored_name_ending_in_its_spec_name() -> None:
    assert workbook_of("wb.main", "main") == "wb"
    assert workbook_of("my.book.main", "main") == "my.book"


def test_a_standalone_workflow_has_no_workbook() -> None:
    assert workbook_of("main", "main") is None
    assert workbook_of("other", "main") is None


def test_a_short_name_is_tried_inside_the_workbook_then_as_written() -> None:
    assert subworkflow_candidates("child", "wb") == ["wb.child", "child"]


def test_a_full_name_or_no_workbook_is_tried_as_written_only() -> None:
    assert subworkflow_candidates("wb.child", "wb") == ["wb.child"]
    assert subworkflow_candidates("child", None) == ["child"]
