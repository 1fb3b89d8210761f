"""Parse and validate a ~1 MB generated workbook; prints the best time of a few runs.

Run: ``.venv/bin/python -m bench.lang_parse [--size-kb 1024] [--runs 5]``.
"""

from __future__ import annotations

import argparse
import time

from levante.lang import parse_workbook


def generate_workbook(target_chars: int) -> str:
    """A workbook of many direct workflows with expressions, publishes and transitions."""
    parts = ["---\nversion: '2.0'\nname: bench_wb\ndescription: generated\n",
             "actions:\n  greet:\n    base: std.echo output=\"hi <% $.who %>\"\n"
             "    input:\n      - who\n",
             "workflows:\n"]
    size = sum(len(p) for p in parts)
    index = 0
    while size < target_chars:
        workflow = _workflow(index)
        parts.append(workflow)
        size += len(workflow)
        index += 1
    return "".join(parts)


def _workflow(index: int) -> str:
    lines = [
        f"  wf_{index}:",
        "    type: direct",
        "    input:",
        "      - hosts",
        "      - retries: 3",
        "    output:",
        "      result: <% $.last %>",
        "    task-defaults:",
        "      retry: count=<% $.retries %> delay=1",
        "      on-error:",
        "        - report",
        "    tasks:",
    ]
    for task in range(20):
        nxt = f"t{task + 1}" if task < 19 else "report"
        lines += [
            f"      t{task}:",
            f"        action: std.http url=\"http://h/<% $.hosts[{task}] %>\" method=GET",
            "        input:",
            f"          body: \"{{{{ _.hosts | length }}}} items for step {task}\"",
            "          headers: {Accept: application/json}",
            "        publish:",
            f"          last: <% task().result.content.where($.id > {task}).select($.name) %>",
            "        on-success:",
            f"          - {nxt}: <% $.last != null %>",
            "          - fail msg=\"<% $.last %>\": <% $.last = null %>",
        ]
        if task % 5 == 0:
            lines += [
                f"        with-items: h in <% $.hosts.skip({task}) %>",
                "        concurrency: 4",
            ]
    lines += [
        "      report:",
        "        join: one",
        "        action: greet who=<% execution().id %>",
        "        on-complete:",
        "          publish:",
        "            global:",
        "              reported: true",
        "          next: [succeed]",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Time parse + validate of the generated workbook."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-kb", type=int, default=1024)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    text = generate_workbook(args.size_kb * 1024)
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        workbook = parse_workbook(text, "bench.yaml")
        times.append(time.perf_counter() - start)
    tasks = sum(len(wf.tasks) for wf in workbook.workflows.values())
    print(
        f"lang_parse: {len(text) / 1024:.0f} KiB workbook, {len(workbook.workflows)} workflows, "
        f"{tasks} tasks: parse + validate first run {times[0]:.3f} s, best {min(times):.3f} s "
        f"(median {sorted(times)[len(times) // 2]:.3f} s over {args.runs} runs; later runs "
        "reuse the expression syntax cache)"
    )


if __name__ == "__main__":
    main()
