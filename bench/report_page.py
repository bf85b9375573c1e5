"""Benchmark: size and cost of report.html for a 400-task run (arc1/eval grids, synthetic reports).

    python bench/report_page.py [--tasks 400] [--keep PAGE.html]

Prints the page size, the time to render it cold (every task section drawn), a rewrite
after one task changed (the supervisor's case: cached sections), and, when Chromium is
installed, the time a headless Chromium takes to load it and to paint the first screen.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import solver.run.supervisor  # noqa: F401  (loaded in a run already; its torch import is not the page's cost)
from solver.arc.tasks import load_source
from solver.report import write_page
from solver.report.page import _SECTIONS
from tests.browser import Browser, find_chromium
from tests.report_data import synthetic_report, synthetic_run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=400)
    parser.add_argument("--keep", type=Path, help="copy the page here")
    args = parser.parse_args()
    source = load_source("arc1/eval")
    tasks = source.tasks[: args.tasks]
    run = synthetic_run(tasks, source.solutions)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        _SECTIONS.clear()
        start = time.perf_counter()
        path = write_page(out, **run, final=True)
        cold = time.perf_counter() - start
        solved = next(t for t in tasks if run["reports"][t.id]["status"] == "solved")
        report, _ = synthetic_report(solved, source.solutions[solved.id], np.random.default_rng(1))
        run["reports"][solved.id] = report
        start = time.perf_counter()
        write_page(out, **run, final=False)
        warm = time.perf_counter() - start
        path = write_page(out, **run, final=True)
        size = path.stat().st_size
        print(
            f"tasks: {len(tasks)}; page: {size / 1e6:.2f} MB; render cold {cold:.2f} s, "
            f"rewrite after one task {warm:.3f} s"
        )
        if args.keep:
            args.keep.write_bytes(path.read_bytes())
        chromium = find_chromium()
        if chromium is None:
            print("chromium not found: no load time")
            return 0
        with Browser(chromium, out / "profile") as browser:
            load = browser.open(path.as_uri())
            start = time.perf_counter()
            browser.screenshot(out / "first-screen.png")
            paint = time.perf_counter() - start
            timing = browser.evaluate("JSON.stringify(performance.getEntriesByType('navigation')[0].toJSON())")
            layout = browser.evaluate(
                "(() => {const t = performance.now(); document.querySelectorAll('section.task')"
                ".forEach(s => s.style.contentVisibility = 'visible'); "
                "document.body.getBoundingClientRect(); return performance.now() - t})()"
            )
            sections = browser.evaluate("document.querySelectorAll('section.task').length")
        nav = json.loads(timing)
        print(
            f"chromium: load event after {load:.2f} s (DOMContentLoaded {nav['domContentLoadedEventEnd'] / 1e3:.2f} s"
            f"), first screen painted {paint:.2f} s later; laying out all {sections} sections: {layout / 1e3:.2f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
