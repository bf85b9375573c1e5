"""The program search's figures for a finished run of `build_submission.py`, from its reports.

    python bench/search_run_stats.py out/eval-arc1 --tasks arc1/eval

Prints, over the tasks the search ran on: its CPU seconds per task (median, p90, max), how
many tasks reached each depth, the CPU seconds summed by phase (enumeration, compiled,
fitting, pieces...; the passes merged), and, when the solutions are known (a dataset name or
--solutions), how often the top candidate is right when one is proposed. Reads
`OUT/reports/*.json`, the one file per task a run writes.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from solver.arc.tasks import load_source


def run_stats(reports: list[dict], solutions: dict | None) -> dict:
    """Aggregate figures of the search over a run's task reports (see the module's doc)."""
    cpu, depths, phases = [], Counter(), Counter()
    proposed = top_right = 0
    for report in reports:
        search = report.get("search") or {}
        if "cpu_seconds" in search:
            cpu.append(search["cpu_seconds"])
            depths[search.get("depth_reached")] += 1
            for phase, seconds in search.get("phase_cpu_s", {}).items():
                phases[phase.split(".")[-1]] += seconds
        for k, test in enumerate(report.get("tests", [])):
            if not test.get("top") or solutions is None:
                continue
            proposed += 1
            answer = np.array(solutions[report["task_id"]][k])
            top_right += int(np.array_equal(np.array(test["top"][0]["grid"]), answer))
    c = np.array(cpu) if cpu else np.zeros(1)
    return {
        "tasks": len(cpu),
        "cpu_median_s": float(np.median(c)),
        "cpu_p90_s": float(np.percentile(c, 90)),
        "cpu_max_s": float(c.max()),
        "depth_reached": dict(sorted(depths.items(), key=lambda kv: str(kv[0]))),
        "phase_cpu_s": dict(phases.most_common()),
        "top_right": top_right if solutions is not None else None,
        "proposed": proposed if solutions is not None else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the run's --out folder")
    parser.add_argument("--tasks", help="the run's --tasks (a dataset name brings its solutions)")
    parser.add_argument("--solutions", help="a solutions JSON file, for a challenges file")
    args = parser.parse_args()
    files = sorted((args.out / "reports").glob("*.json"))
    if not files:
        print(f"{args.out}: no reports/*.json (not a finished run's --out folder?)", file=sys.stderr)
        return 2
    solutions = load_source(args.tasks, args.solutions).solutions if args.tasks else None
    s = run_stats([json.loads(f.read_text()) for f in files], solutions)
    cpu = f"median {s['cpu_median_s']:.2f}  p90 {s['cpu_p90_s']:.2f}  max {s['cpu_max_s']:.2f}"
    print(f"tasks {s['tasks']}  search CPU s/task: {cpu}")
    print("depth reached (tasks):", "  ".join(f"{d}: {n}" for d, n in s["depth_reached"].items()))
    total = sum(s["phase_cpu_s"].values()) or 1.0
    print("CPU s by phase:", "  ".join(f"{p} {v:.0f} ({100 * v / total:.0f}%)" for p, v in s["phase_cpu_s"].items()))
    if s["proposed"] is not None:
        print(f"top-1 right when proposed: {s['top_right']}/{s['proposed']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
