import numpy as np

from solver.arc.voting import Ranked
from solver.ensemble import combine
from solver.search import SearchCandidate


def grid(value):
    return np.full((2, 2), value, dtype=np.uint8)


def search(*values):
    return [SearchCandidate(grid(v), f"program{v}", 1.0 - 0.1 * i, depth=1) for i, v in enumerate(values)]


def trm(*votes_by_value):
    return [Ranked(grid(v), votes, 0.5) for v, votes in votes_by_value]


def values(choices):
    return [int(c.grid[0, 0]) for c in choices]


def test_a_grid_both_experts_propose_comes_first():
    choices = combine(search(1, 2, 3), trm((3, 40), (4, 30)))
    assert values(choices) == [3, 1, 4, 2]
    assert choices[0].experts == ["search", "trm"] and choices[0].program == "program3" and choices[0].votes == 40


def test_when_experts_disagree_they_take_turns_search_first():
    choices = combine(search(1, 2), trm((5, 60), (6, 10)))
    assert values(choices) == [1, 5, 2, 6]
    assert choices[1].experts == ["trm"] and choices[1].program is None and choices[1].confidence == 0.5


def test_one_expert_keeps_its_own_order():
    assert values(combine(search(7, 8, 9), [])) == [7, 8, 9]
    assert values(combine([], trm((4, 3), (2, 1)))) == [4, 2]
    assert combine([], []) == []


def test_reused_outputs_come_after_the_networks_grids():
    guess = SearchCandidate(grid(9), "output_by[objects4]", -20.0, depth=0, verified=False)
    assert values(combine([*search(1), guess], trm((5, 60), (6, 10)))) == [1, 5, 6, 9]
    assert values(combine([guess], trm((9, 3)))) == [9]  # the network agreeing makes it its own grid
    assert values(combine([guess], [])) == [9]  # alone, the search's guess still fills an attempt


def test_duplicate_search_grids_keep_the_best_program():
    candidates = [SearchCandidate(grid(1), "best", 0.9, depth=1), SearchCandidate(grid(1), "worse", 0.5, depth=2)]
    (choice,) = combine(candidates, [])
    assert choice.program == "best" and choice.experts == ["search"]


def test_the_search_never_runs_past_the_hard_deadline():
    from solver.clock import Deadline
    from solver.config import SolveConfig
    from solver.run.budget import TaskPlan
    from solver.solve_task import search_settings

    plan = TaskPlan(0, 4, 0, 0, search_seconds=30.0)
    assert search_settings(SolveConfig(), plan, Deadline(None)).time_limit_s == 30.0
    assert search_settings(SolveConfig(), plan, Deadline.in_seconds(2.0)).time_limit_s <= 2.0
    unplanned = TaskPlan(0, 4, 0, 0)  # no budget: the configured cap
    assert search_settings(SolveConfig(search_seconds=7.0), unplanned, Deadline(None)).time_limit_s == 7.0
