"""Workflow Language v2: YAML text in, validated immutable spec objects out.

``parse_workflows`` / ``parse_workbook`` / ``parse_actions`` / ``parse_any``
read a document and return spec objects (``levante.lang.spec``) or raise
``ValidationError`` listing every ``LangError`` found (file, line, column,
field path, what was expected and found).
"""

from levante.lang.documents import (
    document_kind,
    parse_actions,
    parse_any,
    parse_workbook,
    parse_workflows,
)
from levante.lang.errors import LangError, ValidationError
from levante.lang.rest import input_signature, spec_dict, workflow_interface
from levante.lang.yamlload import DEFAULT_LIMITS, YamlLimits

__all__ = [
    "DEFAULT_LIMITS",
    "LangError",
    "ValidationError",
    "YamlLimits",
    "document_kind",
    "input_signature",
    "parse_actions",
    "parse_any",
    "parse_workbook",
    "parse_workflows",
    "spec_dict",
    "workflow_interface",
]
