#!/usr/bin/env python
"""Entry point: python build_submission.py --tasks arc1/eval --limit 3 --time-budget 180"""

import time

# First, before any heavy import: --time-budget counts from the interpreter's start (see
# solver.clock.process_start), and this reading is the fallback where that is unknown.
STARTED = time.monotonic()

import atexit  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

from solver.clock import process_start  # noqa: E402  (standard library only: no torch yet)
from solver.run.interrupts import exit_code, stop_on_sigterm, what_stopped  # noqa: E402  (the same)

if __name__ == "__main__":
    stop_on_sigterm()  # SIGTERM (timeout, a scheduler, Kaggle) is handled like Ctrl-C from here on
    try:
        from solver.run.cli import main  # torch and the rest: seconds on a busy machine, inside the budget
    except KeyboardInterrupt as interrupt:
        print(f"{what_stopped(interrupt)} while starting; nothing was written", file=sys.stderr)
        sys.exit(exit_code(interrupt))
    code = main(started=process_start(STARTED))
    # Every output is written, flushed and closed by now. Skip only the interpreter's teardown of
    # torch's modules (0.6-0.9 s, seconds on a busy machine), which would count against
    # --time-budget; the exit handlers (multiprocessing's clean-up, logging) still run.
    sys.stdout.flush()
    sys.stderr.flush()
    atexit._run_exitfuncs()
    os._exit(code)
