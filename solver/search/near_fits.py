"""Programs that reproduce all demonstrations but one: answers when nothing fits them all.

icecuber ranks its programs by how many demonstrations they reproduce, then by length, so a
task with no complete fit still gets its most likely answer. Here a program that makes every
demonstration's output exactly but one is kept (the few best of a pass: fewest missed, then
shortest, then fewest wrong cells) and offered with `verified=False`, ranked below every
program that fits them all (COSTS.near_fit). On the 2 attempts of a test input with no
complete fit, such a guess costs nothing.
"""

from __future__ import annotations

from solver.arc.voting import grid_key

from .ranking import COSTS, Fit

MAX_NEAR_FITS = 4  # per pass: enough for two attempts after duplicates are merged


class NearFits:
    """The best programs of one pass that miss exactly one demonstration."""

    def __init__(self, n_demonstrations: int) -> None:
        self.n = n_demonstrations
        self.best: dict[bytes, tuple[tuple, Fit]] = {}  # test answers' bytes -> (order key, fit)

    def offer(self, wrong_cells: list, tests: list, program: str, depth: int, cost: float = 0.0) -> None:
        """A reading's wrong cells on each demonstration (`readings.screen`), its test answers,
        and what its reading adds to the program's length (`readings.Reading.cost`)."""
        n = self.n
        if n < 2:
            return
        missed = [w for w in wrong_cells if w]
        if len(missed) != 1:
            return
        wrong = missed[0]
        key = b"|".join(grid_key(g) for g in tests)
        order = (depth, wrong, program)
        if key in self.best and self.best[key][0] <= order:
            return
        name = f"near_fit[{n - 1}/{n}]({program})"
        fit = Fit(name, depth, 1, False, list(tests), COSTS.near_fit + cost, verified=False)
        self.best[key] = (order, fit)
        if len(self.best) > MAX_NEAR_FITS:
            worst = max(self.best, key=lambda k: self.best[k][0])
            del self.best[worst]

    def fits(self) -> list[Fit]:
        return [fit for _, fit in sorted(self.best.values(), key=lambda item: item[0])]
