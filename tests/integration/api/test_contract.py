"""The HTTP contract: the same ``mistral`` commands as the reference capture, diffed against it.

Runs the commands of ``shared/mistral-contract`` that need no engine through its
logging proxy in front of a fresh ``levante server``, writes the candidate
capture, and runs its ``contract_diff.py``: paths, query keys, status codes,
body structure (including which fields are JSON-encoded strings) and CLI exit
codes must all match upstream Mistral.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.api.server import MISTRAL, LevanteServer, client_env

CONTRACT = Path(__file__).resolve().parents[3].parent / "shared" / "mistral-contract"

#: Captured commands whose answers do not depend on earlier executions' ids or timing.
COMMANDS = (
    "workflow-create",
    "workflow-create_duplicate",
    "workflow-create_invalid_yaml",
    "workflow-create_invalid_spec",
    "workflow-validate",
    "workflow-update",
    "workflow-list",
    "workflow-get",
    "workflow-get-definition",
    "workflow-get_not_found",
    "execution-create_unknown_workflow",
    "execution-get_not_found",
    "run-action_unknown_action",
    "run-action",
    "run-action_save_result",
    "action-get",
    "cron-trigger-create",
    "cron-trigger-create_duplicate",
    "cron-trigger-create_bad_pattern",
    "cron-trigger-list",
    "cron-trigger-get",
    "cron-trigger-delete",
    "cron-trigger-delete_not_found",
    "workflow-delete",
)


def _load_proxy() -> Any:
    spec = importlib.util.spec_from_file_location("capture_proxy", CONTRACT / "capture_proxy.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Proxy


@pytest.fixture(scope="module")
def contract_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LevanteServer]:
    """A server of its own: the capture expects an empty database."""
    if not (CONTRACT / "captures" / "INDEX.json").exists():
        pytest.skip(f"the reference capture is not at {CONTRACT}")
    folder = tmp_path_factory.mktemp("contract-server")
    # No scheduler role: the replayed trigger fires every minute, and a fire in the
    # middle of the replay would change its updated_at (upstream's capture had none).
    running = LevanteServer(
        f"sqlite:///{folder / 'levante.db'}", folder / "server.log",
        roles="api,engine,executor",
    ).start()
    yield running
    assert running.stop() == 0


def test_cli_contract_matches_upstream_mistral(
    contract_server: LevanteServer, tmp_path: Path
) -> None:
    reference = json.loads((CONTRACT / "captures" / "INDEX.json").read_text())
    proxy = _load_proxy()("127.0.0.1", 0, contract_server.url).start()
    base = f"http://127.0.0.1:{proxy.server.server_address[1]}/v2"
    candidate = tmp_path / "capture"
    candidate.mkdir()
    index = {}
    try:
        for name in COMMANDS:
            argv = _argv(reference[name]["argv"])
            proxy.take()
            done = subprocess.run(
                [MISTRAL, "--os-mistral-url", base, *argv],
                capture_output=True,
                text=True,
                env=client_env(contract_server.url),
                timeout=60,
            )
            exchanges = proxy.take()
            (candidate / f"{name}.json").write_text(json.dumps(exchanges, indent=2))
            index[name] = {
                "argv": argv,
                "rc": done.returncode,
                "stdout": done.stdout,
                "stderr": done.stderr,
            }
    finally:
        proxy.stop()
    (candidate / "INDEX.json").write_text(json.dumps(index, indent=2))
    diff = subprocess.run(
        [
            sys.executable,
            str(CONTRACT / "contract_diff.py"),
            str(CONTRACT / "captures"),
            str(candidate),
            "--only",
            ",".join(COMMANDS),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert diff.returncode == 0, diff.stdout + diff.stderr
    assert f"0 difference(s) in {len(COMMANDS)} command(s)" in diff.stdout


def _argv(shown: list[str]) -> list[str]:
    """The reference argv minus ``mistral --os-mistral-url URL``; example paths made absolute."""
    args = shown[3:]
    return [str(CONTRACT / arg) if arg.startswith("examples/") else arg for arg in args]
