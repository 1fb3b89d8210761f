"""REST API throughput of a running ``levante server``: execution-create and execution-get.

Starts ``levante server`` on a loopback port with a fresh SQLite database
(or uses ``--url`` of one already running), creates a one-task ``std.noop``
workflow, then sends a bounded number of requests with httpx from a few
concurrent clients and reports requests per second and latency percentiles.
Run: ``.venv/bin/python -m bench.api_throughput [--count N] [--clients C] [--url URL]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import httpx

WORKFLOW = "version: '2.0'\nbench_noop:\n  tasks:\n    t:\n      action: std.noop\n"
TEXT = {"content-type": "text/plain"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def _server(url: str | None) -> Iterator[str]:
    """The base URL of a server: ``url`` as given, or a fresh local one for the run."""
    if url:
        yield url.rstrip("/")
        return
    with tempfile.TemporaryDirectory() as folder:
        port = _free_port()
        log = (Path(folder) / "server.log").open("wb")
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "levante",
                "server",
                "--port",
                str(port),
                "--db",
                f"sqlite:///{folder}/bench.db",
                "--log-level",
                "warning",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("levante server did not start")
                time.sleep(0.1)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=30)
            log.close()


async def _measure(
    label: str, count: int, clients: int, request: Callable[[int], Awaitable[None]]
) -> None:
    latencies: list[float] = []
    next_index = iter(range(count))

    async def client() -> None:
        for index in next_index:
            started = time.perf_counter()
            await request(index)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p95 = latencies[int(len(latencies) * 0.95) - 1] * 1000
    print(
        f"{label:<18} {count:>6} requests  {count / elapsed:8.1f} req/s  "
        f"p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  ({clients} clients)"
    )


async def _run(base: str, count: int, clients: int) -> None:
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=f"{base}/v2", limits=limits, timeout=60) as http:
        answer = await http.post("/workflows", content=WORKFLOW, headers=TEXT)
        if answer.status_code not in (201, 409):
            raise RuntimeError(f"cannot create the workflow: {answer.text}")
        ids: list[str] = []

        async def create(_: int) -> None:
            reply = await http.post("/executions", json={"workflow_name": "bench_noop"})
            reply.raise_for_status()
            ids.append(reply.json()["id"])

        async def get(index: int) -> None:
            reply = await http.get(f"/executions/{ids[index % len(ids)]}")
            reply.raise_for_status()

        await _measure("execution-create", count, clients, create)
        await _measure("execution-get", count, clients, get)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            page = await http.get("/executions", params={"state": "RUNNING", "limit": 1})
            if not page.json()["executions"]:
                break
            await asyncio.sleep(0.2)
        done = await http.get(
            "/executions", params={"state": "SUCCESS", "limit": 1000, "fields": "id"}
        )
        print(f"executions finished: {len(done.json()['executions'])} of {len(ids)}")


def main(argv: list[str] | None = None) -> int:
    """Measure and print; 0 when every request succeeded."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500, help="requests per endpoint (500)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (8)")
    parser.add_argument("--url", help="base URL of a running server (default: start one)")
    args = parser.parse_args(argv)
    with _server(args.url) as base:
        asyncio.run(_run(base, max(1, args.count), max(1, args.clients)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
