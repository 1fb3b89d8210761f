"""std.javascript / std.js: a function body evaluated with ``$`` bound to context.

The V8 binding (mini-racer) is optional and not installed here. The tests put
a stand-in ``py_mini_racer`` module in place whose ``eval`` hands the program
to Node.js, so the program Levante builds is checked by a real JS engine.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import types

import pytest

from levante.actions import ActionError
from levante.actions.std.javascript import ENGINE_MISSING
from tests.unit.actions.helpers import REGISTRY, run_std

NODE = shutil.which("node")


class NodeRacer:
    """Evaluates a program's last expression with Node, like MiniRacer.eval."""

    def eval(self, program: str) -> object:
        wrapped = f"const __v = eval({program!r}); process.stdout.write(String(__v));"
        done = subprocess.run(
            [NODE or "node", "-e", wrapped], capture_output=True, text=True, timeout=30
        )
        if done.returncode:
            errors = [line for line in done.stderr.splitlines() if "Error:" in line]
            raise RuntimeError(errors[0] if errors else done.stderr)
        return done.stdout


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> None:
    if NODE is None:
        pytest.skip("Node.js is not installed")
    module = types.ModuleType("py_mini_racer")
    module.MiniRacer = NodeRacer  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "py_mini_racer", module)


def test_signature_is_script_and_context() -> None:
    assert REGISTRY.get("std.javascript").params_spec == "script, context=null"
    assert REGISTRY.get("std.js").action_class is REGISTRY.get("std.javascript").action_class


@pytest.mark.usefixtures("engine")
async def test_the_script_is_a_function_body_and_context_is_dollar() -> None:
    script = "return {sum: $.a + $.b, items: [1, 'x', null]};"
    assert await run_std("std.js", script=script, context={"a": 2, "b": 3}) == {
        "sum": 5,
        "items": [1, "x", None],
    }


@pytest.mark.usefixtures("engine")
async def test_no_return_value_is_null() -> None:
    assert await run_std("std.javascript", script="var x = 1;") is None


@pytest.mark.usefixtures("engine")
async def test_a_script_error_fails_the_action_with_the_engines_message() -> None:
    with pytest.raises(ActionError, match=r"JavaScriptAction failed: .*nope is not defined"):
        await run_std("std.javascript", script="return nope + 1;")


async def test_without_an_engine_the_action_says_how_to_enable_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "py_mini_racer", None)
    monkeypatch.setitem(sys.modules, "py_mini_racer.py_mini_racer", None)
    with pytest.raises(ActionError) as info:
        await run_std("std.javascript", script="return 1;")
    assert str(info.value) == ENGINE_MISSING
