"""``levante lab up|down|status|fail-host|fix-host``: a simulated tenant on loopback.

See :mod:`levante.lab` for what runs; this module parses arguments and
prints what the operator needs to know. ``python -m levante.cli.lab ARGS``
is ``levante lab ARGS`` without loading every other command (``lab up``
starts its background child so).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from levante.lab.commands import commands_per_host, read_commands
from levante.lab.failures import (
    DEFAULT_STATUS,
    DEFAULT_STDERR,
    FailureBookError,
    HostFailure,
    read_failures,
    set_failure,
    write_failures,
)
from levante.lab.paths import LabPaths, default_lab_dir
from levante.lab.process import LabProcessError, running_pid, start_background, stop
from levante.lab.state import LabState, read_state

EXAMPLES = "examples/cloud-cron"


def register(subparsers: Any) -> None:
    """Add ``lab`` and its sub-commands."""
    lab = subparsers.add_parser(
        "lab",
        help="a simulated tenant on loopback (SSH hosts, gateway, cloud, SMTP) to try Levante",
        description="Start, inspect and stop a lab: N SSH hosts and a gateway (pure Python, "
        "no root), a Keystone + Nova stand-in listing the hosts, and an SMTP sink, with the "
        "input.json, clouds.yaml and env.sh that use them. Files live in $LEVANTE_HOME/lab "
        "(default ./.levante/lab).",
    )
    commands = lab.add_subparsers(dest="lab_command", metavar="COMMAND")
    lab.set_defaults(func=lambda _args: _usage(lab))

    up = commands.add_parser("up", help="start the lab in the background")
    _dir_option(up)
    up.add_argument("--hosts", type=int, default=5, help="number of SSH hosts (default 5)")
    up.add_argument("--ssh-port", type=int, default=0,
                    help="SSH port of every host and the gateway (default: a free one)")
    up.add_argument("--username", default="ubuntu", help="user the hosts accept (default ubuntu)")
    up.add_argument("--fail-host", action="append", default=[], metavar="HOST",
                    help="a host (vmN or address) that fails every command; repeatable")
    up.add_argument("--foreground", action="store_true",
                    help="run in this process until Ctrl-C (for debugging)")
    up.add_argument("--quiet", action="store_true", help=argparse.SUPPRESS)
    up.set_defaults(func=lab_up)

    down = commands.add_parser("down", help="stop the lab")
    _dir_option(down)
    down.set_defaults(func=lab_down)

    status = commands.add_parser("status", help="what runs, commands run per host, mail")
    _dir_option(status)
    status.set_defaults(func=lab_status)

    fail = commands.add_parser("fail-host", help="make a host fail every command")
    _dir_option(fail)
    fail.add_argument("host", help="vmN or the host's address")
    fail.add_argument("--exit-status", type=int, default=DEFAULT_STATUS,
                      help=f"its exit status (default {DEFAULT_STATUS}, as apt)")
    fail.add_argument("--stderr", default=DEFAULT_STDERR, help="what it prints on stderr")
    fail.set_defaults(func=lab_fail_host)

    fix = commands.add_parser("fix-host", help="make a failing host succeed again")
    _dir_option(fix)
    fix.add_argument("host", nargs="?", help="vmN or the host's address")
    fix.add_argument("--all", action="store_true", help="every failing host")
    fix.set_defaults(func=lab_fix_host)


def _dir_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dir", type=Path, default=None,
                        help="lab directory (default $LEVANTE_HOME/lab or ./.levante/lab)")


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _paths(args: argparse.Namespace) -> LabPaths:
    return LabPaths(args.dir.absolute() if args.dir else default_lab_dir())


def _fail(message: str) -> int:
    print(f"levante lab: {message}", file=sys.stderr)
    return 1


def lab_up(args: argparse.Namespace) -> int:
    """Start the lab (detached unless ``--foreground``) and say how to use it."""
    paths = _paths(args)
    if args.hosts < 1:
        return _fail("--hosts must be at least 1")
    if args.foreground:
        # Imported here: the tenant (SSH servers, the node) is only loaded by the lab's own process.
        from levante.lab.tenant import LabConfig, run_in_foreground

        if (pid := running_pid(paths)) is not None:
            return _fail(f"a lab is already running from {paths.root} (pid {pid})")
        config = LabConfig(args.hosts, args.username, args.ssh_port, tuple(args.fail_host),
                           echo=not args.quiet)
        return run_in_foreground(config, paths)
    child_args = ["--hosts", str(args.hosts), "--ssh-port", str(args.ssh_port),
                  "--username", args.username]
    for host in args.fail_host:
        child_args += ["--fail-host", host]
    try:
        state = start_background(paths, child_args)
    except LabProcessError as exc:
        return _fail(str(exc))
    print(describe(state, paths))
    return 0


def describe(state: LabState, paths: LabPaths) -> str:
    """What is running and how to use it, for the operator."""
    first, last = state.hosts[0], state.hosts[-1]
    env = state.environment
    relative = _shown(paths.root)
    lines = [
        f"Levante lab up (pid {state.pid}); its files are in {relative}/",
        f"  SSH hosts      {len(state.hosts)}: {first.name} {first.address} .. "
        f"{last.name} {last.address}, port {state.ssh_port}, user {state.username}, "
        f"key {relative}/id_ed25519",
        f"  SSH gateway    {state.gateway.address} port {state.gateway.port}",
        f"  Keystone+Nova  {state.auth_url} (user {env.get('OS_USERNAME')}, "
        f"project {env.get('OS_PROJECT_NAME')}; cloud levante-lab in clouds.yaml)",
        f"  SMTP sink      {state.smtp_server} (STARTTLS; messages in {relative}/mail/)",
    ]
    if state.port_per_host:
        lines.append("  (extra loopback addresses could not be bound: reach hosts through "
                     "the gateway, as std.ssh_proxied does)")
    lines += [
        "",
        "Try the cloud-cron cookbook:",
        f"  . {relative}/env.sh",
        f"  levante run {EXAMPLES}/update_kernel_with_email.yaml --input @{relative}/input.json",
        f"  levante run {EXAMPLES}/update_kernel.yaml --input @{relative}/input-plain.json",
        f"  tail {relative}/commands.log          # what each host ran",
        "  levante lab fail-host vm2             # then run again: the upgrade fails on vm2",
        "  levante lab status                    # commands per host, mail received",
        "  levante lab down",
    ]
    return "\n".join(lines)


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def lab_down(args: argparse.Namespace) -> int:
    """Stop the lab by its PID."""
    paths = _paths(args)
    outcome = stop(paths)
    if outcome.pid is None:
        print(f"No lab is running from {paths.root}.")
    elif outcome.killed:
        print(f"Lab (pid {outcome.pid}) did not stop on SIGTERM and was killed.")
    else:
        print(f"Lab (pid {outcome.pid}) stopped. Logs and mail stay in {_shown(paths.root)}/.")
    return 0


def lab_status(args: argparse.Namespace) -> int:
    """Print whether the lab runs, and what its hosts and SMTP sink saw."""
    paths = _paths(args)
    pid = running_pid(paths)
    state = read_state(paths.state_file)
    if pid is None or state is None:
        print(f"No lab is running from {paths.root}. `levante lab up` starts one.")
        return 3
    print(describe(state, paths).split("\n\n", 1)[0].replace("Levante lab up", "Levante lab", 1))
    per_host = commands_per_host(read_commands(paths.commands_log))
    ran = sum(1 for h in state.hosts if per_host[h.address])
    print(f"  Commands       {sum(per_host.values())} run; {ran} of {len(state.hosts)} "
          f"hosts ran at least one ({_shown(paths.commands_log)})")
    try:
        failing = read_failures(paths.failures_file)
    except FailureBookError as exc:
        return _fail(str(exc))
    names = {h.address: h.name for h in state.hosts}
    shown = ", ".join(f"{names.get(a, '?')} {a} (exit {f.exit_status})"
                      for a, f in failing.items())
    print(f"  Failing hosts  {shown or 'none'}")
    print(f"  Mail received  {len(list(paths.mail_dir.glob('*.eml')))}")
    return 0


def _address(paths: LabPaths, host: str) -> str | None:
    state = read_state(paths.state_file)
    if state is None:
        return None
    return state.address_of(host)


def lab_fail_host(args: argparse.Namespace) -> int:
    """Make a host of the running lab fail every command."""
    paths = _paths(args)
    address = _address(paths, args.host)
    if address is None:
        return _fail(f"{args.host}: no such host in a running lab ({paths.root}); "
                     "`levante lab status` lists them")
    set_failure(paths.failures_file, address,
                HostFailure(args.exit_status, args.stderr.replace("\\n", "\n")))
    print(f"{args.host} ({address}) now fails every command with exit status "
          f"{args.exit_status}; `levante lab fix-host {args.host}` undoes it.")
    return 0


def lab_fix_host(args: argparse.Namespace) -> int:
    """Make a failing host (or ``--all``) succeed again."""
    paths = _paths(args)
    if args.all:
        write_failures(paths.failures_file, {})
        print("No host fails any more.")
        return 0
    if not args.host:
        return _fail("give a host (vmN or address) or --all")
    address = _address(paths, args.host)
    if address is None:
        return _fail(f"{args.host}: no such host in a running lab ({paths.root})")
    set_failure(paths.failures_file, address, None)
    print(f"{args.host} ({address}) succeeds again.")
    return 0


def main(argv: list[str] | None = None) -> int:
    """``levante lab ARGS`` alone: parse the ``lab`` sub-command's arguments and run it."""
    parser = argparse.ArgumentParser(prog="levante")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["lab", *(sys.argv[1:] if argv is None else argv)])
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
