"""SQLAlchemy models of every Levante table (``Base.metadata`` is the schema)."""

from levante.store.models.base import DEFAULT_NAMESPACE, DEFAULT_PROJECT, Base, new_id
from levante.store.models.definitions import (
    ActionDefinition,
    CodeSource,
    DynamicActionDefinition,
    Environment,
    Workbook,
    WorkflowDefinition,
)
from levante.store.models.executions import (
    ActionExecution,
    TaskExecution,
    WorkflowExecution,
    WorkflowSnapshot,
)
from levante.store.models.notifications import Notification
from levante.store.models.triggers import CronTrigger, EventTrigger, ResourceMember
from levante.store.models.work import Node, Timer, WorkItem

__all__ = [
    "DEFAULT_NAMESPACE",
    "DEFAULT_PROJECT",
    "ActionDefinition",
    "ActionExecution",
    "Base",
    "CodeSource",
    "CronTrigger",
    "DynamicActionDefinition",
    "Environment",
    "EventTrigger",
    "Node",
    "Notification",
    "ResourceMember",
    "TaskExecution",
    "Timer",
    "WorkItem",
    "Workbook",
    "WorkflowDefinition",
    "WorkflowExecution",
    "WorkflowSnapshot",
    "new_id",
]
