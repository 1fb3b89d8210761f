"""The cloud-cron cookbook over a lab of 200 hosts, all at once through one gateway.

Starts ``levante lab up --hosts N`` (its own process: SSH hosts and gateway
in pure Python, the stand-in cloud, the SMTP sink), then times ``levante run
examples/cloud-cron/update_kernel_with_email.yaml --input @input.json`` with
the lab's ``env.sh`` variables, as an operator would. The cookbook's
with-items sets no concurrency, so every host is upgraded at once. Reports
the run's wall time (process start to exit, including Python start-up), the
``upgrade`` task's own duration, the run's peak RSS, whether every host ran
the command exactly once, whether the one success email says the count,
and the connections and tunnels the lab's gateway served.

Run: ``.venv/bin/python -m bench.lab_fleet [--hosts 200]``. No root, no sshd needed.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from levante.lab.commands import read_commands
from levante.lab.paths import LabPaths
from levante.lab.state import read_state

ROOT = Path(__file__).resolve().parents[1]
COOKBOOK = ROOT / "examples" / "cloud-cron" / "update_kernel_with_email.yaml"


def _levante(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "levante", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600, check=False)


def measure(hosts: int, workdir: Path) -> dict[str, object]:
    """Lab up with ``hosts`` hosts, one cookbook run, lab down; the figures."""
    paths = LabPaths(workdir / "lab")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "LEVANTE_"))}
    env.update(LEVANTE_HOME=str(workdir / "home"), XDG_CONFIG_HOME=str(workdir / "xdg"))
    started = time.monotonic()
    up = _levante(["lab", "up", "--hosts", str(hosts), "--dir", str(paths.root)], workdir, env)
    lab_up_seconds = time.monotonic() - started
    if up.returncode != 0:
        raise SystemExit(f"lab up failed: {up.stderr}")
    try:
        state = read_state(paths.state_file)
        assert state is not None
        run_env = {**env, **state.environment}
        started = time.monotonic()
        run = _levante(["run", str(COOKBOOK), "--input", f"@{paths.input_json}", "-q",
                        "-f", "json"], workdir, run_env)
        wall = time.monotonic() - started
        report = json.loads(run.stdout) if run.stdout.strip() else {}
        upgrade = next((t for t in report.get("tasks", []) if t["name"] == "upgrade"), {})
        per_host = Counter(r.address for r in read_commands(paths.commands_log))
        mails = [
            email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in paths.mail_dir.glob("*.eml")
        ]
        body = mails[0].get_content() if len(mails) == 1 else ""
    finally:
        _levante(["lab", "down", "--dir", str(paths.root)], workdir, env)
    ssh = [line for line in paths.log_file.read_text().splitlines() if " SSH: " in line]
    return {
        "hosts": hosts,
        "state": report.get("state", f"no report (exit {run.returncode}): {run.stderr[-300:]}"),
        "lab_up_s": round(lab_up_seconds, 2),
        "run_wall_s": round(wall, 2),
        "upgrade_task_s": round(float(upgrade.get("seconds") or 0), 2),
        "items_succeeded": upgrade.get("items_succeeded"),
        "every_host_once": per_host == Counter({h.address: 1 for h in state.hosts}),
        "email": f"Number of updated VMs: {hosts}" in body,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
        "lab_ssh": ssh[-1].split(" SSH: ", 1)[1] if ssh else "?",
    }


def main(argv: list[str] | None = None) -> int:
    """Print one line of figures per lab size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, nargs="+", default=[200])
    args = parser.parse_args(argv)
    ok = True
    for hosts in args.hosts:
        with tempfile.TemporaryDirectory(prefix="levante-lab-bench-") as tmp:
            figures = measure(hosts, Path(tmp))
        print(json.dumps(figures), flush=True)
        ok = ok and figures["state"] == "SUCCESS" and bool(figures["every_host_once"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
