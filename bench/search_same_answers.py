"""Whether a change to the program search keeps its answers, and what it costs to the CPU.

    python bench/search_same_answers.py snapshot --out /tmp/before.json   # in a clone at the old commit
    python bench/search_same_answers.py snapshot --out /tmp/after.json    # in the changed tree, side by side
    python bench/search_same_answers.py compare /tmp/before.json /tmp/after.json

The tasks: every 6th studied `arc1/train` task and every 8th studied `arc2/train` task in no
ARC-AGI-1 set, 43 in all (training tasks only, never held-out ones). A snapshot keeps the
search's settings and, per task, every candidate's program, score and grid digest, the fitting
programs and states counted, whether the deadline or the list programs' share of the time cut
the search, and its CPU seconds, in all and by phase. `compare` prints the tasks whose
candidates, fits or states differ (a search cut by time may differ where nothing changed), and
the CPU of the second snapshot against the first. Run the two snapshots side by side, one per
core: absolute CPU times move between runs, ratios measured together do not. A snapshot searches
with the sources of the tree this file is in: for a commit older than this script, copy it into
that clone's `bench/` first.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from solver.arc.holdout import is_held_out
from solver.arc.tasks import Task, load_source
from solver.search import SearchSettings, search_task, warmup

ARC1_EVERY, ARC2_EVERY = 6, 8  # every n-th studied task of each set


def snapshot_tasks() -> list[Task]:
    """The fixed task set (see the module's doc), in a stable order."""
    arc1_train = load_source("arc1/train").tasks
    arc1 = [t for t in arc1_train if isinstance(t, Task) and not is_held_out(t.id)]
    in_arc1 = {t.id for t in arc1_train} | {t.id for t in load_source("arc1/eval").tasks}
    arc2 = [
        t
        for t in load_source("arc2/train").tasks
        if isinstance(t, Task) and not is_held_out(t.id) and t.id not in in_arc1
    ]
    return arc1[::ARC1_EVERY] + arc2[::ARC2_EVERY]


def _digest(grid: np.ndarray) -> str:
    return hashlib.sha1(bytes(grid.shape) + grid.tobytes()).hexdigest()[:12]


def snapshot(tasks: list[Task], settings: SearchSettings) -> dict:
    """The settings, and each task's candidates and figures."""
    warmup()
    records = {}
    for task in tasks:
        start = time.process_time()
        result = search_task([(p.input, p.output) for p in task.train], [p.input for p in task.test], settings)
        cpu = time.process_time() - start
        stats = result.stats
        answers = [[[c.program, round(c.score, 3), _digest(c.grid)] for c in cands] for cands in result.per_test]
        records[task.id] = {
            "candidates": answers,
            "fitting_programs": stats["fitting_programs"],
            "states": stats.get("states", 0),  # absent only for a task without demonstrations or tests
            "cut_by_time": bool(stats["timed_out"] or stats["lists_cut"]),
            "cpu_s": round(cpu, 4),
            "phase_cpu_s": stats["phase_cpu_s"],
        }
    return {"settings": dataclasses.asdict(settings), "tasks": records}


def compare(before: dict, after: dict) -> dict:
    """The tasks whose answers or counts differ, and the CPU of `after` against `before`."""
    if before["settings"] != after["settings"]:
        raise ValueError(f"the snapshots ran with other settings: {before['settings']} and {after['settings']}")
    old, new = before["tasks"], after["tasks"]
    if set(old) != set(new):
        raise ValueError("the two snapshots are of different tasks")
    differing = [
        task_id
        for task_id in old
        if any(old[task_id][k] != new[task_id][k] for k in ("candidates", "fitting_programs", "states"))
    ]
    phases = []
    for records in (old, new):
        by_phase: Counter = Counter()
        for record in records.values():
            for phase, seconds in record["phase_cpu_s"].items():
                by_phase[phase.split(".")[-1]] += seconds  # passes merged
        phases.append(dict(by_phase))
    totals = [sum(r["cpu_s"] for r in records.values()) for records in (old, new)]
    return {
        "tasks": len(old),
        "differing": differing,
        "answers_differ": [t for t in differing if old[t]["candidates"] != new[t]["candidates"]],
        "cut_by_time": [t for t in differing if old[t]["cut_by_time"] or new[t]["cut_by_time"]],
        "cpu_total_s": totals,
        "cpu_ratio": totals[1] / totals[0] if totals[0] else float("nan"),  # after / before: below 1 is faster
        "cpu_median_s": [statistics.median(r["cpu_s"] for r in records.values()) for records in (old, new)],
        "phase_cpu_s": phases,
    }


def print_comparison(c: dict) -> None:
    print(f"tasks {c['tasks']}: {len(c['differing'])} differ, {len(c['answers_differ'])} of them in their answers")
    for task_id in c["differing"]:
        what = "answers" if task_id in c["answers_differ"] else "counts only"
        print(f"  {task_id}: {what}{' (cut by time)' if task_id in c['cut_by_time'] else ''}")
    (tb, ta), (mb, ma) = c["cpu_total_s"], c["cpu_median_s"]
    print(f"CPU in all {tb:.2f} -> {ta:.2f} s (ratio {c['cpu_ratio']:.3f}); median per task {mb:.3f} -> {ma:.3f} s")
    for name, phases in zip(("before", "after"), c["phase_cpu_s"]):
        print(f"  {name}: " + "  ".join(f"{k} {v:.1f}" for k, v in sorted(phases.items())))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    snap = sub.add_parser("snapshot", help="search the task set in this tree and write its snapshot")
    snap.add_argument("--out", required=True, type=Path)
    snap.add_argument("--limit", type=int, default=None, help="only the first N tasks of the set")
    snap.add_argument("--time-limit", type=float, default=SearchSettings.time_limit_s)
    snap.add_argument("--depth", type=int, default=SearchSettings.max_depth)
    comp = sub.add_parser("compare", help="compare two snapshots")
    comp.add_argument("before", type=Path)
    comp.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "snapshot":
        if args.limit is not None and args.limit < 1:
            parser.error(f"--limit must be at least 1, got {args.limit}")
        settings = SearchSettings(time_limit_s=args.time_limit, max_depth=args.depth)
        result = snapshot(snapshot_tasks()[: args.limit], settings)
        args.out.write_text(json.dumps(result))
        cpu = sum(r["cpu_s"] for r in result["tasks"].values())
        print(f"{len(result['tasks'])} tasks, CPU {cpu:.2f} s -> {args.out}")
        return 0
    try:
        c = compare(json.loads(args.before.read_text()), json.loads(args.after.read_text()))
    except ValueError as e:
        raise SystemExit(f"search_same_answers: {e}") from None
    print_comparison(c)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
