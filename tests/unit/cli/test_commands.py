"""The command table: ``levante --help`` from the table alone, a command's parser from its module.

The table (:mod:`levante.cli.commands`) repeats each command's name and help;
these tests hold it to what the modules register, so that the lazy parser
shows what a parser built from every module would.
"""

from __future__ import annotations

import argparse
import importlib

import pytest

from levante.cli import main as cli_main
from levante.cli.commands import COMMANDS, Command
from levante.cli.main import build_parser, command_named, main


def _registered(module: str) -> dict[str, str]:
    """The commands ``module.register`` adds, with their help, in order."""
    subparsers = argparse.ArgumentParser(prog="levante").add_subparsers(metavar="COMMAND")
    importlib.import_module(module).register(subparsers)
    return {action.dest: str(action.help) for action in subparsers._choices_actions}


def test_the_table_agrees_with_what_each_module_registers() -> None:
    registered: dict[str, str] = {}
    for module in dict.fromkeys(command.module for command in COMMANDS):
        registered.update(_registered(module))
    table = {command.name: command.help for command in COMMANDS}
    assert len(table) == len(COMMANDS), "a command is listed twice"
    for name, text in registered.items():
        assert name in table, f"{name} is registered but not listed in levante.cli.commands"
        assert table[name] == text, f"the help of {name} differs from its module's"
    for command in COMMANDS:
        assert command.name in _registered(command.module), (
            f"{command.module} does not register {command.name}"
        )


def test_top_level_help_lists_every_command_with_its_help(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--help"])
    assert stop.value.code == 0
    shown = " ".join(capsys.readouterr().out.split())
    for command in COMMANDS:
        assert f"{command.name} {' '.join(command.help.split())}" in shown


def test_a_command_help_shows_the_arguments_its_module_adds(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["workflow-list", "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: levante workflow-list [-h] [--url URL]")
    assert "List all workflows." in out
    assert "--sort_keys" in out and "--format" in out


def test_the_named_command_is_parsed_with_its_real_arguments() -> None:
    args = build_parser("execution-list").parse_args(["execution-list", "--limit", "5"])
    assert args.command == "execution-list"
    assert args.limit == 5
    assert callable(args.func)


def test_an_unknown_command_is_refused_with_every_choice(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["no-such-command"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'no-such-command'" in err
    assert all(f"'{command.name}'" in err for command in COMMANDS)


def test_no_command_prints_the_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "workflow-create" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "named"), [
    ([], None),
    (["-h"], None),
    (["workflow-list", "--url", "http://x"], "workflow-list"),
    (["--help", "run", "file.yaml"], "run"),
])
def test_the_command_is_the_first_word_that_is_not_an_option(
    argv: list[str], named: str | None
) -> None:
    assert command_named(argv) == named


def test_a_table_entry_its_module_does_not_register_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wrong = (Command("workflow-list", "List all workflows.", "levante.cli.client.actions"),)
    monkeypatch.setattr(cli_main, "COMMANDS", wrong)
    with pytest.raises(LookupError, match=r"levante\.cli\.client\.actions"):
        build_parser("workflow-list")
