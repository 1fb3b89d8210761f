"""Expression evaluation cost, as the engine pays it per with-items iteration.

    .venv/bin/python -m bench.expr_eval [--count 100000] [--context-size 10000]

Evaluates typical expressions ``count`` times against a ChainMap of one item
variable over a task context of ``context-size`` published variables, and
prints microseconds per evaluation. It also prints the cost of YAQL's eager
input conversion (what Mistral does) over the same context, for comparison.
"""

from __future__ import annotations

import argparse
import time
from collections import ChainMap
from collections.abc import Callable
from typing import Any

from yaql.language import utils as yaql_utils

from levante.expr import evaluate

CASES = [
    ("plain string", "no expression here"),
    ("<% $.x %>", "<% $.x %>"),
    ("<% $.item %>", "<% $.item %>"),
    ("{{ _.item }}", "{{ _.item }}"),
    ("<% $.item.name + '-' + str($.x) %>", "<% $.item.name + '-' + str($.x) %>"),
    ("text {{ _.item.name }}/{{ _.x }}", "text {{ _.item.name }}/{{ _.x }}"),
    ("dict of 3", {"a": "<% $.x %>", "b": "{{ _.item.name }}", "c": 1}),
]


def _time(count: int, function: Callable[[], Any]) -> float:
    function()
    start = time.perf_counter()
    for _ in range(count):
        function()
    return (time.perf_counter() - start) / count * 1e6


def main() -> None:
    """Run the benchmark and print one line per case."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--context-size", type=int, default=10_000)
    args = parser.parse_args()

    task_context = {f"var{i}": {"value": i, "tags": ["a", "b"]} for i in range(args.context_size)}
    task_context["x"] = 42
    context = ChainMap({"item": {"name": "vm-1"}}, task_context)

    print(f"{args.count} evaluations, context of {args.context_size} variables (ChainMap)")
    for label, value in CASES:
        micros = _time(args.count, lambda value=value: evaluate(value, context))
        total = micros * args.count / 1e6
        print(f"  {label:40s} {micros:8.2f} us/eval  ({total:.2f} s total)")
    eager = _time(20, lambda: yaql_utils.convert_input_data(dict(context)))
    print(f"  for comparison, yaql's eager conversion of this context: {eager:,.0f} us/eval")


if __name__ == "__main__":
    main()
