"""Workflow specs for the runtime: definitions, name resolution, snapshots and a parse cache.

An execution keeps a snapshot of the text it runs: its ``spec`` column names
it (``{"workflow", "namespace", "checksum"}``) and the text is stored once per
checksum (:mod:`levante.store.snapshots`), so editing a definition never
changes a running execution. Parsed documents are cached by
checksum (an LRU), and the checksum of each execution is remembered, so an
event does not re-read or re-parse YAML.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from levante.engine.errors import WorkflowNotFoundError, WorkflowStartError
from levante.engine.naming import subworkflow_candidates
from levante.lang import parse_workflows
from levante.lang.rest import input_signature
from levante.lang.spec import WorkflowsDocument, WorkflowSpec
from levante.store.definitions import find_definition
from levante.store.models import Environment, WorkflowDefinition, WorkflowExecution
from levante.store.snapshots import definition_of


def checksum(text: str) -> str:
    """SHA-256 of a definition text (the cache key of its parsed form)."""
    return hashlib.sha256(text.encode()).hexdigest()


class _Lru(OrderedDict[Any, Any]):
    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def put(self, key: Any, value: Any) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)

    def hit(self, key: Any) -> Any:
        value = self.get(key)
        if value is not None:
            self.move_to_end(key)
        return value


class SpecCache:
    """Parsed definition texts by checksum, and the checksum + workflow of each execution."""

    def __init__(self, size: int = 256, executions: int = 100_000) -> None:
        self._documents = _Lru(size)
        self._executions = _Lru(executions)
        self.stored_texts: set[str] = set()
        """Checksums of definition texts known to be stored in the database (see
        :class:`~levante.engine.runtime_rows.SessionReader`)."""

    def document(self, text: str, namespace: str = "", digest: str | None = None
                 ) -> WorkflowsDocument:
        """The parsed workflows of ``text`` (parsed once per checksum and namespace)."""
        key = (digest or checksum(text), namespace)
        doc = self._documents.hit(key)
        if doc is None:
            doc = parse_workflows(text, namespace=namespace)
            self._documents.put(key, doc)
        return doc

    def remember(self, execution_id: str, snapshot: dict[str, Any]) -> None:
        """Note which snapshot an execution runs (so its spec needs no read)."""
        self._executions.put(execution_id, (snapshot["checksum"], snapshot["namespace"],
                                            snapshot["workflow"], snapshot.get("definition")))

    def spec_of(self, session: Session, execution_id: str) -> WorkflowSpec:
        """The spec an execution runs, from the cache or its row's snapshot."""
        known = self._executions.hit(execution_id)
        if known is None:
            snap = session.scalar(select(WorkflowExecution.spec).where(
                WorkflowExecution.id == execution_id))
            if not snap:
                raise KeyError(f"workflow execution {execution_id} has no spec snapshot")
            self.remember(execution_id, snap)
            known = self._executions.hit(execution_id)
        digest, namespace, name, text = known
        doc = self._documents.hit((digest, namespace))
        if doc is None:
            text = text if text is not None else definition_of(session, {"checksum": digest})
            if text is None:
                raise KeyError(f"workflow execution {execution_id}: no definition text "
                               f"with checksum {digest}")
            doc = self.document(text, namespace, digest)
        return doc.workflows[name]


def snapshot(text: str, name: str, namespace: str) -> dict[str, Any]:
    """The ``spec`` column of an execution of workflow ``name`` defined in ``text``."""
    return {"workflow": name, "namespace": namespace, "checksum": checksum(text),
            "definition": text}


def register_definitions(session: Session, cache: SpecCache, text: str,
                         namespace: str = "") -> list[str]:
    """Create or update the workflow definitions of a file (as ``levante run FILE`` does).

    Each definition keeps the whole file as its text, so the workflows of one
    file see each other. Raises ``levante.lang.ValidationError`` for a bad file.
    """
    doc = cache.document(text, namespace)
    digest = checksum(text)
    for name, spec in doc.workflows.items():
        row = find_definition(session, WorkflowDefinition, name, namespace, fallback=False)
        if row is None:
            row = WorkflowDefinition(name=name, namespace=namespace)
            session.add(row)
        row.definition = text
        row.checksum = digest
        row.input = input_signature(spec.input)
        row.tags = list(spec.tags)
    session.flush()
    return list(doc.workflows)


@dataclass(frozen=True)
class Resolved:
    """A stored workflow definition found by name, ready to start."""

    spec: WorkflowSpec
    snapshot: dict[str, Any]
    """The ``spec`` column of an execution of it (see :func:`snapshot`)."""
    definition_id: str
    definition_name: str
    """Its stored name: ``wb.flow`` for a workbook's workflow (the spec says ``flow``)."""


def resolve(session: Session, cache: SpecCache, name: str, namespace: str = "", *,
            workbook: str | None = None) -> Resolved:
    """Workflow ``name`` (an id or a name): its namespace first, then the default one.

    With ``workbook`` (a sub-workflow of a workbook's workflow), a short name
    is looked for inside the workbook first (:func:`subworkflow_candidates`).
    """
    row = None
    for candidate in subworkflow_candidates(name, workbook):
        row = find_definition(session, WorkflowDefinition, candidate, namespace)
        if row is not None and row.definition:
            break
    if row is None or not row.definition:
        where = f" in namespace '{namespace}' or the default one" if namespace else ""
        inside = f" (nor '{workbook}.{name}' of its workbook)" if workbook else ""
        raise WorkflowNotFoundError(f"Workflow '{name}' not found{where}{inside}")
    doc = cache.document(row.definition, row.namespace, row.checksum)
    key = row.name
    if key not in doc.workflows and row.workbook_name and key.startswith(row.workbook_name + "."):
        key = key[len(row.workbook_name) + 1:]  # a workbook's workflow keeps its short name
    spec = doc.workflows.get(key)
    if spec is None:
        raise WorkflowNotFoundError(
            f"Workflow '{name}' not found in its definition text (definition {row.id})")
    return Resolved(spec, snapshot(row.definition, key, row.namespace), row.id, row.name)


def resolve_env(session: Session, params: dict[str, Any]) -> dict[str, Any]:
    """``params`` with a named ``env`` replaced by that environment's variables."""
    env = params.get("env")
    if not isinstance(env, str):
        return params
    variables = session.scalar(select(Environment.variables).where(Environment.name == env))
    if variables is None:
        found = session.scalar(select(Environment.id).where(Environment.name == env))
        if found is None:
            raise WorkflowStartError(f"Environment '{env}' not found; create it first or "
                                     "pass the env as a map")
    return {**params, "env": dict(variables or {})}
