"""Real OpenSSH servers for tests: a fleet of "hosts" and a gateway on loopback.

:func:`start_fleet` starts Debian's ``/usr/sbin/sshd`` as this test's own
processes (``sshd -D -f <generated config>``), listening on loopback
addresses (``127.0.1.1``, ``127.0.1.2``, ... by default) on one free port.
sshd accepts at most 16 listen sockets per process, so a fleet of N hosts
runs ``ceil(N / 16)`` sshd processes; each keeps the stock ``MaxStartups
10:30:100`` and ``MaxSessions 10``. :func:`start_gateway` starts one more
sshd on its own address to tunnel through.

Every server accepts one generated user key (``fleet.private_key_path``) for
the current user (root in CI) and forces each command through a small
script that appends ``<server address> <TAB> <command, base64>`` to a record
file, then runs the command (or, with ``run_commands=False``, only records
it). :meth:`SshFleet.fail_host` makes one host answer every command with an
exit status and a stderr message. :meth:`SshFleet.stop` kills the sshd
processes by PID; use :func:`running_fleet` / :func:`running_gateway` as
context managers so that happens even when the test fails.

Nothing system-wide is created except ``/run/sshd``, the empty directory
sshd insists on for privilege separation (Debian's service creates the same).
"""

from __future__ import annotations

import base64
import ipaddress
import math
import os
import shlex
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

SSHD = "/usr/sbin/sshd"
SSH_KEYGEN = "ssh-keygen"
#: sshd's compile-time limit on listening sockets (MAX_LISTEN_SOCKS).
ADDRESSES_PER_SSHD = 16
#: Where fleets put their hosts unless told otherwise (127.0.0.x is left to others).
FIRST_HOST_ADDRESS = "127.0.1.1"
GATEWAY_ADDRESS = "127.0.0.2"


class SshdUnavailable(RuntimeError):
    """OpenSSH's server is not installed (``apt-get install openssh-server``)."""


def sshd_available() -> bool:
    """True when ``/usr/sbin/sshd`` and ``ssh-keygen`` can be run."""
    return os.access(SSHD, os.X_OK) and shutil.which(SSH_KEYGEN) is not None


def sshd_missing_outside_ci() -> bool:
    """Skip condition for tests that need OpenSSH: never true under ``CI=true``.

    CI installs openssh-server (.ci/run), so there a missing sshd must make
    the tests fail, not skip.
    """
    return not sshd_available() and os.environ.get("CI") != "true"


def loopback_addresses(count: int, first: str = FIRST_HOST_ADDRESS) -> list[str]:
    """``count`` consecutive IPv4 loopback addresses from ``first``, skipping .0 and .255."""
    out: list[str] = []
    address = ipaddress.IPv4Address(first)
    while len(out) < count:
        if address.packed[-1] not in (0, 255):
            out.append(str(address))
        address += 1
    if not ipaddress.IPv4Address(out[-1]).is_loopback:
        raise ValueError(f"{count} addresses from {first} leave 127.0.0.0/8")
    return out


def free_port() -> int:
    """A TCP port nobody listens on, on any address, right now."""
    with socket.socket() as sock:
        sock.bind(("0.0.0.0", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True, slots=True)
class CommandRecord:
    """One command a server ran: on which address, and what."""

    host: str
    command: str


@dataclass
class SshKeys:
    """The keys a fleet uses: one host key pair, one user key pair."""

    directory: Path
    host_key_path: Path
    private_key_path: Path

    @property
    def host_public_key(self) -> str:
        """The host key as ``<type> <base64>`` (a known_hosts line without the host)."""
        return " ".join(self.host_key_path.with_suffix(".pub").read_text().split()[:2])

    @property
    def private_key_text(self) -> str:
        """The user's private key, OpenSSH format."""
        return self.private_key_path.read_text()


def generate_keys(directory: Path, passphrase: str = "") -> SshKeys:
    """A fresh ed25519 host key and user key (the user key encrypted with ``passphrase``)."""
    directory.mkdir(parents=True, exist_ok=True)
    host_key = directory / "host_ed25519"
    user_key = directory / "id_ed25519"
    for path, secret in ((host_key, ""), (user_key, passphrase)):
        if not path.exists():
            subprocess.run(
                [SSH_KEYGEN, "-q", "-t", "ed25519", "-N", secret, "-C", "levante-test",
                 "-f", str(path)],
                check=True,
            )
    return SshKeys(directory, host_key, user_key)


@dataclass
class SshFleet:
    """Running sshd processes serving ``addresses`` on ``port``."""

    addresses: list[str]
    port: int
    keys: SshKeys
    directory: Path
    username: str
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def private_key_path(self) -> Path:
        """The user key every server of the fleet accepts."""
        return self.keys.private_key_path

    @property
    def record_path(self) -> Path:
        """The file the forced-command script appends to."""
        return self.directory / "commands.log"

    def commands(self) -> list[CommandRecord]:
        """Every command run so far, in the order the servers recorded them."""
        if not self.record_path.exists():
            return []
        records = []
        for line in self.record_path.read_text().splitlines():
            host, _, encoded = line.partition("\t")
            records.append(CommandRecord(host, base64.b64decode(encoded).decode()))
        return records

    def fail_host(self, address: str, status: int = 1, stderr: str = "failed on purpose") -> None:
        """Make ``address`` answer every command with ``status`` and ``stderr``."""
        control = self.directory / "control"
        (control / f"{address}.stderr").write_text(stderr + "\n")
        (control / f"{address}.status").write_text(str(status))

    def clear_failures(self) -> None:
        """Undo every :meth:`fail_host`."""
        for path in (self.directory / "control").iterdir():
            path.unlink()

    def dropped_connections(self) -> int:
        """How many connections the servers dropped (MaxStartups) so far, from their logs."""
        return sum(
            log.read_text(errors="replace").count("drop connection")
            for log in self.directory.glob("sshd-*.log")
        )

    def cpu_seconds(self) -> float:
        """CPU time the fleet's sshd processes and their finished sessions used so far."""
        total = 0
        for process in self.processes:
            try:
                fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue
            # utime, stime, cutime, cstime: fields 14-17 of proc(5), in clock ticks.
            total += sum(int(v) for v in fields[11:15])
        return total / os.sysconf("SC_CLK_TCK")

    def known_hosts_line(self, address: str) -> str:
        """The OpenSSH known_hosts line for one of the fleet's addresses."""
        name = address if self.port == 22 else f"[{address}]:{self.port}"
        return f"{name} {self.keys.host_public_key}"

    def stop(self) -> None:
        """Kill this fleet's sshd processes (by PID) and reap them."""
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        self.processes.clear()


_RECORD_SCRIPT = """#!/bin/sh
# Forced command of a Levante test sshd: record, then run (or not).
set -- $SSH_CONNECTION
host=$3
line="$host	$(printf '%s' "$SSH_ORIGINAL_COMMAND" | base64 -w0)"
printf '%s\\n' "$line" >> {record}
if [ -f {control}/"$host".status ]; then
    cat {control}/"$host".stderr >&2
    exit "$(cat {control}/"$host".status)"
fi
{run}
"""


def _config(fleet: SshFleet, index: int, addresses: list[str], extra: str) -> Path:
    lines = [
        f"Port {fleet.port}",
        *(f"ListenAddress {a}" for a in addresses),
        f"HostKey {fleet.keys.host_key_path}",
        f"PidFile {fleet.directory / f'sshd-{index}.pid'}",
        f"AuthorizedKeysFile {fleet.directory / 'authorized_keys'}",
        "StrictModes no",
        "UsePAM no",
        "PermitRootLogin prohibit-password",
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "AllowTcpForwarding yes",
        "UseDNS no",
        "LogLevel INFO",
        # Stock limits, spelled out: the tests and the benchmark rely on them.
        "MaxStartups 10:30:100",
        "MaxSessions 10",
        f"ForceCommand {fleet.directory / 'record.sh'}",
        # bash sources ~/.bashrc when started by sshd; the machine's may be slow
        # (pyenv init takes 300 ms), so sessions get an empty home of their own.
        f"SetEnv HOME={fleet.directory / 'home'}",
        extra,
    ]
    path = fleet.directory / f"sshd-{index}.conf"
    path.write_text("\n".join(lines) + "\n")
    return path


def start_fleet(
    directory: Path,
    addresses: list[str],
    *,
    port: int | None = None,
    keys: SshKeys | None = None,
    run_commands: bool = True,
    extra_config: str = "",
    timeout: float = 15.0,
) -> SshFleet:
    """Start sshd processes serving ``addresses``; returns once all listen.

    ``keys`` lets a gateway and a fleet share one user key. Call
    :meth:`SshFleet.stop` when done (or use :func:`running_fleet`).
    """
    if not sshd_available():
        raise SshdUnavailable("openssh-server is not installed: apt-get install openssh-server")
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "control").mkdir(exist_ok=True)
    (directory / "home").mkdir(exist_ok=True)
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    keys = keys or generate_keys(directory / "keys")
    fleet = SshFleet(
        list(addresses), port or free_port(), keys, directory, _username()
    )
    public = keys.private_key_path.with_suffix(".pub").read_text()
    (directory / "authorized_keys").write_text(public)
    script = directory / "record.sh"
    script.write_text(_RECORD_SCRIPT.format(
        record=shlex.quote(str(fleet.record_path)),
        control=shlex.quote(str(directory / "control")),
        run='exec /bin/sh -c "$SSH_ORIGINAL_COMMAND"' if run_commands else "exit 0",
    ))
    script.chmod(0o755)
    groups = math.ceil(len(addresses) / ADDRESSES_PER_SSHD)
    try:
        for index in range(groups):
            chunk = addresses[index * ADDRESSES_PER_SSHD:(index + 1) * ADDRESSES_PER_SSHD]
            config = _config(fleet, index, chunk, extra_config)
            log = directory / f"sshd-{index}.log"
            fleet.processes.append(subprocess.Popen(
                [SSHD, "-D", "-f", str(config), "-E", str(log)],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            ))
        _wait_listening(fleet, timeout)
    except BaseException:
        fleet.stop()
        raise
    return fleet


def _wait_listening(fleet: SshFleet, timeout: float) -> None:
    # sshd -D writes its pid file only after binding every listen address.
    deadline = time.monotonic() + timeout
    for index, process in enumerate(fleet.processes):
        pid_file = fleet.directory / f"sshd-{index}.pid"
        while not pid_file.exists():
            if process.poll() is not None:
                log = (fleet.directory / f"sshd-{index}.log").read_text(errors="replace")
                raise RuntimeError(f"sshd exited with status {process.returncode}: {log}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"sshd {index} did not start within {timeout} s")
            time.sleep(0.02)


def start_gateway(
    directory: Path, keys: SshKeys, address: str = GATEWAY_ADDRESS, *, port: int | None = None
) -> SshFleet:
    """One sshd on ``address`` accepting ``keys``' user key: the gateway to tunnel through."""
    return start_fleet(directory, [address], port=port, keys=keys)


@contextmanager
def running_fleet(directory: Path, addresses: list[str], **kwargs: object) -> Iterator[SshFleet]:
    """:func:`start_fleet` as a context manager that always stops the fleet."""
    fleet = start_fleet(directory, addresses, **kwargs)  # type: ignore[arg-type]
    try:
        yield fleet
    finally:
        fleet.stop()


@contextmanager
def running_gateway(directory: Path, keys: SshKeys, **kwargs: object) -> Iterator[SshFleet]:
    """:func:`start_gateway` as a context manager that always stops it."""
    gateway = start_gateway(directory, keys, **kwargs)  # type: ignore[arg-type]
    try:
        yield gateway
    finally:
        gateway.stop()


def _username() -> str:
    import pwd

    return pwd.getpwuid(os.getuid()).pw_name
