"""Run the program search alone over a dataset and score it (Kaggle rule, pass@2).

    python bench/search_eval.py --tasks arc2/train --exclude arc1/eval --time-limit 5 --depth 3

Prints one line per task with --verbose, then: Kaggle score (correct test outputs / all
test outputs, a test output counting if either of the top two candidates equals it),
per-task average, CPU seconds per task (median, p90, max), peak RSS, how often the top
candidate is right when one is proposed, and the search's CPU seconds summed over the
tasks by phase (enumeration, fitting, pieces, setup; per pass: plain, normalised,
transposed; see solver/search/timing.py). Single process: the machine is shared.

Held-out split (solver/arc/holdout.py): on a training set (arc1/train, arc2/train) the
tasks are split once by a hash of their id into a studied part and a held-out part, and
the score of each part and their gap (studied minus held-out) are printed. Held-out tasks
are only ever scored as a whole: --verbose lines and --json records name studied tasks
only. Design and tune on the studied part; a change that raises it but not the held-out
part is fitting, not progress. --part runs one part alone.

--demos N keeps only each task's first N demonstrations: with less evidence, more programs
fit that are not the rule, so the top-1 precision then measures how well the ranking
generalises (docs/RESULTS.md, "scarce evidence"). The summary also says where the right answer
sits among each test output's candidates; --candidates N keeps N of them (5 by default), to see
how many a better order could reach.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from solver.arc.holdout import TRAINING_SETS, is_held_out
from solver.arc.tasks import Task, load_source
from solver.search import SearchSettings, search_task, warmup

PARTS = ("all", "studied", "held-out")
PASSES = ("plain", "normalised", "transposed")
PHASE_KINDS = ("setup", "enumeration", "compiled", "fitting", "pieces", "ends")


@dataclass
class TaskResult:
    task_id: str
    held_out: bool
    places: list[int | None]  # per test output: the right candidate's index, -1 if none is right, None if no candidate
    cpu_s: float
    top_program: str  # of the first test input's top candidate, "-" when none
    stats: dict

    @property
    def hits(self) -> list[bool]:
        """Per test output: right within the top two (Kaggle's two attempts)."""
        return [p is not None and 0 <= p < 2 for p in self.places]

    @property
    def proposed(self) -> int:
        """Test outputs with at least one candidate."""
        return sum(p is not None for p in self.places)

    @property
    def top_right(self) -> int:
        """Test outputs whose top candidate is right."""
        return self.places.count(0)


def run_task(
    task: Task, answers: list, settings: SearchSettings, held_out: bool, demos: int | None = None
) -> TaskResult:
    train = [(p.input, p.output) for p in task.train[:demos]]
    c0 = time.process_time()
    res = search_task(train, [p.input for p in task.test], settings)
    cpu_s = time.process_time() - c0
    places: list[int | None] = []
    for k, answer in enumerate(answers):
        answer = np.array(answer, dtype=np.uint8)
        right = [c.grid.shape == answer.shape and np.array_equal(c.grid, answer) for c in res.per_test[k]]
        if not right:
            places.append(None)
        else:
            places.append(right.index(True) if any(right) else -1)
    top = res.per_test[0][0].program if res.per_test and res.per_test[0] else "-"
    return TaskResult(task.id, held_out, places, cpu_s, top, res.stats)


def score(results: list[TaskResult]) -> tuple[float, int, int]:
    """(Kaggle score, right test outputs, all test outputs)."""
    correct = sum(sum(r.hits) for r in results)
    total = sum(len(r.hits) for r in results)
    return correct / max(total, 1), correct, total


def phase_totals(results: list[TaskResult]) -> dict[str, float]:
    """CPU seconds per phase, summed over the tasks."""
    totals: dict[str, float] = {}
    for r in results:
        for phase, seconds in r.stats.get("phase_cpu_s", {}).items():
            totals[phase] = totals.get(phase, 0.0) + seconds
    return totals


def print_summary(results: list[TaskResult], args, warm_s: float, split: bool) -> None:
    cpu = np.array([r.cpu_s for r in results]) if results else np.zeros(1)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"tasks {len(results)}  time_limit {args.time_limit}s  depth {args.depth}  "
        f"demonstrations {args.demos or 'all'}  (kernel warmup {warm_s:.2f}s CPU)"
    )
    print(
        f"CPU s/task: mean {cpu.mean():.2f}  median {np.median(cpu):.2f}  "
        f"p90 {np.percentile(cpu, 90):.2f}  max {cpu.max():.2f}   peak RSS {rss_mb:.0f} MB"
    )
    totals = phase_totals(results)
    whole = sum(totals.values()) or 1.0
    by_kind = {kind: sum(s for p, s in totals.items() if p.endswith("." + kind)) for kind in PHASE_KINDS}
    by_kind["ranking"] = totals.get("ranking", 0.0)
    print("CPU s by phase (sum over tasks): " + "  ".join(f"{k} {s:.1f} ({s / whole:.0%})" for k, s in by_kind.items()))
    order = [f"{p}.{k}" for p in PASSES for k in PHASE_KINDS]
    listed = sorted(totals, key=lambda p: order.index(p) if p in order else len(order))
    print("  by pass and phase: " + "  ".join(f"{p} {totals[p]:.1f}" for p in listed))
    depths = Counter(int(r.stats.get("depth_reached", 0)) for r in results)
    print("depth reached (deepest level finished, tasks): " + "  ".join(f"{d}: {n}" for d, n in sorted(depths.items())))
    proposed = sum(r.proposed for r in results)
    print(f"top-1 right when proposed: {sum(r.top_right for r in results)}/{proposed}")
    places = [p for r in results for p in r.places]
    later = sum(p is not None and p >= 2 for p in places)
    print(
        f"right answer's place among the candidates: first {places.count(0)}, second {places.count(1)}, "
        f"later {later}, not among them {places.count(-1)}, no candidate {places.count(None)}"
    )
    print(f"per-task average: {np.mean([sum(r.hits) / len(r.hits) for r in results]) if results else 0:.4f}")
    value, correct, total = score(results)
    print(f"score: {value:.4f} ({correct}/{total} test outputs)")
    if split:
        studied = score([r for r in results if not r.held_out])
        held_out = score([r for r in results if r.held_out])
        print(f"  studied part: {studied[0]:.4f} ({studied[1]}/{studied[2]})")
        print(f"  held-out part: {held_out[0]:.4f} ({held_out[1]}/{held_out[2]})")
        if studied[2] and held_out[2]:
            print(f"  gap (studied - held-out): {100 * (studied[0] - held_out[0]):+.1f} points")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tasks", default="arc1/train")
    p.add_argument("--limit", type=int, default=None)
    p.add_argument("--offset", type=int, default=0)
    p.add_argument("--task-ids", default=None, help="comma-separated ids")
    p.add_argument(
        "--exclude",
        default=None,
        help="leave out the tasks of these datasets, comma-separated (e.g. arc1/eval, which arc2/train holds)",
    )
    p.add_argument("--part", choices=PARTS, default="all", help="of a training set: both parts, or one")
    p.add_argument("--time-limit", type=float, default=SearchSettings.time_limit_s)
    p.add_argument("--depth", type=int, default=SearchSettings.max_depth)
    p.add_argument(
        "--demos", type=int, default=None, help="keep only each task's first N demonstrations (scarce evidence)"
    )
    p.add_argument(
        "--candidates",
        type=int,
        default=SearchSettings.max_candidates,
        help="candidates kept per test output (where the right answer sits is counted among them)",
    )
    p.add_argument("--verbose", action="store_true", help="one line per task (studied tasks only)")
    p.add_argument("--json", default=None, help="write per-task records here (studied tasks only)")
    args = p.parse_args(argv)
    if args.demos is not None and args.demos < 1:
        p.error(f"--demos must be at least 1, got {args.demos}")
    if args.candidates < 1:
        p.error(f"--candidates must be at least 1, got {args.candidates}")

    settings = SearchSettings(time_limit_s=args.time_limit, max_depth=args.depth, max_candidates=args.candidates)
    source = load_source(args.tasks)
    if source.solutions is None:
        raise SystemExit("search_eval: the task source has no solutions to score against")
    tasks = [t for t in source.tasks if isinstance(t, Task)]
    if args.task_ids:
        by_id = {t.id: t for t in tasks}
        tasks = [by_id[i] for i in args.task_ids.split(",")]
    if args.exclude:
        excluded = {t.id for name in args.exclude.split(",") for t in load_source(name).tasks}
        tasks = [t for t in tasks if t.id not in excluded]
    split = args.tasks in TRAINING_SETS
    if args.part != "all":
        if not split:
            raise SystemExit(f"search_eval: --part needs a training set ({', '.join(TRAINING_SETS)})")
        tasks = [t for t in tasks if is_held_out(t.id) == (args.part == "held-out")]
    tasks = tasks[args.offset :]
    if args.limit is not None:
        tasks = tasks[: args.limit]

    t0 = time.process_time()
    warmup()
    warm_s = time.process_time() - t0

    results = []
    for task in tasks:
        held_out = split and is_held_out(task.id)
        r = run_task(task, source.solutions[task.id], settings, held_out, args.demos)
        results.append(r)
        if args.verbose and not held_out:
            mark = "OK " if all(r.hits) else ("part" if any(r.hits) else "-- ")
            print(
                f"{task.id} {mark} {r.cpu_s:6.2f}s d{r.stats.get('depth_reached')} "
                f"n={r.stats.get('programs_tried')} {r.top_program}",
                flush=True,
            )
    print_summary(results, args, warm_s, split)
    if args.json:
        records = [
            {
                "id": r.task_id,
                "hits": r.hits,
                "cpu_s": round(r.cpu_s, 3),
                "program": r.top_program,
                "proposed": r.proposed,
                "top_right": r.top_right,
                "places": r.places,
                "stats": r.stats,
            }
            for r in results
            if not r.held_out
        ]
        Path(args.json).write_text(json.dumps(records, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
