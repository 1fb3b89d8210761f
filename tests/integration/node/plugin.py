"""A test action package installed for subprocesses through PYTHONPATH.

``test.record`` appends one line ``<action_execution_id> <tag>`` to the file
named by ``LEVANTE_TEST_RECORD`` each time it runs, so a test can count runs
across process kills (a completed ``write`` survives SIGKILL of the writer).
"""

from __future__ import annotations

from pathlib import Path

PLUGIN_MODULE = '''
import os
import time


class RecordAction:
    """Record that this action execution ran, then sleep ``seconds``."""

    def __init__(self, tag="", seconds=0.0):
        self.tag = tag
        self.seconds = seconds

    def run(self, context):
        fd = os.open(os.environ["LEVANTE_TEST_RECORD"], os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        try:
            os.write(fd, f"{context.execution.action_execution_id} {self.tag}\\n".encode())
        finally:
            os.close(fd)
        if self.seconds:
            time.sleep(float(self.seconds))
        return self.tag

    def is_sync(self):
        return True
'''

ENTRY_POINTS = """[levante.actions]
test.record = levante_test_record:RecordAction
"""


def install_plugin(folder: Path) -> Path:
    """Write the module and its dist-info into ``folder``; put ``folder`` on PYTHONPATH."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "levante_test_record.py").write_text(PLUGIN_MODULE)
    dist = folder / "levante_test_record-1.0.dist-info"
    dist.mkdir(exist_ok=True)
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: levante-test-record\nVersion: 1.0\n"
    )
    (dist / "entry_points.txt").write_text(ENTRY_POINTS)
    return folder


def read_runs(record: Path) -> list[tuple[str, str]]:
    """(action execution id, tag) per recorded run, in order."""
    if not record.exists():
        return []
    runs = []
    for line in record.read_text().splitlines():
        action_id, _, tag = line.partition(" ")
        runs.append((action_id, tag))
    return runs
