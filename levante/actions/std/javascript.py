"""``std.javascript`` (alias ``std.js``): evaluate a JavaScript snippet.

As in Mistral, the snippet is the body of a function whose return value is
the result, and ``context`` is visible as ``$``. The engine is V8 through
the ``mini-racer`` package (imported as ``py_mini_racer``), Mistral's
recommended implementation: a sandbox with no file, process or network
access. It is optional; without it the action fails saying how to enable it.
"""

from __future__ import annotations

import importlib
import json
from typing import TYPE_CHECKING, Any

from levante.actions.base import Action
from levante.actions.errors import ActionError

if TYPE_CHECKING:
    from levante.actions.context import ActionContext

ENGINE_MISSING = (
    "std.javascript needs a JavaScript engine: install the 'mini-racer' package "
    "(pip install mini-racer) in the Levante server's environment"
)


class JavaScriptAction(Action):
    """Evaluates JavaScript: ``script`` is a function body, ``context`` is ``$``.

    Returns what the script returns (converted through JSON, so a Date becomes
    its ISO text).
    """

    def __init__(self, script: str, context: Any = None) -> None:
        """Keep the script and the value bound to ``$``."""
        self.script = script
        self.js_context = context

    def run(self, context: ActionContext) -> Any:
        """Evaluate the script in a fresh V8 context (in a pool thread)."""
        racer = _mini_racer_class()
        program = (
            f"var $ = {json.dumps(self.js_context)};\n"
            f"function f() {{\n{self.script}\n}}\n"
            "(function () { var r = f(); return JSON.stringify(r === undefined ? null : r); })()"
        )
        try:
            text = racer().eval(program)
        except Exception as exc:  # the engine's own error types vary by version
            raise ActionError(f"JavaScriptAction failed: {exc}") from exc
        return json.loads(text) if isinstance(text, str) else None

    def test(self, context: ActionContext) -> str:
        """Dry run: the script itself, as Mistral's."""
        return self.script


def _mini_racer_class() -> Any:
    for module_name in ("py_mini_racer", "py_mini_racer.py_mini_racer"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        racer = getattr(module, "MiniRacer", None)
        if racer is not None:
            return racer
    raise ActionError(ENGINE_MISSING)
