"""Expressions: YAQL in ``<% %>`` and sandboxed Jinja2 in ``{{ }}``, as Mistral evaluates them."""

from levante.expr.errors import (
    ExpressionError,
    ExpressionEvaluationError,
    ExpressionLimitError,
    ExpressionSyntaxError,
)
from levante.expr.limits import Limits, get_limits, set_limits
from levante.expr.scanner import has_expression, is_single_expression
from levante.expr.syntax import check_syntax, check_value
from levante.expr.view import ExecutionView

__all__ = [
    "ExecutionView",
    "ExpressionError",
    "ExpressionEvaluationError",
    "ExpressionLimitError",
    "ExpressionSyntaxError",
    "Limits",
    "check_syntax",
    "check_value",
    "get_limits",
    "has_expression",
    "is_single_expression",
    "set_limits",
]
