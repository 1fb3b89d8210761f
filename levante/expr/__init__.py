"""Expressions: YAQL in ``<% %>`` and sandboxed Jinja2 in ``{{ }}``, as Mistral evaluates them.

The engine and the language parser use only what is exported here.
"""

from levante.expr.errors import (
    ExpressionError,
    ExpressionEvaluationError,
    ExpressionLimitError,
    ExpressionSyntaxError,
)
from levante.expr.evaluate import evaluate
from levante.expr.functions import FUNCTIONS
from levante.expr.limits import Limits, get_limits, set_limits
from levante.expr.scanner import has_expression, is_single_expression
from levante.expr.static_view import StaticView
from levante.expr.syntax import check_syntax, check_value
from levante.expr.view import ExecutionView

__all__ = [
    "FUNCTIONS",
    "ExecutionView",
    "ExpressionError",
    "ExpressionEvaluationError",
    "ExpressionLimitError",
    "ExpressionSyntaxError",
    "Limits",
    "StaticView",
    "check_syntax",
    "check_value",
    "evaluate",
    "get_limits",
    "has_expression",
    "is_single_expression",
    "set_limits",
]
