import sys

from solver.convert.run import main

sys.exit(main())
