"""The REST list query: filters, sorting, keyset paging, fields, visibility, bad requests."""

from __future__ import annotations

import datetime as dt

import pytest

from levante.store.db import Database
from levante.store.errors import InvalidQueryError, NotFoundError
from levante.store.models import WorkflowDefinition, WorkflowExecution
from levante.store.query import Filter, ListQuery, list_fields, list_rows

T0 = dt.datetime(2026, 11, 28, 17, 0, 0, tzinfo=dt.UTC)


@pytest.fixture
def executions(db: Database) -> Database:
    """Six workflow executions, a minute apart: w0..w5."""
    states = ["SUCCESS", "ERROR", "RUNNING", "SUCCESS", "CANCELLED", "RUNNING"]
    with db.transaction() as session:
        for n, state in enumerate(states):
            session.add(
                WorkflowExecution(
                    id=f"id-{n}",
                    name=f"w{n}",
                    workflow_name="deploy" if n % 2 else "backup_100%",
                    state=state,
                    description=None if n == 0 else f"run {n}",
                    tags=["nightly", "eu"] if n < 2 else ["eu"],
                    input={"host": f"h{n}"},
                    active_tasks=n,
                    accepted=n == 3,
                    created_at=T0 + dt.timedelta(minutes=n),
                )
            )
    return db


def names(db: Database, query: ListQuery) -> list[str]:
    with db.read() as session:
        return [row.name for row in list_rows(session, WorkflowExecution, query)]


def test_default_order_is_creation_time(executions: Database) -> None:
    assert names(executions, ListQuery()) == ["w0", "w1", "w2", "w3", "w4", "w5"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"state": "RUNNING"}, ["w2", "w5"]),
        ({"state": "eq:RUNNING"}, ["w2", "w5"]),
        ({"state": "neq:RUNNING"}, ["w0", "w1", "w3", "w4"]),
        ({"state": "in:ERROR,CANCELLED"}, ["w1", "w4"]),
        ({"state": "nin:SUCCESS,RUNNING"}, ["w1", "w4"]),
        ({"workflow_name": "has:%"}, ["w0", "w2", "w4"]),
        ({"workflow_name": "has:ploy"}, ["w1", "w3", "w5"]),
        ({"active_tasks": "gt:3"}, ["w4", "w5"]),
        ({"active_tasks": "gte:3"}, ["w3", "w4", "w5"]),
        ({"active_tasks": "lt:1"}, ["w0"]),
        ({"active_tasks": "lte:1"}, ["w0", "w1"]),
        ({"created_at": "gt:2026-11-28 17:03:00"}, ["w4", "w5"]),
        ({"created_at": "lte:2026-11-28T17:01:00Z"}, ["w0", "w1"]),
        ({"accepted": "true"}, ["w3"]),
        ({"description": Filter("eq", None)}, ["w0"]),
        ({"description": "neq:run 1"}, ["w0", "w2", "w3", "w4", "w5"]),
        ({"tags": "nightly"}, ["w0", "w1"]),
        ({"tags": "eu,nightly"}, ["w0", "w1"]),
        ({"tags": "eu"}, ["w0", "w1", "w2", "w3", "w4", "w5"]),
        ({"tags": "weekly"}, []),
        ({"input": "has:h3"}, ["w3"]),
        ({"state": "RUNNING", "workflow_name": "deploy"}, ["w5"]),
    ],
)
def test_filters(executions: Database, filters: dict[str, object], expected: list[str]) -> None:
    assert names(executions, ListQuery(filters=filters)) == expected


def test_sorting_by_several_keys(executions: Database) -> None:
    query = ListQuery(sort_keys=["state", "created_at"], sort_dirs=["desc", "asc"])
    assert names(executions, query) == ["w0", "w3", "w2", "w5", "w1", "w4"]


def test_missing_directions_default_to_ascending(executions: Database) -> None:
    query = ListQuery(sort_keys=["workflow_name", "created_at"], sort_dirs=["desc"])
    assert names(executions, query) == ["w1", "w3", "w5", "w0", "w2", "w4"]


@pytest.mark.parametrize(
    ("sort_keys", "sort_dirs"),
    [
        (["created_at"], ["asc"]),
        (["created_at"], ["desc"]),
        (["state", "active_tasks"], ["asc", "desc"]),
        (["description"], ["asc"]),
        (["description"], ["desc"]),
    ],
)
def test_paging_with_a_marker_visits_every_row_once(
    executions: Database, sort_keys: list[str], sort_dirs: list[str]
) -> None:
    everything = names(executions, ListQuery(sort_keys=sort_keys, sort_dirs=sort_dirs))
    seen: list[str] = []
    marker = None
    while True:
        page_query = ListQuery(marker=marker, limit=2, sort_keys=sort_keys, sort_dirs=sort_dirs)
        with executions.read() as session:
            page = list_rows(session, WorkflowExecution, page_query)
        if not page:
            break
        seen += [row.name for row in page]
        marker = page[-1].id
    assert seen == everything
    assert len(seen) == 6


def test_fields_return_only_what_was_asked_with_the_id(executions: Database) -> None:
    query = ListQuery(fields=["name", "state"], filters={"state": "ERROR"})
    with executions.read() as session:
        assert list_fields(session, WorkflowExecution, query) == [
            {"id": "id-1", "name": "w1", "state": "ERROR"}
        ]


def test_rows_of_other_projects_are_hidden_unless_public(db: Database) -> None:
    with db.transaction() as session:
        session.add(WorkflowDefinition(name="mine", project_id="p1"))
        session.add(WorkflowDefinition(name="theirs", project_id="p2"))
        session.add(WorkflowDefinition(name="shared", project_id="p2", scope="public"))
    with db.read() as session:
        rows = list_rows(
            session, WorkflowDefinition, ListQuery(project_id="p1", sort_keys=["name"])
        )
    assert [r.name for r in rows] == ["mine", "shared"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (ListQuery(filters={"colour": "red"}), "Unknown filter field 'colour'"),
        (ListQuery(sort_keys=["colour"]), "Unknown sort key 'colour'"),
        (ListQuery(fields=["colour"]), "Unknown field 'colour'"),
        (ListQuery(sort_dirs=["up"]), "Unknown sort direction"),
        (ListQuery(sort_keys=["name"], sort_dirs=["asc", "desc"]), "Length of sort_keys"),
        (ListQuery(limit=0), "Limit must be positive"),
        (ListQuery(filters={"active_tasks": "gt:many"}), "Invalid value 'many' for 'active_tasks'"),
        (ListQuery(filters={"created_at": "gt:yesterday"}), "Invalid value 'yesterday'"),
        (ListQuery(filters={"accepted": "maybe"}), "Invalid value 'maybe'"),
        (ListQuery(filters={"input": "eq:x"}), "can only be filtered with 'has:'"),
        (ListQuery(sort_keys=["input"]), "Cannot sort by 'input'"),
        (ListQuery(filters={"state": Filter("like", "x")}), "Unknown filter operation 'like'"),
        (ListQuery(filters={"description": Filter("gt", None)}), "Cannot compare"),
    ],
)
def test_bad_queries_say_what_is_wrong(
    executions: Database, query: ListQuery, message: str
) -> None:
    with executions.read() as session, pytest.raises(InvalidQueryError, match=message):
        list_fields(session, WorkflowExecution, query)


def test_an_unknown_marker_is_not_found(executions: Database) -> None:
    with executions.read() as session, pytest.raises(NotFoundError, match="nope"):
        list_rows(session, WorkflowExecution, ListQuery(marker="nope"))
