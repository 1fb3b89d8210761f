"""``levante validate``: OK per valid file, every error with its location, exit 0 / 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from levante.cli.main import main

GOOD = "version: '2.0'\nwf:\n  tasks:\n    t:\n      action: std.noop\n"
BAD = (
    "version: '2.0'\nwf:\n  tasks:\n    t:\n      action: std.noop\n      timeout: -1\n"
    "      on-success: [nope]\n"
)


def test_valid_files_print_ok_and_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    one, two = tmp_path / "one.yaml", tmp_path / "two.yaml"
    one.write_text(GOOD)
    two.write_text(GOOD)
    assert main(["validate", str(one), str(two)]) == 0
    assert capsys.readouterr().out.splitlines() == [f"{one}: OK", f"{two}: OK"]


def test_invalid_file_prints_every_error_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(GOOD)
    bad.write_text(BAD)
    assert main(["validate", str(bad), str(good)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{bad}:6:16: wf.tasks.t.timeout: expected a non-negative")
    assert lines[1].startswith(f"{bad}:7:20: wf.tasks.t.on-success[0]: no task named 'nope'")
    assert lines[2] == f"{good}: OK"


def test_unreadable_file_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["validate", str(tmp_path / "missing.yaml")]) == 1
    assert "cannot read the file" in capsys.readouterr().out


def test_bundled_examples_validate(capsys: pytest.CaptureFixture) -> None:
    examples = sorted(str(p) for p in (Path(__file__).parents[3] / "examples").glob("*.yaml"))
    assert examples
    assert main(["validate", *examples]) == 0
