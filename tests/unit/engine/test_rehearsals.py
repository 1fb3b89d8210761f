"""Every rehearsal fixture under rehearsals/ runs and meets its expectations."""

from __future__ import annotations

import pytest

from tests.unit.engine.rehearsal import FIXTURES, load, run

CASES = [
    pytest.param(case, id=f"{path.stem}:{case.get('name', i)}")
    for path in sorted(FIXTURES.glob("*.yaml"))
    for i, case in enumerate(load(path))
]


@pytest.mark.parametrize("case", CASES)
def test_rehearsal(case: dict) -> None:
    run(case)
