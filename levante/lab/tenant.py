"""The lab as one running thing: SSH fleet, stand-in cloud, SMTP sink, and their files.

:func:`serve` runs a lab in this process until SIGTERM or SIGINT (``lab up
--foreground``; ``lab up`` runs it in a detached child). It writes
``lab.pid`` at once and ``state.json`` when every server listens, and
removes both when it stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import os
import shutil
import signal
import sys
from dataclasses import dataclass
from typing import TextIO

from levante.lab.cloud import StandInCloud, servers_at
from levante.lab.commands import CommandLog
from levante.lab.failures import FailureBook, HostFailure, set_failure, write_failures
from levante.lab.files import lab_environment, write_user_files
from levante.lab.keys import lab_keys
from levante.lab.paths import LabPaths
from levante.lab.smtp import MailSink, start_smtp
from levante.lab.sshd import SshFleet
from levante.lab.state import HostEntry, LabState, write_state

SERVICE_ADDRESS = "127.0.0.1"


@dataclass(frozen=True, slots=True)
class LabConfig:
    """What to start."""

    hosts: int = 5
    username: str = "ubuntu"
    #: The SSH port of every host and the gateway; 0: a free one.
    ssh_port: int = 0
    #: Hosts (``vmN`` or address) that fail every command from the start.
    fail_hosts: tuple[str, ...] = ()
    #: Also write log lines to stdout (foreground).
    echo: bool = True


class LabLog:
    """``lab.log``: timestamped lines, echoed to stdout in the foreground."""

    def __init__(self, paths: LabPaths, echo: bool) -> None:
        """Append to the lab's log file."""
        self._out: TextIO = paths.log_file.open("a", buffering=1)
        self.echo = echo

    def __call__(self, message: str) -> None:
        """Log one line."""
        at = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
        line = f"{at} {message}"
        self._out.write(line + "\n")
        if self.echo:
            print(line, flush=True)

    def close(self) -> None:
        """Close the file."""
        self._out.close()


class Lab:
    """The servers of one lab directory."""

    def __init__(self, config: LabConfig, paths: LabPaths) -> None:
        """Prepare (nothing listens until :meth:`start`)."""
        if config.hosts < 1:
            raise ValueError("a lab needs at least one host")
        self.config = config
        self.paths = paths
        paths.root.mkdir(parents=True, exist_ok=True)
        self.log = LabLog(paths, config.echo)
        self.keys = lab_keys(paths.user_key, paths.host_key, paths.smtp_cert, paths.smtp_key)
        self._fresh_records()
        self.commands = CommandLog(paths.commands_log)
        self.fleet = SshFleet(
            self.keys, config.username, FailureBook(paths.failures_file), self.commands, self.log
        )
        self.cloud: StandInCloud | None = None
        self.smtp: asyncio.Server | None = None

    def _fresh_records(self) -> None:
        # A new lab starts with no commands, no mail and no failing host.
        self.paths.commands_log.unlink(missing_ok=True)
        self.paths.failures_file.unlink(missing_ok=True)
        shutil.rmtree(self.paths.mail_dir, ignore_errors=True)

    async def start(self) -> LabState:
        """Start every server, write the user files and ``state.json``."""
        config = self.config
        await self.fleet.start(config.hosts, config.ssh_port)
        hosts = [HostEntry(h.name, h.address, h.port) for h in self.fleet.hosts]
        gateway_host = self.fleet.gateway
        assert gateway_host is not None
        gateway = HostEntry(gateway_host.name, gateway_host.address, gateway_host.port)
        self.cloud = StandInCloud(
            servers=servers_at([h.address for h in hosts]), host=SERVICE_ADDRESS,
            record_requests=False,
        ).start()
        sink = MailSink(self.paths.mail_dir, self.log)
        self.smtp = await start_smtp(
            sink, SERVICE_ADDRESS, 0, self.keys.cert_path, self.keys.cert_key_path
        )
        smtp_server = f"{SERVICE_ADDRESS}:{self.smtp.sockets[0].getsockname()[1]}"
        environment = lab_environment(
            self.cloud.os_environ(), self.fleet.port, self.paths.known_hosts
        )
        write_user_files(
            self.paths, self.keys, config.username, gateway, hosts, smtp_server, environment,
            self.cloud.cloud_entry(),
        )
        state = LabState(
            pid=os.getpid(),
            started_at=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            directory=str(self.paths.root),
            username=config.username,
            ssh_port=self.fleet.port,
            gateway=gateway,
            hosts=hosts,
            smtp_server=smtp_server,
            auth_url=self.cloud.auth_url,
            port_per_host=any(h.listen_port != h.port for h in self.fleet.hosts),
            environment=environment,
        )
        self._fail_from_start(state)
        write_state(self.paths.state_file, state)
        self.log(
            f"lab up: {len(hosts)} hosts {hosts[0].address}..{hosts[-1].address} and gateway "
            f"{gateway.address}, SSH port {self.fleet.port}; cloud {self.cloud.auth_url}; "
            f"SMTP {smtp_server}"
        )
        return state

    def _fail_from_start(self, state: LabState) -> None:
        write_failures(self.paths.failures_file, {})
        for wanted in self.config.fail_hosts:
            address = state.address_of(wanted)
            if address is None:
                raise ValueError(f"--fail-host {wanted}: no lab host has that name or address")
            set_failure(self.paths.failures_file, address, HostFailure())
            self.log(f"host {wanted} ({address}) fails every command")

    async def stop(self) -> None:
        """Stop every server and remove ``state.json`` and ``lab.pid``."""
        for path in self.paths.runtime_files():
            path.unlink(missing_ok=True)
        if self.smtp is not None:
            self.smtp.close()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.smtp.wait_closed(), 2)
        self.log(f"SSH: {self.fleet.traffic()}")
        await self.fleet.close()
        if self.cloud is not None:
            self.cloud.stop()
        self.commands.close()
        self.log("lab down")
        self.log.close()


async def serve(config: LabConfig, paths: LabPaths) -> LabState:
    """Run a lab until SIGTERM/SIGINT; returns the state it ran with."""
    paths.root.mkdir(parents=True, exist_ok=True)
    paths.pid_file.write_text(f"{os.getpid()}\n")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    lab = Lab(config, paths)
    try:
        state = await lab.start()
        await stop.wait()
    finally:
        await lab.stop()
    return state


def run_in_foreground(config: LabConfig, paths: LabPaths) -> int:
    """:func:`serve` in a new event loop; the exit status for the CLI."""
    try:
        asyncio.run(serve(config, paths))
    except (ValueError, RuntimeError, OSError) as exc:
        print(f"levante lab: {exc}", file=sys.stderr)
        paths.pid_file.unlink(missing_ok=True)
        return 1
    return 0
