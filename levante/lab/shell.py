"""The lab hosts' shell: plausible answers to commands, nothing actually run.

A command line is split on ``&&``, ``||`` and ``;`` and each step answered
as an Ubuntu VM would, closely enough for a runbook to read: ``apt-get
update`` / ``install`` print apt's progress, ``reboot`` says the host is
going down (it stays up), ``echo``, ``hostname``, ``uname``, ``true``,
``false``, ``exit N`` and ``sleep N`` behave as in a shell (``sleep``
waits, without blocking other hosts). ``$(lsb_release -sc)`` and
``$(hostname)`` are substituted; ``sudo`` is accepted and ignored. Any other
command succeeds and says it was simulated.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from levante.lab.failures import HostFailure

#: The release the lab's VMs pretend to run.
CODENAME = "jammy"
KERNEL = "5.15.0-91-generic"
_OPERATOR = re.compile(r"\s*(&&|\|\||;)\s*")
_SUBSTITUTIONS = {
    "$(lsb_release -sc)": CODENAME,
    "`lsb_release -sc`": CODENAME,
    "$(uname -r)": KERNEL,
}


@dataclass(frozen=True, slots=True)
class ShellOutcome:
    """What a command leaves: exit status, output, and how long it takes."""

    exit_status: int
    stdout: str = ""
    stderr: str = ""
    seconds: float = 0.0


@dataclass(slots=True)
class _Step:
    status: int = 0
    stdout: str = ""
    stderr: str = ""
    seconds: float = 0.0
    exit_now: bool = False


def simulate(command: str, hostname: str, failure: HostFailure | None = None) -> ShellOutcome:
    """Answer ``command`` as host ``hostname`` would; a ``failure`` answers every command."""
    if failure is not None:
        return ShellOutcome(failure.exit_status, "", _line(failure.stderr))
    for pattern, value in {**_SUBSTITUTIONS, "$(hostname)": hostname}.items():
        command = command.replace(pattern, value)
    parts = _OPERATOR.split(command.strip())
    stdout: list[str] = []
    stderr: list[str] = []
    status, seconds = 0, 0.0
    operator = ";"
    for index in range(0, len(parts), 2):
        text = parts[index]
        skip = (operator == "&&" and status != 0) or (operator == "||" and status == 0)
        if text and not skip:
            step = _answer(text, hostname)
            status, seconds = step.status, seconds + step.seconds
            stdout.append(step.stdout)
            stderr.append(step.stderr)
            if step.exit_now:
                break
        operator = parts[index + 1] if index + 1 < len(parts) else ";"
    return ShellOutcome(status, "".join(stdout), "".join(stderr), seconds)


def _answer(text: str, hostname: str) -> _Step:
    try:
        words = shlex.split(text)
    except ValueError as exc:
        return _Step(2, stderr=f"sh: syntax error: {exc}\n")
    while words and words[0] == "sudo":
        words = words[1:]
    if not words:
        return _Step()
    name, args = words[0], words[1:]
    if name in ("apt-get", "apt"):
        return _apt(args)
    if name in ("reboot", "shutdown"):
        return _Step(stdout=f"Rebooting {hostname} (simulated: the lab host stays up)\n")
    if name == "echo":
        return _Step(stdout=" ".join(args) + "\n")
    if name == "hostname":
        return _Step(stdout=hostname + "\n")
    if name == "uname":
        return _Step(stdout=(KERNEL if "-r" in args else "Linux") + "\n")
    if name == "lsb_release":
        return _Step(stdout=CODENAME + "\n")
    if name in ("true", ":"):
        return _Step()
    if name == "false":
        return _Step(1)
    if name == "exit":
        return _Step(_number(args, 0), exit_now=True)
    if name == "sleep":
        return _Step(seconds=_seconds(args))
    return _Step(stdout=f"{text}: simulated by the Levante lab\n")


def _apt(args: list[str]) -> _Step:
    verb = next((a for a in args if not a.startswith("-")), "")
    if verb == "update":
        return _Step(stdout=(
            f"Hit:1 http://archive.ubuntu.com/ubuntu {CODENAME} InRelease\n"
            f"Get:2 http://security.ubuntu.com/ubuntu {CODENAME}-security InRelease [110 kB]\n"
            "Fetched 110 kB in 1s (150 kB/s)\nReading package lists... Done\n"
        ))
    if verb in ("install", "upgrade", "dist-upgrade"):
        packages = [a for a in args if not a.startswith("-") and a != verb]
        lines = ["Reading package lists... Done", "Building dependency tree... Done"]
        lines += [f"Setting up {package} ..." for package in packages]
        if not packages:
            lines.append("0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.")
        return _Step(stdout="\n".join(lines) + "\n")
    return _Step(stdout=f"apt {' '.join(args)}: simulated by the Levante lab\n")


def _number(args: list[str], default: int) -> int:
    try:
        return int(args[0]) if args else default
    except ValueError:
        return 2


def _seconds(args: list[str]) -> float:
    try:
        return max(0.0, float(args[0].rstrip("s"))) if args else 0.0
    except ValueError:
        return 0.0


def _line(text: str) -> str:
    return text if text.endswith("\n") or not text else text + "\n"
