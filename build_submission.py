#!/usr/bin/env python
"""Entry point: python build_submission.py --tasks arc1/eval --limit 3 --time-budget 180"""

import sys

from solver.run.cli import main

if __name__ == "__main__":
    sys.exit(main())
