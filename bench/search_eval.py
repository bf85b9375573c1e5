"""Run the program search alone over a dataset and score it (Kaggle rule, pass@2).

    python bench/search_eval.py --tasks arc1/train --time-limit 5 --depth 3

Prints one line per task with --verbose, then: Kaggle score (correct test outputs / all
test outputs, a test output counting if either of the top two candidates equals it),
per-task average, CPU seconds per task (median, p90, max), peak RSS, and how often the top
candidate is right when one is proposed. Single process: the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from solver.arc.tasks import Task, load_source
from solver.search import SearchSettings, search_task, warmup


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tasks", default="arc1/train")
    p.add_argument("--limit", type=int, default=None)
    p.add_argument("--offset", type=int, default=0)
    p.add_argument("--task-ids", default=None, help="comma-separated ids")
    p.add_argument(
        "--exclude", default=None, help="leave out the tasks of this dataset (e.g. arc1/eval, which arc2/train holds)"
    )
    p.add_argument("--time-limit", type=float, default=SearchSettings.time_limit_s)
    p.add_argument("--depth", type=int, default=SearchSettings.max_depth)
    p.add_argument("--verbose", action="store_true")
    p.add_argument("--json", default=None, help="write per-task records here")
    args = p.parse_args(argv)

    settings = SearchSettings(time_limit_s=args.time_limit, max_depth=args.depth)
    source = load_source(args.tasks)
    if source.solutions is None:
        raise SystemExit("search_eval: the task source has no solutions to score against")
    tasks = [t for t in source.tasks if isinstance(t, Task)]
    if args.task_ids:
        wanted = args.task_ids.split(",")
        by_id = {t.id: t for t in tasks}
        tasks = [by_id[i] for i in wanted]
    if args.exclude:
        excluded = {t.id for t in load_source(args.exclude).tasks}
        tasks = [t for t in tasks if t.id not in excluded]
    tasks = tasks[args.offset :]
    if args.limit is not None:
        tasks = tasks[: args.limit]

    t0 = time.process_time()
    warmup()
    warm_s = time.process_time() - t0

    correct = total = 0
    task_scores, cpu, records = [], [], []
    proposed = top_right = 0
    for task in tasks:
        train = [(p.input, p.output) for p in task.train]
        tests = [p.input for p in task.test]
        c0 = time.process_time()
        res = search_task(train, tests, settings)
        dt = time.process_time() - c0
        cpu.append(dt)
        hits = []
        for k, answer in enumerate(source.solutions[task.id]):
            answer = np.array(answer, dtype=np.uint8)
            cands = res.per_test[k]
            ok = any(c.grid.shape == answer.shape and np.array_equal(c.grid, answer) for c in cands[:2])
            hits.append(ok)
            if cands:
                proposed += 1
                top_right += int(cands[0].grid.shape == answer.shape and np.array_equal(cands[0].grid, answer))
        correct += sum(hits)
        total += len(hits)
        task_scores.append(sum(hits) / len(hits))
        top = res.per_test[0][0].program if res.per_test and res.per_test[0] else "-"
        rec = {"id": task.id, "hits": hits, "cpu_s": round(dt, 3), "program": top, "stats": res.stats}
        records.append(rec)
        if args.verbose:
            print(
                f"{task.id} {'OK ' if all(hits) else ('part' if any(hits) else '-- ')} {dt:6.2f}s "
                f"d{res.stats.get('depth_reached')} n={res.stats.get('programs_tried')} {top}",
                flush=True,
            )

    cpu_a = np.array(cpu) if cpu else np.zeros(1)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"tasks {len(tasks)}  time_limit {args.time_limit}s  depth {args.depth}  (kernel warmup {warm_s:.2f}s CPU)")
    print(
        f"CPU s/task: mean {cpu_a.mean():.2f}  median {np.median(cpu_a):.2f}  "
        f"p90 {np.percentile(cpu_a, 90):.2f}  max {cpu_a.max():.2f}   peak RSS {rss_mb:.0f} MB"
    )
    print(f"top-1 right when proposed: {top_right}/{proposed}")
    print(f"per-task average: {np.mean(task_scores) if task_scores else 0:.4f}")
    print(f"score: {correct / max(total, 1):.4f} ({correct}/{total} test outputs)")
    if args.json:
        Path(args.json).write_text(json.dumps(records, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
