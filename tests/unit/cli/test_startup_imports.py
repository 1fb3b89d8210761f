"""Building ``levante``'s parser loads no engine: no SQLAlchemy, YAQL, FastAPI, store or language.

Each check runs in a fresh interpreter, whose ``sys.modules`` says what
start-up imported. (Running a client command against a server is checked in
tests/integration/cli_client/test_startup_imports.py.)
"""

from __future__ import annotations

import json
import subprocess
import sys

from levante.cli.commands import COMMANDS

#: Packages a command's parser must not import: the engine's stack, not the REST client's.
HEAVY = ("sqlalchemy", "yaql", "fastapi", "uvicorn", "asyncssh", "levante.engine",
         "levante.store", "levante.lang", "levante.expr", "levante.node", "levante.api")
#: Commands allowed to load them while building their parser (none: even ``server --help``
#: shows its default database URL from levante.home, not the store).
ALLOWED_HEAVY: set[str] = set()

PARSE_EACH = """
import json, sys
from levante.cli.main import build_parser, main
heavy = tuple(json.loads(sys.argv[1]))
loaded, seen = {}, set()
for name in json.loads(sys.argv[2]):
    if name == "--help":
        try:
            main(["--help"])
        except SystemExit:
            pass
    else:
        build_parser(name)
    loaded[name] = sorted(m for m in sys.modules if m.startswith(heavy) and m not in seen)
    seen.update(sys.modules)
print(json.dumps(loaded))
"""


def _heavy_loaded_by(names: list[str]) -> dict[str, list[str]]:
    """For each parser built in turn (``--help``: the top-level help), the heavy modules it loaded.

    One interpreter builds them all; a module loaded by one is counted against
    the first that loaded it.
    """
    done = subprocess.run(
        [sys.executable, "-c", PARSE_EACH, json.dumps(HEAVY), json.dumps(names)],
        capture_output=True, text=True, timeout=120, check=True,
    )
    return dict(json.loads(done.stdout.splitlines()[-1]))


def test_top_level_help_imports_no_command_module() -> None:
    done = subprocess.run(
        [sys.executable, "-c",
         "import sys\nfrom levante.cli.main import main\n"
         "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
         "print(sorted(m for m in sys.modules if m.startswith('levante.cli.')))"],
        capture_output=True, text=True, timeout=60, check=True,
    )
    assert done.stdout.splitlines()[-1] == "['levante.cli.commands', 'levante.cli.main']"


def test_no_command_parser_imports_the_engine_stack() -> None:
    names = ["--help", *(c.name for c in COMMANDS if c.name not in ALLOWED_HEAVY)]
    loaded = _heavy_loaded_by(names)
    assert {name: modules for name, modules in loaded.items() if modules} == {}

