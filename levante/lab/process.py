"""Running the lab in the background: start a detached child, find it, stop it by its PID.

``lab up`` starts ``python -m levante.cli.lab up --foreground --quiet`` in a new
session (so closing the terminal does not stop it), its output going to
``lab.log``, and waits until the child has written ``state.json``. ``lab
down`` sends SIGTERM to the PID in ``lab.pid`` (SIGKILL if it has not
exited after a grace period) and removes the runtime files.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from levante.lab.paths import LabPaths
from levante.lab.state import LabState, read_state

READY_TIMEOUT = 60.0
STOP_GRACE = 10.0
POLL = 0.05


class LabProcessError(RuntimeError):
    """The lab could not be started or stopped (the message says why and what to do)."""


def running_pid(paths: LabPaths) -> int | None:
    """The PID of the lab running from ``paths``, or None (a stale pid file is ignored)."""
    try:
        pid = int(paths.pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    return pid if _is_lab_process(pid) else None


def _is_lab_process(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False  # someone else's process took over the PID
    cmdline = Path(f"/proc/{pid}/cmdline")
    try:
        words = cmdline.read_bytes().split(b"\0")
    except OSError:
        return True  # no /proc (macOS): trust the pid file
    if any(b"defunct" in w for w in words) or not any(words):
        return False
    # A lab runs as "levante lab up", "python -m levante lab up" or "-m levante.cli.lab up".
    return b"lab" in words or b"levante.cli.lab" in words


def start_background(paths: LabPaths, child_args: list[str]) -> LabState:
    """Start ``levante lab up --foreground <child_args>`` detached; its state once ready."""
    if (pid := running_pid(paths)) is not None:
        raise LabProcessError(
            f"a lab is already running from {paths.root} (pid {pid}); "
            "`levante lab down` stops it"
        )
    paths.root.mkdir(parents=True, exist_ok=True)
    for path in paths.runtime_files():
        path.unlink(missing_ok=True)
    command = [sys.executable, "-m", "levante.cli.lab", "up", "--foreground", "--quiet",
               "--dir", str(paths.root), *child_args]
    paths.log_file.write_text("")
    # Appending, as the child's own log lines are: neither overwrites the other.
    with paths.log_file.open("a") as log:
        child = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True, close_fds=True,
        )
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        state = read_state(paths.state_file)
        if state is not None and state.pid == child.pid:
            return state
        if child.poll() is not None:
            raise LabProcessError(
                f"the lab stopped while starting (exit status {child.returncode}):\n"
                + _tail(paths.log_file)
            )
        time.sleep(POLL)
    _terminate(child.pid)
    raise LabProcessError(
        f"the lab was not ready within {READY_TIMEOUT:g} s; see {paths.log_file}:\n"
        + _tail(paths.log_file)
    )


@dataclass(frozen=True, slots=True)
class StopOutcome:
    """What ``lab down`` did."""

    pid: int | None
    killed: bool = False


def stop(paths: LabPaths, grace: float = STOP_GRACE) -> StopOutcome:
    """Stop the lab of ``paths`` (if any) and remove its runtime files."""
    pid = running_pid(paths)
    killed = False
    if pid is not None:
        killed = _terminate(pid, grace)
    for path in paths.runtime_files():
        path.unlink(missing_ok=True)
    return StopOutcome(pid, killed)


def _terminate(pid: int, grace: float = STOP_GRACE) -> bool:
    """SIGTERM, then SIGKILL after ``grace`` s; True when it had to be killed."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not _alive(pid):
            return False
        time.sleep(POLL)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return False
    while _alive(pid):
        time.sleep(POLL)
    return True


def _alive(pid: int) -> bool:
    # Reap it if it is our child (lab up that timed out); otherwise just probe.
    try:
        done, _status = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie has exited; whoever adopted it reaps it.
    return not _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] == "Z"


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text().splitlines()[-lines:])
    except OSError:
        return "(no log)"

