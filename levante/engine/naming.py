"""How a sub-workflow name is resolved (Mistral's order), as pure functions.

A workbook's workflows are stored as definitions named ``<workbook>.<name>``;
their executions carry that full name while their spec keeps the short one.
So a short sub-workflow name written inside a workbook is looked for first
as ``<workbook>.<name>``, then as written. Each name is looked for in the
root execution's namespace, then in the default one (the host does that part).
"""

from __future__ import annotations


def workbook_of(execution_name: str, spec_name: str) -> str | None:
    """The workbook an execution's workflow belongs to, or None.

    ``execution_name`` is the definition name the execution was started from
    (``wb.flow``), ``spec_name`` the name inside its text (``flow``).
    """
    suffix = "." + spec_name
    if execution_name != spec_name and execution_name.endswith(suffix):
        return execution_name[: -len(suffix)] or None
    return None


def subworkflow_candidates(name: str, workbook: str | None) -> list[str]:
    """The definition names to try, in order, for sub-workflow ``name``."""
    if workbook and not name.startswith(workbook + "."):
        return [f"{workbook}.{name}", name]
    return [name]
