"""Definitions: create, look up (by id, by name with namespace fallback), update, delete."""

from __future__ import annotations

import pytest

from levante.store.db import Database
from levante.store.definitions import (
    create_definition,
    delete_definition,
    find_definition,
    get_definition,
    update_definition,
)
from levante.store.errors import DuplicateError, NotFoundError
from levante.store.models import (
    ActionDefinition,
    CodeSource,
    DynamicActionDefinition,
    Environment,
    Workbook,
    WorkflowDefinition,
)


def _wf(name: str, namespace: str = "", **values: object) -> WorkflowDefinition:
    return WorkflowDefinition(name=name, namespace=namespace, definition=f"{name}: ...", **values)


def test_a_workflow_is_found_by_name_or_id(db: Database) -> None:
    with db.transaction() as session:
        wf = create_definition(session, _wf("deploy", spec={"tasks": {}}, input="a, b=1"))
    with db.read() as session:
        by_name = get_definition(session, WorkflowDefinition, "deploy")
        by_id = get_definition(session, WorkflowDefinition, wf.id)
    assert by_name.id == by_id.id == wf.id
    assert (by_name.spec, by_name.input, by_name.scope, by_name.is_system) == (
        {"tasks": {}},
        "a, b=1",
        "private",
        False,
    )


def test_names_are_unique_per_namespace(db: Database) -> None:
    with db.transaction() as session:
        create_definition(session, _wf("deploy"))
        create_definition(session, _wf("deploy", "team-a"))
        with pytest.raises(DuplicateError, match=r"Duplicate Workflow.*'deploy'.*'team-a'") as err:
            create_definition(session, _wf("deploy", "team-a"))
        assert err.value.key == {
            "name": "deploy",
            "namespace": "team-a",
            "project_id": "<default-project>",
        }
        # the transaction is still usable after the duplicate
        create_definition(session, _wf("other"))
    with db.read() as session:
        assert find_definition(session, WorkflowDefinition, "other") is not None


def test_lookup_by_name_falls_back_to_the_default_namespace(db: Database) -> None:
    with db.transaction() as session:
        default = create_definition(session, _wf("deploy"))
        scoped = create_definition(session, _wf("deploy", "team-a"))
        create_definition(session, _wf("only-default"))
    with db.read() as session:
        assert get_definition(session, WorkflowDefinition, "deploy", "team-a").id == scoped.id
        assert get_definition(session, WorkflowDefinition, "deploy", "team-b").id == default.id
        assert get_definition(session, WorkflowDefinition, "deploy").id == default.id
        assert find_definition(session, WorkflowDefinition, "only-default", "team-a") is not None
        assert (
            find_definition(session, WorkflowDefinition, "only-default", "team-a", fallback=False)
            is None
        )


def test_a_missing_definition_names_what_was_looked_for(db: Database) -> None:
    with db.read() as session, pytest.raises(NotFoundError) as err:
        get_definition(session, WorkflowDefinition, "ghost", "team-a")
    assert str(err.value) == "Workflow not found [identifier='ghost', namespace='team-a']"


def test_projects_see_their_own_and_public_definitions(db: Database) -> None:
    with db.transaction() as session:
        create_definition(session, _wf("mine", project_id="p1"))
        create_definition(session, _wf("theirs", project_id="p2"))
        create_definition(session, _wf("shared", project_id="p2", scope="public"))
    with db.read() as session:
        assert find_definition(session, WorkflowDefinition, "mine", project_id="p1")
        assert find_definition(session, WorkflowDefinition, "theirs", project_id="p1") is None
        assert find_definition(session, WorkflowDefinition, "shared", project_id="p1")
        assert find_definition(session, WorkflowDefinition, "theirs")  # no project: all rows


def test_update_changes_fields_and_stamps_updated_at(db: Database) -> None:
    with db.transaction() as session:
        create_definition(session, _wf("deploy", "ns"))
    with db.transaction() as session:
        updated = update_definition(
            session, WorkflowDefinition, "deploy", {"definition": "new", "tags": ["x"]}, "ns"
        )
    assert updated.definition == "new"
    assert updated.updated_at is not None
    with db.read() as session:
        assert get_definition(session, WorkflowDefinition, "deploy", "ns").tags == ["x"]


def test_update_and_delete_do_not_fall_back_to_the_default_namespace(db: Database) -> None:
    with db.transaction() as session:
        create_definition(session, _wf("deploy"))
    with db.transaction() as session:
        with pytest.raises(NotFoundError):
            update_definition(session, WorkflowDefinition, "deploy", {"definition": "x"}, "ns")
        with pytest.raises(NotFoundError):
            delete_definition(session, WorkflowDefinition, "deploy", "ns")


def test_a_rename_onto_a_taken_name_is_a_duplicate(db: Database) -> None:
    with db.transaction() as session:
        create_definition(session, _wf("a"))
        create_definition(session, _wf("b"))
        with pytest.raises(DuplicateError, match="'b'"):
            update_definition(session, WorkflowDefinition, "a", {"name": "b"})
        assert get_definition(session, WorkflowDefinition, "a").name == "a"


def test_update_rejects_unknown_fields(db: Database) -> None:
    with db.transaction() as session:
        create_definition(session, _wf("a"))
        with pytest.raises(KeyError, match="colour"):
            update_definition(session, WorkflowDefinition, "a", {"colour": "red"})


def test_delete_removes_the_definition(db: Database) -> None:
    with db.transaction() as session:
        wf = create_definition(session, _wf("deploy"))
    with db.transaction() as session:
        delete_definition(session, WorkflowDefinition, wf.id)
    with db.read() as session:
        assert find_definition(session, WorkflowDefinition, "deploy") is None


def test_workbooks_and_actions_follow_the_same_rules(db: Database) -> None:
    with db.transaction() as session:
        create_definition(session, Workbook(name="wb", definition="...", tags=["t"]))
        create_definition(
            session, ActionDefinition(name="wb.greet", input="name", description="says hi")
        )
        with pytest.raises(DuplicateError, match="Workbook"):
            create_definition(session, Workbook(name="wb"))
        with pytest.raises(DuplicateError, match="Action definition"):
            create_definition(session, ActionDefinition(name="wb.greet"))
    with db.read() as session:
        assert get_definition(session, ActionDefinition, "wb.greet", "x").description == "says hi"
        with pytest.raises(NotFoundError, match="Workbook not found"):
            get_definition(session, Workbook, "wb", "x", fallback=False)


def test_environments_are_unique_per_project_without_namespaces(db: Database) -> None:
    with db.transaction() as session:
        create_definition(session, Environment(name="prod", variables={"region": "eu"}))
        create_definition(session, Environment(name="prod", project_id="other"))
        with pytest.raises(DuplicateError) as err:
            create_definition(session, Environment(name="prod"))
        assert err.value.key == {"name": "prod", "project_id": "<default-project>"}
    with db.read() as session:
        env = get_definition(session, Environment, "prod", project_id="<default-project>")
        assert env.variables == {"region": "eu"}
        with pytest.raises(NotFoundError, match=r"Environment not found \[identifier='dev'\]"):
            get_definition(session, Environment, "dev")


def test_dynamic_actions_go_with_their_code_source(db: Database) -> None:
    with db.transaction() as session:
        source = create_definition(session, CodeSource(name="mod", content="class A: ..."))
        create_definition(
            session,
            DynamicActionDefinition(
                name="a", class_name="A", code_source_id=source.id, code_source_name="mod"
            ),
        )
    with db.transaction() as session:
        delete_definition(session, CodeSource, "mod")
    with db.read() as session:
        assert find_definition(session, DynamicActionDefinition, "a") is None
