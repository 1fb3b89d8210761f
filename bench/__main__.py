"""Run every benchmark in turn: ``.venv/bin/python -m bench [NAME ...]``."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    """Run the named benchmarks (default: all), each in its own process."""
    folder = Path(__file__).parent
    names = argv or sorted(m.name for m in pkgutil.iter_modules([str(folder)]))
    status = 0
    for name in names:
        print(f"== bench.{name}", flush=True)
        status |= subprocess.call([sys.executable, "-m", f"bench.{name}"])
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
