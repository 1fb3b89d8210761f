"""What the REST API derives from specs: the input signature and the spec dict."""

from __future__ import annotations

from levante.lang import input_signature, parse_workbook, parse_workflows, spec_dict
from levante.lang.spec import InputParam

WF = (
    "version: '2.0'\nwf:\n  input:\n    - a\n    - b: 1\n    - c: null\n  output:\n"
    "    r: 1\n  tasks:\n    t:\n      action: std.noop\n"
)


def test_input_signature_as_mistral_renders_it() -> None:
    assert input_signature(parse_workflows(WF).workflows["wf"].input) == 'a, b="1", c="None"'
    assert input_signature([]) == ""
    assert input_signature([InputParam("x", True, "s")]) == 'x="s"'


def test_spec_dict_injects_names_versions_and_task_types() -> None:
    spec = spec_dict(parse_workflows(WF).workflows["wf"])
    assert spec["name"] == "wf" and spec["version"] == "2.0"
    assert spec["tasks"]["t"] == {
        "action": "std.noop",
        "name": "t",
        "version": "2.0",
        "type": "direct",
    }
    assert spec["input"] == ["a", {"b": 1}, {"c": None}]


def test_workbook_keeps_short_names_and_raw_documents() -> None:
    text = (
        "version: '2.0'\nname: wb\nactions:\n  act:\n    base: std.echo output=1\n"
        "workflows:\n  wf:\n    tasks:\n      t:\n        action: act\n"
    )
    wb = parse_workbook(text)
    assert wb.name == "wb" and set(wb.workflows) == {"wf"} and set(wb.actions) == {"act"}
    action = wb.actions["act"]
    assert (action.base, dict(action.base_input)) == ("std.echo", {"output": 1})
    assert spec_dict(action) == {"base": "std.echo output=1", "name": "act", "version": "2.0"}
