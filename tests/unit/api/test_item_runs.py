"""Reading iterations: the item an iteration ran for, summary lines, output tails."""

from __future__ import annotations

import datetime as dt

from levante.api.item_runs import (
    ItemRun,
    failed_first,
    item_value,
    summary_line,
    tail,
    with_items_variables,
)

SPEC = {"tasks": {"upgrade": {"with-items": "host in <% $.hosts %>"},
                  "pairs": {"with-items": ["a in <% $.xs %>", "b in [1, 2]"]}}}
SNAPSHOT = {"workflow": "fleet", "definition":
            "version: '2.0'\nfleet:\n  tasks:\n    upgrade:\n      with-items: vm in <% $.vms %>\n"
            "      action: std.noop\n"}


def test_with_items_variables_from_a_definition_or_an_execution_snapshot() -> None:
    assert with_items_variables(SPEC, "upgrade") == ["host"]
    assert with_items_variables(SPEC, "pairs") == ["a", "b"]
    assert with_items_variables(SNAPSHOT, "upgrade") == ["vm"]
    assert with_items_variables(SPEC, "missing") == []
    assert with_items_variables(None, "upgrade") == []


def test_the_recorded_item_wins_over_the_input() -> None:
    assert item_value({"item": "10.0.0.7"}, {"host": "x"}, ["host"]) == "10.0.0.7"
    assert item_value({"item": {"host": "10.0.0.7"}}, {}, ["host"]) == "10.0.0.7"
    assert item_value({"item": {"a": 1, "b": 2}}, {}, ["a", "b"]) == {"a": 1, "b": 2}


def test_without_a_recorded_item_the_variables_are_read_from_the_input() -> None:
    given = {"host": "10.0.0.7", "cmd": "reboot"}
    assert item_value({}, given, ["host"]) == "10.0.0.7"
    assert item_value(None, {"a": 1, "b": 2, "c": 3}, ["a", "b"]) == {"a": 1, "b": 2}
    assert item_value({}, given, ["vm"]) == given


def test_summary_line_puts_successes_first_then_failures() -> None:
    assert summary_line({"ERROR": 2, "SUCCESS": 18}) == "18 succeeded, 2 failed"
    assert summary_line({"IDLE": 1, "RUNNING": 2, "WAITING": 1}) == "2 running, 2 waiting"
    assert summary_line({}) == "nothing ran"


def test_failed_items_come_first_then_by_index() -> None:
    def run(index: int, state: str) -> ItemRun:
        return ItemRun(index, f"h{index}", state, None, None, f"id{index}", "action")

    ordered = failed_first([run(0, "SUCCESS"), run(1, "ERROR"), run(2, "RUNNING"),
                            run(3, "ERROR")])
    assert [item.index for item in ordered] == [1, 3, 2, 0]


def test_tail_keeps_the_end_of_the_output() -> None:
    text = "\n".join(f"line {n}" for n in range(10))
    assert tail(text) == "\n".join(f"line {n}" for n in range(5, 10))
    assert tail({"rc": 1}) == '{"rc": 1}'
    assert tail(None) is None
    long = tail("x" * 1000)
    assert long is not None and long.startswith("...") and len(long) == 403


def test_duration_of_a_finished_item() -> None:
    start = dt.datetime(2026, 11, 28, 17, 0, 0, tzinfo=dt.UTC)
    item = ItemRun(0, "h", "SUCCESS", start, start + dt.timedelta(seconds=2.5), "id", "action")
    assert item.duration() == 2.5
    assert item.as_dict()["action_execution_id"] == "id"
