"""The ``mistral`` commands that the client answers itself, with our server's URL set.

``help``, ``bash-completion`` and ``complete`` send no request, but they are
part of the CLI an operator scripts against; they must work in the same
environment (no OpenStack auth, ``OS_MISTRAL_URL`` pointing at Levante).
"""

from __future__ import annotations

from tests.integration.api.server import LevanteServer


def test_help_lists_and_describes_commands(server: LevanteServer) -> None:
    listed = server.mistral("help").stdout
    assert "run-action" in listed and "execution-get-report" in listed
    one = server.mistral("help", "task-rerun").stdout
    assert "--resume" in one and "--env" in one


def test_bash_completion_and_complete(server: LevanteServer) -> None:
    words = server.mistral("bash-completion").stdout.split()
    assert {"execution-create", "cron-trigger-create", "--os-mistral-url"} <= set(words)
    script = server.mistral("complete").stdout
    assert "_mistral()" in script and "complete -F _mistral mistral" in script
