"""Definition text stored per workflow, and cron schedules."""

from __future__ import annotations

import datetime as dt

import pytest

from levante.api.cron import check_schedule, next_fire_time, parse_first_time
from levante.api.documents import item_definitions
from levante.api.errors import BadRequest
from levante.lang import parse_workbook, parse_workflows

TWO = """---
version: '2.0'

one:
  tasks:
    a:
      action: std.noop
# between
two:
  tasks:
    b:
      action: std.noop
"""


def test_a_single_workflow_keeps_the_whole_text() -> None:
    text = "version: '2.0'\nsolo:\n  tasks:\n    a:\n      action: std.noop\n"
    assert item_definitions(text, parse_workflows(text).workflows) == {"solo": text}


def test_each_of_several_workflows_gets_its_own_text() -> None:
    texts = item_definitions(TWO, parse_workflows(TWO).workflows)
    assert texts["two"] == "---\nversion: '2.0'\n\ntwo:\n  tasks:\n    b:\n      action: std.noop\n"
    assert "two" not in texts["one"] and parse_workflows(texts["one"]).workflows.keys() == {"one"}


def test_workbook_items_are_dedented_into_valid_documents() -> None:
    book = (
        "version: '2.0'\nname: wb\nworkflows:\n  w1:\n    tasks:\n      a:\n"
        "        action: std.noop\nactions:\n  a1:\n    base: std.noop\n"
    )
    spec = parse_workbook(book)
    texts = item_definitions(book, spec.workflows, whole_if_single=False)
    assert list(parse_workflows(texts["w1"]).workflows) == ["w1"]
    assert "actions" not in texts["w1"]


def test_next_fire_time_is_in_utc_and_after_the_start() -> None:
    start = dt.datetime(2026, 11, 28, 17, 0, 30, tzinfo=dt.UTC)
    assert next_fire_time("* * * * *", start) == dt.datetime(2026, 11, 28, 17, 1, tzinfo=dt.UTC)
    assert next_fire_time("0 2 * * mon", start) == dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)


def test_schedule_rules() -> None:
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    soon = now + dt.timedelta(seconds=10)
    later = now + dt.timedelta(hours=1)
    check_schedule("0 * * * *", None, None, now)
    check_schedule(None, later, 1, now)
    for pattern, first, count, reason in [
        (None, None, None, "Pattern or first_execution_time"),
        ("not a cron", None, None, "not valid: not a cron"),
        (None, soon, None, "at least 1 minute"),
        (None, later, 3, "Pattern must be provided"),
        ("* * * * *", None, 0, "at least 1"),
    ]:
        with pytest.raises(BadRequest, match=reason):
            check_schedule(pattern, first, count, now)


def test_first_time_formats() -> None:
    expected = dt.datetime(2026, 5, 1, 10, 30, tzinfo=dt.UTC)
    assert parse_first_time("2026-05-01 10:30") == expected
    assert parse_first_time("2026-05-01T12:30:00+02:00") == expected
    with pytest.raises(BadRequest, match="YYYY-MM-DD HH:MM"):
        parse_first_time("tomorrow")
