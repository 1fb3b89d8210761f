"""std.ssh_proxied across a fleet of real sshd hosts through one stock gateway.

Starts OpenSSH servers on loopback addresses (``tests.support.sshd``: stock
``MaxStartups 10:30:100`` and ``MaxSessions 10`` on every server), then runs
a with-items of ``std.ssh_proxied`` over 100 and 500 hosts through one
gateway, each command sleeping 1 s, in a real node (engine, queue,
executor on SQLite) as ``levante run`` does. Reports the task's wall time,
the node's peak RSS, connections opened to the gateway, and connections the
servers dropped (from their logs; must be 0).

Run: ``.venv/bin/python -m bench.ssh_fleet [--hosts 100 500] [--max-pending 8]``.
Needs ``/usr/sbin/sshd`` (apt-get install openssh-server) and root or a
user allowed to run sshd.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
from pathlib import Path

from levante.actions.ssh import SshSettings, configure, ssh_runtime
from levante.node import Node
from levante.store import Database
from tests.support.sshd import (
    SshFleet,
    loopback_addresses,
    running_fleet,
    running_gateway,
    sshd_available,
)

WORKFLOW = """
version: '2.0'
fleet:
  input:
    - hosts
    - gateway
    - username
    - key
  tasks:
    upgrade:
      with-items: host in <% $.hosts %>
      action: std.ssh_proxied
      input:
        host: <% $.host %>
        gateway_host: <% $.gateway %>
        username: <% $.username %>
        private_key_filename: <% $.key %>
        cmd: sleep 1; echo done
"""


async def _run(node: Node, fleet: SshFleet, gateway: SshFleet, count: int) -> dict[str, object]:
    hosts = fleet.addresses[:count]
    params = {
        "hosts": hosts,
        "gateway": gateway.addresses[0],
        "username": fleet.username,
        "key": str(fleet.private_key_path),
    }
    before = ssh_runtime().stats.gateway_connections_opened
    cpu_before = time.process_time()
    started = time.perf_counter()
    execution = await node.in_db(
        lambda: node.runtime.start_workflow("fleet", params, definition_text=WORKFLOW)
    )
    while True:
        state = (await node.in_db(lambda: node.runtime.execution(execution["id"])))["state"]
        if state in ("SUCCESS", "ERROR", "CANCELLED"):
            break
        await asyncio.sleep(0.02)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_before
    stats = ssh_runtime().stats
    return {
        "state": state,
        "seconds": seconds,
        "cpu": cpu,
        "gateway_connections": stats.gateway_connections_opened - before,
        "peak_channels": stats.peak_channels_per_connection,
        "retries": stats.handshake_retries,
    }


async def _main(db_url: str, fleet: SshFleet, gateway: SshFleet, sizes: list[int]) -> int:
    db = Database(db_url)
    db.migrate()
    status = 0
    async with Node(db) as node:
        for count in sizes:
            ran_before = len(fleet.commands())
            sshd_before = fleet.cpu_seconds() + gateway.cpu_seconds()
            figures = await _run(node, fleet, gateway, count)
            ran = len(fleet.commands()) - ran_before
            sshd_cpu = fleet.cpu_seconds() + gateway.cpu_seconds() - sshd_before
            dropped = fleet.dropped_connections() + gateway.dropped_connections()
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"std.ssh_proxied x{count:<4} sleep 1: {figures['seconds']:5.2f} s  "
                f"(CPU: Levante {figures['cpu']:.2f} s, sshd {sshd_cpu:.2f} s)  "
                f"{figures['state']}  "
                f"hosts ran {ran}/{count}  "
                f"gateway connections {figures['gateway_connections']}  "
                f"max channels/connection {figures['peak_channels']}  "
                f"dropped {dropped}  handshake retries {figures['retries']}  "
                f"peak RSS {peak:.0f} MB",
                flush=True,
            )
            if figures["state"] != "SUCCESS" or ran != count or dropped:
                status = 1
    db.dispose()
    return status


def main() -> int:
    """Start the servers, run the workloads, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hosts", type=int, nargs="+", default=[100, 500])
    parser.add_argument("--max-pending", type=int, default=SshSettings().max_pending_handshakes)
    args = parser.parse_args()
    if not sshd_available():
        print("skipped: /usr/sbin/sshd is not installed (apt-get install openssh-server)")
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        addresses = loopback_addresses(max(args.hosts))
        with running_fleet(root / "fleet", addresses) as fleet, running_gateway(
            root / "gateway", fleet.keys, port=fleet.port
        ) as gateway:
            configure(SshSettings(
                known_hosts_file=root / "known_hosts",
                default_port=fleet.port,
                max_pending_handshakes=args.max_pending,
            ))
            print(f"{len(fleet.processes)} sshd processes serve {len(addresses)} hosts; "
                  f"gateway {gateway.addresses[0]}:{gateway.port}; "
                  f"max pending handshakes {args.max_pending}", flush=True)
            return asyncio.run(_main(f"sqlite:///{root / 'bench.db'}", fleet, gateway, args.hosts))


if __name__ == "__main__":
    sys.exit(main())
