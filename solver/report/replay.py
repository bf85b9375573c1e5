"""Replaying a vote: how its answer changes as more augmentations are counted.

Each test report holds `vote_sequence`: for every TRM candidate, in augmentation order,
the index of its grid in the test's `top` list, or -1 when that grid is not listed.
Counting only the first n entries gives the answer the vote would have chosen after n
augmentations; against the true output that gives accuracy(n), for n = 1, 2, 4, ... and
the whole vote.
"""

from __future__ import annotations

from collections.abc import Sequence


def counts_to_replay(longest: int) -> list[int]:
    """1, 2, 4, 8, ... below `longest`, then `longest` itself (nothing for an empty vote)."""
    counts, n = [], 1
    while n < longest:
        counts.append(n)
        n *= 2
    return counts + [longest] if longest > 0 else []


def leaders(sequence: Sequence[int]) -> dict[int, int]:
    """{n: the listed grid leading the vote among the first n candidates} for n in counts_to_replay.

    Ties go to the lower index (the order of `top`); -1 while no listed grid has a vote.
    One pass over the sequence.
    """
    checkpoints = set(counts_to_replay(len(sequence)))
    votes: dict[int, int] = {}
    best, result = -1, {}
    for n, index in enumerate(sequence, start=1):
        if index >= 0:
            votes[index] = votes.get(index, 0) + 1
            if best < 0 or (votes[index], -index) > (votes[best], -best):
                best = index
        if n in checkpoints:
            result[n] = best
    return result


def accuracy_curve(replays: Sequence[tuple[dict[int, int], int]]) -> list[tuple[int, float]]:
    """[(n, accuracy)] from (leaders(sequence), index of the true grid in top or -1) per test output.

    A test whose vote is shorter than n counts with its whole vote (it ran no more
    augmentations). Empty when no test has a vote.
    """
    replays = [(steps, truth) for steps, truth in replays if steps]
    if not replays:
        return []
    curve = []
    for n in counts_to_replay(max(max(steps) for steps, _ in replays)):
        right = 0
        for steps, truth in replays:
            length = max(steps)
            right += truth >= 0 and steps[min(n, length)] == truth
        curve.append((n, right / len(replays)))
    return curve


def accuracy_by_augmentations(tests: Sequence[tuple[Sequence[int], int]]) -> list[tuple[int, float]]:
    """[(n, accuracy)] over test outputs given as (vote_sequence, index of the true grid in top or -1)."""
    return accuracy_curve([(leaders(sequence), truth) for sequence, truth in tests])
