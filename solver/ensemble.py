"""Filling the two attempts from several experts' candidates.

The rule, and why:
1. A grid that both experts propose comes first: a program that reproduces every
   demonstration and the network's vote agreeing is the strongest evidence we have.
2. Then the experts take turns: the best remaining search candidate, the best remaining
   TRM grid, the next search candidate, and so on. A search candidate is a program
   verified on every demonstration pair (icecuber's top verified program was right 84%
   of the time on ARC-AGI-1 evaluation), so it leads; the TRM's top vote is independent
   evidence, so when the experts disagree it takes the second attempt instead of the
   search's own runner-up, which is usually a near-duplicate program.
3. Last, the search's unverified answers: a program that reproduces all demonstrations
   but one, or a demonstration's output reused because the outputs repeat (a
   classification guess, no program behind it), so the network's grids come before them.
With one expert, its own order stands.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from solver.arc.voting import Ranked, grid_key
from solver.config import EXPERTS, SEARCH, TRM
from solver.search import SearchCandidate


@dataclass
class Choice:
    """One distinct grid and what each expert said of it."""

    grid: np.ndarray  # (H, W) uint8
    experts: list[str] = field(default_factory=list)  # who proposed it, in EXPERTS order
    program: str | None = None  # the best search program that makes it
    search_score: float | None = None
    votes: int = 0  # TRM votes (de-augmented predictions equal to it)
    confidence: float | None = None  # TRM mean halting confidence


def combine(search: list[SearchCandidate], trm: list[Ranked]) -> list[Choice]:
    """Every distinct grid either expert proposed, in the order that fills the attempts.

    `search` and `trm` are each expert's own ranking for one test input, best first.
    """
    choices: dict[bytes, Choice] = {}
    for candidate in search:
        choice = choices.setdefault(grid_key(candidate.grid), Choice(candidate.grid))
        if choice.program is None:
            choice.experts.append(SEARCH)
            choice.program, choice.search_score = candidate.program, candidate.score
    for ranked in trm:
        choice = choices.setdefault(grid_key(ranked.grid), Choice(ranked.grid))
        choice.experts.append(TRM)
        choice.votes, choice.confidence = ranked.votes, ranked.mean_confidence
    search_keys = [grid_key(c.grid) for c in search if c.verified]
    trm_keys = [grid_key(r.grid) for r in trm]
    order = [k for k in dict.fromkeys(search_keys) if len(choices[k].experts) == len(EXPERTS)]
    queues = [[k for k in keys if k not in order] for keys in (search_keys, trm_keys)]
    while any(queues):
        for queue in queues:  # each expert in turn adds its best grid not yet placed
            while queue and queue[0] in order:
                queue.pop(0)
            if queue:
                order.append(queue.pop(0))
    order.extend(k for k in dict.fromkeys(grid_key(c.grid) for c in search) if k not in order)
    return [choices[k] for k in order]
