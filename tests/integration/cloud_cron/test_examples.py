"""``examples/cloud-cron/``: the cookbook's workflows as files an operator can run.

The files must stay the cookbook's text (bar the one indentation fix the
second workflow needs) and its input template must fit the workflows.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from levante.cli.main import main
from levante.lang import parse_workflows

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples" / "cloud-cron"
COOKBOOK_DATA = ROOT / "tests" / "unit" / "lang" / "data" / "cookbook"


def without_comment_header(text: str) -> list[str]:
    """The lines from ``---`` on (the files differ only in their comment line)."""
    lines = text.splitlines()
    return lines[lines.index("---"):]


def test_first_workflow_is_the_cookbook_text() -> None:
    ours = (EXAMPLES / "update_kernel.yaml").read_text()
    cookbook = (COOKBOOK_DATA / "update_kernel.yaml").read_text()
    assert without_comment_header(ours) == without_comment_header(cookbook)


def test_second_workflow_differs_from_the_printed_text_only_by_the_indented_thanks() -> None:
    ours = without_comment_header((EXAMPLES / "update_kernel_with_email.yaml").read_text())
    printed = without_comment_header(
        (COOKBOOK_DATA / "update_kernel_with_email_as_printed.yaml").read_text()
    )
    changed = [(a, b) for a, b in zip(ours, printed, strict=True) if a != b]
    assert changed == [("          -- Thanks", "        -- Thanks")]


def test_the_printed_second_workflow_is_refused_with_where_it_breaks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    printed = COOKBOOK_DATA / "update_kernel_with_email_as_printed.yaml"
    status = main(["run", str(printed), "--input", "{}", "-q"])
    assert status == 2
    assert "not a valid workflow file" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("name", "left_out"),
    [("update_kernel_with_email.yaml", set()), ("update_kernel.yaml", {"email_info"})],
)
def test_input_template_gives_every_required_input_and_nothing_unknown(
    name: str, left_out: set[str]
) -> None:
    """input.json is for the second workflow; the first takes it without email_info."""
    (workflow,) = parse_workflows((EXAMPLES / name).read_text(), file=name).workflows.values()
    given = set(json.loads((EXAMPLES / "input.json").read_text())) - left_out
    declared = {p.name for p in workflow.input}
    required = {p.name for p in workflow.input if not p.has_default}
    assert required <= given <= declared
