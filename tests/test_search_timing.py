"""Per-phase timers: exact accounting on a fake clock, and the phases a real search reports."""

import numpy as np

from solver.search import SearchSettings, search_task
from solver.search import timing as timing_module
from solver.search.timing import PhaseTimes


class FakeClock:
    """CPU advances 1 s per reading, wall 2 s: every interval is known exactly."""

    def __init__(self):
        self.cpu = 0.0
        self.wall = 0.0

    def process_time(self):
        self.cpu += 1.0
        return self.cpu

    def perf_counter(self):
        self.wall += 2.0
        return self.wall


def test_switching_charges_each_interval_to_the_running_phase(monkeypatch):
    monkeypatch.setattr(timing_module, "time", FakeClock())
    times = PhaseTimes()  # marks: cpu 1, wall 2
    assert times.switch("a") is None  # cpu 2, wall 4: nothing was running
    assert times.switch("b") == "a"  # cpu 3, wall 6: a gets 1 and 2
    assert times.switch("a") == "b"  # cpu 4, wall 8: b gets 1 and 2
    assert times.switch(None) == "a"  # cpu 5, wall 10: a gets 1 and 2 more
    assert times.stats() == {"phase_cpu_s": {"a": 2.0, "b": 1.0}, "phase_wall_s": {"a": 4.0, "b": 2.0}}


def test_a_search_reports_every_pass_it_ran():
    """Nothing fits this task, so all three passes run when asked (its inputs' colours differ by
    example, so renumbering them changes the task); their phases add up to at most the search's
    own CPU time (both clocks are monotonic; the margin is for rounding)."""
    a = np.array([[1, 1, 1], [0, 2, 0]], dtype=np.uint8)
    b = np.array([[3, 3, 3], [0, 4, 0]], dtype=np.uint8)
    train = [(a, np.array([[7, 8]], np.uint8)), (b, np.array([[5], [6], [9]], np.uint8))]
    result = search_task(train, [a], SearchSettings(time_limit_s=60.0, max_depth=2, use_transpose=True))
    cpu, wall = result.stats["phase_cpu_s"], result.stats["phase_wall_s"]
    assert set(cpu) == set(wall) and result.stats["colour_normalised"]
    for name in ("plain", "normalised", "transposed"):
        assert {f"{name}.setup", f"{name}.enumeration", f"{name}.fitting", f"{name}.pieces"} <= set(cpu)
    assert "ranking" in cpu
    assert all(v >= 0 for v in cpu.values()) and all(v >= 0 for v in wall.values())
    assert sum(cpu.values()) <= result.stats["cpu_seconds"] + 1e-3 * len(cpu)
    assert sum(wall.values()) <= result.stats["seconds"] + 1e-3 * len(wall)
