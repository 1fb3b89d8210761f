"""The table of ``levante`` sub-commands: each one's name, one-line help and module.

``levante --help`` (and an unknown command's error) needs only this table, which
imports nothing. A command's module is imported when that command is run or its
own help is asked for: its ``register(subparsers)`` adds its arguments and sets
``func``. So ``levante workflow-list`` loads the REST client, not the engine,
the store or YAQL, and the modules keep such imports inside the functions that
need them.

A module's ``register`` may add several commands; each is listed here with the
same help text (tests/unit/cli/test_commands.py checks that they agree).
"""

from __future__ import annotations

from typing import NamedTuple


class Command(NamedTuple):
    """A sub-command: its name, the help ``levante --help`` shows, the module that adds it.

    (A named tuple rather than a dataclass: importing ``dataclasses`` would be a
    quarter of ``levante --help``'s start-up.)
    """

    name: str
    help: str
    module: str


def _module(module: str, *commands: tuple[str, str]) -> tuple[Command, ...]:
    """The commands ``levante.cli.<module>`` registers, as (name, help) pairs."""
    return tuple(Command(name, text, f"levante.cli.{module}") for name, text in commands)


#: Every sub-command, in the order ``levante --help`` lists them.
COMMANDS: tuple[Command, ...] = (
    *_module("validate",
             ("validate", "check workflow / workbook / action files without running them")),
    *_module("server", ("server", "run the Levante server (Mistral-compatible REST API v2)")),
    *_module("cluster",
             ("cluster-status", "Show the cluster's nodes: roles, executor names, heartbeats "
              "and the work each holds.")),
    *_module("run", ("run", "run a workflow embedded (no server), showing progress")),
    *_module("lab",
             ("lab", "a simulated tenant on loopback (SSH hosts, gateway, cloud, SMTP) to try "
              "Levante")),
    *_module(
        "client.workflows",
        ("workflow-create", "Create new workflow(s)."),
        ("workflow-list", "List all workflows."),
        ("workflow-get", "Show specific workflow."),
        ("workflow-get-definition", "Show workflow definition."),
        ("workflow-update", "Update workflow(s)."),
        ("workflow-delete", "Delete workflow(s)."),
        ("workflow-validate", "Validate workflow."),
    ),
    *_module(
        "client.workbooks",
        ("workbook-create", "Create new workbook."),
        ("workbook-list", "List all workbooks."),
        ("workbook-get", "Show specific workbook."),
        ("workbook-get-definition", "Show workbook definition."),
        ("workbook-update", "Update workbook."),
        ("workbook-delete", "Delete workbook(s)."),
        ("workbook-validate", "Validate workbook."),
    ),
    *_module(
        "client.executions",
        ("execution-create", "Create new execution."),
        ("execution-list", "List all executions."),
        ("execution-get", "Show specific execution."),
        ("execution-get-input", "Show execution input data."),
        ("execution-get-output", "Show execution output data."),
        ("execution-get-published", "Show workflow global published variables."),
        ("execution-update", "Update execution."),
        ("execution-delete", "Delete execution(s)."),
    ),
    *_module(
        "client.tasks",
        ("task-list", "List all tasks."),
        ("task-get", "Show specific task."),
        ("task-get-result", "Show task output data."),
        ("task-get-published", "Show task published variables."),
        ("task-rerun", "Rerun an existing task."),
    ),
    *_module(
        "client.action_executions",
        ("action-execution-list", "List all action executions."),
        ("action-execution-get", "Show specific action execution."),
        ("action-execution-get-output", "Show action execution output data."),
        ("action-execution-get-input", "Show action execution input data."),
        ("action-execution-update",
         "Update specific action execution (report an async result)."),
        ("run-action", "Create new action execution or just run a specific action."),
    ),
    *_module(
        "client.actions",
        ("action-list", "List all actions."),
        ("action-get", "Show specific action."),
    ),
    *_module(
        "client.cron_triggers",
        ("cron-trigger-create", "Create new trigger."),
        ("cron-trigger-list", "List all cron triggers."),
        ("cron-trigger-get", "Show specific cron trigger."),
        ("cron-trigger-delete", "Delete trigger(s)."),
        ("cron-trigger-update", "Change a cron trigger in place (unchanged options stay)."),
        ("cron-trigger-pause", "Pause a cron trigger: it does not fire until resumed."),
        ("cron-trigger-resume", "Resume a paused cron trigger from now (times passed while "
         "paused do not run; the history lists them as paused)."),
    ),
    *_module(
        "client.cron_trigger_runs",
        ("cron-trigger-fire", "Start a cron trigger's workflow once now (schedule unchanged)."),
        ("cron-trigger-history",
         "Show a cron trigger's fire times and what happened, newest first."),
        ("cron-trigger-preview", "Show a cron trigger's next fire times."),
    ),
    *_module(
        "client.environments",
        ("environment-create", "Create new environment."),
        ("environment-list", "List all environments."),
        ("environment-get", "Show specific environment."),
        ("environment-update", "Update environment."),
        ("environment-delete", "Delete environment(s)."),
    ),
    *_module(
        "client.items",
        ("execution-report", "Show each task and each with-items item (host) of an execution, "
         "failed first."),
        ("item-history", "Show each item (host) ever seen by a with-items task across runs: "
         "last state, when, recent trend."),
    ),
)

