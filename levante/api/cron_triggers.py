"""``/v2/cron_triggers``: the trigger resource (``levante.scheduler`` fires them).

Creating a trigger checks its schedule, its workflow and the workflow input,
and computes ``next_execution_time``. Levante's additions are optional fields
(``time_zone``, ``overlap_policy``, ``missed_run_policy``, ``missed_run_limit``,
``jitter_seconds``, ``paused``; shown only when not at their Mistral-like
defaults, so a plain trigger reads exactly as in Mistral) and extra endpoints:
``PUT`` to pause, resume or change a trigger in place, ``POST .../fire`` to
start it once now, ``GET .../history`` and ``GET .../preview?count=N``.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from levante.api.context import Ctx
from levante.api.cron import (
    check_choice,
    check_not_negative,
    check_pattern,
    check_schedule,
    check_time_zone,
    next_fire_time,
    parse_first_time,
)
from levante.api.crud import add_unique, list_page, one_resource
from levante.api.documents import checked_scope
from levante.api.errors import BadRequest, Conflict, NotFound
from levante.api.listing import (
    ListSpec,
    openapi_parameters,
)
from levante.api.lookup import check_workflow_input, declared_input, find_workflow
from levante.api.wire import (
    json_object,
    json_response,
    json_text,
    no_content,
    timestamps,
    without_null_updated_at,
)
from levante.engine.runtime import EngineRuntime
from levante.scheduler import CronSchedule, CronScheduler, TriggerNotFound
from levante.scheduler.firing import REFUSED_START, due_time
from levante.scheduler.policies import MissedRunPolicy, OverlapPolicy, RunOutcome
from levante.scheduler.resume import record_paused_fire_times
from levante.store.models import CronTrigger, WorkflowDefinition, new_id
from levante.store.models.base import DEFAULT_PROJECT
from levante.store.models.triggers import CronTriggerRun
from levante.store.types import format_timestamp, utc_now

router = APIRouter(tags=["cron triggers"])

FIELDS = (
    "id",
    "name",
    "workflow_name",
    "workflow_id",
    "workflow_input",
    "workflow_params",
    "project_id",
    "scope",
    "pattern",
    "remaining_executions",
    "first_execution_time",
    "next_execution_time",
    "created_at",
    "updated_at",
)
LIST = ListSpec(
    collection="cron_triggers",
    model=CronTrigger,
    fields=FIELDS,
    filters=(
        "name",
        "workflow_name",
        "workflow_id",
        "workflow_input",
        "workflow_params",
        "scope",
        "pattern",
        "remaining_executions",
        "first_execution_time",
        "next_execution_time",
        "created_at",
        "updated_at",
        "project_id",
    ),
)


class CronTriggerBody(BaseModel):
    """A cron trigger as the client sends it (JSON fields may be objects or JSON text)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    pattern: str | None = None
    first_execution_time: str | None = None
    remaining_executions: int | None = None
    workflow_name: str | None = None
    workflow_id: str | None = None
    workflow_input: dict[str, Any] | str | None = None
    workflow_params: dict[str, Any] | str | None = None
    scope: str | None = None
    time_zone: str | None = None
    overlap_policy: str | None = None
    missed_run_policy: str | None = None
    missed_run_limit: int | None = None
    jitter_seconds: int | None = None
    paused: bool | None = None


class CronTriggerUpdate(BaseModel):
    """``PUT /v2/cron_triggers/{name}``: the fields to change (absent ones stay)."""

    model_config = ConfigDict(extra="forbid")

    pattern: str | None = None
    workflow_input: dict[str, Any] | str | None = None
    workflow_params: dict[str, Any] | str | None = None
    remaining_executions: int | None = None
    time_zone: str | None = None
    overlap_policy: str | None = None
    missed_run_policy: str | None = None
    missed_run_limit: int | None = None
    jitter_seconds: int | None = None
    paused: bool | None = None


#: Levante's extra fields and their defaults: shown only when set to something else.
EXTRA_DEFAULTS: dict[str, Any] = {
    "time_zone": None,
    "overlap_policy": OverlapPolicy.ALLOW.value,
    "missed_run_policy": MissedRunPolicy.RUN_ONCE.value,
    "missed_run_limit": None,
    "jitter_seconds": 0,
    "paused": False,
}


def cron_trigger_resource(row: CronTrigger) -> dict[str, Any]:
    """A cron trigger as Mistral shows it (input and params as JSON strings), plus extras."""
    extras = {key: getattr(row, key) for key, default in EXTRA_DEFAULTS.items()
              if getattr(row, key) not in (None, default)}
    return {
        **_resource_fields(row),
        **extras,
    }


def _resource_fields(row: CronTrigger) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "workflow_name": row.workflow_name,
        "workflow_id": row.workflow_id,
        "workflow_input": json_text(row.workflow_input),
        "workflow_params": json_text(row.workflow_params),
        "project_id": row.project_id,
        "scope": row.scope,
        "pattern": row.pattern,
        "remaining_executions": row.remaining_executions,
        "first_execution_time": format_timestamp(row.first_execution_time),
        "next_execution_time": format_timestamp(row.next_execution_time),
        **timestamps(row),
    }


def content_hash(value: Any) -> str:
    """SHA-256 of a JSON value in canonical form (part of the trigger's uniqueness key)."""
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


@router.get("/v2/cron_triggers", openapi_extra=openapi_parameters(LIST))
def list_cron_triggers(request: Request, ctx: Ctx) -> JSONResponse:
    """List cron triggers."""
    return list_page(request, ctx, LIST, cron_trigger_resource)


@router.post("/v2/cron_triggers", status_code=201)
def create_cron_trigger(body: CronTriggerBody, ctx: Ctx) -> JSONResponse:
    """Create a trigger that starts a workflow on a cron pattern and/or at a first time."""
    if not body.name:
        raise BadRequest("A cron trigger needs a name")
    identifier = body.workflow_id or body.workflow_name
    if not identifier:
        raise BadRequest("A cron trigger needs workflow_name or workflow_id")
    now = utc_now()
    first_time = parse_first_time(body.first_execution_time) if body.first_execution_time else None
    pattern = body.pattern or None
    count = body.remaining_executions
    check_schedule(pattern, first_time, count, now)
    check_time_zone(body.time_zone)
    if first_time is not None:
        next_time = first_time
        if not (pattern or count):
            count = 1
    else:
        assert pattern is not None
        next_time = next_fire_time(pattern, now, body.time_zone)
    workflow_input = json_object(body.workflow_input, "workflow_input", allow_none=False) or {}
    workflow_params = json_object(body.workflow_params, "workflow_params", allow_none=False) or {}
    with ctx.db.transaction() as session:
        workflow = _find_workflow(
            session, identifier, str(workflow_params.get("namespace") or ""), workflow_input)
        check_workflow_input(workflow, workflow_input)
        row = CronTrigger(
            id=new_id(),
            time_zone=body.time_zone or None,
            paused=bool(body.paused),
            name=body.name,
            pattern=pattern,
            first_execution_time=first_time,
            next_execution_time=next_time,
            remaining_executions=count,
            workflow_name=workflow.name,
            workflow_id=workflow.id,
            workflow_input=workflow_input,
            workflow_input_hash=content_hash(workflow_input),
            workflow_params=workflow_params,
            workflow_params_hash=content_hash(workflow_params),
            scope=checked_scope(body.scope),
        )
        _set_policies(row, body)
        row.due_at = due_time(row, next_time)
        _insert(session, row)
        resource = without_null_updated_at(cron_trigger_resource(row))
    return json_response(resource, status_code=201)


@router.get("/v2/cron_triggers/{identifier}")
def get_cron_trigger(identifier: str, ctx: Ctx, fields: str = "") -> JSONResponse:
    """One cron trigger by name or id."""
    return one_resource(ctx, fields, FIELDS, lambda s: _get(s, identifier), cron_trigger_resource)


@router.delete("/v2/cron_triggers/{identifier}", status_code=204)
def delete_cron_trigger(identifier: str, ctx: Ctx) -> Response:
    """Delete a cron trigger by name or id."""
    with ctx.db.transaction() as session:
        session.delete(_get(session, identifier))
    return no_content()


@router.put("/v2/cron_triggers/{identifier}")
def update_cron_trigger(identifier: str, body: CronTriggerUpdate, ctx: Ctx) -> JSONResponse:
    """Change a trigger in place: pause / resume, pattern, input, count, Levante's options.

    A new pattern or time zone, or a resume, recomputes ``next_execution_time``
    from now: fire times that passed while paused are not run; a resume records
    them in the history as ``paused``.
    """
    given = body.model_fields_set
    now = utc_now()
    with ctx.db.transaction() as session:
        row = _get(session, identifier, lock=ctx.db.is_postgresql)
        was_paused, pending = row.paused, row.next_execution_time
        paused_schedule = CronSchedule(row.pattern, row.time_zone)
        reschedule = False
        if "pattern" in given and body.pattern != row.pattern:
            if not body.pattern:
                raise BadRequest("pattern cannot be removed; delete the trigger instead")
            check_pattern(body.pattern)
            row.pattern, reschedule = body.pattern, True
        if "time_zone" in given and (body.time_zone or None) != row.time_zone:
            check_time_zone(body.time_zone)
            row.time_zone, reschedule = body.time_zone or None, True
        if "paused" in given and body.paused is not None and body.paused != row.paused:
            row.paused, reschedule = body.paused, reschedule or not body.paused
        if "remaining_executions" in given:
            if body.remaining_executions is not None and body.remaining_executions < 1:
                raise BadRequest("remaining_executions must be at least 1 (or null: no limit)")
            row.remaining_executions = body.remaining_executions
        if given & {"workflow_input", "workflow_params"}:
            _update_workflow_call(session, row, body)
        _set_policies(row, body)
        if was_paused and not row.paused:
            record_paused_fire_times(session, row, paused_schedule, pending, now)
        if reschedule and row.pattern:
            row.next_execution_time = next_fire_time(row.pattern, now, row.time_zone)
        row.due_at = due_time(row, row.next_execution_time)
        session.flush()
        resource = cron_trigger_resource(row)
    return json_response(resource)


@router.post("/v2/cron_triggers/{identifier}/fire", status_code=201)
def fire_cron_trigger(identifier: str, ctx: Ctx) -> JSONResponse:
    """Start the trigger's workflow once now; its schedule and remaining count are unchanged."""
    runtime = getattr(ctx.engine, "runtime", None)
    if not isinstance(runtime, EngineRuntime):
        runtime = EngineRuntime(ctx.db)
    try:
        record = CronScheduler(ctx.db, runtime).fire_now(identifier)
    except TriggerNotFound as error:
        raise NotFound(str(error)) from None
    except REFUSED_START as error:
        raise BadRequest(f"The cron trigger's workflow cannot start: {error}") from None
    if record.outcome is RunOutcome.SKIPPED:
        # Recorded in the history (committed); nothing was started.
        raise Conflict(f"Cron trigger {record.trigger_name!r} was not started: "
                       f"{record.detail} (recorded in its history as skipped)")
    return json_response({
        "name": record.trigger_name,
        "execution_id": record.execution_id,
        "scheduled_at": format_timestamp(record.scheduled_at),
        "outcome": record.outcome.value,
    }, status_code=201)


@router.get("/v2/cron_triggers/{identifier}/history")
def cron_trigger_history(identifier: str, ctx: Ctx, limit: int = 100) -> JSONResponse:
    """The trigger's fire times, newest first, with what happened at each."""
    if limit < 1:
        raise BadRequest(f"limit must be at least 1, got {limit}")
    with ctx.db.read() as session:
        row = _get(session, identifier)
        runs = session.scalars(
            select(CronTriggerRun).where(CronTriggerRun.trigger_id == row.id)
            .order_by(CronTriggerRun.scheduled_at.desc()).limit(min(limit, 1000))).all()
        history = [{
            "scheduled_at": format_timestamp(run.scheduled_at),
            "recorded_at": format_timestamp(run.recorded_at),
            "fired_by": run.fired_by,
            "outcome": run.outcome,
            "execution_id": run.execution_id,
            "detail": run.detail,
        } for run in runs]
    return json_response({"name": row.name, "history": history})


@router.get("/v2/cron_triggers/{identifier}/preview")
def cron_trigger_preview(identifier: str, ctx: Ctx, count: int = 10) -> JSONResponse:
    """The trigger's next ``count`` fire times (UTC, local wall-clock time, and due with jitter)."""
    if not 1 <= count <= 1000:
        raise BadRequest(f"count must be between 1 and 1000, got {count}")
    with ctx.db.read() as session:
        row = _get(session, identifier)
        schedule = CronSchedule(row.pattern, row.time_zone)
        times = schedule.upcoming(row.next_execution_time, count)
        if row.remaining_executions is not None:
            times = times[: row.remaining_executions]
        preview = [{
            "scheduled_at": format_timestamp(t),
            "local_time": t.astimezone(schedule.zone).isoformat(),
            "due_at": format_timestamp(due_time(row, t)),
        } for t in times]
    return json_response({"name": row.name, "time_zone": row.time_zone or "UTC",
                          "paused": row.paused, "next_execution_times": preview})


def _set_policies(row: CronTrigger, body: CronTriggerBody | CronTriggerUpdate) -> None:
    """Copy the policy fields the body sets onto ``row``, checked."""
    if body.overlap_policy is not None:
        row.overlap_policy = check_choice(OverlapPolicy, "overlap_policy", body.overlap_policy)
    if body.missed_run_policy is not None:
        row.missed_run_policy = check_choice(
            MissedRunPolicy, "missed_run_policy", body.missed_run_policy)
    if "missed_run_limit" in body.model_fields_set:
        check_not_negative("missed_run_limit", body.missed_run_limit)
        row.missed_run_limit = body.missed_run_limit
    if body.jitter_seconds is not None:
        check_not_negative("jitter_seconds", body.jitter_seconds)
        row.jitter_seconds = body.jitter_seconds


def _update_workflow_call(session: Session, row: CronTrigger, body: CronTriggerUpdate) -> None:
    """New workflow input and/or params, checked against the trigger's workflow."""
    if "workflow_input" in body.model_fields_set:
        row.workflow_input = json_object(body.workflow_input, "workflow_input",
                                         allow_none=False) or {}
    if "workflow_params" in body.model_fields_set:
        row.workflow_params = json_object(body.workflow_params, "workflow_params",
                                          allow_none=False) or {}
    params = row.workflow_params or {}
    workflow = find_workflow(session, row.workflow_id or row.workflow_name,
                             str(params.get("namespace") or ""))
    check_workflow_input(workflow, row.workflow_input)
    row.workflow_input_hash = content_hash(row.workflow_input)
    row.workflow_params_hash = content_hash(row.workflow_params)


def _find_workflow(session: Session, identifier: str, namespace: str,
                   given: dict[str, Any]) -> WorkflowDefinition:
    """``find_workflow``, whose 404 also says what the suggested workflows need as input."""
    try:
        return find_workflow(session, identifier, namespace)
    except NotFound as error:
        close = difflib.get_close_matches(
            identifier, list(session.scalars(select(WorkflowDefinition.name).limit(10_000))), n=3)
        hints = []
        for name in close:
            candidate = find_workflow(session, name, namespace)
            required, _ = declared_input(candidate.spec)
            missing = [item for item in required if item not in given]
            takes = f"takes ({candidate.input or 'no input'})"
            needs = (f"; it needs input {', '.join(missing)} (e.g. a JSON file as the "
                     "workflow_input argument)") if missing else ""
            hints.append(f"{name!r} {takes}{needs}")
        if not hints:
            raise
        raise NotFound(f"{error}. {'; '.join(hints)}") from None


def _get(session: Session, identifier: str, *, lock: bool = False) -> CronTrigger:
    query = (select(CronTrigger)
             .where(or_(CronTrigger.id == identifier, CronTrigger.name == identifier))
             .order_by(CronTrigger.id == identifier)
             .limit(1))
    row = session.scalars(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound(f"Cron trigger not found [identifier={identifier}]")
    return row


#: The fields two triggers must share to be duplicates (upstream's unique key, plus
#: Levante's time zone: the same pattern in another zone is another schedule).
SCHEDULE_KEY = (
    "workflow_input_hash",
    "workflow_name",
    "pattern",
    "project_id",
    "workflow_params_hash",
    "remaining_executions",
    "first_execution_time",
    "time_zone",
)


def _insert(session: Session, row: CronTrigger) -> None:
    taken = session.scalar(
        select(CronTrigger.id).where(
            CronTrigger.name == row.name, CronTrigger.project_id == row.project_id
        )
    )
    if taken is not None:
        raise Conflict(
            f"Duplicate entry for cron trigger ['name', 'project_id']: {row.name}, {row.project_id}"
        )
    _refuse_duplicate_schedule(session, row)
    add_unique(
        session,
        row,
        f"Duplicate entry for cron trigger ['name', 'project_id']: {row.name}, {row.project_id}",
    )


def _refuse_duplicate_schedule(session: Session, row: CronTrigger) -> None:
    """409 when another trigger has the same workflow, input, params and schedule.

    Upstream refuses these with a unique key; Levante checks here instead, at
    creation only, because that key also covers ``remaining_executions``, which
    counts down while firing (twins with counts 5 and 4 would collide on the
    first run). Like the key, a field that is NULL (no pattern, no count, no
    first time) never matches; ``time_zone`` NULL means UTC and matches NULL.
    """
    # The project is filled in by the column default on insert (not yet here).
    wanted = {key: getattr(row, key) for key in SCHEDULE_KEY}
    wanted["project_id"] = row.project_id or DEFAULT_PROJECT
    if any(value is None for key, value in wanted.items() if key != "time_zone"):
        return
    conditions = [
        getattr(CronTrigger, key).is_not_distinct_from(value)
        if key == "time_zone" else getattr(CronTrigger, key) == value
        for key, value in wanted.items()
    ]
    if session.scalar(select(CronTrigger.id).where(*conditions).limit(1)) is None:
        return
    values = ", ".join(str(getattr(row, key)) for key in SCHEDULE_KEY)
    raise Conflict(f"Duplicate entry for cron trigger {list(SCHEDULE_KEY)}: {values}")
