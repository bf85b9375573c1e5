"""`python -m solver.report OUT [--page FILE]`: rebuild OUT/report.html from a run's output folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from solver.exit_codes import EXIT_USAGE
from solver.report.load import load_run
from solver.report.page import PAGE_NAME, ReportPage, task_views


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m solver.report", description="Rebuild the run report page from a run's output folder."
    )
    parser.add_argument("out", type=Path, help="the run's --out folder (finished or not)")
    parser.add_argument("--page", type=Path, help=f"where to write the page (default: OUT/{PAGE_NAME})")
    args = parser.parse_args(argv)
    if not args.out.is_dir():
        print(f"error: {args.out}: no such folder", file=sys.stderr)
        return EXIT_USAGE
    run = load_run(args.out)
    if not run.reports and not run.answers:
        print(f"error: {args.out}: no report.json, reports/ or submission.json to show", file=sys.stderr)
        return EXIT_USAGE
    page_path = args.page or args.out / PAGE_NAME
    if args.page and args.page.resolve().parent != args.out.resolve():
        print(f"note: the page links each task to reports/<task>.json, relative to {page_path.parent}", file=sys.stderr)
    ReportPage().write(page_path, run.summary, task_views(run.reports, run.grids, run.answers, run.answers), run.final)
    print(f"wrote {page_path} ({len(run.reports)} of {len(set(run.reports) | set(run.answers))} tasks reported)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
